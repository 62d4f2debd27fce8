/* sockets.h --- the Lisp functions of the socket layer: life cycle and
   I/O of netopt's own sockets, and the options of any target (a SOCKET,
   or a network process through the process layer's hooks).  */

#ifndef NETOPT_SOCKETS_H
#define NETOPT_SOCKETS_H

#include "handle.h"

/* create.c */
NETOPT_DEFUN (Fnetopt_make_socket_internal);
/* io.c */
NETOPT_DEFUN (Fnetopt_accept);
NETOPT_DEFUN (Fnetopt_send);
NETOPT_DEFUN (Fnetopt_receive);
NETOPT_DEFUN (Fnetopt_receive_from);
NETOPT_DEFUN (Fnetopt_close);
NETOPT_DEFUN (Fnetopt_socket_p);
NETOPT_DEFUN (Fnetopt_live_p);
NETOPT_DEFUN (Fnetopt_socket_contact);
NETOPT_DEFUN (Fnetopt_socket_fd);
/* sockopt.c */
NETOPT_DEFUN (Fnetopt_set_option);
NETOPT_DEFUN (Fnetopt_option);
NETOPT_DEFUN (Fnetopt_read_options);
/* multicast.c */
NETOPT_DEFUN (Fnetopt_join_group);
NETOPT_DEFUN (Fnetopt_leave_group);
/* raw.c */
NETOPT_DEFUN (Fnetopt_set_raw_option);
NETOPT_DEFUN (Fnetopt_raw_option);

#endif
