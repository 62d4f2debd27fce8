/* child.c --- a connection a server accepted gets the kernel's defaults
   for every option accept(2) copied from the listener, then the
   server's :child-options: the one place that configures a child,
   whether netopt-accept took it or Emacs accepted it for a server that
   netopt-make-network-process made.  */

#include "engine.h"

bool
opt_configure_child (emacs_env *env, const struct opt_socket *s,
                     const struct opt_setting *child, size_t count)
{
  const struct opt_row *failed = NULL;
  int err = opt_reset_child (s->fd, s->family, s->type, &failed);
  if (err != 0)
    {
      emacs_value kw = failed ? opt_keyword (failed) : Q.nil;
      return lisp_system_error (
          env, "Cannot reset option of accepted connection", err, 1, &kw);
    }
  for (size_t i = 0; i < count; i++)
    if (OPT_OK != opt_apply (env, s, &child[i], NULL))
      return false;
  return true;
}
