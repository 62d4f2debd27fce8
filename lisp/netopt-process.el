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

(defconst netopt--manual-options
  '(:bindtodevice :broadcast :dontroute :keepalive :linger :oobinline
                  :priority :reuseaddr)
  "The options of the Emacs manual, which `process-contact' lists.")

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

(defvar netopt--in-make nil
  "Non-nil while netopt makes a process itself: no rule applies then.")

(defconst netopt--emacs-keywords
  '(:name :buffer :host :service :type :family :local :remote :coding
          :nowait :noquery :stop :filter :filter-multibyte :sentinel :log
          :plist :server :use-external-socket :tls-parameters)
  "The keywords of `make-network-process' netopt passes on or interprets.")

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

(defun netopt--real-socket (emacs-args options child)
  "Make netopt's socket for `netopt-make-network-process'.
EMACS-ARGS are its `make-network-process' keywords, OPTIONS the socket
options, CHILD the :child-options (checked here, for a server).  Every
option is set before bind and connect; a :nowait connection is only
started.  Return the SOCKET."
  (let* ((host (plist-get emacs-args :host))
         (family (plist-get emacs-args :family))
         (server (plist-get emacs-args :server))
         (args (list :name (or (plist-get emacs-args :name) "netopt")
                     :type (plist-get emacs-args :type)
                     :family family
                     :host (cond ((eq host 'local) (netopt--loopback family))
                                 ((and (null host) (not server)
                                       (not (eq family 'local))
                                       (null (plist-get emacs-args :remote)))
                                  ;; Emacs's client default: this host.
                                  (netopt--loopback family))
                                 (t host))
                     :service (plist-get emacs-args :service)
                     :server server
                     :local (plist-get emacs-args :local)
                     :remote (plist-get emacs-args :remote)
                     :child-options child))
         (arguments (netopt--socket-arguments (append args options))))
    ;; The last argument is NOWAIT.
    (setcar (last arguments) (and (not server)
                                  (plist-get emacs-args :nowait)
                                  t))
    (apply #'netopt--make-socket arguments)))

(defun netopt--placeholder-args (emacs-args contact listener)
  "Return the `make-network-process' arguments of a placeholder.
The placeholder has the family, type and role of netopt's socket
\(CONTACT is its contact), on loopback (a client of LISTENER, a netopt
server), and EMACS-ARGS's other keywords (buffer, filter, coding ...).
A client goes to an address vector, so Emacs resolves nothing; it is
:nowait when the call is, and then Emacs's loop sees the real
connection end; otherwise the loopback connection is made at once and
the process is open when `make-network-process' returns."
  (let* ((family (plist-get contact :family))
         (type (plist-get contact :type))
         (rest (netopt--plist-without
                emacs-args '(:host :service :family :local :remote :nowait
                                   :server :type))))
    (append
     ;; Emacs knows a stream as no :type at all.
     (list :type (and (not (eq type 'stream)) type) :family family)
     (cond ((plist-get contact :server)
            (list :server (plist-get emacs-args :server)
                  :service (if (eq family 'local)
                               (make-temp-name
                                (expand-file-name "netopt-placeholder-"
                                                  temporary-file-directory))
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
                    :nowait (plist-get emacs-args :nowait))))
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
                              :server t
                              :service (make-temp-name
                                        (expand-file-name
                                         "netopt-placeholder-"
                                         temporary-file-directory)))
        (netopt-make-socket :family family :type (plist-get contact :type)
                            :server t :host (netopt--loopback family)
                            :service 0)))))

(defun netopt--fix-contact (process socket-contact emacs-args options user-log)
  "Make PROCESS's contact tell the truth after the adoption.
SOCKET-CONTACT is what netopt's socket showed; EMACS-ARGS and OPTIONS
the call's arguments; USER-LOG the user's :log function (or nil)."
  (let ((contact (process-contact process t))
        (server (plist-get emacs-args :server)))
    (dolist (key '(:host :service))
      (plist-put contact key (plist-get emacs-args key)))
    (when (and server (memq (plist-get emacs-args :service) '(t 0 nil)))
      (plist-put contact :service (plist-get socket-contact :service)))
    (when (and server (equal (plist-get emacs-args :service) "0"))
      (plist-put contact :service (plist-get socket-contact :service)))
    (plist-put contact :local (plist-get socket-contact :local))
    (let ((remote (or (plist-get socket-contact :remote)
                      (plist-get emacs-args :remote))))
      (if remote
          (plist-put contact :remote remote)
        (netopt--plist-remove contact :remote)))
    (unless (plist-get emacs-args :nowait)
      (netopt--plist-remove contact :nowait))
    (when (plist-member contact :log)
      (plist-put contact :log user-log))
    ;; The options as set: the kernel's values.
    (let ((tail options))
      (while tail
        (plist-put contact (car tail)
                   (condition-case nil (netopt-option process (car tail))
                     (netopt-error (cadr tail))))
        (setq tail (cddr tail))))))

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
before its filter sees data, then calls USER-LOG."
  (lambda (server client message)
    (condition-case err
        (netopt--configure-child server client child)
      (error
       (delete-process client)
       (message "netopt: %s: connection closed: %s" (process-name server)
                (error-message-string err))))
    (when user-log
      (funcall user-log server client message))))

(defun netopt--placeholder-fd (process predicted contact)
  "Return PROCESS's descriptor if it is PREDICTED, else nil.
PREDICTED was the lowest free descriptor before Emacs made PROCESS, a
placeholder like CONTACT (netopt's socket's contact); it is PROCESS's
when it now holds a socket with PROCESS's own addresses, which are
unique on loopback.  A datagram client has none: nil."
  (let* ((emacs (process-contact process t))
         (server (plist-get contact :server))
         (type (plist-get contact :type)))
    (and (or server (not (eq type 'datagram)))
         (netopt--fd-matches-p predicted (plist-get contact :family) type
                               (if server (not (eq type 'datagram)) nil)
                               (plist-get emacs :local)
                               (and (not server) (plist-get emacs :remote)))
         predicted)))

(defun netopt--adopt-into (socket placeholder-args contact)
  "Make a placeholder with PLACEHOLDER-ARGS and put SOCKET in its place.
CONTACT is SOCKET's contact.  Return the process.  The placeholder's
descriptor is known exactly: the lowest free one before the call,
checked against the placeholder's own addresses, or else (a datagram
client has no address) the one socket descriptor `make-network-process'
added."
  (let* ((predicted (netopt--lowest-free-fd))
         (before (and (eq (plist-get contact :type) 'datagram)
                      (not (plist-get contact :server))
                      (netopt--socket-fds)))
         (process (let ((netopt--in-make t))
                    (apply #'make-network-process placeholder-args))))
    (condition-case err
        (let ((fd (or (netopt--placeholder-fd process predicted contact)
                      (let ((new nil))
                        (dolist (fd (netopt--socket-fds))
                          (unless (memq fd before) (push fd new)))
                        (if (and before (= (length new) 1))
                            (car new)
                          (signal 'netopt-socket-not-found
                                  (list process "placeholder not found")))))))
          (netopt--adopt socket fd)
          (puthash process (netopt--borrow fd (process-name process))
                   netopt--handles)
          process)
      (error (delete-process process)
             (signal (car err) (cdr err))))))

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
               (user-log (plist-get emacs-args :log))
               (socket (netopt--real-socket emacs-args options child))
               (listener nil) (process nil) (placeholder-file nil))
    (unwind-protect
        (let* ((socket-contact (netopt--socket-contact socket))
               (server (plist-get socket-contact :server))
               (placeholder-emacs-args
                (netopt--plist-without emacs-args '(:log))))
          (setq listener (netopt--placeholder-listener socket-contact))
          (when server
            (setq placeholder-emacs-args
                  (append (list :log (netopt--child-log child user-log))
                          placeholder-emacs-args)))
          (let ((placeholder (netopt--placeholder-args
                              placeholder-emacs-args socket-contact listener)))
            (when (and server (stringp (plist-get placeholder :service)))
              (setq placeholder-file (plist-get placeholder :service)))
            (setq process (netopt--adopt-into socket placeholder
                                              socket-contact)))
          (condition-case err
              (progn
                (puthash process 'made netopt--made)
                (netopt--fix-contact process socket-contact emacs-args
                                     options user-log)
                (when (and (eq (plist-get socket-contact :type) 'datagram)
                           (not server))
                  (set-process-datagram-address
                   process (plist-get socket-contact :remote))))
            (error (delete-process process)
                   (signal (car err) (cdr err))))
          process)
      (when listener (netopt--close-placeholder-socket listener))
      (when (netopt-live-p socket) (netopt-close socket))
      (when (and process placeholder-file)
        (ignore-errors (delete-file placeholder-file))))))

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
for the same option wins.  For example, to notice a dead IRC or mail
connection within a minute:

  ((t :keepalive t :keepidle 30 :keepintvl 5 :keepcnt 4
      :user-timeout 50000))"
  :type '(repeat (cons :tag "Rule"
                       (choice :tag "Match"
                               (const :tag "Every connection" t)
                               (regexp :tag "Host regexp")
                               (function :tag "Predicate of the arguments"))
                       (plist :tag "Options")))
  :group 'netopt)

(defun netopt--rule-matches-p (match args)
  "Return non-nil if a rule's MATCH accepts the `make-network-process' ARGS."
  (let ((host (plist-get args :host)))
    (cond ((eq match t) t)
          ((stringp match) (and (stringp host) (string-match-p match host)))
          ((functionp match) (funcall match args)))))

(defun netopt--rules-for (args)
  "Return the rules of `netopt-connection-options' that match ARGS."
  (let ((found nil))
    (dolist (rule netopt-connection-options (nreverse found))
      (when (and (consp rule) (netopt--rule-matches-p (car rule) args))
        (push rule found)))))

(defun netopt--rule-options (rules)
  "Merge the OPTIONS of RULES into one plist; a later rule's value wins."
  (let ((merged nil))
    (dolist (rule rules merged)
      (let ((tail (cdr rule)))
        (while tail
          (setq merged (plist-put merged (car tail) (cadr tail)))
          (setq tail (cddr tail)))))))

(defun netopt--option-error-p (err)
  "Return non-nil if ERR is about an option rather than the connection."
  (or (memq (car err) '(netopt-bad-value netopt-unknown-option))
      (and (eq (car err) 'netopt-system-error)
           (equal (cadr err) "Cannot set network option"))
      (and (memq (car err) '(netopt-system-error netopt-permission-denied))
           (equal (cadr err) "Cannot reset option of accepted connection"))))

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
         (new (let ((out nil))
                (dolist (fd (netopt--socket-fds) (nreverse out))
                  (unless (memq fd before) (push fd out))))))
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

(defun netopt--make-network-process-advice (make &rest args)
  "Around `make-network-process' (MAKE) while `netopt-mode' is on.
ARGS matching a rule of `netopt-connection-options' go through
`netopt-make-network-process' with the rules' options; others reach
MAKE untouched.  Where adoption cannot serve the call (an external
socket, or a connection only Emacs's own attempt can make), the
options are set right after MAKE, on the descriptor it added.  A rule
never costs the connection: when its options cannot be set, the
connection is made as without the mode and `display-warning' names
the rule and the error."
  (let ((rules (and (not netopt--in-make) (netopt--rules-for args))))
    (cond
     ((null rules) (apply make args))
     ((plist-get args :use-external-socket)
      (netopt--make-then-set make args (netopt--rule-options rules) rules))
     (t
      (let ((options (netopt--rule-options rules)))
        (condition-case err
            (let ((netopt--in-make t))
              (apply #'netopt-make-network-process (append args options)))
          (error
           (if (netopt--option-error-p err)
               (progn (netopt--warn-rule rules err)
                      (apply make args))
             (netopt--make-then-set make args options rules)))))))))

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
      (advice-add 'make-network-process :around
                  #'netopt--make-network-process-advice)
    (advice-remove 'make-network-process
                   #'netopt--make-network-process-advice)))

(provide 'netopt-process)
;;; netopt-process.el ends here
