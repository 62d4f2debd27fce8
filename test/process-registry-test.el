;;; process-registry-test.el --- the process layer owns which socket is whose  -*- lexical-binding: t; -*-

;;; Commentary:

;; module/process/ locates a network process's socket and keeps the
;; answer (registry.c); adoption registers the socket it puts in a
;; placeholder (adopt.c).  These tests check what that ownership
;; promises: no Lisp of netopt's runs on the way, the owner of each
;; process is known without asking the kernel, adoption works in an
;; Emacs with no other socket, for every family, type and role, and
;; the C sources name no function or variable of the Lisp layer.

;;; Code:

(require 'netopt-test-helpers)

(defconst netopt-process-registry-test--unbind-lisp
  '(let ((gone 0))
     (mapatoms
      (lambda (s)
        (when (and (string-match-p "\\`netopt-" (symbol-name s))
                   (not (string-match-p "\\`netopt-test" (symbol-name s)))
                   (fboundp s)
                   (not (module-function-p (indirect-function s)))
                   (not (autoloadp (symbol-function s))))
          (fmakunbound s)
          (setq gone (1+ gone)))))
     gone)
  "A form that unbinds every function of netopt's Lisp layer.
The module's own functions stay.  Its value is how many went.")

(ert-deftest netopt-process-registry-calls-run-no-netopt-lisp ()
  "Locating, setting and reading on Emacs's processes need no Lisp of netopt's.
In a child Emacs every function of the Lisp layer is unbound, then the
module locates a TCP client (one candidate) and a datagram client (two
candidates: the probe decides), sets options on them, reads them back;
sockpeek, which shares no code with the module, sees the values."
  (let ((result
         (netopt-test-child
          `(progn
             (require 'netopt-module)
             (let* ((gone ,netopt-process-registry-test--unbind-lisp)
                    (srv (make-network-process
                          :name "srv" :server t :host "127.0.0.1"
                          :service t :family 'ipv4))
                    (cli (make-network-process
                          :name "cli" :host "127.0.0.1" :family 'ipv4
                          :service (process-contact srv :service)))
                    (d1 (make-network-process
                         :name "d1" :type 'datagram :family 'ipv4
                         :host "127.0.0.1" :service 9))
                    (d2 (make-network-process
                         :name "d2" :type 'datagram :family 'ipv4
                         :host "127.0.0.1" :service 9)))
               (netopt-set-option cli :keepidle 77)
               (netopt-set-option d2 :broadcast t)
               (list (> gone 20)
                     (fboundp 'netopt--process-contact)
                     (netopt-option cli :keepidle)
                     (netopt-option d1 :broadcast)
                     (netopt-option d2 :broadcast)
                     (netopt-test-kernel
                      (netopt--socket-fd (netopt--process-socket cli))
                      "keepidle")
                     (netopt-test-kernel
                      (netopt--socket-fd (netopt--process-socket d2))
                      "broadcast")))))))
    (should (equal result '(t nil 77 nil t 77 1)))))

(netopt-deftest netopt-process-registry-owner ()
  "`netopt--process-owner' says who made or tuned a process, asking nothing.
A process netopt has not touched has no owner, even once located; one
netopt set an option on is `tuned'; one netopt made is `adopted', and
so are the connections its server accepts."
  (pcase-let* ((`(,_srv ,cli ,child) (netopt-test-process-pair))
               (made (netopt-test-delete-later
                      (netopt-make-network-process
                       :name "made" :server t :host "127.0.0.1" :service 0
                       :family 'ipv4 :child-options '(:keepidle 55))))
               (accepted nil))
    (should-not (netopt--process-owner cli))
    (netopt-option cli :keepalive)
    (should-not (netopt--process-owner cli))
    (netopt-set-option cli :keepalive t)
    (should (eq (netopt--process-owner cli) 'tuned))
    (should-not (netopt--process-owner child))
    (should (eq (netopt--process-owner made) 'adopted))
    (set-process-sentinel made (lambda (p _) (ignore p)))
    (let ((peer (netopt-test-socket :host "127.0.0.1"
                                    :service (process-contact made :service))))
      (should (netopt-test-wait-for
               (lambda ()
                 (setq accepted
                       (seq-find (lambda (p)
                                   (and (eq (process-type p) 'network)
                                        (equal (process-contact p :remote)
                                               (netopt-contact peer :local))))
                                 (process-list))))))
      (netopt-test-delete-later accepted)
      (should (eq (netopt--process-owner accepted) 'adopted))
      (should (= (netopt-test-kernel (netopt--socket-fd
                                      (netopt--process-socket accepted))
                                     "keepidle")
                 55)))))

(ert-deftest netopt-process-registry-adopt-every-kind-alone ()
  "`netopt-make-network-process' works in an Emacs with no other socket.
For every family, type and role, in a child Emacs whose only sockets
are netopt's own peers, the adopted process carries traffic: the
placeholder is told by the snapshot, however few sockets there are."
  (let ((result
         (netopt-test-child
          '(let ((results nil)
                 (dir (make-temp-file "netopt-alone" t)))
             (require 'netopt-module)
             (dolist (kind '((ipv4 stream) (ipv4 datagram) (ipv6 stream)
                             (ipv6 datagram) (local stream) (local datagram)
                             (local seqpacket)))
               (let* ((family (car kind)) (type (cadr kind))
                      (host (pcase family ('ipv4 "127.0.0.1") ('ipv6 "::1")))
                      (file (expand-file-name (format "%s-%s" family type) dir))
                      (got nil)
                      (filter (lambda (_p s) (setq got (concat got s))))
                      ;; A client: netopt's own server as its peer.
                      (peer (netopt-make-socket
                             :family family :type type :server t
                             :host host :service (if host 0 file)))
                      (cli (netopt-make-network-process
                            :name "cli" :family family
                            :type (and (not (eq type 'stream)) type)
                            :host host
                            :service (if host
                                         (aref (netopt-contact peer :local) (if (eq family 'ipv4) 4 8))
                                       file)
                            :keepalive (eq type 'stream)
                            :filter filter)))
                 (let ((conn (if (eq type 'datagram) peer
                               (netopt-accept peer 5))))
                   (process-send-string cli "ping")
                   (push (list family type 'client
                               (if (eq type 'datagram)
                                   (car (netopt-receive-from conn :timeout 5))
                                 (netopt-receive conn :timeout 5)))
                         results))
                 (delete-process cli)
                 (netopt-close peer)
                 (when (file-exists-p file) (delete-file file))
                 ;; A server: netopt's own client as its peer.
                 (setq got nil)
                 (let* ((srv (netopt-make-network-process
                              :name "srv" :family family :server t
                              :type (and (not (eq type 'stream)) type)
                              :host host :service (if host 0 file)
                              :filter filter))
                        (c (netopt-make-socket
                            :family family :type type :host host
                            :service (if host (process-contact srv :service)
                                       file))))
                   (netopt-send c "pong")
                   (let ((deadline (+ (float-time) 5)))
                     (while (and (not got) (< (float-time) deadline))
                       (accept-process-output nil 0.05)))
                   (push (list family type 'server got) results)
                   (netopt-close c)
                   (delete-process srv)
                   (when (file-exists-p file) (delete-file file)))))
             (delete-directory dir t)
             (nreverse results)))))
    (should (equal result
                   '((ipv4 stream client "ping") (ipv4 stream server "pong")
                     (ipv4 datagram client "ping") (ipv4 datagram server "pong")
                     (ipv6 stream client "ping") (ipv6 stream server "pong")
                     (ipv6 datagram client "ping") (ipv6 datagram server "pong")
                     (local stream client "ping") (local stream server "pong")
                     (local datagram client "ping")
                     (local datagram server "pong")
                     (local seqpacket client "ping")
                     (local seqpacket server "pong"))))))

(netopt-deftest netopt-process-registry-adopt-checks-its-arguments ()
  "`netopt--adopt' takes nothing from a process it was not given.
No process, a pipe process, or a snapshot that would make a located
process's socket look new: each is refused, and the located process
keeps its socket (traffic still flows)."
  (pcase-let* ((`(,_srv ,cli ,child) (netopt-test-process-pair))
               (pipe (netopt-test-delete-later
                      (make-pipe-process :name "registry-pipe" :noquery t)))
               (got nil))
    (should-error (netopt--adopt nil "not a process" nil)
                  :type 'wrong-type-argument)
    (should-error (netopt--adopt nil pipe nil)
                  :type 'netopt-not-network)
    ;; CLI located: with every other socket in the snapshot, its own
    ;; is the only "new" one, and still not taken.
    (netopt-option cli :keepalive)
    (let ((before (seq-remove
                   (lambda (pair)
                     (= (car pair)
                        (netopt--socket-fd (netopt--process-socket cli))))
                   (netopt--socket-fds))))
      (should-error (netopt--adopt nil child before)
                    :type 'netopt-socket-not-found))
    (set-process-filter child (lambda (_p s) (setq got (concat got s))))
    (process-send-string cli "still here")
    (should (netopt-test-wait-for
             (lambda () (equal got "still here"))))))

(defun netopt-process-registry-test--c-strings ()
  "Return every string literal of the C sources naming a netopt symbol.
Each as (FILE . STRING)."
  (let ((found nil))
    (dolist (file (directory-files-recursively
                   (expand-file-name "module" netopt-test-root)
                   "\\.[ch]\\'"))
      (with-temp-buffer
        (insert-file-contents file)
        (while (re-search-forward "\"\\(netopt-[-a-z0-9]*\\)\"" nil t)
          (push (cons (file-relative-name file netopt-test-root)
                      (match-string 1))
                found))))
    found))

(ert-deftest netopt-process-registry-c-names-no-lisp-of-netopt ()
  "The C sources name no internal function or variable of the Lisp layer.
Every `netopt--' name in module/ is one the module defines itself (a
function of its table, or the property it puts on each option
keyword); the public names it uses are the error symbols and the two
customization variables of the API."
  (let* ((strings (netopt-process-registry-test--c-strings))
         (internal (seq-filter (lambda (e) (string-prefix-p "netopt--" (cdr e)))
                               strings))
         (module-functions
          (seq-filter (lambda (e)
                        (let ((s (intern-soft (cdr e))))
                          (and s (fboundp s)
                               (module-function-p (indirect-function s)))))
                      strings)))
    (should internal)
    (should
     (equal (seq-remove (lambda (e)
                          (or (member e module-functions)
                              (equal (cdr e) "netopt--option-index")))
                        internal)
            nil))
    ;; The public names: functions of the module, errors, two options.
    (should
     (equal (seq-remove
             (lambda (e)
               (or (string-prefix-p "netopt--" (cdr e))
                   (member e module-functions)
                   (get (intern (cdr e)) 'error-conditions)
                   (member (cdr e) '("netopt-linger-seconds"
                                     "netopt-connect-timeout"
                                     "netopt-socket-p" "netopt-core"))))
             strings)
            nil))))

(provide 'process-registry-test)
;;; process-registry-test.el ends here
