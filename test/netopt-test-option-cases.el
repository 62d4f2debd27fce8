;;; netopt-test-option-cases.el --- one case table for every option  -*- lexical-binding: t; -*-

;;; Commentary:

;; `netopt-test-option-cases' has a row for every row of the module's
;; option table (the test netopt-options-info-cases-cover-every-option
;; checks it against `netopt-supported-options'): how the option is
;; set, what the kernel then holds (read by test/tools/sockpeek) and
;; what reads back; or, for an option no value can be round-tripped
;; for (read-only, or not readable by sockpeek), the test that proves
;; it.  Every test that iterates over options takes its cases here.

;;; Code:

(require 'netopt-test-fixtures)

(defconst netopt-test-option-cases
  ;; (OPTION :peek SOCKPEEK-NAME :on KIND :cases ((VALUE KERNEL READ-BACK) ...))
  ;; (OPTION :proven-by TEST)
  ;;
  ;; KIND, the socket the cases run on: every (each kind of
  ;; `netopt-test-option-kinds', at creation and set later: the
  ;; manual's options), tcp (a connected IPv4 stream client), tcp6,
  ;; udp, udp6, bare, bare6 (an unconnected IPv6 stream socket), local.
  ;; An option can have several rows (one per KIND).
  '((:bindtodevice :peek "bindtodevice" :on every
                   :cases (("lo" "lo" "lo") (nil "-" nil) ("" "-" nil)))
    (:broadcast :peek "broadcast" :on every
                :cases ((t 1 t) (nil 0 nil) (7 1 t)))
    (:dontroute :peek "dontroute" :on every :cases ((t 1 t) (nil 0 nil)))
    (:keepalive :peek "keepalive" :on every
                :cases ((t 1 t) (nil 0 nil) ("yes" 1 t)))
    (:linger :peek "linger" :on every
             :cases ((5 "1 5" 5) (0 "1 0" 0) (nil "0 0" nil) (t "1 7" 7)))
    (:oobinline :peek "oobinline" :on every :cases ((t 1 t) (nil 0 nil)))
    (:priority :peek "priority" :on every :cases ((3 3 3) (0 0 0) (6 6 6)))
    (:reuseaddr :peek "reuseaddr" :on every :cases ((t 1 t) (nil 0 nil)))
    (:nodelay :peek "nodelay" :on tcp :cases ((t 1 t)))
    (:keepidle :peek "keepidle" :on tcp :cases ((61 61 61)))
    (:keepintvl :peek "keepintvl" :on tcp :cases ((7 7 7)))
    (:keepcnt :peek "keepcnt" :on tcp :cases ((4 4 4)))
    (:user-timeout :peek "user-timeout" :on tcp :cases ((2500 2500 2500)))
    ;; Five kernel options, not one: sockpeek reads each.
    (:dead-after :proven-by netopt-budget-dead-after-sets-five-options)
    (:maxseg :peek "maxseg" :on bare :cases ((1200 1200 1200)))
    (:cork :peek "cork" :on tcp :cases ((t 1 t)))
    (:quickack :peek "quickack" :on tcp :cases ((nil 0 nil)))
    (:notsent-lowat :peek "notsent-lowat" :on tcp :cases ((4096 4096 4096)))
    (:congestion :peek "congestion" :on tcp :cases (("reno" "reno" "reno")))
    (:syncnt :peek "syncnt" :on tcp :cases ((3 3 3)))
    ;; The kernel keeps retransmissions, not seconds: 1 s is 1 of them.
    (:defer-accept :peek "defer-accept" :on bare :cases ((1 1 1)))
    (:info :proven-by netopt-options-tcp-info)
    ;; Linux doubles a buffer size; a new connection's are 131072 and
    ;; 16384 (tcp_rmem, tcp_wmem), so these differ from them.
    (:rcvbuf :peek "rcvbuf" :on tcp :cases ((32768 65536 65536)))
    (:sndbuf :peek "sndbuf" :on tcp :cases ((65536 131072 131072)))
    (:rcvlowat :peek "rcvlowat" :on tcp :cases ((10 10 10)))
    (:reuseport :peek "reuseport" :on bare :cases ((t 1 t)))
    (:mark :peek "mark" :on tcp :cases ((42 42 42)))
    (:busy-poll :peek "busy-poll" :on bare :cases ((50 50 50)))
    (:incoming-cpu :peek "incoming-cpu" :on bare :cases ((0 0 0)))
    (:error :proven-by netopt-options-read-only)
    (:acceptconn :proven-by netopt-options-read-only)
    (:peercred :proven-by netopt-options-peercred)
    (:passcred :peek "passcred" :on local :cases ((t 1 t)))
    (:tos :peek "tos" :on tcp :cases ((16 16 16)))
    (:tclass :peek "tos" :on tcp :cases ((32 32 32)))
    (:tos :peek "tclass" :on tcp6 :cases ((16 16 16)))
    (:tclass :peek "tclass" :on tcp6 :cases ((32 32 32)))
    (:ttl :peek "ttl" :on tcp :cases ((17 17 17)))
    (:unicast-hops :peek "ttl" :on tcp :cases ((18 18 18)))
    (:ttl :peek "unicast-hops" :on tcp6 :cases ((19 19 19)))
    (:unicast-hops :peek "unicast-hops" :on tcp6 :cases ((20 20 20)))
    (:freebind :peek "freebind" :on bare :cases ((t 1 t)))
    (:transparent :peek "transparent" :on bare :cases ((t 1 t)))
    (:mtu-discover :peek "mtu-discover" :on tcp :cases ((0 0 0)))
    (:multicast-ttl :peek "multicast-ttl" :on udp :cases ((5 5 5)))
    (:multicast-hops :peek "multicast-ttl" :on udp :cases ((6 6 6)))
    (:multicast-hops :peek "multicast-hops" :on udp6 :cases ((7 7 7)))
    (:multicast-loop :peek "multicast-loop" :on udp :cases ((nil 0 nil)))
    (:multicast-loop :peek "multicast-loop" :on udp6 :cases ((nil 0 nil)))
    (:multicast-if :proven-by netopt-options-multicast-interface)
    (:v6only :peek "v6only" :on bare6 :cases ((t 1 t))))
  "A row for every option: its cases, or the test that proves it.
A case (VALUE KERNEL READ-BACK) sets VALUE; sockpeek's name for the
option must then print KERNEL (an integer or a string) and
`netopt-option' return READ-BACK.  In each row, and for each kind of
socket of an `every' row, some case's KERNEL differs from what the
kernel holds on a fresh socket of that kind, so the row fails with a
setter that does nothing (netopt-options-cases-fail-with-a-no-op-setter).
TCP_QUICKACK starts on: its case turns it off.  `netopt-linger-seconds' is bound
to 7 while they run.")

(defun netopt-test-option-rows (&optional on)
  "Return the rows of `netopt-test-option-cases' that have cases.
With ON, only those whose :on is ON; with ON `catalogue', those whose
:on is not `every'."
  (seq-filter (lambda (row)
                (let ((kind (plist-get (cdr row) :on)))
                  (and kind
                       (cond ((null on) t)
                             ((eq on 'catalogue) (not (eq kind 'every)))
                             (t (eq kind on))))))
              netopt-test-option-cases))

(defun netopt-test-option-kinds ()
  "Return the socket kinds of the `every' rows: (LABEL . MAKE-SOCKET-ARGS)."
  (append
   '(("ipv4 stream bare" :family ipv4)
     ("ipv4 datagram bare" :family ipv4 :type datagram)
     ("ipv4 stream server" :family ipv4 :server t :host "127.0.0.1" :service t)
     ("ipv4 datagram server" :family ipv4 :type datagram :server t
      :host "127.0.0.1" :service t))
   (when (netopt-test-ipv6-p)
     '(("ipv6 stream bare" :family ipv6)
       ("ipv6 datagram bare" :family ipv6 :type datagram)
       ("ipv6 stream server" :family ipv6 :server t :host "::1" :service t)
       ("ipv6 datagram server" :family ipv6 :type datagram :server t
        :host "::1" :service t)))))

(defun netopt-test-option-socket (kind)
  "Return a socket of KIND (a row's :on, not `every'), closed after the test."
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
    ('local (netopt-test-socket :family 'local))
    (_ (error "No socket of kind %s" kind))))

(provide 'netopt-test-option-cases)
;;; netopt-test-option-cases.el ends here
