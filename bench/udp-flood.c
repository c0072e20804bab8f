/* udp-flood.c — a paced UDP sender for bench/log.sh: RATE datagrams per
 * second to HOST:PORT for DURATION seconds, whether or not anything answers.
 *
 * Usage: udp-flood HOST PORT RATE DURATION [SIZE]
 *   RATE      datagrams per second (at most 10,000,000)
 *   DURATION  seconds (at most 3600)
 *   SIZE      payload bytes per datagram (default 64, at least 8)
 *
 * Unlike udp-load (closed loop: it waits for echoes), this one keeps to the
 * rate: every millisecond it sends what the schedule says is due by then
 * (RATE x elapsed - sent, in sendmmsg() batches of up to 64, at most
 * 4 ms' worth at once so a stall is not made up with a burst), then reads
 * without waiting whatever came back (an echoing server's echoes), and sleeps
 * until the next millisecond.  Each datagram carries its sequence number in
 * its first 8 bytes, then a fixed filler.  Echoes are counted, not checked:
 * they show how many datagrams the server got to, since the kernel drops
 * what does not fit in a slow server's receive buffer.
 *
 * Prints on stdout (times from CLOCK_MONOTONIC, in µs, the clock of
 * g_get_monotonic_time ()):
 *   start_us T
 *   end_us T
 *   sent N sent_per_s R
 *   echoes N echoes_per_s R
 *   send_errors N
 * and the first send error, if any, on stderr.  Exit status 0 if all of the
 * schedule could be sent, 1 otherwise.
 *
 * Bounded: the loop ends at DURATION (and has an iteration cap); alarm()
 * ends the process at DURATION + 5 s whatever happens.
 *
 * Plain POSIX C (and Linux's sendmmsg/recvmmsg); no GLib.
 */

#define _GNU_SOURCE

#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define BATCH       64
#define TICK_NS     1000000L
#define MAX_SIZE    65507
#define MAX_RATE    10000000.0
#define MAX_CATCHUP 0.004        /* seconds of schedule sent at most at once */

static int64_t
now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
parse_double (const char *text,
              double      min,
              double      max,
              double     *value)
{
  char *end;

  errno = 0;
  *value = strtod (text, &end);
  return errno == 0 && end != text && *end == '\0' && *value >= min && *value <= max;
}

int
main (int    argc,
      char **argv)
{
  struct addrinfo hints = { 0 }, *ai = NULL;
  struct mmsghdr out[BATCH], in[BATCH];
  struct iovec out_iov[BATCH], in_iov[BATCH];
  static unsigned char out_buf[BATCH][MAX_SIZE < 2048 ? MAX_SIZE : 2048];
  static unsigned char in_buf[BATCH][2048];
  double rate, duration, size_d = 64;
  size_t size;
  int fd, rcvbuf = 4 * 1024 * 1024, status, first_error = 0;
  uint64_t sent = 0, echoes = 0, send_errors = 0, iterations = 0, max_iterations;
  int64_t start, end, now;
  struct timespec next;

  if ((argc != 5 && argc != 6) ||
      !parse_double (argv[3], 1, MAX_RATE, &rate) ||
      !parse_double (argv[4], 0.001, 3600, &duration) ||
      (argc == 6 && !parse_double (argv[5], 8, 2048, &size_d)))
    {
      fprintf (stderr, "usage: udp-flood HOST PORT RATE DURATION [SIZE]  (RATE <= 1e7, SIZE 8..2048)\n");
      return 2;
    }
  size = (size_t) size_d;
  alarm ((unsigned) duration + 5);

  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  if ((status = getaddrinfo (argv[1], argv[2], &hints, &ai)) != 0)
    {
      fprintf (stderr, "udp-flood: %s:%s: %s\n", argv[1], argv[2], gai_strerror (status));
      return 2;
    }
  fd = socket (ai->ai_family, SOCK_DGRAM, 0);
  if (fd < 0 || connect (fd, ai->ai_addr, ai->ai_addrlen) < 0)
    {
      perror ("udp-flood: socket/connect");
      return 2;
    }
  freeaddrinfo (ai);
  setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);

  for (int i = 0; i < BATCH; i++)
    {
      memset (out_buf[i], 'f', size);
      out_iov[i].iov_base = out_buf[i];
      out_iov[i].iov_len = size;
      memset (&out[i], 0, sizeof out[i]);
      out[i].msg_hdr.msg_iov = &out_iov[i];
      out[i].msg_hdr.msg_iovlen = 1;
      in_iov[i].iov_base = in_buf[i];
      in_iov[i].iov_len = sizeof in_buf[i];
      memset (&in[i], 0, sizeof in[i]);
      in[i].msg_hdr.msg_iov = &in_iov[i];
      in[i].msg_hdr.msg_iovlen = 1;
    }

  /* One tick per millisecond, and some slack */
  max_iterations = (uint64_t) (duration * 1000) * 2 + 1000;
  start = now_us ();
  end = start + (int64_t) (duration * 1e6);
  clock_gettime (CLOCK_MONOTONIC, &next);

  while ((now = now_us ()) < end && iterations++ < max_iterations)
    {
      double elapsed = (now - start) / 1e6;
      double due = rate * elapsed - (double) sent;
      double catchup = rate * MAX_CATCHUP;
      uint64_t todo;
      int n;

      if (due > catchup)
        {
          /* Behind by more than MAX_CATCHUP: that part of the schedule is
           * skipped (counted as not sent) */
          sent += (uint64_t) (due - catchup);
          send_errors += (uint64_t) (due - catchup);
          due = catchup;
        }
      todo = due > 0 ? (uint64_t) due : 0;
      while (todo > 0)
        {
          unsigned int batch = todo < BATCH ? (unsigned int) todo : BATCH;

          for (unsigned int i = 0; i < batch; i++)
            {
              uint64_t seq = sent + i;
              memcpy (out_buf[i], &seq, sizeof seq);
            }
          n = sendmmsg (fd, out, batch, 0);
          if (n <= 0)
            {
              /* ECONNREFUSED (nobody listens: an ICMP error came back),
               * ENOBUFS...: this batch is lost, the schedule goes on */
              if (first_error == 0)
                first_error = n < 0 ? errno : EIO;
              send_errors += batch;
              sent += batch;
              todo -= batch;
              continue;
            }
          sent += (uint64_t) n;
          todo -= (uint64_t) n;
        }

      /* Whatever came back, without waiting */
      for (int round = 0; round < 64; round++)
        {
          n = recvmmsg (fd, in, BATCH, MSG_DONTWAIT, NULL);
          if (n <= 0)
            break;
          echoes += (uint64_t) n;
        }

      next.tv_nsec += TICK_NS;
      if (next.tv_nsec >= 1000000000L)
        {
          next.tv_sec++;
          next.tv_nsec -= 1000000000L;
        }
      clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
    }
  end = now_us ();

  printf ("start_us %lld\n", (long long) start);
  printf ("end_us %lld\n", (long long) end);
  printf ("sent %llu sent_per_s %.0f\n", (unsigned long long) (sent - send_errors),
          (sent - send_errors) / ((end - start) / 1e6));
  printf ("echoes %llu echoes_per_s %.0f\n", (unsigned long long) echoes,
          echoes / ((end - start) / 1e6));
  printf ("send_errors %llu\n", (unsigned long long) send_errors);
  if (first_error != 0)
    fprintf (stderr, "udp-flood: first send error: %s\n", strerror (first_error));
  close (fd);
  return send_errors == 0 ? 0 : 1;
}
