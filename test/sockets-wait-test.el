;;; sockets-wait-test.el --- waits that let Emacs live  -*- lexical-binding: t; -*-

;;; Commentary:

;; module/sockets/wait.c, API.md section 2: while netopt waits (name resolution, connect,
;; accept, send, receive), timers, process filters and sentinels and
;; other Lisp threads run, and C-g interrupts the wait; one deadline
;; covers the whole call; a name is resolved once per call; a socket
;; closed during its own wait ends it with `netopt-closed'.
;;
;; Each test proves its claim by an effect: data that only a timer, a
;; filter, a sentinel or another thread sends arrives during the wait.
;; Where the check is "the effect came during the wait", the test also
;; shows the effect comes afterwards, so a failure says the harness
;; worked and the wait did not let it run.  Calls that could block for
;; good run in a child Emacs killed after a bound (`netopt-test-child'),
;; whose result is then `:timed-out'.  Name resolution runs in private
;; mount and network namespaces with a DNS server of the test's own
;; (test/tools/dns-responder.el); those tests need root.  And C-g
;; interrupts a blocking call in an interactive Emacs driven through
;; tmux.

;;; Code:

(require 'netopt-test-helpers)
(require 'thread)

(defun netopt-wait--after (seconds function)
  "Call FUNCTION after SECONDS from a timer, cancelled when the test ends."
  (netopt-test-cancel-later (run-with-timer seconds nil function)))

(defun netopt-wait--settle ()
  "Let timers, filters and sentinels that are due run now."
  (accept-process-output nil 0.3))

(defun netopt-wait--emacs-server (&rest args)
  "Return an Emacs (not netopt) IPv4 stream server on loopback.
ARGS are more keywords for `make-network-process'."
  (apply #'make-network-process :name "netopt-wait-emacs" :server t
         :host "127.0.0.1" :service t :family 'ipv4 :noquery t
         :coding 'binary args))

;;;; The harness

(ert-deftest netopt-sockets-wait-harness-child ()
  "A child Emacs reports its value, its errors, and a hang as `:timed-out'."
  :tags '(wait)
  (should (equal (netopt-test-child '(let ((x 2)) (funcall (lambda () x))))
                 2))
  (should (equal (netopt-test-child '(car 1))
                 '(:child-error (wrong-type-argument listp 1))))
  (should (eq (netopt-test-child '(sleep-for 60) :seconds 2) :timed-out)))

;;;; Timers

(netopt-deftest netopt-sockets-wait-timer-runs-during-receive ()
  "A timer that sends to the peer runs while `netopt-receive' waits."
  :tags '(wait)
  (pcase-let ((`(,_ ,cli ,peer) (netopt-test-pair)))
    (netopt-wait--after 0.2 (lambda () (netopt-send peer "hello")))
    (let ((during (netopt-receive cli :timeout 5)))
      (netopt-wait--settle)
      (should (equal (list during (netopt-receive cli :timeout 0))
                     '("hello" nil))))))

(netopt-deftest netopt-sockets-wait-timer-runs-during-accept ()
  "A timer that connects a client runs while `netopt-accept' waits.
The client is an Emacs network process, not netopt's."
  :tags '(wait)
  (let* ((srv (netopt-test-server))
         (client nil))
    (unwind-protect
        (progn
          (netopt-wait--after
           0.2 (lambda ()
                 (setq client (make-network-process
                               :name "netopt-wait-client" :family 'ipv4
                               :host "127.0.0.1" :service (netopt-test-port srv)
                               :noquery t))))
          (let ((during (netopt-accept srv 5)))
            (when during (netopt-test-close-later during))
            (netopt-wait--settle)
            (let ((after (netopt-accept srv 0)))
              (when after (netopt-test-close-later after))
              (should (equal (list (netopt-socket-p during)
                                   (netopt-socket-p after))
                             '(t nil))))))
      (when client (delete-process client)))))

(ert-deftest netopt-sockets-wait-timer-runs-during-connect ()
  "A timer that frees a full accept queue runs while a connect waits.
A local stream server with backlog 0 has its queue filled by Emacs
clients; a timer accepts one, and `netopt-make-socket' to it connects.
In a child Emacs, so a connect spinning on EAGAIN cannot hang the run."
  :tags '(wait)
  (let ((r (netopt-test-child
            '(let* ((path (netopt-test-temp-socket-name))
                    (srv (netopt-make-socket :family 'local :service path
                                             :server 0))
                    (queued (netopt-test-fill-local-backlog path))
                    (accepted nil))
               (unwind-protect
                   (progn
                     (run-with-timer 0.2 nil
                                     (lambda ()
                                       (setq accepted (netopt-accept srv 0))))
                     (let ((s (condition-case err
                                  (netopt-make-socket :family 'local
                                                      :service path
                                                      :timeout 5)
                                (error (list 'error err)))))
                       (list (> (length queued) 0) (netopt-socket-p accepted)
                             (if (netopt-socket-p s) 'connected s))))
                 (delete-file path)))
            :seconds 30)))
    (should (equal r '(t t connected)))))

;;;; Process filters and sentinels

(defun netopt-wait--emacs-connection (server)
  "Connect an Emacs client to the Emacs SERVER; return the client.
Return once SERVER has accepted the connection."
  (let ((client (make-network-process
                 :name "netopt-wait-client" :family 'ipv4 :host "127.0.0.1"
                 :service (process-contact server :service) :noquery t
                 :coding 'binary)))
    (unless (netopt-test-wait-for (lambda () (process-get server 'accepted)))
      (error "The Emacs server did not accept"))
    client))

(netopt-deftest netopt-sockets-wait-filter-runs-during-receive ()
  "A process filter runs while `netopt-receive' waits.
An Emacs server's connection filter, given data sent just before the
wait, sends to the netopt peer."
  :tags '(wait)
  (pcase-let* ((`(,_ ,cli ,peer) (netopt-test-pair))
               (server (netopt-wait--emacs-server
                        :log (lambda (srv _c _m) (process-put srv 'accepted t))
                        :filter (lambda (_p data)
                                  (netopt-send peer (concat "filter:" data))))))
    (unwind-protect
        (let ((client (netopt-wait--emacs-connection server)))
          (process-send-string client "ping")
          (let ((during (netopt-receive cli :timeout 5)))
            (netopt-wait--settle)
            (should (equal (list during (netopt-receive cli :timeout 0))
                           '("filter:ping" nil))))
          (delete-process client))
      (delete-process server))))

(netopt-deftest netopt-sockets-wait-sentinel-runs-during-receive ()
  "A process sentinel runs while `netopt-receive' waits.
The Emacs client is deleted just before the wait; the sentinel of the
server's connection, told the peer went away, sends to the netopt peer."
  :tags '(wait)
  (pcase-let* ((`(,_ ,cli ,peer) (netopt-test-pair))
               (server (netopt-wait--emacs-server
                        :log (lambda (srv _c _m) (process-put srv 'accepted t))
                        :sentinel (lambda (p _event)
                                    (unless (memq (process-status p)
                                                  '(open listen))
                                      (netopt-send peer "sentinel"))))))
    (unwind-protect
        (progn
          (delete-process (netopt-wait--emacs-connection server))
          (let ((during (netopt-receive cli :timeout 5)))
            (netopt-wait--settle)
            (should (equal (list during (netopt-receive cli :timeout 0))
                           '("sentinel" nil)))))
      (delete-process server))))

;;;; Lisp threads

(netopt-deftest netopt-sockets-wait-thread-runs-during-main-receive ()
  "Another thread runs while the main thread waits in `netopt-receive'."
  :tags '(wait)
  (pcase-let ((`(,_ ,cli ,peer) (netopt-test-pair)))
    (let* ((thread (make-thread (lambda () (netopt-send peer "thread"))
                                "netopt-wait-sender"))
           (during (netopt-receive cli :timeout 5)))
      (thread-join thread)
      (should (equal (list during (netopt-receive cli :timeout 0))
                     '("thread" nil))))))

(ert-deftest netopt-sockets-wait-main-runs-during-thread-receive ()
  "The main thread runs while another thread waits in `netopt-receive'.
The thread waits without a timeout; the main thread, once the thread is
inside its wait, sends the data, and `thread-join' returns it.  In a
child Emacs, so a waiting thread that kept the global lock cannot hang
the run."
  :tags '(wait)
  (should
   (equal (netopt-test-child
           '(netopt-test-with-cleanup
              (let* ((pair (netopt-test-pair))
                     (cli (nth 1 pair)) (peer (nth 2 pair))
                     (entered nil)
                     (thread (make-thread (lambda ()
                                            (setq entered t)
                                            (netopt-receive cli))
                                          "netopt-wait-receiver"))
                     (n 0))
                ;; `entered' is set right before the wait, without a
                ;; yield: seeing it means the thread is waiting.
                (while (and (not entered) (< n 100))
                  (accept-process-output nil 0.01)
                  (setq n (1+ n)))
                (netopt-send peer "main")
                (setq n 0)
                (while (and (thread-live-p thread) (< n 200))
                  (accept-process-output nil 0.05)
                  (setq n (1+ n)))
                (list entered (if (thread-live-p thread) 'still-waiting
                                (thread-join thread))))))
          '(t "main"))))

;;;; Non-local exits

(ert-deftest netopt-sockets-wait-non-local-exit-is-clean ()
  "A `with-timeout' around a receive without :timeout gives up cleanly.
Afterwards the socket still sends and receives, and no descriptor was
left open.  In a child Emacs, so a receive that blocked cannot hang
the run."
  :tags '(wait)
  (should
   (equal (netopt-test-child
           '(netopt-test-with-cleanup
              (let* ((pair (netopt-test-pair))
                     (cli (nth 1 pair)) (peer (nth 2 pair))
                     (before (netopt-test-fd-count))
                     (r (with-timeout (0.3 'gave-up) (netopt-receive cli)))
                     (leaked (- (netopt-test-fd-count) before)))
                (netopt-send peer "after")
                (list r leaked (netopt-live-p cli)
                      (netopt-receive cli :timeout 5)
                      (progn (netopt-send cli "back")
                             (netopt-receive peer :timeout 5))))))
          '(gave-up 0 t "after" "back"))))

;;;; Closed during its own wait

(netopt-deftest netopt-sockets-wait-close-ends-receive ()
  "A socket closed by a timer during its own receive signals `netopt-closed'."
  :tags '(wait)
  (pcase-let ((`(,_ ,cli ,_) (netopt-test-pair)))
    (netopt-wait--after 0.2 (lambda () (netopt-close cli)))
    (should-error (netopt-receive cli :timeout 5) :type 'netopt-closed)
    (should-not (netopt-live-p cli))))

(netopt-deftest netopt-sockets-wait-close-ends-accept ()
  "A server closed by a timer during its own accept signals `netopt-closed'."
  :tags '(wait)
  (let ((srv (netopt-test-server)))
    (netopt-wait--after 0.2 (lambda () (netopt-close srv)))
    (should-error (netopt-accept srv 5) :type 'netopt-closed)
    (should-not (netopt-live-p srv))))

(ert-deftest netopt-sockets-wait-close-ends-send ()
  "A socket closed by a timer during a long send signals `netopt-closed'.
16 MB to a peer that does not read: the send must wait.  In a child
Emacs, so a send that waited on cannot hang the run."
  :tags '(wait)
  (should
   (equal (netopt-test-child
           '(netopt-test-with-cleanup
              (let* ((pair (netopt-test-pair))
                     (cli (nth 1 pair)))
                (run-with-timer 0.2 nil (lambda () (netopt-close cli)))
                (condition-case err
                    (list 'sent (netopt-send cli (make-string (* 16 1024 1024)
                                                              ?x)))
                  (error (car err))))))
          'netopt-closed)))

(netopt-deftest netopt-sockets-wait-close-then-reuse ()
  "A wait whose socket was closed ends even if its descriptor is reused.
The timer closes the socket, connects a new one (most likely on the same
descriptor number) and has data sent to it: the wait signals
`netopt-closed', and the new socket is open with its data unread."
  :tags '(wait)
  (pcase-let* ((`(,srv ,cli ,_) (netopt-test-pair))
               (old-fd (netopt-test-fd cli))
               (new nil))
    (netopt-wait--after
     0.2 (lambda ()
           (netopt-close cli)
           (setq new (netopt-test-socket :host "127.0.0.1"
                                         :service (netopt-test-port srv)))
           (let ((child (netopt-accept srv 5)))
             (netopt-test-close-later child)
             (netopt-send child "fresh"))))
    (should-error (netopt-receive cli :timeout 5) :type 'netopt-closed)
    (ert-info ((format "old descriptor %d, new %d" old-fd
                       (netopt-test-fd new)))
      (should (netopt-live-p new))
      (should (equal (netopt-receive new :timeout 5) "fresh"))
      (should (netopt-send new "still usable")))))

;;;; One deadline for the whole call

(ert-deftest netopt-sockets-wait-connect-full-backlog-times-out ()
  "A connect to a local server with a full queue ends at its :timeout.
It signals `netopt-system-error' with \"Connection timed out\", and does
not spin: the child's CPU time for the 2 s wait stays under 1 s.  In a
child Emacs, so a connect retrying EAGAIN cannot hang the run."
  :tags '(wait)
  (let ((r (netopt-test-child
            '(let* ((path (netopt-test-temp-socket-name))
                    (srv (netopt-make-socket :family 'local :service path
                                             :server 0))
                    (queued (netopt-test-fill-local-backlog path))
                    (cpu (netopt-test-cpu-seconds)))
               (ignore srv)
               (unwind-protect
                   (list (> (length queued) 0)
                         (condition-case err
                             (progn (netopt-make-socket :family 'local
                                                        :service path
                                                        :timeout 2)
                                    'connected)
                           (error err))
                         (- (netopt-test-cpu-seconds) cpu))
                 (delete-file path)))
            :seconds 30)))
    (should-not (eq r :timed-out))
    (should (eq (nth 0 r) t))
    (should (eq (car-safe (nth 1 r)) 'netopt-system-error))
    (should (member "Connection timed out" (cdr (nth 1 r))))
    (should (< (nth 2 r) 1.0))))

(ert-deftest netopt-sockets-wait-connect-no-ephemeral-port-ends ()
  "A connect that finds no free local port ends within its :timeout.
In a network namespace whose ephemeral range is two ports, Emacs clients
take both (and a third Emacs client is refused); a netopt client with
:timeout 2 then ends with `netopt-system-error'."
  :tags '(wait)
  (let ((r (netopt-test-child
            '(progn
               (call-process "ip" nil nil nil "link" "set" "lo" "up")
               (call-process "sysctl" nil nil nil "-w"
                             "net.ipv4.ip_local_port_range=40000 40001")
               (let ((srv (netopt-make-socket :server 8 :host "127.0.0.1"
                                              :service 5555))
                     (held 0) (refused nil))
                 (ignore srv)
                 (dotimes (_ 3)
                   (condition-case err
                       (progn (make-network-process
                               :name "netopt-port" :family 'ipv4
                               :host "127.0.0.1" :service 5555 :noquery t)
                              (setq held (1+ held)))
                     (file-error (setq refused (car err)))))
                 (list held refused
                       (condition-case err
                           (progn (netopt-make-socket :host "127.0.0.1"
                                                      :service 5555
                                                      :timeout 2)
                                  'connected)
                         (error (car err))))))
            :unshare '("-n") :seconds 30)))
    (should (equal r '(2 file-error netopt-system-error)))))

;;;; Name resolution

(ert-deftest netopt-sockets-wait-resolution-deadline ()
  "A name server that never answers: resolution ends at the :timeout.
In private namespaces whose only name server, 127.0.0.1:53, is a UDP
socket that reads nothing, `netopt-make-socket' with :timeout 1 signals
`netopt-system-error' (\"Cannot resolve address\" \"Connection timed
out\" HOST), and a timer runs during the resolution, rather than the resolver
blocking for its own 10 s or more."
  :tags '(wait)
  (should
   (equal (netopt-test-child
           '(progn
              (call-process "ip" nil nil nil "link" "set" "lo" "up")
              (let ((dns (make-network-process
                          :name "silent-dns" :type 'datagram :server t
                          :family 'ipv4 :host "127.0.0.1" :service 53
                          :noquery t :filter #'ignore))
                    (ran nil))
                (ignore dns)
                (run-with-timer 0.2 nil (lambda () (setq ran t)))
                (list (condition-case err
                          (progn (netopt-make-socket :host "silent.example"
                                                     :service 80 :timeout 1)
                                 'connected)
                        (netopt-system-error (cdr err)))
                      ran)))
           :seconds 60 :unshare '("-n") :mount netopt-test-dns-mounts)
          '(("Cannot resolve address" "Connection timed out" "silent.example")
            t))))

(ert-deftest netopt-sockets-wait-resolution-once ()
  "A client call resolves its name once: as many queries as one lookup.
A DNS responder of the test's own (an Emacs, no netopt) answers
once.example with 127.0.0.1 and logs every query.  One
`network-lookup-address-info' makes N queries (A and AAAA); one
`netopt-make-socket' to a listener on 127.0.0.1 must make N too, not
2N (a second resolution)."
  :tags '(wait)
  (let ((r (netopt-test-child
            '(progn
               (call-process "ip" nil nil nil "link" "set" "lo" "up")
               (let* ((log (make-temp-file "netopt-dns-log"))
                      (ready nil)
                      (responder
                       (make-process
                        :name "dns-responder" :noquery t
                        :connection-type 'pipe
                        :command (list (expand-file-name invocation-name
                                                         invocation-directory)
                                       "-Q" "--batch" "-l"
                                       (expand-file-name
                                        "tools/dns-responder.el"
                                        netopt-test-directory)
                                       log)
                        :filter (lambda (_p s)
                                  (when (string-match-p "DNS-READY" s)
                                    (setq ready t)))))
                      (count (lambda ()
                               (with-temp-buffer
                                 (insert-file-contents log)
                                 (how-many "^once\\.example "
                                           (point-min) (point-max)))))
                      (n 0))
                 (while (and (not ready) (< n 200))
                   (accept-process-output responder 0.05)
                   (setq n (1+ n)))
                 (unwind-protect
                     (let* ((lookup (network-lookup-address-info
                                     "once.example"))
                            (by-lookup (funcall count))
                            (srv (netopt-make-socket :server t
                                                     :host "127.0.0.1"
                                                     :service t))
                            (port (cadr (netopt-contact srv)))
                            (s (condition-case err
                                   (netopt-make-socket :host "once.example"
                                                       :service port)
                                 (error err)))
                            (by-netopt (- (funcall count) by-lookup)))
                       (list :ready ready :lookup lookup :by-lookup by-lookup
                             :connected (netopt-socket-p s)
                             :by-netopt by-netopt))
                   (delete-process responder)
                   (delete-file log))))
            :seconds 60 :unshare '("-n") :mount netopt-test-dns-mounts)))
    (should-not (eq r :timed-out))
    ;; The harness: the responder answers, and a lookup asks it.
    (should (eq (plist-get r :ready) t))
    (should (equal (plist-get r :lookup) '([127 0 0 1 0])))
    (should (> (plist-get r :by-lookup) 0))
    (should (eq (plist-get r :connected) t))
    (should (equal (plist-get r :by-netopt) (plist-get r :by-lookup)))))

;;;; Typing while a thread waits

(ert-deftest netopt-sockets-wait-typing-while-thread-waits ()
  "The user can type while a Lisp thread waits in `netopt-receive'.
`emacs -nw' in tmux starts a thread that receives without a timeout and
goes back to the command loop; M-: then evaluates an expression whose
value shows on the screen, and data sent later reaches the thread: the
thread's wait does not hold the global lock."
  :tags '(wait)
  (netopt-test-with-terminal '(110 30)
      (concat
       "(progn (setq srv (netopt-make-socket :server t :host \"127.0.0.1\" :service t))"
       " (setq cli (netopt-make-socket :host \"127.0.0.1\" :service (cadr (netopt-contact srv))))"
       " (setq peer (netopt-accept srv 5))"
       " (setq got nil)"
       " (make-thread (lambda () (setq got (netopt-receive cli))))"
       " (message \"READY\"))")
    (netopt-test-tmux-shows "READY")
    ;; The thread starts once the command loop waits for keys.
    (sleep-for 0.5)
    (netopt-test-tmux "send-keys" "M-:" "(format \"typed-%d\" (+ 40 2))"
                      "Enter")
    (netopt-test-tmux-shows "typed-42")
    (netopt-test-tmux "send-keys" "M-:"
                      "(progn (netopt-send peer \"x\") (sit-for 0.5) (format \"thread-got-%s\" got))"
                      "Enter")
    (netopt-test-tmux-shows "thread-got-x")))

;;;; C-g in a real terminal

(ert-deftest netopt-sockets-wait-quit-interrupts-blocking-calls ()
  "\\[keyboard-quit] interrupts netopt-accept and netopt-receive.
Driven as a person would: `emacs -nw' in tmux, keys typed, screen read."
  (netopt-test-with-terminal '(110 30)
      "(progn (setq srv (netopt-make-socket :server t :host \"127.0.0.1\" :service t)) (setq cli (netopt-make-socket :host \"127.0.0.1\" :service (cadr (netopt-contact srv)))) (message \"READY\"))"
    (netopt-test-tmux-shows "READY")
    ;; A blocking accept: the client's connection is the pending one,
    ;; so accept it first, then block on a second accept.
    (netopt-test-tmux "send-keys" "M-:" "(setq child (netopt-accept srv 5))"
                      "Enter")
    (netopt-test-tmux "send-keys" "M-:"
                      "(setq r1 (condition-case e (netopt-accept srv) (quit 'quit-accept)))"
                      "Enter")
    (sleep-for 0.5)
    (netopt-test-tmux "send-keys" "C-g")
    (netopt-test-tmux-shows "quit-accept")
    ;; A blocking receive.
    (netopt-test-tmux "send-keys" "M-:"
                      "(setq r2 (condition-case e (netopt-receive child) (quit 'quit-receive)))"
                      "Enter")
    (sleep-for 0.5)
    (netopt-test-tmux "send-keys" "C-g")
    (netopt-test-tmux-shows "quit-receive")
    ;; Emacs is still usable, and so are the sockets.
    (netopt-test-tmux "send-keys" "M-:"
                      "(format \"alive-%d-%s\" (+ 40 2) (netopt-send cli \"x\"))"
                      "Enter")
    (netopt-test-tmux-shows "alive-42-1")))

(provide 'sockets-wait-test)
;;; sockets-wait-test.el ends here
