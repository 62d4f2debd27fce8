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
# NETOPT_TEST_MODES narrows that list; NETOPT_TEST_JOBS (default 1)
# runs that many side by side (.ci/run: 2, one per core), each shown
# whole once it has ended.  Each run starts from nothing: a
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

# one EMACS MODE OUT: one run, its whole output in OUT, and its
# result ("PASSED FAILED SKIPPED STATUS") in OUT.result.
one() {
    emacs=$1 mode=$2 out=$3
    shift 3
    version=$($emacs -Q --batch --eval '(princ emacs-version)' 2>/dev/null) || {
        echo "run.sh: $emacs does not run" >"$out"
        echo "0 1 0 1" >"$out.result"
        return
    }
    name="Emacs $version, $mode"
    flags=
    [ "$mode" = native ] && flags=-module-assertions
    echo "== ERT ($name${flags:+, $flags}) ==" >"$out"
    home=$(mktemp -d)
    chmod 755 "$home"
    if ! prepare "$emacs" "$mode" "$home" >>"$out" 2>&1; then
        echo "the $name run: compiling lisp/ failed" >>"$out"
        echo "0 1 0 1" >"$out.result"
        rm -rf "$home"
        return
    fi
    (cd "$top" && env -u NETOPT_TEST_PRELOAD HOME="$home" \
        NETOPT_TEST_LISP="$mode" \
        ${NETOPT_TEST_PRELOAD:-} \
        "$limiter" "$limit" $emacs -Q --batch $flags \
        -L "$home/netopt/lisp" -L test -l test/runner.el "$@" \
        </dev/null >"$out.run" 2>&1)
    rc=$?
    cat "$out.run" >>"$out"
    rm -rf "$home"
    if [ "$rc" -eq 124 ]; then
        echo "the $name run timed out after $limit s: killed" >>"$out"
        echo "0 1 0 1" >"$out.result"
        return
    fi
    line=$(grep '^NETOPT-RESULT ' "$out.run" | tail -n 1)
    if [ -z "$line" ]; then
        echo "the $name run ended without a result (exit $rc)" >>"$out"
        echo "0 1 0 1" >"$out.result"
        return
    fi
    set -- $line
    st=0
    [ "$rc" -ne 0 ] && st=1
    echo "$2 $3 $4 $st" >"$out.result"
}

# The runs, NETOPT_TEST_JOBS (default 1) at a time: each writes its own
# output, shown whole and in order once its group has ended.
jobs=${NETOPT_TEST_JOBS:-1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
runs=0
for emacs in $EMACSEN; do
    for mode in $modes; do
        runs=$((runs + 1))
        echo "$emacs $mode" >"$work/$runs.spec"
    done
done
i=1
while [ "$i" -le "$runs" ]; do
    group=$i
    while [ "$i" -le "$runs" ] && [ "$i" -lt $((group + jobs)) ]; do
        read -r emacs mode <"$work/$i.spec"
        one "$emacs" "$mode" "$work/$i" "$@" &
        i=$((i + 1))
    done
    wait
    n=$group
    while [ "$n" -lt "$i" ]; do
        cat "$work/$n"
        read -r p f k st <"$work/$n.result" || { p=0 f=1 k=0 st=1; }
        passed=$((passed + p)); failed=$((failed + f))
        skipped=$((skipped + k))
        [ "$st" -ne 0 ] && status=1
        n=$((n + 1))
    done
done
[ "$failed" -ne 0 ] && status=1
if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
exit $status
