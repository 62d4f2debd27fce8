;;; header-smoke.el --- does a module build load and work?  -*- lexical-binding: t -*-

;;; Commentary:

;; Run by `make check-headers' against the module built with each
;; release's emacs-module.h (NETOPT_MODULE_FILE names the build): load
;; it, then accept a loopback connection and pass bytes both ways,
;; which goes through compat_socket, compat_accept and send.  Prints
;; "header-smoke: ok" or exits non-zero.

;;; Code:

(require 'netopt-module)

(let* ((file (getenv "NETOPT_MODULE_FILE"))
       (srv (netopt-make-socket :name "srv" :server t :host "127.0.0.1"
                                :service t))
       (local (netopt-contact srv :local))
       (port (aref local (1- (length local))))
       (cli (netopt-make-socket :name "cli" :host "127.0.0.1" :service port))
       (child (netopt-accept srv 5)))
  (unless (and file (member (expand-file-name file)
                            (mapcar #'expand-file-name
                                    (list (netopt--module-file)))))
    (error "Not the build under test: %S" (netopt--module-file)))
  (unless (and (= (netopt-send cli "ping") 4)
               (equal (netopt-receive child :timeout 5) "ping")
               (= (netopt-send child (unibyte-string 0 255)) 2)
               (equal (netopt-receive cli :timeout 5) (unibyte-string 0 255)))
    (error "Bytes did not pass"))
  (mapc #'netopt-close (list child cli srv))
  (princ "header-smoke: ok\n"))

;;; header-smoke.el ends here
