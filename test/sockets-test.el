;;; sockets-test.el --- sockets made by the module  -*- lexical-binding: t; -*-

;;; Commentary:

;; netopt-make-socket in every kind (stream, datagram; IPv4, IPv6,
;; local; client, server, bare), netopt-contact, send and receive,
;; close, and descriptor hygiene.  Addresses are checked against what
;; the kernel reports through test/tools/sockpeek.

;;; Code:

(require 'netopt-test-helpers)

(defun netopt-sockets-test--peer (sock)
  "Return sockpeek's \"peer\" line for SOCK."
  (cdr (assoc "peer" (netopt-test-peek sock))))

(defun netopt-sockets-test--local (sock)
  "Return sockpeek's \"local\" line for SOCK."
  (cdr (assoc "local" (netopt-test-peek sock))))

(netopt-deftest netopt-sockets-ipv4-stream ()
  "An IPv4 stream server with :service t, a client, an accepted child."
  (let* ((srv (netopt-test-server))
         (port (netopt-test-port srv))
         (cli (netopt-test-socket :name "cli" :host "127.0.0.1" :service port))
         (child (netopt-accept srv 5)))
    (netopt-test-close-later child)
    (should (> port 0))
    (should (equal (netopt-sockets-test--local srv)
                   (format "127.0.0.1:%d" port)))
    (should (equal (netopt-sockets-test--peer cli)
                   (format "127.0.0.1:%d" port)))
    (should (equal (netopt-test-kernel cli "domain") "ipv4"))
    (should (equal (netopt-test-kernel cli "type") "stream"))
    (should (equal (netopt-contact srv) (list "127.0.0.1" port)))
    (should (equal (netopt-contact cli) (list "127.0.0.1" port)))
    (should (equal (netopt-contact srv :local) (vector 127 0 0 1 port)))
    (should (equal (netopt-contact cli :remote) (vector 127 0 0 1 port)))
    (should (equal (netopt-contact child :remote) (netopt-contact cli :local)))
    (should (eq (netopt-contact srv :server) t))
    (should (equal (netopt-contact cli :name) "cli"))
    (should (eq (netopt-contact cli :type) 'stream))
    (should (eq (netopt-contact cli :family) 'ipv4))
    (should (= (netopt-send cli "ping") 4))
    (should (equal (netopt-receive child :timeout 5) "ping"))
    (should (= (netopt-send child "pong") 4))
    (should (equal (netopt-receive cli :timeout 5) "pong"))))

(netopt-deftest netopt-sockets-ipv6-stream ()
  "An IPv6 stream server and client on ::1."
  (skip-unless (netopt-test-ipv6-p))
  (let* ((srv (netopt-test-socket :family 'ipv6 :server t :host "::1"
                                  :service t))
         (port (netopt-test-port srv))
         (cli (netopt-test-socket :host "::1" :service port))
         (child (netopt-accept srv 5)))
    (netopt-test-close-later child)
    (should (equal (netopt-test-kernel cli "domain") "ipv6"))
    (should (equal (netopt-sockets-test--peer cli) (format "[::1]:%d" port)))
    (should (equal (netopt-contact srv :local) (vector 0 0 0 0 0 0 0 1 port)))
    (should (eq (netopt-contact cli :family) 'ipv6))
    (netopt-send cli "six")
    (should (equal (netopt-receive child :timeout 5) "six"))))

(netopt-deftest netopt-sockets-remote-and-local-vectors ()
  ":remote and :local take addresses as process-contact shows them."
  (let* ((srv (netopt-test-server))
         (port (netopt-test-port srv))
         (cli (netopt-test-socket :remote (vector 127 0 0 1 port)
                                  :local [127 0 0 1 0])))
    (should (equal (netopt-sockets-test--peer cli)
                   (format "127.0.0.1:%d" port)))
    (let ((bound (netopt-test-socket :type 'datagram :local [127 0 0 1 0])))
      (should (string-prefix-p "127.0.0.1:" (netopt-sockets-test--local bound)))
      (should (> (aref (netopt-contact bound :local) 4) 0)))))

(netopt-deftest netopt-sockets-datagram ()
  "Datagram server and clients: connected, unconnected with :to."
  (let* ((srv (netopt-test-socket :type 'datagram :server t
                                  :host "127.0.0.1" :service t))
         (port (netopt-test-port srv))
         (connected (netopt-test-socket :type 'datagram :host "127.0.0.1"
                                        :service port))
         (free (netopt-test-socket :type 'datagram)))
    (should (equal (netopt-test-kernel srv "type") "datagram"))
    (should (equal (netopt-sockets-test--peer connected)
                   (format "127.0.0.1:%d" port)))
    (should (equal (netopt-sockets-test--peer free) "-"))
    (should (= (netopt-send connected "one") 3))
    (let ((got (netopt-receive-from srv :timeout 5)))
      (should (equal (car got) "one"))
      (should (equal (cdr got) (netopt-contact connected :local))))
    (should (= (netopt-send free "two" :to (vector 127 0 0 1 port)) 3))
    (let ((got (netopt-receive-from srv :timeout 5)))
      (should (equal (car got) "two"))
      ;; Reply to the sender's address.
      (netopt-send srv "back" :to (cdr got))
      (should (equal (netopt-receive free :timeout 5) "back")))
    ;; A datagram is never cut: one longer than :max signals and stays
    ;; queued, and a larger :max then reads it whole.
    (netopt-send connected "abcdef")
    (let ((err (should-error (netopt-receive srv :max 3 :timeout 5)
                             :type 'netopt-system-error)))
      (should (equal (nth 2 err) "Message too long")))
    (should (equal (netopt-receive srv :max 6 :timeout 5) "abcdef"))
    (should-not (netopt-receive srv :timeout 0))))

(netopt-deftest netopt-sockets-datagram-whole ()
  "Without :max the whole next datagram or record is returned."
  (let* ((srv (netopt-test-socket :type 'datagram :server t
                                  :host "127.0.0.1" :service t :rcvbuf 400000))
         (cli (netopt-test-socket :type 'datagram :host "127.0.0.1"
                                  :service (netopt-test-port srv)))
         (big (make-string 65000 ?x))
         (file (netopt-test-temp-socket-name)))
    ;; Larger than the default :max of a stream read (65536 bytes)?
    ;; UDP's limit is 65507; 65000 bytes, then an empty datagram.
    (should (= (netopt-send cli big) 65000))
    (should (= (netopt-send cli "") 0))
    (should (equal (netopt-receive srv :timeout 5) big))
    (should (equal (netopt-receive srv :timeout 5) ""))
    ;; A local seqpacket record of 200000 bytes, read whole.
    (unwind-protect
        (let* ((lsrv (netopt-test-socket :family 'local :type 'seqpacket
                                         :service file :server t))
               (lcli (netopt-test-socket :family 'local :type 'seqpacket
                                         :service file :sndbuf 500000))
               (child (netopt-accept lsrv 5))
               (record (make-string 200000 ?r)))
          (should (= (netopt-send lcli record) 200000))
          (should-error (netopt-receive child :max 1000 :timeout 5)
                        :type 'netopt-system-error)
          (should (equal (netopt-receive child :timeout 5) record))
          (netopt-close child))
      (ignore-errors (delete-file file)))))

(netopt-deftest netopt-sockets-local-family ()
  "Local (Unix) stream and datagram sockets, by file name."
  (let* ((file (netopt-test-temp-socket-name))
         (dfile (netopt-test-temp-socket-name)))
    (unwind-protect
        (let* ((srv (netopt-test-socket :family 'local :server t
                                        :service file))
               (cli (netopt-test-socket :family 'local :service file))
               (child (netopt-accept srv 5))
               (dsrv (netopt-test-socket :family 'local :type 'datagram
                                         :server t :service dfile))
               (dcli (netopt-test-socket :remote dfile :type 'datagram)))
          (netopt-test-close-later child)
          (should (equal (netopt-test-kernel srv "domain") "local"))
          (should (equal (netopt-sockets-test--local srv) file))
          (should (equal (netopt-sockets-test--peer cli) file))
          (should (equal (netopt-contact srv :local) file))
          (should (equal (netopt-contact cli :remote) file))
          (should (eq (netopt-contact cli :family) 'local))
          (should (equal (netopt-contact srv) (list nil file)))
          (netopt-send cli "unix")
          (should (equal (netopt-receive child :timeout 5) "unix"))
          (netopt-send dcli "gram")
          (should (equal (netopt-receive dsrv :timeout 5) "gram")))
      (ignore-errors (delete-file file))
      (ignore-errors (delete-file dfile)))))

(netopt-deftest netopt-sockets-local-name-too-long ()
  "A local file name longer than sun_path is a clear error, not an overflow."
  (let ((before (progn (garbage-collect) (netopt-test-fd-count))))
    (should-error (netopt-make-socket :family 'local :service
                                      (concat "/tmp/" (make-string 200 ?x)))
                  :type 'netopt-bad-value)
    (should-error (netopt-make-socket :family 'local :server t :service
                                      (concat "/tmp/" (make-string 103 ?x)))
                  :type 'netopt-bad-value)
    (should (= (netopt-test-fd-count) before))))

(netopt-deftest netopt-sockets-bare ()
  "Without an address the socket is only created, so options come first."
  (let ((s (netopt-test-socket)))
    (should (equal (netopt-sockets-test--local s) "0.0.0.0:0"))
    (should (equal (netopt-sockets-test--peer s) "-"))
    (should (eq (netopt-contact s :family) 'ipv4))
    (should (null (netopt-contact s :remote)))
    (should (eq (netopt-set-option s :reuseaddr t) t))
    (should (equal (netopt-test-kernel s "reuseaddr") 1))))

(netopt-deftest netopt-sockets-contact-plist ()
  "netopt-contact t lists every applicable option, read from the kernel."
  (let* ((s (netopt-test-socket :keepalive t :priority 2))
         (plist (netopt-contact s t)))
    (dolist (key '(:name :type :family :host :service :server :local
                         :remote))
      (should (plist-member plist key)))
    (dolist (opt '(:bindtodevice :broadcast :dontroute :keepalive :linger
                                 :oobinline :priority :reuseaddr))
      (should (plist-member plist opt)))
    (should (eq (plist-get plist :keepalive) t))
    (should (eql (plist-get plist :priority) 2))
    ;; Changed behind the contact's back: the next contact tells.
    (netopt-set-option s :priority 5)
    (should (eql (plist-get (netopt-contact s t) :priority) 5))
    (should (equal (netopt-test-kernel s "priority") 5))))

(netopt-deftest netopt-sockets-receive-forms ()
  "netopt-receive: nil on timeout, \"\" at end of stream, unibyte data."
  (pcase-let ((`(,_srv ,cli ,child) (netopt-test-pair)))
    (should (null (netopt-receive child :timeout 0)))
    (should (null (netopt-receive child :timeout 0.1)))
    (should (= (netopt-send cli "h\351llo \377") 7))
    (let ((got (netopt-receive child :timeout 5)))
      (should (equal got "h\351llo \377"))
      (should-not (multibyte-string-p got)))
    ;; A multibyte string goes out as UTF-8.
    (should (= (netopt-send cli "é") 2))
    (should (equal (netopt-receive child :timeout 5) "\303\251"))
    (netopt-close cli)
    (should (equal (netopt-receive child :timeout 5) ""))))

(netopt-deftest netopt-sockets-close ()
  "Closing releases the descriptor; twice is harmless; the handle stays."
  (let* ((before (progn (garbage-collect) (netopt-test-fd-count)))
         (s (netopt-make-socket)))
    (should (= (netopt-test-fd-count) (1+ before)))
    (should (netopt-socket-p s))
    (should (eq (netopt-live-p s) t))
    (should (null (netopt-close s)))
    (should (null (netopt-close s)))
    (should (= (netopt-test-fd-count) before))
    (should (netopt-socket-p s))
    (should (null (netopt-live-p s)))
    (should-not (netopt-socket-p 42))
    (should-not (netopt-socket-p (current-buffer)))))

(ert-deftest netopt-sockets-garbage-collected ()
  "Sockets dropped unclosed are closed when garbage-collected."
  (let ((before (progn (garbage-collect) (netopt-test-fd-count))))
    (dotimes (_ 200) (netopt-make-socket))
    (should (>= (netopt-test-fd-count) before))
    (garbage-collect)
    (should (= (netopt-test-fd-count) before))))

(netopt-deftest netopt-sockets-bad-arguments-leak-nothing ()
  "Bad keyword arguments signal before any descriptor is made."
  (let ((before (progn (garbage-collect) (netopt-test-fd-count))))
    (should-error (netopt-make-socket :type 'raw) :type 'netopt-bad-value)
    (should-error (netopt-make-socket :family 'ipx) :type 'netopt-bad-value)
    (should-error (netopt-make-socket :server t :service 70000)
                  :type 'netopt-bad-value)
    (should-error (netopt-make-socket :remote [127 0 0 1]) :type
                  'netopt-bad-value)
    (should-error (netopt-make-socket :remote [300 0 0 1 80]) :type
                  'netopt-bad-value)
    (should-error (netopt-make-socket :family 'ipv6 :remote [127 0 0 1 80])
                  :type 'netopt-bad-value)
    (should-error (netopt-make-socket :host "127.0.0.1") :type
                  'netopt-bad-value)
    (should-error (netopt-make-socket :keepalive) :type 'wrong-type-argument)
    (should-error (netopt-make-socket :bogus 1) :type 'netopt-unknown-option)
    (should-error (netopt-make-socket :type 'datagram :nodelay t)
                  :type 'netopt-unknown-option)
    (should-error (netopt-make-socket :priority 'x) :type 'netopt-bad-value)
    (should (= (netopt-test-fd-count) before))))

(netopt-deftest netopt-sockets-connect-refused ()
  "A refused connection is a system error and leaks no descriptor."
  (let* ((srv (netopt-make-socket :server t :host "127.0.0.1" :service t))
         (port (netopt-test-port srv))
         (before (progn (netopt-close srv) (garbage-collect)
                        (netopt-test-fd-count)))
         (err (should-error (netopt-make-socket :host "127.0.0.1"
                                                :service port)
                            :type 'netopt-system-error)))
    (should (member "Connection refused" err))
    (should (= (netopt-test-fd-count) before))))

(netopt-deftest netopt-sockets-send-receive-args ()
  "Send and receive check their arguments."
  (pcase-let ((`(,_srv ,cli ,child) (netopt-test-pair)))
    (should-error (netopt-send cli 42) :type 'wrong-type-argument)
    (should-error (netopt-receive child :max 0) :type 'netopt-bad-value)
    (should-error (netopt-receive child :max -1) :type 'netopt-bad-value)
    (should-error (netopt-receive child :timeout -1) :type 'netopt-bad-value)
    (should-error (netopt-receive child :timeout "1") :type 'netopt-bad-value)
    (should-error (netopt-receive child :max) :type 'wrong-type-argument)
    (should-error (netopt-receive child :bogus 1) :type 'netopt-error)
    (should-error (netopt-send cli "x" :to [127 0 0 1]) :type
                  'netopt-bad-value)))

(provide 'sockets-test)
;;; sockets-test.el ends here
