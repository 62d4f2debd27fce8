/* info.h --- the Lisp functions about options themselves (no socket):
   netopt-supported-options and netopt-option-info.  */

#ifndef NETOPT_OPTIONS_INFO_H
#define NETOPT_OPTIONS_INFO_H

#include "../core/lisp.h"

NETOPT_PRIMITIVE (Fnetopt_supported_options);
NETOPT_PRIMITIVE (Fnetopt_option_info);

#endif
