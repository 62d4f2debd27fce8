#!/bin/sh
# run.sh --- run netopt's ERT suites on every Emacs, in every mode.
#
#   sh test/run.sh FILE...
#
# For each Emacs of EMACSEN (default: $EMACS, or emacs) the suites run
# twice:
#
#   byte     the Lisp layer byte-compiled by that Emacs, plain;
#   native   the Lisp layer natively compiled by that Emacs (byte-compiled
#            where it has no native compilation), under -module-assertions.
#
# NETOPT_TEST_MODES narrows that list.  Each run starts from nothing: a
# fresh, throwaway HOME (so user-emacs-directory and its eln-cache are
# empty, as on a new machine), into which lisp/*.el is copied and
# compiled by the Emacs under test, with warnings as errors.
#
# Each run has a hard time limit, NETOPT_SUITE_TIMEOUT seconds (default
# 300), kept by test/tools/suite-limit: a hung run is killed, and so is
# everything it started, however detached (tmux, servers, Emacs's
# native compiler); it counts as a failure that names it.  Processes
# that a finished run left behind are killed and named too.
#
# NETOPT_TEST_PRELOAD ("VAR=VALUE ..."; make check-sanitize) is given
# to the test Emacs alone, never to the compiling Emacs; test/runner.el
# removes it from what the test Emacs's own children get.
#
# The last line is "N passed, M failed" (", K skipped" when tests were
# skipped), summed over every run; the exit status is non-zero when a
# test failed or a run did not report.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
EMACSEN=${EMACSEN:-${EMACS:-emacs}}
modes=${NETOPT_TEST_MODES:-byte native}
limit=${NETOPT_SUITE_TIMEOUT:-300}
compile_limit=${NETOPT_COMPILE_TIMEOUT:-600}
limiter=$top/test/tools/suite-limit
[ -x "$limiter" ] || { echo "run.sh: $limiter is not built (make test builds it)"; exit 2; }
# lisp/ is compiled against the plain module, whatever the suites load.
module=$top/module/netopt-core.so
passed=0 failed=0 skipped=0 status=0
fail_run() {
    echo "$1"
    failed=$((failed + 1))
    status=1
}

# prepare EMACS MODE HOME: a build tree in HOME/netopt laid out as the
# source tree (module/ and Makefile linked), lisp/ compiled by EMACS, within
# NETOPT_COMPILE_TIMEOUT seconds (default 600).
prepare() {
    build=$3/netopt
    mkdir -p "$build/lisp" && cp "$top"/lisp/*.el "$build/lisp/" &&
        ln -s "$top/module" "$build/module" &&
        ln -s "$top/Makefile" "$build/Makefile" || return 1
    env HOME="$3" NETOPT_MODULE_FILE="$module" "$limiter" "$compile_limit" \
        $1 -Q --batch -L "$build/lisp" \
        --eval '(setq byte-compile-error-on-warn t)' \
        -f batch-byte-compile "$build"/lisp/*.el </dev/null || return 1
    [ "$2" = native ] || return 0
    env HOME="$3" NETOPT_MODULE_FILE="$module" "$limiter" "$compile_limit" \
        $1 -Q --batch -L "$build/lisp" --eval \
        "(if (and (fboundp 'native-comp-available-p) (native-comp-available-p))
             (dolist (f (directory-files \"$build/lisp\" t \"\\\\.el\\\\'\"))
               (native-compile f))
           (princ \"no native compilation in this Emacs: byte-compiled\n\"))" \
        </dev/null
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
for emacs in $EMACSEN; do
    version=$($emacs -Q --batch --eval '(princ emacs-version)' 2>/dev/null) ||
        { fail_run "run.sh: $emacs does not run"; continue; }
    for mode in $modes; do
        name="Emacs $version, $mode"
        flags=
        [ "$mode" = native ] && flags=-module-assertions
        echo "== ERT ($name${flags:+, $flags}) =="
        home=$(mktemp -d)
        chmod 755 "$home"
        if ! prepare "$emacs" "$mode" "$home" >"$log" 2>&1; then
            cat "$log"
            fail_run "the $name run: compiling lisp/ failed"
            rm -rf "$home"
            continue
        fi
        cat "$log"
        (cd "$top" && env -u NETOPT_TEST_PRELOAD HOME="$home" \
            NETOPT_TEST_LISP="$mode" \
            ${NETOPT_TEST_PRELOAD:-} \
            "$limiter" "$limit" $emacs -Q --batch $flags \
            -L "$home/netopt/lisp" -L test -l test/runner.el "$@" \
            </dev/null >"$log" 2>&1)
        rc=$?
        cat "$log"
        rm -rf "$home"
        if [ "$rc" -eq 124 ]; then
            fail_run "the $name run timed out after $limit s: killed"
            continue
        fi
        line=$(grep '^NETOPT-RESULT ' "$log" | tail -n 1)
        if [ -z "$line" ]; then
            fail_run "the $name run ended without a result (exit $rc)"
            continue
        fi
        set -- $line "$@"
        passed=$((passed + $2)); failed=$((failed + $3))
        skipped=$((skipped + $4))
        shift 4
        [ "$rc" -ne 0 ] && status=1
    done
done
[ "$failed" -ne 0 ] && status=1
if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
exit $status
