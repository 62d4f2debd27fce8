/* emacs-compat.h --- what the module uses from emacs-module.h that the
   headers of older Emacs releases lack.

   The module is built against the emacs-module.h of any Emacs from 25
   on, and checks env->size at run time for the functions of later
   releases (make check-headers builds it against each).  Emacs 25 and
   26's headers do not define EMACS_MAJOR_VERSION: test it with
   `defined EMACS_MAJOR_VERSION && EMACS_MAJOR_VERSION >= NN'.  */

#ifndef NETOPT_EMACS_COMPAT_H
#define NETOPT_EMACS_COMPAT_H

#include <emacs-module.h>

/* The type of a module function, as Emacs 28's header names it.  */
#if !defined EMACS_MAJOR_VERSION || EMACS_MAJOR_VERSION < 28
typedef emacs_value (*emacs_function) (emacs_env *env, ptrdiff_t nargs,
                                       emacs_value *args, void *data);
#endif

#endif
