#!/bin/sh
# info-dir.sh --- an Info dir file listing one manual, from its @direntry.
#
#   sh test/tools/info-dir.sh doc/netopt.texi > dir
#
# The dir file package.el looks for in a package's directory: with it
# the package's directory goes on Info-directory-list, and C-h i lists
# the manual under its @dircategory.  Written here rather than by
# install-info, which not every machine has.
set -eu
texi=$1
category=$(sed -n 's/^@dircategory[ \t]*//p' "$texi" | head -n 1)
entry=$(sed -n '/^@direntry/,/^@end direntry/{/^@/d;p}' "$texi")
[ -n "$category" ] && [ -n "$entry" ] ||
    { echo "info-dir: no @dircategory or @direntry in $texi" >&2; exit 1; }
printf 'This is the file .../info/dir, which contains the\n'
printf 'topmost node of the Info hierarchy, called (dir)Top.\n\n'
printf '\037\nFile: dir,\tNode: Top\tThis is the top of the INFO tree\n\n'
printf '* Menu:\n\n%s\n%s\n' "$category" "$entry"
