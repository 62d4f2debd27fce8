/* adopt.c --- a socket netopt made, run by Emacs (API section 5.1).
   The Lisp side (lisp/netopt-adopt.el) makes the socket, then a
   placeholder process of the same family, type and role; one call here
   finds the placeholder's descriptor (predicted, then shown by its
   addresses; or the one new socket of that kind since a snapshot),
   puts netopt's socket in its place with dup3, and registers it as the
   process's.  A connection Emacs then accepts for
   an adopted server is configured as netopt-accept configures its own
   children (netopt--configure-child).  */

#include "process.h"

#include "../options/defaults.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

/* Put S's socket in the place of descriptor FD, keeping FD's number
   and close-on-exec; S's own descriptor is closed.  */
static bool
replace (emacs_env *env, struct sock_handle *s, int fd, emacs_value process)
{
  int flags = fcntl (fd, F_GETFD);
  if (flags < 0
      || compat_dup_onto (s->sock.fd, fd, (flags & FD_CLOEXEC) != 0) < 0)
    return lisp_system_error (env, "Cannot adopt socket", errno, 1, &process);
  int err = sock_close (s);
  if (err != 0)
    return lisp_system_error (env, "Cannot adopt socket", err, 1, &process);
  return true;
}

/* Can S's placeholder be told by its addresses alone: a listening
   socket (its bound address) or an IP stream client (its connection's
   two addresses)?  */
static bool
predictable (const struct sock_handle *s)
{
  return s->listening
         || (s->sock.type == SOCK_STREAM
             && (s->sock.family == AF_INET || s->sock.family == AF_INET6));
}

/* (netopt--adopt-before SOCKET): what netopt--adopt needs to find
   SOCKET's placeholder, taken just before Emacs makes it.  When
   predictable, the lowest free descriptor: socket(2) gives it to the
   placeholder unless another thread takes it first, and netopt--adopt
   uses it only once the socket there is shown to be the placeholder's
   by facts no other socket shares.  Otherwise a snapshot, a value of
   netopt--socket-fds.  */
emacs_value
Fnetopt_adopt_before (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                      void *data)
{
  struct sock_handle *s = sock_from_lisp (env, args[0], false);
  if (!s)
    return NULL;
  if (!s->owned)
    {
      lisp_wrong_type (env, Q.socketp, args[0]);
      return NULL;
    }
  if (predictable (s))
    {
      int fd = fcntl (s->sock.fd, F_DUPFD_CLOEXEC, 0);
      if (fd >= 0)
        {
          if (close (fd) != 0)
            return lisp_system_error (env, "Cannot close descriptor", errno, 0,
                                      NULL),
                   NULL;
          return env->make_integer (env, fd);
        }
    }
  return Fnetopt_socket_fds (env, nargs, args, data);
}

/* The descriptor of PROCESS's placeholder that the snapshot BEFORE
   does not list, of KIND unless NULL, not one of KNOWN, or -1 with an
   exit pending.  */
static int
new_in_snapshot (emacs_env *env, emacs_value process, emacs_value before,
                 const struct proc_kind *kind, const struct proc_fds *known)
{
  size_t count = 0;
  int fd = proc_new_socket (env, before, kind, known, &count);
  if (fd < 0 && !LISP_PENDING (env))
    {
      char why[64];
      snprintf (why, sizeof why, "placeholder not found (%zu candidates)",
                count);
      proc_not_found (env, process, why);
    }
  return fd;
}

/* The descriptor of PROCESS's placeholder, S's kind (KIND; any kind
   when S is NULL), or -1 with an exit pending.  BEFORE is a value of
   netopt--adopt-before.  A descriptor that was free then is used when
   it now holds PROCESS's socket by facts no other socket shares (so
   no other process's: none is excluded); otherwise PROCESS's socket is
   located, as on any first call.  A snapshot tells the one socket
   that is new.  Either search leaves out every descriptor of another
   process netopt knows.  */
static int
placeholder_fd (emacs_env *env, emacs_value process, emacs_value before,
                const struct sock_handle *s, const struct proc_kind *kind)
{
  intmax_t n = -1;
  bool predicted = s && lisp_is_type (env, before, Q.integer_type)
                   && lisp_int_in_range (env, before, 0, INT_MAX, &n);
  LISP_CHECK_RETURN (env, -1);
  struct proc_fds known = { NULL, NULL, 0, 0 };
  if (predicted)
    {
      int fd = proc_locate_at (env, process, (int)n, kind, &known);
      if (fd >= 0 || LISP_PENDING (env))
        return fd;
    }
  if (!proc_live_fds (env, &known))
    return -1;
  int fd = predicted ? proc_locate (env, process, &known)
                     : new_in_snapshot (env, process, before, s ? kind : NULL,
                                        &known);
  proc_fds_free (&known);
  if (fd >= 0 && predicted && !proc_fd_is_kind (fd, kind))
    {
      proc_not_found (env, process, "placeholder of another kind");
      fd = -1;
    }
  return fd;
}

/* Close LISTENER, a netopt socket (nil: none), the peer of a client's
   placeholder: the placeholder's connection is reset, and replacing
   its socket sends nothing.  */
static bool
close_listener (emacs_env *env, emacs_value listener)
{
  if (lisp_nilp (env, listener))
    return true;
  struct sock_handle *l = sock_from_lisp (env, listener, true);
  if (!l || !l->owned)
    return l ? lisp_wrong_type (env, Q.socketp, listener) : false;
  int err = sock_close (l);
  return err == 0
         || lisp_system_error (env, "Cannot close socket", err, 1, &listener);
}

/* (netopt--adopt SOCKET PROCESS BEFORE &optional LISTENER): PROCESS's
   descriptor is its placeholder's socket, of SOCKET's family, type and
   role, found by BEFORE (a value of netopt--adopt-before, or of
   netopt--socket-fds: the one socket it did not list).  LISTENER, the
   placeholder's peer, is closed once it is found.  SOCKET's socket
   takes its place (SOCKET is closed, its :child-options go along) and
   PROCESS is known to run a socket netopt made.  With SOCKET nil, the
   new socket of any kind is only registered as PROCESS's.  Signals
   netopt-socket-not-found unless the placeholder is found.  Returns
   t.  */
emacs_value
Fnetopt_adopt (emacs_env *env, ptrdiff_t nargs, emacs_value *args, void *data)
{
  (void)data;
  struct sock_handle *s = NULL;
  if (!lisp_nilp (env, args[0]))
    {
      s = sock_from_lisp (env, args[0], false);
      if (!s)
        return NULL;
      if (!s->owned)
        {
          lisp_wrong_type (env, Q.socketp, args[0]);
          return NULL;
        }
    }
  /* PROCESS must be a process, and no descriptor of another process
     netopt knows can be taken for its placeholder.  */
  if (!lisp_is_type (env, args[1], Q.process_type))
    {
      LISP_CHECK (env);
      lisp_wrong_type (env, Q.processp, args[1]);
      return NULL;
    }
  emacs_value type = env->funcall (env, Q.process_type_of, 1, &args[1]);
  LISP_CHECK (env);
  if (!env->eq (env, type, Q.network))
    {
      lisp_signal (env, Q.err_not_network, lisp_list (env, 1, &args[1]));
      return NULL;
    }
  struct proc_kind kind = { 0, 0, -1 };
  if (s)
    kind = (struct proc_kind){ s->sock.family, s->sock.type, s->listening };
  int fd = placeholder_fd (env, args[1], args[2], s, &kind);
  if (fd < 0)
    return NULL;
  if (nargs > 3 && !close_listener (env, args[3]))
    return NULL;
  if (s && !replace (env, s, fd, args[1]))
    return NULL;
  struct sock_handle *b = proc_register (env, args[1], fd, s != NULL);
  if (!b)
    return NULL;
  if (s)
    {
      b->child_options = s->child_options;
      b->child_count = s->child_count;
      s->child_options = NULL;
      s->child_count = 0;
    }
  return Q.t;
}

/* (netopt--configure-child CLIENT SERVER): configure CLIENT, a
   connection Emacs accepted for SERVER, an adopted server process.
   CLIENT's socket is located by its own addresses (an accepted TCP
   connection's are unique).  Returns t.  */
emacs_value
Fnetopt_configure_child (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                         void *data)
{
  (void)nargs;
  (void)data;
  struct sock_handle *srv = proc_handle (env, args[1]);
  struct sock_handle *client = srv ? proc_handle (env, args[0]) : NULL;
  if (!client)
    return NULL;
  if (!opt_configure_child (env, &client->sock, srv->child_options,
                            srv->child_count))
    return NULL;
  proc_facts (client)->adopted = proc_facts (srv)->adopted;
  for (size_t i = 0; i < srv->child_count; i++)
    if (!proc_after_set (env, args[0], client, &srv->child_options[i]))
      return NULL;
  return Q.t;
}
