;;; process-test.el --- netopt on Emacs's own network processes  -*- lexical-binding: t; -*-

;;; Commentary:

;; module/process and lisp/netopt-base.el: finding the socket of
;; an Emacs network process.  Options set through netopt on processes
;; made by `make-network-process' are checked against the kernel independently: test/tools/sockpeek
;; lists every socket descriptor of this Emacs, so a marker value set on
;; a process must appear on exactly one descriptor, the one whose
;; addresses are the process's.  A process still connecting is found;
;; finding one leaves no trace in the kernel or in its contact.

;;; Code:

(require 'netopt-test-helpers)

(defun netopt-process-test--check-marked (process value &optional peer)
  "Check that exactly one socket of Emacs has priority VALUE: PROCESS's.
Its local address must be PROCESS's :local; with PEER, its peer too."
  (let ((holders (netopt-test-sockets-holding "priority"
                                              (number-to-string value))))
    (should (= (length holders) 1))
    (let ((alist (cdar holders)))
      (when (vectorp (process-contact process :local))
        (unless (eq (process-contact process :type) 'datagram)
          (should (equal (cdr (assoc "local" alist))
                         (netopt-test-address-string
                          (process-contact process :local))))))
      (when peer
        (should (equal (cdr (assoc "peer" alist)) peer)))
      alist)))

(netopt-deftest netopt-process-stream-kinds ()
  "Server, client and accepted child: each gets its own socket's options."
  (pcase-let ((`(,srv ,cli ,child) (netopt-test-process-pair)))
    (should (eq (netopt-set-option srv :priority 3) t))
    (netopt-process-test--check-marked srv 3)
    (should (eq (netopt-set-option cli :priority 4) t))
    (netopt-process-test--check-marked
     cli 4 (netopt-test-address-string (process-contact cli :remote)))
    (should (eq (netopt-set-option child :priority 5) t))
    (netopt-process-test--check-marked
     child 5 (netopt-test-address-string (process-contact child :remote)))
    (should (eql (netopt-option srv :priority) 3))
    (should (eql (netopt-option cli :priority) 4))
    (should (eql (netopt-option child :priority) 5))
    ;; TCP options Emacs cannot set at all.
    (should (eq (netopt-set-option cli :keepidle 42) t))
    (let ((alist (netopt-process-test--check-marked cli 4)))
      (should (equal (cdr (assoc "keepidle" alist)) "42")))))

(netopt-deftest netopt-process-ipv6 ()
  "IPv6 server, client and child."
  (skip-unless (netopt-test-ipv6-p))
  (let* ((child nil)
         (srv (netopt-test-make-process
               :name "srv6" :server t :host "::1" :service t :family 'ipv6
               :log (lambda (_s c _m) (setq child c)
                      (netopt-test-delete-later c))))
         (cli (netopt-test-make-process :name "cli6" :host "::1"
                                        :service (process-contact srv :service))))
    (should (netopt-test-wait-for (lambda () child)))
    (netopt-set-option srv :priority 2)
    (netopt-process-test--check-marked srv 2)
    (netopt-set-option cli :priority 3)
    (netopt-process-test--check-marked cli 3)
    (netopt-set-option child :priority 4)
    (netopt-process-test--check-marked child 4)
    (should (equal (netopt-test-kernel
                    (car (car (netopt-test-sockets-holding "priority" "4")))
                    "domain")
                   "ipv6"))))

(netopt-deftest netopt-process-local-family ()
  "Local server, client and several children of one server."
  (let* ((file (netopt-test-temp-socket-name))
         (children nil)
         (srv (netopt-test-make-process
               :name "lsrv" :server t :family 'local :service file
               :log (lambda (_s c _m) (push c children)
                      (netopt-test-delete-later c))))
         (clients (list (netopt-test-make-process :name "lcli1"
                                                  :family 'local
                                                  :service file)
                        (netopt-test-make-process :name "lcli2"
                                                  :family 'local
                                                  :service file))))
    (unwind-protect
        (progn
          (should (netopt-test-wait-for
                   (lambda () (= (length children) 2))))
          (netopt-set-option srv :priority 1)
          (netopt-process-test--check-marked srv 1)
          (let ((v 2))
            (dolist (p (append clients children))
              (should (eq (netopt-set-option p :priority v) t))
              (netopt-process-test--check-marked p v)
              (setq v (1+ v))))
          ;; Each still reads its own value.
          (should (equal (mapcar (lambda (p) (netopt-option p :priority))
                                 (append clients children))
                         '(2 3 4 5))))
      (ignore-errors (delete-file file)))))

(netopt-deftest netopt-process-datagram-clients ()
  "Several datagram clients, to the same and to different remotes.
Each client's option lands on the socket it sends from: the one
socket of Emacs holding the client's priority has the source address
of the datagram the client then sends to its remote."
  (let* ((r1 (netopt-test-socket :type 'datagram :server t
                                 :host "127.0.0.1" :service t))
         (r2 (netopt-test-socket :type 'datagram :server t
                                 :host "127.0.0.1" :service t))
         (decoy (netopt-test-socket :type 'datagram))
         (dsrv (netopt-test-make-process :name "dsrv" :type 'datagram
                                         :server t :host "127.0.0.1"
                                         :service t :family 'ipv4))
         (clients
          (mapcar (lambda (r)
                    (netopt-test-make-process
                     :name "dcli" :type 'datagram :host "127.0.0.1"
                     :service (netopt-test-port r)))
                  (list r1 r1 r1 r2 r2))))
    (should (netopt-socket-p decoy))
    (netopt-set-option dsrv :priority 1)
    (netopt-process-test--check-marked dsrv 1)
    (let ((v 2) (remotes (list r1 r1 r1 r2 r2)))
      (dolist (p clients)
        (should (eq (netopt-set-option p :priority v) t))
        ;; An unconnected datagram socket gets its address at its
        ;; first send: the kernel is read after it.
        (let ((text (format "from client %d" v)))
          (process-send-string p text)
          (let ((got (netopt-receive-from (pop remotes) :timeout 5))
                (alist (netopt-process-test--check-marked p v)))
            (should (equal (cdr (assoc "type" alist)) "datagram"))
            (should (equal (car got) text))
            ;; Bound to the wildcard address: the ports are compared.
            (should (equal (aref (cdr got) 4)
                           (string-to-number
                            (car (last (split-string
                                        (cdr (assoc "local" alist))
                                        ":"))))))))
        (setq v (1+ v))))
    (should (equal (mapcar (lambda (p) (netopt-option p :priority)) clients)
                   '(2 3 4 5 6)))
    ;; netopt's own sockets were never mistaken for a process's.
    (should (equal (netopt-test-kernel decoy "priority") 0))))

(netopt-deftest netopt-process-datagram-broadcast-traffic ()
  "A datagram client gets :broadcast for real: its broadcast arrives."
  (let* ((r (netopt-test-socket :type 'datagram :server t :service t))
         (port (netopt-test-port r))
         (cli (netopt-test-make-process :name "bcast" :type 'datagram
                                        :host "127.255.255.255"
                                        :service port)))
    (should-error (process-send-string cli "nope") :type 'file-error)
    (should (eq (netopt-set-option cli :broadcast t) t))
    (process-send-string cli "yes")
    (should (equal (car (netopt-receive-from r :timeout 5)) "yes"))))

(netopt-deftest netopt-process-contact-agrees ()
  "After netopt-set-option, Emacs's own process-contact agrees."
  (pcase-let ((`(,_srv ,cli ,_child) (netopt-test-process-pair)))
    (dolist (setting '((:keepalive t) (:keepalive nil) (:priority 5)
                       (:linger 4) (:linger t) (:linger nil)
                       (:oobinline t) (:dontroute t) (:broadcast t)
                       (:bindtodevice "lo") (:bindtodevice nil)))
      (should (eq (apply #'netopt-set-option cli setting) t))
      ;; The contact holds what the kernel holds, read independently.
      (should (equal (process-contact cli (car setting))
                     (netopt-process-test--kernel-value cli (car setting)))))
    ;; :linger t lingers (not Emacs 28's abortive close), and the
    ;; contact says for how long.
    (let ((netopt-linger-seconds 9))
      (netopt-set-option cli :linger t)
      (should (equal (cdr (assoc "linger"
                                 (netopt-process-test--check-marked cli 5)))
                     "1 9"))
      (should (eql (process-contact cli :linger) 9)))))

(defun netopt-process-test--kernel-value (process option)
  "Return OPTION of PROCESS's socket in Lisp form, from sockpeek."
  (let* ((local (netopt-test-address-string (process-contact process :local)))
         (peer (netopt-test-address-string (process-contact process :remote)))
         (mine (seq-filter (lambda (entry)
                             (and (equal (cdr (assoc "local" (cdr entry)))
                                         local)
                                  (equal (cdr (assoc "peer" (cdr entry)))
                                         peer)))
                           (netopt-test-emacs-sockets)))
         (raw (progn (should (= (length mine) 1))
                     (cdr (assoc (substring (symbol-name option) 1)
                                 (cdar mine)))))
         (words (and raw (split-string raw))))
    (pcase option
      (:linger (and (equal (car words) "1") (string-to-number (cadr words))))
      (:priority (string-to-number raw))
      (:bindtodevice (and raw (not (equal raw "")) (not (equal raw "-")) raw))
      (_ (equal raw "1")))))

(netopt-deftest netopt-process-contact-follows-side-effects ()
  "A side effect of a setting (:tos sets SO_PRIORITY) reaches the contact."
  (pcase-let ((`(,_srv ,cli ,_child) (netopt-test-process-pair)))
    (netopt-set-option cli :priority 0)
    (should (eql (process-contact cli :priority) 0))
    ;; Linux derives the priority from the TOS byte: 0x10 -> 6.
    (netopt-set-option cli :tos #x10)
    (let ((kernel (netopt-process-test--kernel-value cli :priority)))
      (should (/= kernel 0))
      (should (eql (process-contact cli :priority) kernel)))))

(netopt-deftest netopt-process-contact-truth ()
  "Where process-contact claims what the kernel lacks, netopt-contact tells."
  (let* ((r (netopt-test-socket :type 'datagram :server t :service t))
         (dcli (netopt-test-make-process :name "dcli" :type 'datagram
                                         :host "127.0.0.1"
                                         :service (netopt-test-port r)
                                         :broadcast t)))
    ;; Emacs 28 claims :broadcast t, but skipped it (findings row 1).
    (should (eq (process-contact dcli :broadcast) t))
    (should (eq (netopt-contact dcli :broadcast) nil))
    (should (eq (plist-get (netopt-contact dcli t) :broadcast) nil)))
  (pcase-let ((`(,_srv ,_cli ,child) (netopt-test-process-pair :priority 3)))
    ;; The child's contact is a copy of the server's plist (row 4).
    (should (eql (process-contact child :priority) 3))
    (should (eql (netopt-contact child :priority) 0))
    (let ((plist (netopt-contact child t)))
      (should (eql (plist-get plist :priority) 0))
      (should (equal (plist-get plist :remote) (process-contact child :remote)))
      (should (equal (netopt-contact child)
                     (list (plist-get plist :host)
                           (plist-get plist :service)))))))

(netopt-deftest netopt-process-descriptor-reuse ()
  "A deleted process's cached descriptor is never reached again."
  (pcase-let ((`(,srv ,_cli ,_child) (netopt-test-process-pair)))
    (let* ((doomed (netopt-test-make-process
                    :name "doomed" :host "127.0.0.1"
                    :service (process-contact srv :service))))
      (netopt-set-option doomed :priority 6)
      (let* ((fd (car (car (netopt-test-sockets-holding "priority" "6")))))
        (delete-process doomed)
        ;; A new socket takes the lowest free descriptor: the same number.
        (let ((fresh (netopt-test-make-process
                      :name "fresh" :host "127.0.0.1"
                      :service (process-contact srv :service))))
          (should (equal (assoc "priority" (netopt-test-peek fd))
                         '("priority" . "0")))
          (should-error (netopt-set-option doomed :priority 1)
                        :type 'netopt-closed)
          (should-error (netopt-option doomed :priority)
                        :type 'netopt-closed)
          (should-error (netopt-contact doomed t) :type 'netopt-closed)
          (should (equal (netopt-test-kernel fd "priority") 0))
          (should (eq (netopt-set-option fresh :priority 2) t))
          (netopt-process-test--check-marked fresh 2))))))

(netopt-deftest netopt-process-plist-copy-harmless ()
  "Emacs copies a server's process plist into children: no cache confusion."
  (let* ((child nil)
         (srv (netopt-test-make-process
               :name "srv" :server t :host "127.0.0.1" :service t
               :family 'ipv4
               :log (lambda (_s c _m) (setq child c)
                      (netopt-test-delete-later c)))))
    (process-put srv 'mine 42)
    (netopt-set-option srv :priority 3)
    (netopt-test-make-process :name "cli" :host "127.0.0.1"
                              :service (process-contact srv :service))
    (should (netopt-test-wait-for (lambda () child)))
    (should (equal (process-get child 'mine) 42))
    (should (eql (netopt-option child :priority) 0))
    (netopt-set-option child :priority 4)
    (should (eql (netopt-option srv :priority) 3))
    (netopt-process-test--check-marked child 4)))

(netopt-deftest netopt-process-not-network ()
  "Pipes and subprocesses are not network processes; deleted ones are closed."
  (let ((pipe (make-pipe-process :name "netopt-pipe" :noquery t))
        (sub (make-process :name "netopt-cat" :command '("cat")
                           :noquery t :connection-type 'pipe)))
    (netopt-test-delete-later pipe)
    (netopt-test-delete-later sub)
    (should-error (netopt-set-option pipe :keepalive t)
                  :type 'netopt-not-network)
    (should-error (netopt-option sub :keepalive) :type 'netopt-not-network)
    (should-error (netopt-contact sub t) :type 'netopt-not-network))
  (pcase-let ((`(,_srv ,cli ,_child) (netopt-test-process-pair)))
    (netopt-option cli :keepalive)
    (delete-process cli)
    (should-error (netopt-set-option cli :keepalive t) :type 'netopt-closed)
    (should-error (netopt-set-option cli :keepalive t t)
                  :type 'netopt-closed)))

(netopt-deftest netopt-process-make-network-process ()
  "netopt-make-network-process sets options, child options before data."
  (let* ((seen nil)
         (srv (netopt-make-network-process
               :name "nsrv" :server t :host "127.0.0.1" :service t
               :family 'ipv4 :keepalive t :keepidle 30
               :child-options '(:priority 5 :nodelay t)
               :filter (lambda (proc _data)
                         (push (list (netopt-option proc :priority)
                                     (netopt-option proc :nodelay))
                               seen)))))
    (netopt-test-delete-later srv)
    (should (eq (netopt-option srv :keepalive) t))
    (should (eql (netopt-option srv :keepidle) 30))
    (should (eq (process-contact srv :keepalive) t))
    (let ((cli (netopt-test-make-process
                :name "ncli" :host "127.0.0.1"
                :service (process-contact srv :service))))
      (process-send-string cli "hello")
      (should (netopt-test-wait-for (lambda () seen)))
      (should (equal (car seen) '(5 t)))))
  ;; A datagram client gets its options too (Emacs 28 skips them).
  (let* ((r (netopt-test-socket :type 'datagram :server t :service t))
         (dcli (netopt-make-network-process
                :name "ndcli" :type 'datagram :host "127.0.0.1"
                :service (netopt-test-port r) :priority 6 :broadcast t)))
    (netopt-test-delete-later dcli)
    (let ((alist (netopt-process-test--check-marked dcli 6)))
      (should (equal (cdr (assoc "broadcast" alist)) "1"))))
  ;; A bad option deletes the process and signals.
  (let ((before (length (process-list))))
    (should-error (netopt-make-network-process :name "bad" :server t
                                               :service t :priority "high")
                  :type 'netopt-bad-value)
    (should (= (length (process-list)) before))))

(netopt-deftest netopt-process-catalogue-options ()
  "Options beyond the manual's eight work on an Emacs connection too."
  (pcase-let ((`(,_srv ,cli ,_child) (netopt-test-process-pair)))
    (netopt-set-option cli :priority 6)
    (dolist (setting '((:nodelay t "nodelay" "1")
                       (:user-timeout 4321 "user-timeout" "4321")
                       (:keepintvl 9 "keepintvl" "9")
                       (:tos 16 "tos" "16")
                       (:congestion "reno" "congestion" "reno")))
      (pcase-let ((`(,option ,value ,peek ,kernel) setting))
        (should (eq (netopt-set-option cli option value) t))
        (should (equal (cdr (assoc peek (netopt-process-test--check-marked
                                         cli 6)))
                       kernel))
        (should (equal (netopt-option cli option) value))))
    (should (eq (plist-get (netopt-option cli :info) :state) 'established))
    ;; Options beyond the eight are not added to Emacs's contact plist.
    (should-not (plist-member (process-contact cli t) :nodelay))))

(netopt-deftest netopt-process-cache ()
  "A located socket is cached: the same handle serves repeated calls."
  (pcase-let ((`(,_srv ,cli ,_child) (netopt-test-process-pair)))
    (netopt-option cli :keepalive)
    (let ((handle (netopt--process-socket cli)))
      (should (netopt-live-p handle))
      (netopt-set-option cli :keepalive t)
      (should (eq (netopt--process-socket cli) handle))
      ;; Forgotten, the socket is located again: a new handle.
      (netopt--process-forget cli)
      (should-not (eq (netopt--process-socket cli) handle))
      (should-not (netopt-live-p handle)))))

;;;; Found while connecting, found without a trace

(defun netopt-process-test--full-listener ()
  "Return (SERVER . PORT): a backlog-0 listener whose queue is full.
A connection to it stays in SYN-SENT until the queue frees."
  (let* ((srv (netopt-test-socket :server 0 :host "127.0.0.1" :service t))
         (port (netopt-test-port srv)))
    ;; Fill the accept queue: with backlog 0 Linux queues one; later
    ;; handshakes are dropped and the client keeps retrying.
    (netopt-test-socket :host "127.0.0.1" :service port :timeout 2)
    (cons srv port)))

(netopt-deftest netopt-process-connecting-found ()
  "A process in status `connect' (SYN-SENT, no peer yet) can be found."
  (let* ((port (cdr (netopt-process-test--full-listener)))
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

(defun netopt-process-test--priorities ()
  "Return the SO_PRIORITY of every socket of this Emacs, by descriptor."
  (mapcar (lambda (entry) (cons (car entry) (cdr (assoc "priority" (cdr entry)))))
          (netopt-test-emacs-sockets)))

(netopt-deftest netopt-process-probe-leaves-no-trace ()
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
         (before (netopt-process-test--priorities)))
    (dolist (c clients)
      (should (eq (netopt-option c :keepalive) nil))
      (should-not (plist-member (process-contact c t) :priority)))
    (should (equal (netopt-process-test--priorities) before))))

(provide 'process-test)
;;; process-test.el ends here
