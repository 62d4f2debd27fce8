;;; dns-responder.el --- a tiny DNS server for the wait tests  -*- lexical-binding: t; -*-

;;; Commentary:

;; Load it in a batch Emacs, with the log file LOG as its argument,
;; inside a private network namespace (it binds 127.0.0.1:53).  It
;; answers every query over UDP, with plain Emacs (no netopt code):
;;
;;   - an A query for a name ending in "once.example" with 127.0.0.1;
;;   - any other query for such a name with an empty NOERROR answer;
;;   - anything else with NXDOMAIN.
;;
;; Before answering, it appends one line "NAME TYPE" to LOG, so a test
;; can count the queries a call made.  It says "DNS-READY" (on standard
;; error, which is not buffered) once bound,
;; and runs until killed.

;;; Code:

(defvar dns-responder-log (car command-line-args-left)
  "The file each query is appended to.")
(setq command-line-args-left nil)

(defun dns-responder--u16 (s i)
  "Return the big-endian 16-bit integer at index I of unibyte string S."
  (+ (* 256 (aref s i)) (aref s (1+ i))))

(defun dns-responder--question (s)
  "Return (NAME QTYPE END) for the first question of query S.
END is the index just after the question's class field."
  (let ((i 12) (labels nil))
    (while (> (aref s i) 0)
      (let ((n (aref s i)))
        (push (substring s (1+ i) (+ 1 i n)) labels)
        (setq i (+ 1 i n))))
    (setq i (1+ i))
    (list (mapconcat #'identity (nreverse labels) ".")
          (dns-responder--u16 s i)
          (+ i 4))))

(defun dns-responder--answer (query)
  "Return the reply to the unibyte string QUERY."
  (pcase-let* ((`(,name ,qtype ,end) (dns-responder--question query))
               (ours (string-suffix-p "once.example" name))
               (a (and ours (= qtype 1))))
    (write-region (format "%s %d\n" name qtype) nil dns-responder-log t
                  'silent)
    (concat (substring query 0 2)       ; id
            (unibyte-string #x85 (if ours #x80 #x83)) ; QR AA RD, RA; rcode
            (unibyte-string 0 1 0 (if a 1 0) 0 0 0 0)
            (substring query 12 end)    ; the question, as asked
            (if a
                (unibyte-string #xc0 12 0 1 0 1 0 0 0 60 0 4 127 0 0 1)
              ""))))

(make-network-process
 :name "dns-responder" :type 'datagram :server t :family 'ipv4
 :host "127.0.0.1" :service 53 :coding 'binary
 :filter (lambda (proc query)
           (condition-case err
               (process-send-string proc (dns-responder--answer query))
             (error (message "dns-responder: %S" err)))))
(message "DNS-READY")
(while t
  (accept-process-output nil 1))

;;; dns-responder.el ends here
