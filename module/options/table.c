/* table.c --- the option table.

   A row exists only where this system defines its constant.  The eight
   options of the Emacs manual come first, in the manual's order, and
   say so in their `manual' column.  */

#include "table.h"
#include "budget.h"

#include <limits.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>

/* macOS spells Linux's TCP_KEEPIDLE as TCP_KEEPALIVE.  */
#if !defined TCP_KEEPIDLE && defined TCP_KEEPALIVE
#define TCP_KEEPIDLE TCP_KEEPALIVE
#endif

const struct opt_row opt_rows[] = {
/* The manual's eight.  */
#ifdef SO_BINDTODEVICE
  { .keyword = ":bindtodevice",
    .c_name = "SO_BINDTODEVICE",
    .level = OPT_LEVEL_SOCKET,
    .optname = SO_BINDTODEVICE,
    .type = OPT_DEVICE,
    .families = OPT_FAMILY_ALL,
    .types = OPT_SOCK_ALL,
    .when = OPT_ALWAYS,
    .reset_on_accept = true,
    .privileged = true,
    .manual = true,
    .doc = "Only handle packets of this network interface (nil: any)." },
#endif
  { .keyword = ":broadcast",
    .c_name = "SO_BROADCAST",
    .level = OPT_LEVEL_SOCKET,
    .optname = SO_BROADCAST,
    .type = OPT_BOOL,
    .families = OPT_FAMILY_ALL,
    .types = OPT_SOCK_ALL,
    .when = OPT_ALWAYS,
    .reset_on_accept = true,
    .manual = true,
    .doc = "Allow sending to and receiving from broadcast addresses." },
  { .keyword = ":dontroute",
    .c_name = "SO_DONTROUTE",
    .level = OPT_LEVEL_SOCKET,
    .optname = SO_DONTROUTE,
    .type = OPT_BOOL,
    .families = OPT_FAMILY_ALL,
    .types = OPT_SOCK_ALL,
    .when = OPT_ALWAYS,
    .reset_on_accept = true,
    .manual = true,
    .doc = "Send only to hosts on directly connected networks." },
  { .keyword = ":keepalive",
    .c_name = "SO_KEEPALIVE",
    .level = OPT_LEVEL_SOCKET,
    .optname = SO_KEEPALIVE,
    .type = OPT_BOOL,
    .families = OPT_FAMILY_ALL,
    .types = OPT_SOCK_ALL,
    .when = OPT_ALWAYS,
    .reset_on_accept = true,
    .manual = true,
    .doc = "Send keep-alive probes on an idle stream connection." },
  { .keyword = ":linger",
    .c_name = "SO_LINGER",
    .level = OPT_LEVEL_SOCKET,
    .optname = SO_LINGER,
    .type = OPT_LINGER,
    .families = OPT_FAMILY_ALL,
    .types = OPT_SOCK_ALL,
    .when = OPT_ALWAYS,
    .max = INT_MAX,
    .reset_on_accept = true,
    .manual = true,
    .doc
    = "Seconds close waits for queued data to be sent (nil: off, 0: reset)." },
  { .keyword = ":oobinline",
    .c_name = "SO_OOBINLINE",
    .level = OPT_LEVEL_SOCKET,
    .optname = SO_OOBINLINE,
    .type = OPT_BOOL,
    .families = OPT_FAMILY_ALL,
    .types = OPT_SOCK_ALL,
    .when = OPT_ALWAYS,
    .reset_on_accept = true,
    .manual = true,
    .doc = "Receive urgent (out-of-band) data in the normal data stream." },
#ifdef SO_PRIORITY
  { .keyword = ":priority",
    .c_name = "SO_PRIORITY",
    .level = OPT_LEVEL_SOCKET,
    .optname = SO_PRIORITY,
    .type = OPT_INT,
    .families = OPT_FAMILY_ALL,
    .types = OPT_SOCK_ALL,
    .when = OPT_ALWAYS,
    .min = INT_MIN,
    .max = INT_MAX,
    .reset_on_accept = true,
    .privileged = true,
    .manual = true,
    .doc
    = "Queueing priority of sent packets (above 6 needs CAP_NET_ADMIN)." },
#endif
  { .keyword = ":reuseaddr",
    .c_name = "SO_REUSEADDR",
    .level = OPT_LEVEL_SOCKET,
    .optname = SO_REUSEADDR,
    .type = OPT_BOOL,
    .families = OPT_FAMILY_ALL,
    .types = OPT_SOCK_ALL,
    .when = OPT_BEFORE_BIND,
    .manual = true,
    .doc = "Allow binding a local address still held in TIME_WAIT." },
/* TCP.  */
#ifdef TCP_NODELAY
  { .keyword = ":nodelay",
    .c_name = "TCP_NODELAY",
    .level = OPT_LEVEL_TCP,
    .optname = TCP_NODELAY,
    .type = OPT_BOOL,
    .families = OPT_FAMILY_IP,
    .types = OPT_SOCK_STREAM,
    .when = OPT_ALWAYS,
    .reset_on_accept = true,
    .doc = "Send small segments at once (no Nagle delay)." },
#endif
#ifdef TCP_KEEPIDLE
  { .keyword = ":keepidle",
    .c_name = "TCP_KEEPIDLE",
    .level = OPT_LEVEL_TCP,
    .optname = TCP_KEEPIDLE,
    .type = OPT_INT,
    .families = OPT_FAMILY_IP,
    .types = OPT_SOCK_STREAM,
    .when = OPT_ALWAYS,
    .min = 1,
    .max = 32767,
    .reset_on_accept = true,
    .doc = "Idle seconds before the first keep-alive probe." },
#endif
#ifdef TCP_KEEPINTVL
  { .keyword = ":keepintvl",
    .c_name = "TCP_KEEPINTVL",
    .level = OPT_LEVEL_TCP,
    .optname = TCP_KEEPINTVL,
    .type = OPT_INT,
    .families = OPT_FAMILY_IP,
    .types = OPT_SOCK_STREAM,
    .when = OPT_ALWAYS,
    .min = 1,
    .max = 32767,
    .reset_on_accept = true,
    .doc = "Seconds between keep-alive probes." },
#endif
#ifdef TCP_KEEPCNT
  { .keyword = ":keepcnt",
    .c_name = "TCP_KEEPCNT",
    .level = OPT_LEVEL_TCP,
    .optname = TCP_KEEPCNT,
    .type = OPT_INT,
    .families = OPT_FAMILY_IP,
    .types = OPT_SOCK_STREAM,
    .when = OPT_ALWAYS,
    .min = 1,
    .max = 127,
    .reset_on_accept = true,
    .doc = "Unanswered keep-alive probes before the connection is dropped." },
#endif
#ifdef TCP_USER_TIMEOUT
  { .keyword = ":user-timeout",
    .c_name = "TCP_USER_TIMEOUT",
    .level = OPT_LEVEL_TCP,
    .optname = TCP_USER_TIMEOUT,
    .type = OPT_INT,
    .families = OPT_FAMILY_IP,
    .types = OPT_SOCK_STREAM,
    .when = OPT_ALWAYS,
    .max = INT_MAX,
    .reset_on_accept = true,
    .doc
    = "Milliseconds sent data may stay unacknowledged (0: system default)." },
#endif
#if defined TCP_KEEPIDLE && defined TCP_KEEPINTVL && defined TCP_KEEPCNT      \
    && defined TCP_USER_TIMEOUT
  /* Not a kernel option: five of them, derived (budget.c).  */
  { .keyword = ":dead-after",
    .c_name = "SO_KEEPALIVE TCP_KEEP* TCP_USER_TIMEOUT",
    .level = OPT_LEVEL_TCP,
    .type = OPT_BUDGET,
    .families = OPT_FAMILY_IP,
    .types = OPT_SOCK_STREAM,
    .when = OPT_ALWAYS,
    .min = OPT_BUDGET_MIN,
    .max = OPT_BUDGET_MAX,
    .affects = ":keepalive",
    .doc = "Seconds a dead connection may go unnoticed: sets keepalive, "
           "keepidle, keepintvl, keepcnt, user-timeout (nil: no bound)." },
#endif
#ifdef TCP_MAXSEG
  { .keyword = ":maxseg",
    .c_name = "TCP_MAXSEG",
    .level = OPT_LEVEL_TCP,
    .optname = TCP_MAXSEG,
    .type = OPT_INT,
    .families = OPT_FAMILY_IP,
    .types = OPT_SOCK_STREAM,
    .when = OPT_ALWAYS,
    .max = 65535,
    .doc = "Largest segment to send (0: from the route)." },
#endif
#ifdef TCP_CORK
  { .keyword = ":cork",
    .c_name = "TCP_CORK",
    .level = OPT_LEVEL_TCP,
    .optname = TCP_CORK,
    .type = OPT_BOOL,
    .families = OPT_FAMILY_IP,
    .types = OPT_SOCK_STREAM,
    .when = OPT_ALWAYS,
    .doc = "Hold partial segments until uncorked (200 ms at most)." },
#endif
#ifdef TCP_QUICKACK
  { .keyword = ":quickack",
    .c_name = "TCP_QUICKACK",
    .level = OPT_LEVEL_TCP,
    .optname = TCP_QUICKACK,
    .type = OPT_BOOL,
    .families = OPT_FAMILY_IP,
    .types = OPT_SOCK_STREAM,
    .when = OPT_ALWAYS,
    .doc = "Acknowledge at once rather than delay (not permanent)." },
#endif
#ifdef TCP_NOTSENT_LOWAT
  { .keyword = ":notsent-lowat",
    .c_name = "TCP_NOTSENT_LOWAT",
    .level = OPT_LEVEL_TCP,
    .optname = TCP_NOTSENT_LOWAT,
    .type = OPT_INT,
    .families = OPT_FAMILY_IP,
    .types = OPT_SOCK_STREAM,
    .when = OPT_ALWAYS,
    .max = INT_MAX,
    .reset_on_accept = true,
    .doc = "Unsent bytes above which the socket is not writable." },
#endif
#ifdef TCP_CONGESTION
  { .keyword = ":congestion",
    .c_name = "TCP_CONGESTION",
    .level = OPT_LEVEL_TCP,
    .optname = TCP_CONGESTION,
    .type = OPT_STRING,
    .families = OPT_FAMILY_IP,
    .types = OPT_SOCK_STREAM,
    .when = OPT_ALWAYS,
    .max = 15,
    .reset_on_accept = true,
    .privileged = true,
    .doc
    = "Congestion control algorithm by name (e.g. \"cubic\", \"reno\")." },
#endif
#ifdef TCP_SYNCNT
  { .keyword = ":syncnt",
    .c_name = "TCP_SYNCNT",
    .level = OPT_LEVEL_TCP,
    .optname = TCP_SYNCNT,
    .type = OPT_INT,
    .families = OPT_FAMILY_IP,
    .types = OPT_SOCK_STREAM,
    .when = OPT_ALWAYS,
    .min = 1,
    .max = 127,
    .reset_on_accept = true,
    .doc = "SYN retransmits before a connection attempt gives up." },
#endif
#ifdef TCP_DEFER_ACCEPT
  { .keyword = ":defer-accept",
    .c_name = "TCP_DEFER_ACCEPT",
    .level = OPT_LEVEL_TCP,
    .optname = TCP_DEFER_ACCEPT,
    .type = OPT_INT,
    .families = OPT_FAMILY_IP,
    .types = OPT_SOCK_STREAM,
    .when = OPT_ALWAYS,
    .max = INT_MAX,
    .doc = "Seconds a listener waits for data before waking accept." },
#endif
#ifdef TCP_INFO
  { .keyword = ":info",
    .c_name = "TCP_INFO",
    .level = OPT_LEVEL_TCP,
    .optname = TCP_INFO,
    .type = OPT_TCPINFO,
    .families = OPT_FAMILY_IP,
    .types = OPT_SOCK_STREAM,
    .when = OPT_NEVER,
    .doc
    = "Connection state and statistics: state, rtt, retransmits, windows." },
#endif
  /* Socket level.  */
  { .keyword = ":rcvbuf",
    .c_name = "SO_RCVBUF",
    .level = OPT_LEVEL_SOCKET,
    .optname = SO_RCVBUF,
    .type = OPT_INT,
    .families = OPT_FAMILY_ALL,
    .types = OPT_SOCK_ALL,
    .when = OPT_ALWAYS,
    .max = INT_MAX,
    .doc = "Receive buffer size in bytes (Linux doubles the value set)." },
  { .keyword = ":sndbuf",
    .c_name = "SO_SNDBUF",
    .level = OPT_LEVEL_SOCKET,
    .optname = SO_SNDBUF,
    .type = OPT_INT,
    .families = OPT_FAMILY_ALL,
    .types = OPT_SOCK_ALL,
    .when = OPT_ALWAYS,
    .max = INT_MAX,
    .doc = "Send buffer size in bytes (Linux doubles the value set)." },
#ifdef SO_RCVLOWAT
  { .keyword = ":rcvlowat",
    .c_name = "SO_RCVLOWAT",
    .level = OPT_LEVEL_SOCKET,
    .optname = SO_RCVLOWAT,
    .type = OPT_INT,
    .families = OPT_FAMILY_ALL,
    .types = OPT_SOCK_ALL,
    .when = OPT_ALWAYS,
    .min = 1,
    .max = INT_MAX,
    .reset_on_accept = true,
    .doc = "Bytes that must be queued before a read wakes up." },
#endif
#ifdef SO_REUSEPORT
  { .keyword = ":reuseport",
    .c_name = "SO_REUSEPORT",
    .level = OPT_LEVEL_SOCKET,
    .optname = SO_REUSEPORT,
    .type = OPT_BOOL,
    .families = OPT_FAMILY_IP,
    .types = OPT_SOCK_ALL,
    .when = OPT_BEFORE_BIND,
    .doc = "Let several sockets bind the same address and port." },
#endif
#ifdef SO_MARK
  { .keyword = ":mark",
    .c_name = "SO_MARK",
    .level = OPT_LEVEL_SOCKET,
    .optname = SO_MARK,
    .type = OPT_INT,
    .families = OPT_FAMILY_ALL,
    .types = OPT_SOCK_ALL,
    .when = OPT_ALWAYS,
    .max = UINT32_MAX,
    .reset_on_accept = true,
    .privileged = true,
    .doc = "Firewall mark of sent packets (needs CAP_NET_ADMIN)." },
#endif
#ifdef SO_BUSY_POLL
  { .keyword = ":busy-poll",
    .c_name = "SO_BUSY_POLL",
    .level = OPT_LEVEL_SOCKET,
    .optname = SO_BUSY_POLL,
    .type = OPT_INT,
    .families = OPT_FAMILY_ALL,
    .types = OPT_SOCK_ALL,
    .when = OPT_ALWAYS,
    .max = INT_MAX,
    .reset_on_accept = true,
    .privileged = true,
    .doc = "Microseconds to busy-poll the device on reads (raising needs "
           "CAP_NET_ADMIN)." },
#endif
#ifdef SO_INCOMING_CPU
  { .keyword = ":incoming-cpu",
    .c_name = "SO_INCOMING_CPU",
    .level = OPT_LEVEL_SOCKET,
    .optname = SO_INCOMING_CPU,
    .type = OPT_INT,
    .families = OPT_FAMILY_ALL,
    .types = OPT_SOCK_ALL,
    .when = OPT_ALWAYS,
    .min = -1,
    .max = INT_MAX,
    .doc = "CPU that handles the socket's incoming packets (-1: any)." },
#endif
  { .keyword = ":error",
    .c_name = "SO_ERROR",
    .level = OPT_LEVEL_SOCKET,
    .optname = SO_ERROR,
    .type = OPT_INT,
    .families = OPT_FAMILY_ALL,
    .types = OPT_SOCK_ALL,
    .when = OPT_NEVER,
    .read_clears = true,
    .doc = "Pending socket error number, cleared by reading it (0: none)." },
#ifdef SO_ACCEPTCONN
  { .keyword = ":acceptconn",
    .c_name = "SO_ACCEPTCONN",
    .level = OPT_LEVEL_SOCKET,
    .optname = SO_ACCEPTCONN,
    .type = OPT_BOOL,
    .families = OPT_FAMILY_ALL,
    .types = OPT_SOCK_ALL,
    .when = OPT_NEVER,
    .doc = "Whether the socket is listening for connections." },
#endif
#ifdef SO_PEERCRED
  { .keyword = ":peercred",
    .c_name = "SO_PEERCRED",
    .level = OPT_LEVEL_SOCKET,
    .optname = SO_PEERCRED,
    .type = OPT_PEERCRED,
    .families = OPT_FAMILY_LOCAL,
    .types = OPT_SOCK_ALL,
    .when = OPT_NEVER,
    .doc = "Process id, user id and group id of the peer of a local socket." },
#endif
#ifdef SO_PASSCRED
  { .keyword = ":passcred",
    .c_name = "SO_PASSCRED",
    .level = OPT_LEVEL_SOCKET,
    .optname = SO_PASSCRED,
    .type = OPT_BOOL,
    .families = OPT_FAMILY_LOCAL,
    .types = OPT_SOCK_ALL,
    .when = OPT_ALWAYS,
    .reset_on_accept = true,
    .doc = "Receive the sender's credentials with local messages." },
#endif
  /* IP and IPv6.  */
  { .keyword = ":tos",
    .c_name = "IP_TOS",
    .level = OPT_LEVEL_IP_ANY,
    .optname = IP_TOS,
    .optname6 = IPV6_TCLASS,
    .type = OPT_INT,
    .families = OPT_FAMILY_IP,
    .types = OPT_SOCK_ALL,
    .when = OPT_ALWAYS,
    .max = 255,
    .reset_on_accept = true,
    .affects = ":priority",
    .doc = "Type of service byte of sent packets (IPv6: traffic class)." },
  { .keyword = ":tclass",
    .c_name = "IPV6_TCLASS",
    .level = OPT_LEVEL_IP_ANY,
    .optname = IP_TOS,
    .optname6 = IPV6_TCLASS,
    .type = OPT_INT,
    .families = OPT_FAMILY_IP,
    .types = OPT_SOCK_ALL,
    .when = OPT_ALWAYS,
    .max = 255,
    .reset_on_accept = true,
    .affects = ":priority",
    .doc = "Traffic class byte of sent packets (IPv4: type of service)." },
  { .keyword = ":ttl",
    .c_name = "IP_TTL",
    .level = OPT_LEVEL_IP_ANY,
    .optname = IP_TTL,
    .optname6 = IPV6_UNICAST_HOPS,
    .type = OPT_INT,
    .families = OPT_FAMILY_IP,
    .types = OPT_SOCK_ALL,
    .when = OPT_ALWAYS,
    .min = 1,
    .max = 255,
    .reset_on_accept = true,
    .doc = "Hop limit of sent unicast packets (IPv6: unicast hops)." },
  { .keyword = ":unicast-hops",
    .c_name = "IPV6_UNICAST_HOPS",
    .level = OPT_LEVEL_IP_ANY,
    .optname = IP_TTL,
    .optname6 = IPV6_UNICAST_HOPS,
    .type = OPT_INT,
    .families = OPT_FAMILY_IP,
    .types = OPT_SOCK_ALL,
    .when = OPT_ALWAYS,
    .min = 1,
    .max = 255,
    .reset_on_accept = true,
    .doc = "Hop limit of sent unicast packets (IPv4: time to live)." },
#if defined IP_FREEBIND && defined IPV6_FREEBIND
  { .keyword = ":freebind",
    .c_name = "IP_FREEBIND",
    .level = OPT_LEVEL_IP_ANY,
    .optname = IP_FREEBIND,
    .optname6 = IPV6_FREEBIND,
    .type = OPT_BOOL,
    .families = OPT_FAMILY_IP,
    .types = OPT_SOCK_ALL,
    .when = OPT_BEFORE_BIND,
    .doc = "Allow binding an address not (yet) configured on this host." },
#endif
#if defined IP_TRANSPARENT && defined IPV6_TRANSPARENT
  { .keyword = ":transparent",
    .c_name = "IP_TRANSPARENT",
    .level = OPT_LEVEL_IP_ANY,
    .optname = IP_TRANSPARENT,
    .optname6 = IPV6_TRANSPARENT,
    .type = OPT_BOOL,
    .families = OPT_FAMILY_IP,
    .types = OPT_SOCK_ALL,
    .when = OPT_ALWAYS,
    .reset_on_accept = true,
    .privileged = true,
    .doc
    = "Transparent proxying: use foreign addresses (needs CAP_NET_ADMIN)." },
#endif
#if defined IP_MTU_DISCOVER && defined IPV6_MTU_DISCOVER
  { .keyword = ":mtu-discover",
    .c_name = "IP_MTU_DISCOVER",
    .level = OPT_LEVEL_IP_ANY,
    .optname = IP_MTU_DISCOVER,
    .optname6 = IPV6_MTU_DISCOVER,
    .type = OPT_INT,
    .families = OPT_FAMILY_IP,
    .types = OPT_SOCK_ALL,
    .when = OPT_ALWAYS,
    .max = 5,
    .reset_on_accept = true,
    .doc = "Path MTU discovery mode (0 don't, 1 want, 2 do, 3 probe...)." },
#endif
  { .keyword = ":multicast-ttl",
    .c_name = "IP_MULTICAST_TTL",
    .level = OPT_LEVEL_IP_ANY,
    .optname = IP_MULTICAST_TTL,
    .optname6 = IPV6_MULTICAST_HOPS,
    .type = OPT_INT,
    .families = OPT_FAMILY_IP,
    .types = OPT_SOCK_DGRAM,
    .when = OPT_ALWAYS,
    .max = 255,
    .reset_on_accept = true,
    .doc = "Hop limit of sent multicast packets (IPv6: multicast hops)." },
  { .keyword = ":multicast-hops",
    .c_name = "IPV6_MULTICAST_HOPS",
    .level = OPT_LEVEL_IP_ANY,
    .optname = IP_MULTICAST_TTL,
    .optname6 = IPV6_MULTICAST_HOPS,
    .type = OPT_INT,
    .families = OPT_FAMILY_IP,
    .types = OPT_SOCK_DGRAM,
    .when = OPT_ALWAYS,
    .max = 255,
    .reset_on_accept = true,
    .doc = "Hop limit of sent multicast packets (IPv4: multicast TTL)." },
  { .keyword = ":multicast-loop",
    .c_name = "IP_MULTICAST_LOOP",
    .level = OPT_LEVEL_IP_ANY,
    .optname = IP_MULTICAST_LOOP,
    .optname6 = IPV6_MULTICAST_LOOP,
    .type = OPT_BOOL,
    .families = OPT_FAMILY_IP,
    .types = OPT_SOCK_DGRAM,
    .when = OPT_ALWAYS,
    .reset_on_accept = true,
    .doc = "Deliver sent multicast packets to this host's own members too." },
  { .keyword = ":multicast-if",
    .c_name = "IP_MULTICAST_IF",
    .level = OPT_LEVEL_IP_ANY,
    .optname = IP_MULTICAST_IF,
    .optname6 = IPV6_MULTICAST_IF,
    .type = OPT_IFNAME,
    .families = OPT_FAMILY_IP,
    .types = OPT_SOCK_DGRAM,
    .when = OPT_ALWAYS,
    .reset_on_accept = true,
    .doc
    = "Interface that sends multicast packets, by name (nil: by route)." },
#ifdef IPV6_V6ONLY
  { .keyword = ":v6only",
    .c_name = "IPV6_V6ONLY",
    .level = OPT_LEVEL_IPV6,
    .optname = IPV6_V6ONLY,
    .type = OPT_BOOL,
    .families = OPT_FAMILY_INET6,
    .types = OPT_SOCK_ALL,
    .when = OPT_BEFORE_BIND,
    .doc = "Restrict an IPv6 socket to IPv6 (no IPv4-mapped addresses)." },
#endif

};

const size_t opt_row_count = sizeof opt_rows / sizeof opt_rows[0];

static unsigned
family_bit (int family)
{
  switch (family)
    {
    case AF_INET:
      return OPT_FAMILY_INET;
    case AF_INET6:
      return OPT_FAMILY_INET6;
    case AF_UNIX:
      return OPT_FAMILY_LOCAL;
    default:
      return 0;
    }
}

static unsigned
type_bit (int type)
{
  switch (type)
    {
    case SOCK_STREAM:
      return OPT_SOCK_STREAM;
    case SOCK_DGRAM:
      return OPT_SOCK_DGRAM;
    case SOCK_SEQPACKET:
      return OPT_SOCK_SEQPACKET;
    default:
      return 0;
    }
}

const struct opt_row *
opt_row_named (const char *keyword)
{
  for (size_t i = 0; i < opt_row_count; i++)
    if (strcmp (opt_rows[i].keyword, keyword) == 0)
      return &opt_rows[i];
  return NULL;
}

bool
opt_applies (const struct opt_row *row, int family, int type)
{
  return (row->families & family_bit (family))
         && (row->types & type_bit (type));
}

static int
level_number (enum opt_level level, int family)
{
  switch (level)
    {
    case OPT_LEVEL_SOCKET:
      return SOL_SOCKET;
    case OPT_LEVEL_IP:
      return IPPROTO_IP;
    case OPT_LEVEL_IPV6:
      return IPPROTO_IPV6;
    case OPT_LEVEL_IP_ANY:
      return family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
    case OPT_LEVEL_TCP:
      return IPPROTO_TCP;
    case OPT_LEVEL_UDP:
      return IPPROTO_UDP;
    }
  return SOL_SOCKET;
}

void
opt_resolve (const struct opt_row *row, int family, int *level, int *optname)
{
  *level = level_number (row->level, family);
  *optname = (row->level == OPT_LEVEL_IP_ANY && family == AF_INET6)
                 ? row->optname6
                 : row->optname;
}
