#!/bin/sh
# check-headers.sh --- the module against every emacs-module.h it supports.
#
#   CC=cc CFLAGS='...' VERSION=X EMACS=emacs sh test/tools/check-headers.sh SOURCE...
#
# For Emacs 25 to 30: the header (vendored under
# test/emacs-module-headers, or derived from a vendored one by
# derive.sh), checked to be the one the compiler picks (its
# `emacs_env' typedef), the module built against it with -Wundef
# (CFLAGS carry -Werror), and each build loaded into $EMACS
# (test/header-smoke.el), where it must work through the env->size
# checks.  make check-headers runs this.
set -eu
: "${CC:=cc}" "${CFLAGS:=}" "${VERSION:?}" "${EMACS:=emacs}"
headers=test/emacs-module-headers
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for v in 25 26 27 28 29 30; do
    mkdir "$tmp/$v"
    h="$tmp/$v/emacs-module.h"
    case $v in
        25|26) sh "$headers/derive.sh" "$v" "$headers/27.1/emacs-module.h" >"$h" ;;
        29) sh "$headers/derive.sh" "$v" "$headers/30.1/emacs-module.h" >"$h" ;;
        *) cp "$headers"/"$v".*/emacs-module.h "$h" ;;
    esac
    echo '#include <emacs-module.h>' | $CC -I"$tmp/$v" -E -x c - |
        grep -q "^typedef struct emacs_env_$v emacs_env;" ||
        { echo "check-headers: Emacs $v's header not used"; exit 1; }
    # shellcheck disable=SC2086 # CFLAGS is a list of flags
    $CC $CFLAGS -Wundef -DNETOPT_MODULE_VERSION="\"$VERSION\"" -I"$tmp/$v" \
        -shared -o "$tmp/$v/netopt-core.so" "$@"
    NETOPT_MODULE_FILE="$tmp/$v/netopt-core.so" "$EMACS" -Q --batch \
        --eval "(setq load-prefer-newer t)" -L lisp -L test \
        -l test/header-smoke.el >/dev/null
    echo "check-headers: Emacs $v header: builds, loads, works"
done
