/* create.c --- netopt-make-socket: create, configure, bind, connect.

   Everything that can be checked is checked before socket(2) is
   called, so a bad argument never leaves a descriptor behind.  Options
   are applied right after socket(2), before bind(2) and connect(2), for
   every kind of socket.  */

#include "../options/api.h"
#include "address.h"
#include "sockets.h"
#include "wait.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Keyword arguments of netopt-make-socket, in this order.  */
enum
{
  K_NAME,
  K_TYPE,
  K_FAMILY,
  K_HOST,
  K_SERVICE,
  K_SERVER,
  K_LOCAL,
  K_REMOTE,
  K_TIMEOUT,
  K_CHILD_OPTIONS,
  K_COUNT
};

/* Option keyword/value pairs met among the arguments.  */
struct pending_options
{
  emacs_value *pairs;
  ptrdiff_t n; /* number of values in PAIRS (2 per option) */
  bool has_reuseaddr;
};

static bool
collect_option (emacs_env *env, emacs_value key, emacs_value value,
                void *data)
{
  struct pending_options *p = data;
  p->pairs[p->n++] = key;
  p->pairs[p->n++] = value;
  (void) env;
  return true;
}

/* Everything netopt-make-socket decided before creating the socket.  */
struct plan
{
  char *name;
  int family, type;
  bool server;      /* :server non-nil */
  bool server_t;    /* :server t (else a backlog) */
  int backlog;
  char *host;
  char *service_name;
  int service_port; /* -1: t, -2: none */
  bool has_local, has_remote;
  struct naddr local, remote;
  struct naddr candidates[8]; /* every address of a client's :host */
  size_t ncandidates;
  struct ndeadline deadline; /* one for the whole call */
  struct nsetting *options, *child;
  size_t option_count, child_count;
};

static void
plan_free (struct plan *p)
{
  free (p->name);
  free (p->host);
  free (p->service_name);
  free (p->options);
  free (p->child);
}

static bool
parse_symbol_arg (emacs_env *env, emacs_value key, emacs_value v,
                  const emacs_value *choices, const int *codes, int n,
                  int *out, int dflt)
{
  if (lisp_nilp (env, v))
    {
      *out = dflt;
      return true;
    }
  for (int i = 0; i < n; i++)
    if (lisp_eq (env, v, choices[i]))
      {
        *out = codes[i];
        return true;
      }
  return lisp_bad_value (env, key, v, "not one of the accepted symbols");
}

static bool
family_mismatch (emacs_env *env, emacs_value key, emacs_value v)
{
  return lisp_bad_value (env, key, v,
                         "address does not match the socket's family");
}

/* Convert the option arguments for a socket of P's family and type into
   P->options.  The server default :reuseaddr t comes first; an explicit
   one follows.  */
static bool
convert_options (emacs_env *env, struct pending_options *po, struct plan *p)
{
  free (p->options);
  p->options = NULL;
  p->option_count = 0;
  bool default_reuse = p->server && p->family != AF_UNIX
                       && !po->has_reuseaddr;
  size_t nopts = (size_t) po->n / 2 + (default_reuse ? 1 : 0);
  p->options = calloc (nopts ? nopts : 1, sizeof *p->options);
  if (!p->options)
    return lisp_out_of_memory (env);
  size_t k = 0;
  if (default_reuse)
    {
      const struct nv_option *opt
        = nopt_lookup (env, env->intern (env, ":reuseaddr"));
      NL_CHECK_BOOL (env);
      if (opt)
        {
          p->options[k].opt = opt;
          p->options[k].value.i = 1;
          k++;
        }
    }
  for (ptrdiff_t i = 0; i < po->n; i += 2)
    {
      emacs_value key = po->pairs[i];
      const struct nv_option *opt = nopt_lookup (env, key);
      if (!opt)
        return NL_PENDING (env) ? false
                                : nopt_signal_unknown (env, key, NULL);
      if (!nv_applies (opt, p->family, p->type))
        return nopt_signal_unknown (env, key,
                                    "does not apply to this kind of socket");
      if (opt->when == NW_NEVER)
        return nopt_signal_unknown (env, key, "read-only");
      if (!nv_from_lisp (env, opt, key, po->pairs[i + 1],
                         &p->options[k].value))
        return false;
      p->options[k].opt = opt;
      k++;
    }
  p->option_count = k;
  return true;
}

static bool
plan_make (emacs_env *env, emacs_value *kv, struct pending_options *po,
           struct plan *p)
{
  /* :name */
  if (lisp_nilp (env, kv[K_NAME]))
    p->name = strdup ("netopt");
  else if (lisp_is_type (env, kv[K_NAME], Q.string_type))
    p->name = lisp_copy_string (env, kv[K_NAME], NULL);
  else
    {
      NL_CHECK_BOOL (env);
      return lisp_bad_value (env, Q.k_name, kv[K_NAME], "expected a string");
    }
  if (!p->name)
    return NL_PENDING (env) ? false : lisp_out_of_memory (env);

  /* :type and :family */
  if (!parse_symbol_arg (env, Q.k_type, kv[K_TYPE],
                         (emacs_value[]){ Q.stream, Q.datagram, Q.seqpacket },
                         (int[]){ SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET }, 3,
                         &p->type, SOCK_STREAM))
    return false;
  if (!parse_symbol_arg (env, Q.k_family, kv[K_FAMILY],
                         (emacs_value[]){ Q.ipv4, Q.ipv6, Q.local },
                         (int[]){ AF_INET, AF_INET6, AF_UNIX }, 3, &p->family,
                         AF_UNSPEC))
    return false;

  /* :server */
  intmax_t backlog;
  if (lisp_nilp (env, kv[K_SERVER]))
    p->server = false;
  else if (lisp_eq (env, kv[K_SERVER], Q.t))
    p->server = p->server_t = true, p->backlog = 5; /* as in Emacs */
  else if (lisp_int_in_range (env, kv[K_SERVER], 0, INT_MAX, &backlog))
    p->server = true, p->backlog = (int) backlog;
  else
    {
      NL_CHECK_BOOL (env);
      return lisp_bad_value (env, Q.k_server, kv[K_SERVER],
                             "expected nil, t or a backlog");
    }

  /* :host */
  if (!lisp_nilp (env, kv[K_HOST]))
    {
      if (!lisp_is_type (env, kv[K_HOST], Q.string_type))
        {
          NL_CHECK_BOOL (env);
          return lisp_bad_value (env, Q.k_host, kv[K_HOST],
                                 "expected a host name or address string");
        }
      size_t len;
      p->host = lisp_copy_string (env, kv[K_HOST], &len);
      if (!p->host)
        return false;
      if (len == 0 || memchr (p->host, '\0', len))
        return lisp_bad_value (env, Q.k_host, kv[K_HOST],
                               "expected a host name or address string");
    }

  /* :service */
  intmax_t port;
  bool has_service = !lisp_nilp (env, kv[K_SERVICE]);
  if (!has_service)
    p->service_port = -2;
  else if (lisp_eq (env, kv[K_SERVICE], Q.t))
    p->service_port = -1;
  else if (lisp_int_in_range (env, kv[K_SERVICE], 0, 65535, &port))
    p->service_port = (int) port;
  else if (lisp_is_type (env, kv[K_SERVICE], Q.string_type))
    {
      size_t len;
      p->service_name = lisp_copy_string (env, kv[K_SERVICE], &len);
      if (!p->service_name)
        return false;
      if (len == 0 || memchr (p->service_name, '\0', len))
        return lisp_bad_value (env, Q.k_service, kv[K_SERVICE],
                               "empty or contains a NUL byte");
      /* A port given as digits is a port, with a port's range.  */
      if (p->family != AF_UNIX && strspn (p->service_name, "0123456789") == len)
        {
          char *end;
          errno = 0;
          unsigned long n = strtoul (p->service_name, &end, 10);
          if (errno != 0 || n > 65535)
            return lisp_bad_value (env, Q.k_service, kv[K_SERVICE],
                                   "a port is 0-65535");
          p->service_port = (int) n;
          free (p->service_name);
          p->service_name = NULL;
        }
    }
  else
    {
      NL_CHECK_BOOL (env);
      return lisp_bad_value (env, Q.k_service, kv[K_SERVICE],
                             "expected a port, a service name or t");
    }

  /* :local and :remote */
  if (!lisp_nilp (env, kv[K_LOCAL]))
    {
      if (!addr_from_lisp (env, Q.k_local, kv[K_LOCAL], &p->local))
        return false;
      p->has_local = true;
    }
  if (!lisp_nilp (env, kv[K_REMOTE]))
    {
      if (!addr_from_lisp (env, Q.k_remote, kv[K_REMOTE], &p->remote))
        return false;
      p->has_remote = true;
    }

  /* :timeout, defaulting to netopt-connect-timeout.  */
  emacs_value timeout = kv[K_TIMEOUT];
  emacs_value timeout_key = Q.k_timeout;
  if (lisp_nilp (env, timeout))
    {
      timeout = env->funcall (env, Q.symbol_value, 1, &Q.connect_timeout);
      NL_CHECK_BOOL (env);
      timeout_key = Q.connect_timeout;
    }
  double seconds;
  if (!lisp_seconds (env, timeout_key, timeout, &seconds))
    return false;
  p->deadline = ndeadline_in (seconds);

  /* Decide the family and the addresses.  */
  bool local_family = p->family == AF_UNIX;
  if (p->has_remote || p->has_local)
    {
      int f = p->has_remote ? p->remote.ss.ss_family : p->local.ss.ss_family;
      if (p->has_remote && p->has_local
          && p->remote.ss.ss_family != p->local.ss.ss_family)
        return family_mismatch (env, Q.k_local, kv[K_LOCAL]);
      if (p->family != AF_UNSPEC && p->family != f)
        return family_mismatch (env, p->has_remote ? Q.k_remote : Q.k_local,
                                p->has_remote ? kv[K_REMOTE] : kv[K_LOCAL]);
      p->family = f;
      local_family = f == AF_UNIX;
    }

  if (local_family)
    {
      if (p->host)
        return lisp_bad_value (env, Q.k_host, kv[K_HOST],
                               "a local socket has no host");
      if (has_service && !p->service_name)
        return lisp_bad_value (env, Q.k_service, kv[K_SERVICE],
                               "a local socket's service is its file name");
      if (p->service_name)
        {
          struct naddr *target = p->server ? &p->local : &p->remote;
          bool *flag = p->server ? &p->has_local : &p->has_remote;
          if (!*flag)
            {
              if (!addr_local (env, Q.k_service, kv[K_SERVICE],
                               p->service_name, strlen (p->service_name),
                               target))
                return false;
              *flag = true;
            }
        }
    }
  else if (p->server && !p->has_local)
    {
      /* A server binds :host (default: the wildcard) and :service.  */
      if (!has_service)
        return lisp_bad_value (env, Q.k_service, Q.nil,
                               "a server needs :service (t: any free port)");
      size_t n;
      if (!addr_resolve (env, p->host, p->service_name,
                         p->service_port < 0 ? 0 : p->service_port,
                         p->family == AF_UNSPEC && !p->host ? AF_INET
                                                            : p->family,
                         p->type, true, &p->deadline, &p->local, 1, &n))
        return false;
      p->has_local = true;
    }
  else if (!p->server && !p->has_remote && p->host)
    {
      if (!has_service || p->service_port < 0)
        return lisp_bad_value (env, Q.k_service, kv[K_SERVICE],
                               "a client needs a port or service name");
      if (!addr_resolve (env, p->host, p->service_name, p->service_port,
                         p->family, p->type, false, &p->deadline,
                         p->candidates,
                         sizeof p->candidates / sizeof p->candidates[0],
                         &p->ncandidates))
        return false;
      p->remote = p->candidates[0];
      p->has_remote = true;
    }

  if (p->family == AF_UNSPEC)
    p->family = p->has_local    ? p->local.ss.ss_family
                : p->has_remote ? p->remote.ss.ss_family
                                : AF_INET;
  if ((p->has_local && p->local.ss.ss_family != p->family)
      || (p->has_remote && p->remote.ss.ss_family != p->family))
    return family_mismatch (env, Q.k_host, kv[K_HOST]);

  /* Options, converted now so that a bad one leaves nothing behind.  */
  if (!convert_options (env, po, p))
    return false;

  if (!lisp_nilp (env, kv[K_CHILD_OPTIONS])
      && !nopt_convert_plist (env, kv[K_CHILD_OPTIONS], p->family, p->type,
                              &p->child, &p->child_count))
    return false;
  return true;
}

/* Connect FD to A by DEADLINE, letting Emacs run while it waits.
   Returns 0, an errno value, or -1 when a non-local exit (C-g, a
   throw) is pending.  */
static int
connect_wait (emacs_env *env, int fd, const struct naddr *a,
              const struct ndeadline *deadline)
{
  double slice = 0;
  for (;;)
    {
      if (connect (fd, (const struct sockaddr *) &a->ss, a->len) == 0)
        return 0;
      if (errno == EISCONN)
        return 0;
      if (errno == EINPROGRESS || errno == EINTR || errno == EALREADY)
        break;
      if (errno != EAGAIN)
        return errno;
      /* A local server's backlog is full, or no ephemeral port is free:
         nothing to poll (the socket is not connecting), so let Emacs
         run for a slice and try again, until the deadline.  */
      switch (nwait_slice (env, deadline, &slice))
        {
        case NWAIT_READY:
          continue;
        case NWAIT_TIMEOUT:
          return ETIMEDOUT;
        default:
          return -1;
        }
    }
  switch (nwait_fd (env, NULL, fd, POLLOUT, deadline))
    {
    case NWAIT_READY:
      break;
    case NWAIT_TIMEOUT:
      return ETIMEDOUT;
    case NWAIT_ERROR:
      return errno;
    default:
      return -1;
    }
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt (fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
    return errno;
  return err;
}

emacs_value
Fnetopt_make_socket (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                     void *data)
{
  (void) data;
  emacs_value keys[K_COUNT]
    = { Q.k_name,   Q.k_type,  Q.k_family, Q.k_host,    Q.k_service,
        Q.k_server, Q.k_local, Q.k_remote, Q.k_timeout, Q.k_child_options };
  emacs_value kv[K_COUNT];
  struct pending_options po = { 0 };
  po.pairs = calloc ((size_t) nargs + 1, sizeof *po.pairs);
  if (!po.pairs)
    {
      lisp_out_of_memory (env);
      return NULL;
    }
  struct plan p;
  memset (&p, 0, sizeof p);
  emacs_value result = NULL;
  int fd = -1;

  if (!lisp_parse_keywords (env, nargs, args, K_COUNT, keys, kv,
                            collect_option, &po))
    goto out;
  emacs_value reuse_kw = env->intern (env, ":reuseaddr");
  if (NL_PENDING (env))
    goto out;
  for (ptrdiff_t i = 0; i < po.n; i += 2)
    if (lisp_eq (env, po.pairs[i], reuse_kw))
      po.has_reuseaddr = true;
  if (!plan_make (env, kv, &po, &p))
    goto out;
  /* The name errors carry: :name, or its default.  */
  emacs_value name = lisp_string (env, p.name);
  if (!name)
    goto out;

  /* A client whose :host has several addresses tries each in turn, as
     Emacs does, until one connects.  */
  bool listening = false;
  for (size_t attempt = 0;; attempt++)
    {
      fd = compat_socket (p.family, p.type);
      if (fd < 0)
        {
          lisp_system_error (env, "Cannot create socket", errno, 1,
                             (emacs_value[]){ name });
          goto out;
        }
      struct nsock probe = { .fd = fd, .family = p.family, .type = p.type };
      for (size_t i = 0; i < p.option_count; i++)
        {
          emacs_value kw = env->intern (env, p.options[i].opt->keyword);
          if (NL_PENDING (env))
            goto out;
          if (!nopt_apply (env, &probe, p.options[i].opt, kw, NULL,
                           &p.options[i].value))
            goto out;
        }
      if (p.has_local
          && bind (fd, (struct sockaddr *) &p.local.ss, p.local.len) != 0)
        {
          int err = errno;
          emacs_value where = addr_to_lisp (env, (struct sockaddr *) &p.local.ss,
                                            p.local.len);
          if (where)
            lisp_system_error (env, "Cannot bind", err, 2,
                               (emacs_value[]){ name, where });
          goto out;
        }
      if (p.server && p.type != SOCK_DGRAM)
        {
          if (listen (fd, p.backlog) != 0)
            {
              lisp_system_error (env, "Cannot listen", errno, 1,
                                 (emacs_value[]){ name });
              goto out;
            }
          listening = true;
        }
      if (p.server || !p.has_remote)
        break;
      int err = connect_wait (env, fd, &p.remote, &p.deadline);
      if (err < 0)
        goto out; /* quit */
      if (err == 0)
        break;
      struct naddr failed = p.remote;
      bool next = attempt + 1 < p.ncandidates
                  && (err == ECONNREFUSED || err == ENETUNREACH
                      || err == EHOSTUNREACH || err == ETIMEDOUT
                      || err == EADDRNOTAVAIL || err == EAFNOSUPPORT);
      if (next)
        {
          nsock_release_fd (fd);
          fd = -1;
          p.remote = p.candidates[attempt + 1];
          if (p.remote.ss.ss_family != p.family)
            {
              /* Options apply per family: convert them again; one that
                 does not apply to the other family ends the search.  */
              p.family = p.remote.ss.ss_family;
              if (!convert_options (env, &po, &p))
                {
                  env->non_local_exit_clear (env);
                  next = false;
                }
            }
        }
      if (next)
        continue;
      emacs_value where = addr_to_lisp (env, (struct sockaddr *) &failed.ss,
                                        failed.len);
      if (!where)
        goto out;
      lisp_system_error (env, "Cannot connect", err, 2,
                         (emacs_value[]){ name, where });
      goto out;
    }

  struct nsock *s = nsock_new (fd, p.family, p.type, true, p.name);
  if (!s)
    {
      lisp_out_of_memory (env);
      goto out;
    }
  fd = -1; /* S owns it now */
  s->listening = listening;
  s->server = p.server;
  s->server_t = p.server_t;
  s->backlog = p.backlog;
  s->host = p.host;
  p.host = NULL;
  s->service_name = p.service_name;
  p.service_name = NULL;
  s->service_port = p.service_port;
  s->child_options = p.child;
  s->child_count = p.child_count;
  p.child = NULL;
  result = nsock_wrap (env, s);

out:
  if (fd >= 0)
    nsock_release_fd (fd);
  plan_free (&p);
  free (po.pairs);
  return result;
}
