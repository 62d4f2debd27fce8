;;; emacs-own-tests.el --- watch Emacs's own test files under netopt-mode  -*- lexical-binding: t; -*-

;;; Commentary:

;; Loaded by test/tools/emacs-own-tests.sh into a batch Emacs, after
;; `ert' and before one of Emacs's own test files (the Emacs sources'
;; test/lisp/net/network-stream-tests.el, test/src/process-tests.el),
;; which it then runs with `netopt-own-run'.  Nothing here is netopt's
;; code, and nothing reads an option through it:
;;
;;   - with NETOPT_OWN_MODE=on, netopt is loaded from NETOPT_OWN_LISP,
;;     `netopt-connection-options' is NETOPT_OWN_RULE (default
;;     ((t :keepalive t :keepidle 33))) and `netopt-mode' is turned on;
;;     with NETOPT_OWN_MODE=off, netopt is not loaded at all;
;;   - every `make-network-process' call is recorded by an advice
;;     outside every other one (depth -100); a call made while another
;;     is running (netopt's own calls leaking to other advice) too;
;;   - the socket of each recorded TCP process is found among Emacs's
;;     descriptors by the addresses Emacs's own `process-contact' gives
;;     (never waiting: NO-BLOCK), and read with test/tools/sockpeek
;;     (NETOPT_OWN_SOCKPEEK), which copies the descriptor out with
;;     pidfd_getfd: right after the call, by a timer while a process is
;;     connecting or not yet seen, before `delete-process', and at the
;;     end of each test.  A TCP socket without keepalive 1 and keepidle
;;     33 is a connection without its options (in the run without the
;;     mode, every TCP socket is one: the check can fail);
;;   - every `display-warning' is recorded, and so are the sockets a
;;     test leaves open with no live network process for them;
;;   - each test's start and result.
;;
;; Each event is one line, a Lisp list, appended at once to
;; NETOPT_OWN_LOG (so a run killed by its time limit leaves what it
;; saw, and the test it was in).  `netopt-own-summary' reads such logs
;; and prints what the shell script shows.

;;; Code:

(require 'cl-lib)
(require 'ert)
(require 'subr-x)

(defvar netopt-connection-options)
(declare-function netopt-mode "netopt-mode" (&optional arg))

(defvar netopt-own-log (getenv "NETOPT_OWN_LOG")
  "The file events are appended to, one Lisp list a line.")

(defvar netopt-own-sockpeek (getenv "NETOPT_OWN_SOCKPEEK")
  "The sockpeek program: reads a descriptor of a process from outside.")

(defvar netopt-own-expected '(("keepalive" . 1) ("keepidle" . 33))
  "What sockpeek must print for a TCP socket made under the rule.")

(defvar netopt-own-test nil
  "The name of the ERT test running, or nil.")

(defvar netopt-own-processes nil
  "The processes `make-network-process' returned, newest first.
Each entry is (PROCESS ARGS SEEN BAD MADE TEST): SEEN lists the
sockets (local address strings) observed for PROCESS, BAD those
without the options; MADE is when the call returned, in TEST.")

(defvar netopt-own-depth 0
  "How many `make-network-process' calls are running.")

(defvar netopt-own-timer nil
  "The timer that looks at processes still connecting or unseen.")

(defun netopt-own-event (&rest event)
  "Append EVENT, a list, to `netopt-own-log' as one line."
  (let ((print-escape-newlines t) (print-length nil) (print-level nil)
        (coding-system-for-write 'utf-8-unix))
    (write-region (concat (prin1-to-string (cons netopt-own-test event))
                          "\n")
                  nil netopt-own-log t 'silent)))

;;; Addresses

(defun netopt-own-ipv6-groups (text)
  "Return the eight 16-bit groups of the IPv6 address TEXT."
  (let* ((halves (split-string text "::"))
         (part (lambda (s)
                 (let ((out nil))
                   (dolist (g (and (> (length s) 0) (split-string s ":")))
                     (if (string-match-p "\\." g)
                         (let ((b (mapcar #'string-to-number
                                          (split-string g "\\."))))
                           (push (+ (* 256 (nth 0 b)) (nth 1 b)) out)
                           (push (+ (* 256 (nth 2 b)) (nth 3 b)) out))
                       (push (string-to-number g 16) out)))
                   (nreverse out))))
         (head (funcall part (car halves)))
         (tail (and (cdr halves) (funcall part (cadr halves)))))
    (append head (make-list (- 8 (length head) (length tail)) 0) tail)))

(defun netopt-own-parse-address (text)
  "Return sockpeek's address TEXT as a list of numbers, port last; or nil."
  (let ((host nil) (port nil) (v6 nil))
    (cond ((string-match "\\`\\([0-9.]+\\):\\([0-9]+\\)\\'" text)
           (setq host (match-string 1 text) port (match-string 2 text)))
          ((string-match "\\`\\[\\(.*\\)\\]:\\([0-9]+\\)\\'" text)
           (setq host (match-string 1 text) port (match-string 2 text) v6 t)))
    (and host
         (append (if v6 (netopt-own-ipv6-groups host)
                   (mapcar #'string-to-number (split-string host "\\.")))
                 (list (string-to-number port))))))

(defun netopt-own-contact (process key)
  "Return PROCESS's contact KEY as a list of numbers, never waiting."
  (let ((v (condition-case nil (process-contact process key t)
             (error nil))))
    (and (vectorp v) (memq (length v) '(5 9)) (append v nil))))

;;; Sockets, read from outside

(defun netopt-own-peek ()
  "Return Emacs's sockets as read by sockpeek: a list of alists.
Each alist maps sockpeek's names to their text, and \"fd\" to the
descriptor.  nil when sockpeek cannot run (at a descriptor limit)."
  (condition-case err
      (with-temp-buffer
        (call-process
         "/bin/sh" nil t nil "-c"
         "for fd in $($0 $1 list); do echo \"fd $fd\"; $0 $1 $fd; done"
         netopt-own-sockpeek (number-to-string (emacs-pid)))
        (let ((sockets nil) (current nil))
          (dolist (line (split-string (buffer-string) "\n" t))
            (when (string-match "\\`\\([^ ]+\\) \\(.*\\)\\'" line)
              (let ((name (match-string 1 line)) (value (match-string 2 line)))
                (when (equal name "fd")
                  (when current (push current sockets))
                  (setq current nil))
                (push (cons name value) current))))
          (when current (push current sockets))
          sockets))
    (error (netopt-own-event 'peek-failed (error-message-string err))
           nil)))

(defun netopt-own-tcp-p (socket)
  "Return non-nil if SOCKET, an alist of sockpeek's, is a TCP socket."
  (and (member (cdr (assoc "domain" socket)) '("ipv4" "ipv6"))
       (equal (cdr (assoc "type" socket)) "stream")))

(defun netopt-own-socket-of (process sockets)
  "Return the socket of SOCKETS that is PROCESS's, by its addresses.
The local address Emacs knows must match; the peer too, once the
socket has one; a server's socket is the listening one."
  (let ((local (netopt-own-contact process :local))
        (remote (netopt-own-contact process :remote))
        (server (process-contact process :server t))
        (found nil))
    (when local
      (dolist (s sockets)
        (let ((l (netopt-own-parse-address (or (cdr (assoc "local" s)) "")))
              (p (netopt-own-parse-address (or (cdr (assoc "peer" s)) "")))
              (listening (equal (cdr (assoc "acceptconn" s)) "1")))
          (when (and (netopt-own-tcp-p s) (equal l local)
                     (if server listening
                       (and (not listening) (or (null p) (null remote)
                                                (equal p remote)))))
            (push s found)))))
    (and (= (length found) 1) (car found))))

(defun netopt-own-lacking (socket)
  "Return the options SOCKET lacks, as (NAME . VALUE-FOUND); nil if none."
  (let ((out nil))
    (dolist (want netopt-own-expected (nreverse out))
      (let ((have (cdr (assoc (car want) socket))))
        (unless (equal have (number-to-string (cdr want)))
          (push (cons (car want) have) out))))))

(defun netopt-own-observe (entry where sockets)
  "Look at ENTRY's process in SOCKETS (sockpeek's), as checkpoint WHERE.
Each socket of a TCP process is checked once it is seen, and reported
the first time it lacks the options."
  (let* ((process (car entry))
         (socket (and (process-live-p process)
                      (netopt-own-socket-of process sockets))))
    (when socket
      (let ((local (cdr (assoc "local" socket)))
            (lacking (netopt-own-lacking socket)))
        (unless (member local (nth 2 entry))
          (setf (nth 2 entry) (cons local (nth 2 entry)))
          (netopt-own-event 'seen (process-name process) where local))
        (when (and lacking (not (member local (nth 3 entry))))
          (setf (nth 3 entry) (cons local (nth 3 entry)))
          (netopt-own-event 'noopts (process-name process) where
                            (process-status process) local
                            (cdr (assoc "peer" socket))
                            (cdr (assoc "fd" socket)) lacking
                            (format "%S" (nth 1 entry))))))))

(defun netopt-own-tcp-call-p (args)
  "Return non-nil if the `make-network-process' ARGS make a TCP socket."
  (and (memq (plist-get args :type) '(nil stream))
       (not (eq (plist-get args :family) 'local))
       (not (stringp (plist-get args :remote)))
       (not (stringp (plist-get args :local)))
       (not (plist-get args :use-external-socket))
       (not (and (stringp (plist-get args :service))
                 (string-match-p "/" (plist-get args :service))))))

(defun netopt-own-pending ()
  "Return the live processes of this test connecting, made < 3 s ago.
Only those are looked at by the timer: a process left connecting
for good (as Emacs's own tests leave some) must not keep Emacs busy,
nor slow the tests after it (some allow an echo 0.1 s)."
  (cl-remove-if-not
   (lambda (entry)
     (and (process-live-p (car entry))
          (equal (nth 5 entry) netopt-own-test)
          (eq (process-status (car entry)) 'connect)
          (< (float-time (time-subtract nil (nth 4 entry))) 3)))
   netopt-own-processes))

(defun netopt-own-check (where &optional entries)
  "Check ENTRIES (default: every live recorded process) as WHERE.
An error of this checker is logged, never passed on to the test."
  (condition-case err (netopt-own-check-1 where entries)
    (error (netopt-own-event 'harness-error where
                             (error-message-string err)))))

(defun netopt-own-check-1 (where entries)
  "Check ENTRIES (default: every live recorded process) as WHERE."
  (let ((entries (cl-remove-if-not (lambda (e) (process-live-p (car e)))
                                   (or entries netopt-own-processes))))
    (when entries
      (let ((sockets (netopt-own-peek)))
        (dolist (entry entries)
          (netopt-own-observe entry where sockets))))))

(defun netopt-own-tick ()
  "Check the pending processes; stop when none is left."
  (let ((pending (netopt-own-pending)))
    (if pending
        (netopt-own-check 'timer pending)
      (cancel-timer netopt-own-timer)
      (setq netopt-own-timer nil))))

;;; Advice

(defun netopt-own-make (make &rest args)
  "Record the `make-network-process' call ARGS, made by MAKE."
  (when (> netopt-own-depth 0)
    (netopt-own-event 'nested (format "%S" args)))
  (let ((process (let ((netopt-own-depth (1+ netopt-own-depth)))
                   (apply make args))))
    (when (and (processp process) (= netopt-own-depth 0))
      (netopt-own-event 'made (process-name process)
                        (netopt-own-tcp-call-p args)
                        (process-status process))
      (when (netopt-own-tcp-call-p args)
        (let ((entry (list process args nil nil (current-time)
                           netopt-own-test)))
          (push entry netopt-own-processes)
          (netopt-own-check 'made (list entry))
          (unless netopt-own-timer
            (setq netopt-own-timer
                  (run-at-time 0.05 0.05 #'netopt-own-tick))))))
    process))

(defun netopt-own-before-delete (&optional process)
  "Check PROCESS (a process or its name) before `delete-process'."
  (let* ((p (cond ((processp process) process)
                  ((or (stringp process) (bufferp process))
                   (get-process process))
                  ((null process) (get-buffer-process (current-buffer)))))
         (entry (and p (assq p netopt-own-processes))))
    (when entry
      (netopt-own-check 'delete (list entry)))))

(defun netopt-own-warning (type message &rest _)
  "Record the warning MESSAGE of TYPE."
  (netopt-own-event 'warning type (format "%s" message)))

(defun netopt-own-socket-inodes ()
  "Return the inodes of Emacs's socket descriptors, from /proc/self/fd."
  (let ((out nil))
    (dolist (fd (condition-case nil
                    (directory-files "/proc/self/fd" t "\\`[0-9]+\\'")
                  (error nil)))
      (let ((target (file-symlink-p fd)))
        (when (and target (string-match "\\`socket:\\[\\([0-9]+\\)\\]" target))
          (push (match-string 1 target) out))))
    out))

(defun netopt-own-live-network ()
  "Return the live network processes."
  (cl-remove-if-not (lambda (p) (and (eq (process-type p) 'network)
                                     (process-live-p p)))
                    (process-list)))

(defun netopt-own-run-test (run test &rest args)
  "Run TEST with RUN (`ert-run-test') and ARGS, recording around it."
  (let ((before-sockets (netopt-own-socket-inodes))
        (before-procs (netopt-own-live-network)))
    (setq netopt-own-test (ert-test-name test))
    (netopt-own-event 'start)
    (unwind-protect (apply run test args)
      (netopt-own-check 'test-end)
      (let ((new-sockets (cl-set-difference (netopt-own-socket-inodes)
                                            before-sockets :test #'equal))
            (new-procs (cl-set-difference (netopt-own-live-network)
                                          before-procs)))
        (when (> (length new-sockets) (length new-procs))
          (netopt-own-event 'leak (length new-sockets)
                            (mapcar #'process-name new-procs))))
      (let ((result (ert-test-most-recent-result test)))
        (netopt-own-event
         'result
         (cond ((ert-test-skipped-p result) 'skipped)
               ((ert-test-passed-p result) 'passed)
               ((ert-test-failed-p result) 'failed)
               ((ert-test-quit-p result) 'quit)
               (t 'aborted))
         (ert-test-result-expected-p test result)
         (and (ert-test-result-with-condition-p result)
              (let ((print-length 8) (print-level 4))
                (prin1-to-string
                 (ert-test-result-with-condition-condition result))))))
      (setq netopt-own-test nil))))

;;; Setup and run

(defun netopt-own-setup ()
  "Install the recorders; with NETOPT_OWN_MODE=on, netopt and its mode."
  (setq load-prefer-newer t)
  (when (boundp 'native-comp-deferred-compilation)
    (set 'native-comp-deferred-compilation nil))
  (when (boundp 'native-comp-jit-compilation)
    (set 'native-comp-jit-compilation nil))
  (advice-add 'make-network-process :around #'netopt-own-make
              '((depth . -100)))
  (advice-add 'delete-process :before #'netopt-own-before-delete)
  (advice-add 'display-warning :before #'netopt-own-warning)
  (advice-add 'ert-run-test :around #'netopt-own-run-test)
  (when (equal (getenv "NETOPT_OWN_MODE") "on")
    (add-to-list 'load-path (getenv "NETOPT_OWN_LISP"))
    (require 'netopt-mode)
    (set 'netopt-connection-options
         (car (read-from-string
               (or (getenv "NETOPT_OWN_RULE")
                   "((t :keepalive t :keepidle 33))"))))
    (netopt-mode 1))
  (netopt-own-event 'setup (getenv "NETOPT_OWN_MODE") emacs-version
                    (and (boundp 'netopt-connection-options)
                         (symbol-value 'netopt-connection-options))))

(defun netopt-own-run (selector)
  "Run the ERT SELECTOR in batch; log the end; exit."
  (let ((stats (ert-run-tests-batch selector)))
    (netopt-own-event 'done (ert-stats-completed stats)
                      (ert-stats-completed-unexpected stats))
    (kill-emacs 0)))

;;; Summary

(defun netopt-own-read-log (file)
  "Return the events of the log FILE, oldest first."
  (with-temp-buffer
    (when (file-exists-p file)
      (insert-file-contents file))
    (let ((events nil))
      (goto-char (point-min))
      (while (not (eobp))
        (let ((line (buffer-substring (point) (line-end-position))))
          (unless (string-empty-p line)
            (push (condition-case nil (car (read-from-string line))
                    (error (list nil 'unreadable line)))
                  events)))
        (forward-line 1))
      (nreverse events))))

(defun netopt-own-results (events)
  "Return ((TEST . OUTCOME) ...) of EVENTS; OUTCOME a string."
  (let ((out nil))
    (dolist (e events (nreverse out))
      (when (eq (nth 1 e) 'result)
        (push (cons (car e) (format "%s%s" (nth 2 e)
                                    (if (nth 3 e) "" " (unexpected)")))
              out)))))

(defun netopt-own-summary ()
  "Print the summary of the logs on the command line.
Arguments: LABEL OFF-LOG... -- ON-LOG...  Exit status 1 when a run with
the mode has a warning, a connection without its options, a nested
call, a leak, an unfinished run, or a test whose result differs from
every run without the mode."
  (let* ((args command-line-args-left)
         (label (pop args))
         (sep (cl-position "--" args :test #'equal))
         (off-files (cl-subseq args 0 sep))
         (on-files (cl-subseq args (1+ sep)))
         (off-results (mapcar (lambda (f) (netopt-own-results
                                           (netopt-own-read-log f)))
                              off-files))
         (bad 0))
    (setq command-line-args-left nil)
    (let ((i 0))
      (dolist (f off-files)
        (setq i (1+ i))
        (let* ((events (netopt-own-read-log f))
               (results (netopt-own-results events)))
          (princ (format "  %s, without the mode, run %d: %s%s; TCP sockets \
seen %d, without the options %d (the check can fail)\n"
                         label i (netopt-own-count results)
                         (if (assq 'done (mapcar #'cdr events)) ""
                           (format ", UNFINISHED (in %s)"
                                   (car (car (last events)))))
                         (cl-count 'seen events :key #'cadr)
                         (cl-count 'noopts events :key #'cadr))))))
    (let ((i 0))
      (dolist (f on-files)
        (setq i (1+ i))
        (let* ((events (netopt-own-read-log f))
               (results (netopt-own-results events))
               (done (assq 'done (mapcar #'cdr events)))
               (problems nil))
          (unless done
            (push (format "UNFINISHED: the run ended (time limit or crash) \
in %s" (car (car (last events))))
                  problems))
          (dolist (e events)
            (pcase (nth 1 e)
              ('warning
               (if (netopt-own-netopt-warning-p e)
                   (push (format "netopt warning in %s: %s" (car e) (nth 3 e))
                         problems)
                 (princ (format "  (note: a warning of type %S in %s: %s)\n"
                                (nth 2 e) (car e) (nth 3 e)))))
              ('harness-error
               (push (format "this checker failed in %s (%s): %s"
                             (car e) (nth 2 e) (nth 3 e))
                     problems))
              ('noopts
               (push (format "no options in %s: process %S (%s, at %s), \
socket %s -> %s fd %s lacks %S; call %s"
                             (car e) (nth 2 e) (nth 4 e) (nth 3 e) (nth 5 e)
                             (nth 6 e) (nth 7 e) (nth 8 e) (nth 9 e))
                     problems))
              ('nested
               (push (format "nested make-network-process in %s: %s"
                             (car e) (nth 2 e))
                     problems))
              ('leak
               (push (format "sockets left in %s: %d new socket(s), live \
new network processes %S" (car e) (nth 2 e) (nth 3 e))
                     problems))
              ('peek-failed
               (princ (format "  (note: sockpeek could not run in %s: %s)\n"
                              (car e) (nth 2 e))))))
          (dolist (r results)
            (let ((offs (delq nil (mapcar (lambda (o) (cdr (assq (car r) o)))
                                          off-results))))
              (unless (member (cdr r) offs)
                (let ((text (format "result differs: %s is %s with the \
mode, %s without" (car r) (cdr r)
                                    (if offs (mapconcat #'identity offs "/")
                                      "not run"))))
                  (if (and (string-prefix-p "skipped" (cdr r))
                           (cl-every (lambda (o) (string-prefix-p "passed" o))
                                     offs))
                      (push text problems)
                    (if (or (string-prefix-p "failed" (cdr r))
                            (string-prefix-p "quit" (cdr r))
                            (string-prefix-p "aborted" (cdr r)))
                        (push text problems)
                      (princ (format "  (note: %s)\n" text))))))))
          (princ (format "  %s, with the mode, run %d: %s; TCP sockets seen \
%d, without the options %d, netopt warnings %d\n"
                         label i (netopt-own-count results)
                         (cl-count 'seen events :key #'cadr)
                         (cl-count 'noopts events :key #'cadr)
                         (cl-count-if #'netopt-own-netopt-warning-p events)))
          (dolist (p (nreverse problems))
            (setq bad (1+ bad))
            (princ (format "    %s\n" p))))))
    (kill-emacs (if (zerop bad) 0 1))))

(defun netopt-own-netopt-warning-p (event)
  "Return non-nil if EVENT is a warning of type netopt."
  (and (eq (nth 1 event) 'warning)
       (let ((type (nth 2 event)))
         (eq (if (consp type) (car type) type) 'netopt))))

(defun netopt-own-count (results)
  "Return a line counting the outcomes of RESULTS."
  (let ((counts nil))
    (dolist (r results)
      (let ((cell (assoc (cdr r) counts)))
        (if cell (setcdr cell (1+ (cdr cell)))
          (push (cons (cdr r) 1) counts))))
    (if counts
        (mapconcat (lambda (c) (format "%d %s" (cdr c) (car c)))
                   (nreverse counts) ", ")
      "no test ran")))

(provide 'emacs-own-tests)
;;; emacs-own-tests.el ends here
