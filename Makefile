# netopt-module --- build, test, demo.  make help prints this list.
#
#   make             build the module (module/netopt-core.so) and the
#                    Info manual (doc/netopt.info, when makeinfo is there)
#   make deps        install emacs-nox, gcc, make if missing (Debian; sudo
#                    only when not root): test/tools/deps.sh
#   make info        the Info manual alone: doc/netopt.org exported to
#                    doc/netopt.texi by Emacs, then makeinfo (Debian's texinfo)
#   make demo        make sockets, set options, print what the kernel holds
#   make test        build, run every ERT suite on each Emacs of EMACSEN,
#                    twice: Lisp byte-compiled, and natively compiled under
#                    -module-assertions, each in a throwaway HOME
#                    (test/run.sh); last line: N passed, M failed.
#                    TEST_FILES="test/x-test.el ..." runs only those.
#                    No lint: run make lint for that (.ci/run does)
#   make emacs-30    unpack Emacs 30.1 from Debian 12's backports into
#                    test/emacsen/30.1 (test/tools/emacs-30.sh); from then
#                    on make test runs on it too
#   make emacs-own-tests  Emacs's own network test files
#                    (test/lisp/net/network-stream-tests.el,
#                    test/src/process-tests.el of Debian's emacs source
#                    for each Emacs of EMACSEN, fetched once with
#                    apt-get source into test/emacsen/src), each run
#                    without netopt and under netopt-mode with a rule for
#                    every connection; names every netopt warning, every
#                    TCP socket without the rule's options (read with
#                    sockpeek) and every test whose result the mode
#                    changes (test/tools/emacs-own-tests.sh;
#                    NETOPT_OWN_RUNS=3 for three runs each way)
#   make lint        cppcheck, clang-format (.clang-format, GNU style),
#                    no C function over 80 lines (test/tools/function-length.sh),
#                    byte-compile warnings, checkdoc, package-lint
#   make bench       costs against Emacs and the system call, Lisp layer
#                    byte-compiled and natively compiled side by side;
#                    the table goes to test/bench-results.org
#   make option-table  regenerate the option and API references of the
#                    manual (doc/netopt.org) from the module's table
#   make check-headers  build against the emacs-module.h of Emacs 25 to 30
#                    (test/emacs-module-headers), load each build, use it
#                    (test/tools/check-headers.sh)
#   make check-musl  build with musl-gcc (musl-tools), also with every
#                    compat.h fallback forced, warnings as errors
#                    (test/tools/check-musl.sh)
#   make check-fallbacks  every suite against a build with every compat.h
#                    fallback forced (-DNETOPT_COMPAT_FALLBACKS)
#   make check-sanitize  every suite that runs in the test Emacs itself
#                    (SANITIZE_FILES) against the module built with
#                    AddressSanitizer and UndefinedBehaviorSanitizer
#   make check-valgrind  the suites of VALGRIND_FILES under valgrind
#                    memcheck (test/valgrind-check.sh)
#   make install     the Lisp files and the module into
#                    PREFIX/share/emacs/site-lisp/netopt-module
#                    (PREFIX=/usr/local), the manual into PREFIX/share/info
#   make dist        netopt-module-VERSION.tar for package-install-file:
#                    Lisp, C sources, Makefile, the manual and its dir entry
#   make help        this list
#   make clean       remove everything built
#
# EMACS and CC can be overridden: make test EMACS=/opt/emacs/bin/emacs
# runs the suites on that Emacs alone; EMACSEN lists the Emacsen of make
# test (default: EMACS, then every Emacs unpacked under test/emacsen/).

EMACS ?= emacs
EMACSEN ?= $(EMACS) $(if $(filter command line environment,$(origin EMACS)),,$(wildcard test/emacsen/*/emacs))
CC ?= cc
CFLAGS ?= -O2 -g
# One version for the Lisp layer and the module: the Version: header.
MAIN_EL := $(firstword $(wildcard lisp/netopt-module.el netopt-module.el))
VERSION := $(shell sed -n 's/^;; Version: //p' $(MAIN_EL))
NETOPT_FLAGS := -std=c11 -D_GNU_SOURCE -fPIC -fvisibility=hidden -pthread \
	-Wall -Wextra -Werror
NETOPT_CFLAGS := $(NETOPT_FLAGS) -DNETOPT_MODULE_VERSION='"$(VERSION)"'
LDFLAGS ?=

MODULE_SRCS := $(wildcard module/*/*.c)
MODULE_HDRS := $(wildcard module/*/*.h)
MODULE := module/netopt-core.so
LISP_SRCS := $(wildcard lisp/*.el)
LISP_ELC := $(LISP_SRCS:.el=.elc)
TEST_TOOLS := test/tools/sockpeek test/tools/floor test/tools/pristine \
	test/tools/suite-limit
TEST_FILES := $(sort $(wildcard test/*-test.el))

BATCH := $(EMACS) -Q --batch --eval "(setq load-prefer-newer t)" -L lisp -L test
MAKEINFO ?= makeinfo
INFO := doc/netopt.info

.PHONY: all deps emacs-30 emacs-own-tests test demo clean lint bench option-table install dist check-sanitize check-valgrind check-headers check-musl check-fallbacks info help

# The manual is built where its source is (a checkout, not the installed
# package, which ships netopt.info built) and makeinfo is installed.  A
# manual that cannot be built is reported, and never fails the module's
# build (which netopt-module-build runs from inside Emacs): make info
# says why.
all: $(MODULE) $(if $(wildcard doc/netopt.org),info-if-makeinfo)

help:
	@sed -n '2,/^$$/s/^# \{0,1\}//p' Makefile

info: $(INFO)

# The manual is Org (doc/netopt.org), exported to Texinfo by Emacs's own
# ox-texinfo, then made into Info by makeinfo.
doc/netopt.texi: doc/netopt.org test/tools/export-manual.el
	$(EMACS) -Q --batch -l test/tools/export-manual.el doc/netopt.org

$(INFO): doc/netopt.texi
	$(MAKEINFO) --no-split -o $@ $<

.PHONY: info-if-makeinfo
info-if-makeinfo:
	@if ! command -v $(MAKEINFO) >/dev/null; then \
		echo "doc: $(MAKEINFO) not found (Debian: apt-get install texinfo), $(INFO) not built"; \
	elif ! $(MAKE) --no-print-directory info; then \
		echo "doc: $(INFO) not built; make info says why"; fi

# Build to a new file and rename it: a loaded .so is never overwritten in
# place.
$(MODULE): $(MODULE_SRCS) $(MODULE_HDRS) $(MAIN_EL)
	$(CC) $(NETOPT_CFLAGS) $(CFLAGS) -shared -o $@.tmp.$$$$ \
		$(MODULE_SRCS) $(LDFLAGS) && mv -f $@.tmp.$$$$ $@

test/tools/%: test/tools/%.c
	$(CC) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror $(CFLAGS) -o $@ $<

lisp/%.elc: lisp/%.el $(MODULE)
	$(BATCH) --eval '(setq byte-compile-error-on-warn t)' \
		-f batch-byte-compile $<

test: $(MODULE) $(LISP_ELC) $(TEST_TOOLS)
	@EMACSEN='$(EMACSEN)' sh test/run.sh $(TEST_FILES)

emacs-30:
	@sh test/tools/emacs-30.sh

# Emacs's files stay out of the repository: fetched into test/emacsen/src.
emacs-own-tests: $(MODULE) test/tools/sockpeek test/tools/suite-limit
	@EMACSEN='$(EMACSEN)' sh test/tools/emacs-own-tests.sh

# Static checks: cppcheck on module/ (when installed), its formatting
# against .clang-format (GNU style, as Emacs's C), byte-compilation of
# lisp/ with warnings as errors, checkdoc on every Lisp file, package-lint.
# Not part of make test; .ci/run runs it before make test.
lint: $(MODULE)
	@if command -v cppcheck >/dev/null; then \
		cppcheck --quiet --error-exitcode=1 --std=c11 \
			--enable=warning,performance,portability \
			--inline-suppr -D__linux__ -DEMACS_MAJOR_VERSION=28 \
			'-DNETOPT_MODULE_VERSION="$(VERSION)"' \
			--suppress=missingIncludeSystem module; \
	else echo "lint: cppcheck not installed, C checks skipped"; fi
	@if command -v clang-format >/dev/null; then \
		clang-format --dry-run --Werror $(MODULE_SRCS) $(MODULE_HDRS) \
		&& echo "lint: module/ follows .clang-format"; \
	else echo "lint: clang-format not installed, formatting unchecked"; fi
	@sh test/tools/function-length.sh -m 80 $(MODULE_SRCS)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(BATCH) --eval '(setq byte-compile-error-on-warn t)' \
		--eval "(setq byte-compile-dest-file-function (lambda (f) (expand-file-name (concat (file-name-nondirectory f) \"c\") \"$$tmp\")))" \
		-f batch-byte-compile $(LISP_SRCS)
	@$(BATCH) -l test/run-checkdoc.el $(LISP_SRCS) $(wildcard test/*.el)
	@EMACS='$(EMACS)' sh test/package-lint.sh $(LISP_SRCS)

# The module built with AddressSanitizer and UndefinedBehaviorSanitizer,
# every suite run against it (on $(EMACS)).  Emacs itself is not
# instrumented, so the runtime is preloaded and leak checking (of Emacs)
# is off; the preload goes to the test Emacs alone (NETOPT_TEST_PRELOAD),
# never to the Emacsen that it or its tests start.  Stack
# redzones are off in the module: Emacs 28's garbage collector copies up
# to 16,000 bytes of the C stack (MAX_SAVE_STACK), and that copy would
# read the module's redzones whenever a collection runs under a module
# call.  Heap, global and memcpy checks stay on.  A failed allocation
# returns NULL, as without the sanitizer, so the out-of-memory paths
# run as they would for a user (allocator_may_return_null).
SANITIZED := module/netopt-core-sanitize.so
$(SANITIZED): $(MODULE_SRCS) $(MODULE_HDRS)
	$(CC) $(NETOPT_CFLAGS) -O1 -g -fno-omit-frame-pointer \
		-fsanitize=address,undefined -fno-sanitize-recover=undefined \
		--param asan-stack=0 \
		-shared -o $@.tmp.$$$$ $(MODULE_SRCS) && mv -f $@.tmp.$$$$ $@

# Suites whose tests run in child Emacsen (all but one small test),
# which never get the sanitizer: under it they would check nothing more.
SANITIZE_FILES := $(filter-out $(addprefix test/,sleep-test.el \
	pending-test.el process-socket-test.el examples-test.el),\
	$(TEST_FILES))

check-sanitize: $(SANITIZED) $(LISP_ELC) $(TEST_TOOLS)
	NETOPT_MODULE_FILE=$(CURDIR)/$(SANITIZED) \
	NETOPT_TEST_PRELOAD="LD_PRELOAD=$$($(CC) -print-file-name=libasan.so):$$($(CC) -print-file-name=libubsan.so) \
	ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0:abort_on_error=1:allocator_may_return_null=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1" \
	EMACSEN='$(EMACS)' sh test/run.sh $(SANITIZE_FILES)

# The suites under valgrind memcheck; only errors whose stack passes
# through the module count.
VALGRIND_FILES ?= test/options-test.el test/sockets-create-test.el test/sockets-io-test.el test/process-test.el
check-valgrind: $(MODULE) $(LISP_ELC) $(TEST_TOOLS)
	sh test/valgrind-check.sh '$(EMACS)' $(VALGRIND_FILES)

# The module built against the emacs-module.h of every release it
# supports, Emacs 25 to 30, with warnings as errors; each build is then
# loaded into $(EMACS) (test/header-smoke.el), where it must work through
# the env->size checks.  -Wundef: 25 and 26 do not define
# EMACS_MAJOR_VERSION, so a guard must test `defined' first.  27.1, 28.2 and 30.1's headers are vendored
# (test/emacs-module-headers/README); 25, 26 and 29's are derived from
# them by derive.sh.  The compiler must pick the header under test:
# its `emacs_env' typedef is checked first.
HEADER_DIR := test/emacs-module-headers
check-headers: $(LISP_ELC)
	@CC='$(CC)' CFLAGS='$(NETOPT_FLAGS) $(CFLAGS)' VERSION='$(VERSION)' EMACS='$(EMACS)' \
		sh test/tools/check-headers.sh $(MODULE_SRCS)

# The module built with musl (musl-gcc, Debian's musl-tools), warnings
# as errors, twice: as it is, and with every compat.h fallback taken
# (-DNETOPT_COMPAT_FALLBACKS), so the non-Linux paths keep compiling.
# musl-gcc does not search /usr/include: the vendored Emacs 28 header is
# given with -I.  Only built, not loaded: Emacs here is linked with glibc.
MUSL_CC ?= musl-gcc
check-musl:
	@MUSL_CC='$(MUSL_CC)' CFLAGS='$(NETOPT_FLAGS) $(CFLAGS)' VERSION='$(VERSION)' \
		sh test/tools/check-musl.sh $(MODULE_SRCS)

# Every suite run against a build that takes every compat.h fallback
# (accept + fcntl, getsockname's family, struct ip_mreq, FIONREAD,
# SIGPIPE blocked around send): the paths of other Unix systems, run
# here.  Not in CI (another 1.5 minutes).
FALLBACKS := module/netopt-core-fallbacks.so
$(FALLBACKS): $(MODULE_SRCS) $(MODULE_HDRS)
	$(CC) $(NETOPT_CFLAGS) $(CFLAGS) -DNETOPT_COMPAT_FALLBACKS \
		-shared -o $@.tmp.$$$$ $(MODULE_SRCS) && mv -f $@.tmp.$$$$ $@

check-fallbacks: $(FALLBACKS) $(LISP_ELC) $(TEST_TOOLS)
	NETOPT_MODULE_FILE=$(CURDIR)/$(FALLBACKS) \
	EMACSEN='$(EMACS)' sh test/run.sh $(TEST_FILES)

# make install PREFIX=DIR: the Lisp files and the module in
# DIR/share/emacs/site-lisp/netopt-module (add it to load-path), the
# manual in DIR/share/info (with its dir entry where install-info is).
PREFIX ?= /usr/local
LISPDIR ?= $(PREFIX)/share/emacs/site-lisp/netopt-module
INFODIR ?= $(PREFIX)/share/info
install: $(MODULE) $(LISP_ELC)
	install -d $(DESTDIR)$(LISPDIR)
	install -m 644 $(LISP_SRCS) $(LISP_ELC) $(DESTDIR)$(LISPDIR)
	install -m 755 $(MODULE) $(DESTDIR)$(LISPDIR)/netopt-core.so.tmp
	mv -f $(DESTDIR)$(LISPDIR)/netopt-core.so.tmp $(DESTDIR)$(LISPDIR)/netopt-core.so
	@if [ -f $(INFO) ]; then \
		install -d $(DESTDIR)$(INFODIR) && \
		install -m 644 $(INFO) $(DESTDIR)$(INFODIR) && \
		if command -v install-info >/dev/null; then \
			install-info --info-dir=$(DESTDIR)$(INFODIR) $(DESTDIR)$(INFODIR)/netopt.info; fi; \
	fi

# make dist: netopt-module-VERSION.tar for package-install-file.  The
# package holds the Lisp files, the C sources, this Makefile, the Info
# manual and a dir file listing it: package.el puts a package directory
# that has a dir file on Info-directory-list, so C-h i finds the manual.
# The module is built when the package is first loaded.  The -pkg.el
# file is only read, never loaded: it is not byte-compiled (as ELPA's).
DIST := netopt-module-$(VERSION)
dist: $(INFO)
	rm -rf $(DIST) $(DIST).tar
	mkdir -p $(DIST)/module
	cp $(LISP_SRCS) Makefile $(INFO) $(DIST)/
	sh test/tools/info-dir.sh doc/netopt.texi > $(DIST)/dir
	cp -r $(sort $(dir $(MODULE_SRCS))) $(DIST)/module/
	printf ';; netopt-module-pkg.el  -*- no-byte-compile: t; lexical-binding: t -*-\n(define-package "netopt-module" "%s"\n  "Socket options for Emacs, done right"\n  (quote ((emacs "25.1"))))\n' \
		'$(VERSION)' > $(DIST)/netopt-module-pkg.el
	tar -cf $(DIST).tar $(DIST)
	rm -rf $(DIST)
	@echo "$(DIST).tar"

# Regenerate the manual's option reference and API reference
# (doc/netopt.texi) from the option table and the docstrings.
option-table: $(MODULE) $(LISP_ELC)
	$(BATCH) -l test/option-table.el -f netopt-option-table-update

# Performance: times and ratios against Emacs's built-ins and the system
# call, written to test/bench-results.org.  One batch Emacs runs the C
# floor (test/tools/floor), natively compiles lisp/ into a temporary
# directory when it can, then measures in one child Emacs per mode (Lisp
# layer byte-compiled, then natively compiled; n/a without native
# compilation) and times (require 'netopt-module) in child processes.
bench: $(MODULE) $(LISP_ELC) test/tools/floor
	$(BATCH) --eval '(setq byte-compile-error-on-warn t)' \
		-f batch-byte-compile test/bench.el
	$(BATCH) -l test/bench.elc -f netopt-bench-run

# Runs before anything is built: `make deps demo' on a machine with make.
deps:
	@sh test/tools/deps.sh

demo: $(MODULE) $(LISP_ELC)
	$(BATCH) -l lisp/netopt-demo.el -f netopt-demo

clean:
	rm -rf netopt-module-*.tar
	rm -f $(INFO) doc/netopt.texi
	rm -f $(MODULE) $(SANITIZED) $(FALLBACKS) module/*.tmp.* $(LISP_ELC) $(TEST_TOOLS) test/*.elc
