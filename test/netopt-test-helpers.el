;;; netopt-test-helpers.el --- every helper of netopt's tests  -*- lexical-binding: t; -*-

;;; Commentary:

;; The helpers, split by concern:
;;
;;   netopt-test-fixtures.el      sockets, pairs, processes, kernel
;;                                readers (sockpeek), external commands,
;;                                clean-up and `netopt-deftest'
;;   netopt-test-child.el         `netopt-test-child', the child Emacs
;;                                runner (namespaces, mounts, as nobody)
;;   netopt-test-terminal.el      `emacs -nw' in tmux
;;   netopt-test-servers.el       ngircd, openssl s_server, backlog
;;                                fillers
;;   netopt-test-option-cases.el  `netopt-test-option-cases', the one
;;                                table of option cases
;;
;; A suite requires this file and has them all.

;;; Code:

(require 'netopt-test-fixtures)
(require 'netopt-test-child)
(require 'netopt-test-terminal)
(require 'netopt-test-servers)
(require 'netopt-test-option-cases)

(provide 'netopt-test-helpers)
;;; netopt-test-helpers.el ends here
