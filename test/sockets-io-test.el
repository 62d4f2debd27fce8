;;; sockets-io-test.el --- accept, send, receive, close  -*- lexical-binding: t; -*-

;;; Commentary:

;; module/sockets/io.c: datagrams, the forms of a receive, strings
;; sent as bytes, partial sends, closing (a lingering close lets Emacs
;; run), accepting at the descriptor limit.

;;; Code:

(require 'netopt-test-helpers)

;;;; Datagrams

(netopt-deftest netopt-sockets-io-datagram ()
  "Datagram server and clients: connected, unconnected with :to."
  (let* ((srv (netopt-test-socket :type 'datagram :server t
                                  :host "127.0.0.1" :service t))
         (port (netopt-test-port srv))
         (connected (netopt-test-socket :type 'datagram :host "127.0.0.1"
                                        :service port))
         (free (netopt-test-socket :type 'datagram)))
    (should (equal (netopt-test-kernel srv "type") "datagram"))
    (should (equal (netopt-test-kernel connected "peer")
                   (format "127.0.0.1:%d" port)))
    (should (equal (netopt-test-kernel free "peer") "-"))
    (should (= (netopt-send connected "one") 3))
    (let ((got (netopt-receive-from srv :timeout 5)))
      (should (equal (car got) "one"))
      (should (equal (cdr got) (netopt-contact connected :local))))
    (should (= (netopt-send free "two" :to (vector 127 0 0 1 port)) 3))
    (let ((got (netopt-receive-from srv :timeout 5)))
      (should (equal (car got) "two"))
      ;; Reply to the sender's address.
      (netopt-send srv "back" :to (cdr got))
      (should (equal (netopt-receive free :timeout 5) "back")))
    ;; A datagram is never cut: one longer than :max signals and stays
    ;; queued, and a larger :max then reads it whole.
    (netopt-send connected "abcdef")
    (let ((err (should-error (netopt-receive srv :max 3 :timeout 5)
                             :type 'netopt-system-error)))
      (should (equal (nth 2 err) "Message too long")))
    (should (equal (netopt-receive srv :max 6 :timeout 5) "abcdef"))
    (should-not (netopt-receive srv :timeout 0))))

(netopt-deftest netopt-sockets-io-datagram-whole ()
  "Without :max the whole next datagram or record is returned."
  (let* ((srv (netopt-test-socket :type 'datagram :server t
                                  :host "127.0.0.1" :service t :rcvbuf 400000))
         (cli (netopt-test-socket :type 'datagram :host "127.0.0.1"
                                  :service (netopt-test-port srv)))
         (big (make-string 65000 ?x))
         (file (netopt-test-temp-socket-name)))
    ;; Larger than the default :max of a stream read (65536 bytes)?
    ;; UDP's limit is 65507; 65000 bytes, then an empty datagram.
    (should (= (netopt-send cli big) 65000))
    (should (= (netopt-send cli "") 0))
    (should (equal (netopt-receive srv :timeout 5) big))
    (should (equal (netopt-receive srv :timeout 5) ""))
    ;; A local seqpacket record of 200000 bytes, read whole.
    (unwind-protect
        (let* ((lsrv (netopt-test-socket :family 'local :type 'seqpacket
                                         :service file :server t))
               (lcli (netopt-test-socket :family 'local :type 'seqpacket
                                         :service file :sndbuf 500000))
               (child (netopt-accept lsrv 5))
               (record (make-string 200000 ?r)))
          (should (= (netopt-send lcli record) 200000))
          (should-error (netopt-receive child :max 1000 :timeout 5)
                        :type 'netopt-system-error)
          (should (equal (netopt-receive child :timeout 5) record))
          (netopt-close child))
      (ignore-errors (delete-file file)))))

;;;; Send and receive

(netopt-deftest netopt-sockets-io-receive-forms ()
  "netopt-receive: nil on timeout, \"\" at end of stream, unibyte data."
  (pcase-let ((`(,_srv ,cli ,child) (netopt-test-pair)))
    (should (null (netopt-receive child :timeout 0)))
    (should (null (netopt-receive child :timeout 0.1)))
    (should (= (netopt-send cli "h\351llo \377") 7))
    (let ((got (netopt-receive child :timeout 5)))
      (should (equal got "h\351llo \377"))
      (should-not (multibyte-string-p got)))
    ;; A multibyte string goes out as UTF-8.
    (should (= (netopt-send cli "é") 2))
    (should (equal (netopt-receive child :timeout 5) "\303\251"))
    (netopt-close cli)
    (should (equal (netopt-receive child :timeout 5) ""))))

(netopt-deftest netopt-sockets-io-send-receive-args ()
  "Send and receive check their arguments."
  (pcase-let ((`(,_srv ,cli ,child) (netopt-test-pair)))
    (should-error (netopt-send cli 42) :type 'wrong-type-argument)
    (should-error (netopt-receive child :max 0) :type 'netopt-bad-value)
    (should-error (netopt-receive child :max -1) :type 'netopt-bad-value)
    (should-error (netopt-receive child :timeout -1) :type 'netopt-bad-value)
    (should-error (netopt-receive child :timeout "1") :type 'netopt-bad-value)
    (should-error (netopt-receive child :max) :type 'wrong-type-argument)
    (should-error (netopt-receive child :bogus 1) :type 'netopt-error)
    (should-error (netopt-send cli "x" :to [127 0 0 1]) :type
                  'netopt-bad-value)))

(netopt-deftest netopt-sockets-io-multibyte-strings ()
  "Multibyte strings go out as UTF-8, raw-byte characters as their bytes."
  (pcase-let ((`(,_srv ,cli ,child) (netopt-test-pair)))
    (dolist (s (list "plain" "caf\u00e9 \u2603" (string ?a #x3fffff ?b)
                     (concat "\u00e9" (string #x3fff80))
                     (unibyte-string 0 255 128 10)))
      (let ((bytes (if (multibyte-string-p s)
                       (encode-coding-string s 'utf-8-unix)
                     s)))
        (should (= (netopt-send cli s) (length bytes)))
        (should (equal (netopt-receive child :max (length bytes) :timeout 2)
                       bytes))))))

(netopt-deftest netopt-sockets-io-partial-send-reported ()
  "A send ended by a close during its wait says how many bytes went out."
  (pcase-let ((`(,_srv ,cli ,_child) (netopt-test-pair)))
    (netopt-set-option cli :sndbuf 4096)
    (run-with-timer 0.3 nil (lambda () (netopt-close cli)))
    (let ((err (should-error (netopt-send cli (make-string (* 8 1024 1024) ?z)
                                          :timeout 10)
                             :type 'netopt-closed)))
      (let ((sent (cadr (memq :sent err))))
        (should (integerp sent))
        (should (> sent 0))
        (should (< sent (* 8 1024 1024)))))))

;;;; Accept

(ert-deftest netopt-sockets-io-accept-at-descriptor-limit ()
  "At the descriptor limit, accept fails and the connection stays queued."
  (unless (executable-find "prlimit") (ert-skip "needs prlimit"))
  (let ((result
         (netopt-test-child
          '(let* ((srv (netopt-make-socket :server t :host "127.0.0.1"
                                           :service t))
                  (cli (netopt-make-socket :host "127.0.0.1"
                                           :service (cadr (netopt-contact srv))))
                  (fillers nil)
                  (first nil) (child nil))
             (netopt-send cli "hello")
             ;; Use up every descriptor under a small limit.
             (call-process "prlimit" nil nil nil
                           (format "--pid=%d" (emacs-pid)) "--nofile=64:64")
             (condition-case nil
                 (while t (push (netopt-make-socket :type 'datagram) fillers))
               (netopt-system-error nil))
             (setq first (condition-case err (netopt-accept srv 1)
                           (netopt-system-error (cadr (cdr err)))))
             (mapc #'netopt-close fillers)
             (setq child (netopt-accept srv 1))
             (list first (netopt-receive child :timeout 2))))))
    (should (equal (car result) "Too many open files"))
    (should (equal (cadr result) "hello"))))

;;;; Close

(netopt-deftest netopt-sockets-io-close ()
  "Closing releases the descriptor; twice is harmless; the handle stays."
  (let* ((before (progn (garbage-collect) (netopt-test-fd-count)))
         (s (netopt-make-socket)))
    (should (= (netopt-test-fd-count) (1+ before)))
    (should (netopt-socket-p s))
    (should (eq (netopt-live-p s) t))
    (should (null (netopt-close s)))
    (should (null (netopt-close s)))
    (should (= (netopt-test-fd-count) before))
    (should (netopt-socket-p s))
    (should (null (netopt-live-p s)))
    (should-not (netopt-socket-p 42))
    (should-not (netopt-socket-p (current-buffer)))))

(netopt-deftest netopt-sockets-io-lingering-close-lets-emacs-run ()
  "A close that lingers (:linger N, data queued) lets timers run meanwhile.
The peer reads nothing, so the queued data cannot go out; close(2)
itself would block Emacs for the N seconds.  A timer set to fire
during them must run before `netopt-close' returns."
  (pcase-let ((`(,_srv ,cli ,child) (netopt-test-pair)))
    (netopt-set-option child :rcvbuf 4096)
    (netopt-set-option cli :sndbuf 4096)
    ;; Fill both buffers; what does not fit stays unsent.
    (should (< (netopt-send cli (make-string (* 4 1024 1024) ?q) :timeout 0.2)
               (* 4 1024 1024)))
    (netopt-set-option cli :linger 2)
    (let ((ran nil))
      (run-with-timer 0.3 nil (lambda () (setq ran t)))
      (should (null (netopt-close cli)))
      (should ran)
      (should-not (netopt-live-p cli)))))

(provide 'sockets-io-test)
;;; sockets-io-test.el ends here
