/* wait.h --- waiting without stopping Emacs's world.

   A module function runs with Emacs's global lock held.  Every wait
   here gives the world back between short slices: it calls Emacs's own
   `accept-process-output', so timers, process filters and sentinels and
   other Lisp threads run, and C-g (or a throw from a timer) ends the
   wait as a non-local exit.  One deadline, computed once per call,
   covers every slice and retry of that call.  */

#ifndef NETOPT_SOCKETS_WAIT_H
#define NETOPT_SOCKETS_WAIT_H

#include "../core/lisp.h"
#include "handle.h"

/* An absolute point in time (CLOCK_MONOTONIC seconds), or none.  */
struct sock_deadline
{
  double at;
  bool none; /* no limit */
};

/* The deadline SECONDS from now; negative SECONDS: no limit.  */
struct sock_deadline sock_deadline_in (double seconds);

enum sock_wait_result
{
  SOCK_WAIT_READY,
  SOCK_WAIT_TIMEOUT,
  SOCK_WAIT_EXIT,   /* a non-local exit (quit, throw, error) is pending */
  SOCK_WAIT_CLOSED, /* the handle was closed during the wait */
  SOCK_WAIT_ERROR,  /* errno tells */
};

/* Wait until FD has one of EVENTS (poll(2) bits) or D passes.  When S
   is non-NULL, FD is S's descriptor, and the wait ends with
   SOCK_WAIT_CLOSED as soon as S no longer holds it (closed by a timer or a
   filter that ran during the wait): FD is then never touched again.  */
enum sock_wait_result sock_wait_fd (emacs_env *env,
                                    const struct sock_handle *s, int fd,
                                    short events,
                                    const struct sock_deadline *d);

/* Let Emacs run for one slice (of at most D's remaining time) without
   watching any descriptor: for retries that have nothing to poll.
   Returns SOCK_WAIT_READY after the slice, SOCK_WAIT_TIMEOUT when D has
   passed, or SOCK_WAIT_EXIT.  *SLICE carries the growing slice length
   between calls (start it at 0).  */
enum sock_wait_result
sock_wait_slice (emacs_env *env, const struct sock_deadline *d, double *slice);

/* Report the end W of a wait on S that did not find it ready, WHAT
   naming the operation (netopt-system-error's "Cannot ..."): nil for a
   timeout, NULL with an exit pending otherwise (netopt-closed, the
   system error, or the quit or throw already pending).  */
emacs_value sock_wait_failed (emacs_env *env, enum sock_wait_result w,
                              const char *what, const struct sock_handle *s);

/* Wait until DONE returns true for ARG, or D passes.  */
enum sock_wait_result sock_wait_until (emacs_env *env, bool (*done) (void *),
                                       void *arg,
                                       const struct sock_deadline *d);

#endif
