/* pristine --- run a command with default signal handling.

   Usage: pristine COMMAND [ARG...]

   Every signal's disposition is reset to SIG_DFL and the signal mask is
   emptied, then COMMAND is executed (searched in PATH).  A test runs
   its external commands through this, so that they never depend on the
   signal state of whatever started the test Emacs: a SIGCHLD that is
   ignored makes children vanish unwaited (make: "wait: No child
   processes"), a blocked signal is never delivered.  The environment is
   passed on as it is; the Lisp helper removes the sanitizer's
   variables.  */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  if (argc < 2)
    {
      fprintf (stderr, "usage: pristine COMMAND [ARG...]\n");
      return 2;
    }
  struct sigaction dfl;
  memset (&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset (&dfl.sa_mask);
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      /* EINVAL for the C library's own (32 and 33 with glibc): they
         stay as they are.  */
      sigaction (sig, &dfl, NULL);
  sigset_t none;
  sigemptyset (&none);
  if (sigprocmask (SIG_SETMASK, &none, NULL) != 0)
    {
      perror ("pristine: sigprocmask");
      return 126;
    }
  execvp (argv[1], argv + 1);
  fprintf (stderr, "pristine: %s: %s\n", argv[1], strerror (errno));
  return errno == ENOENT ? 127 : 126;
}
