;;; manual-test.el --- the Info manual's claims  -*- lexical-binding: t; -*-

;;; Commentary:

;; doc/netopt.org, the manual: its generated references are what the
;; module and the docstrings say, every test its table of differences
;; from Emacs 28.2 cites exists, and the settings it lists are the
;; customization group's.  Its examples are run by examples-test.el;
;; package-test.el checks that C-h i finds it once installed.

;;; Code:

(require 'netopt-test-helpers)
(require 'option-table)

(defconst netopt-manual-test--file
  (expand-file-name "doc/netopt.org" netopt-test-root)
  "The manual's source.")

(ert-deftest netopt-manual-option-reference ()
  "The manual's option reference is the one the option table generates."
  (should (equal (netopt-option-table-manual-text) (netopt-option-table))))

(ert-deftest netopt-manual-api-reference ()
  "The manual's API reference is generated from the docstrings, unchanged since."
  (should (equal (netopt-option-table-manual-text "API REFERENCE")
                 (netopt-option-table-api)))
  (dolist (function netopt-option-table--functions)
    (should (fboundp function))))

(defun netopt-manual-test--differences-tests ()
  "Return the test names cited in the manual's table of differences."
  (with-temp-buffer
    (insert-file-contents netopt-manual-test--file)
    (let ((start (search-forward "* Where netopt and Emacs 28.2 differ"))
          (end (or (re-search-forward "^\\* " nil t) (point-max)))
          (names nil))
      (goto-char start)
      (while (re-search-forward "^|[^\n]*| =?\\(netopt-[^|\n]*\\)|$" end t)
        (dolist (name (split-string (match-string 1) "[=, ]+" t))
          (when (string-match-p "\\`netopt-[a-z0-9:-]+\\'" name)
            (push (intern name) names))))
      (nreverse names))))

(defun netopt-manual-test--defined-tests ()
  "Return the test names the files test/*-test.el define, as strings.
They are read from the files: which are loaded does not matter."
  (let ((names nil))
    (dolist (file (directory-files netopt-test-directory t "-test\\.el\\'"))
      (with-temp-buffer
        (insert-file-contents file)
        (while (re-search-forward
                "^(\\(?:ert\\|netopt\\)-deftest \\(netopt-[a-z0-9:-]+\\)" nil t)
          (push (match-string 1) names))))
    names))

(ert-deftest netopt-manual-differences-are-tested ()
  "Each test the manual cites for a difference from Emacs 28.2 exists."
  (let ((names (netopt-manual-test--differences-tests))
        (defined (netopt-manual-test--defined-tests)))
    (should (>= (length names) 10))
    (dolist (name names)
      (should (member (symbol-name name) defined)))))

(ert-deftest netopt-manual-customize-group ()
  "The settings the manual lists are the members of the group netopt.
\"Checking that it works\" names what \\[customize-group] netopt
shows; each is a member, and no member goes unnamed."
  (require 'netopt-list)
  (require 'cus-edit)
  (let ((members (mapcar #'car (custom-group-members 'netopt nil)))
        (named (with-temp-buffer
                 (insert-file-contents netopt-manual-test--file)
                 (search-forward "* Checking that it works")
                 (let ((end (save-excursion (re-search-forward "^\\* ")))
                       (names nil))
                   (search-forward "customize-group RET netopt RET")
                   (while (re-search-forward "=\\(netopt-[a-z-]+\\)=" end t)
                     (push (intern (match-string 1)) names))
                   names))))
    (should (memq 'netopt-connection-options members))
    (dolist (member members)
      (ert-info ((format "%s" member))
        (should (memq member named))))))

(ert-deftest netopt-manual-headings-for-the-readme ()
  "The sections README.org points to are in the manual."
  (with-temp-buffer
    (insert-file-contents netopt-manual-test--file)
    (dolist (heading '("Installation" "Detect dead connections within a minute"
                       "Checking that it works"
                       "=netopt-mode=: options for every connection Emacs makes"
                       "Options for Emacs's own connections" "Listing connections"
                       "Errors" "Safety" "Frequently asked questions"))
      (goto-char (point-min))
      (ert-info (heading)
        (should (re-search-forward (concat "^\\*+ " (regexp-quote heading) "$")
                                   nil t))))))

(provide 'manual-test)
;;; manual-test.el ends here
