;;; readme-test.el --- README.org and HACKING.org claims that tests back  -*- lexical-binding: t; -*-

;;; Commentary:

;; README.org is short and starts a newcomer in a minute: the two
;; commands, what netopt is for, the recipe, installation, a pointer to
;; the manual.  Its first command needs no sudo, and what HACKING.org
;; says of the code holds (the layers, the primitives found by tags,
;; one option path).  The manual's own claims are manual-test.el's.

;;; Code:

(require 'netopt-test-helpers)

(defun netopt-readme-test--text (&optional file)
  "Return the text of FILE (default README.org) of the repository."
  (with-temp-buffer
    (insert-file-contents (expand-file-name (or file "README.org")
                                            netopt-test-root))
    (buffer-string)))

(ert-deftest netopt-readme-is-short ()
  "README.org is under 15 KB: the rest is the manual's and HACKING's."
  (let ((size (file-attribute-size
               (file-attributes (expand-file-name "README.org"
                                                  netopt-test-root)))))
    (should (< size (* 15 1024)))))

(ert-deftest netopt-readme-structure ()
  "README.org: the two commands, what netopt is for, the recipe, installation.
Its first block holds the two commands (the demo, every test); then
come, in this order, what netopt is for, the dead-connection recipe
\(whose rule turns `netopt-mode' on), installation, and a pointer to
the manual and to HACKING.org, which exist."
  (with-temp-buffer
    (insert (netopt-readme-test--text))
    (goto-char (point-min))
    (re-search-forward "^#\\+begin_src sh\n")
    (let ((commands (split-string (buffer-substring
                                   (point) (progn (search-forward "#+end_src")
                                                  (match-beginning 0)))
                                  "\n" t)))
      (should (equal (mapcar (lambda (line)
                               (string-trim (replace-regexp-in-string
                                             "#.*" "" line)))
                             commands)
                     '("sh test/tools/deps.sh && make demo" "bash .ci/run"))))
    ;; No heading before the two commands.
    (should-not (save-excursion (re-search-backward "^\\* " nil t)))
    (let ((headings nil))
      (while (re-search-forward "^\\* \\(.*\\)$" nil t)
        (push (match-string 1) headings))
      (should (equal (nreverse headings)
                     '("What netopt is for"
                       "Detect dead connections within a minute"
                       "Installation" "The manual" "Developing"))))
    (goto-char (point-min))
    (search-forward "# BEGIN DEAD CONNECTION RECIPE")
    (should (re-search-forward "^(netopt-mode 1)$" nil t))
    (should (search-forward "# END DEAD CONNECTION RECIPE" nil t))
    (search-forward "* The manual")
    (should (search-forward "=doc/netopt.org=" nil t))
    (should (search-forward "[[file:HACKING.org]" nil t))
    (should (file-exists-p (expand-file-name "HACKING.org" netopt-test-root)))
    (should (file-exists-p (expand-file-name "doc/netopt.org"
                                             netopt-test-root)))))

(ert-deftest netopt-readme-recipe-is-the-manual-s ()
  "README's dead-connection recipe is the manual's, word for word."
  (let ((recipe (lambda (file)
                  (let ((text (netopt-readme-test--text file)))
                    (substring text
                               (string-match "# BEGIN DEAD CONNECTION RECIPE"
                                             text)
                               (string-match "# END DEAD CONNECTION RECIPE"
                                             text))))))
    (should (equal (funcall recipe "README.org")
                   (funcall recipe "doc/netopt.org")))))

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

;; The C sources, read as code: comments and strings out.

(defun netopt-readme-test--c-files ()
  "Every C source and header of module/, as absolute names."
  (directory-files-recursively (expand-file-name "module" netopt-test-root)
                               "\\.[ch]\\'"))

(defun netopt-readme-test--c-code (file)
  "The text of FILE, a C file, with its comments and strings blanked."
  (with-temp-buffer
    (insert-file-contents file)
    (goto-char (point-min))
    (while (re-search-forward
            "/\\*\\(?:[^*]\\|\\*+[^*/]\\)*\\*+/\\|//[^\n]*\\|\"\\(?:[^\"\\\\\n]\\|\\\\.\\)*\""
            nil t)
      (replace-match (if (eq (char-after (match-beginning 0)) ?\") "\"\"" " ")
                     t t))
    (buffer-string)))

(ert-deftest netopt-readme-symbols-used ()
  "Every symbol module/core/lisp.h interns at load time is used.
Each X (NAME, ...) of NETOPT_SYMBOLS is a global reference made once;
one that no code names as Q.NAME would be made for nothing."
  (let* ((lisp-h (expand-file-name "module/core/lisp.h" netopt-test-root))
         (names (with-temp-buffer
                  (insert-file-contents lisp-h)
                  (let ((names nil))
                    (while (re-search-forward "^  X (\\([a-z0-9_]+\\), \"" nil t)
                      (push (match-string 1) names))
                    names)))
         (code (mapconcat #'netopt-readme-test--c-code
                          (netopt-readme-test--c-files) "\n")))
    (should (> (length names) 50))
    (should-not (seq-remove
                 (lambda (name)
                   (string-match-p
                    (concat "\\(?:^\\|[^A-Za-z0-9_.]\\)Q\\." (regexp-quote name)
                            "\\(?:[^A-Za-z0-9_]\\|\\'\\)")
                    code))
                 names))))

;; Which file of module/ uses which: the functions a .c file defines
;; (GNU style, the name at the start of the line after its type) and
;; the names every other .c file uses; the files each includes.

(defun netopt-readme-test--c-definitions (code)
  "Return the names of the functions that CODE, a C file, exports.
A definition is GNU style: the type on a line of its own, then the
name at the start of the next line; one whose type says `static' is
the file's own."
  (let ((names nil) (start 0))
    (while (string-match "^\\([^ \t\n#{}][^\n]*\\)\n\\([A-Za-z_][A-Za-z0-9_]*\\) ("
                         code start)
      (let ((type (match-string 1 code)) (name (match-string 2 code)))
        (setq start (match-beginning 2))
        (unless (string-match-p "\\`static\\_>\\|;\\s-*\\'" type)
          (push name names))))
    names))

(defun netopt-readme-test--uses ()
  "Return an alist (FILE . FILES): each file of module/, its dependencies.
FILE uses another .c file when it names a function that file alone
exports, and a header when it includes it; names are relative to
module/."
  (let* ((module (expand-file-name "module" netopt-test-root))
         (files (netopt-readme-test--c-files))
         (code (mapcar (lambda (f) (cons f (netopt-readme-test--c-code f)))
                       files))
         (owner (make-hash-table :test #'equal))
         (uses nil))
    (dolist (fc code)
      (when (string-suffix-p ".c" (car fc))
        (dolist (name (netopt-readme-test--c-definitions (cdr fc)))
          (puthash name (if (gethash name owner) 'many (car fc)) owner))))
    (dolist (fc code)
      (let ((file (car fc)) (text (cdr fc)) (start 0) (used nil))
        ;; A header's names are declarations: it uses only what it
        ;; includes.
        (while (and (string-suffix-p ".c" file)
                    (string-match "[A-Za-z_][A-Za-z0-9_]*" text start))
          (let ((other (gethash (match-string 0 text) owner)))
            (when (and (stringp other) (not (equal other file)))
              (cl-pushnew (file-relative-name other module) used
                          :test #'equal)))
          (setq start (match-end 0)))
        (with-temp-buffer
          (insert-file-contents file)
          (while (re-search-forward "^#include \"\\([^\"]+\\)\"" nil t)
            (cl-pushnew (file-relative-name
                         (expand-file-name (match-string 1)
                                           (file-name-directory file))
                         module)
                        used :test #'equal)))
        (push (cons (file-relative-name file module) used) uses)))
    uses))

(ert-deftest netopt-readme-no-circles ()
  "No file of module/ uses a file above it, and no uses go round.
A call or an include goes down the layers or stays in one; within a
layer, no two files use each other, and no longer circle either."
  (let* ((uses (netopt-readme-test--uses))
         (rank (lambda (file)
                 (seq-position netopt-readme-test--layers
                               (car (split-string file "/")))))
         (upward nil) (both nil))
    (should (> (length uses) 30))
    (should (> (apply #'+ (mapcar (lambda (u) (length (cdr u))) uses)) 100))
    (dolist (u uses)
      (dolist (other (cdr u))
        (when (> (funcall rank other) (funcall rank (car u)))
          (push (cons (car u) other) upward))
        (when (and (string< (car u) other)
                   (member (car u) (cdr (assoc other uses))))
          (push (cons (car u) other) both))))
    (should-not upward)
    (should-not both)
    ;; Longer circles: take away every file that uses only files already
    ;; taken away; what is left goes round.
    (let ((left (mapcar #'car uses)) (progress t))
      (while progress
        (setq progress nil)
        (dolist (file (copy-sequence left))
          (unless (seq-some (lambda (other) (member other left))
                            (cdr (assoc file uses)))
            (setq left (delete file left) progress t))))
      (should-not left))))

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
  "README.org and HACKING.org link only to files of the repository.
Every file link leads to a file that exists."
  (dolist (file '("README.org" "HACKING.org"))
    (with-temp-buffer
      (insert-file-contents (expand-file-name file netopt-test-root))
      (should-not (re-search-forward "\\[\\[file:\\.\\./" nil t))
      (goto-char (point-min))
      (should-not (re-search-forward "\\.\\./shared" nil t))
      (goto-char (point-min))
      (let ((links 0))
        (while (re-search-forward "\\[\\[file:\\([^]]+\\)\\]" nil t)
          (setq links (1+ links))
          (ert-info ((format "%s: %s" file (match-string 1)))
            (should (file-exists-p (expand-file-name (match-string 1)
                                                     netopt-test-root)))))
        (should (> links 0))))))

(provide 'readme-test)
;;; readme-test.el ends here
