;;; netopt-test-parallel.el --- child Emacsen that run side by side  -*- lexical-binding: t; -*-

;;; Commentary:

;; `netopt-test-parallel' is `netopt-test-child' for several forms at
;; once: each in a batch Emacs of its own, optionally in a network
;; namespace of its own, all running together, so that tests that
;; wait for the kernel's timers (test/budget-test.el,
;; test/sleep-test.el) take as long as the longest of them.

;;; Code:

(require 'netopt-test-fixtures)
(require 'netopt-test-child)

(defun netopt-test-parallel--trampolines ()
  "Have Emacs's trampoline for `make-network-process' made, once, now.
Children that turn `netopt-mode' on all at once would each compile
it into the shared eln-cache, and each compilation deletes the file
of the same name (`comp-clean-up-stale-eln') while another child may
be loading it: `native-lisp-load-failed'.  One child makes it first;
a natively compiling Emacs only."
  (when (and (fboundp 'native-comp-available-p) (native-comp-available-p))
    (netopt-test-child '(progn (netopt-mode 1) (netopt-mode -1) t)
                       :seconds 120 :strict t)))

(defun netopt-test-parallel (forms &rest keys)
  "Evaluate each of FORMS in a batch Emacs, all at once; return their values.
The values come back in the order of FORMS, each as `netopt-test-child'
returns it: (:child-error ERROR) for an error, `:timed-out' for a child
killed after :seconds (KEYS; default 60).  With :unshare t in KEYS,
each child runs in a network namespace of its own (unshare -n): the
test is skipped unless this Emacs is root.  :environment, a list of
\"VAR=VALUE\", is added to the children's environment;
:environments, a list of such lists, one per form, to each child's."
  (let ((seconds (or (plist-get keys :seconds) 60))
        (unshare (plist-get keys :unshare)))
    (when (and unshare (not (and (eq (user-uid) 0)
                                 (executable-find "unshare"))))
      (ert-skip "needs root and unshare"))
    (netopt-test-parallel--trampolines)
    (let ((procs
           (cl-mapcar
            (lambda (form environment)
              (let ((process-environment
                     (append environment (plist-get keys :environment)
                             (netopt-test-environment)))
                    (expr (format "(let ((v (condition-case err (eval '%S t) (error (list :child-error err))))) (princ \"\\nNETOPT-CHILD \") (prin1 v) (terpri) (kill-emacs 0))"
                                  form)))
                (make-process
                 :name "netopt-child" :noquery t :connection-type 'pipe
                 :buffer (generate-new-buffer " netopt-child")
                 :command
                 (append
                  (list netopt-test-pristine "timeout" "-k" "5"
                        (number-to-string seconds))
                  (and unshare '("unshare" "-n"))
                  (list (expand-file-name invocation-name invocation-directory)
                        "-Q" "--batch" "-L" netopt-test-lisp-directory
                        "-L" netopt-test-directory "-l" "netopt-test-helpers"
                        "--eval" expr)))))
            forms
            (or (plist-get keys :environments)
                (make-list (length forms) nil)))))
      (unwind-protect
          (progn
            (while (seq-some #'process-live-p procs)
              (accept-process-output nil 0.5))
            (mapcar (lambda (p)
                      (with-current-buffer (process-buffer p)
                        (goto-char (point-max))
                        (cond ((memq (process-exit-status p) '(124 137))
                               :timed-out)
                              ((re-search-backward "^NETOPT-CHILD " nil t)
                               (goto-char (match-end 0))
                               (read (current-buffer)))
                              (t (list :child-error (buffer-string))))))
                    procs))
        (dolist (p procs)
          (when (process-live-p p) (delete-process p))
          (kill-buffer (process-buffer p)))))))

;;;; A path to cut: test/tools/blackhole.sh, from a child

(defconst netopt-test-blackhole-script
  (expand-file-name "tools/blackhole.sh" netopt-test-directory)
  "The script that builds the client, router and server namespaces.")

(defun netopt-test-ngircd-conf (dir)
  "Write an ngircd configuration into DIR; return its file name.
ngircd listens on 10.2.0.2 (the server namespace of
`netopt-test-blackhole-start'), ports 6667 and 6668, with the
shipped ping timeout of 120 s."
  (let ((conf (expand-file-name "ngircd.conf" dir)))
    (set-file-modes dir #o777)
    (with-temp-file conf
      (insert "[Global]\nName = irc.netopt.test\nNetwork = NetoptTest\n"
              "Info = netopt test\nAdminInfo1 = netopt\n"
              "AdminInfo2 = tests\nAdminEMail = nobody@localhost\n"
              "Listen = 10.2.0.2\nPorts = 6667, 6668\n"
              (format "PidFile = %s\n" (expand-file-name "ngircd.pid" dir))
              "MotdPhrase = netopt\n[Limits]\nPingTimeout = 120\n"
              "[Options]\nDNS = no\nIdent = no\nPAM = no\n"))
    (set-file-modes conf #o644)
    conf))

(defun netopt-test-blackhole-start (ngircd conf)
  "In a child's new network namespace, build the path and start a server.
NGIRCD is the program, CONF its configuration
\(`netopt-test-ngircd-conf').  Return (ROUTER SERVER PROCESS): the
pids holding the router's and the server's namespaces, and ngircd's
process, once it listens on 10.2.0.2."
  (let* ((topology (split-string
                    (shell-command-to-string
                     (format "sh %s setup" netopt-test-blackhole-script))))
         (server (cadr topology))
         (process (make-process
                   :name "ngircd" :buffer " ngircd" :noquery t
                   :command (list "nsenter" "-t" server "-n"
                                  ngircd "-n" "-f" conf))))
    (netopt-test-wait-for
     (lambda ()
       (string-match-p "10\\.2\\.0\\.2:6668"
                       (shell-command-to-string
                        (format "nsenter -t %s -n ss -ltn" server))))
     10)
    (list (car topology) server process)))

(defun netopt-test-blackhole-cut (topology)
  "Cut the path of TOPOLOGY, from `netopt-test-blackhole-start'."
  (call-process "sh" nil nil nil netopt-test-blackhole-script "cut"
                (car topology)))

(defun netopt-test-blackhole-stop (topology)
  "Remove TOPOLOGY's router and server namespaces."
  (delete-process (nth 2 topology))
  (dolist (pid (list (nth 0 topology) (nth 1 topology)))
    (signal-process (string-to-number pid) 'kill)))

(defun netopt-test-irc-client (name port)
  "Connect to ngircd on 10.2.0.2:PORT as NAME, registered; return it."
  (let ((p (make-network-process :name name :host "10.2.0.2"
                                 :service port :noquery t
                                 :buffer (generate-new-buffer name))))
    (process-send-string p (format "NICK %s\r\nUSER %s 0 * :n\r\n"
                                   name name))
    (netopt-test-wait-for
     (lambda () (with-current-buffer (process-buffer p)
                  (string-match-p " 001 " (buffer-string))))
     20)
    p))

(provide 'netopt-test-parallel)
;;; netopt-test-parallel.el ends here
