/* api.h --- the option functions of the Lisp API, and the option
   operations the socket code shares.  */

#ifndef NETOPT_OPTIONS_API_H
#define NETOPT_OPTIONS_API_H

#include "../sockets/handle.h"

/* Record each option's row index on its keyword (netopt--option-index),
   so that looking an option up is one `get'.  */
bool nopt_init (emacs_env *env);

/* The row of keyword KW.  NULL either with an exit pending
   (wrong-type-argument: KW is no keyword) or without one (unknown).  */
const struct nv_option *nopt_lookup (emacs_env *env, emacs_value kw);

/* Signal netopt-unknown-option for KW, with REASON when non-NULL.  */
bool nopt_signal_unknown (emacs_env *env, emacs_value kw, const char *reason);

/* Check that OPT (named KW) may be set on S now.  Signals
   netopt-unknown-option when not.  */
bool nopt_check_settable (emacs_env *env, const struct nsock *s,
                          const struct nv_option *opt, emacs_value kw);

/* Apply a converted setting to S; signals the kernel's refusal.  */
bool nopt_apply (emacs_env *env, const struct nsock *s,
                 const struct nv_option *opt, emacs_value kw,
                 emacs_value lisp_value, const struct nv_value *v);

/* Convert the options of a plist (PAIRS: key, value, key, value ...)
   into settings for a socket of FAMILY and TYPE.  *OUT is malloc'd.  */
bool nopt_convert_plist (emacs_env *env, emacs_value plist, int family,
                         int type, struct nsetting **out, size_t *count);

emacs_value Fnetopt_set_option (emacs_env *, ptrdiff_t, emacs_value *,
                                void *);
emacs_value Fnetopt_option (emacs_env *, ptrdiff_t, emacs_value *, void *);
emacs_value Fnetopt_supported_options (emacs_env *, ptrdiff_t, emacs_value *,
                                       void *);
emacs_value Fnetopt_option_info (emacs_env *, ptrdiff_t, emacs_value *,
                                 void *);
emacs_value Fnetopt_read_options (emacs_env *, ptrdiff_t, emacs_value *,
                                  void *);

#endif
