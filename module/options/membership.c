/* membership.c --- multicast group membership and raw options.

   netopt-join-group / netopt-leave-group add and drop a multicast group
   (IP_ADD_MEMBERSHIP, IPV6_JOIN_GROUP ...); netopt-set-raw-option and
   netopt-raw-option are the escape hatch for options without a row.  */

#include "api.h"
#include "extra.h"

#include "../sockets/address.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>

/* Parse a group address: a numeric string, or an address vector with or
   without its port.  */
static bool
parse_group (emacs_env *env, emacs_value v, struct naddr *out)
{
  memset (out, 0, sizeof *out);
  emacs_value key = env->intern (env, ":group");
  NL_CHECK_BOOL (env);
  if (lisp_is_type (env, v, Q.string_type))
    {
      char *s = lisp_copy_string (env, v, NULL);
      if (!s)
        return false;
      struct sockaddr_in *in = (struct sockaddr_in *) &out->ss;
      struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) &out->ss;
      bool ok = true;
      if (inet_pton (AF_INET, s, &in->sin_addr) == 1)
        in->sin_family = AF_INET;
      else if (inet_pton (AF_INET6, s, &in6->sin6_addr) == 1)
        in6->sin6_family = AF_INET6;
      else
        ok = false;
      free (s);
      if (!ok)
        return lisp_bad_value (env, key, v, "expected a numeric address");
      return true;
    }
  NL_CHECK_BOOL (env);
  if (lisp_is_type (env, v, Q.vector_type))
    {
      ptrdiff_t n = env->vec_size (env, v);
      NL_CHECK_BOOL (env);
      if (n == 4 || n == 8)
        {
          /* Without a port: add one for the address parser.  */
          emacs_value items[9];
          for (ptrdiff_t i = 0; i < n; i++)
            {
              items[i] = env->vec_get (env, v, i);
              NL_CHECK_BOOL (env);
            }
          items[n] = env->make_integer (env, 0);
          NL_CHECK_BOOL (env);
          emacs_value full = env->funcall (env, Q.vector, n + 1, items);
          NL_CHECK_BOOL (env);
          return addr_from_lisp (env, key, full, out);
        }
    }
  NL_CHECK_BOOL (env);
  if (lisp_is_type (env, v, Q.vector_type))
    return addr_from_lisp (env, key, v, out);
  NL_CHECK_BOOL (env);
  return lisp_bad_value (env, key, v, "expected a multicast group address");
}

static emacs_value
membership (emacs_env *env, ptrdiff_t nargs, emacs_value *args, bool join)
{
  struct nsock *s = nsock_target (env, args[0]);
  if (!s)
    return NULL;
  struct naddr group;
  if (!parse_group (env, args[1], &group))
    return NULL;
  emacs_value key = env->intern (env, ":group");
  NL_CHECK (env);
  if (group.ss.ss_family != s->family)
    {
      lisp_bad_value (env, key, args[1],
                      "group does not match the socket's family");
      return NULL;
    }
  unsigned ifindex = 0;
  emacs_value iface = nargs > 2 ? args[2] : Q.nil;
  if (!lisp_nilp (env, iface))
    {
      size_t len;
      char *name = lisp_copy_string (env, iface, &len);
      if (!name)
        return NULL;
      ifindex = len < IFNAMSIZ && !memchr (name, '\0', len)
                  ? if_nametoindex (name)
                  : 0;
      free (name);
      if (ifindex == 0)
        {
          lisp_system_error (env, "Cannot change multicast membership",
                             ENODEV, 1, &iface);
          return NULL;
        }
    }
  int rc;
  if (s->family == AF_INET)
    {
      struct in_addr any = { .s_addr = htonl (INADDR_ANY) };
      rc = compat_set_ipv4_mreq (
        s->fd, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP,
        ((struct sockaddr_in *) &group.ss)->sin_addr, (int) ifindex, any);
    }
  else if (s->family == AF_INET6)
    {
      struct ipv6_mreq m;
      memset (&m, 0, sizeof m);
      m.ipv6mr_multiaddr = ((struct sockaddr_in6 *) &group.ss)->sin6_addr;
      m.ipv6mr_interface = ifindex;
      rc = setsockopt (s->fd, IPPROTO_IPV6,
                       join ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP, &m,
                       sizeof m);
    }
  else
    {
      nopt_signal_unknown (env, key, "multicast needs an IP socket");
      return NULL;
    }
  if (rc != 0)
    {
      lisp_system_error (env, "Cannot change multicast membership", errno,
                         1, &args[1]);
      return NULL;
    }
  return Q.t;
}

/* (netopt-join-group TARGET GROUP &optional INTERFACE) */
NETOPT_DEFUN (Fnetopt_join_group)
{
  (void) data;
  return membership (env, nargs, args, true);
}

/* (netopt-leave-group TARGET GROUP &optional INTERFACE) */
NETOPT_DEFUN (Fnetopt_leave_group)
{
  (void) data;
  return membership (env, nargs, args, false);
}

/* A raw LEVEL: a symbol or an integer.  */
static bool
raw_level (emacs_env *env, emacs_value v, int *out)
{
  intmax_t n;
  if (lisp_int_in_range (env, v, INT_MIN, INT_MAX, &n))
    {
      *out = (int) n;
      return true;
    }
  NL_CHECK_BOOL (env);
  const struct
  {
    emacs_value sym;
    int level;
  } levels[] = { { Q.socket, SOL_SOCKET },      { Q.ip, IPPROTO_IP },
                 { Q.ipv6_level, IPPROTO_IPV6 }, { Q.tcp, IPPROTO_TCP },
                 { Q.udp, IPPROTO_UDP } };
  for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
    if (lisp_eq (env, v, levels[i].sym))
      {
        *out = levels[i].level;
        return true;
      }
  emacs_value key = env->intern (env, ":level");
  NL_CHECK_BOOL (env);
  return lisp_bad_value (env, key, v,
                         "expected socket, ip, ipv6, tcp, udp or an integer");
}

static bool
raw_optname (emacs_env *env, emacs_value v, int *out)
{
  intmax_t n;
  if (lisp_int_in_range (env, v, 0, INT_MAX, &n))
    {
      *out = (int) n;
      return true;
    }
  NL_CHECK_BOOL (env);
  emacs_value key = env->intern (env, ":optname");
  NL_CHECK_BOOL (env);
  return lisp_bad_value (env, key, v, "expected a non-negative integer");
}

/* The TARGET, LEVEL and OPTNAME arguments of the raw functions.  */
static struct nsock *
raw_args (emacs_env *env, emacs_value *args, int *level, int *name)
{
  struct nsock *s = nsock_target (env, args[0]);
  if (!s || !raw_level (env, args[1], level)
      || !raw_optname (env, args[2], name))
    return NULL;
  return s;
}

/* (netopt-set-raw-option TARGET LEVEL OPTNAME VALUE) */
NETOPT_DEFUN (Fnetopt_set_raw_option)
{
  (void) data;
  (void) nargs;
  int level, name;
  struct nsock *s = raw_args (env, args, &level, &name);
  if (!s)
    return NULL;
  intmax_t n;
  int rc;
  if (lisp_int_in_range (env, args[3], INT_MIN, INT_MAX, &n))
    {
      int i = (int) n;
      rc = setsockopt (s->fd, level, name, &i, sizeof i);
    }
  else if (!NL_PENDING (env) && lisp_is_type (env, args[3], Q.string_type))
    {
      emacs_value multibyte = env->funcall (
        env, env->intern (env, "multibyte-string-p"), 1, &args[3]);
      NL_CHECK (env);
      emacs_value key = env->intern (env, ":value");
      NL_CHECK (env);
      if (env->is_not_nil (env, multibyte))
        {
          lisp_bad_value (env, key, args[3], "expected a unibyte string");
          return NULL;
        }
      /* copy_string_contents would encode bytes above 127; take the
         bytes one by one.  */
      emacs_value length = env->funcall (env, env->intern (env, "length"), 1,
                                         &args[3]);
      NL_CHECK (env);
      intmax_t len;
      if (!lisp_int_in_range (env, length, 0, 65536, &len))
        {
          NL_CHECK (env);
          lisp_bad_value (env, key, args[3], "longer than 65536 bytes");
          return NULL;
        }
      unsigned char *buf = malloc (len ? (size_t) len : 1);
      if (!buf)
        {
          lisp_out_of_memory (env);
          return NULL;
        }
      emacs_value aref = env->intern (env, "aref");
      for (intmax_t i = 0; i < len && !NL_PENDING (env); i++)
        {
          emacs_value idx = env->make_integer (env, i);
          emacs_value c = NL_PENDING (env)
                            ? NULL
                            : env->funcall (env, aref, 2,
                                            (emacs_value[]){ args[3], idx });
          intmax_t byte = 0;
          if (!NL_PENDING (env))
            {
              /* A raw byte in a unibyte string reads as 0..255.  */
              byte = env->extract_integer (env, c);
              buf[i] = (unsigned char) byte;
            }
        }
      if (NL_PENDING (env))
        {
          free (buf);
          return NULL;
        }
      rc = setsockopt (s->fd, level, name, buf, (socklen_t) len);
      free (buf);
    }
  else
    {
      NL_CHECK (env);
      emacs_value key = env->intern (env, ":value");
      NL_CHECK (env);
      lisp_bad_value (env, key, args[3],
                      "expected an integer or a unibyte string");
      return NULL;
    }
  if (rc != 0)
    {
      lisp_system_error (env, "Cannot set network option", errno, 2,
                         (emacs_value[]){ args[1], args[2] });
      return NULL;
    }
  return Q.t;
}

/* (netopt-raw-option TARGET LEVEL OPTNAME &optional LENGTH) */
NETOPT_DEFUN (Fnetopt_raw_option)
{
  (void) data;
  int level, name;
  struct nsock *s = raw_args (env, args, &level, &name);
  if (!s)
    return NULL;
  emacs_value length = nargs > 3 ? args[3] : Q.nil;
  if (lisp_nilp (env, length))
    {
      int v = 0;
      socklen_t len = sizeof v;
      if (getsockopt (s->fd, level, name, &v, &len) != 0)
        {
          lisp_system_error (env, "Cannot get network option", errno, 2,
                             (emacs_value[]){ args[1], args[2] });
          return NULL;
        }
      emacs_value r = env->make_integer (env, v);
      NL_CHECK (env);
      return r;
    }
  intmax_t want;
  if (!lisp_int_in_range (env, length, 0, 65536, &want))
    {
      NL_CHECK (env);
      emacs_value key = env->intern (env, ":length");
      NL_CHECK (env);
      lisp_bad_value (env, key, length, "expected 0 to 65536 bytes");
      return NULL;
    }
  char *buf = calloc (want ? (size_t) want : 1, 1);
  if (!buf)
    {
      lisp_out_of_memory (env);
      return NULL;
    }
  socklen_t len = (socklen_t) want;
  if (getsockopt (s->fd, level, name, buf, &len) != 0)
    {
      int err = errno;
      free (buf);
      lisp_system_error (env, "Cannot get network option", err, 2,
                         (emacs_value[]){ args[1], args[2] });
      return NULL;
    }
  emacs_value r = lisp_unibyte (env, buf, len);
  free (buf);
  return r;
}
