/* wait.h --- waiting on a descriptor without freezing Emacs.

   Waits poll in short slices and ask Emacs between slices whether the
   user pressed C-g, so no wait outlasts its timeout or a quit.  */

#ifndef NETOPT_SOCKETS_WAIT_H
#define NETOPT_SOCKETS_WAIT_H

#include "../core/lisp.h"

enum nwait_result
{
  NWAIT_READY,
  NWAIT_TIMEOUT,
  NWAIT_QUIT,  /* a quit is pending as a non-local exit */
  NWAIT_ERROR, /* errno tells */
};

/* Wait until FD has one of EVENTS (poll(2) bits) or TIMEOUT seconds
   pass (negative: no limit).  */
enum nwait_result nwait (emacs_env *env, int fd, short events,
                         double timeout);

#endif
