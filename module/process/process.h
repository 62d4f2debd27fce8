/* process.h --- Emacs's own network processes.

   Emacs does not tell a module which descriptor a process uses.  This
   layer finds it and owns the answer:

     fds.c       the one walk over this Emacs's descriptors, the kind
                 of socket one holds, and the snapshot that tells a
                 new socket from the others;
     locate.c    the descriptor that is a process's socket, from what
                 process-contact knows;
     probe.c     the :priority probe, when that is not enough;
     contact.c   a process's contact, read without waiting, and the
                 errors that name a process;
     registry.c  process -> borrowed handle of its socket, weak in the
                 process, looked up first on every call;
     adopt.c     a socket netopt made, put in a placeholder process,
                 and the accepted connections of an adopted server;
     pending.c   a :nowait connection netopt makes in the background,
                 its process a placeholder until the hand-over;
     target.c    the functions whose TARGET is a SOCKET or a process.

   Nothing here calls netopt's own Lisp: the Lisp layer calls these.  */

#ifndef NETOPT_PROCESS_PROCESS_H
#define NETOPT_PROCESS_PROCESS_H

#include "../sockets/sockets.h"

#include <sys/stat.h>

/* What the process layer knows of the socket of an Emacs process,
   beside its handle (the handle's facts): made with the handle by
   proc_new_handle, freed with it.  */
struct proc_facts
{
  ino_t ino;       /* its socket's inode, the fact that tells it is
                      still that process's socket */
  bool configured; /* netopt set an option on it */
  bool adopted;    /* netopt made its socket */
  /* A process netopt is still connecting (pending.c): its descriptor
     holds a placeholder, PLACEHOLDER_FD and _INO, and the handle's
     socket is the connection in progress (fd -1 between attempts).  */
  bool pending;
  int placeholder_fd;
  ino_t placeholder_ino;
};

/* The facts of S, a handle made by proc_new_handle (every handle the
   registry holds).  */
static inline struct proc_facts *
proc_facts (const struct sock_handle *s)
{
  return s->facts;
}

/* fds.c */
typedef bool (*proc_fd_visitor) (int fd, void *data);
/* Call VISIT on each open descriptor until it returns false.  Returns
   0 or the errno value of a failed walk.  */
int proc_each_fd (proc_fd_visitor visit, void *data);
/* Is FD a socket that is not netopt's own?  *ST gets its fstat.  */
bool proc_is_foreign_socket (int fd, struct stat *st);

/* A kind of socket: family, type and whether it listens (-1: either). */
struct proc_kind
{
  int family, type, listening;
};
/* Is FD a socket of KIND: its family, type and role?  */
bool proc_fd_is_kind (int fd, const struct proc_kind *kind);
/* The same without the family, which the caller has checked.  */
bool proc_fd_type_is (int fd, const struct proc_kind *kind);

/* Descriptors, each with its socket's inode: those that other
   processes' sockets hold, which a search excludes (a descriptor Emacs
   has since closed or reused holds another inode and so excludes
   nothing), or a search's candidates.  The one shape of a list of
   descriptors here.  Grown as needed, never cut: proc_fds_add says
   when it cannot grow.  Starts as { NULL, NULL, 0, 0 }.  */
struct proc_fds
{
  int *fd;
  ino_t *ino;
  size_t n, cap;
};
/* Is FD, holding the socket of inode INO, one of FDS?  */
bool proc_fds_has (const struct proc_fds *fds, int fd, ino_t ino);
void proc_fds_free (struct proc_fds *fds);
/* Is S's descriptor still the socket it was registered with?  */
bool proc_same_socket (const struct sock_handle *s);

/* The one socket descriptor of KIND (any kind when NULL) that the
   snapshot BEFORE does not list, not one of EXCLUDE, or -1: *COUNT
   says how many there were, and an exit is pending only when looking
   failed.  */
int proc_new_socket (emacs_env *env, emacs_value before,
                     const struct proc_kind *kind,
                     const struct proc_fds *exclude, size_t *count);

/* locate.c */
/* The descriptor of network PROCESS's socket, not one of EXCLUDE, or -1
   with an exit pending (netopt-socket-not-found unless exactly one).  */
int proc_locate (emacs_env *env, emacs_value process,
                 const struct proc_fds *exclude);

/* FD when it is network PROCESS's socket, of KIND, by facts that no
   other socket can share (a listening socket's bound address, a TCP
   connection's two addresses, as PROCESS's contact shows them) and not
   one of EXCLUDE; -1 otherwise, an exit pending only when asking
   failed.  */
int proc_locate_at (emacs_env *env, emacs_value process, int fd,
                    const struct proc_kind *kind,
                    const struct proc_fds *exclude);

/* probe.c */
/* At most this many candidates are probed (and located).  */
#define PROC_PROBE_MAX 64
/* The one descriptor of CANDIDATES (distinct sockets, at most
   PROC_PROBE_MAX) that is PROCESS's socket, or -1 (an exit pending
   only when something other than the probe failed).  Whatever
   happens, every candidate gets its :priority back and the contact
   its :priority entry (or none): a probe leaves no trace.  */
int proc_probe (emacs_env *env, emacs_value process,
                const struct proc_fds *candidates);

/* contact.c */
/* PROCESS's contact (KEY t: the whole plist), never waiting for a name
   being resolved or a connection being made: nil while Emacs has no
   socket for PROCESS (Emacs 27 and later; earlier ones cannot say).  */
emacs_value proc_contact (emacs_env *env, emacs_value process,
                          emacs_value key);
/* Let the calls that follow wait for a socket Emacs is still making
   (WAIT), or not; the previous setting is returned.  */
bool proc_may_wait (bool wait);
/* Signal netopt-socket-not-found for PROCESS, saying WHY.  */
bool proc_not_found (emacs_env *env, emacs_value process, const char *why);
/* Signal ERROR (WHAT PROCESS), or (PROCESS) when WHAT is NULL.
   Returns false.  */
bool proc_signal (emacs_env *env, emacs_value error, const char *what,
                  emacs_value process);

/* registry.c */
/* Make the registry (at load time).  */
bool proc_init (emacs_env *env);
/* The borrowed handle of PROCESS's socket, located on the first call;
   NULL with an exit pending: wrong-type-argument, netopt-not-network,
   netopt-closed, netopt-socket-not-found.  */
struct sock_handle *proc_handle (emacs_env *env, emacs_value process);
/* Is OBJECT the process looked up last (so a process object)?  */
bool proc_is_memo (emacs_env *env, emacs_value object);
/* PROCESS's whole contact, as proc_contact gives it (KEY t), kept
   with the memo while PROCESS's socket is steady (registry.c).  Only
   right after proc_handle_of_process found PROCESS's socket.  */
emacs_value proc_steady_contact (emacs_env *env, emacs_value process);
/* The same for PROCESS known to be a process object.  */
struct sock_handle *proc_handle_of_process (emacs_env *env,
                                            emacs_value process);
/* The descriptors of the live registered processes that still hold
   the socket they were registered with, which no other process can
   have, into *OUT (proc_fds_free frees it); the handles of processes
   no longer live let go of theirs.  False with an exit pending.  */
bool proc_live_fds (emacs_env *env, struct proc_fds *out);
/* A new borrowed handle for FD (-1: none yet) of FAMILY and TYPE,
   named NAME, with its facts (all zero).  NULL with an exit pending.  */
struct sock_handle *proc_new_handle (emacs_env *env, int fd, int family,
                                     int type, const char *name);
/* Register descriptor FD as PROCESS's socket (ADOPTED: netopt made
   it); the new borrowed handle, or NULL with an exit pending.  */
struct sock_handle *proc_register (emacs_env *env, emacs_value process, int fd,
                                   bool adopted);

/* PROCESS's registered handle, whatever it holds, or NULL (an exit
   pending only when asking failed).  */
struct sock_handle *proc_registered (emacs_env *env, emacs_value process);
/* Register S, a new handle of proc_new_handle, as PROCESS's.  On failure S is
   freed and NULL returned with an exit pending.  */
struct sock_handle *proc_register_handle (emacs_env *env, emacs_value process,
                                          struct sock_handle *s);
/* Forget PROCESS's handle S.  */
void proc_forget (emacs_env *env, emacs_value process, struct sock_handle *s);

/* fds.c */
/* The pairs of SNAPSHOT, a value of netopt--socket-fds, added to *OUT.
   False with an exit pending.  */
bool proc_fds_of_snapshot (emacs_env *env, emacs_value snapshot,
                           struct proc_fds *out);
/* Add FD and INO to FDS.  False when memory is exhausted (FDS is then
   as it was).  */
bool proc_fds_add (struct proc_fds *fds, int fd, ino_t ino);

/* target.c */
/* The handle of TARGET, a live SOCKET or network process; *PROCESS,
   when non-NULL, says which.  NULL with an exit pending.  */
struct sock_handle *proc_target (emacs_env *env, emacs_value target,
                                 bool *process);
/* SET was applied to S, PROCESS's socket: the manual's options in the
   contact hold the kernel's values, side effects included.  */
bool proc_after_set (emacs_env *env, emacs_value process,
                     struct sock_handle *s, const struct opt_setting *set);

NETOPT_PRIMITIVE (Fnetopt_socket_fds);
NETOPT_PRIMITIVE (Fnetopt_spare_fds);
NETOPT_PRIMITIVE (Fnetopt_pending_remote);
NETOPT_PRIMITIVE (Fnetopt_pending_release);
NETOPT_PRIMITIVE (Fnetopt_wake_listen);
NETOPT_PRIMITIVE (Fnetopt_wake_accept);
NETOPT_PRIMITIVE (Fnetopt_pending_start);
NETOPT_PRIMITIVE (Fnetopt_pending_attempt);
NETOPT_PRIMITIVE (Fnetopt_pending_finish);
NETOPT_PRIMITIVE (Fnetopt_process_socket);
NETOPT_PRIMITIVE (Fnetopt_process_owner);
NETOPT_PRIMITIVE (Fnetopt_process_forget);
NETOPT_PRIMITIVE (Fnetopt_adopt);
NETOPT_PRIMITIVE (Fnetopt_adopt_before);
NETOPT_PRIMITIVE (Fnetopt_configure_child);
NETOPT_PRIMITIVE (Fnetopt_set_option);
NETOPT_PRIMITIVE (Fnetopt_option);
NETOPT_PRIMITIVE (Fnetopt_read_options);
NETOPT_PRIMITIVE (Fnetopt_join_group);
NETOPT_PRIMITIVE (Fnetopt_leave_group);
NETOPT_PRIMITIVE (Fnetopt_set_raw_option);
NETOPT_PRIMITIVE (Fnetopt_raw_option);

#endif
