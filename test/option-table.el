;;; option-table.el --- the manual's option and API references, generated  -*- lexical-binding: t; -*-

;;; Commentary:

;; `make option-table' rewrites the lines between "# BEGIN OPTION TABLE"
;; and "# END OPTION TABLE" in the manual, doc/netopt.org, from
;; `netopt-option-info', and those between "# BEGIN API REFERENCE" and
;; "# END API REFERENCE" from the docstrings; the tests
;; netopt-manual-option-reference and netopt-manual-api-reference fail
;; when they differ.

;;; Code:

(require 'netopt-module)
(require 'help)

(defconst netopt-option-table--manual
  (expand-file-name "../doc/netopt.org"
                    (file-name-directory (or load-file-name buffer-file-name)))
  "The manual whose option and API references are generated.")

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

(defconst netopt-option-table--functions
  '(netopt-make-socket netopt-accept netopt-send netopt-receive
    netopt-receive-from netopt-close netopt-socket-p netopt-live-p
    netopt-set-option netopt-option netopt-supported-options
    netopt-option-info netopt-contact netopt-make-network-process
    netopt-join-group netopt-leave-group netopt-set-raw-option
    netopt-raw-option netopt-list-sockets netopt-mode netopt-module-build)
  "The public functions and commands, in the manual's order.")

(defun netopt-option-table--signature (function)
  "Return FUNCTION's call signature, in the form of Help buffers."
  (let* ((doc (documentation function t))
         (fn (and doc (string-match "^(fn\\(.*\\))$" doc)
                  (match-string 1 doc))))
    (if fn
        (format "(%s%s)" function fn)
      (format "%S" (cons function (help-function-arglist function t))))))

(defun netopt-option-table-api ()
  "Return the Org table of the public functions, from their docstrings."
  (concat
   "| function | what it does |\n|-\n"
   (mapconcat
    (lambda (function)
      ;; An autoloaded command's arguments are known once it is loaded.
      (when (autoloadp (symbol-function function))
        (autoload-do-load (symbol-function function) function))
      (format "| =%s= | %s |"
              (netopt-option-table--cell
               (netopt-option-table--signature function))
              (netopt-option-table--cell
               (car (split-string (documentation function t) "\n")))))
    netopt-option-table--functions "\n")
   "\n"))

(defun netopt-option-table--bounds (name)
  "Return (START . END) of the generated block NAME in the current buffer."
  (goto-char (point-min))
  (let ((start (progn (search-forward (format "# BEGIN %s\n" name)) (point)))
        (end (progn (search-forward (format "# END %s" name))
                    (match-beginning 0))))
    (cons start end)))

(defun netopt-option-table-manual-text (&optional name)
  "Return the generated block NAME (default OPTION TABLE) of the manual."
  (with-temp-buffer
    (insert-file-contents netopt-option-table--manual)
    (let ((b (netopt-option-table--bounds (or name "OPTION TABLE"))))
      (buffer-substring-no-properties (car b) (cdr b)))))

(defun netopt-option-table-update ()
  "Rewrite the manual's option reference and API reference."
  (with-temp-buffer
    (insert-file-contents netopt-option-table--manual)
    (dolist (block (list (cons "OPTION TABLE" (netopt-option-table))
                         (cons "API REFERENCE" (netopt-option-table-api))))
      (let ((b (netopt-option-table--bounds (car block))))
        (delete-region (car b) (cdr b))
        (goto-char (car b))
        (insert (cdr block))))
    (write-region nil nil netopt-option-table--manual)))

(provide 'option-table)
;;; option-table.el ends here
