/* defaults.h --- the kernel's defaults, read once at load time, and
   the one configuration of a connection a server accepted
   (defaults.c): netopt-accept's children and the connections Emacs
   accepts for an adopted server alike.  */

#ifndef NETOPT_OPTIONS_DEFAULTS_H
#define NETOPT_OPTIONS_DEFAULTS_H

#include "engine.h"

/* Read the kernel's defaults of every kind of socket accept(2) makes,
   from fresh sockets (at load time, after opt_init).  */
void opt_defaults_init (void);

/* Configure S, a connection a server accepted: back to the kernel's
   defaults for every option accept(2) copied from the listener (except
   :reuseaddr), then the COUNT settings of CHILD, the server's
   :child-options, in order.  False with the error pending.  */
bool opt_configure_child (emacs_env *env, const struct opt_socket *s,
                          const struct opt_setting *child, size_t count);

#endif
