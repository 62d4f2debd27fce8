/* handle.h --- socket handles: the Lisp SOCKET object.

   A SOCKET is a user-ptr whose finalizer is nsock_finalize; that is how
   a handle is told from any other module's user-ptr.  A handle owns its
   descriptor (a socket made by the module) or borrows it (the socket of
   an Emacs network process, never closed here).  A closed handle has
   fd -1, so a descriptor is closed at most once.  */

#ifndef NETOPT_SOCKETS_HANDLE_H
#define NETOPT_SOCKETS_HANDLE_H

#include "../core/lisp.h"
#include "../options/values.h"

/* An option setting to apply later (a server's :child-options).  */
struct nsetting
{
  const struct nv_option *opt;
  struct nv_value value;
};

struct nsock
{
  int fd;     /* -1 once closed */
  int family; /* AF_INET, AF_INET6, AF_UNIX */
  int type;   /* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
  bool owned; /* the module closes FD; false for Emacs's processes */
  bool listening;
  bool server;        /* made with :server non-nil */
  bool server_t;      /* :server t (else :server was the backlog) */
  int backlog;
  char *name;         /* :name */
  char *host;         /* :host as given, or the peer of an accepted child */
  char *service_name; /* :service when a string (or a local socket file) */
  int service_port;   /* :service as a port; -1: t (any), -2: none */
  struct nsetting *child_options;
  size_t child_count;
};

/* A new handle for FD (owned), with NAME copied.  NULL on memory
   exhaustion (FD is then left to the caller).  */
struct nsock *nsock_new (int fd, int family, int type, bool owned,
                         const char *name);

/* Wrap S in a Lisp SOCKET object.  On failure S is freed and its
   descriptor closed (when owned); NULL is returned.  */
emacs_value nsock_wrap (emacs_env *env, struct nsock *s);

/* Close S's descriptor if it owns one.  Returns 0 or an errno value.  */
int nsock_close (struct nsock *s);

/* Is FD owned by an open handle?  */
bool nsock_fd_is_owned (int fd);

/* Close FD on an error path, where an error is already pending: the
   descriptor is released whatever close reports.  */
void nsock_release_fd (int fd);

void nsock_finalize (void *p) EMACS_NOEXCEPT;

/* The handle V designates, or NULL with an exit pending:
   wrong-type-argument for anything but a SOCKET, netopt-closed when
   it is closed (unless ALLOW_CLOSED).  */
struct nsock *nsock_from_lisp (emacs_env *env, emacs_value v,
                               bool allow_closed);

/* Like nsock_from_lisp, but V may also be a live network process: its
   socket is found by the Lisp layer (netopt--process-handle).  */
struct nsock *nsock_target (emacs_env *env, emacs_value v);

/* Signal netopt-closed for S.  Returns false.  */
bool nsock_signal_closed (emacs_env *env, const struct nsock *s);

#endif
