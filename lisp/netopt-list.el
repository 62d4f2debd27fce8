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

(defconst netopt-list--unread-options '(:error)
  "Options that the list and the description never read.
Reading :error (SO_ERROR) clears the socket's pending error, which
belongs to whoever asks for it with `netopt-option'.")

(defconst netopt-list--format
  [("Name" 22 t) ("Owner" 7 t) ("Kind" 26 t) ("Local" 22 t)
   ("Remote" 22 t) ("State" 12 t) ("Options" 0 t)]
  "The columns of the socket list, as `tabulated-list-format' wants.")

(defun netopt-list--targets ()
  "Return the live netopt sockets and Emacs network processes."
  (append (netopt--live-sockets)
          (seq-filter (lambda (p)
                        (and (eq (process-type p) 'network)
                             (process-live-p p)))
                      (process-list))))

(defun netopt-list--get (target option)
  "Return OPTION of TARGET from the kernel, or nil when it cannot be read.
OPTION must not be one of `netopt-list--unread-options'."
  (unless (memq option netopt-list--unread-options)
    (condition-case nil (netopt-option target option) (netopt-error nil))))

(defun netopt-list--read-all (target)
  "Return a plist of the options that apply to TARGET, read now.
Options that do not apply or cannot be read are left out, and so are
`netopt-list--unread-options': reading them would change the socket."
  (let ((result nil))
    (dolist (option (netopt-supported-options))
      (unless (memq option netopt-list--unread-options)
        (condition-case nil
            (let ((value (netopt-option target option)))
              (push option result)
              (push value result))
          (netopt-error nil))))
    (nreverse result)))

(defconst netopt-list--contact-keys
  '(:name :type :family :server :host :service :local :remote)
  "The entries of a contact plist the list shows.")

(defun netopt-list--contact (target)
  "Return TARGET's contact plist without options, addresses from the kernel.
No option is read.  Signal a `netopt-error' when TARGET's socket
cannot be found."
  (let ((plist nil))
    (dolist (key netopt-list--contact-keys)
      (setq plist (plist-put plist key (netopt-contact target key))))
    plist))

(defun netopt-list--reason (target err)
  "Return the message of ERR, a signal about TARGET, without TARGET in it."
  (error-message-string (cons (car err) (remq target (cdr err)))))

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

(defun netopt-list--family (contact &optional process)
  "Return the family of the socket CONTACT describes, never nil.
When CONTACT has no :family, it is derived from the addresses (a file
name: local; a 5-element vector: ipv4; a 9-element vector: ipv6), from
a :service file name, or from PROCESS's `process-contact'; \"?\" when
nothing tells."
  (let ((local (plist-get contact :local))
        (remote (plist-get contact :remote))
        (service (plist-get contact :service)))
    (or (plist-get contact :family)
        (and (or (stringp local) (stringp remote)) 'local)
        (seq-some (lambda (address)
                    (and (vectorp address)
                         (cdr (assq (length address) '((5 . ipv4) (9 . ipv6))))))
                  (list local remote))
        (and process (process-contact process :family))
        (and (stringp service)
             (not (plist-get contact :host))
             (not (string-match-p "\\`[0-9]+\\'" service))
             (or (string-match-p "/" service) (file-exists-p service))
             'local)
        "?")))

(defun netopt-list--owner (process)
  "Return the Owner column of PROCESS.
\"adopted\": netopt made its socket and Emacs runs it; \"tuned\": an
Emacs process netopt set options on; \"emacs\": neither."
  (pcase (netopt--process-owner process)
    ('adopted "adopted")
    ('tuned "tuned")
    (_ "emacs")))

(defun netopt-list--kind (contact &optional process)
  "Return the kind of socket CONTACT (a `netopt-contact' plist) describes.
PROCESS, when non-nil, is the network process CONTACT belongs to."
  (format "%s %s %s"
          (netopt-list--family contact process)
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

(defun netopt-list--fit (text width)
  "Return TEXT made to take WIDTH columns at most, on one line.
Control characters are shown as escapes.  Text cut short ends in an
ellipsis and keeps the whole TEXT as its help echo.  A WIDTH of 0
means no limit."
  (let ((line (replace-regexp-in-string
               "[[:cntrl:]]" (lambda (c) (text-char-description (aref c 0)))
               text t t)))
    (if (or (<= width 0) (<= (string-width line) width))
        line
      (propertize (truncate-string-to-width line width nil nil t)
                  'help-echo text))))

(defun netopt-list--row (columns)
  "Return the vector COLUMNS (strings) fitted to `netopt-list--format'."
  (let ((last (1- (length netopt-list--format)))
        (i -1))
    (apply #'vector
           (mapcar (lambda (text)
                     (setq i (1+ i))
                     (netopt-list--fit
                      text (if (= i last) 0
                             (nth 1 (aref netopt-list--format i)))))
                   columns))))

(defun netopt-list--entry (target)
  "Return the tabulated-list entry of TARGET, or nil if it is gone.
A live network process whose socket cannot be read still has its
entry, from what `process-contact' knows, with the reason in place
of its options."
  (let* ((process (and (processp target) target))
         (failure nil)
         (contact (condition-case err (netopt-list--contact target)
                    (netopt-error (setq failure err) nil))))
    (cond
     ((null failure)
      (list target
            (netopt-list--row
             (list (if process (process-name process)
                     (format "%s" (plist-get contact :name)))
                   (if process (netopt-list--owner process) "netopt")
                   (netopt-list--kind contact process)
                   (netopt-list--address (plist-get contact :local))
                   (netopt-list--address (plist-get contact :remote))
                   (format "%s" (netopt-list--state target contact))
                   (netopt-list--options target)))))
     ((and process (process-live-p process))
      (let ((contact (process-contact process t)))
        (list target
              (netopt-list--row
               (list (process-name process)
                     (netopt-list--owner process)
                     (netopt-list--kind contact process)
                     (netopt-list--address (plist-get contact :local))
                     (netopt-list--address (plist-get contact :remote))
                     (format "%s" (process-status process))
                     (format "not read: %s"
                             (netopt-list--reason process failure))))))))))

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
  (setq tabulated-list-format (copy-sequence netopt-list--format))
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
  "Show every option of the described socket, read from the kernel.
Options that reading would change, such as :error, are not read."
  (interactive)
  ;; Only a description buffer is redrawn: never the buffer of whoever
  ;; called this by mistake.
  (unless (and (derived-mode-p 'netopt-describe-mode) netopt-describe--target)
    (user-error "Not a netopt socket description buffer"))
  (let ((target netopt-describe--target)
        (inhibit-read-only t)
        (line (line-number-at-pos)))
    (erase-buffer)
    (insert (format "%s\n\n" (netopt-list--entry-title target)))
    (condition-case err
        (progn
          (netopt-list--contact target)
          (let ((values (netopt-list--read-all target)))
            (while values
              (let ((option (car values)))
                (insert (propertize
                         (netopt-describe--line option (format "%S" (cadr values)))
                         'netopt-option option)))
              (setq values (cddr values))))
          (dolist (option netopt-list--unread-options)
            (when (memq option (netopt-supported-options))
              (insert (netopt-describe--line
                       option "not read (reading clears it)")))))
      (netopt-error
       (insert (format "The socket cannot be read: %s\n"
                       (netopt-list--reason target err)))))
    (goto-char (point-min))
    (forward-line (1- line))))

(defun netopt-describe--line (option value)
  "Return the description line of OPTION showing VALUE (a string)."
  (format "%-16s %-28s %s\n" option value
          (plist-get (netopt-option-info option) :doc)))

(defun netopt-list--entry-title (target)
  "Return a one-line title for TARGET."
  (let* ((process (and (processp target) target))
         (contact (condition-case nil (netopt-list--contact target)
                    (netopt-error (and process (process-contact process t))))))
    (format "%s: %s, local %s, remote %s"
            (if process (process-name process) (plist-get contact :name))
            (netopt-list--kind contact process)
            (netopt-list--address (plist-get contact :local))
            (netopt-list--address (plist-get contact :remote)))))

;;;###autoload
(defun netopt-describe (target)
  "Describe every option of TARGET (a netopt socket or network process)."
  (let ((buffer (get-buffer-create
                 (format "*netopt: %s*"
                         (if (processp target) (process-name target)
                           (netopt-contact target :name))))))
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

(defun netopt--current-value (target option)
  "Return (VALUE) of OPTION on TARGET read from the kernel, or nil."
  (and target
       (condition-case nil (list (netopt-option target option))
         (error nil))))

(defun netopt--value-prompt (option current)
  "Return the prompt for a value of OPTION whose value is (CURRENT) or nil.
It shows the current value, the range or type, and the default."
  (let* ((info (netopt-option-info option))
         (range (plist-get info :range))
         (facts (delq nil
                      (list (and current (format "now %S" (car current)))
                            (if range
                                (format "%s to %s" (car range) (cdr range))
                              (format "%s" (plist-get info :type)))
                            (and current
                                 (format "RET keeps %S" (car current)))))))
    (format "Value of %s (%s): " option (mapconcat #'identity facts "; "))))

(defun netopt--read-value (option &optional target)
  "Read a value for OPTION of TARGET in the minibuffer, as its type wants.
The prompt shows TARGET's current value, read from the kernel, which
RET keeps, and the allowed range; a boolean is asked with `y-or-n-p'."
  (let* ((type (plist-get (netopt-option-info option) :type))
         (current (netopt--current-value target option)))
    (if (eq type 'boolean)
        (y-or-n-p (format "Turn %s on%s? " option
                          (if current
                              (format " (now %s)" (if (car current) "on" "off"))
                            "")))
      (let ((text (read-string (netopt--value-prompt option current) nil nil
                               (and current (format "%S" (car current))))))
        (if (and (memq type '(device string))
                 (not (string-match-p "\\`[\"(]\\|\\`nil\\'" text)))
            text
          (car (read-from-string text)))))))

(defun netopt--confirm-set (target option)
  "Show in the echo area the kernel's value of OPTION of TARGET now.
Then bring up to date every list and description buffer that shows
TARGET."
  ;; Run from a timer after M-x: the socket may be gone by then.
  (when (if (processp target) (process-live-p target) (netopt-live-p target))
    (condition-case err
        (let ((now (netopt--current-value target option)))
          (message "netopt: %s of %s is now %S (read from the kernel)"
                   option (netopt-list--name target)
                   (if now (car now) 'unknown))
          (netopt-list--update-buffers target))
      (error (message "netopt: %s" (error-message-string err))))))

(defun netopt-list--name (target)
  "Return the name TARGET is shown under."
  (if (processp target) (process-name target) (netopt-contact target :name)))

(defun netopt-list--update-buffers (target)
  "Refresh the socket lists, and the descriptions of TARGET."
  (dolist (buffer (buffer-list))
    (with-current-buffer buffer
      (cond ((derived-mode-p 'netopt-list-mode)
             (netopt-list--refresh)
             (tabulated-list-print t))
            ((and (derived-mode-p 'netopt-describe-mode)
                  (eq netopt-describe--target target))
             (netopt-describe-refresh))))))

(defun netopt-describe-set-option ()
  "Set the option on this line of a socket description."
  (interactive)
  (let ((option (get-text-property (point) 'netopt-option)))
    (unless option (user-error "No option on this line"))
    (netopt-set-option netopt-describe--target option
                       (netopt--read-value option netopt-describe--target))
    (netopt--confirm-set netopt-describe--target option)))

(defun netopt-list-set-option ()
  "Set an option of the socket on this line of the socket list."
  (interactive)
  (let ((target (tabulated-list-get-id)))
    (unless target (user-error "No socket on this line"))
    (let ((option (netopt--read-option target)))
      (netopt-set-option target option (netopt--read-value option target))
      (netopt--confirm-set target option))))

;;;; M-x netopt-set-option

(defun netopt--read-target ()
  "Choose a netopt socket or network process in the minibuffer."
  (let* ((targets (netopt-list--targets))
         (names (mapcar (lambda (target)
                          (cons (if (processp target)
                                    (format "%s (Emacs process)"
                                            (process-name target))
                                  (format "%s (netopt socket %d)"
                                          (netopt-contact target :name)
                                          (netopt--socket-fd target)))
                                target))
                        targets)))
    (unless names (user-error "No live socket or network process"))
    (cdr (assoc (completing-read "Socket or process: " names nil t) names))))

(defun netopt--bound-p (target)
  "Return non-nil if TARGET's socket is bound (or connected) already."
  (let ((local (condition-case nil (netopt-contact target :local)
                 (error t))))
    (cond ((vectorp local) (/= 0 (aref local (1- (length local)))))
          ((stringp local) (> (length local) 0))
          (t local))))

(defun netopt--settable-now (target)
  "Return the options of TARGET that can be set now, as symbol names.
An option settable only before bind is left out once TARGET is bound."
  (let ((bound (netopt--bound-p target)) (names nil)
        (live (netopt-list--read-all target)))
    (while live
      (let ((settable (plist-get (netopt-option-info (car live)) :settable)))
        (when (or (eq settable 'always)
                  (and (eq settable 'before-bind) (not bound)))
          (push (symbol-name (car live)) names)))
      (setq live (cddr live)))
    (nreverse names)))

(defun netopt--read-option (target)
  "Choose an option of TARGET in the minibuffer, docs as annotations.
Only the options TARGET can take now are offered."
  (let* ((options (netopt--settable-now target))
         (width (apply #'max 0 (mapcar #'length options)))
         (completion-extra-properties
          (list :annotation-function
                (lambda (name)
                  (concat (make-string (+ 2 (- width (length name))) ?\s)
                          (plist-get (netopt-option-info (intern name))
                                     :doc))))))
    (unless options (user-error "No option can be set on this socket now"))
    (intern (completing-read "Option: " options nil t))))

(defun netopt--read-set-option-args ()
  "Read the arguments of `netopt-set-option' interactively.
The echo area then says what the kernel holds, and the list and
description buffers showing the socket are brought up to date."
  (let* ((target (netopt--read-target))
         (option (netopt--read-option target)))
    ;; After the command has set it: a timer runs once it returns.
    (run-at-time 0 nil #'netopt--confirm-set target option)
    (list target option (netopt--read-value option target))))

;; Its `interactive-form' property is set in netopt-module.el, so that
;; M-x netopt-set-option works before this file is loaded.

(provide 'netopt-list)
;;; netopt-list.el ends here
