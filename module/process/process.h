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

emacs_value Fnetopt_find_fds (emacs_env *env, ptrdiff_t nargs,
                              emacs_value *args, void *data);
emacs_value Fnetopt_borrow (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                            void *data);
emacs_value Fnetopt_forget (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                            void *data);
emacs_value Fnetopt_socket_fds (emacs_env *env, ptrdiff_t nargs,
                                emacs_value *args, void *data);
emacs_value Fnetopt_adopt (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                           void *data);
emacs_value Fnetopt_reset_defaults (emacs_env *env, ptrdiff_t nargs,
                                    emacs_value *args, void *data);
emacs_value Fnetopt_lowest_free_fd (emacs_env *env, ptrdiff_t nargs,
                                    emacs_value *args, void *data);
emacs_value Fnetopt_fd_matches_p (emacs_env *env, ptrdiff_t nargs,
                                  emacs_value *args, void *data);

#endif
