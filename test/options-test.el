;;; options-test.el --- the manual's eight options against the kernel  -*- lexical-binding: t; -*-

;;; Commentary:

;; Every option of the Emacs manual, set at creation and set later, on
;; IPv4 and IPv6, stream and datagram sockets, bare and server: the
;; kernel's value is read by test/tools/sockpeek (an independent path),
;; and `netopt-option' must read back the form `netopt-set-option' takes.

;;; Code:

(require 'netopt-test-helpers)

(defconst netopt-options-test-cases
  ;; (OPTION SOCKPEEK-NAME (LISP-VALUE KERNEL-VALUE READ-BACK) ...)
  '((:bindtodevice "bindtodevice" ("lo" "lo" "lo") (nil "-" nil) ("" "-" nil))
    (:broadcast "broadcast" (t 1 t) (nil 0 nil) (7 1 t))
    (:dontroute "dontroute" (t 1 t) (nil 0 nil))
    (:keepalive "keepalive" (t 1 t) (nil 0 nil) ("yes" 1 t))
    (:linger "linger" (5 "1 5" 5) (0 "1 0" 0) (nil "0 0" nil) (t "1 7" 7))
    (:oobinline "oobinline" (t 1 t) (nil 0 nil))
    (:priority "priority" (3 3 3) (0 0 0) (6 6 6))
    (:reuseaddr "reuseaddr" (t 1 t) (nil 0 nil)))
  "What each manual option's values look like in the kernel and read back.
`netopt-linger-seconds' is bound to 7 while these run.")

(defun netopt-options-test--kinds ()
  "Return the socket kinds to test: (LABEL . MAKE-SOCKET-ARGS)."
  (append
   '(("ipv4 stream bare" :family ipv4)
     ("ipv4 datagram bare" :family ipv4 :type datagram)
     ("ipv4 stream server" :family ipv4 :server t :host "127.0.0.1" :service t)
     ("ipv4 datagram server" :family ipv4 :type datagram :server t
      :host "127.0.0.1" :service t))
   (when (netopt-test-ipv6-p)
     '(("ipv6 stream bare" :family ipv6)
       ("ipv6 datagram bare" :family ipv6 :type datagram)
       ("ipv6 stream server" :family ipv6 :server t :host "::1" :service t)
       ("ipv6 datagram server" :family ipv6 :type datagram :server t
        :host "::1" :service t)))))

(defun netopt-options-test--check (label sock option peek-name case)
  "Check SOCK (of kind LABEL) for CASE of OPTION.
PEEK-NAME is sockpeek's name for OPTION."
  (let ((kernel (nth 1 case)) (read-back (nth 2 case)))
    (should (equal (list label option (nth 0 case)
                         (netopt-test-kernel sock peek-name))
                   (list label option (nth 0 case) kernel)))
    (should (equal (list label option (netopt-option sock option))
                   (list label option read-back)))
    ;; netopt-contact reads the same live value.
    (should (equal (netopt-contact sock option) read-back))))

(defun netopt-options-test--run (option)
  "Run the creation and set-later matrix for OPTION."
  (let* ((entry (assq option netopt-options-test-cases))
         (peek-name (nth 1 entry))
         (cases (nthcdr 2 entry))
         (netopt-linger-seconds 7)
         (checked 0))
    (dolist (kind (netopt-options-test--kinds))
      (let ((label (car kind)) (args (cdr kind)))
        ;; Set at creation.
        (dolist (case cases)
          (let ((s (apply #'netopt-test-socket option (car case) args)))
            (netopt-options-test--check (concat label " at creation")
                                        s option peek-name case)
            (setq checked (1+ checked))))
        ;; Set later: on the bare socket for :reuseaddr (settable only
        ;; before bind), on every kind for the others.
        (when (or (not (eq option :reuseaddr)) (not (memq :server args)))
          (let ((s (apply #'netopt-test-socket args)))
            (dolist (case (append cases (list (car cases))))
              (should (eq (netopt-set-option s option (car case)) t))
              (netopt-options-test--check (concat label " set later")
                                          s option peek-name case)
              (setq checked (1+ checked)))))))
    (should (> checked 0))))

(defmacro netopt-options-test--define (option)
  "Define the matrix test of OPTION."
  `(netopt-deftest ,(intern (format "netopt-options-matrix%s" option)) ()
     ,(format "%s set at creation and later, read by the kernel and back." option)
     (netopt-options-test--run ,option)))

(netopt-options-test--define :bindtodevice)
(netopt-options-test--define :broadcast)
(netopt-options-test--define :dontroute)
(netopt-options-test--define :keepalive)
(netopt-options-test--define :linger)
(netopt-options-test--define :oobinline)
(netopt-options-test--define :priority)
(netopt-options-test--define :reuseaddr)

(netopt-deftest netopt-options-connected-client ()
  "Options set on a connected stream client and a datagram client reach it."
  (let* ((srv (netopt-test-server))
         (cli (netopt-test-socket :host "127.0.0.1"
                                  :service (netopt-test-port srv)
                                  :keepalive t :priority 5 :linger 3))
         (udp-srv (netopt-test-socket :type 'datagram :server t
                                      :host "127.0.0.1" :service t))
         (udp (netopt-test-socket :type 'datagram :host "127.0.0.1"
                                  :service (netopt-test-port udp-srv)
                                  :broadcast t :priority 4 :dontroute t)))
    (should (equal (netopt-test-kernel cli "keepalive") 1))
    (should (equal (netopt-test-kernel cli "priority") 5))
    (should (equal (netopt-test-kernel cli "linger") "1 3"))
    ;; Emacs 28 gives a datagram client none of these (findings row 1).
    (should (equal (netopt-test-kernel udp "broadcast") 1))
    (should (equal (netopt-test-kernel udp "priority") 4))
    (should (equal (netopt-test-kernel udp "dontroute") 1))
    (should (eq (netopt-set-option cli :keepalive nil) t))
    (should (equal (netopt-test-kernel cli "keepalive") 0))))

(netopt-deftest netopt-options-linger-t-uses-defcustom ()
  ":linger t lingers for `netopt-linger-seconds', not an abortive close."
  (let ((netopt-linger-seconds 12))
    (let ((s (netopt-test-socket :linger t)))
      (should (equal (netopt-test-kernel s "linger") "1 12"))
      (should (eql (netopt-option s :linger) 12)))))

(netopt-deftest netopt-options-reuseaddr-server-default ()
  ":reuseaddr defaults to t on ipv4/ipv6 servers only, and can be turned off."
  (should (equal (netopt-test-kernel (netopt-test-server) "reuseaddr") 1))
  (should (equal (netopt-test-kernel (netopt-test-server :reuseaddr nil)
                                     "reuseaddr")
                 0))
  (should (equal (netopt-test-kernel (netopt-test-socket) "reuseaddr") 0))
  (let* ((file (netopt-test-temp-socket-name))
         (local (netopt-test-socket :family 'local :server t :service file)))
    (unwind-protect
        (should (equal (netopt-test-kernel local "reuseaddr") 0))
      (delete-file file))))

(netopt-deftest netopt-options-reuseaddr-refused-once-bound ()
  ":reuseaddr is settable before bind only: later it changes nothing."
  (let ((srv (netopt-test-server :reuseaddr nil)))
    (should-error (netopt-set-option srv :reuseaddr t)
                  :type 'netopt-unknown-option)
    (should (null (netopt-set-option srv :reuseaddr t t)))
    (should (equal (netopt-test-kernel srv "reuseaddr") 0))))

(netopt-deftest netopt-options-device-never-truncated ()
  "A device name of 16 bytes or more, or with a NUL, is refused whole."
  (let ((s (netopt-test-socket)))
    (dolist (bad (list (make-string 16 ?a) (make-string 40 ?l) "lo\0evil"))
      (should-error (netopt-set-option s :bindtodevice bad)
                    :type 'netopt-bad-value)
      (should-error (netopt-set-option s :bindtodevice bad t)
                    :type 'netopt-bad-value)
      (should (equal (netopt-test-kernel s "bindtodevice") "-")))
    ;; 15 bytes is the longest name; the kernel then looks it up.
    (should-error (netopt-set-option s :bindtodevice (make-string 15 ?z))
                  :type 'netopt-system-error)))

(netopt-deftest netopt-options-priority-range ()
  ":priority takes integers in C int range only."
  (let ((s (netopt-test-socket)))
    (dolist (bad (list "3" 1.0 (1+ most-positive-fixnum) 2147483648
                       -2147483649 'high))
      (should-error (netopt-set-option s :priority bad)
                    :type 'netopt-bad-value))
    (should (equal (netopt-test-kernel s "priority") 0))))

(ert-deftest netopt-options-supported-list ()
  "The supported options start with the manual's eight, in its order."
  (let ((all (netopt-supported-options)))
    (should (equal (seq-take all 8)
                   '(:bindtodevice :broadcast :dontroute :keepalive :linger
                                   :oobinline :priority :reuseaddr)))
    (should (equal all (seq-uniq all)))
    (dolist (opt all)
      (should (keywordp opt)))))

(ert-deftest netopt-options-info ()
  "Every supported option has its info plist; the eight are socket level."
  (dolist (opt (netopt-supported-options))
    (let ((info (netopt-option-info opt)))
      (should (memq (plist-get info :settable) '(always before-bind nil)))
      (should (memq (plist-get info :level) '(socket ip ipv6 tcp udp)))
      (should (stringp (plist-get info :doc)))
      (should (plist-get info :type))
      (should (stringp (plist-get info :c-name)))))
  (dolist (opt '(:bindtodevice :broadcast :dontroute :keepalive :linger
                               :oobinline :priority :reuseaddr))
    (should (eq (plist-get (netopt-option-info opt) :level) 'socket)))
  (should (eq (plist-get (netopt-option-info :reuseaddr) :settable)
              'before-bind))
  (should (eq (plist-get (netopt-option-info :keepalive) :settable) 'always))
  (should (equal (plist-get (netopt-option-info :priority) :c-name)
                 "SO_PRIORITY")))

(netopt-deftest netopt-options-local-family ()
  "The manual's options also work on local (Unix) sockets."
  (let* ((file (netopt-test-temp-socket-name))
         (srv (netopt-test-socket :family 'local :server t :service file
                                  :keepalive t :priority 2)))
    (unwind-protect
        (let ((cli (netopt-test-socket :family 'local :service file
                                       :linger 4)))
          (should (equal (netopt-test-kernel srv "keepalive") 1))
          (should (equal (netopt-test-kernel srv "priority") 2))
          (should (equal (netopt-test-kernel cli "linger") "1 4"))
          (should (eql (netopt-option cli :linger) 4)))
      (delete-file file))))

(provide 'options-test)
;;; options-test.el ends here
