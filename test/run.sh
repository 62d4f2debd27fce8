#!/bin/sh
# Run the ERT suites given as arguments twice: in a plain batch Emacs and
# under -module-assertions.  The last line is "N passed, M failed" (with
# ", K skipped" when tests were skipped); the exit status is non-zero
# when a test failed or a run did not report.
set -u
EMACS=${EMACS:-emacs}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
passed=0 failed=0 skipped=0 status=0
for mode in plain module-assertions; do
    flags=
    [ "$mode" = module-assertions ] && flags=-module-assertions
    echo "== ERT ($mode) =="
    $EMACS -Q --batch $flags -L lisp -L test -l test/runner.el "$@" \
        >"$log" 2>&1
    rc=$?
    cat "$log"
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
