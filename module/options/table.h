/* table.h --- the option table: one row per option.

   Adding an option is adding a row to table.c.  How a value travels
   between Lisp and the kernel depends only on the row's value type
   (values.c), never on the option itself.  */

#ifndef NETOPT_OPTIONS_TABLE_H
#define NETOPT_OPTIONS_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Value types: one Lisp<->kernel conversion each.  */
enum nv_type
{
  NV_BOOL,   /* int flag; Lisp nil / non-nil, read back t / nil */
  NV_INT,    /* int within the row's range */
  NV_LINGER, /* struct linger; nil, t or seconds */
  NV_DEVICE, /* interface name; nil or "" unbinds */
  NV_STRING, /* short NUL-terminated string (e.g. congestion control) */
  NV_IFNAME, /* an interface chosen by name (multicast interface) */
  NV_TCPINFO, /* struct tcp_info, read as a plist */
  NV_PEERCRED, /* struct ucred, read as (:pid :uid :gid) */
};

/* Protocol levels.  NL_IP_ANY picks IP or IPv6 by the socket's family.  */
enum nv_level
{
  NL_SOCKET,
  NL_IP,
  NL_IPV6,
  NL_IP_ANY,
  NL_TCP,
  NL_UDP,
};

enum nv_when
{
  NW_ALWAYS,      /* settable at any time */
  NW_BEFORE_BIND, /* settable only before the socket is bound */
  NW_NEVER,       /* read-only */
};

/* Families and socket types an option applies to (bit sets).  */
enum
{
  NF_INET = 1,
  NF_INET6 = 2,
  NF_LOCAL = 4,
  NF_IP = NF_INET | NF_INET6,
  NF_ALL = NF_INET | NF_INET6 | NF_LOCAL,
};
enum
{
  NT_STREAM = 1,
  NT_DGRAM = 2,
  NT_SEQPACKET = 4,
  NT_ALL = NT_STREAM | NT_DGRAM | NT_SEQPACKET,
};

struct nv_option
{
  const char *keyword; /* ":keepalive" */
  const char *c_name;  /* "SO_KEEPALIVE" */
  enum nv_level level;
  int optname;  /* the option number (IPv4's under NL_IP_ANY) */
  int optname6; /* IPv6's option number under NL_IP_ANY */
  enum nv_type type;
  unsigned families;
  unsigned types;
  enum nv_when when;
  intmax_t min, max;    /* range of NV_INT values */
  bool reset_on_accept; /* undo what accept(2) copies from the listener */
  bool privileged;      /* some values need privileges */
  const char *doc;
  bool read_clears; /* reading changes it (SO_ERROR): read only on request */
};

extern const struct nv_option nv_options[];
extern const size_t nv_option_count;

/* Map a socket family / type to the NF_* / NT_* bit.  0 if unknown.  */
unsigned nv_family_bit (int family);
unsigned nv_type_bit (int type);

/* Is OPT one of the eight options of the Emacs manual, the ones
   `process-contact' lists?  */
bool nv_is_manual (const struct nv_option *opt);

/* Does OPT apply to a socket of FAMILY and TYPE?  */
bool nv_applies (const struct nv_option *opt, int family, int type);

/* The kernel level and option number of OPT on a FAMILY socket.  */
void nv_resolve (const struct nv_option *opt, int family, int *level,
                 int *optname);

#endif
