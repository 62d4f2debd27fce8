;;; export-manual.el --- doc/netopt.org to Texinfo  -*- lexical-binding: t; -*-

;;; Commentary:

;; emacs -Q --batch -l test/tools/export-manual.el doc/netopt.org
;; writes doc/netopt.texi with Org's own Texinfo exporter (ox-texinfo,
;; part of Emacs); makeinfo then makes doc/netopt.info (make info).
;; =verbatim= becomes @code, as ~code~ does: in Info both read as
;; `this', which is how Emacs's manuals show Lisp and keys.

;;; Code:

(require 'ox-texinfo)

(defvar org-texinfo-text-markup-alist)

(let ((org-texinfo-text-markup-alist '((bold . "@strong{%s}")
                                       (code . code)
                                       (italic . "@emph{%s}")
                                       (verbatim . code)))
      (org-export-with-broken-links nil)
      (make-backup-files nil))
  (dolist (file command-line-args-left)
    (with-current-buffer (find-file-noselect file)
      (let ((texi (org-texinfo-export-to-texinfo)))
        (message "export-manual: %s" (expand-file-name texi))))))
(setq command-line-args-left nil)

;;; export-manual.el ends here
