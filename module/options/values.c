/* values.c --- conversions by value type.  */

#include "values.h"

#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netinet/in.h>
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

/* The first IPv4 address of interface NAME, or 0.0.0.0.  */
static struct in_addr
interface_ipv4 (const char *name)
{
  struct in_addr result = { 0 };
  struct ifaddrs *list = NULL;
  if (getifaddrs (&list) != 0)
    return result;
  for (struct ifaddrs *i = list; i; i = i->ifa_next)
    if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET
        && strcmp (i->ifa_name, name) == 0)
      {
        result = ((struct sockaddr_in *) i->ifa_addr)->sin_addr;
        break;
      }
  freeifaddrs (list);
  return result;
}

/* The name of the interface holding IPv4 address A into BUF.  */
static bool
interface_of_ipv4 (struct in_addr a, char *buf, size_t size)
{
  struct ifaddrs *list = NULL;
  bool found = false;
  if (getifaddrs (&list) != 0)
    return false;
  for (struct ifaddrs *i = list; i; i = i->ifa_next)
    if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET
        && ((struct sockaddr_in *) i->ifa_addr)->sin_addr.s_addr == a.s_addr)
      {
        snprintf (buf, size, "%s", i->ifa_name);
        found = true;
        break;
      }
  freeifaddrs (list);
  return found;
}

static emacs_value
plist_of (emacs_env *env, int n, const char **keys, const intmax_t *values)
{
  emacs_value items[32];
  for (int i = 0; i < n && i < 16; i++)
    {
      items[2 * i] = env->intern (env, keys[i]);
      NL_CHECK (env);
      items[2 * i + 1] = env->make_integer (env, values[i]);
      NL_CHECK (env);
    }
  return lisp_list (env, 2 * n, items);
}

#ifdef TCP_INFO
static const char *const tcp_states[]
  = { "unknown",   "established", "syn-sent", "syn-recv",
      "fin-wait1", "fin-wait2",   "time-wait", "close",
      "close-wait", "last-ack",   "listen",   "closing" };

static emacs_value
tcp_info_plist (emacs_env *env, const struct tcp_info *ti)
{
  const char *keys[] = { ":rtt",     ":rttvar",  ":retransmits", ":lost",
                         ":unacked", ":snd-mss", ":rcv-mss",     ":snd-cwnd",
                         ":total-retrans" };
  intmax_t values[] = { ti->tcpi_rtt,     ti->tcpi_rttvar,
                        ti->tcpi_retransmits, ti->tcpi_lost,
                        ti->tcpi_unacked, ti->tcpi_snd_mss,
                        ti->tcpi_rcv_mss, ti->tcpi_snd_cwnd,
                        ti->tcpi_total_retrans };
  emacs_value rest = plist_of (env, 9, keys, values);
  if (!rest)
    return NULL;
  unsigned st = ti->tcpi_state;
  emacs_value state = env->intern (
    env, st < sizeof tcp_states / sizeof tcp_states[0] ? tcp_states[st]
                                                       : "unknown");
  NL_CHECK (env);
  emacs_value head = env->intern (env, ":state");
  NL_CHECK (env);
  rest = env->funcall (env, Q.cons, 2, (emacs_value[]){ state, rest });
  NL_CHECK (env);
  rest = env->funcall (env, Q.cons, 2, (emacs_value[]){ head, rest });
  NL_CHECK (env);
  return rest;
}
#endif

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
          /* A row whose range goes past INT_MAX is an unsigned 32-bit
             kernel value (:mark): the int carries its bits.  */
          out->i = opt->max > INT_MAX ? (int) (uint32_t) n : (int) n;
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

    case NV_IFNAME:
      if (lisp_nilp (env, value))
        return true; /* by route */
      if (!string_value (env, keyword, value, IFNAMSIZ - 1, out))
        return false;
      out->ifindex = (int) if_nametoindex (out->str);
      if (out->ifindex == 0)
        return lisp_system_error (env, "Cannot set network option", ENODEV,
                                  2, (emacs_value[]){ keyword, value });
      out->ifaddr = interface_ipv4 (out->str);
      return true;

    case NV_TCPINFO:
    case NV_PEERCRED:
      break;
    }
  return lisp_bad_value (env, keyword, value, "read-only option");
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
      r = env->make_integer (env, opt->max > INT_MAX
                                    ? (intmax_t) (uint32_t) v->i
                                    : (intmax_t) v->i);
      break;
    case NV_LINGER:
      if (!v->lg.l_onoff)
        return Q.nil;
      r = env->make_integer (env, v->lg.l_linger);
      break;
    case NV_DEVICE:
    case NV_STRING:
    case NV_IFNAME:
      if (v->len == 0)
        return Q.nil;
      r = env->make_string (env, v->str, (ptrdiff_t) v->len);
      break;
    case NV_TCPINFO:
#ifdef TCP_INFO
      return tcp_info_plist (env, &v->ti);
#else
      return Q.nil;
#endif
    case NV_PEERCRED:
#ifdef SO_PEERCRED
      {
        const char *keys[] = { ":pid", ":uid", ":gid" };
        intmax_t values[] = { v->cred.pid, v->cred.uid, v->cred.gid };
        return plist_of (env, 3, keys, values);
      }
#else
      return Q.nil;
#endif
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
      if (!v->lg.l_onoff)
        {
          /* Turning linger off keeps the old seconds in the kernel
             ({0, N}); set them first so that off reads as {0, 0}, as on a
             fresh socket.  */
          struct linger on = { 1, v->lg.l_linger };
          if (setsockopt (fd, level, name, &on, sizeof on) != 0)
            return errno;
        }
      p = &v->lg;
      len = sizeof v->lg;
      break;
    case NV_DEVICE:
    case NV_STRING:
      p = v->str;
      len = (socklen_t) v->len;
      break;
    case NV_IFNAME:
      if (family == AF_INET)
        {
          struct in_addr any = { .s_addr = htonl (INADDR_ANY) };
          return compat_set_ipv4_mreq (fd, level, name, any, v->ifindex,
                                       v->ifaddr) == 0 ? 0 : errno;
        }
      p = &v->ifindex;
      len = sizeof v->ifindex;
      break;
    case NV_TCPINFO:
    case NV_PEERCRED:
      return ENOPROTOOPT;
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
    case NV_IFNAME:
      if (family == AF_INET)
        {
          struct in_addr a = { 0 };
          len = sizeof a;
          if (getsockopt (fd, level, name, &a, &len) != 0)
            return errno;
          if (a.s_addr != 0 && interface_of_ipv4 (a, v->str, sizeof v->str))
            v->len = strlen (v->str);
          return 0;
        }
      len = sizeof v->ifindex;
      if (getsockopt (fd, level, name, &v->ifindex, &len) != 0)
        return errno;
      if (v->ifindex > 0 && if_indextoname ((unsigned) v->ifindex, v->str))
        v->len = strlen (v->str);
      return 0;
    case NV_TCPINFO:
#ifdef TCP_INFO
      len = sizeof v->ti;
      return getsockopt (fd, level, name, &v->ti, &len) == 0 ? 0 : errno;
#else
      return ENOPROTOOPT;
#endif
    case NV_PEERCRED:
#ifdef SO_PEERCRED
      len = sizeof v->cred;
      return getsockopt (fd, level, name, &v->cred, &len) == 0 ? 0 : errno;
#else
      return ENOPROTOOPT;
#endif
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
    case NV_IFNAME:
      return a->len == b->len && memcmp (a->str, b->str, a->len) == 0;
    case NV_TCPINFO:
    case NV_PEERCRED:
      return true;
    default:
      return a->i == b->i;
    }
}
