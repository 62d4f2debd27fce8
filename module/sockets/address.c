/* address.c --- socket addresses in their Lisp forms.  */

#include "address.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

bool
sock_addr_local (emacs_env *env, emacs_value keyword, emacs_value lisp_path,
                 const char *path, size_t len, struct sock_addr *out)
{
  struct sockaddr_un *sun = (struct sockaddr_un *)&out->ss;
  memset (out, 0, sizeof *out);
  if (len == 0)
    return lisp_bad_value (env, keyword, lisp_path,
                           "a local socket needs a file name");
  if (path[0] == '\0')
    {
      /* Emacs's one abstract address: Emacs copies a name up to its
         first NUL and passes the whole sun_path, so every name that
         starts with NUL is sun_path all NULs, of full length.  */
      sun->sun_family = AF_UNIX;
      out->len = (socklen_t)sizeof *sun;
      return true;
    }
  if (len >= sizeof sun->sun_path)
    return lisp_bad_value (env, keyword, lisp_path,
                           "file name too long for a local socket");
  if (memchr (path, '\0', len))
    return lisp_bad_value (env, keyword, lisp_path,
                           "file name contains a NUL byte");
  sun->sun_family = AF_UNIX;
  memcpy (sun->sun_path, path, len);
  out->len = (socklen_t)(offsetof (struct sockaddr_un, sun_path) + len + 1);
  return true;
}

void
sock_addr_local_absolute (struct sock_addr *a)
{
  struct sockaddr_un *sun = (struct sockaddr_un *)&a->ss;
  if (sun->sun_family != AF_UNIX || sun->sun_path[0] == '\0'
      || sun->sun_path[0] == '/')
    return;
  char cwd[sizeof sun->sun_path];
  if (!getcwd (cwd, sizeof cwd) || cwd[0] != '/')
    return; /* ERANGE (too long) or gone: the name as given, as Emacs */
  size_t clen = strlen (cwd);
  size_t nlen = strlen (sun->sun_path);
  if (clen + 1 + nlen >= sizeof sun->sun_path)
    return;
  memmove (sun->sun_path + clen + 1, sun->sun_path, nlen + 1);
  memcpy (sun->sun_path, cwd, clen);
  sun->sun_path[clen] = '/';
  a->len = (socklen_t)(offsetof (struct sockaddr_un, sun_path) + clen + 1
                       + nlen + 1);
}

bool
sock_addr_from_lisp (emacs_env *env, emacs_value keyword, emacs_value v,
                     struct sock_addr *out)
{
  memset (out, 0, sizeof *out);
  if (lisp_is_type (env, v, Q.string_type))
    {
      size_t len;
      char *path = lisp_copy_string (env, v, &len);
      if (!path)
        return false;
      bool ok = sock_addr_local (env, keyword, v, path, len, out);
      free (path);
      return ok;
    }
  LISP_CHECK_BOOL (env);
  if (!lisp_is_type (env, v, Q.vector_type))
    {
      LISP_CHECK_BOOL (env);
      return lisp_bad_value (env, keyword, v,
                             "expected an address vector or a file name");
    }
  ptrdiff_t n = env->vec_size (env, v);
  LISP_CHECK_BOOL (env);
  if (n != 5 && n != 9)
    return lisp_bad_value (env, keyword, v,
                           "expected [A B C D PORT] or [W1 ... W8 PORT]");
  intmax_t parts[9] = { 0 };
  intmax_t limit = n == 5 ? 255 : 65535;
  for (ptrdiff_t i = 0; i < n; i++)
    {
      emacs_value e = env->vec_get (env, v, i);
      LISP_CHECK_BOOL (env);
      if (!lisp_int_in_range (env, e, 0, i == n - 1 ? 65535 : limit,
                              &parts[i]))
        {
          LISP_CHECK_BOOL (env);
          return lisp_bad_value (env, keyword, v,
                                 "address element out of range");
        }
    }
  if (n == 5)
    {
      struct sockaddr_in *sin = (struct sockaddr_in *)&out->ss;
      sin->sin_family = AF_INET;
      unsigned char *b = (unsigned char *)&sin->sin_addr;
      for (int i = 0; i < 4; i++)
        b[i] = (unsigned char)parts[i];
      sin->sin_port = htons ((uint16_t)parts[4]);
      out->len = sizeof *sin;
    }
  else
    {
      struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->ss;
      sin6->sin6_family = AF_INET6;
      for (int i = 0; i < 8; i++)
        {
          sin6->sin6_addr.s6_addr[2 * i] = (unsigned char)(parts[i] >> 8);
          sin6->sin6_addr.s6_addr[2 * i + 1] = (unsigned char)parts[i];
        }
      sin6->sin6_port = htons ((uint16_t)parts[8]);
      out->len = sizeof *sin6;
    }
  return true;
}

bool
sock_addr_mismatch (emacs_env *env, emacs_value keyword, emacs_value v)
{
  return lisp_bad_value (env, keyword, v,
                         "address does not match the socket's family");
}

/* The Lisp form of the local address A (LEN bytes): its file name;
   nil when it is unnamed or abstract.  */
static emacs_value
local_to_lisp (emacs_env *env, const struct sockaddr *a, socklen_t len)
{
  const struct sockaddr_un *sun = (const struct sockaddr_un *)a;
  size_t off = offsetof (struct sockaddr_un, sun_path);
  if (len <= off)
    return Q.nil;
  size_t max = len - off;
  if (max > sizeof sun->sun_path)
    max = sizeof sun->sun_path;
  size_t plen = strnlen (sun->sun_path, max);
  if (plen == 0)
    return Q.nil; /* unnamed, or abstract */
  emacs_value s = env->make_string (env, sun->sun_path, (ptrdiff_t)plen);
  LISP_CHECK (env);
  return s;
}

emacs_value
sock_addr_to_lisp (emacs_env *env, const struct sockaddr *a, socklen_t len)
{
  /* An IP address's vector: its bytes (IPv4) or 16-bit words (IPv6),
     then its port.  */
  int parts[9];
  int n = 0;
  if (a->sa_family == AF_INET)
    {
      const struct sockaddr_in *sin = (const struct sockaddr_in *)a;
      const unsigned char *b = (const unsigned char *)&sin->sin_addr;
      for (int i = 0; i < 4; i++)
        parts[n++] = b[i];
      parts[n++] = ntohs (sin->sin_port);
    }
  else if (a->sa_family == AF_INET6)
    {
      const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)a;
      const unsigned char *b = sin6->sin6_addr.s6_addr;
      for (int i = 0; i < 8; i++)
        parts[n++] = (b[2 * i] << 8) | b[2 * i + 1];
      parts[n++] = ntohs (sin6->sin6_port);
    }
  else
    return a->sa_family == AF_UNIX ? local_to_lisp (env, a, len) : Q.nil;
  emacs_value items[9];
  for (int i = 0; i < n; i++)
    {
      items[i] = env->make_integer (env, parts[i]);
      LISP_CHECK (env);
    }
  emacs_value v = env->funcall (env, Q.vector, n, items);
  LISP_CHECK (env);
  return v;
}

/* The numeric forms that need no resolver: the wildcard, an IPv4 or
   IPv6 literal.  True when *OUT was filled.  */
static bool
numeric_address (const char *host, int port, int family, bool passive,
                 struct sock_addr *out)
{
  memset (out, 0, sizeof *out);
  struct sockaddr_in *in = (struct sockaddr_in *)&out->ss;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&out->ss;
  bool v4ok = family == AF_UNSPEC || family == AF_INET;
  bool v6ok = family == AF_UNSPEC || family == AF_INET6;
  if (!host && passive && family != AF_INET6)
    {
      in->sin_family = AF_INET;
      in->sin_addr.s_addr = htonl (INADDR_ANY);
      in->sin_port = htons ((uint16_t)port);
      out->len = sizeof *in;
      return true;
    }
  if (!host && passive)
    {
      in6->sin6_family = AF_INET6;
      in6->sin6_addr = in6addr_any;
      in6->sin6_port = htons ((uint16_t)port);
      out->len = sizeof *in6;
      return true;
    }
  if (host && v4ok && inet_pton (AF_INET, host, &in->sin_addr) == 1)
    {
      in->sin_family = AF_INET;
      in->sin_port = htons ((uint16_t)port);
      out->len = sizeof *in;
      return true;
    }
  if (host && v6ok && !strchr (host, '%')
      && inet_pton (AF_INET6, host, &in6->sin6_addr) == 1)
    {
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons ((uint16_t)port);
      out->len = sizeof *in6;
      return true;
    }
  return false;
}

/* One getaddrinfo call, run by its own thread while the caller lets
   Emacs run.  The job is shared: whoever drops the last reference (the
   resolver thread when it finishes, or the caller when it gives up on
   a deadline or a quit) frees it, so a caller never waits for a silent
   name server past its deadline.  */
struct resolve_job
{
  atomic_int refs;
  atomic_bool done;
  char *host, *service;
  struct addrinfo hints;
  int rc, err;
  struct addrinfo *res;
};

static void
job_unref (struct resolve_job *job)
{
  if (atomic_fetch_sub (&job->refs, 1) != 1)
    return;
  if (job->res)
    freeaddrinfo (job->res);
  free (job->host);
  free (job->service);
  free (job);
}

static void *
resolve_thread (void *arg)
{
  struct resolve_job *job = arg;
  job->rc = getaddrinfo (job->host, job->service, &job->hints, &job->res);
  job->err = errno;
  atomic_store (&job->done, true);
  job_unref (job);
  return NULL;
}

static bool
job_done (void *arg)
{
  return atomic_load (&((struct resolve_job *)arg)->done);
}

int
sock_thread_start (void *(*run) (void *), void *arg)
{
  sigset_t all, old;
  sigfillset (&all);
  int err = pthread_sigmask (SIG_SETMASK, &all, &old);
  if (err != 0)
    return err;
  pthread_attr_t attr;
  err = pthread_attr_init (&attr);
  if (err == 0)
    {
      err = pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
      pthread_t thread;
      if (err == 0)
        err = pthread_create (&thread, &attr, run, arg);
      pthread_attr_destroy (&attr);
    }
  int err2 = pthread_sigmask (SIG_SETMASK, &old, NULL);
  return err != 0 ? err : err2;
}

static bool
resolve_error (emacs_env *env, const char *why, const char *host)
{
  emacs_value items[3];
  items[0] = lisp_string (env, "Cannot resolve address");
  LISP_CHECK_BOOL (env);
  items[1] = lisp_string (env, why);
  LISP_CHECK_BOOL (env);
  items[2] = host ? lisp_string (env, host) : Q.nil;
  LISP_CHECK_BOOL (env);
  return lisp_signal (env, Q.err_system, lisp_list (env, 3, items));
}

/* The addresses of RES into OUT, in order, each once: at most MAX.
   Returns how many.  */
static size_t
copy_addresses (const struct addrinfo *res, struct sock_addr *out, size_t max)
{
  size_t count = 0;
  for (const struct addrinfo *a = res; a && count < max; a = a->ai_next)
    {
      if (a->ai_addrlen > sizeof out[0].ss)
        continue;
      bool seen = false;
      for (size_t i = 0; i < count; i++)
        if (out[i].len == a->ai_addrlen
            && memcmp (&out[i].ss, a->ai_addr, a->ai_addrlen) == 0)
          seen = true;
      if (seen)
        continue;
      memset (&out[count], 0, sizeof out[count]);
      memcpy (&out[count].ss, a->ai_addr, a->ai_addrlen);
      out[count].len = a->ai_addrlen;
      count++;
    }
  return count;
}

bool
sock_addr_resolve (emacs_env *env, const char *host, const char *service,
                   int port, int family, int type, bool passive,
                   const struct sock_deadline *deadline, struct sock_addr *out,
                   size_t max, size_t *count)
{
  *count = 0;
  /* Numeric hosts and the wildcard need no resolver.  */
  if (!service && port >= 0 && port <= 65535
      && numeric_address (host, port, family, passive, out))
    {
      *count = 1;
      return true;
    }
  struct resolve_job *job = calloc (1, sizeof *job);
  char portbuf[16];
  if (!service)
    snprintf (portbuf, sizeof portbuf, "%d", port);
  if (job)
    {
      job->host = host ? strdup (host) : NULL;
      job->service = strdup (service ? service : portbuf);
    }
  if (!job || (host && !job->host) || !job->service)
    {
      if (job)
        {
          atomic_init (&job->refs, 1);
          job_unref (job);
        }
      return lisp_out_of_memory (env);
    }
  job->hints.ai_family = family;
  job->hints.ai_socktype = type;
  job->hints.ai_flags
      = (passive ? AI_PASSIVE : 0) | (service ? 0 : AI_NUMERICSERV);
  atomic_init (&job->refs, 2);
  atomic_init (&job->done, false);
  int err = sock_thread_start (resolve_thread, job);
  if (err != 0)
    {
      atomic_store (&job->refs, 1);
      job_unref (job);
      return lisp_system_error (env, "Cannot start the resolver", err, 0,
                                NULL);
    }
  enum sock_wait_result w = sock_wait_until (env, job_done, job, deadline);
  if (w != SOCK_WAIT_READY)
    {
      job_unref (job); /* the thread frees it when it finishes */
      if (w == SOCK_WAIT_TIMEOUT)
        return resolve_error (env, strerror (ETIMEDOUT), host);
      return false; /* a quit or a throw is pending */
    }
  if (job->rc != 0 || !job->res)
    {
      const char *why = job->rc == EAI_SYSTEM ? strerror (job->err)
                        : job->rc != 0        ? gai_strerror (job->rc)
                                              : "No address";
      bool r = resolve_error (env, why, host);
      job_unref (job);
      return r;
    }
  *count = copy_addresses (job->res, out, max);
  job_unref (job);
  if (*count == 0)
    return resolve_error (env, "No address", host);
  return true;
}

void
sock_addr_host_string (const struct sockaddr *a, char *buf, size_t size)
{
  buf[0] = '\0';
  if (a->sa_family == AF_INET)
    inet_ntop (AF_INET, &((const struct sockaddr_in *)a)->sin_addr, buf,
               (socklen_t)size);
  else if (a->sa_family == AF_INET6)
    inet_ntop (AF_INET6, &((const struct sockaddr_in6 *)a)->sin6_addr, buf,
               (socklen_t)size);
}

int
sock_addr_port (const struct sockaddr *a)
{
  if (a->sa_family == AF_INET)
    return ntohs (((const struct sockaddr_in *)a)->sin_port);
  if (a->sa_family == AF_INET6)
    return ntohs (((const struct sockaddr_in6 *)a)->sin6_port);
  return -1;
}

/* How many types, and families, have a name.  */
#define SOCK_KINDS 3

/* The codes of KIND that have a name, into *CODES, and their names, in
   the same order, into SYMBOLS.  */
static void
kind_table (enum sock_kind kind, const int **codes,
            emacs_value symbols[SOCK_KINDS])
{
  static const int types[SOCK_KINDS]
      = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };
  static const int families[SOCK_KINDS] = { AF_INET, AF_INET6, AF_UNIX };
  bool type = kind == SOCK_KIND_TYPE;
  *codes = type ? types : families;
  symbols[0] = type ? Q.stream : Q.ipv4;
  symbols[1] = type ? Q.datagram : Q.ipv6;
  symbols[2] = type ? Q.seqpacket : Q.local;
}

emacs_value
sock_kind_symbol (enum sock_kind kind, int code)
{
  const int *codes;
  emacs_value symbols[SOCK_KINDS];
  kind_table (kind, &codes, symbols);
  for (int i = 0; i < SOCK_KINDS; i++)
    if (codes[i] == code)
      return symbols[i];
  return Q.nil;
}

bool
sock_kind_from_lisp (emacs_env *env, enum sock_kind kind, emacs_value key,
                     emacs_value v, int dflt, int *out)
{
  if (lisp_nilp (env, v))
    {
      *out = dflt;
      return true;
    }
  const int *codes;
  emacs_value symbols[SOCK_KINDS];
  kind_table (kind, &codes, symbols);
  for (int i = 0; i < SOCK_KINDS; i++)
    if (lisp_eq (env, v, symbols[i]))
      {
        *out = codes[i];
        return true;
      }
  return lisp_bad_value (env, key, v, "not one of the accepted symbols");
}

bool
sock_addr_same (const struct sockaddr_storage *a, socklen_t alen,
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

bool
sock_addr_unnamed (const struct sockaddr_storage *a, socklen_t alen)
{
  return alen <= offsetof (struct sockaddr_un, sun_path)
         || ((const struct sockaddr_un *)a)->sun_path[0] == '\0';
}
