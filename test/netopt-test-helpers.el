;;; netopt-test-helpers.el --- shared helpers of netopt's tests  -*- lexical-binding: t; -*-

;;; Commentary:

;; The kernel's view of a socket is read by test/tools/sockpeek, a
;; separate program that copies the descriptor out of this Emacs with
;; pidfd_getfd(2): it shares no code with the module under test.

;;; Code:

(require 'ert)
(require 'cl-lib)
(require 'seq)
(require 'netopt-module)

(defconst netopt-test-directory
  (file-name-directory (or load-file-name buffer-file-name))
  "The test/ directory.")

(defconst netopt-test-root
  (expand-file-name ".." netopt-test-directory)
  "The project's top directory.")

(defconst netopt-test-sockpeek
  (expand-file-name "tools/sockpeek" netopt-test-directory)
  "The independent option reader.")

;;;; External commands

(defconst netopt-test-pristine
  (expand-file-name "tools/pristine" netopt-test-directory)
  "The tool that resets signal handling before it runs a command.")

(defconst netopt-test-sanitizer-variables
  '("LD_PRELOAD" "ASAN_OPTIONS" "UBSAN_OPTIONS" "LSAN_OPTIONS"
    "NETOPT_MODULE_FILE")
  "Environment variables a test Emacs may have that its children must not.
`make check-sanitize' gives them to the test Emacs only: a make, a
compiler or a child Emacs run by a test would otherwise get the
sanitizer runtime preloaded (a child Emacs can hang in it) and the
sanitized module.  test/runner.el already takes the runtime out of
`process-environment' for the children that Emacs itself starts; a
test's child Emacs loads the plain module that its Lisp directory,
`netopt-test-lisp-directory', finds.")

(defconst netopt-test-make-variables
  '("MAKEFLAGS" "MFLAGS" "MAKELEVEL" "MAKEOVERRIDES" "MAKE_TERMOUT"
    "MAKE_TERMERR")
  "Environment variables that the make running the tests passes down.
A make run by a test would otherwise act as its sub-make: join its
jobserver (descriptors it may not have), print directories, take its
options.")

(defvar netopt-test-keep-module-file nil
  "Non-nil means external commands keep NETOPT_MODULE_FILE.
Bind it around a child Emacs whose environment names its module
itself.")

(defconst netopt-test-lisp-directory netopt--lisp-directory
  "The directory this Emacs loaded the Lisp layer from.
test/run.sh compiles lisp/ there, beside a link to module/: a child
Emacs given it with -L loads the same compiled Lisp, and the module
built in the source tree.")

(defun netopt-test-environment ()
  "Return the `process-environment' that external commands of a test get.
Without the variables of `netopt-test-make-variables', nor those of
`netopt-test-sanitizer-variables' (but NETOPT_MODULE_FILE when
`netopt-test-keep-module-file' is non-nil)."
  (let ((drop (append netopt-test-make-variables
                      (if netopt-test-keep-module-file
                          (remove "NETOPT_MODULE_FILE"
                                  netopt-test-sanitizer-variables)
                        netopt-test-sanitizer-variables))))
    (seq-remove (lambda (entry)
                  (seq-some (lambda (name)
                              (or (string-prefix-p (concat name "=") entry)
                                  (equal entry name)))
                            drop))
                process-environment)))

(defun netopt-test-call-process (program &optional infile destination
                                         display &rest args)
  "Run PROGRAM with ARGS as `call-process' does, with a clean start.
INFILE, DESTINATION and DISPLAY are as for `call-process'.  PROGRAM
runs through test/tools/pristine, so every signal has its default
disposition and none is blocked, whatever the test Emacs inherited;
its environment is `netopt-test-environment'.  Tests run every
external command through this."
  (let ((process-environment (netopt-test-environment)))
    (apply #'call-process netopt-test-pristine infile destination display
           program args)))

(defun netopt-test-command (program &rest args)
  "Run PROGRAM with ARGS through `netopt-test-call-process'.
Return (EXIT-STATUS . OUTPUT), standard output and error together."
  (with-temp-buffer
    (let ((rc (apply #'netopt-test-call-process program nil t nil args)))
      (cons rc (buffer-string)))))

(defun netopt-test-fd (target)
  "Return the descriptor number of TARGET, a netopt socket or an integer."
  (if (integerp target) target (netopt--socket-fd target)))

(defun netopt-test-peek (target)
  "Return the kernel's view of TARGET as an alist (NAME . STRING).
TARGET is a netopt socket or a descriptor number of this Emacs."
  (with-temp-buffer
    (let ((rc (netopt-test-call-process
               netopt-test-sockpeek nil t nil (number-to-string (emacs-pid))
               (number-to-string (netopt-test-fd target)))))
      (unless (eq rc 0)
        (error "The sockpeek tool failed: %s" (buffer-string))))
    (mapcar (lambda (line)
              (let ((sp (string-match " " line)))
                (cons (substring line 0 sp) (substring line (1+ sp)))))
            (split-string (buffer-string) "\n" t))))

(defun netopt-test-kernel (target name)
  "Return the kernel's value of option NAME (a string) on TARGET.
Integers are returned as integers; other values as strings."
  (let ((v (cdr (assoc name (netopt-test-peek target)))))
    (cond ((null v) (error "The sockpeek tool did not report %s" name))
          ((string-match-p "\\`-?[0-9]+\\'" v) (string-to-number v))
          (t v))))

(defun netopt-test-sockets-holding (name value)
  "Return the entries of `netopt-test-emacs-sockets' whose NAME is VALUE.
NAME and VALUE are strings, as sockpeek prints them."
  (seq-filter (lambda (entry)
                (equal (cdr (assoc name (cdr entry))) value))
              (netopt-test-emacs-sockets)))

(defun netopt-test-address-string (address)
  "Return ADDRESS (a `process-contact' vector) as sockpeek prints it."
  (cond ((stringp address) address)
        ((= (length address) 5)
         (format "%d.%d.%d.%d:%d" (aref address 0) (aref address 1)
                 (aref address 2) (aref address 3) (aref address 4)))
        (t (format "[%s]:%d"
                   (let ((words (mapcar (lambda (i) (aref address i))
                                        (number-sequence 0 7))))
                     (if (equal words '(0 0 0 0 0 0 0 1)) "::1"
                       (mapconcat (lambda (w) (format "%x" w)) words ":")))
                   (aref address 8)))))

(defun netopt-test-socket-of (process)
  "Return sockpeek's view (an alist) of PROCESS's socket.
It is found by PROCESS's local address, which exactly one socket of
this Emacs must have."
  (let ((mine (netopt-test-sockets-holding
               "local"
               (netopt-test-address-string (process-contact process :local)))))
    (should (= (length mine) 1))
    (cdar mine)))

(defun netopt-test-fd-count ()
  "Return how many descriptors this Emacs has open."
  (length (directory-files "/proc/self/fd" nil "\\`[0-9]+\\'")))

(defvar netopt-test--open nil
  "Sockets made by `netopt-test-socket' in the current test.")

(defvar netopt-test--processes nil
  "Processes given to `netopt-test-delete-later' in the current test.")

(defun netopt-test-close-later (socket)
  "Close SOCKET at the end of the test; return it.
Sockets closed twice are harmless: SOCKET may be closed by the test."
  (push socket netopt-test--open)
  socket)

(defun netopt-test-socket (&rest args)
  "Call `netopt-make-socket' with ARGS; the socket is closed after the test."
  (netopt-test-close-later (apply #'netopt-make-socket args)))

(defun netopt-test-delete-later (process)
  "Delete PROCESS at the end of the test; return it."
  (push process netopt-test--processes)
  process)

(defun netopt-test-make-process (&rest args)
  "Call `make-network-process' with ARGS; delete the process after the test."
  (netopt-test-delete-later (apply #'make-network-process args)))

(defmacro netopt-test-with-cleanup (&rest body)
  "Run BODY, then clean up after it.
Delete every process given to `netopt-test-delete-later' in BODY, then close
every socket `netopt-test-socket' made in it."
  (declare (indent 0) (debug t))
  `(let ((netopt-test--open nil)
         (netopt-test--processes nil))
     (unwind-protect (progn ,@body)
       (mapc #'delete-process netopt-test--processes)
       (mapc #'netopt-close netopt-test--open))))

(defmacro netopt-deftest (name args doc &rest body)
  "Define an ERT test NAME whose sockets and processes go at the end.
ARGS, DOC and BODY are as for `ert-deftest'."
  (declare (indent 2) (doc-string 3) (debug t))
  `(ert-deftest ,name ,args ,doc (netopt-test-with-cleanup ,@body)))

(defun netopt-test-process-pair (&rest server-args)
  "Return Emacs processes (SERVER CLIENT CHILD), SERVER made with SERVER-ARGS.
An IPv4 stream connection on loopback; all three are deleted after the
test."
  (let* ((child nil)
         (srv (apply #'netopt-test-make-process
                     :name "srv" :server t :host "127.0.0.1" :service t
                     :family 'ipv4
                     :log (lambda (_s c _m)
                            (setq child (netopt-test-delete-later c)))
                     server-args))
         (cli (netopt-test-make-process
               :name "cli" :host "127.0.0.1"
               :service (process-contact srv :service))))
    (should (netopt-test-wait-for (lambda () child)))
    (list srv cli child)))

(defun netopt-test-server (&rest args)
  "Return a listening IPv4 stream server on loopback, made with ARGS."
  (apply #'netopt-test-socket :server t :host "127.0.0.1" :service t args))

(defun netopt-test-port (socket)
  "Return the local port of SOCKET."
  (let ((local (netopt-contact socket :local)))
    (aref local (1- (length local)))))

(defun netopt-test-pair (&rest server-args)
  "Return (SERVER CLIENT CHILD): a connected IPv4 stream pair.
SERVER-ARGS go to the server."
  (let* ((srv (apply #'netopt-test-server server-args))
         (cli (netopt-test-socket :host "127.0.0.1"
                                  :service (netopt-test-port srv)))
         (child (netopt-test-close-later (netopt-accept srv 5))))
    (list srv cli child)))

(defun netopt-test-receive-all (socket &optional timeout)
  "Read SOCKET until the end of the stream; return all the data.
Stop with what arrived if TIMEOUT seconds (default 5) pass in silence."
  (let ((chunks nil) (done nil))
    (while (not done)
      (let ((s (netopt-receive socket :timeout (or timeout 5))))
        (if (or (null s) (equal s ""))
            (setq done t)
          (push s chunks))))
    (apply #'concat (nreverse chunks))))

(defun netopt-test-ipv6-p ()
  "Return non-nil if this machine can use IPv6 on loopback."
  (condition-case nil
      (progn (netopt-close (netopt-make-socket :family 'ipv6 :server t
                                               :host "::1" :service t))
             t)
    (netopt-error nil)))

(defun netopt-test-temp-socket-name ()
  "Return a fresh file name for a local socket."
  (let ((name (make-temp-name
               (expand-file-name "netopt-" temporary-file-directory))))
    name))

(defun netopt-test-emacs-through (wrapper form)
  "Evaluate FORM in a batch Emacs started through the command WRAPPER.
WRAPPER is a list: a program and its arguments, to which the Emacs
command line is appended.  The child requires netopt-module (from
`netopt-test-lisp-directory', with the plain module, never the
sanitizer's) and prints FORM's value on its last line.  Return
\(EXIT-STATUS . OUTPUT), OUTPUT with standard error and the
last line last."
  (with-temp-buffer
    (let* ((default-directory netopt-test-root)
           (rc (apply #'netopt-test-call-process (car wrapper) nil t nil
                      (append
                       (cdr wrapper)
                       (list (expand-file-name invocation-name
                                               invocation-directory)
                             "-Q" "--batch" "-L"
                             netopt-test-lisp-directory
                             "--eval"
                             (format "(progn (require 'netopt-module) (prin1 %S))"
                                     form))))))
      (cons rc (buffer-string)))))

(defun netopt-test-last-line (text)
  "Return the last line of TEXT."
  (car (last (split-string text "\n"))))

(defun netopt-test-as-nobody (form)
  "Evaluate FORM in a batch Emacs running as user nobody.
Return what FORM's value prints as.  Skips the test when this Emacs
cannot switch users.  The child loads the Lisp layer this Emacs
loaded, and the plain module."
  (unless (and (eq (user-uid) 0) (executable-find "setpriv"))
    (ert-skip "needs root and setpriv to run as nobody"))
  (let ((result (netopt-test-emacs-through
                 '("setpriv" "--reuid=nobody" "--regid=nogroup"
                   "--clear-groups" "--inh-caps=-all")
                 form)))
    (unless (eq (car result) 0)
      (error "Emacs as nobody failed (%s): %s" (car result) (cdr result)))
    (netopt-test-last-line (cdr result))))

;;;; Emacs in a terminal: tmux

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

;;;; Child Emacsen, bounded in time

(defun netopt-test-child (form &rest keys)
  "Evaluate FORM in a batch Emacs; return its printed value, read back.
FORM is evaluated with lexical binding, with netopt-module and these
helpers loaded.  KEYS:

  :seconds N   kill the child (and its children) after N seconds
               (default 30); the result is then `:timed-out'
  :unshare L   run it under `unshare' with the flags L, e.g. (\"-n\"):
               the test is skipped when this Emacs is not root
  :setup STR   shell commands run first (inside the namespaces)

An error in the child comes back as (:child-error ERROR)."
  (let ((seconds (or (plist-get keys :seconds) 30))
        (unshare (plist-get keys :unshare))
        (setup (plist-get keys :setup)))
    (when (and unshare (not (and (eq (user-uid) 0)
                                 (executable-find "unshare"))))
      (ert-skip "needs root and unshare"))
    (with-temp-buffer
      (let* ((default-directory netopt-test-root)
             ;; The plain module, no sanitizer runtime, no make state.
             (process-environment (netopt-test-environment))
             (emacs (expand-file-name invocation-name invocation-directory))
             (expr (format "(let ((v (condition-case err (eval '%S t) (error (list :child-error err))))) (princ \"\\nNETOPT-CHILD \") (prin1 v) (terpri) (kill-emacs 0))"
                           form))
             (script (concat (if setup (concat setup " && ") "")
                             "exec \"$0\" \"$@\""))
             (rc (apply #'call-process "timeout" nil t nil
                        "-k" "5" (number-to-string seconds)
                        (append
                         (and unshare (cons "unshare" unshare))
                         (list "sh" "-c" script emacs "-Q" "--batch"
                               "-L" netopt-test-lisp-directory
                               "-L" netopt-test-directory
                               "-l" "netopt-test-helpers"
                               "--eval" expr)))))
        (cond
         ((memq rc '(124 137)) :timed-out)
         ((progn (goto-char (point-max))
                 (re-search-backward "^NETOPT-CHILD " nil t))
          (goto-char (match-end 0))
          (read (current-buffer)))
         ((string-match-p "unshare failed\\|Operation not permitted"
                          (buffer-string))
          (ert-skip (format "namespaces are not available: %s"
                            (buffer-string))))
         (t (error "The child Emacs failed (%s): %s" rc (buffer-string))))))))

(defun netopt-test-cpu-seconds ()
  "Return the CPU time (user and system) this Emacs has used, in seconds."
  (let ((attrs (process-attributes (emacs-pid))))
    (+ (float-time (alist-get 'utime attrs))
       (float-time (alist-get 'stime attrs)))))

(defun netopt-test-fill-local-backlog (file)
  "Fill the accept queue of the local stream server listening on FILE.
Connect Emacs network processes (not netopt) without waiting until the
kernel refuses one; return the connected ones, whose connections are
queued and not accepted.  Signal an error if 100 fit."
  (let ((open nil) (full nil))
    (while (not full)
      (when (>= (length open) 100)
        (error "The backlog of %s never filled" file))
      (let ((p (condition-case nil
                   (make-network-process :name "netopt-fill" :family 'local
                                         :service file :nowait t
                                         :noquery t :sentinel #'ignore)
                 (file-error nil)))
            (n 0))
        (while (and p (eq (process-status p) 'connect) (< n 100))
          (accept-process-output nil 0.01)
          (setq n (1+ n)))
        (if (and p (eq (process-status p) 'open))
            (push p open)
          (when p (delete-process p))
          (setq full t))))
    open))

(defun netopt-test-dns-child (form &rest keys)
  "Evaluate FORM with `netopt-test-child' in private mount and net namespaces.
In them, /etc/resolv.conf says \"nameserver 127.0.0.1\" only,
/etc/nsswitch.conf \"hosts: files dns\" and /etc/hosts names only
localhost, whatever this machine has; the loopback is down until FORM
brings it up.  KEYS are as for `netopt-test-child' (:seconds)."
  (let ((files (mapcar (lambda (text) (make-temp-file "netopt-etc" nil nil text))
                       '("nameserver 127.0.0.1\n"
                         "hosts: files dns\n"
                         "127.0.0.1 localhost\n::1 localhost\n"))))
    (unwind-protect
        (netopt-test-child
         form :seconds (or (plist-get keys :seconds) 30)
         :unshare '("-m" "-n")
         :setup (mapconcat
                 (lambda (pair)
                   (format "mount --bind %s %s"
                           (shell-quote-argument (car pair)) (cdr pair)))
                 (cl-mapcar #'cons files '("/etc/resolv.conf"
                                           "/etc/nsswitch.conf"
                                           "/etc/hosts"))
                 " && "))
      (mapc #'delete-file files))))

;;;; Servers that tests run: ngircd, openssl s_server

(defun netopt-test-require-program (program)
  "Return PROGRAM's file name, or skip the test when it is not installed."
  (or (executable-find program)
      (let ((sbin (expand-file-name program "/usr/sbin")))
        (and (file-executable-p sbin) sbin))
      (ert-skip (format "%s is not installed (.ci/run installs it)" program))))

(defun netopt-test-free-port ()
  "Return a TCP port of 127.0.0.1 that was free a moment ago."
  (let ((s (netopt-make-socket :server t :host "127.0.0.1" :service t)))
    (prog1 (let ((local (netopt-contact s :local)))
             (aref local (1- (length local))))
      (netopt-close s))))

(defun netopt-test-listening-p (port)
  "Return non-nil if a TCP socket listens on 127.0.0.1:PORT.
Read from /proc/net/tcp, without connecting to it."
  (with-temp-buffer
    (insert-file-contents "/proc/net/tcp")
    (re-search-forward (format ": 0100007F:%04X 00000000:0000 0A " port)
                       nil t)))

(defun netopt-test-start-server (name port program &rest args)
  "Start PROGRAM with ARGS, a server that is to listen on 127.0.0.1:PORT.
NAME names its process and output buffer.  Wait (10 s at most) until
the port listens; return the process.  Signal an error with its output
if it exits or does not listen in time.  Stop it with
`netopt-test-stop-server'."
  (let* ((process-environment (netopt-test-environment))
         (buffer (generate-new-buffer (format " *%s*" name)))
         (proc (make-process :name name :buffer buffer :noquery t
                             :connection-type 'pipe
                             :command (append (list netopt-test-pristine
                                                    program)
                                              args)))
         (n 0))
    (while (and (process-live-p proc) (< n 200)
                (not (netopt-test-listening-p port)))
      (accept-process-output proc 0.05)
      (setq n (1+ n)))
    (unless (and (process-live-p proc) (netopt-test-listening-p port))
      (let ((output (with-current-buffer buffer (buffer-string))))
        (netopt-test-stop-server proc)
        (error "%s did not listen on port %d: %s" name port output)))
    proc))

(defun netopt-test-stop-server (proc)
  "Kill PROC, a server from `netopt-test-start-server', and its buffer."
  (let ((buffer (process-buffer proc)))
    (delete-process proc)
    (when (buffer-live-p buffer) (kill-buffer buffer))))

(defun netopt-test-ngircd (dir port &optional tls)
  "Start ngircd on 127.0.0.1:PORT, its files in the directory DIR.
It runs in the foreground (-n) with a configuration written to DIR:
no DNS, ident or PAM look-ups.  With TLS non-nil PORT talks TLS, with
a new self-signed certificate, and a plain port is left unused.  Skip
the test without ngircd.  Return the process, for
`netopt-test-stop-server'."
  (let ((ngircd (netopt-test-require-program "ngircd"))
        (conf (expand-file-name "ngircd.conf" dir))
        (pair (and tls (netopt-test-certificate dir))))
    ;; ngircd run as root drops to nobody, who must write its pid file
    ;; and read its certificate.
    (set-file-modes dir #o777)
    (dolist (file pair) (set-file-modes file #o644))
    (with-temp-file conf
      (insert "[Global]\n"
              "Name = irc.netopt.test\n"
              ;; Announced in ISUPPORT: ERC 5.6 (Emacs 30) ends a
              ;; connection whose network it cannot name.
              "Network = NetoptTest\n"
              "Info = netopt test server\n"
              "AdminInfo1 = netopt tests\n"
              "AdminInfo2 = loopback\n"
              "AdminEMail = nobody@localhost\n"
              "Listen = 127.0.0.1\n"
              (format "Ports = %d\n" (if tls (netopt-test-free-port) port))
              (format "PidFile = %s\n" (expand-file-name "ngircd.pid" dir))
              "MotdPhrase = netopt\n"
              "[Limits]\n"
              "PingTimeout = 120\n"
              "[Options]\n"
              "DNS = no\n"
              "Ident = no\n"
              "PAM = no\n")
      (when tls
        (insert "[SSL]\n"
                (format "CertFile = %s\n" (car pair))
                (format "KeyFile = %s\n" (cadr pair))
                (format "Ports = %d\n" port))))
    (set-file-modes conf #o644)
    (netopt-test-start-server "ngircd" port ngircd "-n" "-f" conf)))

(defun netopt-test-certificate (dir)
  "Make a self-signed certificate for localhost in DIR; return (CERT KEY)."
  (let ((openssl (netopt-test-require-program "openssl"))
        (cert (expand-file-name "cert.pem" dir))
        (key (expand-file-name "key.pem" dir)))
    (let ((made (netopt-test-command
                 openssl "req" "-x509" "-newkey" "ec"
                 "-pkeyopt" "ec_paramgen_curve:prime256v1" "-nodes"
                 "-keyout" key "-out" cert "-subj" "/CN=localhost"
                 "-days" "2")))
      (unless (eq (car made) 0)
        (error "The openssl req command failed: %s" (cdr made))))
    (list cert key)))

(defun netopt-test-tls-server (dir port &optional www)
  "Start openssl s_server -rev on 127.0.0.1:PORT with a new certificate.
The self-signed certificate and its key are made in the directory DIR.
The server sends back each line it receives, reversed; with WWW
non-nil it is an HTTPS server instead (-www: a status page for any
GET).  Skip the test without openssl.  Return the process, for
`netopt-test-stop-server'."
  (let* ((openssl (netopt-test-require-program "openssl"))
         (pair (netopt-test-certificate dir)))
    (netopt-test-start-server "s_server" port openssl "s_server"
                              "-accept" (format "127.0.0.1:%d" port)
                              "-cert" (car pair) "-key" (cadr pair)
                              (if www "-www" "-rev"))))

(defmacro netopt-test-with-server (spec &rest body)
  "Run BODY with a server running, stopped afterwards.
SPEC is (PORT-VAR STARTER &rest ARGS): STARTER (`netopt-test-ngircd',
`netopt-test-tls-server') is given a new temporary directory, a free
port, which PORT-VAR is bound to, and ARGS."
  (declare (indent 1) (debug ((symbolp form &rest form) body)))
  (let ((dir (make-symbol "dir")) (server (make-symbol "server")))
    `(let* ((,dir (make-temp-file "netopt-server-" t))
            (,(car spec) (netopt-test-free-port))
            (,server nil))
       (unwind-protect
           (progn (setq ,server (funcall ,(cadr spec) ,dir ,(car spec)
                                         ,@(cddr spec)))
                  ,@body)
         (when ,server (netopt-test-stop-server ,server))
         (delete-directory ,dir t)))))

(defun netopt-test-emacs-sockets ()
  "Return sockpeek's view of every socket descriptor of this Emacs.
A list of (FD . ALIST); descriptors that vanish meanwhile are left out."
  (delq nil
        (mapcar (lambda (fd)
                  (let ((n (string-to-number fd)))
                    (let ((alist (ignore-errors (netopt-test-peek n))))
                      (and alist (cons n alist)))))
                (split-string
                 (with-temp-buffer
                   (netopt-test-call-process netopt-test-sockpeek nil t nil
                                             (number-to-string (emacs-pid))
                                             "list")
                   (buffer-string))
                 "\n" t))))

(defun netopt-test-sockets-with (&rest pairs)
  "Return the (FD . ALIST) views of this Emacs's sockets matching PAIRS.
PAIRS alternate sockpeek names and the strings they must print, as in
\(netopt-test-sockets-with \"local\" \"127.0.0.1:80\" \"acceptconn\" \"1\")."
  (seq-filter (lambda (entry)
                (let ((tail pairs) (ok t))
                  (while (and ok tail)
                    (setq ok (equal (cdr (assoc (car tail) (cdr entry)))
                                    (cadr tail)))
                    (setq tail (cddr tail)))
                  ok))
              (netopt-test-emacs-sockets)))

(defun netopt-test-socket-with-peer (peer)
  "Return the sockpeek view of this Emacs's one socket whose peer is PEER.
PEER is a string as sockpeek prints it, \"127.0.0.1:6667\".  Signal
an error unless exactly one socket of this Emacs has that peer."
  (let ((found (netopt-test-sockets-with "peer" peer)))
    (unless (= (length found) 1)
      (error "%d sockets of Emacs have the peer %s" (length found) peer))
    (cdar found)))

(defun netopt-test-fill-tcp-backlog (port)
  "Fill the accept queue of the IPv4 listener on 127.0.0.1:PORT.
Connect netopt sockets (0.3 s each at most) until one cannot: the
queue is then full and the kernel drops further SYNs, so a new client
stays in SYN-SENT.  Return the sockets that connected; signal an error
if 20 fit."
  (let ((open nil) (full nil))
    (while (not full)
      (when (>= (length open) 20)
        (error "The backlog of port %d never filled" port))
      (condition-case nil
          (push (netopt-make-socket :host "127.0.0.1" :service port
                                    :timeout 0.3)
                open)
        (netopt-error (setq full t))))
    open))

(defun netopt-test-wait-for (predicate &optional seconds)
  "Run Emacs's processes until PREDICATE is non-nil; return its value.
Wait SECONDS (default 10) at most."
  ;; A deadline, not a count: `accept-process-output' returns early
  ;; whenever any process has output.
  (let ((end (+ (float-time) (or seconds 10))) (v nil))
    (while (and (not (setq v (funcall predicate))) (< (float-time) end))
      (accept-process-output nil 0.05))
    v))

(provide 'netopt-test-helpers)
;;; netopt-test-helpers.el ends here
