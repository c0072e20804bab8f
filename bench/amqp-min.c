/* amqp-min.c — the C reference for bench/amqp.sh: the smallest honest
 * publisher and consumer on rabbitmq-c (librabbitmq 0.11), one blocking
 * connection, one channel, nothing else.
 *
 * Usage:
 *   amqp-min publish URL QUEUE N WINDOW
 *   amqp-min consume URL QUEUE N PREFETCH
 *   amqp-min declare URL QUEUE
 *   amqp-min delete URL QUEUE
 *
 * publish: declares QUEUE, puts the channel in confirm mode (confirm.select)
 * and publishes N persistent (delivery_mode 2) messages of 64 bytes to the
 * default exchange with routing key QUEUE, keeping at most WINDOW of them
 * unconfirmed.  rabbitmq-c 0.11 has no confirm helper: the basic.ack and
 * basic.nack frames (single or `multiple`) are read here with
 * amqp_simple_wait_frame_noblock.  Once every message is confirmed it
 * prints
 *   published N seconds S rate R
 * consume: declares QUEUE, sets basic.qos prefetch_count PREFETCH, consumes
 * with manual acks, acking each delivery on its own (multiple=false) as soon
 * as it has it, and after N deliveries prints
 *   consumed N seconds S rate R
 * S is from before the connection is opened to the last confirm or ack, so
 * it includes the connection's setup; R is N / S.
 * declare: declares QUEUE and prints "declared QUEUE messages M" (M: the
 * messages ready in it).  delete: deletes QUEUE and prints "deleted QUEUE
 * messages M" (M: the messages it still held).  bench/amqp.sh uses these two
 * to make each run's queue and to check what it holds.
 *
 * Every implementation in the benchmark declares the queue the same way:
 * durable, not exclusive, not auto-delete, no arguments.  URL is an AMQP URL
 * (amqp://guest:guest@127.0.0.1:PORT; no path means the vhost "/").  Every
 * wait is bounded (TIMEOUT_S); on any failure it says what failed on stderr
 * and exits 1 (2 for a usage error).
 */

#define _POSIX_C_SOURCE 200809L

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#define CHANNEL 1
#define BODY_SIZE 64
#define FRAME_MAX 131072
#define TIMEOUT_S 30   /* the longest any single wait may take */

static const char *prog = "amqp-min";

static void
fail (const char *format, ...)
{
  va_list args;

  fprintf (stderr, "%s: error: ", prog);
  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  fputc ('\n', stderr);
  exit (1);
}

static double
now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long
parse_count (const char *name, const char *text, unsigned long min)
{
  char *end = NULL;
  unsigned long value;

  errno = 0;
  value = strtoul (text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || value < min || value > 100000000UL)
    {
      fprintf (stderr, "%s: error: %s must be an integer from %lu to 100000000 (got '%s')\n",
               prog, name, min, text);
      exit (2);
    }
  return value;
}

/* What a server-sent close said, for an error message */
static void
fail_close (const char *what, const amqp_method_t *method)
{
  if (method->id == AMQP_CHANNEL_CLOSE_METHOD)
    {
      const amqp_channel_close_t *close = method->decoded;

      fail ("%s: the broker closed the channel: %u %.*s", what, close->reply_code,
            (int) close->reply_text.len, (const char *) close->reply_text.bytes);
    }
  if (method->id == AMQP_CONNECTION_CLOSE_METHOD)
    {
      const amqp_connection_close_t *close = method->decoded;

      fail ("%s: the broker closed the connection: %u %.*s", what, close->reply_code,
            (int) close->reply_text.len, (const char *) close->reply_text.bytes);
    }
}

/* Exits unless an RPC (or the last one, amqp_get_rpc_reply) went well */
static void
check_reply (amqp_rpc_reply_t reply, const char *what)
{
  switch (reply.reply_type)
    {
    case AMQP_RESPONSE_NORMAL:
      return;
    case AMQP_RESPONSE_NONE:
      fail ("%s: no reply from the broker", what);
      break;
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      fail ("%s: %s", what, amqp_error_string2 (reply.library_error));
      break;
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      fail_close (what, &reply.reply);
      fail ("%s: the broker answered with method 0x%08x", what, reply.reply.id);
      break;
    }
  fail ("%s: unknown reply type %d", what, (int) reply.reply_type);
}

/* Connects and logs in to URL, opens channel 1 and declares QUEUE;
 * *ready is the number of messages ready in it. */
static amqp_connection_state_t
open_queue (const char *url, const char *queue, uint32_t *ready)
{
  struct amqp_connection_info info;
  struct timeval timeout = { TIMEOUT_S, 0 };
  amqp_connection_state_t conn;
  amqp_socket_t *socket;
  amqp_queue_declare_ok_t *ok;
  char *url_copy;
  int status;

  url_copy = strdup (url);
  if (url_copy == NULL)
    fail ("out of memory");
  amqp_default_connection_info (&info);
  status = amqp_parse_url (url_copy, &info);
  if (status != AMQP_STATUS_OK)
    fail ("cannot parse the URL '%s': %s", url, amqp_error_string2 (status));

  conn = amqp_new_connection ();
  if (conn == NULL)
    fail ("out of memory");
  socket = amqp_tcp_socket_new (conn);
  if (socket == NULL)
    fail ("cannot create a TCP socket");
  status = amqp_socket_open_noblock (socket, info.host, info.port, &timeout);
  if (status == AMQP_STATUS_SOCKET_ERROR)
    fail ("cannot connect to %s:%d (refused or unreachable: is the broker running?)", info.host, info.port);
  if (status != AMQP_STATUS_OK)
    fail ("cannot connect to %s:%d: %s", info.host, info.port, amqp_error_string2 (status));
  status = amqp_set_rpc_timeout (conn, &timeout);
  if (status != AMQP_STATUS_OK)
    fail ("cannot set the RPC timeout: %s", amqp_error_string2 (status));
  check_reply (amqp_login (conn, info.vhost, 0, FRAME_MAX, 0, AMQP_SASL_METHOD_PLAIN,
                           info.user, info.password),
               "logging in");
  amqp_channel_open (conn, CHANNEL);
  check_reply (amqp_get_rpc_reply (conn), "opening the channel");
  /* durable, not exclusive, not auto-delete, no arguments */
  ok = amqp_queue_declare (conn, CHANNEL, amqp_cstring_bytes (queue), 0, 1, 0, 0, amqp_empty_table);
  check_reply (amqp_get_rpc_reply (conn), "declaring the queue");
  if (ready)
    *ready = ok->message_count;
  free (url_copy);
  return conn;
}

static void
close_connection (amqp_connection_state_t conn)
{
  check_reply (amqp_channel_close (conn, CHANNEL, AMQP_REPLY_SUCCESS), "closing the channel");
  check_reply (amqp_connection_close (conn, AMQP_REPLY_SUCCESS), "closing the connection");
  amqp_destroy_connection (conn);
}

/* -- publish ------------------------------------------------------------ */

typedef struct
{
  unsigned char *confirmed; /* [tag]: 1 once acked or nacked; tags 1..n */
  uint64_t       lowest;    /* the lowest tag not yet confirmed */
  uint64_t       next;      /* the tag of the next publish */
  unsigned long  outstanding;
  unsigned long  nacked;
} Confirms;

/* Marks TAG confirmed (and, with MULTIPLE, every tag up to it) */
static void
settle (Confirms *c, uint64_t tag, int multiple, int nack)
{
  uint64_t first = multiple ? c->lowest : tag;

  if (tag == 0 || tag >= c->next)
    fail ("the broker confirmed delivery tag %llu, which was never published",
          (unsigned long long) tag);
  for (uint64_t t = first; t <= tag; t++)
    if (!c->confirmed[t])
      {
        c->confirmed[t] = 1;
        c->outstanding--;
        if (nack)
          c->nacked++;
      }
  while (c->lowest < c->next && c->confirmed[c->lowest])
    c->lowest++;
}

/* Waits for the next frame on the channel and settles what it confirms */
static void
read_confirm (amqp_connection_state_t conn, Confirms *c)
{
  struct timeval timeout = { TIMEOUT_S, 0 };
  amqp_frame_t frame;
  int status;

  status = amqp_simple_wait_frame_noblock (conn, &frame, &timeout);
  if (status == AMQP_STATUS_TIMEOUT)
    fail ("no confirm from the broker for %d s (%lu unconfirmed)", TIMEOUT_S, c->outstanding);
  if (status != AMQP_STATUS_OK)
    fail ("waiting for confirms: %s", amqp_error_string2 (status));
  if (frame.frame_type != AMQP_FRAME_METHOD)
    return;
  switch (frame.payload.method.id)
    {
    case AMQP_BASIC_ACK_METHOD:
      {
        const amqp_basic_ack_t *ack = frame.payload.method.decoded;

        settle (c, ack->delivery_tag, ack->multiple, 0);
      }
      break;
    case AMQP_BASIC_NACK_METHOD:
      {
        const amqp_basic_nack_t *nack = frame.payload.method.decoded;

        settle (c, nack->delivery_tag, nack->multiple, 1);
      }
      break;
    case AMQP_BASIC_RETURN_METHOD:
      /* Not mandatory, so none should come; its content frames follow and
       * are skipped as non-method frames */
      break;
    default:
      fail_close ("publishing", &frame.payload.method);
      fail ("publishing: unexpected method 0x%08x from the broker", frame.payload.method.id);
    }
}

static void
publish (const char *url, const char *queue, unsigned long n, unsigned long window)
{
  amqp_basic_properties_t props;
  amqp_connection_state_t conn;
  amqp_bytes_t body;
  Confirms c = { 0 };
  char text[BODY_SIZE + 1];
  double t0, t1;

  for (int i = 0; i < BODY_SIZE; i++)
    text[i] = "0123456789abcdef"[i % 16];
  text[BODY_SIZE] = '\0';
  body.bytes = text;
  body.len = BODY_SIZE;

  memset (&props, 0, sizeof props);
  props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
  props.delivery_mode = AMQP_DELIVERY_PERSISTENT;

  c.confirmed = calloc (n + 1, 1);
  if (c.confirmed == NULL)
    fail ("out of memory");
  c.lowest = 1;
  c.next = 1;

  t0 = now_s ();
  conn = open_queue (url, queue, NULL);
  amqp_confirm_select (conn, CHANNEL);
  check_reply (amqp_get_rpc_reply (conn), "confirm.select");

  while (c.next <= n || c.outstanding > 0)
    {
      if (c.next <= n && c.outstanding < window)
        {
          int status = amqp_basic_publish (conn, CHANNEL, amqp_empty_bytes, amqp_cstring_bytes (queue),
                                           0, 0, &props, body);

          if (status != AMQP_STATUS_OK)
            fail ("publishing message %llu: %s", (unsigned long long) c.next, amqp_error_string2 (status));
          c.next++;
          c.outstanding++;
        }
      else
        {
          read_confirm (conn, &c);
          amqp_maybe_release_buffers (conn);
        }
    }
  t1 = now_s ();
  close_connection (conn);
  if (c.nacked > 0)
    fail ("the broker nacked %lu of %lu messages", c.nacked, n);
  printf ("published %lu seconds %.3f rate %.0f\n", n, t1 - t0, n / (t1 - t0));
  free (c.confirmed);
}

/* -- consume ------------------------------------------------------------ */

/* A frame other than a delivery arrived: read it; only a close is expected */
static void
read_other_frame (amqp_connection_state_t conn)
{
  struct timeval timeout = { TIMEOUT_S, 0 };
  amqp_frame_t frame;
  int status;

  status = amqp_simple_wait_frame_noblock (conn, &frame, &timeout);
  if (status != AMQP_STATUS_OK)
    fail ("consuming: %s", amqp_error_string2 (status));
  if (frame.frame_type == AMQP_FRAME_METHOD)
    {
      fail_close ("consuming", &frame.payload.method);
      if (frame.payload.method.id == AMQP_BASIC_CANCEL_METHOD)
        fail ("consuming: the broker cancelled the consumer (queue deleted?)");
    }
}

static void
consume (const char *url, const char *queue, unsigned long n, unsigned long prefetch)
{
  amqp_connection_state_t conn;
  unsigned long got = 0, bad = 0;
  double t0, t1;

  t0 = now_s ();
  conn = open_queue (url, queue, NULL);
  amqp_basic_qos (conn, CHANNEL, 0, (uint16_t) prefetch, 0);
  check_reply (amqp_get_rpc_reply (conn), "basic.qos");
  /* manual acks: no_ack false */
  amqp_basic_consume (conn, CHANNEL, amqp_cstring_bytes (queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
  check_reply (amqp_get_rpc_reply (conn), "basic.consume");

  while (got < n)
    {
      struct timeval timeout = { TIMEOUT_S, 0 };
      amqp_envelope_t envelope;
      amqp_rpc_reply_t reply;
      int status;

      amqp_maybe_release_buffers (conn);
      reply = amqp_consume_message (conn, &envelope, &timeout, 0);
      if (reply.reply_type != AMQP_RESPONSE_NORMAL)
        {
          if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION
              && reply.library_error == AMQP_STATUS_UNEXPECTED_STATE)
            {
              read_other_frame (conn);
              continue;
            }
          if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION
              && reply.library_error == AMQP_STATUS_TIMEOUT)
            fail ("no delivery for %d s; %lu of %lu consumed", TIMEOUT_S, got, n);
          check_reply (reply, "consuming");
        }
      if (envelope.message.body.len != BODY_SIZE)
        bad++;
      status = amqp_basic_ack (conn, CHANNEL, envelope.delivery_tag, 0);
      amqp_destroy_envelope (&envelope);
      if (status != AMQP_STATUS_OK)
        fail ("acking delivery %lu: %s", got + 1, amqp_error_string2 (status));
      got++;
    }
  t1 = now_s ();
  close_connection (conn);
  if (bad > 0)
    fprintf (stderr, "%s: warning: %lu of %lu bodies were not %d bytes long\n", prog, bad, n, BODY_SIZE);
  printf ("consumed %lu seconds %.3f rate %.0f\n", n, t1 - t0, n / (t1 - t0));
}

/* -- declare, delete ---------------------------------------------------- */

static void
declare (const char *url, const char *queue)
{
  amqp_connection_state_t conn;
  uint32_t ready = 0;

  conn = open_queue (url, queue, &ready);
  close_connection (conn);
  printf ("declared %s messages %lu\n", queue, (unsigned long) ready);
}

static void
delete (const char *url, const char *queue)
{
  amqp_connection_state_t conn;
  amqp_queue_delete_ok_t *ok;
  unsigned long left;

  /* Declared first (idempotent), so that deleting a queue that is not
   * there is not an error */
  conn = open_queue (url, queue, NULL);
  ok = amqp_queue_delete (conn, CHANNEL, amqp_cstring_bytes (queue), 0, 0);
  check_reply (amqp_get_rpc_reply (conn), "deleting the queue");
  left = ok->message_count;
  close_connection (conn);
  printf ("deleted %s messages %lu\n", queue, left);
}

static void
usage (void)
{
  fprintf (stderr,
           "usage: %s publish URL QUEUE N WINDOW\n"
           "       %s consume URL QUEUE N PREFETCH\n"
           "       %s declare URL QUEUE\n"
           "       %s delete URL QUEUE\n",
           prog, prog, prog, prog);
  exit (2);
}

int
main (int argc, char **argv)
{
  const char *mode;

  if (argc < 4)
    usage ();
  mode = argv[1];
  if (strlen (argv[3]) == 0 || strlen (argv[3]) > 255)
    {
      fprintf (stderr, "%s: error: QUEUE must be 1 to 255 bytes long\n", prog);
      return 2;
    }
  if (strcmp (mode, "publish") == 0 && argc == 6)
    publish (argv[2], argv[3], parse_count ("N", argv[4], 1), parse_count ("WINDOW", argv[5], 1));
  else if (strcmp (mode, "consume") == 0 && argc == 6)
    {
      unsigned long prefetch = parse_count ("PREFETCH", argv[5], 1);

      if (prefetch > 65535)
        {
          fprintf (stderr, "%s: error: PREFETCH must be at most 65535 (got %lu)\n", prog, prefetch);
          return 2;
        }
      consume (argv[2], argv[3], parse_count ("N", argv[4], 1), prefetch);
    }
  else if (strcmp (mode, "declare") == 0 && argc == 4)
    declare (argv[2], argv[3]);
  else if (strcmp (mode, "delete") == 0 && argc == 4)
    delete (argv[2], argv[3]);
  else
    usage ();
  fflush (stdout);
  return ferror (stdout) ? 1 : 0;
}
