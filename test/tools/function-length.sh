#!/bin/sh
# function-length.sh --- no C function over MAX lines (default 80).
#
#   sh test/tools/function-length.sh [-m MAX] SOURCE...
#
# Lengths come from universal-ctags (its end: field), counted from the
# line of the name to the closing brace, the return type's line
# included.  Without ctags the check is skipped with a notice.  make
# lint runs this.
set -eu
max=80
if [ "${1:-}" = -m ]; then max=$2; shift 2; fi
if ! command -v ctags >/dev/null; then
    echo "lint: ctags not installed, function lengths unchecked"
    exit 0
fi
long=$(ctags --fields=+ne --c-kinds=f -o - "$@" |
    awk -F'\t' -v max="$max" '{
        for (i = 4; i <= NF; i++) {
            if ($i ~ /^line:/) l = substr($i, 6)
            if ($i ~ /^end:/) e = substr($i, 5)
        }
        if (e - l + 2 > max) print "  " $2 ": " $1 " (" e - l + 2 " lines)"
    }')
if [ -n "$long" ]; then
    echo "lint: functions over $max lines:"
    echo "$long"
    exit 1
fi
echo "lint: no C function is over $max lines"
