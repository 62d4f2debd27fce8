;;; demo-test.el --- netopt-demo, what make demo prints  -*- lexical-binding: t; -*-

;;; Commentary:

;; lisp/netopt-demo.el: `netopt-demo' (make demo) prints, for sockets
;; made by netopt and by Emacs with the same options, what was asked,
;; what the kernel holds and what Emacs's contact claims.  Its table
;; must say what it claims: netopt's sockets hold what was asked, the
;; connection a server accepted holds the kernel's defaults, a row is
;; marked "Emacs is wrong" exactly where Emacs's contact and its
;; socket disagree, and a segment size set before connect is in force.
;; It runs in a child Emacs, as make demo runs it.

;;; Code:

(require 'netopt-test-helpers)

(defconst netopt-demo-test--row
  (concat "^\\(stream server\\|accepted connection\\|datagram client\\) +"
          "\\(:[a-z-]+\\) +\\([^ ]+\\) +\\([^ ]+\\) +\\([^ ]+\\) +\\([^ ]+\\)"
          " *\\(<- Emacs is wrong\\)?$")
  "A row of the demo's table.
Its groups: socket, option, asked, netopt's kernel value, Emacs's
contact, Emacs's kernel value, and the mark.")

(ert-deftest netopt-demo-table-says-what-it-claims ()
  "The demo's table: what was asked is held, and Emacs is wrong where marked."
  (let* ((output (netopt-test-child
                  '(with-output-to-string
                     (require 'netopt-demo)
                     (netopt-demo))
                  :strict t))
         (rows nil))
    (should (string-match-p (regexp-quote (format "Emacs %s" emacs-version))
                            output))
    (with-temp-buffer
      (insert output)
      (goto-char (point-min))
      (while (re-search-forward netopt-demo-test--row nil t)
        (push (mapcar (lambda (i) (match-string i)) (number-sequence 1 7))
              rows)))
    (setq rows (nreverse rows))
    (should (= (length rows) 12))
    (pcase-dolist (`(,socket ,option ,asked ,kernel ,claim ,truth ,mark) rows)
      ;; netopt's socket holds what was asked (:linger t: some seconds).
      (unless (equal asked "-")
        (should (equal (list socket option
                             (if (and (equal option ":linger")
                                      (equal asked "t"))
                                 (and (string-match-p "\\`[1-9][0-9]*\\'"
                                                      kernel)
                                      "t")
                               kernel))
                       (list socket option asked))))
      ;; A connection netopt's server accepted has the defaults.
      (when (equal socket "accepted connection")
        (should (member (list option kernel)
                        '((":keepalive" "nil") (":priority" "0")
                          (":linger" "nil") (":oobinline" "nil")))))
      ;; The mark is where Emacs's claim and its socket disagree.
      (should (equal (list socket option (and mark t))
                     (list socket option (not (equal claim truth))))))
    ;; A segment size asked before connect is in force on netopt's.
    (should (string-match "^  :maxseg +1000 +\\([0-9]+\\) " output))
    (should (<= (string-to-number (match-string 1 output)) 1000))))

(provide 'demo-test)
;;; demo-test.el ends here
