#!/bin/sh
# check-musl.sh --- the module built with musl, twice.
#
#   MUSL_CC=musl-gcc CFLAGS='...' VERSION=X sh test/tools/check-musl.sh SOURCE...
#
# Warnings as errors (CFLAGS), as it is and with every compat.h
# fallback taken (-DNETOPT_COMPAT_FALLBACKS), so the non-Linux paths
# keep compiling.  musl-gcc does not search /usr/include: the vendored
# Emacs 28 header is given with -I.  Only built, not loaded: Emacs here
# is linked with glibc.  make check-musl runs this.
set -eu
: "${MUSL_CC:=musl-gcc}" "${CFLAGS:=}" "${VERSION:?}"
command -v "$MUSL_CC" >/dev/null ||
    { echo "check-musl: $MUSL_CC not found (apt-get install musl-tools)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for extra in "" -DNETOPT_COMPAT_FALLBACKS; do
    # shellcheck disable=SC2086 # CFLAGS is a list of flags; extra may be empty
    $MUSL_CC $CFLAGS $extra -DNETOPT_MODULE_VERSION="\"$VERSION\"" -Itest/emacs-module-headers/28.2 \
        -shared -o "$tmp/netopt-core.so" "$@"
    echo "check-musl: built with musl ${extra:-(native interfaces)}"
done
