;;; bench.el --- make bench: netopt against Emacs and the system call  -*- lexical-binding: t; -*-

;;; Commentary:

;; Run by `make bench'.  `netopt-bench-run' runs in a batch Emacs that
;; measures nothing itself: it natively compiles the Lisp layer into a
;; temporary directory when this Emacs can, then starts one child Emacs
;; per mode (`netopt-bench-child'): one with the Lisp layer
;; byte-compiled, one with it natively compiled.  Each child runs
;; test/tools/floor (the system-call floor, in C), measures every row
;; and hands its numbers back; the parent also times `(require 'netopt-module)'
;; in child processes, and writes one table with both modes side by
;; side.  Without native compilation the native columns say "n/a".
;;
;; In both children the timed loops are this file's, byte-compiled;
;; only the Lisp layer differs.  Times are the best of several rounds,
;; each loop interleaved with its reference, garbage-collection time
;; taken out.  Nothing here is a test: the table reports ratios against
;; the targets of issue 13.

;;; Code:

(require 'subr-x)

;; The bench is compiled without loading the module; what it calls is
;; declared here.  Functions that may not exist yet are called through
;; `netopt-bench--fn' and reported "n/a" when unbound.
(declare-function netopt-make-socket "netopt-module" (&rest args))
(declare-function netopt-close "ext:netopt-core" (socket))
(declare-function netopt-socket-p "ext:netopt-core" (object))
(declare-function netopt-set-option "ext:netopt-core"
                  (target option value))
(declare-function netopt-option "ext:netopt-core" (target option))
(declare-function netopt-accept "ext:netopt-core"
                  (server &optional timeout))
(declare-function netopt-contact "netopt-module" (target &optional key))
(declare-function netopt--process-forget "ext:netopt-core" (process))
(defvar netopt-connection-options)
(defvar native-comp-eln-load-path)
(defvar native-compile-target-directory)
(defvar comp-native-version-dir)

(defvar netopt-bench-output
  (expand-file-name "bench-results.org"
                    (file-name-directory (or load-file-name buffer-file-name)))
  "File the results table is written to.")

(defconst netopt-bench--lisp-files
  '("netopt-base" "netopt-adopt" "netopt-budget" "netopt-mode"
    "netopt-module" "netopt-list")
  "The Lisp layer's files that are natively compiled for the native mode.")

(defconst netopt-bench--require-runs 20
  "How many child Emacsen time `require', with it and without, each.")

;;;; Timing

(defun netopt-bench--time (loops n rounds &optional between)
  "Time each function of LOOPS, of N iterations each, ROUNDS times.
The loops are interleaved round by round, so that a disturbance of the
machine hits all of them alike.  BETWEEN, if non-nil, is called with
a loop's index before that loop runs, untimed.  Return the best ns per
iteration of each, in order."
  (let ((best (make-list (length loops) nil)))
    (dotimes (_ rounds)
      (let ((i 0))
        (dolist (loop loops)
          (when between (funcall between i))
          (garbage-collect)
          (let ((t0 (float-time)) (gc0 gc-elapsed))
            (funcall loop)
            (let ((ns (/ (* 1e9 (- (float-time) t0 (- gc-elapsed gc0))) n))
                  (cell (nthcdr i best)))
              (setcar cell (if (car cell) (min (car cell) ns) ns))))
          (setq i (1+ i)))))
    best))

(defmacro netopt-bench--ns (n &rest body)
  "Return the best of five timings of N iterations of BODY, in ns each."
  (declare (indent 1))
  `(car (netopt-bench--time (list (lambda () (dotimes (_ ,n) ,@body)))
                            ,n 5)))

(defmacro netopt-bench--pair (n a b &optional rounds between)
  "Time forms A and B, N iterations each, interleaved; return (NS-A NS-B).
ROUNDS defaults to 5; BETWEEN is as for `netopt-bench--time'."
  `(netopt-bench--time (list (lambda () (dotimes (_ ,n) ,a))
                             (lambda () (dotimes (_ ,n) ,b)))
                       ,n ,(or rounds 5) ,between))

(defun netopt-bench--fn (symbol)
  "Return SYMBOL if it is a function now, nil otherwise."
  (and (fboundp symbol) symbol))

;;;; Helpers of the child

(defun netopt-bench--rss-kib ()
  "Return this Emacs's resident set size in KiB."
  (with-temp-buffer
    (insert-file-contents "/proc/self/status")
    (if (re-search-forward "^VmRSS:\\s-+\\([0-9]+\\)" nil t)
        (string-to-number (match-string 1))
      0)))

(defun netopt-bench--fds ()
  "Return how many descriptors this Emacs has open."
  (length (directory-files "/proc/self/fd" nil "\\`[0-9]+\\'")))

(defun netopt-bench--lookup (process n)
  "Return ns for N first lookups of PROCESS's socket (cache cleared)."
  (netopt-bench--ns n
    (netopt--process-forget process)
    (netopt-option process :keepalive)))

(defun netopt-bench--drain (listener)
  "Accept and close every connection waiting on netopt socket LISTENER."
  (let (child)
    (while (setq child (netopt-accept listener 0))
      (netopt-close child))))

(defun netopt-bench--wait (predicate seconds)
  "Run Emacs's event loop until PREDICATE is non-nil, SECONDS at most."
  (let ((deadline (+ (float-time) seconds)))
    (while (and (not (funcall predicate)) (< (float-time) deadline))
      (accept-process-output nil 0.01))))

(defun netopt-bench--compiled-as (symbol)
  "Return how SYMBOL's function is compiled: native, byte or other."
  (let ((f (indirect-function symbol)))
    (cond ((and (fboundp 'subr-native-elisp-p) (subr-native-elisp-p f))
           'native)
          ((byte-code-function-p f) 'byte)
          (t 'other))))

(defun netopt-bench--eln-path (dir)
  "Return `native-comp-eln-load-path' with DIR first, Emacs's own last.
The user's cache (~/.emacs.d/eln-cache) is left out, so that only the
natively compiled files of DIR can replace the Lisp layer's .elc."
  (cons dir (last native-comp-eln-load-path)))

;;;; The child: every in-process measurement, for one mode

(defun netopt-bench--client-rows (r listener port)
  "Time client connections to PORT (LISTENER's) into alist R; return R."
  (let ((nmnp (netopt-bench--fn 'netopt-make-network-process))
        (drain (lambda (_) (netopt-bench--drain listener))))
    (when nmnp
      (let ((pair (netopt-bench--pair 20
                    (delete-process
                     (funcall nmnp :name "bench-c" :host "127.0.0.1"
                              :service port))
                    (delete-process
                     (make-network-process :name "bench-c" :host "127.0.0.1"
                                           :service port))
                    3 drain)))
        (push (cons 'nmnp-client (car pair)) r)
        (push (cons 'mnp-client-ref (cadr pair)) r))
      (let ((pair (netopt-bench--pair 200
                    (delete-process
                     (funcall nmnp :name "bench-s" :server t
                              :host "127.0.0.1" :service t))
                    (delete-process
                     (make-network-process :name "bench-s" :server t
                                           :host "127.0.0.1" :service t))
                    3)))
        (push (cons 'nmnp-server (car pair)) r)
        (push (cons 'mnp-server-ref (cadr pair)) r)))
    (when-let ((mode (netopt-bench--fn 'netopt-mode)))
      (let* ((netopt-connection-options
              '(("\\`10\\.9\\.9\\.9\\'" :keepalive t)))
             (pair (netopt-bench--pair 400
                     (delete-process
                      (make-network-process :name "bench-m" :host "127.0.0.1"
                                            :service port))
                     (delete-process
                      (make-network-process :name "bench-m" :host "127.0.0.1"
                                            :service port))
                     7
                     (lambda (i)
                       (netopt-bench--drain listener)
                       (funcall mode (if (= i 0) 1 -1))))))
        (funcall mode -1)
        (push (cons 'mode-on (car pair)) r)
        (push (cons 'mode-off (cadr pair)) r)
        ;; The same loop twice with the mode off: the noise of the row.
        (let ((same (netopt-bench--pair 400
                      (delete-process
                       (make-network-process :name "bench-m" :host "127.0.0.1"
                                             :service port))
                      (delete-process
                       (make-network-process :name "bench-m" :host "127.0.0.1"
                                             :service port))
                      7 drain)))
          (push (cons 'mode-off-a (car same)) r)
          (push (cons 'mode-off-b (cadr same)) r))
        ;; The mode's advice alone, around a function that does nothing.
        (when-let ((advice (netopt-bench--fn
                            'netopt--make-network-process-advice)))
          (push (cons 'advice-alone
                      (netopt-bench--ns 100000
                        (funcall advice #'ignore :name "bench-m"
                                 :host "127.0.0.1" :service port)))
                r))))
    (netopt-bench--drain listener)
    r))

(defun netopt-bench--list-rows (r)
  "Time `netopt-list-sockets' over 300 connections into alist R; return R."
  (if-let ((list-sockets (netopt-bench--fn 'netopt-list-sockets)))
    (let* ((accepted nil)
           (srv (make-network-process
                 :name "bench-list-srv" :server 300 :host "127.0.0.1"
                 :service t :family 'ipv4
                 :log (lambda (_server child _message)
                        (push child accepted))))
           (port (process-contact srv :service))
           (clients nil) (buffer nil))
      (unwind-protect
          (progn
            (dotimes (_ 150)
              (push (make-network-process :name "bench-list" :host "127.0.0.1"
                                          :service port)
                    clients))
            (netopt-bench--wait (lambda () (>= (length accepted) 150)) 30)
            (push (cons 'list-connections
                        (+ (length clients) (length accepted)))
                  r)
            (let ((t0 (float-time)))
              (setq buffer (save-window-excursion
                             (funcall list-sockets)))
              (push (cons 'list-first (* 1e9 (- (float-time) t0))) r))
            (push (cons 'list-refresh
                        (car (netopt-bench--time
                              (list (lambda ()
                                      (with-current-buffer buffer
                                        (revert-buffer))))
                              1 5)))
                  r))
        (when (buffer-live-p buffer) (kill-buffer buffer))
        (mapc #'delete-process clients)
        (mapc #'delete-process accepted)
        (delete-process srv))
      r)
    r))

(defun netopt-bench--measure ()
  "Run every in-process measurement; return an alist (KEY . NS)."
  (let* ((r nil) (n 200000)
         (srv (make-network-process :name "bench-srv" :server t
                                    :host "127.0.0.1" :service t
                                    :family 'ipv4))
         (cli (make-network-process :name "bench-cli" :host "127.0.0.1"
                                    :service (process-contact srv :service)))
         (sock (netopt-make-socket :server t :host "127.0.0.1" :service t))
         (listener (netopt-make-socket :server 4096 :host "127.0.0.1"
                                       :service t))
         (port (netopt-contact listener :service)))
    (unwind-protect
        (progn
          ;; A netopt socket against the module-call floor + the syscall.
          (let ((times (netopt-bench--time
                        (list (lambda () (dotimes (_ n) (netopt-socket-p sock)))
                              (lambda ()
                                (dotimes (_ n)
                                  (netopt-set-option sock :keepalive t)))
                              (lambda ()
                                (dotimes (_ n)
                                  (netopt-option sock :keepalive))))
                        n 5)))
            (push (cons 'socket-p (nth 0 times)) r)
            (push (cons 'set-sock (nth 1 times)) r)
            (push (cons 'get-sock (nth 2 times)) r))
          ;; An Emacs process, its socket located before timing.
          (netopt-option cli :keepalive)
          (let ((times (netopt-bench--time
                        (list (lambda ()
                                (dotimes (_ n)
                                  (netopt-set-option cli :keepalive t)))
                              (lambda ()
                                (dotimes (_ n)
                                  (set-network-process-option
                                   cli :keepalive t)))
                              (lambda ()
                                (dotimes (_ n)
                                  (netopt-set-option cli :keepidle 60))))
                        n 5)))
            (push (cons 'set-proc-keepalive (nth 0 times)) r)
            (push (cons 'snpo-keepalive (nth 1 times)) r)
            (push (cons 'set-proc-keepidle (nth 2 times)) r))
          ;; Listening sockets.
          (let ((pair (netopt-bench--pair 20000
                        (netopt-close (netopt-make-socket
                                       :server t :host "127.0.0.1"
                                       :service t))
                        (delete-process
                         (make-network-process :name "b" :server t
                                               :host "127.0.0.1" :service t
                                               :family 'ipv4)))))
            (push (cons 'listen-netopt (car pair)) r)
            (push (cons 'listen-emacs (cadr pair)) r))
          ;; Processes made by netopt, and netopt-mode.
          (setq r (netopt-bench--client-rows r listener port))
          (setq r (netopt-bench--list-rows r))
          ;; Lookup cost with few and with many other sockets.  Emacs
          ;; 28 caps its own descriptor limit at FD_SETSIZE (1024), so
          ;; 10,000 sockets cannot exist in it: measure with as many as
          ;; it allows, half of them Emacs's own processes (each costs
          ;; the scan system calls), half netopt sockets, and project to
          ;; 10,000 from the cost per descriptor.
          (let* ((few (netopt-bench--lookup cli 2000))
                 (cached-few (netopt-bench--ns n
                               (netopt-option cli :keepalive)))
                 (room (- 1000 (netopt-bench--fds)))
                 (procs nil) (others nil))
            (unwind-protect
                (progn
                  (dotimes (_ (/ room 2))
                    (push (make-network-process
                           :name "o" :type 'datagram :server t
                           :host "127.0.0.1" :service t :family 'ipv4)
                          procs))
                  (dotimes (_ (- room (length procs)))
                    (push (netopt-make-socket) others))
                  (let ((count (+ (length procs) (length others)))
                        (many (netopt-bench--lookup cli 200)))
                    (push (cons 'lookup-count count) r)
                    (push (cons 'lookup-few few) r)
                    (push (cons 'lookup-many many) r)
                    (push (cons 'lookup-projected
                                (+ few (* (/ (- many few) count) 10000)))
                          r)
                    (push (cons 'cached-few cached-few) r)
                    (push (cons 'cached-many
                                (netopt-bench--ns n
                                  (netopt-option cli :keepalive)))
                          r)))
              (mapc #'netopt-close others)
              (mapc #'delete-process procs)))
          ;; A million calls: memory and descriptors.
          (garbage-collect)
          (let ((rss0 (netopt-bench--rss-kib)) (fds0 (netopt-bench--fds)))
            (dotimes (_ 500000)
              (netopt-set-option sock :priority 2)
              (netopt-option sock :priority))
            (garbage-collect)
            (push (cons 'rss-growth (float (- (netopt-bench--rss-kib) rss0)))
                  r)
            (push (cons 'fd-growth (float (- (netopt-bench--fds) fds0))) r)))
      (netopt-close listener)
      (netopt-close sock)
      ;; The server's end of CLI, accepted whenever Emacs read input.
      (dolist (p (process-list))
        (when (string-prefix-p "bench-" (process-name p))
          (delete-process p))))
    r))

(defun netopt-bench-child (mode eln-dir out)
  "Measure everything with the Lisp layer compiled as MODE; write to OUT.
MODE is \"byte\" or \"native\".  ELN-DIR, when non-nil, goes first in
`native-comp-eln-load-path' (the rest is Emacs's own directory): it
holds the Lisp layer's .eln files for the native mode, nothing for
the byte mode, and in both it takes the trampolines Emacs compiles
when `netopt-mode' advises `make-network-process'.  OUT receives an
alist (KEY . NS), KEY `compiled' saying how the layer was loaded."
  (when eln-dir
    (setq native-comp-eln-load-path (netopt-bench--eln-path eln-dir)))
  (require 'netopt-module)
  (require 'netopt-list nil t)
  (let ((compiled (netopt-bench--compiled-as 'netopt-make-socket)))
    (unless (eq compiled (intern mode))
      (error "Bench: the Lisp layer is %s, not %s" compiled mode))
    ;; The C floor, run by this child just before it measures, so that
    ;; both are taken under the same load of the machine.
    (let* ((floor (netopt-bench--floor))
           (r (netopt-bench--measure)))
      (push (cons 'floor floor) r)
      (push (cons 'compiled compiled) r)
      (push (cons 'processes (length (process-list))) r)
      (with-temp-file out
        (let ((print-length nil) (print-level nil))
          (prin1 r (current-buffer)))))))

;;;; The parent: floor, native compilation, children, the table

(defun netopt-bench--floor ()
  "Run the C floor helper; return an alist (NAME . NS)."
  (with-temp-buffer
    (call-process (expand-file-name "tools/floor"
                                    (file-name-directory netopt-bench-output))
                  nil t nil "200000")
    (mapcar (lambda (line)
              (let ((parts (split-string line)))
                (cons (car parts) (string-to-number (cadr parts)))))
            (split-string (buffer-string) "\n" t))))

(defun netopt-bench--native-p ()
  "Return non-nil if this Emacs can compile natively."
  (and (fboundp 'native-comp-available-p) (native-comp-available-p)))

(defun netopt-bench--native-compile (dir)
  "Natively compile the Lisp layer into DIR, for the native child."
  (require 'comp)
  (let ((native-compile-target-directory dir))
    (dolist (file netopt-bench--lisp-files)
      (native-compile (locate-library (concat file ".el"))))))

(defun netopt-bench--emacs ()
  "Return the file name of this Emacs's executable."
  (expand-file-name invocation-name invocation-directory))

(defun netopt-bench--lisp-dir ()
  "Return the directory of the Lisp layer."
  (file-name-directory (locate-library "netopt-module.el")))

(defun netopt-bench--run-child (mode eln-dir)
  "Run `netopt-bench-child' for MODE in a new Emacs; return its alist.
ELN-DIR is passed on.  The child's messages are relayed."
  (let ((out (make-temp-file "netopt-bench-out")))
    (unwind-protect
        (with-temp-buffer
          (let ((status
                 (call-process
                  (netopt-bench--emacs) nil t nil
                  "-Q" "--batch" "--eval" "(setq load-prefer-newer t)"
                  "-L" (netopt-bench--lisp-dir)
                  "-L" (file-name-directory netopt-bench-output)
                  "-l" (expand-file-name "bench.elc" (file-name-directory
                                                      netopt-bench-output))
                  "--eval" (format "(netopt-bench-child %S %S %S)"
                                   mode eln-dir out))))
            (unless (eq status 0)
              (message "%s" (buffer-string))
              (error "Bench: the %s child failed (%s)" mode status))
            (with-temp-buffer
              (insert-file-contents out)
              (read (current-buffer)))))
      (delete-file out))))

(defun netopt-bench--median (list)
  "Return the median of LIST, a list of numbers."
  (let ((sorted (sort (copy-sequence list) #'<)) (len (length list)))
    (if (= (% len 2) 1)
        (nth (/ len 2) sorted)
      (/ (+ (nth (1- (/ len 2)) sorted) (nth (/ len 2) sorted)) 2.0))))

(defun netopt-bench--require (eln-dir)
  "Time `(require \\='netopt-module)' in child Emacsen; return an alist.
ELN-DIR is as for `netopt-bench-child'.  A bare `emacs -Q --batch' and
one that requires netopt-module run alternately, each
`netopt-bench--require-runs' times; the medians, in ms, are
`require-bare' and `require-with'."
  (let* ((setup (if eln-dir
                    (format "(setq native-comp-eln-load-path '%S)"
                            (netopt-bench--eln-path eln-dir))
                  "nil"))
         (common (list "-Q" "--batch" "-L" (netopt-bench--lisp-dir)
                       "--eval" setup))
         (bare nil) (with nil))
    (dotimes (_ netopt-bench--require-runs)
      (dolist (req '(nil t))
        (let ((t0 (float-time)))
          (unless (eq 0 (apply #'call-process (netopt-bench--emacs) nil nil nil
                               (append common
                                       (and req
                                            (list "--eval"
                                                  "(require 'netopt-module)")))))
            (error "Bench: a child Emacs failed"))
          (let ((ms (* 1e3 (- (float-time) t0))))
            (if req (push ms with) (push ms bare))))))
    (list (cons 'require-bare (netopt-bench--median bare))
          (cons 'require-with (netopt-bench--median with)))))

(defun netopt-bench--mode (mode eln-dir)
  "Measure MODE in a child, and `require' for it; return the alist.
ELN-DIR is as for `netopt-bench-child'."
  (message "bench: %s-compiled Lisp layer..." mode)
  (append (netopt-bench--run-child mode eln-dir)
          (netopt-bench--require eln-dir)))

(defun netopt-bench--get (key)
  "Return a function of (R FLOOR) giving KEY of R."
  (lambda (r _floor) (alist-get key r)))

(defun netopt-bench--plus-floor (key floor-name)
  "Return a function of (R FLOOR): KEY of R plus FLOOR-NAME of FLOOR."
  (lambda (r floor)
    (let ((a (alist-get key r))
          (b (alist-get floor-name floor nil nil #'equal)))
      (and a b (+ a b)))))

(defun netopt-bench--const (value)
  "Return a function of (R FLOOR) giving VALUE."
  (lambda (_r _floor) value))

(defun netopt-bench--rows ()
  "Return the rows: (MEASURE VALUE-FN AGAINST REF-FN TARGET).
VALUE-FN and REF-FN take a mode's alist and the floor's.  TARGET is a
maximum ratio, `zero' (the value must be 0) or nil (for information)."
  (let ((get #'netopt-bench--get) (c #'netopt-bench--const))
    (list
     (list "module call: (netopt-socket-p SOCKET)" (funcall get 'socket-p)
           "" (funcall c nil) nil)
     (list "netopt-set-option SOCKET :keepalive" (funcall get 'set-sock)
           "module call + setsockopt in C"
           (netopt-bench--plus-floor 'socket-p "setsockopt") 1.15)
     (list "netopt-option SOCKET :keepalive" (funcall get 'get-sock)
           "module call + getsockopt in C"
           (netopt-bench--plus-floor 'socket-p "getsockopt") 1.15)
     (list "netopt-set-option PROCESS :keepalive (located)"
           (funcall get 'set-proc-keepalive)
           "set-network-process-option PROCESS :keepalive"
           (funcall get 'snpo-keepalive) 1.3)
     (list "netopt-set-option PROCESS :keepidle (located)"
           (funcall get 'set-proc-keepidle)
           "module call + setsockopt(TCP_KEEPIDLE) in C"
           (netopt-bench--plus-floor 'socket-p "setsockopt-keepidle") 1.3)
     (list "netopt-make-socket :server t + netopt-close"
           (funcall get 'listen-netopt)
           "socket+setsockopt+bind+listen+close in C"
           (lambda (_r floor) (alist-get "listen-cycle" floor nil nil #'equal))
           1.15)
     (list "netopt-make-socket :server t + netopt-close"
           (funcall get 'listen-netopt)
           "make-network-process :server t + delete-process"
           (funcall get 'listen-emacs) 1.0)
     (list "make-network-process :server t + delete-process"
           (funcall get 'listen-emacs)
           "socket+setsockopt+bind+listen+close in C"
           (lambda (_r floor) (alist-get "listen-cycle" floor nil nil #'equal))
           nil)
     (list "netopt-make-network-process client + delete-process"
           (funcall get 'nmnp-client)
           "make-network-process client + delete-process"
           (funcall get 'mnp-client-ref) 2.5)
     (list "netopt-make-network-process :server t + delete-process"
           (funcall get 'nmnp-server)
           "make-network-process :server t + delete-process"
           (funcall get 'mnp-server-ref) 2.5)
     (list "make-network-process client, netopt-mode on, no rule matches"
           (funcall get 'mode-on)
           "make-network-process client, netopt-mode off"
           (funcall get 'mode-off) 1.05)
     (list "make-network-process client, netopt-mode off (noise check)"
           (funcall get 'mode-off-a)
           "the same loop again, netopt-mode off"
           (funcall get 'mode-off-b) nil)
     (list "netopt-mode's advice alone, no rule matches (around ignore)"
           (funcall get 'advice-alone)
           "make-network-process client, netopt-mode off"
           (funcall get 'mode-off) nil)
     (list "netopt-list-sockets refresh (revert-buffer), 300 connections"
           (funcall get 'list-refresh) "target: 100 ms" (funcall c 1e8) 1.0)
     (list "netopt-list-sockets first display, 300 connections, unlocated"
           (funcall get 'list-first) "100 ms" (funcall c 1e8) nil)
     (list "first lookup, ~990 other sockets" (funcall get 'lookup-many)
           "first lookup, 10 others" (funcall get 'lookup-few) nil)
     (list "first lookup, 10,000 others (projected)"
           (funcall get 'lookup-projected) "target: 20 ms" (funcall c 2e7)
           1.0)
     (list "cached lookup+read, ~990 others" (funcall get 'cached-many)
           "cached, 10 others" (funcall get 'cached-few) 1.1)
     (list "ms: emacs -Q --batch + (require 'netopt-module), median of 20"
           (funcall get 'require-with)
           "ms: bare emacs -Q --batch" (funcall get 'require-bare) nil)
     (list "ms: (require 'netopt-module) over bare emacs -Q --batch"
           (lambda (r _floor)
             (let ((a (alist-get 'require-with r))
                   (b (alist-get 'require-bare r)))
               (and a b (- a b))))
           "target: 10 ms" (funcall c 10.0) 1.0)
     (list "KiB: 1,000,000 set+read, RSS growth" (funcall get 'rss-growth)
           "target: 1024 KiB" (funcall c 1024.0) 1.0)
     (list "1,000,000 set+read: descriptor growth" (funcall get 'fd-growth)
           "target: 0" (funcall c nil) 'zero))))

(defun netopt-bench--cells (row r floor)
  "Return the cells of ROW for one mode's alist R (nil: n/a), with FLOOR.
The cells are value, reference, ratio, target, and met or MISSED."
  (pcase-let* ((`(,_what ,value-fn ,_against ,ref-fn ,target) row)
               (value (and r (funcall value-fn r floor)))
               (ref (and r (funcall ref-fn r floor)))
               (ratio (and value ref (> ref 0) (/ value ref)))
               (fmt (lambda (x) (if (numberp x) (format "%.1f" x) ""))))
    (if (null value)
        (list "n/a" "" "" (netopt-bench--target target) "n/a")
      (list (funcall fmt value) (funcall fmt ref)
            (if ratio (format "%.2f" ratio) "")
            (netopt-bench--target target)
            (cond ((null target) "")
                  ((eq target 'zero) (if (= value 0) "met" "MISSED"))
                  ((null ratio) "n/a")
                  ((<= ratio target) "met")
                  (t "MISSED"))))))

(defun netopt-bench--target (target)
  "Return TARGET as it appears in the table."
  (cond ((null target) "")
        ((eq target 'zero) "= 0")
        (t (format "≤ %s" target))))

(defun netopt-bench-run ()
  "Run every measurement in both modes and write the table to a file."
  (let* ((native (netopt-bench--native-p))
         (tmp (make-temp-file "netopt-bench" t))
         (byte-dir (and native (expand-file-name "byte" tmp)))
         (native-dir (and native (expand-file-name "native" tmp)))
         byte-r native-r)
    (unwind-protect
        (progn
          (when native
            (make-directory byte-dir)
            (make-directory native-dir)
            (message "bench: compiling the Lisp layer natively...")
            (netopt-bench--native-compile native-dir))
          (setq byte-r (netopt-bench--mode "byte" byte-dir))
          (when native
            (setq native-r (netopt-bench--mode "native" native-dir))))
      (delete-directory tmp t))
    (netopt-bench--write byte-r native-r)))

(defun netopt-bench--floor-text (r)
  "Return the C floor of a mode's alist R as text."
  (if r
      (mapconcat (lambda (f) (format "%s %.1f ns" (car f) (cdr f)))
                 (alist-get 'floor r) ", ")
    "n/a"))

(defun netopt-bench--write (byte-r native-r)
  "Write the table of BYTE-R and NATIVE-R (nil: n/a) to a file."
  (let ((text
         (with-temp-buffer
           (insert (format "make bench, %s: Emacs %s, %s, %d cores, Linux %s\n"
                           (format-time-string "%Y-%m-%d")
                           emacs-version
                           (string-trim
                            (shell-command-to-string
                             "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"))
                           (string-to-number
                            (shell-command-to-string "nproc"))
                           (string-trim (shell-command-to-string "uname -r"))))
           (insert (format "Columns byte-*: Lisp layer byte-compiled (.elc); \
native-*: natively compiled (.eln)%s.  Timed loops byte-compiled in both.
Times in ns unless the measure says ms or KiB; ref is the \"against\" \
column.  C floor, run by each child: %s (byte); %s (native).\n\n"
                           (if native-r "" ", n/a: no native compilation here")
                           (netopt-bench--floor-text byte-r)
                           (netopt-bench--floor-text native-r)))
           (insert "| measure | against | byte ns | byte ref | byte ratio \
| byte target | byte | native ns | native ref | native ratio \
| native target | native |\n|-\n")
           (dolist (row (netopt-bench--rows))
             (insert (format "| %s | %s | %s | %s |\n"
                             (nth 0 row) (nth 2 row)
                             (string-join
                              (netopt-bench--cells
                               row byte-r (alist-get 'floor byte-r))
                              " | ")
                             (string-join
                              (netopt-bench--cells
                               row native-r (alist-get 'floor native-r))
                              " | "))))
           (insert (format "\nConnections in the list rows: %s (byte), %s \
(native); Emacs processes left at the end of each child: %s, %s.\n"
                           (alist-get 'list-connections byte-r "n/a")
                           (alist-get 'list-connections native-r "n/a")
                           (alist-get 'processes byte-r "n/a")
                           (alist-get 'processes native-r "n/a")))
           (buffer-string))))
    (with-temp-file netopt-bench-output (insert text))
    (princ text)))

(provide 'bench)
;;; bench.el ends here
