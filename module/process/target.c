/* target.c --- the functions whose TARGET is a netopt SOCKET or a
   network process: options, raw options, multicast membership.  A
   process becomes the borrowed handle of its socket (registry.c); the
   work is the socket layer's and the option engine's.  A setting on a
   process also brings its contact in step.  */

#include "process.h"

struct sock_handle *
proc_target (emacs_env *env, emacs_value target, bool *process)
{
  /* The process looked up last needs no type-of; otherwise one
     type-of tells a socket from a process: this is every call's
     path.  */
  if (proc_is_memo (env, target))
    {
      if (process)
        *process = true;
      return proc_handle_of_process (env, target);
    }
  emacs_value type = env->type_of (env, target);
  LISP_CHECK (env);
  bool is_process = env->eq (env, type, Q.process_type);
  if (process)
    *process = is_process;
  if (is_process)
    return proc_handle_of_process (env, target);
  struct sock_handle *s = env->eq (env, type, Q.user_ptr_type)
                              ? sock_handle_of_user_ptr (env, target)
                              : NULL;
  LISP_CHECK (env);
  if (!s)
    lisp_wrong_type (env, Q.processp, target);
  else if (s->sock.fd < 0)
    sock_signal_closed (env, s);
  return s && s->sock.fd >= 0 ? s : NULL;
}

/* Put KEY VALUE into CONTACT, the live plist Emacs returns; only when
   it is already there unless ADD.  */
static bool
contact_put (emacs_env *env, emacs_value contact, emacs_value key,
             emacs_value value, bool add)
{
  if (!add)
    {
      emacs_value member = env->funcall (env, Q.plist_member, 2,
                                         (emacs_value[]){ contact, key });
      LISP_CHECK_BOOL (env);
      if (lisp_nilp (env, member))
        return true;
    }
  env->funcall (env, Q.plist_put, 3, (emacs_value[]){ contact, key, value });
  return !LISP_PENDING (env);
}

bool
proc_after_set (emacs_env *env, emacs_value process, struct sock_handle *s,
                const struct opt_setting *set)
{
  proc_facts (s)->configured = true; /* for listings */
  const struct opt_row *affected
      = set->row->affects ? opt_row_named (set->row->affects) : NULL;
  if (!set->row->manual && !affected)
    return true;
  emacs_value contact = proc_steady_contact (env, process);
  LISP_CHECK_BOOL (env);
  if (set->row->manual)
    {
      struct opt_reading r = { .type = set->row->type };
      r.u.value = set->value;
      emacs_value v = opt_reading_to_lisp (env, set->row, &r);
      if (!v || !contact_put (env, contact, opt_keyword (set->row), v, true))
        return false;
    }
  if (affected)
    {
      emacs_value v = opt_read (env, &s->sock, affected, true);
      LISP_CHECK_BOOL (env);
      if (v && !contact_put (env, contact, opt_keyword (affected), v, false))
        return false;
    }
  return true;
}

/* (netopt-set-option TARGET OPTION VALUE &optional NO-ERROR) */
emacs_value
Fnetopt_set_option (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                    void *data)
{
  (void)data;
  bool no_error = nargs > 3 && env->is_not_nil (env, args[3]);
  bool process;
  /* As Emacs's set-network-process-option, a setting waits for the
     socket of a process whose name is being resolved.  */
  bool old = proc_may_wait (true);
  struct sock_handle *s = proc_target (env, args[0], &process);
  proc_may_wait (old);
  if (!s)
    return NULL;
  struct opt_setting set;
  enum opt_outcome r
      = opt_prepare (env, args[1], args[2], &s->sock, OPT_LATER, &set);
  if (r == OPT_OK)
    r = opt_apply (env, &s->sock, &set, args[2]);
  if (r == OPT_REFUSED && no_error)
    {
      /* Only netopt-unknown-option is pending: NO-ERROR quiets it.  */
      env->non_local_exit_clear (env);
      return Q.nil;
    }
  if (r != OPT_OK)
    return NULL;
  return !process || proc_after_set (env, args[0], s, &set) ? Q.t : NULL;
}

/* (netopt-option TARGET OPTION) */
emacs_value
Fnetopt_option (emacs_env *env, ptrdiff_t nargs, emacs_value *args, void *data)
{
  (void)data;
  (void)nargs;
  struct sock_handle *s = proc_target (env, args[0], NULL);
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
  struct sock_handle *s = proc_target (env, args[0], NULL);
  return s ? opt_read_all (env, &s->sock) : NULL;
}

/* Hand S, TARGET's socket (ARGS[0]), to WORK of the socket layer.  */
static emacs_value
on_target (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
           emacs_value (*work) (emacs_env *, struct sock_handle *, ptrdiff_t,
                                emacs_value *))
{
  struct sock_handle *s = proc_target (env, args[0], NULL);
  return s ? work (env, s, nargs, args) : NULL;
}

/* (netopt-join-group TARGET GROUP &optional INTERFACE) */
emacs_value
Fnetopt_join_group (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                    void *data)
{
  (void)data;
  return on_target (env, nargs, args, sock_join_group);
}

/* (netopt-leave-group TARGET GROUP &optional INTERFACE) */
emacs_value
Fnetopt_leave_group (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                     void *data)
{
  (void)data;
  return on_target (env, nargs, args, sock_leave_group);
}

/* (netopt-set-raw-option TARGET LEVEL OPTNAME VALUE) */
emacs_value
Fnetopt_set_raw_option (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                        void *data)
{
  (void)data;
  return on_target (env, nargs, args, sock_set_raw_option);
}

/* (netopt-raw-option TARGET LEVEL OPTNAME &optional LENGTH) */
emacs_value
Fnetopt_raw_option (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                    void *data)
{
  (void)data;
  return on_target (env, nargs, args, sock_raw_option);
}
