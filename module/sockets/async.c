/* async.c --- waiting in the background: a host name resolved, then
   connections completing, in a thread of the job's own, while Emacs
   runs freely.

   A job's thread resolves its name, then waits for commands: each
   asks it to watch one socket until its connection ends.  When
   something is new the thread writes one byte to the wake channel, a
   loopback connection whose other end is an Emacs network process
   made by the Lisp layer: its filter asks which jobs have news
   (netopt--async-news) and what each is at (netopt--async-state).
   Nothing polls, and no Emacs function runs outside Emacs's own
   thread.

   The thread never makes, closes or changes a descriptor of Emacs's:
   it only polls the socket it was asked to watch, which the caller
   keeps open until the job says how it ended (or the job ends).  Ending
   a job closes its command pipe; a thread still resolving then ends
   when its resolver returns, and frees the job if it was last.  */

#include "address.h"
#include "sockets.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum job_state
{
  J_RESOLVING,
  J_RESOLVED,
  J_WATCHING,
  J_CONNECTED,
  J_FAILED,
};

#define JOB_ADDRESSES 16

struct async_job
{
  pthread_mutex_t mu;
  int refs; /* under MU: the Lisp object's, the thread's */
  intmax_t id;
  char *host, *service;
  struct addrinfo hints;
  int cmd[2]; /* main writes to [1] (closed: the end), thread reads [0] */
  /* Under MU.  */
  enum job_state state;
  bool news;
  int rc, err; /* getaddrinfo's result and errno */
  struct sock_addr addrs[JOB_ADDRESSES];
  size_t naddrs;
  int watch_fd;
  /* The descriptor, and its socket's inode, of the process the job
     connects for: gone (the process deleted), the job has news.  */
  int guard_fd;
  ino_t guard_ino;
  /* Main thread only: the list of jobs not yet ended.  */
  struct async_job *next;
};

static struct async_job *jobs;
static intmax_t last_id;

/* The wake channel: Emacs reads the other end.  */
static pthread_mutex_t wake_mu = PTHREAD_MUTEX_INITIALIZER;
static int wake_fd = -1;

int
sock_async_set_wake (int fd)
{
  pthread_mutex_lock (&wake_mu);
  int old = wake_fd;
  wake_fd = fd;
  pthread_mutex_unlock (&wake_mu);
  return old;
}

static void
wake (void)
{
  pthread_mutex_lock (&wake_mu);
  if (wake_fd >= 0)
    {
      /* Full or gone: Emacs has a byte to read already, or the Lisp
         layer makes a new channel and looks at every job then.  */
      ssize_t n = send (wake_fd, "!", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      (void)n;
    }
  pthread_mutex_unlock (&wake_mu);
}

static void
job_unref (struct async_job *job)
{
  pthread_mutex_lock (&job->mu);
  int left = --job->refs;
  pthread_mutex_unlock (&job->mu);
  if (left > 0)
    return;
  pthread_mutex_destroy (&job->mu);
  free (job->host);
  free (job->service);
  free (job);
}

static void
job_news (struct async_job *job, enum job_state state)
{
  pthread_mutex_lock (&job->mu);
  job->state = state;
  job->news = true;
  pthread_mutex_unlock (&job->mu);
  wake ();
}

static void
job_resolve (struct async_job *job)
{
  struct addrinfo *res = NULL;
  int rc = getaddrinfo (job->host, job->service, &job->hints, &res);
  int err = errno;
  pthread_mutex_lock (&job->mu);
  job->rc = rc;
  job->err = err;
  for (struct addrinfo *a = rc == 0 ? res : NULL;
       a && job->naddrs < JOB_ADDRESSES; a = a->ai_next)
    if (a->ai_addrlen <= sizeof job->addrs[0].ss)
      {
        memcpy (&job->addrs[job->naddrs].ss, a->ai_addr, a->ai_addrlen);
        job->addrs[job->naddrs++].len = a->ai_addrlen;
      }
  pthread_mutex_unlock (&job->mu);
  if (res)
    freeaddrinfo (res);
  job_news (job, J_RESOLVED);
}

/* Watch the socket the caller named until its connection ends; false
   when the job ended meanwhile.  */
/* Is the job's guard gone: its descriptor closed or holding another
   socket (fstat only reads)?  */
static bool
guard_gone (struct async_job *job)
{
  pthread_mutex_lock (&job->mu);
  int fd = job->guard_fd;
  ino_t ino = job->guard_ino;
  pthread_mutex_unlock (&job->mu);
  struct stat st;
  return fd >= 0 && (fstat (fd, &st) != 0 || st.st_ino != ino);
}

/* How often a watch looks at its guard, in milliseconds: the process
   deleted meanwhile ends its job within that.  */
#define GUARD_MS 250

/* Watch the socket the caller named until its connection ends, or the
   guard goes; false when the job ended meanwhile.  */
static bool
job_watch (struct async_job *job)
{
  pthread_mutex_lock (&job->mu);
  int fd = job->watch_fd;
  pthread_mutex_unlock (&job->mu);
  struct pollfd p[2] = { { fd, POLLOUT, 0 }, { job->cmd[0], POLLIN, 0 } };
  int n;
  while ((n = poll (p, 2, GUARD_MS)) == 0 || (n < 0 && errno == EINTR))
    if (n == 0 && guard_gone (job))
      {
        job_news (job, J_FAILED);
        return true;
      }
  if (n < 0 || p[1].revents)
    return false;
  /* The socket's error stays pending: a failed connection handed to
     Emacs lets Emacs report it with the kernel's code.  */
  job_news (job, p[0].revents & (POLLERR | POLLHUP | POLLNVAL) ? J_FAILED
                                                               : J_CONNECTED);
  return true;
}

static void *
job_thread (void *arg)
{
  struct async_job *job = arg;
  job_resolve (job);
  for (;;)
    {
      char c;
      ssize_t n = read (job->cmd[0], &c, 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0 || !job_watch (job))
        break;
    }
  close (job->cmd[0]);
  job_unref (job);
  return NULL;
}

/* End JOB for the main thread: off the list, its thread told (the
   command pipe closed), the main thread's reference dropped.  */
static void
job_end (struct async_job *job)
{
  for (struct async_job **p = &jobs; *p; p = &(*p)->next)
    if (*p == job)
      {
        *p = job->next;
        break;
      }
  if (job->cmd[1] >= 0)
    {
      close (job->cmd[1]);
      job->cmd[1] = -1;
    }
  job_unref (job);
}

static void
job_finalize (void *p) EMACS_NOEXCEPT
{
  if (p)
    job_end (p);
}

/* The job V designates, or NULL with an exit pending.  */
static struct async_job *
job_of (emacs_env *env, emacs_value v)
{
  bool ptr = lisp_is_type (env, v, Q.user_ptr_type);
  LISP_CHECK (env);
  struct async_job *job = NULL;
  if (!ptr || env->get_user_finalizer (env, v) != job_finalize)
    {
      if (!LISP_PENDING (env))
        lisp_wrong_type (env, Q.user_ptr_type, v);
      return NULL;
    }
  job = env->get_user_ptr (env, v);
  LISP_CHECK (env);
  if (!job)
    lisp_signal (
        env, Q.err_closed,
        lisp_list (env, 1, (emacs_value[]){ lisp_string (env, "Job ended") }));
  return job;
}

static struct async_job *
job_new (emacs_env *env, emacs_value host, emacs_value service)
{
  struct async_job *job = calloc (1, sizeof *job);
  if (!job)
    return lisp_out_of_memory (env), NULL;
  job->cmd[0] = job->cmd[1] = -1;
  job->watch_fd = -1;
  job->guard_fd = -1;
  job->refs = 1;
  pthread_mutex_init (&job->mu, NULL);
  job->host = lisp_copy_string (env, host, NULL);
  intmax_t port = 0;
  if (job->host && lisp_int_in_range (env, service, 0, 65535, &port))
    {
      char buf[16];
      snprintf (buf, sizeof buf, "%jd", port);
      job->service = strdup (buf);
      job->hints.ai_flags = AI_NUMERICSERV;
    }
  else if (job->host && !LISP_PENDING (env))
    job->service = lisp_copy_string (env, service, NULL);
  if (!job->service || pipe2 (job->cmd, O_CLOEXEC) != 0)
    {
      if (!LISP_PENDING (env))
        lisp_system_error (env, "Cannot resolve address", errno, 1, &host);
      for (int i = 0; i < 2; i++)
        if (job->cmd[i] >= 0)
          close (job->cmd[i]);
      job->cmd[1] = -1;
      job_unref (job);
      return NULL;
    }
  return job;
}

/* (netopt--async-resolve HOST SERVICE FAMILY TYPE): a job resolving
   HOST and SERVICE (a port or a service name) for a socket of FAMILY
   (nil, ipv4 or ipv6) and TYPE, in the background.  */
emacs_value
Fnetopt_async_resolve (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                       void *data)
{
  (void)nargs;
  (void)data;
  int family, type;
  if (!sock_kind_from_lisp (env, SOCK_KIND_FAMILY, Q.k_family, args[2],
                            AF_UNSPEC, &family)
      || !sock_kind_from_lisp (env, SOCK_KIND_TYPE, Q.k_type, args[3],
                               SOCK_STREAM, &type))
    return NULL;
  if (!lisp_is_type (env, args[0], Q.string_type))
    {
      LISP_CHECK (env);
      return lisp_bad_value (env, Q.k_host, args[0], "expected a host name"),
             NULL;
    }
  struct async_job *job = job_new (env, args[0], args[1]);
  if (!job)
    return NULL;
  job->hints.ai_family = family;
  job->hints.ai_socktype = type;
  job->id = ++last_id;
  job->refs = 2;
  int err = sock_thread_start (job_thread, job);
  if (err != 0)
    {
      job->refs = 1;
      job_end (job);
      return lisp_system_error (env, "Cannot start the resolver", err, 0,
                                NULL),
             NULL;
    }
  job->next = jobs;
  jobs = job;
  emacs_value v = env->make_user_ptr (env, job_finalize, job);
  if (LISP_PENDING (env))
    job_end (job);
  return LISP_PENDING (env) ? NULL : v;
}

/* (netopt--async-id JOB): JOB's number, as netopt--async-news gives.  */
emacs_value
Fnetopt_async_id (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                  void *data)
{
  (void)nargs;
  (void)data;
  struct async_job *job = job_of (env, args[0]);
  return job ? env->make_integer (env, job->id) : NULL;
}

/* The addresses JOB resolved, as a list of address vectors.  */
static emacs_value
job_addresses (emacs_env *env, struct async_job *job)
{
  emacs_value list = Q.nil;
  for (size_t i = job->naddrs; i-- > 0;)
    {
      emacs_value a = sock_addr_to_lisp (
          env, (struct sockaddr *)&job->addrs[i].ss, job->addrs[i].len);
      if (!a)
        return NULL;
      list = env->funcall (env, Q.cons, 2, (emacs_value[]){ a, list });
      LISP_CHECK (env);
    }
  return list;
}

/* The resolver's failure, in words.  */
static emacs_value
job_failure (emacs_env *env, const struct async_job *job)
{
  const char *why = job->rc == EAI_SYSTEM ? strerror (job->err)
                    : job->rc != 0        ? gai_strerror (job->rc)
                                          : "No address";
  emacs_value items[2] = { Q.unresolved, lisp_string (env, why) };
  return items[1] ? lisp_list (env, 2, items) : NULL;
}

/* (netopt--async-state JOB): `resolving'; (resolved ADDRESS...) or
   (unresolved REASON) once the name is resolved; `watching' while a
   connection is watched, then `connected' or `failed' (its error left
   pending on the socket).  */
emacs_value
Fnetopt_async_state (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                     void *data)
{
  (void)nargs;
  (void)data;
  struct async_job *job = job_of (env, args[0]);
  if (!job)
    return NULL;
  pthread_mutex_lock (&job->mu);
  enum job_state state = job->state;
  pthread_mutex_unlock (&job->mu);
  switch (state)
    {
    case J_RESOLVING:
      return Q.resolving;
    case J_RESOLVED:
      if (job->naddrs == 0)
        return job_failure (env, job);
      {
        emacs_value list = job_addresses (env, job);
        return list ? env->funcall (env, Q.cons, 2,
                                    (emacs_value[]){ Q.resolved, list })
                    : NULL;
      }
    case J_WATCHING:
      return Q.watching;
    case J_CONNECTED:
      return Q.connected;
    case J_FAILED:
      return Q.failed;
    }
  return Q.nil;
}

/* (netopt--async-watch JOB SOCKET): JOB's thread watches SOCKET, a
   netopt socket whose connection is in progress, until it ends.  The
   caller keeps SOCKET open until then.  */
emacs_value
Fnetopt_async_watch (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                     void *data)
{
  (void)nargs;
  (void)data;
  struct async_job *job = job_of (env, args[0]);
  struct sock_handle *s = job ? sock_from_lisp (env, args[1], false) : NULL;
  if (!s)
    return NULL;
  pthread_mutex_lock (&job->mu);
  bool ok = job->state != J_RESOLVING && job->state != J_WATCHING
            && job->cmd[1] >= 0;
  if (ok)
    {
      job->watch_fd = s->sock.fd;
      job->state = J_WATCHING;
    }
  pthread_mutex_unlock (&job->mu);
  if (!ok)
    return lisp_signal (env, Q.err_error,
                        lisp_list (env, 1,
                                   (emacs_value[]){ lisp_string (
                                       env, "The job cannot watch now") })),
           NULL;
  ssize_t n;
  while ((n = write (job->cmd[1], "w", 1)) < 0 && errno == EINTR)
    ;
  if (n != 1)
    return sock_system_error (env, "Cannot watch connection", errno, s), NULL;
  return Q.t;
}

bool
sock_async_guard (emacs_env *env, emacs_value v, int fd, ino_t ino)
{
  struct async_job *job = job_of (env, v);
  if (!job)
    return false;
  pthread_mutex_lock (&job->mu);
  job->guard_fd = fd;
  job->guard_ino = ino;
  pthread_mutex_unlock (&job->mu);
  return true;
}

/* (netopt--async-news): the numbers of the jobs with news since the
   last call.  */
emacs_value
Fnetopt_async_news (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                    void *data)
{
  (void)nargs;
  (void)args;
  (void)data;
  emacs_value list = Q.nil;
  for (struct async_job *job = jobs; job; job = job->next)
    {
      pthread_mutex_lock (&job->mu);
      bool news = job->news;
      job->news = false;
      pthread_mutex_unlock (&job->mu);
      if (!news)
        continue;
      emacs_value id = env->make_integer (env, job->id);
      list = LISP_PENDING (env)
                 ? NULL
                 : env->funcall (env, Q.cons, 2, (emacs_value[]){ id, list });
      LISP_CHECK (env);
    }
  return list;
}

/* (netopt--async-end JOB): JOB ends; a socket it watched is the
   caller's again.  Ending twice is harmless.  */
emacs_value
Fnetopt_async_end (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                   void *data)
{
  (void)nargs;
  (void)data;
  bool ptr = lisp_is_type (env, args[0], Q.user_ptr_type);
  LISP_CHECK (env);
  if (!ptr || env->get_user_finalizer (env, args[0]) != job_finalize)
    return LISP_PENDING (env)
               ? NULL
               : (lisp_wrong_type (env, Q.user_ptr_type, args[0]), NULL);
  struct async_job *job = env->get_user_ptr (env, args[0]);
  LISP_CHECK (env);
  if (job)
    {
      env->set_user_ptr (env, args[0], NULL);
      LISP_CHECK (env);
      job_end (job);
    }
  return Q.nil;
}
