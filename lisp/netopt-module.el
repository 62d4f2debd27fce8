;;; netopt-module.el --- Socket options, set and read back from the kernel  -*- lexical-binding: t; -*-

;; Copyright (C) 2026 The netopt-module authors

;; Author: The netopt-module authors
;; Version: 0.1.0
;; Package-Requires: ((emacs "25.1"))
;; Keywords: comm, processes
;; URL: https://example.invalid/netopt-module

;; This file is not part of GNU Emacs.

;; This program is free software: you can redistribute it and/or modify
;; it under the terms of the GNU General Public License as published by
;; the Free Software Foundation, either version 3 of the License, or
;; (at your option) any later version.

;;; Commentary:

;; netopt-module creates sockets and sets their options from Lisp: the
;; network options of the Emacs manual (:bindtodevice :broadcast
;; :dontroute :keepalive :linger :oobinline :priority :reuseaddr) and
;; more, read back from the kernel, on its own sockets and on Emacs's
;; network processes.  The work is done by a dynamic module written in
;; C (module/ in the source tree).
;;
;; The Lisp layer is a chain, each file requiring only those before it:
;;
;;   netopt-base    the module, its errors and options, sockets, contacts
;;   netopt-adopt   `netopt-make-network-process' (API section 5.1)
;;   netopt-budget  :dead-after, open connections' checks after sleep
;;   netopt-mode    `netopt-connection-options' and `netopt-mode' (5.2)
;;   netopt-module  this file: all of the above, and the commands
;;
;; netopt-list (the inspector) and netopt-demo load when first used:
;; netopt-base declares their entry points (`autoload').

;;; Code:

(require 'netopt-base)
(require 'netopt-adopt)
(require 'netopt-mode)

;;;; Autoloads

;; The commands the module defines in C, for generated autoloads.
;;;###autoload (autoload 'netopt-set-option "netopt-module" "Set OPTION of TARGET to VALUE." t)
;;;###autoload (autoload 'netopt-make-socket "netopt-module" "Create a socket and set its options.")
;;;###autoload (autoload 'netopt-option "netopt-module" "Return OPTION of TARGET, read from the kernel.")

(provide 'netopt-module)
;;; netopt-module.el ends here
