/* suite-limit --- run a test suite with a time limit; leave nothing behind.

   Usage: suite-limit SECONDS COMMAND [ARG...]

   COMMAND runs in a process group of its own.  This program makes
   itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so that every
   process COMMAND starts, however it detaches (a new session, a double
   fork: tmux servers, Emacs's native compiler, test servers), stays its
   descendant.  When COMMAND exits, or when SECONDS have passed (then
   SIGTERM, and SIGKILL 10 s later), every descendant still running is
   killed and reaped, and the ones found are named on standard error.

   Exit status: COMMAND's own; 124 when the limit was reached; 125 when
   this program failed.  */

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { MAX_PROCS = 65536 };

/* The parent of process PID from /proc/PID/stat, or -1; its command
   name into NAME (SIZE bytes), whether it is a zombie into *ZOMBIE.  */
static pid_t
parent_of (pid_t pid, char *name, size_t size, char *zombie)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  FILE *f = fopen (path, "r");
  if (!f)
    return -1;
  char buf[1024];
  size_t n = fread (buf, 1, sizeof buf - 1, f);
  fclose (f);
  buf[n] = '\0';
  char *open = strchr (buf, '(');
  char *close = strrchr (buf, ')');
  int ppid;
  char state;
  if (!open || !close || sscanf (close + 1, " %c %d", &state, &ppid) != 2)
    return -1;
  *zombie = state == 'Z';
  size_t len = (size_t) (close - open - 1);
  if (len >= size)
    len = size - 1;
  memcpy (name, open + 1, len);
  name[len] = '\0';
  return ppid;
}

/* Name the leftover process PID (command NAME) with its arguments.  */
static void
say_leftover (pid_t pid, const char *name)
{
  char path[64], args[512];
  snprintf (path, sizeof path, "/proc/%d/cmdline", (int) pid);
  FILE *f = fopen (path, "r");
  size_t n = f ? fread (args, 1, sizeof args - 1, f) : 0;
  if (f)
    fclose (f);
  for (size_t i = 0; i + 1 < n; i++)
    if (args[i] == '\0')
      args[i] = ' ';
  args[n] = '\0';
  fprintf (stderr, "suite-limit: killing leftover %s (%d): %s\n", name,
           (int) pid, args);
}

/* Kill every live descendant of this process with SIGKILL; return how
   many were found.  Say which when VERBOSE.  Zombies are dead already:
   they are reaped once they are this process's own.  */
static int
kill_descendants (int verbose)
{
  static pid_t pids[MAX_PROCS], parents[MAX_PROCS];
  static char names[MAX_PROCS][17], zombies[MAX_PROCS];
  int n = 0;
  DIR *proc = opendir ("/proc");
  if (!proc)
    return 0;
  struct dirent *e;
  while ((e = readdir (proc)) && n < MAX_PROCS)
    {
      char *end;
      long pid = strtol (e->d_name, &end, 10);
      if (*end || pid <= 0)
        continue;
      pids[n] = (pid_t) pid;
      parents[n] = parent_of ((pid_t) pid, names[n], sizeof names[n],
                              &zombies[n]);
      n++;
    }
  closedir (proc);
  /* Mark descendants: repeat until no new one is found.  */
  static char mine[MAX_PROCS];
  memset (mine, 0, sizeof mine);
  int found = 0, grew = 1;
  while (grew)
    {
      grew = 0;
      for (int i = 0; i < n; i++)
        {
          if (mine[i])
            continue;
          int hit = parents[i] == getpid ();
          for (int j = 0; !hit && j < n; j++)
            hit = mine[j] && pids[j] == parents[i];
          if (hit)
            mine[i] = 1, grew = 1, found += !zombies[i];
        }
    }
  for (int i = 0; i < n; i++)
    if (mine[i] && !zombies[i])
      {
        if (verbose)
          say_leftover (pids[i], names[i]);
        kill (pids[i], SIGKILL);
      }
  return found;
}

/* Reap every child that has exited, without waiting.  */
static void
reap (void)
{
  while (waitpid (-1, NULL, WNOHANG) > 0)
    ;
}

/* Wait up to SECONDS for CHILD; store its status; return 1 if it
   exited.  Orphans reparented to us are reaped meanwhile.  */
static int
wait_for (pid_t child, double seconds, int *status)
{
  struct timespec start, now, nap = { 0, 20 * 1000 * 1000 };
  clock_gettime (CLOCK_MONOTONIC, &start);
  for (;;)
    {
      int st;
      pid_t got = waitpid (-1, &st, WNOHANG);
      if (got == child)
        {
          *status = st;
          return 1;
        }
      if (got > 0)
        continue;
      if (got < 0 && errno == ECHILD)
        return 0;
      clock_gettime (CLOCK_MONOTONIC, &now);
      if (now.tv_sec - start.tv_sec
              + (now.tv_nsec - start.tv_nsec) / 1e9
          >= seconds)
        return 0;
      nanosleep (&nap, NULL);
    }
}

static int
exit_code (int status)
{
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  return 128 + WTERMSIG (status);
}

int
main (int argc, char **argv)
{
  if (argc < 3 || atof (argv[1]) <= 0)
    {
      fprintf (stderr, "usage: suite-limit SECONDS COMMAND [ARG...]\n");
      return 125;
    }
  if (prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
    {
      perror ("suite-limit: prctl");
      return 125;
    }
  pid_t child = fork ();
  if (child < 0)
    {
      perror ("suite-limit: fork");
      return 125;
    }
  if (child == 0)
    {
      setpgid (0, 0);
      execvp (argv[2], argv + 2);
      fprintf (stderr, "suite-limit: %s: %s\n", argv[2], strerror (errno));
      _exit (errno == ENOENT ? 127 : 126);
    }
  setpgid (child, child);
  int status = 0, code;
  if (wait_for (child, atof (argv[1]), &status))
    code = exit_code (status);
  else
    {
      fprintf (stderr, "suite-limit: %s s passed: stopping %s\n", argv[1],
               argv[2]);
      kill (-child, SIGTERM);
      if (!wait_for (child, 10, &status))
        {
          kill (-child, SIGKILL);
          wait_for (child, 10, &status);
        }
      code = 124;
    }
  /* Whatever is left: killed, reaped, named.  */
  reap ();
  for (int round = 0; round < 50 && kill_descendants (round == 0); round++)
    {
      struct timespec nap = { 0, 20 * 1000 * 1000 };
      nanosleep (&nap, NULL);
      reap ();
    }
  reap ();
  return code;
}
