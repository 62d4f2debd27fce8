;;; netopt-process.el --- finding the socket of an Emacs network process  -*- lexical-binding: t; -*-

;; Copyright (C) 2026 The netopt-module authors

;; This file is not part of GNU Emacs.

;;; Commentary:

;; Emacs does not tell a module which descriptor a network process
;; uses.  The module finds it and keeps the answer (module/process/):
;; from what `process-contact' knows (family, type, role, local and
;; remote address) it matches this Emacs's descriptors, and when
;; several match, a probe through Emacs's own
;; `set-network-process-option' decides; otherwise
;; `netopt-socket-not-found' is signalled: netopt never guesses.  Every
;; function that takes a TARGET accepts a process that way, in C.
;;
;; This file holds what the Lisp layer adds: a process's contact with
;; the kernel's addresses.  Processes netopt makes itself
;; (netopt-adopt.el, API section 5.1) and those `netopt-mode' serves
;; (netopt-mode.el, section 5.2) are known from creation; both files
;; are loaded with this one.

;;; Code:

(require 'netopt-module)

(defun netopt--deleted-p (process)
  "Return non-nil if PROCESS was deleted (not merely closed by its peer).
Emacs takes both out of the process list; a connection its peer
closed has the exit status 256 (\"connection broken by remote peer\"),
a deleted one 0."
  (and (eq (process-status process) 'closed)
       (not (eql (process-exit-status process) 256))))

(defun netopt--process-contact-no-block (process)
  "Return PROCESS's whole contact plist, never waiting for a name.
nil while Emacs resolves PROCESS's host in the background (Emacs 25
and 26 cannot say, and wait).  Emacs waits only for a process still
connecting: a closed one has its contact."
  (if (and (>= emacs-major-version 27) (eq (process-status process) 'connect))
      (or (funcall #'process-contact process t t)
          ;; Emacs 28 says nothing of a connecting process: it waits only
          ;; while there is no socket yet, which a timer due at once ends.
          (with-timeout (0 nil) (process-contact process t)))
    (process-contact process t)))

(defun netopt--process-contact (process)
  "Return PROCESS's contact plist without options, addresses from the kernel.
A process closed by its peer has no socket left: its contact is then
Emacs's own.  A deleted process signals `netopt-closed'."
  (let* ((handle (condition-case err (netopt--process-socket process)
                   (netopt-closed
                    (when (netopt--deleted-p process)
                      (signal (car err) (cdr err))))))
         (kernel (and handle (netopt--socket-contact handle)))
         (plist (netopt--process-contact-no-block process))
         (result nil))
    (while plist
      (unless (get (car plist) 'netopt--option-index)
        (setq result (cons (cadr plist) (cons (car plist) result))))
      (setq plist (cddr plist)))
    (setq result (nreverse result))
    (when kernel
      (setq result (plist-put result :local (plist-get kernel :local)))
      (when (plist-get kernel :remote)
        (setq result (plist-put result :remote (plist-get kernel :remote)))))
    result))

(provide 'netopt-process)
(require 'netopt-adopt)
(require 'netopt-mode)
;;; netopt-process.el ends here
