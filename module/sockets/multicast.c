/* multicast.c --- netopt-join-group and netopt-leave-group: add and
   drop a multicast group (IP_ADD_MEMBERSHIP, IPV6_JOIN_GROUP ...).  */

#include "address.h"
#include "sockets.h"

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
parse_group (emacs_env *env, emacs_value v, struct sock_addr *out)
{
  memset (out, 0, sizeof *out);
  emacs_value key = Q.k_group;
  if (lisp_is_type (env, v, Q.string_type))
    {
      char *s = lisp_copy_string (env, v, NULL);
      if (!s)
        return false;
      struct sockaddr_in *in = (struct sockaddr_in *)&out->ss;
      struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&out->ss;
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
  LISP_CHECK_BOOL (env);
  if (lisp_is_type (env, v, Q.vector_type))
    {
      ptrdiff_t n = env->vec_size (env, v);
      LISP_CHECK_BOOL (env);
      if (n == 4 || n == 8)
        {
          /* Without a port: add one for the address parser.  */
          emacs_value items[9];
          for (ptrdiff_t i = 0; i < n; i++)
            {
              items[i] = env->vec_get (env, v, i);
              LISP_CHECK_BOOL (env);
            }
          items[n] = env->make_integer (env, 0);
          LISP_CHECK_BOOL (env);
          emacs_value full = env->funcall (env, Q.vector, n + 1, items);
          LISP_CHECK_BOOL (env);
          return sock_addr_from_lisp (env, key, full, out);
        }
    }
  LISP_CHECK_BOOL (env);
  if (lisp_is_type (env, v, Q.vector_type))
    return sock_addr_from_lisp (env, key, v, out);
  LISP_CHECK_BOOL (env);
  return lisp_bad_value (env, key, v, "expected a multicast group address");
}

static emacs_value
membership (emacs_env *env, struct sock_handle *s, ptrdiff_t nargs,
            emacs_value *args, bool join)
{
  struct sock_addr group;
  if (!parse_group (env, args[1], &group))
    return NULL;
  emacs_value key = Q.k_group;
  if (group.ss.ss_family != s->sock.family)
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
          lisp_system_error (env, "Cannot change multicast membership", ENODEV,
                             1, &iface);
          return NULL;
        }
    }
  int rc;
  if (s->sock.family == AF_INET)
    {
      struct in_addr any = { .s_addr = htonl (INADDR_ANY) };
      rc = compat_set_ipv4_mreq (s->sock.fd, IPPROTO_IP,
                                 join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP,
                                 ((struct sockaddr_in *)&group.ss)->sin_addr,
                                 (int)ifindex, any);
    }
  else if (s->sock.family == AF_INET6)
    {
      struct ipv6_mreq m;
      memset (&m, 0, sizeof m);
      m.ipv6mr_multiaddr = ((struct sockaddr_in6 *)&group.ss)->sin6_addr;
      m.ipv6mr_interface = ifindex;
      rc = setsockopt (s->sock.fd, IPPROTO_IPV6,
                       join ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP, &m,
                       sizeof m);
    }
  else
    {
      opt_signal_unknown (env, key, "multicast needs an IP socket");
      return NULL;
    }
  if (rc != 0)
    {
      lisp_system_error (env, "Cannot change multicast membership", errno, 1,
                         &args[1]);
      return NULL;
    }
  return Q.t;
}

emacs_value
sock_join_group (emacs_env *env, struct sock_handle *s, ptrdiff_t nargs,
                 emacs_value *args)
{
  return membership (env, s, nargs, args, true);
}

emacs_value
sock_leave_group (emacs_env *env, struct sock_handle *s, ptrdiff_t nargs,
                  emacs_value *args)
{
  return membership (env, s, nargs, args, false);
}
