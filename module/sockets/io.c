/* io.c --- accept, send, receive, close, and what a socket is.  */

#include "address.h"
#include "sockets.h"
#include "wait.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

/* Linux's SIOCOUTQ (bytes not yet acknowledged) is TIOCOUTQ, which
   <sys/ioctl.h> has with every C library.  */
#if !defined SIOCOUTQ && defined __linux__ && defined TIOCOUTQ
#define SIOCOUTQ TIOCOUTQ
#endif

/* Largest :max a receive accepts.  */
#define NETOPT_MAX_RECEIVE (64 * 1024 * 1024)

static bool
socket_error (emacs_env *env, const char *what, int err,
              const struct sock_handle *s)
{
  emacs_value name = lisp_string (env, s->name);
  if (!name)
    return false;
  return lisp_system_error (env, what, err, 1, &name);
}

/* Report the end of a wait that did not find its descriptor ready:
   nil for a timeout, NULL with an exit pending otherwise.  */
static emacs_value
sock_wait_failed (emacs_env *env, enum sock_wait_result w, const char *what,
                  const struct sock_handle *s)
{
  switch (w)
    {
    case SOCK_WAIT_TIMEOUT:
      return Q.nil;
    case SOCK_WAIT_CLOSED:
      sock_signal_closed (env, s);
      return NULL;
    case SOCK_WAIT_ERROR:
      socket_error (env, what, errno, s);
      return NULL;
    default:
      return NULL; /* the quit or throw is pending */
    }
}

/* The next connection of SRV by DEADLINE, its peer in PEER (*PLEN
   bytes).  Returns the descriptor, -2 when DEADLINE passed first, or
   -1 with an exit pending.  */
static int
accept_wait (emacs_env *env, struct sock_handle *srv,
             const struct sock_deadline *deadline,
             struct sockaddr_storage *peer, socklen_t *plen)
{
  for (;;)
    {
      *plen = sizeof *peer;
      int fd = compat_accept (srv->sock.fd, (struct sockaddr *)peer, plen);
      if (fd >= 0)
        return fd;
      if (errno == EINTR || errno == ECONNABORTED)
        continue;
      /* EMFILE and the like leave the connection queued: a later
         accept still gets it.  */
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        {
          socket_error (env, "Cannot accept", errno, srv);
          return -1;
        }
      enum sock_wait_result w
          = sock_wait_fd (env, srv, srv->sock.fd, POLLIN, deadline);
      if (w != SOCK_WAIT_READY)
        return sock_wait_failed (env, w, "Cannot accept", srv) ? -2 : -1;
    }
}

/* A handle for FD, a connection SRV accepted from PEER, named after
   them; stored into *CHILD.  Returns its Lisp SOCKET, or NULL with an
   exit pending (FD is then closed).  */
static emacs_value
child_socket (emacs_env *env, struct sock_handle *srv, int fd,
              const struct sockaddr_storage *peer, struct sock_handle **child)
{
  char host[64] = "";
  char name[256];
  sock_addr_host_string ((const struct sockaddr *)peer, host, sizeof host);
  int port = sock_addr_port ((const struct sockaddr *)peer);
  if (port >= 0)
    snprintf (name, sizeof name, "%s <%s%s%s:%d>", srv->name,
              srv->sock.family == AF_INET6 ? "[" : "", host,
              srv->sock.family == AF_INET6 ? "]" : "", port);
  else
    snprintf (name, sizeof name, "%s <local>", srv->name);
  *child = sock_new (fd, srv->sock.family, srv->sock.type, true, name);
  if (!*child)
    {
      sock_release_fd (fd);
      lisp_out_of_memory (env);
      return NULL;
    }
  emacs_value result = sock_wrap (env, *child);
  if (result && port >= 0)
    {
      (*child)->host = strdup (host);
      (*child)->service_port = port;
    }
  return result;
}

/* CHILD back to the kernel's defaults, then SRV's :child-options.
   False with an exit pending (CHILD is then closed).  */
static bool
configure_child (emacs_env *env, struct sock_handle *srv,
                 struct sock_handle *child)
{
  if (opt_configure_child (env, &child->sock, srv->child_options,
                           srv->child_count))
    return true;
  sock_close (child);
  return false;
}

/* (netopt-accept SERVER &optional TIMEOUT) */
emacs_value
Fnetopt_accept (emacs_env *env, ptrdiff_t nargs, emacs_value *args, void *data)
{
  (void)data;
  struct sock_handle *srv = sock_from_lisp (env, args[0], false);
  if (!srv)
    return NULL;
  double timeout;
  if (!lisp_seconds (env, Q.k_timeout, nargs > 1 ? args[1] : Q.nil, &timeout))
    return NULL;
  if (!srv->listening)
    {
      emacs_value items[2];
      items[0] = lisp_string (env, "Not a listening socket");
      LISP_CHECK (env);
      items[1] = args[0];
      lisp_signal (env, Q.err_error, lisp_list (env, 2, items));
      return NULL;
    }
  struct sock_deadline deadline = sock_deadline_in (timeout);
  struct sockaddr_storage peer;
  socklen_t plen;
  int fd = accept_wait (env, srv, &deadline, &peer, &plen);
  if (fd < 0)
    return fd == -2 ? Q.nil : NULL;
  struct sock_handle *child = NULL;
  emacs_value result = child_socket (env, srv, fd, &peer, &child);
  if (!result || !configure_child (env, srv, child))
    return NULL;
  return result;
}

enum
{
  SK_TO,
  SK_OOB,
  SK_TIMEOUT,
  SK_COUNT
};

/* What netopt-send was asked: :to, :oob (in FLAGS) and :timeout.  */
struct send_args
{
  struct sock_addr to;
  bool has_to;
  int flags;
  double timeout;
};

/* Parse the keyword ARGS (NARGS of them) of a send on S into A.  False
   with an exit pending.  */
static bool
send_args (emacs_env *env, struct sock_handle *s, ptrdiff_t nargs,
           emacs_value *args, struct send_args *a)
{
  emacs_value kv[SK_COUNT];
  if (!lisp_parse_keywords (env, nargs, args, SK_COUNT,
                            (emacs_value[]){ Q.k_to, Q.k_oob, Q.k_timeout },
                            kv, NULL, NULL)
      || !lisp_seconds (env, Q.k_timeout, kv[SK_TIMEOUT], &a->timeout))
    return false;
  a->has_to = !lisp_nilp (env, kv[SK_TO]);
  if (a->has_to && !sock_addr_from_lisp (env, Q.k_to, kv[SK_TO], &a->to))
    return false;
  if (a->has_to && a->to.ss.ss_family != s->sock.family)
    return lisp_bad_value (env, Q.k_to, kv[SK_TO],
                           "address does not match the socket's family");
  a->flags = MSG_DONTWAIT; /* compat_sendto adds MSG_NOSIGNAL */
  if (env->is_not_nil (env, kv[SK_OOB]))
    a->flags |= MSG_OOB;
  return true;
}

/* Signal that a send on S failed with ERR after SENT bytes.  */
static void
signal_send_failed (emacs_env *env, struct sock_handle *s, int err,
                    size_t sent)
{
  emacs_value name = lisp_string (env, s->name);
  emacs_value count = name ? env->make_integer (env, (intmax_t)sent) : NULL;
  if (count && !LISP_PENDING (env))
    lisp_system_error (env, "Cannot send", err, 3,
                       (emacs_value[]){ name, Q.k_sent, count });
}

/* Send LEN bytes of BUF on S as A says: all of a stream's (waiting for
   room, Emacs running, until A's timeout), one datagram or record.
   Returns the bytes sent, or -1 with an exit pending.  */
static intmax_t
send_all (emacs_env *env, struct sock_handle *s, const struct send_args *a,
          const char *buf, size_t len)
{
  struct sock_deadline deadline = sock_deadline_in (a->timeout);
  size_t sent = 0;
  int fd = s->sock.fd;
  do
    {
      ssize_t n
          = compat_sendto (fd, buf + sent, len - sent, a->flags,
                           a->has_to ? (struct sockaddr *)&a->to.ss : NULL,
                           a->has_to ? a->to.len : 0);
      if (n >= 0)
        {
          sent += (size_t)n;
          if (s->sock.type != SOCK_STREAM)
            break; /* one datagram or record */
          continue;
        }
      if (errno == EINTR)
        continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        {
          signal_send_failed (env, s, errno, sent);
          return -1;
        }
      enum sock_wait_result w = sock_wait_fd (env, s, fd, POLLOUT, &deadline);
      if (w == SOCK_WAIT_TIMEOUT)
        break; /* report what went out */
      if (w != SOCK_WAIT_READY)
        {
          sock_wait_failed (env, w, "Cannot send", s);
          if (sent > 0)
            lisp_note_sent (env, sent);
          return -1;
        }
    }
  while (sent < len);
  return (intmax_t)sent;
}

/* (netopt-send SOCKET STRING &rest ARGS) */
emacs_value
Fnetopt_send (emacs_env *env, ptrdiff_t nargs, emacs_value *args, void *data)
{
  (void)data;
  struct sock_handle *s = sock_from_lisp (env, args[0], false);
  if (!s)
    return NULL;
  if (!lisp_is_type (env, args[1], Q.string_type))
    {
      LISP_CHECK (env);
      lisp_wrong_type (env, Q.stringp, args[1]);
      return NULL;
    }
  struct send_args a;
  if (!send_args (env, s, nargs - 2, args + 2, &a))
    return NULL;
  size_t len;
  char *buf = lisp_string_bytes (env, args[1], &len);
  if (!buf)
    return NULL;
  intmax_t sent = send_all (env, s, &a, buf, len);
  free (buf);
  return sent < 0 ? NULL : env->make_integer (env, sent);
}

enum
{
  RK_MAX,
  RK_TIMEOUT,
  RK_OOB,
  RK_COUNT
};

/* The size of the datagram or record queued first on FD, without
   taking it; -1 with errno (EAGAIN: none yet).  */
static ssize_t
datagram_size (int fd)
{
  for (;;)
    {
#ifdef NETOPT_HAVE_MSG_TRUNC_LENGTH
      /* Linux returns the real length with MSG_TRUNC.  */
      char byte;
      ssize_t n = recv (fd, &byte, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
#else
      int avail = 0;
      struct pollfd p = { .fd = fd, .events = POLLIN, .revents = 0 };
      ssize_t n = poll (&p, 1, 0);
      if (n == 0)
        {
          errno = EAGAIN;
          n = -1;
        }
      else if (n > 0)
        n = ioctl (fd, FIONREAD, &avail) == 0 ? avail : -1;
#endif
      if (n >= 0 || errno != EINTR)
        return n;
    }
}

/* What netopt-receive was asked: :max, :timeout and :oob.  */
struct recv_args
{
  intmax_t max;
  bool has_max, oob;
  double timeout;
};

/* Parse the keyword ARGS (NARGS of them) of a receive on S into R.
   False with an exit pending.  */
static bool
receive_args (emacs_env *env, struct sock_handle *s, ptrdiff_t nargs,
              emacs_value *args, struct recv_args *r)
{
  emacs_value kv[RK_COUNT];
  if (!lisp_parse_keywords (env, nargs, args, RK_COUNT,
                            (emacs_value[]){ Q.k_max, Q.k_timeout, Q.k_oob },
                            kv, NULL, NULL))
    return false;
  r->max = 65536;
  r->has_max = !lisp_nilp (env, kv[RK_MAX]);
  if (r->has_max
      && !lisp_int_in_range (env, kv[RK_MAX], 1, NETOPT_MAX_RECEIVE, &r->max))
    {
      LISP_CHECK_BOOL (env);
      return lisp_bad_value (
          env, Q.k_max, kv[RK_MAX],
          "expected a positive number of bytes (at most 64 MiB)");
    }
  if (!lisp_seconds (env, Q.k_timeout, kv[RK_TIMEOUT], &r->timeout))
    return false;
  r->oob = env->is_not_nil (env, kv[RK_OOB]);
  /* With :oobinline urgent data is in the stream: there is no separate
     urgent byte to wait for.  */
  int inl = 0;
  socklen_t ilen = sizeof inl;
  if (r->oob
      && getsockopt (s->sock.fd, SOL_SOCKET, SO_OOBINLINE, &inl, &ilen) == 0
      && inl)
    {
      socket_error (env, "Cannot receive urgent data (:oobinline is on)",
                    EINVAL, s);
      return false;
    }
  return true;
}

/* The next datagram or record of S is N bytes, over R's :max: signal
   EMSGSIZE (it stays queued).  */
static void
signal_too_large (emacs_env *env, struct sock_handle *s,
                  const struct recv_args *r, ssize_t n)
{
  emacs_value items[3];
  items[0] = lisp_string (env, s->name);
  if (!items[0])
    return;
  items[1] = env->make_integer (env, (intmax_t)n);
  items[2] = env->make_integer (env, r->max);
  if (!LISP_PENDING (env))
    lisp_system_error (env, "Cannot receive", EMSGSIZE, 3, items);
}

/* One try to read from S as R says, into *BUF (replaced).  Returns
   the bytes read, -1 with errno, or -2 with an exit pending.  Datagrams
   and records are never cut: their size is looked at first, and one
   larger than :max stays queued.  */
static ssize_t
receive_once (emacs_env *env, struct sock_handle *s, const struct recv_args *r,
              char **buf, struct sockaddr_storage *from, socklen_t *fromlen)
{
  size_t want = (size_t)r->max;
  if (!r->oob && s->sock.type != SOCK_STREAM)
    {
      ssize_t n = datagram_size (s->sock.fd);
      if (n < 0)
        return -1;
      if (r->has_max && n > r->max)
        {
          signal_too_large (env, s, r, n);
          return -2;
        }
      want = (size_t)n;
    }
  free (*buf);
  *buf = malloc (want ? want : 1);
  if (!*buf)
    {
      lisp_out_of_memory (env);
      return -2;
    }
  if (from)
    *fromlen = sizeof *from;
  return recvfrom (s->sock.fd, *buf, want,
                   MSG_DONTWAIT | (r->oob ? MSG_OOB : 0),
                   (struct sockaddr *)from, fromlen);
}

/* Receive into a fresh string; FROM/FROMLEN get the sender when
   non-NULL.  Returns the string, nil on timeout, NULL on error.  */
static emacs_value
receive (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
         struct sockaddr_storage *from, socklen_t *fromlen)
{
  struct sock_handle *s = sock_from_lisp (env, args[0], false);
  struct recv_args r;
  if (!s || !receive_args (env, s, nargs - 1, args + 1, &r))
    return NULL;
  struct sock_deadline deadline = sock_deadline_in (r.timeout);
  char *buf = NULL;
  emacs_value result = NULL;
  bool waited_ready = false;
  for (;;)
    {
      ssize_t n = receive_once (env, s, &r, &buf, from, fromlen);
      if (n >= 0)
        {
          result = lisp_unibyte (env, buf, (size_t)n);
          break;
        }
      if (n == -2)
        break;
      if (errno == EINTR)
        continue;
      /* Urgent data not there yet reads as EINVAL; wait for it once.  */
      if (errno != EAGAIN && errno != EWOULDBLOCK
          && !(r.oob && errno == EINVAL && !waited_ready))
        {
          socket_error (env, "Cannot receive", errno, s);
          break;
        }
      enum sock_wait_result w = sock_wait_fd (
          env, s, s->sock.fd, r.oob ? POLLPRI : POLLIN, &deadline);
      if (w != SOCK_WAIT_READY)
        {
          result = sock_wait_failed (env, w, "Cannot receive", s);
          break;
        }
      waited_ready = true;
    }
  free (buf);
  return result;
}

/* (netopt-receive SOCKET &rest ARGS) */
emacs_value
Fnetopt_receive (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                 void *data)
{
  (void)data;
  return receive (env, nargs, args, NULL, NULL);
}

/* (netopt-receive-from SOCKET &rest ARGS) */
emacs_value
Fnetopt_receive_from (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                      void *data)
{
  (void)data;
  struct sockaddr_storage from;
  socklen_t fromlen = sizeof from;
  memset (&from, 0, sizeof from);
  emacs_value str = receive (env, nargs, args, &from, &fromlen);
  if (!str || lisp_nilp (env, str))
    return str;
  emacs_value addr
      = fromlen > 0
            ? sock_addr_to_lisp (env, (struct sockaddr *)&from, fromlen)
            : Q.nil;
  LISP_CHECK (env);
  emacs_value cell
      = env->funcall (env, Q.cons, 2, (emacs_value[]){ str, addr });
  LISP_CHECK (env);
  return cell;
}

/* Before S is closed: when it lingers (SO_LINGER on, N > 0 seconds),
   send a FIN after the queued data and wait, Emacs running, until the
   peer has acknowledged all of it or N seconds pass; then turn the
   linger off so that close(2) returns at once (what is left finishes
   in the background, as after a linger timeout).  Returns false with
   a quit or a throw pending.  */
static bool
linger_wait (emacs_env *env, struct sock_handle *s)
{
  struct linger lg = { 0, 0 };
  socklen_t len = sizeof lg;
  int fd = s->sock.fd;
  if (s->sock.type != SOCK_STREAM
      || getsockopt (fd, SOL_SOCKET, SO_LINGER, &lg, &len) != 0 || !lg.l_onoff
      || lg.l_linger <= 0)
    return true;
  bool ok = true;
#ifdef SIOCOUTQ
  if (shutdown (fd, SHUT_WR) == 0)
    {
      struct sock_deadline d = sock_deadline_in (lg.l_linger);
      double slice = 0;
      for (;;)
        {
          int queued = 0;
          if (ioctl (fd, SIOCOUTQ, &queued) != 0 || queued <= 0)
            break;
          enum sock_wait_result w = sock_wait_slice (env, &d, &slice);
          if (s->sock.fd != fd)
            return w != SOCK_WAIT_EXIT;
          if (w == SOCK_WAIT_EXIT)
            {
              ok = false;
              break;
            }
          if (w == SOCK_WAIT_TIMEOUT)
            break;
        }
    }
#endif
  struct linger off = { 0, 0 };
  setsockopt (fd, SOL_SOCKET, SO_LINGER, &off, sizeof off);
  return ok;
}

/* (netopt-close SOCKET) */
emacs_value
Fnetopt_close (emacs_env *env, ptrdiff_t nargs, emacs_value *args, void *data)
{
  (void)data;
  (void)nargs;
  struct sock_handle *s = sock_from_lisp (env, args[0], true);
  if (!s)
    return NULL;
  if (!s->owned)
    {
      lisp_wrong_type (env, Q.socketp, args[0]);
      return NULL;
    }
  if (s->sock.fd < 0)
    return Q.nil; /* closing twice is harmless */
  /* With :linger N, close(2) would block Emacs for up to N seconds:
     the waiting is done here instead, Emacs running meanwhile.  */
  bool pending = !linger_wait (env, s);
  if (s->sock.fd < 0)
    return pending ? NULL : Q.nil; /* closed by a timer meanwhile */
  int err = sock_close (s);
  if (pending)
    return NULL; /* C-g: closed at once, the quit goes on */
  if (err != 0)
    {
      socket_error (env, "Cannot close", err, s);
      return NULL;
    }
  return Q.nil;
}

/* (netopt-socket-p OBJECT) */
emacs_value
Fnetopt_socket_p (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                  void *data)
{
  (void)data;
  (void)nargs;
  struct sock_handle *s = sock_handle_of (env, args[0]);
  LISP_CHECK (env);
  return s && s->owned ? Q.t : Q.nil;
}

/* (netopt-live-p SOCKET) */
emacs_value
Fnetopt_live_p (emacs_env *env, ptrdiff_t nargs, emacs_value *args, void *data)
{
  (void)data;
  (void)nargs;
  struct sock_handle *s = sock_from_lisp (env, args[0], true);
  if (!s)
    return NULL;
  return s->sock.fd >= 0 ? Q.t : Q.nil;
}

/* (netopt--socket-fd SOCKET): the descriptor number, for tests and the
   process layer.  */
emacs_value
Fnetopt_socket_fd (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                   void *data)
{
  (void)data;
  (void)nargs;
  struct sock_handle *s = sock_from_lisp (env, args[0], false);
  if (!s)
    return NULL;
  emacs_value v = env->make_integer (env, s->sock.fd);
  LISP_CHECK (env);
  return v;
}

static emacs_value
symbol_of (int code, const int *codes, const emacs_value *symbols, int n)
{
  for (int i = 0; i < n; i++)
    if (codes[i] == code)
      return symbols[i];
  return Q.nil;
}

/* (netopt--socket-contact SOCKET): the plist of netopt-contact without
   options: :name :type :family :host :service :server :local :remote.  */
emacs_value
Fnetopt_socket_contact (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                        void *data)
{
  (void)data;
  (void)nargs;
  struct sock_handle *s = sock_from_lisp (env, args[0], false);
  if (!s)
    return NULL;
  struct sockaddr_storage local, remote;
  socklen_t llen = sizeof local, rlen = sizeof remote;
  memset (&local, 0, sizeof local);
  memset (&remote, 0, sizeof remote);
  if (getsockname (s->sock.fd, (struct sockaddr *)&local, &llen) != 0)
    {
      socket_error (env, "Cannot get local address", errno, s);
      return NULL;
    }
  bool connected
      = getpeername (s->sock.fd, (struct sockaddr *)&remote, &rlen) == 0;
  if (!connected && errno != ENOTCONN)
    {
      socket_error (env, "Cannot get remote address", errno, s);
      return NULL;
    }
  emacs_value service = Q.nil;
  if (s->service_name)
    service = lisp_string (env, s->service_name);
  else if (s->service_port == -1 || (s->server && s->service_port == 0))
    /* :service t or 0: the port the kernel chose.  */
    service
        = env->make_integer (env, sock_addr_port ((struct sockaddr *)&local));
  else if (s->service_port >= 0)
    service = env->make_integer (env, s->service_port);
  LISP_CHECK (env);
  emacs_value server = Q.nil;
  if (s->server)
    server = s->server_t ? Q.t : env->make_integer (env, s->backlog);
  LISP_CHECK (env);
  struct lisp_plist p = { .n = 0 };
  lisp_plist_add (env, &p, Q.k_name, lisp_string (env, s->name));
  lisp_plist_add (
      env, &p, Q.k_type,
      symbol_of (s->sock.type,
                 (int[]){ SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET },
                 (emacs_value[]){ Q.stream, Q.datagram, Q.seqpacket }, 3));
  lisp_plist_add (env, &p, Q.k_family,
                  symbol_of (s->sock.family,
                             (int[]){ AF_INET, AF_INET6, AF_UNIX },
                             (emacs_value[]){ Q.ipv4, Q.ipv6, Q.local }, 3));
  lisp_plist_add (env, &p, Q.k_host,
                  s->host ? lisp_string (env, s->host) : Q.nil);
  lisp_plist_add (env, &p, Q.k_service, service);
  lisp_plist_add (env, &p, Q.k_server, server);
  lisp_plist_add (env, &p, Q.k_local,
                  sock_addr_to_lisp (env, (struct sockaddr *)&local, llen));
  if (!connected && s->target_len > 0)
    {
      remote = s->target;
      rlen = s->target_len;
      connected = true;
    }
  lisp_plist_add (
      env, &p, Q.k_remote,
      connected ? sock_addr_to_lisp (env, (struct sockaddr *)&remote, rlen)
                : Q.nil);
  return lisp_plist_make (env, &p);
}
