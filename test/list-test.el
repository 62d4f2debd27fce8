;;; list-test.el --- the socket list, as a person uses it  -*- lexical-binding: t; -*-

;;; Commentary:

;; M-x netopt-list-sockets in batch (buffer contents, sorting, the
;; description buffer, changing an option from it) and in a real
;; terminal: `emacs -nw' under tmux, keys typed, the screen read.

;;; Code:

(require 'netopt-test-helpers)
(require 'netopt-list)
(require 'text-property-search)

(netopt-deftest netopt-list-shows-sockets-and-processes ()
  "The list shows netopt sockets and Emacs processes with live options."
  (let* ((srv (netopt-test-server :name "list-srv" :keepalive t
                                  :keepidle 31 :priority 4))
         (proc (make-network-process :name "list-emacs" :server t
                                     :host "127.0.0.1" :service t
                                     :family 'ipv4)))
    (unwind-protect
        (with-current-buffer (netopt-list-sockets)
          (netopt-list-test--lay-out 200)
          (let ((text (buffer-string)))
            (should (string-match-p
                     (format "list-srv +netopt +tcp +127\\.0\\.0\\.1:%d .*listen .*keepalive(31/75/9) priority=4"
                             (netopt-test-port srv))
                     text))
            (should (string-match-p "list-emacs +emacs +tcp " text)))
          ;; A change made elsewhere shows after g (revert).
          (netopt-set-option proc :nodelay t)
          (netopt-set-option proc :keepalive t)
          (revert-buffer)
          (should (string-match-p "list-emacs .*keepalive(7200/75/9) nodelay"
                                  (buffer-string)))
          ;; Columns sort: by name, and flipped.
          (let ((names (lambda ()
                         (goto-char (point-min))
                         (let (l)
                           (while (not (eobp))
                             (push (aref (tabulated-list-get-entry) 0) l)
                             (forward-line 1))
                           (nreverse l)))))
            (setq tabulated-list-sort-key '("Name" . nil))
            (tabulated-list-print)
            (let ((up (funcall names)))
              (should (equal up (sort (copy-sequence up) #'string<)))
              (setq tabulated-list-sort-key '("Name" . t))
              (tabulated-list-print)
              (should (equal (funcall names) (reverse up)))))
          (kill-buffer))
      (delete-process proc))))

(netopt-deftest netopt-list-describe-and-change ()
  "RET describes every option; s on an option line changes it."
  (let ((s (netopt-test-socket :name "described" :priority 2)))
    (with-current-buffer (netopt-list-sockets)
      (goto-char (point-min))
      (should (search-forward "described" nil t))
      (with-current-buffer (netopt-list-describe)
        (let ((text (buffer-string)))
          (should (string-match-p "^:priority +2 +Queueing priority" text))
          (should (string-match-p "^:keepalive +nil +Send keep-alive" text)))
        (goto-char (point-min))
        (re-search-forward "^:priority")
        (cl-letf (((symbol-function 'read-string) (lambda (&rest _) "5")))
          (netopt-describe-set-option))
        (should (equal (netopt-test-kernel s "priority") 5))
        (should (string-match-p "^:priority +5 " (buffer-string)))
        (re-search-forward "^:keepalive" nil t)
        (goto-char (point-min))
        (re-search-forward "^:keepalive")
        (cl-letf (((symbol-function 'y-or-n-p) (lambda (&rest _) t)))
          (netopt-describe-set-option))
        (should (equal (netopt-test-kernel s "keepalive") 1))
        (kill-buffer))
      (kill-buffer))))

(netopt-deftest netopt-list-set-option-command ()
  "M-x netopt-set-option reads a socket, an option and a value."
  (let ((s (netopt-test-socket :name "interactive")))
    (should (commandp 'netopt-set-option))
    (cl-letf* ((answers (list (format "interactive (netopt socket %d)"
                                      (netopt--socket-fd s))
                              ":priority"))
               ((symbol-function 'completing-read)
                (lambda (&rest _) (pop answers)))
               ((symbol-function 'read-string) (lambda (&rest _) "3")))
      (call-interactively #'netopt-set-option))
    (should (equal (netopt-test-kernel s "priority") 3))))

(netopt-deftest netopt-list-reader-shows-the-facts ()
  "The value prompt shows the current value, the range, and RET keeps it.
A boolean is asked with `y-or-n-p', its current state in the question;
RET on the number prompt leaves the kernel's value as it was."
  (let ((s (netopt-test-socket :name "reader" :keepidle 30 :keepalive t))
        (prompts nil))
    (cl-letf (((symbol-function 'read-string)
               (lambda (prompt &rest args)
                 (push prompt prompts)
                 (nth 2 args)))
              ((symbol-function 'y-or-n-p)
               (lambda (prompt) (push prompt prompts) t)))
      (netopt-set-option s :keepidle (netopt--read-value :keepidle s))
      (netopt--read-value :keepalive s))
    (should (equal (netopt-test-kernel s "keepidle") 30))
    (should (string-match-p "now 30.*1 to 32767.*RET keeps 30"
                            (cadr prompts)))
    (should (string-match-p "\\`Turn :keepalive on (now on)\\? \\'"
                            (car prompts)))))

(netopt-deftest netopt-list-completion-offers-what-can-be-set-now ()
  "Completion offers only the options a connected socket takes now.
Options settable only before bind (:freebind, :reuseport) are not
offered; every annotation starts in the same column."
  (pcase-let ((`(,_srv ,client ,_child) (netopt-test-pair)))
    (let (offered annotate)
      (cl-letf (((symbol-function 'completing-read)
                 (lambda (_prompt collection &rest _)
                   (setq offered collection
                         annotate (plist-get completion-extra-properties
                                             :annotation-function))
                   ":keepidle")))
        (should (eq (netopt--read-option client) :keepidle)))
      (should (member ":keepidle" offered))
      (should-not (member ":freebind" offered))
      (should-not (member ":reuseport" offered))
      (should (= 1 (length (delete-dups
                            (mapcar (lambda (name)
                                      (+ (length name)
                                         (string-match-p
                                          "[^ ]" (funcall annotate name))))
                                    offered))))))))

(netopt-deftest netopt-list-a-change-shows-at-once ()
  "A setting shows in the list at once, and the echo area confirms it.
With the list open, an option set from the socket's description
appears in the list's Options column without \\[revert-buffer], and
the message says what the kernel now holds."
  (let ((s (netopt-test-socket :name "at-once" :keepalive t :keepidle 30))
        (said nil))
    (with-current-buffer (netopt-list-sockets)
      (let ((list-buffer (current-buffer)))
        (should (string-match-p "30" (netopt-list-test--cell s "Options")))
        (with-current-buffer (netopt-describe s)
          (goto-char (point-min))
          (re-search-forward "^:keepidle")
          (cl-letf (((symbol-function 'read-string) (lambda (&rest _) "45"))
                    ((symbol-function 'message)
                     (lambda (&rest args)
                       (push (apply #'format args) said))))
            (netopt-describe-set-option))
          (kill-buffer))
        (with-current-buffer list-buffer
          (should (string-match-p "45" (netopt-list-test--cell s "Options")))
          (kill-buffer))))
    (should (equal (netopt-test-kernel s "keepidle") 45))
    (should (seq-some (lambda (m) (string-match-p ":keepidle .* is now 45" m))
                      said))))

(netopt-deftest netopt-list-a-set-keeps-the-list-window-in-place ()
  "After a set from the description, the list's window stays on its row.
The list is drawn again from the kernel in a window that is not the
selected one: its point stays on the socket it was on."
  (let ((_a (netopt-test-socket :name "keep-a"))
        (b (netopt-test-socket :name "keep-b" :keepalive t)))
    (delete-other-windows)
    (let* ((list-buffer (netopt-list-sockets))
           (list-window (get-buffer-window list-buffer)))
      (with-current-buffer list-buffer
        (netopt-list-test--goto b)
        (should (> (point) (point-min)))
        (set-window-point list-window (point)))
      (with-current-buffer (netopt-describe b)
        (should-not (eq (selected-window) list-window))
        (should (eq (window-buffer list-window) list-buffer))
        (goto-char (point-min))
        (re-search-forward "^:keepidle")
        (cl-letf (((symbol-function 'read-string) (lambda (&rest _) "45"))
                  ((symbol-function 'message) #'ignore))
          (netopt-describe-set-option))
        (kill-buffer))
      (with-current-buffer list-buffer
        (should (string-match-p "keepalive(45/"
                                (netopt-list-test--cell b "Options")))
        (goto-char (window-point list-window))
        (should (eq (tabulated-list-get-id) b))
        (kill-buffer)))))

;;;; Every network process has its row; columns stay aligned

(defun netopt-list-test--lay-out (width)
  "Lay the current socket list out for a window WIDTH columns wide."
  (netopt-list--layout width)
  (tabulated-list-print))

(defun netopt-list-test--cell (target header)
  "Return the text under HEADER in TARGET's row of the current list."
  (let ((row (netopt-list-test--row target))
        (column (seq-position (mapcar #'car tabulated-list-format) header)))
    (should row)
    (should column)
    (aref row column)))

(defun netopt-list-test--row (target)
  "Return the columns of TARGET's row in the current socket list, or nil."
  (save-excursion
    (goto-char (point-min))
    (let ((row nil))
      (while (and (not row) (not (eobp)))
        (when (eq (tabulated-list-get-id) target)
          (setq row (tabulated-list-get-entry)))
        (forward-line 1))
      row)))

(defun netopt-list-test--goto (target)
  "Move point to TARGET's row in the current socket list."
  (goto-char (point-min))
  (while (and (not (eobp)) (not (eq (tabulated-list-get-id) target)))
    (forward-line 1))
  (should (eq (tabulated-list-get-id) target)))

(defun netopt-list-test--header-string ()
  "Return the header line's text: the string of `header-line-format'.
Emacs 28 makes it a string; Emacs 30 a list (\"\" header-line-indent
STRING), the indent being the width of line numbers."
  (let ((header header-line-format))
    (if (stringp header)
        header
      (should (consp header))
      (let ((strings (seq-filter (lambda (part)
                                   (and (stringp part) (> (length part) 0)))
                                 header)))
        (should (= (length strings) 1))
        (car strings)))))

(defun netopt-list-test--header-columns ()
  "Return ((NAME . COLUMN) ...): the column of each header label.
A label's column is where the display engine puts it: an :align-to
is a column (Emacs 28) or a form (Emacs 30, `header-line-indent-width'
plus the column), evaluated in the list's buffer."
  (let ((header (netopt-list-test--header-string)) (x 0) (result nil))
    (dotimes (i (length header))
      (let ((display (get-text-property i 'display header))
            (name (get-text-property i 'tabulated-list-column-name header)))
        (cond ((eq (car-safe display) 'space)
               (setq x (eval (plist-get (cdr display) :align-to) t)))
              ((and name (not (assoc name result)))
               (push (cons name x) result)))))
    (nreverse result)))

(defun netopt-list-test--row-columns ()
  "Return ((NAME . COLUMN) ...): the start column of each column here."
  (let ((pos (line-beginning-position)) (end (line-end-position))
        (result nil))
    (while (< pos end)
      (let ((name (get-text-property pos 'tabulated-list-column-name)))
        (when (and name (not (assoc name result)))
          (push (cons name (save-excursion (goto-char pos) (current-column)))
                result)))
      (setq pos (next-single-property-change
                 pos 'tabulated-list-column-name nil end)))
    (nreverse result)))

(netopt-deftest netopt-list-row-when-socket-not-found ()
  "A process whose socket cannot be found keeps its row, with the reason."
  ;; Emacs shows no :family for this process: the Kind comes from the
  ;; addresses.
  ;; Two unconnected datagram clients match alike, and the probe that
  ;; would tell them apart fails: Emacs refuses the :priority it sets.
  (let* ((proc (make-network-process :name "list-lost" :type 'datagram
                                     :host "127.0.0.1" :service 9
                                     :noquery t))
         (twin (netopt-test-delete-later
                (make-network-process :name "list-twin" :type 'datagram
                                      :host "127.0.0.1" :service 9
                                      :noquery t))))
    (should-not (process-contact proc :family))
    (should twin)
    (unwind-protect
        (cl-letf (((symbol-function 'set-network-process-option)
                   (lambda (&rest _) (error "No probe in this test"))))
          (should-error (netopt-option proc :keepalive)
                        :type 'netopt-socket-not-found)
          (with-current-buffer (netopt-list-sockets)
            (netopt-list-test--lay-out 200)
            (should (netopt-list-test--row proc))
            (should (equal (netopt-list-test--cell proc "Name") "list-lost"))
            (should (equal (netopt-list-test--cell proc "Owner") "emacs"))
            (should (equal (netopt-list-test--cell proc "Kind") "udp"))
            (should (equal (netopt-list-test--cell proc "Remote")
                           "127.0.0.1:9"))
            (should (equal (netopt-list-test--cell proc "State") "open"))
            (should (string-match-p
                     "\\`not read: Cannot identify .*[0-9]+ descriptors match"
                     (netopt-list-test--cell proc "Options")))
            ;; RET on the row says why there are no options.
            (netopt-list-test--goto proc)
            (with-current-buffer (netopt-list-describe)
              (let ((text (buffer-string)))
                (should (string-match-p
                         "\\`list-lost: ipv4 datagram client, .*remote 127\\.0\\.0\\.1:9"
                         text))
                (should (string-match-p
                         "cannot be read: .*[0-9]+ descriptors[ \n]match" text))
                (should-not (string-match-p "^:keepalive" text)))
              (kill-buffer))
            (kill-buffer)))
      (delete-process proc))
    ;; Found again, the same process shows its options.
    (let ((proc (make-network-process :name "list-found" :type 'datagram
                                      :host "127.0.0.1" :service 9
                                      :noquery t)))
      (unwind-protect
          (progn
            (netopt-set-option proc :priority 3)
            (with-current-buffer (netopt-list-sockets)
              (netopt-list-test--lay-out 200)
              (should (equal (netopt-list-test--cell proc "Kind") "udp"))
              (should (equal (netopt-list-test--cell proc "Options")
                             "priority=3"))
              (kill-buffer)))
        (delete-process proc)))))

(netopt-deftest netopt-list-network-processes-only ()
  "Pipe processes are not listed; a process still connecting is."
  (let* ((srv (netopt-test-socket :server 0 :host "127.0.0.1" :service t))
         (port (netopt-test-port srv))
         ;; Nobody accepts: this connection fills the backlog of 0, and
         ;; the kernel drops the next SYN, so the next client stays in
         ;; SYN-SENT.
         (_queued (netopt-test-socket :host "127.0.0.1" :service port))
         (pipe (make-pipe-process :name "list-pipe" :noquery t))
         (connecting (make-network-process :name "list-connecting"
                                           :host "127.0.0.1" :service port
                                           :nowait t :noquery t)))
    (unwind-protect
        (progn
          ;; Emacs makes the socket of a :nowait call in a later turn of
          ;; its loop (it resolves even an address in the background);
          ;; netopt reads without waiting for it.
          (should (netopt-test-wait-for
                   (lambda () (with-timeout (0 nil)
                                (process-contact connecting :local)))))
          (should (eq (process-status connecting) 'connect))
          (with-current-buffer (netopt-list-sockets)
            (should-not (netopt-list-test--row pipe))
            (should-not (string-match-p "list-pipe" (buffer-string)))
            (netopt-list-test--lay-out 200)
            (should (netopt-list-test--row connecting))
            (should (equal (netopt-list-test--cell connecting "Name")
                           "list-connecting"))
            (should (equal (netopt-list-test--cell connecting "Kind") "tcp"))
            (should (equal (netopt-list-test--cell connecting "Remote")
                           (format "127.0.0.1:%d" port)))
            ;; The kernel's state when netopt finds the socket, else
            ;; Emacs's status and the reason it was not found.
            (should (member (netopt-list-test--cell connecting "State")
                            '("syn-sent" "connect")))
            (kill-buffer)))
      (delete-process pipe)
      (delete-process connecting))))

(netopt-deftest netopt-list-columns-stay-aligned ()
  "Long names and socket file names do not push later columns."
  (let* ((long (concat "list-long-" (make-string 60 ?n)))
         (dir (make-temp-file
               (concat "netopt-list-" (make-string 60 ?d) "-") t))
         (file (expand-file-name "sock" dir))
         (server (make-network-process :name long :server t :host "127.0.0.1"
                                       :service t :family 'ipv4 :noquery t))
         (local (make-network-process :name "list-local" :server t
                                      :family 'local :service file
                                      :noquery t))
         (client (make-network-process :name "list-local-client"
                                       :family 'local :service file
                                       :noquery t))
         (socket (netopt-test-server :name (concat "list-sock-" long)))
         (two-lines (netopt-test-socket :name "two\nlines")))
    (unwind-protect
        (with-current-buffer (netopt-list-sockets)
          (dolist (layout '((80 "Name" "Owner" "Address" "State" "Options")
                            (200 "Name" "Owner" "Kind" "Local" "Remote"
                                 "State" "Options")))
            (netopt-list-test--lay-out (1- (car layout)))
            (let ((header (netopt-list-test--header-columns)))
              (should (equal (mapcar #'car header) (cdr layout)))
              (goto-char (point-min))
              ;; A row with no options has no text in the last column.
              (while (not (eobp))
                (let ((columns (netopt-list-test--row-columns)))
                  (should (>= (length columns) (1- (length header))))
                  (should (equal columns (seq-take header (length columns)))))
                (forward-line 1))
              ;; Every target is on one line of its own.
              (should (= (count-lines (point-min) (point-max))
                         (length tabulated-list-entries)))))
          (progn
            (dolist (target (list server local client socket two-lines))
              (should (netopt-list-test--row target)))
            ;; The whole name is still there, as the help echo.
            (netopt-list-test--goto server)
            (should (string-prefix-p "list-long-nnn"
                                     (aref (tabulated-list-get-entry) 0)))
            (should (equal (get-text-property (point) 'help-echo) long))
            (netopt-list-test--goto local)
            (let ((column (text-property-search-forward
                           'tabulated-list-column-name "Local" t)))
              (should column)
              (should (equal (get-text-property (prop-match-beginning column)
                                                'help-echo)
                             file)))
            (kill-buffer)))
      (delete-process client)
      (delete-process local)
      (delete-process server)
      (delete-directory dir t))))

(netopt-deftest netopt-list-leaves-pending-error ()
  "The list and the description never consume a socket's pending error."
  (let* ((gone (netopt-make-socket :type 'datagram :server t
                                   :host "127.0.0.1" :service t))
         (port (netopt-test-port gone))
         (s nil)
         (steps
          (list
           ;; Nothing in between: the pending error is there.
           #'ignore
           (lambda ()
             (with-current-buffer (netopt-list-sockets)
               (should (netopt-list-test--row s))
               (revert-buffer)
               (kill-buffer)))
           (lambda ()
             (with-current-buffer (netopt-list-sockets)
               (netopt-list-test--goto s)
               (with-current-buffer (netopt-list-describe)
                 (should (string-match-p "^:priority +0 " (buffer-string)))
                 (should (string-match-p
                          "^:error +not read +Pending socket error"
                          (buffer-string)))
                 (netopt-describe-refresh)
                 (kill-buffer))
               (kill-buffer)))
           ;; Choosing an option to set looks at the options too.
           (lambda ()
             (cl-letf (((symbol-function 'completing-read)
                        (lambda (_prompt options &rest _) (car options))))
               (should (keywordp (netopt--read-option s))))))))
    (netopt-close gone)
    ;; A connected datagram socket sending to a closed port: the ICMP
    ;; port unreachable becomes a pending ECONNREFUSED.
    (setq s (netopt-test-socket :name "list-pending" :type 'datagram
                                :host "127.0.0.1" :service port))
    (dolist (step steps)
      (netopt-send s "ping")
      (funcall step)
      (should (> (netopt-option s :error) 0))
      ;; Reading it is what clears it.
      (should (= (netopt-option s :error) 0)))))

(ert-deftest netopt-list-in-a-terminal ()
  "In `emacs -nw': open the list, go to a row, RET, read the screen."
  (netopt-test-with-terminal '(150 40)
      "(progn (setq s (netopt-make-socket :name \"tty-sock\" :server t :host \"127.0.0.1\" :service t :keepalive t :keepidle 42 :linger 3)) (setq l (netopt-make-socket :name (make-string 60 ?L) :server t :host \"127.0.0.1\" :service t)) (netopt-list-sockets) (delete-other-windows))"
    (let ((pane (netopt-test-tmux-wait "tty-sock")))
      (should (string-match-p "Name.* +Owner +Kind" pane))
      (should (string-match-p "tty-sock +netopt .*keepalive(42/75/9) linger=3"
                              pane))
      ;; On the screen, a long name is cut, not pushing its row.
      (let ((column (lambda (regexp)
                      (unless (string-match regexp pane)
                        (ert-fail (list "Not on the screen" regexp pane)))
                      (let ((start (match-beginning 1)))
                        (string-width
                         (substring pane (1+ (or (string-match-p
                                                  "\n[^\n]*\\'"
                                                  (substring pane 0 start))
                                                 -1))
                                    start))))))
        (should (= (funcall column "\\(Owner\\) +Kind")
                   (funcall column "LLLL[^ \n]* +\\(netopt\\)")))
        (should (= (funcall column "Owner +\\(Kind\\)")
                   (funcall column "LLLL[^ \n]* +netopt +\\(tcp\\)")))))
    (netopt-test-tmux "send-keys" "C-s" "tty-sock" "Enter" "Enter")
    (let ((pane (netopt-test-tmux-wait ":keepidle +42")))
      (should (string-match-p "tty-sock: ipv4 stream server" pane))
      (should (string-match-p ":keepidle +42 +Idle seconds" pane))
      (should (string-match-p ":linger +3 +Seconds close waits" pane)))))

(ert-deftest netopt-list-describe-refresh-elsewhere ()
  "Refreshing a description outside a description buffer changes nothing."
  (with-temp-buffer
    (insert "the user's text")
    (should-error (netopt-describe-refresh) :type 'user-error)
    (should (equal (buffer-string) "the user's text"))))

;;;; Fitting the window

(netopt-deftest netopt-list-layout-fits-the-width ()
  "The columns fit the width the list has, Options visible in 80 columns.
An ERC-like row (a long name, a remote address) and a tuned socket:
160 columns show every column; 80 join Local and Remote as Address
and drop Kind, with the whole of the tuned socket's options visible;
40 drop State and shrink Name and Address as far as they go; a sort
indicator fits in every header."
  (let* ((srv (netopt-test-server :name "fit-srv" :keepalive t :keepidle 42
                                  :linger 3))
         (erc (make-network-process :name "erc-irc.libera.chat-6697"
                                    :host "127.0.0.1"
                                    :service (netopt-test-port srv)
                                    :noquery t)))
    (unwind-protect
        (with-current-buffer (netopt-list-sockets)
          (netopt-list-test--lay-out 159)
          (should (equal (mapcar #'car tabulated-list-format)
                         '("Name" "Owner" "Kind" "Local" "Remote" "State"
                           "Options")))
          (netopt-list-test--lay-out 79)
          (should (equal (mapcar #'car tabulated-list-format)
                         '("Name" "Owner" "Address" "State" "Options")))
          (netopt-list-test--goto srv)
          (let ((options (text-property-search-forward
                          'tabulated-list-column-name "Options" t)))
            (should (equal (buffer-substring-no-properties
                            (prop-match-beginning options)
                            (line-end-position))
                           "keepalive(42/75/9) linger=3"))
            (should (<= (save-excursion (end-of-line) (current-column)) 79)))
          ;; Narrower than anything fits: the fewest columns, shrunk.
          (netopt-list-test--lay-out 40)
          (should (equal (mapcar (lambda (column) (list (car column)
                                                        (nth 1 column)))
                                 tabulated-list-format)
                         '(("Name" 12) ("Owner" 7) ("Address" 15)
                           ("Options" 0))))
          (netopt-list-test--lay-out 79)
          ;; The connected one shows its peer, and has both as help.
          (should (equal (netopt-list-test--cell erc "Address")
                         (format "127.0.0.1:%d" (netopt-test-port srv))))
          ;; Every header but the last has room for " v" after it.
          (seq-doseq (column tabulated-list-format)
            (unless (equal (car column) "Options")
              (should (>= (nth 1 column) (+ 2 (length (car column)))))))
          (kill-buffer))
      (delete-process erc))))

(netopt-deftest netopt-list-description-fits-80-columns ()
  "A description's lines fit 80 columns; :info is several aligned lines.
The header line names the keys."
  (pcase-let ((`(,_srv ,client ,_child) (netopt-test-pair)))
    (with-current-buffer (netopt-describe client)
      (let ((lines (split-string (buffer-string) "\n")))
        (dolist (line lines)
          (should (<= (string-width line) 79)))
        ;; :info: its first property beside the name, the others below,
        ;; each starting in the value column.
        (goto-char (point-min))
        (re-search-forward "^:info +\\(:state established\\) ")
        (let ((column (save-excursion (goto-char (match-beginning 1))
                                      (current-column)))
              (more 0))
          (forward-line 1)
          (while (looking-at " +:[a-z-]+ [0-9]")
            (skip-chars-forward " ")
            (should (= (current-column) column))
            (setq more (1+ more))
            (forward-line 1))
          (should (> more 2))))
      (should (string-match-p "s/RET: set the option on this line .*g: read again.*q: quit"
                              header-line-format))
      (kill-buffer))))

;;;; Refreshing by itself

(netopt-deftest netopt-list-auto-refresh-timer ()
  "The refresh timer: off by default, gone with its buffer, never signals.
With `netopt-list-auto-refresh', a visible list has a timer, one
however often the command runs; killing the list cancels it.  A timer whose buffer no window shows stops, and
one whose refresh fails stops with a message instead of signalling."
  (should-not (default-value 'netopt-list-auto-refresh))
  (with-current-buffer (netopt-list-sockets)
    (should-not netopt-list--timer)
    (kill-buffer))
  (let ((netopt-list-auto-refresh 30)
        (said nil))
    (let* ((buffer (netopt-list-sockets))
           (timer (buffer-local-value 'netopt-list--timer buffer)))
      (should (memq timer timer-list))
      ;; The command again: one timer still.
      (should (eq (netopt-list-sockets) buffer))
      (should-not (memq timer timer-list))
      (setq timer (buffer-local-value 'netopt-list--timer buffer))
      (should (memq timer timer-list))
      (kill-buffer buffer)
      (should-not (memq timer timer-list)))
    ;; Not shown any more: the timer's next run stops it.
    (let* ((buffer (netopt-list-sockets))
           (timer (buffer-local-value 'netopt-list--timer buffer)))
      (switch-to-buffer (get-buffer-create "*netopt-list-test other*"))
      (should-not (get-buffer-window buffer 'visible))
      (apply (timer--function timer) (timer--args timer))
      (should-not (memq timer timer-list))
      (should-not (buffer-local-value 'netopt-list--timer buffer))
      (kill-buffer buffer)
      (kill-buffer "*netopt-list-test other*"))
    ;; A refresh that fails.
    (let* ((buffer (netopt-list-sockets))
           (timer (buffer-local-value 'netopt-list--timer buffer)))
      (cl-letf (((symbol-function 'netopt-list--targets)
                 (lambda () (error "Broken on purpose")))
                ((symbol-function 'message)
                 (lambda (&rest args) (push (apply #'format args) said))))
        (apply (timer--function timer) (timer--args timer)))
      (should-not (memq timer timer-list))
      (should (seq-some (lambda (m)
                          (string-match-p "stopped refreshing.*Broken on purpose"
                                          m))
                        said))
      (kill-buffer buffer))))

;;;; Telling a stalled connection, deleting one

(netopt-deftest netopt-list-describe-traffic-facts ()
  "A connection's description says what tells a live one from a stalled one.
From TCP_INFO: the time since data was last received, the bytes sent
and not acknowledged, the retransmissions and the round trip.  Data
just received, and acknowledged: 0 bytes, 0 retransmissions."
  (let* ((pair (netopt-test-pair))
         (c (nth 1 pair)) (child (nth 2 pair)))
    (netopt-send child "hello")
    (should (equal (netopt-receive c :timeout 5) "hello"))
    (let ((text (replace-regexp-in-string
                 "\n +" " "
                 (with-current-buffer (netopt-describe c) (buffer-string)))))
      (should (string-match
               "Received \\([0-9.]+\\) s ago, 0 bytes unacknowledged, 0 retransmits (0 total), rtt [0-9.]+ ms"
               text))
      (should (< (string-to-number (match-string 1 text)) 5)))))

(netopt-deftest netopt-list-d-deletes ()
  "d in the socket list deletes the connection at point, as `list-processes'.
An Emacs process is deleted, a netopt socket closed; the row goes."
  (let* ((srv (netopt-test-socket :name "d-srv" :server t :host "127.0.0.1"
                                  :service t))
         (p (netopt-test-make-process :name "d-proc" :host "127.0.0.1"
                                      :service (netopt-test-port srv)
                                      :noquery t)))
    (with-current-buffer (netopt-list-sockets)
      (netopt-list-test--goto p)
      (execute-kbd-macro "d")
      (should-not (process-live-p p))
      (should-not (netopt-list-test--row p))
      (netopt-list-test--goto srv)
      (execute-kbd-macro "d")
      (should-not (netopt-live-p srv))
      (should-not (netopt-list-test--row srv)))))

;;;; In a terminal of 80 by 24

(defconst netopt-list-test--sockets
  "(progn (setq s (netopt-make-socket :name \"tty-sock\" :server t :host \"127.0.0.1\" :service t :keepalive t :keepidle 42 :linger 3)) (setq c (netopt-make-socket :name \"tty-client\" :host \"127.0.0.1\" :service (netopt-contact s :service))) (setq e (make-network-process :name \"erc-irc.libera.chat-6697\" :host \"127.0.0.1\" :service (netopt-contact s :service) :noquery t)) (netopt-list-sockets)"
  "The start of the form the 80 by 24 terminal tests evaluate.
It makes a tuned server, a client of it, an ERC-like Emacs process,
and opens the list; the test adds its own forms and a paren.")

(defun netopt-list-test--screen-column (pane regexp)
  "Return the screen column where group 1 of REGEXP matches in PANE."
  (unless (string-match regexp pane)
    (ert-fail (list "Not on the screen" regexp pane)))
  (let ((start (match-beginning 1)))
    (string-width (substring pane (1+ (or (string-match-p
                                           "\n[^\n]*\\'"
                                           (substring pane 0 start))
                                          -1))
                             start))))

(ert-deftest netopt-list-80x24-options-visible ()
  "At 80 by 24 the list, in the window it opens in, shows Options.
Sorting by Owner leaves every header above its column (Emacs 28 put
the Kind header one column right)."
  (netopt-test-with-terminal '(80 24)
      (concat netopt-list-test--sockets ")")
    (let ((pane (netopt-test-tmux-wait "tty-sock .*linger=3")))
      (should (string-match-p "^Name v +Owner +Address +State +Options *$"
                              pane))
      (should (string-match-p
               "^tty-sock +netopt +127\\.0\\.0\\.1:[0-9]+ +listen +keepalive(42/75/9) linger=3 *$"
               pane)))
    ;; S with point in the Owner column sorts by it.
    (netopt-test-tmux "send-keys" "C-s" "netopt" "Enter" "M-b" "S")
    (let ((pane (netopt-test-tmux-wait "Owner v")))
      (should (string-match-p "^Name +Owner v +Address" pane))
      (dolist (pair '(("\\(Address\\) +State" . "tty-sock +netopt +\\(127\\)")
                      ("\\(State\\) +Options" . "tty-sock .* \\(listen\\)")
                      ("State +\\(Options\\)" . "\\(keepalive(42\\)")))
        (should (= (netopt-list-test--screen-column pane (car pair))
                   (netopt-list-test--screen-column pane (cdr pair))))))))

(ert-deftest netopt-list-160x45-half-width ()
  "At 160 by 45 the list opens beside another window and fits that half.
The window is about 80 columns: Options is visible there too."
  (netopt-test-with-terminal '(160 45)
      (concat netopt-list-test--sockets ")")
    (let ((pane (netopt-test-tmux-wait "tty-sock .*linger=3")))
      ;; Side by side: the scratch buffer's text to the left.
      (should (string-match-p "^;; This buffer .*|Name v +Owner" pane))
      (should (string-match-p
               "tty-sock +netopt +127\\.0\\.0\\.1:[0-9]+ +listen +keepalive(42/75/9) linger=3 *$"
               pane)))))

(ert-deftest netopt-list-80x24-set-from-description ()
  "At 80 by 24: the value prompt shows the facts; the list follows a set.
From the description of tty-sock, s on :keepidle prompts with the
current value and the range; 45 RET shows in the list's other window
without \\[revert-buffer], and the echo area says what the kernel
holds.  The description fits the terminal: no continued line."
  (netopt-test-with-terminal '(80 24)
      (concat netopt-list-test--sockets ")")
    (netopt-test-tmux-wait "tty-sock .*linger=3")
    (netopt-test-tmux "send-keys" "C-s" "tty-sock" "Enter" "Enter")
    (let ((pane (netopt-test-tmux-wait "tty-sock: ipv4 stream server")))
      (should (string-match-p "s/RET: set the option on this line +g: read again +q: quit"
                              pane))
      ;; No line runs past the window: Emacs would end it with \.
      (should-not (string-match-p "\\\\$" pane)))
    (netopt-test-tmux "send-keys" "C-s" ":keepidle" "Enter" "s")
    (netopt-test-tmux-shows
     "Value of :keepidle (now 42; 1 to 32767; RET keeps 42):")
    (netopt-test-tmux "send-keys" "45" "Enter")
    (let ((pane (netopt-test-tmux-wait "tty-sock .*keepalive(45/75/9)")))
      (should (string-match-p ":keepidle +45 " pane))
      (should (string-match-p
               "^tty-sock +netopt .*keepalive(45/75/9) linger=3" pane))
      (should (string-match-p ":keepidle of tty-sock is now 45 (read from the kernel)"
                              pane)))))

(ert-deftest netopt-list-80x24-completion ()
  "At 80 by 24, s on a connected socket offers only what it takes now.
:freebind and :reuseaddr/:reuseport (before bind only) match nothing;
the :keep options are offered with their docs in one column."
  (netopt-test-with-terminal '(80 24)
      (concat netopt-list-test--sockets ")")
    (netopt-test-tmux-wait "tty-client")
    (netopt-test-tmux "send-keys" "C-s" "tty-client" "Enter" "s")
    (netopt-test-tmux-shows "^Option:")
    (netopt-test-tmux "send-keys" ":fr" "Tab")
    (netopt-test-tmux-shows "Option: :fr \\[No match\\]")
    (netopt-test-tmux "send-keys" "BSpace" "BSpace" "re" "Tab")
    (netopt-test-tmux-shows "Option: :re \\[No match\\]")
    (netopt-test-tmux "send-keys" "BSpace" "BSpace" "keep" "Tab" "Tab")
    (let ((pane (netopt-test-tmux-wait ":keepintvl +Seconds between")))
      (let ((columns
             (mapcar (lambda (option)
                       (netopt-list-test--screen-column
                        pane (format "^%s +\\([A-Z]\\)" option)))
                     '(":keepalive" ":keepcnt" ":keepidle" ":keepintvl"))))
        (should (= 1 (length (delete-dups columns))))))
    (netopt-test-tmux "send-keys" "C-g")))

(ert-deftest netopt-list-80x24-auto-refresh ()
  "With `netopt-list-auto-refresh', a change Emacs is not told of shows.
A timer sets :keepidle with a plain call (no command, so no update);
the list, visible, shows the kernel's new value by itself."
  (netopt-test-with-terminal '(80 24)
      (concat "(progn (setq netopt-list-auto-refresh 1) "
              netopt-list-test--sockets
              " (run-at-time 1 nil (lambda () (netopt-set-option s :keepidle 77)))))")
    (netopt-test-tmux-shows "^tty-sock .*keepalive(77/75/9)")))

(ert-deftest netopt-list-80x24-m-x-set-option-typed ()
  "At 80 by 24, `netopt-set-option' typed as a person types it confirms.
The keys come one step at a time with pauses: the command, the
target, the option, the new value.  Only then does the echo area say
the new value, and the list, without \\[revert-buffer], shows it.  A
process with :dead-after 60, as the README's recipe gives, has its
options whole in the row: dead≤60s (dead<=60s where the terminal
cannot show ≤)."
  (netopt-test-with-terminal '(80 24)
      (concat netopt-list-test--sockets
              " (netopt-set-option e :dead-after 60) (netopt-list-sockets))")
    (let ((pane (netopt-test-tmux-wait "tty-sock .*linger=3")))
      (should (string-match-p
               "^erc-irc[^ ]* +tuned .* dead\\(≤\\|<=\\)60s *$"
               pane)))
    (netopt-test-tmux "send-keys" "M-x")
    (sleep-for 0.5)
    (netopt-test-tmux "send-keys" "netopt-set-option")
    (sleep-for 0.5)
    (netopt-test-tmux "send-keys" "Enter")
    (netopt-test-tmux-shows "Socket or process:")
    (sleep-for 0.7)
    (netopt-test-tmux "send-keys" "tty-so" "Tab")
    (netopt-test-tmux-shows "Socket or process: tty-sock (netopt socket")
    (sleep-for 0.5)
    (netopt-test-tmux "send-keys" "Enter")
    (netopt-test-tmux-shows "^Option:")
    (sleep-for 0.7)
    (netopt-test-tmux "send-keys" ":keepidle")
    (sleep-for 0.5)
    (netopt-test-tmux "send-keys" "Enter")
    (netopt-test-tmux-shows "Value of :keepidle (now 42; 1 to 32767; RET keeps 42):")
    ;; The value prompt waits: no confirmation yet, nothing changed.
    (sleep-for 1.5)
    (let ((pane (netopt-test-tmux "capture-pane" "-p")))
      (should-not (string-match-p "is now" pane))
      (should (string-match-p "keepalive(42/75/9)" pane)))
    (netopt-test-tmux "send-keys" "4")
    (sleep-for 0.3)
    (netopt-test-tmux "send-keys" "5")
    (sleep-for 0.5)
    (netopt-test-tmux "send-keys" "Enter")
    (let ((pane (netopt-test-tmux-wait
                 "keepalive(45/75/9)\\(.\\|\n\\)*:keepidle of tty-sock is now 45")))
      (should (string-match-p
               "^netopt: :keepidle of tty-sock is now 45 (read from the kernel)"
               pane))
      (should (string-match-p
               "^tty-sock +netopt .*keepalive(45/75/9) linger=3" pane)))))

(provide 'list-test)
;;; list-test.el ends here
