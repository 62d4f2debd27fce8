;;; netopt-adopt.el --- sockets made by netopt, run by Emacs  -*- lexical-binding: t; -*-

;; Copyright (C) 2026 The netopt-module authors

;; This file is not part of GNU Emacs.

;;; Commentary:

;; API section 5.1, `netopt-make-network-process', in three steps:
;;
;; 1. the module makes the socket and sets every option before bind and
;;    connect (`netopt--real-socket': the call's arguments are parsed
;;    once, into the module's and Emacs's);
;; 2. Emacs makes a placeholder process of the same family, type and
;;    role on loopback;
;; 3. one call of the module (`netopt--adopt') finds the placeholder's
;;    descriptor (the number that was free just before, once its socket
;;    shows the placeholder's addresses, or the one new socket of its
;;    kind since a snapshot), puts netopt's socket in its place with
;;    dup3 and registers it as the process's.
;;
;; Then the contact becomes the one Emacs would have made from the
;; call's arguments, and TLS starts on the real socket.  On any failure
;; nothing is left behind: no process, no descriptor, no socket file.

;;; Code:

(require 'netopt-base)

(defconst netopt--emacs-keywords
  '(:name :buffer :host :service :type :family :local :remote :coding
          :nowait :noquery :stop :filter :filter-multibyte :sentinel :log
          :plist :server :use-external-socket :tls-parameters)
  "The keywords of `make-network-process' netopt passes on or interprets.")

(defun netopt--emacs-make-network-process (args)
  "Call Emacs's own `make-network-process' with ARGS, past every advice.
netopt's placeholders are made this way: no advice (another
package's, or `netopt-mode''s) ever sees them."
  (apply (advice--cd*r (symbol-function 'make-network-process)) args))

(defun netopt--plist-without (plist keys)
  "Return a copy of PLIST without the properties in KEYS."
  (let ((out nil))
    (while plist
      (unless (memq (car plist) keys)
        (setq out (cons (cadr plist) (cons (car plist) out))))
      (setq plist (cddr plist)))
    (nreverse out)))

(defun netopt--loopback (family)
  "Return the loopback host of FAMILY (ipv4 or ipv6) as a string."
  (if (eq family 'ipv6) "::1" "127.0.0.1"))

(defun netopt--host-as-emacs (emacs-args)
  "Return the host Emacs connects to or binds for EMACS-ARGS.
Emacs makes `local' and a missing host (with no :local for a server,
no :remote for a client) the loopback address of the family: a
server made without :host listens on loopback only."
  (let ((host (plist-get emacs-args :host))
        (family (plist-get emacs-args :family)))
    (cond ((eq host 'local) (netopt--loopback family))
          ((or host (eq family 'local)
               (plist-get emacs-args
                          (if (plist-get emacs-args :server) :local :remote)))
           host)
          (t (netopt--loopback family)))))

(defun netopt--real-socket (args errors)
  "Make netopt's socket for `netopt-make-network-process' called with ARGS.
ERRORS `emacs' makes a failed connection signal as Emacs's own call
does (a `file-error' without the call's arguments).
ARGS are parsed once: return (SOCKET EMACS-ARGS OPTIONS), EMACS-ARGS
being ARGS's keywords of `make-network-process', OPTIONS the socket
options given (the manual's eight included: netopt sets them all,
before bind and connect).  A server's :child-options are checked here.
A :nowait connection is only started; a datagram client is left
unconnected, as Emacs leaves it."
  (let* ((parsed (netopt--socket-arguments args netopt--emacs-keywords))
         (arguments (car parsed))
         (emacs-args (cdr parsed))
         (type (plist-get emacs-args :type)))
    ;; Emacs's defaults: the host, and how far the socket gets now.
    (setq arguments
          (append (list :host (netopt--host-as-emacs emacs-args)
                        :nowait (cond ((plist-get emacs-args :server) nil)
                                      ((eq type 'datagram) 'unconnected)
                                      (t (and (plist-get emacs-args :nowait)
                                              t)))
                        :errors errors)
                  (netopt--plist-without arguments '(:host))))
    (list (netopt--make-socket arguments)
          emacs-args
          ;; The options given: not the :reuseaddr a server gets unasked.
          (if (plist-member args :reuseaddr)
              (plist-get arguments :options)
            (netopt--plist-without (plist-get arguments :options)
                                   '(:reuseaddr))))))

(defconst netopt--abstract-address "\0"
  "The local address of a placeholder: Emacs's one abstract address.
Emacs copies a local name up to its first NUL and passes the whole
sun_path, so a name that starts with NUL is, on Linux, the abstract
address whose sun_path is all NULs: a socket without a file, gone with its last
descriptor.  When another socket holds it, a placeholder takes a file
of `netopt--temp-socket-name' instead.")

(defun netopt--private-directory ()
  "Return a directory of this user's own, for a placeholder's socket file.
It is netopt-UID in $XDG_RUNTIME_DIR, in the variable
`temporary-file-directory' or in /tmp, the first that is (or is made,
mode 700) a directory, not a symbolic link, owned by this user, with
mode 700, and short enough for a socket address.  Signal `file-error'
when there is none."
  (let ((bases (delete-dups
                (delq nil (list (getenv "XDG_RUNTIME_DIR")
                                temporary-file-directory "/tmp"))))
        (file-name-handler-alist nil)
        (found nil))
    (while (and bases (not found))
      (let ((base (pop bases)))
        (when (and (stringp base) (string-prefix-p "/" base))
          (let ((dir (expand-file-name (format "netopt-%d" (user-uid))
                                       base)))
            (unless (file-exists-p dir)
              (ignore-errors (with-file-modes #o700 (make-directory dir))))
            (let ((attributes (file-attributes dir 'integer)))
              (when (and attributes (< (string-bytes dir) 90)
                         (eq (nth 0 attributes) t)
                         (eql (nth 2 attributes) (user-uid))
                         (equal (nth 8 attributes)
                                "drwx------"))
                (setq found dir)))))))
    (or found
        (signal 'file-error
                (list "Cannot make a local socket"
                      "address in use, and no private directory")))))

(defun netopt--temp-socket-name ()
  "Return a new file name for a placeholder's local socket.
A placeholder takes a file only when `netopt--abstract-address' is in
use; the file is in `netopt--private-directory', and is removed as
soon as the socket is handed over."
  (let ((file-name-handler-alist nil))
    (make-temp-name (expand-file-name "s" (netopt--private-directory)))))

(defun netopt--address-in-use-p (err)
  "Return non-nil if the error ERR is a bind's EADDRINUSE."
  (and (memq (car err) '(file-error netopt-system-error))
       (member "Address already in use" (cdr err))))

(defun netopt--delete-socket-file (file)
  "Remove FILE, a local socket netopt bound by that name; return t if done.
Only an absolute name, its own expansion, never through a file name
handler, and only while it is a socket: a bind succeeds only where
nothing was, so no file that was there before the call, nor a
relative name resolved against any other directory, is ever
removed."
  (let ((file-name-handler-alist nil))
    (when (and (stringp file) (string-prefix-p "/" file)
               (equal (expand-file-name file) file)
               (string-prefix-p "s" (or (nth 8 (file-attributes file)) "")))
      (ignore-errors (delete-file file) t))))

(defun netopt--placeholder-process (args socket &optional listener)
  "Make a placeholder with ARGS, put SOCKET in its place; return it.
LISTENER, a client placeholder's peer, is closed once the
placeholder is found.
As `netopt--make-placeholder' does, and more: a local server's
placeholder takes a file in the private directory when the abstract
address is in use, and that file is removed as soon as SOCKET is in
place.  An error names no placeholder: Emacs's data
about the placeholder's call (its contact) is left out."
  (condition-case err
      (condition-case err
          (netopt--make-placeholder args socket listener)
        (error
         (if (not (and (eq (plist-get args :family) 'local)
                       (plist-get args :server)
                       (netopt--address-in-use-p err)))
             (signal (car err) (cdr err))
           (let ((file (netopt--temp-socket-name)))
             (unwind-protect
                 (netopt--make-placeholder
                  (plist-put (copy-sequence args) :service file) socket)
               (netopt--delete-socket-file file))))))
    (file-error
     ;; Emacs's message and reason, the strings first in the data.
     (let ((data (cdr err)) (strings nil))
       (while (stringp (car data))
         (push (pop data) strings))
       (signal (car err) (nreverse strings))))))

(defun netopt--placeholder-args (emacs-args contact listener)
  "Return the `make-network-process' arguments of a placeholder.
The placeholder has the family, type and role of netopt's socket
\(CONTACT is its contact), on loopback (a client of a netopt server
at LISTENER, the address `netopt--listener-address' gives), and
EMACS-ARGS's other keywords (buffer, filter, coding ...), but never
:tls-parameters: TLS starts on the real socket.  A client
goes to an address vector, so Emacs resolves nothing; it is :nowait
when the call is, and then Emacs's loop sees the real connection end;
otherwise the loopback connection is made at once and
the process is open when `make-network-process' returns."
  (let* ((family (plist-get contact :family))
         (type (plist-get contact :type))
         (rest (netopt--plist-without
                emacs-args '(:host :service :family :local :remote :nowait
                                   :server :type :tls-parameters))))
    (append
     ;; Emacs knows a stream as no :type at all.
     (list :type (and (not (eq type 'stream)) type) :family family)
     (cond ((plist-get contact :server)
            (list :server (plist-get emacs-args :server)
                  :service (if (eq family 'local)
                               netopt--abstract-address
                             0)
                  :host (and (not (eq family 'local))
                             (netopt--loopback family))))
           ((eq type 'datagram)
            (list :remote (if (eq family 'local)
                              listener
                            (vconcat (if (eq family 'ipv6) [0 0 0 0 0 0 0 1]
                                       [127 0 0 1])
                                     [9]))))
           (t (list :remote listener
                    :nowait (and (plist-get emacs-args :nowait) t))))
     rest)))

(defun netopt--placeholder-listener (contact)
  "Return a netopt server a client placeholder can reach, or nil.
CONTACT is the contact of netopt's socket.  A local one listens on
`netopt--abstract-address', or, when that is in use, on a file in the
private directory."
  (let ((family (plist-get contact :family))
        (type (plist-get contact :type)))
    (unless (or (plist-get contact :server)
                (and (eq type 'datagram) (not (eq family 'local))))
      (if (eq family 'local)
          (condition-case err
              (netopt-make-socket :type type :server t
                                  :local netopt--abstract-address)
            (netopt-system-error
             (if (netopt--address-in-use-p err)
                 (netopt-make-socket :family 'local :type type :server t
                                     :service (netopt--temp-socket-name))
               (signal (car err) (cdr err)))))
        (netopt-make-socket :family family :type type
                            :server t :host (netopt--loopback family)
                            :service 0)))))

(defun netopt--listener-address (contact)
  "Return the address a client placeholder reaches a listener at.
CONTACT is the listener's contact.  A local listener is at its file,
or at `netopt--abstract-address' (which its contact shows as no
name)."
  (if (eq (plist-get contact :family) 'local)
      (or (plist-get contact :local) netopt--abstract-address)
    (plist-get contact :local)))

(defun netopt--make-placeholder (args socket &optional listener)
  "Make a placeholder process with ARGS and put SOCKET in its place.
The placeholder's descriptor is the socket of SOCKET's kind that
Emacs's call added, told by facts about the descriptor: the number
that was free just before, holding now the one socket with the
placeholder's addresses, or the one new socket since a snapshot,
whatever else runs or is collected meanwhile, and with or without
other sockets open.  LISTENER, the placeholder's peer, is closed
once it is found.  Return the process; on failure it is deleted."
  (let* ((before (netopt--adopt-before socket))
         (process (netopt--emacs-make-network-process args)))
    (condition-case err
        (netopt--adopt socket process before listener)
      (error (delete-process process)
             (signal (car err) (cdr err))))
    process))

(defun netopt--contact-as-emacs (args socket-contact placeholder-contact)
  "Return the contact plist Emacs would have made for the call ARGS.
Emacs keeps the arguments as given, then adds what the connection
is: a client's :remote and :local, a server's :local and, for
:service t or 0, its port (a datagram server also its :remote).
Those come from SOCKET-CONTACT, netopt's socket's contact (the
kernel's view), and PLACEHOLDER-CONTACT."
  (let* ((contact (copy-sequence args))
         (server (plist-get socket-contact :server))
         (local (plist-get socket-contact :local)))
    (if (not server)
        (setq contact (plist-put (plist-put contact :remote
                                            (plist-get socket-contact
                                                       :remote))
                                 ;; An unnamed local socket: "".
                                 :local (or local "")))
      (setq contact (plist-put contact :local local))
      (when (and (vectorp local)
                 (member (plist-get args :service) '(t 0 nil "0")))
        (setq contact (plist-put contact :service
                                 (aref local (1- (length local))))))
      (when (plist-member placeholder-contact :remote)
        (setq contact (plist-put contact :remote
                                 (plist-get placeholder-contact :remote)))))
    contact))

(defun netopt--set-contact (process contact)
  "Make PROCESS's own contact plist CONTACT, in place."
  (let ((own (process-contact process t)))
    (setcar own (car contact))
    (setcdr own (cdr contact))))

(defun netopt--options-as-set (process contact options)
  "Put in CONTACT, PROCESS's, the kernel's value of each of OPTIONS."
  (let ((tail options))
    (while tail
      (plist-put contact (car tail)
                 (condition-case nil (netopt-option process (car tail))
                   (netopt-error (cadr tail))))
      (setq tail (cddr tail)))))

(defun netopt--child-log (user-log)
  "Return the :log function of an adopted server.
It gives each accepted connection the kernel's defaults and the
server's :child-options before its filter sees data, then calls
USER-LOG as Emacs would.  When accept failed (CLIENT nil, EMFILE), it
only calls USER-LOG."
  (lambda (server client message)
    (when client
      (condition-case err
          (netopt--configure-child client server)
        (error
         (delete-process client)
         (message "netopt: %s: connection closed: %s" (process-name server)
                  (error-message-string err)))))
    (when user-log
      (funcall user-log server client message))))

(defun netopt--start-tls (process parameters nowait)
  "Start TLS on PROCESS, now on netopt's socket, as Emacs would.
PARAMETERS are the call's :tls-parameters, (TYPE . PROPLIST) for
`gnutls-boot'.  With NOWAIT, Emacs boots gnutls on a connection still
in progress and its loop completes the handshake.  Otherwise the
handshake completes in `gnutls-boot', then, as Emacs's own call does,
the Network Security Manager checks the connection and the sentinel
is told \"open\"; a failure deletes PROCESS and signals."
  (when (and parameters (fboundp 'gnutls-boot) (gnutls-available-p))
    (let ((result (gnutls-boot process (car parameters) (cdr parameters)))
          (contact (process-contact process t)))
      (unless nowait
        (unless (and (eq result t)
                     (or (not (fboundp 'nsm-verify-connection))
                         (nsm-verify-connection
                          process (plist-get contact :host)
                          (plist-get contact :service))))
          (delete-process process)
          (error "TLS negotiation failed: %s"
                 (if (eq result t)
                     "the Network Security Manager stopped the connection"
                   result)))
        (funcall (process-sentinel process) process "open\n")))))

(declare-function nsm-verify-connection "nsm"
                  (process host port &optional save-fingerprint
                           warn-unencrypted))
(declare-function gnutls-boot "gnutls.c" (process type proplist))
(declare-function gnutls-available-p "gnutls.c" ())

(defun netopt--adopt-socket (socket args emacs-args options)
  "Hand SOCKET, made for the call ARGS, to Emacs; return the process.
EMACS-ARGS are ARGS's keywords of `make-network-process', OPTIONS the
socket options given.  A placeholder is made, SOCKET put in its place,
and the contact made what Emacs's own would be.  On failure nothing is
left behind: no process, no placeholder file."
  (let* ((socket-contact (netopt--socket-contact socket))
         (server (plist-get socket-contact :server))
         ;; A TLS connection already made (a :nowait one to a near
         ;; server) has its handshake done at once, as a synchronous
         ;; call's: booted while Emacs still saw it connecting, it
         ;; would never leave `connect'.
         (nowait (and (plist-get emacs-args :nowait)
                      (not (and (plist-get emacs-args :tls-parameters)
                                (plist-get socket-contact :remote)))))
         (emacs-args (plist-put (copy-sequence emacs-args) :nowait nowait))
         (listener nil) (listener-contact nil) (process nil))
    (unwind-protect
        (progn
          (setq listener (netopt--placeholder-listener socket-contact))
          (setq listener-contact
                (and listener (netopt--socket-contact listener)))
          (setq process
                (netopt--placeholder-process
                 (netopt--placeholder-args
                  (if server
                      (cons :log
                            (cons (netopt--child-log
                                   (plist-get emacs-args :log))
                                  (if (plist-member emacs-args :log)
                                      (netopt--plist-without emacs-args
                                                             '(:log))
                                    emacs-args)))
                    emacs-args)
                  socket-contact
                  (and listener-contact
                       (netopt--listener-address listener-contact)))
                 socket listener))
          (condition-case err
              (let ((own (process-contact process t)))
                (netopt--set-contact process
                                     (netopt--contact-as-emacs
                                      args socket-contact own))
                ;; The same list, its contents now the contact's.
                (netopt--options-as-set process own options)
                (when (and (eq (plist-get socket-contact :type) 'datagram)
                           (not server))
                  (set-process-datagram-address
                   process (plist-get socket-contact :remote)))
                (netopt--start-tls process
                                   (plist-get emacs-args :tls-parameters)
                                   nowait))
            (error (delete-process process)
                   (setq process nil)
                   (signal (car err) (cdr err))))
          process)
      (when listener
        ;; Closed already once the placeholder was found; its file,
        ;; when it has one, is removed.
        (netopt-close listener)
        (netopt--delete-socket-file (plist-get listener-contact :local))))))

;;;; :nowait connections made in the background

;; A :nowait stream client returns at once, its process a placeholder
;; Emacs sees connecting (module/process/pending.c).  A job of the
;; module's resolves the host in a thread, and netopt tries each
;; address with a socket of its own, every option set before bind and
;; connect, as Emacs tries them; the socket that connects (or the last
;; one that failed, its error pending) is then put in the placeholder's
;; place, and Emacs reports "open" or the failure as for its own.  The
;; job's thread wakes Emacs through the wake channel, a loopback
;; connection whose filter takes the job's next step: nothing polls.

(defvar netopt--jobs (make-hash-table)
  "The background connections in progress, by job number.
Each value is a vector [JOB PROCESS ADDRESSES SOCKET PLIST FINISH ID
ARGS]:
the module's job, the placeholder process, the addresses left to try,
the socket connecting now, the `netopt--make-socket' arguments of
each attempt, the function called with the process and its
connected socket's contact (nil: it failed) after the hand-over, the
job's number, and the arguments of the call.")

(defvar netopt--wake-process nil
  "Emacs's end of the wake channel, while background connections run.")

(defun netopt--wake-filter (_process _output)
  "Take the next step of every background connection with news."
  (dolist (id (netopt--async-news))
    (let ((entry (gethash id netopt--jobs)))
      (when entry
        (condition-case err (netopt--job-step entry)
          ;; Never an error in Emacs's loop: the connection fails, as
          ;; Emacs reports a failed one, and nothing is left.
          (error
           (message "netopt: %s: %s" (process-name (aref entry 1))
                    (error-message-string err))
           (when (gethash id netopt--jobs)
             (ignore-errors (netopt--job-finish entry nil)))
           (when (gethash id netopt--jobs) (netopt--job-end entry))))))))

(defun netopt--wake-ensure ()
  "Make the wake channel unless it is open."
  (unless (process-live-p netopt--wake-process)
    (let* ((port (netopt--wake-listen))
           (process (netopt--emacs-make-network-process
                     (list :name " *netopt-wake*" :host "127.0.0.1"
                           :service port :family 'ipv4 :noquery t
                           :coding 'binary :filter #'netopt--wake-filter
                           :sentinel #'ignore))))
      ;; Any thread's wait reads it, not only this one's.
      (when (fboundp 'set-process-thread)
        (set-process-thread process nil))
      (condition-case err (netopt--wake-accept process)
        (error (delete-process process) (signal (car err) (cdr err))))
      (setq netopt--wake-process process)
      ;; News an earlier channel could not carry.
      (maphash (lambda (_id entry) (netopt--job-step entry)) netopt--jobs))))

(defun netopt--job-end (entry)
  "End the background connection ENTRY: its job and its socket go."
  (remhash (aref entry 6) netopt--jobs)
  (netopt--async-end (aref entry 0))
  (when (aref entry 3)
    (netopt-close (aref entry 3))
    (aset entry 3 nil))
  ;; The last one: nothing of netopt's is left open.
  (when (zerop (hash-table-count netopt--jobs))
    (when (process-live-p netopt--wake-process)
      (delete-process netopt--wake-process))
    (setq netopt--wake-process nil)
    (netopt--pending-release)))

(defun netopt--job-step (entry)
  "Take the next step of the background connection ENTRY."
  (let ((state (netopt--async-state (aref entry 0)))
        (process (aref entry 1)))
    (cond
     ;; Deleted meanwhile: nothing to hand over.
     ((not (eq (process-status process) 'connect)) (netopt--job-end entry))
     ((eq (car-safe state) 'resolved)
      (aset entry 2 (cdr state))
      (netopt--job-next entry))
     ((eq (car-safe state) 'unresolved) (netopt--job-finish entry nil))
     ((eq state 'connected) (netopt--job-finish entry (aref entry 3)))
     ((eq state 'failed)
      (if (null (aref entry 2))
          (netopt--job-finish entry (aref entry 3))
        (netopt-close (aref entry 3))
        (aset entry 3 nil)
        (netopt--job-next entry))))))

(defun netopt--job-next (entry)
  "Try the next address of the background connection ENTRY.
An address whose socket cannot even start connecting is passed over,
as Emacs passes it; when none is left the connection fails."
  (let ((socket nil))
    (while (and (not socket) (aref entry 2))
      (let ((address (car (aref entry 2))))
        (aset entry 2 (cdr (aref entry 2)))
        (setq socket (condition-case nil
                         (netopt--make-socket
                          (append (list :remote address) (aref entry 4)))
                       (error nil)))))
    (if (not socket)
        (netopt--job-finish entry nil)
      (aset entry 3 socket)
      (netopt--pending-attempt (aref entry 1) socket (aref entry 0))
      ;; As Emacs's own, the contact shows the attempt in progress.
      (netopt--set-contact (aref entry 1)
                           (netopt--contact-as-emacs
                            (aref entry 7) (netopt--socket-contact socket)
                            nil))
      (netopt--async-watch (aref entry 0) socket))))

(defun netopt--job-finish (entry socket)
  "Hand SOCKET (nil: none connected) to the process of ENTRY, and end it."
  (let ((process (aref entry 1))
        (contact (and socket (netopt--socket-contact socket))))
    (aset entry 3 nil)
    (unwind-protect
        (condition-case nil
            (progn (netopt--pending-finish process socket)
                   (funcall (aref entry 5) process
                            (and socket (eq (netopt--async-state
                                             (aref entry 0))
                                            'connected)
                                 contact)))
          ;; Deleted meanwhile.
          (netopt-closed nil))
      (when (and socket (netopt-live-p socket)) (netopt-close socket))
      (netopt--job-end entry))))

(defun netopt--adopt-pending (args emacs-args socket-args options)
  "Start the :nowait stream connection of the call ARGS; return its process.
EMACS-ARGS are ARGS's keywords of `make-network-process',
SOCKET-ARGS the `netopt--make-socket' arguments of each attempt
\(without :remote), OPTIONS the socket options given.  The process
returned is connecting, as Emacs's own call's: it ends \"open\" on
netopt's socket or failed, as Emacs reports it."
  (netopt--wake-ensure)
  (let* ((job (netopt--async-resolve (plist-get socket-args :host)
                                     (plist-get socket-args :service)
                                     (plist-get socket-args :family)
                                     'stream))
         (before (netopt--socket-fds))
         (process
          (condition-case err
              (netopt--emacs-make-network-process
               ;; TLS as Emacs does it for a :nowait call: booted now,
               ;; its first try finds the placeholder still connecting
               ;; and sends nothing; Emacs's loop goes on once the real
               ;; socket is in place and connected.
               (append (list :remote (netopt--pending-remote) :nowait t
                             :family 'ipv4)
                       (netopt--plist-without
                        emacs-args '(:host :service :family :local :remote
                                           :nowait :server :type))))
            (error (netopt--async-end job) (signal (car err) (cdr err))))))
    (condition-case err
        (netopt--pending-start process before)
      (error (netopt--async-end job)
             (set-process-sentinel process #'ignore)
             (delete-process process)
             (signal (car err) (cdr err))))
    (netopt--set-contact process (copy-sequence args))
    (puthash (netopt--async-id job)
             (vector job process nil nil
                     (append '(:nowait t)
                             (netopt--plist-without
                              socket-args '(:host :service :family :remote)))
                     (lambda (process contact)
                       (netopt--pending-done process contact args emacs-args
                                             options))
                     (netopt--async-id job) args)
             netopt--jobs)
    ;; An address needs no resolver: its first attempt starts now, so
    ;; that the contact shows it at once, as Emacs's own does.
    (when (netopt--address-literal-p (plist-get socket-args :host))
      (let ((end (+ (float-time) 1)) (id (netopt--async-id job)))
        (while (and (gethash id netopt--jobs)
                    (eq (netopt--async-state job) 'resolving)
                    (< (float-time) end))
          (sleep-for 0.001))))
    ;; The resolver may have finished before the entry was filed.
    (netopt--wake-filter nil nil)
    process))

(defun netopt--address-literal-p (host)
  "Return non-nil if HOST is a numeric IPv4 or IPv6 address."
  (and (stringp host)
       (string-match-p "\\`\\([0-9.]+\\|[0-9a-fA-F:.]*:[0-9a-fA-F:.%a-z]*\\)\\'"
                       host)))

(defun netopt--pending-done (process contact args emacs-args options)
  "Finish PROCESS, made for the call ARGS, now on netopt's socket.
CONTACT is its socket's contact when it connected, nil when it failed.
The process's contact becomes Emacs's, OPTIONS read back from the
kernel.  TLS (EMACS-ARGS's :tls-parameters) was booted by Emacs when
the placeholder was made, as for its own :nowait calls: Emacs's loop
does the handshake on the real socket."
  (ignore emacs-args)
  (when contact
    (netopt--set-contact process
                         (netopt--contact-as-emacs args contact nil))
    (netopt--options-as-set process (process-contact process t) options)))

(defun netopt--pending-p (emacs-args)
  "Return non-nil if the call EMACS-ARGS is made in the background.
A :nowait stream client to a host, of the IP families: it returns at
once, connecting, as Emacs's own."
  (and (plist-get emacs-args :nowait)
       (not (plist-get emacs-args :server))
       (memq (plist-get emacs-args :type) '(nil stream))
       (memq (plist-get emacs-args :family) '(nil ipv4 ipv6))
       (stringp (plist-get emacs-args :host))
       (not (plist-get emacs-args :remote))
       (not (plist-get emacs-args :use-external-socket))))

(defun netopt--usable-options (options family type)
  "Return (USABLE . REFUSED) for OPTIONS on a new FAMILY, TYPE socket.
Each option is set on a socket made for the purpose: USABLE is the
plist of those the kernel took (:child-options kept as they are),
REFUSED the list of (OPTION . ERROR) for the others, in order."
  (let ((probe (netopt-make-socket :family family :type type))
        (usable nil) (refused nil))
    (unwind-protect
        (while options
          (let ((key (car options)) (value (cadr options)))
            (setq options (cddr options))
            (if (eq key :child-options)
                (setq usable (plist-put usable key value))
              (condition-case err
                  (progn (netopt-set-option probe key value)
                         (setq usable (plist-put usable key value)))
                (netopt-error (push (cons key err) refused))))))
      (netopt-close probe))
    (cons usable (nreverse refused))))

(defun netopt--start-pending (args lenient)
  "Start the call ARGS in the background; return (PROCESS . REFUSED).
Its options are checked first on a socket of their own: unless
LENIENT, the first the kernel refuses signals, as a synchronous call
would; with LENIENT, REFUSED lists (OPTION . ERROR) for each, and the
connection is made with the others."
  (let* ((parsed (netopt--socket-arguments args netopt--emacs-keywords))
         (socket-args (car parsed))
         (emacs-args (cdr parsed))
         (checked (netopt--usable-options
                   (plist-get socket-args :options)
                   (or (plist-get emacs-args :family) 'ipv4) 'stream)))
    (when (and (cdr checked) (not lenient))
      (let ((err (cdr (car (cdr checked)))))
        (signal (car err) (cdr err))))
    (cons (netopt--adopt-pending
           args emacs-args
           (plist-put (copy-sequence socket-args) :options (car checked))
           (if (plist-member args :reuseaddr)
               (car checked)
             (netopt--plist-without (car checked) '(:reuseaddr))))
          (cdr checked))))

;;;###autoload
(defun netopt-make-network-process (&rest args)
  "Like `make-network-process', with netopt's options set in time.
ARGS are those of `make-network-process', any option keyword of
`netopt-supported-options', and for servers :child-options, a plist
of options each accepted connection gets (after the kernel's
defaults) before its filter sees data.

netopt makes the socket and sets every option right after socket(2),
before bind and connect (:maxseg, :syncnt, :reuseport, :bindtodevice
and the others), for every family, type and role.  It binds, listens
or connects (:nowait t only starts the connection: Emacs's event loop
reports how it ends, through the sentinel, as for its own processes),
then hands the socket to Emacs as an ordinary network process:
filter, sentinel, buffer, coding, `process-send-string',
`delete-process' and TLS work as on any.  `process-contact' shows the
kernel's addresses, the port a :service t or 0 server got, and the
options as set.  Everything that can fail happens first: on failure
nothing is left behind.

A :nowait client to a host returns at once, connecting, as Emacs's
own: the host is resolved in the background, and every socket tried
for it has every option before its bind and connect."
  (if (netopt--pending-p args)
      (car (netopt--start-pending args nil))
    (netopt--adopt-made (netopt--real-socket args nil) args)))

(defun netopt--adopt-made (made args)
  "Hand MADE, the value of `netopt--real-socket' for ARGS, to Emacs.
Return the process.  On failure netopt's socket is closed, and a
local server's socket file removed."
  (pcase-let* ((`(,socket ,emacs-args ,options) made)
               (process nil))
    (unwind-protect
        (progn
          (setq process (netopt--adopt-socket socket args emacs-args options))
          (netopt--local-as-given process args)
          process)
      (when (netopt-live-p socket)
        ;; Not adopted: a local server's socket file is netopt's to
        ;; remove, so that nothing is left behind.
        (let ((contact (netopt--socket-contact socket)))
          (netopt-close socket)
          ;; The module bound it by its absolute name, which its
          ;; contact shows: that name and no other is removed.
          (when (and (not process) (plist-get contact :server))
            (netopt--delete-socket-file (plist-get contact :local))))))))

(defun netopt--local-as-given (process args)
  "Make the :local of PROCESS, a local server made by ARGS, the name given.
The module binds a relative name by its absolute name, in the
process's working directory; Emacs's own contact shows the name as
the call gave it (its :local, else its :service), and so does
PROCESS's."
  (let ((contact (process-contact process t))
        (given (or (plist-get args :local) (plist-get args :service))))
    ;; Only a local address is a string.
    (when (and (plist-get contact :server)
               (stringp given) (not (string-prefix-p "/" given))
               (stringp (plist-get contact :local)))
      (plist-put contact :local given))))

(provide 'netopt-adopt)
;;; netopt-adopt.el ends here
