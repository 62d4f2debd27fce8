;;; netns-test.el --- behaviour in private network namespaces  -*- lexical-binding: t; -*-

;;; Commentary:

;; Each test runs a child batch Emacs under `unshare -n': a network
;; namespace of its own, whose only interface is its own loopback, so
;; taking the link down or adding a multicast route touches nothing of
;; the machine.  The child prints its findings; the test checks them.

;;; Code:

(require 'netopt-test-helpers)

(defun netopt-netns--run (form)
  "Evaluate FORM in a batch Emacs inside a new network namespace.
Return the value FORM printed, read back.  Skip when namespaces cannot
be made here."
  (unless (and (eq (user-uid) 0) (executable-find "unshare")
               (executable-find "ip"))
    (ert-skip "needs root, unshare and ip"))
  (let ((result (netopt-test-emacs-through '("unshare" "-n") form)))
    (unless (eq (car result) 0)
      (if (string-match-p "unshare failed\\|Operation not permitted"
                          (cdr result))
          (ert-skip "network namespaces are not available")
        (error "Emacs in a namespace failed (%s): %s"
               (car result) (cdr result))))
    (car (read-from-string (netopt-test-last-line (cdr result))))))

(ert-deftest netopt-netns-dead-connections-detected ()
  "Keep-alive timing and a user timeout notice a dead peer; plain TCP does not.
Three connections on the namespace's loopback: one with :keepalive t
:keepidle 1 :keepintvl 1 :keepcnt 2, one with :user-timeout 2000 and
unacknowledged data, one without either.  The link goes down, and
within 10 seconds the first two fail while the third stays open."
  (let ((result
         (netopt-netns--run
          '(progn
             (call-process "ip" nil nil nil "link" "set" "lo" "up")
             (let* ((srv (netopt-make-socket :server t :host "127.0.0.1"
                                             :service t))
                    (port (cadr (netopt-contact srv)))
                    (ka (netopt-make-socket :host "127.0.0.1" :service port
                                            :keepalive t :keepidle 1
                                            :keepintvl 1 :keepcnt 2))
                    (c1 (netopt-accept srv 5))
                    (ut (netopt-make-socket :host "127.0.0.1" :service port
                                            :user-timeout 2000))
                    (c2 (netopt-accept srv 5))
                    (ctl (netopt-make-socket :host "127.0.0.1" :service port))
                    (c3 (netopt-accept srv 5))
                    (failed nil))
               (ignore c1 c2 c3)
               (call-process "ip" nil nil nil "link" "set" "lo" "down")
               (netopt-send ut "unacknowledged")
               ;; Up to 10 s: 20 rounds of half-second waits.
               (dotimes (_ 20)
                 (dolist (pair (list (cons 'keepalive ka)
                                     (cons 'user-timeout ut)))
                   (unless (assq (car pair) failed)
                     (condition-case err
                         (when (equal (netopt-receive (cdr pair) :timeout 0.5)
                                      "")
                           (push (list (car pair) "end of stream") failed))
                       (netopt-system-error
                        (push (list (car pair) (nth 2 err)) failed))))))
               (list :failed (sort failed
                                   (lambda (a b) (string< (car a) (car b))))
                     :control (plist-get (netopt-option ctl :info) :state)
                     :keepalive (plist-get (netopt-option ka :info) :state)))))))
    (should (equal (plist-get result :failed)
                   '((keepalive "Connection timed out")
                     (user-timeout "Connection timed out"))))
    (should (eq (plist-get result :control) 'established))
    (should (eq (plist-get result :keepalive) 'close))))

(ert-deftest netopt-netns-multicast-delivery ()
  "A member of a group receives what is sent to it; not before, not after."
  (let ((result
         (netopt-netns--run
          '(progn
             (dolist (args '(("link" "set" "lo" "up")
                             ("link" "set" "lo" "multicast" "on")
                             ("route" "add" "224.0.0.0/4" "dev" "lo")))
               (apply #'call-process "ip" nil nil nil args))
             (let* ((member (netopt-make-socket :type 'datagram :server t
                                                :service t))
                    (port (cadr (netopt-contact member)))
                    (group (vector 239 1 2 3 port))
                    (sender (netopt-make-socket :type 'datagram
                                                :multicast-if "lo"
                                                :multicast-loop t
                                                :multicast-ttl 1))
                    (before nil) (joined nil) (after nil))
               (netopt-send sender "before" :to group)
               (setq before (netopt-receive member :timeout 0.5))
               (netopt-join-group member "239.1.2.3" "lo")
               (netopt-send sender "joined" :to group)
               (setq joined (netopt-receive member :timeout 5))
               (netopt-leave-group member "239.1.2.3" "lo")
               (netopt-send sender "after" :to group)
               (setq after (netopt-receive member :timeout 0.5))
               (list before joined after))))))
    (should (equal result '(nil "joined" nil)))))

(ert-deftest netopt-netns-host-with-several-addresses ()
  "A client whose :host has several addresses tries each until one connects.
In a private mount namespace, /etc/hosts gives the name netopt-dual
both ::1 and 127.0.0.1; a server listens on one of them only, first
the one, then the other: the client reaches it either way, as
`make-network-process' does."
  (skip-unless (netopt-test-ipv6-p))
  (let ((hosts (make-temp-file "netopt-hosts" nil nil
                               "::1 netopt-dual\n127.0.0.1 netopt-dual\n")))
    (unwind-protect
        (with-temp-buffer
          (unless (and (eq (user-uid) 0) (executable-find "unshare"))
            (ert-skip "needs root and unshare"))
          (let ((rc (progn
                      (netopt-test-call-process
                       "unshare" nil t nil "-m" "sh" "-c"
                       (format "mount --bind %s /etc/hosts && exec %s -Q --batch -L %s --eval %s"
                               (shell-quote-argument hosts)
                               (shell-quote-argument
                                (expand-file-name invocation-name
                                                  invocation-directory))
                               (shell-quote-argument
                                netopt-test-lisp-directory)
                               (shell-quote-argument
                                (format "(progn (require 'netopt-module) (prin1 %S))"
                                        '(mapcar
                                          (lambda (host)
                                            (let* ((srv (netopt-make-socket
                                                         :server t :host host
                                                         :service t))
                                                   (cli (netopt-make-socket
                                                         :host "netopt-dual"
                                                         :service (cadr (netopt-contact srv))
                                                         :keepalive t)))
                                              (prog1 (list (netopt-contact cli :family)
                                                           (netopt-option cli :keepalive))
                                                (netopt-close cli)
                                                (netopt-close srv))))
                                          '("127.0.0.1" "::1")))))))))
            (unless (eq rc 0)
              (error "Emacs in a mount namespace failed (%s): %s" rc
                     (buffer-string)))
            (goto-char (point-max))
            (forward-line 0)
            (should (equal (read (current-buffer))
                           '((ipv4 t) (ipv6 t))))))
      (delete-file hosts))))

(provide 'netns-test)
;;; netns-test.el ends here
