/* sockets.h --- the socket functions of the Lisp API.  */

#ifndef NETOPT_SOCKETS_H
#define NETOPT_SOCKETS_H

#include "handle.h"

#define NETOPT_DEFUN(name)                                                 \
  emacs_value name (emacs_env *env, ptrdiff_t nargs, emacs_value *args,    \
                    void *data)

NETOPT_DEFUN (Fnetopt_make_socket);
NETOPT_DEFUN (Fnetopt_accept);
NETOPT_DEFUN (Fnetopt_send);
NETOPT_DEFUN (Fnetopt_receive);
NETOPT_DEFUN (Fnetopt_receive_from);
NETOPT_DEFUN (Fnetopt_close);
NETOPT_DEFUN (Fnetopt_socket_p);
NETOPT_DEFUN (Fnetopt_live_p);
NETOPT_DEFUN (Fnetopt_socket_contact);
NETOPT_DEFUN (Fnetopt_socket_fd);

#endif
