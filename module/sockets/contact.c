/* contact.c --- what a SOCKET is: netopt-socket-p, netopt-live-p,
   netopt--socket-fd and netopt--socket-contact (its plist as
   process-contact gives one, without options).  */

#include "address.h"
#include "sockets.h"

#include <errno.h>
#include <string.h>

/* (netopt-socket-p OBJECT) */
emacs_value
Fnetopt_socket_p (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                  void *data)
{
  (void)data;
  (void)nargs;
  struct sock_handle *s = sock_handle_of (env, args[0]);
  LISP_CHECK (env);
  return s && s->owned ? Q.t : Q.nil;
}

/* (netopt-live-p SOCKET) */
emacs_value
Fnetopt_live_p (emacs_env *env, ptrdiff_t nargs, emacs_value *args, void *data)
{
  (void)data;
  (void)nargs;
  struct sock_handle *s = sock_from_lisp (env, args[0], true);
  if (!s)
    return NULL;
  return s->sock.fd >= 0 ? Q.t : Q.nil;
}

/* (netopt--socket-fd SOCKET): the descriptor number, for tests and the
   process layer.  */
emacs_value
Fnetopt_socket_fd (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                   void *data)
{
  (void)data;
  (void)nargs;
  struct sock_handle *s = sock_from_lisp (env, args[0], false);
  if (!s)
    return NULL;
  emacs_value v = env->make_integer (env, s->sock.fd);
  LISP_CHECK (env);
  return v;
}

/* The addresses of a socket: its local one, and its remote one when it
   has one (CONNECTED).  */
struct contact_addresses
{
  struct sockaddr_storage local, remote;
  socklen_t llen, rlen;
  bool connected;
};

/* S's addresses into A; an unconnected datagram client's remote is its
   target.  False with an error pending.  */
static bool
contact_addresses (emacs_env *env, const struct sock_handle *s,
                   struct contact_addresses *a)
{
  memset (a, 0, sizeof *a);
  a->llen = sizeof a->local;
  a->rlen = sizeof a->remote;
  if (getsockname (s->sock.fd, (struct sockaddr *)&a->local, &a->llen) != 0)
    return sock_system_error (env, "Cannot get local address", errno, s);
  a->connected
      = getpeername (s->sock.fd, (struct sockaddr *)&a->remote, &a->rlen) == 0;
  if (!a->connected && errno != ENOTCONN)
    return sock_system_error (env, "Cannot get remote address", errno, s);
  if (!a->connected && s->origin.target_len > 0)
    {
      a->remote = s->origin.target;
      a->rlen = s->origin.target_len;
      a->connected = true;
    }
  return true;
}

/* S's :service: its name, the port the kernel chose (for :service t or
   a server's 0), its port, or nil.  NULL with an exit pending.  */
static emacs_value
contact_service (emacs_env *env, const struct sock_handle *s,
                 const struct contact_addresses *a)
{
  const struct sock_origin *o = &s->origin;
  emacs_value service = Q.nil;
  if (o->service == SOCK_SERVICE_NAME)
    service = lisp_string (env, o->service_name);
  else if (o->service == SOCK_SERVICE_ANY
           || (o->server && o->service == SOCK_SERVICE_PORT && o->port == 0))
    service = env->make_integer (
        env, sock_addr_port ((const struct sockaddr *)&a->local));
  else if (o->service == SOCK_SERVICE_PORT)
    service = env->make_integer (env, o->port);
  LISP_CHECK (env);
  return service;
}

/* (netopt--socket-contact SOCKET): the plist of netopt-contact without
   options: :name :type :family :host :service :server :local :remote.  */
emacs_value
Fnetopt_socket_contact (emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                        void *data)
{
  (void)data;
  (void)nargs;
  struct sock_handle *s = sock_from_lisp (env, args[0], false);
  struct contact_addresses a;
  if (!s || !contact_addresses (env, s, &a))
    return NULL;
  emacs_value service = contact_service (env, s, &a);
  if (!service)
    return NULL;
  emacs_value server = Q.nil;
  if (s->origin.server)
    server = s->origin.server_t ? Q.t
                                : env->make_integer (env, s->origin.backlog);
  LISP_CHECK (env);
  struct lisp_plist p = { .n = 0 };
  lisp_plist_add (env, &p, Q.k_name, lisp_string (env, s->name));
  lisp_plist_add (env, &p, Q.k_type,
                  sock_kind_symbol (SOCK_KIND_TYPE, s->sock.type));
  lisp_plist_add (env, &p, Q.k_family,
                  sock_kind_symbol (SOCK_KIND_FAMILY, s->sock.family));
  lisp_plist_add (env, &p, Q.k_host,
                  s->origin.host ? lisp_string (env, s->origin.host) : Q.nil);
  lisp_plist_add (env, &p, Q.k_service, service);
  lisp_plist_add (env, &p, Q.k_server, server);
  lisp_plist_add (
      env, &p, Q.k_local,
      sock_addr_to_lisp (env, (struct sockaddr *)&a.local, a.llen));
  lisp_plist_add (env, &p, Q.k_remote,
                  a.connected ? sock_addr_to_lisp (
                      env, (struct sockaddr *)&a.remote, a.rlen)
                              : Q.nil);
  return lisp_plist_make (env, &p);
}
