/* sockets.h --- the Lisp functions of the socket layer: life cycle and
   I/O of netopt's own sockets; and the work on a socket that the
   process layer's functions on any TARGET hand down.  */

#ifndef NETOPT_SOCKETS_H
#define NETOPT_SOCKETS_H

#include "handle.h"

/* handle.c */
emacs_value Fnetopt_socket_registry (emacs_env *env, ptrdiff_t nargs,
                                     emacs_value *args, void *data);
/* create.c */
emacs_value Fnetopt_make_socket_internal (emacs_env *env, ptrdiff_t nargs,
                                          emacs_value *args, void *data);
/* io.c */
emacs_value Fnetopt_accept (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                            void *data);
emacs_value Fnetopt_send (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                          void *data);
emacs_value Fnetopt_receive (emacs_env *env, ptrdiff_t nargs,
                             emacs_value *args, void *data);
emacs_value Fnetopt_receive_from (emacs_env *env, ptrdiff_t nargs,
                                  emacs_value *args, void *data);
emacs_value Fnetopt_close (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                           void *data);
emacs_value Fnetopt_socket_p (emacs_env *env, ptrdiff_t nargs,
                              emacs_value *args, void *data);
emacs_value Fnetopt_live_p (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                            void *data);
emacs_value Fnetopt_socket_contact (emacs_env *env, ptrdiff_t nargs,
                                    emacs_value *args, void *data);
emacs_value Fnetopt_socket_fd (emacs_env *env, ptrdiff_t nargs,
                               emacs_value *args, void *data);
/* multicast.c: (netopt-join-group / netopt-leave-group TARGET GROUP
   &optional INTERFACE) on S, TARGET's socket.  */
emacs_value sock_join_group (emacs_env *env, struct sock_handle *s,
                             ptrdiff_t nargs, emacs_value *args);
emacs_value sock_leave_group (emacs_env *env, struct sock_handle *s,
                              ptrdiff_t nargs, emacs_value *args);
/* raw.c: (netopt-set-raw-option TARGET LEVEL OPTNAME VALUE) and
   (netopt-raw-option TARGET LEVEL OPTNAME &optional LENGTH) on S.  */
emacs_value sock_set_raw_option (emacs_env *env, struct sock_handle *s,
                                 ptrdiff_t nargs, emacs_value *args);
emacs_value sock_raw_option (emacs_env *env, struct sock_handle *s,
                             ptrdiff_t nargs, emacs_value *args);

#endif
