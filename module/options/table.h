/* table.h --- the option table: one row per option.

   Adding an option is adding a row to table.c.  How a value travels
   between Lisp and the kernel depends only on the row's value type
   (value.c), never on the option itself.  */

#ifndef NETOPT_OPTIONS_TABLE_H
#define NETOPT_OPTIONS_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Value types: one Lisp <-> kernel conversion each.  */
enum opt_type
{
  OPT_BOOL,     /* int flag; Lisp nil / non-nil, read back t / nil */
  OPT_INT,      /* int within the row's range (past INT_MAX: unsigned) */
  OPT_LINGER,   /* struct linger; nil, t or seconds */
  OPT_DEVICE,   /* interface name; nil or "" unbinds */
  OPT_STRING,   /* short NUL-terminated string (congestion control) */
  OPT_IFNAME,   /* an interface chosen by name (multicast interface) */
  OPT_TCPINFO,  /* struct tcp_info, read as a plist */
  OPT_PEERCRED, /* struct ucred, read as (:pid :uid :gid) */
  OPT_BUDGET,   /* :dead-after: seconds, five options (budget.c) */
};

/* Protocol levels.  OPT_LEVEL_IP_ANY picks IP or IPv6 by the socket's
   family.  */
enum opt_level
{
  OPT_LEVEL_SOCKET,
  OPT_LEVEL_IP,
  OPT_LEVEL_IPV6,
  OPT_LEVEL_IP_ANY,
  OPT_LEVEL_TCP,
  OPT_LEVEL_UDP,
};

/* When an option may be set.  */
enum opt_when
{
  OPT_ALWAYS,      /* at any time */
  OPT_BEFORE_BIND, /* only before the socket is bound */
  OPT_NEVER,       /* read-only */
};

/* Families and socket types an option applies to (bit sets).  */
enum
{
  OPT_FAMILY_INET = 1,
  OPT_FAMILY_INET6 = 2,
  OPT_FAMILY_LOCAL = 4,
  OPT_FAMILY_IP = OPT_FAMILY_INET | OPT_FAMILY_INET6,
  OPT_FAMILY_ALL = OPT_FAMILY_IP | OPT_FAMILY_LOCAL,
};
enum
{
  OPT_SOCK_STREAM = 1,
  OPT_SOCK_DGRAM = 2,
  OPT_SOCK_SEQPACKET = 4,
  OPT_SOCK_ALL = OPT_SOCK_STREAM | OPT_SOCK_DGRAM | OPT_SOCK_SEQPACKET,
};

struct opt_row
{
  const char *keyword; /* ":keepalive" */
  const char *c_name;  /* "SO_KEEPALIVE" */
  enum opt_level level;
  int optname;  /* the option number (IPv4's under IP_ANY) */
  int optname6; /* IPv6's option number under IP_ANY */
  enum opt_type type;
  unsigned families; /* OPT_FAMILY_* bits */
  unsigned types;    /* OPT_SOCK_* bits */
  enum opt_when when;
  intmax_t min, max;    /* range of OPT_INT values; length of strings */
  bool reset_on_accept; /* undo what accept(2) copies from the listener */
  bool privileged;      /* some values need privileges */
  bool read_clears;     /* reading changes it (SO_ERROR): only on request */
  bool manual;          /* one of the Emacs manual's eight */
  const char *affects;  /* a manual option the kernel derives from it */
  const char *doc;
};

extern const struct opt_row opt_rows[];
extern const size_t opt_row_count;

/* The row of KEYWORD (":priority"), or NULL.  */
const struct opt_row *opt_row_named (const char *keyword);

/* Does ROW apply to a socket of FAMILY and TYPE?  */
bool opt_applies (const struct opt_row *row, int family, int type);

/* The kernel level and option number of ROW on a FAMILY socket.  */
void opt_resolve (const struct opt_row *row, int family, int *level,
                  int *optname);

#endif
