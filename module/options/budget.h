/* budget.h --- :dead-after, the budget of a dead connection.

   One number, SECONDS, stands for five kernel options (SO_KEEPALIVE,
   TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT, TCP_USER_TIMEOUT); budget.c
   derives them and, reading, the bound they give.  */

#ifndef NETOPT_OPTIONS_BUDGET_H
#define NETOPT_OPTIONS_BUDGET_H

#include <stdbool.h>

/* The smallest and largest budget, in seconds.  */
#define OPT_BUDGET_MIN 4
#define OPT_BUDGET_MAX 86400

/* The five options a budget stands for.  */
struct opt_budget
{
  int keepalive;    /* SO_KEEPALIVE, 0 or 1 */
  int idle;         /* TCP_KEEPIDLE, seconds */
  int intvl;        /* TCP_KEEPINTVL, seconds */
  int cnt;          /* TCP_KEEPCNT */
  int user_timeout; /* TCP_USER_TIMEOUT, milliseconds (0: none) */
};

/* The five values for a budget of SECONDS (OPT_BUDGET_MIN to
   OPT_BUDGET_MAX).  */
struct opt_budget opt_budget_derive (int seconds);

/* The bound, in whole seconds, that B gives; 0 when there is none.  */
int opt_budget_bound (const struct opt_budget *b);

/* Set the five values of a budget of SECONDS on FD, a FAMILY stream
   socket; read its bound into *SECONDS.  Return 0 or an errno.  */
int opt_budget_set (int fd, int family, int seconds);
int opt_budget_get (int fd, int family, int *seconds);

#endif
