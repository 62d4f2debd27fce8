/* contact.c --- what Emacs says of a network process: its contact,
   read without waiting for a socket Emacs is still making (unless the
   call under way may wait), and the errors that name a process.  */

#include "process.h"

#if defined EMACS_MAJOR_VERSION && EMACS_MAJOR_VERSION >= 27
/* (with-timeout (0 nil) (process-contact PROCESS KEY)): Emacs waits
   for a connecting process's socket only while it has none (a name
   being resolved); the timer, due at once, ends that wait before it
   starts, and an existing socket's contact comes back at once.  */
static emacs_value
contact_without_waiting (emacs_env *env, emacs_value process, emacs_value key)
{
  emacs_value quoted[2] = { Q.quote, process };
  emacs_value call[3] = { Q.process_contact, NULL, NULL };
  call[1] = lisp_list (env, 2, quoted);
  quoted[1] = key;
  call[2] = call[1] ? lisp_list (env, 2, quoted) : NULL;
  emacs_value spec[2] = { env->make_integer (env, 0), Q.nil };
  emacs_value form[3] = { Q.with_timeout, NULL, NULL };
  form[1] = call[2] ? lisp_list (env, 2, spec) : NULL;
  form[2] = form[1] ? lisp_list (env, 3, call) : NULL;
  emacs_value whole = form[2] ? lisp_list (env, 3, form) : NULL;
  return whole ? env->funcall (env, Q.eval, 2, (emacs_value[]){ whole, Q.t })
               : NULL;
}

#endif

/* Whether the call under way may wait for a socket Emacs is still
   making, as Emacs's own set-network-process-option does: setting may,
   reading never does.  */
static bool may_wait;

bool
proc_may_wait (bool wait)
{
  bool old = may_wait;
  may_wait = wait;
  return old;
}

emacs_value
proc_contact (emacs_env *env, emacs_value process, emacs_value key)
{
  if (may_wait)
    return env->funcall (env, Q.process_contact, 2,
                         (emacs_value[]){ process, key });
#if defined EMACS_MAJOR_VERSION && EMACS_MAJOR_VERSION >= 27
  if (netopt_env_size >= (ptrdiff_t)sizeof (struct emacs_env_27))
    {
      emacs_value c = env->funcall (env, Q.process_contact, 3,
                                    (emacs_value[]){ process, key, Q.t });
      if (!c || !lisp_nilp (env, c))
        return c;
      /* nil: maybe a connecting process (Emacs 28 says nothing then),
         maybe one whose name is being resolved.  */
      emacs_value status = env->funcall (env, Q.process_status, 1, &process);
      if (!status || !env->eq (env, status, Q.connect))
        return status ? c : NULL;
      return contact_without_waiting (env, process, key);
    }
#endif
  return env->funcall (env, Q.process_contact, 2,
                       (emacs_value[]){ process, key });
}

bool
proc_not_found (emacs_env *env, emacs_value process, const char *why)
{
  emacs_value reason = lisp_string (env, why);
  if (!reason)
    return false;
  return lisp_signal (env, Q.err_not_found,
                      lisp_list (env, 2, (emacs_value[]){ process, reason }));
}

bool
proc_signal (emacs_env *env, emacs_value error, const char *what,
             emacs_value process)
{
  emacs_value items[2] = { what ? lisp_string (env, what) : process, process };
  if (!items[0])
    return false;
  return lisp_signal (env, error, lisp_list (env, what ? 2 : 1, items));
}
