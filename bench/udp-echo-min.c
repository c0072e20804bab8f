/* udp-echo-min.c — the reference for bench/udp.sh: the smallest honest UDP
 * echo server, a blocking recvfrom → sendto loop and nothing else.
 *
 * Usage: udp-echo-min [--json] PORT
 *
 * Binds 127.0.0.1:PORT (0 = any free port) and prints, flushed, one line:
 *   listening 127.0.0.1:PORT
 * With --json it announces itself the way `crosstalk-cli serve udp --json`
 * does instead, so udp.sh can be tried without the CLI:
 *   {"time":"...","protocol":"udp","role":"server","direction":"info",
 *    "event":"listening","address":"127.0.0.1:PORT"}
 * The echo loop is the same either way.  Exits on SIGTERM or SIGINT.
 *
 * Plain POSIX C; no GLib.
 */

#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Leave at once: no flag to check, so no window in which a signal that
 * arrives just before a blocking recvfrom() goes unnoticed. */
static void
on_signal (int signo)
{
  (void) signo;
  _exit (0);
}

static int
parse_port (const char *text)
{
  char *end = NULL;
  long value;

  errno = 0;
  value = strtol (text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < 0 || value > 65535)
    return -1;
  return (int) value;
}

int
main (int argc, char **argv)
{
  static unsigned char buf[65536];
  struct sigaction sa;
  struct sockaddr_in addr;
  socklen_t addr_len = sizeof addr;
  int json = 0;
  int port;
  int fd;

  if (argc == 3 && strcmp (argv[1], "--json") == 0)
    {
      json = 1;
      argv++;
      argc--;
    }
  if (argc != 2 || (port = parse_port (argv[1])) < 0)
    {
      fprintf (stderr, "usage: %s [--json] PORT   (0 = any free port)\n", argv[0]);
      return 2;
    }

  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset (&sa.sa_mask);
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGINT, &sa, NULL); /* even if started in the background */

  fd = socket (AF_INET, SOCK_DGRAM, 0);
  if (fd < 0)
    {
      perror ("socket");
      return 1;
    }

  memset (&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons ((unsigned short) port);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      perror ("bind");
      return 1;
    }
  if (getsockname (fd, (struct sockaddr *) &addr, &addr_len) < 0)
    {
      perror ("getsockname");
      return 1;
    }

  if (json)
    {
      char stamp[32];
      time_t now = time (NULL);
      struct tm tm;

      gmtime_r (&now, &tm);
      strftime (stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
      printf ("{\"time\":\"%s\",\"protocol\":\"udp\",\"role\":\"server\","
              "\"direction\":\"info\",\"event\":\"listening\","
              "\"address\":\"127.0.0.1:%u\"}\n",
              stamp, (unsigned) ntohs (addr.sin_port));
    }
  else
    {
      printf ("listening 127.0.0.1:%u\n", (unsigned) ntohs (addr.sin_port));
    }
  fflush (stdout);

  for (;;)
    {
      struct sockaddr_storage peer;
      socklen_t peer_len = sizeof peer;
      ssize_t n;

      n = recvfrom (fd, buf, sizeof buf, 0, (struct sockaddr *) &peer, &peer_len);
      if (n < 0)
        {
          /* ECONNREFUSED and friends are leftovers of earlier peers: UDP
           * has no connection to lose, so carry on. */
          if (errno == EINTR || errno == ECONNREFUSED || errno == ENOBUFS
              || errno == ENOMEM)
            continue;
          perror ("recvfrom");
          return 1;
        }
      /* A datagram that cannot go out is dropped, as UDP may. */
      (void) sendto (fd, buf, (size_t) n, 0, (struct sockaddr *) &peer, peer_len);
    }
}
