/* values.h --- one conversion per value type, between Lisp, C and the
   kernel.  */

#ifndef NETOPT_OPTIONS_VALUES_H
#define NETOPT_OPTIONS_VALUES_H

#include "../core/lisp.h"
#include "table.h"

#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

/* A converted option value, ready for setsockopt or just read by
   getsockopt.  */
struct nv_value
{
  int i;            /* NV_BOOL, NV_INT */
  struct linger lg; /* NV_LINGER */
  char str[64];     /* NV_DEVICE, NV_STRING: NUL-terminated */
  size_t len;       /* length of STR */
  int ifindex;      /* NV_IFNAME: 0 for none */
  struct in_addr ifaddr; /* NV_IFNAME on IPv4: the interface's address */
#ifdef TCP_INFO
  struct tcp_info ti; /* NV_TCPINFO */
#endif
#ifdef SO_PEERCRED
  compat_ucred cred; /* NV_PEERCRED */
#endif
};

/* Convert the Lisp VALUE of OPT (named KEYWORD in errors) into *OUT.
   Signals netopt-bad-value and returns false when VALUE is not one of
   the forms OPT takes.  */
bool nv_from_lisp (emacs_env *env, const struct nv_option *opt,
                   emacs_value keyword, emacs_value value,
                   struct nv_value *out);

/* The Lisp form of *V, as netopt-option returns it.  */
emacs_value nv_to_lisp (emacs_env *env, const struct nv_option *opt,
                        const struct nv_value *v);

/* setsockopt / getsockopt of OPT on FD, a FAMILY socket.  Return 0 or
   an errno value.  */
int nv_kernel_set (int fd, int family, const struct nv_option *opt,
                   const struct nv_value *v);
int nv_kernel_get (int fd, int family, const struct nv_option *opt,
                   struct nv_value *v);

/* Do A and B mean the same setting of OPT?  */
bool nv_equal (const struct nv_option *opt, const struct nv_value *a,
               const struct nv_value *b);

#endif
