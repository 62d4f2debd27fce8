;;; adopt-test.el --- netopt-make-network-process: adopted sockets  -*- lexical-binding: t; -*-

;;; Commentary:

;; lisp/netopt-adopt.el, API.md section 5.1: `netopt-make-network-process'
;; makes the socket in the module, sets every option before bind and
;; connect (bad values and keywords are refused before anything is
;; made), and hands it to Emacs as an ordinary network process.
;; (Section 5.2, `netopt-connection-options' and `netopt-mode', is
;; test/mode-test.el's.)
;;
;; Every claim is checked on what the kernel holds, read by
;; test/tools/sockpeek (an independent reader), or on traffic, all on
;; loopback.  A socket of this Emacs is found by what the kernel shows
;; (its addresses, its state), never by asking netopt.
;;
;; A call that could block (a connect to a listener whose accept queue
;; is full) runs in a child Emacs with a hard time limit
;; (`netopt-test-child'); other waits are bounded.
;;
;; Some calls below add an option that only the module can set before
;; bind (:reuseport, :freebind): a call without one could be served by
;; Emacs's own `make-network-process' followed by setsockopt, and would
;; prove nothing about the adopted process.
;;
;; The tests named netopt-adopt-harness-* check the harness itself
;; against Emacs's own processes: they pass without the feature.

;;; Code:

(require 'netopt-test-helpers)

(declare-function netopt-make-network-process "netopt-adopt" (&rest args))
(declare-function netopt-list-sockets "netopt-list" ())

(defun netopt-adopt-test--make (&rest args)
  "Call `netopt-make-network-process' with ARGS; delete it after the test."
  (netopt-test-delete-later (apply #'netopt-make-network-process args)))

(defun netopt-adopt-test--opt (alist name)
  "Return the value of NAME in the sockpeek ALIST, as a number if it is one."
  (let ((v (cdr (assoc name alist))))
    (if (and v (string-match-p "\\`-?[0-9]+\\'" v)) (string-to-number v) v)))

;;;; 5.1: options before connect or bind

(netopt-deftest netopt-adopt-maxseg-before-connect ()
  "A client's :maxseg is set before connect; one set after connect is not.
The kernel negotiates the segment size during the handshake: set
before connect, 1000 holds; set on an established connection, the
loopback's size (over 30000) stays.  The latter, on Emacs's own
process, proves the order is what the former observes."
  :tags '(adopt)
  (let* ((srv (netopt-test-server))
         (port (netopt-test-port srv))
         (late (netopt-test-make-process :name "late" :host "127.0.0.1"
                                         :service port)))
    (netopt-set-option late :maxseg 1000 t)
    (should (> (netopt-adopt-test--opt (netopt-test-other-end srv)
                                       "maxseg")
               30000))
    (netopt-adopt-test--make :name "early" :host "127.0.0.1" :service port
                             :maxseg 1000)
    (should (<= (netopt-adopt-test--opt (netopt-test-other-end srv)
                                        "maxseg")
                1000))))

(defun netopt-adopt-test--syn-sent-form (make-client)
  "Return a form for a child Emacs: a client stuck in SYN-SENT.
The form makes a backlog-0 listener, fills its accept queue, then
calls MAKE-CLIENT, a form with PORT free, which makes a :nowait client
whose sentinel pushes its events onto EVENTS.  The form returns
\(STATUS-THEN SOCKET-THEN STATUS-LATER EVENTS): the client's status
and the kernel's view of its socket (the one unconnected, not
listening stream socket of the child) while the queue is full, then
its status after the queue is emptied by accepting (the kernel
retransmits the SYN after 1 s, then 3 s)."
  `(let* ((events nil)
          (srv (netopt-make-socket :server 0 :host "127.0.0.1" :service t))
          (port (netopt-test-port srv))
          (fill (netopt-test-fill-tcp-backlog port))
          (client ,make-client)
          ;; Emacs resolves even a numeric host asynchronously for
          ;; :nowait: its socket appears in a later turn of the loop.
          ;; netopt's placeholder of a :nowait client is connecting
          ;; too, to a listener that never answers (:syncnt 127).
          (then (mapcar #'cdr (netopt-test-wait-for
                               (lambda ()
                                 (seq-remove
                                  (lambda (e)
                                    (equal (cdr (assoc "syncnt" (cdr e)))
                                           "127"))
                                  (netopt-test-sockets-with
                                   "type" "stream" "acceptconn" "0"
                                   "peer" "-")))
                               5))))
     (ignore fill)
     (push (process-status client) then)
     (while (netopt-accept srv 0))
     (netopt-test-wait-for (lambda () (not (eq (process-status client)
                                              'connect)))
                           12)
     (list (car then) (cdr then) (process-status client) (reverse events))))

(ert-deftest netopt-adopt-harness-full-queue ()
  "Harness: Emacs's own :nowait client to a full queue waits, then opens."
  :tags '(adopt)
  (let ((result (netopt-test-child
                 (netopt-adopt-test--syn-sent-form
                  '(make-network-process
                    :name "own" :host "127.0.0.1" :service port :nowait t
                    :sentinel (lambda (_p e) (push e events))))
                 :seconds 40 :strict t)))
    (should (eq (nth 0 result) 'connect))
    (should (= (length (nth 1 result)) 1))
    (should (eq (nth 2 result) 'open))
    (should (equal (nth 3 result) '("open\n")))))

(ert-deftest netopt-adopt-syncnt-while-connecting ()
  ":syncnt is in effect while the process is still connecting.
The listener's queue is full, so the client stays in SYN-SENT; the
kernel already holds its :syncnt then.  Once the queue frees, it opens
and the sentinel says so, as for Emacs's own process."
  :tags '(adopt)
  (let ((result (netopt-test-child
                 (netopt-adopt-test--syn-sent-form
                  '(netopt-make-network-process
                    :name "syn" :host "127.0.0.1" :service port :nowait t
                    :syncnt 3
                    :sentinel (lambda (_p e) (push e events))))
                 :seconds 40 :strict t)))
    (should (eq (nth 0 result) 'connect))
    (should (= (length (nth 1 result)) 1))
    (let ((socket (car (nth 1 result))))
      (should (equal (cdr (assoc "syncnt" socket)) "3")))
    (should (eq (nth 2 result) 'open))
    (should (equal (nth 3 result) '("open\n")))))

(netopt-deftest netopt-adopt-reuseport-servers ()
  "Two servers on one port with :reuseport t: both are made and listen."
  :tags '(adopt)
  (let* ((a (netopt-adopt-test--make :name "rp1" :server t :host "127.0.0.1"
                                     :service t :reuseport t))
         (port (process-contact a :service))
         (b (netopt-adopt-test--make :name "rp2" :server t :host "127.0.0.1"
                                     :service port :reuseport t))
         (held (netopt-test-sockets-with
                "local" (format "127.0.0.1:%d" port) "acceptconn" "1")))
    (should (eq (process-status b) 'listen))
    (should (= (length held) 2))
    (dolist (entry held)
      (should (equal (cdr (assoc "reuseport" (cdr entry))) "1")))))

(netopt-deftest netopt-adopt-bindtodevice-before-traffic ()
  "A server's :bindtodevice \"lo\" is in the kernel before any traffic."
  :tags '(adopt)
  (let* ((srv (netopt-adopt-test--make :name "lo" :server t
                                       :host "127.0.0.1" :service t
                                       :bindtodevice "lo" :reuseport t))
         (held (netopt-test-sockets-with
                "local" (format "127.0.0.1:%d" (process-contact srv :service))
                "acceptconn" "1")))
    (should (= (length held) 1))
    (should (equal (cdr (assoc "bindtodevice" (cdar held))) "lo"))))

;;;; 5.1: :nowait

(netopt-deftest netopt-adopt-nowait-refused-event ()
  "A refused :nowait connect reports Emacs's own event string."
  :tags '(adopt)
  (let* ((port (netopt-test-free-port))
         (own nil) (ours nil))
    (netopt-test-make-process :name "own" :host "127.0.0.1" :service port
                              :nowait t
                              :sentinel (lambda (_p e) (setq own e)))
    (netopt-adopt-test--make :name "ours" :host "127.0.0.1" :service port
                             :nowait t :syncnt 2 :freebind t
                             :sentinel (lambda (_p e) (setq ours e)))
    (should (netopt-test-wait-for (lambda () (and own ours)) 10))
    (should (string-match-p "\\`failed" own))
    (should (equal ours own))))

;;;; 5.1: datagram broadcast

(netopt-deftest netopt-adopt-datagram-broadcast ()
  "A datagram client with :broadcast t broadcasts; Emacs 28's own cannot."
  :tags '(adopt)
  (let* ((r (netopt-test-socket :type 'datagram :server t :service t))
         (port (netopt-test-port r))
         (own (netopt-test-make-process :name "own" :type 'datagram
                                        :host "127.255.255.255" :service port
                                        :broadcast t))
         (ours (netopt-adopt-test--make :name "ours" :type 'datagram
                                        :host "127.255.255.255" :service port
                                        :broadcast t)))
    ;; Emacs 28 skips :broadcast on a datagram client: EACCES, or nothing.
    (condition-case nil
        (progn (process-send-string own "own")
               (should-not (netopt-receive r :timeout 1)))
      (file-error nil))
    (process-send-string ours "adopted")
    (should (equal (car (netopt-receive-from r :timeout 5)) "adopted"))))

;;;; 5.1: children of an adopted server

(netopt-deftest netopt-adopt-children ()
  "Children start from the kernel's defaults, then get :child-options.
The kernel is read in the child's filter, when it first sees data.  The
user's :log function runs and is the one `process-contact' shows."
  :tags '(adopt)
  (let* ((seen nil) (logged 0)
         (user-log (lambda (_server _client _message)
                     (setq logged (1+ logged))))
         (srv (netopt-adopt-test--make
               :name "asrv" :server t :host "127.0.0.1" :service t
               :keepalive t :oobinline t
               :child-options '(:nodelay t :keepidle 50)
               :log user-log
               :filter (lambda (child _data)
                         (unless (assq child seen)
                           (push (cons child
                                       (condition-case err
                                           (netopt-test-sockets-with
                                            "peer"
                                            (netopt-test-address-string
                                             (process-contact child :remote))
                                            "local"
                                            (netopt-test-address-string
                                             (process-contact child :local)))
                                         (error (list :error err))))
                                 seen)))))
         (port (process-contact srv :service))
         (cli (netopt-test-socket :host "127.0.0.1" :service port)))
    (netopt-send cli "hello")
    (should (netopt-test-wait-for (lambda () seen) 5))
    (let ((child (caar seen)) (held (cdar seen)))
      (netopt-test-delete-later child)
      (should (= (length held) 1))
      (let ((alist (cdar held)))
        (should (equal (cdr (assoc "keepalive" alist)) "0"))
        (should (equal (cdr (assoc "oobinline" alist)) "0"))
        (should (equal (cdr (assoc "nodelay" alist)) "1"))
        (should (equal (cdr (assoc "keepidle" alist)) "50")))
      (should (>= logged 1))
      (should (eq (process-contact srv :log) user-log))
      (should (eq (process-contact child :log) user-log)))))

;;;; 5.1: process-contact

(netopt-deftest netopt-adopt-contact-server-port ()
  "A :service t or 0 server's contact shows the port it really got."
  :tags '(adopt)
  (dolist (service '(t 0))
    (let* ((srv (netopt-adopt-test--make :name "port" :server t
                                         :host "127.0.0.1" :service service
                                         :reuseport t))
           (port (process-contact srv :service)))
      (should (integerp port))
      (should (> port 0))
      (should (equal (process-contact srv :local) (vector 127 0 0 1 port)))
      (should (= (length (netopt-test-sockets-with
                          "local" (format "127.0.0.1:%d" port)
                          "acceptconn" "1"))
                 1)))))

(netopt-deftest netopt-adopt-contact-client-addresses ()
  "A client's contact holds the kernel's :local and :remote."
  :tags '(adopt)
  (let* ((srv (netopt-test-server))
         (port (netopt-test-port srv))
         (cli (netopt-adopt-test--make :name "addr" :host "127.0.0.1"
                                       :service port :freebind t))
         (contact (process-contact cli t))
         (kernel (netopt-test-other-end srv)))
    (should (equal (plist-get contact :remote) (vector 127 0 0 1 port)))
    (should (equal (netopt-test-address-string (plist-get contact :local))
                   (cdr (assoc "local" kernel))))
    (should (equal (netopt-test-address-string (plist-get contact :remote))
                   (cdr (assoc "peer" kernel))))))

;;;; 5.1: the placeholder's descriptor

(defun netopt-adopt-test--stolen (make-thief make)
  "Call MAKE with a predicted descriptor taken by MAKE-THIEF's process.
`netopt--adopt-before' is advised: once it has given the lowest free
descriptor, MAKE-THIEF makes an Emacs process, which takes that number
as another thread's socket would.  Return (PROCESS THIEF NUMBER)."
  (let* ((stolen nil)
         (steal (lambda (before)
                  (when (and (integerp before) (not stolen))
                    (setq stolen (cons before (funcall make-thief))))
                  before)))
    (advice-add 'netopt--adopt-before :filter-return steal)
    (let ((process (unwind-protect (funcall make)
                     (advice-remove 'netopt--adopt-before steal))))
      (should stolen)
      (list process (cdr stolen) (car stolen)))))

(defun netopt-adopt-test--fd-of (address &rest pairs)
  "Return the descriptors of this Emacs's sockets at local ADDRESS.
ADDRESS is a `process-contact' vector; PAIRS as for
`netopt-test-sockets-with'."
  (mapcar #'car (apply #'netopt-test-sockets-with
                       "local" (netopt-test-address-string address) pairs)))

(netopt-deftest netopt-adopt-predicted-descriptor-taken ()
  "A predicted descriptor that another socket took is never used.
The placeholder's number is predicted (the lowest free one), and used
only when the socket there has the placeholder's addresses.  Here an
Emacs process of the same kind takes it first and the placeholder
gets another: netopt's socket (:reuseport or :freebind, which only it
sets) replaces the placeholder's, and the other process keeps its
own socket at the number predicted, without the option."
  :tags '(adopt)
  (pcase-let* ((srv (netopt-test-server))
               (port (netopt-test-port srv))
               (`(,server ,thief ,number)
                (netopt-adopt-test--stolen
                 (lambda ()
                   (netopt-test-make-process :name "thief-s" :server t
                                             :host "127.0.0.1" :service t))
                 (lambda ()
                   (netopt-adopt-test--make :name "pred-s" :server t
                                            :host "127.0.0.1" :service t
                                            :reuseport t)))))
    (should (equal (netopt-adopt-test--fd-of (process-contact thief :local)
                                             "reuseport" "0")
                   (list number)))
    (let ((fds (netopt-adopt-test--fd-of (process-contact server :local)
                                         "reuseport" "1" "acceptconn" "1")))
      (should (= (length fds) 1))
      (should-not (memq number fds)))
    (should (eq (process-status server) 'listen))
    (pcase-let ((`(,client ,thief ,number)
                 (netopt-adopt-test--stolen
                  (lambda ()
                    (netopt-test-make-process :name "thief-c"
                                              :host "127.0.0.1"
                                              :service port))
                  (lambda ()
                    (netopt-adopt-test--make :name "pred-c" :host "127.0.0.1"
                                             :service port :freebind t)))))
      (should (equal (netopt-adopt-test--fd-of (process-contact thief :local)
                                               "freebind" "0")
                     (list number)))
      (let ((fds (netopt-adopt-test--fd-of (process-contact client :local)
                                           "freebind" "1")))
        (should (= (length fds) 1))
        (should-not (memq number fds)))
      (should (eq (process-status client) 'open)))))

;;;; 5.1: an ordinary process

(netopt-deftest netopt-adopt-echo-traffic ()
  "Filter, sentinel, sending, coding and deletion work on adopted processes.
An adopted server echoes what its children receive; an adopted client
with a utf-8 coding sends multibyte text and gets it back decoded."
  :tags '(adopt)
  (let* ((text "héllo wörld ✓\n")
         (got "") (events nil) (child-events nil)
         (srv (netopt-adopt-test--make
               :name "echo" :server t :host "127.0.0.1" :service t
               :reuseport t :coding 'utf-8
               :filter (lambda (p data) (process-send-string p data))
               :sentinel (lambda (_p e) (push e child-events))))
         (cli (netopt-adopt-test--make
               :name "talk" :host "127.0.0.1"
               :service (process-contact srv :service) :freebind t
               :coding 'utf-8
               :filter (lambda (_p data) (setq got (concat got data)))
               :sentinel (lambda (_p e) (push e events)))))
    (process-send-string cli text)
    (should (netopt-test-wait-for (lambda () (equal got text)) 5))
    (should (multibyte-string-p got))
    (delete-process cli)
    (should-not (memq cli (process-list)))
    ;; The server's child saw the client go ("open from ..." came first).
    (should (netopt-test-wait-for
             (lambda ()
               (seq-some (lambda (e)
                           (string-match-p "connection broken by remote peer"
                                           e))
                         child-events))
             5))))

;;;; 5.1: failures leave nothing behind

(netopt-deftest netopt-adopt-failures-leave-nothing ()
  "A bad value, a kernel refusal or a refused connection leaves nothing.
The process list and the descriptors of Emacs are as before, and the
error is netopt's usual one.  Each call is tried as it is and with an
option that only the module can set before bind."
  :tags '(adopt)
  (let* ((srv (netopt-test-server))
         (port (netopt-test-port srv))
         (closed (netopt-test-free-port)))
    (dolist (extra '(nil (:freebind t)))
      (pcase-dolist (`(,type ,service ,args ,message)
                     `((netopt-bad-value ,port (:keepidle "x") nil)
                       (netopt-system-error ,port (:bindtodevice "nosuchdev0")
                                            "No such device")
                       (file-error ,closed nil nil)))
        (let* ((procs (length (process-list)))
               (fds (netopt-test-fd-count))
               (call (append (list :name "fail" :host "127.0.0.1"
                                   :service service)
                             args extra))
               (err (should-error (apply #'netopt-adopt-test--make call)
                                  :type type)))
          (when message
            (should (string-match-p message (error-message-string err))))
          (should (= (length (process-list)) procs))
          (should (= (netopt-test-fd-count) fds)))))))

;;;; 5.1: a datagram client stays unconnected

(netopt-deftest netopt-adopt-datagram-client-unconnected ()
  "A datagram client of `netopt-make-network-process' is not connected.
As Emacs's own: a reply from another port reaches its filter, and the
kernel shows no peer, but its option."
  (let* ((srv (netopt-test-socket :type 'datagram :server t
                                  :host "127.0.0.1" :service t))
         (other (netopt-test-socket :type 'datagram :server t
                                    :host "127.0.0.1" :service t))
         (got nil)
         (p (netopt-test-delete-later
             (netopt-make-network-process
              :name "udp" :type 'datagram :host "127.0.0.1"
              :service (netopt-test-port srv) :noquery t :priority 3
              :filter (lambda (_p s) (push s got))))))
    (process-send-string p "ping")
    (let* ((from (netopt-receive-from srv :timeout 5))
           (kernel (cdar (netopt-test-sockets-with
                          "local" (format "0.0.0.0:%d" (aref (cdr from) 4))))))
      (should (equal (car from) "ping"))
      (should (equal (cdr (assoc "priority" kernel)) "3"))
      (should (equal (cdr (assoc "peer" kernel)) "-"))
      (netopt-send other "pong" :to (cdr from)))
    (netopt-test-wait-for (lambda () got) 5)
    (should (equal got '("pong")))))

;;;; netopt-list-sockets

(netopt-deftest netopt-adopt-list-marks-adopted ()
  "The socket list marks a process that netopt made.
The marker is the implementation's choice, so this is loose: the rows
of two like clients of one server, one adopted and one Emacs's own,
must differ somewhere other than in the name, addresses, state and
options columns, or in the mark area (`tabulated-list-padding') at
the start of the row."
  :tags '(adopt)
  (let* ((srv (netopt-test-server))
         (port (netopt-test-port srv))
         (ours (netopt-adopt-test--make :name "row" :host "127.0.0.1"
                                        :service port :freebind t))
         (own (netopt-test-make-process :name "row" :host "127.0.0.1"
                                        :service port))
         (buffer (save-window-excursion (netopt-list-sockets))))
    (unwind-protect
        (with-current-buffer buffer
          (let* ((ignored '("Name" "Local" "Remote" "State" "Options"))
                 (identity
                  (lambda (process)
                    (let ((entry (assq process tabulated-list-entries))
                          (cells nil))
                      (should entry)
                      (dotimes (i (length tabulated-list-format))
                        (unless (member (car (aref tabulated-list-format i))
                                        ignored)
                          (push (aref (cadr entry) i) cells)))
                      (goto-char (point-min))
                      (while (and (not (eobp))
                                  (not (eq (tabulated-list-get-id) process)))
                        (forward-line 1))
                      (cons (buffer-substring-no-properties
                             (line-beginning-position)
                             (min (line-end-position)
                                  (+ (line-beginning-position)
                                     tabulated-list-padding)))
                            cells)))))
            (should-not (equal (funcall identity ours)
                               (funcall identity own)))))
      (kill-buffer buffer))))

;;;; Keywords, before anything is made

(netopt-deftest netopt-adopt-make-network-process-keywords ()
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

(ert-deftest netopt-adopt-bindtodevice-before-connect ()
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

(provide 'adopt-test)
;;; adopt-test.el ends here
