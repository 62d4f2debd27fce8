/* wait.c --- waiting on a descriptor without freezing Emacs.  */

#include "wait.h"

#include <errno.h>
#include <poll.h>
#include <time.h>

/* Milliseconds between two looks at the keyboard.  */
#define NWAIT_SLICE_MS 50

static double
now (void)
{
  struct timespec ts;
  if (clock_gettime (CLOCK_MONOTONIC, &ts) != 0)
    return 0;
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* Has the user asked to quit?  Leaves the quit pending when so.  */
static bool
quit_requested (emacs_env *env)
{
#if EMACS_MAJOR_VERSION >= 27
  if (netopt_env_size >= (ptrdiff_t) sizeof (struct emacs_env_27))
    {
      if (env->process_input (env) == emacs_process_input_quit)
        {
          if (!NL_PENDING (env))
            env->non_local_exit_signal (env, env->intern (env, "quit"),
                                        Q.nil);
          return true;
        }
      return NL_PENDING (env);
    }
#endif
#if EMACS_MAJOR_VERSION >= 26
  if (netopt_env_size >= (ptrdiff_t) sizeof (struct emacs_env_26))
    {
      if (env->should_quit (env))
        {
          env->non_local_exit_signal (env, env->intern (env, "quit"), Q.nil);
          return true;
        }
    }
#endif
  (void) env;
  return false;
}

enum nwait_result
nwait (emacs_env *env, int fd, short events, double timeout)
{
  double deadline = timeout >= 0 ? now () + timeout : 0;
  bool first = true;
  for (;;)
    {
      int slice = NWAIT_SLICE_MS;
      if (first)
        slice = 0; /* a free look before asking Emacs anything */
      else if (timeout >= 0)
        {
          double left = deadline - now ();
          if (left <= 0)
            return NWAIT_TIMEOUT;
          if (left * 1000 < slice)
            slice = (int) (left * 1000) + 1;
        }
      struct pollfd p = { .fd = fd, .events = events, .revents = 0 };
      int rc = poll (&p, 1, slice);
      if (rc > 0)
        return NWAIT_READY;
      if (rc < 0 && errno != EINTR)
        return NWAIT_ERROR;
      if (!first || timeout != 0)
        if (quit_requested (env))
          return NWAIT_QUIT;
      if (timeout == 0)
        return NWAIT_TIMEOUT;
      first = false;
    }
}
