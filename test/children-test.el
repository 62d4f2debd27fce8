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
                  "-L" (expand-file-name "lisp" netopt-test-root)
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
Unless `netopt-test-keep-sanitizer' says otherwise."
  (let ((process-environment
         (append '("LD_PRELOAD=" "ASAN_OPTIONS=detect_leaks=0"
                   "UBSAN_OPTIONS=print_stacktrace=1"
                   "NETOPT_MODULE_FILE=/nonexistent/netopt-core.so"
                   "NETOPT_CHILDREN_TEST=kept")
                 process-environment)))
    (let ((env (split-string (cdr (netopt-test-command "env")) "\n" t)))
      (should (member "NETOPT_CHILDREN_TEST=kept" env))
      (should-not (seq-filter
                   (lambda (entry)
                     (string-match-p
                      "\\`\\(LD_PRELOAD\\|ASAN_OPTIONS\\|UBSAN_OPTIONS\\|NETOPT_MODULE_FILE\\)="
                      entry))
                   env)))
    (let* ((netopt-test-keep-sanitizer t)
           (env (split-string (cdr (netopt-test-command "env")) "\n" t)))
      (should (member "ASAN_OPTIONS=detect_leaks=0" env)))))

(ert-deftest netopt-children-run-sh-limits-each-run ()
  "The test runner kills a run that hangs, names it, and still adds up.
Given to test/run.sh, a suite whose only test never ends, with
NETOPT_SUITE_TIMEOUT=1: both runs are reported as timed out, the last
line is the summary, and the exit status is non-zero."
  (skip-unless (executable-find "timeout"))
  (let ((suite (make-temp-file "netopt-hang-" nil "-test.el"
                               (concat "(require 'ert)\n"
                                       "(ert-deftest netopt-hang () "
                                       "(while t (sleep-for 1)))\n"))))
    (unwind-protect
        (let* ((default-directory netopt-test-root)
               (process-environment
                (append (list "NETOPT_SUITE_TIMEOUT=1"
                              "NETOPT_TEST_SELECTOR=netopt-hang"
                              (concat "EMACS="
                                      (expand-file-name invocation-name
                                                        invocation-directory)))
                        process-environment))
               (result (netopt-test-command "sh" "test/run.sh" suite))
               (lines (split-string (cdr result) "\n" t)))
          (should-not (equal (car result) 0))
          (should (member "the plain run timed out after 1 s (exit 124): killed"
                          lines))
          (should (member (concat "the module-assertions run timed out after "
                                  "1 s (exit 124): killed")
                          lines))
          (should (equal (car (last lines)) "0 passed, 2 failed")))
      (delete-file suite))))

(provide 'children-test)
;;; children-test.el ends here
