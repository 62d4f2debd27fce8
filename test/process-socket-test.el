;;; process-socket-test.el --- a process's socket is the one it has now  -*- lexical-binding: t; -*-

;;; Commentary:

;; API section 5, "The socket a process has now": Emacs closes a
;; connecting process's socket and makes another when it falls back to
;; the next address, and the kernel reuses descriptor numbers at once.
;; These tests make that happen for real, in a network namespace whose
;; /etc/hosts gives a name a blackholed IPv6 address first (a veth
;; peer that answers nothing), then 127.0.0.1, and check through
;; sockpeek which socket netopt set.  Reading never waits or changes a
;; process, and a process closed by its peer still has its contact.

;;; Code:

(require 'netopt-test-helpers)

(defconst netopt-process-socket-test--blackhole
  (concat "ip link set lo up"
          " && ip link add nv0 type veth peer name nv1"
          " && ip link set nv0 up && ip link set nv1 up"
          " && ip -6 addr add fd00::1/64 dev nv0 nodad"
          ;; fd00::2's frames go to a MAC nobody has: SYNs vanish.
          " && ip -6 neigh add fd00::2 lladdr 02:00:00:00:00:02 dev nv0"
          " nud permanent"
          " && sysctl -q -w net.ipv4.tcp_syn_retries=1")
  "Shell commands making fd00::2 a silent, blackholed address.
A connection to it stays in SYN-SENT and fails after about 3 s.")

(defconst netopt-process-socket-test--hosts
  '(("/etc/hosts" . "fd00::2 multi\n127.0.0.1 multi\n127.0.0.1 localhost\n"))
  "The `:mount' giving multi the blackholed address first.")

(defun netopt-process-socket-test--fallback (free-lower &optional stop)
  "The form of finding 1 of issue 23, FREE-LOWER: free a lower descriptor.
A process connects by name; netopt sets an option on it while Emacs
tries the blackholed address, then Emacs falls back to 127.0.0.1 with
a new socket, and another process is made.  The value of the form is
what sockpeek sees on each socket, and what netopt reads.  STOP
non-nil: the process is stopped (`stop-process') before netopt sees
it, so that its status says `stop' while it connects and after."
  `(let* ((accepted 0)
          (srv (make-network-process :name "srv" :server t :noquery t
                                     :host "127.0.0.1" :service t
                                     :family 'ipv4
                                     :log (lambda (&rest _)
                                            (setq accepted (1+ accepted)))))
          (port (process-contact srv :service))
          (filler (make-network-process :name "filler" :host "127.0.0.1"
                                        :service port :family 'ipv4))
          (p (make-network-process :name "p" :host "multi" :service port
                                   :nowait t)))
     (when ,stop (stop-process p))
     (netopt-test-wait-for
      (lambda () (funcall #'process-contact p :local t)) 5)
     (let ((first (netopt-set-option p :keepalive t)))
       ;; Set again while connecting: the status is never `open' yet.
       (netopt-set-option p :keepalive t)
       (when ,free-lower (delete-process filler))
       (if ,stop
           (netopt-test-wait-for (lambda () (>= accepted 2)) 20)
         (netopt-test-wait-for (lambda () (eq (process-status p) 'open)) 20))
       (let ((y (make-network-process :name "y" :host "127.0.0.1"
                                      :service port :family 'ipv4)))
         (list first (process-status p)
               (netopt-set-option p :keepidle 77)
               (netopt-option p :keepidle)
               (cdr (assoc "keepidle" (netopt-test-socket-of p)))
               (cdr (assoc "keepidle" (netopt-test-socket-of y)))
               ;; Finding 2: p's stale entry hides no descriptor of y's.
               (netopt-set-option y :keepcnt 5)
               (cdr (assoc "keepcnt" (netopt-test-socket-of y))))))))

(ert-deftest netopt-process-socket-after-fallback-freed-number ()
  "After Emacs falls back to a new socket, options go to that socket.
Finding 1 of issue 23: a lower descriptor goes free before the
fallback, so the new socket and another process's may take either
number.  The option is on the process's new socket and not on the
other process's, as sockpeek sees them."
  (skip-unless (netopt-test-ipv6-p))
  (should (equal (netopt-test-child
                  (netopt-process-socket-test--fallback t)
                  :unshare '("-n") :setup netopt-process-socket-test--blackhole
                  :mount netopt-process-socket-test--hosts
                  :seconds 40 :strict t)
                 '(t open t 77 "77" "7200" t "5"))))

(ert-deftest netopt-process-socket-after-fallback-same-number ()
  "After a fallback that reuses the descriptor number, options still land right.
Emacs closes the first socket and makes the next at once: the kernel
gives it the same number.  netopt tells them apart by inode."
  (skip-unless (netopt-test-ipv6-p))
  (should (equal (netopt-test-child
                  (netopt-process-socket-test--fallback nil)
                  :unshare '("-n") :setup netopt-process-socket-test--blackhole
                  :mount netopt-process-socket-test--hosts
                  :seconds 40 :strict t)
                 '(t open t 77 "77" "7200" t "5"))))

(ert-deftest netopt-process-socket-after-fallback-stopped ()
  "A stopped process's fallback is seen too: its status says `stop' meanwhile.
Emacs goes on connecting a stopped process (only reading stops), so
a status of `stop' proves nothing about its socket: netopt checks the
inode, and the option is on the new socket."
  (skip-unless (netopt-test-ipv6-p))
  (should (equal (netopt-test-child
                  (netopt-process-socket-test--fallback t t)
                  :unshare '("-n") :setup netopt-process-socket-test--blackhole
                  :mount netopt-process-socket-test--hosts
                  :seconds 40 :strict t)
                 '(t stop t 77 "77" "7200" t "5"))))

(ert-deftest netopt-process-socket-deleted-not-another ()
  "A deleted process never reaches the socket that took its number.
A located client, set several times while `open' (so its socket is
trusted by its status), is deleted; a new connection made at once
takes the lowest free number, its.  Setting an option on the deleted
process signals `netopt-closed', and the new socket is untouched;
setting one on the new connection reaches it."
  (should
   (equal
    (netopt-test-child
     '(let* ((srv (make-network-process
                   :name "srv" :server t :host "127.0.0.1" :service t
                   :family 'ipv4 :noquery t))
             (port (process-contact srv :service))
             (c (make-network-process :name "c" :host "127.0.0.1"
                                      :service port :family 'ipv4)))
        (netopt-set-option c :keepalive t)
        (netopt-set-option c :keepidle 50)
        (netopt-set-option c :keepidle 51)
        (delete-process c)
        (let ((y (make-network-process :name "y" :host "127.0.0.1"
                                       :service port :family 'ipv4)))
          (list (condition-case err (netopt-set-option c :keepidle 66)
                  (netopt-closed (car err)))
                (cdr (assoc "keepidle" (netopt-test-socket-of y)))
                (netopt-set-option y :keepidle 67)
                (netopt-option y :keepidle)
                (cdr (assoc "keepidle" (netopt-test-socket-of y)))
                (condition-case err (netopt-option c :keepidle)
                  (netopt-closed (car err))))))
     :strict t)
    '(netopt-closed "7200" t 67 "67" netopt-closed))))

(ert-deftest netopt-process-socket-closed-not-another ()
  "A process whose socket is gone never reaches another's socket.
A located client is closed by its peer; its descriptor number then
goes to a new connection.  Setting an option on the closed process
signals `netopt-closed', and the new connection's socket is
untouched."
  (should
   (equal
    (netopt-test-child
     '(let* ((child nil)
             (srv (make-network-process
                   :name "srv" :server t :host "127.0.0.1" :service t
                   :family 'ipv4 :noquery t
                   :log (lambda (_s c _m) (setq child c))))
             (port (process-contact srv :service))
             (c (make-network-process :name "c" :host "127.0.0.1"
                                      :service port :family 'ipv4)))
        (netopt-set-option c :keepalive t)
        (netopt-set-option c :keepalive t)
        (netopt-test-wait-for (lambda () child))
        (delete-process child)
        (netopt-test-wait-for (lambda () (eq (process-status c) 'closed)))
        (let ((y (make-network-process :name "y" :host "127.0.0.1"
                                       :service port :family 'ipv4)))
          (list (condition-case err (netopt-set-option c :keepidle 66)
                  (netopt-closed (car err)))
                (cdr (assoc "keepidle" (netopt-test-socket-of y))))))
     :strict t)
    '(netopt-closed "7200"))))

(ert-deftest netopt-process-socket-reading-never-waits ()
  "Reading an option of a process whose name is being resolved changes nothing.
Finding 7 of issue 23: in namespaces whose only name server never
answers, `netopt-option' on Emacs's own :nowait process returns at
once, before a timer due soon after, signalling `netopt-closed' (the
process has no socket yet), and the process is still connecting."
  (should
   (equal
    (netopt-test-child
     '(progn
        (call-process "ip" nil nil nil "link" "set" "lo" "up")
        (let* ((dns (netopt-make-socket :name "silent-dns" :type 'datagram
                                        :server t :host "127.0.0.1"
                                        :service 53))
               (p (make-network-process :name "p" :host "never.example"
                                        :service 80 :nowait t))
               (returned nil) (seen 'never))
          (run-at-time 0.3 nil (lambda () (setq seen returned)))
          (let ((read (condition-case err (netopt-option p :keepalive)
                        (netopt-closed (car err))))
                (contact (netopt-contact p :host)))
            (setq returned t)
            (netopt-test-wait-for (lambda () (not (eq seen 'never))) 5)
            (netopt-close dns)
            (list read contact (process-status p) seen))))
     :seconds 40 :unshare '("-n") :mount netopt-test-dns-mounts)
    '(netopt-closed nil connect t))))

(netopt-deftest netopt-process-socket-contact-when-closed ()
  "`netopt-contact' mirrors `process-contact' for a process closed by its peer.
Finding 10 of issue 23: after the server deletes its end, every key
gives what `process-contact' gives; option keys give nil, for no
descriptor is left."
  (pcase-let ((`(,_srv ,cli ,child) (netopt-test-process-pair)))
    (netopt-set-option cli :keepalive t)
    (delete-process child)
    (should (netopt-test-wait-for (lambda ()
                                    (eq (process-status cli) 'closed))))
    (should (equal (netopt-contact cli) (process-contact cli)))
    (dolist (key '(:name :host :service :remote :local))
      (should (equal (netopt-contact cli key) (process-contact cli key))))
    (should-not (netopt-contact cli :keepalive))
    (should (equal (plist-get (netopt-contact cli t) :remote)
                   (process-contact cli :remote)))
    (delete-process cli)
    (should-error (netopt-contact cli) :type 'netopt-closed)))

(ert-deftest netopt-process-socket-no-fixed-limit ()
  "However many processes are located, none hides or stands in for another.
Finding 3 of issue 23: past 256 located processes the exclusions were
cut silently.  330 datagram clients of Emacs's (neither bound nor
connected, so every one matches what each contact knows) are made
and located one after the other by setting :broadcast on each: the
ones located before are excluded, so each is found (the 321st found
65 candidates before, too many to probe),
and the kernel shows the option on 330 sockets (sockpeek)."
  (should
   (equal
    (netopt-test-child
     '(let ((set 0))
        (dotimes (i 330)
          (let ((c (make-network-process :name (format "d%d" i)
                                         :type 'datagram :family 'ipv4
                                         :host "127.0.0.1" :service 9)))
            (when (eq (condition-case nil (netopt-set-option c :broadcast t)
                        (netopt-socket-not-found nil))
                      t)
              (setq set (1+ set)))))
        (list set
              (length (netopt-test-sockets-with "type" "datagram"
                                                "broadcast" "1"))))
     :seconds 120 :strict t)
    '(330 330))))

(provide 'process-socket-test)
;;; process-socket-test.el ends here
