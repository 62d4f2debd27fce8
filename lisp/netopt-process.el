;;; netopt-process.el --- netopt options on Emacs's own network processes  -*- lexical-binding: t; -*-

;; Copyright (C) 2026 The netopt-module authors

;; This file is not part of GNU Emacs.

;;; Commentary:

;; Emacs does not tell a module which descriptor a network process
;; uses.  This file finds it: from what `process-contact' knows (family,
;; type, local and remote address) it asks the module for the matching
;; descriptors of this Emacs (netopt--find-fds).  When several match
;; (datagram clients are neither bound nor connected, children of a
;; local server share one address), a probe decides: Emacs's own
;; `set-network-process-option' changes :priority on exactly the
;; process's socket, the descriptor that changed is the one, and the
;; original value is put back.  If that still leaves no single answer,
;; `netopt-socket-not-found' is signalled: netopt never guesses.
;;
;; The descriptor found is cached per process object in a weak table,
;; never in the process plist (Emacs copies a server's plist into every
;; connection it accepts), and is used only while the process is live.

;;; Code:

(require 'netopt-module)

(declare-function netopt--find-fds "ext:netopt-core"
                  (family type listening local remote exclude))
(declare-function netopt--borrow "ext:netopt-core" (fd name))
(declare-function netopt--forget "ext:netopt-core" (handle))
(declare-function netopt--socket-fd "ext:netopt-core" (socket))
(declare-function netopt--socket-contact "ext:netopt-core" (socket))
(declare-function netopt--read-options "ext:netopt-core" (target))
(declare-function netopt-option "ext:netopt-core" (target option))
(declare-function netopt-set-option "ext:netopt-core"
                  (target option value &optional no-error))
(declare-function netopt-supported-options "ext:netopt-core" ())

(defconst netopt--manual-options
  '(:bindtodevice :broadcast :dontroute :keepalive :linger :oobinline
                  :priority :reuseaddr)
  "The options of the Emacs manual, which `process-contact' lists.")

(defvar netopt--handles (make-hash-table :test 'eq :weakness 'key)
  "Borrowed socket handles of network processes, by process object.")

(defun netopt--drop-handle (process handle)
  "Forget PROCESS's cached HANDLE: its descriptor belongs to Emacs."
  (netopt--forget handle)
  (remhash process netopt--handles))

(defun netopt--cached-fds ()
  "Return the descriptors cached for live processes; drop dead entries."
  (let ((fds nil) (dead nil))
    (maphash (lambda (process handle)
               (if (process-live-p process)
                   (push (netopt--socket-fd handle) fds)
                 (push (cons process handle) dead)))
             netopt--handles)
    (dolist (entry dead)
      (netopt--drop-handle (car entry) (cdr entry)))
    fds))

(defun netopt--address-family (address)
  "Return the family of ADDRESS, an address in `process-contact' form."
  (cond ((stringp address) 'local)
        ((and (vectorp address) (= (length address) 5)) 'ipv4)
        ((and (vectorp address) (= (length address) 9)) 'ipv6)))

(defun netopt--candidates (process)
  "Return the descriptors that may be PROCESS's socket."
  (let* ((contact (process-contact process t))
         (local (plist-get contact :local))
         (remote (plist-get contact :remote))
         (type (or (plist-get contact :type) 'stream))
         (server (plist-get contact :server))
         (family (or (plist-get contact :family)
                     (netopt--address-family remote)
                     (netopt--address-family local)))
         (exclude (netopt--cached-fds)))
    (unless family
      (signal 'netopt-socket-not-found
              (list process "process-contact shows no address")))
    (cond ((and server (eq type 'datagram))
           (netopt--find-fds family type nil local nil exclude))
          (server
           (netopt--find-fds family type t local nil exclude))
          ((eq type 'datagram)
           ;; Emacs neither binds nor connects a datagram client.
           (netopt--find-fds family type nil nil 'none exclude))
          (t
           (netopt--find-fds family type nil local remote exclude)))))

(defun netopt--probe (process fds)
  "Return the one descriptor among FDS that is PROCESS's socket, or nil.
Emacs's own `set-network-process-option' sets :priority to a value no
candidate holds, on PROCESS's socket only; the descriptor that changed
is the one.  Its original value is then restored."
  (let ((handles (mapcar (lambda (fd) (netopt--borrow fd "probe")) fds)))
    (unwind-protect
        (let* ((before (mapcar (lambda (h)
                                 (condition-case nil
                                     (netopt-option h :priority)
                                   (netopt-error nil)))
                               handles))
               (probe (seq-find (lambda (v) (not (memql v before)))
                                '(1 2 3 4 5 6 0))))
          (when (and probe
                     (ignore-errors
                       (set-network-process-option process :priority probe)))
            (let* ((hits (seq-filter
                          (lambda (i)
                            (eql (ignore-errors
                                   (netopt-option (nth i handles) :priority))
                                 probe))
                          (number-sequence 0 (1- (length fds))))))
              (when (= (length hits) 1)
                (let ((i (car hits)))
                  (set-network-process-option process :priority
                                              (nth i before))
                  (nth i fds))))))
      (mapc #'netopt--forget handles))))

(defun netopt--locate (process)
  "Return the descriptor of PROCESS's socket, or signal.
Signals `netopt-socket-not-found' unless exactly one descriptor is it."
  (let ((fds (netopt--candidates process)))
    (cond ((= (length fds) 1) (car fds))
          ((null fds)
           (signal 'netopt-socket-not-found
                   (list process "no descriptor of this Emacs matches")))
          ((netopt--probe process fds))
          (t (signal 'netopt-socket-not-found
                     (list process (format "%d descriptors match"
                                           (length fds))))))))

(defun netopt--process-handle (process)
  "Return the netopt handle of network PROCESS's socket.
Signal `netopt-not-network' when PROCESS is not a network process,
`netopt-closed' when it is no longer live, and
`netopt-socket-not-found' when its socket cannot be identified."
  (unless (processp process)
    ;; Never let Emacs's process functions see a non-process: Emacs 28.2
    ;; overflows a buffer on (process-type LONG-STRING).
    (signal 'wrong-type-argument (list 'processp process)))
  (unless (eq (process-type process) 'network)
    (signal 'netopt-not-network (list process)))
  (let ((handle (gethash process netopt--handles)))
    (cond ((not (process-live-p process))
           (when handle (netopt--drop-handle process handle))
           (signal 'netopt-closed (list "Process is not running" process)))
          (handle)
          (t
           (setq handle (netopt--borrow (netopt--locate process)
                                        (process-name process)))
           (puthash process handle netopt--handles)
           handle))))

(defvar netopt--contact-is-live nil
  "Non-nil once `process-contact' was seen to return the live plist.")

(defun netopt--note-option (process option value)
  "Record OPTION = VALUE in PROCESS's contact, as Emacs would.
Called by the module after it set one of the manual's options on
PROCESS's socket, so that `process-contact' agrees.  Emacs returns the
process's own contact plist, which is updated in place."
  (let ((contact (process-contact process t)))
    (if (plist-member contact option)
        (plist-put contact option value)
      (nconc contact (list option value)))
    (unless netopt--contact-is-live
      (if (equal (process-contact process option) value)
          (setq netopt--contact-is-live t)
        ;; This Emacs returned a copy: let it record the value itself,
        ;; then put netopt's setting back on the socket.
        (set-network-process-option process option value)
        (netopt-set-option (netopt--process-handle process) option value))))
  nil)

(defun netopt--process-contact (process)
  "Return PROCESS's contact plist without options, addresses from the kernel."
  (let* ((handle (netopt--process-handle process))
         (kernel (netopt--socket-contact handle))
         (plist (process-contact process t))
         (result nil))
    (while plist
      (unless (get (car plist) 'netopt--option-index)
        (setq result (cons (cadr plist) (cons (car plist) result))))
      (setq plist (cddr plist)))
    (setq result (nreverse result))
    (setq result (plist-put result :local (plist-get kernel :local)))
    (when (plist-get kernel :remote)
      (setq result (plist-put result :remote (plist-get kernel :remote))))
    result))

(defun netopt--split-options (args)
  "Split the keyword ARGS of `netopt-make-network-process'.
Return (EMACS-ARGS OPTIONS CHILD-OPTIONS)."
  (let ((emacs-args nil) (options nil) (child nil))
    (while args
      (let ((key (car args)) (value (cadr args)))
        (unless (cdr args)
          (signal 'wrong-type-argument (list 'plistp args)))
        (cond ((eq key :child-options) (setq child value))
              ((and (keywordp key) (not (eq key :reuseaddr))
                    (get key 'netopt--option-index))
               (setq options (nconc options (list key value))))
              (t (setq emacs-args (nconc emacs-args (list key value))))))
      (setq args (cddr args)))
    (list emacs-args options child)))

(defun netopt--apply-options (process options)
  "Set the netopt OPTIONS plist on PROCESS."
  (while options
    (netopt-set-option process (car options) (cadr options))
    (setq options (cddr options))))

;;;###autoload
(defun netopt-make-network-process (&rest args)
  "Like `make-network-process', plus netopt's options.
ARGS are those of `make-network-process', plus any option keyword of
`netopt-supported-options', set right after the process is made
\(datagram clients included), and for servers :child-options, a plist
of options set on each connection Emacs accepts, before its filter
sees data.  If an option cannot be set, the process is deleted and
the error signalled."
  (pcase-let* ((`(,emacs-args ,options ,child) (netopt--split-options args)))
    (when child
      (let ((user-log (plist-get emacs-args :log)))
        (setq emacs-args
              (plist-put emacs-args :log
                         (lambda (server client message)
                           (condition-case err
                               (netopt--apply-options client child)
                             (error
                              (delete-process client)
                              (message "netopt: %s: connection closed: %s"
                                       (process-name server)
                                       (error-message-string err))))
                           (when user-log
                             (funcall user-log server client message)))))))
    (let ((process (apply #'make-network-process emacs-args)))
      (condition-case err
          (netopt--apply-options process options)
        (error (delete-process process)
               (signal (car err) (cdr err))))
      process)))

(provide 'netopt-process)
;;; netopt-process.el ends here
