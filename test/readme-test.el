;;; readme-test.el --- README.org claims that tests back  -*- lexical-binding: t; -*-

;;; Commentary:

;; Every test README.org names in its table of differences from Emacs
;; 28.2 must exist, so the table cannot cite a test that was renamed or
;; removed.  Run with the other suites (test/run.sh loads them all).

;;; Code:

(require 'netopt-test-helpers)

(defun netopt-readme-test--differences-tests ()
  "Return the test names cited in README's table of differences."
  (with-temp-buffer
    (insert-file-contents (expand-file-name "README.org" netopt-test-root))
    (let ((start (search-forward "* Where netopt and Emacs 28.2 differ"))
          (end (or (re-search-forward "^\\* " nil t) (point-max)))
          (names nil))
      (goto-char start)
      (while (re-search-forward "^|[^\n]*| =?\\(netopt-[^|\n]*\\)|$" end t)
        (dolist (name (split-string (match-string 1) "[=, ]+" t))
          (when (string-match-p "\\`netopt-[a-z0-9:-]+\\'" name)
            (push (intern name) names))))
      (nreverse names))))

(ert-deftest netopt-readme-differences-are-tested ()
  "Each test the README cites for a difference from Emacs 28.2 exists."
  (let ((names (netopt-readme-test--differences-tests)))
    (should (>= (length names) 10))
    (dolist (name names)
      (should (ert-test-boundp name)))))

(require 'option-table)

(ert-deftest netopt-readme-api-reference ()
  "README's API reference is generated from the docstrings, unchanged since."
  (should (equal (netopt-option-table-readme-text "API REFERENCE")
                 (netopt-option-table-api)))
  (dolist (function netopt-option-table--functions)
    (should (fboundp function))))

(ert-deftest netopt-readme-readme-table ()
  "README's option reference is the one the option table generates."
  (should (equal (netopt-option-table-readme-text) (netopt-option-table))))

(defun netopt-readme-test--first-command ()
  "Return the first command of README's first source block, sans comment."
  (with-temp-buffer
    (insert-file-contents (expand-file-name "README.org" netopt-test-root))
    (re-search-forward "^#\\+begin_src sh\n")
    (string-trim (replace-regexp-in-string
                  "#.*" "" (buffer-substring (point) (line-end-position))))))

(ert-deftest netopt-readme-first-command-needs-no-sudo ()
  "README's first command works for root on a fresh machine (no sudo).
It installs the dependencies with test/tools/deps.sh, which exists,
and then runs make demo."
  (let ((command (netopt-readme-test--first-command)))
    (should-not (string-prefix-p "sudo" command))
    (should-not (member "sudo" (split-string command)))
    (should (string-match "\\`sh \\([^ ]+\\) && make demo\\'" command))
    (should (equal (match-string 1 command) "test/tools/deps.sh"))
    (should (file-exists-p (expand-file-name (match-string 1 command)
                                             netopt-test-root)))))

(defun netopt-readme-test--deps (uid sudo present)
  "Run test/tools/deps.sh dry, as UID, with SUDO installed or not.
PRESENT lists the commands (of \"emacs\", \"cc\", \"make\") found on PATH;
the module header exists when \"emacs\" is PRESENT.  PATH holds only stubs:
`id' prints UID.  Return (EXIT-STATUS . OUTPUT)."
  (let ((bin (make-temp-file "netopt-deps" t)))
    (unwind-protect
        (let ((stub (lambda (name text)
                      (let ((file (expand-file-name name bin)))
                        (with-temp-file file
                          (insert "#!/bin/sh\n" text))
                        (set-file-modes file #o755)))))
          (funcall stub "id" (format "echo %d\n" uid))
          (when sudo (funcall stub "sudo" "exit 0\n"))
          (dolist (name present) (funcall stub name "exit 0\n"))
          (let ((process-environment
                 (append (list (concat "PATH=" bin)
                               "NETOPT_DEPS_DRY_RUN=1"
                               (concat "EMACS_MODULE_H="
                                       (if (member "emacs" present)
                                           (expand-file-name "id" bin)
                                         "/nonexistent/emacs-module.h")))
                         process-environment)))
            (netopt-test-command "/bin/sh" (expand-file-name
                                            "test/tools/deps.sh"
                                            netopt-test-root))))
      (delete-directory bin t))))

(ert-deftest netopt-readme-deps-sudo-only-when-not-root ()
  "The deps script uses sudo only when not root, apt-get only if needed."
  ;; Root, nothing installed: apt-get directly, no sudo even if present.
  (should (equal (netopt-readme-test--deps 0 t nil)
                 (cons 0 (concat
                          "env DEBIAN_FRONTEND=noninteractive apt-get update\n"
                          "env DEBIAN_FRONTEND=noninteractive apt-get install"
                          " -y emacs-nox gcc make\n"))))
  ;; A user with sudo, make missing: only make, through sudo.
  (should (equal (netopt-readme-test--deps 1000 t '("emacs" "cc"))
                 (cons 0 (concat
                          "sudo env DEBIAN_FRONTEND=noninteractive apt-get"
                          " update\n"
                          "sudo env DEBIAN_FRONTEND=noninteractive apt-get"
                          " install -y make\n"))))
  ;; Everything there: nothing to run, no sudo asked for.
  (let ((result (netopt-readme-test--deps 1000 t '("emacs" "cc" "make"))))
    (should (equal (car result) 0))
    (should-not (string-match-p "sudo\\|apt-get" (cdr result))))
  ;; A user without sudo: a clear failure that says what to run as root.
  (let ((result (netopt-readme-test--deps 1000 nil '("emacs"))))
    (should-not (equal (car result) 0))
    (should (string-match-p "not root and no sudo" (cdr result)))
    (should (string-match-p "apt-get install -y gcc make" (cdr result)))))

(ert-deftest netopt-readme-make-deps-runs-the-script ()
  "The deps target of make runs test/tools/deps.sh, before any build."
  (skip-unless (executable-find "make"))
  (let* ((default-directory netopt-test-root)
         (result (netopt-test-command "make" "-n" "deps")))
    (should (equal result '(0 . "sh test/tools/deps.sh\n")))))

(defconst netopt-readme-test--layers '("core" "options" "sockets" "process" "entry")
  "The module's folders, lowest first: each includes only from below.")

(ert-deftest netopt-readme-layers ()
  "No file of module/ includes from its own layer's upper neighbours."
  (let ((module (expand-file-name "module" netopt-test-root))
        (seen 0))
    (dolist (layer netopt-readme-test--layers)
      (let ((rank (seq-position netopt-readme-test--layers layer)))
        (dolist (file (directory-files (expand-file-name layer module) t
                                       "\\.[ch]\\'"))
          (with-temp-buffer
            (insert-file-contents file)
            (while (re-search-forward
                    "^#include \"\\.\\./\\([a-z]+\\)/" nil t)
              (setq seen (1+ seen))
              (let ((target (seq-position netopt-readme-test--layers
                                          (match-string 1))))
                (should target)
                (should (< target rank))))))))
    ;; The module has folders beyond these only if the README says so.
    (should (equal (sort (directory-files module nil "\\`[a-z]+\\'") #'string<)
                   (sort (copy-sequence netopt-readme-test--layers) #'string<)))
    (should (> seen 5))))

(ert-deftest netopt-readme-make-socket-in-lisp ()
  "`netopt-make-socket' is Lisp; it calls one positional C primitive."
  (skip-unless (fboundp 'module-function-p))
  (should-not (module-function-p (indirect-function 'netopt-make-socket)))
  (should (module-function-p (indirect-function 'netopt--make-socket))))

(netopt-deftest netopt-readme-one-option-path ()
  "Creation, later settings and child options agree on what may be set.
They take one path (the option engine): an option settable only
before bind is refused for an accepted child in :child-options, as
`netopt-set-option' refuses it on that child later."
  (should-error (netopt-test-server :child-options '(:reuseaddr nil))
                :type 'netopt-unknown-option)
  (pcase-let ((`(,_srv ,_cli ,child) (netopt-test-pair)))
    (should-error (netopt-set-option child :reuseaddr nil)
                  :type 'netopt-unknown-option)
    (should-not (netopt-set-option child :reuseaddr nil t))))

(ert-deftest netopt-readme-primitives-found-by-tags ()
  "Every function the module defines is a definition etags finds by name.
\\[xref-find-definitions] on a primitive's C name leads to it: each C
function named in the registration table of module/entry/module.c is
tagged by etags (Emacs's own) as a function of that name, and so by
ctags where installed."
  (let* ((files (directory-files-recursively
                 (expand-file-name "module" netopt-test-root) "\\.c\\'"))
         (table (with-temp-buffer
                  (insert-file-contents
                   (expand-file-name "module/entry/module.c" netopt-test-root))
                  (let ((names nil))
                    (while (re-search-forward
                            "^  { \"[^\"]+\", [0-9]+, [a-z_0-9]+, \\(F[a-z_]+\\),"
                            nil t)
                      (push (match-string 1) names))
                    names)))
         (etags (with-temp-buffer
                  (apply #'call-process "etags" nil t nil "-o" "-" files)
                  (buffer-string))))
    (should (> (length table) 20))
    (dolist (name table)
      (should (string-match-p (concat "\177" (regexp-quote name) "\001")
                              etags)))
    (when (executable-find "ctags")
      (let ((ctags (with-temp-buffer
                     (apply #'call-process "ctags" nil t nil "-x"
                            "--c-kinds=f" files)
                     (buffer-string))))
        (dolist (name table)
          (should (string-match-p (concat "^" (regexp-quote name) " ")
                                  ctags)))))))

(ert-deftest netopt-readme-stays-inside ()
  "README.org links only to files of the repository."
  (with-temp-buffer
    (insert-file-contents (expand-file-name "README.org" netopt-test-root))
    (should-not (re-search-forward "\\[\\[file:\\.\\./" nil t))
    (goto-char (point-min))
    (should-not (re-search-forward "\\.\\./shared" nil t))))

(provide 'readme-test)
;;; readme-test.el ends here
