/* address.h --- socket addresses in their Lisp forms.

   IPv4: [A B C D PORT].  IPv6: [W1 ... W8 PORT], eight 16-bit words.
   Local: the socket file name as a string.  As process-contact shows
   them.  */

#ifndef NETOPT_SOCKETS_ADDRESS_H
#define NETOPT_SOCKETS_ADDRESS_H

#include "../core/lisp.h"
#include "wait.h"

#include <sys/socket.h>

struct sock_addr
{
  struct sockaddr_storage ss;
  socklen_t len;
};

/* Parse the Lisp address V (named KEYWORD in errors).  Signals
   netopt-bad-value on anything malformed, including local file names
   too long for sun_path.  */
bool sock_addr_from_lisp (emacs_env *env, emacs_value keyword, emacs_value v,
                          struct sock_addr *out);

/* Signal netopt-bad-value (KEYWORD V ...): the address V does not
   match the socket's family.  Returns false.  */
bool sock_addr_mismatch (emacs_env *env, emacs_value keyword, emacs_value v);

/* A local (Unix) address for the file name PATH, checked against
   sun_path.  A PATH that starts with NUL is Emacs's one abstract
   address (sun_path all NULs, full length), which Emacs's
   make-network-process makes of any such name: no file.  */
bool sock_addr_local (emacs_env *env, emacs_value keyword,
                      emacs_value lisp_path, const char *path, size_t len,
                      struct sock_addr *out);

/* Make the local file name of A absolute: a relative name is resolved
   against the process's working directory now, once, as bind would
   resolve it (not against any Lisp default-directory), so that the
   file is later known by the name it was made with.  A name that
   would not fit sun_path, or no working directory, leaves A as it
   is.  */
void sock_addr_local_absolute (struct sock_addr *a);

/* The Lisp form of A; nil for an unnamed local socket.  */
emacs_value sock_addr_to_lisp (emacs_env *env, const struct sockaddr *a,
                               socklen_t len);

/* Resolve HOST (NULL: the wildcard, or loopback when !PASSIVE) and PORT
   for FAMILY (AF_UNSPEC: any) and TYPE into OUT: at most MAX addresses,
   in the resolver's order; *COUNT gets how many.  SERVICE, when
   non-NULL, is a service name looked up instead of PORT.  A name is
   looked up once, by a resolver thread, while Emacs runs; the wait ends
   at DEADLINE or on C-g.  Signals netopt-system-error ("Cannot resolve
   address" WHY HOST) when there is no address, or none in time.  */
bool sock_addr_resolve (emacs_env *env, const char *host, const char *service,
                        int port, int family, int type, bool passive,
                        const struct sock_deadline *deadline,
                        struct sock_addr *out, size_t max, size_t *count);

/* Run RUN (ARG) in a detached thread of its own, with every signal
   blocked in it (Emacs's handlers belong to Emacs's threads): the
   resolver's and async.c's.  Returns 0 or an errno value.  */
int sock_thread_start (void *(*run) (void *), void *arg);

/* The numeric host of A ("127.0.0.1", "::1") into BUF.  */
void sock_addr_host_string (const struct sockaddr *a, char *buf, size_t size);

/* The port of an IPv4/IPv6 address; -1 for other families.  */
int sock_addr_port (const struct sockaddr *a);

/* Is the address A (ALEN bytes, as getsockname or getpeername gave it)
   B: same family, address and port, or same local file name?  */
bool sock_addr_same (const struct sockaddr_storage *a, socklen_t alen,
                     const struct sock_addr *b);

/* Is the local address A (ALEN bytes) unnamed: no file name?  */
bool sock_addr_unnamed (const struct sockaddr_storage *a, socklen_t alen);

/* A socket's type or family, by its Lisp name.  */
enum sock_kind
{
  SOCK_KIND_TYPE,   /* stream, datagram, seqpacket */
  SOCK_KIND_FAMILY, /* ipv4, ipv6, local */
};

/* The name of CODE, a type or a family as KIND says; nil for one that
   has none.  */
emacs_value sock_kind_symbol (enum sock_kind kind, int code);

/* The code of the name V, a type or a family as KIND says, into *OUT;
   DFLT for nil.  Signals netopt-bad-value (KEY V ...) for anything
   else.  */
bool sock_kind_from_lisp (emacs_env *env, enum sock_kind kind, emacs_value key,
                          emacs_value v, int dflt, int *out);

#endif
