;;; netopt-mode.el --- options for every connection Emacs makes  -*- lexical-binding: t; -*-

;; Copyright (C) 2026 The netopt-module authors

;; This file is not part of GNU Emacs.

;;; Commentary:

;; API section 5.2: `netopt-connection-options' and the global
;; `netopt-mode'.  The mode's advice on `make-network-process' is the
;; innermost one; a call a rule matches is made by
;; `netopt-make-network-process' (netopt-adopt.el) with the rule's
;; options (a :nowait call to a host connects in the background, every
;; socket tried with the options), or, where adoption cannot serve it
;; (an external socket, an Emacs at its descriptor limit), by Emacs,
;; its options set as soon as its socket exists.  The mode is
;; invisible but for the options: the README lists what that means,
;; and test/mode-test.el checks each point.

;;; Code:

(require 'netopt-adopt)
(require 'netopt-budget)

(defcustom netopt-connection-options nil
  "Socket options for the connections Emacs makes, while `netopt-mode' is on.
A list of rules (MATCH . OPTIONS).  MATCH is a regexp matched against
the :host given to `make-network-process', t for every connection, or
a function called with the argument plist.  OPTIONS is a plist of
options of `netopt-supported-options', and :child-options for
servers.  Every matching rule applies, in order; a later rule's value
for the same option wins (a :dead-after replaces the options it
derives that earlier rules gave; options given beside it win).
Options that cannot apply to a connection's family or type (TCP
options on a datagram or local socket) are skipped for it, silently.
A malformed rule is reported once and ignored.  Changing the rules
while `netopt-mode' is on gives open connections the new options.
For example, to notice a dead IRC or mail connection within a minute:

  ((t :dead-after 60))"
  :type '(repeat (cons :tag "Rule"
                       (choice :tag "Match"
                               (const :tag "Every connection" t)
                               (regexp :tag "Host regexp")
                               (function :tag "Predicate of the arguments"))
                       (plist :tag "Options")))
  :group 'netopt)

(defvar netopt--warned (make-hash-table :test 'equal)
  "The rules already reported as malformed, and why.")

(defun netopt--warn-once (rule problem)
  "Report with `display-warning', once, that RULE is ignored: PROBLEM."
  (unless (equal (gethash rule netopt--warned) problem)
    (puthash rule problem netopt--warned)
    (display-warning
     'netopt (format "netopt-connection-options: rule %S ignored: %s"
                     rule problem))))

(defun netopt--options-problem (options)
  "Return why OPTIONS, a rule's, is not a plist of options; nil if it is."
  (let ((supported (netopt-supported-options)) (problem nil))
    (while (and options (not problem))
      (setq problem
            (cond ((not (consp options)) "OPTIONS is not a plist")
                  ((not (consp (cdr options)))
                   (format "%S has no value" (car options)))
                  ((eq (car options) :child-options)
                   (and (cadr options)
                        (netopt--options-problem (cadr options))))
                  ((memq (car options) netopt--emacs-keywords)
                   (format "%S is an argument of `make-network-process', \
not an option" (car options)))
                  ((not (memq (car options) supported))
                   (format "%S is not an option of `netopt-supported-options'"
                           (car options)))))
      (setq options (and (consp options) (cddr options))))
    problem))

(defun netopt--rule-problem (rule)
  "Return why RULE of `netopt-connection-options' is malformed, or nil."
  (let ((match (car-safe rule)))
    (cond ((not (consp rule)) "not a (MATCH . OPTIONS) cons")
          ((not (or (eq match t) (stringp match) (functionp match)))
           "MATCH is not t, a regexp or a function")
          ((and (stringp match)
                (condition-case err (progn (string-match-p match "") nil)
                  (invalid-regexp
                   (format "MATCH is not a valid regexp: %s" (cadr err))))))
          (t (netopt--options-problem (cdr rule))))))

(defun netopt--rule-matches-p (rule args)
  "Return non-nil if RULE's MATCH accepts the `make-network-process' ARGS.
A MATCH function that signals is reported once and matches nothing."
  (let ((match (car rule)) (host (plist-get args :host)))
    (cond ((eq match t) t)
          ((stringp match) (and (stringp host) (string-match-p match host)))
          (t (condition-case err (funcall match args)
               (error (netopt--warn-once
                       rule (format "MATCH signalled: %s"
                                    (error-message-string err)))
                      nil))))))

(defvar netopt--valid-rules nil
  "(RULES . WELL-FORMED): the well-formed rules of the list RULES.
A memo of `netopt--rules-for': every call Emacs makes asks it, and a
list of rules is checked once.")

(defun netopt--well-formed-rules ()
  "Return the well-formed rules of `netopt-connection-options'.
A malformed one is reported once and left out."
  (unless (eq (car netopt--valid-rules) netopt-connection-options)
    (let ((valid nil))
      (dolist (rule netopt-connection-options)
        (let ((problem (netopt--rule-problem rule)))
          (if problem
              (netopt--warn-once rule problem)
            (push rule valid))))
      (setq netopt--valid-rules
            (cons netopt-connection-options (nreverse valid)))))
  (cdr netopt--valid-rules))

(defun netopt--rules-for (args)
  "Return the well-formed rules of `netopt-connection-options' matching ARGS.
As `netopt--rule-matches-p' decides, each rule in turn; every call
Emacs makes asks it, so a MATCH of t or a regexp is tried here, the
:host read once, and nothing is consed unless a rule matches."
  (let ((rules (if (eq (car netopt--valid-rules) netopt-connection-options)
                   (cdr netopt--valid-rules)
                 (netopt--well-formed-rules)))
        (found nil) (host nil) (host-read nil))
    (while rules
      (let* ((rule (car rules)) (match (car rule)))
        (when (cond ((eq match t) t)
                    ((stringp match)
                     (unless host-read
                       (setq host (plist-get args :host) host-read t))
                     (and (stringp host) (string-match-p match host)))
                    (t (netopt--rule-matches-p rule args)))
          (push rule found)))
      (setq rules (cdr rules)))
    (nreverse found)))

(defun netopt--call-kind (args)
  "Return (FAMILY . TYPE) of the connection made by the call ARGS.
FAMILY is nil when only the address will tell (ipv4 or ipv6)."
  (let ((family (plist-get args :family)))
    (cons (if (or (eq family 'local) (stringp (plist-get args :remote))
                  (stringp (plist-get args :local)))
              'local
            (and (memq family '(ipv4 ipv6)) family))
          (or (plist-get args :type) 'stream))))

(defun netopt--option-applies-p (option kind)
  "Return non-nil if OPTION can apply to a socket of KIND, (FAMILY . TYPE)."
  (let ((info (netopt-option-info option)))
    (and (memq (cdr kind) (plist-get info :socket-types))
         (let ((families (plist-get info :families)))
           (if (car kind)
               (memq (car kind) families)
             (or (memq 'ipv4 families) (memq 'ipv6 families)))))))

(defun netopt--applicable (options kind)
  "Return OPTIONS without those that cannot apply to KIND, (FAMILY . TYPE).
:child-options are kept for a stream server, filtered alike."
  (let ((out nil))
    (while options
      (let ((key (car options)) (value (cadr options)))
        (cond ((eq key :child-options)
               (setq out (plist-put out key (netopt--applicable value kind))))
              ((netopt--option-applies-p key kind)
               (setq out (plist-put out key value)))))
      (setq options (cddr options)))
    out))

(defun netopt--rule-options (rules args)
  "Merge the OPTIONS of RULES into one plist for the call ARGS.
A later rule's value wins; options that cannot apply to the
connection's family or type are left out."
  (let ((merged nil))
    (dolist (rule rules)
      (setq merged (netopt--budget-merge merged (cdr rule)))
      (let ((tail (cdr rule)))
        (while tail
          (setq merged (plist-put merged (car tail) (cadr tail)))
          (setq tail (cddr tail)))))
    (netopt--budget-first
     (netopt--applicable merged (netopt--call-kind args)))))

(defun netopt--rule-error-p (err options)
  "Return non-nil if ERR is about one of OPTIONS, a rule's, not the call.
netopt's errors about an option name its keyword: first for a bad
value or an unknown option, after the two messages for the kernel's
refusal, as in (\"Cannot set network option\" REASON KEYWORD VALUE)."
  (let ((keyword (pcase (car err)
                   ((or 'netopt-bad-value 'netopt-unknown-option) (cadr err))
                   ((or 'netopt-system-error 'netopt-permission-denied)
                    (nth 3 err)))))
    (and (keywordp keyword)
         (or (plist-member options keyword)
             (plist-member (plist-get options :child-options) keyword)))))

(defun netopt--warn-rule (rules err)
  "Say with `display-warning' that RULES could not be applied: ERR."
  (display-warning
   'netopt
   (format "netopt-connection-options %S: not applied (%s); the connection \
was made without the rule's options"
           rules (error-message-string err))))

(defun netopt--warn-refused (rules refused)
  "Say with `display-warning' which options of RULES the kernel refused.
REFUSED is a list of (OPTION . ERROR); the connection has the others."
  (display-warning
   'netopt
   (format "netopt-connection-options %S: %s; the connection has the \
rule's other options"
           rules
           (mapconcat (lambda (entry)
                        (format "%S refused (%s)" (car entry)
                                (error-message-string (cdr entry))))
                      refused "; "))))

(defun netopt--make-then-set (make args options rules)
  "Call MAKE with ARGS, then set OPTIONS on the new process's socket.
For calls adoption cannot serve: the socket is the one descriptor
MAKE added, known at creation.  An option that cannot be set is
warned about (naming RULES), never fatal."
  (let* ((before (netopt--socket-fds))
         (process (apply make args)))
    (when (and (processp process)
               (condition-case nil (netopt--adopt nil process before)
                 (netopt-socket-not-found nil)))
      (netopt--set-rule-options process options rules))
    process))

(defun netopt--set-rule-options (process options rules)
  "Set OPTIONS, those of RULES, on PROCESS's socket, now.
Every option is tried: each one that cannot be set is named in one
warning (naming RULES), never fatal; :child-options has no meaning
on a connection and is skipped.  Return the number of options set."
  (let ((tail options) (refused nil) (set 0))
    (while tail
      (unless (eq (car tail) :child-options)
        (condition-case err
            (progn (netopt-set-option process (car tail) (cadr tail))
                   (setq set (1+ set)))
          (error (push (cons (car tail) err) refused))))
      (setq tail (cddr tail)))
    (when refused
      (netopt--warn-refused rules (nreverse refused)))
    set))

(defun netopt--make-network-process-advice (make &rest args)
  "Around `make-network-process' (MAKE) while `netopt-mode' is on.
ARGS matching a rule of `netopt-connection-options' go through
`netopt-make-network-process' with the rules' options; others reach
MAKE untouched.  The advice is the innermost one: every other advice
sees the caller's call, once, and netopt's placeholders never.
Where adoption cannot serve the call (an external socket, or an
Emacs at its descriptor limit), the options are set right after MAKE,
on the descriptor it added.  A rule
never costs the connection: when its options cannot be set, the
connection is made as without the mode and `display-warning' names
the rule and the error.  The caller's own bad arguments get Emacs's
own error, and a connection that cannot be made is tried once."
  (let ((rules (netopt--rules-for args)))
    (cond
     ((null rules) (apply make args))
     ((plist-get args :use-external-socket)
      (netopt--make-then-set make args (netopt--rule-options rules args)
                             rules))
     (t (netopt--make-with-rules make args
                                 (netopt--rule-options rules args) rules)))))

(defun netopt--make-with-rules (make args options rules)
  "Make the connection of the call ARGS with OPTIONS, those of RULES.
netopt makes the socket, then hands it to Emacs (MAKE is Emacs's own
`make-network-process'); a :nowait client to a host returns at once
and connects in the background.  Each option the kernel refuses is
named in a warning, and the connection has the others.  A connection
that cannot be made gets Emacs's own error, ARGS in its data, as
Emacs's call would signal; any other failure before netopt's
connection is made falls back on MAKE (`netopt--rule-failed'), and
one after it is signalled, never tried again.  In an Emacs too near
its descriptor limit for netopt's sockets, MAKE makes the connection
and the options are set on it right after."
  (if (not (netopt--spare-fds 4))
      (netopt--make-then-set make args options rules)
    (let* ((pending (netopt--pending-p args))
           (kind (netopt--call-kind args))
           (checked (if pending
                        (cons options nil)
                      (netopt--usable-options options (or (car kind) 'ipv4)
                                              (cdr kind))))
           (all (append args (car checked)))
           (made (condition-case err
                     (if pending
                         (netopt--start-pending all t)
                       (netopt--real-socket all 'emacs))
                   (error
                    (if (memq (car err) '(file-error file-missing
                                                     permission-denied))
                        (signal (car err) (append (cdr err) args))
                      (netopt--rule-failed make args options rules err))))))
      (cond ((processp made) made)
            (pending
             (when (cdr made) (netopt--warn-refused rules (cdr made)))
             (car made))
            (t
             (when (cdr checked) (netopt--warn-refused rules (cdr checked)))
             ;; netopt's connection is made: whatever fails now is
             ;; signalled, never tried again by Emacs (one attempt).
             (netopt--adopt-made made all))))))

(defun netopt--rule-failed (make args options rules err)
  "Make the call ARGS with MAKE after netopt failed with ERR.
OPTIONS are those of RULES.  A rule's own option that cannot be set
is warned about and the connection made without the options; when
the socket cannot be told apart, the options are set after MAKE; any
other error (the call's own arguments, name resolution, a bind) is
Emacs's call's to report, alone, or it succeeds without the rule's
options, and a warning says so."
  (cond ((netopt--rule-error-p err options)
         (netopt--warn-rule rules err)
         (apply make args))
        ((eq (car err) 'netopt-socket-not-found)
         (netopt--make-then-set make args options rules))
        (t (prog1 (apply make args)
             (netopt--warn-rule rules err)))))

;;;; Connections already open

(defvar netopt-mode)

(defun netopt--settable-later (options)
  "Return OPTIONS without those an open socket cannot take.
Options settable only before bind and :child-options are left out."
  (let ((out nil))
    (while options
      (let ((key (car options)))
        (unless (or (eq key :child-options)
                    (eq (plist-get (netopt-option-info key) :settable)
                        'before-bind))
          (setq out (cons (cadr options) (cons key out)))))
      (setq options (cddr options)))
    (nreverse out)))

(defun netopt--apply-to-open ()
  "Give every open network process the options of the rules it matches.
Only options that can still be set are given.  The echo area says how
many connections got options; the count is returned."
  (let ((count 0))
    (dolist (process (netopt--open-connections))
      (let* ((args (process-contact process t))
             (rules (netopt--rules-for args))
             (options (and rules (netopt--settable-later
                                  (netopt--rule-options rules args)))))
        (when options
          (netopt--set-rule-options process options rules)
          (setq count (1+ count)))))
    (when (> count 0)
      (message "netopt-mode: options set on %d open connection%s"
               count (if (= count 1) "" "s")))
    count))

(defun netopt--rules-watcher (_symbol newval operation where)
  "Give open connections the rules NEWVAL, set by OPERATION.
A variable watcher of `netopt-connection-options': a global `setq',
`customize' or `setopt' while `netopt-mode' is on (WHERE is nil)."
  (when (and netopt-mode (eq operation 'set) (null where))
    (let ((netopt-connection-options newval))
      (netopt--apply-to-open))))

(defun netopt--mode-extras ()
  "What turning `netopt-mode' on or off does beyond the advice."
  (if netopt-mode
      (progn
        ;; Emacs 26 and later: older ones see the rules at the next
        ;; turning on.
        (when (fboundp 'add-variable-watcher)
          (add-variable-watcher 'netopt-connection-options
                                #'netopt--rules-watcher))
        (netopt--sleep-watch)
        (netopt--apply-to-open))
    (when (fboundp 'remove-variable-watcher)
      (remove-variable-watcher 'netopt-connection-options
                               #'netopt--rules-watcher))
    (netopt--sleep-unwatch)))

;;;###autoload
(define-minor-mode netopt-mode
  "Give the connections Emacs makes the options of `netopt-connection-options'.
While this global mode is on, every `make-network-process' call (ERC,
Gnus, url, `open-network-stream', TLS ...) whose arguments match a
rule is made by `netopt-make-network-process', so that every option is
set before bind and connect.  Calls matching no rule reach Emacs
untouched; with the mode off, `make-network-process' is Emacs's own.
Turning it on gives the connections already open their options too,
and while it is on, connections are checked when the machine wakes
from sleep (netopt-budget.el)."
  :global t
  :group 'netopt
  (if netopt-mode
      ;; Innermost: other advice sees the caller's call, never netopt's.
      (advice-add 'make-network-process :around
                  #'netopt--make-network-process-advice '((depth . 100)))
    (advice-remove 'make-network-process
                   #'netopt--make-network-process-advice))
  (netopt--mode-extras))

(provide 'netopt-mode)
;;; netopt-mode.el ends here
