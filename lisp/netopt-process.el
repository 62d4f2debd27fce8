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

(defun netopt--process-contact (process)
  "Return PROCESS's contact plist without options, addresses from the kernel."
  (let* ((handle (netopt--process-socket process))
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
