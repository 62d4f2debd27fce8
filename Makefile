# netopt-module --- build, test, demo.
#
#   make deps        install emacs-nox, gcc, make if missing (Debian; sudo
#                    only when not root): test/tools/deps.sh
#   make             build the module (module/netopt-core.so)
#   make test        build, run every ERT suite on each Emacs of EMACSEN,
#                    twice: Lisp byte-compiled, and natively compiled under
#                    -module-assertions, each in a throwaway HOME
#                    (test/run.sh); last line: N passed, M failed.
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
#   make demo        make sockets, set options, print what the kernel holds
#   make bench       costs against Emacs and the system call, Lisp layer
#                    byte-compiled and natively compiled side by side
#   make lint        cppcheck, clang-format (.clang-format, GNU style),
#                    no C function over 80 lines (ctags),
#                    byte-compile warnings, checkdoc
#   make check-headers  build against the emacs-module.h of Emacs 25 to 30
#                    (test/emacs-module-headers), load each build, use it
#   make check-musl  build with musl-gcc (musl-tools), also with every
#                    compat.h fallback forced, warnings as errors
#   make check-fallbacks  every suite against a build with every compat.h
#                    fallback forced (-DNETOPT_COMPAT_FALLBACKS)
#   make clean
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
NETOPT_CFLAGS := -std=c11 -D_GNU_SOURCE -fPIC -fvisibility=hidden -pthread \
	-Wall -Wextra -Werror -DNETOPT_MODULE_VERSION='"$(VERSION)"'
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

.PHONY: all deps emacs-30 emacs-own-tests test demo clean lint bench option-table install dist check-sanitize check-valgrind check-headers check-musl check-fallbacks

all: $(MODULE)

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
			--suppress=missingIncludeSystem module; \
	else echo "lint: cppcheck not installed, C checks skipped"; fi
	@if command -v clang-format >/dev/null; then \
		clang-format --dry-run --Werror $(MODULE_SRCS) $(MODULE_HDRS) \
		&& echo "lint: module/ follows .clang-format"; \
	else echo "lint: clang-format not installed, formatting unchecked"; fi
	@if command -v ctags >/dev/null; then \
		long=$$(ctags --fields=+ne --c-kinds=f -o - $(MODULE_SRCS) \
		  | awk -F'\t' '{ for (i = 4; i <= NF; i++) { \
		      if ($$i ~ /^line:/) l = substr($$i, 6); \
		      if ($$i ~ /^end:/) e = substr($$i, 5) } \
		    if (e - l + 2 > 80) print "  " $$2 ": " $$1 " (" e - l + 2 " lines)" }'); \
		if [ -n "$$long" ]; then \
		  echo "lint: functions over 80 lines:"; echo "$$long"; exit 1; \
		else echo "lint: no C function is over 80 lines"; fi; \
	else echo "lint: ctags not installed, function lengths unchecked"; fi
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

check-sanitize: $(SANITIZED) $(LISP_ELC) $(TEST_TOOLS)
	NETOPT_MODULE_FILE=$(CURDIR)/$(SANITIZED) \
	NETOPT_TEST_PRELOAD="LD_PRELOAD=$$($(CC) -print-file-name=libasan.so):$$($(CC) -print-file-name=libubsan.so) \
	ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0:abort_on_error=1:allocator_may_return_null=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1" \
	EMACSEN='$(EMACS)' sh test/run.sh $(TEST_FILES)

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
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && set -e && \
	for v in 25 26 27 28 29 30; do \
		mkdir "$$tmp/$$v"; h="$$tmp/$$v/emacs-module.h"; \
		case $$v in \
		25|26) sh $(HEADER_DIR)/derive.sh $$v $(HEADER_DIR)/27.1/emacs-module.h > "$$h" ;; \
		29) sh $(HEADER_DIR)/derive.sh $$v $(HEADER_DIR)/30.1/emacs-module.h > "$$h" ;; \
		*) cp $(HEADER_DIR)/$$v.*/emacs-module.h "$$h" ;; \
		esac; \
		echo '#include <emacs-module.h>' | $(CC) -I"$$tmp/$$v" -E -x c - \
			| grep -q "^typedef struct emacs_env_$$v emacs_env;" \
			|| { echo "check-headers: Emacs $$v's header not used"; exit 1; }; \
		$(CC) $(NETOPT_CFLAGS) -Wundef $(CFLAGS) -I"$$tmp/$$v" -shared \
			-o "$$tmp/$$v/netopt-core.so" $(MODULE_SRCS) $(LDFLAGS); \
		NETOPT_MODULE_FILE="$$tmp/$$v/netopt-core.so" $(BATCH) \
			-l test/header-smoke.el >/dev/null; \
		echo "check-headers: Emacs $$v header: builds, loads, works"; \
	done

# The module built with musl (musl-gcc, Debian's musl-tools), warnings
# as errors, twice: as it is, and with every compat.h fallback taken
# (-DNETOPT_COMPAT_FALLBACKS), so the non-Linux paths keep compiling.
# musl-gcc does not search /usr/include: the vendored Emacs 28 header is
# given with -I.  Only built, not loaded: Emacs here is linked with glibc.
MUSL_CC ?= musl-gcc
check-musl:
	@command -v $(MUSL_CC) >/dev/null || \
		{ echo "check-musl: $(MUSL_CC) not found (apt-get install musl-tools)"; exit 1; }
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && set -e && \
	for extra in "" -DNETOPT_COMPAT_FALLBACKS; do \
		$(MUSL_CC) $(NETOPT_CFLAGS) $(CFLAGS) $$extra -I$(HEADER_DIR)/28.2 \
			-shared -o "$$tmp/netopt-core.so" $(MODULE_SRCS); \
		echo "check-musl: built with musl $${extra:-(native interfaces)}"; \
	done

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
# DIR/share/emacs/site-lisp/netopt-module (add it to load-path).
PREFIX ?= /usr/local
LISPDIR ?= $(PREFIX)/share/emacs/site-lisp/netopt-module
install: $(MODULE) $(LISP_ELC)
	install -d $(DESTDIR)$(LISPDIR)
	install -m 644 $(LISP_SRCS) $(LISP_ELC) $(DESTDIR)$(LISPDIR)
	install -m 755 $(MODULE) $(DESTDIR)$(LISPDIR)/netopt-core.so.tmp
	mv -f $(DESTDIR)$(LISPDIR)/netopt-core.so.tmp $(DESTDIR)$(LISPDIR)/netopt-core.so

# make dist: netopt-module-VERSION.tar for package-install-file.  The
# package holds the Lisp files, the C sources and this Makefile; the
# module is built when the package is first loaded.  The -pkg.el file
# is only read, never loaded: it is not byte-compiled (as ELPA's).
DIST := netopt-module-$(VERSION)
dist:
	rm -rf $(DIST) $(DIST).tar
	mkdir -p $(DIST)/module
	cp $(LISP_SRCS) Makefile $(DIST)/
	cp -r $(sort $(dir $(MODULE_SRCS))) $(DIST)/module/
	printf ';; netopt-module-pkg.el  -*- no-byte-compile: t; lexical-binding: t -*-\n(define-package "netopt-module" "%s"\n  "Socket options for Emacs, done right"\n  (quote ((emacs "25.1"))))\n' \
		'$(VERSION)' > $(DIST)/netopt-module-pkg.el
	tar -cf $(DIST).tar $(DIST)
	rm -rf $(DIST)
	@echo "$(DIST).tar"

# Regenerate README.org's option reference from the option table.
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
	rm -f $(MODULE) $(SANITIZED) $(FALLBACKS) module/*.tmp.* $(LISP_ELC) $(TEST_TOOLS) test/*.elc
