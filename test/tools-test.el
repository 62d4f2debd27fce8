;;; tools-test.el --- the Makefile's help and the scripts of test/tools  -*- lexical-binding: t; -*-

;;; Commentary:

;; make help lists every target of the Makefile; test/tools/emacs-30.sh
;; takes its Debian mirror from the machine's apt configuration;
;; function-length.sh finds a C function that is too long; info-dir.sh
;; writes a dir file Info reads.  And every test is named by its file's
;; unit (netopt-UNIT-BEHAVIOUR in UNIT-test.el), so a selector by file
;; is a prefix.

;;; Code:

(require 'netopt-test-helpers)
(require 'seq)
(require 'subr-x)

(defvar Info-directory-list)
(defvar Info-additional-directory-list)

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

;;;; Test names

(defun netopt-tools-test--collect-tests (form)
  "Return every test name in FORM, at any depth.
A test is a list (ert-deftest NAME ...) or (netopt-deftest NAME ...)
whose NAME is a symbol, outside quoted data; a name computed at load
time is left out."
  (cond ((eq (car-safe form) 'quote) nil)
        ((and (memq (car-safe form) '(ert-deftest netopt-deftest))
              (symbolp (car-safe (cdr form))))
         (cons (cadr form)
               (netopt-tools-test--collect-tests (cddr form))))
        ((consp form)
         (let ((names nil))
           (while (consp form)
             (setq names (append names (netopt-tools-test--collect-tests
                                        (pop form)))))
           names))))

(defun netopt-tools-test--file-tests (file)
  "Return every test name in FILE, read from its text."
  (with-temp-buffer
    (insert-file-contents file)
    (goto-char (point-min))
    (let ((names nil))
      (condition-case nil
          (while t
            (setq names (append names (netopt-tools-test--collect-tests
                                       (read (current-buffer))))))
        (end-of-file names)))))

(defun netopt-tools-test--unit (file)
  "Return the unit of test FILE: its name without \"-test.el\"."
  (string-remove-suffix "-test.el" (file-name-nondirectory file)))

(defun netopt-tools-test--name-fits (name unit units)
  "Return non-nil if test NAME, a string, is named by UNIT.
NAME starts with netopt-UNIT- and something after it, and with
netopt-OTHER- for no OTHER of UNITS longer than UNIT: a test of
options-test.el is not netopt-options-info-..., whose selector is
options-info-test.el's."
  (and (string-match-p (concat "\\`netopt-" (regexp-quote unit) "-.") name)
       (not (seq-some (lambda (other)
                        (and (> (length other) (length unit))
                             (string-prefix-p (format "netopt-%s-" other)
                                              name)))
                      units))))

(ert-deftest netopt-tools-tests-named-by-their-unit ()
  "Every test of test/UNIT-test.el is named netopt-UNIT-BEHAVIOUR.
The names are read from the files, whichever are loaded; no two files
define the same name.  The check itself refuses a misnamed test, in a
string and in a file."
  (let* ((files (directory-files netopt-test-directory t "-test\\.el\\'"))
         (units (mapcar #'netopt-tools-test--unit files))
         (seen (make-hash-table :test #'eq))
         (count 0))
    (should (member "process-registry" units))
    (dolist (file files)
      (let ((unit (netopt-tools-test--unit file)))
        (dolist (name (netopt-tools-test--file-tests file))
          (setq count (1+ count))
          (should (equal (list unit name (gethash name seen))
                         (list unit name nil)))
          (puthash name unit seen)
          (should (equal (list unit name (netopt-tools-test--name-fits
                                          (symbol-name name) unit units))
                         (list unit name t))))))
    (should (> count 200))
    ;; The check refuses what it should.
    (should (netopt-tools-test--name-fits "netopt-process-cache" "process"
                                          units))
    (should (netopt-tools-test--name-fits
             "netopt-process-registry-owner" "process-registry" units))
    (dolist (bad '(("netopt-audit-probe-leaves-no-trace" . "process")
                   ("netopt-registry-process-owner" . "process-registry")
                   ("netopt-process-registry-owner" . "process")
                   ("netopt-options-info-plists" . "options")
                   ("netopt-adopt-mode-erc" . "mode")
                   ("netopt-process-" . "process")
                   ("netopt-processes" . "process")))
      (should-not (netopt-tools-test--name-fits (car bad) (cdr bad) units)))
    (let ((file (make-temp-file "netopt-names" nil "-test.el")))
      (unwind-protect
          (progn
            (with-temp-file file
              (insert "(ert-deftest netopt-audit-x () \"X.\" t)\n"
                      "(when t (netopt-deftest netopt-names-y () \"Y.\""
                      " (ert-deftest netopt-inner () \"Z.\" t)))\n"))
            (should (equal (netopt-tools-test--file-tests file)
                           '(netopt-audit-x netopt-names-y netopt-inner)))
            (should-not (netopt-tools-test--name-fits
                         "netopt-audit-x" (netopt-tools-test--unit file)
                         units)))
        (delete-file file)))))

(provide 'tools-test)
;;; tools-test.el ends here
