/* floor --- the system-call floor that make bench compares netopt with.

   Prints, in nanoseconds per operation (best of three rounds):
     setsockopt N      one setsockopt(SO_KEEPALIVE)
     getsockopt N      one getsockopt(SO_KEEPALIVE)
     setsockopt-keepidle N  one setsockopt(TCP_KEEPIDLE) on a TCP socket
     listen-cycle N    socket + setsockopt(SO_REUSEADDR) + bind + listen
                       + close on 127.0.0.1, any port  */

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double
now (void)
{
  struct timespec t;
  clock_gettime (CLOCK_MONOTONIC, &t);
  return (double) t.tv_sec * 1e9 + (double) t.tv_nsec;
}

static void
die (const char *what)
{
  perror (what);
  exit (1);
}

static double
set_round (int s, int n)
{
  int one = 1;
  double t0 = now ();
  for (int i = 0; i < n; i++)
    if (setsockopt (s, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one) != 0)
      die ("setsockopt");
  return (now () - t0) / n;
}

static double
keepidle_round (int s, int n)
{
  int idle = 60;
  double t0 = now ();
  for (int i = 0; i < n; i++)
    if (setsockopt (s, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle) != 0)
      die ("setsockopt TCP_KEEPIDLE");
  return (now () - t0) / n;
}

static double
get_round (int s, int n)
{
  int v;
  double t0 = now ();
  for (int i = 0; i < n; i++)
    {
      socklen_t len = sizeof v;
      if (getsockopt (s, SOL_SOCKET, SO_KEEPALIVE, &v, &len) != 0)
        die ("getsockopt");
    }
  return (now () - t0) / n;
}

static double
listen_round (int n)
{
  struct sockaddr_in a;
  memset (&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  int one = 1;
  double t0 = now ();
  for (int i = 0; i < n; i++)
    {
      int s = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      if (s < 0)
        die ("socket");
      if (setsockopt (s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
        die ("setsockopt");
      if (bind (s, (struct sockaddr *) &a, sizeof a) != 0)
        die ("bind");
      if (listen (s, 5) != 0)
        die ("listen");
      if (close (s) != 0)
        die ("close");
    }
  return (now () - t0) / n;
}

int
main (int argc, char **argv)
{
  int n = argc > 1 ? atoi (argv[1]) : 200000;
  int s = socket (AF_INET, SOCK_STREAM, 0);
  if (s < 0)
    die ("socket");
  double best_set = 1e18, best_get = 1e18, best_idle = 1e18;
  double best_listen = 1e18;
  for (int round = 0; round < 3; round++)
    {
      double t = set_round (s, n);
      best_set = t < best_set ? t : best_set;
      t = keepidle_round (s, n);
      best_idle = t < best_idle ? t : best_idle;
      t = get_round (s, n);
      best_get = t < best_get ? t : best_get;
      t = listen_round (n / 10);
      best_listen = t < best_listen ? t : best_listen;
    }
  close (s);
  printf ("setsockopt %.1f\ngetsockopt %.1f\nsetsockopt-keepidle %.1f\n"
          "listen-cycle %.1f\n",
          best_set, best_get, best_idle, best_listen);
  return 0;
}
