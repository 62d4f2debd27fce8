;;; runner.el --- run netopt's ERT suites in batch  -*- lexical-binding: t; -*-

;;; Commentary:

;; test/run.sh loads this file in a batch Emacs with the test FILEs as
;; arguments.  It loads each test FILE, runs every test, and prints one line
;; "NETOPT-RESULT PASSED FAILED SKIPPED" for test/run.sh to add up.
;;
;; First of all it takes the sanitizer's runtime out of the environment
;; that this Emacs gives its children: `make check-sanitize' preloads it
;; into the test Emacs alone, and an Emacs started from here (by a test,
;; or by Emacs itself to compile a native trampoline) would otherwise
;; inherit it, and can hang.  The entries are kept in
;; `netopt-test-preload-environment' for the helpers that start a child
;; on purpose with the same (sanitized) module.
;;
;; NETOPT_TEST_LISP (byte or native, set by test/run.sh) says how the
;; Lisp layer must have been loaded; a run where it was not ends with no
;; result, which run.sh counts as a failure.

;;; Code:

(require 'ert)

(defvar netopt-test-preload-environment nil
  "The sanitizer's environment entries this Emacs was started with.")

(let ((names '("LD_PRELOAD" "ASAN_OPTIONS" "UBSAN_OPTIONS" "LSAN_OPTIONS")))
  (dolist (entry process-environment)
    (when (member (car (split-string entry "=")) names)
      (push entry netopt-test-preload-environment)))
  (dolist (name names)
    (setenv name nil)
    ;; `setenv' to nil leaves "NAME" alone, which a child would see as
    ;; set; remove every trace.
    (setq process-environment (delete name process-environment))))

(defun netopt-test-runner--lisp-mode ()
  "Return how the Lisp layer was loaded: native, byte or interpreted."
  (let ((f (symbol-function 'netopt-make-socket)))
    (if (or (and (fboundp 'native-comp-function-p)
                 (funcall 'native-comp-function-p f))
            (and (fboundp 'subr-native-elisp-p)
                 (funcall 'subr-native-elisp-p f)))
        "native"
      (if (byte-code-function-p f) "byte" "interpreted"))))

(let ((files command-line-args-left)
      (expected (getenv "NETOPT_TEST_LISP")))
  (setq command-line-args-left nil)
  (dolist (file files)
    (load (expand-file-name file) nil t))
  (when (and expected (featurep 'netopt-module))
    (let ((mode (netopt-test-runner--lisp-mode))
          (native (and (fboundp 'native-comp-available-p)
                       (native-comp-available-p))))
      (princ (format "The Lisp layer is %s-compiled (%s)\n" mode
                     (symbol-file 'netopt-make-socket)))
      (unless (or (equal mode expected)
                  (and (equal expected "native") (not native)))
        (princ (format "Expected the Lisp layer %s-compiled: no result\n"
                       expected))
        (kill-emacs 2))))
  (let* ((stats (ert-run-tests-batch (or (getenv "NETOPT_TEST_SELECTOR") t)))
         (failed (ert-stats-completed-unexpected stats)))
    (princ (format "NETOPT-RESULT %d %d %d\n"
                   (- (ert-stats-completed-expected stats)
                      (ert-stats-skipped stats))
                   failed
                   (ert-stats-skipped stats)))
    (kill-emacs (if (zerop failed) 0 1))))

;;; runner.el ends here
