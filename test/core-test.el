;;; core-test.el --- the module core: errors, conversions, threads  -*- lexical-binding: t; -*-

;;; Commentary:

;; module/core: the glue between the module and Emacs.  The error
;; symbols of the contract and where each is signalled, an allocation
;; that fails, and calls from Lisp threads.

;;; Code:

(require 'netopt-test-helpers)

;;;; Errors

(netopt-deftest netopt-core-errors ()
  "The error symbols of the contract, each where it says."
  (let ((s (netopt-test-socket)))
    (should (memq 'file-error (get 'netopt-permission-denied 'error-conditions)))
    (should (memq 'netopt-system-error
                  (get 'netopt-permission-denied 'error-conditions)))
    (should-error (netopt-set-option s :bogus t) :type 'netopt-unknown-option)
    (should (null (netopt-set-option s :bogus t t)))
    (should-error (netopt-option s :bogus) :type 'netopt-unknown-option)
    (should-error (netopt-option-info :bogus) :type 'netopt-unknown-option)
    (should-error (netopt-set-option s 'keepalive t t)
                  :type 'wrong-type-argument)
    (should-error (netopt-set-option s "keepalive" t)
                  :type 'wrong-type-argument)
    (should-error (netopt-set-option 42 :keepalive t)
                  :type 'wrong-type-argument)
    (should-error (netopt-option (current-buffer) :keepalive)
                  :type 'wrong-type-argument)
    (should-error (netopt-set-option s :priority "x" t)
                  :type 'netopt-bad-value)
    (should-error (netopt-set-option s :linger -1) :type 'netopt-bad-value)
    (should-error (netopt-set-option s :bindtodevice 5)
                  :type 'netopt-bad-value)
    (let ((err (should-error (netopt-set-option s :bindtodevice
                                                "nonexistent0")
                             :type 'netopt-system-error)))
      (should (equal (cdr err) '("Cannot set network option" "No such device"
                                 :bindtodevice "nonexistent0")))
      (should (memq 'file-error (get (car err) 'error-conditions))))
    (should (string-match-p "Bad option value.*:priority"
                            (error-message-string
                             (should-error (netopt-set-option s :priority 'x)
                                           :type 'netopt-bad-value))))
    (should (string-match-p "Unknown or unsupported option: :bogus"
                            (error-message-string
                             (should-error (netopt-option s :bogus)
                                           :type 'netopt-unknown-option))))
    (netopt-close s)
    (dolist (call (list (lambda () (netopt-set-option s :keepalive t))
                        (lambda () (netopt-option s :keepalive))
                        (lambda () (netopt-contact s t))
                        (lambda () (netopt-send s "x"))
                        (lambda () (netopt-receive s :timeout 0))
                        (lambda () (netopt-accept s 0))))
      (should-error (funcall call) :type 'netopt-closed))))

(ert-deftest netopt-core-out-of-memory-is-not-bad-value ()
  "A failed allocation signals an error, never `netopt-bad-value'."
  (unless (executable-find "prlimit") (ert-skip "needs prlimit"))
  (let ((result
         (netopt-test-child
          '(let* ((srv (netopt-make-socket :server t :host "127.0.0.1"
                                           :service t))
                  (cli (netopt-make-socket :host "127.0.0.1"
                                           :service (cadr (netopt-contact srv))))
                  (child (netopt-accept srv 2))
                  (size (with-temp-buffer
                          (insert-file-contents "/proc/self/status")
                          (re-search-forward "VmSize:\\s-+\\([0-9]+\\)")
                          (string-to-number (match-string 1)))))
             (netopt-send cli "data")
             ;; Room for 16 MiB more, not for a 64 MiB buffer.
             (call-process "prlimit" nil nil nil (format "--pid=%d" (emacs-pid))
                           (format "--as=%d" (* 1024 (+ size 16384))))
             (condition-case err
                 (progn (netopt-receive child :max (* 64 1024 1024) :timeout 2)
                        'no-error)
               (error (list (car err) (get (car err) 'error-conditions))))))))
    (should (consp result))
    (should-not (eq (car result) 'netopt-bad-value))
    (should (memq 'error (cadr result)))))

;;;; Lisp threads

(ert-deftest netopt-core-threads ()
  "Calls from a Lisp thread work, and their errors stay Lisp errors."
  (skip-unless (fboundp 'make-thread))
  (let* ((result nil)
         (thread (make-thread
                  (lambda ()
                    (let ((s (netopt-make-socket :type 'datagram :server t
                                                 :host "127.0.0.1" :service t
                                                 :keepalive t)))
                      (setq result
                            (list (netopt-option s :keepalive)
                                  (condition-case err
                                      (netopt-set-option s :priority "x")
                                    (netopt-bad-value (car err)))
                                  (netopt-receive s :timeout 0)))
                      (netopt-close s))))))
    (thread-join thread)
    (should (null (thread-last-error t)))
    (should (equal result '(t netopt-bad-value nil)))))

(provide 'core-test)
;;; core-test.el ends here
