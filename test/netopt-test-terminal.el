;;; netopt-test-terminal.el --- Emacs in a real terminal, driven through tmux  -*- lexical-binding: t; -*-

;;; Commentary:

;; `netopt-test-with-terminal' runs `emacs -nw' in a tmux server of
;; this Emacs's own; `netopt-test-tmux' and its friends type keys and
;; read the screen.

;;; Code:

(require 'netopt-test-fixtures)

(defvar netopt-test-tmux-server nil
  "The tmux server (socket name) of the terminal test running now.
`netopt-test-with-terminal' binds it.")

(defun netopt-test-tmux (&rest args)
  "Run tmux with ARGS on `netopt-test-tmux-server'; return its output.
The Emacs that tmux runs loads the Lisp layer this Emacs loaded."
  (with-temp-buffer
    (apply #'netopt-test-call-process "tmux" nil t nil
           "-L" netopt-test-tmux-server args)
    (buffer-string)))

(defun netopt-test-tmux-wait (regexp)
  "Wait up to 10 s for the tmux pane to match REGEXP; return its text."
  (let ((n 0) (pane ""))
    (while (and (< n 100)
                (not (string-match-p
                      regexp (setq pane (netopt-test-tmux "capture-pane"
                                                          "-p")))))
      (sleep-for 0.1)
      (setq n (1+ n)))
    pane))

(defun netopt-test-tmux-shows (regexp)
  "Fail the test unless the tmux pane matches REGEXP within 10 s."
  (should (string-match-p regexp (netopt-test-tmux-wait regexp))))

(defun netopt-test-tmux-stop ()
  "Kill the tmux server of `netopt-test-tmux-server' and wait until it is gone.
tmux answers kill-server before its server has exited; the test
waits (5 s at most) so that the server and the Emacs in its terminal
never outlive it."
  (let ((pid (string-to-number
              (netopt-test-tmux "display-message" "-p" "#{pid}"))))
    (netopt-test-tmux "kill-server")
    (when (> pid 0)
      (netopt-test-wait-for
       (lambda ()
         (member (alist-get 'state (process-attributes pid)) '(nil "Z")))
       5))))

(defmacro netopt-test-with-terminal (size form &rest body)
  "Run BODY with `emacs -nw' in tmux, netopt-module loaded.
SIZE is (COLUMNS LINES) of the terminal; the Emacs there evaluates
FORM (a string) at start.  Skip the test without tmux.  The tmux
server is this Emacs's own (named by its pid), so that runs in
parallel (other checkouts, the -module-assertions run) never kill each
other's; it is killed before and after BODY.  In BODY,
`netopt-test-tmux' and `netopt-test-tmux-wait' talk to it."
  (declare (indent 2) (debug t))
  `(progn
     (skip-unless (executable-find "tmux"))
     (let ((netopt-test-tmux-server (format "netopt-test-%d" (emacs-pid)))
           (stderr (make-temp-file "netopt-tmux-emacs-")))
       (netopt-test-tmux "kill-server")
       (unwind-protect
           (progn
             (netopt-test-tmux
              "new-session" "-d"
              "-x" (number-to-string (nth 0 ,size))
              "-y" (number-to-string (nth 1 ,size))
              ;; Its standard error goes to a file, shown if it said
              ;; anything (a crash of the Emacs in the terminal).
              ;; No deferred native compilation: its helper processes
              ;; would outlive the terminal and leave files behind.
              (format "%s -nw -Q --eval %s -L %s -l netopt-module --eval %s 2>%s"
                      (shell-quote-argument
                       (expand-file-name invocation-name invocation-directory))
                      (shell-quote-argument
                       "(setq native-comp-deferred-compilation nil)")
                      (shell-quote-argument
                       netopt-test-lisp-directory)
                      (shell-quote-argument ,form)
                      (shell-quote-argument stderr)))
             ,@body)
         (netopt-test-tmux-stop)
         (when (> (or (file-attribute-size (file-attributes stderr)) 0) 0)
           (message "The Emacs in the terminal said on stderr:\n%s"
                    (with-temp-buffer (insert-file-contents stderr)
                                      (buffer-string))))
         (delete-file stderr)))))

(provide 'netopt-test-terminal)
;;; netopt-test-terminal.el ends here
