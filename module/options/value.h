/* value.h --- option values: one conversion per value type, between
   Lisp, C and the kernel.

   A value that can be set (struct opt_value) is a tagged union of the
   settable types, small enough to keep one per child option for a
   server's whole life.  What a read returns (struct opt_reading) adds
   the read-only records (TCP_INFO, peer credentials), and lives only on
   the stack.  */

#ifndef NETOPT_OPTIONS_VALUE_H
#define NETOPT_OPTIONS_VALUE_H

#include "../core/lisp.h"
#include "table.h"

#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

/* Longest OPT_STRING value (TCP_CONGESTION names are 15 bytes).  */
#define OPT_STRING_MAX 31

struct opt_value
{
  enum opt_type type;
  union
  {
    int i;            /* OPT_BOOL, OPT_INT */
    struct linger lg; /* OPT_LINGER */
    struct            /* OPT_DEVICE, OPT_STRING: NUL-terminated */
    {
      char bytes[OPT_STRING_MAX + 1];
      size_t len;
    } str;
    struct /* OPT_IFNAME */
    {
      char name[IFNAMSIZ];
      size_t len; /* 0: none (by route) */
      int index;
      struct in_addr addr; /* its IPv4 address, for IPv4 sockets */
    } iface;
  } u;
};

struct opt_reading
{
  enum opt_type type;
  union
  {
    struct opt_value value; /* every settable type */
#ifdef TCP_INFO
    struct tcp_info ti; /* OPT_TCPINFO */
#endif
#ifdef SO_PEERCRED
    compat_ucred cred; /* OPT_PEERCRED */
#endif
  } u;
  /* OPT_TCPINFO: bytes sent and not yet acknowledged (SIOCOUTQ less
     SIOCOUTQNSD), -1 where the kernel cannot tell.  */
  long unacked_bytes;
};

/* Convert the Lisp VALUE of ROW (named KEYWORD in errors) into *OUT.
   Signals netopt-bad-value and returns false when VALUE is not one of
   the forms ROW takes.  */
bool opt_value_from_lisp (emacs_env *env, const struct opt_row *row,
                          emacs_value keyword, emacs_value value,
                          struct opt_value *out);

/* The Lisp form of *R, as netopt-option returns it.  */
emacs_value opt_reading_to_lisp (emacs_env *env, const struct opt_row *row,
                                 const struct opt_reading *r);

/* setsockopt / getsockopt of ROW on FD, a FAMILY socket.  Return 0 or
   an errno value.  */
int opt_kernel_set (int fd, int family, const struct opt_row *row,
                    const struct opt_value *v);
int opt_kernel_get (int fd, int family, const struct opt_row *row,
                    struct opt_reading *r);

/* Does the reading R hold the setting V?  */
bool opt_value_equal (const struct opt_row *row, const struct opt_value *v,
                      const struct opt_reading *r);

#endif
