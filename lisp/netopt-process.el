;;; netopt-process.el --- netopt options on Emacs's own network processes  -*- lexical-binding: t; -*-

;; Copyright (C) 2026 The netopt-module authors

;; This file is not part of GNU Emacs.

;;; Commentary:

;; Emacs does not tell a module which descriptor a network process
;; uses.  This file finds it: from what `process-contact' knows (family,
;; type, local and remote address) it asks the module for the matching
;; descriptors of this Emacs (netopt--find-fds).  When several match
;; (datagram clients are neither bound nor connected, children of a
;; local server share one address), a probe decides: Emacs's own
;; `set-network-process-option' changes :priority on exactly the
;; process's socket, the descriptor that changed is the one, and the
;; original value is put back.  If that still leaves no single answer,
;; `netopt-socket-not-found' is signalled: netopt never guesses.
;;
;; The descriptor found is cached per process object in a weak table,
;; never in the process plist (Emacs copies a server's plist into every
;; connection it accepts), and is used only while the process is live.

;;; Code:

(require 'netopt-module)

(defvar netopt--made (make-hash-table :test 'eq :weakness 'key)
  "Processes netopt made or configured, by process object, for listings.
The value is `made' for a process `netopt-make-network-process' made
\(and its accepted connections), `configured' for one of Emacs's own
that `netopt-set-option' changed.")

(defvar netopt--handles (make-hash-table :test 'eq :weakness 'key)
  "Borrowed socket handles of network processes, by process object.")

(defun netopt--drop-handle (process handle)
  "Forget PROCESS's cached HANDLE: its descriptor belongs to Emacs."
  (netopt--forget handle)
  (remhash process netopt--handles))

(defun netopt--cached-fds ()
  "Return the descriptors cached for live processes; drop dead entries."
  (let ((fds nil) (dead nil))
    (maphash (lambda (process handle)
               (if (process-live-p process)
                   (push (netopt--socket-fd handle) fds)
                 (push (cons process handle) dead)))
             netopt--handles)
    (dolist (entry dead)
      (netopt--drop-handle (car entry) (cdr entry)))
    fds))

(defun netopt--address-family (address)
  "Return the family of ADDRESS, an address in `process-contact' form."
  (cond ((stringp address) 'local)
        ((and (vectorp address) (= (length address) 5)) 'ipv4)
        ((and (vectorp address) (= (length address) 9)) 'ipv6)))

(defun netopt--candidates (process)
  "Return the descriptors that may be PROCESS's socket."
  (let* ((contact (process-contact process t))
         (local (plist-get contact :local))
         (remote (plist-get contact :remote))
         (type (or (plist-get contact :type) 'stream))
         (server (plist-get contact :server))
         (family (or (plist-get contact :family)
                     (netopt--address-family remote)
                     (netopt--address-family local)))
         (exclude (netopt--cached-fds)))
    (unless family
      (signal 'netopt-socket-not-found
              (list process "process-contact shows no address")))
    (cond ((and server (eq type 'datagram))
           (netopt--find-fds family type nil local nil exclude))
          (server
           (netopt--find-fds family type t local nil exclude))
          ((eq type 'datagram)
           ;; Emacs neither binds nor connects a datagram client.
           (netopt--find-fds family type nil nil 'none exclude))
          (t
           (netopt--find-fds family type nil local remote exclude)))))

(defun netopt--plist-remove (plist key)
  "Remove KEY and its value from PLIST in place.
KEY must not be PLIST's first key (a contact starts with :name)."
  (let ((tail plist))
    (while (cddr tail)
      (if (eq (nth 2 tail) key)
          (setcdr (cdr tail) (nthcdr 4 tail))
        (setq tail (cddr tail))))))

(defun netopt--probe (process fds)
  "Return the one descriptor among FDS that is PROCESS's socket, or nil.
Emacs's own `set-network-process-option' sets :priority to a value no
candidate holds, on PROCESS's socket only; the descriptor that changed
is the one.  Whatever happens, every descriptor gets its :priority
back and PROCESS's contact its :priority entry (or none), so a probe
leaves no trace.  Without a readable :priority on every candidate
there is no probe."
  (let* ((handles (mapcar (lambda (fd) (netopt--borrow fd "probe")) fds))
         (contact (process-contact process t))
         (entry (plist-member contact :priority))
         (old (cadr entry))
         (before (mapcar (lambda (h)
                           (condition-case nil (netopt-option h :priority)
                             (netopt-error nil)))
                         handles))
         (probe (and (not (memq nil before))
                     (seq-find (lambda (v) (not (memql v before)))
                               '(1 2 3 4 5 6 0))))
         (hits nil))
    (unwind-protect
        (when (and probe
                   (condition-case nil
                       (set-network-process-option process :priority probe)
                     (error nil)))
          (let ((i 0))
            (dolist (h handles)
              (when (eql (condition-case nil (netopt-option h :priority)
                           (netopt-error nil))
                         probe)
                (push i hits))
              (setq i (1+ i))))
          (and (= (length hits) 1) (nth (car hits) fds)))
      ;; Put back every descriptor the probe may have touched ...
      (while handles
        (let ((h (pop handles)) (value (pop before)))
          (when (and value
                     (not (eql value (condition-case nil
                                         (netopt-option h :priority)
                                       (netopt-error value)))))
            (condition-case nil (netopt-set-option h :priority value)
              (netopt-error nil)))
          (netopt--forget h)))
      ;; ... and the contact as it was.
      (if entry
          (plist-put contact :priority old)
        (netopt--plist-remove contact :priority)))))

(defun netopt--locate (process)
  "Return the descriptor of PROCESS's socket, or signal.
Signals `netopt-socket-not-found' unless exactly one descriptor is it."
  (let ((fds (netopt--candidates process)))
    (cond ((= (length fds) 1) (car fds))
          ((null fds)
           (signal 'netopt-socket-not-found
                   (list process "no descriptor of this Emacs matches")))
          ((netopt--probe process fds))
          (t (signal 'netopt-socket-not-found
                     (list process (format "%d descriptors match"
                                           (length fds))))))))

(defun netopt--process-handle (process)
  "Return the netopt handle of network PROCESS's socket.
Signal `netopt-not-network' when PROCESS is not a network process,
`netopt-closed' when it is no longer live, and
`netopt-socket-not-found' when its socket cannot be identified."
  (unless (processp process)
    ;; Never let Emacs's process functions see a non-process: Emacs 28.2
    ;; overflows a buffer on (process-type LONG-STRING).
    (signal 'wrong-type-argument (list 'processp process)))
  (unless (eq (process-type process) 'network)
    (signal 'netopt-not-network (list process)))
  (let ((handle (gethash process netopt--handles)))
    (cond ((not (process-live-p process))
           (when handle (netopt--drop-handle process handle))
           (signal 'netopt-closed (list "Process is not running" process)))
          (handle)
          (t
           (setq handle (netopt--borrow (netopt--locate process)
                                        (process-name process)))
           (puthash process handle netopt--handles)
           handle))))

(defun netopt--process-contact (process)
  "Return PROCESS's contact plist without options, addresses from the kernel."
  (let* ((handle (netopt--process-handle process))
         (kernel (netopt--socket-contact handle))
         (plist (process-contact process t))
         (result nil))
    (while plist
      (unless (get (car plist) 'netopt--option-index)
        (setq result (cons (cadr plist) (cons (car plist) result))))
      (setq plist (cddr plist)))
    (setq result (nreverse result))
    (setq result (plist-put result :local (plist-get kernel :local)))
    (when (plist-get kernel :remote)
      (setq result (plist-put result :remote (plist-get kernel :remote))))
    result))

;;;; Made by netopt, run by Emacs (API section 5.1)

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

(defun netopt--split-options (args)
  "Split the keyword ARGS of `netopt-make-network-process'.
Return (EMACS-ARGS OPTIONS CHILD-OPTIONS): the keywords of
`make-network-process', the socket options (the manual's eight
included: netopt sets them all, before bind and connect), and
:child-options."
  (let ((emacs-args nil) (options nil) (child nil))
    (while args
      (let ((key (car args)) (value (cadr args)))
        (unless (cdr args)
          (signal 'wrong-type-argument (list 'plistp args)))
        (cond ((eq key :child-options) (setq child value))
              ((memq key netopt--emacs-keywords)
               (setq emacs-args (nconc emacs-args (list key value))))
              (t (setq options (nconc options (list key value))))))
      (setq args (cddr args)))
    (list emacs-args options child)))

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

(defun netopt--real-socket (emacs-args options child)
  "Make netopt's socket for `netopt-make-network-process'.
EMACS-ARGS are its `make-network-process' keywords, OPTIONS the socket
options, CHILD the :child-options (checked here, for a server).  Every
option is set before bind and connect; a :nowait connection is only
started; a datagram client is left unconnected, as Emacs leaves it.
Return the SOCKET."
  (let* ((server (plist-get emacs-args :server))
         (type (plist-get emacs-args :type))
         (args (list :name (or (plist-get emacs-args :name) "netopt")
                     :type type
                     :family (plist-get emacs-args :family)
                     :host (netopt--host-as-emacs emacs-args)
                     :service (plist-get emacs-args :service)
                     :server server
                     :local (plist-get emacs-args :local)
                     :remote (plist-get emacs-args :remote)
                     :child-options child))
         (arguments (netopt--socket-arguments (append args options))))
    ;; The last argument is NOWAIT.
    (setcar (last arguments)
            (cond (server nil)
                  ((eq type 'datagram) 'unconnected)
                  (t (and (plist-get emacs-args :nowait) t))))
    (apply #'netopt--make-socket arguments)))

(defun netopt--temp-socket-name ()
  "Return a new file name for a placeholder's local socket.
In the directory of the variable `temporary-file-directory', or in
/tmp when that name would not fit a socket address (108 bytes)."
  (let ((name (make-temp-name (expand-file-name "netopt-placeholder-"
                                                temporary-file-directory))))
    (if (< (string-bytes name) 100)
        name
      (make-temp-name "/tmp/netopt-placeholder-"))))

(defun netopt--placeholder-args (emacs-args contact listener)
  "Return the `make-network-process' arguments of a placeholder.
The placeholder has the family, type and role of netopt's socket
\(CONTACT is its contact), on loopback (a client of LISTENER, a netopt
server), and EMACS-ARGS's other keywords (buffer, filter, coding ...),
but never :tls-parameters: TLS starts on the real socket.  A client
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
                               (netopt--temp-socket-name)
                             0)
                  :host (and (not (eq family 'local))
                             (netopt--loopback family))))
           ((eq type 'datagram)
            (list :remote (if (eq family 'local)
                              (plist-get (netopt--socket-contact listener)
                                         :local)
                            (vconcat (if (eq family 'ipv6) [0 0 0 0 0 0 0 1]
                                       [127 0 0 1])
                                     [9]))))
           (t (list :remote (plist-get (netopt--socket-contact listener)
                                       :local)
                    :nowait (and (plist-get emacs-args :nowait) t))))
     rest)))

(defun netopt--placeholder-listener (contact)
  "Return a netopt server a client placeholder can reach, or nil.
CONTACT is the contact of netopt's socket."
  (let ((family (plist-get contact :family)))
    (unless (or (plist-get contact :server)
                (and (eq (plist-get contact :type) 'datagram)
                     (not (eq family 'local))))
      (if (eq family 'local)
          (netopt-make-socket :family 'local :type (plist-get contact :type)
                              :server t :service (netopt--temp-socket-name))
        (netopt-make-socket :family family :type (plist-get contact :type)
                            :server t :host (netopt--loopback family)
                            :service 0)))))

(defun netopt--new-sockets (before)
  "Return the socket descriptors of this Emacs that BEFORE did not list.
BEFORE is a value of `netopt--socket-fds', (FD . INODE) pairs: a
descriptor counts as new when its pair is, so a descriptor that a
garbage collection closed and Emacs then reused is told apart."
  (let ((new nil))
    (dolist (pair (netopt--socket-fds) new)
      (unless (member pair before) (push (car pair) new)))))

(defun netopt--make-placeholder (args contact)
  "Make a placeholder process with ARGS, like CONTACT; return (PROCESS . FD).
CONTACT is netopt's socket's contact.  The placeholder's descriptor is
the one socket of its kind that Emacs's call added: a fact about the
descriptor (its inode, its family, type and role), whatever else runs
or is collected meanwhile, and with or without other sockets open."
  (let* ((before (netopt--socket-fds))
         (process (netopt--emacs-make-network-process args))
         (server (plist-get contact :server))
         (type (plist-get contact :type))
         (fds (let ((found nil))
                (dolist (fd (netopt--new-sockets before) found)
                  (when (netopt--fd-matches-p
                         fd (plist-get contact :family) type
                         (and server (not (eq type 'datagram))) nil nil)
                    (push fd found))))))
    (if (= (length fds) 1)
        (cons process (car fds))
      (delete-process process)
      (signal 'netopt-socket-not-found
              (list process (format "placeholder not found (%d candidates)"
                                    (length fds)))))))

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

(defun netopt--configure-child (server client child)
  "Give CLIENT, a connection SERVER accepted, the kernel's defaults and CHILD.
CHILD is the server's :child-options.  The client's socket is found by
its own addresses (an accepted TCP connection's are unique)."
  (netopt--reset-defaults client)
  (let ((tail child))
    (while tail
      (netopt-set-option client (car tail) (cadr tail))
      (setq tail (cddr tail))))
  (puthash client (gethash server netopt--made 'made) netopt--made))

(defun netopt--child-log (child user-log)
  "Return the :log function of an adopted server.
It configures each accepted connection (defaults, then CHILD options)
before its filter sees data, then calls USER-LOG as Emacs would.
When accept failed (CLIENT nil, EMFILE), it only calls USER-LOG."
  (lambda (server client message)
    (when client
      (condition-case err
          (netopt--configure-child server client child)
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

(defun netopt--adopt-socket (socket args emacs-args options child)
  "Hand SOCKET, made for the call ARGS, to Emacs; return the process.
EMACS-ARGS, OPTIONS and CHILD are ARGS split.  A placeholder is made,
SOCKET put in its place, and the contact made what Emacs's own would
be.  On failure nothing is left behind: no process, no placeholder
file."
  (let* ((socket-contact (netopt--socket-contact socket))
         (server (plist-get socket-contact :server))
         (user-log (plist-get emacs-args :log))
         ;; A TLS connection already made (a :nowait one to a near
         ;; server) has its handshake done at once, as a synchronous
         ;; call's: booted while Emacs still saw it connecting, it
         ;; would never leave `connect'.
         (nowait (and (plist-get emacs-args :nowait)
                      (not (and (plist-get emacs-args :tls-parameters)
                                (plist-get socket-contact :remote)))))
         (emacs-args (plist-put (copy-sequence emacs-args) :nowait nowait))
         (listener nil) (placeholder nil) (process nil))
    (unwind-protect
        (progn
          (setq listener (netopt--placeholder-listener socket-contact))
          (setq placeholder
                (netopt--placeholder-args
                 (if server
                     (append (list :log (netopt--child-log child user-log))
                             (netopt--plist-without emacs-args '(:log)))
                   emacs-args)
                 socket-contact listener))
          (let ((made (netopt--make-placeholder placeholder socket-contact)))
            (setq process (car made))
            (condition-case err
                (progn
                  (netopt--adopt socket (cdr made))
                  (puthash process (netopt--borrow (cdr made)
                                                   (process-name process))
                           netopt--handles)
                  (puthash process 'made netopt--made)
                  (let ((contact (netopt--contact-as-emacs
                                  args socket-contact
                                  (process-contact process t))))
                    (netopt--set-contact process contact)
                    (netopt--options-as-set process (process-contact process t)
                                            options))
                  (when (and (eq (plist-get socket-contact :type) 'datagram)
                             (not server))
                    (set-process-datagram-address
                     process (plist-get socket-contact :remote)))
                  (netopt--start-tls process
                                     (plist-get emacs-args :tls-parameters)
                                     nowait))
              (error (delete-process process)
                     (setq process nil)
                     (signal (car err) (cdr err)))))
          process)
      (when listener (netopt--close-placeholder-socket listener))
      (let ((file (and server (plist-get placeholder :service))))
        (when (stringp file) (ignore-errors (delete-file file)))))))

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
nothing is left behind."
  (pcase-let* ((`(,emacs-args ,options ,child) (netopt--split-options args))
               (socket (netopt--real-socket emacs-args options child))
               (process nil))
    (unwind-protect
        (setq process (netopt--adopt-socket socket args emacs-args options
                                            child))
      (when (netopt-live-p socket)
        ;; Not adopted: a local server's socket file is netopt's to
        ;; remove, so that nothing is left behind.
        (let ((contact (netopt--socket-contact socket)))
          (netopt-close socket)
          (when (and (not process) (plist-get contact :server)
                     (stringp (plist-get contact :local)))
            (ignore-errors (delete-file (plist-get contact :local)))))))))

(defun netopt--close-placeholder-socket (socket)
  "Close SOCKET, a placeholder's netopt listener, and remove its file."
  (let ((file (plist-get (netopt--socket-contact socket) :local)))
    (netopt-close socket)
    (when (stringp file)
      (ignore-errors (delete-file file)))))

;;;; Options for every connection Emacs makes (API section 5.2)

(defcustom netopt-connection-options nil
  "Socket options for the connections Emacs makes, while `netopt-mode' is on.
A list of rules (MATCH . OPTIONS).  MATCH is a regexp matched against
the :host given to `make-network-process', t for every connection, or
a function called with the argument plist.  OPTIONS is a plist of
options of `netopt-supported-options', and :child-options for
servers.  Every matching rule applies, in order; a later rule's value
for the same option wins.  Options that cannot apply to a connection's
family or type (TCP options on a datagram or local socket) are skipped
for it, silently.  A malformed rule is reported once and ignored.  For
example, to notice a dead IRC or mail connection within a minute:

  ((t :keepalive t :keepidle 30 :keepintvl 5 :keepcnt 4
      :user-timeout 50000))"
  :type '(repeat (cons :tag "Rule"
                       (choice :tag "Match"
                               (const :tag "Every connection" t)
                               (regexp :tag "Host regexp")
                               (function :tag "Predicate of the arguments"))
                       (plist :tag "Options")))
  :group 'netopt)

(defvar netopt--warned (make-hash-table :test 'equal)
  "The rules already reported as malformed, and why.")

(defun netopt--warn-once (rule problem)
  "Report with `display-warning', once, that RULE is ignored: PROBLEM."
  (unless (equal (gethash rule netopt--warned) problem)
    (puthash rule problem netopt--warned)
    (display-warning
     'netopt (format "netopt-connection-options: rule %S ignored: %s"
                     rule problem))))

(defun netopt--options-problem (options)
  "Return why OPTIONS, a rule's, is not a plist of options; nil if it is."
  (let ((supported (netopt-supported-options)) (problem nil))
    (while (and options (not problem))
      (setq problem
            (cond ((not (consp options)) "OPTIONS is not a plist")
                  ((not (consp (cdr options)))
                   (format "%S has no value" (car options)))
                  ((eq (car options) :child-options)
                   (and (cadr options)
                        (netopt--options-problem (cadr options))))
                  ((memq (car options) netopt--emacs-keywords)
                   (format "%S is an argument of `make-network-process', \
not an option" (car options)))
                  ((not (memq (car options) supported))
                   (format "%S is not an option of `netopt-supported-options'"
                           (car options)))))
      (setq options (and (consp options) (cddr options))))
    problem))

(defun netopt--rule-problem (rule)
  "Return why RULE of `netopt-connection-options' is malformed, or nil."
  (let ((match (car-safe rule)))
    (cond ((not (consp rule)) "not a (MATCH . OPTIONS) cons")
          ((not (or (eq match t) (stringp match) (functionp match)))
           "MATCH is not t, a regexp or a function")
          ((and (stringp match)
                (condition-case err (progn (string-match-p match "") nil)
                  (invalid-regexp
                   (format "MATCH is not a valid regexp: %s" (cadr err))))))
          (t (netopt--options-problem (cdr rule))))))

(defun netopt--rule-matches-p (rule args)
  "Return non-nil if RULE's MATCH accepts the `make-network-process' ARGS.
A MATCH function that signals is reported once and matches nothing."
  (let ((match (car rule)) (host (plist-get args :host)))
    (cond ((eq match t) t)
          ((stringp match) (and (stringp host) (string-match-p match host)))
          (t (condition-case err (funcall match args)
               (error (netopt--warn-once
                       rule (format "MATCH signalled: %s"
                                    (error-message-string err)))
                      nil))))))

(defun netopt--rules-for (args)
  "Return the well-formed rules of `netopt-connection-options' matching ARGS."
  (let ((found nil))
    (dolist (rule netopt-connection-options (nreverse found))
      (let ((problem (netopt--rule-problem rule)))
        (if problem
            (netopt--warn-once rule problem)
          (when (netopt--rule-matches-p rule args)
            (push rule found)))))))

(defun netopt--call-kind (args)
  "Return (FAMILY . TYPE) of the connection made by the call ARGS.
FAMILY is nil when only the address will tell (ipv4 or ipv6)."
  (let ((family (plist-get args :family)))
    (cons (if (or (eq family 'local) (stringp (plist-get args :remote))
                  (stringp (plist-get args :local)))
              'local
            (and (memq family '(ipv4 ipv6)) family))
          (or (plist-get args :type) 'stream))))

(defun netopt--option-applies-p (option kind)
  "Return non-nil if OPTION can apply to a socket of KIND, (FAMILY . TYPE)."
  (let ((info (netopt-option-info option)))
    (and (memq (cdr kind) (plist-get info :socket-types))
         (let ((families (plist-get info :families)))
           (if (car kind)
               (memq (car kind) families)
             (or (memq 'ipv4 families) (memq 'ipv6 families)))))))

(defun netopt--applicable (options kind)
  "Return OPTIONS without those that cannot apply to KIND, (FAMILY . TYPE).
:child-options are kept for a stream server, filtered alike."
  (let ((out nil))
    (while options
      (let ((key (car options)) (value (cadr options)))
        (cond ((eq key :child-options)
               (setq out (plist-put out key (netopt--applicable value kind))))
              ((netopt--option-applies-p key kind)
               (setq out (plist-put out key value)))))
      (setq options (cddr options)))
    out))

(defun netopt--rule-options (rules args)
  "Merge the OPTIONS of RULES into one plist for the call ARGS.
A later rule's value wins; options that cannot apply to the
connection's family or type are left out."
  (let ((merged nil))
    (dolist (rule rules)
      (let ((tail (cdr rule)))
        (while tail
          (setq merged (plist-put merged (car tail) (cadr tail)))
          (setq tail (cddr tail)))))
    (netopt--applicable merged (netopt--call-kind args))))

(defun netopt--rule-error-p (err options)
  "Return non-nil if ERR is about one of OPTIONS, a rule's, not the call.
A bad value or unknown option names its keyword first; a kernel's
refusal to set an option names it after its message."
  (let ((data (cdr err)))
    (or (and (memq (car err) '(netopt-bad-value netopt-unknown-option))
             (keywordp (car data))
             (or (plist-member options (car data))
                 (plist-member (plist-get options :child-options)
                               (car data))))
        (and (memq (car err) '(netopt-system-error netopt-permission-denied))
             (member (car data) '("Cannot set network option"
                                  "Cannot reset option of accepted connection"))
             (keywordp (nth 2 data))
             (plist-member options (nth 2 data))))))

(defun netopt--emacs-connect-error (err args)
  "Return Emacs's own error for the failed connection ERR of the call ARGS.
ERR is netopt's \"Cannot connect\" error; Emacs signals a `file-error'
\(`file-missing' for a missing local socket) whose data is its message,
the system's and the call's arguments."
  (let ((reason (nth 2 err)))
    (cons (cond ((equal reason "No such file or directory") 'file-missing)
                ((eq (car err) 'netopt-permission-denied) 'permission-denied)
                (t 'file-error))
          (cons "make client process failed" (cons reason args)))))

(defun netopt--warn-rule (rules err)
  "Say with `display-warning' that RULES could not be applied: ERR."
  (display-warning
   'netopt
   (format "netopt-connection-options %S: %s; connected without it"
           rules (error-message-string err))))

(defun netopt--make-then-set (make args options rules)
  "Call MAKE with ARGS, then set OPTIONS on the new process's socket.
For calls adoption cannot serve: the socket is the one descriptor
MAKE added, known at creation.  An option that cannot be set is
warned about (naming RULES), never fatal."
  (let* ((before (netopt--socket-fds))
         (process (apply make args))
         (new (netopt--new-sockets before)))
    (when (and (processp process) (= (length new) 1))
      (puthash process (netopt--borrow (car new) (process-name process))
               netopt--handles)
      (condition-case err
          (let ((tail options))
            (while tail
              (unless (eq (car tail) :child-options)
                (netopt-set-option process (car tail) (cadr tail)))
              (setq tail (cddr tail))))
        (error (netopt--warn-rule rules err))))
    process))

(defun netopt--resolves-later-p (args)
  "Return non-nil if Emacs resolves the call ARGS's host in the background.
A :nowait call to a host name (not an address literal): Emacs's own
call returns at once and resolves it meanwhile."
  (let ((host (plist-get args :host)))
    (and (plist-get args :nowait) (stringp host)
         (not (eq (plist-get args :family) 'local))
         (not (string-match-p "\\`\\([0-9.]+\\|.*:.*\\)\\'" host)))))

(defvar netopt--watched nil
  "Processes Emacs is connecting: (PROCESS OPTIONS RULES LOCAL).
LOCAL is the local address of the socket that got OPTIONS last.")

(defvar netopt--watch-timer nil
  "The timer that gives `netopt--watched' processes their options.")

(defun netopt--local-no-block (process)
  "Return PROCESS's local address, or nil while its host is being resolved.
`process-contact' waits for the name otherwise; Emacs 25 and 26 have
no way not to, and there nil comes until PROCESS stops connecting."
  (if (>= emacs-major-version 27)
      (funcall #'process-contact process :local t)
    (and (not (eq (process-status process) 'connect))
         (process-contact process :local))))

(defun netopt--watch-tick ()
  "Give each watched process's newest socket its options.
Emacs makes a socket once it has resolved the host, and a new one for
each address it falls back to: a new local address in the contact.
A process is watched until it is no longer connecting; the timer
stops when nothing is left to watch."
  (let ((waiting nil))
    (dolist (entry netopt--watched)
      (let* ((process (car entry))
             (live (process-live-p process))
             (local (and live (netopt--local-no-block process))))
        (when (and local (not (equal local (nth 3 entry))))
          (let ((old (gethash process netopt--handles)))
            (when old (netopt--drop-handle process old)))
          (setcar (nthcdr 3 entry) local)
          (condition-case err
              (let ((tail (nth 1 entry)))
                (while tail
                  (unless (eq (car tail) :child-options)
                    (netopt-set-option process (car tail) (cadr tail)))
                  (setq tail (cddr tail))))
            (error (netopt--warn-rule (nth 2 entry) err))))
        (when (and live (eq (process-status process) 'connect))
          (push entry waiting))))
    (setq netopt--watched (nreverse waiting)))
  (when (and (null netopt--watched) netopt--watch-timer)
    (cancel-timer netopt--watch-timer)
    (setq netopt--watch-timer nil)))

(defun netopt--make-then-watch (make args options rules)
  "Call MAKE with ARGS, a :nowait call Emacs resolves in the background.
The call returns at once, as Emacs's own; OPTIONS (of RULES) are set
on each socket Emacs makes for it, as soon as it exists, by a timer
that runs only while such a process is connecting."
  (let ((process (apply make args)))
    (when (processp process)
      (push (list process options rules nil) netopt--watched)
      (netopt--watch-tick)
      (unless (or netopt--watch-timer (null netopt--watched))
        (setq netopt--watch-timer
              (run-at-time 0.01 0.01 #'netopt--watch-tick))))
    process))

(defun netopt--make-network-process-advice (make &rest args)
  "Around `make-network-process' (MAKE) while `netopt-mode' is on.
ARGS matching a rule of `netopt-connection-options' go through
`netopt-make-network-process' with the rules' options; others reach
MAKE untouched.  The advice is the innermost one: every other advice
sees the caller's call, once, and netopt's placeholders never.
Where adoption cannot serve the call (an external socket), the
options are set right after MAKE, on the descriptor it added.  A rule
never costs the connection: when its options cannot be set, the
connection is made as without the mode and `display-warning' names
the rule and the error.  The caller's own bad arguments get Emacs's
own error, and a connection that cannot be made is tried once."
  (let ((rules (netopt--rules-for args)))
    (cond
     ((null rules) (apply make args))
     ((plist-get args :use-external-socket)
      (netopt--make-then-set make args (netopt--rule-options rules args)
                             rules))
     ((netopt--resolves-later-p args)
      (netopt--make-then-watch make args (netopt--rule-options rules args)
                               rules))
     (t
      (let ((options (netopt--rule-options rules args)))
        (condition-case err
            (apply #'netopt-make-network-process (append args options))
          (error
           (cond ((netopt--rule-error-p err options)
                  (netopt--warn-rule rules err)
                  (apply make args))
                 ((and (memq (car err) '(netopt-system-error
                                         netopt-permission-denied))
                       (equal (cadr err) "Cannot connect"))
                  (let ((emacs (netopt--emacs-connect-error err args)))
                    (signal (car emacs) (cdr emacs))))
                 ((eq (car err) 'netopt-socket-not-found)
                  (netopt--make-then-set make args options rules))
                 ;; The call's own arguments, name resolution, a bind:
                 ;; Emacs's own call says what is wrong (alone), or
                 ;; succeeds, without the rule's options: say so.
                 (t (prog1 (apply make args)
                      (netopt--warn-rule rules err)))))))))))

;;;###autoload
(define-minor-mode netopt-mode
  "Give the connections Emacs makes the options of `netopt-connection-options'.
While this global mode is on, every `make-network-process' call (ERC,
Gnus, url, `open-network-stream', TLS ...) whose arguments match a
rule is made by `netopt-make-network-process', so that every option is
set before bind and connect.  Calls matching no rule reach Emacs
untouched; with the mode off, `make-network-process' is Emacs's own."
  :global t
  :group 'netopt
  (if netopt-mode
      ;; Innermost: other advice sees the caller's call, never netopt's.
      (advice-add 'make-network-process :around
                  #'netopt--make-network-process-advice '((depth . 100)))
    (advice-remove 'make-network-process
                   #'netopt--make-network-process-advice)))

(provide 'netopt-process)
;;; netopt-process.el ends here
