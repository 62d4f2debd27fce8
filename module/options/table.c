/* table.c --- the option table.

   A row exists only where this system defines its constant.  The eight
   options of the Emacs manual come first, in the manual's order.  */

#include "table.h"

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

#define BOOL_ROW(kw, cname, lvl, name, fam, typ, when, reset, doc)         \
  { kw, cname, lvl, name, 0, NV_BOOL, fam, typ, when, 0, 1, reset, false, doc, false }
#define INT_ROW(kw, cname, lvl, name, fam, typ, when, lo, hi, reset, priv,  \
                doc)                                                       \
  { kw, cname, lvl, name, 0, NV_INT, fam, typ, when, lo, hi, reset, priv, doc, false }

/* One option under two names: IPv4's and IPv6's.  */
#define IP_ANY_INT_ROW(kw, cname, name4, name6, lo, hi, doc)               \
  { kw, cname, NL_IP_ANY, name4, name6, NV_INT, NF_IP, NT_ALL, NW_ALWAYS,  \
    lo, hi, true, false, doc, false }

const struct nv_option nv_options[] = {
  /* The manual's eight.  */
#ifdef SO_BINDTODEVICE
  { ":bindtodevice", "SO_BINDTODEVICE", NL_SOCKET, SO_BINDTODEVICE, 0,
    NV_DEVICE, NF_ALL, NT_ALL, NW_ALWAYS, 0, 0, true, true,
    "Only handle packets of this network interface (nil: any).", false },
#endif
  BOOL_ROW (":broadcast", "SO_BROADCAST", NL_SOCKET, SO_BROADCAST, NF_ALL,
            NT_ALL, NW_ALWAYS, true,
            "Allow sending to and receiving from broadcast addresses."),
  BOOL_ROW (":dontroute", "SO_DONTROUTE", NL_SOCKET, SO_DONTROUTE, NF_ALL,
            NT_ALL, NW_ALWAYS, true,
            "Send only to hosts on directly connected networks."),
  BOOL_ROW (":keepalive", "SO_KEEPALIVE", NL_SOCKET, SO_KEEPALIVE, NF_ALL,
            NT_ALL, NW_ALWAYS, true,
            "Send keep-alive probes on an idle stream connection."),
  { ":linger", "SO_LINGER", NL_SOCKET, SO_LINGER, 0, NV_LINGER, NF_ALL,
    NT_ALL, NW_ALWAYS, 0, INT_MAX, true, false,
    "Seconds close waits for queued data to be sent (nil: off, 0: reset).", false },
  BOOL_ROW (":oobinline", "SO_OOBINLINE", NL_SOCKET, SO_OOBINLINE, NF_ALL,
            NT_ALL, NW_ALWAYS, true,
            "Receive urgent (out-of-band) data in the normal data stream."),
#ifdef SO_PRIORITY
  INT_ROW (":priority", "SO_PRIORITY", NL_SOCKET, SO_PRIORITY, NF_ALL, NT_ALL,
           NW_ALWAYS, INT_MIN, INT_MAX, true, true,
           "Queueing priority of sent packets (above 6 needs CAP_NET_ADMIN)."),
#endif
  BOOL_ROW (":reuseaddr", "SO_REUSEADDR", NL_SOCKET, SO_REUSEADDR, NF_ALL,
            NT_ALL, NW_BEFORE_BIND, false,
            "Allow binding a local address still held in TIME_WAIT."),

  /* TCP.  */
#ifdef TCP_NODELAY
  BOOL_ROW (":nodelay", "TCP_NODELAY", NL_TCP, TCP_NODELAY, NF_IP, NT_STREAM,
            NW_ALWAYS, true, "Send small segments at once (no Nagle delay)."),
#endif
#ifdef TCP_KEEPIDLE
  INT_ROW (":keepidle", "TCP_KEEPIDLE", NL_TCP, TCP_KEEPIDLE, NF_IP,
           NT_STREAM, NW_ALWAYS, 1, 32767, true, false,
           "Idle seconds before the first keep-alive probe."),
#endif
#ifdef TCP_KEEPINTVL
  INT_ROW (":keepintvl", "TCP_KEEPINTVL", NL_TCP, TCP_KEEPINTVL, NF_IP,
           NT_STREAM, NW_ALWAYS, 1, 32767, true, false,
           "Seconds between keep-alive probes."),
#endif
#ifdef TCP_KEEPCNT
  INT_ROW (":keepcnt", "TCP_KEEPCNT", NL_TCP, TCP_KEEPCNT, NF_IP, NT_STREAM,
           NW_ALWAYS, 1, 127, true, false,
           "Unanswered keep-alive probes before the connection is dropped."),
#endif
#ifdef TCP_USER_TIMEOUT
  INT_ROW (":user-timeout", "TCP_USER_TIMEOUT", NL_TCP, TCP_USER_TIMEOUT,
           NF_IP, NT_STREAM, NW_ALWAYS, 0, INT_MAX, true, false,
           "Milliseconds sent data may stay unacknowledged (0: system default)."),
#endif

#ifdef TCP_MAXSEG
  INT_ROW (":maxseg", "TCP_MAXSEG", NL_TCP, TCP_MAXSEG, NF_IP, NT_STREAM,
           NW_ALWAYS, 0, 65535, false, false,
           "Largest segment to send (0: from the route)."),
#endif
#ifdef TCP_CORK
  BOOL_ROW (":cork", "TCP_CORK", NL_TCP, TCP_CORK, NF_IP, NT_STREAM,
            NW_ALWAYS, false, "Hold partial segments until uncorked (200 ms at most)."),
#endif
#ifdef TCP_QUICKACK
  BOOL_ROW (":quickack", "TCP_QUICKACK", NL_TCP, TCP_QUICKACK, NF_IP,
            NT_STREAM, NW_ALWAYS, false,
            "Acknowledge at once rather than delay (not permanent)."),
#endif
#ifdef TCP_NOTSENT_LOWAT
  INT_ROW (":notsent-lowat", "TCP_NOTSENT_LOWAT", NL_TCP, TCP_NOTSENT_LOWAT,
           NF_IP, NT_STREAM, NW_ALWAYS, 0, INT_MAX, true, false,
           "Unsent bytes above which the socket is not writable."),
#endif
#ifdef TCP_CONGESTION
  { ":congestion", "TCP_CONGESTION", NL_TCP, TCP_CONGESTION, 0, NV_STRING,
    NF_IP, NT_STREAM, NW_ALWAYS, 0, 15, true, true,
    "Congestion control algorithm by name (e.g. \"cubic\", \"reno\").", false },
#endif
#ifdef TCP_SYNCNT
  INT_ROW (":syncnt", "TCP_SYNCNT", NL_TCP, TCP_SYNCNT, NF_IP, NT_STREAM,
           NW_ALWAYS, 1, 127, true, false,
           "SYN retransmits before a connection attempt gives up."),
#endif
#ifdef TCP_DEFER_ACCEPT
  INT_ROW (":defer-accept", "TCP_DEFER_ACCEPT", NL_TCP, TCP_DEFER_ACCEPT,
           NF_IP, NT_STREAM, NW_ALWAYS, 0, INT_MAX, false, false,
           "Seconds a listener waits for data before waking accept."),
#endif
#ifdef TCP_INFO
  { ":info", "TCP_INFO", NL_TCP, TCP_INFO, 0, NV_TCPINFO, NF_IP, NT_STREAM,
    NW_NEVER, 0, 0, false, false,
    "Connection state and statistics: state, rtt, retransmits, windows.", false },
#endif

  /* Socket level.  */
  INT_ROW (":rcvbuf", "SO_RCVBUF", NL_SOCKET, SO_RCVBUF, NF_ALL, NT_ALL,
           NW_ALWAYS, 0, INT_MAX, false, false,
           "Receive buffer size in bytes (Linux doubles the value set)."),
  INT_ROW (":sndbuf", "SO_SNDBUF", NL_SOCKET, SO_SNDBUF, NF_ALL, NT_ALL,
           NW_ALWAYS, 0, INT_MAX, false, false,
           "Send buffer size in bytes (Linux doubles the value set)."),
#ifdef SO_RCVLOWAT
  INT_ROW (":rcvlowat", "SO_RCVLOWAT", NL_SOCKET, SO_RCVLOWAT, NF_ALL,
           NT_ALL, NW_ALWAYS, 1, INT_MAX, true, false,
           "Bytes that must be queued before a read wakes up."),
#endif
#ifdef SO_REUSEPORT
  BOOL_ROW (":reuseport", "SO_REUSEPORT", NL_SOCKET, SO_REUSEPORT, NF_IP,
            NT_ALL, NW_BEFORE_BIND, false,
            "Let several sockets bind the same address and port."),
#endif
#ifdef SO_MARK
  { ":mark", "SO_MARK", NL_SOCKET, SO_MARK, 0, NV_INT, NF_ALL, NT_ALL,
    NW_ALWAYS, 0, UINT32_MAX, true, true,
    "Firewall mark of sent packets (needs CAP_NET_ADMIN).", false },
#endif
#ifdef SO_BUSY_POLL
  { ":busy-poll", "SO_BUSY_POLL", NL_SOCKET, SO_BUSY_POLL, 0, NV_INT, NF_ALL,
    NT_ALL, NW_ALWAYS, 0, INT_MAX, true, true,
    "Microseconds to busy-poll the device on reads (raising needs CAP_NET_ADMIN).", false },
#endif
#ifdef SO_INCOMING_CPU
  INT_ROW (":incoming-cpu", "SO_INCOMING_CPU", NL_SOCKET, SO_INCOMING_CPU,
           NF_ALL, NT_ALL, NW_ALWAYS, -1, INT_MAX, false, false,
           "CPU that handles the socket's incoming packets (-1: any)."),
#endif
  { ":error", "SO_ERROR", NL_SOCKET, SO_ERROR, 0, NV_INT, NF_ALL, NT_ALL,
    NW_NEVER, 0, 0, false, false,
    "Pending socket error number, cleared by reading it (0: none).", true },
#ifdef SO_ACCEPTCONN
  { ":acceptconn", "SO_ACCEPTCONN", NL_SOCKET, SO_ACCEPTCONN, 0, NV_BOOL,
    NF_ALL, NT_ALL, NW_NEVER, 0, 1, false, false,
    "Whether the socket is listening for connections.", false },
#endif
#ifdef SO_PEERCRED
  { ":peercred", "SO_PEERCRED", NL_SOCKET, SO_PEERCRED, 0, NV_PEERCRED,
    NF_LOCAL, NT_ALL, NW_NEVER, 0, 0, false, false,
    "Process id, user id and group id of the peer of a local socket.", false },
#endif
#ifdef SO_PASSCRED
  BOOL_ROW (":passcred", "SO_PASSCRED", NL_SOCKET, SO_PASSCRED, NF_LOCAL,
            NT_ALL, NW_ALWAYS, true,
            "Receive the sender's credentials with local messages."),
#endif

  /* IP and IPv6.  */
  IP_ANY_INT_ROW (":tos", "IP_TOS", IP_TOS, IPV6_TCLASS, 0, 255,
                  "Type of service byte of sent packets (IPv6: traffic class)."),
  IP_ANY_INT_ROW (":tclass", "IPV6_TCLASS", IP_TOS, IPV6_TCLASS, 0, 255,
                  "Traffic class byte of sent packets (IPv4: type of service)."),
  IP_ANY_INT_ROW (":ttl", "IP_TTL", IP_TTL, IPV6_UNICAST_HOPS, 1, 255,
                  "Hop limit of sent unicast packets (IPv6: unicast hops)."),
  IP_ANY_INT_ROW (":unicast-hops", "IPV6_UNICAST_HOPS", IP_TTL,
                  IPV6_UNICAST_HOPS, 1, 255,
                  "Hop limit of sent unicast packets (IPv4: time to live)."),
#if defined IP_FREEBIND && defined IPV6_FREEBIND
  { ":freebind", "IP_FREEBIND", NL_IP_ANY, IP_FREEBIND, IPV6_FREEBIND,
    NV_BOOL, NF_IP, NT_ALL, NW_BEFORE_BIND, 0, 1, false, false,
    "Allow binding an address not (yet) configured on this host.", false },
#endif
#if defined IP_TRANSPARENT && defined IPV6_TRANSPARENT
  { ":transparent", "IP_TRANSPARENT", NL_IP_ANY, IP_TRANSPARENT,
    IPV6_TRANSPARENT, NV_BOOL, NF_IP, NT_ALL, NW_ALWAYS, 0, 1, true, true,
    "Transparent proxying: use foreign addresses (needs CAP_NET_ADMIN).", false },
#endif
#if defined IP_MTU_DISCOVER && defined IPV6_MTU_DISCOVER
  IP_ANY_INT_ROW (":mtu-discover", "IP_MTU_DISCOVER", IP_MTU_DISCOVER,
                  IPV6_MTU_DISCOVER, 0, 5,
                  "Path MTU discovery mode (0 don't, 1 want, 2 do, 3 probe...)."),
#endif
  { ":multicast-ttl", "IP_MULTICAST_TTL", NL_IP_ANY, IP_MULTICAST_TTL,
    IPV6_MULTICAST_HOPS, NV_INT, NF_IP, NT_DGRAM, NW_ALWAYS, 0, 255, true,
    false, "Hop limit of sent multicast packets (IPv6: multicast hops).", false },
  { ":multicast-hops", "IPV6_MULTICAST_HOPS", NL_IP_ANY, IP_MULTICAST_TTL,
    IPV6_MULTICAST_HOPS, NV_INT, NF_IP, NT_DGRAM, NW_ALWAYS, 0, 255, true,
    false, "Hop limit of sent multicast packets (IPv4: multicast TTL).", false },
  { ":multicast-loop", "IP_MULTICAST_LOOP", NL_IP_ANY, IP_MULTICAST_LOOP,
    IPV6_MULTICAST_LOOP, NV_BOOL, NF_IP, NT_DGRAM, NW_ALWAYS, 0, 1, true,
    false, "Deliver sent multicast packets to this host's own members too.", false },
  { ":multicast-if", "IP_MULTICAST_IF", NL_IP_ANY, IP_MULTICAST_IF,
    IPV6_MULTICAST_IF, NV_IFNAME, NF_IP, NT_DGRAM, NW_ALWAYS, 0, 0, true,
    false, "Interface that sends multicast packets, by name (nil: by route).", false },
#ifdef IPV6_V6ONLY
  BOOL_ROW (":v6only", "IPV6_V6ONLY", NL_IPV6, IPV6_V6ONLY, NF_INET6, NT_ALL,
            NW_BEFORE_BIND, false,
            "Restrict an IPv6 socket to IPv6 (no IPv4-mapped addresses)."),
#endif
};

const size_t nv_option_count = sizeof nv_options / sizeof nv_options[0];

unsigned
nv_family_bit (int family)
{
  switch (family)
    {
    case AF_INET:
      return NF_INET;
    case AF_INET6:
      return NF_INET6;
    case AF_UNIX:
      return NF_LOCAL;
    default:
      return 0;
    }
}

unsigned
nv_type_bit (int type)
{
  switch (type)
    {
    case SOCK_STREAM:
      return NT_STREAM;
    case SOCK_DGRAM:
      return NT_DGRAM;
    case SOCK_SEQPACKET:
      return NT_SEQPACKET;
    default:
      return 0;
    }
}

bool
nv_is_manual (const struct nv_option *opt)
{
  /* The manual's eight are the first rows, ending with :reuseaddr.  */
  static size_t end;
  if (end == 0)
    for (size_t i = 0; i < nv_option_count; i++)
      if (strcmp (nv_options[i].keyword, ":reuseaddr") == 0)
        {
          end = i + 1;
          break;
        }
  return (size_t) (opt - nv_options) < end;
}

bool
nv_applies (const struct nv_option *opt, int family, int type)
{
  return (opt->families & nv_family_bit (family))
         && (opt->types & nv_type_bit (type));
}

static int
level_number (enum nv_level level, int family)
{
  switch (level)
    {
    case NL_SOCKET:
      return SOL_SOCKET;
    case NL_IP:
      return IPPROTO_IP;
    case NL_IPV6:
      return IPPROTO_IPV6;
    case NL_IP_ANY:
      return family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
    case NL_TCP:
      return IPPROTO_TCP;
    case NL_UDP:
      return IPPROTO_UDP;
    }
  return SOL_SOCKET;
}

void
nv_resolve (const struct nv_option *opt, int family, int *level, int *optname)
{
  *level = level_number (opt->level, family);
  *optname = (opt->level == NL_IP_ANY && family == AF_INET6) ? opt->optname6
                                                             : opt->optname;
}
