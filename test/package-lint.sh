#!/bin/sh
# package-lint (Debian's elpa-package-lint) on the Lisp files given as
# arguments; called by make lint.  Every complaint fails the check except
# two: the public API (shared/API.md) names everything netopt-, while the
# package is netopt-module, and package-lint wants the package name as
# the prefix; and the one `with-eval-after-load' (below).  Skipped when
# package-lint is not installed.
set -u
EMACS=${EMACS:-emacs}
dir=$(ls -d /usr/share/emacs/site-lisp/elpa-src/package-lint-* 2>/dev/null | head -n 1)
if [ -z "$dir" ]; then
    echo "package-lint: not installed, skipped"
    exit 0
fi
out=$($EMACS -Q --batch -L "$dir" -L lisp \
    --eval "(progn (require 'package-lint) (setq package-lint-main-file \"lisp/netopt-module.el\"))" \
    -f package-lint-batch-and-exit "$@" 2>&1 |
    grep -v "^Entering directory\|^$\|doesn't start with package's prefix" |
    # The one `with-eval-after-load': the `cl-print-object' method that
    # prints a socket readably waits for cl-print, which is autoloaded
    # (defining the method at once would replace that autoload).
    grep -v "^netopt-base\.el:[0-9]*:[0-9]*: warning: .with-eval-after-load' is for use in configurations" |
    # Emacs 30 warns about package-lint 0.16's own source as it loads it
    # (pcase patterns): that is package-lint's, not a complaint of ours.
    grep -v "/package-lint\.el: Warning: ")
if [ -n "$out" ]; then
    echo "$out"
    exit 1
fi
echo "package-lint: clean (apart from the netopt- prefix the API mandates and cl-print's method)"
