;;; runner.el --- run netopt's ERT suites in batch  -*- lexical-binding: t; -*-

;;; Commentary:

;; test/run.sh loads this file in a batch Emacs with the test FILEs as
;; arguments.  It loads each test FILE, runs every test, and prints one line
;; "NETOPT-RESULT PASSED FAILED SKIPPED" for test/run.sh to add up.

;;; Code:

(require 'ert)

(let ((files command-line-args-left))
  (setq command-line-args-left nil)
  (dolist (file files)
    (load (expand-file-name file) nil t))
  (let* ((stats (ert-run-tests-batch (or (getenv "NETOPT_TEST_SELECTOR") t)))
         (failed (ert-stats-completed-unexpected stats)))
    (princ (format "NETOPT-RESULT %d %d %d\n"
                   (- (ert-stats-completed-expected stats)
                      (ert-stats-skipped stats))
                   failed
                   (ert-stats-skipped stats)))
    (kill-emacs (if (zerop failed) 0 1))))

;;; runner.el ends here
