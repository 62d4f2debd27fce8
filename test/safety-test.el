;;; safety-test.el --- nothing of the user's is ever touched  -*- lexical-binding: t; -*-

;;; Commentary:

;; Issue 24, a test per finding of the audit:
;;
;; 1. a failed local server never removes a file netopt did not make:
;;    a relative name is bound and removed by one absolute name, in
;;    the process's working directory, as Emacs binds it;
;; 2. a placeholder needs no file: an Emacs killed (SIGKILL) while one
;;    exists leaves nothing behind but the user's own socket file;
;; 3. no writable temporary directory is needed, and no error or
;;    warning names a placeholder;
;; 4. the module and its Makefile come from netopt-base.el's own
;;    location only, never from `default-directory', and
;;    NETOPT_MODULE_FILE is refused unless safe.
;;
;; The tests that need a working directory of their own, a killed
;; Emacs or a fresh load run in a child Emacs.  What is checked is
;; what the user has: the files (their text, their type), and the
;; sockets as test/tools/sockpeek reads them from the kernel.

;;; Code:

(require 'netopt-test-helpers)

(defun netopt-safety-test--dirs (&rest names)
  "Make a temporary directory with subdirectories NAMES; return the list.
The value is (TOP SUB...), each a directory name ending in a slash."
  (let ((top (file-name-as-directory (make-temp-file "netopt-safety" t))))
    (cons top (mapcar (lambda (name)
                        (let ((dir (file-name-as-directory
                                    (expand-file-name name top))))
                          (make-directory dir)
                          dir))
                      names))))

(defun netopt-safety-test--files (dir)
  "Return every file under DIR, recursively, directories included."
  (sort (directory-files-recursively dir "" t) #'string<))

;;;; 1. A failed local server removes no file of the user's

(defun netopt-safety-test--relative-server (mode)
  "Make a local server by a relative name in a child Emacs; return what it saw.
The child's working directory is CWD, its `default-directory' DD,
where a regular file data.sock holds the user's text, and the
variable `temporary-file-directory' names no directory.  With MODE non-nil,
the call is `make-network-process' under `netopt-mode' with a
:keepalive rule, otherwise `netopt-make-network-process' with
:keepalive t.  The value is a plist: :status of the server (or the
error), :user the text of DD/data.sock (nil when gone), :socket the
type of CWD/data.sock, :client a client's status there, :keepalive
the kernel's value on the server."
  (pcase-let* ((`(,top ,cwd ,dd) (netopt-safety-test--dirs "cwd" "dd"))
               (user (expand-file-name "data.sock" dd)))
    (unwind-protect
        (progn
          (with-temp-file user (insert "the user's data\n"))
          (netopt-test-child
           `(let* ((mode ,(and mode
                               ;; Before the temporary directory goes:
                               ;; advising a primitive compiles a
                               ;; trampoline there (native Emacs).
                               '(progn
                                  (require 'netopt-mode)
                                  (setq netopt-connection-options
                                        '((t :keepalive t)))
                                  (netopt-mode 1))))
                   (default-directory ,dd)
                   (temporary-file-directory "/nonexistent-dir/")
                   (socket ,(expand-file-name "data.sock" cwd))
                   (p (condition-case err
                          (if mode
                              (make-network-process
                               :name "s" :server t :family 'local
                               :service "data.sock")
                            (require 'netopt-adopt)
                            (netopt-make-network-process
                             :name "s" :server t :family 'local
                             :service "data.sock" :keepalive t))
                        (error err)))
                   (c (and (processp p)
                           (condition-case err
                               (make-network-process :name "c" :family 'local
                                                     :remote socket)
                             (error err)))))
              (list :status (if (processp p) (process-status p) p)
                    :user (and (file-exists-p ,user)
                               (with-temp-buffer
                                 (insert-file-contents ,user)
                                 (buffer-string)))
                    :socket (substring (or (file-attribute-modes
                                            (file-attributes socket))
                                           "-")
                                       0 1)
                    :client (if (processp c) (process-status c) c)
                    ;; As Emacs's own contact: the name as given.
                    :local (and (processp p) (process-contact p :local))
                    :keepalive (cdr (assoc "keepalive"
                                           (cdar (netopt-test-sockets-with
                                                  "local" socket
                                                  "acceptconn" "1"))))))
           :setup (format "cd %s" (shell-quote-argument cwd))
           :strict t))
      (delete-directory top t))))

(ert-deftest netopt-safety-relative-server-keeps-user-file ()
  "A relative local name is the working directory's file, as in Emacs.
The audit's reproduction: `default-directory' is not the working
directory and holds a regular file data.sock; no temporary directory.
Before: the placeholder failed and netopt removed the user's file,
resolving the name against `default-directory', while its own socket
stayed in the working directory.  Now the server listens there with
its option, a client reaches it, and the user's file is untouched."
  (should (equal (netopt-safety-test--relative-server nil)
                 '(:status listen :user "the user's data\n" :socket "s"
                           :client open :local "data.sock"
                           :keepalive "1"))))

(ert-deftest netopt-safety-relative-server-under-mode ()
  "Under `netopt-mode' the same call keeps the file and makes the server.
Before: the user's file was removed and Emacs's own call, made
instead, failed with \"Address already in use\" on netopt's socket
file: the file and the connection lost."
  (should (equal (netopt-safety-test--relative-server t)
                 '(:status listen :user "the user's data\n" :socket "s"
                           :client open :local "data.sock"
                           :keepalive "1"))))

(netopt-deftest netopt-safety-failed-server-removes-only-its-file ()
  "A failed adoption removes netopt's own socket file, by its absolute name.
The placeholder cannot be made (its call is made to fail): the error
is the placeholder's, netopt's socket file is gone, and a regular file
of the same name in `default-directory' is untouched."
  (pcase-let* ((`(,top ,dd) (netopt-safety-test--dirs "dd"))
               (file (netopt-test-temp-socket-name))
               (default-directory dd)
               (user (expand-file-name (file-name-nondirectory file) dd)))
    (require 'netopt-adopt)
    (unwind-protect
        (progn
          (with-temp-file user (insert "kept\n"))
          (cl-letf (((symbol-function 'netopt--emacs-make-network-process)
                     (lambda (_args)
                       (signal 'file-error '("make server process failed"
                                             "Too many open files")))))
            (should (equal (cdr (should-error
                                 (netopt-make-network-process
                                  :name "s" :server t :family 'local
                                  :service file)
                                 :type 'file-error))
                           '("make server process failed"
                             "Too many open files"))))
          (should-not (file-exists-p file))
          (should (equal (with-temp-buffer (insert-file-contents user)
                                           (buffer-string))
                         "kept\n")))
      (ignore-errors (delete-file file))
      (delete-directory top t))))

;;;; 2. A killed Emacs leaves no placeholder file

(defun netopt-safety-test--killed (client)
  "Kill a child Emacs with SIGKILL while a placeholder exists.
The child's `netopt--adopt' is stopped (the placeholder process has
been made, its socket not yet replaced): it writes a mark, then the
child kills itself.  CLIENT non-nil makes a local client (whose
placeholder connects to a netopt listener) of a server the child
makes first, nil a local server.  Return (MARKED . FILES): whether
the child was stopped there, and every file left in its temporary
directory, its runtime directory and the directory of the user's
socket, relative to their top."
  (pcase-let* ((`(,top ,tmp ,run ,user)
                (netopt-safety-test--dirs "tmp" "run" "user"))
               (mark (expand-file-name "mark" top))
               (socket (expand-file-name "srv.sock" user)))
    (unwind-protect
        (progn
          ;; Killed, the child has no value, only its mark.
          (ignore-errors
           (netopt-test-child
           `(progn
              (require 'netopt-adopt)
              (setq temporary-file-directory ,tmp)
              (setenv "XDG_RUNTIME_DIR" ,run)
              ,(when client
                 `(netopt-make-socket :family 'local :server t
                                      :service ,socket))
              (advice-add 'netopt--adopt :before
                          (lambda (&rest _)
                            (write-region "" nil ,mark)
                            (signal-process (emacs-pid) 'SIGKILL)
                            (sleep-for 10)))
              ,(if client
                   `(netopt-make-network-process :name "c" :family 'local
                                                 :remote ,socket)
                 `(netopt-make-network-process :name "s" :server t
                                               :family 'local
                                               :service ,socket)))
           :seconds 20))
          (cons (file-exists-p mark)
                (mapcar (lambda (file) (file-relative-name file top))
                        (append (netopt-safety-test--files tmp)
                                (netopt-safety-test--files run)
                                (netopt-safety-test--files user)))))
      (delete-directory top t))))

(ert-deftest netopt-safety-killed-during-server-adoption ()
  "SIGKILL while a local server's placeholder exists leaves only its file.
Before: the placeholder's socket file stayed in the temporary
directory.  Now only the user's socket file, as Emacs leaves it."
  (should (equal (netopt-safety-test--killed nil)
                 '(t "user/srv.sock"))))

(ert-deftest netopt-safety-killed-during-client-adoption ()
  "SIGKILL while a local client's placeholder exists leaves no file.
Before: the file of the netopt listener the placeholder connects to
stayed in the temporary directory."
  (should (equal (netopt-safety-test--killed t)
                 '(t "user/srv.sock"))))

;;;; 3. No temporary directory is needed; no error names a placeholder

(netopt-deftest netopt-safety-no-temporary-directory ()
  "Local servers and clients of every type are made with no temporary directory.
Before: \"make server process failed\", naming
/nonexistent-dir/netopt-placeholder-..., a file nobody asked for."
  (require 'netopt-adopt)
  (let ((temporary-file-directory "/nonexistent-dir/")
        (process-environment (cons "XDG_RUNTIME_DIR" process-environment))
        (files nil))
    (unwind-protect
        (dolist (type '(nil datagram seqpacket))
          (let* ((file (make-temp-name "/tmp/netopt-safety-"))
                 (got "")
                 (server (progn
                           (push file files)
                           (netopt-test-delete-later
                            (netopt-make-network-process
                             :name "s" :server t :family 'local :type type
                             :service file :keepalive t
                             :filter (lambda (_p s)
                                       (setq got (concat got s)))))))
                 (client (netopt-test-delete-later
                          (netopt-make-network-process
                           :name "c" :family 'local :type type
                           :remote file :keepalive t))))
            (should (eq (process-status server)
                        (if (eq type 'datagram) 'open 'listen)))
            (should (eq (process-status client) 'open))
            ;; Server and client, each with its option in the kernel
            ;; (a datagram client is unconnected, as Emacs leaves it:
            ;; it has no peer to be found by).
            (should (equal (mapcar (lambda (entry)
                                     (cdr (assoc "keepalive" (cdr entry))))
                                   (append
                                    (netopt-test-sockets-with
                                     "local" file "acceptconn"
                                     (if (eq type 'datagram) "0" "1"))
                                    (netopt-test-sockets-with "peer" file)))
                           (if (eq type 'datagram) '("1") '("1" "1"))))
            (process-send-string client "hi")
            (should (netopt-test-wait-for (lambda () (equal got "hi")) 5))))
      (mapc (lambda (file) (ignore-errors (delete-file file))) files))))

(netopt-deftest netopt-safety-no-temporary-directory-under-mode ()
  "Under the mode, a local client with no temporary directory gets its options.
Before: the connection was made without them, and a warning named the
placeholder's file."
  (require 'netopt-mode)
  (let* ((file (netopt-test-temp-socket-name))
         (server (netopt-test-socket :family 'local :server t :service file))
         (result
          (let ((netopt-connection-options '((t :keepalive t)))
                (warnings nil))
            (cl-letf (((symbol-function 'display-warning)
                       (lambda (_type message &rest _)
                         (push message warnings))))
              (unwind-protect
                  (progn
                    ;; Before the temporary directory goes: advising
                    ;; a primitive compiles a trampoline there.
                    (netopt-mode 1)
                    (let ((temporary-file-directory "/nonexistent-dir/"))
                      (cons (netopt-test-make-process :name "c"
                                                      :family 'local
                                                      :remote file)
                            warnings)))
                (netopt-mode -1))))))
    (unwind-protect
        (let ((conn (netopt-accept server 5)))
          (netopt-test-close-later conn)
          (should (eq (process-status (car result)) 'open))
          (should-not (cdr result))
          ;; The client's socket: the one whose peer is the server's file.
          (should (equal (mapcar (lambda (entry)
                                   (cdr (assoc "keepalive" (cdr entry))))
                                 (netopt-test-sockets-with "peer" file))
                         '("1"))))
      (ignore-errors (delete-file file)))))

(ert-deftest netopt-safety-errors-name-no-placeholder ()
  "A placeholder that cannot be made gets an error naming no placeholder.
One descriptor is left under the limit: netopt's socket is made, its
placeholder cannot be.  Before: Emacs's error for the placeholder's
call, its contact in the data (the placeholder's file or loopback
address).  Now its message and reason only; under the mode no
warning names one, and the connection is made."
  (let ((result
         (netopt-test-child
          '(let* ((file (make-temp-name "/tmp/netopt-safety-"))
                  (open (mapcar #'string-to-number
                                (directory-files "/proc/self/fd" nil
                                                 "\\`[0-9]+\\'")))
                  (free (let ((i 0))
                          (while (memq i open) (setq i (1+ i)))
                          i))
                  (warnings nil))
             (require 'netopt-mode)
             ;; The mode on first: advising a primitive (native Emacs)
             ;; loads the compiler, which needs descriptors.
             (setq netopt-connection-options '((t :keepalive t)))
             (netopt-mode 1)
             (call-process "prlimit" nil nil nil
                           (format "--pid=%d" (emacs-pid))
                           (format "--nofile=%d:%d" free 4096))
             (let ((err (condition-case err
                            (netopt-make-network-process
                             :name "l" :server t :family 'local
                             :service file)
                          (error err)))
                   (p (progn
                        (cl-letf (((symbol-function 'display-warning)
                                   (lambda (_type message &rest _)
                                     (push message warnings))))
                          (make-network-process :name "l" :server t
                                                :family 'local
                                                :service file)))))
               (prog1 (list err
                            (process-status p)
                            (not (seq-some
                                  (lambda (w)
                                    (or (string-match-p "placeholder" w)
                                        (seq-position w 0)))
                                  warnings)))
                 (delete-process p)
                 (delete-file file))))
          :seconds 40 :strict t)))
    (should (equal result
                   (list (cons 'file-error '("make server process failed"
                                             "Too many open files"))
                         'listen t)))))

;;;; 2b. When the abstract address is taken

(ert-deftest netopt-safety-abstract-address-taken ()
  "With the abstract address held by another socket, placeholders take files.
In a network namespace of its own (abstract addresses are per
namespace), a child holds Emacs's abstract address for every type,
then makes local servers and clients: each is made, with its option,
and the private directory is left mode 700 and empty (each file
removed after its hand-over), the temporary directory untouched."
  (pcase-let ((`(,top ,tmp ,run) (netopt-safety-test--dirs "tmp" "run")))
    (unwind-protect
        (should
         (equal
          (netopt-test-child
           `(progn
              (require 'netopt-adopt)
              (setq temporary-file-directory ,tmp)
              (setenv "XDG_RUNTIME_DIR" ,run)
              (let ((holders (mapcar (lambda (type)
                                       (netopt-make-socket
                                        :type type :server t
                                        :local netopt--abstract-address))
                                     '(stream datagram seqpacket)))
                    (made nil))
                (dolist (type '(nil datagram seqpacket))
                  (let* ((file (make-temp-name "/tmp/netopt-safety-"))
                         (server (netopt-make-network-process
                                  :name "s" :server t :family 'local
                                  :type type :service file :keepalive t))
                         (client (netopt-make-network-process
                                  :name "c" :family 'local :type type
                                  :remote file :keepalive t)))
                    (push (list (process-status server)
                                (process-status client)
                                (cdr (assoc "keepalive"
                                            (cdar (netopt-test-sockets-with
                                                   "local" file)))))
                          made)
                    (delete-process client)
                    (delete-process server)
                    (delete-file file)))
                (mapc #'netopt-close holders)
                (list (nreverse made)
                      (directory-files ,run nil "\\`[^.]")
                      (file-modes ,(expand-file-name
                                    (format "netopt-%d" (user-uid)) run))
                      (directory-files ,(expand-file-name
                                         (format "netopt-%d" (user-uid)) run)
                                       nil "\\`[^.]")
                      (directory-files ,tmp nil "\\`[^.]"))))
           :unshare '("-n") :strict t)
          (list '((listen open "1") (open open "1") (listen open "1"))
                (list (format "netopt-%d" (user-uid)))
                #o700 nil nil)))
      (delete-directory top t))))

;;;; 4. The module comes from the package only

(defun netopt-safety-test--plant (dir)
  "Plant in DIR a Makefile and a module that leave a mark when used.
DIR gets module/ with netopt-core.so, a module whose initialization
writes DIR/LOADED, and a Makefile whose build writes DIR/BUILT; DIR/lisp
is where the text is evaluated.  Return nil when no C compiler."
  (let ((so (expand-file-name "module/netopt-core.so" dir))
        (src (expand-file-name "planted.c" dir)))
    (make-directory (expand-file-name "module" dir))
    (make-directory (expand-file-name "lisp" dir))
    (with-temp-file (expand-file-name "Makefile" dir)
      (insert "all:\n\ttouch " (expand-file-name "BUILT" dir) "\n"))
    (with-temp-file src
      (insert "#include <emacs-module.h>
#include <stdio.h>
int plugin_is_GPL_compatible;
int emacs_module_init (struct emacs_runtime *rt)
{ (void) rt; FILE *f = fopen (\"" (expand-file-name "LOADED" dir) "\", \"w\");
  if (f) fclose (f); return 0; }\n"))
    (and (executable-find "cc")
         (eq 0 (netopt-test-call-process
                "cc" nil nil nil "-shared" "-fPIC" "-o" so src)))))

(defun netopt-safety-test--evaluate-text (dir load-path-p)
  "Evaluate netopt-base.el's text in a buffer of DIR/lisp, in a fresh Emacs.
With LOAD-PATH-P, the package's lisp/ is on `load-path'.  Without it
the file's location cannot be known.  Return (LOADED BUILT OUTPUT):
whether the planted module was loaded, the planted Makefile run, and
the child's output."
  (let* ((text (expand-file-name "netopt-base.el"
                                 netopt-test-lisp-directory))
         (result
          (netopt-test-command
           (expand-file-name invocation-name invocation-directory)
           "-Q" "--batch"
           "--eval" (if load-path-p
                        (format "(push %S load-path)"
                                (directory-file-name
                                 netopt-test-lisp-directory))
                      "nil")
           "--eval"
           (format "%S"
                   `(with-temp-buffer
                      (setq default-directory ,(expand-file-name "lisp/" dir))
                      (insert-file-contents ,text)
                      (condition-case err
                          (progn (eval-buffer)
                                 (princ (format "WORKS %S\n"
                                                (netopt-option
                                                 (netopt-make-socket
                                                  :keepalive t)
                                                 :keepalive))))
                        (error (princ (format "ERROR %s\n"
                                              (error-message-string
                                               err))))))))))
    (list (file-exists-p (expand-file-name "LOADED" dir))
          (file-exists-p (expand-file-name "BUILT" dir))
          (cdr result))))

(ert-deftest netopt-safety-module-never-from-default-directory ()
  "Text evaluated in a buffer loads and builds nothing from its directory.
The buffer's `default-directory' holds a planted Makefile and module.
Before: the planted module was loaded from ../module/.  Now, without
netopt-base.el's location, a clear error; with the package on
`load-path', the package's own module, and netopt works."
  (let ((dir (make-temp-file "netopt-planted" t)))
    (unwind-protect
        (progn
          (skip-unless (netopt-safety-test--plant dir))
          (let ((unknown (netopt-safety-test--evaluate-text dir nil)))
            (should (equal (butlast unknown) '(nil nil)))
            (should (string-match-p "ERROR Cannot load netopt: the location \
of netopt-base.el is unknown" (nth 2 unknown))))
          (let ((found (netopt-safety-test--evaluate-text dir t)))
            (should (equal (butlast found) '(nil nil)))
            (should (string-match-p "WORKS t" (nth 2 found)))))
      (delete-directory dir t))))

(ert-deftest netopt-safety-makefile-never-from-default-directory ()
  "Without a module, text evaluated in a buffer runs no planted Makefile.
Before: in batch, make ran the Makefile of `default-directory''s
parent.  Now the error says the file's location is unknown, and
nothing is built."
  (let ((dir (make-temp-file "netopt-planted" t)))
    (unwind-protect
        (progn
          (skip-unless (netopt-safety-test--plant dir))
          (delete-file (expand-file-name "module/netopt-core.so" dir))
          (let ((result (netopt-safety-test--evaluate-text dir nil)))
            (should (equal (butlast result) '(nil nil)))
            (should (string-match-p "ERROR Cannot load netopt: the location \
of netopt-base.el is unknown" (nth 2 result)))
            (should-not (string-match-p "building the module"
                                        (nth 2 result)))))
      (delete-directory dir t))))

(ert-deftest netopt-safety-module-file-variable-checked ()
  "NETOPT_MODULE_FILE is refused when others could have written the file.
A copy of the module, writable by others: loading signals an error
that names the variable, and the module is not loaded.  Mode 644 and
owned by this user: it is loaded."
  (let* ((dir (make-temp-file "netopt-modfile" t))
         (copy (expand-file-name "netopt-core.so" dir))
         (run (lambda ()
                (let ((process-environment
                       (cons (concat "NETOPT_MODULE_FILE=" copy)
                             (netopt-test-environment)))
                      (netopt-test-keep-module-file t))
                  (cdr (netopt-test-command
                        (expand-file-name invocation-name invocation-directory)
                        "-Q" "--batch" "-L"
                        (directory-file-name netopt-test-lisp-directory)
                        "--eval"
                        "(condition-case err (progn (require 'netopt-module) (princ (format \"LOADED %s\" (featurep 'netopt-core)))) (error (princ (format \"ERROR %s\" (error-message-string err)))))"))))))
    (unwind-protect
        (progn
          (copy-file (expand-file-name "../module/netopt-core.so"
                                       netopt-test-lisp-directory)
                     copy)
          (set-file-modes copy #o666)
          (let ((out (funcall run)))
            (should (string-match-p "ERROR Cannot load netopt: \
NETOPT_MODULE_FILE .* is refused" out))
            (should-not (string-match-p "LOADED" out)))
          (set-file-modes copy #o644)
          (should (string-match-p "LOADED t" (funcall run))))
      (delete-directory dir t))))

(provide 'safety-test)
;;; safety-test.el ends here
