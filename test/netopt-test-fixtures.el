;;; netopt-test-fixtures.el --- sockets, pairs, kernel readers, clean-up  -*- lexical-binding: t; -*-

;;; Commentary:

;; The fixtures of netopt's tests: the sockets, pairs and processes a
;; test makes (closed and deleted at its end by `netopt-deftest', the
;; one test-defining macro), the kernel's view of a socket and external
;; commands run from a clean state.
;;
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

(defun netopt-test-active-opens ()
  "Return the kernel's count of TCP connection attempts (ActiveOpens).
Read from /proc/net/snmp, of this network namespace: a test in a
namespace of its own counts its own attempts."
  (with-temp-buffer
    (insert-file-contents "/proc/net/snmp")
    (re-search-forward "^Tcp: .*\n")
    (let ((names (split-string (match-string 0)))
          (values (split-string
                   (buffer-substring (point) (line-end-position)))))
      (string-to-number (nth (seq-position names "ActiveOpens") values)))))

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

;;;; Clean-up, and the one test-defining macro

(defvar netopt-test--open nil
  "Sockets made by `netopt-test-socket' in the current test.")

(defvar netopt-test--processes nil
  "Processes given to `netopt-test-delete-later' in the current test.")

(defvar netopt-test--timers nil
  "Timers given to `netopt-test-cancel-later' in the current test.")

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

(defun netopt-test-cancel-later (timer)
  "Cancel TIMER at the end of the test; return it."
  (push timer netopt-test--timers)
  timer)

(defvar netopt--jobs)

(defmacro netopt-test-with-cleanup (&rest body)
  "Run BODY, then clean up after it.
Cancel every timer given to `netopt-test-cancel-later' in BODY, delete
every process given to `netopt-test-delete-later', then close every
socket `netopt-test-socket' made in it, and let the background
connections of deleted processes end."
  (declare (indent 0) (debug t))
  `(let ((netopt-test--open nil)
         (netopt-test--processes nil)
         (netopt-test--timers nil))
     (unwind-protect (progn ,@body)
       (mapc #'cancel-timer netopt-test--timers)
       (mapc #'delete-process netopt-test--processes)
       (mapc #'netopt-close netopt-test--open)
       ;; A connection netopt was making in the background for a
       ;; process deleted now ends within a quarter of a second.
       (when (boundp 'netopt--jobs)
         (netopt-test-wait-for
          (lambda () (zerop (hash-table-count netopt--jobs))) 2)))))

(defmacro netopt-deftest (name args doc &rest body)
  "Define an ERT test NAME whose sockets, processes and timers go at the end.
ARGS, DOC and BODY are as for `ert-deftest': BODY may start with
keyword arguments (:tags, :expected-result).  The rest of BODY runs in
`netopt-test-with-cleanup'."
  (declare (indent 2) (doc-string 3) (debug t))
  (let ((keys nil))
    (while (keywordp (car body))
      (push (pop body) keys)
      (push (pop body) keys))
    `(ert-deftest ,name ,args ,doc ,@(nreverse keys)
       (netopt-test-with-cleanup ,@body))))

;;;; Sockets and pairs

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

(defun netopt-test-last-line (text)
  "Return the last line of TEXT."
  (car (last (split-string text "\n"))))

(defun netopt-test-cpu-seconds ()
  "Return the CPU time (user and system) this Emacs has used, in seconds."
  (let ((attrs (process-attributes (emacs-pid))))
    (+ (float-time (alist-get 'utime attrs))
       (float-time (alist-get 'stime attrs)))))

;;;; This Emacs's sockets, as the kernel shows them

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

(defun netopt-test-other-end (server)
  "Accept the next connection of SERVER, a netopt socket.
Return the sockpeek view of this Emacs's socket at its other end: the
one whose local address is the accepted connection's peer, as the
kernel gives it.  The accepted socket is closed after the test."
  (let ((child (netopt-accept server 5)))
    (should child)
    (netopt-test-close-later child)
    (let ((found (netopt-test-sockets-with
                  "local" (netopt-test-address-string
                           (netopt-contact child :remote)))))
      (should (= (length found) 1))
      (cdar found))))

(defun netopt-test-wait-for (predicate &optional seconds)
  "Run Emacs's processes until PREDICATE is non-nil; return its value.
Wait SECONDS (default 10) at most."
  ;; A deadline, not a count: `accept-process-output' returns early
  ;; whenever any process has output.
  (let ((end (+ (float-time) (or seconds 10))) (v nil))
    (while (and (not (setq v (funcall predicate))) (< (float-time) end))
      (accept-process-output nil 0.05))
    v))

(provide 'netopt-test-fixtures)
;;; netopt-test-fixtures.el ends here
