/* wait.c --- waiting without stopping Emacs's world.  */

#include "wait.h"

#include <errno.h>
#include <poll.h>
#include <time.h>

/* Slices grow from the first to the last: a short wait costs little
   latency, a long one few wake-ups.  Seconds.  */
#define NWAIT_FIRST_SLICE 0.001
#define NWAIT_LAST_SLICE 0.02

static double
now (void)
{
  struct timespec ts;
  if (clock_gettime (CLOCK_MONOTONIC, &ts) != 0)
    return 0;
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

struct ndeadline
ndeadline_in (double seconds)
{
  struct ndeadline d = { .at = 0, .none = seconds < 0 };
  if (!d.none)
    d.at = now () + seconds;
  return d;
}

/* Has the user asked to quit?  Leaves the quit pending when so.  */
static bool
quit_requested (emacs_env *env)
{
  if (NL_PENDING (env))
    return true;
#if defined EMACS_MAJOR_VERSION && EMACS_MAJOR_VERSION >= 27
  if (netopt_env_size >= (ptrdiff_t) sizeof (struct emacs_env_27))
    {
      if (env->process_input (env) == emacs_process_input_quit)
        {
          if (!NL_PENDING (env))
            env->non_local_exit_signal (env, Q.quit, Q.nil);
          return true;
        }
      return NL_PENDING (env);
    }
#endif
#if defined EMACS_MAJOR_VERSION && EMACS_MAJOR_VERSION >= 26
  if (netopt_env_size >= (ptrdiff_t) sizeof (struct emacs_env_26)
      && env->should_quit (env))
    {
      env->non_local_exit_signal (env, Q.quit, Q.nil);
      return true;
    }
#endif
  return false;
}

enum nwait_result
nwait_slice (emacs_env *env, const struct ndeadline *d, double *slice)
{
  double s = *slice <= 0 ? NWAIT_FIRST_SLICE : *slice;
  if (!d->none)
    {
      double left = d->at - now ();
      if (left <= 0)
        return NWAIT_TIMEOUT;
      if (left < s)
        s = left;
    }
  /* Emacs waits on its own descriptors for S seconds: timers, filters,
     sentinels and other threads (the lock is released) run.  */
  emacs_value secs = env->make_float (env, s);
  if (NL_PENDING (env))
    return NWAIT_EXIT;
  env->funcall (env, Q.accept_process_output, 2,
                (emacs_value[]){ Q.nil, secs });
  if (quit_requested (env))
    return NWAIT_EXIT;
  *slice = *slice <= 0 ? NWAIT_FIRST_SLICE : *slice * 2;
  if (*slice > NWAIT_LAST_SLICE)
    *slice = NWAIT_LAST_SLICE;
  return NWAIT_READY;
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

enum nwait_result
nwait_fd (emacs_env *env, const struct nsock *s, int fd, short events,
          const struct ndeadline *d)
{
  double slice = 0;
  for (;;)
    {
      if (s && s->fd != fd)
        return NWAIT_CLOSED;
      int r = peek_fd (fd, events);
      if (r > 0)
        return NWAIT_READY;
      if (r < 0)
        return NWAIT_ERROR;
      enum nwait_result w = nwait_slice (env, d, &slice);
      if (w == NWAIT_TIMEOUT && !(s && s->fd != fd)
          && peek_fd (fd, events) > 0)
        return NWAIT_READY; /* ready at the last moment */
      if (w != NWAIT_READY)
        return w;
    }
}

enum nwait_result
nwait_until (emacs_env *env, bool (*done) (void *), void *arg,
             const struct ndeadline *d)
{
  double slice = 0;
  for (;;)
    {
      if (done (arg))
        return NWAIT_READY;
      enum nwait_result w = nwait_slice (env, d, &slice);
      if (w != NWAIT_READY)
        return w;
    }
}
