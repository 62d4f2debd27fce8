/* sockets.h --- the Lisp functions of the socket layer: life cycle and
   I/O of netopt's own sockets, and the options of any target (a SOCKET,
   or a network process through the process layer's hooks).  Grouped by
   the file that defines them, one responsibility each.  */

#ifndef NETOPT_SOCKETS_H
#define NETOPT_SOCKETS_H

#include "handle.h"

/* handle.c: the registry of sockets, and what listings ask a handle.  */
NETOPT_PRIMITIVE (Fnetopt_socket_registry);
NETOPT_PRIMITIVE (Fnetopt_configured_p);

/* create.c: making a socket (netopt--make-socket).  */
NETOPT_PRIMITIVE (Fnetopt_make_socket_internal);

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

/* sockopt.c: options by name, on a socket or a network process.  */
NETOPT_PRIMITIVE (Fnetopt_set_option);
NETOPT_PRIMITIVE (Fnetopt_option);
NETOPT_PRIMITIVE (Fnetopt_read_options);

/* multicast.c: multicast group membership.  */
NETOPT_PRIMITIVE (Fnetopt_join_group);
NETOPT_PRIMITIVE (Fnetopt_leave_group);

/* raw.c: options without a row, by level and number.  */
NETOPT_PRIMITIVE (Fnetopt_set_raw_option);
NETOPT_PRIMITIVE (Fnetopt_raw_option);

#endif
