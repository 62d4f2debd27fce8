/* accept.c --- netopt-accept: the next connection of a listening
   SOCKET, as a SOCKET of its own named after the server and the peer,
   configured as a child (options/defaults.c).  */

#include "../options/defaults.h"
#include "address.h"
#include "sockets.h"
#include "wait.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

/* The next connection of SRV by DEADLINE, its peer in PEER (*PLEN
   bytes).  Returns the descriptor, -2 when DEADLINE passed first, or
   -1 with an exit pending.  */
static int
accept_wait (emacs_env *env, struct sock_handle *srv,
             const struct sock_deadline *deadline,
             struct sockaddr_storage *peer, socklen_t *plen)
{
  for (;;)
    {
      *plen = sizeof *peer;
      int fd = compat_accept (srv->sock.fd, (struct sockaddr *)peer, plen);
      if (fd >= 0)
        return fd;
      if (errno == EINTR || errno == ECONNABORTED)
        continue;
      /* EMFILE and the like leave the connection queued: a later
         accept still gets it.  */
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        {
          sock_system_error (env, "Cannot accept", errno, srv);
          return -1;
        }
      enum sock_wait_result w
          = sock_wait_fd (env, srv, srv->sock.fd, POLLIN, deadline);
      if (w != SOCK_WAIT_READY)
        return sock_wait_failed (env, w, "Cannot accept", srv) ? -2 : -1;
    }
}

/* A handle for FD, a connection SRV accepted from PEER, named after
   them; stored into *CHILD.  Returns its Lisp SOCKET, or NULL with an
   exit pending (FD is then closed).  */
static emacs_value
child_socket (emacs_env *env, struct sock_handle *srv, int fd,
              const struct sockaddr_storage *peer, struct sock_handle **child)
{
  char host[64] = "";
  char name[256];
  sock_addr_host_string ((const struct sockaddr *)peer, host, sizeof host);
  int port = sock_addr_port ((const struct sockaddr *)peer);
  if (port >= 0)
    snprintf (name, sizeof name, "%s <%s%s%s:%d>", srv->name,
              srv->sock.family == AF_INET6 ? "[" : "", host,
              srv->sock.family == AF_INET6 ? "]" : "", port);
  else
    snprintf (name, sizeof name, "%s <local>", srv->name);
  *child = sock_new (fd, srv->sock.family, srv->sock.type, true, name);
  if (!*child)
    {
      sock_release_fd (fd);
      lisp_out_of_memory (env);
      return NULL;
    }
  emacs_value result = sock_wrap (env, *child);
  if (result && port >= 0)
    {
      (*child)->origin.host = strdup (host);
      (*child)->origin.service = SOCK_SERVICE_PORT;
      (*child)->origin.port = port;
    }
  return result;
}

/* CHILD back to the kernel's defaults, then SRV's :child-options.
   False with an exit pending (CHILD is then closed).  */
static bool
configure_child (emacs_env *env, struct sock_handle *srv,
                 struct sock_handle *child)
{
  if (opt_configure_child (env, &child->sock, srv->child_options,
                           srv->child_count))
    return true;
  sock_close (child);
  return false;
}

/* (netopt-accept SERVER &optional TIMEOUT) */
emacs_value
Fnetopt_accept (emacs_env *env, ptrdiff_t nargs, emacs_value *args, void *data)
{
  (void)data;
  struct sock_handle *srv = sock_from_lisp (env, args[0], false);
  if (!srv)
    return NULL;
  double timeout;
  if (!lisp_seconds (env, Q.k_timeout, nargs > 1 ? args[1] : Q.nil, &timeout))
    return NULL;
  if (!srv->listening)
    {
      emacs_value items[2];
      items[0] = lisp_string (env, "Not a listening socket");
      LISP_CHECK (env);
      items[1] = args[0];
      lisp_signal (env, Q.err_error, lisp_list (env, 2, items));
      return NULL;
    }
  struct sock_deadline deadline = sock_deadline_in (timeout);
  struct sockaddr_storage peer;
  socklen_t plen;
  int fd = accept_wait (env, srv, &deadline, &peer, &plen);
  if (fd < 0)
    return fd == -2 ? Q.nil : NULL;
  struct sock_handle *child = NULL;
  emacs_value result = child_socket (env, srv, fd, &peer, &child);
  if (!result || !configure_child (env, srv, child))
    return NULL;
  return result;
}
