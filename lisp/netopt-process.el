;;; netopt-process.el --- finding the socket of an Emacs network process  -*- lexical-binding: t; -*-

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
;;
;; Processes netopt makes itself (netopt-adopt.el, API section 5.1) and
;; those `netopt-mode' serves (netopt-mode.el, section 5.2) are known
;; from creation; both files are loaded with this one.

;;; Code:

(require 'netopt-module)

(defvar netopt--made (make-hash-table :test 'eq :weakness 'key)
  "Processes netopt made or configured, by process object, for listings.
The value is `made' for a process `netopt-make-network-process' made
\(and its accepted connections), `configured' for one of Emacs's own
that `netopt-set-option' changed.")

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

(defun netopt--plist-remove (plist key)
  "Remove KEY and its value from PLIST in place.
KEY must not be PLIST's first key (a contact starts with :name)."
  (let ((tail plist))
    (while (cddr tail)
      (if (eq (nth 2 tail) key)
          (setcdr (cdr tail) (nthcdr 4 tail))
        (setq tail (cddr tail))))))

(defun netopt--probe (process fds)
  "Return the one descriptor among FDS that is PROCESS's socket, or nil.
Emacs's own `set-network-process-option' sets :priority to a value no
candidate holds, on PROCESS's socket only; the descriptor that changed
is the one.  Whatever happens, every descriptor gets its :priority
back and PROCESS's contact its :priority entry (or none), so a probe
leaves no trace.  Without a readable :priority on every candidate
there is no probe."
  (let* ((handles (mapcar (lambda (fd) (netopt--borrow fd "probe")) fds))
         (contact (process-contact process t))
         (entry (plist-member contact :priority))
         (old (cadr entry))
         (before (mapcar (lambda (h)
                           (condition-case nil (netopt-option h :priority)
                             (netopt-error nil)))
                         handles))
         (probe (and (not (memq nil before))
                     (seq-find (lambda (v) (not (memql v before)))
                               '(1 2 3 4 5 6 0))))
         (hits nil))
    (unwind-protect
        (when (and probe
                   (condition-case nil
                       (set-network-process-option process :priority probe)
                     (error nil)))
          (let ((i 0))
            (dolist (h handles)
              (when (eql (condition-case nil (netopt-option h :priority)
                           (netopt-error nil))
                         probe)
                (push i hits))
              (setq i (1+ i))))
          (and (= (length hits) 1) (nth (car hits) fds)))
      ;; Put back every descriptor the probe may have touched ...
      (while handles
        (let ((h (pop handles)) (value (pop before)))
          (when (and value
                     (not (eql value (condition-case nil
                                         (netopt-option h :priority)
                                       (netopt-error value)))))
            (condition-case nil (netopt-set-option h :priority value)
              (netopt-error nil)))
          (netopt--forget h)))
      ;; ... and the contact as it was.
      (if entry
          (plist-put contact :priority old)
        (netopt--plist-remove contact :priority)))))

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

(provide 'netopt-process)
(require 'netopt-adopt)
(require 'netopt-mode)
;;; netopt-process.el ends here
