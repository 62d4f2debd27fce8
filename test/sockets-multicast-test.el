;;; sockets-multicast-test.el --- netopt-join-group and netopt-leave-group  -*- lexical-binding: t; -*-

;;; Commentary:

;; module/sockets/multicast.c: joining and leaving groups, and
;; delivery to a member, in a private network namespace.

;;; Code:

(require 'netopt-test-helpers)

;;;; Groups

(netopt-deftest netopt-sockets-multicast-groups ()
  "Joining and leaving groups; bad groups are bad values."
  (let ((u (netopt-test-socket :type 'datagram :server t :service t)))
    (should (eq (netopt-join-group u "224.0.0.251" "lo") t))
    (should (eq (netopt-leave-group u [224 0 0 251] "lo") t))
    (should-error (netopt-leave-group u "224.0.0.251" "lo")
                  :type 'netopt-system-error)
    (should-error (netopt-join-group u "not-an-address")
                  :type 'netopt-bad-value)
    (should-error (netopt-join-group u "ff02::1") :type 'netopt-bad-value)
    (should-error (netopt-join-group u "224.0.0.251" "nonexistent0")
                  :type 'netopt-system-error)))

(ert-deftest netopt-sockets-multicast-delivery ()
  "A member of a group receives what is sent to it; not before, not after."
  (skip-unless (executable-find "ip"))
  (let ((result
         (netopt-test-child
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
               (list before joined after)))
          :unshare '("-n") :strict t)))
    (should (equal result '(nil "joined" nil)))))

(provide 'sockets-multicast-test)
;;; sockets-multicast-test.el ends here
