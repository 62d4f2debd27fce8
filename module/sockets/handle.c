/* handle.c --- socket handles.  */

#include "handle.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The descriptors owned by open handles, so that the search for an
   Emacs process's socket never mistakes one of ours for it.  */
static unsigned char *owned_map;
static size_t owned_size;

static void
owned_mark (int fd, bool on)
{
  if (fd < 0)
    return;
  size_t i = (size_t)fd;
  if (i >= owned_size)
    {
      if (!on)
        return;
      size_t size = owned_size ? owned_size : 1024;
      while (size <= i)
        size *= 2;
      unsigned char *map = realloc (owned_map, size);
      if (!map)
        return; /* the search then only sees one more candidate */
      memset (map + owned_size, 0, size - owned_size);
      owned_map = map;
      owned_size = size;
    }
  owned_map[i] = on;
}

bool
sock_fd_is_owned (int fd)
{
  return fd >= 0 && (size_t)fd < owned_size && owned_map[fd];
}

struct sock_handle *
sock_new (int fd, int family, int type, bool owned, const char *name)
{
  struct sock_handle proto
      = { .sock = { .fd = fd, .family = family, .type = type } };
  proto.name = strdup (name ? name : "netopt");
  struct sock_handle *s = proto.name ? sock_take (&proto, owned) : NULL;
  free (proto.name); /* NULL once taken */
  return s;
}

struct sock_handle *
sock_take (struct sock_handle *proto, bool owned)
{
  struct sock_handle *s = malloc (sizeof *s);
  if (!s)
    return NULL;
  *s = *proto;
  s->owned = owned;
  memset (proto, 0, sizeof *proto);
  proto->sock.fd = -1;
  if (owned)
    owned_mark (s->sock.fd, true);
  return s;
}

void
sock_clear (struct sock_handle *s)
{
  free (s->name);
  free (s->origin.host);
  free (s->origin.service_name);
  free (s->child_options);
  if (s->release_facts)
    s->release_facts (s->facts);
  s->name = s->origin.host = s->origin.service_name = NULL;
  s->child_options = NULL;
  s->child_count = 0;
  s->facts = NULL;
  s->release_facts = NULL;
}

int
sock_close (struct sock_handle *s)
{
  int fd = s->sock.fd;
  s->sock.fd = -1;
  if (fd < 0 || !s->owned)
    return 0;
  owned_mark (fd, false);
  /* On Linux the descriptor is released even when close fails, so it
     is never retried.  */
  return close (fd) == 0 ? 0 : errno;
}

void
sock_release_fd (int fd)
{
  if (close (fd) != 0 && errno != EINTR)
    {
      /* Nothing more to do: Linux has released FD already, and the
         caller's pending error is the one worth reporting.  */
    }
}

int
sock_linger_seconds (int fd)
{
  struct linger lg = { 0, 0 };
  socklen_t len = sizeof lg;
  if (getsockopt (fd, SOL_SOCKET, SO_LINGER, &lg, &len) != 0 || !lg.l_onoff
      || lg.l_linger <= 0)
    return 0; /* an abortive close ({1, 0}) does not wait either */
  return lg.l_linger;
}

void
sock_linger_off (int fd)
{
  struct linger off = { 0, 0 };
  if (setsockopt (fd, SOL_SOCKET, SO_LINGER, &off, sizeof off) != 0)
    {
      /* Nothing more to do: close(2) then lingers as it was asked.  */
    }
}

void
sock_finalize (void *p) EMACS_NOEXCEPT
{
  struct sock_handle *s = p;
  if (!s)
    return;
  /* A finalizer runs inside garbage collection and must not wait: a
     lingering close would stop Emacs for its seconds.  */
  if (s->owned && s->sock.fd >= 0 && sock_linger_seconds (s->sock.fd) > 0)
    sock_linger_off (s->sock.fd);
  sock_close (s);
  sock_clear (s);
  free (s);
}

/* Every socket the module made, as the weak keys of a hash table the
   module owns (a global reference made at load time).  */
static emacs_value registry;

bool
sock_init_registry (emacs_env *env)
{
  registry = lisp_weak_table (env);
  return registry != NULL;
}

/* (netopt--socket-registry): the table of every socket the module
   made, weak in its keys; for listings.  */
emacs_value
Fnetopt_socket_registry (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                         void *data)
{
  (void)env;
  (void)nargs;
  (void)args;
  (void)data;
  return registry;
}

emacs_value
sock_wrap (emacs_env *env, struct sock_handle *s)
{
  emacs_value v = env->make_user_ptr (env, sock_finalize, s);
  if (LISP_PENDING (env))
    {
      sock_finalize (s);
      return NULL;
    }
  if (s->owned)
    {
      /* The registry of sockets, for listings, holds them weakly: the
         object is still collected when unreachable.  */
      env->funcall (env, Q.puthash, 3, (emacs_value[]){ v, Q.t, registry });
      LISP_CHECK (env);
    }
  return v;
}

bool
sock_signal_closed (emacs_env *env, const struct sock_handle *s)
{
  emacs_value items[2];
  items[0] = lisp_string (env, "Socket is closed");
  if (!items[0])
    return false;
  items[1] = lisp_string (env, s->name);
  if (!items[1])
    return false;
  return lisp_signal (env, Q.err_closed, lisp_list (env, 2, items));
}

bool
sock_system_error (emacs_env *env, const char *what, int err,
                   const struct sock_handle *s)
{
  emacs_value name = lisp_string (env, s->name);
  if (!name)
    return false;
  return lisp_system_error (env, what, err, 1, &name);
}

struct sock_handle *
sock_handle_of (emacs_env *env, emacs_value v)
{
  /* Only a user-ptr is asked for its finalizer: for anything else
     Emacs would signal, and a signal costs a microsecond.  */
  if (!lisp_is_type (env, v, Q.user_ptr_type))
    return NULL;
  return sock_handle_of_user_ptr (env, v);
}

struct sock_handle *
sock_handle_of_user_ptr (emacs_env *env, emacs_value v)
{
  bool ours = env->get_user_finalizer (env, v) == sock_finalize;
  LISP_CHECK (env);
  if (!ours)
    return NULL;
  struct sock_handle *s = env->get_user_ptr (env, v);
  LISP_CHECK (env);
  return s;
}

struct sock_handle *
sock_from_lisp (emacs_env *env, emacs_value v, bool allow_closed)
{
  struct sock_handle *s = sock_handle_of (env, v);
  LISP_CHECK (env);
  if (!s)
    {
      lisp_wrong_type (env, Q.socketp, v);
      return NULL;
    }
  if (s->sock.fd < 0 && !allow_closed)
    {
      sock_signal_closed (env, s);
      return NULL;
    }
  return s;
}
