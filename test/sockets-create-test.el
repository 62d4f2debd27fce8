;;; sockets-create-test.el --- netopt-make-socket: every kind, addresses, failures  -*- lexical-binding: t; -*-

;;; Commentary:

;; module/sockets/create.c and address.c: netopt-make-socket in every
;; kind (stream, datagram; IPv4, IPv6, local; client, server, bare),
;; the addresses it takes and reports (checked against what the kernel
;; reports through test/tools/sockpeek), hosts with several addresses,
;; and failures that name what failed and leave no descriptor.

;;; Code:

(require 'netopt-test-helpers)

;;;; Every kind

(netopt-deftest netopt-sockets-create-ipv4-stream ()
  "An IPv4 stream server with :service t, a client, an accepted child."
  (let* ((srv (netopt-test-server))
         (port (netopt-test-port srv))
         (cli (netopt-test-socket :name "cli" :host "127.0.0.1" :service port))
         (child (netopt-accept srv 5)))
    (netopt-test-close-later child)
    (should (> port 0))
    (should (equal (netopt-test-kernel srv "local")
                   (format "127.0.0.1:%d" port)))
    (should (equal (netopt-test-kernel cli "peer")
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

(netopt-deftest netopt-sockets-create-ipv6-stream ()
  "An IPv6 stream server and client on ::1."
  (skip-unless (netopt-test-ipv6-p))
  (let* ((srv (netopt-test-socket :family 'ipv6 :server t :host "::1"
                                  :service t))
         (port (netopt-test-port srv))
         (cli (netopt-test-socket :host "::1" :service port))
         (child (netopt-accept srv 5)))
    (netopt-test-close-later child)
    (should (equal (netopt-test-kernel cli "domain") "ipv6"))
    (should (equal (netopt-test-kernel cli "peer") (format "[::1]:%d" port)))
    (should (equal (netopt-contact srv :local) (vector 0 0 0 0 0 0 0 1 port)))
    (should (eq (netopt-contact cli :family) 'ipv6))
    (netopt-send cli "six")
    (should (equal (netopt-receive child :timeout 5) "six"))))

(netopt-deftest netopt-sockets-create-remote-and-local-vectors ()
  ":remote and :local take addresses as process-contact shows them."
  (let* ((srv (netopt-test-server))
         (port (netopt-test-port srv))
         (cli (netopt-test-socket :remote (vector 127 0 0 1 port)
                                  :local [127 0 0 1 0])))
    (should (equal (netopt-test-kernel cli "peer")
                   (format "127.0.0.1:%d" port)))
    (let ((bound (netopt-test-socket :type 'datagram :local [127 0 0 1 0])))
      (should (string-prefix-p "127.0.0.1:" (netopt-test-kernel bound "local")))
      (should (> (aref (netopt-contact bound :local) 4) 0)))))

(netopt-deftest netopt-sockets-create-local-family ()
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
          (should (equal (netopt-test-kernel srv "local") file))
          (should (equal (netopt-test-kernel cli "peer") file))
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

(netopt-deftest netopt-sockets-create-bare ()
  "Without an address the socket is only created, so options come first."
  (let ((s (netopt-test-socket)))
    (should (equal (netopt-test-kernel s "local") "0.0.0.0:0"))
    (should (equal (netopt-test-kernel s "peer") "-"))
    (should (eq (netopt-contact s :family) 'ipv4))
    (should (null (netopt-contact s :remote)))
    (should (eq (netopt-set-option s :reuseaddr t) t))
    (should (equal (netopt-test-kernel s "reuseaddr") 1))))

(netopt-deftest netopt-sockets-create-contact-plist ()
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

;;;; Addresses

(netopt-deftest netopt-sockets-create-local-name-too-long ()
  "A local file name longer than sun_path is a clear error, not an overflow."
  (let ((before (progn (garbage-collect) (netopt-test-fd-count))))
    (should-error (netopt-make-socket :family 'local :service
                                      (concat "/tmp/" (make-string 200 ?x)))
                  :type 'netopt-bad-value)
    (should-error (netopt-make-socket :family 'local :server t :service
                                      (concat "/tmp/" (make-string 103 ?x)))
                  :type 'netopt-bad-value)
    (should (= (netopt-test-fd-count) before))))

(ert-deftest netopt-sockets-create-local-path-overflow ()
  "Local file names longer than sun_path are bad values, never overflows."
  (dolist (len '(107 108 200 10000))
    (let ((path (concat "/tmp/" (make-string len ?p))))
      (should-error (netopt-make-socket :family 'local :service path)
                    :type 'netopt-bad-value)
      (should-error (netopt-make-socket :family 'local :server t
                                        :service path)
                    :type 'netopt-bad-value)
      (should-error (netopt-make-socket :remote path) :type 'netopt-bad-value))))

(netopt-deftest netopt-sockets-create-ports-as-strings ()
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

(ert-deftest netopt-sockets-create-host-with-several-addresses ()
  "A client whose :host has several addresses tries each until one connects.
In a private mount namespace, /etc/hosts gives the name netopt-dual
both ::1 and 127.0.0.1; a server listens on one of them only, first
the one, then the other: the client reaches it either way, as
`make-network-process' does."
  (skip-unless (netopt-test-ipv6-p))
  (should (equal (netopt-test-child
                  '(mapcar
                    (lambda (host)
                      (let* ((srv (netopt-make-socket :server t :host host
                                                      :service t))
                             (cli (netopt-make-socket
                                   :host "netopt-dual"
                                   :service (cadr (netopt-contact srv))
                                   :keepalive t)))
                        (prog1 (list (netopt-contact cli :family)
                                     (netopt-option cli :keepalive))
                          (netopt-close cli)
                          (netopt-close srv))))
                    '("127.0.0.1" "::1"))
                  :mount '(("/etc/hosts"
                            . "::1 netopt-dual\n127.0.0.1 netopt-dual\n"))
                  :strict t)
                 '((ipv4 t) (ipv6 t)))))

;;;; Failures

(netopt-deftest netopt-sockets-create-connect-refused ()
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

(netopt-deftest netopt-sockets-create-bind-error-names-address ()
  "A bind failure names the address, also when given as :host/:service."
  (let* ((srv (netopt-test-server))
         (port (netopt-test-port srv))
         (args (list :server t :host "127.0.0.1" :service port
                     :reuseaddr nil))
         (err (should-error (apply #'netopt-make-socket args)
                            :type 'netopt-system-error)))
    (should (equal (car (cdr err)) "Cannot bind"))
    (should (member (vector 127 0 0 1 port) err))))

(netopt-deftest netopt-sockets-create-bad-arguments-leak-nothing ()
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

(ert-deftest netopt-sockets-create-error-paths-leak-nothing ()
  "Failing creations, connections and accepts leave no descriptor."
  (let ((before (progn (garbage-collect) (netopt-test-fd-count))))
    (dotimes (_ 200)
      (condition-case nil
          (netopt-make-socket :host "127.0.0.1" :service 1)
        (netopt-system-error nil))
      (condition-case nil
          (netopt-make-socket :bindtodevice "nonexistent0")
        (netopt-system-error nil))
      (condition-case nil
          (netopt-make-socket :server t :host "192.0.2.254" :service t)
        (netopt-system-error nil)))
    (should (= (netopt-test-fd-count) before))))

(provide 'sockets-create-test)
;;; sockets-create-test.el ends here
