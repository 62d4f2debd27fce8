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

(defun netopt-demo-test--as-printed (option peek)
  "Return sockpeek's PEEK of OPTION (strings) as the demo prints the value."
  (cond ((null peek) nil)
        ((equal option ":linger")
         (if (string-prefix-p "0 " peek) "nil" (cadr (split-string peek))))
        ((equal option ":priority") peek)
        ((equal option ":bindtodevice")
         (if (equal peek "-") "nil" (format "%S" peek)))
        (t (if (equal peek "0") "nil" "t"))))

(defconst netopt-demo-test--form
  '(let ((peeks nil))
     (require 'netopt-demo)
     ;; Each row's sockets, read by sockpeek as the row is printed: the
     ;; kernel's view through a path that shares no code with netopt.
     (advice-add 'netopt-demo--row :before
                 (lambda (what option _asked ours proc)
                   (let ((name (substring (symbol-name option) 1)))
                     (push (list what (symbol-name option)
                                 (cdr (assoc name (netopt-test-peek ours)))
                                 (let* ((pairs
                                         (list
                                          (cons "local"
                                                (process-contact proc :local))
                                          (cons "peer"
                                                (process-contact proc :remote))))
                                        (found
                                         (seq-filter
                                          (lambda (entry)
                                            (and
                                             (/= (car entry)
                                                 (netopt-test-fd ours))
                                             (equal (cdr (assoc "acceptconn"
                                                                (cdr entry)))
                                                    (if (process-contact
                                                         proc :server)
                                                        "1" "0"))
                                             (seq-every-p
                                              (lambda (pair)
                                                (or (null (cdr pair))
                                                    (equal
                                                     (cdr (assoc (car pair)
                                                                 (cdr entry)))
                                                     (netopt-test-address-string
                                                      (cdr pair)))))
                                              pairs)))
                                          (netopt-test-emacs-sockets))))
                                   (and (= (length found) 1)
                                        (cdr (assoc name (cdar found))))))
                           peeks))))
     (list (with-output-to-string (netopt-demo)) (nreverse peeks)))
  "What the child Emacs of the demo's test evaluates.
It returns (OUTPUT PEEKS): what `netopt-demo' printed, and for each
row (SOCKET OPTION NETOPT-KERNEL EMACS-KERNEL), sockpeek's values on
netopt's socket and on Emacs's: the one other socket of this Emacs
listening or not as the process does, with its local and remote
addresses (nil where none or several).")

(ert-deftest netopt-demo-table-says-what-it-claims ()
  "The demo's table: what was asked is held, and Emacs is wrong where marked.
Its two kernel columns are what sockpeek reads on the same sockets at
the same moment, not only what netopt reads."
  (let* ((result (netopt-test-child netopt-demo-test--form :strict t))
         (output (car result))
         (peeks (cadr result))
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
    (should (= (length peeks) 12))
    ;; The kernel columns are the kernel's: sockpeek agrees, row by row,
    ;; on netopt's socket always, on Emacs's wherever it finds it.
    (let ((emacs-read 0))
      (cl-mapc
       (lambda (row peek)
         (pcase-let ((`(,socket ,option ,_asked ,kernel ,_claim ,truth ,_mark)
                      row)
                     (`(,_what ,peek-option ,ours ,theirs) peek))
           (should (equal (list socket option) (list (car peek) peek-option)))
           (should (equal (list socket option kernel)
                          (list socket option
                                (netopt-demo-test--as-printed option ours))))
           (when theirs
             (setq emacs-read (1+ emacs-read))
             (should (equal (list socket option truth)
                            (list socket option
                                  (netopt-demo-test--as-printed option
                                                                theirs)))))))
       rows peeks)
      ;; Every stream row; Emacs's datagram client has no local address
      ;; in its contact to tell it apart by.
      (should (>= emacs-read 9)))
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
