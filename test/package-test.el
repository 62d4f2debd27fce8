;;; package-test.el --- loading, building and installing the package  -*- lexical-binding: t; -*-

;;; Commentary:

;; Each test runs a child batch Emacs, so that loading starts afresh: no
;; module support, a missing module that gets built, a module of another
;; version, and the `make dist' tar installed with package-install-file.

;;; Code:

(require 'netopt-test-helpers)

(defvar netopt-package-test--module-file nil
  "The NETOPT_MODULE_FILE the child Emacs gets, or nil for none.")

(defun netopt-package-test--emacs (dir &rest args)
  "Run a batch Emacs in DIR with ARGS; return (EXIT-CODE . OUTPUT).
The child does not inherit NETOPT_MODULE_FILE (make check-sanitize sets
it): it finds or builds its module as a user's Emacs would."
  (with-temp-buffer
    (let* ((default-directory (file-name-as-directory dir))
           (process-environment
            (append (and netopt-package-test--module-file
                         (list (concat "NETOPT_MODULE_FILE="
                                       netopt-package-test--module-file)))
                    (seq-remove (lambda (e)
                                  (string-prefix-p "NETOPT_MODULE_FILE=" e))
                                process-environment)))
           (rc (apply #'call-process
                      (expand-file-name invocation-name invocation-directory)
                      nil t nil "-Q" "--batch" args)))
      (cons rc (buffer-string)))))

(defun netopt-package-test--copy-tree ()
  "Copy the sources (lisp/, module/ sources, Makefile) to a temp directory."
  (let ((dir (make-temp-file "netopt-copy" t)))
    (copy-directory (expand-file-name "lisp" netopt-test-root)
                    (expand-file-name "lisp" dir))
    (dolist (elc (directory-files (expand-file-name "lisp" dir) t "\\.elc\\'"))
      (delete-file elc))
    (copy-file (expand-file-name "Makefile" netopt-test-root)
               (expand-file-name "Makefile" dir))
    (make-directory (expand-file-name "module" dir))
    (dolist (sub '("core" "options" "sockets" "process"))
      (copy-directory (expand-file-name (concat "module/" sub) netopt-test-root)
                      (expand-file-name (concat "module/" sub) dir)))
    dir))

(ert-deftest netopt-package-no-module-support ()
  "Without module support, require signals an error that says so."
  (let ((result (netopt-package-test--emacs
                 netopt-test-root "-L" "lisp"
                 "--eval" "(setq module-file-suffix nil)"
                 "--eval" "(condition-case e (require 'netopt-module) (error (princ (error-message-string e))))")))
    (should (string-match-p "built without dynamic module support"
                            (cdr result)))))

(ert-deftest netopt-package-builds-missing-module ()
  "A missing module is built on load in batch, then used."
  (skip-unless (executable-find "make"))
  (let ((dir (netopt-package-test--copy-tree)))
    (unwind-protect
        (progn
          (should-not (file-exists-p (expand-file-name "module/netopt-core.so"
                                                       dir)))
          (let ((result (netopt-package-test--emacs
                         dir "-L" "lisp" "--eval"
                         "(progn (require 'netopt-module) (princ (format \"LOADED %s\" (netopt-option (netopt-make-socket :keepalive t) :keepalive))))")))
            (should (string-match-p "building the module" (cdr result)))
            (should (string-match-p "LOADED t" (cdr result)))
            (should (file-exists-p (expand-file-name "module/netopt-core.so"
                                                     dir)))))
      (delete-directory dir t))))

(ert-deftest netopt-package-failed-build-names-command ()
  "A build that fails is a clear error naming the command to run."
  (skip-unless (executable-find "make"))
  (let ((dir (netopt-package-test--copy-tree)))
    (unwind-protect
        (progn
          (with-temp-file (expand-file-name "module/core/broken.c" dir)
            (insert "this is not C;\n"))
          (let ((result (netopt-package-test--emacs
                         dir "-L" "lisp" "--eval"
                         "(condition-case e (require 'netopt-module) (error (princ (format \"FAILED: %s\" (error-message-string e)))))")))
            (should (string-match-p
                     "FAILED: Building the netopt module failed; run .make -C "
                     (cdr result)))))
      (delete-directory dir t))))

(ert-deftest netopt-package-version-mismatch ()
  "A module of another version is refused with how to rebuild."
  (skip-unless (executable-find "cc"))
  (let* ((dir (make-temp-file "netopt-version" t))
         (so (expand-file-name "netopt-core.so" dir)))
    (unwind-protect
        (progn
          (should (eq 0 (apply #'call-process "cc" nil nil nil
                               "-std=c11" "-D_GNU_SOURCE" "-fPIC" "-shared"
                               "-DNETOPT_MODULE_VERSION=\"9.9.9\"" "-o" so
                               (directory-files-recursively
                                (expand-file-name "module" netopt-test-root)
                                "\\.c\\'"))))
          (let ((netopt-package-test--module-file so))
            (let ((result (netopt-package-test--emacs
                           netopt-test-root "-L" "lisp" "--eval"
                           "(condition-case e (require 'netopt-module) (error (princ (error-message-string e))))")))
              (should (string-match-p
                       "module version 9.9.9 does not match Lisp version .*rebuild it with .make clean all"
                       (cdr result))))))
      (delete-directory dir t))))

(ert-deftest netopt-package-dist-installs ()
  "The make dist tar installs with `package-install-file' and loads."
  (skip-unless (executable-find "make"))
  (let ((dir (make-temp-file "netopt-dist" t)))
    (unwind-protect
        (let* ((default-directory netopt-test-root)
               (tar (progn
                      (should (eq 0 (call-process "make" nil nil nil "-s"
                                                  "dist")))
                      (car (file-expand-wildcards
                            (expand-file-name "netopt-module-*.tar"
                                              netopt-test-root))))))
          (rename-file tar (expand-file-name (file-name-nondirectory tar) dir))
          (let ((result (netopt-package-test--emacs
                         dir "--eval"
                         (format "(progn (require 'package) (setq package-user-dir %S) (package-initialize) (package-install-file %S) (require 'netopt-module) (princ (format \"INSTALLED %%s %%s\" (netopt--module-file) (netopt-option (netopt-make-socket :priority 3) :priority))))"
                                 (expand-file-name "elpa" dir)
                                 (expand-file-name (file-name-nondirectory tar)
                                                   dir)))))
            (should (string-match-p
                     (format "INSTALLED %s.*/netopt-module-[0-9.]+/module/netopt-core.so 3"
                             (regexp-quote dir))
                     (cdr result)))))
      (delete-directory dir t))))

(ert-deftest netopt-package-one-version ()
  "The Lisp version constant is the Version: header, which the module gets."
  (with-temp-buffer
    (insert-file-contents (expand-file-name "lisp/netopt-module.el"
                                            netopt-test-root))
    (should (re-search-forward "^;; Version: \\(.*\\)$" nil t))
    (should (equal (match-string 1) netopt-module-version))
    (should (equal (netopt--module-version) netopt-module-version))))

(provide 'package-test)
;;; package-test.el ends here
