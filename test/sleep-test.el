;;; sleep-test.el --- netopt-mode after the machine wakes up  -*- lexical-binding: t; -*-

;;; Commentary:

;; A private system bus (dbus-daemon, DBUS_SYSTEM_BUS_ADDRESS) stands
;; in for the machine's; the child Emacs owns logind's name on it and
;; sends PrepareForSleep(false) itself, as logind does on waking.  The
;; children run in parallel, each in network namespaces of its own
;; with a path that can be cut (test/tools/blackhole.sh).  In batch,
;; D-Bus handlers run only inside `read-event': the children wait with
;; it.

;;; Code:

(require 'netopt-test-helpers)
(require 'netopt-test-servers)
(require 'netopt-test-parallel)

(defun netopt-sleep-test--bus (dir)
  "Start a private system bus in DIR; return (PROCESS . ADDRESS).
Its socket is a file: unlike an abstract one, reachable from any
network namespace."
  (let* ((daemon (or (executable-find "dbus-daemon")
                     (ert-skip "dbus-daemon is not installed")))
         (conf (expand-file-name "bus.conf" dir))
         (address (format "unix:path=%s" (expand-file-name "bus" dir))))
    (with-temp-file conf
      (insert "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
              " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
              "<busconfig><type>system</type>\n"
              (format "<listen>%s</listen>\n" address)
              "<auth>EXTERNAL</auth>\n<policy context=\"default\">\n"
              "<allow send_destination=\"*\" eavesdrop=\"true\"/>"
              "<allow eavesdrop=\"true\"/><allow own=\"*\"/>"
              "<allow user=\"*\"/></policy></busconfig>\n"))
    (let ((process (make-process :name "dbus-daemon" :noquery t
                                 :buffer (generate-new-buffer " dbus")
                                 :command (list daemon "--nofork"
                                                (concat "--config-file=" conf)
                                                "--print-address=1"))))
      (netopt-test-wait-for
       (lambda () (with-current-buffer (process-buffer process)
                    (string-match-p "unix:" (buffer-string))))
       10)
      (cons process address))))

(defun netopt-sleep-test--form (kind address dir)
  "Return the form of a child Emacs for the case KIND on the bus ADDRESS.
KIND is `dead' (the path is cut, then the wake is signalled), `asleep'
\(cut, no signal), `live' (the wake is signalled on a path that works)
or `no-bus' (the bus address leads nowhere).  DIR holds ngircd's files.
Every connection has `netopt-mode''s rule (t :dead-after 600): 267 s
at least before its own timers notice a dead peer."
  `(progn
     (require 'netopt-test-parallel)
     (require 'dbus)
     ;; libdbus reads the C environment: :system is ADDRESS; netopt's
     ;; own connection goes where `getenv' says.
     (setenv "DBUS_SYSTEM_BUS_ADDRESS"
             ,(if (eq kind 'no-bus) "unix:path=/nonexistent/bus" address))
     (let ((topology (netopt-test-blackhole-start
                      ,(netopt-test-require-program "ngircd")
                      ,(netopt-test-ngircd-conf dir)))
           (others nil) (result nil))
       (unless (eq ',kind 'no-bus)
         ;; As logind: its name, taken before netopt-mode listens.
         (dbus-register-service :system "org.freedesktop.login1"))
       (setq netopt-connection-options '((t :dead-after 600)))
       (netopt-mode 1)
       (unless (eq ',kind 'no-bus)
         ;; Another package's handler, registered after netopt's on the
         ;; shared connection, as Gnus's `gnus-dbus-close-on-sleep'.
         (dbus-register-signal
          :system "org.freedesktop.login1" "/org/freedesktop/login1"
          "org.freedesktop.login1.Manager" "PrepareForSleep"
          (lambda (sleeping) (push sleeping others))))
       (let* ((client (netopt-test-irc-client "client" 6667))
              (peek (lambda ()
                      (let ((k (netopt-test-socket-with-peer
                                "10.2.0.2:6667")))
                        (mapcar (lambda (n) (cdr (assoc n k)))
                                '("keepidle" "keepintvl" "keepcnt"
                                  "user-timeout")))))
              (before (funcall peek))
              (wait (lambda (seconds &optional until)
                      (let ((end (+ (float-time) seconds)))
                        (while (and (< (float-time) end)
                                    (not (and until (funcall until))))
                          (read-event nil nil 0.1)))))
              (woke nil) (during nil) (detected nil))
         (when (memq ',kind '(dead asleep))
           (netopt-test-blackhole-cut topology))
         (funcall wait 1)
         (setq woke (float-time))
         (when (memq ',kind '(dead live))
           (dbus-send-signal
            :system "org.freedesktop.login1" "/org/freedesktop/login1"
            "org.freedesktop.login1.Manager" "PrepareForSleep" nil))
         (funcall wait 1.5)
         (setq during (and (process-live-p client) (funcall peek)))
         (funcall wait 12 (lambda () (not (process-live-p client))))
         (unless (process-live-p client)
           (setq detected (- (float-time) woke)))
         (setq result
               (list :detected detected :before before :during during
                     :after (and (process-live-p client) (funcall peek))
                     :others others
                     :warnings (and (get-buffer "*Warnings*")
                                    (with-current-buffer "*Warnings*"
                                      (buffer-string)))
                     :listening (and netopt--sleep-registration t))))
       (netopt-mode -1)
       (netopt-test-blackhole-stop topology)
       result)))

(ert-deftest netopt-sleep-wake-checks-connections ()
  "After PrepareForSleep(false) a lost peer is noticed within 10 s of waking.
Four children side by side, each with the rule (t :dead-after 600):

- dead: the path is cut, the wake signalled: the connection is
  dropped within 10 s, and another package's handler for the signal,
  registered after netopt's, is called too;
- asleep: the same cut without the signal: still open 14 s later;
- live: the wake on a working path: the check shortens the timing
  for a moment (TCP_KEEPIDLE 1, read by sockpeek), then the
  connection, still open, has its own options back;
- no-bus: the bus address leads nowhere: netopt-mode works, listens
  for nothing, and warns about nothing."
  :tags '(sleep slow)
  (unless (and (executable-find "nsenter") (executable-find "ip"))
    (ert-skip "needs nsenter and ip"))
  (unless (featurep 'dbusbind) (ert-skip "this Emacs has no D-Bus"))
  (let* ((kinds '(dead asleep live no-bus))
         (dirs (mapcar (lambda (_) (make-temp-file "netopt-sleep" t)) kinds))
         ;; A bus each: a wake sent on one reaches no other child.
         (buses (mapcar (lambda (dir) (netopt-sleep-test--bus dir)) dirs)))
    (unwind-protect
        (let* ((results (netopt-test-parallel
                         (cl-mapcar (lambda (kind dir bus)
                                      (netopt-sleep-test--form kind (cdr bus)
                                                               dir))
                                    kinds dirs buses)
                         :unshare t :seconds 60
                         :environments
                         (mapcar (lambda (bus)
                                   (list (concat "DBUS_SYSTEM_BUS_ADDRESS="
                                                 (cdr bus))))
                                 buses)))
               (dead (nth 0 results)) (asleep (nth 1 results))
               (live (nth 2 results)) (no-bus (nth 3 results)))
          (dolist (r results)
            (should (equal (list (car-safe r) r) (list :detected r))))
          ;; Dead: noticed within 10 s of the wake.
          (should (plist-get dead :listening))
          (should (numberp (plist-get dead :detected)))
          (should (< (plist-get dead :detected) 10))
          (should (equal (plist-get dead :others) '(nil)))
          ;; Without the wake, the same cut goes unnoticed.
          (should (null (plist-get asleep :detected)))
          (should (equal (plist-get asleep :during)
                         (plist-get asleep :before)))
          ;; Live: checked, then its own options again.
          (should (null (plist-get live :detected)))
          (should (equal (plist-get live :before) '("180" "29" "3" "266333")))
          (should (equal (car (plist-get live :during)) "1"))
          (should (equal (plist-get live :after) (plist-get live :before)))
          (should (null (plist-get live :warnings)))
          ;; No bus: nothing listens, nothing warns, the rule applies.
          (should (null (plist-get no-bus :listening)))
          (should (null (plist-get no-bus :warnings)))
          (should (equal (plist-get no-bus :before)
                         '("180" "29" "3" "266333"))))
      (dolist (bus buses)
        (delete-process (car bus))
        (kill-buffer (process-buffer (car bus))))
      (dolist (dir dirs) (delete-directory dir t)))))

(provide 'sleep-test)
;;; sleep-test.el ends here
