;;; netopt-test-servers.el --- servers that tests run, and backlog fillers  -*- lexical-binding: t; -*-

;;; Commentary:

;; Servers a test starts on a free loopback port and stops afterwards
;; (ngircd, openssl s_server: `netopt-test-with-server'), and fillers
;; that fill a listener's accept queue.

;;; Code:

(require 'netopt-test-fixtures)

(defun netopt-test-require-program (program)
  "Return PROGRAM's file name, or skip the test when it is not installed."
  (or (executable-find program)
      (let ((sbin (expand-file-name program "/usr/sbin")))
        (and (file-executable-p sbin) sbin))
      (ert-skip (format "%s is not installed (.ci/run installs it)" program))))

(defun netopt-test-free-port ()
  "Return a TCP port of 127.0.0.1 that was free a moment ago."
  (let ((s (netopt-make-socket :server t :host "127.0.0.1" :service t)))
    (prog1 (let ((local (netopt-contact s :local)))
             (aref local (1- (length local))))
      (netopt-close s))))

(defun netopt-test-listening-p (port)
  "Return non-nil if a TCP socket listens on 127.0.0.1:PORT.
Read from /proc/net/tcp, without connecting to it."
  (with-temp-buffer
    (insert-file-contents "/proc/net/tcp")
    (re-search-forward (format ": 0100007F:%04X 00000000:0000 0A " port)
                       nil t)))

(defun netopt-test-start-server (name port program &rest args)
  "Start PROGRAM with ARGS, a server that is to listen on 127.0.0.1:PORT.
NAME names its process and output buffer.  Wait (10 s at most) until
the port listens; return the process.  Signal an error with its output
if it exits or does not listen in time.  Stop it with
`netopt-test-stop-server'."
  (let* ((process-environment (netopt-test-environment))
         (buffer (generate-new-buffer (format " *%s*" name)))
         (proc (make-process :name name :buffer buffer :noquery t
                             :connection-type 'pipe
                             :command (append (list netopt-test-pristine
                                                    program)
                                              args)))
         (n 0))
    (while (and (process-live-p proc) (< n 200)
                (not (netopt-test-listening-p port)))
      (accept-process-output proc 0.05)
      (setq n (1+ n)))
    (unless (and (process-live-p proc) (netopt-test-listening-p port))
      (let ((output (with-current-buffer buffer (buffer-string))))
        (netopt-test-stop-server proc)
        (error "%s did not listen on port %d: %s" name port output)))
    proc))

(defun netopt-test-stop-server (proc)
  "Kill PROC, a server from `netopt-test-start-server', and its buffer."
  (let ((buffer (process-buffer proc)))
    (delete-process proc)
    (when (buffer-live-p buffer) (kill-buffer buffer))))

(defun netopt-test-ngircd (dir port &optional tls)
  "Start ngircd on 127.0.0.1:PORT, its files in the directory DIR.
It runs in the foreground (-n) with a configuration written to DIR:
no DNS, ident or PAM look-ups.  With TLS non-nil PORT talks TLS, with
a new self-signed certificate, and a plain port is left unused.  Skip
the test without ngircd.  Return the process, for
`netopt-test-stop-server'."
  (let ((ngircd (netopt-test-require-program "ngircd"))
        (conf (expand-file-name "ngircd.conf" dir))
        (pair (and tls (netopt-test-certificate dir))))
    ;; ngircd run as root drops to nobody, who must write its pid file
    ;; and read its certificate.
    (set-file-modes dir #o777)
    (dolist (file pair) (set-file-modes file #o644))
    (with-temp-file conf
      (insert "[Global]\n"
              "Name = irc.netopt.test\n"
              ;; Announced in ISUPPORT: ERC 5.6 (Emacs 30) ends a
              ;; connection whose network it cannot name.
              "Network = NetoptTest\n"
              "Info = netopt test server\n"
              "AdminInfo1 = netopt tests\n"
              "AdminInfo2 = loopback\n"
              "AdminEMail = nobody@localhost\n"
              "Listen = 127.0.0.1\n"
              (format "Ports = %d\n" (if tls (netopt-test-free-port) port))
              (format "PidFile = %s\n" (expand-file-name "ngircd.pid" dir))
              "MotdPhrase = netopt\n"
              "[Limits]\n"
              "PingTimeout = 120\n"
              "[Options]\n"
              "DNS = no\n"
              "Ident = no\n"
              "PAM = no\n")
      (when tls
        (insert "[SSL]\n"
                (format "CertFile = %s\n" (car pair))
                (format "KeyFile = %s\n" (cadr pair))
                (format "Ports = %d\n" port))))
    (set-file-modes conf #o644)
    (netopt-test-start-server "ngircd" port ngircd "-n" "-f" conf)))

(defun netopt-test-certificate (dir)
  "Make a self-signed certificate for localhost in DIR; return (CERT KEY)."
  (let ((openssl (netopt-test-require-program "openssl"))
        (cert (expand-file-name "cert.pem" dir))
        (key (expand-file-name "key.pem" dir)))
    (let ((made (netopt-test-command
                 openssl "req" "-x509" "-newkey" "ec"
                 "-pkeyopt" "ec_paramgen_curve:prime256v1" "-nodes"
                 "-keyout" key "-out" cert "-subj" "/CN=localhost"
                 "-days" "2")))
      (unless (eq (car made) 0)
        (error "The openssl req command failed: %s" (cdr made))))
    (list cert key)))

(defun netopt-test-tls-server (dir port &optional www)
  "Start openssl s_server -rev on 127.0.0.1:PORT with a new certificate.
The self-signed certificate and its key are made in the directory DIR.
The server sends back each line it receives, reversed; with WWW
non-nil it is an HTTPS server instead (-www: a status page for any
GET).  Skip the test without openssl.  Return the process, for
`netopt-test-stop-server'."
  (let* ((openssl (netopt-test-require-program "openssl"))
         (pair (netopt-test-certificate dir)))
    (netopt-test-start-server "s_server" port openssl "s_server"
                              "-accept" (format "127.0.0.1:%d" port)
                              "-cert" (car pair) "-key" (cadr pair)
                              (if www "-www" "-rev"))))

(defmacro netopt-test-with-server (spec &rest body)
  "Run BODY with a server running, stopped afterwards.
SPEC is (PORT-VAR STARTER &rest ARGS): STARTER (`netopt-test-ngircd',
`netopt-test-tls-server') is given a new temporary directory, a free
port, which PORT-VAR is bound to, and ARGS."
  (declare (indent 1) (debug ((symbolp form &rest form) body)))
  (let ((dir (make-symbol "dir")) (server (make-symbol "server")))
    `(let* ((,dir (make-temp-file "netopt-server-" t))
            (,(car spec) (netopt-test-free-port))
            (,server nil))
       (unwind-protect
           (progn (setq ,server (funcall ,(cadr spec) ,dir ,(car spec)
                                         ,@(cddr spec)))
                  ,@body)
         (when ,server (netopt-test-stop-server ,server))
         (delete-directory ,dir t)))))

(defun netopt-test-fill-local-backlog (file)
  "Fill the accept queue of the local stream server listening on FILE.
Connect Emacs network processes (not netopt) without waiting until the
kernel refuses one; return the connected ones, whose connections are
queued and not accepted.  Signal an error if 100 fit."
  (let ((open nil) (full nil))
    (while (not full)
      (when (>= (length open) 100)
        (error "The backlog of %s never filled" file))
      (let ((p (condition-case nil
                   (make-network-process :name "netopt-fill" :family 'local
                                         :service file :nowait t
                                         :noquery t :sentinel #'ignore)
                 (file-error nil)))
            (n 0))
        (while (and p (eq (process-status p) 'connect) (< n 100))
          (accept-process-output nil 0.01)
          (setq n (1+ n)))
        (if (and p (eq (process-status p) 'open))
            (push p open)
          (when p (delete-process p))
          (setq full t))))
    open))

(defun netopt-test-fill-tcp-backlog (port)
  "Fill the accept queue of the IPv4 listener on 127.0.0.1:PORT.
Connect netopt sockets (0.3 s each at most) until one cannot: the
queue is then full and the kernel drops further SYNs, so a new client
stays in SYN-SENT.  Return the sockets that connected; signal an error
if 20 fit."
  (let ((open nil) (full nil))
    (while (not full)
      (when (>= (length open) 20)
        (error "The backlog of port %d never filled" port))
      (condition-case nil
          (push (netopt-make-socket :host "127.0.0.1" :service port
                                    :timeout 0.3)
                open)
        (netopt-error (setq full t))))
    open))

(provide 'netopt-test-servers)
;;; netopt-test-servers.el ends here
