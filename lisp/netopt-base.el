;;; netopt-base.el --- the base of netopt's Lisp layer  -*- lexical-binding: t; -*-

;; Copyright (C) 2026 The netopt-module authors

;; This file is not part of GNU Emacs.

;;; Commentary:

;; What every other file of netopt builds on: the user options, the
;; errors, loading the compiled module (module/ in the source tree),
;; the declarations of the functions it defines in C, and the parts of
;; the API simplest in Lisp: `netopt-make-socket''s arguments,
;; `netopt-contact', a network process's contact, and how a socket
;; prints.  It requires no other file of netopt; netopt-module.el, the
;; package's main file, loads it and the rest.

;;; Code:

(defgroup netopt nil
  "Socket options for sockets and network processes."
  :group 'comm
  :prefix "netopt-")

(defcustom netopt-linger-seconds 10
  "Seconds a close waits for queued data when :linger is t.
The Emacs manual says `:linger t' waits for the successful
transmission of queued data; this is how long at most."
  :type 'natnum
  :group 'netopt)

(defcustom netopt-module-build-without-asking nil
  "Non-nil means build a missing compiled module without asking first.
In batch Emacs (`noninteractive') the module is always built without
asking."
  :type 'boolean
  :group 'netopt)

(defcustom netopt-connect-timeout 30
  "Seconds `netopt-make-socket' waits for a stream connection.
nil means no limit.  \\[keyboard-quit] interrupts the wait in any case."
  :type '(choice (const :tag "No limit" nil) number)
  :group 'netopt)

;;;; Errors

(define-error 'netopt-error "netopt error")
(define-error 'netopt-unknown-option "Unknown or unsupported option"
  'netopt-error)
(define-error 'netopt-bad-value "Bad option value" 'netopt-error)
(define-error 'netopt-system-error "netopt system error"
  '(netopt-error file-error))
(define-error 'netopt-permission-denied "Permission denied"
  'netopt-system-error)
(define-error 'netopt-closed "Socket is closed" 'netopt-error)
(define-error 'netopt-not-network "Process is not a network process"
  'netopt-error)
(define-error 'netopt-socket-not-found "Cannot identify the process's socket"
  'netopt-error)

;;;; Loading the module

(defconst netopt-module-version "0.1.0"
  "Version of the Lisp layer; the compiled module must report the same.")

(defun netopt--first (predicate list)
  "Return the first element of LIST that satisfies PREDICATE, or nil.
`seq-find' without loading seq.el, which costs `require' 30 ms."
  (while (and list (not (funcall predicate (car list))))
    (setq list (cdr list)))
  (car list))

(defun netopt--own-file ()
  "Return the absolute name of this file, or nil when it is unknown.
That is the file `load' reads now (`load-file-name'); a buffer
visiting netopt-base.el, evaluated; or the library's file as
`load-history' or `locate-library' know it, through the absolute
directories of `load-path' only.  Never anything found from
`default-directory'."
  (let ((own (lambda (file)
               (and (stringp file) (file-name-absolute-p file)
                    (not (string-prefix-p "~" file))
                    (string-match-p "\\`netopt-base\\.elc?\\(?:\\.gz\\)?\\'"
                                    (file-name-nondirectory file))
                    file))))
    (or (funcall own load-file-name)
        (funcall own buffer-file-name)
        (funcall own (car (netopt--first
                           (lambda (entry) (funcall own (car entry)))
                           load-history)))
        (let ((load-path (delq nil (mapcar (lambda (dir)
                                             (and (stringp dir)
                                                  (string-prefix-p "/" dir)
                                                  dir))
                                           load-path))))
          (funcall own (locate-library "netopt-base"))))))

(defconst netopt--lisp-directory
  (let ((file (netopt--own-file)))
    (and file (file-name-directory file)))
  "Directory this file was loaded from, or nil when it is unknown.
The compiled module and its Makefile are looked for from here only.")

(defun netopt--lisp-directory ()
  "Return `netopt--lisp-directory', or signal an error when it is unknown."
  (or netopt--lisp-directory
      (error "Cannot load netopt: the location of netopt-base.el is \
unknown (its text was evaluated, not loaded); load it with `load' or \
`require'")))

(defun netopt--developer-module-file ()
  "Return the module file NETOPT_MODULE_FILE names, or nil when unset.
A developer's switch (the sanitizer builds of `make check-sanitize'
use it): the file must be named by an absolute name, and be owned by
this user or root and writable by no one else, or loading signals an
error."
  (let ((file (getenv "NETOPT_MODULE_FILE")))
    (when (and file (not (equal file "")))
      (let* ((file-name-handler-alist nil)
             (true (and (string-prefix-p "/" file) (file-truename file)))
             (attributes (and true (file-attributes true 'integer)))
             (modes (and attributes (nth 8 attributes))))
        (unless (and attributes (null (nth 0 attributes))
                     (memql (nth 2 attributes)
                            (list 0 (user-uid)))
                     (eq (aref modes 5) ?-) (eq (aref modes 8) ?-))
          (error "Cannot load netopt: NETOPT_MODULE_FILE %s is refused: \
it must be an absolute name of a file owned by you or root, not \
writable by group or others" file))
        true))))

(defun netopt--module-file ()
  "Return the file name of the compiled module, or nil if none exists.
The environment variable NETOPT_MODULE_FILE, a developer's switch,
overrides the search (`netopt--developer-module-file').  Otherwise the
module is looked for next to this file, in module/ below it (an
installed package) and in ../module/ (a source checkout): from this
file's own location only, never from `default-directory'."
  (or (netopt--developer-module-file)
      (let ((name (concat "netopt-core" (or module-file-suffix ".so")))
            (dir (netopt--lisp-directory)))
        (netopt--first #'file-exists-p
                       (list (expand-file-name name dir)
                             (expand-file-name (concat "module/" name) dir)
                             (expand-file-name (concat "../module/" name)
                                               dir))))))

(defun netopt--source-directory ()
  "Return the directory whose Makefile builds the module, or nil."
  (let ((dir (netopt--lisp-directory)))
    (netopt--first (lambda (dir)
                     (and (file-exists-p (expand-file-name "Makefile" dir))
                          (file-directory-p (expand-file-name "module" dir))))
                   (list dir (expand-file-name ".." dir)))))

(defun netopt--build-in-batch (command)
  "Run the shell COMMAND in batch Emacs; return its exit status.
Its output is collected in a buffer of its own and then shown on
standard error, never inserted into the current buffer: while a
package is installed, the current buffer is the byte-compiler's
input."
  (message "netopt: building the module: %s" command)
  (let ((buffer (generate-new-buffer " *netopt-build*")))
    (unwind-protect
        (let ((status (with-current-buffer buffer
                        (call-process-shell-command command nil t nil))))
          (with-current-buffer buffer
            (goto-char (point-max))
            (skip-chars-backward "\n")
            (when (> (point) (point-min))
              (message "%s" (buffer-substring (point-min) (point)))))
          status)
      (kill-buffer buffer))))

(defun netopt-module-build ()
  "Build the compiled module with make, and return its file name.
In batch Emacs the output of make goes to standard error; otherwise it
shows in a compilation buffer.  A failed build signals an error that
names the command to run."
  (interactive)
  (let* ((dir (or (netopt--source-directory)
                  (error "Cannot build netopt: no Makefile and module/ near %s"
                         (netopt--lisp-directory))))
         (command (format "make -C %s" (shell-quote-argument
                                        (directory-file-name dir))))
         (status
          (if noninteractive
              (netopt--build-in-batch command)
            (let* ((buffer (compilation-start command))
                   (process (get-buffer-process buffer)))
              (while (and process (process-live-p process))
                (accept-process-output process 0.1))
              (if process (process-exit-status process) 1)))))
    (unless (eq status 0)
      (error "Building the netopt module failed; run `%s' to see why"
             command))
    (or (netopt--module-file)
        (error "Building netopt made no module; run `%s' to see why"
               command))))

(declare-function compilation-start "compile"
                  (command &optional mode name-function highlight-regexp
                           continue))

(defun netopt--load-module ()
  "Load the compiled module, building it first if it is missing.
Signal an error that says what is wrong when that cannot be done."
  (unless (featurep 'netopt-core)
    (unless module-file-suffix
      (error "Cannot load netopt: this Emacs was built without dynamic \
module support"))
    (let ((file (or (netopt--module-file)
                    (and (or noninteractive netopt-module-build-without-asking
                             (y-or-n-p "The netopt module is not built yet.  \
Build it now? "))
                         (progn (require 'compile) (netopt-module-build))))))
      (unless file
        (error "Cannot load netopt: compiled module not found; run `make' \
in %s" (or (netopt--source-directory) (netopt--lisp-directory))))
      (module-load file)))
  (let ((version (netopt--module-version)))
    (unless (equal version netopt-module-version)
      (error "Cannot load netopt: module version %s does not match Lisp \
version %s; rebuild it with `make clean all' in %s"
             version netopt-module-version
             (or (netopt--source-directory) "the source directory")))))

;;;; The functions the module defines in C

;; Every function of module/entry/module.c's table, declared here only.
;; The other Lisp files require this one, which loads the module when
;; they are compiled: they need no declarations of their own.
(declare-function netopt--make-socket "ext:netopt-core" (plist))
(declare-function netopt--socket-fds "ext:netopt-core" ())
(declare-function netopt--spare-fds "ext:netopt-core" (n))
(declare-function netopt--async-resolve "ext:netopt-core"
                  (host service family type))
(declare-function netopt--async-id "ext:netopt-core" (job))
(declare-function netopt--async-state "ext:netopt-core" (job))
(declare-function netopt--async-watch "ext:netopt-core" (job socket))
(declare-function netopt--async-news "ext:netopt-core" ())
(declare-function netopt--async-end "ext:netopt-core" (job))
(declare-function netopt--pending-remote "ext:netopt-core" ())
(declare-function netopt--pending-release "ext:netopt-core" ())
(declare-function netopt--wake-listen "ext:netopt-core" ())
(declare-function netopt--wake-accept "ext:netopt-core" (process))
(declare-function netopt--pending-start "ext:netopt-core" (process before))
(declare-function netopt--pending-attempt "ext:netopt-core"
                  (process socket &optional job))
(declare-function netopt--pending-finish "ext:netopt-core" (process socket))
(declare-function netopt--process-socket "ext:netopt-core" (process))
(declare-function netopt--process-owner "ext:netopt-core" (process))
(declare-function netopt--process-forget "ext:netopt-core" (process))
(declare-function netopt--adopt "ext:netopt-core"
                  (socket process before &optional listener))
(declare-function netopt--adopt-before "ext:netopt-core" (socket))
(declare-function netopt--configure-child "ext:netopt-core" (client server))
(declare-function netopt-accept "ext:netopt-core" (server &optional timeout))
(declare-function netopt-send "ext:netopt-core" (socket string &rest args))
(declare-function netopt-receive "ext:netopt-core" (socket &rest args))
(declare-function netopt-receive-from "ext:netopt-core" (socket &rest args))
(declare-function netopt-close "ext:netopt-core" (socket))
(declare-function netopt-socket-p "ext:netopt-core" (object))
(declare-function netopt-live-p "ext:netopt-core" (socket))
(declare-function netopt-set-option "ext:netopt-core"
                  (target option value &optional no-error))
(declare-function netopt-option "ext:netopt-core" (target option))
(declare-function netopt-supported-options "ext:netopt-core" ())
(declare-function netopt-option-info "ext:netopt-core" (option))
(declare-function netopt-join-group "ext:netopt-core"
                  (target group &optional interface))
(declare-function netopt-leave-group "ext:netopt-core"
                  (target group &optional interface))
(declare-function netopt-set-raw-option "ext:netopt-core"
                  (target level optname value))
(declare-function netopt-raw-option "ext:netopt-core"
                  (target level optname &optional length))
(declare-function netopt--read-options "ext:netopt-core" (target))
(declare-function netopt--socket-contact "ext:netopt-core" (socket))
(declare-function netopt--socket-fd "ext:netopt-core" (socket))
(declare-function netopt--module-version "ext:netopt-core" ())
(declare-function netopt--make-command "ext:netopt-core" (function spec))
(declare-function netopt--socket-registry "ext:netopt-core" ())

(netopt--load-module)

;;;; Entry points loaded on first use

;; The user interface and the demo load when first used, also from a
;; plain checkout without generated autoloads (their files carry
;; ;;;###autoload cookies as well).
(autoload 'netopt-list-sockets "netopt-list"
  "List every live netopt socket and Emacs network process, with options."
  t)
(autoload 'netopt-describe "netopt-list"
  "Describe every option of TARGET (a netopt socket or network process).")
(autoload 'netopt--read-set-option-args "netopt-list"
  "Read the arguments of `netopt-set-option' interactively.")
(autoload 'netopt-demo "netopt-demo"
  "Make sockets with options and print the kernel's view of them." t)

;; netopt-set-option is defined by the module in C; a wrapper would slow
;; every call, so the module function itself is made a command (Emacs
;; 28's make_interactive), whose reader loads netopt-list.  Emacs 25-27
;; take the symbol's interactive-form property instead, which Emacs 30
;; refuses on a module function.
(unless (netopt--make-command (symbol-function 'netopt-set-option)
                              '(netopt--read-set-option-args))
  (put 'netopt-set-option 'interactive-form
       '(interactive (netopt--read-set-option-args))))

;;;; Making sockets

(defun netopt--port-string-p (service)
  "Return non-nil if SERVICE is a port number written as a string."
  (and (stringp service) (string-match-p "\\`[0-9]+\\'" service)))

(defun netopt--socket-arguments (args &optional aside)
  "Return the arguments of `netopt--make-socket' for the keyword ARGS.
ARGS are those of `netopt-make-socket'.  The keywords are parsed and
the defaults applied here; the module checks every value again.  The
value is the plist `netopt--make-socket' takes, without :nowait and
:errors.  ASIDE, when non-nil, lists the keywords
of another function (`make-network-process'): those are no options,
and the value is (ARGUMENTS . PLIST), PLIST holding ARGS's keywords of
ASIDE in their order, from the same one pass over ARGS."
  (when (= (% (length args) 2) 1)
    (signal 'wrong-type-argument (list 'plistp args)))
  (let ((name "netopt") (type nil) (family nil) (host nil) (service nil)
        (server nil) (local nil) (remote nil) (child nil) (options nil)
        (timeout netopt-connect-timeout) (timeout-key 'netopt-connect-timeout)
        (kept nil))
    (while args
      (let ((key (pop args)) (value (pop args)))
        (when (memq key aside)
          (setq kept (cons value (cons key kept))))
        (pcase key
          (:name (when value (setq name value)))
          (:type (setq type value))
          (:family (setq family value))
          (:host (setq host value))
          (:service (setq service value))
          (:server (setq server value))
          (:local (setq local value))
          (:remote (setq remote value))
          (:timeout (when value (setq timeout value timeout-key :timeout)))
          (:child-options (setq child value))
          ((guard (memq key aside)))
          (_ (push key options) (push value options)))))
    (setq options (nreverse options))
    (unless (or (null timeout) (and (numberp timeout) (>= timeout 0)))
      (signal 'netopt-bad-value
              (list timeout-key timeout
                    "expected nil or a non-negative number of seconds")))
    (let ((local-family (or (eq family 'local) (stringp local)
                            (stringp remote))))
      ;; A port is a port however given: "99999" is no more valid than
      ;; 99999, and "0" is 0.
      (when (and (not local-family) (netopt--port-string-p service))
        (let ((port (string-to-number service)))
          (unless (<= port 65535)
            (signal 'netopt-bad-value
                    (list :service service "a port is 0-65535")))
          (setq service port)))
      (when (and server (not local-family)
                 (not (plist-member options :reuseaddr)))
        (setq options (cons :reuseaddr (cons t options)))))
    (let ((arguments (list :name name :family family :type type :server server
                           :host host :service service :local local
                           :remote remote :timeout timeout :options options
                           :child-options child)))
      (if aside (cons arguments (nreverse kept)) arguments))))

(defun netopt-make-socket (&rest args)
  "Create a socket, set its options, bind or connect it; return it.
ARGS are keyword arguments, with `make-network-process' meanings:
:name (default \"netopt\"), :type (stream, datagram or seqpacket),
:family (ipv4, ipv6, local, or nil to choose from the address), :host,
:service (a port, a service name, t for any free port; a local
socket's file name), :server (nil, t, or a backlog), :local and
:remote (addresses as `process-contact' shows them), :timeout
\(seconds for the whole call; default `netopt-connect-timeout'),
:child-options (options of each connection `netopt-accept' returns),
and any option keyword of `netopt-supported-options'.  Options are
set before the socket is bound or connected; an IP server gets
:reuseaddr t unless told otherwise, as in Emacs.

While it waits (name resolution, connect) Emacs runs: timers,
filters, sentinels and other threads, and \\[keyboard-quit] ends the
wait."
  (netopt--make-socket (netopt--socket-arguments args)))

;;;; Registry of live sockets

(defun netopt--live-sockets ()
  "Return the netopt sockets that are still open, oldest first."
  (let ((live nil))
    (maphash (lambda (socket _)
               (when (netopt-live-p socket) (push socket live)))
             (netopt--socket-registry))
    (sort live (lambda (a b) (< (netopt--socket-fd a) (netopt--socket-fd b))))))

;;;; Contact

(defun netopt-contact (target &optional key)
  "Return the contact information of TARGET, as `process-contact' does.
TARGET is a netopt socket or a live network process.  KEY nil means
\(HOST SERVICE); t means the whole plist, with every option that
applies to TARGET read from the kernel; a keyword means that entry,
options read from the kernel."
  (let ((base (cond ((netopt-socket-p target)
                     (netopt--socket-contact target))
                    ;; Check before any process function sees TARGET:
                    ;; Emacs 28.2 overflows a buffer when `process-type'
                    ;; gets a long string instead of a process.
                    ((processp target) (netopt--process-contact target))
                    (t (signal 'wrong-type-argument
                               (list 'processp target))))))
    ;; A process closed by its peer has its addresses, as Emacs's
    ;; contact has them, and no options: no descriptor is left to read.
    (cond ((null key) (list (plist-get base :host) (plist-get base :service)))
          ((eq key t) (append base (condition-case nil
                                       (netopt--read-options target)
                                     (netopt-closed nil))))
          ;; An option that reading clears (:error) is read only by an
          ;; explicit `netopt-option'.
          ((and (keywordp key) (get key 'netopt--option-index))
           (unless (plist-get (netopt-option-info key) :read-clears)
             (condition-case nil
                 (netopt-option target key)
               (netopt-unknown-option nil)
               (netopt-closed nil))))
          (t (plist-get base key)))))

;;;; Network processes

;; Emacs does not tell a module which descriptor a network process
;; uses.  The module finds it and keeps the answer (module/process/):
;; from what `process-contact' knows it matches this Emacs's
;; descriptors, and when several match, a probe through Emacs's own
;; `set-network-process-option' decides; otherwise
;; `netopt-socket-not-found' is signalled: netopt never guesses.  What
;; the Lisp layer adds is a process's contact with the kernel's
;; addresses.

(defun netopt--deleted-p (process)
  "Return non-nil if PROCESS was deleted (not merely closed by its peer).
Emacs takes both out of the process list; a connection its peer
closed has the exit status 256 (\"connection broken by remote peer\"),
a deleted one 0."
  (and (eq (process-status process) 'closed)
       (not (eql (process-exit-status process) 256))))

(defun netopt--process-contact-no-block (process)
  "Return PROCESS's whole contact plist, never waiting for a name.
nil while Emacs resolves PROCESS's host in the background (Emacs 25
and 26 cannot say, and wait).  Emacs waits only for a process still
connecting: a closed one has its contact."
  (if (and (>= emacs-major-version 27) (eq (process-status process) 'connect))
      (or (funcall #'process-contact process t t)
          ;; Emacs 28 says nothing of a connecting process: it waits only
          ;; while there is no socket yet, which a timer due at once ends.
          (with-timeout (0 nil) (process-contact process t)))
    (process-contact process t)))

(defun netopt--process-contact (process)
  "Return PROCESS's contact plist without options, addresses from the kernel.
A process closed by its peer has no socket left: its contact is then
Emacs's own.  A deleted process signals `netopt-closed'."
  (let* ((handle (condition-case err (netopt--process-socket process)
                   (netopt-closed
                    (when (netopt--deleted-p process)
                      (signal (car err) (cdr err))))))
         (kernel (and handle (netopt--socket-contact handle)))
         (plist (netopt--process-contact-no-block process))
         (result nil))
    (while plist
      (unless (get (car plist) 'netopt--option-index)
        (setq result (cons (cadr plist) (cons (car plist) result))))
      (setq plist (cddr plist)))
    (setq result (nreverse result))
    (when kernel
      (setq result (plist-put result :local (plist-get kernel :local)))
      (when (plist-get kernel :remote)
        (setq result (plist-put result :remote (plist-get kernel :remote)))))
    result))

;;;; Printing

(defun netopt--socket-description (socket)
  "Return SOCKET as #<netopt socket NAME ADDRESS>, never signalling.
ADDRESS is the peer of a connected socket, the local address of any
other; a closed socket is #<netopt socket closed>."
  (condition-case nil
      (if (not (netopt-live-p socket))
          "#<netopt socket closed>"
        (let* ((contact (netopt--socket-contact socket))
               (name (plist-get contact :name))
               (address (or (plist-get contact :remote)
                            (plist-get contact :local))))
          (concat "#<netopt socket"
                  (and name (format " %S" name))
                  (cond ((stringp address) (format " %S" address))
                        (address (concat " " (format-network-address address))))
                  ">")))
    (error "#<netopt socket>")))

;; Backtraces, ERT and `cl-prin1' show a socket by name and address;
;; `prin1' has no hook for a module's object on Emacs 28.
(with-eval-after-load 'cl-print
  (cl-defmethod cl-print-object ((object user-ptr) stream)
    "Print OBJECT, a netopt socket, by its name and address, on STREAM."
    (if (netopt-socket-p object)
        (princ (netopt--socket-description object) stream)
      (cl-call-next-method))))

(provide 'netopt-base)
;;; netopt-base.el ends here
