/* chat-load.c — load generator for bench/chat.sh: N WebSocket clients of a
 * chat server in the chat format (docs/protocols/chat.md), each sending
 * messages as fast as the server takes them, every delivery checked.
 *
 * Usage:
 *   chat-load [--warmup S] [--drain S] [--sample] ws://HOST:PORT/PATH DURATION
 *             [CLIENTS [WINDOW]]
 *
 * HOST must be a numeric loopback address (127.x.y.z or ::1 in brackets);
 * nothing is sent anywhere else.  CLIENTS defaults to 20, WINDOW to 8.
 *
 * What each client does, on its own connection (raw non-blocking sockets and
 * epoll, a minimal WebSocket client written here — no libsoup, no GLib):
 *   1. the HTTP/1.1 upgrade handshake (Sec-WebSocket-Key, and the server's
 *      Sec-WebSocket-Accept checked; no extension and no subprotocol
 *      offered, so no compression);
 *   2. {"type":"join","nick":"bI"} (I: the client's number from 0), then it
 *      waits for its confirmation, a "join" frame carrying "you":true;
 *   3. once EVERY client has its confirmation — so that the server has put
 *      them all in its room before the first message — each sends
 *      {"type":"message","text":"m I SEQ"} (SEQ from 0 up), keeping at most
 *      WINDOW of its own messages in flight: sent, but its own copy of the
 *      broadcast not yet back.  Each copy that comes back lets the next one
 *      go: "as fast as the server accepts them", with bounded queues.
 * Client frames are masked (a fresh key per frame), one frame per message,
 * written with TCP_NODELAY.  Server frames are parsed in full: 7-, 16- and
 * 64-bit lengths, fragmented messages (continuation frames, with control
 * frames between them), pings (answered with a pong), close (reported with
 * its code and reason).
 *
 * Every client reads every frame.  A text frame is a JSON object; its
 * top-level keys are scanned (nested arrays and objects — the welcome's
 * users and history — are skipped whole).  A "message" whose "text" is
 * "m I SEQ", I one of our clients and SEQ one it has sent, is a delivery.
 * For each (receiver, sender) pair SEQ must arrive strictly in order, 0, 1,
 * 2, ...: a SEQ past the next one expected (a gap) counts as delivered and
 * out of order, and the SEQs it skipped are remembered (up to 65536 per
 * receiver); one of those arriving later counts as delivered and out of
 * order; any other SEQ behind the next one expected is a duplicate, not a
 * delivery.  An "error" frame is shown (the first few) and counted.  Other
 * messages (another text, or binary) are "foreign".
 *
 * Timeline, after all have joined: WARMUP seconds of load (default 1) that
 * are not counted in the rate, then DURATION seconds counted, then no new
 * message is sent and the clients drain: they read until every message
 * sent (warm-up included) has reached every client, or DRAIN seconds
 * (default 10) have passed.  Then
 *   expected  = messages sent x CLIENTS (every one goes to everyone,
 *               its sender included)
 *   lost      = expected - delivered
 * and one line on stdout:
 *   chat_load deliveries_per_s R clients N window W seconds T sent S
 *     sent_measured SM expected E delivered D lost L out_of_order O
 *     duplicates U foreign F error_frames X errors Z drain_s T2 load_cpu P
 * (on one line): R = deliveries received during the DURATION seconds,
 * divided by their length; sent_measured the messages sent in them; errors
 * the connections that failed; load_cpu this process's CPU over the counted
 * time, in percent.  A one-line summary goes to stderr too.  Exit status 0
 * if something was delivered and nothing was lost, out of order,
 * duplicated, refused (error frames) or broken; 1 otherwise (the line is printed either way
 * once all clients have joined); 2 for bad arguments.
 *
 * --sample: the first frame of each type that client 0 receives (welcome,
 * join, message, ...) is written to stderr as "sample TYPE FRAME" (at most
 * 300 bytes of it), for the script to show what the server sends.
 *
 * Bounded: connecting, the handshakes and the joins get 30 s in all; every
 * epoll_wait() has a timeout; the main loop has an iteration cap; alarm()
 * ends the process a few seconds after it should have finished.
 *
 * Plain POSIX C plus Linux epoll; SHA-1 and base64 for the handshake are
 * here too.
 */

#define _GNU_SOURCE /* SOCK_NONBLOCK, SOCK_CLOEXEC, memmem */

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define SETUP_TIMEOUT_S   30.0        /* connect + handshake + join, all clients */
#define MAX_CLIENTS       10000
#define MAX_WINDOW        4096
#define MAX_MESSAGE       (16u << 20) /* bytes in one server message */
#define READ_MIN          65536       /* free room before each recv() */
#define MAX_EVENTS        256
#define MAX_SHOWN_ERRORS  5
#define SAMPLE_BYTES      300
#define MAX_MISSING       65536       /* gaps remembered per receiver */
#define WS_GUID           "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

enum
{
  ST_CONNECTING,  /* connect() in progress */
  ST_HANDSHAKE,   /* upgrade request sent, waiting for the 101 */
  ST_JOINING,     /* join sent, waiting for "you":true */
  ST_READY,       /* joined */
  ST_DEAD
};

typedef struct
{
  unsigned int sender;
  uint64_t seq;
} Missing;

typedef struct
{
  int fd;
  unsigned int id;
  int state;
  int epoll_out;             /* EPOLLOUT is being watched */
  char key[32];              /* Sec-WebSocket-Key sent */
  char accept[32];           /* the Sec-WebSocket-Accept it calls for */
  unsigned char *in;         /* bytes read, not yet parsed */
  size_t in_len, in_cap;
  unsigned char *msg;        /* a fragmented message being put together */
  size_t msg_len, msg_cap;
  int msg_opcode;            /* 0: no fragmented message in progress */
  unsigned char *out;        /* bytes to write */
  size_t out_off, out_len, out_cap;
  uint64_t sent;             /* messages this client has sent (queued) */
  uint64_t *next;            /* next SEQ expected from each sender */
  Missing *missing;          /* SEQs skipped by a gap, not yet arrived */
  size_t n_missing, missing_cap;
} Client;

typedef struct
{
  Client *clients;
  unsigned int n;
  unsigned int window;
  int ep;
  int sending;               /* new messages may be queued */
  int counting;              /* deliveries count towards the rate */
  int sample;
  unsigned int sampled;      /* bit per frame type already sampled */
  unsigned int joined;
  uint64_t sent;             /* all messages, all clients */
  uint64_t sent_measured;
  uint64_t delivered;
  uint64_t delivered_measured;
  uint64_t out_of_order;
  uint64_t duplicates;
  uint64_t untracked;        /* gaps too many to remember */
  uint64_t foreign;
  uint64_t error_frames;
  uint64_t errors;           /* connections that failed */
  uint64_t rng;
} Load;

static Load load;
static char url_hostport[300];   /* HOST:PORT as in the URL: the Host header */
static const char *url_path;     /* the request target */

/* ---- small things ----------------------------------------------------- */

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

static void *
xrealloc (void *p, size_t n)
{
  p = realloc (p, n);
  if (p == NULL)
    {
      fprintf (stderr, "chat-load: out of memory\n");
      exit (1);
    }
  return p;
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

/* xorshift64*: the masking keys (RFC 6455 wants them unpredictable to
 * proxies; a seeded PRNG is plenty for a benchmark on the loopback). */
static uint32_t
rand32 (void)
{
  uint64_t x = load.rng;

  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  load.rng = x;
  return (uint32_t) ((x * 0x2545F4914F6CDD1DULL) >> 32);
}

static void
raise_nofile (rlim_t needed)
{
  struct rlimit rl;

  if (getrlimit (RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= needed)
    return;
  rl.rlim_cur = (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < needed) ? rl.rlim_max : needed;
  if (setrlimit (RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < needed)
    fprintf (stderr, "chat-load: warning: can only have %llu open files, %llu wanted\n",
             (unsigned long long) rl.rlim_cur, (unsigned long long) needed);
}

/* Writes up to MAX bytes of BYTES to stderr, escaped. */
static void
show_bytes (const unsigned char *bytes, size_t n, size_t max)
{
  size_t i;

  for (i = 0; i < n && i < max; i++)
    {
      if (bytes[i] >= 0x20 && bytes[i] < 0x7f)
        fputc (bytes[i], stderr);
      else
        fprintf (stderr, "\\x%02x", bytes[i]);
    }
  if (n > max)
    fprintf (stderr, "...(%zu bytes)", n);
}

/* ---- SHA-1 and base64, for the handshake ------------------------------ */

static uint32_t
rol (uint32_t x, int k)
{
  return (x << k) | (x >> (32 - k));
}

static void
sha1_block (uint32_t h[5], const unsigned char *p)
{
  uint32_t w[80], a, b, c, d, e, f, k, t;
  int i;

  for (i = 0; i < 16; i++)
    w[i] = (uint32_t) p[4 * i] << 24 | (uint32_t) p[4 * i + 1] << 16
           | (uint32_t) p[4 * i + 2] << 8 | (uint32_t) p[4 * i + 3];
  for (i = 16; i < 80; i++)
    w[i] = rol (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
  a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4];
  for (i = 0; i < 80; i++)
    {
      if (i < 20)      { f = (b & c) | (~b & d);          k = 0x5A827999; }
      else if (i < 40) { f = b ^ c ^ d;                   k = 0x6ED9EBA1; }
      else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDC; }
      else             { f = b ^ c ^ d;                   k = 0xCA62C1D6; }
      t = rol (a, 5) + f + e + k + w[i];
      e = d; d = c; c = rol (b, 30); b = a; a = t;
    }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
}

static void
sha1 (const unsigned char *data, size_t len, unsigned char out[20])
{
  uint32_t h[5] = { 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0 };
  unsigned char block[64];
  uint64_t bits = (uint64_t) len * 8;
  size_t i, rest;

  for (i = 0; i + 64 <= len; i += 64)
    sha1_block (h, data + i);
  rest = len - i;
  memset (block, 0, sizeof block);
  memcpy (block, data + i, rest);
  block[rest] = 0x80;
  if (rest >= 56)
    {
      sha1_block (h, block);
      memset (block, 0, sizeof block);
    }
  for (i = 0; i < 8; i++)
    block[63 - i] = (unsigned char) (bits >> (8 * i));
  sha1_block (h, block);
  for (i = 0; i < 5; i++)
    {
      out[4 * i] = (unsigned char) (h[i] >> 24);
      out[4 * i + 1] = (unsigned char) (h[i] >> 16);
      out[4 * i + 2] = (unsigned char) (h[i] >> 8);
      out[4 * i + 3] = (unsigned char) h[i];
    }
}

static void
base64 (const unsigned char *in, size_t len, char *out)
{
  static const char tab[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i;

  for (i = 0; i + 2 < len; i += 3)
    {
      *out++ = tab[in[i] >> 2];
      *out++ = tab[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
      *out++ = tab[((in[i + 1] & 15) << 2) | (in[i + 2] >> 6)];
      *out++ = tab[in[i + 2] & 63];
    }
  if (len - i == 1)
    {
      *out++ = tab[in[i] >> 2];
      *out++ = tab[(in[i] & 3) << 4];
      *out++ = '=';
      *out++ = '=';
    }
  else if (len - i == 2)
    {
      *out++ = tab[in[i] >> 2];
      *out++ = tab[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
      *out++ = tab[(in[i + 1] & 15) << 2];
      *out++ = '=';
    }
  *out = '\0';
}

/* ---- connections ------------------------------------------------------ */

static void
set_events (Client *c, int want_out)
{
  struct epoll_event ev;

  if (c->state == ST_DEAD || c->epoll_out == want_out)
    return;
  memset (&ev, 0, sizeof ev);
  ev.events = EPOLLIN | (want_out ? EPOLLOUT : 0);
  ev.data.ptr = c;
  if (epoll_ctl (load.ep, EPOLL_CTL_MOD, c->fd, &ev) == 0)
    c->epoll_out = want_out;
}

static void
kill_client (Client *c, const char *why)
{
  if (c->state == ST_DEAD)
    return;
  fprintf (stderr, "chat-load: client %u: %s\n", c->id, why);
  close (c->fd); /* also leaves the epoll set */
  c->state = ST_DEAD;
  load.errors++;
}

static void
out_reserve (Client *c, size_t more)
{
  if (c->out_off > 0 && c->out_off == c->out_len)
    c->out_off = c->out_len = 0;
  if (c->out_len + more <= c->out_cap)
    return;
  if (c->out_off > 0)
    {
      memmove (c->out, c->out + c->out_off, c->out_len - c->out_off);
      c->out_len -= c->out_off;
      c->out_off = 0;
      if (c->out_len + more <= c->out_cap)
        return;
    }
  c->out_cap = (c->out_len + more) * 2;
  c->out = xrealloc (c->out, c->out_cap);
}

/* Queues one masked client frame. */
static void
queue_frame (Client *c, int opcode, const void *payload, size_t len)
{
  unsigned char *p, mask[4];
  uint32_t key = rand32 ();
  size_t i, h = 0;

  out_reserve (c, len + 14);
  p = c->out + c->out_len;
  p[h++] = (unsigned char) (0x80 | opcode);
  if (len < 126)
    p[h++] = (unsigned char) (0x80 | len);
  else if (len <= 0xffff)
    {
      p[h++] = 0x80 | 126;
      p[h++] = (unsigned char) (len >> 8);
      p[h++] = (unsigned char) len;
    }
  else
    {
      p[h++] = 0x80 | 127;
      for (i = 0; i < 8; i++)
        p[h++] = (unsigned char) ((uint64_t) len >> (8 * (7 - i)));
    }
  memcpy (mask, &key, 4);
  memcpy (p + h, mask, 4);
  h += 4;
  for (i = 0; i < len; i++)
    p[h + i] = ((const unsigned char *) payload)[i] ^ mask[i & 3];
  c->out_len += h + len;
}

/* Writes what is queued; a short write waits for EPOLLOUT. */
static void
flush (Client *c)
{
  while (c->state != ST_DEAD && c->out_off < c->out_len)
    {
      ssize_t w = send (c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

      if (w < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            {
              set_events (c, 1);
              return;
            }
          kill_client (c, strerror (errno));
          return;
        }
      c->out_off += (size_t) w;
    }
  if (c->out_off == c->out_len)
    {
      c->out_off = c->out_len = 0;
      set_events (c, 0);
    }
}

/* Tops the client's window up with new messages, and writes. */
static void
pump (Client *c)
{
  if (c->state == ST_READY && load.sending)
    {
      uint64_t in_flight = c->sent - c->next[c->id];
      char text[96];

      while (in_flight < load.window)
        {
          int len = snprintf (text, sizeof text,
                              "{\"type\":\"message\",\"text\":\"m %u %llu\"}",
                              c->id, (unsigned long long) c->sent);

          queue_frame (c, 0x1, text, (size_t) len);
          c->sent++;
          load.sent++;
          if (load.counting)
            load.sent_measured++;
          in_flight++;
        }
    }
  flush (c);
}

static void
send_handshake (Client *c, const char *hostport, const char *path)
{
  unsigned char nonce[16], digest[20];
  char joined[96];
  char request[1024];
  int len;
  size_t i;

  for (i = 0; i < sizeof nonce; i += 4)
    {
      uint32_t r = rand32 ();
      memcpy (nonce + i, &r, 4);
    }
  base64 (nonce, sizeof nonce, c->key);
  snprintf (joined, sizeof joined, "%s%s", c->key, WS_GUID);
  sha1 ((const unsigned char *) joined, strlen (joined), digest);
  base64 (digest, sizeof digest, c->accept);

  len = snprintf (request, sizeof request,
                  "GET %s HTTP/1.1\r\n"
                  "Host: %s\r\n"
                  "Upgrade: websocket\r\n"
                  "Connection: Upgrade\r\n"
                  "Sec-WebSocket-Key: %s\r\n"
                  "Sec-WebSocket-Version: 13\r\n"
                  "\r\n",
                  path, hostport, c->key);
  out_reserve (c, (size_t) len);
  memcpy (c->out + c->out_len, request, (size_t) len);
  c->out_len += (size_t) len;
  c->state = ST_HANDSHAKE;
  flush (c);
}

static void
send_join (Client *c)
{
  char text[64];
  int len = snprintf (text, sizeof text, "{\"type\":\"join\",\"nick\":\"b%u\"}", c->id);

  queue_frame (c, 0x1, text, (size_t) len);
  c->state = ST_JOINING;
  flush (c);
}

/* ---- what the server says --------------------------------------------- */

/* The value of a header in the response head HEAD (NUL-terminated), copied
 * into OUT; 0 if absent. */
static int
header_value (const char *head, const char *name, char *out, size_t size)
{
  size_t nlen = strlen (name);
  const char *line = strstr (head, "\r\n");

  while (line != NULL && line[2] != '\r' && line[2] != '\0')
    {
      const char *p = line + 2;
      const char *end = strstr (p, "\r\n");
      size_t n;

      if (end == NULL)
        return 0;
      if ((size_t) (end - p) > nlen && strncasecmp (p, name, nlen) == 0 && p[nlen] == ':')
        {
          p += nlen + 1;
          while (*p == ' ' || *p == '\t')
            p++;
          n = (size_t) (end - p);
          while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
          if (n >= size)
            n = size - 1;
          memcpy (out, p, n);
          out[n] = '\0';
          return 1;
        }
      line = end;
    }
  return 0;
}

/* Reads the 101 response from the start of c->in; returns the bytes it
 * took, 0 if it is not all there yet, -1 if the handshake failed. */
static ssize_t
take_handshake (Client *c)
{
  unsigned char *end = memmem (c->in, c->in_len, "\r\n\r\n", 4);
  char head[4096], value[128];
  size_t n;

  if (end == NULL)
    {
      if (c->in_len > 16384)
        {
          kill_client (c, "the handshake response is over 16 KiB");
          return -1;
        }
      return 0;
    }
  n = (size_t) (end - c->in) + 4;
  memcpy (head, c->in, n < sizeof head ? n : sizeof head - 1);
  head[n < sizeof head ? n : sizeof head - 1] = '\0';
  if (strncmp (head, "HTTP/1.1 101", 12) != 0)
    {
      char *eol = strstr (head, "\r\n");

      if (eol != NULL)
        *eol = '\0';
      fprintf (stderr, "chat-load: client %u: the server answered the upgrade with \"%s\"\n",
               c->id, head);
      kill_client (c, "no WebSocket");
      return -1;
    }
  if (!header_value (head, "Sec-WebSocket-Accept", value, sizeof value)
      || strcmp (value, c->accept) != 0)
    {
      kill_client (c, "missing or wrong Sec-WebSocket-Accept in the 101 response");
      return -1;
    }
  if (header_value (head, "Sec-WebSocket-Extensions", value, sizeof value))
    {
      kill_client (c, "the server chose an extension we did not offer");
      return -1;
    }
  return (ssize_t) n;
}

typedef struct
{
  const unsigned char *type;  /* raw string contents (escapes left as they are) */
  size_t type_len;
  const unsigned char *text;
  size_t text_len;
  int you;                    /* "you":true */
} Fields;

static const unsigned char *
skip_ws (const unsigned char *p, const unsigned char *end)
{
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
    p++;
  return p;
}

/* P at an opening quote: returns the closing quote (or NULL). */
static const unsigned char *
string_end (const unsigned char *p, const unsigned char *end)
{
  for (p++; p < end; p++)
    {
      if (*p == '\\')
        p++;
      else if (*p == '"')
        return p;
    }
  return NULL;
}

/* P at a value: returns what follows it (or NULL if malformed). */
static const unsigned char *
skip_value (const unsigned char *p, const unsigned char *end)
{
  int depth = 0;

  if (p >= end)
    return NULL;
  if (*p == '"')
    {
      p = string_end (p, end);
      return p != NULL ? p + 1 : NULL;
    }
  if (*p != '{' && *p != '[')
    {
      while (p < end && *p != ',' && *p != '}' && *p != ']'
             && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
        p++;
      return p;
    }
  for (; p < end; p++)
    {
      if (*p == '"')
        {
          p = string_end (p, end);
          if (p == NULL)
            return NULL;
        }
      else if (*p == '{' || *p == '[')
        depth++;
      else if (*p == '}' || *p == ']')
        {
          if (--depth == 0)
            return p + 1;
        }
    }
  return NULL;
}

#define KEY_IS(k, klen, lit) ((klen) == sizeof (lit) - 1 && memcmp ((k), (lit), (klen)) == 0)

/* Scans the top-level keys of a JSON object; 0 if it is not one. */
static int
scan_object (const unsigned char *p, size_t len, Fields *f)
{
  const unsigned char *end = p + len;

  memset (f, 0, sizeof *f);
  p = skip_ws (p, end);
  if (p >= end || *p != '{')
    return 0;
  p = skip_ws (p + 1, end);
  if (p < end && *p == '}')
    return 1;
  while (p < end)
    {
      const unsigned char *k, *kend, *v, *vend;

      if (*p != '"' || (kend = string_end (p, end)) == NULL)
        return 0;
      k = p + 1;
      p = skip_ws (kend + 1, end);
      if (p >= end || *p != ':')
        return 0;
      v = skip_ws (p + 1, end);
      vend = skip_value (v, end);
      if (vend == NULL)
        return 0;
      if (*v == '"')
        {
          if (KEY_IS (k, (size_t) (kend - k), "type"))
            {
              f->type = v + 1;
              f->type_len = (size_t) (vend - v) - 2;
            }
          else if (KEY_IS (k, (size_t) (kend - k), "text"))
            {
              f->text = v + 1;
              f->text_len = (size_t) (vend - v) - 2;
            }
        }
      else if (KEY_IS (k, (size_t) (kend - k), "you") && vend - v == 4 && memcmp (v, "true", 4) == 0)
        f->you = 1;
      p = skip_ws (vend, end);
      if (p < end && *p == ',')
        p = skip_ws (p + 1, end);
      else if (p < end && *p == '}')
        return 1;
      else
        return 0;
    }
  return 0;
}

/* "m I SEQ" -> I, SEQ; 0 if the text is not that. */
static int
parse_text (const unsigned char *t, size_t len, uint64_t *who, uint64_t *seq)
{
  const unsigned char *end = t + len;
  uint64_t a = 0, b = 0;
  int na = 0, nb = 0;

  if (len < 5 || t[0] != 'm' || t[1] != ' ')
    return 0;
  for (t += 2; t < end && *t >= '0' && *t <= '9' && na < 10; t++, na++)
    a = a * 10 + (uint64_t) (*t - '0');
  if (na == 0 || t >= end || *t != ' ')
    return 0;
  for (t++; t < end && *t >= '0' && *t <= '9' && nb < 19; t++, nb++)
    b = b * 10 + (uint64_t) (*t - '0');
  if (nb == 0 || t != end)
    return 0;
  *who = a;
  *seq = b;
  return 1;
}

static void
sample (const char *type, const unsigned char *frame, size_t len, unsigned int bit)
{
  if (!load.sample || (load.sampled & bit))
    return;
  load.sampled |= bit;
  fprintf (stderr, "sample %s ", type);
  show_bytes (frame, len, SAMPLE_BYTES);
  fputc ('\n', stderr);
}

/* A whole message (text, or binary) has arrived on C. */
static void
take_message (Client *c, int opcode, const unsigned char *data, size_t len)
{
  Fields f;
  uint64_t who, seq;

  if (opcode != 0x1 || !scan_object (data, len, &f) || f.type == NULL)
    {
      load.foreign++;
      if (c->id == 0)
        sample ("other", data, len, 1u << 0);
      return;
    }

  if (KEY_IS (f.type, f.type_len, "message"))
    {
      uint64_t *next;

      if (c->id == 0)
        sample ("message", data, len, 1u << 1);
      if (f.text == NULL || !parse_text (f.text, f.text_len, &who, &seq)
          || who >= load.n || seq >= load.clients[who].sent)
        {
          load.foreign++;
          return;
        }
      next = &c->next[who];
      if (seq != *next)
        {
          if (seq < *next)
            {
              /* Late (filling a gap) or a duplicate. */
              size_t k;

              for (k = 0; k < c->n_missing; k++)
                if (c->missing[k].seq == seq && c->missing[k].sender == who)
                  break;
              if (k == c->n_missing)
                {
                  load.duplicates++;
                  return;
                }
              load.out_of_order++;
              c->missing[k] = c->missing[--c->n_missing];
              load.delivered++;
              if (load.counting)
                load.delivered_measured++;
              return;
            }
          /* A gap: remember what it skipped, as far as there is room. */
          load.out_of_order++;
          for (; *next < seq; (*next)++)
            {
              if (c->n_missing == MAX_MISSING)
                {
                  load.untracked += seq - *next;
                  break;
                }
              if (c->n_missing == c->missing_cap)
                {
                  c->missing_cap = c->missing_cap ? c->missing_cap * 2 : 64;
                  c->missing = xrealloc (c->missing, c->missing_cap * sizeof *c->missing);
                }
              c->missing[c->n_missing].sender = (unsigned int) who;
              c->missing[c->n_missing].seq = *next;
              c->n_missing++;
            }
        }
      *next = seq + 1;
      load.delivered++;
      if (load.counting)
        load.delivered_measured++;
    }
  else if (KEY_IS (f.type, f.type_len, "join"))
    {
      if (c->id == 0)
        sample (f.you ? "join-you" : "join", data, len, f.you ? 1u << 2 : 1u << 3);
      if (f.you && c->state == ST_JOINING)
        {
          c->state = ST_READY;
          load.joined++;
        }
    }
  else if (KEY_IS (f.type, f.type_len, "error"))
    {
      if (load.error_frames < MAX_SHOWN_ERRORS)
        {
          fprintf (stderr, "chat-load: client %u got an error frame: ", c->id);
          show_bytes (data, len, SAMPLE_BYTES);
          fputc ('\n', stderr);
        }
      load.error_frames++;
    }
  else if (c->id == 0)
    {
      if (KEY_IS (f.type, f.type_len, "welcome"))
        sample ("welcome", data, len, 1u << 4);
      else if (KEY_IS (f.type, f.type_len, "leave"))
        sample ("leave", data, len, 1u << 5);
      else
        sample ("other", data, len, 1u << 0);
    }
}

/* Parses the frames in c->in; returns -1 if the connection is gone. */
static int
take_frames (Client *c)
{
  size_t pos = 0;

  while (c->state != ST_DEAD && c->in_len - pos >= 2)
    {
      const unsigned char *p = c->in + pos;
      size_t avail = c->in_len - pos, h = 2;
      uint64_t len = p[1] & 0x7f;
      int fin = (p[0] & 0x80) != 0;
      int opcode = p[0] & 0x0f;
      const unsigned char *payload;

      if (p[0] & 0x70)
        {
          kill_client (c, "a frame with RSV bits set (no extension was negotiated)");
          return -1;
        }
      if (p[1] & 0x80)
        {
          kill_client (c, "a masked frame from the server");
          return -1;
        }
      if (len == 126)
        {
          if (avail < 4)
            break;
          len = (uint64_t) p[2] << 8 | p[3];
          h = 4;
        }
      else if (len == 127)
        {
          int i;

          if (avail < 10)
            break;
          len = 0;
          for (i = 0; i < 8; i++)
            len = len << 8 | p[2 + i];
          h = 10;
        }
      if (len > MAX_MESSAGE)
        {
          kill_client (c, "a frame over 16 MiB");
          return -1;
        }
      if (avail < h + len)
        {
          /* Room for the whole frame, then wait for the rest. */
          if (h + len > c->in_cap - pos)
            {
              if (pos > 0)
                {
                  memmove (c->in, c->in + pos, c->in_len - pos);
                  c->in_len -= pos;
                  pos = 0;
                }
              if (h + len + READ_MIN > c->in_cap)
                {
                  c->in_cap = h + len + READ_MIN;
                  c->in = xrealloc (c->in, c->in_cap);
                }
            }
          break;
        }
      payload = p + h;

      if (opcode >= 0x8)
        {
          if (!fin || len > 125)
            {
              kill_client (c, "a fragmented or oversized control frame");
              return -1;
            }
          if (opcode == 0x8)
            {
              char why[200];
              unsigned int code = len >= 2 ? (unsigned int) (payload[0] << 8 | payload[1]) : 1005;

              snprintf (why, sizeof why, "the server closed the connection: %u \"%.*s\"", code,
                        len > 2 ? (int) len - 2 : 0, len > 2 ? (const char *) payload + 2 : "");
              kill_client (c, why);
              return -1;
            }
          if (opcode == 0x9)
            {
              queue_frame (c, 0xA, payload, (size_t) len);
              flush (c);
            }
          /* 0xA (pong) and reserved control opcodes: nothing to do. */
        }
      else if (opcode == 0x1 || opcode == 0x2)
        {
          if (c->msg_opcode != 0)
            {
              kill_client (c, "a new message in the middle of a fragmented one");
              return -1;
            }
          if (fin)
            take_message (c, opcode, payload, (size_t) len);
          else
            {
              if (len > c->msg_cap)
                {
                  c->msg_cap = (size_t) len * 2 + 256;
                  c->msg = xrealloc (c->msg, c->msg_cap);
                }
              memcpy (c->msg, payload, (size_t) len);
              c->msg_len = (size_t) len;
              c->msg_opcode = opcode;
            }
        }
      else if (opcode == 0x0)
        {
          if (c->msg_opcode == 0)
            {
              kill_client (c, "a continuation frame outside a fragmented message");
              return -1;
            }
          if (c->msg_len + len > MAX_MESSAGE)
            {
              kill_client (c, "a fragmented message over 16 MiB");
              return -1;
            }
          if (c->msg_len + len > c->msg_cap)
            {
              c->msg_cap = (c->msg_len + (size_t) len) * 2;
              c->msg = xrealloc (c->msg, c->msg_cap);
            }
          memcpy (c->msg + c->msg_len, payload, (size_t) len);
          c->msg_len += (size_t) len;
          if (fin)
            {
              int op = c->msg_opcode;

              c->msg_opcode = 0;
              take_message (c, op, c->msg, c->msg_len);
            }
        }
      else
        {
          kill_client (c, "a frame with a reserved opcode");
          return -1;
        }
      pos += h + (size_t) len;
    }

  if (c->state == ST_DEAD)
    return -1;
  if (pos > 0)
    {
      memmove (c->in, c->in + pos, c->in_len - pos);
      c->in_len -= pos;
    }
  return 0;
}

/* Reads what has come on C and deals with it. */
static void
take_input (Client *c)
{
  int rounds;

  for (rounds = 0; rounds < 4 && c->state != ST_DEAD; rounds++)
    {
      ssize_t n;

      if (c->in_cap - c->in_len < READ_MIN)
        {
          c->in_cap = c->in_len + READ_MIN * 2;
          c->in = xrealloc (c->in, c->in_cap);
        }
      n = recv (c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
      if (n == 0)
        {
          kill_client (c, "the server closed the connection (EOF, no close frame)");
          return;
        }
      if (n < 0)
        {
          if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            kill_client (c, strerror (errno));
          return;
        }
      c->in_len += (size_t) n;

      if (c->state == ST_HANDSHAKE)
        {
          ssize_t used = take_handshake (c);

          if (used <= 0)
            {
              if (used == 0)
                continue;
              return;
            }
          memmove (c->in, c->in + used, c->in_len - (size_t) used);
          c->in_len -= (size_t) used;
          send_join (c);
        }
      if (take_frames (c) < 0)
        return;
      if ((size_t) n < READ_MIN)
        return; /* most likely all there was */
    }
}

/* ---- URL -------------------------------------------------------------- */

static int
parse_url (const char *url, char *host, size_t hsize, char *port, size_t psize,
           char *hostport, size_t hpsize, const char **path)
{
  const char *p, *colon, *slash;
  size_t n;

  if (strncmp (url, "ws://", 5) != 0)
    return -1;
  p = url + 5;
  slash = strchr (p, '/');
  *path = slash != NULL ? slash : "/";
  n = slash != NULL ? (size_t) (slash - p) : strlen (p);
  if (n == 0 || n >= hpsize)
    return -1;
  memcpy (hostport, p, n);
  hostport[n] = '\0';
  if (hostport[0] == '[')
    {
      char *rb = strchr (hostport, ']');

      if (rb == NULL || rb[1] != ':')
        return -1;
      if ((size_t) (rb - hostport - 1) >= hsize)
        return -1;
      memcpy (host, hostport + 1, (size_t) (rb - hostport - 1));
      host[rb - hostport - 1] = '\0';
      colon = rb + 1;
    }
  else
    {
      colon = strrchr (hostport, ':');
      if (colon == NULL || (size_t) (colon - hostport) >= hsize)
        return -1;
      memcpy (host, hostport, (size_t) (colon - hostport));
      host[colon - hostport] = '\0';
    }
  if (strlen (colon + 1) == 0 || strlen (colon + 1) >= psize)
    return -1;
  strcpy (port, colon + 1);
  return 0;
}

static int
is_loopback (const struct addrinfo *ai)
{
  if (ai->ai_family == AF_INET)
    {
      const struct sockaddr_in *sin = (const struct sockaddr_in *) ai->ai_addr;

      return (ntohl (sin->sin_addr.s_addr) >> 24) == 127;
    }
  if (ai->ai_family == AF_INET6)
    {
      const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *) ai->ai_addr;

      return IN6_IS_ADDR_LOOPBACK (&sin6->sin6_addr);
    }
  return 0;
}

/* ---- the run ---------------------------------------------------------- */

static void
usage (void)
{
  fprintf (stderr,
           "usage: chat-load [--warmup S] [--drain S] [--sample] ws://HOST:PORT/PATH DURATION"
           " [CLIENTS [WINDOW]]\n"
           "  HOST numeric, on the loopback; DURATION 0.1..3600 s; CLIENTS 1..%d (default 20);\n"
           "  WINDOW 1..%d messages in flight per client (default 8);\n"
           "  --warmup 0..60 s (default 1), --drain 0.1..120 s (default 10)\n",
           MAX_CLIENTS, MAX_WINDOW);
}

/* One pass of epoll_wait() and what it reports, waiting at most until DEADLINE. */
static int
poll_once (double deadline)
{
  struct epoll_event events[MAX_EVENTS];
  double now = now_s ();
  int timeout_ms, ready, k;

  if (deadline > now + 0.2)
    deadline = now + 0.2;
  timeout_ms = deadline > now ? (int) ((deadline - now) * 1000.0) + 1 : 0;
  ready = epoll_wait (load.ep, events, MAX_EVENTS, timeout_ms);
  if (ready < 0)
    {
      if (errno == EINTR)
        return 0;
      perror ("chat-load: epoll_wait");
      return -1;
    }
  for (k = 0; k < ready; k++)
    {
      Client *c = events[k].data.ptr;

      if (c->state == ST_DEAD)
        continue;
      if (c->state == ST_CONNECTING)
        {
          int err = 0;
          socklen_t len = sizeof err;

          if (getsockopt (c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
            err = errno;
          if (err != 0)
            {
              kill_client (c, strerror (err));
              continue;
            }
          c->epoll_out = 1;
          set_events (c, 0);
          send_handshake (c, url_hostport, url_path);
          continue;
        }
      if (events[k].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
        take_input (c);
      if (c->state != ST_DEAD)
        pump (c);
    }
  return 0;
}

int
main (int argc, char **argv)
{
  static char host[256], portstr[16];
  struct addrinfo hints, *ai = NULL;
  double warmup = 1.0, drain = 10.0, duration, n = 20, window = 8;
  double t_setup, t_start, t_measure, t_end, t_drain, now;
  double t0 = 0, t1 = 0, cpu0 = 0, cpu1 = 0, drain_used;
  uint64_t iterations = 0, max_iterations, expected, lost;
  unsigned int i, alive;
  int argi = 1, rc;

  while (argi < argc && strncmp (argv[argi], "--", 2) == 0)
    {
      if (strcmp (argv[argi], "--sample") == 0)
        {
          load.sample = 1;
          argi++;
        }
      else if (strcmp (argv[argi], "--warmup") == 0 && argi + 1 < argc
               && parse_number (argv[argi + 1], 0, 60, &warmup) == 0)
        argi += 2;
      else if (strcmp (argv[argi], "--drain") == 0 && argi + 1 < argc
               && parse_number (argv[argi + 1], 0.1, 120, &drain) == 0)
        argi += 2;
      else
        {
          usage ();
          return 2;
        }
    }
  if (argc - argi < 2 || argc - argi > 4
      || parse_url (argv[argi], host, sizeof host, portstr, sizeof portstr,
                    url_hostport, sizeof url_hostport, &url_path) < 0
      || parse_number (argv[argi + 1], 0.1, 3600, &duration) < 0
      || (argc - argi > 2 && parse_number (argv[argi + 2], 1, MAX_CLIENTS, &n) < 0)
      || (argc - argi > 3 && parse_number (argv[argi + 3], 1, MAX_WINDOW, &window) < 0))
    {
      usage ();
      return 2;
    }
  if (strlen (url_path) > 512)
    {
      fprintf (stderr, "chat-load: the path is too long\n");
      return 2;
    }

  /* The hard stop, whatever happens below. */
  alarm ((unsigned int) (SETUP_TIMEOUT_S + warmup + duration + drain) + 5);

  memset (&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  rc = getaddrinfo (host, portstr, &hints, &ai);
  if (rc != 0)
    {
      fprintf (stderr, "chat-load: %s:%s: %s\n", host, portstr, gai_strerror (rc));
      return 2;
    }
  if (!is_loopback (ai))
    {
      fprintf (stderr, "chat-load: %s is not a loopback address; refusing\n", host);
      return 2;
    }

  if (getrandom (&load.rng, sizeof load.rng, 0) != sizeof load.rng || load.rng == 0)
    load.rng = (uint64_t) time (NULL) * 0x9E3779B97F4A7C15ULL | 1;
  load.n = (unsigned int) n;
  load.window = (unsigned int) window;
  load.clients = calloc (load.n, sizeof *load.clients);
  if (load.clients == NULL)
    {
      fprintf (stderr, "chat-load: out of memory\n");
      return 1;
    }
  raise_nofile ((rlim_t) load.n + 32);
  load.ep = epoll_create1 (EPOLL_CLOEXEC);
  if (load.ep < 0)
    {
      perror ("chat-load: epoll_create1");
      return 1;
    }

  /* Connect everyone at once (non-blocking); the handshake goes out as each
   * connect completes. */
  for (i = 0; i < load.n; i++)
    {
      Client *c = &load.clients[i];
      struct epoll_event ev;
      int one = 1;

      c->id = i;
      c->next = calloc (load.n, sizeof *c->next);
      if (c->next == NULL)
        {
          fprintf (stderr, "chat-load: out of memory\n");
          return 1;
        }
      c->fd = socket (ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (c->fd < 0)
        {
          perror ("chat-load: socket");
          return 1;
        }
      setsockopt (c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      c->state = ST_CONNECTING;
      memset (&ev, 0, sizeof ev);
      ev.events = EPOLLOUT;
      ev.data.ptr = c;
      if (epoll_ctl (load.ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
        {
          perror ("chat-load: epoll_ctl");
          return 1;
        }
      c->epoll_out = 1;
      if (connect (c->fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS)
        kill_client (c, strerror (errno));
    }
  freeaddrinfo (ai);

  /* Setup: connect, handshake, join — bounded. */
  t_setup = now_s () + SETUP_TIMEOUT_S;
  max_iterations = (uint64_t) ((SETUP_TIMEOUT_S + warmup + duration + drain + 1) * 20e6);
  for (;;)
    {
      alive = 0;
      for (i = 0; i < load.n; i++)
        alive += load.clients[i].state != ST_DEAD;
      if (load.joined == load.n || alive < load.n)
        break;
      if (now_s () >= t_setup || iterations++ >= max_iterations)
        {
          fprintf (stderr, "chat-load: only %u of %u clients joined within %.0f s\n",
                   load.joined, load.n, SETUP_TIMEOUT_S);
          return 1;
        }
      if (poll_once (t_setup) < 0)
        return 1;
    }
  if (load.joined < load.n)
    {
      fprintf (stderr, "chat-load: %u of %u clients failed before all had joined\n",
               load.n - alive, load.n);
      return 1;
    }

  /* Load. */
  t_start = now_s ();
  t_measure = t_start + warmup;
  t_end = t_measure + duration;
  load.sending = 1;
  for (i = 0; i < load.n; i++)
    pump (&load.clients[i]);

  while (iterations++ < max_iterations)
    {
      now = now_s ();
      if (!load.counting && now >= t_measure)
        {
          load.counting = 1;
          t0 = now;
          cpu0 = cpu_s ();
        }
      if (now >= t_end)
        break;
      if (poll_once (load.counting ? t_end : t_measure) < 0)
        break;
    }
  load.sending = 0;
  now = now_s ();
  if (load.counting)
    {
      t1 = now;
      cpu1 = cpu_s ();
    }
  load.counting = 0;

  /* Drain: until everything sent has reached everyone, bounded. */
  t_drain = now + drain;
  expected = load.sent * load.n;
  while (load.delivered < expected && iterations++ < max_iterations)
    {
      alive = 0;
      for (i = 0; i < load.n; i++)
        alive += load.clients[i].state != ST_DEAD;
      if (alive == 0 || now_s () >= t_drain)
        break;
      if (poll_once (t_drain) < 0)
        break;
    }
  drain_used = now_s () - now;

  lost = expected > load.delivered ? expected - load.delivered : 0;
  printf ("chat_load deliveries_per_s %.0f clients %u window %u seconds %.2f sent %llu"
          " sent_measured %llu expected %llu delivered %llu lost %llu out_of_order %llu"
          " duplicates %llu foreign %llu error_frames %llu errors %llu drain_s %.3f"
          " load_cpu %.0f\n",
          t1 > t0 ? (double) load.delivered_measured / (t1 - t0) : 0.0,
          load.n, load.window, t1 - t0,
          (unsigned long long) load.sent, (unsigned long long) load.sent_measured,
          (unsigned long long) expected, (unsigned long long) load.delivered,
          (unsigned long long) lost, (unsigned long long) load.out_of_order,
          (unsigned long long) load.duplicates, (unsigned long long) load.foreign, (unsigned long long) load.error_frames,
          (unsigned long long) load.errors, drain_used,
          t1 > t0 ? 100.0 * (cpu1 - cpu0) / (t1 - t0) : 0.0);
  fflush (stdout);
  fprintf (stderr,
           "chat-load: %s %u clients, window %u: %llu deliveries in %.2f s, %llu messages sent"
           " (%llu counted), lost %llu of %llu, out of order %llu, duplicates %llu,"
           " %llu errors, load_cpu %.0f%%\n",
           argv[argi], load.n, load.window, (unsigned long long) load.delivered_measured,
           t1 - t0, (unsigned long long) load.sent, (unsigned long long) load.sent_measured,
           (unsigned long long) lost, (unsigned long long) expected,
           (unsigned long long) load.out_of_order, (unsigned long long) load.duplicates,
           (unsigned long long) load.errors,
           t1 > t0 ? 100.0 * (cpu1 - cpu0) / (t1 - t0) : 0.0);

  /* A close frame each (1000), then the sockets go. */
  for (i = 0; i < load.n; i++)
    {
      Client *c = &load.clients[i];
      static const unsigned char bye[2] = { 0x03, 0xe8 };

      if (c->state == ST_DEAD)
        continue;
      queue_frame (c, 0x8, bye, sizeof bye);
      send (c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);
      close (c->fd);
    }
  close (load.ep);

  if (load.untracked > 0)
    fprintf (stderr, "chat-load: %llu skipped messages were too many to track: any that came"
             " late counted as duplicates, not deliveries\n", (unsigned long long) load.untracked);
  return load.delivered_measured > 0 && lost == 0 && load.out_of_order == 0
         && load.duplicates == 0 && load.error_frames == 0 && load.errors == 0 ? 0 : 1;
}
