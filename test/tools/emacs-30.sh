#!/bin/sh
# emacs-30.sh --- Emacs 30.1 beside the system's Emacs, for the tests.
#
#   sh test/tools/emacs-30.sh [DIR]      (default: test/emacsen/30.1)
#   sh test/tools/emacs-30.sh --mirror   print the mirror it would use
#
# Debian 12 ships Emacs 28.2; its backports carry Emacs 30.1 built for
# Debian 12.  This script fetches emacs-nox, emacs-bin-common and
# emacs-common from bookworm-backports through a private apt
# configuration (the machine's sources, lists and cache are left as
# they are; the mirror is the one the machine's sources name for
# bookworm, so this file names no host), unpacks them into DIR/root
# with dpkg -x (nothing is installed system-wide but libtree-sitter0, a
# library Emacs 30 links with), and writes DIR/emacs, a wrapper that runs that Emacs with its
# own Lisp, data and doc directories.  `make test' runs every suite on
# each wrapper found under test/emacsen/ as well as on $(EMACS).
#
# Nothing is done when DIR/emacs already runs.  Needs root (apt-get)
# unless libtree-sitter0 is installed; Debian or Ubuntu only.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$top/test/emacsen/30.1}
[ "$dir" = --mirror ] && dir=$top/test/emacsen/30.1
version=30.1
suite=bookworm
release=$suite-backports

# The mirror is the machine's own: the first deb source of $suite, from
# /etc/apt/sources.list.d/*.sources (deb822) or /etc/apt/sources.list
# (NETOPT_APT_ETC replaces /etc/apt, for the test).
etc=${NETOPT_APT_ETC:-/etc/apt}
machine_mirror() {
    for f in "$etc"/sources.list.d/*.sources; do
        if [ -r "$f" ]; then cat "$f"; echo; fi
    done | awk -v suite="$suite" '
        /^[ \t]*#/ { next }
        /^[ \t]*$/ { if (deb && has && uri != "") { print uri; exit }
                      deb = 0; has = 0; uri = ""; next }
        tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
        tolower($1) == "uris:" { uri = $2 }
        tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == suite) has = 1 }
        END { if (deb && has && uri != "") print uri }' | head -n 1 | grep . ||
    { [ -r "$etc/sources.list" ] &&
        sed 's/\[[^]]*\]//' "$etc/sources.list" | awk -v suite="$suite" '
            $1 == "deb" && $3 == suite { print $2; exit }' | grep .; }
}
if [ "${1:-}" = --mirror ]; then machine_mirror; exit; fi

if [ -x "$dir/emacs" ] && "$dir/emacs" -Q --batch --eval \
       "(kill-emacs (if (string-prefix-p \"$version\" emacs-version) 0 1))" \
       >/dev/null 2>&1; then
    echo "emacs-30: $dir/emacs is Emacs $version"
    exit 0
fi
command -v apt-get >/dev/null || { echo "emacs-30: needs apt-get" >&2; exit 1; }
mirror=$(machine_mirror) || {
    echo "emacs-30: no deb source of $suite in the apt configuration" >&2
    exit 1
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/sources" "$work/lists/partial" "$work/cache/archives/partial" \
    "$work/debs"
echo "emacs-30: $release from $mirror"
cat >"$work/sources/backports.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $release
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
apt_private() {
    apt-get -q -o Dir::Etc::SourceList=/dev/null \
        -o Dir::Etc::SourceParts="$work/sources" \
        -o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache" \
        -o APT::Sandbox::User=root "$@"
}
apt_private update
(cd "$work/debs" && apt_private download \
    emacs-nox/$release emacs-bin-common/$release emacs-common/$release)

if ! ldconfig -p | grep -q 'libtree-sitter\.so\.0 '; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libtree-sitter0
fi

rm -rf "$dir"
mkdir -p "$dir/root"
for deb in "$work"/debs/*.deb; do
    dpkg -x "$deb" "$dir/root"
done
root=$(cd "$dir/root" && pwd)
# The dump file is looked for next to the binary: there every Emacs
# started from `invocation-directory' (native compilation, the tests'
# child Emacsen) finds it too.
pdmp=$(cd "$root/usr/libexec/emacs/$version" && ls ./*/emacs-*.pdmp | head -n 1)
ln -s "../libexec/emacs/$version/${pdmp#./}" "$root/usr/bin/emacs-nox.pdmp"
arch=$(dirname "${pdmp#./}")
cat >"$dir/emacs" <<EOF
#!/bin/sh
# Emacs $version from Debian 12's backports, unpacked by test/tools/emacs-30.sh.
share=$root/usr/share/emacs/$version
export EMACSLOADPATH=\$share/lisp
export EMACSDATA=\$share/etc
export EMACSDOC=\$share/etc
export EMACSPATH=$root/usr/libexec/emacs/$version/$arch
exec $root/usr/bin/emacs-nox "\$@"
EOF
chmod 755 "$dir/emacs"
chmod -R a+rX "$dir"
"$dir/emacs" -Q --batch --eval '(princ (format "emacs-30: %s, native compilation: %s\n" emacs-version (and (fboundp (quote native-comp-available-p)) (native-comp-available-p))))'
