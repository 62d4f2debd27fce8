/* wait.c --- waiting without stopping Emacs's world.  */

#include "wait.h"

#include <errno.h>
#include <poll.h>
#include <time.h>

/* Slices grow from the first to the last: a short wait costs little
   latency, a long one few wake-ups.  Seconds.  */
#define SOCK_WAIT_FIRST_SLICE 0.001
#define SOCK_WAIT_LAST_SLICE 0.02

static double
now (void)
{
  struct timespec ts;
  if (clock_gettime (CLOCK_MONOTONIC, &ts) != 0)
    return 0;
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct sock_deadline
sock_deadline_in (double seconds)
{
  struct sock_deadline d = { .at = 0, .none = seconds < 0 };
  if (!d.none)
    d.at = now () + seconds;
  return d;
}

/* Has the user asked to quit?  Leaves the quit pending when so.  */
static bool
quit_requested (emacs_env *env)
{
  if (LISP_PENDING (env))
    return true;
#if defined EMACS_MAJOR_VERSION && EMACS_MAJOR_VERSION >= 27
  if (netopt_env_size >= (ptrdiff_t)sizeof (struct emacs_env_27))
    {
      if (env->process_input (env) == emacs_process_input_quit)
        {
          if (!LISP_PENDING (env))
            env->non_local_exit_signal (env, Q.quit, Q.nil);
          return true;
        }
      return LISP_PENDING (env);
    }
#endif
#if defined EMACS_MAJOR_VERSION && EMACS_MAJOR_VERSION >= 26
  if (netopt_env_size >= (ptrdiff_t)sizeof (struct emacs_env_26)
      && env->should_quit (env))
    {
      env->non_local_exit_signal (env, Q.quit, Q.nil);
      return true;
    }
#endif
  return false;
}

enum sock_wait_result
sock_wait_slice (emacs_env *env, const struct sock_deadline *d, double *slice)
{
  double s = *slice <= 0 ? SOCK_WAIT_FIRST_SLICE : *slice;
  if (!d->none)
    {
      double left = d->at - now ();
      if (left <= 0)
        return SOCK_WAIT_TIMEOUT;
      if (left < s)
        s = left;
    }
  /* Emacs waits on its own descriptors for S seconds: timers, filters,
     sentinels and other threads (the lock is released) run.  */
  emacs_value secs = env->make_float (env, s);
  if (LISP_PENDING (env))
    return SOCK_WAIT_EXIT;
  env->funcall (env, Q.accept_process_output, 2,
                (emacs_value[]){ Q.nil, secs });
  if (quit_requested (env))
    return SOCK_WAIT_EXIT;
  *slice = *slice <= 0 ? SOCK_WAIT_FIRST_SLICE : *slice * 2;
  if (*slice > SOCK_WAIT_LAST_SLICE)
    *slice = SOCK_WAIT_LAST_SLICE;
  return SOCK_WAIT_READY;
}

/* Look at FD without waiting: 1 ready, 0 not yet, -1 error.  */
static int
peek_fd (int fd, short events)
{
  for (;;)
    {
      struct pollfd p = { .fd = fd, .events = events, .revents = 0 };
      int rc = poll (&p, 1, 0);
      if (rc >= 0)
        return rc > 0;
      if (errno != EINTR)
        return -1;
    }
}

enum sock_wait_result
sock_wait_fd (emacs_env *env, const struct sock_handle *s, int fd,
              short events, const struct sock_deadline *d)
{
  double slice = 0;
  /* What completes within a millisecond (a loopback connection, a
     reply already on its way) is waited for here, without a slice of
     Emacs's loop; the lock is held that long at most, once.  */
  if (d->none || d->at - now () > SOCK_WAIT_FIRST_SLICE)
    {
      struct pollfd p = { .fd = fd, .events = events, .revents = 0 };
      if (poll (&p, 1, 1) > 0)
        return SOCK_WAIT_READY;
    }
  for (;;)
    {
      if (s && s->sock.fd != fd)
        return SOCK_WAIT_CLOSED;
      int r = peek_fd (fd, events);
      if (r > 0)
        return SOCK_WAIT_READY;
      if (r < 0)
        return SOCK_WAIT_ERROR;
      enum sock_wait_result w = sock_wait_slice (env, d, &slice);
      if (w == SOCK_WAIT_TIMEOUT && !(s && s->sock.fd != fd)
          && peek_fd (fd, events) > 0)
        return SOCK_WAIT_READY; /* ready at the last moment */
      if (w != SOCK_WAIT_READY)
        return w;
    }
}

emacs_value
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
      sock_system_error (env, what, errno, s);
      return NULL;
    default:
      return NULL; /* the quit or throw is pending */
    }
}

enum sock_wait_result
sock_wait_until (emacs_env *env, bool (*done) (void *), void *arg,
                 const struct sock_deadline *d)
{
  double slice = 0;
  for (;;)
    {
      if (done (arg))
        return SOCK_WAIT_READY;
      enum sock_wait_result w = sock_wait_slice (env, d, &slice);
      if (w != SOCK_WAIT_READY)
        return w;
    }
}
