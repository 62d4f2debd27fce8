/* locate.c --- which descriptor of this Emacs is a network process's
   socket.  Emacs does not say; what `process-contact' knows (family,
   type, role, local and remote address) is matched against every
   socket descriptor that is not netopt's own.  When several match
   (datagram clients are neither bound nor connected, the children of a
   local server share one address), a probe decides: Emacs's own
   `set-network-process-option' changes :priority on exactly the
   process's socket, the descriptor that changed is the one, and
   everything is put back.  Otherwise netopt-socket-not-found: netopt
   never guesses.  */

#include "process.h"

#include "../sockets/address.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
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
same_address (const struct sockaddr_storage *a, socklen_t alen,
              const struct sock_addr *b)
{
  if (a->ss_family != b->ss.ss_family)
    return false;
  switch (a->ss_family)
    {
    case AF_INET:
      {
        const struct sockaddr_in *x = (const struct sockaddr_in *)a;
        const struct sockaddr_in *y = (const struct sockaddr_in *)&b->ss;
        return x->sin_port == y->sin_port
               && x->sin_addr.s_addr == y->sin_addr.s_addr;
      }
    case AF_INET6:
      {
        const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a;
        const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)&b->ss;
        return x->sin6_port == y->sin6_port
               && memcmp (&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr)
                      == 0;
      }
    case AF_UNIX:
      {
        const struct sockaddr_un *x = (const struct sockaddr_un *)a;
        const struct sockaddr_un *y = (const struct sockaddr_un *)&b->ss;
        size_t off = offsetof (struct sockaddr_un, sun_path);
        if (alen <= off)
          return false;
        return strncmp (x->sun_path, y->sun_path, sizeof x->sun_path) == 0;
      }
    default:
      return false;
    }
}

static bool
unnamed (const struct sockaddr_storage *a, socklen_t alen)
{
  return alen <= offsetof (struct sockaddr_un, sun_path)
         || ((const struct sockaddr_un *)a)->sun_path[0] == '\0';
}

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
      return present ? unnamed (a, alen) : true;
    case M_EXACT:
      return present && same_address (a, alen, want);
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

/* The candidates of a search: several descriptors of one socket (a
   dup) count once, for options belong to the socket.  */
#define MAX_CANDIDATES 64
struct candidates
{
  const struct want *want;
  int fd[MAX_CANDIDATES];
  ino_t ino[MAX_CANDIDATES];
  size_t n;
  bool overflow;
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
  for (size_t i = 0; i < c->n; i++)
    if (c->ino[i] == st.st_ino)
      return true;
  if (c->n == MAX_CANDIDATES)
    {
      c->overflow = true;
      return false;
    }
  c->fd[c->n] = fd;
  c->ino[c->n++] = st.st_ino;
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

/* Remove KEY and its value from PLIST in place; KEY is never PLIST's
   first key (a contact starts with :name).  */
static bool
plist_remove (emacs_env *env, emacs_value plist, emacs_value key)
{
  emacs_value tail = plist;
  for (;;)
    {
      emacs_value two = env->make_integer (env, 2);
      emacs_value rest = LISP_PENDING (env)
                             ? NULL
                             : env->funcall (env, Q.nthcdr, 2,
                                             (emacs_value[]){ two, tail });
      LISP_CHECK_BOOL (env);
      if (lisp_nilp (env, rest))
        return true;
      emacs_value head = env->funcall (env, Q.car_safe, 1, &rest);
      LISP_CHECK_BOOL (env);
      if (!env->eq (env, head, key))
        {
          tail = rest;
          continue;
        }
      emacs_value after
          = env->funcall (env, Q.nthcdr, 2, (emacs_value[]){ two, rest });
      emacs_value link = LISP_PENDING (env)
                             ? NULL
                             : env->funcall (env, Q.cdr_safe, 1, &tail);
      if (!LISP_PENDING (env))
        env->funcall (env, Q.setcdr, 2, (emacs_value[]){ link, after });
      return !LISP_PENDING (env);
    }
}

static bool
priority_of (int fd, int *v)
{
  socklen_t len = sizeof *v;
  return getsockopt (fd, SOL_SOCKET, SO_PRIORITY, v, &len) == 0;
}

/* A :priority no candidate of C holds, or -1.  BEFORE gets each
   candidate's; without a readable :priority on each, no probe.  */
static int
probe_value (const struct candidates *c, int *before)
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
probe_restore (emacs_env *env, const struct candidates *c, const int *before,
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
    return plist_remove (env, contact, Q.k_priority);
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
probe_hit (const struct candidates *c, int probe)
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

/* The one descriptor among C that is PROCESS's socket, or -1 (an exit
   pending only when something other than the probe failed).  Whatever
   happens, every candidate gets its :priority back and the contact its
   :priority entry (or none): a probe leaves no trace.  */
static int
probe (emacs_env *env, emacs_value process, const struct candidates *c)
{
  int before[MAX_CANDIDATES];
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

int
proc_locate (emacs_env *env, emacs_value process,
             const struct proc_fds *exclude)
{
  struct want w;
  memset (&w, 0, sizeof w);
  w.exclude = exclude;
  if (!want_of_process (env, process, &w))
    return -1;
  struct candidates c = { .want = &w, .n = 0, .overflow = false };
  int err = proc_each_fd (add_candidate, &c);
  if (err)
    {
      lisp_system_error (env, "Cannot list descriptors", err, 0, NULL);
      return -1;
    }
  if (c.n == 1 && !c.overflow)
    return c.fd[0];
  if (c.n == 0)
    return proc_not_found (env, process,
                           "no descriptor of this Emacs matches"),
           -1;
  int fd = c.overflow ? -1 : probe (env, process, &c);
  if (fd >= 0 || LISP_PENDING (env))
    return fd;
  char why[64];
  snprintf (why, sizeof why, "%s%zu descriptors match",
            c.overflow ? "over " : "", c.n);
  proc_not_found (env, process, why);
  return -1;
}
