;;; netopt-demo.el --- Show what the kernel holds, next to Emacs's claims  -*- lexical-binding: t; -*-

;; Copyright (C) 2026 The netopt-module authors

;; This file is not part of GNU Emacs.

;;; Commentary:

;; `make demo' runs `netopt-demo' in batch: it makes a stream server, a
;; connection accepted by it, and a datagram client, each twice: with
;; netopt and with Emacs's own `make-network-process', with the same
;; options.  For every option it prints what was asked, what the kernel
;; holds on netopt's socket, what Emacs's `process-contact' claims for
;; its process, and what the kernel holds on Emacs's socket.

;;; Code:

(require 'netopt-base)
(require 'netopt-adopt)

(defun netopt-demo--kernel (target option)
  "Return OPTION of TARGET as read from the kernel, or \"?\"."
  (condition-case nil
      (netopt-option target option)
    (netopt-error "?")))

(defun netopt-demo--row (what option asked ours emacs-proc)
  "Print one table row.
WHAT names the socket, OPTION the option, ASKED the value requested;
OURS is netopt's socket, EMACS-PROC Emacs's process."
  (let* ((kernel (netopt-demo--kernel ours option))
         (claim (process-contact emacs-proc option))
         (truth (netopt-demo--kernel emacs-proc option)))
    (princ (format "%-22s %-11s %-7S %-15S %-18S %-14S%s\n"
                   what option asked kernel claim truth
                   (if (or (equal truth "?") (equal claim truth)) ""
                     "  <- Emacs is wrong")))))

(defun netopt-demo--before-connect (port)
  "Print two Emacs processes to PORT, one made by netopt, one by Emacs.
netopt's gets :maxseg and :syncnt before connect; Emacs's own can only
get them after, when the handshake has already chosen the segment size."
  (let* ((adopted (netopt-make-network-process
                   :name "netopt-made" :host "127.0.0.1" :service port
                   :maxseg 1000 :syncnt 2))
         (own (make-network-process :name "emacs-made" :host "127.0.0.1"
                                    :service port)))
    (unwind-protect
        (progn
          (netopt-set-option own :maxseg 1000)
          (netopt-set-option own :syncnt 2)
          (princ "\nOptions before connect (an Emacs process netopt made, \
next to Emacs's own\nwith the same options set after connect):\n")
          (princ (format "  %-9s %-8s %-22s %s\n" "option" "asked"
                         "netopt-made: kernel" "emacs-made: kernel"))
          (dolist (option '(:maxseg :syncnt))
            (princ (format "  %-9s %-8S %-22S %S%s\n" option
                           (if (eq option :maxseg) 1000 2)
                           (netopt-option adopted option)
                           (netopt-option own option)
                           (if (and (eq option :maxseg)
                                    (> (netopt-option own option) 1000))
                               "  <- too late: negotiated at connect"
                             "")))))
      (delete-process adopted)
      (delete-process own))))

;;;###autoload
(defun netopt-demo ()
  "Make sockets with options and print the kernel's view of them."
  (interactive)
  (let* ((netopt-linger-seconds 10)
         (opts '(:keepalive t :priority 3 :linger t :oobinline t))
         (ours-srv (apply #'netopt-make-socket :name "netopt-server"
                          :server t :host "127.0.0.1" :service t opts))
         (ours-port (cadr (netopt-contact ours-srv)))
         (ours-cli (netopt-make-socket :host "127.0.0.1" :service ours-port))
         (ours-child (netopt-accept ours-srv 5))
         (emacs-child nil)
         (emacs-srv (apply #'make-network-process :name "emacs-server"
                           :server t :host "127.0.0.1" :service t
                           :family 'ipv4
                           :log (lambda (_server client _message)
                                  (setq emacs-child client))
                           opts))
         (emacs-cli (make-network-process
                     :name "emacs-client" :host "127.0.0.1"
                     :service (process-contact emacs-srv :service)))
         (dgram-opts '(:broadcast t :priority 4 :dontroute t))
         (udp-srv (netopt-make-socket :type 'datagram :server t
                                      :host "127.0.0.1" :service t))
         (udp-port (cadr (netopt-contact udp-srv)))
         (ours-udp (apply #'netopt-make-socket :type 'datagram
                          :host "127.0.0.1" :service udp-port dgram-opts))
         (emacs-udp (apply #'make-network-process :name "emacs-udp"
                           :type 'datagram :host "127.0.0.1"
                           :service udp-port dgram-opts)))
    (unwind-protect
        (progn
          (dotimes (_ 100)
            (unless emacs-child (accept-process-output nil 0.05)))
          (princ (format "netopt %s on %s, Emacs %s\n\n"
                         netopt-module-version system-configuration
                         emacs-version))
          (princ (format "%-22s %-11s %-7s %-15s %-18s %-14s\n"
                         "socket" "option" "asked" "netopt: kernel"
                         "Emacs: contact" "Emacs: kernel"))
          (princ (make-string 92 ?-))
          (terpri)
          (dolist (option '(:keepalive :priority :linger :oobinline
                                       :reuseaddr))
            (netopt-demo--row "stream server" option
                              (if (plist-member opts option)
                                  (plist-get opts option)
                                '-)
                              ours-srv emacs-srv))
          (dolist (option '(:keepalive :priority :linger :oobinline))
            (netopt-demo--row "accepted connection" option '- ours-child
                              emacs-child))
          (dolist (option '(:broadcast :priority :dontroute))
            (netopt-demo--row "datagram client" option
                              (plist-get dgram-opts option) ours-udp
                              emacs-udp))
          (princ "\nTCP keepalive timing Emacs cannot set, on netopt's client:\n")
          (netopt-set-option ours-cli :keepalive t)
          (dolist (option '(:keepidle :keepintvl :keepcnt :user-timeout))
            (netopt-set-option ours-cli option
                               (if (eq option :user-timeout) 30000 10)))
          (dolist (option '(:keepalive :keepidle :keepintvl :keepcnt
                                       :user-timeout))
            (princ (format "  %-13s %S\n" option
                           (netopt-option ours-cli option))))
          (netopt-demo--before-connect ours-port))
      (mapc #'netopt-close (list ours-srv ours-cli ours-child udp-srv
                                 ours-udp))
      (mapc #'delete-process
            (delq nil (list emacs-srv emacs-cli emacs-child emacs-udp))))))

(provide 'netopt-demo)
;;; netopt-demo.el ends here
