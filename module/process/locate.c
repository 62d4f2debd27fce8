/* locate.c --- which descriptor of this Emacs is a network process's
   socket.  Emacs does not say; what `process-contact' knows (family,
   type, role, local and remote address) is matched against every
   socket descriptor that is not netopt's own (fds.c walks them).  When
   several match, the :priority probe decides (probe.c).  Otherwise
   netopt-socket-not-found: netopt never guesses.  */

#include "process.h"

#include "../sockets/address.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

/* How an address of the search must match.  */
enum match
{
  M_ANY,     /* anything */
  M_NONE,    /* no address: unconnected (remote only) */
  M_UNNAMED, /* an unnamed local socket ("" in process-contact) */
  M_EXACT,   /* exactly ADDR */
};

struct want
{
  struct proc_kind kind;
  enum match local_how, remote_how;
  struct sock_addr local, remote;
  const struct proc_fds *exclude;
};

static bool
address_matches (enum match how, bool present,
                 const struct sockaddr_storage *a, socklen_t alen,
                 const struct sock_addr *want)
{
  switch (how)
    {
    case M_ANY:
      return true;
    case M_NONE:
      return !present;
    case M_UNNAMED:
      return present ? sock_addr_unnamed (a, alen) : true;
    case M_EXACT:
      return present && sock_addr_same (a, alen, want);
    }
  return false;
}

/* Is FD a TCP socket whose connection is still being made?  */
static bool
syn_sent (int fd, const struct proc_kind *k)
{
#ifdef TCP_INFO
  if (k->type != SOCK_STREAM
      || (k->family != AF_INET && k->family != AF_INET6))
    return false;
  struct tcp_info ti;
  socklen_t len = sizeof ti;
  memset (&ti, 0, sizeof ti);
  return getsockopt (fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0
         && ti.tcpi_state == TCP_SYN_SENT;
#else
  (void)fd;
  (void)k;
  return false;
#endif
}

/* Is FD a socket of W's family with W's local address?  The first
   test of a search: most descriptors that are no socket fail it.  */
static bool
local_matches (int fd, const struct want *w)
{
  struct sockaddr_storage a;
  socklen_t len = sizeof a;
  memset (&a, 0, sizeof a);
  return getsockname (fd, (struct sockaddr *)&a, &len) == 0
         && a.ss_family == w->kind.family
         && address_matches (w->local_how, true, &a, len, &w->local);
}

/* Has FD W's remote address?  */
static bool
remote_matches (int fd, const struct want *w)
{
  if (w->remote_how == M_ANY)
    return true;
  struct sockaddr_storage a;
  socklen_t len = sizeof a;
  memset (&a, 0, sizeof a);
  bool present = getpeername (fd, (struct sockaddr *)&a, &len) == 0;
  /* A process still connecting (status `connect') has no peer yet: it
     matches by its local address and its SYN-SENT state.  */
  if (!present && errno == ENOTCONN && w->remote_how == M_EXACT
      && syn_sent (fd, &w->kind))
    return true;
  return address_matches (w->remote_how, present, &a, len, &w->remote);
}

/* The candidates of a search, at most PROC_PROBE_MAX: several
   descriptors of one socket (a dup) count once, for options belong to
   the socket.  */
struct candidates
{
  const struct want *want;
  struct proc_fds found;
  bool overflow;  /* more than PROC_PROBE_MAX */
  bool no_memory; /* FOUND could not grow */
};

static bool
add_candidate (int fd, void *data)
{
  struct candidates *c = data;
  struct stat st;
  /* Cheapest tests first.  */
  if (sock_fd_is_owned (fd) || !local_matches (fd, c->want)
      || !proc_fd_type_is (fd, &c->want->kind) || !remote_matches (fd, c->want)
      || fstat (fd, &st) != 0
      || proc_fds_has (c->want->exclude, fd, st.st_ino))
    return true;
  for (size_t i = 0; i < c->found.n; i++)
    if (c->found.ino[i] == st.st_ino)
      return true;
  if (c->found.n == PROC_PROBE_MAX)
    {
      c->overflow = true;
      return false;
    }
  if (!proc_fds_add (&c->found, fd, st.st_ino))
    {
      c->no_memory = true;
      return false;
    }
  return true;
}

/* One address of a contact: nil (any), "" (unnamed), or an address.  */
static bool
match_of (emacs_env *env, emacs_value key, emacs_value v, enum match *how,
          struct sock_addr *addr)
{
  *how = M_ANY;
  if (lisp_nilp (env, v))
    return true;
  if (lisp_is_type (env, v, Q.string_type))
    {
      ptrdiff_t size = 0;
      env->copy_string_contents (env, v, NULL, &size);
      LISP_CHECK_BOOL (env);
      if (size <= 1)
        {
          *how = M_UNNAMED;
          return true;
        }
    }
  LISP_CHECK_BOOL (env);
  *how = M_EXACT;
  return sock_addr_from_lisp (env, key, v, addr);
}

/* The family of ADDRESS, in process-contact form; AF_UNSPEC if none. */
static int
family_of_address (emacs_env *env, emacs_value address)
{
  if (lisp_is_type (env, address, Q.string_type))
    return AF_UNIX;
  if (!lisp_is_type (env, address, Q.vector_type))
    return AF_UNSPEC;
  ptrdiff_t n = env->vec_size (env, address);
  return LISP_PENDING (env) ? AF_UNSPEC
         : n == 5           ? AF_INET
         : n == 9           ? AF_INET6
                            : AF_UNSPEC;
}

static emacs_value
contact_get (emacs_env *env, emacs_value contact, emacs_value key)
{
  return env->funcall (env, Q.plist_get, 2, (emacs_value[]){ contact, key });
}

/* W's kind from CONTACT's :family, :type and :server.  */
static bool
kind_of_contact (emacs_env *env, emacs_value contact, emacs_value local,
                 emacs_value remote, struct proc_kind *k)
{
  emacs_value family = contact_get (env, contact, Q.k_family);
  emacs_value type
      = LISP_PENDING (env) ? NULL : contact_get (env, contact, Q.k_type);
  emacs_value server
      = LISP_PENDING (env) ? NULL : contact_get (env, contact, Q.k_server);
  LISP_CHECK_BOOL (env);
  k->family = lisp_eq (env, family, Q.ipv4)    ? AF_INET
              : lisp_eq (env, family, Q.ipv6)  ? AF_INET6
              : lisp_eq (env, family, Q.local) ? AF_UNIX
                                               : AF_UNSPEC;
  if (k->family == AF_UNSPEC)
    k->family = family_of_address (env, remote);
  if (k->family == AF_UNSPEC)
    k->family = family_of_address (env, local);
  k->type = lisp_eq (env, type, Q.datagram)    ? SOCK_DGRAM
            : lisp_eq (env, type, Q.seqpacket) ? SOCK_SEQPACKET
                                               : SOCK_STREAM;
  bool is_server = !lisp_nilp (env, server);
  k->listening = is_server && k->type != SOCK_DGRAM;
  return !LISP_PENDING (env);
}

/* What PROCESS's socket must be, from its contact.  */
static bool
want_of_process (emacs_env *env, emacs_value process, struct want *w)
{
  emacs_value contact = proc_contact (env, process, Q.t);
  LISP_CHECK_BOOL (env);
  if (lisp_nilp (env, contact))
    return proc_signal (env, Q.err_closed, "Process has no socket", process);
  emacs_value local = contact_get (env, contact, Q.k_local);
  emacs_value remote
      = LISP_PENDING (env) ? NULL : contact_get (env, contact, Q.k_remote);
  if (LISP_PENDING (env)
      || !kind_of_contact (env, contact, local, remote, &w->kind))
    return false;
  if (w->kind.family == AF_UNSPEC)
    return proc_not_found (env, process, "process-contact shows no address");
  bool server = w->kind.listening
                || !lisp_nilp (env, contact_get (env, contact, Q.k_server));
  LISP_CHECK_BOOL (env);
  if (!match_of (env, Q.k_local, local, &w->local_how, &w->local))
    return false;
  if (server)
    w->remote_how = M_ANY;
  else if (w->kind.type == SOCK_DGRAM)
    {
      /* Emacs neither binds nor connects a datagram client.  */
      w->local_how = M_ANY;
      w->remote_how = M_NONE;
    }
  else if (!match_of (env, Q.k_remote, remote, &w->remote_how, &w->remote))
    return false;
  return true;
}

/* The one of C's candidates that is PROCESS's socket, or -1 with an
   exit pending.  */
static int
choose (emacs_env *env, emacs_value process, const struct candidates *c)
{
  size_t n = c->found.n;
  if (n == 1 && !c->overflow)
    return c->found.fd[0];
  if (n == 0)
    return proc_not_found (env, process,
                           "no descriptor of this Emacs matches"),
           -1;
  int fd = c->overflow ? -1 : proc_probe (env, process, &c->found);
  if (fd >= 0 || LISP_PENDING (env))
    return fd;
  char why[64];
  snprintf (why, sizeof why, "%s%zu descriptors match",
            c->overflow ? "over " : "", n);
  proc_not_found (env, process, why);
  return -1;
}

/* W for PROCESS's contact, EXCLUDE left out.  False with an exit
   pending.  */
static bool
want_init (emacs_env *env, emacs_value process, const struct proc_fds *exclude,
           struct want *w)
{
  memset (w, 0, sizeof *w);
  w->exclude = exclude;
  return want_of_process (env, process, w);
}

int
proc_locate (emacs_env *env, emacs_value process,
             const struct proc_fds *exclude)
{
  struct want w;
  if (!want_init (env, process, exclude, &w))
    return -1;
  struct candidates c = { .want = &w };
  int err = proc_each_fd (add_candidate, &c);
  int fd = -1;
  if (err)
    lisp_system_error (env, "Cannot list descriptors", err, 0, NULL);
  else if (c.no_memory)
    lisp_out_of_memory (env);
  else
    fd = choose (env, process, &c);
  proc_fds_free (&c.found);
  return fd;
}

/* Do W's addresses name one socket at most?  A listening socket's
   bound address, a TCP connection's two addresses.  */
static bool
unique_want (const struct want *w)
{
  if (w->local_how != M_EXACT)
    return false;
  if (w->kind.listening)
    return true;
  return w->kind.type == SOCK_STREAM && w->remote_how == M_EXACT
         && (w->kind.family == AF_INET || w->kind.family == AF_INET6);
}

int
proc_locate_at (emacs_env *env, emacs_value process, int fd,
                const struct proc_kind *kind, const struct proc_fds *exclude)
{
  struct want w;
  if (!want_init (env, process, exclude, &w))
    return -1;
  struct candidates c = { .want = &w };
  /* A candidate has the contact's kind, which must be KIND.  */
  bool ok = w.kind.family == kind->family && w.kind.type == kind->type
            && w.kind.listening == kind->listening && unique_want (&w)
            && add_candidate (fd, &c) && c.found.n == 1;
  proc_fds_free (&c.found);
  /* A connection's peer, not only a SYN-SENT state: a local port is
     shared by connections still being made to other peers.  */
  struct sockaddr_storage a;
  socklen_t len = sizeof a;
  if (ok && !w.kind.listening)
    ok = getpeername (fd, (struct sockaddr *)&a, &len) == 0;
  return ok ? fd : -1;
}
