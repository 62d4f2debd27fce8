/* engine.h --- the option engine: the one path every option takes.

   Whoever sets an option -- netopt-make-socket before bind, netopt-set-
   option later, netopt-accept on a new child, netopt-make-network-process
   on an Emacs process -- goes through the same two steps:

     prepare: keyword + Lisp value + the socket's kind + the context
              -> a checked setting (or the Lisp error that says why not);
     apply:   descriptor + setting -> set (or the Lisp error, from the
              one translator of kernel errors).

   The engine knows sockets only as (descriptor, family, type): it
   includes nothing above this layer.  Every function declared here is
   engine.c's; the kernel's defaults and the configuration of accepted
   children are defaults.h's.  */

#ifndef NETOPT_OPTIONS_ENGINE_H
#define NETOPT_OPTIONS_ENGINE_H

#include "value.h"

/* What the engine needs to know of a socket.  */
struct opt_socket
{
  int fd; /* -1 once closed */
  int family;
  int type;
};

/* When a setting is prepared: its context decides what may be set.  */
enum opt_context
{
  OPT_AT_CREATE, /* right after socket(), before bind and connect */
  OPT_LATER,     /* on a live socket: before-bind options only if unbound */
  OPT_FOR_CHILD, /* for a connection a server accepts (already bound) */
};

/* A checked option setting.  */
struct opt_setting
{
  const struct opt_row *row;
  struct opt_value value;
};

/* What opt_prepare reports.  */
enum opt_outcome
{
  OPT_OK,
  OPT_REFUSED, /* netopt-unknown-option is pending (NO-ERROR may clear it) */
  OPT_FAILED,  /* another error is pending (a bad value, a wrong type) */
};

/* Intern every row's keyword once and record its row index on it
   (netopt--option-index).  */
bool opt_init (emacs_env *env);

/* The row of keyword KW.  NULL either with an exit pending
   (wrong-type-argument: KW is no keyword) or without one (unknown).  */
const struct opt_row *opt_lookup (emacs_env *env, emacs_value kw);

/* The keyword of ROW, interned once.  */
emacs_value opt_keyword (const struct opt_row *row);

/* Signal netopt-unknown-option for KW, with REASON when non-NULL.  */
bool opt_signal_unknown (emacs_env *env, emacs_value kw, const char *reason);

/* Is FD bound to a local address (asked of the kernel)?  */
bool opt_is_bound (int fd);

/* Prepare KW = VALUE for the socket S in CONTEXT (S->fd is asked
   whether it is bound, with OPT_LATER; it may be -1 otherwise).  A
   read-only option takes no value.  */
enum opt_outcome opt_prepare (emacs_env *env, emacs_value kw,
                              emacs_value value, const struct opt_socket *s,
                              enum opt_context context,
                              struct opt_setting *out);

/* Prepare every option of PLIST (named NAME in errors): *OUT gets a
   malloc'd array sized to what was given, *COUNT its length.  */
bool opt_prepare_plist (emacs_env *env, emacs_value name, emacs_value plist,
                        int family, int type, enum opt_context context,
                        struct opt_setting **out, size_t *count);

/* Apply SET to S: the one way an option is set.  On a kernel refusal
   the error is signalled (VALUE, when non-NULL, is the Lisp value to
   name in it): OPT_REFUSED when the kernel does not know the option
   (netopt-unknown-option, which NO-ERROR quiets), OPT_FAILED
   otherwise.  */
enum opt_outcome opt_apply (emacs_env *env, const struct opt_socket *s,
                            const struct opt_setting *set, emacs_value value);

/* The kernel refused ROW (named KW; VALUE when setting, NULL when
   reading) with ERR: signal the Lisp error that says so.  */
bool opt_kernel_error (emacs_env *env, int err, emacs_value kw,
                       emacs_value value);

/* ROW's value on S, read now, in Lisp form.  With QUIET, an option the
   kernel cannot read gives NULL without an error.  */
emacs_value opt_read (emacs_env *env, const struct opt_socket *s,
                      const struct opt_row *row, bool quiet);

/* A plist of every option that applies to S and that reading does not
   change, read now.  */
emacs_value opt_read_all (emacs_env *env, const struct opt_socket *s);

#endif
