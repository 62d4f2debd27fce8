;;; netopt-test-child.el --- the one way tests start a child Emacs  -*- lexical-binding: t; -*-

;;; Commentary:

;; `netopt-test-child' evaluates a form in a batch Emacs, bounded in
;; time, optionally in private namespaces (with files of the test's own
;; mounted over the system's) or as user nobody, and returns the form's
;; value.  Every test that needs a child Emacs with netopt loaded uses
;; it.  (test/package-test.el starts its own: it tests loading itself,
;; so its children must not have the helpers, or netopt, loaded.)

;;; Code:

(require 'netopt-test-fixtures)

(defconst netopt-test-child--nobody
  '("setpriv" "--reuid=nobody" "--regid=nogroup" "--clear-groups"
    "--inh-caps=-all")
  "The command that runs the rest of its command line as user nobody.")

(defun netopt-test-child (form &rest keys)
  "Evaluate FORM in a batch Emacs; return its printed value, read back.
FORM is evaluated with lexical binding, with netopt-module and these
helpers loaded (the Lisp layer this Emacs loaded, the plain module).
KEYS:

  :seconds N     kill the child (and its children) after N seconds
                 (default 30); the result is then `:timed-out'
  :unshare L     run it under `unshare' with the flags L, e.g. (\"-n\"):
                 the test is skipped when this Emacs is not root
  :setup STR     shell commands run first (inside the namespaces)
  :mount ALIST   in a private mount namespace (\"-m\" is added to
                 :unshare), each FILE of the ((FILE . TEXT) ...) of
                 ALIST reads TEXT: a temporary file mounted over it
  :as-nobody T   run the Emacs as user nobody, without capabilities:
                 the test is skipped when this Emacs cannot
  :strict T      a child that times out or signals fails the test

An error in the child comes back as (:child-error ERROR)."
  (let* ((seconds (or (plist-get keys :seconds) 30))
         (mount (plist-get keys :mount))
         (unshare (let ((flags (plist-get keys :unshare)))
                    (if (and mount (not (member "-m" flags)))
                        (cons "-m" flags)
                      flags)))
         (nobody (plist-get keys :as-nobody))
         ;; (TEMPORARY-FILE . FILE), readable by anyone (nobody too).
         (files (mapcar (lambda (entry)
                          (let ((temp (make-temp-file "netopt-mount" nil nil
                                                      (cdr entry))))
                            (set-file-modes temp #o644)
                            (cons temp (car entry))))
                        mount)))
    (when (and unshare (not (and (eq (user-uid) 0)
                                 (executable-find "unshare"))))
      (ert-skip "needs root and unshare"))
    (when (and nobody (not (and (eq (user-uid) 0)
                                (executable-find "setpriv"))))
      (ert-skip "needs root and setpriv to run as nobody"))
    (let ((result
           (unwind-protect
               (netopt-test-child--run
                form seconds unshare
                (mapconcat #'identity
                           (delq nil
                                 (append
                                  (mapcar
                                   (lambda (file)
                                     (format "mount --bind %s %s"
                                             (shell-quote-argument (car file))
                                             (shell-quote-argument (cdr file))))
                                   files)
                                  (list (plist-get keys :setup))))
                           " && ")
                (and nobody netopt-test-child--nobody))
             (mapc (lambda (file) (delete-file (car file))) files))))
      (when (plist-get keys :strict)
        (when (eq result :timed-out)
          (ert-fail "The child Emacs timed out"))
        (when (eq (car-safe result) :child-error)
          (ert-fail (list "The child Emacs signalled" (cadr result)))))
      result)))

(defun netopt-test-child--run (form seconds unshare setup wrapper)
  "Run the child Emacs of `netopt-test-child'; return FORM's value.
SECONDS bound it, UNSHARE are the flags of `unshare' (nil: none),
SETUP the shell commands run first (\"\": none), WRAPPER the command
the Emacs runs under (nil: none)."
  (with-temp-buffer
    (let* ((default-directory netopt-test-root)
           (emacs (expand-file-name invocation-name invocation-directory))
           (expr (format "(let ((v (condition-case err (eval '%S t) (error (list :child-error err))))) (princ \"\\nNETOPT-CHILD \") (prin1 v) (terpri) (kill-emacs 0))"
                         form))
           (script (concat (if (equal setup "") "" (concat setup " && "))
                           "exec "
                           (mapconcat #'shell-quote-argument wrapper " ")
                           " \"$0\" \"$@\""))
           ;; The plain module, no sanitizer runtime, no make state,
           ;; default signals: `netopt-test-call-process'.
           (rc (apply #'netopt-test-call-process "timeout" nil t nil
                      "-k" "5" (number-to-string seconds)
                      (append
                       (and unshare (cons "unshare" unshare))
                       (list "sh" "-c" script emacs "-Q" "--batch"
                             "-L" netopt-test-lisp-directory
                             "-L" netopt-test-directory
                             "-l" "netopt-test-helpers"
                             "--eval" expr)))))
      (cond
       ((memq rc '(124 137)) :timed-out)
       ((progn (goto-char (point-max))
               (re-search-backward "^NETOPT-CHILD " nil t))
        (goto-char (match-end 0))
        (read (current-buffer)))
       ((string-match-p "unshare failed\\|Operation not permitted"
                        (buffer-string))
        (ert-skip (format "namespaces are not available: %s"
                          (buffer-string))))
       (t (error "The child Emacs failed (%s): %s" rc (buffer-string)))))))

(defconst netopt-test-dns-mounts
  '(("/etc/resolv.conf" . "nameserver 127.0.0.1\n")
    ("/etc/nsswitch.conf" . "hosts: files dns\n")
    ("/etc/hosts" . "127.0.0.1 localhost\n::1 localhost\n"))
  "The `:mount' of a `netopt-test-child' whose names go to a DNS of its own.
With them, the only name server is 127.0.0.1 and /etc/hosts names
only localhost, whatever this machine has.  Give :unshare (\"-n\") as
well: in a new network namespace the loopback is down until the
child's form brings it up.")

(provide 'netopt-test-child)
;;; netopt-test-child.el ends here
