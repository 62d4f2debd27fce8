/* info.h --- the Lisp functions about options themselves (no socket):
   netopt-supported-options and netopt-option-info.  */

#ifndef NETOPT_OPTIONS_INFO_H
#define NETOPT_OPTIONS_INFO_H

#include "../core/lisp.h"

emacs_value Fnetopt_supported_options (emacs_env *env, ptrdiff_t nargs,
                                       emacs_value *args, void *data);
emacs_value Fnetopt_option_info (emacs_env *env, ptrdiff_t nargs,
                                 emacs_value *args, void *data);

#endif
