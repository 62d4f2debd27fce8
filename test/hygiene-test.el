;;; hygiene-test.el --- descriptors, threads, C-g in a real terminal  -*- lexical-binding: t; -*-

;;; Commentary:

;; Descriptor hygiene over many cycles, finalizers that never close a
;; reused descriptor, calls from Lisp threads, and C-g interrupting a
;; blocking call in an interactive Emacs driven through tmux.

;;; Code:

(require 'netopt-test-helpers)

(ert-deftest netopt-hygiene-make-close-cycles ()
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

(ert-deftest netopt-hygiene-dropped-sockets-collected ()
  "10,000 sockets dropped unclosed are all closed by garbage collection.
Emacs caps its descriptors at FD_SETSIZE, so they are dropped in
batches of 500 with a collection after each."
  (let ((before (progn (garbage-collect) (netopt-test-fd-count))))
    (dotimes (_ 20)
      (dotimes (_ 500) (netopt-make-socket))
      (should (>= (netopt-test-fd-count) (+ before 1)))
      (garbage-collect)
      (should (= (netopt-test-fd-count) before)))))

(ert-deftest netopt-hygiene-finalizer-spares-reused-descriptor ()
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

(ert-deftest netopt-hygiene-error-paths-leak-nothing ()
  "Failing creations, connections and accepts leave no descriptor."
  (let ((before (progn (garbage-collect) (netopt-test-fd-count))))
    (dotimes (_ 200)
      (condition-case nil
          (netopt-make-socket :host "127.0.0.1" :service 1)
        (netopt-system-error nil))
      (condition-case nil
          (netopt-make-socket :bindtodevice "nonexistent0")
        (netopt-system-error nil))
      (condition-case nil
          (netopt-make-socket :server t :host "192.0.2.254" :service t)
        (netopt-system-error nil)))
    (should (= (netopt-test-fd-count) before))))

(ert-deftest netopt-hygiene-threads ()
  "Calls from a Lisp thread work, and their errors stay Lisp errors."
  (skip-unless (fboundp 'make-thread))
  (let* ((result nil)
         (thread (make-thread
                  (lambda ()
                    (let ((s (netopt-make-socket :type 'datagram :server t
                                                 :host "127.0.0.1" :service t
                                                 :keepalive t)))
                      (setq result
                            (list (netopt-option s :keepalive)
                                  (condition-case err
                                      (netopt-set-option s :priority "x")
                                    (netopt-bad-value (car err)))
                                  (netopt-receive s :timeout 0)))
                      (netopt-close s))))))
    (thread-join thread)
    (should (null (thread-last-error t)))
    (should (equal result '(t netopt-bad-value nil)))))

;;;; C-g in a real terminal

(ert-deftest netopt-hygiene-quit-interrupts-blocking-calls ()
  "\\[keyboard-quit] interrupts netopt-accept and netopt-receive.
Driven as a person would: `emacs -nw' in tmux, keys typed, screen read."
  (netopt-test-with-terminal '(110 30)
      "(progn (setq srv (netopt-make-socket :server t :host \"127.0.0.1\" :service t)) (setq cli (netopt-make-socket :host \"127.0.0.1\" :service (cadr (netopt-contact srv)))) (message \"READY\"))"
    (netopt-test-tmux-shows "READY")
    ;; A blocking accept: the client's connection is the pending one,
    ;; so accept it first, then block on a second accept.
    (netopt-test-tmux "send-keys" "M-:" "(setq child (netopt-accept srv 5))"
                      "Enter")
    (netopt-test-tmux "send-keys" "M-:"
                      "(setq r1 (condition-case e (netopt-accept srv) (quit 'quit-accept)))"
                      "Enter")
    (sleep-for 0.5)
    (netopt-test-tmux "send-keys" "C-g")
    (netopt-test-tmux-shows "quit-accept")
    ;; A blocking receive.
    (netopt-test-tmux "send-keys" "M-:"
                      "(setq r2 (condition-case e (netopt-receive child) (quit 'quit-receive)))"
                      "Enter")
    (sleep-for 0.5)
    (netopt-test-tmux "send-keys" "C-g")
    (netopt-test-tmux-shows "quit-receive")
    ;; Emacs is still usable, and so are the sockets.
    (netopt-test-tmux "send-keys" "M-:"
                      "(format \"alive-%d-%s\" (+ 40 2) (netopt-send cli \"x\"))"
                      "Enter")
    (netopt-test-tmux-shows "alive-42-1")))

(provide 'hygiene-test)
;;; hygiene-test.el ends here
