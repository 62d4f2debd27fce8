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

(require 'netopt-base)
(require 'tabulated-list)
(require 'seq)
(require 'cl-lib)
(require 'subr-x)

(defconst netopt-list--unread-options '(:error)
  "Options that the list and the description never read.
Reading :error (SO_ERROR) clears the socket's pending error, which
belongs to whoever asks for it with `netopt-option'.")

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

(defun netopt-list--description (contact &optional process)
  "Return the kind of socket CONTACT describes, in words.
CONTACT is a `netopt-contact' plist; PROCESS, when non-nil, is the
network process it belongs to.  The result reads like \"ipv4 stream
server\"."
  (format "%s %s %s"
          (netopt-list--family contact process)
          (or (plist-get contact :type) "stream")
          (cond ((plist-get contact :server) "server")
                ((plist-get contact :remote) "client")
                (t "unconnected"))))

(defun netopt-list--kind (contact &optional process)
  "Return the kind of socket CONTACT describes, as netstat names it.
CONTACT is a `netopt-contact' plist; PROCESS, when non-nil, is the
network process it belongs to.  The kind is the protocol, short:
tcp, udp, sctp (a 6 after it on IPv6), unix, unix-dgram or
unix-seqpacket.  Whether the socket is a server shows in its state,
whether it is connected in its address."
  (let ((family (netopt-list--family contact process))
        (type (or (plist-get contact :type) 'stream)))
    (cond ((eq family 'local)
           (if (eq type 'stream) "unix" (format "unix-%s" type)))
          ((memq family '(ipv4 ipv6))
           (concat (pcase type
                     ('stream "tcp") ('datagram "udp") ('seqpacket "sctp")
                     (_ (format "%s" type)))
                   (if (eq family 'ipv6) "6" "")))
          (t (format "%s %s" family type)))))

(defun netopt-list--state (target contact)
  "Return the state of TARGET whose contact is CONTACT."
  (or (plist-get (netopt-list--get target :info) :state)
      (if (processp target)
          (process-status target)
        (if (plist-get contact :server) 'listen 'open))))

(defun netopt-list--state-text (state)
  "Return STATE as text for the State column: \"estab\" as ss(8) writes it."
  (if (eq state 'established) "estab" (format "%s" state)))

(defun netopt-list--options (target)
  "Return the notable live options of TARGET as text."
  (let* ((parts nil)
         (budget (netopt-list--get target :dead-after)))
    (cond (budget
           ;; The bound the five keep-alive options give, in one word.
           (push (format "dead%s%ss" (if (char-displayable-p ?\u2264)
                                         "\u2264" "<=")
                         budget)
                 parts))
          ((netopt-list--get target :keepalive)
           (push (format "keepalive(%s/%s/%s)"
                         (or (netopt-list--get target :keepidle) "-")
                         (or (netopt-list--get target :keepintvl) "-")
                         (or (netopt-list--get target :keepcnt) "-"))
                 parts)))
    (when (netopt-list--get target :nodelay) (push "nodelay" parts))
    (let ((linger (netopt-list--get target :linger)))
      (when linger (push (format "linger=%s" linger) parts)))
    (let ((device (netopt-list--get target :bindtodevice)))
      (when device (push (format "device=%s" device) parts)))
    (let ((priority (netopt-list--get target :priority)))
      (when (and priority (/= priority 0))
        (push (format "priority=%s" priority) parts)))
    (let ((timeout (and (not budget)
                        (netopt-list--get target :user-timeout))))
      (when (and timeout (/= timeout 0))
        (push (format "user-timeout=%s" timeout) parts)))
    (mapconcat #'identity (nreverse parts) " ")))

;;;; Columns that fit the window

(defconst netopt-list--columns
  '((name "Name" 12 24) (owner "Owner" nil 7) (kind "Kind" nil 14)
    (local "Local" 15 24) (remote "Remote" 15 24)
    (address "Address" 15 24) (state "State" nil 11)
    (options "Options" nil nil))
  "Every column the socket list can show: (KEY HEADER MIN MAX).
A column is as wide as its widest cell, MAX at most; a narrow window
shrinks it down to MIN (nil: never shrunk).  Address is Local and
Remote joined: the remote address of a connected socket, the local
one of any other.  Options, always the last, takes what is left.")

(defconst netopt-list--layouts
  '(((name owner kind local remote state options))
    ((name owner kind address state options))
    ((name owner address state options))
    ((name owner address state options) . shrink)
    ((name owner address options))
    ((name owner address options) . shrink))
  "The column sets of the socket list, the fullest first: (KEYS . SHRINK).
The list shows the first that leaves Options room in its window
\(`netopt-list--options-room'): Local and Remote joined as Address,
then no Kind, then Name and Address shrunk when SHRINK is non-nil,
then no State.")

(defconst netopt-list--options-room 28
  "Columns the Options column needs at least, or all of its widest cell.")

(defvar-local netopt-list--rows nil
  "The rows of the last refresh: (TARGET . CELLS) for each target.
CELLS is an alist (KEY . TEXT) of every key of `netopt-list--columns'.")

(defvar-local netopt-list--layout-width nil
  "The width the columns of this socket list were laid out for.")

(defun netopt-list--clean (text)
  "Return TEXT on one line: control characters shown as escapes."
  (replace-regexp-in-string
   "[[:cntrl:]]" (lambda (c) (text-char-description (aref c 0))) text t t))

(defun netopt-list--fit (text width)
  "Return TEXT made to take WIDTH columns at most, on one line.
Control characters are shown as escapes.  Text cut short ends in an
ellipsis and keeps the whole TEXT as its help echo.  A WIDTH of 0
means no limit."
  (let ((line (netopt-list--clean text)))
    (if (or (<= width 0) (<= (string-width line) width))
        line
      (propertize (truncate-string-to-width line width nil nil t)
                  'help-echo text))))

(defun netopt-list--line-number-width (window)
  "Return the columns line numbers take in WINDOW (none before Emacs 26)."
  (if (and (fboundp 'line-number-display-width)
           (buffer-local-value 'display-line-numbers (window-buffer window)))
      (with-selected-window window (line-number-display-width 'columns))
    0))

(defun netopt-list--available-width (&optional buffer)
  "Return the columns BUFFER's text can use on one line without a cut.
That is the narrowest of the windows showing BUFFER (default: the
current buffer), or of the selected frame's when none does; the
last column is the truncation or continuation glyph's."
  (let ((windows (get-buffer-window-list (or buffer (current-buffer)) nil t)))
    (max 20 (if windows
                (apply #'min
                       (mapcar (lambda (window)
                                 (- (window-max-chars-per-line window)
                                    (netopt-list--line-number-width window)))
                               windows))
              (1- (frame-width))))))

(defun netopt-list--widths (keys rows room shrink &optional anyway)
  "Return ((KEY . WIDTH) ...) for the columns KEYS showing ROWS.
Options gets 0 (the rest of the line).  Every other column is as
wide as its widest cell and at least two more than its header: a
sort indicator never pushes the next header.  With SHRINK, columns
that can shrink do, the widest first, until the line takes ROOM
columns.  Return nil when the line is still wider than ROOM, unless
ANYWAY is non-nil."
  (let* ((natural
          (lambda (key)
            (apply #'max 0 (mapcar (lambda (row)
                                     (string-width (netopt-list--clean
                                                    (alist-get key (cdr row)))))
                                   rows))))
         (widths
          (mapcar (lambda (key)
                    (pcase-let ((`(,_ ,header ,_ ,max)
                                 (assq key netopt-list--columns)))
                      (cons key
                            (if (eq key 'options)
                                (max (+ 2 (string-width header))
                                     (min netopt-list--options-room
                                          (funcall natural key)))
                              (max (+ 2 (string-width header))
                                   (min max (funcall natural key)))))))
                  keys))
         (total (lambda () (+ (length keys) -1
                              (apply #'+ (mapcar #'cdr widths)))))
         (over (- (funcall total) room)))
    (while (and shrink (> over 0))
      (let ((widest nil) (slack 0))
        (dolist (cell widths)
          (let* ((min (nth 2 (assq (car cell) netopt-list--columns)))
                 (spare (if min (- (cdr cell) min) 0)))
            (when (> spare slack)
              (setq widest cell slack spare))))
        (if (not widest)
            (setq shrink nil)
          (setcdr widest (1- (cdr widest)))
          (setq over (1- over)))))
    (when (or anyway (<= over 0))
      (setcdr (assq 'options widths) 0)
      widths)))

(defun netopt-list--layout (&optional width)
  "Choose the columns of this socket list for WIDTH and make its entries.
WIDTH defaults to `netopt-list--available-width'.  The first of
`netopt-list--layouts' that fits wins; when none does, the last,
shrunk as far as it goes."
  (let* ((room (or width (netopt-list--available-width)))
         (rows netopt-list--rows)
         (widths (or (seq-some (lambda (layout)
                                 (netopt-list--widths (car layout) rows room
                                                      (cdr layout)))
                               netopt-list--layouts)
                     (netopt-list--widths (caar (last netopt-list--layouts))
                                          rows room t t))))
    (setq netopt-list--layout-width room)
    (setq tabulated-list-format
          (apply #'vector
                 (mapcar (lambda (cell)
                           (list (nth 1 (assq (car cell) netopt-list--columns))
                                 (cdr cell) t))
                         widths)))
    (unless (assoc (car tabulated-list-sort-key)
                   (append tabulated-list-format nil))
      (setq tabulated-list-sort-key '("Name" . nil)))
    (setq tabulated-list-entries
          (mapcar (lambda (row)
                    (list (car row)
                          (apply #'vector
                                 (mapcar (lambda (cell)
                                           (netopt-list--fit
                                            (alist-get (car cell) (cdr row))
                                            (cdr cell)))
                                         widths))))
                  rows))
    ;; A text terminal shows the sort indicator as the tty's character,
    ;; one column wide: the graphic one, shown through
    ;; `glyphless-char-display', takes three columns on Emacs 28 ("[v]")
    ;; and pushed the next header.
    (when (boundp 'tabulated-list-tty-sort-indicator-asc) ; Emacs 27+
      (let ((frame (window-frame (or (get-buffer-window nil t)
                                     (selected-window)))))
        (setq-local tabulated-list-gui-sort-indicator-asc
                    (if (display-graphic-p frame)
                        (default-value 'tabulated-list-gui-sort-indicator-asc)
                      tabulated-list-tty-sort-indicator-asc))
        (setq-local tabulated-list-gui-sort-indicator-desc
                    (if (display-graphic-p frame)
                        (default-value 'tabulated-list-gui-sort-indicator-desc)
                      tabulated-list-tty-sort-indicator-desc))))
    (tabulated-list-init-header)))

(defun netopt-list--entry (target)
  "Return the row of TARGET, (TARGET . CELLS), or nil if it is gone.
CELLS is an alist of every column of `netopt-list--columns'.  A live
network process whose socket cannot be read still has its row, from
what `process-contact' knows, with the reason in place of its
options."
  (let* ((process (and (processp target) target))
         (failure nil)
         (contact (condition-case err (netopt-list--contact target)
                    (netopt-error (setq failure err) nil))))
    (cond
     ((null failure)
      (netopt-list--cells
       target contact
       (if process (process-name process)
         (format "%s" (plist-get contact :name)))
       (if process (netopt-list--owner process) "netopt")
       (netopt-list--state-text (netopt-list--state target contact))
       (netopt-list--options target)))
     ((and process (process-live-p process))
      (netopt-list--cells
       target (process-contact process t)
       (process-name process) (netopt-list--owner process)
       (netopt-list--state-text (process-status process))
       (format "not read: %s" (netopt-list--reason process failure)))))))

(defun netopt-list--cells (target contact name owner state options)
  "Return the row (TARGET . CELLS) of TARGET whose contact is CONTACT.
NAME, OWNER, STATE and OPTIONS are the texts of those columns."
  (let* ((process (and (processp target) target))
         (local (netopt-list--address (plist-get contact :local)))
         (remote (netopt-list--address (plist-get contact :remote))))
    (cons target
          `((name . ,name) (owner . ,owner)
            (kind . ,(netopt-list--kind contact process))
            (local . ,local) (remote . ,remote)
            (address . ,(propertize
                         (if (string-empty-p remote) local remote)
                         'help-echo
                         (format "Local: %s  Remote: %s" local
                                 (if (string-empty-p remote) "none" remote))))
            (state . ,state) (options . ,options)))))

(defun netopt-list--refresh ()
  "Read every socket again and lay the list out for its window."
  (setq netopt-list--rows
        (delq nil (mapcar #'netopt-list--entry (netopt-list--targets))))
  (netopt-list--layout))

(defun netopt-list--window-points ()
  "Return what each window showing this buffer has at its point.
That is ((WINDOW . PLACE) ...), PLACE being (ID . COLUMN) in a socket
list, the line number elsewhere; `netopt-list--restore-points' puts
each window back there after the buffer was redrawn."
  (mapcar (lambda (window)
            (cons window
                  (save-excursion
                    (goto-char (window-point window))
                    (if (derived-mode-p 'netopt-list-mode)
                        (cons (tabulated-list-get-id) (current-column))
                      (line-number-at-pos)))))
          (get-buffer-window-list nil nil t)))

(defun netopt-list--restore-points (places)
  "Put each window of PLACES back where `netopt-list--window-points' saw it."
  (dolist (place places)
    (when (window-live-p (car place))
      (save-excursion
        (goto-char (point-min))
        (if (consp (cdr place))
            (progn
              (while (and (not (eobp))
                          (not (equal (tabulated-list-get-id) (cadr place))))
                (forward-line 1))
              (when (eobp) (goto-char (point-min)))
              (move-to-column (cddr place)))
          (forward-line (1- (cdr place))))
        (set-window-point (car place) (point))))))

(defun netopt-list--redraw (&optional read)
  "Draw this socket list or description again, every window kept in place.
With READ, read the sockets from the kernel first; without, only lay
a list out again for its windows."
  (let ((places (netopt-list--window-points)))
    (if (derived-mode-p 'netopt-list-mode)
        (progn (if read (netopt-list--refresh) (netopt-list--layout))
               (tabulated-list-print t))
      (netopt-describe-refresh))
    (netopt-list--restore-points places)))

(defun netopt-list--window-change (window)
  "Fit the buffer of WINDOW, newly shown there or resized.
Also start its automatic refresh, as `netopt-list-auto-refresh' says."
  ;; Emacs 25 and 26 pass the frame, and only to the global hook.
  (when (windowp window)
    (with-current-buffer (window-buffer window)
      (with-demoted-errors "netopt: %S"
        (netopt-list--auto-refresh-start)
        (unless (eql (netopt-list--available-width) netopt-list--layout-width)
          (netopt-list--redraw))))))

;;;; Refreshing by itself

(defcustom netopt-list-auto-refresh nil
  "Seconds between refreshes of a visible socket list or description.
A socket's options can change behind Emacs's back (another program
holding it, the kernel): with a number, each socket list and socket
description reads its sockets again that often while a window shows
it, as `proced-auto-update-flag' does for processes.  nil, the
default, refreshes only on \\[revert-buffer] and after a setting made
in Emacs."
  :type '(choice (const :tag "Never" nil) (number :tag "Seconds"))
  :group 'netopt)

(defvar-local netopt-list--timer nil
  "The timer refreshing this buffer, or nil.")

(defun netopt-list--auto-refresh-start ()
  "Start refreshing this buffer by itself if it is visible and should be."
  (when (and (numberp netopt-list-auto-refresh)
             (> netopt-list-auto-refresh 0)
             (not (timerp netopt-list--timer))
             (get-buffer-window nil 'visible))
    (let ((cell (list nil)))
      (setcar cell (run-at-time netopt-list-auto-refresh
                                netopt-list-auto-refresh
                                #'netopt-list--auto-refresh
                                (current-buffer) cell))
      (setq netopt-list--timer (car cell)))
    (add-hook 'kill-buffer-hook #'netopt-list--auto-refresh-stop nil t)
    ;; A new major mode (the command run again) forgets the timer.
    (add-hook 'change-major-mode-hook #'netopt-list--auto-refresh-stop nil t)))

(defun netopt-list--auto-refresh-stop ()
  "Stop refreshing this buffer by itself."
  (when (timerp netopt-list--timer)
    (cancel-timer netopt-list--timer))
  (setq netopt-list--timer nil))

(defun netopt-list--auto-refresh (buffer cell)
  "Refresh BUFFER, from the timer in the car of CELL; never signal.
The timer stops when BUFFER is dead or no window shows it (showing it
again starts one), when `netopt-list-auto-refresh' is nil, or at an
error, which is shown as a message."
  (condition-case err
      (if (and (buffer-live-p buffer)
               (get-buffer-window buffer 'visible)
               (numberp netopt-list-auto-refresh))
          (with-current-buffer buffer
            (netopt-list--redraw t))
        (cancel-timer (car cell))
        (when (buffer-live-p buffer)
          (with-current-buffer buffer (setq netopt-list--timer nil))))
    (error
     (cancel-timer (car cell))
     (when (buffer-live-p buffer)
       (with-current-buffer buffer (setq netopt-list--timer nil)))
     (message "netopt: stopped refreshing %s: %s"
              buffer (error-message-string err)))))

(defvar netopt-list-mode-map
  (let ((map (make-sparse-keymap)))
    (define-key map (kbd "RET") #'netopt-list-describe)
    (define-key map "s" #'netopt-list-set-option)
    (define-key map "d" #'netopt-list-delete)
    map)
  "Keymap of `netopt-list-mode'.")

(defun netopt-list-delete ()
  "Delete the connection on this line, as `list-processes' does.
An Emacs process is deleted, a netopt socket closed."
  (interactive)
  (let ((target (tabulated-list-get-id)))
    (unless target (user-error "No socket on this line"))
    (if (processp target)
        (delete-process target)
      (netopt-close target))
    (netopt-list--redraw t)))

(define-derived-mode netopt-list-mode tabulated-list-mode "Netopt Sockets"
  "Major mode for the list of sockets and their options.
\\<netopt-list-mode-map>\\[netopt-list-describe] describes the socket at \
point, \\[netopt-list-set-option] sets one of its options,
\\[netopt-list-delete] deletes it (as in `list-processes'), \
\\[revert-buffer] refreshes.
The columns fit the window: a narrow one shows Local and Remote as one
Address column, then drops Kind, then State.  With
`netopt-list-auto-refresh' set, the list refreshes by itself."
  (setq tabulated-list-sort-key '("Name" . nil))
  (add-hook 'tabulated-list-revert-hook #'netopt-list--refresh nil t)
  (add-hook 'window-size-change-functions #'netopt-list--window-change nil t)
  (netopt-list--layout))

;;;###autoload
(defun netopt-list-sockets ()
  "List every live netopt socket and Emacs network process, with options."
  (interactive)
  (let ((buffer (get-buffer-create "*netopt sockets*")))
    (with-current-buffer buffer
      (netopt-list-mode)
      (setq netopt-list--rows
            (delq nil (mapcar #'netopt-list--entry (netopt-list--targets)))))
    (pop-to-buffer buffer)
    ;; Laid out for the window it opens in.
    (with-current-buffer buffer
      (netopt-list--layout)
      (tabulated-list-print)
      (netopt-list--auto-refresh-start))
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

(defun netopt-describe--keys (command)
  "Return the keys of COMMAND in a description buffer, as \"s/RET\".
Only the mode's own keys count, the shortest first."
  (mapconcat #'identity
             (sort (mapcar #'key-description
                           (where-is-internal command
                                              (list netopt-describe-mode-map
                                                    special-mode-map)))
                   (lambda (a b) (< (length a) (length b))))
             "/"))

(define-derived-mode netopt-describe-mode special-mode "Netopt Socket"
  "Major mode describing the options of one socket.
\\<netopt-describe-mode-map>\\[netopt-describe-set-option] on an option \
line sets it, \\[netopt-describe-refresh] reads every value again.
The lines fit the window.  With `netopt-list-auto-refresh' set, the
description refreshes by itself."
  (setq header-line-format
        (format " %s: set the option on this line   %s: read again   %s: quit"
                (netopt-describe--keys #'netopt-describe-set-option)
                (netopt-describe--keys #'netopt-describe-refresh)
                (netopt-describe--keys #'quit-window)))
  (add-hook 'window-size-change-functions #'netopt-list--window-change nil t))

(defconst netopt-describe--value-width 28
  "The widest the value column of a socket description gets.
It is as wide as the widest value, or property of a plist value, 16
at least; a longer value, such as :info, goes on several lines.")

(defun netopt-describe-refresh ()
  "Show every option of the described socket, read from the kernel.
Options that reading would change, such as :error, are not read.
The lines fit the narrowest window showing the buffer."
  (interactive)
  ;; Only a description buffer is redrawn: never the buffer of whoever
  ;; called this by mistake.
  (unless (and (derived-mode-p 'netopt-describe-mode) netopt-describe--target)
    (user-error "Not a netopt socket description buffer"))
  (let* ((target netopt-describe--target)
         (inhibit-read-only t)
         (line (line-number-at-pos))
         (width (netopt-list--available-width))
         (rows nil))
    (setq netopt-list--layout-width width)
    (erase-buffer)
    (insert (netopt-list--entry-title target width) "\n")
    (let ((traffic (netopt-describe--traffic target)))
      (when traffic
        (insert (netopt-describe--fill traffic width 2))))
    (insert "\n")
    (condition-case err
        (progn
          (netopt-list--contact target)
          (let ((values (netopt-list--read-all target)))
            (while values
              (push (list (car values) (netopt-describe--value (cadr values))
                          (netopt-describe--plist-p (cadr values)))
                    rows)
              (setq values (cddr values))))
          (dolist (option netopt-list--unread-options)
            (when (memq option (netopt-supported-options))
              (push (list option "not read") rows)))
          (setq rows (nreverse rows))
          (let ((value-width
                 (min netopt-describe--value-width
                      (apply #'max 16
                             (mapcar (lambda (row)
                                       ;; A plist: its widest property.
                                       (apply #'max
                                              (mapcar #'string-width
                                                      (if (nth 2 row)
                                                          (split-string
                                                           (cadr row) " ")
                                                        (list (cadr row))))))
                                     rows)))))
            (dolist (row rows)
              (insert (propertize
                       (netopt-describe--lines (car row) (cadr row)
                                               value-width width)
                       'netopt-option (car row))))))
      (netopt-error
       (insert (netopt-describe--fill
                (format "The socket cannot be read: %s"
                        (netopt-list--reason target err))
                width 0))))
    (goto-char (point-min))
    (forward-line (1- line))))

(defun netopt-describe--traffic (target)
  "Return the facts that tell whether TARGET's connection is alive, or nil.
From TCP_INFO: how long ago data was last received, the bytes sent
and not yet acknowledged, the retransmissions and the round trip."
  (let ((info (netopt-list--get target :info)))
    (when (memq (plist-get info :state) '(established close-wait))
      (format "Received %.1f s ago, %s bytes unacknowledged, \
%d retransmits (%d total), rtt %.2f ms"
              (/ (or (plist-get info :last-data-recv) 0) 1000.0)
              (let ((bytes (plist-get info :unacked-bytes)))
                (if (and bytes (>= bytes 0)) bytes "?"))
              (or (plist-get info :retransmits) 0)
              (or (plist-get info :total-retrans) 0)
              (/ (or (plist-get info :rtt) 0) 1000.0)))))

(defun netopt-describe--plist-p (value)
  "Return non-nil if VALUE is a plist with keywords, such as :info's."
  (and (consp value) (keywordp (car value))
       (null (cdr (last value))) (cl-evenp (length value))))

(defun netopt-describe--value (value)
  "Return VALUE, an option's value, as text for a description.
A plist, such as :info's, keeps each property with its value: no-break
spaces join them, for `netopt-describe--wrap'."
  (if (netopt-describe--plist-p value)
      (let ((words nil))
        (while value
          (push (replace-regexp-in-string
                 " " "\u00a0" (format "%S %S" (car value) (cadr value)))
                words)
          (setq value (cddr value)))
        (mapconcat #'identity (nreverse words) " "))
    (format "%S" value)))

(defun netopt-describe--wrap (text width)
  "Return TEXT cut into lines of WIDTH columns at most, at spaces.
A word wider than WIDTH is cut where the line ends.  No-break spaces
in TEXT join words and show as spaces."
  (let ((lines nil) (line ""))
    (dolist (word (split-string text " " t))
      (let ((word (replace-regexp-in-string "\u00a0" " " word)))
        (cond ((string-empty-p line) (setq line word))
              ((<= (+ (string-width line) 1 (string-width word)) width)
               (setq line (concat line " " word)))
              (t (push line lines) (setq line word)))
        (while (> (string-width line) width)
          (push (truncate-string-to-width line width) lines)
          (setq line (substring line (length (car lines)))))))
    (nreverse (cons line lines))))

(defun netopt-describe--fill (text width indent)
  "Return TEXT filled to WIDTH columns, continuation lines INDENT deep."
  (concat (mapconcat #'identity
                     (netopt-describe--wrap text (- width indent))
                     (concat "\n" (make-string indent ?\s)))
          "\n"))

(defun netopt-describe--lines (option value value-width width)
  "Return the description lines of OPTION showing VALUE (a string).
The value column is VALUE-WIDTH wide, the whole line WIDTH at most:
long values and docs go on as many lines as they need, each in its
column; a window too narrow for the doc beside the value has it
below."
  (let* ((name-width 16)
         (doc (plist-get (netopt-option-info option) :doc))
         (doc-column (+ name-width 1 value-width 1))
         (values (netopt-describe--wrap value value-width))
         (docs (netopt-describe--wrap doc (max 20 (- width doc-column))))
         (lines nil))
    (when (< (- width doc-column) 20)
      (setq values (append values
                           (netopt-describe--wrap doc (max 20 (- width
                                                                 name-width
                                                                 1))))
            docs nil
            value-width (- width name-width 1)))
    (dotimes (i (max (length values) (length docs)))
      (push (string-trim-right
             (format (format "%%-%ds %%-%ds %%s" name-width value-width)
                     (if (= i 0) option "")
                     (or (nth i values) "")
                     (or (nth i docs) "")))
            lines))
    (concat (mapconcat #'identity (nreverse lines) "\n") "\n")))

(defun netopt-list--entry-title (target &optional width)
  "Return a title for TARGET, filled to WIDTH columns (default 80)."
  (let* ((process (and (processp target) target))
         (contact (condition-case nil (netopt-list--contact target)
                    (netopt-error (and process (process-contact process t))))))
    (string-trim-right
     (netopt-describe--fill
      (concat (format "%s: %s, local %s"
                      (if process (process-name process)
                        (plist-get contact :name))
                      (netopt-list--description contact process)
                      (netopt-list--address (plist-get contact :local)))
              (and (plist-get contact :remote)
                   (format ", remote %s"
                           (netopt-list--address
                            (plist-get contact :remote)))))
      (or width 80) 2))))

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
    (with-current-buffer buffer
      (unless (eql netopt-list--layout-width (netopt-list--available-width))
        (netopt-describe-refresh))
      (netopt-list--auto-refresh-start))
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
      (when (or (derived-mode-p 'netopt-list-mode)
                (and (derived-mode-p 'netopt-describe-mode)
                     (eq netopt-describe--target target)))
        (netopt-list--redraw t)))))

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
         (option (netopt--read-option target))
         (value (netopt--read-value option target)))
    ;; After the command has set it: a timer runs once it returns.
    ;; Scheduled only now, once the value is read: timers run while
    ;; the minibuffer waits, and the confirmation would come first.
    (run-at-time 0 nil #'netopt--confirm-set target option)
    (list target option value)))

;; Its `interactive-form' property is set in netopt-base.el, so that
;; M-x netopt-set-option works before this file is loaded.

(provide 'netopt-list)
;;; netopt-list.el ends here
