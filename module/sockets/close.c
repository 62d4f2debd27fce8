/* close.c --- netopt-close: the end of a SOCKET the module made.  A
   lingering close is waited for here, Emacs running, rather than in
   close(2), which would stop Emacs for the linger's seconds.  */

#include "sockets.h"
#include "wait.h"

#include <sys/ioctl.h>

/* Linux's SIOCOUTQ (bytes not yet acknowledged) is TIOCOUTQ, which
   <sys/ioctl.h> has with every C library.  */
#if !defined SIOCOUTQ && defined __linux__ && defined TIOCOUTQ
#define SIOCOUTQ TIOCOUTQ
#endif

/* Before S is closed: when it lingers (SO_LINGER on, N > 0 seconds),
   send a FIN after the queued data and wait, Emacs running, until the
   peer has acknowledged all of it or N seconds pass; then turn the
   linger off so that close(2) returns at once (what is left finishes
   in the background, as after a linger timeout).  Returns false with
   a quit or a throw pending.  */
static bool
linger_wait (emacs_env *env, struct sock_handle *s)
{
  int fd = s->sock.fd;
  int linger = s->sock.type == SOCK_STREAM ? sock_linger_seconds (fd) : 0;
  if (linger <= 0)
    return true;
  bool ok = true;
#ifdef SIOCOUTQ
  if (shutdown (fd, SHUT_WR) == 0)
    {
      struct sock_deadline d = sock_deadline_in (linger);
      double slice = 0;
      for (;;)
        {
          int queued = 0;
          if (ioctl (fd, SIOCOUTQ, &queued) != 0 || queued <= 0)
            break;
          enum sock_wait_result w = sock_wait_slice (env, &d, &slice);
          if (s->sock.fd != fd)
            return w != SOCK_WAIT_EXIT;
          if (w == SOCK_WAIT_EXIT)
            {
              ok = false;
              break;
            }
          if (w == SOCK_WAIT_TIMEOUT)
            break;
        }
    }
#endif
  sock_linger_off (fd);
  return ok;
}

/* (netopt-close SOCKET) */
emacs_value
Fnetopt_close (emacs_env *env, ptrdiff_t nargs, emacs_value *args, void *data)
{
  (void)data;
  (void)nargs;
  struct sock_handle *s = sock_from_lisp (env, args[0], true);
  if (!s)
    return NULL;
  if (!s->owned)
    {
      lisp_wrong_type (env, Q.socketp, args[0]);
      return NULL;
    }
  if (s->sock.fd < 0)
    return Q.nil; /* closing twice is harmless */
  /* With :linger N, close(2) would block Emacs for up to N seconds:
     the waiting is done here instead, Emacs running meanwhile.  */
  bool pending = !linger_wait (env, s);
  if (s->sock.fd < 0)
    return pending ? NULL : Q.nil; /* closed by a timer meanwhile */
  int err = sock_close (s);
  if (pending)
    return NULL; /* C-g: closed at once, the quit goes on */
  if (err != 0)
    {
      sock_system_error (env, "Cannot close", err, s);
      return NULL;
    }
  return Q.nil;
}
