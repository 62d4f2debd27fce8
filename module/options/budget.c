/* budget.c --- :dead-after: five kernel options from one budget.

   How Linux (net/ipv4/tcp_timer.c) finds a dead connection, the rules
   the derivation rests on:

   1. The keep-alive timer counts from the last data (or ACK) received,
      and sends no probe while sent data is unacknowledged: a program
      that sends is never idle to it.
   2. Once a probe is out, TCP_USER_TIMEOUT, when set, replaces the
      probe count: the timer drops the connection at its first firing
      (TCP_KEEPIDLE, then every TCP_KEEPINTVL) at which the time since
      data was last received has reached the user timeout.
   3. TCP_USER_TIMEOUT counts from the first unacknowledged segment: the
      retransmission timer drops the connection that long after the
      oldest data still unanswered was sent.
   4. A timer fires at its time or later, never earlier; the timer
      wheel rounds a long timer up by at most an eighth of its length.

   So with keep-alive on, a user timeout of U ms, and I the first
   firing (TCP_KEEPIDLE + k * TCP_KEEPINTVL, k >= 1) at or after U:

     - a program that stays idle is dropped at I (rules 1, 2);
     - one that sends at time s is dropped at s + U (rule 3), and the
       latest s it can send at is just before I: I + U is the worst
       case, whatever the period (an IRC client's PING every 30 s is
       sent at some s < I, or the connection is idle until I);
     - timer rounding (rule 4) adds at most (I + U) / 8.

   The bound is therefore ceil ((I + U) * 9 / 8) seconds.  Without
   keep-alive an idle connection is never dropped, and without a user
   timeout one that sends waits for tcp_retries2 (about 15 minutes):
   no bound (0, read as nil).

   Deriving, for a budget of B seconds: M = floor (B * 8000 / 9) ms is
   what I + U may take; I is T = ceil (M / 2000) seconds, U the rest,
   M - 1000 T (so U <= I); the probes are TCP_KEEPINTVL apart, far
   enough apart that no firing before T reaches U, and at most three
   of them.  Then I + U = M and the bound is exactly B.  For B = 60:
   M = 53333, T = 27, U = 26333 ms, TCP_KEEPINTVL 3, TCP_KEEPCNT 3,
   TCP_KEEPIDLE 18: an idle connection goes at 27 s, one that sent
   just before that at 27 + 26.3 = 53.3 s, 60 s with the rounding.  */

#include "budget.h"
#include "table.h"

#include <errno.h>
#include <sys/socket.h>

struct opt_budget
opt_budget_derive (int seconds)
{
  long long m = (long long)seconds * 8000 / 9;
  int t = (int)((m + 1999) / 2000);
  struct opt_budget b = { .keepalive = 1 };
  b.user_timeout = (int)(m - (long long)t * 1000);
  /* No firing T - TCP_KEEPINTVL may reach the user timeout.  */
  int intvl = (t * 1000 - b.user_timeout) / 1000 + 1;
  if (intvl < t / 9)
    intvl = t / 9;
  int cnt = (t - 1) / intvl;
  b.cnt = cnt < 3 ? cnt : 3;
  b.intvl = intvl;
  b.idle = t - b.cnt * intvl;
  return b;
}

int
opt_budget_bound (const struct opt_budget *b)
{
  if (!b->keepalive || b->user_timeout <= 0 || b->intvl <= 0)
    return 0;
  long long idle = (long long)b->idle * 1000;
  long long intvl = (long long)b->intvl * 1000;
  long long u = b->user_timeout;
  long long k = u > idle ? (u - idle + intvl - 1) / intvl : 1;
  if (k < 1)
    k = 1;
  long long nominal = idle + k * intvl + u;
  long long bound = (nominal * 9 + 7999) / 8000;
  return bound > 0x7fffffff ? 0x7fffffff : (int)bound;
}

/* The rows of the five options, in the order they are set: keep-alive
   last, once its timing is in place.  */
static const char *const parts[]
    = { ":user-timeout", ":keepintvl", ":keepcnt", ":keepidle", ":keepalive" };
#define NPARTS (sizeof parts / sizeof parts[0])

static int *
part_of (struct opt_budget *b, size_t i)
{
  int *fields[NPARTS]
      = { &b->user_timeout, &b->intvl, &b->cnt, &b->idle, &b->keepalive };
  return fields[i];
}

/* The five parts are plain integers (keep-alive a boolean, read as 0
   or 1): set and read here with the kernel's own calls, so that
   value.c, which hands OPT_BUDGET over to this file, is not called
   back.  Return 0 or an errno value.  */
static int
part_set (int fd, int family, const struct opt_row *row, int v)
{
  int level, name;
  opt_resolve (row, family, &level, &name);
  return setsockopt (fd, level, name, &v, sizeof v) == 0 ? 0 : errno;
}

static int
part_get (int fd, int family, const struct opt_row *row, int *v)
{
  int level, name;
  opt_resolve (row, family, &level, &name);
  socklen_t len = sizeof *v;
  *v = 0;
  if (getsockopt (fd, level, name, v, &len) != 0)
    return errno;
  if (row->type == OPT_BOOL)
    *v = *v != 0;
  return 0;
}

int
opt_budget_set (int fd, int family, int seconds)
{
  struct opt_budget b = opt_budget_derive (seconds);
  for (size_t i = 0; i < NPARTS; i++)
    {
      const struct opt_row *row = opt_row_named (parts[i]);
      if (!row)
        return ENOPROTOOPT;
      int err = part_set (fd, family, row, *part_of (&b, i));
      if (err != 0)
        return err;
    }
  return 0;
}

int
opt_budget_get (int fd, int family, int *seconds)
{
  struct opt_budget b;
  for (size_t i = 0; i < NPARTS; i++)
    {
      const struct opt_row *row = opt_row_named (parts[i]);
      if (!row)
        return ENOPROTOOPT;
      int err = part_get (fd, family, row, part_of (&b, i));
      if (err != 0)
        return err;
    }
  *seconds = opt_budget_bound (&b);
  return 0;
}
