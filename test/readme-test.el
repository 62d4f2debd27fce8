;;; readme-test.el --- README.org claims that tests back  -*- lexical-binding: t; -*-

;;; Commentary:

;; Every test README.org names in its table of differences from Emacs
;; 28.2 must exist, so the table cannot cite a test that was renamed or
;; removed.  Run with the other suites (test/run.sh loads them all).

;;; Code:

(require 'netopt-test-helpers)

(defun netopt-readme-test--differences-tests ()
  "Return the test names cited in README's table of differences."
  (with-temp-buffer
    (insert-file-contents (expand-file-name "README.org" netopt-test-root))
    (let ((start (search-forward "* Where netopt and Emacs 28.2 differ"))
          (end (or (re-search-forward "^\\* " nil t) (point-max)))
          (names nil))
      (goto-char start)
      (while (re-search-forward "^|[^\n]*| =?\\(netopt-[^|\n]*\\)|$" end t)
        (dolist (name (split-string (match-string 1) "[=, ]+" t))
          (when (string-match-p "\\`netopt-[a-z0-9:-]+\\'" name)
            (push (intern name) names))))
      (nreverse names))))

(ert-deftest netopt-readme-differences-are-tested ()
  "Each test the README cites for a difference from Emacs 28.2 exists."
  (let ((names (netopt-readme-test--differences-tests)))
    (should (>= (length names) 10))
    (dolist (name names)
      (should (ert-test-boundp name)))))

(require 'option-table)

(ert-deftest netopt-readme-api-reference ()
  "README's API reference is generated from the docstrings, unchanged since."
  (should (equal (netopt-option-table-readme-text "API REFERENCE")
                 (netopt-option-table-api)))
  (dolist (function netopt-option-table--functions)
    (should (fboundp function))))

(ert-deftest netopt-catalogue-readme-table ()
  "README's option reference is the one the option table generates."
  (should (equal (netopt-option-table-readme-text) (netopt-option-table))))

(provide 'readme-test)
;;; readme-test.el ends here
