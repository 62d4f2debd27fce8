/* value.c --- option values: one conversion per value type.  */

#include "value.h"
#include "budget.h"

#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#ifdef __has_include
#if __has_include(<linux/sockios.h>)
#include <linux/sockios.h> /* SIOCOUTQNSD */
#endif
#endif

static bool
string_value (emacs_env *env, emacs_value keyword, emacs_value value,
              size_t max, char *buf, size_t size, size_t *len_out)
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
  else if (len > max || len >= size)
    ok = false, reason = "too long";
  if (ok)
    {
      memcpy (buf, s, len + 1);
      *len_out = len;
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
        result = ((struct sockaddr_in *)i->ifa_addr)->sin_addr;
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
        && ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr == a.s_addr)
      {
        snprintf (buf, size, "%s", i->ifa_name);
        found = true;
        break;
      }
  freeifaddrs (list);
  return found;
}

/* A plist of N integers under KEYS, interned once into SLOTS.  */
static emacs_value
plist_of (emacs_env *env, int n, const char **keys, emacs_value *slots,
          const intmax_t *values)
{
  emacs_value items[32];
  for (int i = 0; i < n && i < 16; i++)
    {
      items[2 * i] = lisp_symbol (env, &slots[i], keys[i]);
      LISP_CHECK (env);
      items[2 * i + 1] = env->make_integer (env, values[i]);
      LISP_CHECK (env);
    }
  return lisp_list (env, 2 * n, items);
}

#ifdef TCP_INFO
static const char *const tcp_states[]
    = { "unknown",    "established", "syn-sent",  "syn-recv",
        "fin-wait1",  "fin-wait2",   "time-wait", "close",
        "close-wait", "last-ack",    "listen",    "closing" };

/* TCP_INFO of R as a plist: the state, then counters; times since
   the last data and acknowledgement received are in milliseconds.  */
static emacs_value
tcp_info_plist (emacs_env *env, const struct opt_reading *r)
{
  const struct tcp_info *ti = &r->u.ti;
  const char *keys[] = {
    ":rtt",           ":rttvar",         ":retransmits",   ":lost",
    ":unacked",       ":snd-mss",        ":rcv-mss",       ":snd-cwnd",
    ":total-retrans", ":last-data-recv", ":last-ack-recv", ":unacked-bytes"
  };
  intmax_t values[] = { ti->tcpi_rtt,           ti->tcpi_rttvar,
                        ti->tcpi_retransmits,   ti->tcpi_lost,
                        ti->tcpi_unacked,       ti->tcpi_snd_mss,
                        ti->tcpi_rcv_mss,       ti->tcpi_snd_cwnd,
                        ti->tcpi_total_retrans, ti->tcpi_last_data_recv,
                        ti->tcpi_last_ack_recv, r->unacked_bytes };
  enum
  {
    NKEYS = sizeof keys / sizeof keys[0]
  };
  static emacs_value key_slots[NKEYS], state_slots[12], head_slot;
  emacs_value rest = plist_of (env, NKEYS, keys, key_slots, values);
  if (!rest)
    return NULL;
  unsigned st = ti->tcpi_state;
  if (st >= sizeof tcp_states / sizeof tcp_states[0])
    st = 0;
  emacs_value state = lisp_symbol (env, &state_slots[st], tcp_states[st]);
  LISP_CHECK (env);
  emacs_value head = lisp_symbol (env, &head_slot, ":state");
  LISP_CHECK (env);
  rest = env->funcall (env, Q.cons, 2, (emacs_value[]){ state, rest });
  LISP_CHECK (env);
  rest = env->funcall (env, Q.cons, 2, (emacs_value[]){ head, rest });
  LISP_CHECK (env);
  return rest;
}
#endif

/* VALUE, an integer option's (ROW, KEYWORD), into OUT.  */
static bool
int_value (emacs_env *env, const struct opt_row *row, emacs_value keyword,
           emacs_value value, struct opt_value *out)
{
  intmax_t n;
  if (lisp_int_in_range (env, value, row->min, row->max, &n))
    {
      /* A row whose range goes past INT_MAX is an unsigned 32-bit
         kernel value (:mark): the int carries its bits.  */
      out->u.i = row->max > INT_MAX ? (int)(uint32_t)n : (int)n;
      return true;
    }
  LISP_CHECK_BOOL (env);
  char reason[96];
  snprintf (reason, sizeof reason, "expected an integer from %jd to %jd",
            row->min, row->max);
  return lisp_bad_value (env, keyword, value, reason);
}

/* VALUE of :linger (KEYWORD) into OUT: nil off, t for
   `netopt-linger-seconds', or seconds.  */
static bool
linger_value (emacs_env *env, emacs_value keyword, emacs_value value,
              struct opt_value *out)
{
  intmax_t n;
  if (lisp_nilp (env, value))
    return true; /* l_onoff = 0 */
  if (lisp_eq (env, value, Q.t))
    {
      emacs_value secs
          = env->funcall (env, Q.symbol_value, 1, &Q.linger_seconds);
      LISP_CHECK_BOOL (env);
      if (!lisp_int_arg (
              env, Q.linger_seconds, secs, 0, INT_MAX,
              "netopt-linger-seconds must be a non-negative integer", &n))
        return false;
    }
  else if (!lisp_int_arg (env, keyword, value, 0, INT_MAX,
                          "expected nil, t or a non-negative integer", &n))
    return false;
  out->u.lg.l_onoff = 1;
  out->u.lg.l_linger = (int)n;
  return true;
}

bool
opt_value_from_lisp (emacs_env *env, const struct opt_row *row,
                     emacs_value keyword, emacs_value value,
                     struct opt_value *out)
{
  memset (out, 0, sizeof *out);
  out->type = row->type;
  switch (row->type)
    {
    case OPT_BOOL:
      out->u.i = env->is_not_nil (env, value) ? 1 : 0;
      return true;

    case OPT_INT:
    case OPT_BUDGET:
      return int_value (env, row, keyword, value, out);

    case OPT_LINGER:
      return linger_value (env, keyword, value, out);

    case OPT_DEVICE:
      if (lisp_nilp (env, value))
        return true; /* unbind */
      return string_value (env, keyword, value, IFNAMSIZ - 1, out->u.str.bytes,
                           sizeof out->u.str.bytes, &out->u.str.len);

    case OPT_STRING:
      return string_value (env, keyword, value, (size_t)row->max,
                           out->u.str.bytes, sizeof out->u.str.bytes,
                           &out->u.str.len);

    case OPT_IFNAME:
      if (lisp_nilp (env, value))
        return true; /* by route */
      if (!string_value (env, keyword, value, IFNAMSIZ - 1, out->u.iface.name,
                         sizeof out->u.iface.name, &out->u.iface.len))
        return false;
      out->u.iface.index = (int)if_nametoindex (out->u.iface.name);
      if (out->u.iface.index == 0)
        return lisp_system_error (env, "Cannot set network option", ENODEV, 2,
                                  (emacs_value[]){ keyword, value });
      out->u.iface.addr = interface_ipv4 (out->u.iface.name);
      return true;

    case OPT_TCPINFO:
    case OPT_PEERCRED:
      break;
    }
  return lisp_bad_value (env, keyword, value, "read-only option");
}

emacs_value
opt_reading_to_lisp (emacs_env *env, const struct opt_row *row,
                     const struct opt_reading *r)
{
  const struct opt_value *v = &r->u.value;
  emacs_value result = NULL;
  switch (row->type)
    {
    case OPT_BOOL:
      return v->u.i ? Q.t : Q.nil;
    case OPT_INT:
      result = env->make_integer (env, row->max > INT_MAX
                                           ? (intmax_t)(uint32_t)v->u.i
                                           : (intmax_t)v->u.i);
      break;
    case OPT_BUDGET:
      if (v->u.i <= 0)
        return Q.nil; /* no bound */
      result = env->make_integer (env, v->u.i);
      break;
    case OPT_LINGER:
      if (!v->u.lg.l_onoff)
        return Q.nil;
      result = env->make_integer (env, v->u.lg.l_linger);
      break;
    case OPT_DEVICE:
    case OPT_STRING:
      if (v->u.str.len == 0)
        return Q.nil;
      result = env->make_string (env, v->u.str.bytes, (ptrdiff_t)v->u.str.len);
      break;
    case OPT_IFNAME:
      if (v->u.iface.len == 0)
        return Q.nil;
      result
          = env->make_string (env, v->u.iface.name, (ptrdiff_t)v->u.iface.len);
      break;
    case OPT_TCPINFO:
#ifdef TCP_INFO
      return tcp_info_plist (env, r);
#else
      return Q.nil;
#endif
    case OPT_PEERCRED:
#ifdef SO_PEERCRED
      {
        static emacs_value slots[3];
        const char *keys[] = { ":pid", ":uid", ":gid" };
        intmax_t values[] = { r->u.cred.pid, r->u.cred.uid, r->u.cred.gid };
        return plist_of (env, 3, keys, slots, values);
      }
#else
      return Q.nil;
#endif
    }
  LISP_CHECK (env);
  return result;
}

int
opt_kernel_set (int fd, int family, const struct opt_row *row,
                const struct opt_value *v)
{
  int level, name;
  opt_resolve (row, family, &level, &name);
  const void *p;
  socklen_t len;
  switch (row->type)
    {
    case OPT_LINGER:
      if (!v->u.lg.l_onoff)
        {
          /* Turning linger off keeps the old seconds in the kernel
             ({0, N}); set them first so that off reads as {0, 0}, as on a
             fresh socket.  */
          struct linger on = { 1, v->u.lg.l_linger };
          if (setsockopt (fd, level, name, &on, sizeof on) != 0)
            return errno;
        }
      p = &v->u.lg;
      len = sizeof v->u.lg;
      break;
    case OPT_DEVICE:
    case OPT_STRING:
      p = v->u.str.bytes;
      len = (socklen_t)v->u.str.len;
      break;
    case OPT_IFNAME:
      if (family == AF_INET)
        {
          struct in_addr any = { .s_addr = htonl (INADDR_ANY) };
          return compat_set_ipv4_mreq (fd, level, name, any, v->u.iface.index,
                                       v->u.iface.addr)
                         == 0
                     ? 0
                     : errno;
        }
      p = &v->u.iface.index;
      len = sizeof v->u.iface.index;
      break;
    case OPT_TCPINFO:
    case OPT_PEERCRED:
      return ENOPROTOOPT;
    case OPT_BUDGET:
      return opt_budget_set (fd, family, v->u.i);
    default:
      p = &v->u.i;
      len = sizeof v->u.i;
      break;
    }
  return setsockopt (fd, level, name, p, len) == 0 ? 0 : errno;
}

/* getsockopt of LEVEL/NAME on FD into BUF, at most SIZE bytes; *LEN,
   when non-NULL, gets how many came.  Returns 0 or an errno value.  */
static int
get_option (int fd, int level, int name, void *buf, socklen_t size,
            socklen_t *len)
{
  if (getsockopt (fd, level, name, buf, &size) != 0)
    return errno;
  if (len)
    *len = size;
  return 0;
}

/* Where a read-only record of R's type goes (*SIZE bytes), or NULL when
   this system has no such record.  */
static void *
record_of (struct opt_reading *r, socklen_t *size)
{
#ifdef TCP_INFO
  if (r->type == OPT_TCPINFO)
    {
      *size = sizeof r->u.ti;
      return &r->u.ti;
    }
#endif
#ifdef SO_PEERCRED
  if (r->type == OPT_PEERCRED)
    {
      *size = sizeof r->u.cred;
      return &r->u.cred;
    }
#endif
  (void)r;
  *size = 0;
  return NULL;
}

/* Read the interface of an OPT_IFNAME option into V: an IPv4 socket's
   is its address, another's its index.  */
static int
get_interface (int fd, int family, int level, int name, struct opt_value *v)
{
  int err;
  if (family == AF_INET)
    {
      struct in_addr a = { 0 };
      err = get_option (fd, level, name, &a, sizeof a, NULL);
      if (err == 0 && a.s_addr != 0
          && interface_of_ipv4 (a, v->u.iface.name, sizeof v->u.iface.name))
        v->u.iface.len = strlen (v->u.iface.name);
      return err;
    }
  err = get_option (fd, level, name, &v->u.iface.index,
                    sizeof v->u.iface.index, NULL);
  if (err == 0 && v->u.iface.index > 0
      && if_indextoname ((unsigned)v->u.iface.index, v->u.iface.name))
    v->u.iface.len = strlen (v->u.iface.name);
  return err;
}

/* Bytes FD sent that are not yet acknowledged, or -1.  */
static long
unacked_bytes (int fd)
{
#if defined SIOCOUTQ && defined SIOCOUTQNSD
  int queued = 0, unsent = 0;
  if (ioctl (fd, SIOCOUTQ, &queued) != 0
      || ioctl (fd, SIOCOUTQNSD, &unsent) != 0)
    return -1;
  return (long)queued - unsent;
#else
  (void)fd;
  return -1;
#endif
}

int
opt_kernel_get (int fd, int family, const struct opt_row *row,
                struct opt_reading *r)
{
  int level, name;
  opt_resolve (row, family, &level, &name);
  memset (r, 0, sizeof *r);
  r->type = row->type;
  struct opt_value *v = &r->u.value;
  v->type = row->type;
  socklen_t len = 0;
  int err;
  switch (row->type)
    {
    case OPT_LINGER:
      return get_option (fd, level, name, &v->u.lg, sizeof v->u.lg, NULL);
    case OPT_DEVICE:
    case OPT_STRING:
      err = get_option (fd, level, name, v->u.str.bytes,
                        sizeof v->u.str.bytes - 1, &len);
      if (err != 0)
        return err;
      v->u.str
          .bytes[len < sizeof v->u.str.bytes ? len : sizeof v->u.str.bytes - 1]
          = '\0';
      v->u.str.len = strlen (v->u.str.bytes);
      return 0;
    case OPT_IFNAME:
      return get_interface (fd, family, level, name, v);
    case OPT_BUDGET:
      return opt_budget_get (fd, family, &v->u.i);
    case OPT_TCPINFO:
    case OPT_PEERCRED:
      {
        void *record = record_of (r, &len);
        err = record ? get_option (fd, level, name, record, len, NULL)
                     : ENOPROTOOPT;
        if (err == 0 && row->type == OPT_TCPINFO)
          r->unacked_bytes = unacked_bytes (fd);
        return err;
      }
    default:
      err = get_option (fd, level, name, &v->u.i, sizeof v->u.i, NULL);
      if (err == 0 && row->type == OPT_BOOL)
        v->u.i = v->u.i != 0;
      return err;
    }
}

bool
opt_value_equal (const struct opt_row *row, const struct opt_value *v,
                 const struct opt_reading *r)
{
  const struct opt_value *w = &r->u.value;
  switch (row->type)
    {
    case OPT_LINGER:
      return v->u.lg.l_onoff == w->u.lg.l_onoff
             && (!v->u.lg.l_onoff || v->u.lg.l_linger == w->u.lg.l_linger);
    case OPT_DEVICE:
    case OPT_STRING:
      return v->u.str.len == w->u.str.len
             && memcmp (v->u.str.bytes, w->u.str.bytes, v->u.str.len) == 0;
    case OPT_IFNAME:
      return v->u.iface.len == w->u.iface.len
             && memcmp (v->u.iface.name, w->u.iface.name, v->u.iface.len) == 0;
    case OPT_TCPINFO:
    case OPT_PEERCRED:
      return true;
    default:
      return v->u.i == w->u.i;
    }
}
