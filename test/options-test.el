;;; options-test.el --- every option against the kernel, and by traffic  -*- lexical-binding: t; -*-

;;; Commentary:

;; module/options (the table, the engine, the value conversions):
;; every option of `netopt-test-option-cases' set and read back, with
;; the kernel's value read by test/tools/sockpeek (an independent
;; path): the manual's eight at creation and set later, on IPv4 and
;; IPv6, stream and datagram sockets, bare and server; the others on
;; the socket each applies to.  Then the rules (applicability,
;; read-only options, ranges, privileges) and each option shown by
;; traffic on loopback that only behaves that way when it is on.

;;; Code:

(require 'netopt-test-helpers)

;;;; The case table

(defun netopt-options-test--check (label sock option peek-name case)
  "Check SOCK (of kind LABEL) for CASE of OPTION.
PEEK-NAME is sockpeek's name for OPTION."
  (let ((kernel (nth 1 case)) (read-back (nth 2 case)))
    (should (equal (list label option (nth 0 case)
                         (netopt-test-kernel sock peek-name))
                   (list label option (nth 0 case) kernel)))
    (should (equal (list label option (netopt-option sock option))
                   (list label option read-back)))
    ;; netopt-contact reads the same live value.
    (should (equal (netopt-contact sock option) read-back))))

(defvar netopt-options-test--check-initial t
  "Non-nil: each row is checked to hold a value the kernel does not start with.
The no-op setter test binds it to nil: there the value checks alone
must fail.")

(defun netopt-options-test--differs (label option cases initial)
  "Check that some case of CASES does not read INITIAL in the kernel.
INITIAL is what the kernel holds for OPTION on a fresh socket of kind
LABEL: a case that only reads it back would pass with a setter that
does nothing."
  (when netopt-options-test--check-initial
    (should (equal (list label option initial
                       (and (seq-some (lambda (case)
                                        (not (equal (nth 1 case) initial)))
                                      cases)
                            t))
                   (list label option initial t)))))

(defun netopt-options-test--run (row &optional later-only)
  "Run the creation and set-later matrix for ROW, an `every' row.
ROW is a row of `netopt-test-option-cases'.  With LATER-ONLY, only
the settings made after creation."
  (let* ((option (car row))
         (peek-name (plist-get (cdr row) :peek))
         (cases (plist-get (cdr row) :cases))
         (netopt-linger-seconds 7)
         (checked 0))
    (dolist (kind (netopt-test-option-kinds))
      (let ((label (car kind)) (args (cdr kind)))
        (netopt-options-test--differs
         label option cases
         (netopt-test-kernel (apply #'netopt-test-socket args) peek-name))
        ;; Set at creation.
        (unless later-only
          (dolist (case cases)
            (let ((s (apply #'netopt-test-socket option (car case) args)))
              (netopt-options-test--check (concat label " at creation")
                                          s option peek-name case)
              (setq checked (1+ checked)))))
        ;; Set later: on the bare socket for :reuseaddr (settable only
        ;; before bind), on every kind for the others.
        (when (or (not (eq option :reuseaddr)) (not (memq :server args)))
          (let ((s (apply #'netopt-test-socket args)))
            (dolist (case (append cases (list (car cases))))
              (should (eq (netopt-set-option s option (car case)) t))
              (netopt-options-test--check (concat label " set later")
                                          s option peek-name case)
              (setq checked (1+ checked)))))))
    (should (> checked 0))))

(defun netopt-options-test--round-trip (row)
  "Set each case of ROW, a row whose :on is a socket kind, and check it.
Each case on a fresh socket of that kind; return the cases checked, 0
for an IPv6 kind without IPv6."
  (let ((option (car row))
        (peek (plist-get (cdr row) :peek))
        (kind (plist-get (cdr row) :on))
        (cases (plist-get (cdr row) :cases))
        (checked 0)
        (netopt-linger-seconds 7))
    (unless (and (not (netopt-test-ipv6-p)) (memq kind '(tcp6 udp6 bare6)))
      (netopt-options-test--differs
       kind option cases
       (netopt-test-kernel (netopt-test-option-socket kind) peek))
      (pcase-dolist (`(,value ,kernel ,back) cases)
        (let ((s (netopt-test-option-socket kind)))
          (should (equal (list option kind
                               (netopt-set-option s option value))
                         (list option kind t)))
          (should (equal (list option kind (netopt-test-kernel s peek))
                         (list option kind kernel)))
          (should (equal (list option kind (netopt-option s option))
                         (list option kind back)))
          (setq checked (1+ checked)))))
    checked))

(defmacro netopt-options-test--define-matrices ()
  "Define a matrix test for each `every' row of `netopt-test-option-cases'.
The test of OPTION is netopt-options-matrixOPTION."
  `(progn
     ,@(mapcar
        (lambda (row)
          `(netopt-deftest ,(intern (format "netopt-options-matrix%s"
                                            (car row)))
               ()
             ,(format "%s set at creation and later, read by the kernel and back."
                      (car row))
             (netopt-options-test--run
              (assq ,(car row) (netopt-test-option-rows 'every)))))
        (netopt-test-option-rows 'every))))

(netopt-options-test--define-matrices)

(netopt-deftest netopt-options-round-trips ()
  "Every option beyond the manual's: set, held by the kernel, read back.
Each case of each row of `netopt-test-option-cases' whose :on is a
socket kind, not `every'."
  (let ((checked 0))
    (dolist (row (netopt-test-option-rows 'catalogue))
      (setq checked (+ checked (netopt-options-test--round-trip row))))
    (should (>= checked 25))))

(netopt-deftest netopt-options-cases-fail-with-a-no-op-setter ()
  "With a `netopt-set-option' that does nothing, every row of cases fails.
Each row of `netopt-test-option-cases' sets a value the kernel does
not hold already, so a setter that returns t and sets nothing cannot
pass it: the manual's eight set after creation on every kind, the
others on their own kind.  Only the value checks run here, not the
check that a row's value differs from the kernel's initial one."
  (let ((rows (netopt-test-option-rows)) (failed nil)
        (netopt-options-test--check-initial nil))
    (cl-letf (((symbol-function 'netopt-set-option) (lambda (&rest _) t)))
      (dolist (row rows)
        (condition-case nil
            (if (eq (plist-get (cdr row) :on) 'every)
                (netopt-options-test--run row t)
              (netopt-options-test--round-trip row))
          (ert-test-failed (push row failed)))))
    (should (> (length rows) 40))
    (should (equal (seq-difference rows failed)
                   ;; IPv6 rows cannot fail where there is no IPv6.
                   (and (not (netopt-test-ipv6-p))
                        (seq-filter (lambda (row)
                                      (memq (plist-get (cdr row) :on)
                                            '(tcp6 udp6 bare6)))
                                    rows))))))

(netopt-deftest netopt-options-at-creation ()
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

;;;; The manual's options

(netopt-deftest netopt-options-connected-client ()
  "Options set on a connected stream client and a datagram client reach it."
  (let* ((srv (netopt-test-server))
         (cli (netopt-test-socket :host "127.0.0.1"
                                  :service (netopt-test-port srv)
                                  :keepalive t :priority 5 :linger 3))
         (udp-srv (netopt-test-socket :type 'datagram :server t
                                      :host "127.0.0.1" :service t))
         (udp (netopt-test-socket :type 'datagram :host "127.0.0.1"
                                  :service (netopt-test-port udp-srv)
                                  :broadcast t :priority 4 :dontroute t)))
    (should (equal (netopt-test-kernel cli "keepalive") 1))
    (should (equal (netopt-test-kernel cli "priority") 5))
    (should (equal (netopt-test-kernel cli "linger") "1 3"))
    ;; Emacs 28 gives a datagram client none of these (findings row 1).
    (should (equal (netopt-test-kernel udp "broadcast") 1))
    (should (equal (netopt-test-kernel udp "priority") 4))
    (should (equal (netopt-test-kernel udp "dontroute") 1))
    (should (eq (netopt-set-option cli :keepalive nil) t))
    (should (equal (netopt-test-kernel cli "keepalive") 0))))

(netopt-deftest netopt-options-linger-t-uses-defcustom ()
  ":linger t lingers for `netopt-linger-seconds', not an abortive close."
  (let ((netopt-linger-seconds 12))
    (let ((s (netopt-test-socket :linger t)))
      (should (equal (netopt-test-kernel s "linger") "1 12"))
      (should (eql (netopt-option s :linger) 12)))))

(netopt-deftest netopt-options-reuseaddr-server-default ()
  ":reuseaddr defaults to t on ipv4/ipv6 servers only, and can be turned off."
  (should (equal (netopt-test-kernel (netopt-test-server) "reuseaddr") 1))
  (should (equal (netopt-test-kernel (netopt-test-server :reuseaddr nil)
                                     "reuseaddr")
                 0))
  (should (equal (netopt-test-kernel (netopt-test-socket) "reuseaddr") 0))
  (let* ((file (netopt-test-temp-socket-name))
         (local (netopt-test-socket :family 'local :server t :service file)))
    (unwind-protect
        (should (equal (netopt-test-kernel local "reuseaddr") 0))
      (delete-file file))))

(netopt-deftest netopt-options-reuseaddr-refused-once-bound ()
  ":reuseaddr is settable before bind only: later it changes nothing."
  (let ((srv (netopt-test-server :reuseaddr nil)))
    (should-error (netopt-set-option srv :reuseaddr t)
                  :type 'netopt-unknown-option)
    (should (null (netopt-set-option srv :reuseaddr t t)))
    (should (equal (netopt-test-kernel srv "reuseaddr") 0))))

(netopt-deftest netopt-options-device-never-truncated ()
  "A device name of 16 bytes or more, or with a NUL, is refused whole."
  (let ((s (netopt-test-socket)))
    (dolist (bad (list (make-string 16 ?a) (make-string 40 ?l) "lo\0evil"))
      (should-error (netopt-set-option s :bindtodevice bad)
                    :type 'netopt-bad-value)
      (should-error (netopt-set-option s :bindtodevice bad t)
                    :type 'netopt-bad-value)
      (should (equal (netopt-test-kernel s "bindtodevice") "-")))
    ;; 15 bytes is the longest name; the kernel then looks it up.
    (should-error (netopt-set-option s :bindtodevice (make-string 15 ?z))
                  :type 'netopt-system-error)))

(netopt-deftest netopt-options-priority-range ()
  ":priority takes integers in C int range only."
  (let ((s (netopt-test-socket)))
    (dolist (bad (list "3" 1.0 (1+ most-positive-fixnum) 2147483648
                       -2147483649 'high))
      (should-error (netopt-set-option s :priority bad)
                    :type 'netopt-bad-value))
    (should (equal (netopt-test-kernel s "priority") 0))))

(netopt-deftest netopt-options-local-family ()
  "The manual's options also work on local (Unix) sockets."
  (let* ((file (netopt-test-temp-socket-name))
         (srv (netopt-test-socket :family 'local :server t :service file
                                  :keepalive t :priority 2)))
    (unwind-protect
        (let ((cli (netopt-test-socket :family 'local :service file
                                       :linger 4)))
          (should (equal (netopt-test-kernel srv "keepalive") 1))
          (should (equal (netopt-test-kernel srv "priority") 2))
          (should (equal (netopt-test-kernel cli "linger") "1 4"))
          (should (eql (netopt-option cli :linger) 4)))
      (delete-file file))))

;;;; Rules

(netopt-deftest netopt-options-applicability ()
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

(netopt-deftest netopt-options-read-only ()
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

(netopt-deftest netopt-options-pending-error-kept ()
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

(netopt-deftest netopt-options-mark-unsigned ()
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

(ert-deftest netopt-options-privileged ()
  "As nobody, :mark and :transparent are refused with permission denied."
  (should (equal (netopt-test-child
                  '(let ((s (netopt-make-socket)))
                     (list (condition-case nil (netopt-set-option s :mark 5)
                             (netopt-permission-denied 'denied))
                           (condition-case nil
                               (netopt-set-option s :transparent t)
                             (netopt-permission-denied 'denied))))
                  :as-nobody t :strict t)
                 '(denied denied))))

(ert-deftest netopt-options-unprivileged ()
  "As nobody, :priority 7 and re-binding a bound device are refused."
  (should (equal (netopt-test-child
                  '(condition-case nil (netopt-make-socket :priority 7)
                     (netopt-permission-denied 'denied))
                  :as-nobody t :strict t)
                 'denied))
  (should (equal (netopt-test-child
                  '(let ((s (netopt-make-socket)))
                     (list (netopt-set-option s :priority 6)
                           (netopt-option s :priority)
                           (condition-case nil (netopt-set-option s :priority 7)
                             (netopt-system-error 'denied))))
                  :as-nobody t :strict t)
                 '(t 6 denied)))
  (should (equal (netopt-test-child
                  '(let ((s (netopt-make-socket :bindtodevice "lo")))
                     (condition-case nil (netopt-set-option s :bindtodevice nil)
                       (netopt-permission-denied 'denied)))
                  :as-nobody t :strict t)
                 'denied))
  ;; The same calls succeed as root, as the kernel confirms.
  (let ((s (netopt-make-socket :priority 7 :bindtodevice "lo")))
    (unwind-protect
        (progn
          (should (equal (netopt-test-kernel s "priority") 7))
          (should (eq (netopt-set-option s :bindtodevice nil) t))
          (should (equal (netopt-test-kernel s "bindtodevice") "-")))
      (netopt-close s))))

;;;; Options beyond the manual

(netopt-deftest netopt-options-tcp-info ()
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

(netopt-deftest netopt-options-peercred ()
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

(netopt-deftest netopt-options-reuseport ()
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

(netopt-deftest netopt-options-v6only ()
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

(netopt-deftest netopt-options-keepalive-timer-in-ss ()
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

(netopt-deftest netopt-options-multicast-interface ()
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

;;;; Proven by traffic

(netopt-deftest netopt-options-oob-separate ()
  "Without :oobinline, urgent data is read with :oob t, not in the stream."
  (pcase-let ((`(,_srv ,cli ,child) (netopt-test-pair)))
    (netopt-send cli "ab")
    (netopt-send cli "X" :oob t)
    (netopt-send cli "cd")
    (should (equal (netopt-receive child :oob t :timeout 5) "X"))
    (netopt-close cli)
    (should (equal (netopt-test-receive-all child) "abcd"))))

(netopt-deftest netopt-options-oob-inline ()
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

(netopt-deftest netopt-options-broadcast ()
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

(netopt-deftest netopt-options-linger-zero-resets ()
  ":linger 0 closes with a reset: the peer sees the connection reset."
  (pcase-let ((`(,_srv ,cli ,child) (netopt-test-pair)))
    (netopt-set-option cli :linger 0)
    (netopt-send cli (make-string 1000 ?x))
    (netopt-send child "unread by the client")
    (netopt-close cli)
    (let ((err (should-error (netopt-test-receive-all child)
                             :type 'netopt-system-error)))
      (should (member "Connection reset by peer" err)))))

(netopt-deftest netopt-options-linger-off-delivers ()
  ":linger nil: the peer reads all the data, then the end of the stream."
  (pcase-let ((`(,_srv ,cli ,child) (netopt-test-pair)))
    (should (null (netopt-option cli :linger)))
    (let ((data (make-string (* 1024 1024) ?d)))
      (should (= (netopt-send cli data) (length data)))
      (netopt-close cli)
      (should (= (length (netopt-test-receive-all child)) (length data))))))

(netopt-deftest netopt-options-linger-t-delivers ()
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

(netopt-deftest netopt-options-reuseaddr-time-wait ()
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

(ert-deftest netopt-options-dead-connections-detected ()
  "Keep-alive timing and a user timeout notice a dead peer; plain TCP does not.
Three connections on the namespace's loopback: one with :keepalive t
:keepidle 1 :keepintvl 1 :keepcnt 2, one with :user-timeout 2000 and
unacknowledged data, one without either.  The link goes down, and
within 10 seconds the first two fail while the third stays open."
  (skip-unless (executable-find "ip"))
  (let ((result
         (netopt-test-child
          '(progn
             (call-process "ip" nil nil nil "link" "set" "lo" "up")
             (let* ((srv (netopt-make-socket :server t :host "127.0.0.1"
                                             :service t))
                    (port (cadr (netopt-contact srv)))
                    (ka (netopt-make-socket :host "127.0.0.1" :service port
                                            :keepalive t :keepidle 1
                                            :keepintvl 1 :keepcnt 2))
                    (c1 (netopt-accept srv 5))
                    (ut (netopt-make-socket :host "127.0.0.1" :service port
                                            :user-timeout 2000))
                    (c2 (netopt-accept srv 5))
                    (ctl (netopt-make-socket :host "127.0.0.1" :service port))
                    (c3 (netopt-accept srv 5))
                    (failed nil))
               (ignore c1 c2 c3)
               (call-process "ip" nil nil nil "link" "set" "lo" "down")
               (netopt-send ut "unacknowledged")
               ;; Up to 10 s: 20 rounds of half-second waits.
               (dotimes (_ 20)
                 (dolist (pair (list (cons 'keepalive ka)
                                     (cons 'user-timeout ut)))
                   (unless (assq (car pair) failed)
                     (condition-case err
                         (when (equal (netopt-receive (cdr pair) :timeout 0.5)
                                      "")
                           (push (list (car pair) "end of stream") failed))
                       (netopt-system-error
                        (push (list (car pair) (nth 2 err)) failed))))))
               (list :failed (sort failed
                                   (lambda (a b) (string< (car a) (car b))))
                     :control (plist-get (netopt-option ctl :info) :state)
                     :keepalive (plist-get (netopt-option ka :info) :state))))
          :unshare '("-n") :strict t)))
    (should (equal (plist-get result :failed)
                   '((keepalive "Connection timed out")
                     (user-timeout "Connection timed out"))))
    (should (eq (plist-get result :control) 'established))
    (should (eq (plist-get result :keepalive) 'close))))

(provide 'options-test)
;;; options-test.el ends here
