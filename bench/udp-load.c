/* udp-load.c — load generator for bench/udp.sh.
 *
 * Usage: udp-load HOST PORT DURATION [WINDOW [SIZE]]
 *   DURATION  seconds to measure (after a 0.5 s warm-up that is not counted)
 *   WINDOW    datagrams kept in flight (default 32)
 *   SIZE      payload bytes per datagram (default 64, at least 16)
 *
 * One connected UDP socket keeps WINDOW datagrams in flight: every valid echo
 * that comes back is counted and replaced by a new datagram.  Each datagram
 * carries a magic and a sequence number, then a fixed filler; a reply counts
 * only if it is byte for byte the echo of a datagram still in flight, so a
 * server that mangles, invents or duplicates datagrams gains nothing.
 * UDP may drop: when nothing has come back for 200 ms, everything
 * in flight is written off and the window is refilled; a datagram that
 * stays unanswered while 4 × WINDOW later ones go out is written off too.
 *
 * Prints exactly one line on stdout:
 *   datagrams_per_s N
 * (valid echoes counted during the measured DURATION, divided by DURATION)
 * and a one-line summary on stderr.  Exit status 0 if any echo was counted.
 *
 * Bounded: every wait is a poll() of at most 200 ms, the main loop stops at
 * the end of the measurement and has an iteration cap, and alarm() ends the
 * process at DURATION + 5 s whatever happens.
 *
 * Plain POSIX C; no GLib.
 */

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define WARMUP_S          0.5
#define REFILL_TIMEOUT_MS 200
#define MIN_SIZE          16        /* HEADER_SIZE */
#define MAX_SIZE          65507
#define MAX_WINDOW        65536
#define HEADER_SIZE       16        /* magic, then the sequence number */

static const unsigned char magic[8] = { 'C', 'T', 'U', 'D', 'P', 'B', 'E', 'N' };

typedef struct
{
  int fd;
  size_t size;
  unsigned int window;
  unsigned char *out;       /* outgoing datagram, rewritten per send */
  unsigned char *in;        /* receive buffer */
  uint64_t *ring;           /* slot seq & mask holds seq + 1 while in flight */
  uint64_t mask;
  uint64_t next_seq;
  unsigned int inflight;
  /* statistics */
  uint64_t sent;
  uint64_t lost;            /* written off */
  uint64_t stale;           /* echoes of written-off datagrams */
  uint64_t bad;             /* wrong size, magic or sequence number */
  uint64_t send_errors;
} Load;

static double
now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static double
cpu_s (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return (double) ru.ru_utime.tv_sec + (double) ru.ru_utime.tv_usec / 1e6
         + (double) ru.ru_stime.tv_sec + (double) ru.ru_stime.tv_usec / 1e6;
}

static int
parse_number (const char *text, double min, double max, double *out)
{
  char *end = NULL;
  double value;

  errno = 0;
  value = strtod (text, &end);
  if (errno != 0 || end == text || *end != '\0' || !(value >= min && value <= max))
    return -1;
  *out = value;
  return 0;
}

/* Sends datagrams until WINDOW are in flight.  A send that fails (buffer
 * full, ECONNREFUSED from an earlier ICMP error, ...) ends this round; the
 * next echo or the refill timeout tries again. */
static void
fill_window (Load *load)
{
  while (load->inflight < load->window)
    {
      uint64_t seq = load->next_seq;
      uint64_t *slot = &load->ring[seq & load->mask];

      memcpy (load->out + sizeof magic, &seq, sizeof seq);
      if (send (load->fd, load->out, load->size, 0) < 0)
        {
          load->send_errors++;
          return;
        }
      load->next_seq++;
      load->sent++;
      if (*slot != 0)
        {
          /* Unanswered while 4 × WINDOW later datagrams went out: lost. */
          load->lost++;
          load->inflight--;
        }
      *slot = seq + 1;
      load->inflight++;
    }
}

/* Everything in flight is written off (nothing came back for a while). */
static void
write_off_window (Load *load)
{
  memset (load->ring, 0, (size_t) (load->mask + 1) * sizeof load->ring[0]);
  load->lost += load->inflight;
  load->inflight = 0;
}

/* Checks one reply; returns 1 if it is the echo of a datagram in flight
 * (and retires it), 0 otherwise. */
static int
take_reply (Load *load, ssize_t n)
{
  uint64_t seq;
  uint64_t *slot;

  if (n != (ssize_t) load->size || memcmp (load->in, magic, sizeof magic) != 0
      || memcmp (load->in + HEADER_SIZE, load->out + HEADER_SIZE,
                 load->size - HEADER_SIZE) != 0)
    {
      load->bad++;
      return 0;
    }
  memcpy (&seq, load->in + sizeof magic, sizeof seq);
  if (seq >= load->next_seq)
    {
      load->bad++;
      return 0;
    }
  slot = &load->ring[seq & load->mask];
  if (*slot != seq + 1)
    {
      load->stale++; /* written off earlier, or a duplicate */
      return 0;
    }
  *slot = 0;
  load->inflight--;
  return 1;
}

static int
connect_to (const char *host, const char *port)
{
  struct addrinfo hints;
  struct addrinfo *res = NULL;
  struct addrinfo *ai;
  int fd = -1;
  int rc;

  memset (&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICSERV;
  rc = getaddrinfo (host, port, &hints, &res);
  if (rc != 0)
    {
      fprintf (stderr, "udp-load: %s:%s: %s\n", host, port, gai_strerror (rc));
      return -1;
    }
  for (ai = res; ai != NULL; ai = ai->ai_next)
    {
      fd = socket (ai->ai_family, ai->ai_socktype, ai->ai_protocol);
      if (fd < 0)
        continue;
      if (connect (fd, ai->ai_addr, ai->ai_addrlen) == 0)
        break;
      close (fd);
      fd = -1;
    }
  freeaddrinfo (res);
  if (fd < 0)
    {
      fprintf (stderr, "udp-load: cannot connect a UDP socket to %s:%s\n", host, port);
      return -1;
    }
  if (fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) | O_NONBLOCK) < 0)
    {
      perror ("udp-load: fcntl");
      close (fd);
      return -1;
    }
  return fd;
}

int
main (int argc, char **argv)
{
  Load load;
  double duration;
  double window = 32;
  double size = 64;
  double t_start, t_measure, t_end, t_last, now;
  double cpu_measure = 0.0, cpu_end;
  uint64_t counted = 0;
  uint64_t iterations = 0;
  uint64_t max_iterations;
  uint64_t ring_size;
  int measuring = 0;
  size_t i;

  if (argc < 4 || argc > 6
      || parse_number (argv[3], 0.1, 3600, &duration) < 0
      || (argc > 4 && parse_number (argv[4], 1, MAX_WINDOW, &window) < 0)
      || (argc > 5 && parse_number (argv[5], MIN_SIZE, MAX_SIZE, &size) < 0))
    {
      fprintf (stderr,
               "usage: %s HOST PORT DURATION [WINDOW [SIZE]]\n"
               "  DURATION 0.1..3600 s, WINDOW 1..%d (default 32),"
               " SIZE %d..%d bytes (default 64)\n",
               argv[0], MAX_WINDOW, MIN_SIZE, MAX_SIZE);
      return 2;
    }

  /* The hard stop, whatever happens below. */
  alarm ((unsigned int) (WARMUP_S + duration) + 5);

  memset (&load, 0, sizeof load);
  load.size = (size_t) size;
  load.window = (unsigned int) window;
  for (ring_size = 1; ring_size < 4 * (uint64_t) load.window; ring_size <<= 1)
    ;
  load.mask = ring_size - 1;
  load.out = malloc (load.size);
  load.in = malloc (MAX_SIZE + 1);
  load.ring = calloc ((size_t) ring_size, sizeof load.ring[0]);
  if (load.out == NULL || load.in == NULL || load.ring == NULL)
    {
      fprintf (stderr, "udp-load: out of memory\n");
      return 1;
    }
  memcpy (load.out, magic, sizeof magic);
  for (i = HEADER_SIZE; i < load.size; i++)
    load.out[i] = (unsigned char) i;

  load.fd = connect_to (argv[1], argv[2]);
  if (load.fd < 0)
    return 1;

  t_start = now_s ();
  t_measure = t_start + WARMUP_S;
  t_end = t_measure + duration;
  t_last = t_start;
  /* No iteration is shorter than a poll() call; this cap is far above any
   * real count and only guards against a loop that stops making progress. */
  max_iterations = (uint64_t) ((WARMUP_S + duration + 1) * 20e6);

  fill_window (&load);

  while (iterations++ < max_iterations)
    {
      struct pollfd pfd = { load.fd, POLLIN, 0 };
      double deadline;
      int timeout_ms;
      int ready;

      now = now_s ();
      if (!measuring && now >= t_measure)
        {
          measuring = 1;
          cpu_measure = cpu_s ();
        }
      if (now >= t_end)
        break;

      deadline = t_last + REFILL_TIMEOUT_MS / 1000.0;
      if (!measuring && t_measure < deadline)
        deadline = t_measure;
      if (t_end < deadline)
        deadline = t_end;
      timeout_ms = deadline > now ? (int) ((deadline - now) * 1000.0) + 1 : 0;

      ready = poll (&pfd, 1, timeout_ms);
      if (ready < 0)
        {
          if (errno == EINTR)
            continue;
          perror ("udp-load: poll");
          break;
        }

      if (ready > 0)
        {
          unsigned int got = 0;
          unsigned int tries;

          /* Drain what is there, a bounded number at a time. */
          for (tries = 0; tries < 4 * load.window + 16; tries++)
            {
              ssize_t n = recv (load.fd, load.in, MAX_SIZE + 1, 0);

              if (n < 0)
                {
                  if (errno == EAGAIN || errno == EWOULDBLOCK)
                    break;
                  if (errno == EINTR || errno == ECONNREFUSED)
                    continue; /* ICMP error from an earlier send */
                  perror ("udp-load: recv");
                  break;
                }
              got += take_reply (&load, n);
            }
          if (got > 0)
            {
              now = now_s ();
              t_last = now;
              /* A batch is counted if it arrived before the end; a batch
               * straddling the start of the measurement counts whole, which
               * is at most one window's worth either way. */
              if (measuring && now < t_end)
                counted += got;
            }
        }

      now = now_s ();
      if (now - t_last >= REFILL_TIMEOUT_MS / 1000.0)
        {
          /* Nothing came back for a while: UDP dropped it.  Start over. */
          write_off_window (&load);
          t_last = now;
        }
      fill_window (&load);
    }

  cpu_end = cpu_s ();
  if (!measuring)
    cpu_measure = cpu_end;

  printf ("datagrams_per_s %.0f\n", (double) counted / duration);
  fflush (stdout);
  fprintf (stderr,
           "udp-load: %s:%s window %u size %zu: %llu echoes in %.2f s,"
           " sent %llu, lost %llu, stale %llu, bad %llu, send errors %llu,"
           " load_cpu %.0f%%\n",
           argv[1], argv[2], load.window, load.size,
           (unsigned long long) counted, duration,
           (unsigned long long) load.sent, (unsigned long long) load.lost,
           (unsigned long long) load.stale, (unsigned long long) load.bad,
           (unsigned long long) load.send_errors,
           100.0 * (cpu_end - cpu_measure) / duration);

  close (load.fd);
  free (load.out);
  free (load.in);
  free (load.ring);
  return counted > 0 ? 0 : 1;
}
