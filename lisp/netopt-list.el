;;; netopt-list.el --- A view of netopt sockets and Emacs connections  -*- lexical-binding: t; -*-

;; Copyright (C) 2026 The netopt-module authors

;; This file is not part of GNU Emacs.

;;; Commentary:

;; M-x netopt-list-sockets shows every live netopt socket and every
;; Emacs network process, like `list-processes', with the options that
;; matter for keeping a connection alive, read from the kernel.  RET
;; describes a socket: every option that applies, its live value and
;; what it does; `s' there changes one.  M-x netopt-set-option sets one
;; option interactively.

;;; Code:

(require 'netopt-module)
(require 'tabulated-list)
(require 'seq)

(declare-function netopt-option "ext:netopt-core" (target option))
(declare-function netopt-set-option "ext:netopt-core"
                  (target option value &optional no-error))
(declare-function netopt-option-info "ext:netopt-core" (option))
(declare-function netopt-supported-options "ext:netopt-core" ())
(declare-function netopt--read-options "ext:netopt-core" (target))
(declare-function netopt--live-sockets "netopt-module" ())

(defun netopt-list--targets ()
  "Return the live netopt sockets and Emacs network processes."
  (append (netopt--live-sockets)
          (seq-filter (lambda (p)
                        (and (eq (process-type p) 'network)
                             (process-live-p p)))
                      (process-list))))

(defun netopt-list--get (target option)
  "Return OPTION of TARGET from the kernel, or nil when it cannot be read."
  (condition-case nil (netopt-option target option) (netopt-error nil)))

(defun netopt-list--address (address)
  "Return ADDRESS (a `process-contact' address) as text."
  (cond ((null address) "")
        ((stringp address) address)
        ((and (vectorp address) (= (length address) 5))
         (format "%d.%d.%d.%d:%d" (aref address 0) (aref address 1)
                 (aref address 2) (aref address 3) (aref address 4)))
        ((and (vectorp address) (= (length address) 9))
         (format "[%s]:%d"
                 (mapconcat (lambda (i) (format "%x" (aref address i)))
                            (number-sequence 0 7) ":")
                 (aref address 8)))
        (t (format "%s" address))))

(defun netopt-list--kind (contact)
  "Return the kind of socket CONTACT (a `netopt-contact' plist) describes."
  (format "%s %s %s"
          (or (plist-get contact :family) "")
          (or (plist-get contact :type) "stream")
          (cond ((plist-get contact :server) "server")
                ((plist-get contact :remote) "client")
                (t "unconnected"))))

(defun netopt-list--state (target contact)
  "Return the state of TARGET whose contact is CONTACT."
  (or (plist-get (netopt-list--get target :info) :state)
      (if (processp target)
          (process-status target)
        (if (plist-get contact :server) 'listen 'open))))

(defun netopt-list--options (target)
  "Return the notable live options of TARGET as text."
  (let ((parts nil))
    (when (netopt-list--get target :keepalive)
      (push (format "keepalive(%s/%s/%s)"
                    (or (netopt-list--get target :keepidle) "-")
                    (or (netopt-list--get target :keepintvl) "-")
                    (or (netopt-list--get target :keepcnt) "-"))
            parts))
    (when (netopt-list--get target :nodelay) (push "nodelay" parts))
    (let ((linger (netopt-list--get target :linger)))
      (when linger (push (format "linger=%s" linger) parts)))
    (let ((device (netopt-list--get target :bindtodevice)))
      (when device (push (format "device=%s" device) parts)))
    (let ((priority (netopt-list--get target :priority)))
      (when (and priority (/= priority 0))
        (push (format "priority=%s" priority) parts)))
    (let ((timeout (netopt-list--get target :user-timeout)))
      (when (and timeout (/= timeout 0))
        (push (format "user-timeout=%s" timeout) parts)))
    (mapconcat #'identity (nreverse parts) " ")))

(defun netopt-list--entry (target)
  "Return the tabulated-list entry of TARGET, or nil if it is gone."
  (condition-case nil
      (let ((contact (netopt-contact target t)))
        (list target
              (vector (if (processp target) (process-name target)
                        (plist-get contact :name))
                      (if (processp target) "emacs" "netopt")
                      (netopt-list--kind contact)
                      (netopt-list--address (plist-get contact :local))
                      (netopt-list--address (plist-get contact :remote))
                      (format "%s" (netopt-list--state target contact))
                      (netopt-list--options target))))
    (netopt-error nil)))

(defun netopt-list--refresh ()
  "Recompute the entries of the socket list."
  (setq tabulated-list-entries
        (delq nil (mapcar #'netopt-list--entry (netopt-list--targets)))))

(defvar netopt-list-mode-map
  (let ((map (make-sparse-keymap)))
    (define-key map (kbd "RET") #'netopt-list-describe)
    (define-key map "s" #'netopt-list-set-option)
    map)
  "Keymap of `netopt-list-mode'.")

(define-derived-mode netopt-list-mode tabulated-list-mode "Netopt Sockets"
  "Major mode for the list of sockets and their options.
\\<netopt-list-mode-map>\\[netopt-list-describe] describes the socket at \
point, \\[netopt-list-set-option] sets one of its options, \
\\[revert-buffer] refreshes."
  (setq tabulated-list-format
        [("Name" 22 t) ("Owner" 7 t) ("Kind" 24 t) ("Local" 22 t)
         ("Remote" 22 t) ("State" 12 t) ("Options" 0 t)])
  (setq tabulated-list-sort-key '("Name" . nil))
  (add-hook 'tabulated-list-revert-hook #'netopt-list--refresh nil t)
  (tabulated-list-init-header))

;;;###autoload
(defun netopt-list-sockets ()
  "List every live netopt socket and Emacs network process, with options."
  (interactive)
  (let ((buffer (get-buffer-create "*netopt sockets*")))
    (with-current-buffer buffer
      (netopt-list-mode)
      (netopt-list--refresh)
      (tabulated-list-print))
    (pop-to-buffer buffer)
    buffer))

;;;; Describing one socket

(defvar-local netopt-describe--target nil
  "The socket or process this description buffer shows.")

(defvar netopt-describe-mode-map
  (let ((map (make-sparse-keymap)))
    (define-key map "s" #'netopt-describe-set-option)
    (define-key map (kbd "RET") #'netopt-describe-set-option)
    (define-key map "g" #'netopt-describe-refresh)
    map)
  "Keymap of `netopt-describe-mode'.")

(define-derived-mode netopt-describe-mode special-mode "Netopt Socket"
  "Major mode describing the options of one socket.
\\<netopt-describe-mode-map>\\[netopt-describe-set-option] on an option \
line sets it, \\[netopt-describe-refresh] reads every value again.")

(defun netopt-describe-refresh ()
  "Show every option of the described socket, read from the kernel."
  (interactive)
  (let ((target netopt-describe--target)
        (inhibit-read-only t)
        (line (line-number-at-pos)))
    (erase-buffer)
    (insert (format "%s\n\n" (netopt-list--entry-title target)))
    (let ((values (netopt--read-options target)))
      (while values
        (let* ((option (car values))
               (doc (plist-get (netopt-option-info option) :doc)))
          (insert (propertize (format "%-16s %-28s %s\n" option
                                      (format "%S" (cadr values)) doc)
                              'netopt-option option)))
        (setq values (cddr values))))
    (goto-char (point-min))
    (forward-line (1- line))))

(defun netopt-list--entry-title (target)
  "Return a one-line title for TARGET."
  (let ((contact (netopt-contact target t)))
    (format "%s: %s, local %s, remote %s"
            (plist-get contact :name) (netopt-list--kind contact)
            (netopt-list--address (plist-get contact :local))
            (netopt-list--address (plist-get contact :remote)))))

(defun netopt-describe (target)
  "Describe every option of TARGET (a netopt socket or network process)."
  (let ((buffer (get-buffer-create
                 (format "*netopt: %s*"
                         (plist-get (netopt-contact target t) :name)))))
    (with-current-buffer buffer
      (netopt-describe-mode)
      (setq netopt-describe--target target)
      (netopt-describe-refresh))
    (pop-to-buffer buffer)
    buffer))

(defun netopt-list-describe ()
  "Describe the socket on this line of the socket list."
  (interactive)
  (let ((target (tabulated-list-get-id)))
    (unless target (user-error "No socket on this line"))
    (netopt-describe target)))

(defun netopt--read-value (option)
  "Read a value for OPTION in the minibuffer, as its type wants."
  (let ((type (plist-get (netopt-option-info option) :type)))
    (if (eq type 'boolean)
        (y-or-n-p (format "Turn %s on? " option))
      (let ((text (read-string (format "Value of %s (a Lisp value): "
                                       option))))
        (if (and (memq type '(device string)) (not (string-match-p "\\`[\"(]\\|\\`nil\\'" text)))
            text
          (car (read-from-string text)))))))

(defun netopt-describe-set-option ()
  "Set the option on this line of a socket description."
  (interactive)
  (let ((option (get-text-property (point) 'netopt-option)))
    (unless option (user-error "No option on this line"))
    (netopt-set-option netopt-describe--target option
                       (netopt--read-value option))
    (netopt-describe-refresh)))

(defun netopt-list-set-option ()
  "Set an option of the socket on this line of the socket list."
  (interactive)
  (let ((target (tabulated-list-get-id)))
    (unless target (user-error "No socket on this line"))
    (let ((option (netopt--read-option target)))
      (netopt-set-option target option (netopt--read-value option))
      (revert-buffer))))

;;;; M-x netopt-set-option

(defun netopt--read-target ()
  "Choose a netopt socket or network process in the minibuffer."
  (let* ((targets (netopt-list--targets))
         (names (mapcar (lambda (target)
                          (cons (if (processp target)
                                    (format "%s (Emacs process)"
                                            (process-name target))
                                  (format "%s (netopt socket %d)"
                                          (plist-get (netopt-contact target t)
                                                     :name)
                                          (netopt--socket-fd target)))
                                target))
                        targets)))
    (unless names (user-error "No live socket or network process"))
    (cdr (assoc (completing-read "Socket or process: " names nil t) names))))

(defun netopt--read-option (target)
  "Choose an option of TARGET in the minibuffer, docs as annotations."
  (let* ((options (mapcar #'symbol-name
                          (seq-filter
                           (lambda (o)
                             (plist-get (netopt-option-info o) :settable))
                           (let ((live (netopt--read-options target)) l)
                             (while live (push (car live) l)
                               (setq live (cddr live)))
                             (nreverse l)))))
         (completion-extra-properties
          (list :annotation-function
                (lambda (name)
                  (concat "  " (plist-get (netopt-option-info (intern name))
                                          :doc))))))
    (intern (completing-read "Option: " options nil t))))

(defun netopt--read-set-option-args ()
  "Read the arguments of `netopt-set-option' interactively."
  (let* ((target (netopt--read-target))
         (option (netopt--read-option target)))
    (list target option (netopt--read-value option))))

;; netopt-set-option is defined by the module in C; a wrapper would slow
;; every call, so it becomes a command through its interactive form.
(put 'netopt-set-option 'interactive-form
     '(interactive (netopt--read-set-option-args)))

(provide 'netopt-list)
;;; netopt-list.el ends here
