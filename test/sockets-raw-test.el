;;; sockets-raw-test.el --- netopt-set-raw-option and netopt-raw-option  -*- lexical-binding: t; -*-

;;; Commentary:

;; module/sockets/raw.c: the escape hatch, by level and number,
;; confirmed by test/tools/sockpeek.

;;; Code:

(require 'netopt-test-helpers)

;;;; Raw options

(netopt-deftest netopt-sockets-raw-options ()
  "The raw escape hatch sets and reads any option by number."
  (let ((s (netopt-test-socket)))
    ;; SOL_SOCKET is 1 and SO_KEEPALIVE 9 on Linux.
    (should (eq (netopt-set-raw-option s 'socket 9 1) t))
    (should (equal (netopt-test-kernel s "keepalive") 1))
    (should (eql (netopt-raw-option s 'socket 9) 1))
    (should (eql (netopt-raw-option s 1 9) 1))
    ;; A struct as bytes: SO_LINGER (13) {1, 4}, little-endian ints.
    (should (eq (netopt-set-raw-option s 'socket 13 "\1\0\0\0\4\0\0\0") t))
    (should (equal (netopt-test-kernel s "linger") "1 4"))
    (should (equal (netopt-raw-option s 'socket 13 8) "\1\0\0\0\4\0\0\0"))
    (should-error (netopt-set-raw-option s 'bogus 9 1) :type 'netopt-bad-value)
    (should-error (netopt-set-raw-option s 'socket 9 "é")
                  :type 'netopt-bad-value)
    (should-error (netopt-set-raw-option s 'socket 9 1.5)
                  :type 'netopt-bad-value)
    (should-error (netopt-raw-option s 'socket 9999)
                  :type 'netopt-system-error)))

(provide 'sockets-raw-test)
;;; sockets-raw-test.el ends here
