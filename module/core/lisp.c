/* lisp.c --- glue between the module and the Emacs environment.  */

#include "lisp.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct netopt_symbols Q;
ptrdiff_t netopt_env_size;

bool
lisp_init_symbols (emacs_env *env)
{
#define NETOPT_SYM_INIT(c, l)                                                 \
  {                                                                           \
    emacs_value s = env->intern (env, l);                                     \
    LISP_CHECK_BOOL (env);                                                    \
    Q.c = env->make_global_ref (env, s);                                      \
    LISP_CHECK_BOOL (env);                                                    \
  }
  NETOPT_SYMBOLS (NETOPT_SYM_INIT)
#undef NETOPT_SYM_INIT
  return true;
}

emacs_value
lisp_symbol (emacs_env *env, emacs_value *slot, const char *name)
{
  if (!*slot)
    {
      emacs_value sym = env->intern (env, name);
      LISP_CHECK (env);
      emacs_value ref = env->make_global_ref (env, sym);
      LISP_CHECK (env);
      *slot = ref;
    }
  return *slot;
}

bool
lisp_plist_add (emacs_env *env, struct lisp_plist *p, emacs_value key,
                emacs_value value)
{
  if (!value || LISP_PENDING (env))
    return false;
  if (p->n + 2 > 2 * LISP_PLIST_MAX)
    return lisp_signal (env, Q.err_error,
                        lisp_list (env, 1,
                                   (emacs_value[]){ lisp_string (
                                       env, "Too many properties") }));
  p->items[p->n++] = key;
  p->items[p->n++] = value;
  return true;
}

emacs_value
lisp_plist_make (emacs_env *env, const struct lisp_plist *p)
{
  if (LISP_PENDING (env))
    return NULL;
  return lisp_list (env, p->n, (emacs_value *)p->items);
}

bool
lisp_plist_remove (emacs_env *env, emacs_value plist, emacs_value key)
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

bool
lisp_signal (emacs_env *env, emacs_value error, emacs_value data)
{
  if (!LISP_PENDING (env))
    env->non_local_exit_signal (env, error, data);
  return false;
}

emacs_value
lisp_list (emacs_env *env, ptrdiff_t n, emacs_value *items)
{
  emacs_value v = env->funcall (env, Q.list, n, items);
  LISP_CHECK (env);
  return v;
}

emacs_value
lisp_string (emacs_env *env, const char *s)
{
  emacs_value v = env->make_string (env, s, (ptrdiff_t)strlen (s));
  LISP_CHECK (env);
  return v;
}

emacs_value
lisp_unibyte (emacs_env *env, const char *bytes, size_t len)
{
  emacs_value v;
  if (len > PTRDIFF_MAX)
    {
      lisp_signal (
          env, Q.err_error,
          lisp_list (env, 1,
                     (emacs_value[]){ lisp_string (env, "String too long") }));
      return NULL;
    }
#if defined EMACS_MAJOR_VERSION && EMACS_MAJOR_VERSION >= 28
  if (netopt_env_size >= (ptrdiff_t)sizeof (struct emacs_env_28))
    {
      v = env->make_unibyte_string (env, bytes, (ptrdiff_t)len);
      LISP_CHECK (env);
      return v;
    }
#endif
  /* Older Emacs: (apply #'unibyte-string BYTES).  */
  emacs_value *items = malloc ((len ? len : 1) * sizeof *items);
  if (!items)
    {
      lisp_out_of_memory (env);
      return NULL;
    }
  for (size_t i = 0; i < len; i++)
    {
      items[i] = env->make_integer (env, (unsigned char)bytes[i]);
      if (LISP_PENDING (env))
        {
          free (items);
          return NULL;
        }
    }
  v = env->funcall (env, Q.unibyte_string, (ptrdiff_t)len, items);
  free (items);
  LISP_CHECK (env);
  return v;
}

bool
lisp_wrong_type (emacs_env *env, emacs_value predicate, emacs_value value)
{
  emacs_value data = lisp_list (env, 2, (emacs_value[]){ predicate, value });
  if (!data)
    return false;
  return lisp_signal (env, Q.wrong_type_argument, data);
}

bool
lisp_eq (emacs_env *env, emacs_value a, emacs_value b)
{
  return env->eq (env, a, b);
}

bool
lisp_nilp (emacs_env *env, emacs_value v)
{
  return !env->is_not_nil (env, v);
}

bool
lisp_is_type (emacs_env *env, emacs_value v, emacs_value type)
{
  emacs_value actual = env->type_of (env, v);
  if (LISP_PENDING (env))
    return false;
  return env->eq (env, actual, type);
}

char *
lisp_copy_string (emacs_env *env, emacs_value v, size_t *len)
{
  if (!lisp_is_type (env, v, Q.string_type))
    {
      lisp_wrong_type (env, Q.stringp, v);
      return NULL;
    }
  ptrdiff_t size = 0;
  env->copy_string_contents (env, v, NULL, &size);
  LISP_CHECK (env);
  char *buf = malloc (size > 0 ? (size_t)size : 1);
  if (!buf)
    {
      lisp_out_of_memory (env);
      return NULL;
    }
  if (!env->copy_string_contents (env, v, buf, &size) || LISP_PENDING (env))
    {
      free (buf);
      return NULL;
    }
  if (len)
    *len = size > 0 ? (size_t)size - 1 : 0;
  return buf;
}

bool
lisp_int_in_range (emacs_env *env, emacs_value v, intmax_t min, intmax_t max,
                   intmax_t *out)
{
  /* No type-of first: extract_integer itself refuses a non-integer,
     and its error, as a bignum's beyond intmax_t, is cleared.  An exit
     pending before is left alone.  */
  if (LISP_PENDING (env))
    return false;
  intmax_t n = env->extract_integer (env, v);
  if (LISP_PENDING (env))
    {
      /* Not an integer, or a bignum beyond intmax_t: out of any range
         we accept.  */
      env->non_local_exit_clear (env);
      return false;
    }
  if (n < min || n > max)
    return false;
  *out = n;
  return true;
}

bool
lisp_int_arg (emacs_env *env, emacs_value keyword, emacs_value v, intmax_t min,
              intmax_t max, const char *reason, intmax_t *out)
{
  if (lisp_int_in_range (env, v, min, max, out))
    return true;
  LISP_CHECK_BOOL (env);
  return lisp_bad_value (env, keyword, v, reason);
}

bool
lisp_seconds (emacs_env *env, emacs_value keyword, emacs_value v, double *out)
{
  if (lisp_nilp (env, v))
    {
      *out = -1;
      return true;
    }
  intmax_t n;
  if (lisp_int_in_range (env, v, 0, INT_MAX, &n))
    {
      *out = (double)n;
      return true;
    }
  LISP_CHECK_BOOL (env);
  if (lisp_is_type (env, v, Q.float_type))
    {
      double d = env->extract_float (env, v);
      LISP_CHECK_BOOL (env);
      if (isfinite (d) && d >= 0 && d <= INT_MAX)
        {
          *out = d;
          return true;
        }
    }
  LISP_CHECK_BOOL (env);
  return lisp_bad_value (env, keyword, v,
                         "expected nil or a non-negative number of seconds");
}

bool
lisp_bad_value (emacs_env *env, emacs_value option, emacs_value value,
                const char *reason)
{
  emacs_value r = lisp_string (env, reason);
  if (!r)
    return false;
  emacs_value data = lisp_list (env, 3, (emacs_value[]){ option, value, r });
  if (!data)
    return false;
  return lisp_signal (env, Q.err_bad_value, data);
}

bool
lisp_system_error (emacs_env *env, const char *what, int errnum, ptrdiff_t n,
                   emacs_value *extra)
{
  emacs_value items[8];
  if (n > 6)
    n = 6;
  items[0] = lisp_string (env, what);
  if (!items[0])
    return false;
  items[1] = lisp_string (env, strerror (errnum));
  if (!items[1])
    return false;
  for (ptrdiff_t i = 0; i < n; i++)
    items[2 + i] = extra[i];
  emacs_value data = lisp_list (env, n + 2, items);
  if (!data)
    return false;
  emacs_value error = (errnum == EPERM || errnum == EACCES) ? Q.err_permission
                                                            : Q.err_system;
  return lisp_signal (env, error, data);
}

bool
lisp_parse_keywords (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                     ptrdiff_t nkeys, const emacs_value *keys,
                     emacs_value *values, lisp_unknown_key_fn unknown,
                     void *data)
{
  for (ptrdiff_t k = 0; k < nkeys; k++)
    values[k] = Q.nil;
  if (nargs % 2 != 0)
    {
      emacs_value rest = lisp_list (env, nargs, args);
      if (!rest)
        return false;
      return lisp_wrong_type (env, Q.plistp, rest);
    }
  for (ptrdiff_t i = 0; i < nargs; i += 2)
    {
      ptrdiff_t k;
      for (k = 0; k < nkeys; k++)
        if (env->eq (env, args[i], keys[k]))
          break;
      if (k < nkeys)
        {
          values[k] = args[i + 1];
          continue;
        }
      if (unknown)
        {
          if (!unknown (env, args[i], args[i + 1], data))
            return false;
          continue;
        }
      emacs_value is_kw = env->funcall (env, Q.keywordp, 1, &args[i]);
      LISP_CHECK_BOOL (env);
      if (lisp_nilp (env, is_kw))
        return lisp_wrong_type (env, Q.keywordp, args[i]);
      emacs_value msg = lisp_string (env, "Unknown keyword argument");
      if (!msg)
        return false;
      return lisp_signal (env, Q.err_error,
                          lisp_list (env, 2, (emacs_value[]){ msg, args[i] }));
    }
  return true;
}

bool
lisp_out_of_memory (emacs_env *env)
{
  /* As Emacs's own memory_full: an `error', never a bad value.  */
  emacs_value msg = lisp_string (env, "Memory exhausted");
  if (!msg)
    return false;
  return lisp_signal (env, Q.err_error, lisp_list (env, 1, &msg));
}

/* Decode the UTF-8 of characters below 256 back into their bytes, in
   place.  Returns the new length.  */
static size_t
utf8_to_latin1 (char *buf, size_t len)
{
  size_t out = 0;
  for (size_t i = 0; i < len; i++)
    {
      unsigned char c = (unsigned char)buf[i];
      if (c >= 0xC0 && i + 1 < len)
        {
          buf[out++]
              = (char)(((c & 0x03) << 6) | ((unsigned char)buf[i + 1] & 0x3F));
          i++;
        }
      else
        buf[out++] = (char)c;
    }
  buf[out] = '\0';
  return out;
}

char *
lisp_string_bytes (emacs_env *env, emacs_value v, size_t *len)
{
  if (!lisp_is_type (env, v, Q.string_type))
    {
      lisp_wrong_type (env, Q.stringp, v);
      return NULL;
    }
  /* Text Emacs can give as UTF-8 (ASCII, valid Unicode) comes at once:
     the bytes are those of (encode-coding-string V 'utf-8-unix).  */
  ptrdiff_t size = 0;
  env->copy_string_contents (env, v, NULL, &size);
  if (!LISP_PENDING (env))
    return lisp_copy_string (env, v, len);
  emacs_value sym, data;
  if (env->non_local_exit_get (env, &sym, &data) != emacs_funcall_exit_signal)
    return NULL;
  env->non_local_exit_clear (env);
  /* Raw bytes (a unibyte string, or raw-byte characters in a multibyte
     one): take the bytes, as latin-1 text the module can copy.  */
  emacs_value bytes = v;
  emacs_value multi = env->funcall (env, Q.multibyte_string_p, 1, &v);
  LISP_CHECK (env);
  if (env->is_not_nil (env, multi))
    {
      bytes = env->funcall (env, Q.encode_coding_string, 3,
                            (emacs_value[]){ v, Q.utf_8_unix, Q.t });
      LISP_CHECK (env);
    }
  emacs_value latin
      = env->funcall (env, Q.decode_coding_string, 3,
                      (emacs_value[]){ bytes, Q.iso_latin_1_unix, Q.t });
  LISP_CHECK (env);
  size_t n;
  char *buf = lisp_copy_string (env, latin, &n);
  if (!buf)
    return NULL;
  n = utf8_to_latin1 (buf, n);
  if (len)
    *len = n;
  return buf;
}

void
lisp_note_sent (emacs_env *env, size_t sent)
{
  emacs_value sym, data;
  if (env->non_local_exit_get (env, &sym, &data) != emacs_funcall_exit_signal)
    return; /* a throw goes on unchanged */
  env->non_local_exit_clear (env);
  emacs_value count = env->make_integer (env, (intmax_t)sent);
  emacs_value tail
      = LISP_PENDING (env)
            ? NULL
            : lisp_list (env, 2, (emacs_value[]){ Q.k_sent, count });
  emacs_value all
      = tail ? env->funcall (env, Q.append, 2, (emacs_value[]){ data, tail })
             : NULL;
  if (LISP_PENDING (env))
    env->non_local_exit_clear (env);
  env->non_local_exit_signal (env, sym, all ? all : data);
}

emacs_value
lisp_weak_table (emacs_env *env)
{
  emacs_value table
      = env->funcall (env, Q.make_hash_table, 4,
                      (emacs_value[]){ Q.k_test, Q.eq, Q.k_weakness, Q.key });
  LISP_CHECK (env);
  emacs_value ref = env->make_global_ref (env, table);
  LISP_CHECK (env);
  return ref;
}
