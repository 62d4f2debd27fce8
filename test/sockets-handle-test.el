;;; sockets-handle-test.el --- socket handles: descriptors and finalizers  -*- lexical-binding: t; -*-

;;; Commentary:

;; module/sockets/handle.c: a handle owns its descriptor; closed or
;; collected, it gives it back, over many cycles; a finalizer never
;; closes a descriptor that a newer socket reuses.

;;; Code:

(require 'netopt-test-helpers)

;;;; Descriptors

(ert-deftest netopt-sockets-handle-garbage-collected ()
  "Sockets dropped unclosed are closed when garbage-collected."
  (let ((before (progn (garbage-collect) (netopt-test-fd-count))))
    (dotimes (_ 200) (netopt-make-socket))
    (should (>= (netopt-test-fd-count) before))
    (garbage-collect)
    (should (= (netopt-test-fd-count) before))))

(ert-deftest netopt-sockets-handle-make-close-cycles ()
  "100,000 make/close cycles leave the descriptor count where it was."
  (let ((before (progn (garbage-collect) (netopt-test-fd-count)))
        (cycles (if (getenv "NETOPT_QUICK") 10000 100000)))
    (dotimes (_ cycles)
      (netopt-close (netopt-make-socket)))
    (should (= (netopt-test-fd-count) before))
    (dotimes (_ (/ cycles 10))
      (netopt-close (netopt-make-socket :type 'datagram :server t
                                        :host "127.0.0.1" :service t)))
    (should (= (netopt-test-fd-count) before))))

(ert-deftest netopt-sockets-handle-dropped-sockets-collected ()
  "10,000 sockets dropped unclosed are all closed by garbage collection.
Emacs caps its descriptors at FD_SETSIZE, so they are dropped in
batches of 500 with a collection after each."
  (let ((before (progn (garbage-collect) (netopt-test-fd-count))))
    (dotimes (_ 20)
      (dotimes (_ 500) (netopt-make-socket))
      (should (>= (netopt-test-fd-count) (+ before 1)))
      (garbage-collect)
      (should (= (netopt-test-fd-count) before)))))

(ert-deftest netopt-sockets-handle-finalizer-spares-reused-descriptor ()
  "A closed socket's finalizer never closes the descriptor's new owner."
  (let* ((old (netopt-make-socket))
         (fd (netopt--socket-fd old)))
    (netopt-close old)
    (let ((new (netopt-make-socket :keepalive t)))
      (unwind-protect
          (progn
            (should (= (netopt--socket-fd new) fd))
            (setq old nil)
            (garbage-collect)
            (should (eq (netopt-live-p new) t))
            (should (equal (netopt-test-kernel fd "keepalive") 1)))
        (netopt-close new)))))

;;;; Printing

(netopt-deftest netopt-sockets-handle-prints-name-and-address ()
  "`cl-prin1' shows a socket as #<netopt socket NAME ADDRESS>.
Backtraces and ERT print with it.  The address printed is the one the
kernel holds: Emacs's own client connects to the printed port of a
listener, and a connected client prints its peer.  A closed socket
prints as closed; printing never signals."
  (require 'cl-print)
  (let* ((srv (netopt-test-socket :name "srv" :server t :host "127.0.0.1"
                                  :service t))
         (printed (cl-prin1-to-string srv)))
    (should (string-match
             "\\`#<netopt socket \"srv\" 127\\.0\\.0\\.1:\\([0-9]+\\)>\\'"
             printed))
    (let* ((port (string-to-number (match-string 1 printed)))
           (proc (netopt-test-make-process :name "to-printed" :host "127.0.0.1"
                                           :service port))
           (child (netopt-accept srv 5)))
      (netopt-test-close-later child)
      (should (netopt-socket-p child))
      ;; The child's peer is Emacs's client: its local port, from the
      ;; kernel through Emacs's own contact; the child is named after
      ;; its server and peer, as Emacs names an accepted connection.
      (let ((peer (format "127.0.0.1:%d" (aref (process-contact proc :local)
                                               4))))
        (should (equal (cl-prin1-to-string child)
                       (format "#<netopt socket \"srv <%s>\" %s>" peer peer))))
      (should (equal (cl-prin1-to-string (list 1 srv))
                     (concat "(1 " printed ")"))))
    (netopt-close srv)
    (should (equal (cl-prin1-to-string srv) "#<netopt socket closed>"))))

(provide 'sockets-handle-test)
;;; sockets-handle-test.el ends here
