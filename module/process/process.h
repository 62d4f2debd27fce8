/* process.h --- Emacs's own network processes, the C side.

   Emacs does not tell a module which descriptor a process uses.  The
   Lisp side (lisp/netopt-process.el) describes the socket from what
   `process-contact' knows; netopt--find-fds lists the descriptors of
   this Emacs that match, and netopt--borrow wraps the one found in a
   handle that never closes it.  proc_init lends the socket layer the
   hooks through which every option function accepts a process.  */

#ifndef NETOPT_PROCESS_PROCESS_H
#define NETOPT_PROCESS_PROCESS_H

#include "../sockets/sockets.h"

/* Register the process hooks of the socket layer.  */
void proc_init (void);

NETOPT_DEFUN (Fnetopt_find_fds);
NETOPT_DEFUN (Fnetopt_borrow);
NETOPT_DEFUN (Fnetopt_forget);
NETOPT_DEFUN (Fnetopt_socket_fds);
NETOPT_DEFUN (Fnetopt_adopt);
NETOPT_DEFUN (Fnetopt_reset_defaults);
NETOPT_DEFUN (Fnetopt_lowest_free_fd);
NETOPT_DEFUN (Fnetopt_fd_matches_p);

#endif
