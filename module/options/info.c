/* info.c --- netopt-supported-options and netopt-option-info.  */

#include "info.h"
#include "engine.h"

/* (netopt-supported-options) */
emacs_value
Fnetopt_supported_options (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                           void *data)
{
  (void)data;
  (void)nargs;
  (void)args;
  emacs_value result = Q.nil;
  for (size_t i = opt_row_count; i-- > 0;)
    {
      result = env->funcall (
          env, Q.cons, 2,
          (emacs_value[]){ opt_keyword (&opt_rows[i]), result });
      LISP_CHECK (env);
    }
  return result;
}

static emacs_value
bits_to_list (emacs_env *env, unsigned bits, const emacs_value *names, int n)
{
  emacs_value items[4];
  int k = 0;
  for (int i = 0; i < n; i++)
    if (bits & (1u << i))
      items[k++] = names[i];
  return lisp_list (env, k, items);
}

static emacs_value
level_symbol (enum opt_level level)
{
  switch (level)
    {
    case OPT_LEVEL_SOCKET:
      return Q.socket;
    case OPT_LEVEL_IP:
    case OPT_LEVEL_IP_ANY:
      return Q.ip;
    case OPT_LEVEL_IPV6:
      return Q.ipv6_level;
    case OPT_LEVEL_TCP:
      return Q.tcp;
    case OPT_LEVEL_UDP:
      return Q.udp;
    }
  return Q.socket;
}

static emacs_value
type_symbol (enum opt_type type)
{
  switch (type)
    {
    case OPT_BOOL:
      return Q.boolean;
    case OPT_INT:
    case OPT_BUDGET:
      return Q.integer_type;
    case OPT_LINGER:
      return Q.linger;
    case OPT_DEVICE:
    case OPT_IFNAME:
      return Q.device;
    case OPT_STRING:
      return Q.string_type;
    case OPT_TCPINFO:
    case OPT_PEERCRED:
      return Q.plist;
    }
  return Q.nil;
}

/* (netopt-option-info OPTION) */
emacs_value
Fnetopt_option_info (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                     void *data)
{
  (void)data;
  (void)nargs;
  const struct opt_row *row = opt_lookup (env, args[0]);
  LISP_CHECK (env);
  if (!row)
    {
      opt_signal_unknown (env, args[0], NULL);
      return NULL;
    }
  struct lisp_plist p = { .n = 0 };
  emacs_value range = Q.nil;
  if (row->type == OPT_INT || row->type == OPT_BUDGET)
    {
      emacs_value lo = env->make_integer (env, row->min);
      LISP_CHECK (env);
      emacs_value hi = env->make_integer (env, row->max);
      LISP_CHECK (env);
      range = env->funcall (env, Q.cons, 2, (emacs_value[]){ lo, hi });
      LISP_CHECK (env);
    }
  lisp_plist_add (env, &p, Q.k_type, type_symbol (row->type));
  lisp_plist_add (env, &p, Q.k_level, level_symbol (row->level));
  lisp_plist_add (env, &p, Q.k_settable,
                  row->when == OPT_ALWAYS        ? Q.always
                  : row->when == OPT_BEFORE_BIND ? Q.before_bind
                                                 : Q.nil);
  lisp_plist_add (env, &p, Q.k_families,
                  bits_to_list (env, row->families,
                                (emacs_value[]){ Q.ipv4, Q.ipv6, Q.local },
                                3));
  lisp_plist_add (
      env, &p, Q.k_socket_types,
      bits_to_list (env, row->types,
                    (emacs_value[]){ Q.stream, Q.datagram, Q.seqpacket }, 3));
  lisp_plist_add (env, &p, Q.k_c_name, lisp_string (env, row->c_name));
  lisp_plist_add (env, &p, Q.k_privileged, row->privileged ? Q.t : Q.nil);
  lisp_plist_add (env, &p, Q.k_range, range);
  lisp_plist_add (env, &p, Q.k_read_clears, row->read_clears ? Q.t : Q.nil);
  lisp_plist_add (env, &p, Q.k_doc, lisp_string (env, row->doc));
  return lisp_plist_make (env, &p);
}
