/* engine.c --- the option engine: prepare, apply, read.  */

#include "engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <netinet/in.h>

/* Every row's keyword, interned once, as global references.  */
static emacs_value *keywords;

bool
opt_init (emacs_env *env)
{
  keywords = calloc (opt_row_count, sizeof *keywords);
  if (!keywords)
    return lisp_out_of_memory (env);
  for (size_t i = 0; i < opt_row_count; i++)
    {
      emacs_value kw = env->intern (env, opt_rows[i].keyword);
      LISP_CHECK_BOOL (env);
      keywords[i] = env->make_global_ref (env, kw);
      LISP_CHECK_BOOL (env);
      emacs_value idx = env->make_integer (env, (intmax_t)i);
      LISP_CHECK_BOOL (env);
      env->funcall (env, Q.put, 3,
                    (emacs_value[]){ keywords[i], Q.option_index, idx });
      LISP_CHECK_BOOL (env);
    }
  return true;
}

emacs_value
opt_keyword (const struct opt_row *row)
{
  return keywords[row - opt_rows];
}

/* The options looked up most recently, so that a repeated lookup is a
   few `eq' tests instead of a call to `get'.  The keywords are the
   global references of opt_init.  */
#define LOOKUP_CACHE 4
static const struct opt_row *cache[LOOKUP_CACHE];
static unsigned cache_next;

const struct opt_row *
opt_lookup (emacs_env *env, emacs_value kw)
{
  for (unsigned i = 0; i < LOOKUP_CACHE; i++)
    if (cache[i] && env->eq (env, kw, opt_keyword (cache[i])))
      return cache[i];
  emacs_value idx
      = env->funcall (env, Q.get, 2, (emacs_value[]){ kw, Q.option_index });
  LISP_CHECK (env);
  intmax_t i;
  if (lisp_int_in_range (env, idx, 0, (intmax_t)opt_row_count - 1, &i))
    {
      cache[cache_next++ % LOOKUP_CACHE] = &opt_rows[i];
      return &opt_rows[i];
    }
  LISP_CHECK (env);
  emacs_value is_kw = env->funcall (env, Q.keywordp, 1, &kw);
  LISP_CHECK (env);
  if (lisp_nilp (env, is_kw))
    lisp_wrong_type (env, Q.keywordp, kw);
  return NULL;
}

bool
opt_signal_unknown (emacs_env *env, emacs_value kw, const char *reason)
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

bool
opt_is_bound (int fd)
{
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  memset (&ss, 0, sizeof ss);
  if (getsockname (fd, (struct sockaddr *)&ss, &len) != 0)
    return true; /* cannot tell: do not pretend it is settable */
  switch (ss.ss_family)
    {
    case AF_INET:
      return ((struct sockaddr_in *)&ss)->sin_port != 0;
    case AF_INET6:
      return ((struct sockaddr_in6 *)&ss)->sin6_port != 0;
    case AF_UNIX:
      return len > offsetof (struct sockaddr_un, sun_path);
    default:
      return true;
    }
}

enum opt_outcome
opt_prepare (emacs_env *env, emacs_value kw, emacs_value value,
             const struct opt_socket *s, enum opt_context context,
             struct opt_setting *out)
{
  const struct opt_row *row = opt_lookup (env, kw);
  if (!row)
    {
      if (LISP_PENDING (env))
        return OPT_FAILED;
      opt_signal_unknown (env, kw, NULL);
      return OPT_REFUSED;
    }
  out->row = row;
  /* A bad value is an error in every context, so the value is
     converted before the option's applicability is judged.  */
  if (row->when != OPT_NEVER
      && !opt_value_from_lisp (env, row, kw, value, &out->value))
    return OPT_FAILED;
  const char *reason = NULL;
  if (!opt_applies (row, s->family, s->type))
    reason = "does not apply to this kind of socket";
  else if (row->when == OPT_NEVER)
    reason = "read-only";
  else if (row->when == OPT_BEFORE_BIND
           && (context == OPT_FOR_CHILD
               || (context == OPT_LATER && opt_is_bound (s->fd))))
    reason = "settable only before the socket is bound";
  if (!reason)
    return OPT_OK;
  opt_signal_unknown (env, kw, reason);
  return OPT_REFUSED;
}

/* Move the :dead-after settings of the N in SETTINGS to the front,
   keeping the order of the rest: the options it derives are then set
   first, and any given explicitly beside it win.  */
static void
budgets_first (struct opt_setting *settings, size_t n)
{
  size_t front = 0;
  for (size_t i = 0; i < n; i++)
    if (settings[i].row->type == OPT_BUDGET)
      {
        struct opt_setting budget = settings[i];
        memmove (&settings[front + 1], &settings[front],
                 (i - front) * sizeof *settings);
        settings[front++] = budget;
      }
}

bool
opt_prepare_plist (emacs_env *env, emacs_value name, emacs_value plist,
                   int family, int type, enum opt_context context,
                   struct opt_setting **out, size_t *count)
{
  *out = NULL;
  *count = 0;
  /* Walk the plist with car-safe/cdr-safe (proper-list-p needs Emacs
     27), at most 512 options, so that a circular list ends too.  */
  enum
  {
    MAX_OPTIONS = 512
  };
  emacs_value keys[MAX_OPTIONS], values[MAX_OPTIONS];
  size_t n = 0;
  emacs_value tail = plist;
  while (!lisp_nilp (env, tail))
    {
      bool pair = n < MAX_OPTIONS && lisp_is_type (env, tail, Q.cons_type);
      if (pair)
        {
          keys[n] = env->funcall (env, Q.car_safe, 1, &tail);
          LISP_CHECK_BOOL (env);
          tail = env->funcall (env, Q.cdr_safe, 1, &tail);
          LISP_CHECK_BOOL (env);
          pair = lisp_is_type (env, tail, Q.cons_type);
        }
      LISP_CHECK_BOOL (env);
      if (!pair)
        return lisp_bad_value (env, name, plist,
                               "expected a property list of options");
      values[n] = env->funcall (env, Q.car_safe, 1, &tail);
      LISP_CHECK_BOOL (env);
      tail = env->funcall (env, Q.cdr_safe, 1, &tail);
      LISP_CHECK_BOOL (env);
      n++;
    }
  struct opt_setting *settings = calloc (n ? n : 1, sizeof *settings);
  if (!settings)
    return lisp_out_of_memory (env);
  struct opt_socket kind = { .fd = -1, .family = family, .type = type };
  for (size_t i = 0; i < n; i++)
    if (opt_prepare (env, keys[i], values[i], &kind, context, &settings[i])
        != OPT_OK)
      {
        free (settings);
        return false;
      }
  budgets_first (settings, n);
  *out = settings;
  *count = n;
  return true;
}

bool
opt_kernel_error (emacs_env *env, int err, emacs_value kw, emacs_value value)
{
  if (err == ENOPROTOOPT)
    return opt_signal_unknown (env, kw, "not supported by this kernel");
  if (value)
    return lisp_system_error (env, "Cannot set network option", err, 2,
                              (emacs_value[]){ kw, value });
  return lisp_system_error (env, "Cannot get network option", err, 1, &kw);
}

enum opt_outcome
opt_apply (emacs_env *env, const struct opt_socket *s,
           const struct opt_setting *set, emacs_value value)
{
  int err = opt_kernel_set (s->fd, s->family, set->row, &set->value);
  if (err == 0)
    return OPT_OK;
  if (!value)
    {
      struct opt_reading r = { .type = set->row->type };
      r.u.value = set->value;
      value = opt_reading_to_lisp (env, set->row, &r);
      if (!value)
        return OPT_FAILED;
    }
  opt_kernel_error (env, err, opt_keyword (set->row), value);
  return err == ENOPROTOOPT ? OPT_REFUSED : OPT_FAILED;
}

emacs_value
opt_read (emacs_env *env, const struct opt_socket *s,
          const struct opt_row *row, bool quiet)
{
  struct opt_reading r;
  int err = opt_kernel_get (s->fd, s->family, row, &r);
  if (err == 0)
    return opt_reading_to_lisp (env, row, &r);
  if (!quiet)
    opt_kernel_error (env, err, opt_keyword (row), NULL);
  return NULL;
}

emacs_value
opt_read_all (emacs_env *env, const struct opt_socket *s)
{
  emacs_value result = Q.nil;
  /* Build from the end so that the plist keeps the table's order.  */
  for (size_t i = opt_row_count; i-- > 0;)
    {
      const struct opt_row *row = &opt_rows[i];
      /* Only an explicit netopt-option reads what reading clears.  */
      if (!opt_applies (row, s->family, s->type) || row->read_clears)
        continue;
      emacs_value v = opt_read (env, s, row, true);
      LISP_CHECK (env);
      if (!v)
        continue; /* not readable on this kernel */
      result = env->funcall (env, Q.cons, 2, (emacs_value[]){ v, result });
      LISP_CHECK (env);
      result = env->funcall (env, Q.cons, 2,
                             (emacs_value[]){ opt_keyword (row), result });
      LISP_CHECK (env);
    }
  return result;
}
