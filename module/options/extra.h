/* extra.h --- multicast membership and raw options.  */

#ifndef NETOPT_OPTIONS_EXTRA_H
#define NETOPT_OPTIONS_EXTRA_H

#include "../sockets/sockets.h"

NETOPT_DEFUN (Fnetopt_join_group);
NETOPT_DEFUN (Fnetopt_leave_group);
NETOPT_DEFUN (Fnetopt_set_raw_option);
NETOPT_DEFUN (Fnetopt_raw_option);

#endif
