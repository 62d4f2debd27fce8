/* pending.c --- a :nowait connection that netopt makes in the
   background (API section 5.1), and the process Emacs runs it in.

   The call returns at once a process of Emacs's own, still
   connecting: its placeholder socket connects to a loopback listener
   of netopt's whose accept queue is full, so it stays in SYN-SENT, and
   Emacs's loop waits for it as for any connection in progress.
   Meanwhile the Lisp layer resolves the name and tries each address
   with netopt's own sockets (sockets/async.c), every option set before
   bind and connect.  The socket that connected, or the last one that
   failed with its error still pending, then takes the placeholder's
   place with dup3: Emacs's loop sees the connection end and reports
   "open" or the failure with the kernel's code, as for its own.

   The wake channel is a loopback connection whose one end is an Emacs
   network process (its filter runs when a job has news) and whose
   other end the job threads write to; which accepted connection is
   Emacs's is told by its address, never by timing.  */

#include "process.h"

#include "../sockets/address.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The full listener and the connection that fills its queue.  */
static struct sock_handle *full_listener, *full_filler;
static int full_port;

/* The wake channel's listener, between netopt--wake-listen and
   netopt--wake-accept, and the channel's own end: netopt's handles, so
   that no search takes them for Emacs's.  */
static struct sock_handle *wake_listener, *wake_end;

static struct sock_handle *
own (int fd)
{
  return sock_new (fd, AF_INET, SOCK_STREAM, true, "netopt");
}

static void
drop (struct sock_handle **h)
{
  if (!*h)
    return;
  sock_close (*h);
  sock_clear (*h);
  free (*h);
  *h = NULL;
}

/* A loopback socket bound to port 0: its descriptor, *PORT its port.  */
static int
loopback_socket (int *port)
{
  int fd = compat_socket (AF_INET, SOCK_STREAM);
  struct sockaddr_in a
      = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof a;
  if (fd < 0)
    return -1;
  if (bind (fd, (struct sockaddr *)&a, len) != 0
      || getsockname (fd, (struct sockaddr *)&a, &len) != 0)
    {
      int err = errno;
      close (fd);
      errno = err;
      return -1;
    }
  *port = ntohs (a.sin_port);
  return fd;
}

/* The listener whose accept queue one connection of ours fills.  */
static bool
full_listener_open (void)
{
  int port;
  int l = loopback_socket (&port);
  if (l < 0)
    return false;
  int c = compat_socket_blocking (AF_INET, SOCK_STREAM);
  struct sockaddr_in a = { .sin_family = AF_INET,
                           .sin_port = htons ((uint16_t)port),
                           .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  if (c < 0 || listen (l, 0) != 0
      || connect (c, (struct sockaddr *)&a, sizeof a) != 0)
    {
      int err = errno;
      close (l);
      if (c >= 0)
        close (c);
      errno = err;
      return false;
    }
  full_listener = own (l);
  full_filler = full_listener ? own (c) : NULL;
  if (!full_filler)
    {
      if (full_listener)
        drop (&full_listener);
      else
        close (l);
      close (c);
      errno = ENOMEM;
      return false;
    }
  full_port = port;
  return true;
}

/* (netopt--pending-release): close what background connections need
   (the full listener, the wake channel's end), when none is left.  */
emacs_value
Fnetopt_pending_release (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                         void *data)
{
  (void)env;
  (void)nargs;
  (void)args;
  (void)data;
  drop (&full_filler);
  drop (&full_listener);
  sock_async_set_wake (-1);
  drop (&wake_end);
  drop (&wake_listener);
  return Q.nil;
}

/* (netopt--pending-remote): the address a placeholder connects to and
   never reaches.  */
emacs_value
Fnetopt_pending_remote (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                        void *data)
{
  (void)nargs;
  (void)args;
  (void)data;
  if (!full_listener && !full_listener_open ())
    return lisp_system_error (env, "Cannot make placeholder", errno, 0, NULL),
           NULL;
  struct sockaddr_in a = { .sin_family = AF_INET,
                           .sin_port = htons ((uint16_t)full_port),
                           .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  return sock_addr_to_lisp (env, (struct sockaddr *)&a, sizeof a);
}

/* (netopt--wake-listen): the port the wake channel's Emacs process
   connects to next.  */
emacs_value
Fnetopt_wake_listen (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                     void *data)
{
  (void)nargs;
  (void)args;
  (void)data;
  int port = 0;
  drop (&wake_listener);
  int fd = loopback_socket (&port);
  if (fd >= 0 && listen (fd, 16) == 0)
    wake_listener = own (fd);
  if (!wake_listener)
    {
      int err = fd < 0 ? errno : ENOMEM;
      if (fd >= 0)
        close (fd);
      return lisp_system_error (env, "Cannot make wake channel", err, 0, NULL),
             NULL;
    }
  return env->make_integer (env, port);
}

/* Accept from the wake listener until the connection whose peer is
   LOCAL comes; others (anybody may connect to a loopback port) are
   closed.  The descriptor, or -1 with errno.  */
static int
accept_from (const struct sock_addr *local)
{
  for (;;)
    {
      struct sockaddr_storage peer;
      socklen_t len = sizeof peer;
      int fd = compat_accept (wake_listener->sock.fd, (struct sockaddr *)&peer,
                              &len);
      if (fd < 0)
        return -1;
      if (len == local->len && memcmp (&peer, &local->ss, len) == 0)
        return fd;
      close (fd);
    }
}

/* (netopt--wake-accept PROCESS): PROCESS, an Emacs network process
   connected to the port netopt--wake-listen gave, is Emacs's end of
   the wake channel; netopt's end is taken and the listener closed.  */
emacs_value
Fnetopt_wake_accept (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                     void *data)
{
  (void)nargs;
  (void)data;
  emacs_value local = proc_contact (env, args[0], Q.k_local);
  LISP_CHECK (env);
  struct sock_addr want;
  if (!wake_listener || !sock_addr_from_lisp (env, Q.k_local, local, &want))
    {
      if (!LISP_PENDING (env))
        lisp_system_error (env, "Cannot make wake channel", EINVAL, 0, NULL);
      return NULL;
    }
  int fd = accept_from (&want);
  int err = errno;
  drop (&wake_listener);
  struct sock_handle *end = fd >= 0 ? own (fd) : NULL;
  if (!end)
    {
      if (fd >= 0)
        close (fd);
      return lisp_system_error (env, "Cannot make wake channel",
                                fd >= 0 ? ENOMEM : err, 0, NULL),
             NULL;
    }
  sock_async_set_wake (end->sock.fd);
  drop (&wake_end);
  wake_end = end;
  return Q.t;
}

/* The one socket descriptor of this Emacs that SNAPSHOT (a value of
   netopt--socket-fds) did not list and that PROCESS's contact
   describes, or -1 with an exit pending.  */
static int
placeholder_of (emacs_env *env, emacs_value process, emacs_value snapshot)
{
  struct proc_fds exclude;
  if (!proc_live_fds (env, &exclude))
    return -1;
  int fd = proc_fds_of_snapshot (env, snapshot, &exclude)
               ? proc_locate (env, process, &exclude)
               : -1;
  proc_fds_free (&exclude);
  return fd;
}

/* (netopt--pending-start PROCESS BEFORE): PROCESS, just made by Emacs
   connecting to netopt--pending-remote, is a connection netopt makes
   in the background.  Its placeholder is the new socket since BEFORE
   that PROCESS's contact describes; it is kept connecting for as long
   as any real attempt can take (127 SYN retries).  */
emacs_value
Fnetopt_pending_start (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                       void *data)
{
  (void)nargs;
  (void)data;
  int fd = placeholder_of (env, args[0], args[1]);
  if (fd < 0)
    return NULL;
  int retries = 127;
  struct stat st;
  if (setsockopt (fd, IPPROTO_TCP, TCP_SYNCNT, &retries, sizeof retries) != 0
      || fstat (fd, &st) != 0)
    return lisp_system_error (env, "Cannot make placeholder", errno, 1,
                              &args[0]),
           NULL;
  struct sock_handle *s
      = proc_new_handle (env, -1, AF_INET, SOCK_STREAM, "netopt");
  if (!s)
    return NULL;
  struct proc_facts *f = proc_facts (s);
  f->pending = true;
  f->placeholder_fd = fd;
  f->placeholder_ino = st.st_ino;
  return proc_register_handle (env, args[0], s) ? Q.t : NULL;
}

/* PROCESS's pending handle, or NULL with netopt-closed pending when it
   has none or its placeholder is gone (PROCESS deleted).  */
static struct sock_handle *
pending_of (emacs_env *env, emacs_value process)
{
  struct sock_handle *s = proc_registered (env, process);
  LISP_CHECK (env);
  const struct proc_facts *f = s ? proc_facts (s) : NULL;
  struct stat st;
  if (f && f->pending && fstat (f->placeholder_fd, &st) == 0
      && st.st_ino == f->placeholder_ino)
    return s;
  if (f && f->pending)
    proc_forget (env, process, s);
  if (!LISP_PENDING (env))
    proc_signal (env, Q.err_closed, "Process is not running", process);
  return NULL;
}

/* (netopt--pending-attempt PROCESS SOCKET &optional JOB): SOCKET, a
   netopt socket connecting (nil: none now), is PROCESS's for options
   and contact until the hand-over; JOB, watching it, is told when
   PROCESS's placeholder goes (PROCESS deleted).  */
emacs_value
Fnetopt_pending_attempt (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                         void *data)
{
  (void)data;
  struct sock_handle *s = pending_of (env, args[0]);
  if (!s)
    return NULL;
  s->sock.fd = -1;
  if (nargs > 2 && !lisp_nilp (env, args[2])
      && !sock_async_guard (env, args[2], proc_facts (s)->placeholder_fd,
                            proc_facts (s)->placeholder_ino))
    return NULL;
  if (lisp_nilp (env, args[1]))
    return Q.t;
  struct sock_handle *a = sock_from_lisp (env, args[1], false);
  struct stat st;
  if (!a)
    return NULL;
  if (fstat (a->sock.fd, &st) != 0)
    return sock_system_error (env, "Cannot use socket", errno, a), NULL;
  s->sock = a->sock;
  proc_facts (s)->ino = st.st_ino;
  return Q.t;
}

/* (netopt--pending-finish PROCESS SOCKET): SOCKET (connected, or
   failed with its error pending) takes the place of PROCESS's
   placeholder, and SOCKET is closed; PROCESS runs netopt's socket from
   now on.  SOCKET nil: the placeholder's own connection is ended with
   ECONNRESET, for Emacs to report.  */
emacs_value
Fnetopt_pending_finish (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                        void *data)
{
  (void)nargs;
  (void)data;
  struct sock_handle *s = pending_of (env, args[0]);
  if (!s)
    return NULL;
  struct proc_facts *f = proc_facts (s);
  int fd = f->placeholder_fd;
  if (lisp_nilp (env, args[1]))
    {
      struct sockaddr unspec = { .sa_family = AF_UNSPEC };
      proc_forget (env, args[0], s);
      if (connect (fd, &unspec, sizeof unspec) != 0)
        return lisp_system_error (env, "Cannot end placeholder", errno, 1,
                                  &args[0]),
               NULL;
      return LISP_PENDING (env) ? NULL : Q.t;
    }
  struct sock_handle *a = sock_from_lisp (env, args[1], false);
  if (!a)
    return NULL;
  int flags = fcntl (fd, F_GETFD);
  struct stat st;
  if (flags < 0 || compat_dup_onto (a->sock.fd, fd, flags & FD_CLOEXEC) < 0
      || fstat (fd, &st) != 0)
    return lisp_system_error (env, "Cannot adopt socket", errno, 1, &args[0]),
           NULL;
  s->sock = a->sock;
  s->sock.fd = fd;
  f->ino = st.st_ino;
  f->pending = false;
  f->adopted = true;
  int err = sock_close (a);
  if (err)
    return lisp_system_error (env, "Cannot adopt socket", err, 1, &args[0]),
           NULL;
  return Q.t;
}
