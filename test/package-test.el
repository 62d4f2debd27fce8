;;; package-test.el --- loading, building and installing the package  -*- lexical-binding: t; -*-

;;; Commentary:

;; Each test runs a child batch Emacs, so that loading starts afresh: no
;; module support, a missing module that gets built, a module of another
;; version, and the `make dist' tar installed with package-install-file.

;;; Code:

(require 'cl-lib)
(require 'netopt-test-helpers)

(defvar netopt-package-test--module-file nil
  "The NETOPT_MODULE_FILE the child Emacs gets, or nil for none.")

(defun netopt-package-test--emacs (dir &rest args)
  "Run a batch Emacs in DIR with ARGS; return (EXIT-CODE . OUTPUT).
The child runs through `netopt-test-command': it does not inherit
NETOPT_MODULE_FILE or the sanitizer's preloaded runtime (make
check-sanitize sets them), and finds or builds its module as a user's
Emacs would."
  (let* ((default-directory (file-name-as-directory dir))
         (process-environment
          (append (and netopt-package-test--module-file
                       (list (concat "NETOPT_MODULE_FILE="
                                     netopt-package-test--module-file)))
                  (netopt-test-environment)))
         ;; Cleaned above; keep this module file.
         (netopt-test-keep-module-file t))
    (apply #'netopt-test-command
           (expand-file-name invocation-name invocation-directory)
           "-Q" "--batch" args)))

(defun netopt-package-test--copy-tree (&optional manual)
  "Copy the sources (lisp/, module/, Makefile) to a temp directory.
With MANUAL non-nil, doc/ too, and the tools that make the manual and
its dir file."
  (let ((dir (make-temp-file "netopt-copy" t)))
    (copy-directory (expand-file-name "lisp" netopt-test-root)
                    (expand-file-name "lisp" dir))
    (dolist (elc (directory-files (expand-file-name "lisp" dir) t "\\.elc\\'"))
      (delete-file elc))
    (copy-file (expand-file-name "Makefile" netopt-test-root)
               (expand-file-name "Makefile" dir))
    ;; The manual's source and the tools that make it.
    (when manual
      (make-directory (expand-file-name "doc" dir))
      (copy-file (expand-file-name "doc/netopt.org" netopt-test-root)
                 (expand-file-name "doc/netopt.org" dir))
      (make-directory (expand-file-name "test/tools" dir) t)
      (dolist (tool '("export-manual.el" "info-dir.sh"))
        (copy-file (expand-file-name (concat "test/tools/" tool) netopt-test-root)
                   (expand-file-name (concat "test/tools/" tool) dir))))
    (make-directory (expand-file-name "module" dir))
    ;; Every layer of module/ (the sources only: no built module).
    (dolist (sub (directory-files (expand-file-name "module" netopt-test-root)
                                  nil "\\`[a-z]+\\'"))
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
          (should (eq 0 (apply #'netopt-test-call-process
                               "cc" nil nil nil
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

(defconst netopt-package-test--install-form
  '(progn
     (require 'package)
     (setq package-user-dir (getenv "NETOPT_TEST_ELPA"))
     (package-initialize)
     (package-install-file (getenv "NETOPT_TEST_TAR"))
     (princ (format "COMPILE-LOG-BEGIN\n%sCOMPILE-LOG-END\n"
                    (if (get-buffer byte-compile-log-buffer)
                        (with-current-buffer byte-compile-log-buffer
                          (buffer-string))
                      "")))
     (dolist (elc (directory-files-recursively package-user-dir
                                               "\\.elc\\'"))
       (princ (format "LOAD %s %s\n" (file-name-nondirectory elc)
                      (condition-case e (progn (load elc nil t) "ok")
                        (error (format "FAILED %S" e))))))
     (require 'netopt-module)
     (princ (format "INSTALLED %s %s\n" (netopt--module-file)
                    (netopt-option (netopt-make-socket :priority 3)
                                   :priority)))
     (princ (funcall netopt-package-test--info-check)))
  "What the child Emacs of `netopt-package-dist-installs' evaluates.")

(defconst netopt-package-test--info-form
  '(lambda ()
     ;; C-h i: the directory node, built from every dir file of
     ;; `Info-directory-list', lists the manual; following its entry
     ;; opens the manual's Top node.
     (require 'info)
     (save-window-excursion
       (info)
       (let ((entry (save-excursion
                      (goto-char (point-min))
                      (and (re-search-forward "^\\* Netopt: (netopt)\\." nil t)
                           (progn (beginning-of-line) (point))))))
         (concat
          (format "INFO-DIR %s\n" (and entry t))
          (if (not entry) ""
            (goto-char entry)
            (Info-follow-nearest-node)
            (format "INFO-NODE %s %s %s\n" Info-current-node
                    (file-name-nondirectory Info-current-file)
                    (save-excursion
                      (goto-char (point-min))
                      (and (search-forward "Detect dead connections" nil t)
                           t))))))))
  "A function the child Emacsen of the dist test call: the manual in Info.
It returns lines INFO-DIR (whether \\[info] lists the manual) and
INFO-NODE (the node and file its entry leads to, and whether that
node lists the recipe).")

(ert-deftest netopt-package-dist-installs ()
  "The make dist tar installs cleanly into an empty HOME, and works.
make dist runs in a copy of the tree.  A child Emacs whose HOME and
`package-user-dir' are empty installs the tar with
`package-install-file', which byte-compiles every file (building the
module on the way): no byte-compiler warning, every installed .elc
loads, and the module makes a socket.  \\[info] then lists the manual,
whose entry opens its Top node; so it does in the next session."
  (skip-unless (executable-find "make"))
  (skip-unless (executable-find "makeinfo"))
  (let ((src (netopt-package-test--copy-tree t))
        (dir (make-temp-file "netopt-dist" t)))
    (unwind-protect
        (let* ((build (let ((default-directory src))
                        ;; The manual is exported by the Emacs under test.
                        (netopt-test-command
                         "make" "-s" "dist"
                         (concat "EMACS=" (expand-file-name
                                           invocation-name
                                           invocation-directory)))))
               (tar (car (file-expand-wildcards
                          (expand-file-name "netopt-module-*.tar" src))))
               (home (expand-file-name "home" dir))
               (elpa (expand-file-name "elpa" home)))
          ;; Its last line names the tar (the manual's export talks first).
          (should (equal (car build) 0))
          (should (equal (netopt-test-last-line (string-trim-right (cdr build)))
                         (file-name-nondirectory tar)))
          (make-directory home)
          (should-not (directory-files home nil "\\`[^.]"))
          (let* ((process-environment
                  (append (list (concat "HOME=" home)
                                (concat "NETOPT_TEST_ELPA=" elpa)
                                (concat "NETOPT_TEST_TAR=" tar))
                          process-environment))
                 (result (netopt-package-test--emacs
                          dir "--eval"
                          (prin1-to-string
                           `(let ((netopt-package-test--info-check
                                   ,netopt-package-test--info-form))
                              ,netopt-package-test--install-form))))
                 (output (cdr result))
                 (case-fold-search nil))
            (should (equal (car result) 0))
            ;; make's output is shown, not compiled as Lisp.
            (should (string-match-p "building the module" output))
            (should (string-match-p "COMPILE-LOG-BEGIN\n\\(.\\|\n\\)*COMPILE-LOG-END"
                                    output))
            (should-not (seq-filter (lambda (line)
                                      (string-match-p "Warning\\|Error" line))
                                    (split-string output "\n")))
            (let ((loads (seq-filter (lambda (line)
                                       (string-prefix-p "LOAD " line))
                                     (split-string output "\n"))))
              (dolist (file '("netopt-module.elc" "netopt-demo.elc"
                              "netopt-base.elc" "netopt-list.elc"))
                (should (member (format "LOAD %s ok" file) loads)))
              (should-not (seq-remove (lambda (line)
                                        (string-suffix-p " ok" line))
                                      loads)))
            (should (string-match-p
                     (format "INSTALLED %s/netopt-module-[0-9.]+/module/netopt-core.so 3"
                             (regexp-quote elpa))
                     output))
            ;; C-h i finds the manual right after the installation, and
            ;; in a new session that only initializes the packages.
            (should (string-match-p
                     "^INFO-DIR t\nINFO-NODE Top netopt t$" output))
            (let ((later (netopt-package-test--emacs
                          dir "--eval"
                          (prin1-to-string
                           `(progn
                              (require 'package)
                              (setq package-user-dir (getenv "NETOPT_TEST_ELPA"))
                              (package-initialize)
                              (princ (funcall ,netopt-package-test--info-form)))))))
              (should (equal (car later) 0))
              (should (string-match-p "^INFO-DIR t\nINFO-NODE Top netopt t$"
                                      (cdr later))))))
      (delete-directory src t)
      (delete-directory dir t))))

;;;; Loading on demand

(defun netopt-package-test--child-value (form)
  "Evaluate FORM in a fresh batch Emacs with lisp/ on `load-path'.
Return FORM's value, printed by the child and read back."
  (let ((result (netopt-package-test--emacs
                 netopt-test-root "-L" "lisp" "--eval"
                 (format "(let ((v %S)) (princ \"\\nNETOPT-VALUE \") (prin1 v))"
                         form))))
    (should (eq (car result) 0))
    (should (string-match "^NETOPT-VALUE \\(.*\\)" (cdr result)))
    (car (read-from-string (match-string 1 (cdr result))))))

(ert-deftest netopt-package-require-loads-only-the-core ()
  "Requiring netopt-module loads the module and its process layer only.
netopt-base, netopt-adopt, netopt-budget and netopt-mode; no netopt-list (nor
tabulated-list, preloaded in Emacs 28 anyway),
no netopt-demo, and no seq, which brings the byte compiler with it:
the features added are compared with a bare Emacs's."
  (let ((added (netopt-package-test--child-value
                '(let ((before features))
                   (require 'netopt-module)
                   (let ((added nil))
                     (dolist (feature features)
                       (unless (memq feature before) (push feature added)))
                     (sort added #'string<))))))
    (should (equal added '(netopt-adopt netopt-base netopt-budget netopt-core
                           netopt-mode netopt-module)))))

;; A file each of whose loads is counted: `after-load-functions' runs
;; once per `load' of a file, nested requires included.
(defconst netopt-package-test--count-loads
  '(let ((loads nil))
     (add-hook 'after-load-functions
               (lambda (file)
                 (let ((base (file-name-base file)))
                   (when (string-prefix-p "netopt-" base)
                     (push base loads)))))
     (require FEATURE)
     (sort loads #'string<))
  "A form that returns the netopt files loaded by requiring FEATURE.")

(ert-deftest netopt-package-require-loads-each-file-once ()
  "Requiring the mode or the package loads every file it needs exactly once.
Before, netopt-module, netopt-process and netopt-adopt required one
another in a loop, and `(require \='netopt-mode)' (what the autoloaded
`netopt-mode' runs) loaded three files twice."
  (dolist (case '((netopt-mode "netopt-adopt" "netopt-base" "netopt-budget"
                               "netopt-mode")
                  (netopt-module "netopt-adopt" "netopt-base" "netopt-budget"
                                 "netopt-mode" "netopt-module")
                  (netopt-list "netopt-base" "netopt-list")))
    (let ((form (cl-subst (list 'quote (car case)) 'FEATURE
                          netopt-package-test--count-loads)))
      (should (equal (cons (car case) (netopt-package-test--child-value form))
                     case)))))

(ert-deftest netopt-package-commands-from-any-entry-point ()
  "Whichever file is loaded first, the commands are there.
`M-x netopt-mode' loads netopt-mode.el alone: `netopt-set-option' is
a command then too, and the inspector's commands are autoloaded."
  (should (equal (netopt-package-test--child-value
                  '(progn (require 'netopt-mode)
                          (list (commandp 'netopt-set-option)
                                (commandp 'netopt-list-sockets)
                                (commandp 'netopt-demo)
                                (featurep 'netopt-list))))
                 '(t t t nil))))

(ert-deftest netopt-package-lisp-files-form-a-chain ()
  "No file of lisp/ requires, or calls a function of, a file that needs it.
The files' `require's of netopt files, and their uses of functions and
variables another netopt file defines, make a graph; it has no cycle.
A graph with a cycle is shown to be caught."
  (let ((graph (netopt-package-test--lisp-graph)))
    ;; What the chain is made of.
    (should (member "netopt-base" (cdr (assoc "netopt-adopt" graph))))
    (should (member "netopt-budget" (cdr (assoc "netopt-mode" graph))))
    (should-not (cdr (assoc "netopt-base" graph)))
    (should-not (netopt-package-test--cycle graph))
    (should (netopt-package-test--cycle '(("a" "b") ("b" "c") ("c" "a"))))))

(defun netopt-package-test--lisp-graph ()
  "Return ((FILE DEPENDENCY...) ...) for the files of lisp/.
A dependency is a netopt file FILE requires, or one that defines a
function or variable FILE names, except a function FILE declares with
`autoload' (loaded when first called)."
  (let ((files (directory-files (expand-file-name "lisp" netopt-test-root)
                                t "\\`netopt-.*\\.el\\'"))
        (defs (make-hash-table :test 'equal))
        (graph nil))
    (dolist (file files)
      (with-temp-buffer
        (insert-file-contents file)
        (while (re-search-forward
                "^(\\(?:defun\\|defmacro\\|defvar\\|defcustom\\|defconst\\|define-minor-mode\\) +\\([^ \n()]+\\)"
                nil t)
          (puthash (match-string 1) (file-name-base file) defs))))
    (dolist (file files graph)
      (let ((me (file-name-base file)) (deps nil))
        (with-temp-buffer
          (insert-file-contents file)
          ;; Comments, docstrings and autoload declarations are no uses.
          (emacs-lisp-mode)
          (goto-char (point-min))
          (while (re-search-forward "(require '\\(netopt-[a-z-]+\\))" nil t)
            (unless (nth 8 (syntax-ppss))
              (cl-pushnew (match-string 1) deps :test #'equal)))
          ;; A function the file declares with `autoload' is loaded on
          ;; first use: no dependency.
          (let ((lazy nil))
            (goto-char (point-min))
            (while (re-search-forward "^(autoload '\\(netopt-[^ \n]+\\)" nil t)
              (push (match-string 1) lazy))
            (goto-char (point-min))
            (while (re-search-forward "\\_<netopt-[^] \n()'\"`,]+\\_>" nil t)
              (let ((owner (gethash (match-string 0) defs)))
                (unless (or (null owner) (equal owner me)
                            (member (match-string 0) lazy)
                            (nth 8 (syntax-ppss)))
                  (cl-pushnew owner deps :test #'equal))))))
        (push (cons me deps) graph)))))

(defun netopt-package-test--cycle (graph)
  "Return a list of files that depend on each other in GRAPH, or nil."
  (let ((found nil))
    (dolist (entry graph found)
      (let ((seen nil) (todo (copy-sequence (cdr entry))))
        (while todo
          (let ((next (pop todo)))
            (unless (member next seen)
              (push next seen)
              (setq todo (append (cdr (assoc next graph)) todo)))))
        (when (member (car entry) seen)
          (push (car entry) found))))))

(ert-deftest netopt-package-entry-points-autoload ()
  "The list, the description and the demo load when first called."
  (let ((value (netopt-package-test--child-value
                '(progn
                   (require 'netopt-module)
                   (list
                    (featurep 'netopt-list)
                    (commandp 'netopt-list-sockets)
                    (commandp 'netopt-set-option)
                    (commandp 'netopt-demo)
                    (bufferp (netopt-list-sockets))
                    (featurep 'netopt-list)
                    (let ((s (netopt-make-socket :type 'datagram)))
                      (prog1 (bufferp (netopt-describe s))
                        (netopt-close s)))
                    (featurep 'netopt-demo)
                    (progn (netopt-demo) (featurep 'netopt-demo)))))))
    (should (equal value '(nil t t t t t t nil t)))))

(ert-deftest netopt-package-every-command-still-completes ()
  "Loading netopt leaves every command completable.
\\[execute-extended-command] completes with `commandp' over every
symbol; Emacs 30 signals there on a module function that has an
`interactive-form' property, so that one symbol broke
\\[execute-extended-command] for every command.  `netopt-set-option'
is a command whose interactive form reads its arguments."
  (let ((value (netopt-package-test--child-value
                '(progn
                   (require 'netopt-module)
                   (list (condition-case err
                             (and (member "netopt-set-option"
                                          (all-completions "" obarray
                                                           #'commandp))
                                  t)
                           (error err))
                         (interactive-form 'netopt-set-option)
                         (get 'netopt-set-option 'interactive-form))))))
    (should (equal value '(t (interactive (netopt--read-set-option-args))
                             nil)))))

(ert-deftest netopt-package-set-option-reader-autoloads ()
  "The interactive form of `netopt-set-option' loads its reader on demand."
  (let ((value (netopt-package-test--child-value
                '(progn
                   (require 'netopt-module)
                   (let* ((s (netopt-make-socket :name "reader"
                                                 :type 'datagram))
                          (answers (list (format "reader (netopt socket %d)"
                                                 (netopt--socket-fd s))
                                         ":priority")))
                     ;; A throwaway Emacs: its readers are replaced.
                     (fset 'completing-read (lambda (&rest _) (pop answers)))
                     (fset 'read-string (lambda (&rest _) "5"))
                     (list (featurep 'netopt-list)
                           (progn (call-interactively #'netopt-set-option)
                                  (featurep 'netopt-list))
                           (netopt-option s :priority)))))))
    (should (equal value '(nil t 5)))))

(ert-deftest netopt-package-one-version ()
  "The version is written twice in lisp/, and the build follows it.
netopt-module.el's Version: header and `netopt-module-version' (in
netopt-base.el, which loads the module) are the only places
of the sources that spell it, and they agree.  In a copy of the tree
whose two are changed to 9.8.7, make builds a module that reports
9.8.7, the Lisp layer loads it, and make dist would write
netopt-module-9.8.7.tar."
  (skip-unless (executable-find "make"))
  (let ((version netopt-module-version) (places nil))
    (dolist (file (append (directory-files-recursively
                           (expand-file-name "lisp" netopt-test-root)
                           "\\.el\\'")
                          (directory-files-recursively
                           (expand-file-name "module" netopt-test-root)
                           "\\.[ch]\\'")
                          (mapcar (lambda (f) (expand-file-name f netopt-test-root))
                                  '("Makefile" "doc/netopt.org" "README.org"))))
      (with-temp-buffer
        (insert-file-contents file)
        (while (search-forward version nil t)
          (push (format "%s:%s" (file-relative-name file netopt-test-root)
                        (string-trim (thing-at-point 'line t)))
                places))))
    (should (equal (sort places #'string<)
                   (list (format "lisp/netopt-base.el:(defconst netopt-module-version \"%s\"" version)
                         (format "lisp/netopt-module.el:;; Version: %s" version))))
    (should (equal (netopt--module-version) version))
    (let ((dir (netopt-package-test--copy-tree t)))
      (unwind-protect
          (dolist (el (list (expand-file-name "lisp/netopt-module.el" dir)
                            (expand-file-name "lisp/netopt-base.el" dir)))
            (with-temp-file el
              (insert-file-contents el)
              (while (search-forward version nil t)
                (replace-match "9.8.7" t t))))
            (let ((default-directory dir))
              (should (equal (car (netopt-test-command
                                   "make" "-s" "module/netopt-core.so"))
                             0))
              (should (string-match-p
                       "^tar -cf netopt-module-9\\.8\\.7\\.tar netopt-module-9\\.8\\.7$"
                       (cdr (netopt-test-command "make" "-n" "dist")))))
            (let ((result (netopt-package-test--emacs
                           dir "-L" "lisp" "--eval"
                           "(progn (require 'netopt-module) (princ (format \"VERSIONS %s %s\" netopt-module-version (netopt--module-version))))")))
              (should (string-match-p "VERSIONS 9\\.8\\.7 9\\.8\\.7"
                                      (cdr result))))
        (delete-directory dir t)))))

(provide 'package-test)
;;; package-test.el ends here
