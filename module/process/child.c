/* child.c --- a connection that Emacs accepted for a server that
   netopt-make-network-process made gets what netopt-accept gives its
   own: the kernel's defaults, then the server's :child-options
   (options/child.c does both).  */

#include "process.h"

/* (netopt--configure-child CLIENT SERVER): configure CLIENT, a
   connection Emacs accepted for SERVER, an adopted server process.
   CLIENT's socket is located by its own addresses (an accepted TCP
   connection's are unique).  Returns t.  */
emacs_value
Fnetopt_configure_child (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                         void *data)
{
  (void)nargs;
  (void)data;
  struct sock_handle *srv = proc_handle (env, args[1]);
  struct sock_handle *client = srv ? proc_handle (env, args[0]) : NULL;
  if (!client)
    return NULL;
  if (!opt_configure_child (env, &client->sock, srv->child_options,
                            srv->child_count))
    return NULL;
  proc_facts (client)->adopted = proc_facts (srv)->adopted;
  for (size_t i = 0; i < srv->child_count; i++)
    if (!proc_after_set (env, args[0], client, &srv->child_options[i]))
      return NULL;
  return Q.t;
}
