/* tcp-echo-min.c — the reference for bench/tcp.sh: the smallest honest TCP
 * echo server, one non-blocking epoll loop that reads what a connection sends
 * and writes the same bytes back, and nothing else.  It knows nothing of
 * lines: echoing the byte stream as it comes echoes every line.
 *
 * Usage: tcp-echo-min PORT
 *
 * Binds 127.0.0.1:PORT (0 = any free port) and prints, flushed at once, one
 * line in the form `crosstalk-cli serve tcp --json` announces itself, so that
 * tcp.sh reads both servers the same way (and can be tried with this one as
 * CT_SERVER_CMD):
 *   {"direction":"info","event":"listening","address":"127.0.0.1:PORT"}
 * Nothing else is printed unless something fails.  Exits on SIGTERM or
 * SIGINT.
 *
 * Per readiness event a connection gets one read() of up to 64 KiB and one
 * write() of what was read.  If the write is short (the peer is not reading),
 * the rest is kept and the connection waits for EPOLLOUT instead of reading
 * more, so nothing is lost and memory stays bounded.  No connection limit
 * beyond the file-descriptor limit.
 *
 * Plain POSIX C plus Linux epoll; no GLib.
 */

#define _GNU_SOURCE /* accept4 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_SIZE     65536
#define MAX_EVENTS   256
#define ACCEPT_BATCH 64     /* accepts per readiness event of the listener */

typedef struct
{
  int fd;
  unsigned char *pending;   /* bytes read but not yet written back */
  size_t off;
  size_t len;
} Conn;

/* Leave at once: the kernel closes every socket. */
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

static void
close_conn (Conn *c)
{
  close (c->fd); /* also removes it from the epoll set */
  free (c->pending);
  free (c);
}

static int
want (int ep, Conn *c, unsigned int events)
{
  struct epoll_event ev;

  memset (&ev, 0, sizeof ev);
  ev.events = events;
  ev.data.ptr = c;
  return epoll_ctl (ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Accepts what is waiting, a bounded number at a time (level-triggered: the
 * rest comes with the next epoll_wait). */
static void
accept_some (int ep, int listener)
{
  int i;

  for (i = 0; i < ACCEPT_BATCH; i++)
    {
      struct epoll_event ev;
      Conn *c;
      int fd;

      fd = accept4 (listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0)
        {
          if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR
              && errno != ECONNABORTED)
            perror ("tcp-echo-min: accept4");
          return;
        }
      c = calloc (1, sizeof *c);
      if (c == NULL)
        {
          close (fd);
          return;
        }
      c->fd = fd;
      memset (&ev, 0, sizeof ev);
      ev.events = EPOLLIN;
      ev.data.ptr = c;
      if (epoll_ctl (ep, EPOLL_CTL_ADD, fd, &ev) < 0)
        {
          perror ("tcp-echo-min: epoll_ctl");
          close_conn (c);
        }
    }
}

/* Writes back what is pending; once it is all out, reads again. */
static void
flush_pending (int ep, Conn *c)
{
  ssize_t w = write (c->fd, c->pending + c->off, c->len - c->off);

  if (w < 0)
    {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return;
      close_conn (c);
      return;
    }
  c->off += (size_t) w;
  if (c->off == c->len)
    {
      c->off = c->len = 0;
      if (want (ep, c, EPOLLIN) < 0)
        close_conn (c);
    }
}

/* One read, one write of the same bytes. */
static void
echo_once (int ep, Conn *c)
{
  static unsigned char buf[BUF_SIZE];
  ssize_t n, w;

  n = read (c->fd, buf, sizeof buf);
  if (n == 0)
    {
      close_conn (c); /* the peer is done */
      return;
    }
  if (n < 0)
    {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        close_conn (c); /* reset and the like */
      return;
    }

  w = write (c->fd, buf, (size_t) n);
  if (w < 0)
    {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        {
          close_conn (c);
          return;
        }
      w = 0;
    }
  if (w < n)
    {
      /* Short write: keep the rest, stop reading until it is out. */
      unsigned char *p = realloc (c->pending, (size_t) (n - w));

      if (p == NULL)
        {
          close_conn (c);
          return;
        }
      memcpy (p, buf + w, (size_t) (n - w));
      c->pending = p;
      c->off = 0;
      c->len = (size_t) (n - w);
      if (want (ep, c, EPOLLOUT) < 0)
        close_conn (c);
    }
}

int
main (int argc, char **argv)
{
  struct epoll_event events[MAX_EVENTS];
  struct epoll_event ev;
  struct sigaction sa;
  struct sockaddr_in addr;
  socklen_t addr_len = sizeof addr;
  int one = 1;
  int port;
  int listener;
  int ep;

  if (argc != 2 || (port = parse_port (argv[1])) < 0)
    {
      fprintf (stderr, "usage: %s PORT   (0 = any free port)\n", argv[0]);
      return 2;
    }

  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset (&sa.sa_mask);
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGINT, &sa, NULL); /* even if started in the background */
  signal (SIGPIPE, SIG_IGN);     /* a write to a reset peer is just an error */

  listener = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listener < 0)
    {
      perror ("tcp-echo-min: socket");
      return 1;
    }
  setsockopt (listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);

  memset (&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons ((unsigned short) port);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (bind (listener, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      perror ("tcp-echo-min: bind");
      return 1;
    }
  if (listen (listener, SOMAXCONN) < 0)
    {
      perror ("tcp-echo-min: listen");
      return 1;
    }
  if (getsockname (listener, (struct sockaddr *) &addr, &addr_len) < 0)
    {
      perror ("tcp-echo-min: getsockname");
      return 1;
    }

  ep = epoll_create1 (EPOLL_CLOEXEC);
  if (ep < 0)
    {
      perror ("tcp-echo-min: epoll_create1");
      return 1;
    }
  memset (&ev, 0, sizeof ev);
  ev.events = EPOLLIN;
  ev.data.ptr = NULL; /* NULL marks the listener; connections carry a Conn */
  if (epoll_ctl (ep, EPOLL_CTL_ADD, listener, &ev) < 0)
    {
      perror ("tcp-echo-min: epoll_ctl");
      return 1;
    }

  printf ("{\"direction\":\"info\",\"event\":\"listening\","
          "\"address\":\"127.0.0.1:%u\"}\n",
          (unsigned) ntohs (addr.sin_port));
  fflush (stdout);

  for (;;)
    {
      int n = epoll_wait (ep, events, MAX_EVENTS, -1);
      int i;

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          perror ("tcp-echo-min: epoll_wait");
          return 1;
        }
      for (i = 0; i < n; i++)
        {
          Conn *c = events[i].data.ptr;

          if (c == NULL)
            accept_some (ep, listener);
          else if (c->len > 0)
            flush_pending (ep, c); /* only EPOLLOUT (or an error) is asked for */
          else
            echo_once (ep, c);
        }
    }
}
