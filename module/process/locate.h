/* locate.h --- finding the socket of an Emacs network process.

   Emacs does not tell a module which descriptor a process uses.  The
   Lisp layer (lisp/netopt-process.el) describes the socket from what
   `process-contact' knows; netopt--find-fds lists the descriptors of
   this Emacs that match, and netopt--borrow wraps the one found in a
   handle that never closes it.  */

#ifndef NETOPT_PROCESS_LOCATE_H
#define NETOPT_PROCESS_LOCATE_H

#include "../sockets/sockets.h"

NETOPT_DEFUN (Fnetopt_find_fds);
NETOPT_DEFUN (Fnetopt_borrow);
NETOPT_DEFUN (Fnetopt_forget);

#endif
