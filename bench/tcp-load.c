/* tcp-load.c — load generator for bench/tcp.sh.
 *
 * Usage:
 *   tcp-load HOST PORT DURATION [CONNECTIONS [WINDOW [SIZE]]]
 *   tcp-load --idle N HOST PORT [HOLD]
 *
 * HOST must be a numeric address (the script passes the one the server
 * announced).
 *
 * Load mode: CONNECTIONS TCP connections (default 8), each keeping WINDOW
 * lines in flight (default 16) of SIZE bytes (default 64, at least 25)
 * counting the trailing '\n'.  Every line is
 *   C<connection, 4 hex digits> S<sequence, 16 hex digits> <filler>\n
 * so no two lines of the run are alike.  The bytes that come back on each
 * connection are compared, as they arrive, with the lines sent on it, in
 * order: an echoed line counts when its last byte matched.  A mismatch,
 * more bytes than were sent, an EOF or an error ends that connection and is
 * reported.  Each completed line is replaced by a new one at once.
 * After a 0.5 s warm-up that is not counted, lines are counted for DURATION
 * seconds.  Prints exactly one line on stdout:
 *   messages_per_s N
 * (echoed lines counted, divided by the time they were counted over) and a
 * one-line summary on stderr that includes "load_cpu N%", the CPU this
 * process used over the measured time.  Exit status 0 if lines were counted
 * and nothing went wrong, 1 otherwise (the figure is printed either way once
 * the connections are up).
 *
 * Idle mode: opens N connections (paced, at most 30 s for all), sends
 * nothing, waits one second, then checks each with a non-blocking read:
 * EAGAIN means still open, 0 means the server closed it, an error (say
 * ECONNRESET) that it was reset.  Prints, flushed, one line on stdout:
 *   idle_held H requested N opened O eof E reset R failed F
 * then holds the connections until SIGTERM/SIGINT/SIGHUP, EOF on stdin (when
 * stdin is a pipe, socket or terminal; /dev/null is not watched), or HOLD
 * seconds (default 60), whichever comes first.
 *
 * Both modes raise the soft RLIMIT_NOFILE (up to the hard limit) if the
 * connections need it.
 *
 * Bounded: every wait has a timeout, loops have iteration caps, and alarm()
 * ends the process a few seconds after it should have finished whatever
 * happens.
 *
 * Plain POSIX C plus Linux epoll; no GLib.
 */

#define _GNU_SOURCE /* SOCK_NONBLOCK, SOCK_CLOEXEC */

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define WARMUP_S          0.5
#define CONNECT_TIMEOUT_S 30.0   /* for all connections together */
#define CONNECT_BATCH     64     /* connects in progress at once */
#define IDLE_SETTLE_S     1.0    /* wait before checking idle connections */
#define HEADER_SIZE       24     /* "Ccccc Sssssssssssssssss " */
#define MIN_SIZE          (HEADER_SIZE + 1)
#define MAX_SIZE          65536
#define MAX_WINDOW        4096
#define MAX_CONNECTIONS   1000000  /* idle mode */
#define MAX_LOAD_CONNS    65536    /* load mode: the id has 4 hex digits */
#define MAX_EVENTS        256
#define READ_SIZE         65536

typedef struct
{
  int fd;
  unsigned int id;
  uint64_t send_seq;        /* next line to send */
  uint64_t recv_seq;        /* next line expected back */
  size_t rpos;              /* bytes of the expected line matched so far */
  unsigned char *expect;    /* line recv_seq, SIZE bytes */
  unsigned char *out;       /* lines being written, up to WINDOW of them */
  size_t out_off;
  size_t out_len;
  int dead;
} Conn;

typedef struct
{
  size_t size;
  unsigned int window;
  unsigned char *filler;    /* SIZE bytes: filler from HEADER_SIZE, then '\n' */
  uint64_t completed;       /* echoed lines, all connections */
  uint64_t errors;
  int ep;
} Load;

static const char hex[] = "0123456789abcdef";

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

static void
sleep_s (double seconds)
{
  struct timespec ts;

  if (seconds <= 0)
    return;
  ts.tv_sec = (time_t) seconds;
  ts.tv_nsec = (long) ((seconds - (double) ts.tv_sec) * 1e9);
  while (nanosleep (&ts, &ts) < 0 && errno == EINTR)
    ;
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

/* Makes room for NEEDED descriptors if the hard limit allows. */
static void
raise_nofile (rlim_t needed)
{
  struct rlimit rl;

  if (getrlimit (RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= needed)
    return;
  rl.rlim_cur = (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < needed) ? rl.rlim_max : needed;
  if (setrlimit (RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < needed)
    fprintf (stderr, "tcp-load: warning: can only have %llu open files, %llu wanted\n",
             (unsigned long long) rl.rlim_cur, (unsigned long long) needed);
}

/* ---- connecting ------------------------------------------------------- */

/* Opens N connections to ADDR, CONNECT_BATCH in progress at a time, all
 * within CONNECT_TIMEOUT_S.  fds[i] is the socket, or -1 if that one failed.
 * Returns how many are open; the first failure is described on stderr. */
static unsigned int
open_connections (const struct addrinfo *ai, unsigned int n, int *fds)
{
  double deadline = now_s () + CONNECT_TIMEOUT_S;
  struct pollfd *pfd;
  unsigned int *idx;
  unsigned int opened = 0;
  unsigned int next = 0;
  int first_errno = 0;

  pfd = calloc (CONNECT_BATCH, sizeof *pfd);
  idx = calloc (CONNECT_BATCH, sizeof *idx);
  if (pfd == NULL || idx == NULL)
    {
      fprintf (stderr, "tcp-load: out of memory\n");
      exit (1);
    }

  while (next < n)
    {
      unsigned int batch = 0;
      unsigned int i;

      /* Start up to CONNECT_BATCH connects. */
      while (next < n && batch < CONNECT_BATCH)
        {
          unsigned int k = next++;
          int fd = socket (ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

          fds[k] = -1;
          if (fd < 0)
            {
              if (first_errno == 0)
                first_errno = errno;
              continue;
            }
          if (connect (fd, ai->ai_addr, ai->ai_addrlen) == 0)
            {
              fds[k] = fd;
              opened++;
              continue;
            }
          if (errno != EINPROGRESS)
            {
              if (first_errno == 0)
                first_errno = errno;
              close (fd);
              continue;
            }
          pfd[batch].fd = fd;
          pfd[batch].events = POLLOUT;
          idx[batch] = k;
          batch++;
        }

      /* Wait for them; each poll() is bounded by the overall deadline. */
      for (;;)
        {
          unsigned int pending = 0;
          double left = deadline - now_s ();
          int ready;

          for (i = 0; i < batch; i++)
            if (pfd[i].fd >= 0)
              pending++;
          if (pending == 0)
            break;
          if (left <= 0)
            {
              for (i = 0; i < batch; i++)
                if (pfd[i].fd >= 0)
                  {
                    close (pfd[i].fd);
                    pfd[i].fd = -1;
                  }
              if (first_errno == 0)
                first_errno = ETIMEDOUT;
              break;
            }
          ready = poll (pfd, batch, (int) (left * 1000.0) + 1);
          if (ready < 0 && errno != EINTR)
            {
              perror ("tcp-load: poll");
              exit (1);
            }
          for (i = 0; ready > 0 && i < batch; i++)
            {
              int err = 0;
              socklen_t len = sizeof err;

              if (pfd[i].fd < 0 || pfd[i].revents == 0)
                continue;
              if (getsockopt (pfd[i].fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
                err = errno;
              if (err == 0)
                {
                  fds[idx[i]] = pfd[i].fd;
                  opened++;
                }
              else
                {
                  if (first_errno == 0)
                    first_errno = err;
                  close (pfd[i].fd);
                }
              pfd[i].fd = -1; /* poll() ignores negative descriptors */
            }
        }
    }

  if (opened < n)
    fprintf (stderr, "tcp-load: %u of %u connections failed; first error: %s\n",
             n - opened, n, strerror (first_errno));
  free (pfd);
  free (idx);
  return opened;
}

static int
resolve (const char *host, const char *port, struct addrinfo **res)
{
  struct addrinfo hints;
  int rc;

  memset (&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  rc = getaddrinfo (host, port, &hints, res);
  if (rc != 0)
    {
      fprintf (stderr, "tcp-load: %s:%s: %s\n", host, port, gai_strerror (rc));
      return -1;
    }
  return 0;
}

/* ---- idle mode -------------------------------------------------------- */

static void
on_signal (int signo)
{
  (void) signo;
  _exit (0); /* the kernel closes the connections */
}

/* True if EOF on FD means something: a pipe, a socket or a terminal. */
static int
worth_watching (int fd)
{
  struct stat st;

  if (fstat (fd, &st) < 0)
    return 0;
  return S_ISFIFO (st.st_mode) || S_ISSOCK (st.st_mode) || isatty (fd);
}

static int
run_idle (const char *host, const char *port, unsigned int n, double hold)
{
  struct addrinfo *ai = NULL;
  struct sigaction sa;
  unsigned int opened, held = 0, eof = 0, reset = 0, i;
  double until;
  int watch = worth_watching (STDIN_FILENO);
  int *fds;

  /* The hard stop: connecting, settling, holding, and a margin. */
  alarm ((unsigned int) (CONNECT_TIMEOUT_S + IDLE_SETTLE_S + hold) + 5);

  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset (&sa.sa_mask);
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGHUP, &sa, NULL);

  if (resolve (host, port, &ai) < 0)
    return 1;
  raise_nofile ((rlim_t) n + 32);
  fds = calloc (n, sizeof *fds);
  if (fds == NULL)
    {
      fprintf (stderr, "tcp-load: out of memory\n");
      return 1;
    }

  opened = open_connections (ai, n, fds);
  freeaddrinfo (ai);
  sleep_s (IDLE_SETTLE_S);

  for (i = 0; i < n; i++)
    {
      unsigned char byte;
      ssize_t r;

      if (fds[i] < 0)
        continue;
      r = recv (fds[i], &byte, 1, MSG_DONTWAIT);
      if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        held++;
      else if (r > 0)
        held++; /* open; the server said something (a greeting?) */
      else if (r == 0)
        eof++;
      else
        reset++;
    }

  printf ("idle_held %u requested %u opened %u eof %u reset %u failed %u\n",
          held, n, opened, eof, reset, n - opened);
  fflush (stdout);

  /* Hold them until told to stop; every wait is at most a second. */
  until = now_s () + hold;
  while (now_s () < until)
    {
      if (watch)
        {
          struct pollfd pfd = { STDIN_FILENO, POLLIN, 0 };

          if (poll (&pfd, 1, 1000) > 0)
            {
              char buf[256];

              if (read (STDIN_FILENO, buf, sizeof buf) <= 0)
                break; /* EOF (or an error): the caller is done */
            }
        }
      else
        {
          sleep_s (1.0);
        }
    }

  for (i = 0; i < n; i++)
    if (fds[i] >= 0)
      close (fds[i]);
  free (fds);
  return 0;
}

/* ---- load mode -------------------------------------------------------- */

/* Writes the header of line SEQ of connection ID into LINE, which already
 * holds the filler and the '\n'. */
static void
stamp_line (unsigned char *line, unsigned int id, uint64_t seq)
{
  int i;

  line[0] = 'C';
  for (i = 0; i < 4; i++)
    line[1 + i] = (unsigned char) hex[(id >> (4 * (3 - i))) & 0xf];
  line[5] = ' ';
  line[6] = 'S';
  for (i = 0; i < 16; i++)
    line[7 + i] = (unsigned char) hex[(seq >> (4 * (15 - i))) & 0xf];
  line[23] = ' ';
}

static void
kill_conn (Load *load, Conn *c, const char *why)
{
  if (c->dead)
    return;
  fprintf (stderr, "tcp-load: connection %u: %s (after %llu lines echoed)\n",
           c->id, why, (unsigned long long) c->recv_seq);
  close (c->fd); /* also leaves the epoll set */
  c->dead = 1;
  load->errors++;
}

static void
set_events (Load *load, Conn *c, unsigned int events)
{
  struct epoll_event ev;

  memset (&ev, 0, sizeof ev);
  ev.events = events;
  ev.data.ptr = c;
  if (epoll_ctl (load->ep, EPOLL_CTL_MOD, c->fd, &ev) < 0)
    kill_conn (load, c, "epoll_ctl failed");
}

/* Writes what is pending; if nothing is, tops the window up with new lines
 * and writes them.  A short write waits for EPOLLOUT. */
static void
pump (Load *load, Conn *c)
{
  ssize_t w;

  if (c->out_off == c->out_len)
    {
      uint64_t room = load->window - (c->send_seq - c->recv_seq);
      uint64_t k;

      if (room == 0)
        return;
      for (k = 0; k < room; k++)
        stamp_line (c->out + k * load->size, c->id, c->send_seq + k);
      c->send_seq += room;
      c->out_off = 0;
      c->out_len = (size_t) room * load->size;
    }

  w = send (c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
  if (w < 0)
    {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        w = 0;
      else
        {
          kill_conn (load, c, strerror (errno));
          return;
        }
    }
  c->out_off += (size_t) w;
  if (c->out_off < c->out_len)
    set_events (load, c, EPOLLIN | EPOLLOUT);
}

/* Shows up to 40 bytes of BYTES, escaped, for a mismatch report. */
static void
show (const char *label, const unsigned char *bytes, size_t n)
{
  size_t i;

  fprintf (stderr, "  %s \"", label);
  for (i = 0; i < n && i < 40; i++)
    {
      if (bytes[i] >= 0x20 && bytes[i] < 0x7f && bytes[i] != '"' && bytes[i] != '\\')
        fputc (bytes[i], stderr);
      else
        fprintf (stderr, "\\x%02x", bytes[i]);
    }
  fprintf (stderr, "%s\"\n", n > 40 ? "..." : "");
}

/* Reads once and checks the bytes against the lines sent, in order. */
static void
take_replies (Load *load, Conn *c)
{
  static unsigned char buf[READ_SIZE];
  ssize_t n = recv (c->fd, buf, sizeof buf, 0);
  size_t i = 0;

  if (n == 0)
    {
      kill_conn (load, c, "the server closed the connection");
      return;
    }
  if (n < 0)
    {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        kill_conn (load, c, strerror (errno));
      return;
    }

  while (i < (size_t) n)
    {
      size_t take = load->size - c->rpos;

      if (c->recv_seq >= c->send_seq)
        {
          kill_conn (load, c, "more bytes came back than were sent");
          return;
        }
      if (take > (size_t) n - i)
        take = (size_t) n - i;
      if (memcmp (buf + i, c->expect + c->rpos, take) != 0)
        {
          size_t d = 0;

          while (buf[i + d] == c->expect[c->rpos + d])
            d++;
          kill_conn (load, c, "an echoed line differs from the line sent");
          fprintf (stderr, "  at byte %zu of line %llu (counting from 0)\n",
                   c->rpos + d, (unsigned long long) c->recv_seq);
          show ("expected", c->expect + c->rpos + d, load->size - c->rpos - d);
          show ("got     ", buf + i + d, (size_t) n - i - d);
          return;
        }
      c->rpos += take;
      i += take;
      if (c->rpos == load->size)
        {
          c->rpos = 0;
          c->recv_seq++;
          load->completed++;
          stamp_line (c->expect, c->id, c->recv_seq);
        }
    }
}

static int
run_load (const char *host, const char *port, double duration,
          unsigned int n_conn, unsigned int window, size_t size)
{
  struct epoll_event events[MAX_EVENTS];
  struct addrinfo *ai = NULL;
  Load load;
  Conn *conns;
  int *fds;
  double t_start, t_measure, t_end, now;
  double t_counted0 = 0.0, t_counted1 = 0.0;
  double cpu0 = 0.0, cpu1;
  uint64_t base = 0, counted = 0;
  uint64_t iterations = 0, max_iterations;
  unsigned int opened, alive, i;
  size_t j;
  int measuring = 0, done = 0;
  int one = 1;

  /* The hard stop, whatever happens below. */
  alarm ((unsigned int) (CONNECT_TIMEOUT_S + WARMUP_S + duration) + 5);

  memset (&load, 0, sizeof load);
  load.size = size;
  load.window = window;
  load.filler = malloc (size);
  conns = calloc (n_conn, sizeof *conns);
  fds = calloc (n_conn, sizeof *fds);
  if (load.filler == NULL || conns == NULL || fds == NULL)
    {
      fprintf (stderr, "tcp-load: out of memory\n");
      return 1;
    }
  for (j = HEADER_SIZE; j + 1 < size; j++)
    load.filler[j] = (unsigned char) ('a' + j % 26);
  load.filler[size - 1] = '\n';

  if (resolve (host, port, &ai) < 0)
    return 1;
  raise_nofile ((rlim_t) n_conn + 32);
  opened = open_connections (ai, n_conn, fds);
  freeaddrinfo (ai);
  if (opened < n_conn)
    return 1; /* no figure: it would not be the load asked for */

  load.ep = epoll_create1 (EPOLL_CLOEXEC);
  if (load.ep < 0)
    {
      perror ("tcp-load: epoll_create1");
      return 1;
    }
  for (i = 0; i < n_conn; i++)
    {
      Conn *c = &conns[i];
      struct epoll_event ev;

      c->fd = fds[i];
      c->id = i;
      c->expect = malloc (size);
      c->out = malloc ((size_t) window * size);
      if (c->expect == NULL || c->out == NULL)
        {
          fprintf (stderr, "tcp-load: out of memory\n");
          return 1;
        }
      memcpy (c->expect, load.filler, size);
      stamp_line (c->expect, c->id, 0);
      for (j = 0; j < window; j++)
        memcpy (c->out + j * size, load.filler, size);
      /* Lines go out as soon as they are written, the same for every server. */
      setsockopt (c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      memset (&ev, 0, sizeof ev);
      ev.events = EPOLLIN;
      ev.data.ptr = c;
      if (epoll_ctl (load.ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
        {
          perror ("tcp-load: epoll_ctl");
          return 1;
        }
    }

  t_start = now_s ();
  t_measure = t_start + WARMUP_S;
  t_end = t_measure + duration;
  /* An iteration is at least an epoll_wait() call; this cap is far above
   * any real count and only guards against a loop that makes no progress. */
  max_iterations = (uint64_t) ((WARMUP_S + duration + 1) * 20e6);

  for (i = 0; i < n_conn; i++)
    pump (&load, &conns[i]);

  while (!done && iterations++ < max_iterations)
    {
      double deadline;
      int timeout_ms, ready, k;

      now = now_s ();
      if (!measuring && now >= t_measure)
        {
          measuring = 1;
          base = load.completed;
          t_counted0 = now;
          cpu0 = cpu_s ();
        }
      if (now >= t_end)
        break;

      deadline = measuring ? t_end : t_measure;
      if (deadline > now + 0.2)
        deadline = now + 0.2;
      timeout_ms = (int) ((deadline - now) * 1000.0) + 1;

      ready = epoll_wait (load.ep, events, MAX_EVENTS, timeout_ms);
      if (ready < 0)
        {
          if (errno == EINTR)
            continue;
          perror ("tcp-load: epoll_wait");
          break;
        }
      for (k = 0; k < ready; k++)
        {
          Conn *c = events[k].data.ptr;

          if (c->dead)
            continue;
          if (events[k].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
            take_replies (&load, c);
          if (!c->dead)
            {
              int blocked = c->out_off < c->out_len;

              pump (&load, c); /* the rest of a short write, or new lines */
              if (blocked && !c->dead && c->out_off == c->out_len)
                {
                  /* Unblocked: back to reading only, and top the window up. */
                  set_events (&load, c, EPOLLIN);
                  if (!c->dead)
                    pump (&load, c);
                }
            }
        }

      alive = 0;
      for (i = 0; i < n_conn; i++)
        alive += !conns[i].dead;
      if (alive == 0)
        done = 1;
    }

  now = now_s ();
  cpu1 = cpu_s ();
  if (measuring)
    {
      t_counted1 = now < t_end ? now : t_end;
      counted = load.completed - base;
    }
  else
    {
      cpu0 = cpu1;
    }

  printf ("messages_per_s %.0f\n",
          t_counted1 > t_counted0 ? (double) counted / (t_counted1 - t_counted0) : 0.0);
  fflush (stdout);
  fprintf (stderr,
           "tcp-load: %s:%s %u connections, window %u, size %zu: %llu lines echoed"
           " in %.2f s, %llu errors, load_cpu %.0f%%\n",
           host, port, n_conn, window, size, (unsigned long long) counted,
           t_counted1 - t_counted0, (unsigned long long) load.errors,
           t_counted1 > t_counted0 ? 100.0 * (cpu1 - cpu0) / (t_counted1 - t_counted0) : 0.0);

  for (i = 0; i < n_conn; i++)
    {
      if (!conns[i].dead)
        close (conns[i].fd);
      free (conns[i].expect);
      free (conns[i].out);
    }
  close (load.ep);
  free (conns);
  free (fds);
  free (load.filler);
  return counted > 0 && load.errors == 0 ? 0 : 1;
}

static void
usage (const char *argv0)
{
  fprintf (stderr,
           "usage: %s HOST PORT DURATION [CONNECTIONS [WINDOW [SIZE]]]\n"
           "       %s --idle N HOST PORT [HOLD]\n"
           "  DURATION 0.1..3600 s; CONNECTIONS 1..%d (default 8);"
           " WINDOW 1..%d lines (default 16);\n"
           "  SIZE %d..%d bytes per line, '\\n' included (default 64);"
           " N 1..%d; HOLD 1..3600 s (default 60)\n",
           argv0, argv0, MAX_LOAD_CONNS, MAX_WINDOW, MIN_SIZE, MAX_SIZE, MAX_CONNECTIONS);
}

int
main (int argc, char **argv)
{
  double duration, n = 8, window = 16, size = 64, hold = 60;

  if (argc >= 2 && strcmp (argv[1], "--idle") == 0)
    {
      if (argc < 5 || argc > 6
          || parse_number (argv[2], 1, MAX_CONNECTIONS, &n) < 0
          || (argc > 5 && parse_number (argv[5], 1, 3600, &hold) < 0))
        {
          usage (argv[0]);
          return 2;
        }
      return run_idle (argv[3], argv[4], (unsigned int) n, hold);
    }

  if (argc < 4 || argc > 7
      || parse_number (argv[3], 0.1, 3600, &duration) < 0
      || (argc > 4 && parse_number (argv[4], 1, MAX_LOAD_CONNS, &n) < 0)
      || (argc > 5 && parse_number (argv[5], 1, MAX_WINDOW, &window) < 0)
      || (argc > 6 && parse_number (argv[6], MIN_SIZE, MAX_SIZE, &size) < 0))
    {
      usage (argv[0]);
      return 2;
    }
  return run_load (argv[1], argv[2], duration, (unsigned int) n,
                   (unsigned int) window, (size_t) size);
}
