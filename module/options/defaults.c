/* defaults.c --- the kernel's default options, and the one
   configuration of accepted children.

   accept(2) copies several options from the listener to the new
   socket; the manual promises that a server's options are not
   inherited.  The defaults are read once, at load time, from fresh
   sockets of each kind, so that resetting a child needs no descriptor
   of its own (near the descriptor limit a throwaway socket would fail
   after the connection was already taken off the queue).  */

#include "defaults.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

/* The kinds of socket accept(2) makes.  */
static const int kind_family[] = { AF_INET, AF_INET6, AF_UNIX };
static const int kind_type[] = { SOCK_STREAM, SOCK_SEQPACKET };
#define NFAMILIES (sizeof kind_family / sizeof kind_family[0])
#define NTYPES (sizeof kind_type / sizeof kind_type[0])

/* One kind's defaults: a value per row that is reset on accept and
   was readable on a fresh socket.  */
struct kind_defaults
{
  bool known;               /* the kind exists on this system */
  struct opt_value *values; /* indexed like opt_rows */
  bool *readable;
};

static struct kind_defaults defaults[NFAMILIES][NTYPES];

static bool
resettable (const struct opt_row *opt, int family, int type)
{
  return opt->reset_on_accept && opt->when == OPT_ALWAYS
         && opt_applies (opt, family, type);
}

void
opt_defaults_init (void)
{
  for (size_t f = 0; f < NFAMILIES; f++)
    for (size_t t = 0; t < NTYPES; t++)
      {
        struct kind_defaults *k = &defaults[f][t];
        if (k->known)
          continue;
        int fd = compat_socket_blocking (kind_family[f], kind_type[t]);
        if (fd < 0)
          continue; /* no such kind here */
        k->values = calloc (opt_row_count, sizeof *k->values);
        k->readable = calloc (opt_row_count, sizeof *k->readable);
        if (k->values && k->readable)
          {
            for (size_t i = 0; i < opt_row_count; i++)
              {
                struct opt_reading r;
                if (resettable (&opt_rows[i], kind_family[f], kind_type[t])
                    && opt_kernel_get (fd, kind_family[f], &opt_rows[i], &r)
                           == 0)
                  {
                    k->values[i] = r.u.value;
                    k->readable[i] = true;
                  }
              }
            k->known = true;
          }
        else
          {
            free (k->values);
            free (k->readable);
            k->values = NULL;
            k->readable = NULL;
          }
        close (fd); /* a fresh socket: nothing can be lost */
      }
}

static const struct kind_defaults *
defaults_of (int family, int type)
{
  for (size_t f = 0; f < NFAMILIES; f++)
    for (size_t t = 0; t < NTYPES; t++)
      if (kind_family[f] == family && kind_type[t] == type)
        return defaults[f][t].known ? &defaults[f][t] : NULL;
  return NULL;
}

/* Bring FD, accepted on a FAMILY/TYPE listener, back to the kernel's
   defaults for every option accept(2) copies (except :reuseaddr).
   Returns 0 or an errno value; *FAILED names the option that failed.  */
static int
reset_child (int fd, int family, int type, const struct opt_row **failed)
{
  const struct kind_defaults *k = defaults_of (family, type);
  if (!k)
    return 0; /* accept(2) made a kind that could not be created */
  for (size_t i = 0; i < opt_row_count; i++)
    {
      const struct opt_row *opt = &opt_rows[i];
      if (!k->readable[i] || !resettable (opt, family, type))
        continue;
      struct opt_reading now;
      if (opt_kernel_get (fd, family, opt, &now) != 0)
        continue; /* not readable here: nothing to undo */
      if (opt_value_equal (opt, &k->values[i], &now))
        continue;
      int err = opt_kernel_set (fd, family, opt, &k->values[i]);
      /* Unbinding a device needs CAP_NET_RAW; without it the child
         stays on the listener's device, the one its packets came
         through.  */
      if (err == EPERM && opt->type == OPT_DEVICE)
        continue;
      if (err != 0)
        {
          *failed = opt;
          return err;
        }
    }
  return 0;
}

/* The one place that configures a child: the kernel's defaults for
   every option accept(2) copied from the listener, then the server's
   :child-options, whether netopt-accept took it or Emacs accepted it
   for a server that netopt-make-network-process made.  */
bool
opt_configure_child (emacs_env *env, const struct opt_socket *s,
                     const struct opt_setting *child, size_t count)
{
  const struct opt_row *failed = NULL;
  int err = reset_child (s->fd, s->family, s->type, &failed);
  if (err != 0)
    {
      emacs_value kw = failed ? opt_keyword (failed) : Q.nil;
      return lisp_system_error (
          env, "Cannot reset option of accepted connection", err, 1, &kw);
    }
  for (size_t i = 0; i < count; i++)
    if (OPT_OK != opt_apply (env, s, &child[i], NULL))
      return false;
  return true;
}
