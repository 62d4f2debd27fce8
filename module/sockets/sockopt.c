/* sockopt.c --- netopt-set-option, netopt-option and
   netopt--read-options on a TARGET: a SOCKET, or a network process
   (through the process layer's hooks).  The work is the option
   engine's.  */

#include "sockets.h"

/* (netopt-set-option TARGET OPTION VALUE &optional NO-ERROR) */
emacs_value
Fnetopt_set_option (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                    void *data)
{
  (void)data;
  bool no_error = nargs > 3 && env->is_not_nil (env, args[3]);
  bool process;
  struct sock_handle *s = sock_target (env, args[0], &process);
  if (!s)
    return NULL;
  struct opt_setting set;
  switch (opt_prepare (env, args[1], args[2], &s->sock, OPT_LATER, &set))
    {
    case OPT_OK:
      break;
    case OPT_REFUSED:
      /* Only netopt-unknown-option is pending: NO-ERROR quiets it.  */
      if (!no_error)
        return NULL;
      env->non_local_exit_clear (env);
      return Q.nil;
    case OPT_FAILED:
      return NULL;
    }
  int err = opt_kernel_set (s->sock.fd, s->sock.family, set.row, &set.value);
  if (err == 0)
    return !process || sock_after_set (env, args[0], s, &set) ? Q.t : NULL;
  opt_kernel_error (env, err, args[1], args[2]);
  if (no_error && env->non_local_exit_check (env) == emacs_funcall_exit_signal)
    {
      /* An option this kernel does not know is an unknown option too. */
      emacs_value sym, edata;
      env->non_local_exit_get (env, &sym, &edata);
      if (lisp_eq (env, sym, Q.err_unknown_option))
        {
          env->non_local_exit_clear (env);
          return Q.nil;
        }
    }
  return NULL;
}

/* (netopt-option TARGET OPTION) */
emacs_value
Fnetopt_option (emacs_env *env, ptrdiff_t nargs, emacs_value *args, void *data)
{
  (void)data;
  (void)nargs;
  struct sock_handle *s = sock_target (env, args[0], NULL);
  if (!s)
    return NULL;
  const struct opt_row *row = opt_lookup (env, args[1]);
  LISP_CHECK (env);
  if (!row)
    {
      opt_signal_unknown (env, args[1], NULL);
      return NULL;
    }
  if (!opt_applies (row, s->sock.family, s->sock.type))
    {
      opt_signal_unknown (env, args[1],
                          "does not apply to this kind of socket");
      return NULL;
    }
  return opt_read (env, &s->sock, row, false);
}

/* (netopt--read-options TARGET) */
emacs_value
Fnetopt_read_options (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                      void *data)
{
  (void)data;
  (void)nargs;
  struct sock_handle *s = sock_target (env, args[0], NULL);
  if (!s)
    return NULL;
  return opt_read_all (env, &s->sock);
}
