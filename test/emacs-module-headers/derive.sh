#!/bin/sh
# derive.sh MAJOR SOURCE > OUT: the emacs-module.h of Emacs MAJOR, made
# from the vendored header SOURCE of a later release by taking out what
# MAJOR does not declare.  Used by `make check-headers' for the releases
# with no vendored header (see README): 25 and 26 from 27.1, 29 from 30.1.
#
# What is taken out:
#   - the struct emacs_env_NN of every release after MAJOR, and
#     `emacs_env' becomes struct emacs_env_MAJOR;
#   - before 27: EMACS_MAJOR_VERSION (25 and 26 do not define it),
#     <time.h>, enum emacs_process_input_result, emacs_limb_t and
#     EMACS_LIMB_MAX, all new in 27;
#   - from 27 on, EMACS_MAJOR_VERSION becomes MAJOR.
# Emacs 29's struct emacs_env_29 is emacs_env_28's members: 29 added
# none, so its header is 30.1's without struct emacs_env_30.
set -eu
major=$1
source=$2
awk -v major="$major" '
  skip_struct {
    if ($0 == "};") { skip_struct = 0; drop_blank = 1 }
    next
  }
  skip_until_brace {
    if ($0 == "};") { skip_until_brace = 0; drop_blank = 1 }
    next
  }
  drop_blank && $0 == "" { drop_blank = 0; next }
  { drop_blank = 0 }
  /^struct emacs_env_[0-9]+$/ {
    n = substr($0, length("struct emacs_env_") + 1) + 0
    if (n > major) { skip_struct = 1; next }
  }
  /^typedef struct emacs_env_[0-9]+ emacs_env;$/ {
    print "typedef struct emacs_env_" major " emacs_env;"
    next
  }
  /^#define EMACS_MAJOR_VERSION / {
    if (major >= 27) print "#define EMACS_MAJOR_VERSION " major
    else drop_blank = 1
    next
  }
  major < 27 && /^#include <time.h>$/ { next }
  major < 27 && /^\/\* Possible return values for emacs_env.process_input/ {
    skip_until_brace = 1
    next
  }
  major < 27 && /^\/\* Define emacs_limb_t / { skip_limb = 1 }
  skip_limb {
    if ($0 ~ /^#define EMACS_LIMB_MAX/) { skip_limb = 0; drop_blank = 1 }
    next
  }
  { print }
' "$source"
