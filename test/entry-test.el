;;; entry-test.el --- every function of the module: bad input, random calls  -*- lexical-binding: t; -*-

;;; Commentary:

;; module/entry: the table of every Lisp function the module defines,
;; exercised as a whole.  A matrix generated from every public function, every argument
;; position and a list of value classes, each case with the outcome a
;; rule table expects; and a seeded, reproducible random sequence of
;; calls over many sockets and processes, checking after every step that
;; errors are netopt's or wrong-type-argument and that this Emacs holds
;; exactly the descriptors it should.  Set NETOPT_FUZZ_SEED to replay a
;; sequence.

;;; Code:

(require 'netopt-test-helpers)

;;;; Value classes

(declare-function netopt-robust--make-foreign nil)

(defvar netopt-robust--foreign nil
  "A user-ptr made by another module, or nil when none could be built.")

(defun netopt-robust--foreign-ptr ()
  "Return a user-ptr made by a tiny module built here, or nil."
  (or netopt-robust--foreign
      (let* ((dir (make-temp-file "netopt-foreign" t))
             (src (expand-file-name "foreign.c" dir))
             (so (expand-file-name "foreign.so" dir)))
        (unwind-protect
            (progn
              (with-temp-file src
                (insert "#include <emacs-module.h>
int plugin_is_GPL_compatible;
static void fin (void *p) { (void) p; }
static emacs_value make (emacs_env *env, ptrdiff_t n, emacs_value *a, void *d)
{ (void) n; (void) a; (void) d; static int x; return env->make_user_ptr (env, fin, &x); }
int emacs_module_init (struct emacs_runtime *rt)
{ emacs_env *env = rt->get_environment (rt);
  emacs_value f = env->make_function (env, 0, 0, make, \"\", 0);
  emacs_value args[] = { env->intern (env, \"netopt-robust--make-foreign\"), f };
  env->funcall (env, env->intern (env, \"defalias\"), 2, args);
  return 0; }\n"))
              (when (and (executable-find "cc")
                         (eq 0 (netopt-test-call-process
                                "cc" nil nil nil "-shared" "-fPIC"
                                "-o" so src)))
                (module-load so)
                (setq netopt-robust--foreign
                      (funcall 'netopt-robust--make-foreign))))
          (delete-directory dir t)))))

(defun netopt-robust--circular ()
  "Return a circular list."
  (let ((l (list :keepalive t))) (nconc l l)))

(defun netopt-robust--classes (fixtures)
  "Return the value classes as (NAME . VALUE), using FIXTURES."
  (append
   `((nil . nil) (t . t) (zero . 0) (minus-one . -1)
     (fixnum-max . ,most-positive-fixnum)
     (bignum . ,(1+ most-positive-fixnum)) (float . 1.5)
     (empty . "") (lo . "lo") (s15 . ,(make-string 15 ?a))
     (s16 . ,(make-string 16 ?a)) (s108 . ,(make-string 108 ?a))
     (s10000 . ,(make-string 10000 ?a)) (nul . "lo\0x")
     (multibyte . "é€") (symbol . some-symbol) (keyword . :bogus)
     (list . (1 2 3)) (circular . ,(netopt-robust--circular))
     (vector . [1 2 3]) (record . ,(record 'foo 1))
     (marker . ,(point-marker)) (buffer . ,(current-buffer)))
   fixtures
   (let ((f (netopt-robust--foreign-ptr)))
     (and f `((foreign-ptr . ,f))))))

;;;; The rule table

(defun netopt-robust--expect (kind class)
  "Return the outcomes allowed for a value of CLASS at a KIND position.
An outcome is `value' or an error symbol.  KIND is target, socket,
option, or other."
  (pcase kind
    ('target
     (pcase class
       ((or 'socket 'server 'client-process 'server-process)
        '(value netopt-error))
       ('closed '(netopt-closed))
       ((or 'pipe 'subprocess) '(netopt-not-network))
       ('deleted '(netopt-closed))
       (_ '(wrong-type-argument))))
    ('socket
     (pcase class
       ((or 'socket 'server) '(value netopt-error))
       ('closed '(netopt-closed))
       (_ '(wrong-type-argument))))
    ('closing
     (pcase class
       ((or 'socket 'server 'closed) '(value))
       (_ '(wrong-type-argument))))
    ('option
     (pcase class
       ('keyword '(netopt-unknown-option))
       (_ '(wrong-type-argument))))
    (_ '(value netopt-error wrong-type-argument))))

(defun netopt-robust--outcome (thunk)
  "Call THUNK; return `value' or the symbol of the error it signalled."
  (condition-case err
      (progn (funcall thunk) 'value)
    (error (car err))))

(defun netopt-robust--allowed-p (outcome allowed)
  "Is OUTCOME (a value or error symbol) among ALLOWED?"
  (or (memq outcome allowed)
      (and (not (eq outcome 'value))
           (seq-some (lambda (a)
                       (and (not (eq a 'value))
                            (memq a (get outcome 'error-conditions))))
                     allowed))))

(defun netopt-robust--skip-p (kind class)
  "Is the value of CLASS left out at a KIND position?
A nil timeout waits forever (batch Emacs cannot quit), and a string
host would be looked up in a DNS this machine may not reach."
  (or (and (eq kind 'timeout) (eq class 'nil))
      ;; Closing the shared fixtures would spoil every later case.
      (and (eq kind 'closing) (memq class '(socket server)))
      (and (eq kind 'host)
           (memq class '(lo s15 s16 s108 s10000 multibyte empty nul)))))

;;;; Fixtures

(defmacro netopt-robust--with-fixtures (var &rest body)
  "Bind VAR to fixtures (NAME . OBJECT) for BODY, and clean them up."
  (declare (indent 1))
  `(let* ((srv (netopt-make-socket :server t :host "127.0.0.1" :service t))
          (sock (netopt-make-socket :host "127.0.0.1"
                                    :service (netopt-test-port srv)))
          (closed (let ((s (netopt-make-socket))) (netopt-close s) s))
          (psrv (make-network-process :name "fz" :server t :host "127.0.0.1"
                                      :service t :family 'ipv4))
          (pcli (make-network-process :name "fzc" :host "127.0.0.1"
                                      :service (process-contact psrv :service)))
          (deleted (let ((p (make-network-process
                             :name "fzd" :host "127.0.0.1"
                             :service (process-contact psrv :service))))
                     (delete-process p) p))
          (pipe (make-pipe-process :name "fzp" :noquery t))
          (sub (make-process :name "fzs" :command '("cat") :noquery t
                             :connection-type 'pipe))
          (,var `((socket . ,sock) (server . ,srv) (closed . ,closed)
                  (client-process . ,pcli) (server-process . ,psrv)
                  (deleted . ,deleted) (pipe . ,pipe) (subprocess . ,sub))))
     (unwind-protect (progn ,@body)
       (mapc #'netopt-close (list srv sock))
       (mapc #'delete-process (list psrv pcli pipe sub))
       ;; Emacs keeps a subprocess's pipes until it has reaped it.
       (dotimes (_ 10) (accept-process-output nil 0.02)))))

(defun netopt-robust--signatures (f)
  "Return the call signatures to fuzz, using fixtures F.
Each is (FUNCTION KINDS ARGS): ARGS a valid call, KINDS the kind of each
position (nil: the value is an option value or other argument)."
  (let ((s (alist-get 'socket f)) (srv (alist-get 'server f)))
    `((netopt-set-option (target option other other) (,s :priority 1 nil))
      (netopt-option (target option) (,s :keepalive))
      (netopt-contact (target other) (,s t))
      (netopt-option-info (option) (:keepalive))
      (netopt-accept (socket timeout) (,srv 0))
      (netopt-send (socket other) (,s "x"))
      (netopt-receive (socket other timeout) (,s :timeout 0))
      (netopt-receive (socket other other other timeout)
                      (,s :max 10 :timeout 0))
      (netopt-receive-from (socket other timeout) (,s :timeout 0))
      (netopt-close (closing) (,(netopt-make-socket)))
      (netopt-socket-p (other) (,s))
      (netopt-live-p (closing) (,s))
      (netopt-join-group (target other other) (,s "224.0.0.251" nil))
      (netopt-leave-group (target other other) (,s "224.0.0.251" nil))
      (netopt-set-raw-option (target other other other) (,s socket 9 1))
      (netopt-raw-option (target other other other) (,s socket 9 nil))
      (netopt-make-socket (other other) (:name "x"))
      (netopt-make-socket (other other) (:service 0))
      (netopt-make-socket (other other) (:type stream))
      (netopt-make-socket (other other) (:family ipv4))
      (netopt-make-socket (other other) (:server nil))
      (netopt-make-socket (other host) (:host nil))
      (netopt-make-socket (other other) (:local nil))
      (netopt-make-socket (other other) (:remote nil))
      (netopt-make-socket (other timeout) (:timeout 1))
      (netopt-make-socket (other other) (:child-options nil))
      (netopt-make-socket (other other other other)
                          (:family local :service "/tmp/netopt-fuzz-x")))))

(defun netopt-robust--socket-count ()
  "Return how many socket descriptors this Emacs has open.
Emacs keeps a deleted subprocess's pipes for a while; the module only
ever makes sockets, so sockets are what a leak would show in."
  (seq-count (lambda (f)
               (string-prefix-p "socket:"
                                (or (file-symlink-p
                                     (concat "/proc/self/fd/" f))
                                    "")))
             (directory-files "/proc/self/fd" nil "\\`[0-9]+\\'")))

(ert-deftest netopt-entry-bad-input-matrix ()
  "Every function × argument position × value class has its outcome."
  (let ((before (netopt-robust--socket-count)) (cases 0) (bad nil))
    (netopt-robust--with-fixtures fixtures
      (let ((classes (netopt-robust--classes fixtures)))
        ;; Each position of each signature.
        (dolist (sig (netopt-robust--signatures fixtures))
          (pcase-let ((`(,fn ,kinds ,args) sig))
            (dotimes (pos (length args))
              (dolist (class classes)
                (let* ((call (copy-sequence args))
                       (kind (nth pos kinds)))
                  (setf (nth pos call) (cdr class))
                  (unless (netopt-robust--skip-p kind (car class))
                   (let ((outcome (netopt-robust--outcome
                                  (lambda ()
                                    (let ((r (apply fn call)))
                                      (when (netopt-socket-p r)
                                        (netopt-close r)))))))
                    (setq cases (1+ cases))
                    (unless (netopt-robust--allowed-p
                             outcome (netopt-robust--expect kind (car class)))
                      (push (list fn pos (car class) outcome) bad)))))))))
        ;; Every option with every value class.
        (let ((s (alist-get 'socket fixtures)))
          (dolist (option (netopt-supported-options))
            (dolist (class classes)
              (let ((outcome (netopt-robust--outcome
                              (lambda ()
                                (netopt-set-option s option (cdr class) t)))))
                (setq cases (1+ cases))
                (unless (memq outcome '(value netopt-bad-value
                                              netopt-unknown-option
                                              netopt-system-error
                                              netopt-permission-denied))
                  (push (list 'netopt-set-option option (car class) outcome)
                        bad))))))))
    (ignore-errors (delete-file "/tmp/netopt-fuzz-x"))
    (message "fuzz: %d cases" cases)
    (should (null bad))
    (should (> cases 3000))
    (garbage-collect)
    (should (= (netopt-robust--socket-count) before))))

;;;; Random sequences

(defvar netopt-robust--state 0
  "State of the test's own pseudo-random generator.")

(defun netopt-robust--random (n)
  "Return a pseudo-random integer in [0, N), from the seeded generator."
  ;; A 31-bit linear congruential generator: same seed, same run.
  (setq netopt-robust--state
        (mod (+ (* netopt-robust--state 1103515245) 12345) 2147483648))
  (mod (/ netopt-robust--state 65536) n))

(defun netopt-robust--pick (list)
  "Return a pseudo-random element of LIST."
  (nth (netopt-robust--random (length list)) list))

(defun netopt-robust--live-processes (procs)
  "Return how many of PROCS are live network processes."
  (seq-count #'process-live-p procs))

(ert-deftest netopt-entry-random-sequence ()
  "Thousands of random calls: only netopt errors, exact descriptor count."
  (let* ((seed (if (getenv "NETOPT_FUZZ_SEED")
                   (string-to-number (getenv "NETOPT_FUZZ_SEED"))
                 (mod (truncate (* 1000 (float-time))) 1000000)))
         (steps (if (getenv "NETOPT_QUICK") 500 3000))
         (socks nil) (procs nil)
         (baseline (- (netopt-test-fd-count)
                      (length (netopt--live-sockets)))))
    (message "fuzz seed: %d (NETOPT_FUZZ_SEED=%d replays it)" seed seed)
    (setq netopt-robust--state seed)
    (unwind-protect
        (dotimes (step steps)
          (let* ((options (netopt-supported-options))
                 (values (list nil t 0 1 5 -1 "lo" "" 1.5 'x
                               (1+ most-positive-fixnum)))
                 (target (netopt-robust--pick
                          (or (append socks procs) (list nil))))
                 (action (netopt-robust--random 12))
                 (outcome
                  (condition-case err
                      (progn
                        (pcase action
                          (0 (push (netopt-make-socket
                                    :type (netopt-robust--pick
                                           '(stream datagram))
                                    :server (netopt-robust--pick '(nil t))
                                    :host "127.0.0.1" :service t)
                                   socks))
                          (1 (when socks
                               (let ((srv (seq-find
                                           (lambda (s)
                                             (and (netopt-live-p s)
                                                  (netopt-contact s :server)
                                                  (eq (netopt-contact s :type)
                                                      'stream)))
                                           socks)))
                                 (when srv
                                   (push (netopt-make-socket
                                          :host "127.0.0.1"
                                          :service (netopt-test-port srv))
                                         socks)
                                   (let ((c (netopt-accept srv 0)))
                                     (when c (push c socks)))))))
                          (2 (netopt-set-option target
                                                (netopt-robust--pick options)
                                                (netopt-robust--pick values)
                                                (netopt-robust--pick '(nil t))))
                          (3 (netopt-option target
                                            (netopt-robust--pick options)))
                          (4 (netopt-contact target t))
                          (5 (netopt-send target "data"))
                          (6 (netopt-receive target :timeout 0))
                          (7 (when socks
                               (netopt-close (netopt-robust--pick socks))))
                          (8 (push (make-network-process
                                    :name "rnd" :type 'datagram :server t
                                    :host "127.0.0.1" :service t
                                    :family 'ipv4)
                                   procs))
                          (9 (when procs
                               (delete-process (netopt-robust--pick procs))))
                          (10 (when (> (length socks) 20)
                                ;; Drop some unclosed, let GC close them.
                                (setq socks (seq-take socks 10))
                                (garbage-collect)))
                          (11 (netopt-accept target 0)))
                        'ok)
                    (error (car err)))))
            (unless (or (eq outcome 'ok)
                        (memq 'netopt-error (get outcome 'error-conditions))
                        (eq outcome 'wrong-type-argument))
              (ert-fail (list :seed seed :step step :action action
                              :error outcome)))
            (let ((want (+ baseline (length (netopt--live-sockets))
                           (netopt-robust--live-processes procs)))
                  (have (netopt-test-fd-count)))
              (unless (= want have)
                (ert-fail (list :seed seed :step step :action action
                                :descriptors have :expected want))))))
      (mapc (lambda (s) (when (netopt-socket-p s) (netopt-close s))) socks)
      (mapc #'delete-process procs))))

(provide 'entry-test)
;;; entry-test.el ends here
