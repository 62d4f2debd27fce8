;;; options-child-test.el --- options of accepted connections  -*- lexical-binding: t; -*-

;;; Commentary:

;; module/options/defaults.c: a connection a server accepted starts
;; from the kernel's defaults (not the listener's options), then gets
;; the server's :child-options.

;;; Code:

(require 'netopt-test-helpers)

;;;; Accepted connections

(netopt-deftest netopt-options-child-accept-defaults ()
  "An accepted child starts from the kernel's defaults, except :reuseaddr."
  (pcase-let* ((fresh (netopt-test-peek (netopt-test-socket)))
               (`(,srv ,cli ,child)
                (netopt-test-pair :keepalive t :linger 5 :oobinline t
                                  :dontroute t :broadcast t :priority 3
                                  :bindtodevice "lo" :nodelay t
                                  :keepidle 100)))
    (should cli)
    ;; The server really holds its options...
    (should (equal (netopt-test-kernel srv "keepalive") 1))
    (should (equal (netopt-test-kernel srv "bindtodevice") "lo"))
    ;; ...and the child the defaults of a fresh socket.
    (dolist (name '("keepalive" "linger" "oobinline" "dontroute" "broadcast"
                    "priority" "bindtodevice" "nodelay" "keepidle"))
      (should (equal (cons name (netopt-test-kernel child name))
                     (cons name (let ((v (cdr (assoc name fresh))))
                                  (if (string-match-p "\\`[0-9]+\\'" v)
                                      (string-to-number v)
                                    v))))))
    (should (equal (netopt-test-kernel child "reuseaddr") 1))))

(netopt-deftest netopt-options-child-child-options-applied ()
  ":child-options reach every accepted connection."
  (let* ((srv (netopt-test-server :child-options
                                  '(:keepalive t :priority 2 :linger 3)))
         (port (netopt-test-port srv)))
    (dotimes (_ 2)
      (netopt-test-socket :host "127.0.0.1" :service port)
      (let ((child (netopt-accept srv 5)))
        (netopt-test-close-later child)
        (should (equal (netopt-test-kernel child "keepalive") 1))
        (should (equal (netopt-test-kernel child "priority") 2))
        (should (equal (netopt-test-kernel child "linger") "1 3"))))
    (should (null (netopt-accept srv 0)))
    (should (null (netopt-accept srv 0.2)))))

(provide 'options-child-test)
;;; options-child-test.el ends here
