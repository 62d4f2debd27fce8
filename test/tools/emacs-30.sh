#!/bin/sh
# emacs-30.sh --- Emacs 30.1 beside the system's Emacs, for the tests.
#
#   sh test/tools/emacs-30.sh [DIR]      (default: test/emacsen/30.1)
#
# Debian 12 ships Emacs 28.2; its backports carry Emacs 30.1 built for
# Debian 12.  This script fetches emacs-nox, emacs-bin-common and
# emacs-common from bookworm-backports through a private apt
# configuration (the machine's sources, lists and cache are left as
# they are), unpacks them into DIR/root with dpkg -x (nothing is
# installed system-wide but libtree-sitter0, a library Emacs 30 links
# with), and writes DIR/emacs, a wrapper that runs that Emacs with its
# own Lisp, data and doc directories.  `make test' runs every suite on
# each wrapper found under test/emacsen/ as well as on $(EMACS).
#
# Nothing is done when DIR/emacs already runs.  Needs root (apt-get)
# unless libtree-sitter0 is installed; Debian or Ubuntu only.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$top/test/emacsen/30.1}
version=30.1
release=bookworm-backports

if [ -x "$dir/emacs" ] && "$dir/emacs" -Q --batch --eval \
       "(kill-emacs (if (string-prefix-p \"$version\" emacs-version) 0 1))" \
       >/dev/null 2>&1; then
    echo "emacs-30: $dir/emacs is Emacs $version"
    exit 0
fi
command -v apt-get >/dev/null || { echo "emacs-30: needs apt-get" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/sources" "$work/lists/partial" "$work/cache/archives/partial" \
    "$work/debs"
cat >"$work/sources/backports.sources" <<EOF
Types: deb
URIs: http://deb.debian.org/debian
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
