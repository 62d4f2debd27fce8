/* compat.h --- what the module needs that only some systems have.

   Every Linux-only interface the module uses goes through this file,
   chosen by feature tests (never by assuming Linux), with a portable
   fallback for the other Unix systems.  On Linux every compat_* call is
   the very call the module made before, with the same flags.

   Define NETOPT_COMPAT_FALLBACKS to take every fallback even where the
   native interface exists: make check-musl compiles the module so, and
   make check-fallbacks runs every suite against such a build.  */

#ifndef NETOPT_COMPAT_H
#define NETOPT_COMPAT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>

/* socket(2) and accept4(2) with SOCK_NONBLOCK | SOCK_CLOEXEC, where the
   flags exist (Linux, the BSDs); socket or accept and then fcntl(2)
   elsewhere (macOS, older systems).  */
#if defined SOCK_NONBLOCK && defined SOCK_CLOEXEC                             \
    && !defined NETOPT_COMPAT_FALLBACKS
#define NETOPT_HAVE_SOCK_FLAGS 1
#endif

/* A non-blocking, close-on-exec socket; -1 with errno on failure.  Where
   the system has SO_NOSIGPIPE (the BSDs, macOS) it is set as well, as a
   stand-in for MSG_NOSIGNAL.  */
int compat_socket (int family, int type);

/* The same, but blocking (only close-on-exec) and without
   SO_NOSIGPIPE: a socket whose options are read as they come.  */
int compat_socket_blocking (int family, int type);

/* Make NEWFD a duplicate of OLDFD, closing what NEWFD was, with
   close-on-exec as CLOEXEC says: dup3(2) where it exists (Linux, the
   BSDs), else dup2 and fcntl.  0, or -1 with errno.  */
int compat_dup_onto (int oldfd, int newfd, bool cloexec);

/* accept(2) of a connection on FD as a non-blocking, close-on-exec
   socket; -1 with errno.  */
int compat_accept (int fd, struct sockaddr *addr, socklen_t *len);

/* send(2) flags that keep a write to a closed peer from raising
   SIGPIPE, which would end Emacs (its handler for it is fatal).  Where
   MSG_NOSIGNAL is missing, compat_socket and compat_accept set
   SO_NOSIGPIPE when the system has it, and compat_sendto blocks SIGPIPE
   around the call (a process's socket has no SO_NOSIGPIPE).  */
#if defined MSG_NOSIGNAL && !defined NETOPT_COMPAT_FALLBACKS
#define NETOPT_HAVE_MSG_NOSIGNAL 1
#define COMPAT_MSG_NOSIGNAL MSG_NOSIGNAL
#else
#define COMPAT_MSG_NOSIGNAL 0
#endif

/* sendto (FD, BUF, LEN, FLAGS | COMPAT_MSG_NOSIGNAL, ADDR, ADDRLEN), or
   send when ADDR is NULL, such that SIGPIPE is never raised: where
   MSG_NOSIGNAL is missing, SIGPIPE is blocked in the calling thread for
   the call and a SIGPIPE it raised is taken before it is unblocked.  */
ssize_t compat_sendto (int fd, const void *buf, size_t len, int flags,
                       const struct sockaddr *addr, socklen_t addrlen);

/* The address family of the socket FD into *FAMILY: SO_DOMAIN where it
   exists, else the family of getsockname(2).  0, or -1 with errno.  */
int compat_socket_family (int fd, int *family);

/* setsockopt (FD, LEVEL, NAME, ...) of an IPv4 multicast request:
   IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP for GROUP, or IP_MULTICAST_IF
   (GROUP unused).  The interface is IFINDEX (0: none) or its IPv4
   address IFADDR.  Linux takes struct ip_mreqn, with the index; other
   systems take struct ip_mreq (or a struct in_addr for IP_MULTICAST_IF),
   with the interface's address, looked up from IFINDEX when IFADDR is
   INADDR_ANY.  0, or -1 with errno.  */
int compat_set_ipv4_mreq (int fd, int level, int name, struct in_addr group,
                          int ifindex, struct in_addr ifaddr);

/* recv (fd, buf, 0, MSG_PEEK | MSG_TRUNC) gives the length of the
   datagram queued first: Linux only (elsewhere MSG_TRUNC is only a flag
   of recvmsg's result, if it exists); other systems ask FIONREAD,
   declared by <sys/ioctl.h>, which compat.h includes for them.  */
#if defined __linux__ && defined MSG_TRUNC && !defined NETOPT_COMPAT_FALLBACKS
#define NETOPT_HAVE_MSG_TRUNC_LENGTH 1
#else
#include <sys/ioctl.h>
#endif

/* The credentials of a local socket's peer, read with SO_PEERCRED:
   struct ucred on Linux, struct sockpeercred on OpenBSD.  Where neither
   exists the :peercred option is absent (its uses test SO_PEERCRED);
   getpeereid(3) gives no pid, so it is not used as a stand-in.  */
#if defined SO_PEERCRED && defined __OpenBSD__
typedef struct sockpeercred compat_ucred;
#elif defined SO_PEERCRED
typedef struct ucred compat_ucred;
#endif

#endif
