/* compat.c --- fallbacks for what only some systems have (compat.h).  */

#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#if !defined __linux__ || defined NETOPT_COMPAT_FALLBACKS
#include <ifaddrs.h>
#include <net/if.h>
#endif

#ifndef NETOPT_HAVE_SOCK_FLAGS
/* Make FD close-on-exec, and non-blocking when NONBLOCK; close it and
   return -1 with errno on failure.  */
static int
set_fd_flags (int fd, bool nonblock)
{
  int fl = fcntl (fd, F_GETFD);
  if (fl < 0 || fcntl (fd, F_SETFD, fl | FD_CLOEXEC) < 0)
    goto fail;
  if (nonblock)
    {
      fl = fcntl (fd, F_GETFL);
      if (fl < 0 || fcntl (fd, F_SETFL, fl | O_NONBLOCK) < 0)
        goto fail;
    }
  return fd;
fail:;
  int err = errno;
  close (fd);
  errno = err;
  return -1;
}
#endif

/* Where send(2) has no MSG_NOSIGNAL, ask the socket not to raise SIGPIPE
   when the system can.  Best effort: failures are ignored.  */
static int
no_sigpipe (int fd)
{
#if defined SO_NOSIGPIPE && !defined NETOPT_HAVE_MSG_NOSIGNAL
  if (fd >= 0)
    {
      int one = 1;
      (void)setsockopt (fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
    }
#endif
  return fd;
}

static int
make_socket (int family, int type, bool nonblock)
{
#ifdef NETOPT_HAVE_SOCK_FLAGS
  return socket (family, type | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0),
                 0);
#else
  int fd = socket (family, type, 0);
  if (fd < 0)
    return -1;
  return set_fd_flags (fd, nonblock);
#endif
}

int
compat_socket (int family, int type)
{
  return no_sigpipe (make_socket (family, type, true));
}

int
compat_socket_blocking (int family, int type)
{
  return make_socket (family, type, false);
}

int
compat_accept (int fd, struct sockaddr *addr, socklen_t *len)
{
#ifdef NETOPT_HAVE_SOCK_FLAGS
  return no_sigpipe (accept4 (fd, addr, len, SOCK_NONBLOCK | SOCK_CLOEXEC));
#else
  /* Between accept and fcntl another thread's exec could inherit the
     descriptor; the module runs on Emacs's main thread only.  */
  int c = accept (fd, addr, len);
  if (c < 0)
    return -1;
  return no_sigpipe (set_fd_flags (c, true));
#endif
}

ssize_t
compat_sendto (int fd, const void *buf, size_t len, int flags,
               const struct sockaddr *addr, socklen_t addrlen)
{
  flags |= COMPAT_MSG_NOSIGNAL;
#ifdef NETOPT_HAVE_MSG_NOSIGNAL
  return addr ? sendto (fd, buf, len, flags, addr, addrlen)
              : send (fd, buf, len, flags);
#else
  sigset_t sigpipe_set, old, pending;
  sigemptyset (&sigpipe_set);
  sigaddset (&sigpipe_set, SIGPIPE);
  /* A SIGPIPE already pending is not ours to take.  */
  bool was_pending
      = sigpending (&pending) == 0 && sigismember (&pending, SIGPIPE) == 1;
  if (pthread_sigmask (SIG_BLOCK, &sigpipe_set, &old) != 0)
    return -1;
  ssize_t n = addr ? sendto (fd, buf, len, flags, addr, addrlen)
                   : send (fd, buf, len, flags);
  int err = errno;
  if (n < 0 && err == EPIPE && !was_pending && sigpending (&pending) == 0
      && sigismember (&pending, SIGPIPE) == 1)
    {
      int sig;
      (void)sigwait (&sigpipe_set, &sig); /* pending: returns at once */
    }
  (void)pthread_sigmask (SIG_SETMASK, &old, NULL);
  errno = err;
  return n;
#endif
}

int
compat_socket_family (int fd, int *family)
{
#if defined SO_DOMAIN && !defined NETOPT_COMPAT_FALLBACKS
  socklen_t len = sizeof *family;
  return getsockopt (fd, SOL_SOCKET, SO_DOMAIN, family, &len);
#else
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  memset (&ss, 0, sizeof ss);
  if (getsockname (fd, (struct sockaddr *)&ss, &len) != 0)
    return -1;
  *family = ss.ss_family;
  return 0;
#endif
}

#if !defined __linux__ || defined NETOPT_COMPAT_FALLBACKS
/* The first IPv4 address of the interface IFINDEX, or INADDR_ANY.  */
static struct in_addr
interface_address (int ifindex)
{
  struct in_addr a = { .s_addr = htonl (INADDR_ANY) };
  char name[IF_NAMESIZE];
  struct ifaddrs *list = NULL;
  if (ifindex <= 0 || !if_indextoname ((unsigned)ifindex, name)
      || getifaddrs (&list) != 0)
    return a;
  for (struct ifaddrs *i = list; i; i = i->ifa_next)
    if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET
        && strcmp (i->ifa_name, name) == 0)
      {
        a = ((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr;
        break;
      }
  freeifaddrs (list);
  return a;
}
#endif

int
compat_set_ipv4_mreq (int fd, int level, int name, struct in_addr group,
                      int ifindex, struct in_addr ifaddr)
{
#if defined __linux__ && !defined NETOPT_COMPAT_FALLBACKS
  struct ip_mreqn m;
  memset (&m, 0, sizeof m);
  m.imr_multiaddr = group;
  m.imr_address = ifaddr;
  m.imr_ifindex = ifindex;
  return setsockopt (fd, level, name, &m, sizeof m);
#else
  if (ifaddr.s_addr == htonl (INADDR_ANY) && ifindex > 0)
    {
      ifaddr = interface_address (ifindex);
      if (ifaddr.s_addr == htonl (INADDR_ANY))
        {
          errno = EADDRNOTAVAIL; /* no IPv4 address to name it by */
          return -1;
        }
    }
  if (name == IP_MULTICAST_IF)
    return setsockopt (fd, level, name, &ifaddr, sizeof ifaddr);
  struct ip_mreq m;
  memset (&m, 0, sizeof m);
  m.imr_multiaddr = group;
  m.imr_interface = ifaddr;
  return setsockopt (fd, level, name, &m, sizeof m);
#endif
}

int
compat_dup_onto (int oldfd, int newfd, bool cloexec)
{
#if defined __linux__ && defined O_CLOEXEC && !defined NETOPT_COMPAT_FALLBACKS
  return dup3 (oldfd, newfd, cloexec ? O_CLOEXEC : 0) < 0 ? -1 : 0;
#else
  if (dup2 (oldfd, newfd) < 0)
    return -1;
  int flags = fcntl (newfd, F_GETFD);
  if (flags < 0)
    return -1;
  flags = cloexec ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC);
  return fcntl (newfd, F_SETFD, flags) < 0 ? -1 : 0;
#endif
}
