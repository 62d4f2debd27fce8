/* create.c --- the primitive behind netopt-make-socket.

   netopt-make-socket (lisp/netopt-module.el) parses its keywords,
   applies the defaults and calls

     (netopt--make-socket PLIST)

   PLIST holding :name :family :type :server :host :service :local
   :remote :timeout, :options (a plist of options), :child-options,
   :nowait and :errors.  :nowait t (for netopt-make-network-process)
   starts a stream connection and returns at once, its completion left
   to the caller; `unconnected' leaves a datagram client alone.
   :errors `emacs' makes a failed connection signal as Emacs's own
   call does.  Each keyword is taken once, here: a keyword the
   function does not know is a bad value.

   This primitive still checks every argument, so that no input can
   crash Emacs.  Everything that can be checked is checked before
   socket(2) is called, so a bad argument never leaves a descriptor
   behind.  Options go through the option engine right after socket(2),
   before bind(2) and connect(2), for every kind of socket.  One
   deadline, computed first, covers name resolution and every connection
   attempt.  */

#include "address.h"
#include "sockets.h"
#include "wait.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum
{
  A_NAME,
  A_FAMILY,
  A_TYPE,
  A_SERVER,
  A_HOST,
  A_SERVICE,
  A_LOCAL,
  A_REMOTE,
  A_TIMEOUT,
  A_OPTIONS,
  A_CHILD,
  A_NOWAIT,
  A_ERRORS,
  A_COUNT
};

/* Everything decided before the socket is made.  */
struct plan
{
  /* The handle to be: name, family and type, its origin (server, host,
     service) and child options; its descriptor -1 until the socket is
     made.  */
  struct sock_handle h;
  emacs_value lisp_name;
  bool has_local, has_remote;
  struct sock_addr local, remote;
  struct sock_addr candidates[8]; /* every address of a client's HOST */
  size_t ncandidates;
  struct sock_deadline deadline;
  struct opt_setting *options;
  size_t option_count;
  bool emacs_errors; /* a failed connect signals as Emacs's own */
};

static void
plan_free (struct plan *p)
{
  sock_clear (&p->h);
  free (p->options);
}

/* A string argument without NUL bytes into *OUT (NULL for nil when
   OPTIONAL).  */
static bool
string_arg (emacs_env *env, emacs_value key, emacs_value v, bool optional,
            char **out)
{
  *out = NULL;
  if (optional && lisp_nilp (env, v))
    return true;
  if (!lisp_is_type (env, v, Q.string_type))
    {
      LISP_CHECK_BOOL (env);
      return lisp_bad_value (env, key, v, "expected a string");
    }
  size_t len;
  *out = lisp_copy_string (env, v, &len);
  if (!*out)
    return false;
  if (len == 0 || memchr (*out, '\0', len))
    return lisp_bad_value (env, key, v, "empty or contains a NUL byte");
  return true;
}

/* Check the arguments one by one into P.  */
static bool
parse_args (emacs_env *env, emacs_value *a, struct plan *p)
{
  if (!string_arg (env, Q.k_name, a[A_NAME], false, &p->h.name))
    return false;
  p->lisp_name = a[A_NAME];
  if (!sock_kind_from_lisp (env, SOCK_KIND_TYPE, Q.k_type, a[A_TYPE],
                            SOCK_STREAM, &p->h.sock.type)
      || !sock_kind_from_lisp (env, SOCK_KIND_FAMILY, Q.k_family, a[A_FAMILY],
                               AF_UNSPEC, &p->h.sock.family))
    return false;

  struct sock_origin *o = &p->h.origin;
  intmax_t n;
  if (lisp_nilp (env, a[A_SERVER]))
    o->server = false;
  else if (lisp_eq (env, a[A_SERVER], Q.t))
    o->server = o->server_t = true, o->backlog = 5; /* as in Emacs */
  else if (lisp_int_in_range (env, a[A_SERVER], 0, INT_MAX, &n))
    o->server = true, o->backlog = (int)n;
  else
    {
      LISP_CHECK_BOOL (env);
      return lisp_bad_value (env, Q.k_server, a[A_SERVER],
                             "expected nil, t or a backlog");
    }

  if (!string_arg (env, Q.k_host, a[A_HOST], true, &o->host))
    return false;

  emacs_value service = a[A_SERVICE];
  if (lisp_nilp (env, service))
    o->service = SOCK_SERVICE_NONE;
  else if (lisp_eq (env, service, Q.t))
    o->service = SOCK_SERVICE_ANY;
  else if (lisp_int_in_range (env, service, 0, 65535, &n))
    o->service = SOCK_SERVICE_PORT, o->port = (int)n;
  else if (lisp_is_type (env, service, Q.string_type))
    {
      if (!string_arg (env, Q.k_service, service, false, &o->service_name))
        return false;
      o->service = SOCK_SERVICE_NAME;
    }
  else
    {
      LISP_CHECK_BOOL (env);
      return lisp_bad_value (env, Q.k_service, service,
                             "expected a port 0-65535, a service name or t");
    }

  if (!lisp_nilp (env, a[A_LOCAL]))
    {
      if (!sock_addr_from_lisp (env, Q.k_local, a[A_LOCAL], &p->local))
        return false;
      p->has_local = true;
    }
  if (!lisp_nilp (env, a[A_REMOTE]))
    {
      if (!sock_addr_from_lisp (env, Q.k_remote, a[A_REMOTE], &p->remote))
        return false;
      p->has_remote = true;
    }

  double seconds;
  if (!lisp_seconds (env, Q.k_timeout, a[A_TIMEOUT], &seconds))
    return false;
  p->deadline = sock_deadline_in (seconds);
  return true;
}

/* Decide the family and the addresses: from LOCAL/REMOTE, from a local
   socket's file name, or by resolving HOST and SERVICE (once, within
   the deadline).  */
static bool
plan_addresses (emacs_env *env, emacs_value *a, struct plan *p)
{
  const struct sock_origin *o = &p->h.origin;
  if (p->has_remote || p->has_local)
    {
      int f = p->has_remote ? p->remote.ss.ss_family : p->local.ss.ss_family;
      if (p->has_remote && p->has_local
          && p->remote.ss.ss_family != p->local.ss.ss_family)
        return sock_addr_mismatch (env, Q.k_local, a[A_LOCAL]);
      if (p->h.sock.family != AF_UNSPEC && p->h.sock.family != f)
        return sock_addr_mismatch (env, p->has_remote ? Q.k_remote : Q.k_local,
                                   p->has_remote ? a[A_REMOTE] : a[A_LOCAL]);
      p->h.sock.family = f;
    }

  if (p->h.sock.family == AF_UNIX)
    {
      if (o->host)
        return lisp_bad_value (env, Q.k_host, a[A_HOST],
                               "a local socket has no host");
      if (o->service == SOCK_SERVICE_ANY || o->service == SOCK_SERVICE_PORT)
        return lisp_bad_value (env, Q.k_service, a[A_SERVICE],
                               "a local socket's service is its file name");
      bool *has = o->server ? &p->has_local : &p->has_remote;
      if (o->service == SOCK_SERVICE_NAME && !*has)
        {
          if (!sock_addr_local (env, Q.k_service, a[A_SERVICE],
                                o->service_name, strlen (o->service_name),
                                o->server ? &p->local : &p->remote))
            return false;
          *has = true;
        }
    }
  else if (o->server && !p->has_local)
    {
      /* A server binds HOST (default: the wildcard) and SERVICE.  */
      if (o->service == SOCK_SERVICE_NONE)
        return lisp_bad_value (env, Q.k_service, Q.nil,
                               "a server needs :service (t: any free port)");
      size_t n;
      if (!sock_addr_resolve (
              env, o->host, o->service_name,
              o->service == SOCK_SERVICE_PORT ? o->port : 0,
              p->h.sock.family == AF_UNSPEC && !o->host ? AF_INET
                                                        : p->h.sock.family,
              p->h.sock.type, true, &p->deadline, &p->local, 1, &n))
        return false;
      p->has_local = true;
    }
  else if (!o->server && !p->has_remote && o->host)
    {
      if (o->service != SOCK_SERVICE_PORT && o->service != SOCK_SERVICE_NAME)
        return lisp_bad_value (env, Q.k_service, a[A_SERVICE],
                               "a client needs a port or service name");
      if (!sock_addr_resolve (
              env, o->host, o->service_name,
              o->service == SOCK_SERVICE_PORT ? o->port : 0, p->h.sock.family,
              p->h.sock.type, false, &p->deadline, p->candidates,
              sizeof p->candidates / sizeof p->candidates[0], &p->ncandidates))
        return false;
      p->remote = p->candidates[0];
      p->has_remote = true;
    }

  if (p->h.sock.family == AF_UNSPEC)
    p->h.sock.family = p->has_local    ? p->local.ss.ss_family
                       : p->has_remote ? p->remote.ss.ss_family
                                       : AF_INET;
  if ((p->has_local && p->local.ss.ss_family != p->h.sock.family)
      || (p->has_remote && p->remote.ss.ss_family != p->h.sock.family))
    return sock_addr_mismatch (env, Q.k_host, a[A_HOST]);
  if (p->has_local)
    sock_addr_local_absolute (&p->local);
  return true;
}

/* Prepare OPTIONS for P's family (again, when it changes).  */
static bool
plan_options (emacs_env *env, emacs_value options, struct plan *p)
{
  free (p->options);
  p->options = NULL;
  return opt_prepare_plist (env, Q.k_options, options, p->h.sock.family,
                            p->h.sock.type, OPT_AT_CREATE, &p->options,
                            &p->option_count);
}

/* How long a :nowait connection that has another address to try is
   watched before it is left to Emacs: a refusal on this host (::1
   refused, 127.0.0.1 next) takes microseconds, and then the next
   address is tried, as Emacs tries it.  */
#define NOWAIT_GRACE 0.1

/* How the connection of FD in progress ends by deadline D: the
   socket's error (0: connected), errno when the wait failed, -1 with an
   exit pending, or LATE when D passed first.  */
static int
connect_outcome (emacs_env *env, int fd, const struct sock_deadline *d,
                 int late)
{
  enum sock_wait_result w = sock_wait_fd (env, NULL, fd, POLLOUT, d);
  if (w == SOCK_WAIT_TIMEOUT)
    return late;
  if (w == SOCK_WAIT_ERROR)
    return errno;
  if (w != SOCK_WAIT_READY)
    return -1;
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt (fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
    return errno;
  return err;
}

/* A :nowait connect of FD in progress: its outcome within the grace
   period when MORE addresses remain (0 while still in progress), else
   0 at once.  */
static int
nowait_result (emacs_env *env, int fd, bool more)
{
  if (!more)
    return 0;
  struct sock_deadline grace = sock_deadline_in (NOWAIT_GRACE);
  return connect_outcome (env, fd, &grace, 0);
}

/* Connect FD to A by DEADLINE, letting Emacs run while it waits.
   NOWAIT only starts the connection (MORE: another address remains,
   see nowait_result).  Returns 0, an errno value, or -1 when a
   non-local exit (C-g, a throw) is pending.  */
static int
connect_wait (emacs_env *env, int fd, const struct sock_addr *a,
              const struct sock_deadline *deadline, bool nowait, bool more)
{
  double slice = 0;
  for (;;)
    {
      if (connect (fd, (const struct sockaddr *)&a->ss, a->len) == 0
          || errno == EISCONN)
        return 0;
      if (errno == EINPROGRESS || errno == EINTR || errno == EALREADY)
        {
          if (nowait) /* in progress: Emacs will see how it ends */
            return nowait_result (env, fd, more);
          break;
        }
      if (errno != EAGAIN)
        return errno;
      /* A local server's backlog is full, or no ephemeral port is free:
         nothing to poll (the socket is not connecting), so let Emacs
         run for a slice and try again, until the deadline.  */
      enum sock_wait_result w = sock_wait_slice (env, deadline, &slice);
      if (w == SOCK_WAIT_TIMEOUT)
        return ETIMEDOUT;
      if (w != SOCK_WAIT_READY)
        return -1;
    }
  return connect_outcome (env, fd, deadline, ETIMEDOUT);
}

/* A socket of P's kind with P's options, bound and listening as P
   says.  Returns the descriptor, or -1 with an error pending.  */
static int
open_socket (emacs_env *env, struct plan *p, bool *listening)
{
  int fd = compat_socket (p->h.sock.family, p->h.sock.type);
  if (fd < 0)
    {
      lisp_system_error (env, "Cannot create socket", errno, 1, &p->lisp_name);
      return -1;
    }
  struct opt_socket sock = p->h.sock;
  sock.fd = fd;
  for (size_t i = 0; i < p->option_count; i++)
    if (OPT_OK != opt_apply (env, &sock, &p->options[i], NULL))
      goto fail;
  if (p->has_local
      && bind (fd, (struct sockaddr *)&p->local.ss, p->local.len) != 0)
    {
      int err = errno;
      emacs_value where = sock_addr_to_lisp (
          env, (struct sockaddr *)&p->local.ss, p->local.len);
      if (where)
        lisp_system_error (env, "Cannot bind", err, 2,
                           (emacs_value[]){ p->lisp_name, where });
      goto fail;
    }
  if (p->h.origin.server && p->h.sock.type != SOCK_DGRAM)
    {
      if (listen (fd, p->h.origin.backlog) != 0)
        {
          lisp_system_error (env, "Cannot listen", errno, 1, &p->lisp_name);
          goto fail;
        }
      *listening = true;
    }
  return fd;
fail:
  sock_release_fd (fd);
  return -1;
}

/* Is ERR a reason to try a client's next address, as Emacs does?  */
static bool
try_next (int err)
{
  return err == ECONNREFUSED || err == ENETUNREACH || err == EHOSTUNREACH
         || err == ETIMEDOUT || err == EADDRNOTAVAIL || err == EAFNOSUPPORT;
}

/* Signal that P's connection to FAILED failed with ERR: netopt's
   netopt-system-error, or Emacs's own error when P asks for it
   (file-missing, permission-denied or file-error, with
   make-network-process's message; the caller adds its arguments).  */
static void
connect_error (emacs_env *env, const struct plan *p, int err,
               const struct sock_addr *failed)
{
  if (p->emacs_errors)
    {
      emacs_value items[2] = { lisp_string (env, "make client process failed"),
                               lisp_string (env, strerror (err)) };
      if (items[0] && items[1])
        lisp_signal (env,
                     err == ENOENT   ? Q.file_missing
                     : err == EACCES ? Q.permission_denied
                                     : Q.file_error,
                     lisp_list (env, 2, items));
      return;
    }
  emacs_value where
      = sock_addr_to_lisp (env, (struct sockaddr *)&failed->ss, failed->len);
  if (where)
    lisp_system_error (env, "Cannot connect", err, 2,
                       (emacs_value[]){ p->lisp_name, where });
}

/* The socket P plans: made, bound, listening or connected (NOWAIT
   only starts a connection; UNCONNECTED leaves a client alone).  A
   client whose HOST has several addresses tries each in turn, as Emacs
   does, until one connects or the deadline passes.  Returns the
   descriptor, or -1 with an exit pending.  */
static int
open_planned (emacs_env *env, struct plan *p, emacs_value options, bool nowait,
              bool unconnected, bool *listening)
{
  for (size_t attempt = 0;; attempt++)
    {
      int fd = open_socket (env, p, listening);
      if (fd < 0 || p->h.origin.server || !p->has_remote || unconnected)
        return fd;
      bool more = attempt + 1 < p->ncandidates;
      int err = connect_wait (env, fd, &p->remote, &p->deadline, nowait, more);
      if (err == 0)
        return fd;
      sock_release_fd (fd);
      if (err < 0)
        return -1; /* C-g or a throw */
      struct sock_addr failed = p->remote;
      bool next = more && try_next (err);
      if (next)
        {
          p->remote = p->candidates[attempt + 1];
          if (p->remote.ss.ss_family != p->h.sock.family)
            {
              /* Options apply per family: prepare them again; one that
                 does not apply to the other family ends the search.  */
              p->h.sock.family = p->remote.ss.ss_family;
              if (!plan_options (env, options, p))
                {
                  env->non_local_exit_clear (env);
                  next = false;
                }
            }
        }
      if (next)
        continue;
      connect_error (env, p, err, &failed);
      return -1;
    }
}

/* A handle for FD, made as P planned: P's handle to be, with its
   strings and child options, moves to it.  The unconnected datagram
   client's remote is its target.  NULL with an exit pending (FD is then
   left to the caller).  */
static struct sock_handle *
handle_for (emacs_env *env, struct plan *p, int fd, bool listening,
            bool unconnected)
{
  p->h.sock.fd = fd;
  p->h.listening = listening;
  if (unconnected && p->has_remote)
    {
      p->h.origin.target = p->remote.ss;
      p->h.origin.target_len = p->remote.len;
    }
  struct sock_handle *s = sock_take (&p->h, true);
  if (!s)
    {
      p->h.sock.fd = -1;
      lisp_out_of_memory (env);
    }
  return s;
}

/* PLIST's values into ARGS, by keyword; absent ones nil.  */
static bool
args_of_plist (emacs_env *env, emacs_value plist, emacs_value *args)
{
  const emacs_value keys[A_COUNT]
      = { Q.k_name,          Q.k_family, Q.k_type,   Q.k_server,  Q.k_host,
          Q.k_service,       Q.k_local,  Q.k_remote, Q.k_timeout, Q.k_options,
          Q.k_child_options, Q.k_nowait, Q.k_errors };
  bool seen[A_COUNT] = { false };
  for (int i = 0; i < A_COUNT; i++)
    args[i] = Q.nil;
  emacs_value tail = plist;
  for (int n = 0; !lisp_nilp (env, tail); n++)
    {
      emacs_value key = env->funcall (env, Q.car_safe, 1, &tail);
      emacs_value rest = LISP_PENDING (env)
                             ? NULL
                             : env->funcall (env, Q.cdr_safe, 1, &tail);
      LISP_CHECK_BOOL (env);
      int i = 0;
      while (i < A_COUNT && !env->eq (env, key, keys[i]))
        i++;
      if (i == A_COUNT || n > 2 * A_COUNT
          || !lisp_is_type (env, rest, Q.cons_type))
        return LISP_PENDING (env)
                   ? false
                   : lisp_bad_value (env, Q.plistp, plist,
                                     "expected a plist of creation keywords");
      /* The first of a keyword given twice counts, as for plist-get.  */
      if (!seen[i])
        args[i] = env->funcall (env, Q.car_safe, 1, &rest);
      seen[i] = true;
      tail = LISP_PENDING (env) ? NULL
                                : env->funcall (env, Q.cdr_safe, 1, &rest);
      LISP_CHECK_BOOL (env);
    }
  return true;
}

/* (netopt--make-socket PLIST) */
emacs_value
Fnetopt_make_socket_internal (emacs_env *env, ptrdiff_t nargs,
                              emacs_value *argv, void *data)
{
  (void)data;
  (void)nargs;
  emacs_value args[A_COUNT];
  if (!args_of_plist (env, argv[0], args))
    return NULL;
  struct plan p;
  memset (&p, 0, sizeof p);
  p.h.sock.fd = -1;
  emacs_value result = NULL;
  bool listening = false;

  if (!parse_args (env, args, &p) || !plan_addresses (env, args, &p)
      || !plan_options (env, args[A_OPTIONS], &p)
      || !opt_prepare_plist (env, Q.k_child_options, args[A_CHILD],
                             p.h.sock.family, p.h.sock.type, OPT_FOR_CHILD,
                             &p.h.child_options, &p.h.child_count))
    goto out;
  p.emacs_errors = env->eq (env, args[A_ERRORS], Q.emacs);
  /* NOWAIT `unconnected': a datagram client that is neither connected
     nor bound, as Emacs makes one; its remote is kept as its target.  */
  bool unconnected = !p.h.origin.server && p.h.sock.type == SOCK_DGRAM
                     && env->eq (env, args[A_NOWAIT], Q.unconnected);
  int fd = open_planned (env, &p, args[A_OPTIONS],
                         !lisp_nilp (env, args[A_NOWAIT]), unconnected,
                         &listening);
  if (fd < 0)
    goto out;
  struct sock_handle *s = handle_for (env, &p, fd, listening, unconnected);
  if (!s)
    sock_release_fd (fd);
  else
    result = sock_wrap (env, s); /* S owns FD now */
out:
  plan_free (&p);
  return result;
}
