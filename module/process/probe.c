/* probe.c --- which of several descriptors is a network process's
   socket, when its contact matches them all (datagram clients are
   neither bound nor connected, the children of a local server share
   one address): Emacs's own `set-network-process-option' changes
   :priority on exactly the process's socket, the descriptor whose
   :priority changed is the one, and everything is put back.  */

#include "process.h"

#include <errno.h>

static bool
priority_of (int fd, int *v)
{
  socklen_t len = sizeof *v;
  return getsockopt (fd, SOL_SOCKET, SO_PRIORITY, v, &len) == 0;
}

/* A :priority no candidate of C holds, or -1.  BEFORE gets each
   candidate's; without a readable :priority on each, no probe.  */
static int
probe_value (const struct proc_fds *c, int *before)
{
  for (size_t i = 0; i < c->n; i++)
    if (!priority_of (c->fd[i], &before[i]))
      return -1;
  static const int values[] = { 1, 2, 3, 4, 5, 6, 0 };
  for (size_t v = 0; v < sizeof values / sizeof values[0]; v++)
    {
      size_t i = 0;
      while (i < c->n && before[i] != values[v])
        i++;
      if (i == c->n)
        return values[v];
    }
  return -1;
}

/* Emacs sets :priority PROBE on PROCESS's socket; a failure is no
   answer.  Returns whether it did; an exit other than an error (C-g,
   a throw) is saved in EXIT for after the clean-up.  */
struct saved_exit
{
  enum emacs_funcall_exit kind;
  emacs_value symbol, data;
};

static bool
emacs_sets_priority (emacs_env *env, emacs_value process, int probe,
                     struct saved_exit *exit)
{
  emacs_value v = env->make_integer (env, probe);
  if (!LISP_PENDING (env))
    env->funcall (env, Q.set_network_process_option, 3,
                  (emacs_value[]){ process, Q.k_priority, v });
  exit->kind = env->non_local_exit_get (env, &exit->symbol, &exit->data);
  if (exit->kind == emacs_funcall_exit_return)
    return true;
  env->non_local_exit_clear (env);
  if (exit->kind == emacs_funcall_exit_signal
      && !env->eq (env, exit->symbol, Q.quit))
    exit->kind = emacs_funcall_exit_return; /* an error: no answer */
  return false;
}

/* Put back each candidate's :priority and the contact's entry; signal
   if the kernel refused to take a value back.  */
static bool
probe_restore (emacs_env *env, const struct proc_fds *c, const int *before,
               emacs_value contact, emacs_value entry)
{
  int err = 0;
  for (size_t i = 0; i < c->n; i++)
    {
      int now;
      if (priority_of (c->fd[i], &now) && now != before[i]
          && setsockopt (c->fd[i], SOL_SOCKET, SO_PRIORITY, &before[i],
                         sizeof before[i])
                 != 0
          && !err)
        err = errno;
    }
  if (err)
    return lisp_system_error (env, "Cannot restore option after probe", err, 1,
                              (emacs_value[]){ Q.k_priority });
  if (lisp_nilp (env, entry))
    return lisp_plist_remove (env, contact, Q.k_priority);
  emacs_value rest = env->funcall (env, Q.cdr_safe, 1, &entry);
  emacs_value old
      = LISP_PENDING (env) ? NULL : env->funcall (env, Q.car_safe, 1, &rest);
  if (!LISP_PENDING (env))
    env->funcall (env, Q.plist_put, 3,
                  (emacs_value[]){ contact, Q.k_priority, old });
  return !LISP_PENDING (env);
}

/* The one candidate of C whose :priority is PROBE, or -1.  */
static int
probe_hit (const struct proc_fds *c, int probe)
{
  int hit = -1;
  for (size_t i = 0; i < c->n; i++)
    {
      int now;
      if (priority_of (c->fd[i], &now) && now == probe)
        {
          if (hit >= 0)
            return -1;
          hit = c->fd[i];
        }
    }
  return hit;
}

int
proc_probe (emacs_env *env, emacs_value process, const struct proc_fds *c)
{
  if (c->n > PROC_PROBE_MAX)
    return -1;
  int before[PROC_PROBE_MAX];
  int value = probe_value (c, before);
  if (value < 0)
    return -1;
  emacs_value contact = proc_contact (env, process, Q.t);
  emacs_value entry
      = LISP_PENDING (env)
            ? NULL
            : env->funcall (env, Q.plist_member, 2,
                            (emacs_value[]){ contact, Q.k_priority });
  if (LISP_PENDING (env))
    return -1;
  struct saved_exit exit;
  int hit = emacs_sets_priority (env, process, value, &exit)
                ? probe_hit (c, value)
                : -1;
  if (!probe_restore (env, c, before, contact, entry))
    return -1;
  if (exit.kind == emacs_funcall_exit_signal)
    env->non_local_exit_signal (env, exit.symbol, exit.data);
  else if (exit.kind == emacs_funcall_exit_throw)
    env->non_local_exit_throw (env, exit.symbol, exit.data);
  return LISP_PENDING (env) ? -1 : hit;
}
