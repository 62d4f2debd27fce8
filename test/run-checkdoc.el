;;; run-checkdoc.el --- run checkdoc on files, fail on any complaint  -*- lexical-binding: t; -*-

;;; Commentary:

;; Called by `make lint' with the files to check as arguments.  Prints
;; each complaint as FILE:LINE: TEXT and exits non-zero if there was one.

;;; Code:

(require 'checkdoc)

(let ((complaints 0))
  (dolist (file command-line-args-left)
    (with-current-buffer (find-file-noselect file)
      (let ((checkdoc-create-error-function
             (lambda (text start _end &optional _unfixable)
               (setq complaints (1+ complaints))
               (princ (format "%s:%d: %s\n" file (line-number-at-pos start)
                              text))
               nil)))
        (checkdoc-current-buffer t))))
  (setq command-line-args-left nil)
  (princ (format "checkdoc: %d complaint(s)\n" complaints))
  (kill-emacs (if (zerop complaints) 0 1)))

;;; run-checkdoc.el ends here
