;;; option-table.el --- the README's option reference, from the table  -*- lexical-binding: t; -*-

;;; Commentary:

;; `make option-table' rewrites the lines between "# BEGIN OPTION TABLE"
;; and "# END OPTION TABLE" in README.org from `netopt-option-info';
;; the test netopt-catalogue-readme-table fails when they differ.

;;; Code:

(require 'netopt-module)

(defconst netopt-option-table--readme
  (expand-file-name "../README.org"
                    (file-name-directory (or load-file-name buffer-file-name)))
  "The README whose option reference is generated.")

(defun netopt-option-table--cell (value)
  "Return VALUE as the text of an Org table cell."
  (replace-regexp-in-string
   "|" "\\vert{}"
   (cond ((null value) "")
         ((stringp value) value)
         ((consp value) (mapconcat #'netopt-option-table--cell value " "))
         (t (format "%s" value)))
   t t))

(defun netopt-option-table ()
  "Return the Org table of every supported option."
  (concat
   "| option | C name | level | value | settable | families | types "
   "| privileged | what it does |\n|-\n"
   (mapconcat
    (lambda (option)
      (let ((info (netopt-option-info option)))
        (format "| =%s= | =%s= | %s | %s | %s | %s | %s | %s | %s |"
                option (plist-get info :c-name) (plist-get info :level)
                (let ((range (plist-get info :range)))
                  (if range
                      (format "%s %d..%d" (plist-get info :type)
                              (car range) (cdr range))
                    (plist-get info :type)))
                (or (plist-get info :settable) "read-only")
                (netopt-option-table--cell (plist-get info :families))
                (netopt-option-table--cell (plist-get info :socket-types))
                (if (plist-get info :privileged) "yes" "")
                (netopt-option-table--cell (plist-get info :doc)))))
    (netopt-supported-options) "\n")
   "\n"))

(defun netopt-option-table--bounds ()
  "Return (START . END) of the generated block in the current buffer."
  (goto-char (point-min))
  (let ((start (progn (search-forward "# BEGIN OPTION TABLE\n") (point)))
        (end (progn (search-forward "# END OPTION TABLE") (match-beginning 0))))
    (cons start end)))

(defun netopt-option-table-readme-text ()
  "Return the option reference currently in README.org."
  (with-temp-buffer
    (insert-file-contents netopt-option-table--readme)
    (let ((b (netopt-option-table--bounds)))
      (buffer-substring-no-properties (car b) (cdr b)))))

(defun netopt-option-table-update ()
  "Rewrite README.org's option reference from the option table."
  (with-temp-buffer
    (insert-file-contents netopt-option-table--readme)
    (let ((b (netopt-option-table--bounds)))
      (delete-region (car b) (cdr b))
      (goto-char (car b))
      (insert (netopt-option-table)))
    (write-region nil nil netopt-option-table--readme)))

(provide 'option-table)
;;; option-table.el ends here
