/* transfer.c --- netopt-send, netopt-receive and netopt-receive-from:
   data through a SOCKET, Emacs running while they wait.  A stream's
   string goes out whole (or as much as the timeout lets through); a
   datagram or record is sent, and received, in one piece.  */

#include "address.h"
#include "sockets.h"
#include "wait.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

/* Largest :max a receive accepts.  */
#define NETOPT_MAX_RECEIVE (64 * 1024 * 1024)

/* The keywords of a transfer: :timeout and :oob, then :to (a send) or
   :max (a receive).  */
enum
{
  TK_TIMEOUT,
  TK_OOB,
  TK_MORE,
  TK_COUNT
};

/* The start of a send or receive: its SOCKET, ARGS[0], open; for a
   send (FIXED 2) its STRING, ARGS[1]; then keyword arguments, :timeout,
   :oob and MORE, whose values go to KV.  Returns the handle, or NULL
   with an exit pending.  */
static struct sock_handle *
transfer_args (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
               ptrdiff_t fixed, emacs_value more, emacs_value *kv)
{
  struct sock_handle *s = sock_from_lisp (env, args[0], false);
  if (!s)
    return NULL;
  if (fixed > 1 && !lisp_is_type (env, args[1], Q.string_type))
    {
      LISP_CHECK (env);
      lisp_wrong_type (env, Q.stringp, args[1]);
      return NULL;
    }
  if (!lisp_parse_keywords (env, nargs - fixed, args + fixed, TK_COUNT,
                            (emacs_value[]){ Q.k_timeout, Q.k_oob, more }, kv,
                            NULL, NULL))
    return NULL;
  return s;
}

/* What netopt-send was asked: :to, :oob (in FLAGS) and :timeout.  */
struct send_args
{
  struct sock_addr to;
  bool has_to;
  int flags;
  double timeout;
};

/* The arguments (SOCKET STRING &rest ARGS) of a send into A.  Returns
   the handle, or NULL with an exit pending.  */
static struct sock_handle *
send_args (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
           struct send_args *a)
{
  emacs_value kv[TK_COUNT];
  struct sock_handle *s = transfer_args (env, nargs, args, 2, Q.k_to, kv);
  if (!s || !lisp_seconds (env, Q.k_timeout, kv[TK_TIMEOUT], &a->timeout))
    return NULL;
  a->has_to = !lisp_nilp (env, kv[TK_MORE]);
  if (a->has_to && !sock_addr_from_lisp (env, Q.k_to, kv[TK_MORE], &a->to))
    return NULL;
  if (a->has_to && a->to.ss.ss_family != s->sock.family)
    {
      sock_addr_mismatch (env, Q.k_to, kv[TK_MORE]);
      return NULL;
    }
  a->flags = MSG_DONTWAIT; /* compat_sendto adds MSG_NOSIGNAL */
  if (env->is_not_nil (env, kv[TK_OOB]))
    a->flags |= MSG_OOB;
  return s;
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
  struct send_args a;
  struct sock_handle *s = send_args (env, nargs, args, &a);
  if (!s)
    return NULL;
  size_t len;
  char *buf = lisp_string_bytes (env, args[1], &len);
  if (!buf)
    return NULL;
  intmax_t sent = send_all (env, s, &a, buf, len);
  free (buf);
  return sent < 0 ? NULL : env->make_integer (env, sent);
}

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

/* The arguments (SOCKET &rest ARGS) of a receive into R.  Returns the
   handle, or NULL with an exit pending.  */
static struct sock_handle *
receive_args (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
              struct recv_args *r)
{
  emacs_value kv[TK_COUNT];
  struct sock_handle *s = transfer_args (env, nargs, args, 1, Q.k_max, kv);
  if (!s)
    return NULL;
  r->max = 65536;
  r->has_max = !lisp_nilp (env, kv[TK_MORE]);
  if (r->has_max
      && !lisp_int_arg (env, Q.k_max, kv[TK_MORE], 1, NETOPT_MAX_RECEIVE,
                        "expected a positive number of bytes (at most 64 MiB)",
                        &r->max))
    return NULL;
  if (!lisp_seconds (env, Q.k_timeout, kv[TK_TIMEOUT], &r->timeout))
    return NULL;
  r->oob = env->is_not_nil (env, kv[TK_OOB]);
  /* With :oobinline urgent data is in the stream: there is no separate
     urgent byte to wait for.  */
  int inl = 0;
  socklen_t ilen = sizeof inl;
  if (r->oob
      && getsockopt (s->sock.fd, SOL_SOCKET, SO_OOBINLINE, &inl, &ilen) == 0
      && inl)
    {
      sock_system_error (env, "Cannot receive urgent data (:oobinline is on)",
                         EINVAL, s);
      return NULL;
    }
  return s;
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
  struct recv_args r;
  struct sock_handle *s = receive_args (env, nargs, args, &r);
  if (!s)
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
          sock_system_error (env, "Cannot receive", errno, s);
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
