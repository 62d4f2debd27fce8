;;; children-test.el --- external commands start from a clean state  -*- lexical-binding: t; -*-

;;; Commentary:

;; Tests run external commands (make, cc, a child Emacs, sockpeek, ss…)
;; through `netopt-test-call-process'.  Whatever started the test Emacs
;; (a CI runner, `make check-sanitize'), such a command gets every
;; signal at its default disposition, none blocked, and no sanitizer
;; runtime preloaded.  A make whose SIGCHLD is ignored loses its
;; children ("make: *** wait: No child processes"), a command with the
;; sanitizer preloaded runs instrumented code it was not built for.

;;; Code:

(require 'netopt-test-helpers)

(defconst netopt-children-test--libc-signals (ash 3 31)
  "Signals 32 and 33, the C library's own, as bits of the /proc masks.
glibc refuses to change them (EINVAL), and some parents (make 4.3)
leave them ignored; nothing a test runs depends on them.")

(defun netopt-children-test--signals (status)
  "Return (SIGIGN . SIGBLK), as integers, from the /proc STATUS text.
The C library's own signals are left out of SIGIGN."
  (let ((field (lambda (name)
                 (if (string-match (format "^%s:\t\\([0-9a-f]+\\)$" name)
                                   status)
                     (string-to-number (match-string 1 status) 16)
                   (error "No %s in %S" name status)))))
    (cons (logand (funcall field "SigIgn")
                  (lognot netopt-children-test--libc-signals))
          (funcall field "SigBlk"))))

(defconst netopt-children-test--sigchld-bit (ash 1 (1- 17))
  "SIGCHLD (17 on GNU/Linux) as a bit of the /proc/PID/status masks.")

(ert-deftest netopt-children-pristine-resets-signals ()
  "The pristine tool undoes ignored and blocked signals, SIGCHLD included.
env(1) ignores and blocks every signal, then runs grep on its own
/proc status: directly, grep sees SIGCHLD ignored and blocked; through
test/tools/pristine, nothing is ignored or blocked."
  (let ((direct (netopt-children-test--signals
                 (cdr (netopt-test-command
                       "env" "--ignore-signal" "--block-signal"
                       "grep" "^Sig" "/proc/self/status"))))
        (clean (netopt-children-test--signals
                (cdr (netopt-test-command
                      "env" "--ignore-signal" "--block-signal"
                      netopt-test-pristine
                      "grep" "^Sig" "/proc/self/status")))))
    ;; The setup is real: without the tool, SIGCHLD is ignored and blocked.
    (should (/= 0 (logand (car direct) netopt-children-test--sigchld-bit)))
    (should (/= 0 (logand (cdr direct) netopt-children-test--sigchld-bit)))
    (should (equal clean '(0 . 0)))))

(ert-deftest netopt-children-default-signals-under-ignoring-parent ()
  "A test's child command has default signals even if Emacs had not.
A child Emacs started with every signal ignored (SIGCHLD included) and
blocked runs a command through `netopt-test-command': the command's
/proc status shows nothing ignored and nothing blocked, while a plain
`call-process' child of that Emacs still inherits ignored signals."
  (let* ((form
          '(progn
             (require 'netopt-test-helpers)
             (let ((status "/proc/self/status"))
               (prin1
                (list
                 (with-temp-buffer
                   (call-process "grep" nil t nil "^Sig" status)
                   (buffer-string))
                 (cdr (netopt-test-command "grep" "^Sig" status)))))))
         (result (netopt-test-command
                  "env" "--ignore-signal=CHLD" "--ignore-signal"
                  "--block-signal"
                  (expand-file-name invocation-name invocation-directory)
                  "-Q" "--batch"
                  "-L" netopt-test-lisp-directory
                  "-L" netopt-test-directory
                  "--eval" (prin1-to-string form)))
         (output (cdr result)))
    (should (equal (car result) 0))
    (let* ((statuses (read (substring output (string-match "^(\"" output))))
           (plain (netopt-children-test--signals (nth 0 statuses)))
           (helper (netopt-children-test--signals (nth 1 statuses))))
      ;; The parent's state is not vacuous: Emacs passes ignored signals on.
      (should (/= 0 (car plain)))
      (should (equal helper '(0 . 0)))
      (should (= 0 (logand (car helper) netopt-children-test--sigchld-bit))))))

(ert-deftest netopt-children-no-sanitizer-environment ()
  "A test's child command gets no sanitizer runtime nor sanitized module.
Only NETOPT_MODULE_FILE can be kept, by `netopt-test-keep-module-file'."
  (let ((process-environment
         (append '("LD_PRELOAD=" "ASAN_OPTIONS=detect_leaks=0"
                   "UBSAN_OPTIONS=print_stacktrace=1"
                   "NETOPT_MODULE_FILE=/nonexistent/netopt-core.so"
                   "NETOPT_CHILDREN_TEST=kept")
                 process-environment))
        (sanitizer "\\`\\(LD_PRELOAD\\|ASAN_OPTIONS\\|UBSAN_OPTIONS\\)="))
    (let ((env (split-string (cdr (netopt-test-command "env")) "\n" t)))
      (should (member "NETOPT_CHILDREN_TEST=kept" env))
      (should-not (seq-filter
                   (lambda (entry)
                     (or (string-match-p sanitizer entry)
                         (string-prefix-p "NETOPT_MODULE_FILE=" entry)))
                   env)))
    (let* ((netopt-test-keep-module-file t)
           (env (split-string (cdr (netopt-test-command "env")) "\n" t)))
      (should (member "NETOPT_MODULE_FILE=/nonexistent/netopt-core.so" env))
      (should-not (seq-filter (lambda (entry)
                                (string-match-p sanitizer entry))
                              env)))))

(defun netopt-children-test--run-sh (suite &rest environment)
  "Run test/run.sh on the test file SUITE, once, byte-compiled.
ENVIRONMENT entries are added to its environment.  This Emacs is
the Emacs under test.  Return (EXIT-STATUS . LINES)."
  (let* ((default-directory netopt-test-root)
         (process-environment
          (append environment
                  (list "NETOPT_TEST_MODES=byte"
                        (concat "EMACSEN="
                                (expand-file-name invocation-name
                                                  invocation-directory)))
                  process-environment))
         (result (netopt-test-command "sh" "test/run.sh" suite)))
    (cons (car result) (split-string (cdr result) "\n" t))))

(defun netopt-children-test--processes-matching (regexp)
  "Return the command lines of the running processes that match REGEXP."
  (delq nil
        (mapcar (lambda (pid)
                  (let ((cmd (alist-get 'args (process-attributes pid))))
                    (and cmd (string-match-p regexp cmd) cmd)))
                (list-system-processes))))

(ert-deftest netopt-children-run-sh-limits-each-run ()
  "The test runner kills a run that hangs, with all it started.
Given to test/run.sh, a suite whose only test starts a detached
process (a new session, as Emacs's native compiler and tmux servers
are) and then never ends, with NETOPT_SUITE_TIMEOUT=2: the run is
reported as timed out, the last line is the summary, the exit status
is non-zero, and the detached process is gone."
  (let* ((marker (format "%d.%d" (emacs-pid) (random 100000)))
         (suite (make-temp-file
                 "netopt-hang-" nil "-test.el"
                 (format "(require 'ert)\n(ert-deftest netopt-children-hang ()
  (call-process \"setsid\" nil 0 nil \"sleep\" \"%s\")
  (while t (sleep-for 1)))\n" marker))))
    (unwind-protect
        (let ((result (netopt-children-test--run-sh
                       suite "NETOPT_SUITE_TIMEOUT=2"
                       "NETOPT_TEST_SELECTOR=netopt-children-hang")))
          (should-not (equal (car result) 0))
          (should (seq-some (lambda (line)
                              (string-match-p
                               "\\`the Emacs .*, byte run timed out after 2 s: killed\\'"
                               line))
                            (cdr result)))
          (should (seq-some (lambda (line)
                              (string-match-p
                               (concat "killing leftover sleep") line))
                            (cdr result)))
          (should (equal (car (last (cdr result))) "0 passed, 1 failed"))
          (should-not (netopt-children-test--processes-matching
                       (concat "sleep " (regexp-quote marker)))))
      (delete-file suite))))

(ert-deftest netopt-children-run-sh-fresh-home-no-preload ()
  "Each run has a throwaway HOME; Emacs's own children get no preload.
test/run.sh runs a suite with LD_PRELOAD given to the test Emacs (the
sanitizer's runtime where the compiler has one, as `make
check-sanitize' does).  In the suite, the Lisp layer was loaded, HOME
is new and empty of an eln-cache, a trampoline for a redefined
primitive is natively compiled (Emacs starts a child Emacs for it)
and returns, and a plain `call-process' child has no LD_PRELOAD.
After the run, that HOME is gone."
  (let* ((asan (car (process-lines "cc" "-print-file-name=libasan.so")))
         (preload (if (file-name-absolute-p asan)
                      (concat "LD_PRELOAD=" asan
                              " ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0")
                    "LD_PRELOAD=libm.so.6"))
         (suite (make-temp-file
                 "netopt-home-" nil "-test.el"
                 "(require 'ert)\n(require 'cl-lib)\n(require 'netopt-module)
(ert-deftest netopt-children-home ()
  (should (featurep 'netopt-module))
  (princ (format \"\\nNETOPT-HOME %s\\n\" (getenv \"HOME\")))
  (should-not (file-exists-p \"~/.emacs.d/eln-cache/\"))
  (should (equal (cl-letf (((symbol-function 'read-string)
                            (lambda (&rest _) \"5\")))
                   (read-string \"x\"))
                 \"5\"))
  ;; Emacs compiled a trampoline in a child Emacs, into the new HOME.
  (when (native-comp-available-p)
    (should (directory-files-recursively \"~/.emacs.d/eln-cache/\"
                                         \"trampoline\")))
  (should-not (string-match-p \"^LD_PRELOAD=\"
                              (with-temp-buffer
                                (call-process \"env\" nil t)
                                (buffer-string)))))\n")))
    (unwind-protect
        (let* ((result (netopt-children-test--run-sh
                        suite "NETOPT_SUITE_TIMEOUT=120"
                        "NETOPT_TEST_SELECTOR=netopt-children-home"
                        (concat "NETOPT_TEST_PRELOAD=" preload)))
               (home (seq-some (lambda (line)
                                 (and (string-match "\\`NETOPT-HOME \\(.*\\)"
                                                    line)
                                      (match-string 1 line)))
                               (cdr result))))
          (should (equal (car (last (cdr result))) "1 passed, 0 failed"))
          (should (equal (car result) 0))
          (should home)
          (should-not (equal (file-name-as-directory home)
                             (file-name-as-directory (getenv "HOME"))))
          (should-not (file-exists-p home)))
      (delete-file suite))))

(provide 'children-test)
;;; children-test.el ends here
