;;; audit-test.el --- regressions for the robustness audit  -*- lexical-binding: t; -*-

;;; Commentary:

;; One test (or more) for each finding of the red-team and real-client
;; audits that is not about waiting (test/wait-test.el has those):
;; Emacs's processes (found while connecting, probes that leave no
;; trace, a pending error nobody consumes, creation keywords that reach
;; Emacs), resources (EMFILE on accept, memory exhaustion) and input
;; (datagram sizes, ports as strings, :mark, multibyte strings, partial
;; sends, bind errors).  The kernel's side is read by sockpeek or shown
;; by traffic; tests that need a descriptor or memory limit, or a
;; network namespace, run in a child Emacs.

;;; Code:

(require 'netopt-test-helpers)
(require 'seq)

(defun netopt-audit--full-listener ()
  "Return (SERVER . PORT): a backlog-0 listener whose queue is full.
A connection to it stays in SYN-SENT until the queue frees."
  (let* ((srv (netopt-test-socket :server 0 :host "127.0.0.1" :service t))
         (port (netopt-test-port srv)))
    ;; Fill the accept queue: with backlog 0 Linux queues one; later
    ;; handshakes are dropped and the client keeps retrying.
    (netopt-test-socket :host "127.0.0.1" :service port :timeout 2)
    (cons srv port)))

;;;; Emacs's processes

(netopt-deftest netopt-audit-connecting-process-found ()
  "A process in status `connect' (SYN-SENT, no peer yet) can be found."
  (let* ((port (cdr (netopt-audit--full-listener)))
         (p (netopt-test-delete-later
             (make-network-process :name "connecting" :host "127.0.0.1"
                                   :service port :nowait t))))
    (should (eq (process-status p) 'connect))
    (should (eq (netopt-set-option p :keepidle 77) t))
    (should (eq (process-status p) 'connect))
    (should (equal (cdr (assoc "keepidle" (netopt-test-socket-of p)))
                   "77"))
    ;; netopt-make-network-process :nowait t keeps its process.
    (let ((q (netopt-test-delete-later
              (netopt-make-network-process :name "nowait" :host "127.0.0.1"
                                           :service port :nowait t
                                           :keepidle 78))))
      (should (process-live-p q))
      (should (equal (cdr (assoc "keepidle" (netopt-test-socket-of q)))
                     "78")))))

(defun netopt-audit--priorities ()
  "Return the SO_PRIORITY of every socket of this Emacs, by descriptor."
  (mapcar (lambda (entry) (cons (car entry) (cdr (assoc "priority" (cdr entry)))))
          (netopt-test-emacs-sockets)))

(netopt-deftest netopt-audit-probe-leaves-no-trace ()
  "Locating datagram clients (a probe decides) changes no kernel value.
Nor does it add :priority to any `process-contact'."
  (let* ((r (netopt-test-socket :type 'datagram :server t :host "127.0.0.1"
                                :service t))
         (clients (mapcar (lambda (i)
                            (netopt-test-delete-later
                             (make-network-process
                              :name (format "d%d" i) :type 'datagram
                              :host "127.0.0.1"
                              :service (netopt-test-port r))))
                          '(1 2 3)))
         (before (netopt-audit--priorities)))
    (dolist (c clients)
      (should (eq (netopt-option c :keepalive) nil))
      (should-not (plist-member (process-contact c t) :priority)))
    (should (equal (netopt-audit--priorities) before))))

(netopt-deftest netopt-audit-pending-error-kept ()
  "Only an explicit (netopt-option X :error) consumes a pending error."
  (let* ((closed (netopt-test-socket :type 'datagram :server t
                                     :host "127.0.0.1" :service t))
         (port (netopt-test-port closed))
         (s (progn (netopt-close closed)
                   (netopt-test-socket :type 'datagram :host "127.0.0.1"
                                       :service port))))
    ;; The datagram reaches a closed port: ICMP makes ECONNREFUSED
    ;; pending on S.
    (netopt-send s "x")
    (sleep-for 0.1)
    (should (plist-get (netopt-contact s t) :local))
    (should-not (plist-member (netopt-contact s t) :error))
    (should-not (netopt-contact s :error))
    ;; Still there for the explicit read, and a receive would report
    ;; "Connection refused" rather than time out.
    (should (> (netopt-option s :error) 0))
    (should (eql (netopt-option s :error) 0))))

(netopt-deftest netopt-audit-make-network-process-keywords ()
  "Bad values and child options fail before anything is made.
An option settable only before bind is set before bind: netopt makes
the socket (first refused with a clear error, until the adoption made
it possible)."
  (let* ((srv (netopt-test-server))
         (port (netopt-test-port srv))
         (procs (length (process-list)))
         (fds (netopt-test-fd-count)))
    ;; A before-bind option on a client is in the kernel.
    (let ((rp (netopt-make-network-process :name "rp" :host "127.0.0.1"
                                           :service port :reuseport t)))
      (netopt-test-delete-later rp)
      (should (equal (cdr (assoc "reuseport" (netopt-test-socket-of rp)))
                     "1"))
      (delete-process rp))
    ;; Refused at once, before anything is made.
    (let ((bad (list :name "bad" :host "127.0.0.1" :service port
                     :bindtodevice "lo\0evil"))
          (server (list :name "srv" :server t :host "127.0.0.1" :service t)))
      (should-error (apply #'netopt-make-network-process bad)
                    :type 'netopt-bad-value)
      (should-error (apply #'netopt-make-network-process
                           :child-options '(:keepidle "x") server)
                    :type 'netopt-bad-value)
      (should-error (apply #'netopt-make-network-process
                           :child-options '(:no-such-option 1) server)
                    :type 'netopt-unknown-option))
    (should (= (length (process-list)) procs))
    (should (= (netopt-test-fd-count) fds))
    ;; :linger t lingers; the contact says for how long.
    (let* ((netopt-linger-seconds 7)
           (p (netopt-test-delete-later
               (netopt-make-network-process :name "l" :host "127.0.0.1"
                                            :service port :linger t
                                            :keepalive t))))
      (should (equal (cdr (assoc "linger" (netopt-test-socket-of p)))
                     "1 7"))
      (should (eql (process-contact p :linger) 7))
      (should (eq (process-contact p :keepalive) t)))))

(ert-deftest netopt-audit-bindtodevice-before-connect ()
  "`:bindtodevice' given to netopt-make-network-process rules the route.
In a private network namespace with loopback up and a veth interface
down, a connection to 127.0.0.1 bound to the veth cannot be made
\(network unreachable): the device was set before connect.  (Set
after connect, the connection would succeed, then its data would be
lost.)"
  (skip-unless (executable-find "ip"))
  (let ((result
         (netopt-test-child
          '(progn
             (call-process "ip" nil nil nil "link" "set" "lo" "up")
             (call-process "ip" nil nil nil "link" "add" "dum0" "type" "veth"
                           "peer" "name" "dum1")
             (let* ((srv (netopt-make-socket :server t :host "127.0.0.1"
                                             :service t))
                    (port (cadr (netopt-contact srv)))
                    (plain (make-network-process :name "plain"
                                                 :host "127.0.0.1"
                                                 :service port))
                    (bound (condition-case err
                               (netopt-make-network-process
                                :name "bound" :host "127.0.0.1" :service port
                                :bindtodevice "dum0")
                             (file-error (car err)))))
               (list (process-status plain)
                     (if (processp bound) (process-status bound) bound))))
          :unshare '("-n"))))
    (should (eq (car result) 'open))
    ;; netopt's "Cannot connect" (Network is unreachable) is a file-error.
    (should (memq (cadr result) '(file-error netopt-system-error)))))

;;;; Resources

(ert-deftest netopt-audit-accept-at-descriptor-limit ()
  "At the descriptor limit, accept fails and the connection stays queued."
  (unless (executable-find "prlimit") (ert-skip "needs prlimit"))
  (let ((result
         (netopt-test-child
          '(let* ((srv (netopt-make-socket :server t :host "127.0.0.1"
                                           :service t))
                  (cli (netopt-make-socket :host "127.0.0.1"
                                           :service (cadr (netopt-contact srv))))
                  (fillers nil)
                  (first nil) (child nil))
             (netopt-send cli "hello")
             ;; Use up every descriptor under a small limit.
             (call-process "prlimit" nil nil nil
                           (format "--pid=%d" (emacs-pid)) "--nofile=64:64")
             (condition-case nil
                 (while t (push (netopt-make-socket :type 'datagram) fillers))
               (netopt-system-error nil))
             (setq first (condition-case err (netopt-accept srv 1)
                           (netopt-system-error (cadr (cdr err)))))
             (mapc #'netopt-close fillers)
             (setq child (netopt-accept srv 1))
             (list first (netopt-receive child :timeout 2))))))
    (should (equal (car result) "Too many open files"))
    (should (equal (cadr result) "hello"))))

(ert-deftest netopt-audit-out-of-memory-is-not-bad-value ()
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

;;;; Input

(netopt-deftest netopt-audit-ports-as-strings ()
  "Ports given as strings are checked like integers; \"0\" reports its port."
  (should-error (netopt-make-socket :host "127.0.0.1" :service "99999")
                :type 'netopt-bad-value)
  (should-error (netopt-make-socket :server t :host "127.0.0.1"
                                    :service "65536")
                :type 'netopt-bad-value)
  (let* ((srv (netopt-test-socket :server t :host "127.0.0.1" :service "0"))
         (port (netopt-contact srv :service)))
    (should (integerp port))
    (should (> port 0))
    (should (equal (netopt-test-kernel srv "local")
                   (format "127.0.0.1:%d" port)))
    ;; And a client given the port as a string reaches it.
    (netopt-test-socket :host "127.0.0.1" :service (number-to-string port))
    (should (netopt-accept srv 2))))

(netopt-deftest netopt-audit-mark-unsigned ()
  "`:mark' takes the whole unsigned 32-bit range."
  (skip-unless (memq :mark (netopt-supported-options)))
  (skip-unless (eq (user-uid) 0))
  (let ((s (netopt-test-socket :type 'datagram)))
    (should (eq (netopt-set-option s :mark 4294967295) t))
    (should (eql (netopt-option s :mark) 4294967295))
    (should (eql (netopt-test-kernel s "mark") -1)) ; sockpeek prints an int
    (should-error (netopt-set-option s :mark 4294967296)
                  :type 'netopt-bad-value)
    (should-error (netopt-set-option s :mark -1) :type 'netopt-bad-value)))

(netopt-deftest netopt-audit-multibyte-strings ()
  "Multibyte strings go out as UTF-8, raw-byte characters as their bytes."
  (pcase-let ((`(,_srv ,cli ,child) (netopt-test-pair)))
    (dolist (s (list "plain" "caf\u00e9 \u2603" (string ?a #x3fffff ?b)
                     (concat "\u00e9" (string #x3fff80))
                     (unibyte-string 0 255 128 10)))
      (let ((bytes (if (multibyte-string-p s)
                       (encode-coding-string s 'utf-8-unix)
                     s)))
        (should (= (netopt-send cli s) (length bytes)))
        (should (equal (netopt-receive child :max (length bytes) :timeout 2)
                       bytes))))))

(netopt-deftest netopt-audit-partial-send-reported ()
  "A send ended by a close during its wait says how many bytes went out."
  (pcase-let ((`(,_srv ,cli ,_child) (netopt-test-pair)))
    (netopt-set-option cli :sndbuf 4096)
    (run-with-timer 0.3 nil (lambda () (netopt-close cli)))
    (let ((err (should-error (netopt-send cli (make-string (* 8 1024 1024) ?z)
                                          :timeout 10)
                             :type 'netopt-closed)))
      (let ((sent (cadr (memq :sent err))))
        (should (integerp sent))
        (should (> sent 0))
        (should (< sent (* 8 1024 1024)))))))

(netopt-deftest netopt-audit-bind-error-names-address ()
  "A bind failure names the address, also when given as :host/:service."
  (let* ((srv (netopt-test-server))
         (port (netopt-test-port srv))
         (args (list :server t :host "127.0.0.1" :service port
                     :reuseaddr nil))
         (err (should-error (apply #'netopt-make-socket args)
                            :type 'netopt-system-error)))
    (should (equal (car (cdr err)) "Cannot bind"))
    (should (member (vector 127 0 0 1 port) err))))

(netopt-deftest netopt-audit-lingering-close-lets-emacs-run ()
  "A close that lingers (:linger N, data queued) lets timers run meanwhile.
The peer reads nothing, so the queued data cannot go out; close(2)
itself would block Emacs for the N seconds.  A timer set to fire
during them must run before `netopt-close' returns."
  (pcase-let ((`(,_srv ,cli ,child) (netopt-test-pair)))
    (netopt-set-option child :rcvbuf 4096)
    (netopt-set-option cli :sndbuf 4096)
    ;; Fill both buffers; what does not fit stays unsent.
    (should (< (netopt-send cli (make-string (* 4 1024 1024) ?q) :timeout 0.2)
               (* 4 1024 1024)))
    (netopt-set-option cli :linger 2)
    (let ((ran nil))
      (run-with-timer 0.3 nil (lambda () (setq ran t)))
      (should (null (netopt-close cli)))
      (should ran)
      (should-not (netopt-live-p cli)))))

(provide 'audit-test)
;;; audit-test.el ends here
