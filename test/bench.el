;;; bench.el --- make bench: netopt against Emacs and the system call  -*- lexical-binding: t; -*-

;;; Commentary:

;; Run by `make bench' in one batch Emacs.  The Lisp layer is natively
;; compiled when this Emacs can, byte-compiled otherwise; each timed loop
;; is byte-compiled.  Times are the best of three rounds with garbage
;; collection time taken out.  The system-call floor comes from
;; test/tools/floor, run in the same session.  Nothing here is a test:
;; the table reports ratios against the issue's targets.

;;; Code:

(require 'netopt-module)
(require 'subr-x)
(when (and (fboundp 'native-comp-available-p) (native-comp-available-p))
  (require 'comp))
(defvar native-compile-target-directory)

(defvar netopt-bench-output
  (expand-file-name "bench-results.org"
                    (file-name-directory (or load-file-name buffer-file-name)))
  "File the results table is written to.")

(defvar netopt-bench--rows nil
  "Rows of the results table, newest first.")

(defun netopt-bench--time (loops n rounds)
  "Time each function of LOOPS, of N iterations each, ROUNDS times.
The loops are interleaved round by round, so that a disturbance of the
machine hits all of them alike.  Return the best ns per iteration of
each, in order."
  (let ((best (make-list (length loops) nil)))
    (dotimes (_ rounds)
      (let ((i 0))
        (dolist (loop loops)
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

(defmacro netopt-bench--pair (n a b)
  "Time forms A and B, N iterations each, interleaved; return (NS-A NS-B)."
  `(netopt-bench--time (list (lambda () (dotimes (_ ,n) ,a))
                             (lambda () (dotimes (_ ,n) ,b)))
                       ,n 5))

(defun netopt-bench--row (what ns reference ref-ns target)
  "Record a row: WHAT took NS; REFERENCE took REF-NS; TARGET is a max ratio."
  (let ((ratio (and ref-ns (/ ns ref-ns))))
    (push (list what ns reference ref-ns ratio target
                (cond ((null target) "")
                      ((<= ratio target) "met")
                      (t "MISSED")))
          netopt-bench--rows)
    (message "%-48s %10.1f  %-34s %10.1f  %6.2f  %s" what ns reference
             (or ref-ns 0) (or ratio 0) (or target ""))))

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

(defun netopt-bench--compile-lisp ()
  "Compile the Lisp layer natively if possible; return a description."
  (if (and (fboundp 'native-comp-available-p) (native-comp-available-p))
      (let ((native-compile-target-directory
             (make-temp-file "netopt-eln" t)))
        (unwind-protect
            (dolist (file '("netopt-module" "netopt-process"))
              (load (native-compile (locate-library (concat file ".el")))
                    nil t))
          ;; The loaded code stays mapped; the files can go.
          (delete-directory native-compile-target-directory t))
        "natively compiled")
    "byte-compiled"))

(defun netopt-bench--lookup (process n)
  "Return ns for N first lookups of PROCESS's socket (cache cleared)."
  (netopt-bench--ns n
    (let ((h (gethash process netopt--handles)))
      (when h (netopt--drop-handle process h)))
    (netopt-option process :keepalive)))

(defun netopt-bench-run ()
  "Run every measurement, print the table and write it to a file."
  (setq netopt-bench--rows nil)
  (let* ((how (netopt-bench--compile-lisp))
         (floor (netopt-bench--floor))
         (n 200000)
         (srv (make-network-process :name "bench-srv" :server t
                                    :host "127.0.0.1" :service t
                                    :family 'ipv4))
         (cli (make-network-process :name "bench-cli" :host "127.0.0.1"
                                    :service (process-contact srv :service)))
         (sock (netopt-make-socket :server t :host "127.0.0.1" :service t))
         (set-pair nil) (proc-pair nil))
    (netopt-option srv :keepalive)      ; locate and cache
    (setq set-pair (netopt-bench--pair n
                     (netopt-set-option sock :keepalive t)
                     (set-network-process-option srv :keepalive t)))
    (setq proc-pair (netopt-bench--pair n
                      (netopt-set-option srv :keepalive t)
                      (set-network-process-option srv :keepalive t)))
    (netopt-bench--row "netopt-set-option, netopt socket" (car set-pair)
                       "set-network-process-option" (cadr set-pair) 0.9)
    (netopt-bench--row "netopt-set-option, Emacs process (cached)"
                       (car proc-pair)
                       "set-network-process-option" (cadr proc-pair) 1.1)
    (netopt-bench--row "netopt-option (live read)"
                       (netopt-bench--ns n (netopt-option sock :keepalive))
                       "getsockopt in C" (alist-get "getsockopt" floor
                                                   nil nil #'equal)
                       1.3)
    (netopt-bench--row "netopt-set-option vs setsockopt" (car set-pair)
                       "setsockopt in C" (alist-get "setsockopt" floor
                                                   nil nil #'equal)
                       nil)
    (let ((cycle (alist-get "listen-cycle" floor nil nil #'equal)))
      (netopt-bench--row "make + close a listening netopt socket"
                         (netopt-bench--ns 20000
                           (netopt-close (netopt-make-socket
                                          :server t :host "127.0.0.1"
                                          :service t)))
                         "socket+setsockopt+bind+listen+close" cycle 1.15)
      (netopt-bench--row "make-network-process :server t + delete"
                         (netopt-bench--ns 20000
                           (delete-process
                            (make-network-process :name "b" :server t
                                                  :host "127.0.0.1" :service t
                                                  :family 'ipv4)))
                         "socket+setsockopt+bind+listen+close" cycle nil))
    ;; Lookup cost with few and with many other sockets.  Emacs 28 caps
    ;; its own descriptor limit at FD_SETSIZE (1024), so 10,000 sockets
    ;; cannot exist in it: measure with as many as it allows, half of
    ;; them Emacs's own processes (each costs the scan system calls),
    ;; half netopt sockets, and project to 10,000 from the cost per
    ;; descriptor.
    (let* ((few (netopt-bench--lookup cli 2000))
           (cached-few (netopt-bench--ns n (netopt-option cli :keepalive)))
           (room (- 1000 (netopt-bench--fds)))
           (procs (let (l)
                    (dotimes (_ (/ room 2))
                      (push (make-network-process
                             :name "o" :type 'datagram :server t
                             :host "127.0.0.1" :service t :family 'ipv4)
                            l))
                    l))
           (others (let (l)
                     (dotimes (_ (- room (length procs)))
                       (push (netopt-make-socket) l))
                     l))
           (count (+ (length procs) (length others)))
           (many (netopt-bench--lookup cli 200))
           (cached-many (netopt-bench--ns n (netopt-option cli :keepalive)))
           (projected (+ few (* (/ (- many few) count) 10000))))
      (netopt-bench--row (format "first lookup, %d other sockets" count)
                         many "first lookup, 10 others" few nil)
      (netopt-bench--row "first lookup, 10,000 others (projected)"
                         projected "target: 20 ms" 2e7 1.0)
      (netopt-bench--row (format "cached lookup+read, %d others" count)
                         cached-many "cached, 10 others" cached-few 1.1)
      (mapc #'netopt-close others)
      (mapc #'delete-process procs))
    ;; A million calls: memory and descriptors.
    (garbage-collect)
    (let ((rss0 (netopt-bench--rss-kib)) (fds0 (netopt-bench--fds)))
      (dotimes (_ 500000)
        (netopt-set-option sock :priority 2)
        (netopt-option sock :priority))
      (garbage-collect)
      (let ((grown (- (netopt-bench--rss-kib) rss0)))
        (netopt-bench--row "1,000,000 set+read: RSS growth (KiB)"
                           (float grown) "target: 1024 KiB" 1024.0 1.0)
        (netopt-bench--row "1,000,000 set+read: descriptor growth"
                           (float (- (netopt-bench--fds) fds0))
                           "target: 0" nil nil)))
    (netopt-close sock)
    (delete-process cli)
    (delete-process srv)
    (netopt-bench--write how)))

(defun netopt-bench--write (how)
  "Write the results table, with the machine and HOW Lisp ran, to a file."
  (let ((text
         (with-temp-buffer
           (insert (format "make bench, %s: Emacs %s, Lisp %s, %s, %d cores, \
Linux %s\n\n"
                           (format-time-string "%Y-%m-%d")
                           emacs-version how
                           (string-trim
                            (shell-command-to-string
                             "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"))
                           (string-to-number
                            (shell-command-to-string "nproc"))
                           (string-trim (shell-command-to-string "uname -r"))))
           (insert "| measure | ns | against | ns | ratio | target | |\n|-\n")
           (dolist (row (reverse netopt-bench--rows))
             (pcase-let ((`(,what ,ns ,ref ,ref-ns ,ratio ,target ,met) row))
               (insert (format "| %s | %.1f | %s | %s | %s | %s | %s |\n"
                               what ns ref
                               (if ref-ns (format "%.1f" ref-ns) "")
                               (if ratio (format "%.2f" ratio) "")
                               (if target (format "≤ %s" target) "")
                               met))))
           (buffer-string))))
    (with-temp-file netopt-bench-output (insert text))
    (princ text)))

(provide 'bench)
;;; bench.el ends here
