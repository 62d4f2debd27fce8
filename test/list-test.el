;;; list-test.el --- the socket list, as a person uses it  -*- lexical-binding: t; -*-

;;; Commentary:

;; M-x netopt-list-sockets in batch (buffer contents, sorting, the
;; description buffer, changing an option from it) and in a real
;; terminal: `emacs -nw' under tmux, keys typed, the screen read.

;;; Code:

(require 'netopt-test-helpers)
(require 'netopt-list)

(netopt-deftest netopt-list-shows-sockets-and-processes ()
  "The list shows netopt sockets and Emacs processes with live options."
  (let* ((srv (netopt-test-server :name "list-srv" :keepalive t
                                  :keepidle 31 :priority 4))
         (proc (make-network-process :name "list-emacs" :server t
                                     :host "127.0.0.1" :service t
                                     :family 'ipv4)))
    (unwind-protect
        (with-current-buffer (netopt-list-sockets)
          (let ((text (buffer-string)))
            (should (string-match-p
                     (format "list-srv +netopt +ipv4 stream server +127\\.0\\.0\\.1:%d .*listen .*keepalive(31/75/9) priority=4"
                             (netopt-test-port srv))
                     text))
            (should (string-match-p "list-emacs +emacs +ipv4 stream server" text)))
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

(defconst netopt-list-test--tmux "netopt-list-test"
  "The tmux server (socket name) of the terminal test.")

(defun netopt-list-test--tmux (&rest args)
  "Run tmux with ARGS on the test's server; return its output."
  (apply #'netopt-test-tmux netopt-list-test--tmux args))

(defun netopt-list-test--wait-for (regexp)
  "Wait up to 10 s for the pane to match REGEXP; return the pane text."
  (netopt-test-tmux-wait netopt-list-test--tmux regexp))

(ert-deftest netopt-list-in-a-terminal ()
  "In `emacs -nw': open the list, go to a row, RET, read the screen."
  (skip-unless (executable-find "tmux"))
  (netopt-list-test--tmux "kill-server")
  (unwind-protect
      (progn
        (netopt-list-test--tmux
         "new-session" "-d" "-x" "150" "-y" "40"
         (format "%s -nw -Q -L %s -l netopt-module --eval %s"
                 (shell-quote-argument
                  (expand-file-name invocation-name invocation-directory))
                 (shell-quote-argument
                  (expand-file-name "lisp" netopt-test-root))
                 (shell-quote-argument
                  "(progn (setq s (netopt-make-socket :name \"tty-sock\" :server t :host \"127.0.0.1\" :service t :keepalive t :keepidle 42 :linger 3)) (netopt-list-sockets) (delete-other-windows))")))
        (let ((pane (netopt-list-test--wait-for "tty-sock")))
          (should (string-match-p "Name.* +Owner +Kind" pane))
          (should (string-match-p "tty-sock +netopt .*keepalive(42/75/9) linger=3"
                                  pane)))
        (netopt-list-test--tmux "send-keys" "C-s" "tty-sock" "Enter" "Enter")
        (let ((pane (netopt-list-test--wait-for ":keepidle +42")))
          (should (string-match-p "tty-sock: ipv4 stream server" pane))
          (should (string-match-p ":keepidle +42 +Idle seconds" pane))
          (should (string-match-p ":linger +3 +Seconds close waits" pane))))
    (netopt-list-test--tmux "kill-server")))

(provide 'list-test)
;;; list-test.el ends here
