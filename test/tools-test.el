;;; tools-test.el --- the Makefile's help and the scripts of test/tools  -*- lexical-binding: t; -*-

;;; Commentary:

;; make help lists every target of the Makefile; test/tools/emacs-30.sh
;; takes its Debian mirror from the machine's apt configuration;
;; function-length.sh finds a C function that is too long; info-dir.sh
;; writes a dir file Info reads.

;;; Code:

(require 'netopt-test-helpers)

(defun netopt-tools-test--targets ()
  "Return the explicit targets of the Makefile that are not files."
  (with-temp-buffer
    (insert-file-contents (expand-file-name "Makefile" netopt-test-root))
    (let ((targets nil))
      (while (re-search-forward "^\\([a-z][a-z0-9-]*\\):\\([^=]\\|$\\)" nil t)
        (push (match-string 1) targets))
      (goto-char (point-min))
      (while (re-search-forward "^\\.PHONY:\\(.*\\)$" nil t)
        (setq targets (append (split-string (match-string 1)) targets)))
      (delete-dups (sort targets #'string<)))))

(ert-deftest netopt-tools-make-help-lists-every-target ()
  "The help target of make names every target, each with what it does.
info-if-makeinfo, a step of the default target, is the one exception."
  (skip-unless (executable-find "make"))
  (let* ((default-directory netopt-test-root)
         (help (netopt-test-command "make" "-s" "help"))
         (targets (remove "info-if-makeinfo" (netopt-tools-test--targets))))
    (should (equal (car help) 0))
    (should (>= (length targets) 18))
    (dolist (target targets)
      (ert-info (target)
        (should (string-match-p
                 (format "^  make %s\\( \\|$\\)"
                         (regexp-quote (if (equal target "all") "" target)))
                 (cdr help)))))))

(defun netopt-tools-test--mirror (files)
  "Run emacs-30.sh --mirror on an apt configuration of FILES.
FILES is an alist (NAME . TEXT) of files under the configuration's
directory.  Return (EXIT-STATUS . OUTPUT)."
  (let ((etc (make-temp-file "netopt-apt" t)))
    (unwind-protect
        (progn
          (make-directory (expand-file-name "sources.list.d" etc))
          (dolist (file files)
            (with-temp-file (expand-file-name (car file) etc)
              (insert (cdr file))))
          (let ((process-environment (cons (concat "NETOPT_APT_ETC=" etc)
                                           process-environment)))
            (netopt-test-command "sh" (expand-file-name "test/tools/emacs-30.sh"
                                                        netopt-test-root)
                                 "--mirror")))
      (delete-directory etc t))))

(ert-deftest netopt-tools-emacs-30-mirror-from-apt ()
  "The emacs-30.sh script takes bookworm's mirror from the apt sources.
A deb822 source first (not a deb-src or security one), then
sources.list (with options in brackets); none is an error.  The
script itself names no host."
  (should (equal (netopt-tools-test--mirror
                  '(("sources.list.d/a.sources"
                     . "Types: deb\nURIs: http://security.example/debian-security\nSuites: bookworm-security\nComponents: main\n\nTypes: deb-src\nURIs: http://src.example/debian\nSuites: bookworm\n\n# a comment\nTypes: deb deb-src\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n")
                    ("sources.list" . "deb http://list.example/debian bookworm main\n")))
                 '(0 . "http://mirror.example/debian\n")))
  (should (equal (netopt-tools-test--mirror
                  '(("sources.list"
                     . "deb-src http://src.example/debian bookworm main\ndeb [arch=amd64 signed-by=/k.gpg] http://list.example/debian bookworm main\n")))
                 '(0 . "http://list.example/debian\n")))
  (should-not (equal (car (netopt-tools-test--mirror
                           '(("sources.list"
                              . "deb http://list.example/debian trixie main\n"))))
                     0))
  (with-temp-buffer
    (insert-file-contents (expand-file-name "test/tools/emacs-30.sh"
                                            netopt-test-root))
    (should-not (re-search-forward "https?://[a-z]" nil t))))

(ert-deftest netopt-tools-function-length-finds-long-functions ()
  "The function-length.sh script passes short functions, names a long one."
  (skip-unless (executable-find "ctags"))
  (let ((file (make-temp-file "netopt-long" nil ".c")))
    (unwind-protect
        (let ((script (expand-file-name "test/tools/function-length.sh"
                                        netopt-test-root)))
          (with-temp-file file
            (insert "int\nshort_one (void)\n{\n  return 0;\n}\n\nint\nlong_one (void)\n{\n"
                    (apply #'concat (make-list 90 "  (void) 0;\n"))
                    "  return 1;\n}\n"))
          (let ((result (netopt-test-command "sh" script "-m" "80" file)))
            (should-not (equal (car result) 0))
            (should (string-match-p "long_one (9[0-9] lines)" (cdr result)))
            (should-not (string-match-p "short_one" (cdr result))))
          (should (equal (car (netopt-test-command "sh" script "-m" "200" file))
                         0)))
      (delete-file file))))

(ert-deftest netopt-tools-info-dir-lists-the-manual ()
  "The info-dir.sh script makes a dir file Info reads: the manual's entry."
  (let ((dir (make-temp-file "netopt-info-dir" t))
        (texi (make-temp-file "netopt-dir" nil ".texi")))
    (unwind-protect
        (progn
          (with-temp-file texi
            (insert "\\input texinfo\n@dircategory Emacs misc features\n"
                    "@direntry\n* Netopt: (netopt).     Socket options.\n"
                    "@end direntry\n"))
          (let ((result (netopt-test-command
                         "sh" (expand-file-name "test/tools/info-dir.sh"
                                                netopt-test-root)
                         texi)))
            (should (equal (car result) 0))
            (with-temp-file (expand-file-name "dir" dir)
              (insert (cdr result))))
          (require 'info)
          (let ((Info-directory-list (list dir))
                (Info-additional-directory-list nil))
            (save-window-excursion
              (info)
              (goto-char (point-min))
              (should (re-search-forward
                       ;; Info shows the category's first word alone.
                       "^Emacs.*\n\\* Netopt: (netopt)\\. +Socket options\\.$"
                       nil t))
              (kill-buffer))))
      (delete-directory dir t)
      (delete-file texi))))

(provide 'tools-test)
;;; tools-test.el ends here
