;;; mode-test.el --- netopt-mode is invisible but for the options  -*- lexical-binding: t; -*-

;;; Commentary:

;; lisp/netopt-mode.el, API.md 5.2: `netopt-connection-options' and
;; `netopt-mode'.  "Invisible but for the options", point by point, as
;; the audit of adoption and netopt-mode (issue 17) found each broken: a
;; connection under the mode behaves as Emacs's own, a rule never costs
;; a connection, options that cannot apply are skipped silently.  And
;; real clients under the mode: ERC with ngircd, TLS with openssl
;; s_server (run by the tests on free loopback ports; a test that needs
;; one that is missing is skipped: .ci/run installs both).  The tests
;; named netopt-mode-harness-* check that harness against Emacs's own
;; processes: they pass without the mode.
;;
;; Each test checks what a user sees: the kernel's state read by
;; test/tools/sockpeek or ss, the traffic, the contact, the errors and
;; the warnings.  Calls that could block run in a child Emacs with a
;; time limit.

;;; Code:

(require 'netopt-test-helpers)

(defvar netopt-connection-options)
(defvar netopt-connect-timeout)
(declare-function netopt-mode "netopt-mode" (&optional arg))
(declare-function netopt-make-network-process "netopt-adopt" (&rest args))
(declare-function url-retrieve "url" (url callback &optional cbargs silent
                                          inhibit-cookies))

(defmacro netopt-mode-test--with-mode (rules &rest body)
  "Run BODY with `netopt-mode' on and RULES as `netopt-connection-options'.
Return (VALUE . WARNINGS): BODY's value and the text of every
`display-warning' it caused.  The mode is off afterwards."
  (declare (indent 1) (debug (form body)))
  `(let ((netopt-connection-options ,rules)
         (warnings nil))
     (let ((record (lambda (_type message &rest _)
                     (push message warnings))))
       (advice-add 'display-warning :override record)
       (unwind-protect
           (progn (when (boundp 'netopt--warned) (clrhash netopt--warned))
                  (netopt-mode 1)
                  (cons (progn ,@body) (nreverse warnings)))
         (netopt-mode -1)
         (advice-remove 'display-warning record)))))

(defvar netopt--warned)
(defvar erc-server-process)
(defvar erc-server-connected)
(defvar erc-server-auto-reconnect)
(defvar erc-join-buffer)

;;;; Defaulted addresses: a server without :host

(netopt-deftest netopt-mode-server-without-host-on-loopback ()
  "A server made without :host listens on loopback only, as Emacs's.
ss shows the listener on 127.0.0.1 (::1 for ipv6), never the wildcard,
and the kernel holds the rule's option on it."
  (dolist (family '(nil ipv4 ipv6))
    (unless (and (eq family 'ipv6) (not (netopt-test-ipv6-p)))
      (let* ((result (netopt-mode-test--with-mode '((t :keepalive t))
                       (netopt-test-make-process :name "srv" :server t
                                               :service t :family family
                                               :noquery t)))
             (port (process-contact (car result) :service))
             (ss (cdr (netopt-test-command "ss" "-ltnH"
                                           (format "sport = :%d" port))))
             (where (if (eq family 'ipv6) "[::1]" "127.0.0.1")))
        (should (string-match-p (format "%s:%d " (regexp-quote where) port)
                                ss))
        (should-not (string-match-p
                     (format "\\(0\\.0\\.0\\.0\\|\\*\\|\\[::\\]\\):%d " port)
                     ss))
        (should (equal (process-contact (car result) :local)
                       (vconcat (if (eq family 'ipv6) [0 0 0 0 0 0 0 1]
                                  [127 0 0 1])
                                (list port))))
        (should (equal (cdr (assoc "keepalive"
                                   (cdar (netopt-test-sockets-with
                                          "local" (netopt-test-address-string
                                                   (process-contact
                                                    (car result) :local))))))
                       "1"))
        (should-not (cdr result))))))

;;;; Datagram clients stay unconnected

(netopt-deftest netopt-mode-datagram-client-unconnected ()
  "A datagram client under the mode is not connected, as Emacs's.
A reply from another port (TFTP-style) reaches its filter, and an
ICMP port-unreachable does not end it; the rule's option is in the
kernel."
  (let* ((srv (netopt-test-socket :type 'datagram :server t
                                  :host "127.0.0.1" :service t))
         (other (netopt-test-socket :type 'datagram :server t
                                    :host "127.0.0.1" :service t))
         (closed (let ((s (netopt-make-socket :type 'datagram :server t
                                              :host "127.0.0.1" :service t)))
                   (prog1 (netopt-test-port s) (netopt-close s))))
         (got nil)
         (result (netopt-mode-test--with-mode '((t :priority 3))
                   (netopt-test-make-process
                    :name "udp" :type 'datagram :host "127.0.0.1"
                    :service (netopt-test-port srv) :noquery t
                    :filter (lambda (_p s) (push s got)))))
         (p (car result)))
    (process-send-string p "ping")
    (let ((from (netopt-receive-from srv :timeout 5)))
      (should (equal (car from) "ping"))
      ;; Unbound until it sent: the kernel bound it to the wildcard.
      (let ((kernel (cdar (netopt-test-sockets-with
                           "local" (format "0.0.0.0:%d"
                                           (aref (cdr from) 4))))))
        (should (equal (cdr (assoc "priority" kernel)) "3"))
        (should (equal (cdr (assoc "peer" kernel)) "-")))
      (netopt-send other "pong" :to (cdr from)))
    (netopt-test-wait-for (lambda () got) 5)
    (should (equal got '("pong")))
    ;; A port that nobody listens on answers with ICMP port-unreachable.
    (set-process-datagram-address p (vector 127 0 0 1 closed))
    (process-send-string p "nobody")
    (sleep-for 0.3)
    (set-process-datagram-address p (netopt-contact srv :local))
    (process-send-string p "again")
    (should (equal (car (netopt-receive-from srv :timeout 5)) "again"))
    (should (eq (process-status p) 'open))
    (should-not (cdr result))))

(ert-deftest netopt-mode-datagram-client-with-no-other-socket ()
  "A datagram client of `netopt-make-network-process' works with no socket.
In a fresh Emacs, which has no other socket open, the placeholder is
still found: the process is live, its option set, its datagram
address the target."
  (should (equal (netopt-test-child
                  '(let ((p (netopt-make-network-process
                             :name "u" :type 'datagram :host "127.0.0.1"
                             :service 9 :priority 3)))
                     (list (and (process-live-p p) t)
                           (netopt-option p :priority)
                           (process-datagram-address p)))
                  :seconds 40 :strict t)
                 '(t 3 [127 0 0 1 9]))))

;;;; TLS starts on the real socket

(defconst netopt-mode-test--tls-ways
  '(stream-nowait stream tls-parameters tls-parameters-nowait starttls)
  "Every way Emacs starts TLS, as `netopt-mode-test--tls-form' names them.
`open-network-stream' :type tls with and without :nowait,
:tls-parameters given directly with and without :nowait, and
starttls.")

(defun netopt-mode-test--tls-form (port rule &optional ways)
  "Return a child's form: TLS to 127.0.0.1:PORT, each of WAYS in turn.
WAYS is a list of `netopt-mode-test--tls-ways', all of them by
default.  With RULE non-nil, `netopt-mode' is on with RULE as the only
rule of `netopt-connection-options'; with nil, it is off.  The server
is openssl s_server -rev: each way sends a line, reads the reply and
deletes its process.  The form returns a list, for each way, of (HOW
REPLY KERNEL STATUS PROTOCOL): the reply to \"netopt\", the kernel's
view of the socket, the process's status and the TLS protocol gnutls
negotiated."
  `(progn
     (require 'gnutls)
     (require 'nsm)
     ,@(and rule
            `((setq netopt-connection-options '(,rule))
              (netopt-mode 1)))
     (let ((gnutls-verify-error nil)
           (network-security-level 'low)
           (results nil))
       (dolist (how ',(or ways netopt-mode-test--tls-ways))
         (let* ((got "")
                (params (cons 'gnutls-x509pki
                              (gnutls-boot-parameters :hostname "localhost")))
                (p (pcase how
                     ('stream-nowait
                      (open-network-stream "tls" nil "127.0.0.1" ,port
                                           :type 'tls :nowait t))
                     ('stream
                      (open-network-stream "tls" nil "127.0.0.1" ,port
                                           :type 'tls))
                     ('tls-parameters
                      (make-network-process :name "tls" :host "127.0.0.1"
                                            :service ,port
                                            :tls-parameters params))
                     ('tls-parameters-nowait
                      (make-network-process :name "tls" :host "127.0.0.1"
                                            :service ,port :nowait t
                                            :tls-parameters params))
                     ('starttls
                      (let ((p (make-network-process
                                :name "tls" :host "127.0.0.1"
                                :service ,port)))
                        (gnutls-negotiate :process p :hostname "localhost")
                        p)))))
           (set-process-filter p (lambda (_p s) (setq got (concat got s))))
           (netopt-test-wait-for (lambda () (eq (process-status p) 'open)) 10)
           (process-send-string p "netopt\n")
           (netopt-test-wait-for (lambda () (string-match-p "\n" got)) 10)
           (push (list how got
                       (netopt-test-socket-with-peer
                        ,(format "127.0.0.1:%d" port))
                       (process-status p)
                       (plist-get (gnutls-peer-status p) :protocol))
                 results)
           (delete-process p)))
       (nreverse results))))

(ert-deftest netopt-mode-tls-every-way ()
  "TLS under the mode starts on the real socket, every way Emacs starts it.
`open-network-stream' :type tls with and without :nowait,
:tls-parameters given directly with and without :nowait, and
starttls: each talks TLS with the server and has the rule's option."
  (skip-unless (gnutls-available-p))
  (netopt-test-with-server (port #'netopt-test-tls-server)
    (should (equal (mapcar
                    (lambda (way)
                      (pcase-let ((`(,how ,reply ,kernel ,status) way))
                        (list how reply (cdr (assoc "keepidle" kernel))
                              status)))
                    (netopt-test-child
                     (netopt-mode-test--tls-form port '(t :keepidle 42))
                     :seconds 40 :strict t))
                   (mapcar (lambda (how)
                             (list how "tpoten\n" "42" 'open))
                           netopt-mode-test--tls-ways)))))

(ert-deftest netopt-mode-tls-url-retrieve ()
  "An https `url-retrieve', synchronous and asynchronous, works under the mode.
openssl s_server -www answers with its status page; it serves one
connection at a time, and url keeps its connections open, so each
retrieval has a server of its own.  The host is an address: Emacs
28's own :nowait TLS connection to \"localhost\" (::1 refused, then
127.0.0.1) can stay connecting, with or without the mode."
  (skip-unless (gnutls-available-p))
  (netopt-test-with-server (port #'netopt-test-tls-server t)
    (netopt-test-with-server (port2 #'netopt-test-tls-server t)
      (should
       (equal
        (netopt-test-child
         `(progn
            (require 'url)
            (require 'gnutls)
            (require 'nsm)
            (setq netopt-connection-options '((t :keepidle 42)))
            (netopt-mode 1)
            (setq gnutls-verify-error nil
                  network-security-level 'low)
            (let* ((sync (let ((tries 0) (buffer nil))
                           ;; url.el's own race: it returns nil when it
                           ;; sees the connection closed before its
                           ;; sentinel ran ("Process sentinel vagaries"),
                           ;; with or without the mode.  Tried again.
                           (while (and (not buffer) (< tries 3))
                             (setq buffer (url-retrieve-synchronously
                                           ,(format "https://127.0.0.1:%d/"
                                                    port)
                                           t)
                                   tries (1+ tries)))
                           (and buffer
                                (with-current-buffer buffer
                                  (goto-char (point-min))
                                  (looking-at "HTTP/1.0 200")))))
                   (async nil))
              (url-retrieve ,(format "https://127.0.0.1:%d/" port2)
                            (lambda (_status)
                              (goto-char (point-min))
                              (setq async (if (looking-at "HTTP/1.0 200")
                                              'ok 'bad)))
                            nil t)
              (netopt-test-wait-for (lambda () async) 15)
              (list sync async)))
         :seconds 40 :strict t)
        '(t ok))))))

;;;; Address fallback with :nowait

(ert-deftest netopt-mode-nowait-falls-back-to-next-address ()
  "A :nowait connection to a name whose first address refuses opens.
In a private mount namespace /etc/hosts gives netopt-dual ::1, then
127.0.0.1; only 127.0.0.1 listens.  Emacs's own call falls back to the
next address and opens, and so does the call under the mode, which
gets the rule's option once its socket exists."
  (skip-unless (netopt-test-ipv6-p))
  (should
   (equal
    (netopt-test-child
     '(let* ((srv (make-network-process :name "srv" :server t
                                        :host "127.0.0.1" :service t
                                        :noquery t))
             (port (process-contact srv :service))
             (open (lambda ()
                     (let ((p (make-network-process
                               :name "c" :host "netopt-dual"
                               :service port :nowait t)))
                       (netopt-test-wait-for
                        (lambda () (not (eq (process-status p)
                                            'connect)))
                        10)
                       p)))
             (emacs (funcall open)))
        (setq netopt-connection-options '((t :keepidle 42)))
        (netopt-mode 1)
        (let ((mode (funcall open)))
          (netopt-test-wait-for (lambda () (not (eq (process-status mode)
                                                    'connect)))
                                10)
          (list (process-status emacs) (process-status mode)
                (netopt-option mode :keepidle))))
     :mount '(("/etc/hosts" . "::1 netopt-dual\n127.0.0.1 netopt-dual\n"))
     :seconds 40 :strict t)
    '(open open 42))))

;;;; Resolution with :nowait

(ert-deftest netopt-mode-nowait-resolves-in-the-background ()
  "A :nowait call to a host name returns at once, as Emacs's own.
In private namespaces whose only name server never answers, Emacs's
own call and the call under the mode both return a process still
connecting, before a timer due soon after runs (before, the mode
waited for the name, running timers meanwhile).  That
such a connection gets its options once Emacs made its socket is
`netopt-mode-nowait-falls-back-to-next-address'."
  (should
   (equal
    (netopt-test-child
     '(progn
        (call-process "ip" nil nil nil "link" "set" "lo" "up")
        (let ((dns (netopt-make-socket :name "silent-dns" :type 'datagram
                                       :server t :host "127.0.0.1"
                                       :service 53))
              (call (lambda (name)
                      (process-status
                       (make-network-process :name name :host name
                                             :service 80 :nowait t)))))
          (setq netopt-connection-options '((t :keepidle 42))
                netopt-connect-timeout 300)
          (let ((own (funcall call "own.example"))
                (returned nil) (seen 'never))
            (netopt-mode 1)
            ;; A timer due 0.2 s after the call: it must find the call
            ;; returned, as Emacs's own returns at once.
            (run-at-time 0.2 nil (lambda () (setq seen returned)))
            (let ((mode (funcall call "mode.example")))
              (setq returned t)
              (netopt-test-wait-for (lambda () (not (eq seen 'never))) 5)
              (netopt-close dns)
              (list own mode seen)))))
     :seconds 40 :unshare '("-n") :mount netopt-test-dns-mounts)
    '(connect connect t))))

;;;; Local servers: nothing left behind

(netopt-deftest netopt-mode-local-server-long-tmpdir ()
  "A local server is adopted with a long `temporary-file-directory'.
The placeholder's socket name would not fit a socket address there:
the server is still netopt's (the rule's option in the kernel), and
no placeholder file is left in either directory."
  (let* ((long (make-temp-file (concat "netopt-" (make-string 80 ?t) "-") t))
         (temporary-file-directory (file-name-as-directory long))
         (file (make-temp-name "/tmp/netopt-lsrv-"))
         (placeholders
          (lambda ()
            (append (directory-files long nil "netopt-placeholder")
                    (directory-files "/tmp" nil "\\`netopt-placeholder")))))
    (unwind-protect
        (let* ((before (funcall placeholders))
               (result (netopt-mode-test--with-mode '((t :keepalive t))
                         (netopt-test-make-process :name "l" :server t
                                                 :family 'local
                                                 :service file :noquery t)))
               (p (car result)))
          (should (eq (process-status p) 'listen))
          (should (equal (cdr (assoc "keepalive"
                                     (cdar (netopt-test-sockets-with
                                            "local" file))))
                         "1"))
          (should (equal (funcall placeholders) before))
          (should-not (cdr result)))
      (delete-directory long t)
      (ignore-errors (delete-file file)))))

;;;; The README's recipe

(netopt-deftest netopt-mode-recipe-skips-what-does-not-apply ()
  "The README's dead-connection rule costs no warning on other sockets.
A UDP client and a local server (as `server-start' makes it) get no
warning; the local server has the one option that applies to it,
:keepalive, in the kernel, and the UDP client works."
  (let* ((file (netopt-test-temp-socket-name))
         (srv (netopt-test-socket :type 'datagram :server t
                                  :host "127.0.0.1" :service t))
         (result
          (netopt-mode-test--with-mode
              '((t :keepalive t :keepidle 30 :keepintvl 5 :keepcnt 4
                   :user-timeout 50000))
            (list (netopt-test-make-process :name "server" :server t
                                          :family 'local :service file
                                          :noquery t)
                  (netopt-test-make-process :name "udp" :type 'datagram
                                          :host "127.0.0.1"
                                          :service (netopt-test-port srv)
                                          :noquery t)))))
    (unwind-protect
        (progn
          (should-not (cdr result))
          (should (equal (cdr (assoc "keepalive"
                                     (cdar (netopt-test-sockets-with
                                            "local" file))))
                         "1"))
          (process-send-string (nth 1 (car result)) "hello")
          (should (equal (car (netopt-receive-from srv :timeout 5))
                         "hello")))
      (ignore-errors (delete-file file)))))

;;;; Failures leave nothing behind

(ert-deftest netopt-mode-failed-local-server-leaves-no-file ()
  "A local server made at the descriptor limit is made once, with no file left.
With one descriptor left under the limit, netopt's sockets cannot all
be made: Emacs's own call makes the server, once (before: netopt's
socket file was in its way, \"Address already in use\"), the rule's
options that apply are set on it (none, for a local socket: no
warning), and no placeholder file is left."
  (let ((result
         (netopt-test-child
          '(let* ((file (make-temp-name "/tmp/netopt-fail-"))
                  (placeholders
                   (lambda ()
                     (append
                      (directory-files temporary-file-directory nil
                                       "\\`netopt-placeholder")
                      (directory-files "/tmp" nil
                                       "\\`netopt-placeholder"))))
                  (before (funcall placeholders))
                  (open (mapcar #'string-to-number
                                (directory-files "/proc/self/fd" nil
                                                 "\\`[0-9]+\\'")))
                  (free (let ((i 0))
                          (while (memq i open) (setq i (1+ i)))
                          i)))
             (setq netopt-connection-options '((t :keepalive t)))
             (netopt-mode 1)
             (call-process "prlimit" nil nil nil
                           (format "--pid=%d" (emacs-pid))
                           ;; FREE counts the descriptor that listed
                           ;; them: one is left.
                           (format "--nofile=%d:%d" free 4096))
             (let* ((warned nil)
                    (p (cl-letf (((symbol-function 'display-warning)
                                  (lambda (&rest _) (setq warned t))))
                         (condition-case err
                             (make-network-process :name "l" :server t
                                                   :family 'local
                                                   :service file)
                           (error err)))))
               (let ((status (if (processp p) (process-status p) p)))
                 ;; Its descriptor was the last one under the limit.
                 (when (processp p) (delete-process p))
                 (prog1 (list status (equal (funcall placeholders) before)
                              warned)
                   (delete-file file)))))
          :seconds 40 :strict t)))
    (should (equal result '(listen t nil)))))

(ert-deftest netopt-mode-placeholder-found-whatever-gc-closes ()
  "The placeholder is found whatever a garbage collection closes meanwhile.
Sockets dropped before each call are closed by their finalizers when
the collector runs, as often as it can here, so descriptors are freed
during the calls: every datagram client and stream server is still
made, with its option."
  (let ((result
         (netopt-test-child
          '(let ((ok 0) (gc-cons-threshold 1))
             (dotimes (_ 60)
               (dotimes (_ 3)
                 (netopt-make-socket :type 'datagram))
               (let ((c (netopt-make-network-process
                         :name "c" :type 'datagram :host "127.0.0.1"
                         :service 9 :priority 3))
                     (s (netopt-make-network-process
                         :name "s" :server t :host "127.0.0.1" :service t
                         :priority 3)))
                 (when (and (eql (netopt-option c :priority) 3)
                            (eql (netopt-option s :priority) 3))
                   (setq ok (1+ ok)))
                 (delete-process c)
                 (delete-process s)))
             ok)
          :seconds 40 :strict t)))
    (should (equal result 60))))

;;;; Accept failures on an adopted server

(ert-deftest netopt-mode-accept-failure-calls-user-log ()
  "An accept that fails (EMFILE) calls the user's :log, and deletes nothing.
Emacs calls :log with CLIENT nil; an unrelated process of the current
buffer stays live."
  (let ((result
         (netopt-test-child
          '(let* ((logs nil)
                  (srv (netopt-make-network-process
                        :name "s" :server t :host "127.0.0.1" :service t
                        :freebind t
                        :log (lambda (_s c m) (push (list (and c t) m) logs))))
                  (buffer (generate-new-buffer "other"))
                  (other (make-pipe-process :name "other" :buffer buffer
                                            :noquery t))
                  ;; Connected by the kernel, not accepted yet: Emacs's
                  ;; loop does not run in a :nowait call.
                  (_cli (make-network-process
                         :name "cli" :host "127.0.0.1" :nowait t
                         :service (process-contact srv :service))))
             (with-current-buffer buffer
               (let* ((open (mapcar #'string-to-number
                                    (directory-files "/proc/self/fd" nil
                                                     "\\`[0-9]+\\'")))
                      (free (let ((i 0))
                              (while (memq i open) (setq i (1+ i)))
                              i)))
                 (call-process "prlimit" nil nil nil
                               (format "--pid=%d" (emacs-pid))
                               (format "--nofile=%d:%d" free 4096))
                 (accept-process-output nil 0.3)))
             (list (and (process-live-p other) t)
                   (car (car (last logs)))
                   ;; Emacs's own text: "accept failed with code24".
                   (and (string-match-p "\\`accept failed with code ?24\n"
                                        (cadr (car (last logs))))
                        t)))
          :seconds 40 :strict t)))
    (should (equal result '(t nil t)))))

;;;; Connections made while the mode waits

(ert-deftest netopt-mode-connection-made-while-waiting ()
  "A connection a timer opens while the mode waits for another gets its rule.
The first connection waits (its listener's queue is full); a timer
opens a second one meanwhile: the kernel holds the rule's keepidle on
the second."
  (should
   (equal
    (netopt-test-child
     '(let* ((full (netopt-make-socket :server 1 :host "127.0.0.1"
                                       :service t))
             (good (netopt-make-socket :server t :host "127.0.0.1"
                                       :service t))
             (good-port (netopt-test-port good))
             (second nil))
        (netopt-test-fill-tcp-backlog (netopt-test-port full))
        (setq netopt-connection-options '((t :keepidle 42))
              netopt-connect-timeout 2)
        (netopt-mode 1)
        (run-at-time 0.3 nil
                     (lambda ()
                       (setq second (make-network-process
                                     :name "second" :host "127.0.0.1"
                                     :service good-port))))
        (condition-case nil
            (make-network-process :name "first" :host "127.0.0.1"
                                  :service (netopt-test-port full))
          (error nil))
        (list (processp second)
              (cdr (assoc "keepidle"
                          (netopt-test-socket-with-peer
                           (format "127.0.0.1:%d" good-port))))))
     :seconds 40 :strict t)
    '(t "42"))))

;;;; Rules that signal or are malformed

(netopt-deftest netopt-mode-match-that-signals ()
  "A MATCH that signals, or is no valid regexp, costs no connection.
It is reported once, naming the rule, and matches nothing."
  (let* ((srv (netopt-test-server))
         (port (netopt-test-port srv))
         (signals (lambda (args) (string-match-p "x" (plist-get args :host))))
         (result
          (netopt-mode-test--with-mode `((,signals :keepalive t)
                                         ("[" :keepalive t))
            (list
             ;; As `server-start' does: no :host.
             (netopt-test-make-process :name "s" :server t :service t
                                     :noquery t)
             (netopt-test-make-process :name "s2" :server t :service t
                                     :noquery t)
             (netopt-test-make-process :name "c" :host "127.0.0.1"
                                     :service port :noquery t)))))
    (should (equal (mapcar #'process-status (car result))
                   '(listen listen open)))
    (should (= (length (cdr result)) 2))
    (should (seq-some (lambda (w) (string-match-p "MATCH signalled" w))
                      (cdr result)))
    (should (seq-some (lambda (w) (string-match-p "not a valid regexp" w))
                      (cdr result)))))

(netopt-deftest netopt-mode-malformed-rules ()
  "Malformed rules are reported once each, naming them, and ignored.
Not a plist, an option without a value, Emacs's own keywords among
the options: the connection is Emacs's own, a stream made at once."
  (let* ((srv (netopt-test-server))
         (port (netopt-test-port srv))
         (rules '((t . 5) (t :keepalive) (t :type datagram) (t :nowait t)))
         (result
          (netopt-mode-test--with-mode rules
            (list (netopt-test-make-process :name "c1" :host "127.0.0.1"
                                          :service port :noquery t)
                  (netopt-test-make-process :name "c2" :host "127.0.0.1"
                                          :service port :noquery t)))))
    (dolist (p (car result))
      (should (eq (process-status p) 'open))
      (should-not (process-contact p :type)))
    (should (= (length (cdr result)) 4))
    (dolist (rule rules)
      (should (seq-some (lambda (w) (string-search (format "%S" rule) w))
                        (cdr result))))))

;;;; The caller's own errors, and one attempt per call

(netopt-deftest netopt-mode-callers-bad-arguments ()
  "The caller's own bad arguments get Emacs's own error, and no warning."
  (dolist (args '((:name "x" :host "127.0.0.1" :service t)
                  (:name "x" :host "127.0.0.1" :service 1 :family ipx)
                  (:name "x" :host "" :service 1)))
    (let ((emacs (condition-case err (apply #'make-network-process args)
                   (error err)))
          (mode (netopt-mode-test--with-mode '((t :keepalive t))
                  (condition-case err (apply #'make-network-process args)
                    (error err)))))
      (should (consp emacs))
      (should (equal (car mode) emacs))
      (should-not (cdr mode)))))

(ert-deftest netopt-mode-one-attempt-per-call ()
  "A connection that cannot be made is tried once, with Emacs's error.
In a private network namespace the kernel counts connection attempts
\(ActiveOpens of /proc/net/snmp): a refused call under the mode adds
one, as Emacs's own, and signals the same error."
  (let ((result
         (netopt-test-child
          '(let ((opens #'netopt-test-active-opens)
                 (call (lambda ()
                         (condition-case err
                             (make-network-process :name "x"
                                                   :host "127.0.0.1"
                                                   :service 1)
                           (error err)))))
             (let* ((a (funcall opens))
                    (emacs (funcall call))
                    (b (funcall opens))
                    (mode (progn
                            (setq netopt-connection-options
                                  '((t :keepalive t)))
                            (netopt-mode 1)
                            (funcall call)))
                    (c (funcall opens)))
               (list (- b a) (- c b) (equal emacs mode) (car mode))))
          :unshare '("-n") :setup "ip link set lo up"
          :seconds 40 :strict t)))
    (should (equal result '(1 1 t file-error)))))

;;;; Other advice

(netopt-deftest netopt-mode-other-advice-sees-the-call-once ()
  "Other advice on `make-network-process' sees the caller's call once.
One added before the mode and one after each see exactly the call made,
never netopt's placeholder."
  (let* ((srv (netopt-test-server))
         (port (netopt-test-port srv))
         (before nil) (after nil)
         (record-before (lambda (&rest args) (push args before)))
         (record-after (lambda (&rest args) (push args after))))
    (advice-add 'make-network-process :before record-before)
    (unwind-protect
        (netopt-mode-test--with-mode '((t :keepidle 42))
          (advice-add 'make-network-process :before record-after)
          (unwind-protect
              (netopt-test-make-process :name "c" :host "127.0.0.1"
                                      :service port :noquery t)
            (advice-remove 'make-network-process record-after)))
      (advice-remove 'make-network-process record-before))
    (let ((call `((:name "c" :host "127.0.0.1" :service ,port :noquery t))))
      (should (equal before call))
      (should (equal after call)))
    (should (equal (cdr (assoc "keepidle"
                               (netopt-test-socket-with-peer
                                (format "127.0.0.1:%d" port))))
                   "42"))))

;;;; The contact

(defun netopt-mode-test--shapes (port file)
  "Return call shapes of `make-network-process' to compare.
PORT is a stream server's on 127.0.0.1, FILE a local stream server's."
  `((:name "a" :host "127.0.0.1" :service ,port)
    (:name "b" :host "127.0.0.1" :service ,port :nowait t)
    (:name "c" :host "127.0.0.1" :service ,port :nowait nil)
    (:name "d" :remote [127 0 0 1 ,port])
    (:name "e" :host "localhost" :service ,port :family ipv4 :type nil)
    (:name "f" :server t :service t)
    (:name "g" :server t :local [127 0 0 1 0])
    (:name "h" :server t :host "127.0.0.1" :service 0 :family ipv4)
    (:name "i" :type datagram :host "127.0.0.1" :service 9)
    (:name "j" :type datagram :server t :host "127.0.0.1" :service t)
    (:name "k" :family local :service ,file)
    (:name "l" :family local :remote ,file :local "")
    (:name "n" :host "127.0.0.1" :service ,port :coding utf-8 :buffer nil
           :plist (x 1))))

(defun netopt-mode-test--normal (contact)
  "Return CONTACT with its ephemeral ports and its options made neutral."
  (let ((out nil))
    (while contact
      (let ((key (car contact)) (value (cadr contact)))
        (unless (memq key '(:keepalive))
          (push key out)
          (push (cond ((and (vectorp value) (memq key '(:local :remote)))
                       (substring value 0 -1))
                      ((and (integerp value) (eq key :service)) 'port)
                      (t value))
                out)))
      (setq contact (cddr contact)))
    (nreverse out)))

(defun netopt-mode-test--normal-short (contact)
  "Return the (HOST SERVICE) CONTACT with a port made neutral."
  (mapcar (lambda (v) (if (integerp v) 'port v)) contact))

(netopt-deftest netopt-mode-contact-as-emacs ()
  "Under the mode `process-contact' is Emacs's own, but for options and ports.
Thirteen call shapes (clients, servers, datagram, local, with
:nowait nil, :type nil, :local \"\"): the whole plist and the
\(HOST SERVICE) form match Emacs's, keys in order."
  ;; The server's backlog holds every client of the test: Emacs accepts
  ;; only while its loop runs.
  (let* ((srv (netopt-test-make-process :name "srv" :server 100
                                        :host "127.0.0.1" :service t))
         (port (process-contact srv :service))
         (file (netopt-test-temp-socket-name)))
    (netopt-test-make-process :name "lsrv" :server 100 :family 'local
                              :service file)
    (unwind-protect
        (dolist (shape (netopt-mode-test--shapes port file))
          (let* ((args (append shape '(:noquery t)))
                 (emacs (apply #'netopt-test-make-process args))
                 (mode (car (netopt-mode-test--with-mode '((t :keepalive t))
                              (apply #'netopt-test-make-process args)))))
            (should (equal (netopt-mode-test--normal (process-contact mode t))
                           (netopt-mode-test--normal
                            (process-contact emacs t))))
            (should (equal (netopt-mode-test--normal-short
                            (process-contact mode))
                           (netopt-mode-test--normal-short
                            (process-contact emacs))))))
      (delete-file file))))

;;;; ERC, TLS, bad rules, calls no rule matches (API.md 5.2)

(defconst netopt-mode-test--rule
  '("\\`127\\.0\\.0\\.1\\'" :keepidle 42 :maxseg 1000)
  "The rule of `netopt-connection-options' the mode tests use.")

(defun netopt-mode-test--erc-form (port mode)
  "Return a form for a child Emacs: ERC connects to 127.0.0.1:PORT.
With MODE non-nil, `netopt-mode' is on with `netopt-mode-test--rule'.
The form returns (CONNECTED KERNEL): whether ERC registered (the
server's welcome came), and the kernel's view of ERC's socket."
  `(progn
     (require 'erc)
     ,@(and mode
            `((setq netopt-connection-options '(,netopt-mode-test--rule))
              (netopt-mode 1)))
     (let* ((erc-server-auto-reconnect nil)
            (erc-join-buffer 'bury)
            (buffer (erc :server "127.0.0.1" :port ,port :nick "adopt"
                         :full-name "netopt adopt test"))
            (connected (netopt-test-wait-for
                        (lambda () (buffer-local-value 'erc-server-connected
                                                       buffer))
                        10)))
       (list connected
             (with-current-buffer buffer
               (and (processp erc-server-process)
                    (netopt-test-socket-with-peer
                     ,(format "127.0.0.1:%d" port))))))))

(ert-deftest netopt-mode-harness-erc-ngircd ()
  "Harness: ngircd runs, and Emacs's own ERC registers with it."
  (netopt-test-with-server (port #'netopt-test-ngircd)
    (let ((result (netopt-test-child
                   (netopt-mode-test--erc-form port nil)
                   :seconds 40 :strict t)))
      (should (eq (car result) t))
      (should (equal (cdr (assoc "keepidle" (cadr result))) "7200")))))

(ert-deftest netopt-mode-erc-gets-the-rule ()
  "With `netopt-mode', an ERC connection has the rule's options.
They are in the kernel: :keepidle 42, and a segment size of 1000 at
most, which only a setting made before connect gives."
  (netopt-test-with-server (port #'netopt-test-ngircd)
    (let ((result (netopt-test-child
                   (netopt-mode-test--erc-form port t)
                   :seconds 40 :strict t)))
      (should (eq (car result) t))
      (should (equal (cdr (assoc "keepidle" (cadr result))) "42"))
      (should (<= (string-to-number (cdr (assoc "maxseg" (cadr result))))
                  1000)))))

(ert-deftest netopt-mode-harness-tls ()
  "Harness: openssl s_server talks TLS with Emacs's own stream."
  (skip-unless (gnutls-available-p))
  (netopt-test-with-server (port #'netopt-test-tls-server)
    (pcase-let ((`((,_how ,reply ,_kernel ,_status ,protocol))
                 (netopt-test-child
                  (netopt-mode-test--tls-form port nil '(stream))
                  :seconds 40 :strict t)))
      (should (equal reply "tpoten\n"))
      (should (stringp protocol)))))

(ert-deftest netopt-mode-tls-gets-the-rule ()
  "With `netopt-mode', a TLS stream has the rule's options and works."
  (skip-unless (gnutls-available-p))
  (netopt-test-with-server (port #'netopt-test-tls-server)
    (pcase-let ((`((,_how ,reply ,kernel ,_status ,protocol))
                 (netopt-test-child
                  (netopt-mode-test--tls-form port netopt-mode-test--rule
                                              '(stream))
                  :seconds 40 :strict t)))
      (should (equal reply "tpoten\n"))
      (should (stringp protocol))
      (should (equal (cdr (assoc "keepidle" kernel)) "42"))
      (should (<= (string-to-number (cdr (assoc "maxseg" kernel))) 1000)))))

(netopt-deftest netopt-mode-bad-rule-warns ()
  "A rule with a bad value still connects, and a warning names the rule."
  (let* ((srv (netopt-test-server))
         (port (netopt-test-port srv))
         (warnings nil)
         (record (lambda (&rest args) (push (format "%S" args) warnings))))
    (advice-add 'display-warning :before record)
    (unwind-protect
        (netopt-mode-test--with-mode '((t :keepidle "x"))
          (let ((p (netopt-test-make-process :name "bad" :host "127.0.0.1"
                                             :service port)))
            (should (eq (process-status p) 'open))
            (netopt-test-other-end srv)
            (should (seq-some (lambda (w) (string-match-p ":keepidle" w))
                              warnings))))
      (advice-remove 'display-warning record))))

(netopt-deftest netopt-mode-untouched-and-off ()
  "Calls matching no rule reach Emacs untouched; off, no advice remains."
  (let* ((srv (netopt-test-server))
         (port (netopt-test-port srv))
         (keys (lambda (plist)
                 (let ((out nil))
                   (while plist
                     (push (car plist) out)
                     (setq plist (cddr plist)))
                   (sort out #'string<))))
         (plain (netopt-test-make-process :name "plain" :host "127.0.0.1"
                                          :service port))
         (plain-kernel (netopt-test-other-end srv)))
    (netopt-mode-test--with-mode '(("\\`10\\.9\\.9\\.9\\'" :keepidle 42))
      (let* ((p (netopt-test-make-process :name "plain" :host "127.0.0.1"
                                          :service port))
             (kernel (netopt-test-other-end srv)))
        (should (equal (funcall keys (process-contact p t))
                       (funcall keys (process-contact plain t))))
        (should (equal (process-contact p :host) "127.0.0.1"))
        (should (equal (cdr (assoc "keepidle" kernel))
                       (cdr (assoc "keepidle" plain-kernel))))))
    (should-not (advice--p (symbol-function 'make-network-process)))))

(provide 'mode-test)
;;; mode-test.el ends here
