/* api.c --- netopt-set-option, netopt-option and friends.  */

#include "api.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <netinet/in.h>

bool
nopt_init (emacs_env *env)
{
  for (size_t i = 0; i < nv_option_count; i++)
    {
      emacs_value kw = env->intern (env, nv_options[i].keyword);
      NL_CHECK_BOOL (env);
      emacs_value idx = env->make_integer (env, (intmax_t) i);
      NL_CHECK_BOOL (env);
      env->funcall (env, Q.put, 3, (emacs_value[]){ kw, Q.option_index, idx });
      NL_CHECK_BOOL (env);
    }
  return true;
}

/* The options looked up most recently, as global references, so that a
   repeated lookup is a few `eq' tests instead of a call to `get'.  */
#define LOOKUP_CACHE 4
static emacs_value cache_kw[LOOKUP_CACHE];
static const struct nv_option *cache_opt[LOOKUP_CACHE];
static unsigned cache_next;

static void
cache_put (emacs_env *env, emacs_value kw, const struct nv_option *opt)
{
  emacs_value ref = env->make_global_ref (env, kw);
  if (NL_PENDING (env))
    {
      env->non_local_exit_clear (env); /* the cache is only an aid */
      return;
    }
  unsigned i = cache_next++ % LOOKUP_CACHE;
  if (cache_kw[i])
    env->free_global_ref (env, cache_kw[i]);
  cache_kw[i] = ref;
  cache_opt[i] = opt;
}

const struct nv_option *
nopt_lookup (emacs_env *env, emacs_value kw)
{
  for (unsigned i = 0; i < LOOKUP_CACHE; i++)
    if (cache_kw[i] && env->eq (env, kw, cache_kw[i]))
      return cache_opt[i];
  emacs_value idx = env->funcall (env, Q.get, 2,
                                  (emacs_value[]){ kw, Q.option_index });
  NL_CHECK (env);
  intmax_t i;
  if (lisp_int_in_range (env, idx, 0, (intmax_t) nv_option_count - 1, &i))
    {
      cache_put (env, kw, &nv_options[i]);
      return &nv_options[i];
    }
  NL_CHECK (env);
  emacs_value is_kw = env->funcall (env, Q.keywordp, 1, &kw);
  NL_CHECK (env);
  if (lisp_nilp (env, is_kw))
    lisp_wrong_type (env, Q.keyword_p, kw);
  return NULL;
}

bool
nopt_signal_unknown (emacs_env *env, emacs_value kw, const char *reason)
{
  emacs_value data;
  if (reason)
    {
      emacs_value r = lisp_string (env, reason);
      if (!r)
        return false;
      data = lisp_list (env, 2, (emacs_value[]){ kw, r });
    }
  else
    data = lisp_list (env, 1, &kw);
  if (!data)
    return false;
  return lisp_signal (env, Q.err_unknown_option, data);
}

/* Is S bound to a local address?  Asked of the kernel, so it also holds
   for sockets Emacs made.  */
static bool
socket_is_bound (const struct nsock *s)
{
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  memset (&ss, 0, sizeof ss);
  if (getsockname (s->fd, (struct sockaddr *) &ss, &len) != 0)
    return true; /* cannot tell: do not pretend it is settable */
  switch (ss.ss_family)
    {
    case AF_INET:
      return ((struct sockaddr_in *) &ss)->sin_port != 0;
    case AF_INET6:
      return ((struct sockaddr_in6 *) &ss)->sin6_port != 0;
    case AF_UNIX:
      return len > offsetof (struct sockaddr_un, sun_path);
    default:
      return true;
    }
}

bool
nopt_check_settable (emacs_env *env, const struct nsock *s,
                     const struct nv_option *opt, emacs_value kw)
{
  if (!nv_applies (opt, s->family, s->type))
    return nopt_signal_unknown (env, kw,
                                "does not apply to this kind of socket");
  if (opt->when == NW_NEVER)
    return nopt_signal_unknown (env, kw, "read-only");
  if (opt->when == NW_BEFORE_BIND && socket_is_bound (s))
    return nopt_signal_unknown (env, kw,
                                "settable only before the socket is bound");
  return true;
}

bool
nopt_apply (emacs_env *env, const struct nsock *s,
            const struct nv_option *opt, emacs_value kw,
            emacs_value lisp_value, const struct nv_value *v)
{
  int err = nv_kernel_set (s->fd, s->family, opt, v);
  if (err == 0)
    return true;
  if (err == ENOPROTOOPT)
    return nopt_signal_unknown (env, kw, "not supported by this kernel");
  if (!lisp_value)
    {
      lisp_value = nv_to_lisp (env, opt, v);
      if (!lisp_value)
        return false;
    }
  return lisp_system_error (env, "Cannot set network option", err, 2,
                            (emacs_value[]){ kw, lisp_value });
}

bool
nopt_convert_plist (emacs_env *env, emacs_value plist, int family, int type,
                    struct nsetting **out, size_t *count)
{
  *out = NULL;
  *count = 0;
  /* Walk the plist through car-safe/cdr-safe (proper-list-p needs Emacs
     27), at most 512 options, so a circular list ends too.  */
  emacs_value car = env->intern (env, "car-safe");
  NL_CHECK_BOOL (env);
  emacs_value cdr = env->intern (env, "cdr-safe");
  NL_CHECK_BOOL (env);
  enum { MAX_CHILD_OPTIONS = 512 };
  struct nsetting *settings = calloc (MAX_CHILD_OPTIONS, sizeof *settings);
  if (!settings)
    return lisp_out_of_memory (env);
  emacs_value tail = plist;
  size_t k = 0;
  while (!lisp_nilp (env, tail))
    {
      bool pair = k < MAX_CHILD_OPTIONS
                  && lisp_is_type (env, tail, Q.cons_type);
      emacs_value key = NULL, value = NULL;
      if (pair)
        {
          key = env->funcall (env, car, 1, &tail);
          if (NL_PENDING (env))
            goto fail;
          tail = env->funcall (env, cdr, 1, &tail);
          if (NL_PENDING (env))
            goto fail;
          pair = lisp_is_type (env, tail, Q.cons_type);
        }
      if (!pair)
        {
          if (!NL_PENDING (env))
            lisp_bad_value (env, Q.k_child_options, plist,
                            "expected a property list of options");
          goto fail;
        }
      value = env->funcall (env, car, 1, &tail);
      if (NL_PENDING (env))
        goto fail;
      tail = env->funcall (env, cdr, 1, &tail);
      if (NL_PENDING (env))
        goto fail;
      const struct nv_option *opt = nopt_lookup (env, key);
      if (!opt)
        {
          if (!NL_PENDING (env))
            nopt_signal_unknown (env, key, NULL);
          goto fail;
        }
      if (!nv_applies (opt, family, type))
        {
          nopt_signal_unknown (env, key,
                               "does not apply to this kind of socket");
          goto fail;
        }
      if (opt->when == NW_NEVER)
        {
          nopt_signal_unknown (env, key, "read-only");
          goto fail;
        }
      if (!nv_from_lisp (env, opt, key, value, &settings[k].value))
        goto fail;
      settings[k].opt = opt;
      k++;
    }
  *out = settings;
  *count = k;
  return true;
fail:
  free (settings);
  return false;
}

/* (netopt-set-option TARGET OPTION VALUE &optional NO-ERROR) */
emacs_value
Fnetopt_set_option (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                    void *data)
{
  (void) data;
  bool no_error = nargs > 3 && env->is_not_nil (env, args[3]);
  const struct nv_option *opt = nopt_lookup (env, args[1]);
  NL_CHECK (env);
  struct nsock *s = nsock_target (env, args[0]);
  if (!s)
    return NULL;
  if (!opt)
    {
      if (no_error)
        return Q.nil;
      nopt_signal_unknown (env, args[1], NULL);
      return NULL;
    }
  /* A bad value is an error whatever NO-ERROR says, so convert first
     (a read-only option takes no value at all).  */
  struct nv_value v;
  if (opt->when != NW_NEVER
      && !nv_from_lisp (env, opt, args[1], args[2], &v))
    return NULL;
  if (!nopt_check_settable (env, s, opt, args[1]))
    {
      /* Only netopt-unknown-option can be pending here.  */
      if (no_error
          && env->non_local_exit_check (env) == emacs_funcall_exit_signal)
        {
          env->non_local_exit_clear (env);
          return Q.nil;
        }
      return NULL;
    }
  int err = nv_kernel_set (s->fd, s->family, opt, &v);
  if (err == 0)
    {
      if (!s->owned && lisp_is_type (env, args[0], Q.process_type))
        {
          /* An Emacs process: keep its process-contact in step with
             the kernel, side effects included (:tos sets :priority).  */
          env->funcall (env, Q.note_option, 3, args);
          NL_CHECK (env);
        }
      return Q.t;
    }
  if (err == ENOPROTOOPT)
    {
      if (no_error)
        return Q.nil;
      nopt_signal_unknown (env, args[1], "not supported by this kernel");
      return NULL;
    }
  lisp_system_error (env, "Cannot set network option", err, 2,
                     (emacs_value[]){ args[1], args[2] });
  return NULL;
}

static emacs_value
read_option (emacs_env *env, const struct nsock *s,
             const struct nv_option *opt, emacs_value kw, bool quiet)
{
  struct nv_value v;
  int err = nv_kernel_get (s->fd, s->family, opt, &v);
  if (err == 0)
    return nv_to_lisp (env, opt, &v);
  if (quiet)
    return NULL;
  if (err == ENOPROTOOPT)
    nopt_signal_unknown (env, kw, "not supported by this kernel");
  else
    lisp_system_error (env, "Cannot get network option", err, 1, &kw);
  return NULL;
}

/* (netopt-option TARGET OPTION) */
emacs_value
Fnetopt_option (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                void *data)
{
  (void) data;
  (void) nargs;
  const struct nv_option *opt = nopt_lookup (env, args[1]);
  NL_CHECK (env);
  struct nsock *s = nsock_target (env, args[0]);
  if (!s)
    return NULL;
  if (!opt)
    {
      nopt_signal_unknown (env, args[1], NULL);
      return NULL;
    }
  if (!nv_applies (opt, s->family, s->type))
    {
      nopt_signal_unknown (env, args[1],
                           "does not apply to this kind of socket");
      return NULL;
    }
  return read_option (env, s, opt, args[1], false);
}

/* (netopt--read-options TARGET): plist of every option that applies to
   TARGET, each read from the kernel now.  */
emacs_value
Fnetopt_read_options (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                      void *data)
{
  (void) data;
  (void) nargs;
  struct nsock *s = nsock_target (env, args[0]);
  if (!s)
    return NULL;
  emacs_value result = Q.nil;
  /* Build from the end so the plist keeps the table's order.  */
  for (size_t i = nv_option_count; i-- > 0;)
    {
      const struct nv_option *opt = &nv_options[i];
      /* Only an explicit netopt-option reads what reading clears.  */
      if (!nv_applies (opt, s->family, s->type) || opt->read_clears)
        continue;
      emacs_value kw = env->intern (env, opt->keyword);
      NL_CHECK (env);
      emacs_value v = read_option (env, s, opt, kw, true);
      NL_CHECK (env);
      if (!v)
        continue; /* not readable on this kernel */
      result = env->funcall (env, Q.cons, 2, (emacs_value[]){ v, result });
      NL_CHECK (env);
      result = env->funcall (env, Q.cons, 2, (emacs_value[]){ kw, result });
      NL_CHECK (env);
    }
  return result;
}

/* (netopt-supported-options) */
emacs_value
Fnetopt_supported_options (emacs_env *env, ptrdiff_t nargs,
                           emacs_value *args, void *data)
{
  (void) data;
  (void) nargs;
  (void) args;
  emacs_value result = Q.nil;
  for (size_t i = nv_option_count; i-- > 0;)
    {
      emacs_value kw = env->intern (env, nv_options[i].keyword);
      NL_CHECK (env);
      result = env->funcall (env, Q.cons, 2, (emacs_value[]){ kw, result });
      NL_CHECK (env);
    }
  return result;
}

static emacs_value
bits_to_list (emacs_env *env, unsigned bits, const emacs_value *names,
              int n)
{
  emacs_value items[4];
  int k = 0;
  for (int i = 0; i < n; i++)
    if (bits & (1u << i))
      items[k++] = names[i];
  return lisp_list (env, k, items);
}

static emacs_value
level_symbol (enum nv_level level)
{
  switch (level)
    {
    case NL_SOCKET:
      return Q.socket;
    case NL_IP:
    case NL_IP_ANY:
      return Q.ip;
    case NL_IPV6:
      return Q.ipv6_level;
    case NL_TCP:
      return Q.tcp;
    case NL_UDP:
      return Q.udp;
    }
  return Q.socket;
}

static emacs_value
type_symbol (enum nv_type type)
{
  switch (type)
    {
    case NV_BOOL:
      return Q.boolean;
    case NV_INT:
      return Q.integer_type;
    case NV_LINGER:
      return Q.linger;
    case NV_DEVICE:
      return Q.device;
    case NV_STRING:
      return Q.string_type;
    case NV_IFNAME:
      return Q.device;
    case NV_TCPINFO:
    case NV_PEERCRED:
      return Q.plist;
    }
  return Q.nil;
}

/* (netopt-option-info OPTION) */
emacs_value
Fnetopt_option_info (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                     void *data)
{
  (void) data;
  (void) nargs;
  const struct nv_option *opt = nopt_lookup (env, args[0]);
  NL_CHECK (env);
  if (!opt)
    {
      nopt_signal_unknown (env, args[0], NULL);
      return NULL;
    }
  emacs_value v[20];
  int k = 0;
  v[k++] = Q.k_type;
  v[k++] = type_symbol (opt->type);
  v[k++] = Q.k_level;
  v[k++] = level_symbol (opt->level);
  v[k++] = Q.k_settable;
  v[k++] = opt->when == NW_ALWAYS        ? Q.always
           : opt->when == NW_BEFORE_BIND ? Q.before_bind
                                         : Q.nil;
  v[k++] = Q.k_families;
  v[k] = bits_to_list (env, opt->families,
                       (emacs_value[]){ Q.ipv4, Q.ipv6, Q.local }, 3);
  NL_CHECK (env);
  k++;
  v[k++] = Q.k_socket_types;
  v[k] = bits_to_list (env, opt->types,
                       (emacs_value[]){ Q.stream, Q.datagram, Q.seqpacket },
                       3);
  NL_CHECK (env);
  k++;
  v[k++] = Q.k_c_name;
  v[k] = lisp_string (env, opt->c_name);
  NL_CHECK (env);
  k++;
  v[k++] = Q.k_privileged;
  v[k++] = opt->privileged ? Q.t : Q.nil;
  v[k++] = Q.k_range;
  if (opt->type == NV_INT)
    {
      emacs_value lo = env->make_integer (env, opt->min);
      NL_CHECK (env);
      emacs_value hi = env->make_integer (env, opt->max);
      NL_CHECK (env);
      v[k] = env->funcall (env, Q.cons, 2, (emacs_value[]){ lo, hi });
      NL_CHECK (env);
      k++;
    }
  else
    v[k++] = Q.nil;
  v[k++] = Q.k_read_clears;
  v[k++] = opt->read_clears ? Q.t : Q.nil;
  v[k++] = Q.k_doc;
  v[k] = lisp_string (env, opt->doc);
  NL_CHECK (env);
  k++;
  return lisp_list (env, k, v);
}
