/* defaults.c --- the kernel's default options, for accepted children.  */

#include "defaults.h"
#include "values.h"

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
  bool known;            /* the kind exists on this system */
  struct nv_value *values; /* indexed like nv_options */
  bool *readable;
};

static struct kind_defaults defaults[NFAMILIES][NTYPES];

static bool
resettable (const struct nv_option *opt, int family, int type)
{
  return opt->reset_on_accept && opt->when == NW_ALWAYS
         && nv_applies (opt, family, type);
}

void
nopt_defaults_init (void)
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
        k->values = calloc (nv_option_count, sizeof *k->values);
        k->readable = calloc (nv_option_count, sizeof *k->readable);
        if (k->values && k->readable)
          {
            for (size_t i = 0; i < nv_option_count; i++)
              if (resettable (&nv_options[i], kind_family[f], kind_type[t]))
                k->readable[i] = nv_kernel_get (fd, kind_family[f],
                                                &nv_options[i], &k->values[i])
                                 == 0;
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

int
nopt_reset_child (int fd, int family, int type,
                  const struct nv_option **failed)
{
  const struct kind_defaults *k = defaults_of (family, type);
  if (!k)
    return 0; /* accept(2) made a kind that could not be created */
  for (size_t i = 0; i < nv_option_count; i++)
    {
      const struct nv_option *opt = &nv_options[i];
      if (!k->readable[i] || !resettable (opt, family, type))
        continue;
      struct nv_value now;
      if (nv_kernel_get (fd, family, opt, &now) != 0)
        continue; /* not readable here: nothing to undo */
      if (nv_equal (opt, &k->values[i], &now))
        continue;
      int err = nv_kernel_set (fd, family, opt, &k->values[i]);
      /* Unbinding a device needs CAP_NET_RAW; without it the child
         stays on the listener's device, the one its packets came
         through.  */
      if (err == EPERM && opt->type == NV_DEVICE)
        continue;
      if (err != 0)
        {
          *failed = opt;
          return err;
        }
    }
  return 0;
}
