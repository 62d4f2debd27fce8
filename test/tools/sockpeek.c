/* sockpeek --- read a socket's options from outside the process.

   Usage: sockpeek PID FD     print the options of descriptor FD of PID
          sockpeek PID list   list PID's socket descriptors

   The descriptor is copied out of the running process with
   pidfd_getfd(2) and read with getsockopt(2), sharing no code with the
   module under test.  Output: one "name value" line per option.  */

#include <dirent.h>
#include <errno.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static int
grab (int pid, int fd)
{
  int pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  if (pidfd < 0)
    {
      perror ("pidfd_open");
      exit (2);
    }
  int copy = (int) syscall (SYS_pidfd_getfd, pidfd, fd, 0);
  if (copy < 0)
    {
      perror ("pidfd_getfd");
      exit (2);
    }
  close (pidfd);
  return copy;
}

static void
int_opt (int s, const char *name, int level, int opt)
{
  int v = 0;
  socklen_t len = sizeof v;
  if (getsockopt (s, level, opt, &v, &len) == 0)
    printf ("%s %d\n", name, v);
}

static void
print_addr (const char *label, struct sockaddr_storage *ss, socklen_t len)
{
  char buf[INET6_ADDRSTRLEN] = "";
  switch (ss->ss_family)
    {
    case AF_INET:
      {
        struct sockaddr_in *in = (struct sockaddr_in *) ss;
        inet_ntop (AF_INET, &in->sin_addr, buf, sizeof buf);
        printf ("%s %s:%d\n", label, buf, ntohs (in->sin_port));
        break;
      }
    case AF_INET6:
      {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) ss;
        inet_ntop (AF_INET6, &in6->sin6_addr, buf, sizeof buf);
        printf ("%s [%s]:%d\n", label, buf, ntohs (in6->sin6_port));
        break;
      }
    case AF_UNIX:
      {
        struct sockaddr_un *un = (struct sockaddr_un *) ss;
        if (len > offsetof (struct sockaddr_un, sun_path) && un->sun_path[0])
          printf ("%s %s\n", label, un->sun_path);
        else
          printf ("%s -\n", label);
        break;
      }
    default:
      printf ("%s -\n", label);
    }
}

static void
peek (int s)
{
  int domain = 0, type = 0;
  socklen_t len = sizeof domain;
  getsockopt (s, SOL_SOCKET, SO_DOMAIN, &domain, &len);
  len = sizeof type;
  getsockopt (s, SOL_SOCKET, SO_TYPE, &type, &len);
  printf ("domain %s\n", domain == AF_INET    ? "ipv4"
                         : domain == AF_INET6 ? "ipv6"
                         : domain == AF_UNIX  ? "local"
                                              : "other");
  printf ("type %s\n", type == SOCK_STREAM    ? "stream"
                       : type == SOCK_DGRAM   ? "datagram"
                       : type == SOCK_SEQPACKET ? "seqpacket"
                                                : "other");
  char dev[IFNAMSIZ + 1] = "";
  len = IFNAMSIZ;
  if (getsockopt (s, SOL_SOCKET, SO_BINDTODEVICE, dev, &len) == 0)
    printf ("bindtodevice %s\n", len > 0 && dev[0] ? dev : "-");
  int_opt (s, "broadcast", SOL_SOCKET, SO_BROADCAST);
  int_opt (s, "dontroute", SOL_SOCKET, SO_DONTROUTE);
  int_opt (s, "keepalive", SOL_SOCKET, SO_KEEPALIVE);
  struct linger lg = { 0, 0 };
  len = sizeof lg;
  if (getsockopt (s, SOL_SOCKET, SO_LINGER, &lg, &len) == 0)
    printf ("linger %d %d\n", lg.l_onoff, lg.l_linger);
  int_opt (s, "oobinline", SOL_SOCKET, SO_OOBINLINE);
  int_opt (s, "priority", SOL_SOCKET, SO_PRIORITY);
  int_opt (s, "reuseaddr", SOL_SOCKET, SO_REUSEADDR);
  int_opt (s, "reuseport", SOL_SOCKET, SO_REUSEPORT);
  int_opt (s, "rcvbuf", SOL_SOCKET, SO_RCVBUF);
  int_opt (s, "sndbuf", SOL_SOCKET, SO_SNDBUF);
  int_opt (s, "rcvlowat", SOL_SOCKET, SO_RCVLOWAT);
  int_opt (s, "mark", SOL_SOCKET, SO_MARK);
  int_opt (s, "passcred", SOL_SOCKET, SO_PASSCRED);
  int_opt (s, "acceptconn", SOL_SOCKET, SO_ACCEPTCONN);
  int_opt (s, "busy-poll", SOL_SOCKET, SO_BUSY_POLL);
  int_opt (s, "incoming-cpu", SOL_SOCKET, SO_INCOMING_CPU);
  if (type == SOCK_STREAM && (domain == AF_INET || domain == AF_INET6))
    {
      int_opt (s, "nodelay", IPPROTO_TCP, TCP_NODELAY);
      int_opt (s, "keepidle", IPPROTO_TCP, TCP_KEEPIDLE);
      int_opt (s, "keepintvl", IPPROTO_TCP, TCP_KEEPINTVL);
      int_opt (s, "keepcnt", IPPROTO_TCP, TCP_KEEPCNT);
      int_opt (s, "user-timeout", IPPROTO_TCP, TCP_USER_TIMEOUT);
      int_opt (s, "maxseg", IPPROTO_TCP, TCP_MAXSEG);
      int_opt (s, "cork", IPPROTO_TCP, TCP_CORK);
      int_opt (s, "syncnt", IPPROTO_TCP, TCP_SYNCNT);
      int_opt (s, "notsent-lowat", IPPROTO_TCP, TCP_NOTSENT_LOWAT);
      int_opt (s, "quickack", IPPROTO_TCP, TCP_QUICKACK);
      int_opt (s, "defer-accept", IPPROTO_TCP, TCP_DEFER_ACCEPT);
      char cc[32] = "";
      len = sizeof cc - 1;
      if (getsockopt (s, IPPROTO_TCP, TCP_CONGESTION, cc, &len) == 0)
        printf ("congestion %s\n", cc);
    }
  if (domain == AF_INET)
    {
      int_opt (s, "tos", IPPROTO_IP, IP_TOS);
      int_opt (s, "ttl", IPPROTO_IP, IP_TTL);
      int_opt (s, "multicast-ttl", IPPROTO_IP, IP_MULTICAST_TTL);
      int_opt (s, "multicast-loop", IPPROTO_IP, IP_MULTICAST_LOOP);
      int_opt (s, "freebind", IPPROTO_IP, IP_FREEBIND);
      int_opt (s, "transparent", IPPROTO_IP, IP_TRANSPARENT);
      int_opt (s, "mtu-discover", IPPROTO_IP, IP_MTU_DISCOVER);
    }
  if (domain == AF_INET6)
    {
      int_opt (s, "tclass", IPPROTO_IPV6, IPV6_TCLASS);
      int_opt (s, "unicast-hops", IPPROTO_IPV6, IPV6_UNICAST_HOPS);
      int_opt (s, "v6only", IPPROTO_IPV6, IPV6_V6ONLY);
      int_opt (s, "multicast-hops", IPPROTO_IPV6, IPV6_MULTICAST_HOPS);
      int_opt (s, "multicast-loop", IPPROTO_IPV6, IPV6_MULTICAST_LOOP);
    }
  struct sockaddr_storage ss;
  socklen_t sl = sizeof ss;
  memset (&ss, 0, sizeof ss);
  if (getsockname (s, (struct sockaddr *) &ss, &sl) == 0)
    print_addr ("local", &ss, sl);
  sl = sizeof ss;
  memset (&ss, 0, sizeof ss);
  if (getpeername (s, (struct sockaddr *) &ss, &sl) == 0)
    print_addr ("peer", &ss, sl);
  else
    printf ("peer -\n");
}

static void
list (int pid)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/fd", pid);
  DIR *d = opendir (path);
  if (!d)
    {
      perror (path);
      exit (2);
    }
  struct dirent *e;
  while ((e = readdir (d)))
    {
      if (e->d_name[0] == '.')
        continue;
      char link[512], target[128];
      snprintf (link, sizeof link, "%s/%s", path, e->d_name);
      ssize_t n = readlink (link, target, sizeof target - 1);
      if (n < 0)
        continue;
      target[n] = '\0';
      if (strncmp (target, "socket:", 7) == 0)
        printf ("%s\n", e->d_name);
    }
  closedir (d);
}

int
main (int argc, char **argv)
{
  if (argc != 3)
    {
      fprintf (stderr, "usage: sockpeek PID FD|list\n");
      return 2;
    }
  int pid = atoi (argv[1]);
  if (strcmp (argv[2], "list") == 0)
    {
      list (pid);
      return 0;
    }
  int s = grab (pid, atoi (argv[2]));
  peek (s);
  close (s);
  return 0;
}
