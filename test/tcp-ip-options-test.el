;;; tcp-ip-options-test.el --- the option catalogue beyond the manual  -*- lexical-binding: t; -*-

;;; Commentary:

;; TCP, socket-level and IP options: each set and read back, and
;; confirmed by test/tools/sockpeek (an independent reader); the rules
;; of applicability and read-only options; TCP_INFO, peer credentials,
;; SO_REUSEPORT, IPV6_V6ONLY, multicast membership and raw options.

;;; Code:

(require 'netopt-test-helpers)

(defconst netopt-catalog-test-cases
  ;; (OPTION SOCKPEEK-NAME KIND VALUE KERNEL READ-BACK)
  ;; KIND: tcp (connected IPv4 stream), tcp6, udp, udp6, local, bare.
  '((:nodelay "nodelay" tcp t 1 t)
    (:keepidle "keepidle" tcp 61 61 61)
    (:keepintvl "keepintvl" tcp 7 7 7)
    (:keepcnt "keepcnt" tcp 4 4 4)
    (:user-timeout "user-timeout" tcp 2500 2500 2500)
    (:maxseg "maxseg" bare 1200 1200 1200)
    (:cork "cork" tcp t 1 t)
    (:notsent-lowat "notsent-lowat" tcp 4096 4096 4096)
    (:congestion "congestion" tcp "reno" "reno" "reno")
    (:syncnt "syncnt" tcp 3 3 3)
    (:rcvbuf "rcvbuf" tcp 65536 131072 131072)
    (:sndbuf "sndbuf" tcp 65536 131072 131072)
    (:rcvlowat "rcvlowat" tcp 10 10 10)
    (:reuseport "reuseport" bare t 1 t)
    (:mark "mark" tcp 42 42 42)
    (:passcred "passcred" local t 1 t)
    (:tos "tos" tcp 16 16 16)
    (:tclass "tos" tcp 32 32 32)
    (:tos "tclass" tcp6 16 16 16)
    (:tclass "tclass" tcp6 32 32 32)
    (:ttl "ttl" tcp 17 17 17)
    (:unicast-hops "ttl" tcp 18 18 18)
    (:ttl "unicast-hops" tcp6 19 19 19)
    (:unicast-hops "unicast-hops" tcp6 20 20 20)
    (:v6only "v6only" bare6 t 1 t)
    (:freebind "freebind" bare t 1 t)
    (:mtu-discover "mtu-discover" tcp 0 0 0)
    (:multicast-ttl "multicast-ttl" udp 5 5 5)
    (:multicast-hops "multicast-ttl" udp 6 6 6)
    (:multicast-hops "multicast-hops" udp6 7 7 7)
    (:multicast-loop "multicast-loop" udp nil 0 nil)
    (:multicast-loop "multicast-loop" udp6 nil 0 nil))
  "Catalogue options: a value, what the kernel holds, what reads back.")

(defun netopt-catalog-test--socket (kind)
  "Return a socket of KIND for the round-trip table."
  (pcase kind
    ('tcp (nth 1 (netopt-test-pair)))
    ('tcp6 (let ((srv (netopt-test-socket :family 'ipv6 :server t
                                          :host "::1" :service t)))
             (prog1 (netopt-test-socket :host "::1"
                                        :service (netopt-test-port srv))
               (netopt-test-close-later (netopt-accept srv 5)))))
    ('udp (netopt-test-socket :type 'datagram))
    ('udp6 (netopt-test-socket :type 'datagram :family 'ipv6))
    ('bare (netopt-test-socket))
    ('bare6 (netopt-test-socket :family 'ipv6))
    ('local (netopt-test-socket :family 'local))))

(netopt-deftest netopt-catalog-round-trips ()
  "Every catalogue option: set, held by the kernel, read back."
  (let ((ipv6 (netopt-test-ipv6-p)) (checked 0))
    (dolist (case netopt-catalog-test-cases)
      (pcase-let ((`(,option ,peek ,kind ,value ,kernel ,back) case))
        (unless (and (not ipv6) (memq kind '(tcp6 udp6 bare6)))
          (let ((s (netopt-catalog-test--socket kind)))
            (should (equal (list option kind (netopt-set-option s option value))
                           (list option kind t)))
            (should (equal (list option kind (netopt-test-kernel s peek))
                           (list option kind kernel)))
            (should (equal (list option kind (netopt-option s option))
                           (list option kind back)))
            (setq checked (1+ checked))))))
    (should (>= checked 25))))

(netopt-deftest netopt-catalog-at-creation ()
  "Catalogue options given to netopt-make-socket are set before connect."
  (let* ((srv (netopt-test-server))
         (cli (netopt-test-socket :host "127.0.0.1"
                                  :service (netopt-test-port srv)
                                  :keepalive t :keepidle 33 :keepintvl 5
                                  :keepcnt 3 :user-timeout 9000 :nodelay t
                                  :tos 8 :congestion "reno")))
    (dolist (pair '(("keepidle" . 33) ("keepintvl" . 5) ("keepcnt" . 3)
                    ("user-timeout" . 9000) ("nodelay" . 1) ("tos" . 8)
                    ("congestion" . "reno")))
      (should (equal (cons (car pair) (netopt-test-kernel cli (car pair)))
                     pair)))))

(netopt-deftest netopt-catalog-applicability ()
  "Options that do not apply to a socket are unsupported for it."
  (let ((udp (netopt-test-socket :type 'datagram))
        (tcp4 (netopt-test-socket))
        (local (netopt-test-socket :family 'local)))
    (dolist (call (list (lambda () (netopt-set-option udp :nodelay t))
                        (lambda () (netopt-option udp :keepidle))
                        (lambda () (netopt-set-option tcp4 :v6only t))
                        (lambda () (netopt-set-option tcp4 :multicast-ttl 3))
                        (lambda () (netopt-option local :tos))
                        (lambda () (netopt-option tcp4 :peercred))
                        (lambda () (netopt-set-option local :keepidle 5))))
      (should-error (funcall call) :type 'netopt-unknown-option))
    (should (null (netopt-set-option udp :nodelay t t)))))

(netopt-deftest netopt-catalog-read-only ()
  "Read-only options read, and refuse to be set (nil with NO-ERROR)."
  (pcase-let ((`(,srv ,cli ,_child) (netopt-test-pair)))
    (dolist (option '(:info :error :acceptconn))
      (should-error (netopt-set-option cli option 1)
                    :type 'netopt-unknown-option)
      (should (null (netopt-set-option cli option 1 t)))
      (should (null (plist-get (netopt-option-info option) :settable))))
    (should (eq (netopt-option srv :acceptconn) t))
    (should (eq (netopt-option cli :acceptconn) nil))
    (should (equal (netopt-test-kernel srv "acceptconn") 1))
    (should (eql (netopt-option cli :error) 0))))

(netopt-deftest netopt-catalog-tcp-info ()
  ":info reports the connection's state and a plausible round-trip time."
  (pcase-let ((`(,srv ,cli ,child) (netopt-test-pair)))
    (netopt-send cli "ping")
    (netopt-receive child :timeout 5)
    (let ((info (netopt-option cli :info)))
      (should (eq (plist-get info :state) 'established))
      (should (> (plist-get info :rtt) 0))
      (should (> (plist-get info :snd-mss) 0))
      (should (>= (plist-get info :retransmits) 0)))
    (should (eq (plist-get (netopt-option srv :info) :state) 'listen))
    (netopt-close cli)
    (netopt-test-receive-all child)
    (should (memq (plist-get (netopt-option child :info) :state)
                  '(close-wait last-ack close)))))

(netopt-deftest netopt-catalog-peercred ()
  ":peercred on a local connection reports this Emacs's pid and ids."
  (let* ((file (netopt-test-temp-socket-name))
         (srv (netopt-test-socket :family 'local :server t :service file)))
    (unwind-protect
        (let* ((cli (netopt-test-socket :family 'local :service file))
               (child (netopt-accept srv 5)))
          (netopt-test-close-later child)
          (dolist (s (list cli child))
            (let ((cred (netopt-option s :peercred)))
              (should (eql (plist-get cred :pid) (emacs-pid)))
              (should (eql (plist-get cred :uid) (user-uid)))
              (should (eql (plist-get cred :gid) (group-gid))))))
      (delete-file file))))

(netopt-deftest netopt-catalog-reuseport ()
  ":reuseport lets two servers bind one port; without it the second fails."
  (let* ((a (netopt-test-server :reuseport t))
         (port (netopt-test-port a)))
    (should (netopt-test-socket :server t :host "127.0.0.1" :service port
                                :reuseport t))
    (let ((b (netopt-test-server :reuseport nil)))
      (should-error (netopt-make-socket :server t :host "127.0.0.1"
                                        :service (netopt-test-port b))
                    :type 'netopt-system-error))
    ;; Settable only before bind.
    (should-error (netopt-set-option a :reuseport nil)
                  :type 'netopt-unknown-option)))

(netopt-deftest netopt-catalog-v6only ()
  ":v6only decides whether an IPv6 wildcard server takes IPv4 clients."
  (skip-unless (netopt-test-ipv6-p))
  (dolist (v6only '(nil t))
    (let* ((srv (netopt-test-socket :family 'ipv6 :server t :service t
                                    :v6only v6only))
           (port (netopt-test-port srv)))
      (should (equal (netopt-test-kernel srv "v6only") (if v6only 1 0)))
      (if v6only
          (should-error (netopt-make-socket :host "127.0.0.1" :service port
                                            :timeout 2)
                        :type 'netopt-system-error)
        (netopt-test-socket :host "127.0.0.1" :service port)
        (let ((child (netopt-accept srv 5)))
          (netopt-test-close-later child)
          ;; An IPv4 client seen through an IPv6 socket: ::ffff:127.0.0.1.
          (should (equal (seq-take (netopt-contact child :remote) 6)
                         '[0 0 0 0 0 65535])))))))

(netopt-deftest netopt-catalog-keepalive-timer-in-ss ()
  "Keep-alive timing shows in ss as the connection's keepalive timer."
  (skip-unless (executable-find "ss"))
  (pcase-let ((`(,_srv ,cli ,_child) (netopt-test-pair)))
    (netopt-set-option cli :keepalive t)
    (netopt-set-option cli :keepidle 1234)
    (let* ((port (aref (netopt-contact cli :local) 4))
           (line (cdr (netopt-test-command
                       "ss" "-tno" "state" "established"
                       (format "( sport = :%d )" port)))))
      ;; 1234 s is 20 min 34 s; the timer counts down from it.
      (should (string-match "timer:(keepalive,\\([0-9]+\\)min" line))
      (should (member (match-string 1 line) '("20" "19"))))))

(netopt-deftest netopt-catalog-multicast-interface ()
  ":multicast-if takes an interface name and reads it back."
  (let ((u4 (netopt-test-socket :type 'datagram)))
    (should (null (netopt-option u4 :multicast-if)))
    (should (eq (netopt-set-option u4 :multicast-if "lo") t))
    (should (equal (netopt-option u4 :multicast-if) "lo"))
    (should-error (netopt-set-option u4 :multicast-if "nonexistent0")
                  :type 'netopt-system-error)
    (netopt-set-option u4 :multicast-if nil)
    (should (null (netopt-option u4 :multicast-if))))
  (when (netopt-test-ipv6-p)
    (let ((u6 (netopt-test-socket :type 'datagram :family 'ipv6)))
      (netopt-set-option u6 :multicast-if "lo")
      (should (equal (netopt-option u6 :multicast-if) "lo")))))

(netopt-deftest netopt-catalog-groups ()
  "Joining and leaving groups; bad groups are bad values."
  (let ((u (netopt-test-socket :type 'datagram :server t :service t)))
    (should (eq (netopt-join-group u "224.0.0.251" "lo") t))
    (should (eq (netopt-leave-group u [224 0 0 251] "lo") t))
    (should-error (netopt-leave-group u "224.0.0.251" "lo")
                  :type 'netopt-system-error)
    (should-error (netopt-join-group u "not-an-address")
                  :type 'netopt-bad-value)
    (should-error (netopt-join-group u "ff02::1") :type 'netopt-bad-value)
    (should-error (netopt-join-group u "224.0.0.251" "nonexistent0")
                  :type 'netopt-system-error)))

(netopt-deftest netopt-catalog-raw ()
  "The raw escape hatch sets and reads any option by number."
  (let ((s (netopt-test-socket)))
    ;; SOL_SOCKET is 1 and SO_KEEPALIVE 9 on Linux.
    (should (eq (netopt-set-raw-option s 'socket 9 1) t))
    (should (equal (netopt-test-kernel s "keepalive") 1))
    (should (eql (netopt-raw-option s 'socket 9) 1))
    (should (eql (netopt-raw-option s 1 9) 1))
    ;; A struct as bytes: SO_LINGER (13) {1, 4}, little-endian ints.
    (should (eq (netopt-set-raw-option s 'socket 13 "\1\0\0\0\4\0\0\0") t))
    (should (equal (netopt-test-kernel s "linger") "1 4"))
    (should (equal (netopt-raw-option s 'socket 13 8) "\1\0\0\0\4\0\0\0"))
    (should-error (netopt-set-raw-option s 'bogus 9 1) :type 'netopt-bad-value)
    (should-error (netopt-set-raw-option s 'socket 9 "é")
                  :type 'netopt-bad-value)
    (should-error (netopt-set-raw-option s 'socket 9 1.5)
                  :type 'netopt-bad-value)
    (should-error (netopt-raw-option s 'socket 9999)
                  :type 'netopt-system-error)))

(ert-deftest netopt-catalog-info-plists ()
  "Every option documents its type, level, settability, families and doc."
  (dolist (option (netopt-supported-options))
    (let ((info (netopt-option-info option)))
      (dolist (key '(:type :level :settable :families :socket-types :doc))
        (should (plist-member info key)))
      (should (string-match-p "\\.\\'" (plist-get info :doc)))))
  (should (equal (plist-get (netopt-option-info :keepidle) :level) 'tcp))
  (should (equal (plist-get (netopt-option-info :v6only) :settable)
                 'before-bind))
  (should (equal (plist-get (netopt-option-info :peercred) :families)
                 '(local)))
  (should (equal (plist-get (netopt-option-info :ttl) :families)
                 '(ipv4 ipv6))))

(ert-deftest netopt-catalog-privileged ()
  "As nobody, :mark and :transparent are refused with permission denied."
  (should (equal (netopt-test-as-nobody
                  '(let ((s (netopt-make-socket)))
                     (list (condition-case nil (netopt-set-option s :mark 5)
                             (netopt-permission-denied 'denied))
                           (condition-case nil
                               (netopt-set-option s :transparent t)
                             (netopt-permission-denied 'denied)))))
                 "(denied denied)")))


(provide 'tcp-ip-options-test)
;;; tcp-ip-options-test.el ends here
