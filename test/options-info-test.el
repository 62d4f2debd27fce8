;;; options-info-test.el --- netopt-supported-options and netopt-option-info  -*- lexical-binding: t; -*-

;;; Commentary:

;; module/options/info.c and table.c: the list of supported options,
;; each option's info plist, and the test case table
;; (`netopt-test-option-cases') against both.

;;; Code:

(require 'netopt-test-helpers)

;;;; The list and the info

(ert-deftest netopt-options-info-supported-list ()
  "The supported options start with the manual's eight, in its order."
  (let ((all (netopt-supported-options)))
    (should (equal (seq-take all 8)
                   '(:bindtodevice :broadcast :dontroute :keepalive :linger
                                   :oobinline :priority :reuseaddr)))
    (should (equal all (seq-uniq all)))
    (dolist (opt all)
      (should (keywordp opt)))))

(ert-deftest netopt-options-info-option-info ()
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

(ert-deftest netopt-options-info-plists ()
  "Every option documents its type, level, settability, families and doc."
  (dolist (option (netopt-supported-options))
    (let ((info (netopt-option-info option)))
      (dolist (key '(:type :level :settable :families :socket-types :doc))
        (should (plist-member info key)))
      (should (string-match-p "\\.\\'" (plist-get info :doc)))))
  (should (equal (plist-get (netopt-option-info :keepidle) :level) 'tcp))
  (should (equal (plist-get (netopt-option-info :v6only) :settable)
                 'before-bind))
  (should (equal (plist-get (netopt-option-info :peercred) :families)
                 '(local)))
  (should (equal (plist-get (netopt-option-info :ttl) :families)
                 '(ipv4 ipv6))))

;;;; The case table covers the option table

(ert-deftest netopt-options-info-cases-cover-every-option ()
  "Every option has its row in `netopt-test-option-cases', and no more.
A row either has cases (set, read by the kernel, read back), on a
socket kind that the tests can make, or names an existing test that
proves the option, a test whose body names it."
  (let ((supported (netopt-supported-options))
        (covered (delete-dups (mapcar #'car netopt-test-option-cases))))
    (should (equal (seq-difference supported covered) nil))
    (should (equal (seq-difference covered supported) nil))
    (dolist (row netopt-test-option-cases)
      (let ((option (car row)) (props (cdr row)))
        (if (plist-get props :proven-by)
            (let ((test (plist-get props :proven-by)))
              (should (equal (list option test (ert-test-boundp test))
                             (list option test t)))
              (should (string-match-p
                       (regexp-quote (symbol-name option))
                       (format "%S" (ert-test-body (ert-get-test test))))))
          (should (stringp (plist-get props :peek)))
          (should (memq (plist-get props :on)
                        '(every tcp tcp6 udp udp6 bare bare6 local)))
          (should (plist-get props :cases))
          (dolist (case (plist-get props :cases))
            (should (equal (list option (length case)) (list option 3)))))))))

(provide 'options-info-test)
;;; options-info-test.el ends here
