/* sockets.h --- the Lisp functions of the socket layer: life cycle and
   I/O of netopt's own sockets; and the work on a socket that the
   process layer's functions on any TARGET hand down.  Grouped by the
   file that defines them, one responsibility each.  */

#ifndef NETOPT_SOCKETS_H
#define NETOPT_SOCKETS_H

#include "handle.h"

/* handle.c: the registry of sockets, for listings.  */
NETOPT_PRIMITIVE (Fnetopt_socket_registry);

/* create.c: making a socket (netopt--make-socket).  */
NETOPT_PRIMITIVE (Fnetopt_make_socket_internal);

/* async.c: a name resolved and connections watched in the background,
   Emacs told through the wake channel.  */
NETOPT_PRIMITIVE (Fnetopt_async_resolve);
NETOPT_PRIMITIVE (Fnetopt_async_id);
NETOPT_PRIMITIVE (Fnetopt_async_state);
NETOPT_PRIMITIVE (Fnetopt_async_watch);
NETOPT_PRIMITIVE (Fnetopt_async_news);
NETOPT_PRIMITIVE (Fnetopt_async_end);
/* JOB (a Lisp job) connects for the process whose descriptor FD holds
   the socket of inode INO: once it does not, the job has news.  */
bool sock_async_guard (emacs_env *env, emacs_value job, int fd, ino_t ino);
/* Make FD the wake channel (-1: none); the old one is returned.  */
int sock_async_set_wake (int fd);

/* accept.c: a listening socket's next connection, configured as a
   child.  */
NETOPT_PRIMITIVE (Fnetopt_accept);

/* transfer.c: data through a socket.  */
NETOPT_PRIMITIVE (Fnetopt_send);
NETOPT_PRIMITIVE (Fnetopt_receive);
NETOPT_PRIMITIVE (Fnetopt_receive_from);

/* close.c: the end of a socket (a lingering close waited for with
   Emacs running).  */
NETOPT_PRIMITIVE (Fnetopt_close);

/* contact.c: what a socket is (netopt--socket-fd, netopt--socket-contact
   for netopt-contact).  */
NETOPT_PRIMITIVE (Fnetopt_socket_p);
NETOPT_PRIMITIVE (Fnetopt_live_p);
NETOPT_PRIMITIVE (Fnetopt_socket_fd);
NETOPT_PRIMITIVE (Fnetopt_socket_contact);

/* multicast.c: multicast group membership of S, the socket of the
   TARGET of (netopt-join-group / netopt-leave-group TARGET GROUP
   &optional INTERFACE).  */
emacs_value sock_join_group (emacs_env *env, struct sock_handle *s,
                             ptrdiff_t nargs, emacs_value *args);
emacs_value sock_leave_group (emacs_env *env, struct sock_handle *s,
                              ptrdiff_t nargs, emacs_value *args);

/* raw.c: options without a row, by level and number, on S:
   (netopt-set-raw-option TARGET LEVEL OPTNAME VALUE) and
   (netopt-raw-option TARGET LEVEL OPTNAME &optional LENGTH).  */
emacs_value sock_set_raw_option (emacs_env *env, struct sock_handle *s,
                                 ptrdiff_t nargs, emacs_value *args);
emacs_value sock_raw_option (emacs_env *env, struct sock_handle *s,
                             ptrdiff_t nargs, emacs_value *args);

#endif
