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
  size_t i = (size_t) fd;
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
nsock_fd_is_owned (int fd)
{
  return fd >= 0 && (size_t) fd < owned_size && owned_map[fd];
}

struct nsock *
nsock_new (int fd, int family, int type, bool owned, const char *name)
{
  struct nsock *s = calloc (1, sizeof *s);
  if (!s)
    return NULL;
  s->name = strdup (name ? name : "netopt");
  if (!s->name)
    {
      free (s);
      return NULL;
    }
  s->fd = fd;
  s->family = family;
  s->type = type;
  s->owned = owned;
  s->service_port = -2;
  if (owned)
    owned_mark (fd, true);
  return s;
}

static void
nsock_free (struct nsock *s)
{
  free (s->name);
  free (s->host);
  free (s->service_name);
  free (s->child_options);
  free (s);
}

int
nsock_close (struct nsock *s)
{
  int fd = s->fd;
  s->fd = -1;
  if (fd < 0 || !s->owned)
    return 0;
  owned_mark (fd, false);
  /* On Linux the descriptor is released even when close fails, so it
     is never retried.  */
  return close (fd) == 0 ? 0 : errno;
}

void
nsock_release_fd (int fd)
{
  if (close (fd) != 0 && errno != EINTR)
    {
      /* Nothing more to do: Linux has released FD already, and the
         caller's pending error is the one worth reporting.  */
    }
}

void
nsock_finalize (void *p) EMACS_NOEXCEPT
{
  struct nsock *s = p;
  if (!s)
    return;
  nsock_close (s);
  nsock_free (s);
}

emacs_value
nsock_wrap (emacs_env *env, struct nsock *s)
{
  emacs_value v = env->make_user_ptr (env, nsock_finalize, s);
  if (NL_PENDING (env))
    {
      nsock_finalize (s);
      return NULL;
    }
  if (s->owned)
    {
      /* The Lisp layer keeps a weak registry of sockets for listings;
         the object is still collected when unreachable.  */
      env->funcall (env, Q.register_socket, 1, &v);
      NL_CHECK (env);
    }
  return v;
}

bool
nsock_signal_closed (emacs_env *env, const struct nsock *s)
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

static struct nsock *
handle_of (emacs_env *env, emacs_value v)
{
  /* Ask for the finalizer directly: for anything but a user-ptr Emacs
     signals, which is cleared here (one call instead of three on the
     path every option call takes).  */
  bool ours = env->get_user_finalizer (env, v) == nsock_finalize;
  if (NL_PENDING (env))
    {
      env->non_local_exit_clear (env);
      return NULL;
    }
  if (!ours)
    return NULL;
  struct nsock *s = env->get_user_ptr (env, v);
  NL_CHECK (env);
  return s;
}

struct nsock *
nsock_from_lisp (emacs_env *env, emacs_value v, bool allow_closed)
{
  struct nsock *s = handle_of (env, v);
  NL_CHECK (env);
  if (!s)
    {
      lisp_wrong_type (env, Q.socketp, v);
      return NULL;
    }
  if (s->fd < 0 && !allow_closed)
    {
      nsock_signal_closed (env, s);
      return NULL;
    }
  return s;
}

struct nsock *
nsock_target (emacs_env *env, emacs_value v)
{
  struct nsock *s = handle_of (env, v);
  NL_CHECK (env);
  if (!s)
    {
      if (!lisp_is_type (env, v, Q.process_type))
        {
          NL_CHECK (env);
          lisp_wrong_type (env, Q.processp, v);
          return NULL;
        }
      /* The Lisp layer validates the process, locates and caches its
         socket, and returns a borrowed handle.  */
      emacs_value h = env->funcall (env, Q.process_handle, 1, &v);
      NL_CHECK (env);
      s = handle_of (env, h);
      NL_CHECK (env);
      if (!s)
        {
          lisp_wrong_type (env, Q.socketp, h);
          return NULL;
        }
    }
  if (s->fd < 0)
    {
      nsock_signal_closed (env, s);
      return NULL;
    }
  return s;
}
