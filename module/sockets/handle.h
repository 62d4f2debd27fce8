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

/* A socket's :service, as it was made.  */
enum sock_service
{
  SOCK_SERVICE_NONE, /* nil */
  SOCK_SERVICE_ANY,  /* t: any free port, the kernel's choice */
  SOCK_SERVICE_PORT, /* a port number (PORT) */
  SOCK_SERVICE_NAME, /* a service name, or a local socket's file name */
};

/* What a socket was made as: the keywords of netopt--make-socket
   (create.c), or an accepted child's peer (accept.c); what
   netopt--socket-contact gives back (contact.c).  All zero for the
   socket of an Emacs process.  */
struct sock_origin
{
  bool server;   /* made with :server non-nil */
  bool server_t; /* :server t (else :server was the backlog) */
  int backlog;
  char *host; /* :host as given, or an accepted child's peer */
  enum sock_service service;
  int port;           /* SOCK_SERVICE_PORT's */
  char *service_name; /* SOCK_SERVICE_NAME's */
  /* An unconnected datagram client's remote, where it sends (Emacs's
     datagram address); target_len 0 when there is none.  */
  struct sockaddr_storage target;
  socklen_t target_len;
};

struct sock_handle
{
  struct opt_socket sock; /* fd (-1 once closed), family, type */
  bool owned;             /* the module closes it; false for Emacs's */
  bool listening;
  char *name;                        /* :name */
  struct sock_origin origin;         /* how it was made */
  struct opt_setting *child_options; /* :child-options, sized to them */
  size_t child_count;
  /* What the layer that borrows the handle keeps about it (the process
     layer, for the socket of an Emacs process): opaque here, given to
     RELEASE_FACTS, when set, as the handle is freed.  */
  void *facts;
  void (*release_facts) (void *facts);
};

/* A new handle for FD, with NAME copied.  NULL on memory exhaustion
   (FD is then left to the caller).  */
struct sock_handle *sock_new (int fd, int family, int type, bool owned,
                              const char *name);

/* A new handle made of PROTO (its name set): its descriptor, owned when
   OWNED, and what it holds move to the handle, PROTO is left empty.
   NULL on memory exhaustion (PROTO is then left as it was).  */
struct sock_handle *sock_take (struct sock_handle *proto, bool owned);

/* Free what S holds (its strings, child options and facts), not S
   itself: for a handle, or a prototype that never became one.  */
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
