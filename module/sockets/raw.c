/* raw.c --- netopt-set-raw-option and netopt-raw-option: the escape
   hatch for options without a row, at any level and option number.  */

#include "sockets.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

/* A raw LEVEL: a symbol or an integer.  */
static bool
raw_level (emacs_env *env, emacs_value v, int *out)
{
  intmax_t n;
  if (lisp_int_in_range (env, v, INT_MIN, INT_MAX, &n))
    {
      *out = (int)n;
      return true;
    }
  LISP_CHECK_BOOL (env);
  const struct
  {
    emacs_value sym;
    int level;
  } levels[] = { { Q.socket, SOL_SOCKET },
                 { Q.ip, IPPROTO_IP },
                 { Q.ipv6_level, IPPROTO_IPV6 },
                 { Q.tcp, IPPROTO_TCP },
                 { Q.udp, IPPROTO_UDP } };
  for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
    if (lisp_eq (env, v, levels[i].sym))
      {
        *out = levels[i].level;
        return true;
      }
  return lisp_bad_value (env, Q.k_level, v,
                         "expected socket, ip, ipv6, tcp, udp or an integer");
}

/* The LEVEL and OPTNAME arguments of the raw functions.  */
static bool
raw_args (emacs_env *env, emacs_value *args, int *level, int *name)
{
  intmax_t n;
  if (!raw_level (env, args[1], level)
      || !lisp_int_arg (env, Q.k_optname, args[2], 0, INT_MAX,
                        "expected a non-negative integer", &n))
    return false;
  *name = (int)n;
  return true;
}

/* Signal that WHAT ("Cannot set network option" ...) failed with ERR
   for the LEVEL and OPTNAME of ARGS.  Returns NULL.  */
static emacs_value
raw_failed (emacs_env *env, const char *what, int err, emacs_value *args)
{
  lisp_system_error (env, what, err, 2, (emacs_value[]){ args[1], args[2] });
  return NULL;
}

emacs_value
sock_set_raw_option (emacs_env *env, struct sock_handle *s, ptrdiff_t nargs,
                     emacs_value *args)
{
  (void)nargs;
  int level, name;
  if (!raw_args (env, args, &level, &name))
    return NULL;
  intmax_t n;
  int rc;
  if (lisp_int_in_range (env, args[3], INT_MIN, INT_MAX, &n))
    {
      int i = (int)n;
      rc = setsockopt (s->sock.fd, level, name, &i, sizeof i);
    }
  else if (!LISP_PENDING (env) && lisp_is_type (env, args[3], Q.string_type))
    {
      emacs_value multibyte
          = env->funcall (env, Q.multibyte_string_p, 1, &args[3]);
      LISP_CHECK (env);
      if (env->is_not_nil (env, multibyte))
        {
          lisp_bad_value (env, Q.k_value, args[3],
                          "expected a unibyte string");
          return NULL;
        }
      size_t len;
      char *buf = lisp_string_bytes (env, args[3], &len);
      if (!buf)
        return NULL;
      if (len > 65536)
        {
          free (buf);
          lisp_bad_value (env, Q.k_value, args[3], "longer than 65536 bytes");
          return NULL;
        }
      rc = setsockopt (s->sock.fd, level, name, buf, (socklen_t)len);
      free (buf);
    }
  else
    {
      LISP_CHECK (env);
      lisp_bad_value (env, Q.k_value, args[3],
                      "expected an integer or a unibyte string");
      return NULL;
    }
  return rc == 0 ? Q.t
                 : raw_failed (env, "Cannot set network option", errno, args);
}

emacs_value
sock_raw_option (emacs_env *env, struct sock_handle *s, ptrdiff_t nargs,
                 emacs_value *args)
{
  int level, name;
  if (!raw_args (env, args, &level, &name))
    return NULL;
  emacs_value length = nargs > 3 ? args[3] : Q.nil;
  if (lisp_nilp (env, length))
    {
      int v = 0;
      socklen_t len = sizeof v;
      if (getsockopt (s->sock.fd, level, name, &v, &len) != 0)
        return raw_failed (env, "Cannot get network option", errno, args);
      emacs_value r = env->make_integer (env, v);
      LISP_CHECK (env);
      return r;
    }
  intmax_t want;
  if (!lisp_int_arg (env, Q.k_length, length, 0, 65536,
                     "expected 0 to 65536 bytes", &want))
    return NULL;
  char *buf = calloc (want ? (size_t)want : 1, 1);
  if (!buf)
    {
      lisp_out_of_memory (env);
      return NULL;
    }
  socklen_t len = (socklen_t)want;
  if (getsockopt (s->sock.fd, level, name, buf, &len) != 0)
    {
      int err = errno;
      free (buf);
      return raw_failed (env, "Cannot get network option", err, args);
    }
  emacs_value r = lisp_unibyte (env, buf, len);
  free (buf);
  return r;
}
