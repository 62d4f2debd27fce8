;;; behaviour-test.el --- the manual's options proven by traffic  -*- lexical-binding: t; -*-

;;; Commentary:

;; Each option is shown by traffic on loopback that only behaves that way
;; when the option is on: urgent data inline, broadcast delivery, reset
;; versus orderly close, rebinding a port held in TIME_WAIT.  Accepted
;; connections start from the kernel's defaults.

;;; Code:

(require 'netopt-test-helpers)

(netopt-deftest netopt-behaviour-oob-separate ()
  "Without :oobinline, urgent data is read with :oob t, not in the stream."
  (pcase-let ((`(,_srv ,cli ,child) (netopt-test-pair)))
    (netopt-send cli "ab")
    (netopt-send cli "X" :oob t)
    (netopt-send cli "cd")
    (should (equal (netopt-receive child :oob t :timeout 5) "X"))
    (netopt-close cli)
    (should (equal (netopt-test-receive-all child) "abcd"))))

(netopt-deftest netopt-behaviour-oob-inline ()
  "With :oobinline (a child option), urgent data arrives in the stream."
  (pcase-let ((`(,_srv ,cli ,child)
               (netopt-test-pair :child-options '(:oobinline t))))
    (should (equal (netopt-test-kernel child "oobinline") 1))
    (netopt-send cli "ab")
    (netopt-send cli "X" :oob t)
    (netopt-send cli "cd")
    (netopt-close cli)
    (should (equal (netopt-test-receive-all child) "abXcd"))
    (should-error (netopt-receive child :oob t :timeout 0.2)
                  :type 'netopt-system-error)))

(netopt-deftest netopt-behaviour-broadcast ()
  "Sending to 127.255.255.255 needs :broadcast; with it the datagram arrives."
  (let* ((r (netopt-test-socket :type 'datagram :server t :service t))
         (to (vector 127 255 255 255 (netopt-test-port r)))
         (plain (netopt-test-socket :type 'datagram))
         (made (netopt-test-socket :type 'datagram :broadcast t)))
    (should-error (netopt-send plain "no" :to to)
                  :type 'netopt-permission-denied)
    (should (null (netopt-receive r :timeout 0.2)))
    (should (= (netopt-send made "one" :to to) 3))
    (should (equal (car (netopt-receive-from r :timeout 5)) "one"))
    (should (eq (netopt-set-option plain :broadcast t) t))
    (should (= (netopt-send plain "two" :to to) 3))
    (should (equal (car (netopt-receive-from r :timeout 5)) "two"))
    (netopt-set-option plain :broadcast nil)
    (should-error (netopt-send plain "no" :to to)
                  :type 'netopt-permission-denied)))

(netopt-deftest netopt-behaviour-linger-zero-resets ()
  ":linger 0 closes with a reset: the peer sees the connection reset."
  (pcase-let ((`(,_srv ,cli ,child) (netopt-test-pair)))
    (netopt-set-option cli :linger 0)
    (netopt-send cli (make-string 1000 ?x))
    (netopt-send child "unread by the client")
    (netopt-close cli)
    (let ((err (should-error (netopt-test-receive-all child)
                             :type 'netopt-system-error)))
      (should (member "Connection reset by peer" err)))))

(netopt-deftest netopt-behaviour-linger-off-delivers ()
  ":linger nil: the peer reads all the data, then the end of the stream."
  (pcase-let ((`(,_srv ,cli ,child) (netopt-test-pair)))
    (should (null (netopt-option cli :linger)))
    (let ((data (make-string (* 1024 1024) ?d)))
      (should (= (netopt-send cli data) (length data)))
      (netopt-close cli)
      (should (= (length (netopt-test-receive-all child)) (length data))))))

(netopt-deftest netopt-behaviour-linger-t-delivers ()
  ":linger t holds netopt-linger-seconds in the kernel and delivers all."
  (let ((netopt-linger-seconds 7))
    (pcase-let ((`(,_srv ,cli ,child) (netopt-test-pair)))
      (netopt-set-option cli :linger t)
      (should (equal (netopt-test-kernel cli "linger") "1 7"))
      (netopt-send cli (make-string 100000 ?t))
      (netopt-close cli)
      (should (= (length (netopt-test-receive-all child)) 100000)))))

(defun netopt-behaviour--time-wait-port ()
  "Return a loopback port left in TIME_WAIT on the server side."
  (let* ((srv (netopt-make-socket :server t :host "127.0.0.1" :service t))
         (port (netopt-test-port srv))
         (cli (netopt-make-socket :host "127.0.0.1" :service port))
         (child (netopt-accept srv 5)))
    ;; The server side closes first, so its end goes to TIME_WAIT.
    (netopt-close child)
    (netopt-test-receive-all cli)
    (netopt-close cli)
    (netopt-close srv)
    port))

(netopt-deftest netopt-behaviour-reuseaddr-time-wait ()
  ":reuseaddr rebinds a port held in TIME_WAIT; without it bind fails."
  (let ((port (netopt-behaviour--time-wait-port)))
    (when (executable-find "ss")
      (should (string-match-p
               (format "TIME-WAIT.*127\\.0\\.0\\.1:%d\\b" port)
               (cdr (netopt-test-command "ss" "-tan")))))
    (should-error (netopt-make-socket :server t :host "127.0.0.1"
                                      :service port :reuseaddr nil)
                  :type 'netopt-system-error)
    (should (netopt-test-socket :server t :host "127.0.0.1" :service port
                                :reuseaddr t))))

(netopt-deftest netopt-behaviour-accept-defaults ()
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

(netopt-deftest netopt-behaviour-child-options ()
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

(netopt-deftest netopt-behaviour-errors ()
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

(ert-deftest netopt-behaviour-unprivileged ()
  "As nobody, :priority 7 and re-binding a bound device are refused."
  (should (equal (netopt-test-as-nobody
                  '(condition-case nil (netopt-make-socket :priority 7)
                     (netopt-permission-denied 'denied)))
                 "denied"))
  (should (equal (netopt-test-as-nobody
                  '(let ((s (netopt-make-socket)))
                     (list (netopt-set-option s :priority 6)
                           (netopt-option s :priority)
                           (condition-case nil (netopt-set-option s :priority 7)
                             (netopt-system-error 'denied)))))
                 "(t 6 denied)"))
  (should (equal (netopt-test-as-nobody
                  '(let ((s (netopt-make-socket :bindtodevice "lo")))
                     (condition-case nil (netopt-set-option s :bindtodevice nil)
                       (netopt-permission-denied 'denied))))
                 "denied"))
  ;; The same calls succeed as root, as the kernel confirms.
  (let ((s (netopt-make-socket :priority 7 :bindtodevice "lo")))
    (unwind-protect
        (progn
          (should (equal (netopt-test-kernel s "priority") 7))
          (should (eq (netopt-set-option s :bindtodevice nil) t))
          (should (equal (netopt-test-kernel s "bindtodevice") "-")))
      (netopt-close s))))

(provide 'behaviour-test)
;;; behaviour-test.el ends here
