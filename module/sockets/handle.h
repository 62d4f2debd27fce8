/* handle.h --- socket handles: the Lisp SOCKET object.

   A SOCKET is a user-ptr whose finalizer is sock_finalize; that is how
   a handle is told from any other module's user-ptr.  A handle owns its
   descriptor (a socket made by the module) or borrows it (the socket of
   an Emacs network process, never closed here).  A closed handle has
   fd -1, so a descriptor is closed at most once.  */

#ifndef NETOPT_SOCKETS_HANDLE_H
#define NETOPT_SOCKETS_HANDLE_H

#include "../options/engine.h"

#include <sys/socket.h>
#include <sys/types.h>

struct sock_handle
{
  struct opt_socket sock; /* fd (-1 once closed), family, type */
  bool owned;             /* the module closes it; false for Emacs's */
  bool listening;
  bool server;   /* made with :server non-nil */
  bool server_t; /* :server t (else :server was the backlog) */
  int backlog;
  char *name;         /* :name */
  char *host;         /* :host as given, or an accepted child's peer */
  char *service_name; /* :service when a name (or a local file) */
  int service_port;   /* :service as a port; -1: t (any), -2: none */
  ino_t ino;          /* a process's: its socket's inode, the fact that
                         tells it is still that process's socket */
  bool configured;    /* a process's: netopt set an option on it */
  bool adopted;       /* a process's: netopt made its socket */
  /* A process netopt is still connecting (pending.c): its descriptor
     holds a placeholder, PLACEHOLDER_FD and _INO, and SOCK is the
     connection in progress (fd -1 between attempts).  */
  bool pending;
  int placeholder_fd;
  ino_t placeholder_ino;
  /* An unconnected datagram client's remote, where it sends (Emacs's
     datagram address); target_len 0 when there is none.  */
  struct sockaddr_storage target;
  socklen_t target_len;
  struct opt_setting *child_options; /* :child-options, sized to them */
  size_t child_count;
};

/* A new handle for FD, with NAME copied.  NULL on memory exhaustion
   (FD is then left to the caller).  */
struct sock_handle *sock_new (int fd, int family, int type, bool owned,
                              const char *name);

/* A new handle made of PROTO (its name set): its descriptor, owned when
   OWNED, and what it holds move to the handle, PROTO is left empty.
   NULL on memory exhaustion (PROTO is then left as it was).  */
struct sock_handle *sock_take (struct sock_handle *proto, bool owned);

/* Free what S holds (its strings and child options), not S itself:
   for a handle, or a prototype that never became one.  */
void sock_clear (struct sock_handle *s);

/* Make the module's registry of sockets (at load time).  */
bool sock_init_registry (emacs_env *env);

/* Wrap S in a Lisp SOCKET object.  On failure S is freed and its
   descriptor closed (when owned); NULL is returned.  */
emacs_value sock_wrap (emacs_env *env, struct sock_handle *s);

/* Close S's descriptor if it owns one.  Returns 0 or an errno value.  */
int sock_close (struct sock_handle *s);

/* Is FD owned by an open handle?  */
bool sock_fd_is_owned (int fd);

/* Close FD on an error path, where an error is already pending: the
   descriptor is released whatever close reports.  */
void sock_release_fd (int fd);

/* How many seconds a close of FD lingers (SO_LINGER on, for more than
   0 seconds); 0 when it does not.  */
int sock_linger_seconds (int fd);

/* Turn FD's linger off: close(2) then returns at once, and the kernel
   still sends what is queued.  */
void sock_linger_off (int fd);

/* Signal netopt-system-error (WHAT ERR's text NAME), NAME being S's.
   Returns false.  */
bool sock_system_error (emacs_env *env, const char *what, int err,
                        const struct sock_handle *s);

void sock_finalize (void *p) EMACS_NOEXCEPT;

/* The handle V designates, or NULL without an exit pending when V is
   no SOCKET (or NULL with one, when asking failed).  */
struct sock_handle *sock_handle_of (emacs_env *env, emacs_value v);
/* The same for V known to be a user-ptr.  */
struct sock_handle *sock_handle_of_user_ptr (emacs_env *env, emacs_value v);

/* The handle V designates, or NULL with an exit pending:
   wrong-type-argument for anything but a SOCKET, netopt-closed when
   it is closed (unless ALLOW_CLOSED).  */
struct sock_handle *sock_from_lisp (emacs_env *env, emacs_value v,
                                    bool allow_closed);

/* Signal netopt-closed for S.  Returns false.  */
bool sock_signal_closed (emacs_env *env, const struct sock_handle *s);

#endif
