;;; examples-test.el --- every Lisp example of README and manual, run  -*- lexical-binding: t; -*-

;;; Commentary:

;; Each emacs-lisp block of README.org and of the manual (doc/netopt.org)
;; is run, in the order of its file, in a fresh child Emacs: as a user
;; pastes them, one after the other, into one session.  The child runs
;; in a private network namespace, with a loopback of its own, where
;; /etc/hosts makes "irc.libera.chat" 127.0.0.1 and no name server
;; answers: nothing leaves the machine.  A block whose header says
;; ":example erc" needs an ERC session: before the first such block the
;; child starts ngircd on port 6667 and connects ERC to it, as the
;; manual tells a reader to.  Every form of every block must evaluate
;; without an error, and a "; => VALUE" comment after a form is checked
;; when VALUE is t, nil, a number or a string.

;;; Code:

(require 'netopt-test-helpers)

(defun netopt-examples-test--blocks (file)
  "Return the emacs-lisp blocks of FILE, an Org file of the repository.
Each is (LINE NEEDS CODE): the line of its #+begin_src, what it needs
\(nil or the symbol after :example) and its text."
  (with-temp-buffer
    (insert-file-contents (expand-file-name file netopt-test-root))
    (let ((blocks nil) (case-fold-search t))
      (while (re-search-forward
              "^[ \t]*#\\+begin_src emacs-lisp\\(.*\\)\n" nil t)
        (let ((line (line-number-at-pos (match-beginning 0)))
              (header (match-string 1))
              (start (point)))
          (re-search-forward "^[ \t]*#\\+end_src")
          (let ((code (buffer-substring-no-properties start
                                                      (match-beginning 0))))
            (push (list line
                        (and (string-match ":example +\\([a-z]+\\)" header)
                             (intern (match-string 1 header)))
                        code)
                  blocks))))
      (nreverse blocks))))

(defconst netopt-examples-test--runner
  '(lambda (blocks)
     (require 'erc)
     (let ((problems nil) (forms 0) (checked 0) (erc-buffer nil)
           (ircd nil) (message-log-max t))
       (dolist (block blocks)
         (let ((line (nth 0 block)) (needs (nth 1 block)) (code (nth 2 block))
               (pos 0))
           ;; What the block needs, made as the manual says.
           (when (and (eq needs 'erc) (not erc-buffer))
             (setq ircd (netopt-test-ngircd (make-temp-file "netopt-examples" t)
                                            6667))
             (let ((erc-server-auto-reconnect nil)
                   (erc-join-buffer 'bury))
               (setq erc-buffer (erc :server "irc.libera.chat" :port 6667
                                     :nick "examples"
                                     :full-name "netopt examples")))
             (unless (netopt-test-wait-for
                      (lambda () (buffer-local-value 'erc-server-connected
                                                     erc-buffer))
                      20)
               (push (list line :erc "no ERC session") problems)))
           (condition-case err
               (catch 'netopt-examples-done
                (while (string-match "[^ \t\n]" code pos)
                 (let* ((read (condition-case nil
                                  (read-from-string code pos)
                                ;; Only comments are left.
                                (end-of-file
                                 (setq pos (length code))
                                 (throw 'netopt-examples-done nil))))
                        (form (car read))
                        (end (cdr read))
                        (rest (substring code end
                                         (or (string-match "\n" code end)
                                             (length code))))
                        (value nil))
                   (setq pos end)
                   (setq forms (1+ forms))
                   (condition-case err
                       (setq value (eval form t))
                     (error (push (list line (format "%.60S" form) err)
                                  problems)))
                   ;; "; => VALUE": checked when VALUE is t, nil, a
                   ;; number or a string.
                   (when (string-match
                          "\\`[ \t]*;+ => \\(\\(t\\|nil\\|-?[0-9]+\\)\\($\\|[:;, ]\\)\\|\"\\)"
                          rest)
                     (let ((expected
                            (if (match-beginning 2)
                                (car (read-from-string (match-string 2 rest)))
                              (car (read-from-string rest
                                                     (match-beginning 1))))))
                       (setq checked (1+ checked))
                       (unless (equal value expected)
                         (push (list line (format "%.60S" form)
                                     :expected expected :got value)
                               problems)))))))
             ;; A block that does not read is a problem of its own.
             (error (push (list line :read err) problems)))))
       ;; ngircd takes SIGHUP, which Emacs sends its children on exit,
       ;; as "read the configuration again": stop it here.
       (when ircd (netopt-test-stop-server ircd))
       (list :forms forms :checked checked :problems (nreverse problems))))
  "The function the child Emacs calls with the blocks of one file.
It returns (:forms N :checked M :problems LIST).")

(defconst netopt-examples-test--mounts
  '(("/etc/hosts" . "127.0.0.1 localhost irc.libera.chat\n::1 localhost\n")
    ("/etc/nsswitch.conf" . "hosts: files dns\n")
    ("/etc/resolv.conf" . "nameserver 127.0.0.1\n"))
  "The child's view of names: irc.libera.chat is its own loopback.")

(defun netopt-examples-test--run (file)
  "Run every emacs-lisp block of FILE in a fresh Emacs; check the result."
  (let* ((blocks (netopt-examples-test--blocks file))
         (result (netopt-test-child
                  `(funcall ,netopt-examples-test--runner ',blocks)
                  :unshare '("-n") :setup "ip link set lo up"
                  :mount netopt-examples-test--mounts
                  :seconds 90 :strict t)))
    (should (equal (plist-get result :problems) nil))
    result))

(ert-deftest netopt-examples-readme ()
  "Every Lisp example of README.org runs when pasted into a fresh Emacs."
  (let ((result (netopt-examples-test--run "README.org")))
    (should (>= (length (netopt-examples-test--blocks "README.org")) 2))
    (should (>= (plist-get result :forms) 4))))

(ert-deftest netopt-examples-manual ()
  "Every Lisp example of the manual runs when pasted into a fresh Emacs.
The IRC examples against an ngircd the test starts, where the manual
says how to get one; the values the examples promise are checked."
  (netopt-test-require-program "ngircd")
  (let ((result (netopt-examples-test--run "doc/netopt.org")))
    (should (>= (length (netopt-examples-test--blocks "doc/netopt.org")) 12))
    (should (>= (plist-get result :forms) 35))
    (should (>= (plist-get result :checked) 12))))

(provide 'examples-test)
;;; examples-test.el ends here
