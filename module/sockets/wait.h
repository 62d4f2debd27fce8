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
struct ndeadline
{
  double at;
  bool none; /* no limit */
};

/* The deadline SECONDS from now; negative SECONDS: no limit.  */
struct ndeadline ndeadline_in (double seconds);

enum nwait_result
{
  NWAIT_READY,
  NWAIT_TIMEOUT,
  NWAIT_EXIT,   /* a non-local exit (quit, throw, error) is pending */
  NWAIT_CLOSED, /* the handle was closed during the wait */
  NWAIT_ERROR,  /* errno tells */
};

/* Wait until FD has one of EVENTS (poll(2) bits) or D passes.  When S
   is non-NULL, FD is S's descriptor, and the wait ends with
   NWAIT_CLOSED as soon as S no longer holds it (closed by a timer or a
   filter that ran during the wait): FD is then never touched again.  */
enum nwait_result nwait_fd (emacs_env *env, const struct sock_handle *s, int fd,
                            short events, const struct ndeadline *d);

/* Let Emacs run for one slice (of at most D's remaining time) without
   watching any descriptor: for retries that have nothing to poll.
   Returns NWAIT_READY after the slice, NWAIT_TIMEOUT when D has
   passed, or NWAIT_EXIT.  *SLICE carries the growing slice length
   between calls (start it at 0).  */
enum nwait_result nwait_slice (emacs_env *env, const struct ndeadline *d,
                               double *slice);

/* Wait until DONE returns true for ARG, or D passes.  */
enum nwait_result nwait_until (emacs_env *env, bool (*done) (void *),
                               void *arg, const struct ndeadline *d);

#endif
