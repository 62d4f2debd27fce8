#!/bin/sh
# deps.sh --- install what building netopt and `make demo' need.
#
# On Debian or Ubuntu: emacs-nox (Emacs and emacs-module.h), gcc and
# make, only those that are missing.  apt-get runs directly as root
# (a fresh machine has no sudo) and through sudo otherwise.  Nothing is
# run when everything is there.
#
#   sh test/tools/deps.sh                       install what is missing
#   NETOPT_DEPS_DRY_RUN=1 sh test/tools/deps.sh print the commands only
#
# EMACS_MODULE_H names the header to look for (default
# /usr/include/emacs-module.h).
set -eu
header=${EMACS_MODULE_H:-/usr/include/emacs-module.h}
need=
if ! command -v emacs >/dev/null 2>&1 || [ ! -f "$header" ]; then
    need="$need emacs-nox"
fi
command -v cc >/dev/null 2>&1 || need="$need gcc"
command -v make >/dev/null 2>&1 || need="$need make"
if [ -z "$need" ]; then
    echo "deps: emacs, emacs-module.h, cc and make are installed"
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    as=
elif command -v sudo >/dev/null 2>&1; then
    as=sudo
else
    echo "deps: missing:$need; not root and no sudo: as root, run" >&2
    echo "  apt-get update && apt-get install -y$need" >&2
    exit 1
fi
run() {
    if [ -n "${NETOPT_DEPS_DRY_RUN:-}" ]; then
        echo "$*"
    else
        "$@"
    fi
}
# sudo resets the environment: env passes DEBIAN_FRONTEND through it.
run $as env DEBIAN_FRONTEND=noninteractive apt-get update
run $as env DEBIAN_FRONTEND=noninteractive apt-get install -y $need
