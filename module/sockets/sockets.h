/* sockets.h --- the Lisp functions of the socket layer: life cycle and
   I/O of netopt's own sockets, and the options of any target (a SOCKET,
   or a network process through the process layer's hooks).  */

#ifndef NETOPT_SOCKETS_H
#define NETOPT_SOCKETS_H

#include "handle.h"

/* handle.c */
emacs_value Fnetopt_socket_registry (emacs_env *env, ptrdiff_t nargs,
                                     emacs_value *args, void *data);
emacs_value Fnetopt_configured_p (emacs_env *env, ptrdiff_t nargs,
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
/* sockopt.c */
emacs_value Fnetopt_set_option (emacs_env *env, ptrdiff_t nargs,
                                emacs_value *args, void *data);
emacs_value Fnetopt_option (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                            void *data);
emacs_value Fnetopt_read_options (emacs_env *env, ptrdiff_t nargs,
                                  emacs_value *args, void *data);
/* multicast.c */
emacs_value Fnetopt_join_group (emacs_env *env, ptrdiff_t nargs,
                                emacs_value *args, void *data);
emacs_value Fnetopt_leave_group (emacs_env *env, ptrdiff_t nargs,
                                 emacs_value *args, void *data);
/* raw.c */
emacs_value Fnetopt_set_raw_option (emacs_env *env, ptrdiff_t nargs,
                                    emacs_value *args, void *data);
emacs_value Fnetopt_raw_option (emacs_env *env, ptrdiff_t nargs,
                                emacs_value *args, void *data);

#endif
