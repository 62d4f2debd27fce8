;;; pending-test.el --- :nowait connections made in the background  -*- lexical-binding: t; -*-

;;; Commentary:

;; API sections 5.1 and 5.2: a :nowait client to a host returns at
;; once, connecting; netopt resolves the name in the background and
;; makes every socket tried for it, each with every option before its
;; bind and connect (module/process/pending.c, lisp/netopt-adopt.el).
;; These tests run the paths clients take (ERC, url) in network
;; namespaces: a name whose first address is blackholed (a veth peer
;; that answers nothing) or refuses, TLS that never answers, a rule the
;; kernel refuses in part, an Emacs at its descriptor limit.  The
;; kernel is read through sockpeek, `ss' and /proc/net/snmp.

;;; Code:

(require 'netopt-test-helpers)

(defconst netopt-pending-test--blackhole
  (concat "ip link set lo up"
          " && ip link add nv0 type veth peer name nv1"
          " && ip link set nv0 up && ip link set nv1 up"
          " && ip -6 addr add fd00::1/64 dev nv0 nodad"
          " && ip -6 neigh add fd00::2 lladdr 02:00:00:00:00:02 dev nv0"
          " nud permanent"
          " && sysctl -q -w net.ipv4.tcp_syn_retries=1")
  "Shell commands making fd00::2 a silent, blackholed address.")

(defconst netopt-pending-test--hosts
  '(("/etc/hosts" . "fd00::2 multi\n127.0.0.1 multi\n127.0.0.1 localhost\n"))
  "The `:mount' giving multi the blackholed address first.")

(defconst netopt-pending-test--warnings
  '(progn
     (defvar netopt-pending-test--warned nil)
     (advice-add 'display-warning :before
                 (lambda (&rest args)
                   (push (format "%S" args) netopt-pending-test--warned))))
  "A form recording every warning in `netopt-pending-test--warned'.")

(defun netopt-pending-test--syn-sent (&rest pairs)
  "Return a child's form: how many sockets in SYN-SENT have the options.
Within 5 s, once the kernel shows a SYN-SENT socket towards the
blackholed fd00::2 (ss), the IPv6 sockets of the child with the
rule's traffic class 32 and keepidle 33, and PAIRS (sockpeek's names
and values) besides."
  `(length
    (netopt-test-wait-for
     (lambda ()
       (let ((ss (cdr (netopt-test-command "ss" "-Htn" "state" "syn-sent"))))
         (and (string-match-p "fd00::2" ss)
              (netopt-test-sockets-with "domain" "ipv6" "tclass" "32"
                                        "keepidle" "33" ,@pairs))))
     5)))

(defun netopt-pending-test--open-form (syn &optional rule until)
  "Return a child's form: the mode's :nowait call to multi, until open.
RULE is the only rule, by default :tos 32 and keep-alive with
keepidle 33.  SYN is a form evaluated right after the call, while it
connects.  UNTIL is the form waited for (20 s at most), by default
the sentinel's \"open\".  The form returns
\(STATUS SYN STATUS-AFTER AT-OPEN WARNED): the status the call
returned, SYN's value, the status at the end, the socket's keepalive
and keepidle when the sentinel said \"open\", and the warnings."
  `(progn
     ,netopt-pending-test--warnings
     (let* ((srv (make-network-process :name "srv" :server t :noquery t
                                       :host "127.0.0.1" :service t
                                       :family 'ipv4))
            (port (process-contact srv :service))
            (at-open nil))
       (setq netopt-connection-options
             '(,(or rule '(t :tos 32 :keepalive t :keepidle 33))))
       (netopt-mode 1)
       (let* ((p (make-network-process
                  :name "p" :host "multi" :service port :nowait t
                  :sentinel (lambda (proc event)
                              (when (equal event "open\n")
                                (let ((peek (netopt-test-socket-of proc)))
                                  (setq at-open
                                        (list (cdr (assoc "keepalive" peek))
                                              (cdr (assoc "keepidle"
                                                          peek)))))))))
              (status (process-status p))
              (syn ,syn))
         (netopt-test-wait-for (lambda () ,(or until 'at-open)) 20)
         (list status syn (process-status p) at-open
               netopt-pending-test--warned)))))

(ert-deftest netopt-pending-options-in-syn-sent-to-a-name ()
  "A rule's :tos and :bindtodevice are on the socket still in SYN-SENT.
The mode's :nowait call to multi returns connecting; while the kernel
shows a SYN-SENT socket towards the blackholed fd00::2 (ss), that
socket of Emacs's has the rule's traffic class and device (sockpeek).
Bound to nv0, the next address, 127.0.0.1, cannot be reached either:
the process then fails, as Emacs reports a failed connection, and no
warning was given."
  (skip-unless (netopt-test-ipv6-p))
  (should
   (equal
    (netopt-test-child
     (netopt-pending-test--open-form
      (netopt-pending-test--syn-sent "bindtodevice" "nv0")
      '(t :tos 32 :bindtodevice "nv0" :keepalive t :keepidle 33)
      '(not (eq (process-status p) 'connect)))
     :unshare '("-n") :setup netopt-pending-test--blackhole
     :mount netopt-pending-test--hosts :seconds 40 :strict t)
    '(connect 1 failed nil nil))))

(ert-deftest netopt-pending-fallback-has-options-when-open ()
  "Every address tried gets the options, and they are on when it opens.
The mode's :nowait call to multi returns connecting; the SYN-SENT
socket towards the blackholed fd00::2 has the rule's options; once
the first address times out the next, 127.0.0.1, connects, its
socket with the rule's options when the sentinel says \"open\", and
no warning was given."
  (skip-unless (netopt-test-ipv6-p))
  (should
   (equal
    (netopt-test-child
     (netopt-pending-test--open-form
      (netopt-pending-test--syn-sent))
     :unshare '("-n") :setup netopt-pending-test--blackhole
     :mount netopt-pending-test--hosts :seconds 40 :strict t)
    '(connect 1 open ("1" "33") nil))))

(ert-deftest netopt-pending-refused-first-address-options-when-open ()
  "A name whose first address refuses opens on the next, with its options.
/etc/hosts gives multi ::1, where nothing listens, then 127.0.0.1:
the mode's :nowait call returns connecting, the refused attempt is
passed over as Emacs passes it, and the socket has the rule's options
when the sentinel says \"open\"; no warning was given."
  (skip-unless (netopt-test-ipv6-p))
  (should
   (equal
    (netopt-test-child
     (netopt-pending-test--open-form nil)
     :unshare '("-n") :setup "ip link set lo up"
     :mount '(("/etc/hosts" . "::1 multi\n127.0.0.1 multi\n"))
     :seconds 40 :strict t)
    '(connect nil open ("1" "33") nil))))

(ert-deftest netopt-pending-direct-call-returns-at-once ()
  "`netopt-make-network-process' with :nowait and a name returns at once.
In namespaces whose only name server never answers, the call returns
a process still connecting before a timer due soon after runs, and
its contact shows the host as given."
  (should
   (equal
    (netopt-test-child
     '(progn
        (call-process "ip" nil nil nil "link" "set" "lo" "up")
        (let ((dns (netopt-make-socket :name "silent-dns" :type 'datagram
                                       :server t :host "127.0.0.1"
                                       :service 53))
              (returned nil) (seen 'never))
          (run-at-time 0.2 nil (lambda () (setq seen returned)))
          (let ((p (netopt-make-network-process
                    :name "p" :host "never.example" :service 80 :nowait t
                    :keepalive t)))
            (setq returned t)
            (netopt-test-wait-for (lambda () (not (eq seen 'never))) 5)
            (prog1 (list (process-status p) (process-contact p :host) seen)
              (delete-process p)
              (netopt-close dns)))))
     :seconds 40 :unshare '("-n") :mount netopt-test-dns-mounts)
    '(connect "never.example" t))))

(ert-deftest netopt-pending-tls-nowait-never-blocks ()
  "A :nowait TLS call under the mode returns at once, connecting.
Finding 8 of issue 23: the server accepts on TCP and never answers the
ClientHello.  Emacs's own call and the call under the mode both
return before a timer due soon after, in status `connect'."
  (skip-unless (gnutls-available-p))
  (should
   (equal
    (netopt-test-child
     '(let* ((mute (netopt-make-socket :server t :host "127.0.0.1"
                                       :service t))
             (port (let ((l (netopt-contact mute :local))) (aref l 4)))
             (call (lambda ()
                     (let ((returned nil) (seen 'never))
                       (run-at-time 0.3 nil (lambda () (setq seen returned)))
                       (let ((p (open-network-stream "t" nil "127.0.0.1" port
                                                     :type 'tls :nowait t)))
                         (setq returned t)
                         (netopt-test-wait-for
                          (lambda () (not (eq seen 'never))) 5)
                         (prog1 (list (process-status p) seen)
                           (delete-process p)))))))
        (require 'gnutls)
        (let ((own (funcall call)))
          (setq netopt-connection-options '((t :keepalive t)))
          (netopt-mode 1)
          (list own (funcall call))))
     :seconds 40 :strict t)
    '((connect t) (connect t)))))

(ert-deftest netopt-pending-rule-applies-whole-as-nobody ()
  "A rule with one option the kernel refuses keeps all its others.
Finding 9 of issue 23: as nobody, :priority 7 needs a capability.
Under the rule (t :keepalive t :priority 7 :nodelay t) a client opens
with keepalive and nodelay on (sockpeek), and one warning names
:priority, never saying the connection lacks the others."
  (let ((result
         (netopt-test-child
          `(progn
             ,netopt-pending-test--warnings
             (let* ((srv (make-network-process :name "srv" :server t
                                               :noquery t :host "127.0.0.1"
                                               :service t :family 'ipv4))
                    (port (process-contact srv :service)))
               ;; nobody has no directory for the trampoline a native
               ;; Emacs compiles when the mode advises a primitive.
               (dolist (v '(comp-enable-subr-trampolines
                            native-comp-enable-subr-trampolines))
                 (when (boundp v) (set v nil)))
               ;; Clients only: the open server is left alone.
               (setq netopt-connection-options
                     '(((lambda (args) (not (plist-get args :server)))
                        :keepalive t :priority 7 :nodelay t)))
               (netopt-mode 1)
               (let* ((c (make-network-process :name "c" :host "127.0.0.1"
                                               :service port))
                      (peek (netopt-test-socket-of c)))
                 (list (process-status c)
                       (mapcar (lambda (k) (cdr (assoc k peek)))
                               '("keepalive" "nodelay" "priority"))
                       (length netopt-pending-test--warned)
                       (and netopt-pending-test--warned
                            (string-match-p ":priority refused"
                                            (car netopt-pending-test--warned))
                            t)
                       (and netopt-pending-test--warned
                            (string-match-p "without"
                                            (car netopt-pending-test--warned))
                            t)))))
          :as-nobody t :seconds 40 :strict t)))
    (should (equal result '(open ("1" "1" "0") 1 t nil)))))

(ert-deftest netopt-pending-nowait-name-rule-whole ()
  "A :nowait call to a name gets every option of its rule, with no warning.
Finding 5 of issue 23: (t :keepalive t :reuseport t :keepidle 33)
was cut short at :reuseport.  Now the socket has all three."
  (should
   (equal
    (netopt-test-child
     `(progn
        ,netopt-pending-test--warnings
        (let* ((srv (make-network-process :name "srv" :server t :noquery t
                                          :host "127.0.0.1" :service t
                                          :family 'ipv4))
               (port (process-contact srv :service)))
          (setq netopt-connection-options
                '((t :keepalive t :reuseport t :keepidle 33)))
          (netopt-mode 1)
          (let ((p (make-network-process :name "p" :host "localhost"
                                         :service port :nowait t)))
            (netopt-test-wait-for (lambda () (eq (process-status p) 'open)))
            (let ((peek (netopt-test-socket-of p)))
              (list (mapcar (lambda (k) (cdr (assoc k peek)))
                            '("keepalive" "reuseport" "keepidle"))
                    netopt-pending-test--warned)))))
     :seconds 40 :strict t)
    '(("1" "1" "33") nil))))

(ert-deftest netopt-pending-descriptor-limit-one-attempt ()
  "At the descriptor limit a call is tried once and leaves nothing open.
Finding 6 of issue 23.  In a private network namespace the kernel
counts connection attempts (ActiveOpens).  With one descriptor left,
the call under the mode opens once, with the rule's option, and no
warning names a placeholder; with none left it fails once with
Emacs's own error, and no descriptor is left open."
  (should
   (equal
    (netopt-test-child
     `(progn
        ,netopt-pending-test--warnings
        (let* ((opens #'netopt-test-active-opens)
               (srv (make-network-process :name "srv" :server t :noquery t
                                          :host "127.0.0.1" :service t
                                          :family 'ipv4))
               (port (process-contact srv :service))
               (child nil)
               (fillers nil)
               (raise (lambda ()
                        (call-process "prlimit" nil nil nil
                                      (format "--pid=%d" (emacs-pid))
                                      "--nofile=4096:4096")))
               ;; Fill every hole below the highest descriptor, and eight
               ;; numbers above it, with a socket: the next SPARE numbers
               ;; are all that is left.  Closing the fillers later gives
               ;; back at least eight, enough for a subprocess (prlimit,
               ;; sockpeek) on any machine, however few holes it had.
               (limit (lambda (spare)
                        (funcall raise)
                        (let* ((top (apply #'max
                                           (mapcar #'string-to-number
                                                   (directory-files
                                                    "/proc/self/fd" nil
                                                    "\\`[0-9]+\\'"))))
                               (s nil))
                          (while (progn (setq s (netopt-make-socket))
                                        (push s fillers)
                                        (< (netopt--socket-fd s)
                                           (+ top 8))))
                          (prog1 (netopt-test-fd-count)
                            (call-process "prlimit" nil nil nil
                                          (format "--pid=%d" (emacs-pid))
                                          (format "--nofile=%d:%d"
                                                  (+ (netopt--socket-fd s) 1
                                                     spare)
                                                  4096)))))))
          (set-process-filter srv nil)
          (setq netopt-connection-options '((t :keepidle 34)))
          (netopt-mode 1)
          (let* ((a (funcall opens))
                 (_ (funcall limit 1))
                 (one (condition-case err
                          (make-network-process :name "one" :host "127.0.0.1"
                                                :service port)
                        (error err)))
                 (_ (mapc #'netopt-close fillers))
                 (_ (setq fillers nil))
                 (_ (funcall raise))
                 (b (funcall opens))
                 (one-idle (and (processp one)
                                (cdr (assoc "keepidle"
                                            (netopt-test-socket-of one)))))
                 (_ (when (processp one) (delete-process one)))
                 (fds (funcall limit 0))
                 (none (condition-case err
                           (let ((p (make-network-process
                                     :name "none" :host "127.0.0.1"
                                     :service port)))
                             (delete-process p)
                             'made)
                         (error (car err))))
                 (live (seq-count #'netopt-live-p fillers))
                 (_ (mapc #'netopt-close fillers))
                 (_ (funcall raise))
                 (fds-after (+ live (netopt-test-fd-count)))
                 (c (funcall opens)))
            (ignore child)
            (list (and (processp one) (process-status one)) (- b a) one-idle
                  none (- c b) (= fds fds-after)
                  (seq-some (lambda (w) (string-match-p "placeholder" w))
                            netopt-pending-test--warned)))))
     :unshare '("-n") :setup "ip link set lo up" :seconds 40 :strict t)
    '(closed 1 "34" file-error 0 t nil))))

(provide 'pending-test)
;;; pending-test.el ends here
