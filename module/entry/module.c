/* module.c --- the module's entry: emacs_module_init and the table of
   every Lisp function the module defines.

   This file sits above every layer, since it names every function.
   Each function is a row of `functions' below, bound with defalias so
   that load-history and Help know where it came from.  */

#include "../options/defaults.h"
#include "../options/info.h"
#include "../process/process.h"

#include <string.h>

/* The Makefile passes the Version: header of netopt-module.el, so that
   the Lisp layer and the module share one version, written nowhere
   else.  */
#ifndef NETOPT_MODULE_VERSION
#error "NETOPT_MODULE_VERSION: build with make (it passes the version)"
#endif

__attribute__ ((visibility ("default"))) int plugin_is_GPL_compatible;

static emacs_value
Fnetopt_module_version (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                        void *data)
{
  (void)nargs;
  (void)args;
  (void)data;
  return lisp_string (env, NETOPT_MODULE_VERSION);
}

/* Make the module FUNCTION (args[0]) a command whose interactive
   form is (interactive SPEC), SPEC being args[1].  Emacs 28's
   make_interactive; nil where the Emacs is older (the Lisp layer then
   falls back to the symbol's interactive-form property, which Emacs 30
   refuses on a module function).  */
static emacs_value
Fnetopt_make_command (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                      void *data)
{
  (void)nargs;
  (void)data;
#if defined EMACS_MAJOR_VERSION && EMACS_MAJOR_VERSION >= 28
  if (netopt_env_size >= (ptrdiff_t)sizeof (struct emacs_env_28))
    {
      env->make_interactive (env, args[0], args[1]);
      return LISP_PENDING (env) ? NULL : Q.t;
    }
#else
  (void)env;
  (void)args;
#endif
  return Q.nil;
}

struct function
{
  const char *name;
  ptrdiff_t min, max;
  emacs_function fn;
  const char *doc;
};

static const struct function functions[] = {
  { "netopt--make-socket", 1, 1, Fnetopt_make_socket_internal,
    "Create a socket, set its options, bind, listen or connect it.\n"
    "The primitive behind `netopt-make-socket', which parses its keywords\n"
    "and applies the defaults.  PLIST holds :name (a string), :family\n"
    "(ipv4, ipv6, local or nil), :type (stream, datagram or seqpacket),\n"
    ":server (nil, t or a backlog), :host, :service, :local, :remote,\n"
    ":timeout (seconds or nil), :options and :child-options (plists),\n"
    ":nowait (t: start a stream connection without waiting for it;\n"
    "`unconnected': a datagram client neither bound nor connected) and\n"
    ":errors (`emacs': a failed connection signals as Emacs's own call).\n\n"
    "(fn PLIST)" },
  { "netopt-accept", 1, 2, Fnetopt_accept,
    "Return the next connection to the listening SERVER as a new SOCKET.\n"
    "Return nil when none arrived within TIMEOUT seconds (nil: wait,\n"
    "0: poll).  The new socket starts from the kernel's defaults for\n"
    "every option (except :reuseaddr), then gets the server's\n"
    ":child-options.\n\n(fn SERVER &optional TIMEOUT)" },
  { "netopt-send", 2, emacs_variadic_function, Fnetopt_send,
    "Send STRING on SOCKET and return the number of bytes sent.\n"
    "A multibyte STRING is sent as UTF-8.  ARGS: :to ADDRESS sends a\n"
    "datagram to ADDRESS; :oob t sends urgent (out-of-band) data;\n"
    ":timeout SECONDS limits the wait for buffer space (nil: no limit).\n"
    "\n(fn SOCKET STRING &rest ARGS)" },
  { "netopt-receive", 1, emacs_variadic_function, Fnetopt_receive,
    "Receive data from SOCKET and return it as a unibyte string.\n"
    "Return \"\" at the orderly end of a stream, and nil when :timeout\n"
    "SECONDS pass with nothing to read.  ARGS: :max N bytes at most\n"
    "(default 65536), :timeout SECONDS (nil: wait), :oob t reads urgent\n"
    "data.\n\n(fn SOCKET &rest ARGS)" },
  { "netopt-receive-from", 1, emacs_variadic_function, Fnetopt_receive_from,
    "Receive a datagram from SOCKET; return (STRING . ADDRESS).\n"
    "ARGS as for `netopt-receive'; nil on timeout.\n\n(fn SOCKET &rest "
    "ARGS)" },
  { "netopt-close", 1, 1, Fnetopt_close,
    "Close SOCKET and return nil.  Closing twice is harmless.\n\n(fn "
    "SOCKET)" },
  { "netopt-socket-p", 1, 1, Fnetopt_socket_p,
    "Return t if OBJECT is a netopt SOCKET, open or closed.\n\n(fn OBJECT)" },
  { "netopt-live-p", 1, 1, Fnetopt_live_p,
    "Return t if SOCKET is open, nil once it is closed.\n\n(fn SOCKET)" },
  { "netopt-set-option", 3, 4, Fnetopt_set_option,
    "Set OPTION of TARGET to VALUE and return t.\n"
    "TARGET is a netopt SOCKET or a live network process.  An OPTION that\n"
    "is unknown, unsupported here or no longer settable signals\n"
    "`netopt-unknown-option', or returns nil when NO-ERROR is non-nil.\n"
    "A bad VALUE always signals `netopt-bad-value'.\n\n"
    "(fn TARGET OPTION VALUE &optional NO-ERROR)" },
  { "netopt-option", 2, 2, Fnetopt_option,
    "Return the value of OPTION on TARGET, read from the kernel now.\n"
    "The value has the form `netopt-set-option' takes.\n\n"
    "(fn TARGET OPTION)" },
  { "netopt-supported-options", 0, 0, Fnetopt_supported_options,
    "Return the option keywords this build supports on this system.\n"
    "The eight options of the Emacs manual come first.\n\n(fn)" },
  { "netopt-option-info", 1, 1, Fnetopt_option_info,
    "Return a plist describing OPTION.\n"
    "Keys: :type, :level, :settable (always, before-bind, or nil when\n"
    "read-only), :families, :socket-types, :c-name, :privileged, :range\n"
    "and :doc.\n\n(fn OPTION)" },
  { "netopt-join-group", 2, 3, Fnetopt_join_group,
    "Join the multicast GROUP on TARGET, on INTERFACE (a name) if given.\n"
    "GROUP is a numeric address string or an address vector.  Return t.\n\n"
    "(fn TARGET GROUP &optional INTERFACE)" },
  { "netopt-leave-group", 2, 3, Fnetopt_leave_group,
    "Leave the multicast GROUP on TARGET, as joined with INTERFACE.\n\n"
    "(fn TARGET GROUP &optional INTERFACE)" },
  { "netopt-set-raw-option", 4, 4, Fnetopt_set_raw_option,
    "Call setsockopt on TARGET with LEVEL, OPTNAME and VALUE; return t.\n"
    "LEVEL is socket, ip, ipv6, tcp, udp or an integer; VALUE an integer\n"
    "(passed as a C int) or a unibyte string of bytes.\n\n"
    "(fn TARGET LEVEL OPTNAME VALUE)" },
  { "netopt-raw-option", 3, 4, Fnetopt_raw_option,
    "Call getsockopt on TARGET with LEVEL and OPTNAME.\n"
    "Without LENGTH, return the value as a C int; with LENGTH, return at\n"
    "most LENGTH bytes as a unibyte string.\n\n"
    "(fn TARGET LEVEL OPTNAME &optional LENGTH)" },
  { "netopt--read-options", 1, 1, Fnetopt_read_options,
    "Return a plist of every option that applies to TARGET, read now.\n\n"
    "(fn TARGET)" },
  { "netopt--socket-contact", 1, 1, Fnetopt_socket_contact,
    "Return the contact plist of SOCKET without its options.\n\n(fn SOCKET)" },
  { "netopt--socket-fd", 1, 1, Fnetopt_socket_fd,
    "Return the descriptor number of SOCKET.\n\n(fn SOCKET)" },
  { "netopt--socket-fds", 0, 0, Fnetopt_socket_fds,
    "Return (FD . INODE) for each socket descriptor of this Emacs.\n"
    "netopt's own descriptors are left out.\n\n"
    "(fn)" },
  { "netopt--process-socket", 1, 1, Fnetopt_process_socket,
    "Return the handle of network PROCESS's socket, located once.\n\n"
    "(fn PROCESS)" },
  { "netopt--process-owner", 1, 1, Fnetopt_process_owner,
    "Return `adopted' if netopt made PROCESS's socket, `tuned' if it set\n"
    "an option on it, nil otherwise.  Locates nothing.\n\n(fn PROCESS)" },
  { "netopt--process-forget", 1, 1, Fnetopt_process_forget,
    "Forget which socket is PROCESS's; the next call locates it again.\n\n"
    "(fn PROCESS)" },
  { "netopt--adopt", 3, 4, Fnetopt_adopt,
    "Put netopt's SOCKET in the place of PROCESS's placeholder socket.\n"
    "The placeholder is found by BEFORE, a value of `netopt--adopt-before'\n"
    "or of `netopt--socket-fds' (then the one new socket of SOCKET's\n"
    "kind); it keeps its number and close-on-exec, SOCKET is closed, and\n"
    "so is LISTENER, the placeholder's peer, if given.  With SOCKET nil,\n"
    "the one new socket is only registered as PROCESS's.  Return t.\n\n"
    "(fn SOCKET PROCESS BEFORE &optional LISTENER)" },
  { "netopt--adopt-before", 1, 1, Fnetopt_adopt_before,
    "Return what `netopt--adopt' needs to find SOCKET's placeholder.\n"
    "Taken just before the placeholder is made: a descriptor that is\n"
    "free now, or a value of `netopt--socket-fds'.\n\n"
    "(fn SOCKET)" },
  { "netopt--spare-fds", 1, 1, Fnetopt_spare_fds,
    "Return non-nil when this Emacs can open N more descriptors now.\n\n"
    "(fn N)" },
  { "netopt--async-resolve", 4, 4, Fnetopt_async_resolve,
    "Start resolving HOST and SERVICE for a FAMILY, TYPE socket, in the\n"
    "background; return the job.\n\n(fn HOST SERVICE FAMILY TYPE)" },
  { "netopt--async-id", 1, 1, Fnetopt_async_id,
    "Return the number of JOB.\n\n(fn JOB)" },
  { "netopt--async-state", 1, 1, Fnetopt_async_state,
    "Return what JOB is at: resolving, (resolved ADDRESS...), (unresolved\n"
    "REASON), watching, connected or failed.\n\n(fn JOB)" },
  { "netopt--async-watch", 2, 2, Fnetopt_async_watch,
    "Make JOB watch SOCKET's connection in progress until it ends.\n\n"
    "(fn JOB SOCKET)" },
  { "netopt--async-news", 0, 0, Fnetopt_async_news,
    "Return the numbers of the jobs with news since the last call.\n\n(fn)" },
  { "netopt--async-end", 1, 1, Fnetopt_async_end,
    "End JOB.  Ending twice is harmless.\n\n(fn JOB)" },
  { "netopt--pending-remote", 0, 0, Fnetopt_pending_remote,
    "Return the address a placeholder connects to and never reaches.\n\n"
    "(fn)" },
  { "netopt--pending-release", 0, 0, Fnetopt_pending_release,
    "Close what background connections need, when none is left.\n\n"
    "(fn)" },
  { "netopt--wake-listen", 0, 0, Fnetopt_wake_listen,
    "Return the port the wake channel's process connects to.\n\n(fn)" },
  { "netopt--wake-accept", 1, 1, Fnetopt_wake_accept,
    "Take PROCESS as Emacs's end of the wake channel.\n\n(fn PROCESS)" },
  { "netopt--pending-start", 2, 2, Fnetopt_pending_start,
    "Make PROCESS, a placeholder new since BEFORE, a pending connection.\n\n"
    "(fn PROCESS BEFORE)" },
  { "netopt--pending-attempt", 2, 3, Fnetopt_pending_attempt,
    "Make SOCKET (or nil) PROCESS's connection in progress; JOB, which\n"
    "watches it, is told when PROCESS goes.\n\n"
    "(fn PROCESS SOCKET &optional JOB)" },
  { "netopt--pending-finish", 2, 2, Fnetopt_pending_finish,
    "Put SOCKET in the place of PROCESS's placeholder (nil: fail it).\n\n"
    "(fn PROCESS SOCKET)" },
  { "netopt--configure-child", 2, 2, Fnetopt_configure_child,
    "Give CLIENT, accepted for the adopted SERVER, the kernel's defaults\n"
    "and SERVER's :child-options.  Return t.\n\n(fn CLIENT SERVER)" },
  { "netopt--socket-registry", 0, 0, Fnetopt_socket_registry,
    "Return the table of every socket the module made, weak in its keys.\n\n"
    "(fn)" },
  { "netopt--make-command", 2, 2, Fnetopt_make_command,
    "Make the module function FUNCTION a command: (interactive SPEC).\n"
    "Return t, or nil when this Emacs (before 28) cannot.\n\n"
    "(fn FUNCTION SPEC)" },
  { "netopt--module-version", 0, 0, Fnetopt_module_version,
    "Return the version of the compiled module.\n\n(fn)" },
};

static bool
register_functions (emacs_env *env)
{
  for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++)
    {
      const struct function *f = &functions[i];
      emacs_value fn
          = env->make_function (env, f->min, f->max, f->fn, f->doc, NULL);
      LISP_CHECK_BOOL (env);
      emacs_value sym = env->intern (env, f->name);
      LISP_CHECK_BOOL (env);
      env->funcall (env, Q.defalias, 2, (emacs_value[]){ sym, fn });
      LISP_CHECK_BOOL (env);
    }
  return true;
}

__attribute__ ((visibility ("default"))) int
emacs_module_init (struct emacs_runtime *runtime)
{
  if (runtime->size < (ptrdiff_t)sizeof (*runtime))
    return 1;
  emacs_env *env = runtime->get_environment (runtime);
  if (env->size < (ptrdiff_t)sizeof (struct emacs_env_25))
    return 2;
  netopt_env_size = env->size;
  if (!lisp_init_symbols (env) || !opt_init (env))
    return 3;
  opt_defaults_init ();
  if (!sock_init_registry (env) || !proc_init (env)
      || !register_functions (env))
    return 3;
  emacs_value feature = env->intern (env, "netopt-core");
  if (LISP_PENDING (env))
    return 3;
  env->funcall (env, Q.provide, 1, &feature);
  return LISP_PENDING (env) ? 3 : 0;
}
