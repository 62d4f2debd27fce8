#!/bin/sh
# Run test suites under valgrind memcheck and fail only on errors whose
# stack passes through the module (Emacs's own conservative GC stack scan
# makes valgrind report errors in Emacs that are not ours).
# Usage: test/valgrind-check.sh EMACS FILE...
set -u
EMACS=$1
shift
log=$(mktemp)
# A throwaway HOME, as every test run has (test/run.sh); suite-limit
# keeps the time limit and kills whatever the suites leave running.
home=$(mktemp -d)
chmod 755 "$home"
trap 'rm -rf "$log" "$home"' EXIT
HOME=$home test/tools/suite-limit "${NETOPT_SUITE_TIMEOUT:-600}" \
    valgrind --tool=memcheck --error-limit=no --num-callers=30 \
    --log-file="$log" \
    $EMACS -Q --batch -L lisp -L test -l test/runner.el "$@"
rc=$?
# An error block starts with "==PID== <description>" after a blank
# "==PID== " line; keep the blocks that mention netopt-core.
ours=$(awk '
    /^==[0-9]+== $/ { if (block ~ /netopt-core/) print block; block = ""; next }
    { block = block "\n" $0 }
    END { if (block ~ /netopt-core/) print block }' "$log" |
    grep -c "netopt-core" || true)
grep -E "ERROR SUMMARY|definitely lost" "$log"
if [ "$ours" -gt 0 ]; then
    echo "valgrind: errors in the module:"
    awk '/^==[0-9]+== $/ { if (block ~ /netopt-core/) print block; block = ""; next }
         { block = block "\n" $0 }' "$log" | head -80
    exit 1
fi
echo "valgrind: no error attributed to the module (suites exit $rc)"
exit $rc
