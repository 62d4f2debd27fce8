/* values.c --- conversions by value type.  */

#include "values.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
string_value (emacs_env *env, emacs_value keyword, emacs_value value,
              size_t max, struct nv_value *out)
{
  size_t len;
  char *s = lisp_copy_string (env, value, &len);
  if (!s)
    {
      /* Not a string: a bad value, not a wrong-type-argument.  */
      if (env->non_local_exit_check (env) == emacs_funcall_exit_signal)
        env->non_local_exit_clear (env);
      return lisp_bad_value (env, keyword, value, "expected a string");
    }
  bool ok = true;
  const char *reason = NULL;
  if (memchr (s, '\0', len))
    ok = false, reason = "contains a NUL byte";
  else if (len > max || len >= sizeof out->str)
    ok = false, reason = "too long";
  if (ok)
    {
      memcpy (out->str, s, len + 1);
      out->len = len;
    }
  free (s);
  if (!ok)
    return lisp_bad_value (env, keyword, value, reason);
  return true;
}

bool
nv_from_lisp (emacs_env *env, const struct nv_option *opt,
              emacs_value keyword, emacs_value value, struct nv_value *out)
{
  memset (out, 0, sizeof *out);
  intmax_t n;
  switch (opt->type)
    {
    case NV_BOOL:
      out->i = env->is_not_nil (env, value) ? 1 : 0;
      return true;

    case NV_INT:
      if (lisp_int_in_range (env, value, opt->min, opt->max, &n))
        {
          out->i = (int) n;
          return true;
        }
      NL_CHECK_BOOL (env);
      {
        char reason[96];
        snprintf (reason, sizeof reason,
                  "expected an integer from %jd to %jd", opt->min, opt->max);
        return lisp_bad_value (env, keyword, value, reason);
      }

    case NV_LINGER:
      if (lisp_nilp (env, value))
        return true; /* l_onoff = 0 */
      if (lisp_eq (env, value, Q.t))
        {
          emacs_value secs = env->funcall (env, Q.symbol_value, 1,
                                           &Q.linger_seconds);
          NL_CHECK_BOOL (env);
          if (!lisp_int_in_range (env, secs, 0, INT_MAX, &n))
            {
              NL_CHECK_BOOL (env);
              return lisp_bad_value (
                env, Q.linger_seconds, secs,
                "netopt-linger-seconds must be a non-negative integer");
            }
        }
      else if (!lisp_int_in_range (env, value, 0, INT_MAX, &n))
        {
          NL_CHECK_BOOL (env);
          return lisp_bad_value (env, keyword, value,
                                 "expected nil, t or a non-negative integer");
        }
      out->lg.l_onoff = 1;
      out->lg.l_linger = (int) n;
      return true;

    case NV_DEVICE:
      if (lisp_nilp (env, value))
        return true; /* unbind */
      return string_value (env, keyword, value, IFNAMSIZ - 1, out);

    case NV_STRING:
      return string_value (env, keyword, value, (size_t) opt->max, out);
    }
  return lisp_bad_value (env, keyword, value, "unsupported value type");
}

emacs_value
nv_to_lisp (emacs_env *env, const struct nv_option *opt,
            const struct nv_value *v)
{
  emacs_value r = NULL;
  switch (opt->type)
    {
    case NV_BOOL:
      return v->i ? Q.t : Q.nil;
    case NV_INT:
      r = env->make_integer (env, v->i);
      break;
    case NV_LINGER:
      if (!v->lg.l_onoff)
        return Q.nil;
      r = env->make_integer (env, v->lg.l_linger);
      break;
    case NV_DEVICE:
    case NV_STRING:
      if (v->len == 0)
        return Q.nil;
      r = env->make_string (env, v->str, (ptrdiff_t) v->len);
      break;
    }
  NL_CHECK (env);
  return r;
}

int
nv_kernel_set (int fd, int family, const struct nv_option *opt,
               const struct nv_value *v)
{
  int level, name;
  nv_resolve (opt, family, &level, &name);
  const void *p;
  socklen_t len;
  switch (opt->type)
    {
    case NV_LINGER:
      p = &v->lg;
      len = sizeof v->lg;
      break;
    case NV_DEVICE:
    case NV_STRING:
      p = v->str;
      len = (socklen_t) v->len;
      break;
    default:
      p = &v->i;
      len = sizeof v->i;
      break;
    }
  return setsockopt (fd, level, name, p, len) == 0 ? 0 : errno;
}

int
nv_kernel_get (int fd, int family, const struct nv_option *opt,
               struct nv_value *v)
{
  int level, name;
  nv_resolve (opt, family, &level, &name);
  memset (v, 0, sizeof *v);
  socklen_t len;
  switch (opt->type)
    {
    case NV_LINGER:
      len = sizeof v->lg;
      if (getsockopt (fd, level, name, &v->lg, &len) != 0)
        return errno;
      return 0;
    case NV_DEVICE:
    case NV_STRING:
      len = sizeof v->str - 1;
      if (getsockopt (fd, level, name, v->str, &len) != 0)
        return errno;
      v->str[len < sizeof v->str ? len : sizeof v->str - 1] = '\0';
      v->len = strlen (v->str);
      return 0;
    default:
      len = sizeof v->i;
      if (getsockopt (fd, level, name, &v->i, &len) != 0)
        return errno;
      if (opt->type == NV_BOOL)
        v->i = v->i != 0;
      return 0;
    }
}

bool
nv_equal (const struct nv_option *opt, const struct nv_value *a,
          const struct nv_value *b)
{
  switch (opt->type)
    {
    case NV_LINGER:
      return a->lg.l_onoff == b->lg.l_onoff
             && (!a->lg.l_onoff || a->lg.l_linger == b->lg.l_linger);
    case NV_DEVICE:
    case NV_STRING:
      return a->len == b->len && memcmp (a->str, b->str, a->len) == 0;
    default:
      return a->i == b->i;
    }
}
