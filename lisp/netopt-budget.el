;;; netopt-budget.el --- budgets on open connections, and after sleep  -*- lexical-binding: t; -*-

;; Copyright (C) 2026 The netopt-module authors

;; This file is not part of GNU Emacs.

;;; Commentary:

;; What `netopt-mode' (netopt-mode.el) builds on beyond adoption, API
;; section 5.2; this file knows nothing of the mode's rules:
;;
;; - the :dead-after budget in rules: a rule's :dead-after replaces
;;   the options it derives that earlier rules gave, and the options
;;   given beside it win (the module sets :dead-after first);
;; - the open connections, which netopt-mode gives its rules when it
;;   is turned on or they change;
;; - after sleep: when logind says the machine woke up
;;   (PrepareForSleep(false) on the system bus), or Emacs 31's
;;   `system-sleep' does, every connection with keep-alive on is
;;   checked at once, and gets its own options back afterwards.
;;
;; The check after waking: Linux's keep-alive timer drops a connection
;; with a user timeout once the time since data was last received
;; reaches the user timeout, at a firing with a probe out.  So for
;; `netopt--wake-check-seconds' each connection gets TCP_KEEPIDLE 1,
;; TCP_KEEPINTVL 1 (a probe at once, then every second) and a user
;; timeout of its idle time (TCP_INFO) plus
;; `netopt--wake-grace-ms': a peer that answers any probe within
;; that grace keeps its connection, one lost during sleep is dropped
;; when the grace is over.
;;
;; D-Bus: netopt listens on a private connection to the system bus of
;; its own.  dbus.el calls one handler per signal, the one registered
;; last, so that on the shared :system connection netopt and another
;; package (Gnus's `gnus-dbus-close-on-sleep', Emacs 31's
;; `system-sleep') would take the wake from each other.

;;; Code:

(require 'netopt-adopt)

(declare-function dbus-init-bus "dbus" (bus &optional private))
(declare-function dbus-register-signal "dbus"
                  (bus service path interface signal handler &rest args))
(declare-function dbus-unregister-object "dbus" (object))
(declare-function sleep-event-state "system-sleep" (event))
(defvar system-sleep-event-functions)

;;;; The budget in rules

(defconst netopt--budget-parts
  '(:keepalive :keepidle :keepintvl :keepcnt :user-timeout)
  "The options :dead-after derives.")

(defun netopt--budget-merge (merged options)
  "Return MERGED, the options of earlier rules, ready for OPTIONS.
When OPTIONS, the next rule's, has :dead-after, what it derives
replaces what earlier rules gave: those options are left out."
  (if (plist-member options :dead-after)
      (netopt--plist-without merged netopt--budget-parts)
    merged))

(defun netopt--budget-first (options)
  "Return OPTIONS with :dead-after first.
Set in that order, the options given beside it win over what it
derives."
  (let ((budget (plist-member options :dead-after)))
    (if budget
        (cons :dead-after
              (cons (cadr budget)
                    (netopt--plist-without options '(:dead-after))))
      options)))

;;;; Connections already open

(defun netopt--open-connections ()
  "Return the network processes whose socket is open."
  (let ((found nil))
    (dolist (process (process-list) (nreverse found))
      (when (and (eq (process-type process) 'network)
                 (memq (process-status process) '(open listen))
                 ;; netopt's own channel is no connection of the user's.
                 (not (eq process netopt--wake-process)))
        (push process found)))))


;;;; After sleep

(defconst netopt--wake-check-seconds 10
  "How long connections are checked after the machine wakes up.")

(defconst netopt--wake-grace-ms 7000
  "How long a connection's peer has to answer after waking, in ms.")

(defconst netopt--wake-saved '(:user-timeout :keepintvl :keepidle)
  "The options a check changes, in the order they are put back.
TCP_KEEPIDLE last: setting it restarts the keep-alive timer.")

(defvar netopt--checking nil
  "Connections being checked: (PROCESS . OWN-OPTIONS) each.")

(defvar netopt--check-timer nil
  "The timer that ends the check after waking.")

(defvar netopt--sleep-bus nil
  "The address of netopt's own connection to the system bus, or nil.")

(defvar netopt--sleep-registration nil
  "The D-Bus registration of logind's PrepareForSleep by netopt, or nil.")

(defun netopt--check-start (process)
  "Start checking PROCESS if it is an established connection with keep-alive.
Its own options are recorded in `netopt--checking' before any changes."
  (condition-case nil
      (let ((info (and (netopt-option process :keepalive)
                       (netopt-option process :info))))
        (when (eq (plist-get info :state) 'established)
          (let ((idle (min (plist-get info :last-data-recv)
                           (plist-get info :last-ack-recv))))
            (push (cons process
                        (mapcan (lambda (option)
                                  (list option
                                        (netopt-option process option)))
                                netopt--wake-saved))
                  netopt--checking)
            (netopt-set-option process :user-timeout
                               (min (+ idle netopt--wake-grace-ms) #x7fffffff))
            (netopt-set-option process :keepintvl 1)
            (netopt-set-option process :keepidle 1))))
    ;; Gone meanwhile, or not a socket netopt can find: not checked;
    ;; what was changed is put back with the rest.
    (error nil)))

(defun netopt--wake ()
  "Check every connection with keep-alive on, now that the machine woke up."
  (dolist (process (netopt--open-connections))
    (unless (assq process netopt--checking)
      (netopt--check-start process)))
  (when netopt--check-timer
    (cancel-timer netopt--check-timer)
    (setq netopt--check-timer nil))
  (when netopt--checking
    (setq netopt--check-timer
          (run-at-time netopt--wake-check-seconds nil #'netopt--wake-end))))

(defun netopt--wake-end ()
  "End the check after waking: live connections get their own options back."
  (when netopt--check-timer
    (cancel-timer netopt--check-timer)
    (setq netopt--check-timer nil))
  (let ((checked netopt--checking))
    (setq netopt--checking nil)
    (dolist (entry checked)
      (when (process-live-p (car entry))
        (condition-case err
            (let ((tail (cdr entry)))
              (while tail
                (netopt-set-option (car entry) (car tail) (cadr tail))
                (setq tail (cddr tail))))
          (error
           (display-warning
            'netopt (format "netopt-mode: %s keeps its options of the \
check after waking: %s" (car entry) (error-message-string err)))))))))

(defun netopt--prepare-for-sleep (sleeping)
  "Handle logind's PrepareForSleep signal: SLEEPING nil is a wake."
  (unless sleeping
    (netopt--wake)))

(defun netopt--system-sleep (event)
  "Handle Emacs 31's sleep EVENT (`system-sleep-event-functions')."
  (when (eq (sleep-event-state event) 'post-wake)
    (netopt--wake)))

(defun netopt--system-bus-address ()
  "Return the address of the system bus, as given to libdbus."
  (or (getenv "DBUS_SYSTEM_BUS_ADDRESS")
      "unix:path=/var/run/dbus/system_bus_socket"))

(defun netopt--system-bus-present-p (address)
  "Return non-nil unless ADDRESS names a socket file that does not exist.
A failed `dbus-init-bus' leaves state behind in Emacs 28 and 30 that
can trouble later network processes (url's), so no connection is
tried to a bus that is plainly not there."
  (or (not (string-match "\\`unix:path=\\([^,;]+\\)" address))
      (file-exists-p (match-string 1 address))))

(defun netopt--sleep-watch ()
  "Listen for the machine's wakes, where they can be heard.
Without D-Bus or a system bus nothing happens, and nothing warns."
  (when (featurep 'system-sleep)
    (add-hook 'system-sleep-event-functions #'netopt--system-sleep))
  (when (and (not netopt--sleep-registration) (featurep 'dbusbind)
             (netopt--system-bus-present-p (netopt--system-bus-address))
             (require 'dbus nil t))
    (condition-case nil
        (let ((bus (netopt--system-bus-address)))
          (unless (equal bus netopt--sleep-bus)
            (dbus-init-bus bus t)
            (setq netopt--sleep-bus bus))
          (setq netopt--sleep-registration
                (dbus-register-signal
                 bus "org.freedesktop.login1" "/org/freedesktop/login1"
                 "org.freedesktop.login1.Manager" "PrepareForSleep"
                 #'netopt--prepare-for-sleep)))
      (error nil))))

(defun netopt--sleep-unwatch ()
  "Stop listening for wakes; connections being checked get their options."
  (when (boundp 'system-sleep-event-functions)
    (remove-hook 'system-sleep-event-functions #'netopt--system-sleep))
  (when netopt--sleep-registration
    (condition-case nil (dbus-unregister-object netopt--sleep-registration)
      (error nil))
    (setq netopt--sleep-registration nil))
  (netopt--wake-end))

(provide 'netopt-budget)
;;; netopt-budget.el ends here
