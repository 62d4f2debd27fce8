/* defaults.h --- the kernel's default options, for accepted children.

   accept(2) copies several options from the listener to the new
   socket; the manual promises that a server's options are not
   inherited.  The defaults are read once, at load time, from fresh
   sockets of each kind, so that resetting a child needs no descriptor
   of its own (near the descriptor limit a throwaway socket would fail
   after the connection was already taken off the queue).  */

#ifndef NETOPT_OPTIONS_DEFAULTS_H
#define NETOPT_OPTIONS_DEFAULTS_H

#include "table.h"

/* Read the defaults of every kind this system supports.  */
void nopt_defaults_init (void);

/* Bring FD, accepted on a FAMILY/TYPE listener, back to the kernel's
   defaults for every option accept(2) copies (except :reuseaddr).
   Returns 0 or an errno value; *FAILED names the option that failed.  */
int nopt_reset_child (int fd, int family, int type,
                      const struct nv_option **failed);

#endif
