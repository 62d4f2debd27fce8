#!/bin/sh
# Run the ERT suites given as arguments twice: in a plain batch Emacs and
# under -module-assertions.  The last line is "N passed, M failed" (with
# ", K skipped" when tests were skipped); the exit status is non-zero
# when a test failed or a run did not report.
#
# Each run has a hard time limit, NETOPT_SUITE_TIMEOUT seconds (default
# 300): a hung run is killed, with its whole process group, and counted
# as a failure that names it, so that a hang can never stall CI.
set -u
EMACS=${EMACS:-emacs}
limit=${NETOPT_SUITE_TIMEOUT:-300}
run_limited() {
    if command -v timeout >/dev/null; then
        timeout --kill-after=30 "$limit" "$@"
    else
        "$@"
    fi
}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
passed=0 failed=0 skipped=0 status=0
for mode in plain module-assertions; do
    flags=
    [ "$mode" = module-assertions ] && flags=-module-assertions
    echo "== ERT ($mode) =="
    run_limited $EMACS -Q --batch $flags -L lisp -L test -l test/runner.el \
        "$@" </dev/null >"$log" 2>&1
    rc=$?
    cat "$log"
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        echo "the $mode run timed out after $limit s (exit $rc): killed"
        failed=$((failed + 1))
        status=1
        continue
    fi
    line=$(grep '^NETOPT-RESULT ' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        echo "the $mode run ended without a result (exit $rc)"
        failed=$((failed + 1))
        status=1
        continue
    fi
    set -- $line "$@"
    passed=$((passed + $2)); failed=$((failed + $3)); skipped=$((skipped + $4))
    shift 4
    [ "$rc" -ne 0 ] && status=1
done
[ "$failed" -ne 0 ] && status=1
if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
exit $status
