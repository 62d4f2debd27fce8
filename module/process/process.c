/* process.c --- Emacs's own network processes: finding a process's
   socket, borrowing it, and the hooks that let every option function
   take a process.  */

#include "process.h"

#include "../sockets/address.h"

#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
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
  int family, type;
  int listening; /* -1: either */
  enum match local_how, remote_how;
  struct sock_addr local, remote;
  int *exclude;
  size_t nexclude;
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
syn_sent (int fd, const struct want *w)
{
#ifdef TCP_INFO
  if (w->type != SOCK_STREAM
      || (w->family != AF_INET && w->family != AF_INET6))
    return false;
  struct tcp_info ti;
  socklen_t len = sizeof ti;
  memset (&ti, 0, sizeof ti);
  return getsockopt (fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0
         && ti.tcpi_state == TCP_SYN_SENT;
#else
  (void)fd;
  (void)w;
  return false;
#endif
}

/* Does descriptor FD match W?  Cheapest tests first: most descriptors
   fail at getsockname.  */
static bool
fd_matches (int fd, const struct want *w)
{
  struct sockaddr_storage local;
  socklen_t llen = sizeof local;
  memset (&local, 0, sizeof local);
  if (getsockname (fd, (struct sockaddr *)&local, &llen) != 0)
    return false; /* not a socket */
  if (local.ss_family != w->family)
    return false;
  if (!address_matches (w->local_how, true, &local, llen, &w->local))
    return false;
  int type = 0;
  socklen_t len = sizeof type;
  if (getsockopt (fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0
      || type != w->type)
    return false;
  if (w->listening >= 0)
    {
      int acc = 0;
      len = sizeof acc;
      if (getsockopt (fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) != 0
          || (acc != 0) != (w->listening != 0))
        return false;
    }
  if (w->remote_how != M_ANY)
    {
      struct sockaddr_storage remote;
      socklen_t rlen = sizeof remote;
      memset (&remote, 0, sizeof remote);
      bool present = getpeername (fd, (struct sockaddr *)&remote, &rlen) == 0;
      /* A process still connecting (status `connect') has no peer yet:
         it matches by its local address and its SYN-SENT state.  */
      if (!present && errno == ENOTCONN && w->remote_how == M_EXACT
          && syn_sent (fd, w))
        return true;
      if (!address_matches (w->remote_how, present, &remote, rlen, &w->remote))
        return false;
    }
  return true;
}

/* The sockets already found, so that several descriptors of one socket
   (a dup) count once: options belong to the socket, so any of its
   descriptors is the process's socket.  */
struct seen
{
  dev_t dev[64];
  ino_t ino[64];
  size_t n;
};

static bool
seen_before (int fd, struct seen *seen)
{
  struct stat st;
  if (fstat (fd, &st) != 0)
    return false;
  for (size_t i = 0; i < seen->n; i++)
    if (seen->dev[i] == st.st_dev && seen->ino[i] == st.st_ino)
      return true;
  if (seen->n < sizeof seen->ino / sizeof seen->ino[0])
    {
      seen->dev[seen->n] = st.st_dev;
      seen->ino[seen->n] = st.st_ino;
      seen->n++;
    }
  return false;
}

static bool
excluded (int fd, const struct want *w)
{
  if (sock_fd_is_owned (fd))
    return true;
  for (size_t i = 0; i < w->nexclude; i++)
    if (w->exclude[i] == fd)
      return true;
  return false;
}

/* Parse one address argument: nil (any), `none', "" (unnamed), or an
   address.  */
static bool
parse_match (emacs_env *env, emacs_value key, emacs_value v, enum match *how,
             struct sock_addr *addr)
{
  if (lisp_nilp (env, v))
    {
      *how = M_ANY;
      return true;
    }
  if (lisp_is_type (env, v, Q.symbol_type))
    {
      *how = M_NONE;
      return true;
    }
  LISP_CHECK_BOOL (env);
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

static emacs_value
push_fd (emacs_env *env, emacs_value list, int fd)
{
  emacs_value n = env->make_integer (env, fd);
  LISP_CHECK (env);
  emacs_value cell = env->funcall (env, Q.cons, 2, (emacs_value[]){ n, list });
  LISP_CHECK (env);
  return cell;
}

/* The search W describes, from the arguments of netopt--find-fds.  */
static bool
parse_want (emacs_env *env, emacs_value *args, struct want *w)
{
  memset (w, 0, sizeof *w);
  w->family = lisp_eq (env, args[0], Q.ipv4)    ? AF_INET
              : lisp_eq (env, args[0], Q.ipv6)  ? AF_INET6
              : lisp_eq (env, args[0], Q.local) ? AF_UNIX
                                                : AF_UNSPEC;
  w->type = lisp_eq (env, args[1], Q.datagram)    ? SOCK_DGRAM
            : lisp_eq (env, args[1], Q.seqpacket) ? SOCK_SEQPACKET
                                                  : SOCK_STREAM;
  if (w->family == AF_UNSPEC)
    return lisp_bad_value (env, Q.k_family, args[0], "unknown family");
  w->listening = lisp_eq (env, args[2], Q.t) ? 1
                 : lisp_nilp (env, args[2])  ? 0
                                             : -1;
  return parse_match (env, Q.k_local, args[3], &w->local_how, &w->local)
         && parse_match (env, Q.k_remote, args[4], &w->remote_how, &w->remote);
}

/* The exclusion list LIST (descriptor numbers) into W.  */
static bool
parse_exclusions (emacs_env *env, emacs_value list, struct want *w)
{
  emacs_value n = env->funcall (env, Q.length, 1, &list);
  LISP_CHECK_BOOL (env);
  intmax_t count = 0;
  if (!lisp_int_in_range (env, n, 0, 1 << 20, &count))
    {
      LISP_CHECK_BOOL (env);
      return lisp_wrong_type (env, Q.listp, list);
    }
  w->exclude = calloc (count ? (size_t)count : 1, sizeof *w->exclude);
  if (!w->exclude)
    return lisp_out_of_memory (env);
  w->nexclude = (size_t)count;
  for (intmax_t i = 0; i < count; i++)
    {
      emacs_value idx = env->make_integer (env, i);
      emacs_value e
          = LISP_PENDING (env)
                ? NULL
                : env->funcall (env, Q.nth, 2, (emacs_value[]){ idx, list });
      intmax_t fd;
      if (LISP_PENDING (env) || !lisp_int_in_range (env, e, 0, INT32_MAX, &fd))
        return LISP_PENDING (env) ? false
                                  : lisp_wrong_type (env, Q.natnump, e);
      w->exclude[i] = (int)fd;
    }
  return true;
}

/* Does descriptor FD belong in the answer?  */
static bool
wanted (int fd, const struct want *w, struct seen *seen)
{
  return !excluded (fd, w) && fd_matches (fd, w) && !seen_before (fd, seen);
}

/* Every descriptor of this Emacs that W wants, as a Lisp list.  */
static emacs_value
scan (emacs_env *env, const struct want *w)
{
  emacs_value result = Q.nil;
  struct seen seen = { .n = 0 };
#ifdef __linux__
  DIR *dir = opendir ("/proc/self/fd");
  if (dir)
    {
      int self = dirfd (dir);
      struct dirent *e;
      while (result && (e = readdir (dir)))
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9'
            && atoi (e->d_name) != self && wanted (atoi (e->d_name), w, &seen))
          result = push_fd (env, result, atoi (e->d_name));
      if (closedir (dir) != 0 && result)
        {
          lisp_system_error (env, "Cannot list descriptors", errno, 0, NULL);
          return NULL;
        }
      return result;
    }
#endif
  long max = sysconf (_SC_OPEN_MAX);
  if (max < 0 || max > 1 << 20)
    max = 1 << 16;
  for (int fd = 0; fd < max && result; fd++)
    if (wanted (fd, w, &seen))
      result = push_fd (env, result, fd);
  return result;
}

/* (netopt--find-fds FAMILY TYPE LISTENING LOCAL REMOTE EXCLUDE)
   FAMILY: ipv4, ipv6 or local.  TYPE: stream, datagram or seqpacket.
   LISTENING: t, nil, or `any'.  LOCAL, REMOTE: nil (any), `none' (no
   address), "" (unnamed local socket), or an address.  EXCLUDE: a list
   of descriptors to skip.  Returns the matching descriptors of this
   Emacs, not counting those of netopt's own sockets; several
   descriptors of one socket count once.  */
emacs_value
Fnetopt_find_fds (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                  void *data)
{
  (void)data;
  (void)nargs;
  struct want w;
  emacs_value result = NULL;
  if (parse_want (env, args, &w) && parse_exclusions (env, args[5], &w))
    result = scan (env, &w);
  free (w.exclude);
  return result;
}

/* A descriptor number argument V into *FD.  */
static bool
fd_arg (emacs_env *env, emacs_value v, int *fd)
{
  intmax_t n;
  if (lisp_int_in_range (env, v, 0, INT32_MAX, &n))
    {
      *fd = (int)n;
      return true;
    }
  LISP_CHECK_BOOL (env);
  return lisp_wrong_type (env, Q.natnump, v);
}

/* (netopt--borrow FD NAME): a handle for Emacs's socket FD, never
   closed by netopt.  */
emacs_value
Fnetopt_borrow (emacs_env *env, ptrdiff_t nargs, emacs_value *args, void *data)
{
  (void)data;
  (void)nargs;
  int fd;
  if (!fd_arg (env, args[0], &fd))
    return NULL;
  char *name = lisp_copy_string (env, args[1], NULL);
  if (!name)
    return NULL;
  int family = 0, type = 0;
  socklen_t len;
  if (compat_socket_family (fd, &family) != 0
      || (len = sizeof type,
          getsockopt (fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0))
    {
      int err = errno;
      free (name);
      lisp_system_error (env, "Cannot use descriptor", err, 1, &args[0]);
      return NULL;
    }
  struct sock_handle *s = sock_new (fd, family, type, false, name);
  free (name);
  if (!s)
    {
      lisp_out_of_memory (env);
      return NULL;
    }
  return sock_wrap (env, s);
}

/* (netopt--forget HANDLE): a borrowed handle lets go of its
   descriptor, which Emacs has closed or will close.  */
emacs_value
Fnetopt_forget (emacs_env *env, ptrdiff_t nargs, emacs_value *args, void *data)
{
  (void)data;
  (void)nargs;
  struct sock_handle *s = sock_from_lisp (env, args[0], true);
  if (!s)
    return NULL;
  if (s->owned)
    {
      lisp_wrong_type (env, Q.socketp, args[0]);
      return NULL;
    }
  s->sock.fd = -1;
  return Q.nil;
}

/* The hooks of the socket layer.  The hot path stays in C: a process
   whose socket was located before is found in the Lisp side's cache
   (netopt--handles, a weak table) with `gethash', checked live with
   `process-live-p' (a deleted process must never reach a reused
   descriptor), and its contact is brought in step here.  Only a first
   call on a process goes to the Lisp side (netopt--process-handle),
   which locates the socket and fills the cache.  */
/* The processes found most recently, as global references, so that a
   repeated call costs a few `eq' tests and one `process-live-p'.  Each
   entry keeps its process and handle alive until it is replaced.  */
#define PROC_CACHE 8
static struct
{
  emacs_value process, handle;
  struct sock_handle *s;
} cache[PROC_CACHE];
static unsigned cache_next;

static void
cache_drop (emacs_env *env, unsigned i)
{
  if (cache[i].process)
    {
      env->free_global_ref (env, cache[i].process);
      env->free_global_ref (env, cache[i].handle);
    }
  cache[i].process = cache[i].handle = NULL;
  cache[i].s = NULL;
}

static void
cache_put (emacs_env *env, emacs_value process, emacs_value handle,
           struct sock_handle *s)
{
  emacs_value p = env->make_global_ref (env, process);
  emacs_value h
      = LISP_PENDING (env) ? NULL : env->make_global_ref (env, handle);
  if (LISP_PENDING (env))
    {
      env->non_local_exit_clear (env); /* the cache is only an aid */
      if (p)
        env->free_global_ref (env, p);
      return;
    }
  unsigned i = cache_next++ % PROC_CACHE;
  cache_drop (env, i);
  cache[i].process = p;
  cache[i].handle = h;
  cache[i].s = s;
}

static struct sock_handle *
process_handle (emacs_env *env, emacs_value process)
{
  for (unsigned i = 0; i < PROC_CACHE; i++)
    if (cache[i].process && env->eq (env, process, cache[i].process))
      {
        emacs_value live = env->funcall (env, Q.process_live_p, 1, &process);
        LISP_CHECK (env);
        if (cache[i].s->sock.fd >= 0 && !lisp_nilp (env, live))
          return cache[i].s;
        cache_drop (env, i); /* deleted: the Lisp side says so below */
        break;
      }
  /* First call, or a dead process: the Lisp side locates the socket (or
     signals why not) and keeps it in its weak table.  */
  emacs_value h = env->funcall (env, Q.process_handle, 1, &process);
  LISP_CHECK (env);
  struct sock_handle *s = sock_handle_of (env, h);
  LISP_CHECK (env);
  if (!s)
    {
      lisp_wrong_type (env, Q.socketp, h);
      return NULL;
    }
  cache_put (env, process, h, s);
  return s;
}

/* Put KEY VALUE into PROCESS's contact, the live plist Emacs returns;
   only when it is already there unless ADD.  */
static bool
contact_put (emacs_env *env, emacs_value contact, emacs_value key,
             emacs_value value, bool add)
{
  if (!add)
    {
      emacs_value member = env->funcall (env, Q.plist_member, 2,
                                         (emacs_value[]){ contact, key });
      LISP_CHECK_BOOL (env);
      if (lisp_nilp (env, member))
        return true;
    }
  env->funcall (env, Q.plist_put, 3, (emacs_value[]){ contact, key, value });
  return !LISP_PENDING (env);
}

static bool
after_set (emacs_env *env, emacs_value process, struct sock_handle *s,
           const struct opt_setting *set)
{
  /* Mark the socket as configured by netopt, for listings.  */
  s->configured = true;
  const struct opt_row *affected
      = set->row->affects ? opt_row_named (set->row->affects) : NULL;
  if (!set->row->manual && !affected)
    return true;
  /* Agreement: the manual's options in the contact hold the kernel's
     values, side effects included.  */
  emacs_value contact = env->funcall (env, Q.process_contact, 2,
                                      (emacs_value[]){ process, Q.t });
  LISP_CHECK_BOOL (env);
  if (set->row->manual)
    {
      struct opt_reading r = { .type = set->row->type };
      r.u.value = set->value;
      emacs_value v = opt_reading_to_lisp (env, set->row, &r);
      if (!v || !contact_put (env, contact, opt_keyword (set->row), v, true))
        return false;
    }
  if (affected)
    {
      emacs_value v = opt_read (env, &s->sock, affected, true);
      LISP_CHECK_BOOL (env);
      if (v && !contact_put (env, contact, opt_keyword (affected), v, false))
        return false;
    }
  return true;
}

void
proc_init (void)
{
  static const struct sock_process_hooks hooks
      = { .handle = process_handle, .after_set = after_set };
  sock_set_process_hooks (&hooks);
}

/* Is FD a socket (of anyone)?  */
static bool
is_socket (int fd)
{
  int type = 0;
  socklen_t len = sizeof type;
  return getsockopt (fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0;
}

/* Push (FD . INODE) onto LIST when FD is a socket that is not
   netopt's own; LIST unchanged otherwise, NULL with an exit pending.  */
static emacs_value
push_socket (emacs_env *env, emacs_value list, int fd)
{
  struct stat st;
  if (sock_fd_is_owned (fd) || !is_socket (fd) || fstat (fd, &st) != 0)
    return list;
  emacs_value n = env->make_integer (env, fd);
  LISP_CHECK (env);
  emacs_value ino = env->make_integer (env, (intmax_t)st.st_ino);
  LISP_CHECK (env);
  emacs_value pair = env->funcall (env, Q.cons, 2, (emacs_value[]){ n, ino });
  LISP_CHECK (env);
  emacs_value cell
      = env->funcall (env, Q.cons, 2, (emacs_value[]){ pair, list });
  LISP_CHECK (env);
  return cell;
}

/* (netopt--socket-fds): (FD . INODE) for each socket descriptor of this
   Emacs that is not netopt's own.  Taken before and after Emacs makes a
   process, the one pair that is new is the process's socket: a fact
   about the descriptor, whatever a garbage collection closed
   meanwhile.  */
emacs_value
Fnetopt_socket_fds (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                    void *data)
{
  (void)data;
  (void)nargs;
  (void)args;
  emacs_value result = Q.nil;
#ifdef __linux__
  /* The open descriptors only: a few dozen, not the whole table.  */
  DIR *dir = opendir ("/proc/self/fd");
  if (dir)
    {
      int self = dirfd (dir);
      struct dirent *e;
      while (result && (e = readdir (dir)))
        {
          if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
          int fd = atoi (e->d_name);
          if (fd != self)
            result = push_socket (env, result, fd);
        }
      closedir (dir);
      return result;
    }
#endif
  long max = sysconf (_SC_OPEN_MAX);
  if (max < 0 || max > 1 << 20)
    max = 1 << 16;
  for (int fd = (int)max - 1; fd >= 0 && result; fd--)
    result = push_socket (env, result, fd);
  return result;
}

/* (netopt--adopt SOCKET FD): put netopt's SOCKET in the place of
   Emacs's socket descriptor FD (a placeholder of the same family and
   type), as dup3(2) does: FD keeps its number and close-on-exec, and
   from now on is SOCKET's socket, with its options, addresses and
   status flags.  SOCKET is closed (its descriptor is no longer
   needed).  Returns t.  */
emacs_value
Fnetopt_adopt (emacs_env *env, ptrdiff_t nargs, emacs_value *args, void *data)
{
  (void)data;
  (void)nargs;
  struct sock_handle *s = sock_from_lisp (env, args[0], false);
  if (!s)
    return NULL;
  int fd;
  if (!fd_arg (env, args[1], &fd))
    return NULL;
  int family = 0, type = 0;
  socklen_t len = sizeof type;
  if (!s->owned || sock_fd_is_owned (fd) || fd == s->sock.fd
      || compat_socket_family (fd, &family) != 0
      || getsockopt (fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0
      || family != s->sock.family || type != s->sock.type)
    {
      lisp_bad_value (env, Q.k_value, args[1],
                      "not a placeholder socket of the same kind");
      return NULL;
    }
  int flags = fcntl (fd, F_GETFD);
  if (flags < 0
      || compat_dup_onto (s->sock.fd, fd, (flags & FD_CLOEXEC) != 0) < 0)
    {
      lisp_system_error (env, "Cannot adopt socket", errno, 1, &args[1]);
      return NULL;
    }
  int err = sock_close (s);
  if (err != 0)
    {
      lisp_system_error (env, "Cannot adopt socket", err, 1, &args[1]);
      return NULL;
    }
  return Q.t;
}

/* (netopt--reset-defaults TARGET): bring TARGET, an accepted
   connection, back to the kernel's defaults for every option accept(2)
   copies from the listener (except :reuseaddr).  Returns t.  */
emacs_value
Fnetopt_reset_defaults (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                        void *data)
{
  (void)data;
  (void)nargs;
  struct sock_handle *s = sock_target (env, args[0], NULL);
  if (!s)
    return NULL;
  const struct opt_row *failed = NULL;
  int err
      = opt_reset_child (s->sock.fd, s->sock.family, s->sock.type, &failed);
  if (err != 0)
    {
      emacs_value kw = failed ? opt_keyword (failed) : Q.nil;
      lisp_system_error (env, "Cannot reset option of accepted connection",
                         err, 1, &kw);
      return NULL;
    }
  return Q.t;
}

/* (netopt--lowest-free-fd): the descriptor number the next socket(2)
   of this Emacs will get, as POSIX has it: the lowest one not open.  */
emacs_value
Fnetopt_lowest_free_fd (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                        void *data)
{
  (void)data;
  (void)nargs;
  (void)args;
  int fd = 0;
  while (fcntl (fd, F_GETFD) != -1 || errno != EBADF)
    fd++;
  emacs_value v = env->make_integer (env, fd);
  LISP_CHECK (env);
  return v;
}

/* (netopt--fd-matches-p FD FAMILY TYPE LISTENING LOCAL REMOTE): does
   descriptor FD match, as netopt--find-fds would have it?  */
emacs_value
Fnetopt_fd_matches_p (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                      void *data)
{
  (void)data;
  (void)nargs;
  int fd;
  if (!fd_arg (env, args[0], &fd))
    return NULL;
  struct want w;
  if (!parse_want (env, args + 1, &w))
    return NULL;
  return !sock_fd_is_owned (fd) && fd_matches (fd, &w) ? Q.t : Q.nil;
}
