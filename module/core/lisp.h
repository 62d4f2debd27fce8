/* lisp.h --- glue between the module and the Emacs environment.

   Every call into `env' whose result is used is followed by a check for
   a pending non-local exit; the LISP_CHECK macros below keep that short.  The
   symbols the module uses are interned once, at load time, as global
   references (see lisp.c).  */

#ifndef NETOPT_LISP_H
#define NETOPT_LISP_H

#include <emacs-module.h>
#include "compat.h"
#include "emacs-compat.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Is a non-local exit pending?  */
#define LISP_PENDING(env)                                                     \
  ((env)->non_local_exit_check (env) != emacs_funcall_exit_return)

/* Return VALUE from the current function when a non-local exit is
   pending.  Emacs ignores the value a module function returns then.  */
#define LISP_CHECK_RETURN(env, value)                                         \
  do                                                                          \
    {                                                                         \
      if (LISP_PENDING (env))                                                 \
        return value;                                                         \
    }                                                                         \
  while (0)

/* For functions that return a pointer (NULL), or bool (false).  */
#define LISP_CHECK(env) LISP_CHECK_RETURN (env, NULL)
#define LISP_CHECK_BOOL(env) LISP_CHECK_RETURN (env, false)

/* Declare NAME as a module function, of the type Emacs calls.  For
   declarations only: every definition is written out in plain C.  */
#define NETOPT_PRIMITIVE(name)                                                \
  emacs_value name (emacs_env *env, ptrdiff_t nargs, emacs_value *args,       \
                    void *data)

/* Symbols interned at load time.  X-macro: C name, Lisp name.  */
#define NETOPT_SYMBOLS(X)                                                     \
  X (nil, "nil")                                                              \
  X (unconnected, "unconnected")                                              \
  X (resolving, "resolving")                                                  \
  X (listp, "listp")                                                          \
  X (natnump, "natnump")                                                      \
  X (with_timeout, "with-timeout")                                            \
  X (eval, "eval")                                                            \
  X (quote, "quote")                                                          \
  X (process_status, "process-status")                                        \
  X (connect, "connect")                                                      \
  X (resolved, "resolved")                                                    \
  X (unresolved, "unresolved")                                                \
  X (watching, "watching")                                                    \
  X (connected, "connected")                                                  \
  X (failed, "failed")                                                        \
  X (t, "t")                                                                  \
  X (get, "get")                                                              \
  X (put, "put")                                                              \
  X (defalias, "defalias")                                                    \
  X (provide, "provide")                                                      \
  X (list, "list")                                                            \
  X (vector, "vector")                                                        \
  X (cons, "cons")                                                            \
  X (keywordp, "keywordp")                                                    \
  X (symbol_value, "symbol-value")                                            \
  X (unibyte_string, "unibyte-string")                                        \
  X (car_safe, "car-safe")                                                    \
  X (cdr_safe, "cdr-safe")                                                    \
  X (plistp, "plistp")                                                        \
  X (k_group, ":group")                                                       \
  X (k_optname, ":optname")                                                   \
  X (k_value, ":value")                                                       \
  X (k_length, ":length")                                                     \
  X (quit, "quit")                                                            \
  X (accept_process_output, "accept-process-output")                          \
  X (multibyte_string_p, "multibyte-string-p")                                \
  X (encode_coding_string, "encode-coding-string")                            \
  X (utf_8_unix, "utf-8-unix")                                                \
  X (iso_latin_1_unix, "iso-latin-1-unix")                                    \
  X (decode_coding_string, "decode-coding-string")                            \
  X (append, "append")                                                        \
  X (k_sent, ":sent")                                                         \
  X (string_type, "string")                                                   \
  X (integer_type, "integer")                                                 \
  X (float_type, "float")                                                     \
  X (user_ptr_type, "user-ptr")                                               \
  X (process_type, "process")                                                 \
  X (vector_type, "vector")                                                   \
  X (cons_type, "cons")                                                       \
  X (processp, "processp")                                                    \
  X (stringp, "stringp")                                                      \
  X (socketp, "netopt-socket-p")                                              \
  X (wrong_type_argument, "wrong-type-argument")                              \
  X (err_error, "netopt-error")                                               \
  X (err_unknown_option, "netopt-unknown-option")                             \
  X (err_bad_value, "netopt-bad-value")                                       \
  X (err_system, "netopt-system-error")                                       \
  X (err_permission, "netopt-permission-denied")                              \
  X (err_closed, "netopt-closed")                                             \
  X (linger_seconds, "netopt-linger-seconds")                                 \
  X (make_hash_table, "make-hash-table")                                      \
  X (k_test, ":test")                                                         \
  X (k_weakness, ":weakness")                                                 \
  X (eq, "eq")                                                                \
  X (key, "key")                                                              \
  X (remhash, "remhash")                                                      \
  X (member, "member")                                                        \
  X (maphash, "maphash")                                                      \
  X (process_type_of, "process-type")                                         \
  X (process_name, "process-name")                                            \
  X (network, "network")                                                      \
  X (set_network_process_option, "set-network-process-option")                \
  X (k_priority, ":priority")                                                 \
  X (plist_get, "plist-get")                                                  \
  X (setcdr, "setcdr")                                                        \
  X (nthcdr, "nthcdr")                                                        \
  X (adopted, "adopted")                                                      \
  X (tuned, "tuned")                                                          \
  X (err_not_network, "netopt-not-network")                                   \
  X (err_not_found, "netopt-socket-not-found")                                \
  X (file_error, "file-error")                                                \
  X (file_missing, "file-missing")                                            \
  X (permission_denied, "permission-denied")                                  \
  X (emacs, "emacs")                                                          \
  X (gethash, "gethash")                                                      \
  X (puthash, "puthash")                                                      \
  X (process_live_p, "process-live-p")                                        \
  X (open, "open")                                                            \
  X (listen, "listen")                                                        \
  X (process_contact, "process-contact")                                      \
  X (plist_put, "plist-put")                                                  \
  X (plist_member, "plist-member")                                            \
  X (option_index, "netopt--option-index")                                    \
  X (ipv4, "ipv4")                                                            \
  X (ipv6, "ipv6")                                                            \
  X (local, "local")                                                          \
  X (stream, "stream")                                                        \
  X (datagram, "datagram")                                                    \
  X (seqpacket, "seqpacket")                                                  \
  X (always, "always")                                                        \
  X (before_bind, "before-bind")                                              \
  X (socket, "socket")                                                        \
  X (ip, "ip")                                                                \
  X (ipv6_level, "ipv6")                                                      \
  X (tcp, "tcp")                                                              \
  X (udp, "udp")                                                              \
  X (boolean, "boolean")                                                      \
  X (linger, "linger")                                                        \
  X (device, "device")                                                        \
  X (plist, "plist")                                                          \
  X (k_name, ":name")                                                         \
  X (k_type, ":type")                                                         \
  X (k_family, ":family")                                                     \
  X (k_host, ":host")                                                         \
  X (k_service, ":service")                                                   \
  X (k_server, ":server")                                                     \
  X (k_local, ":local")                                                       \
  X (k_remote, ":remote")                                                     \
  X (k_timeout, ":timeout")                                                   \
  X (k_child_options, ":child-options")                                       \
  X (k_options, ":options")                                                   \
  X (k_nowait, ":nowait")                                                     \
  X (k_errors, ":errors")                                                     \
  X (k_to, ":to")                                                             \
  X (k_oob, ":oob")                                                           \
  X (k_max, ":max")                                                           \
  X (k_level, ":level")                                                       \
  X (k_settable, ":settable")                                                 \
  X (k_doc, ":doc")                                                           \
  X (k_families, ":families")                                                 \
  X (k_socket_types, ":socket-types")                                         \
  X (k_c_name, ":c-name")                                                     \
  X (k_privileged, ":privileged")                                             \
  X (k_range, ":range")                                                       \
  X (k_read_clears, ":read-clears")

struct netopt_symbols
{
#define NETOPT_SYM_FIELD(c, l) emacs_value c;
  NETOPT_SYMBOLS (NETOPT_SYM_FIELD)
#undef NETOPT_SYM_FIELD
};

/* Global references to the symbols above, valid in every environment.  */
extern struct netopt_symbols Q;

/* Size of the environment structure of the running Emacs.  */
extern ptrdiff_t netopt_env_size;

bool lisp_init_symbols (emacs_env *env);

/* The symbol NAME, interned the first time into *SLOT (a global
   reference kept for the module's life): for symbols used rarely
   enough not to deserve a place in Q.  NULL with an exit pending.  */
emacs_value lisp_symbol (emacs_env *env, emacs_value *slot, const char *name);

/* A plist under construction: up to LISP_PLIST_MAX keys.  */
#define LISP_PLIST_MAX 24
struct lisp_plist
{
  emacs_value items[2 * LISP_PLIST_MAX];
  ptrdiff_t n;
};

/* Add KEY VALUE to P; VALUE NULL (a failed conversion) leaves the exit
   pending and returns false.  */
bool lisp_plist_add (emacs_env *env, struct lisp_plist *p, emacs_value key,
                     emacs_value value);

/* The Lisp list of P.  NULL with an exit pending.  */
emacs_value lisp_plist_make (emacs_env *env, const struct lisp_plist *p);

/* Remove KEY and its value from PLIST, a live plist, in place; KEY is
   never PLIST's first key (a process contact starts with :name).
   False with an exit pending.  */
bool lisp_plist_remove (emacs_env *env, emacs_value plist, emacs_value key);

/* Signal ERROR with DATA (a Lisp list).  Always returns false.  */
bool lisp_signal (emacs_env *env, emacs_value error, emacs_value data);
/* Build a list of N values.  NULL when an exit is pending.  */
emacs_value lisp_list (emacs_env *env, ptrdiff_t n, emacs_value *items);
emacs_value lisp_string (emacs_env *env, const char *s);
/* A unibyte string of LEN raw bytes.  */
emacs_value lisp_unibyte (emacs_env *env, const char *bytes, size_t len);

/* (wrong-type-argument PREDICATE VALUE).  Returns false.  */
bool lisp_wrong_type (emacs_env *env, emacs_value predicate,
                      emacs_value value);

bool lisp_eq (emacs_env *env, emacs_value a, emacs_value b);
bool lisp_nilp (emacs_env *env, emacs_value v);
bool lisp_is_type (emacs_env *env, emacs_value v, emacs_value type);

/* Copy the string V into a fresh NUL-terminated buffer (free with
   free).  *LEN, when non-NULL, gets the length in bytes without the
   terminating NUL.  V must be a string: otherwise wrong-type-argument.
   Returns NULL with an exit pending on failure.  */
char *lisp_copy_string (emacs_env *env, emacs_value v, size_t *len);

/* The bytes of the string V, as netopt sends them: a multibyte string
   as its UTF-8 encoding (raw-byte characters as their bytes), a
   unibyte string as it is.  Free with free.  NULL with an exit
   pending on failure.  */
char *lisp_string_bytes (emacs_env *env, emacs_value v, size_t *len);

/* Add (:sent SENT) to the data of the pending signal, so that a send
   interrupted after part of its string went out says how much did.  */
void lisp_note_sent (emacs_env *env, size_t sent);

/* Extract an integer into *OUT if V is an integer within [MIN, MAX].
   Returns false without signalling when V is not such an integer (any
   overflow error raised by Emacs is cleared).  */
bool lisp_int_in_range (emacs_env *env, emacs_value v, intmax_t min,
                        intmax_t max, intmax_t *out);

/* The same for an argument named KEYWORD, which must be such an
   integer: anything else signals netopt-bad-value (KEYWORD V REASON).  */
bool lisp_int_arg (emacs_env *env, emacs_value keyword, emacs_value v,
                   intmax_t min, intmax_t max, const char *reason,
                   intmax_t *out);

/* Extract a non-negative number of seconds (integer or float) or nil
   (forever: *OUT gets -1).  Signals netopt-bad-value with KEYWORD on
   anything else.  */
bool lisp_seconds (emacs_env *env, emacs_value keyword, emacs_value v,
                   double *out);

/* Signal netopt-bad-value: (OPTION VALUE REASON).  Returns false.  */
bool lisp_bad_value (emacs_env *env, emacs_value option, emacs_value value,
                     const char *reason);

/* Signal netopt-error ("Memory exhausted"): what a failed allocation
   reports, whatever the call was doing.  Returns false.  */
bool lisp_out_of_memory (emacs_env *env);

/* A new hash table, `eq' and weak in its keys, as a global reference
   that lives as long as the module; NULL with an exit pending.  */
emacs_value lisp_weak_table (emacs_env *env);

/* Signal netopt-system-error, or netopt-permission-denied for EPERM and
   EACCES, with data (WHAT STRERROR . EXTRA), EXTRA being N values.
   Returns false.  */
bool lisp_system_error (emacs_env *env, const char *what, int errnum,
                        ptrdiff_t n, emacs_value *extra);

/* Keyword argument parsing.  ARGS holds keyword/value pairs.  KEYS are
   the accepted keywords; VALUES gets the value of each (nil when
   absent).  An unknown keyword is passed to UNKNOWN when non-NULL
   (which returns false to stop), and is an error otherwise.  */
typedef bool (*lisp_unknown_key_fn) (emacs_env *env, emacs_value key,
                                     emacs_value value, void *data);
bool lisp_parse_keywords (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                          ptrdiff_t nkeys, const emacs_value *keys,
                          emacs_value *values, lisp_unknown_key_fn unknown,
                          void *data);

#endif
