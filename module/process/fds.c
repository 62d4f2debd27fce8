/* fds.c --- the descriptors of this Emacs: the one walk over them, the
   kind of socket one holds, and the snapshot of its sockets that tells
   a new one from the others.  locate.c and adopt.c build on these.  */

#include "process.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>

/* Call VISIT on descriptor FD unless it is the walk's own.  */
static bool
visit_name (const char *name, int self, proc_fd_visitor visit, void *data)
{
  if (name[0] < '0' || name[0] > '9')
    return true;
  int fd = atoi (name);
  return fd == self || visit (fd, data);
}

int
proc_each_fd (proc_fd_visitor visit, void *data)
{
#ifdef __linux__
  /* The open descriptors only: a few dozen, not the whole table.  */
  DIR *dir = opendir ("/proc/self/fd");
  if (dir)
    {
      int self = dirfd (dir);
      struct dirent *e;
      bool more = true;
      while (more && (errno = 0, e = readdir (dir)))
        more = visit_name (e->d_name, self, visit, data);
      int err = more && errno ? errno : 0;
      if (closedir (dir) != 0 && !err && more)
        err = errno;
      return err;
    }
#endif
  long max = sysconf (_SC_OPEN_MAX);
  if (max < 0 || max > 1 << 20)
    max = 1 << 16;
  for (int fd = 0; fd < max; fd++)
    if (fcntl (fd, F_GETFD) != -1 && !visit (fd, data))
      break;
  return 0;
}

bool
proc_is_foreign_socket (int fd, struct stat *st)
{
  int type = 0;
  socklen_t len = sizeof type;
  return !sock_fd_is_owned (fd)
         && getsockopt (fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0
         && fstat (fd, st) == 0;
}

/* Does FD have K's type and, when K says, listen or not?  */
bool
proc_fd_type_is (int fd, const struct proc_kind *k)
{
  int type = 0;
  socklen_t len = sizeof type;
  if (getsockopt (fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0
      || type != k->type)
    return false;
  if (k->listening < 0)
    return true;
  int acc = 0;
  len = sizeof acc;
  return getsockopt (fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) == 0
         && (acc != 0) == (k->listening != 0);
}

bool
proc_fd_is_kind (int fd, const struct proc_kind *k)
{
  int family = 0;
  return compat_socket_family (fd, &family) == 0 && family == k->family
         && proc_fd_type_is (fd, k);
}

bool
proc_fds_has (const struct proc_fds *fds, int fd, ino_t ino)
{
  for (size_t i = 0; i < fds->n; i++)
    if (fds->fd[i] == fd && fds->ino[i] == ino)
      return true;
  return false;
}

bool
proc_fds_add (struct proc_fds *fds, int fd, ino_t ino)
{
  if (fds->n == fds->cap)
    {
      if (fds->cap > SIZE_MAX / 2 / sizeof (ino_t))
        return false;
      size_t cap = fds->cap ? 2 * fds->cap : 16;
      int *f = realloc (fds->fd, cap * sizeof *f);
      if (f)
        fds->fd = f;
      ino_t *i = f ? realloc (fds->ino, cap * sizeof *i) : NULL;
      if (!i)
        return false;
      fds->ino = i;
      fds->cap = cap;
    }
  fds->fd[fds->n] = fd;
  fds->ino[fds->n++] = ino;
  return true;
}

bool
proc_fds_of_snapshot (emacs_env *env, emacs_value snapshot,
                      struct proc_fds *out)
{
  emacs_value tail = snapshot;
  while (lisp_is_type (env, tail, Q.cons_type))
    {
      emacs_value cell = env->funcall (env, Q.car_safe, 1, &tail);
      emacs_value fd = LISP_PENDING (env)
                           ? NULL
                           : env->funcall (env, Q.car_safe, 1, &cell);
      emacs_value ino = LISP_PENDING (env)
                            ? NULL
                            : env->funcall (env, Q.cdr_safe, 1, &cell);
      intmax_t f, i;
      if (LISP_PENDING (env) || !lisp_int_in_range (env, fd, 0, INT_MAX, &f)
          || !lisp_int_in_range (env, ino, 0, INTMAX_MAX, &i))
        {
          if (!LISP_PENDING (env))
            lisp_wrong_type (env, Q.listp, snapshot);
          return false;
        }
      if (!proc_fds_add (out, (int)f, (ino_t)i))
        return lisp_out_of_memory (env);
      tail = env->funcall (env, Q.cdr_safe, 1, &tail);
      LISP_CHECK_BOOL (env);
    }
  return !LISP_PENDING (env);
}

void
proc_fds_free (struct proc_fds *fds)
{
  free (fds->fd);
  free (fds->ino);
  *fds = (struct proc_fds){ NULL, NULL, 0, 0 };
}

bool
proc_same_socket (const struct sock_handle *s)
{
  struct stat st;
  return s->sock.fd >= 0 && fstat (s->sock.fd, &st) == 0
         && S_ISSOCK (st.st_mode) && st.st_ino == proc_facts (s)->ino;
}

struct snapshot
{
  emacs_env *env;
  emacs_value list; /* NULL once an exit is pending */
};

/* Push (FD . INODE) when FD is a socket that is not netopt's own.  */
static bool
push_socket (int fd, void *data)
{
  struct snapshot *snap = data;
  emacs_env *env = snap->env;
  struct stat st;
  if (!proc_is_foreign_socket (fd, &st))
    return true;
  emacs_value pair[2] = { env->make_integer (env, fd), NULL };
  pair[1] = env->make_integer (env, (intmax_t)st.st_ino);
  emacs_value cell
      = LISP_PENDING (env) ? NULL : env->funcall (env, Q.cons, 2, pair);
  snap->list = LISP_PENDING (env)
                   ? NULL
                   : env->funcall (env, Q.cons, 2,
                                   (emacs_value[]){ cell, snap->list });
  return !LISP_PENDING (env);
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
  (void)nargs;
  (void)args;
  (void)data;
  struct snapshot snap = { env, Q.nil };
  int err = proc_each_fd (push_socket, &snap);
  if (!snap.list)
    return NULL;
  if (err)
    {
      lisp_system_error (env, "Cannot list descriptors", err, 0, NULL);
      return NULL;
    }
  return snap.list;
}

/* Is the pair (FD . INODE) in SNAPSHOT, a value of netopt--socket-fds?
   False with an exit pending when SNAPSHOT is no such list.  */
static bool
in_snapshot (emacs_env *env, emacs_value snapshot, int fd, ino_t ino)
{
  emacs_value pair[2] = { env->make_integer (env, fd), NULL };
  pair[1] = env->make_integer (env, (intmax_t)ino);
  emacs_value cell
      = LISP_PENDING (env) ? NULL : env->funcall (env, Q.cons, 2, pair);
  emacs_value found = LISP_PENDING (env)
                          ? NULL
                          : env->funcall (env, Q.member, 2,
                                          (emacs_value[]){ cell, snapshot });
  return !LISP_PENDING (env) && !lisp_nilp (env, found);
}

struct fresh
{
  emacs_env *env;
  emacs_value before;
  const struct proc_kind *kind;
  const struct proc_fds *exclude;
  int fd;       /* the one found, -1 none */
  size_t count; /* how many were found */
};

static bool
check_fresh (int fd, void *data)
{
  struct fresh *f = data;
  struct stat st;
  if (!proc_is_foreign_socket (fd, &st)
      || proc_fds_has (f->exclude, fd, st.st_ino)
      || (f->kind && !proc_fd_is_kind (fd, f->kind)))
    return true;
  bool old = in_snapshot (f->env, f->before, fd, st.st_ino);
  if (LISP_PENDING (f->env))
    return false;
  if (!old)
    {
      f->fd = fd;
      f->count++;
    }
  return true;
}

int
proc_new_socket (emacs_env *env, emacs_value before,
                 const struct proc_kind *kind, const struct proc_fds *exclude,
                 size_t *count)
{
  struct fresh f = { env, before, kind, exclude, -1, 0 };
  int err = proc_each_fd (check_fresh, &f);
  if (LISP_PENDING (env))
    return -1;
  if (err)
    {
      lisp_system_error (env, "Cannot list descriptors", err, 0, NULL);
      return -1;
    }
  *count = f.count;
  return f.count == 1 ? f.fd : -1;
}

/* (netopt--spare-fds N): non-nil when this Emacs can open N more
   descriptors now (netopt's placeholders need a few beside its
   socket): each is opened on /dev/null and closed again.  */
emacs_value
Fnetopt_spare_fds (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                   void *data)
{
  (void)nargs;
  (void)data;
  intmax_t n;
  if (!lisp_int_in_range (env, args[0], 0, 64, &n))
    {
      if (!LISP_PENDING (env))
        lisp_wrong_type (env, Q.natnump, args[0]);
      return NULL;
    }
  int fds[64];
  intmax_t got = 0;
  bool below = true; /* Emacs refuses a descriptor past FD_SETSIZE */
  while (got < n && (fds[got] = open ("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
    below = below && fds[got++] < FD_SETSIZE;
  for (intmax_t i = 0; i < got; i++)
    close (fds[i]);
  return got == n && below ? Q.t : Q.nil;
}
