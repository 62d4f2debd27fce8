#!/bin/sh
# emacs-own-tests.sh --- Emacs's own network test files under netopt-mode.
#
#   sh test/tools/emacs-own-tests.sh          (make emacs-own-tests)
#
# For each Emacs of EMACSEN (default: emacs, then every Emacs unpacked
# under test/emacsen/ by make emacs-30), this script runs the files of
# NETOPT_OWN_FILES (default test/lisp/net/network-stream-tests.el and
# test/src/process-tests.el) of the Emacs sources of that very version,
# in batch as Emacs's own test/Makefile runs them (from the source's
# test/ directory, -L :., HOME=/nonexistent, LANG=C,
# EMACS_TEST_DIRECTORY, --module-assertions, its default selector),
# NETOPT_OWN_RUNS times (default 1) each way: without netopt, then
# under netopt-mode with the rule NETOPT_OWN_RULE (default
# ((t :keepalive t :keepidle 33))).  test/tools/emacs-own-tests.el
# watches each run (see its commentary): the netopt warnings, each
# network process made and whether its TCP socket, read from outside
# with test/tools/sockpeek, has the rule's options, netopt's calls
# seen by other advice, sockets left open, and each test's result.
# The summary names, per Emacs and file, every warning, every
# connection without its options (test, process, where it was seen,
# the call), every test whose result with the mode is none of those
# without it, and any run that did not finish within NETOPT_OWN_TIMEOUT
# seconds (default 600; test/tools/suite-limit kills it and all it
# started).  Exit status 1 when there is any of these.
#
# The sources are Debian's: `apt-get source emacs=VERSION' through a
# private apt configuration (the machine's own sources, lists and cache
# are left as they are) whose deb-src list is derived from the
# machine's deb entries for its release, plus that release's
# backports (Emacs 30.1 for Debian 12 is there).  Only the test/
# directory of each is kept, in NETOPT_OWN_CACHE/emacs-VERSION
# (default test/emacsen/src, which git ignores); they are Emacs's files,
# never the project's.  When the mirror serves the upstream tarball
# but not the Debian package's .dsc, the tarball's test/ is used, and
# the summary says so (Debian's patches then not applied).  The logs of
# each run are kept in NETOPT_OWN_OUT (default test/emacsen/own-runs/
# DATE).
#
# Needs: the module and test/tools built (the make target does it),
# apt-get (the first time), and gnutls-serv for the TLS tests (gnutls-bin;
# installed when missing and root, or those tests are skipped alike
# with and without the mode).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${NETOPT_OWN_CACHE:-$top/test/emacsen/src}
runs=${NETOPT_OWN_RUNS:-1}
limit=${NETOPT_OWN_TIMEOUT:-600}
files=${NETOPT_OWN_FILES:-test/lisp/net/network-stream-tests.el test/src/process-tests.el}
out=${NETOPT_OWN_OUT:-$top/test/emacsen/own-runs/$(date -u +%Y%m%dT%H%M%S)}
driver=$top/test/tools/emacs-own-tests.el
sockpeek=$top/test/tools/sockpeek
limiter=$top/test/tools/suite-limit
module=$top/module/netopt-core.so
if [ -z "${EMACSEN:-}" ]; then
    EMACSEN=${EMACS:-emacs}
    for e in "$top"/test/emacsen/*/emacs; do
        [ -x "$e" ] && EMACSEN="$EMACSEN $e"
    done
fi
for f in "$sockpeek" "$limiter" "$module"; do
    [ -e "$f" ] || { echo "emacs-own-tests: $f is not built (make emacs-own-tests builds it)" >&2; exit 2; }
done
mkdir -p "$out" "$cache"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The machine's deb entries for its release, as deb-src entries, with
# the release's backports added: deb822 on standard output.
derive_sources() {
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
    [ -n "$codename" ] || { echo "emacs-own-tests: no VERSION_CODENAME in /etc/os-release" >&2; return 1; }
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk -v rel="$codename" '
            function flush() {
                if (types ~ /(^| )deb( |$)/ && enabled != "no" && uris != "" &&
                    (" " suites " ") ~ (" " rel "[- ]")) {
                    if ((" " suites " ") ~ (" " rel " "))
                        suites = suites " " rel "-backports"
                    print "Types: deb-src"; print "URIs: " uris
                    print "Suites: " suites; print "Components: " comps
                    if (signed != "") print "Signed-By: " signed
                    print ""
                }
                types = uris = suites = comps = signed = enabled = ""
            }
            /^#/ { next }
            /^[ \t]*$/ { flush(); next }
            { key = tolower($1); sub(/^[^:]*:[ \t]*/, "") }
            key == "types:" { types = $0 }
            key == "uris:" { uris = $0 }
            key == "suites:" { suites = $0 }
            key == "components:" { comps = $0 }
            key == "signed-by:" { signed = $0 }
            key == "enabled:" { enabled = tolower($0) }
            END { flush() }' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk -v rel="$codename" '
            $1 != "deb" { next }
            {
                opts = ""; i = 2
                if ($2 ~ /^\[/) {
                    while (i <= NF && $i !~ /\]$/) { opts = opts " " $i; i++ }
                    opts = opts " " $i; i++
                    if (opts ~ /signed-by=/) {
                        signed = opts; sub(/.*signed-by=/, "", signed)
                        sub(/[] ].*/, "", signed)
                    } else signed = ""
                } else signed = ""
                uri = $i; suite = $(i + 1); comps = ""
                for (j = i + 2; j <= NF; j++) comps = comps (comps == "" ? "" : " ") $j
                if (suite != rel && index(suite, rel "-") != 1) next
                if (suite == rel) suite = suite " " rel "-backports"
                print "Types: deb-src"; print "URIs: " uri
                print "Suites: " suite; print "Components: " comps
                if (signed != "") print "Signed-By: " signed
                print ""
            }' "$f"
    done
}

apt_private() {
    apt-get -q -o Dir::Etc::SourceList=/dev/null \
        -o Dir::Etc::SourceParts="$work/apt/sources" \
        -o Dir::State::Lists="$work/apt/lists" -o Dir::Cache="$work/apt/cache" \
        -o APT::Sandbox::User=root "$@"
}

apt_ready=
apt_prepare() {
    [ -n "$apt_ready" ] && return 0
    command -v apt-get >/dev/null || { echo "emacs-own-tests: needs apt-get" >&2; return 1; }
    mkdir -p "$work/apt/sources" "$work/apt/lists/partial" \
        "$work/apt/cache/archives/partial"
    derive_sources >"$work/apt/sources/emacs-src.sources" || return 1
    [ -s "$work/apt/sources/emacs-src.sources" ] ||
        { echo "emacs-own-tests: no deb entry of this release among the machine's apt sources" >&2; return 1; }
    apt_private update >"$work/apt/update.log" 2>&1 ||
        { cat "$work/apt/update.log" >&2; return 1; }
    apt_ready=1
}

# fetch_source VERSION: Debian's emacs source of Emacs VERSION; its test/
# into $cache/emacs-VERSION.
fetch_source() {
    v=$1 dest=$cache/emacs-$1
    [ -f "$dest/SOURCE" ] && return 0
    apt_prepare || return 1
    installed=$(dpkg-query -W -f='${source:Version}' emacs-bin-common 2>/dev/null || true)
    debver=$(apt-cache -o Dir::Etc::SourceList=/dev/null \
            -o Dir::Etc::SourceParts="$work/apt/sources" \
            -o Dir::State::Lists="$work/apt/lists" \
            -o Dir::Cache="$work/apt/cache" showsrc emacs 2>/dev/null |
        sed -n 's/^Version: //p' | grep -F "1:$v+" | sort -uV | tail -n 1)
    case $installed in "1:$v+"*) debver=$installed ;; esac
    [ -n "$debver" ] || { echo "emacs-own-tests: no emacs source of $v in the derived deb-src list" >&2; return 1; }
    dl=$work/dl-$v
    mkdir -p "$dl"
    echo "emacs-own-tests: apt-get source emacs=$debver"
    if (cd "$dl" && apt_private source "emacs=$debver" >"$dl.log" 2>&1); then
        tree=$(find "$dl" -mindepth 1 -maxdepth 1 -type d | head -n 1)
        note="Debian source package emacs $debver (apt-get source)"
    else
        orig=$(ls "$dl"/emacs_*.orig.tar.* 2>/dev/null | head -n 1)
        if [ -z "$orig" ]; then
            cat "$dl.log" >&2
            return 1
        fi
        grep '^E:' "$dl.log" >&2
        echo "emacs-own-tests: using the upstream tarball of emacs $debver alone (Debian's patches not applied)" >&2
        (cd "$dl" && tar xf "$orig" --wildcards '*/test/*') || return 1
        tree=$(find "$dl" -mindepth 1 -maxdepth 1 -type d | head -n 1)
        note="upstream tarball $(basename "$orig") of Debian's emacs $debver (apt-get source; the mirror had no .dsc: Debian's patches not applied)"
    fi
    [ -f "$tree/test/src/process-tests.el" ] ||
        { echo "emacs-own-tests: $tree has no test/src/process-tests.el" >&2; return 1; }
    rm -rf "$dest.tmp" && mkdir -p "$dest.tmp" &&
        mv "$tree/test" "$dest.tmp/test" &&
        echo "$note" >"$dest.tmp/SOURCE" &&
        rm -rf "$dest" && mv "$dest.tmp" "$dest" || return 1
    rm -rf "$dl"
}

if ! command -v gnutls-serv >/dev/null; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
            --no-install-recommends gnutls-bin >/dev/null 2>&1 ||
            echo "emacs-own-tests: gnutls-bin not installed: the TLS tests are skipped" >&2
    else
        echo "emacs-own-tests: no gnutls-serv: the TLS tests are skipped" >&2
    fi
fi

# run_one EMACS SRC FILE MODE LOG: one run of FILE, the log of events
# in LOG, ERT's output in LOG.out.
run_one() {
    rm -f "$5"
    (cd "$2/test" && env -u EMACSLOADPATH -u EMACSDATA -u EMACSDOC \
        -u EMACSPATH -u GREP_OPTIONS -u XDG_CONFIG_HOME \
        HOME=/nonexistent LANG=C EMACS_TEST_DIRECTORY="$2/test" \
        NETOPT_OWN_MODE="$4" NETOPT_OWN_LOG="$5" \
        NETOPT_OWN_SOCKPEEK="$sockpeek" NETOPT_OWN_LISP="$lispdir" \
        NETOPT_MODULE_FILE="$module" \
        "$limiter" "$limit" $1 --no-init-file --no-site-file --no-site-lisp \
        --module-assertions -L :. --batch -l ert -l "$driver" \
        -f netopt-own-setup -l "${3#test/}" \
        --eval "(netopt-own-run '$selector)" </dev/null >"$5.out" 2>&1)
    rc=$?
    [ "$rc" -eq 124 ] && echo "(nil timeout $limit)" >>"$5"
    grep -n netopt "$5.out" | grep -v -e netopt-own -e emacs-own-tests >"$5.stderr-netopt" || true
    return 0
}

status=0
summary=$out/summary.txt
: >"$summary"
for emacs in $EMACSEN; do
    # Each run starts in the sources' test/ directory.
    case $emacs in /*) ;; */*) emacs=$PWD/$emacs ;; esac
    version=$($emacs -Q --batch --eval '(princ emacs-version)' 2>/dev/null) ||
        { echo "emacs-own-tests: $emacs does not run" >&2; status=1; continue; }
    if ! fetch_source "$version"; then
        echo "emacs-own-tests: no sources of Emacs $version" >&2
        status=1
        continue
    fi
    src=$cache/emacs-$version
    # netopt's Lisp, byte-compiled by this Emacs.
    lispdir=$work/lisp-$version
    mkdir -p "$lispdir" && cp "$top"/lisp/*.el "$lispdir/"
    env HOME="$work" NETOPT_MODULE_FILE="$module" $emacs -Q --batch \
        -L "$lispdir" -f batch-byte-compile "$lispdir"/*.el \
        >"$out/compile-$version.log" 2>&1 ||
        { cat "$out/compile-$version.log"; status=1; continue; }
    case $version in
        2[5-8].*) selector='(not (or (tag :expensive-test) (tag :unstable)))' ;;
        *) selector='(not (or (tag :expensive-test) (tag :unstable) (tag :nativecomp)))' ;;
    esac
    {
        echo "== Emacs $version ($emacs)"
        echo "   sources: $(cat "$src/SOURCE")"
        command -v gnutls-serv >/dev/null || echo "   no gnutls-serv: TLS tests skipped"
    } | tee -a "$summary"
    for file in $files; do
        [ -f "$src/$file" ] || { echo "   $file: not in the sources" | tee -a "$summary"; continue; }
        base=$(basename "$file" .el)
        offs= ons=
        i=1
        while [ "$i" -le "$runs" ]; do
            for mode in off on; do
                log=$out/$version-$base-$mode-$i.log
                echo "   running $file, mode $mode, run $i/$runs" >&2
                run_one "$emacs" "$src" "$file" "$mode" "$log"
                if [ "$mode" = off ]; then offs="$offs $log"; else ons="$ons $log"; fi
            done
            i=$((i + 1))
        done
        echo " $file:" | tee -a "$summary"
        $emacs -Q --batch -l "$driver" -f netopt-own-summary \
            "$version $base" $offs -- $ons 2>&1 | tee -a "$summary.tmp"
        if grep -q '^    ' "$summary.tmp"; then status=1; fi
        cat "$summary.tmp" >>"$summary" && rm -f "$summary.tmp"
        for l in $ons; do
            if [ -s "$l.stderr-netopt" ]; then
                echo "    output naming netopt in $(basename "$l").out:" | tee -a "$summary"
                sed 's/^/      /' "$l.stderr-netopt" | head -n 20 | tee -a "$summary"
            fi
        done
    done
done
echo "emacs-own-tests: logs in $out; summary in $summary"
exit $status
