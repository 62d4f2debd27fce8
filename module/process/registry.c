/* registry.c --- which socket is a network process's: the one owner of
   that fact.  The module keeps a hash table, weak in its keys, from
   process object to the borrowed handle of its socket (never in the
   process plist: Emacs copies a server's plist into every connection
   it accepts).  A process is looked up there first, so that a repeated
   call costs a `gethash' (an `eq' for the same process again) and an
   fstat (or only a `process-status', see LAST); only the first call
   on a process locates its socket (locate.c).  A handle is used only while its
   descriptor still holds the socket it was registered with, told by the
   socket's inode: Emacs closes a deleted process's socket, replaces a
   connecting process's when it falls back to the next address, and the kernel
   reuses the number at once, so a live process alone proves nothing.  A handle
   that fails the test is forgotten and the socket located again.  */

#include "process.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

static emacs_value table;

/* The process looked up last and its handle, as global references: a
   repeated call on one process costs an `eq' instead of a `gethash'.
   A memo of the table, never an answer of its own: it is replaced on
   each lookup of another process and dropped with its entry.

   STEADY_FD and STEADY_INO (fd -1: none) are the socket the handle
   held when its inode was last checked while PROCESS's status was
   `open' or `listen'.  While the status is still one of those, the
   descriptor is still that socket, without a new fstat, for Emacs
   (28 to 30, src/process.c) changes a network process's socket only
   in two ways:

   - it replaces it only in connect_network_socket, trying the next
     address of a connection that failed, and that is only while the
     status is (connect . ADDRESSES): `connect', or `stop' for a
     connection made with :stop t or stopped by stop-process, whose
     status (p->command t) says `stop' whatever the connection does;
     `open' is a status of Qrun and `listen' of Qlisten, which
     connect_network_socket leaves for good (a synchronous client is
     Qrun from make_process on, its attempts all made inside
     make-network-process, before any Lisp or module can see it);
   - it closes it only in deactivate_process, and every caller sets a
     status that is no longer `open' or `listen' before any Lisp can
     run: delete-process (exit 0: `closed'), end of file or a read
     error, a write's EPIPE (exit 256: `closed'), a failed connection,
     TLS or NSM check (`failed').  process-send-eof shuts the socket
     down and closes only the write descriptor of a subprocess, never
     a network process's socket (open_fd[SUBPROCESS_STDIN]).

   No status comes back to `open' or `listen' from `closed' or
   `failed', and netopt's own replacements (adopt.c's dup3, pending.c's
   hand-over) register a new handle (the memo dropped) or change the
   handle's descriptor and inode, which then differ from STEADY_FD and
   STEADY_INO.  In any other status, and for a pending process, the
   inode is checked on every call.  */
static struct
{
  emacs_value process, handle;
  struct sock_handle *s;
  int steady_fd;
  ino_t steady_ino;
  /* PROCESS's whole contact (NULL: not asked yet), read while its
     socket was steady: Emacs's own plist, p->childp, which Emacs never
     replaces once the process has its socket (set-process-filter,
     set-process-sentinel, set-network-process-option and a
     datagram's :remote are plist-put into it, in place).  */
  emacs_value contact;
} last = { .steady_fd = -1 };

static void
contact_drop (emacs_env *env)
{
  if (last.contact)
    env->free_global_ref (env, last.contact);
  last.contact = NULL;
}

static void
memo_drop (emacs_env *env)
{
  if (last.process)
    {
      env->free_global_ref (env, last.process);
      env->free_global_ref (env, last.handle);
    }
  contact_drop (env);
  last.process = last.handle = NULL;
  last.s = NULL;
  last.steady_fd = -1;
}

static void
memo_put (emacs_env *env, emacs_value process, emacs_value handle,
          struct sock_handle *s)
{
  memo_drop (env);
  emacs_value p = env->make_global_ref (env, process);
  emacs_value h
      = LISP_PENDING (env) ? NULL : env->make_global_ref (env, handle);
  if (LISP_PENDING (env))
    {
      env->non_local_exit_clear (env); /* only an aid */
      if (p)
        env->free_global_ref (env, p);
      return;
    }
  last.process = p;
  last.handle = h;
  last.s = s;
}

bool
proc_init (emacs_env *env)
{
  table = lisp_weak_table (env);
  return table != NULL;
}

/* The handle the table holds for PROCESS, or NULL (*VALUE too) when it
   holds none; NULL with an exit pending when asking failed.  */
static struct sock_handle *
registered (emacs_env *env, emacs_value process, emacs_value *value)
{
  if (last.process && env->eq (env, process, last.process))
    {
      *value = last.handle;
      return last.s;
    }
  emacs_value h
      = env->funcall (env, Q.gethash, 2, (emacs_value[]){ process, table });
  *value = NULL;
  if (LISP_PENDING (env) || lisp_nilp (env, h))
    return NULL;
  *value = h;
  /* Every value of the table is a handle made by proc_register.  */
  struct sock_handle *s = env->get_user_ptr (env, h);
  if (LISP_PENDING (env))
    return NULL;
  memo_put (env, process, h, s);
  return s;
}

static bool
live_p (emacs_env *env, emacs_value process)
{
  emacs_value live = env->funcall (env, Q.process_live_p, 1, &process);
  return !LISP_PENDING (env) && !lisp_nilp (env, live);
}

/* The descriptors of live registered processes that still hold their
   sockets, which no other process can have; the handles of processes no
   longer live let go of theirs (Emacs closed them).  */
static emacs_value
sweep_entry (emacs_env *env, ptrdiff_t nargs, emacs_value *args, void *data)
{
  (void)nargs;
  struct proc_fds *sw = data;
  struct sock_handle *s = sock_handle_of (env, args[1]);
  struct proc_facts *f = s ? proc_facts (s) : NULL;
  if (!s || (s->sock.fd < 0 && !f->pending))
    return Q.nil;
  if (!f->pending && !live_p (env, args[0]))
    {
      if (!LISP_PENDING (env))
        s->sock.fd = -1;
      return Q.nil;
    }
  if (proc_same_socket (s) && !proc_fds_add (sw, s->sock.fd, f->ino))
    lisp_out_of_memory (env);
  /* A pending process's placeholder is no other process's either.  */
  if (f->pending && !proc_fds_add (sw, f->placeholder_fd, f->placeholder_ino))
    lisp_out_of_memory (env);
  return Q.nil;
}

bool
proc_live_fds (emacs_env *env, struct proc_fds *sw)
{
  *sw = (struct proc_fds){ NULL, NULL, 0, 0 };
  emacs_value fn = env->make_function (env, 2, 2, sweep_entry, NULL, sw);
  if (!LISP_PENDING (env))
    env->funcall (env, Q.maphash, 2, (emacs_value[]){ fn, table });
  if (LISP_PENDING (env))
    proc_fds_free (sw);
  return !LISP_PENDING (env);
}

struct sock_handle *
proc_register (emacs_env *env, emacs_value process, int fd, bool adopted)
{
  int family = 0, type = 0;
  socklen_t len = sizeof type;
  struct stat st;
  if (compat_socket_family (fd, &family) != 0
      || getsockopt (fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0
      || fstat (fd, &st) != 0)
    {
      lisp_system_error (env, "Cannot use descriptor", errno, 1, &process);
      return NULL;
    }
  emacs_value name = env->funcall (env, Q.process_name, 1, &process);
  char *cname = LISP_PENDING (env) ? NULL : lisp_copy_string (env, name, NULL);
  if (!cname)
    return NULL;
  struct sock_handle *s = proc_new_handle (env, fd, family, type, cname);
  free (cname);
  if (!s)
    return NULL;
  proc_facts (s)->adopted = adopted;
  proc_facts (s)->ino = st.st_ino;
  return proc_register_handle (env, process, s);
}

struct sock_handle *
proc_new_handle (emacs_env *env, int fd, int family, int type,
                 const char *name)
{
  struct proc_facts *f = calloc (1, sizeof *f);
  struct sock_handle *s = f ? sock_new (fd, family, type, false, name) : NULL;
  if (!s)
    {
      free (f);
      lisp_out_of_memory (env);
      return NULL;
    }
  s->facts = f;
  s->release_facts = free;
  return s;
}

struct sock_handle *
proc_register_handle (emacs_env *env, emacs_value process,
                      struct sock_handle *s)
{
  emacs_value h = sock_wrap (env, s);
  if (!h)
    return NULL;
  memo_drop (env);
  env->funcall (env, Q.puthash, 3, (emacs_value[]){ process, h, table });
  return LISP_PENDING (env) ? NULL : s;
}

/* A process no registered handle serves: check it and locate its
   socket.  */
static struct sock_handle *
first_call (emacs_env *env, emacs_value process)
{
  emacs_value type = env->funcall (env, Q.process_type_of, 1, &process);
  LISP_CHECK (env);
  if (!env->eq (env, type, Q.network))
    return proc_signal (env, Q.err_not_network, NULL, process), NULL;
  bool live = live_p (env, process);
  LISP_CHECK (env);
  if (!live)
    return proc_signal (env, Q.err_closed, "Process is not running", process),
           NULL;
  struct proc_fds sw;
  if (!proc_live_fds (env, &sw))
    return NULL;
  int fd = proc_locate (env, process, &sw);
  proc_fds_free (&sw);
  return fd < 0 ? NULL : proc_register (env, process, fd, false);
}

struct sock_handle *
proc_handle (emacs_env *env, emacs_value process)
{
  /* Never let Emacs's process functions see a non-process: Emacs 28.2
     overflows a buffer on (process-type LONG-STRING).  */
  if (!lisp_is_type (env, process, Q.process_type))
    {
      LISP_CHECK (env);
      lisp_wrong_type (env, Q.processp, process);
      return NULL;
    }
  return proc_handle_of_process (env, process);
}

/* Forget S, PROCESS's handle: its descriptor is no longer the socket
   it was registered with (Emacs closed it, or replaced it when falling
   back to the next address, and the number may hold another socket).  */
void
proc_forget (emacs_env *env, emacs_value process, struct sock_handle *s)
{
  s->sock.fd = -1;
  memo_drop (env);
  env->funcall (env, Q.remhash, 2, (emacs_value[]){ process, table });
}

bool
proc_is_memo (emacs_env *env, emacs_value object)
{
  return last.process && env->eq (env, object, last.process);
}

/* Is PROCESS's status `open' or `listen' (*STEADY)?  False with an
   exit pending when asking failed.  */
static bool
steady_status (emacs_env *env, emacs_value process, bool *steady)
{
  emacs_value status = env->funcall (env, Q.process_status, 1, &process);
  LISP_CHECK_BOOL (env);
  *steady = env->eq (env, status, Q.open) || env->eq (env, status, Q.listen);
  return true;
}

/* Is S, PROCESS's handle of the memo, still its socket?  One
   `process-status' while the memo's socket is steady (see LAST), else
   that and an fstat.  */
static bool
still_its_socket (emacs_env *env, emacs_value process, struct sock_handle *s)
{
  const struct proc_facts *f = proc_facts (s);
  if (f->pending || s != last.s)
    return proc_same_socket (s);
  bool steady;
  if (!steady_status (env, process, &steady))
    return false;
  if (steady && s->sock.fd == last.steady_fd && f->ino == last.steady_ino)
    return true;
  if (!proc_same_socket (s))
    return false;
  last.steady_fd = steady ? s->sock.fd : -1;
  last.steady_ino = f->ino;
  if (!steady)
    contact_drop (env);
  return true;
}

emacs_value
proc_steady_contact (emacs_env *env, emacs_value process)
{
  bool memo = last.steady_fd >= 0 && proc_is_memo (env, process);
  if (memo && last.contact)
    return last.contact;
  emacs_value contact = proc_contact (env, process, Q.t);
  if (!memo || !contact || lisp_nilp (env, contact))
    return contact;
  last.contact = env->make_global_ref (env, contact);
  if (LISP_PENDING (env))
    {
      env->non_local_exit_clear (env); /* only an aid */
      last.contact = NULL;
    }
  return contact;
}

struct sock_handle *
proc_handle_of_process (emacs_env *env, emacs_value process)
{
  emacs_value h;
  struct sock_handle *s = registered (env, process, &h);
  LISP_CHECK (env);
  /* A descriptor is PROCESS's socket only while it holds the socket
     found or made for PROCESS: told by its inode, or by its status
     while the memo's socket is steady.  A deleted process's descriptor
     is closed at once, so it fails this too.  */
  bool same = s && still_its_socket (env, process, s);
  LISP_CHECK (env);
  if (same)
    return s;
  if (s && proc_facts (s)->pending)
    {
      /* Never the placeholder, never located: between attempts, or
         with its placeholder gone, the process has no socket.  */
      proc_signal (env, Q.err_closed, "Process has no socket yet", process);
      return NULL;
    }
  if (s)
    {
      proc_forget (env, process, s);
      LISP_CHECK (env);
    }
  return first_call (env, process);
}

struct sock_handle *
proc_registered (emacs_env *env, emacs_value process)
{
  emacs_value h;
  return registered (env, process, &h);
}

/* (netopt--process-socket PROCESS): the borrowed handle of network
   PROCESS's socket, located on the first call.  */
emacs_value
Fnetopt_process_socket (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                        void *data)
{
  (void)nargs;
  (void)data;
  if (!proc_handle (env, args[0]))
    return NULL;
  emacs_value h;
  registered (env, args[0], &h);
  return LISP_PENDING (env) ? NULL : h;
}

/* (netopt--process-owner PROCESS): `adopted' when netopt made
   PROCESS's socket, `tuned' when netopt set an option on it, nil
   otherwise.  Asks nothing of the kernel and locates nothing.  */
emacs_value
Fnetopt_process_owner (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                       void *data)
{
  (void)nargs;
  (void)data;
  emacs_value h;
  struct sock_handle *s = registered (env, args[0], &h);
  const struct proc_facts *f = s ? proc_facts (s) : NULL;
  return !f                         ? Q.nil
         : f->adopted || f->pending ? Q.adopted
         : f->configured            ? Q.tuned
                                    : Q.nil;
}

/* (netopt--process-forget PROCESS): forget which socket is PROCESS's,
   so that the next call locates it again (Emacs connecting to a host
   makes a new socket for each address it tries).  */
emacs_value
Fnetopt_process_forget (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                        void *data)
{
  (void)nargs;
  (void)data;
  emacs_value h;
  struct sock_handle *s = registered (env, args[0], &h);
  if (s)
    s->sock.fd = -1;
  memo_drop (env);
  if (h && !LISP_PENDING (env))
    env->funcall (env, Q.remhash, 2, (emacs_value[]){ args[0], table });
  return LISP_PENDING (env) ? NULL : Q.nil;
}
