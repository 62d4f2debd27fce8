;;; budget-test.el --- :dead-after: dead connections noticed within a budget  -*- lexical-binding: t; -*-

;;; Commentary:

;; The budget's contract is a detection time, so these tests measure
;; it.  Each case runs in a child Emacs of its own, in network
;; namespaces of its own (test/tools/blackhole.sh): the child is the
;; client, ngircd the server, a router between them that, cut,
;; blackholes everything (no RST, FIN or ICMP; the links stay up).
;; The cases run in parallel, so the whole takes about as long as the
;; longest, the 60 s budget.  In each, a control connection without
;; netopt's options, through the same cut, is still open at the end.

;;; Code:

(require 'netopt-test-helpers)
(require 'netopt-test-servers)
(require 'netopt-test-parallel)

;;;; The option itself

(netopt-deftest netopt-budget-dead-after-sets-five-options ()
  ":dead-after sets keepalive, keepidle, keepintvl, keepcnt, user-timeout.
The kernel's values are read by sockpeek; reading :dead-after back
gives the budget (60: keepidle 18, keepintvl 3, keepcnt 3,
user-timeout 26333 ms), and every budget reads back as itself.  An
explicit :keepidle beside it wins, and the bound then read is the
one the kernel's values give.  No user timeout: no bound, nil."
  (let* ((pair (netopt-test-pair))
         (c (nth 1 pair)))
    (netopt-set-option c :dead-after 60)
    (let ((peek (netopt-test-peek c)))
      (should (equal (mapcar (lambda (name) (cdr (assoc name peek)))
                             '("keepalive" "keepidle" "keepintvl" "keepcnt"
                               "user-timeout"))
                     '("1" "18" "3" "3" "26333"))))
    (should (eql (netopt-option c :dead-after) 60))
    (dolist (budget '(4 5 10 20 59 61 300 3600 86400))
      (netopt-set-option c :dead-after budget)
      (should (equal (list budget (netopt-option c :dead-after))
                     (list budget budget))))
    (should-error (netopt-set-option c :dead-after 3)
                  :type 'netopt-bad-value)
    (should-error (netopt-set-option c :dead-after "60")
                  :type 'netopt-bad-value)
    ;; Explicit options beside it win, wherever they are in the plist.
    (let* ((srv (car pair))
           (d (netopt-test-socket :host "127.0.0.1"
                                  :service (netopt-test-port srv)
                                  :keepidle 50 :dead-after 60)))
      (netopt-test-close-later (netopt-accept srv 5))
      (should (equal (cdr (assoc "keepidle" (netopt-test-peek d))) "50"))
      (should (equal (cdr (assoc "user-timeout" (netopt-test-peek d)))
                     "26333"))
      ;; 50 + 3 (one probe) + 26.333 = 79.333 s; 9/8 of it is 89.25.
      (should (eql (netopt-option d :dead-after) 90)))
    (netopt-set-option c :user-timeout 0)
    (should (null (netopt-option c :dead-after)))
    (netopt-set-option c :keepalive nil)
    (netopt-set-option c :user-timeout 1000)
    (should (null (netopt-option c :dead-after)))))

(netopt-deftest netopt-budget-dead-after-info ()
  ":dead-after is in the option table: a TCP stream integer, settable always."
  (let ((info (netopt-option-info :dead-after)))
    (should (memq :dead-after (netopt-supported-options)))
    (should (equal (list (plist-get info :type) (plist-get info :level)
                         (plist-get info :settable) (plist-get info :range)
                         (plist-get info :socket-types))
                   '(integer tcp always (4 . 86400) (stream))))
    (should-error (netopt-set-option (netopt-test-socket :type 'datagram)
                                     :dead-after 60)
                  :type 'netopt-unknown-option)))

;;;; Connections already open

(ert-deftest netopt-budget-mode-on-open-connections ()
  "Turning the mode on gives open connections their rules' options.
A client and a server's connection open before `netopt-mode': once it
is on with (t :dead-after 20 :reuseaddr t), the kernel (sockpeek)
holds the budget's options on the client, :reuseaddr (before bind
only) is skipped without a word, and the echo area counts the
connections.  A `setq' of the rules while on, and `customize', give
the new ones; turned on from Lisp, the count is said too."
  (let ((result
         (netopt-test-child
          '(let* ((said nil)
                  (srv (make-network-process :name "srv" :server t
                                             :host "127.0.0.1" :service t
                                             :noquery t))
                  (port (process-contact srv :service))
                  (c (make-network-process :name "c" :host "127.0.0.1"
                                           :service port :noquery t))
                  (peek (lambda ()
                          (let ((k (netopt-test-socket-with-peer
                                    (format "127.0.0.1:%d" port))))
                            (mapcar (lambda (n) (cdr (assoc n k)))
                                    '("keepalive" "keepidle" "keepintvl"
                                      "keepcnt" "user-timeout")))))
                  (before (funcall peek)))
             (advice-add 'message :before
                         (lambda (format &rest args)
                           (when format
                             (push (apply #'format-message format args)
                                   said))))
             (setq netopt-connection-options
                   '(("\\`127\\.0\\.0\\.1\\'" :dead-after 20 :reuseaddr t)))
             (netopt-mode 1)
             (let ((on (funcall peek))
                   (warnings (get-buffer "*Warnings*")))
               (setq netopt-connection-options
                     '(("\\`127\\.0\\.0\\.1\\'" :dead-after 60)))
               (let ((after-setq (funcall peek)))
                 (customize-set-variable
                  'netopt-connection-options
                  '((t :dead-after 10) ("\\`127\\.0\\.0\\.1\\'" :keepidle 3)))
                 (prog1 (list before on after-setq (funcall peek)
                              (and warnings t) (reverse said))
                   (netopt-mode -1)))))
          :strict t)))
    (should (equal (nth 0 result) '("0" "7200" "75" "9" "0")))
    (should (equal (nth 1 result) '("1" "6" "1" "3" "8777")))
    (should (equal (nth 2 result) '("1" "18" "3" "3" "26333")))
    ;; The later rule's explicit :keepidle wins over the budget.
    (should (equal (nth 3 result) '("1" "3" "2" "2" "3888")))
    (should-not (nth 4 result))
    ;; The server and the client each time (the accepted connection
    ;; too once Emacs has accepted it).
    (should (seq-every-p
             (lambda (m) (string-match-p
                          "\\`netopt-mode: options set on [0-9]+ open connections\\'"
                          m))
             (seq-filter (lambda (m) (string-prefix-p "netopt-mode:" m))
                         (nth 5 result))))
    (should (= 3 (length (seq-filter
                          (lambda (m) (string-prefix-p "netopt-mode:" m))
                          (nth 5 result)))))))

;;;; Dead connections, measured

(defun netopt-budget-test--form (kind budget dir)
  "Return the form of a child Emacs measuring the case KIND with BUDGET.
KIND is `idle' (nothing sent after the cut), `worst' (one line sent
just before the keep-alive would give up), `erc' (ERC with its shipped
defaults, idle) or `erc-worst' (ERC sending a PRIVMSG at the worst
moment).  BUDGET is :dead-after's, or nil for no netopt at all.  DIR
holds ngircd's files.  The form returns a plist: :detected, seconds
from the cut to the connection's end (nil: still open at the end),
:control, the control connection's status at the end, and :options,
what the kernel held."
  `(progn
     (require 'netopt-test-parallel)
     (let* ((topology (netopt-test-blackhole-start
                       ,(netopt-test-require-program "ngircd")
                       ,(netopt-test-ngircd-conf dir)))
            (erc-p ,(and (memq kind '(erc erc-worst)) t))
            (deadline-after ,(+ (or budget 20) 12))
            (connect
             (lambda (port name)
               (if erc-p
                   (let* ((erc-join-buffer 'bury)
                          (buffer (erc :server "10.2.0.2" :port port
                                       :nick name :full-name "netopt")))
                     (netopt-test-wait-for
                      (lambda () (buffer-local-value 'erc-server-connected
                                                     buffer))
                      20)
                     (buffer-local-value 'erc-server-process buffer))
                 (netopt-test-irc-client name port)))))
       (require 'erc)
       ,@(and budget
              `((setq netopt-connection-options
                      '(((lambda (args) (eql (plist-get args :service) 6667))
                         :dead-after ,budget)))
                (netopt-mode 1)))
       (unwind-protect
           (let* ((control (funcall connect 6668 "control"))
                  (client (funcall connect 6667 "client"))
                  (options (mapcar (lambda (o) (netopt-option client o))
                                   '(:keepalive :keepidle :keepintvl :keepcnt
                                                :user-timeout :dead-after)))
                  (info (netopt-option client :info))
                  ;; When the keep-alive timer would give up: the last
                  ;; receipt, then keepidle + keepcnt × keepintvl (no user
                  ;; timeout) or the first probe at or past the user timeout.
                  (received (- (float-time)
                               (/ (min (plist-get info :last-data-recv)
                                       (plist-get info :last-ack-recv))
                                  1000.0)))
                  (gives-up
                   (and (nth 0 options)
                        (let ((idle (nth 1 options)) (intvl (nth 2 options))
                              (ut (/ (nth 4 options) 1000.0)))
                          (+ received idle
                             (* intvl (if (> ut 0)
                                          (max 1 (ceiling (- ut idle) intvl))
                                        (nth 3 options)))))))
                  (cut (progn (netopt-test-blackhole-cut topology)
                              (float-time)))
                  (deadline (+ cut deadline-after))
                  (sent nil)
                  (detected nil))
             (while (and (not detected) (< (float-time) deadline))
               (when (and ,(and (memq kind '(worst erc-worst)) t) (not sent)
                          gives-up (> (float-time) (- gives-up 0.5)))
                 (setq sent (- (float-time) cut))
                 (if erc-p
                     (with-current-buffer (process-buffer client)
                       (erc-server-send "PRIVMSG control :the worst moment"))
                   (process-send-string client "PRIVMSG control :worst\r\n")))
               (unless (process-live-p client)
                 (setq detected (- (float-time) cut)))
               (accept-process-output nil 0.1))
             (list :detected detected :control (process-status control)
                   :options options :sent sent))
         ;; ngircd and the namespaces go, whatever happened.
         (netopt-test-blackhole-stop topology)))))

(defun netopt-budget-test--run (cases)
  "Run CASES, each (KIND BUDGET), in parallel child Emacsen.
Return their results, in order: each the plist of
`netopt-budget-test--form', or (:child-error ERROR)."
  (unless (and (executable-find "nsenter") (executable-find "ip"))
    (ert-skip "needs nsenter and ip"))
  (netopt-test-require-program "ngircd")
  (let ((dirs (mapcar (lambda (_) (make-temp-file "netopt-budget" t)) cases)))
    (unwind-protect
        (netopt-test-parallel
         (cl-mapcar (lambda (case dir)
                      (netopt-budget-test--form (car case) (cadr case) dir))
                    cases dirs)
         ;; The longest case: 20 s to connect each of two clients,
         ;; then 60 + 12 s after the cut.
         :unshare t :seconds 150)
      (dolist (dir dirs) (delete-directory dir t)))))

(defun netopt-budget-test--check (case result)
  "Check that CASE (KIND BUDGET) was dropped within its budget: RESULT.
The budget is the contract; the margin, 3 s, is for the timers of a
loaded machine.  The control, without netopt, is still open; so is
the connection of a case without a budget (no netopt at all)."
  (let ((budget (cadr case)) (detected (plist-get result :detected)))
    ;; A child's error is shown whole (ERT abbreviates it).
    (when (eq (car-safe result) :child-error)
      (let ((print-length nil) (print-level nil))
        (message "netopt-budget-test: the child of %S signalled %S"
                 case result)))
    (should (equal (list case (if (eq (car-safe result) :detected)
                                  :detected
                                result))
                   (list case :detected)))
    (should (equal (list case (nth 5 (plist-get result :options)))
                   (list case budget)))
    (should (equal (list case (if budget
                                  (and detected (<= detected (+ budget 3)))
                                detected))
                   (list case (and budget t))))
    (should (equal (list case (plist-get result :control))
                   (list case 'open)))))

(ert-deftest netopt-budget-dead-connections-within-budget ()
  "Dead connections are dropped within :dead-after, whatever the client does.
Idle clients, clients sending once at the worst moment (half a second
before the keep-alive would give up), and ERC against ngircd with its
shipped defaults (PING every 30 s, ping timeout 120 s, auto-reconnect
on), idle and sending a PRIVMSG at the worst moment; budgets of 10,
20 and 60 s.  In each case a control connection without netopt's
options, through the same cut, is still open at the end; so is the
client of the case without netopt at all, 32 s after the cut."
  :tags '(budget slow)
  (let* ((cases '((idle 10) (worst 10) (idle 20) (worst 20)
                  (erc 20) (erc-worst 20) (erc 60) (idle nil)))
         (results (netopt-budget-test--run cases)))
    (cl-mapc #'netopt-budget-test--check cases results)
    ;; The worst moment came, and the line was sent.
    (dolist (i '(1 3 5))
      (should (equal (list (nth i cases)
                           (numberp (plist-get (nth i results) :sent)))
                     (list (nth i cases) t))))))

(provide 'budget-test)
;;; budget-test.el ends here
