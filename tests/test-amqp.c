/* test-amqp.c — CtAmqpProducer and CtAmqpConsumer against a real RabbitMQ
 * started by CtBroker: routing through the default, direct, fanout and topic
 * exchanges with every property, publisher confirms and their window,
 * returns, manual ack/nack/reject with requeue and dead-lettering, prefetch,
 * no loss across a broker restart, reconnection, third-party peers
 * (python3-pika, amqp-consume), start errors with the password kept out of
 * every log, and the RPC demo with direct reply-to
 *
 * One broker serves the whole program (a start takes seconds); the restart
 * tests stop and start that same broker, which keeps its URL. Every test
 * uses queues and exchanges named after its own path. The tests that do
 * not stop the broker run each in a process of its own (g_test_trap_
 * subprocess), so that a crash in the code under test fails one test and
 * not the program; a reaper process stops the broker if the program dies.
 * Run it with --keep-going (as meson does) to see every failure.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ct-core.h"
#include "ct-test-util.h"

/* Debian's Python, which has python3-pika */
#define DEBIAN_PYTHON "/usr/bin/python3"

/* A broker's start and stop take seconds, more on a loaded machine */
#define BROKER_TIMEOUT_S (CT_BROKER_START_TIMEOUT_S + 30)
/* Waits on the broker's answers: generous, since everything runs under
 * the sanitizers on a machine that may be busy with other tests */
#define WAIT_S           30

/* Iterates the main context until @cond holds or @seconds have passed;
 * evaluates to whether it holds. Every wait in this file is bounded. */
#define WAIT_FOR(cond, seconds)                                               \
  ({                                                                          \
    gint64 _end = g_get_monotonic_time () + (gint64) (seconds) * G_USEC_PER_SEC; \
    gboolean _ok;                                                             \
    while (!(_ok = !!(cond)) && g_get_monotonic_time () < _end)               \
      if (!g_main_context_iteration (NULL, FALSE))                            \
        g_usleep (1000);                                                      \
    _ok;                                                                      \
  })

/* Like g_assert_true (WAIT_FOR ()), with the condition in the message */
#define ASSERT_WAIT(cond, seconds)                                            \
  G_STMT_START {                                                              \
    if (!WAIT_FOR (cond, seconds))                                            \
      g_error ("%s:%d: timed out after %d s waiting for %s",                  \
               __FILE__, __LINE__, (int) (seconds), #cond);                   \
  } G_STMT_END

static CtBroker *broker;
static char     *broker_dir;
static char     *broker_url;

/* -- cleaning up after a crash ---------------------------------------- */

/* A failed assertion aborts the program, a sanitizer may end it with
 * _exit(), the test runner may kill it: the broker (a shell script that
 * stops its node on SIGTERM) and its epmd must not outlive it. A reaper
 * process, forked before anything else, is told their pids through a pipe;
 * when the pipe closes (the program is gone, however it went) it stops
 * whatever is still running and removes the broker's directory. */
static int reaper_fd = -1;

static void
reaper_run (int         fd,
            const char *dir)
{
  char buf[256];
  size_t len = 0;
  pid_t server = 0, epmd = 0;
  int null = open ("/dev/null", O_RDWR);

  /* Nothing of the test runner's pipes may be kept open by the reaper */
  dup2 (null, STDIN_FILENO);
  dup2 (null, STDOUT_FILENO);
  dup2 (null, STDERR_FILENO);
  setsid ();

  for (;;)
    {
      ssize_t n = read (fd, buf + len, sizeof buf - 1 - len);
      char *nl;

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      len += n;
      buf[len] = '\0';
      while ((nl = strchr (buf, '\n')) != NULL)
        {
          long pid = strtol (buf + 2, NULL, 10);

          if (buf[0] == 'B')
            server = (pid_t) pid;
          else if (buf[0] == 'E')
            epmd = (pid_t) pid;
          len -= nl + 1 - buf;
          memmove (buf, nl + 1, len + 1);
        }
    }

  if (server <= 0)
    _exit (0);
  kill (server, SIGTERM);
  for (int i = 0; i < 300 && kill (server, 0) == 0; i++)
    usleep (100 * 1000);
  if (epmd > 0)
    kill (epmd, SIGTERM);
  execlp ("rm", "rm", "-rf", dir, (char *) NULL);
  _exit (1);
}

static void
reaper_start (const char *dir)
{
  int fds[2];
  pid_t pid;

  if (pipe (fds) < 0)
    g_error ("pipe: %s", g_strerror (errno));
  pid = fork ();
  if (pid < 0)
    g_error ("fork: %s", g_strerror (errno));
  if (pid == 0)
    {
      close (fds[1]);
      reaper_run (fds[0], dir);
    }
  close (fds[0]);
  fcntl (fds[1], F_SETFD, FD_CLOEXEC);
  reaper_fd = fds[1];
}

static void
reaper_tell (char  kind,
             pid_t pid)
{
  char line[32];
  int n = g_snprintf (line, sizeof line, "%c %d\n", kind, (int) pid);

  if (reaper_fd >= 0 && write (reaper_fd, line, n) != n)
    g_error ("Cannot tell the reaper: %s", g_strerror (errno));
}

/* Our own child named @name (the broker's epmd), or 0 */
static pid_t
find_child (const char *name)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  g_autofree char *comm = g_strdup_printf ("(%s)", name);
  const char *entry;

  while (dir && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *stat = NULL;
      g_auto(GStrv) fields = NULL;

      if (!g_ascii_isdigit (entry[0]))
        continue;
      path = g_build_filename ("/proc", entry, "stat", NULL);
      if (!g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      /* pid (comm) state ppid ...: names here have no spaces */
      fields = g_strsplit (stat, " ", 5);
      if (g_strv_length (fields) >= 4 && g_strcmp0 (fields[1], comm) == 0 &&
          g_ascii_strtoll (fields[3], NULL, 10) == getpid ())
        return (pid_t) g_ascii_strtoll (fields[0], NULL, 10);
    }
  return 0;
}

/* -- the broker ------------------------------------------------------------ */

static gboolean
broker_start (GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  gboolean ok;

  ct_broker_start_async (broker, NULL, ct_test_result_cb, &result);
  ASSERT_WAIT (result != NULL, BROKER_TIMEOUT_S);
  ok = ct_broker_start_finish (broker, result, error);
  if (ok)
    {
      reaper_tell ('B', ct_broker_get_pid (broker));
      reaper_tell ('E', find_child ("epmd"));
    }
  return ok;
}

static void
broker_stop (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ct_broker_stop_async (broker, ct_test_result_cb, &result);
  ASSERT_WAIT (result != NULL, BROKER_TIMEOUT_S);
  g_assert_true (ct_broker_stop_finish (broker, result, &error));
  g_assert_no_error (error);
  reaper_tell ('B', 0);
  reaper_tell ('E', 0);
}

/* Restarts the broker if a test left it stopped */
static void
broker_ensure_running (void)
{
  g_autoptr(GError) error = NULL;

  if (ct_broker_get_state (broker) == CT_STATE_RUNNING)
    return;
  g_assert_true (broker_start (&error));
  g_assert_no_error (error);
}

/* -- watching a log --------------------------------------------------------- */

/* Counts what an endpoint logs as it is flushed (so that a flood of
 * entries is not scanned again on every iteration), and, for a consumer in
 * manual mode, can ack each delivery as soon as it is logged */
typedef struct
{
  CtEndpoint *endpoint;
  gboolean    auto_ack;
  GHashTable *events;      /* event → count */
  GHashTable *distinct;    /* the payloads of deliveries, once each */
  guint64     n_confirmed; /* messages covered by ack entries */
  guint64     n_nacked;    /* messages covered by nack entries */
  guint64     n_republished;
  guint64     n_acked;     /* deliveries this watch acked */
  gulong      handler;
} Watch;

static void
watch_items_changed (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     Watch      *w)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(CtMessage) message = g_list_model_get_item (model, i);
      const char *event = ct_message_get_event (message);
      GVariant *meta = ct_message_get_meta (message);
      guint32 n = 0;
      const char *republished = NULL;

      if (event == NULL)
        continue;
      g_hash_table_insert (w->events, g_strdup (event),
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (w->events, event)) + 1));

      if (g_str_equal (event, "ack") && ct_message_get_direction (message) == CT_DIRECTION_IN &&
          meta && g_variant_lookup (meta, "messages", "u", &n))
        w->n_confirmed += n;
      else if (g_str_equal (event, "nack") && ct_message_get_direction (message) == CT_DIRECTION_IN &&
               meta && g_variant_lookup (meta, "messages", "u", &n))
        w->n_nacked += n;
      else if (g_str_equal (event, "publish") && meta &&
               g_variant_lookup (meta, "republished", "&s", &republished))
        w->n_republished++;
      else if (g_str_equal (event, "deliver"))
        {
          gsize size;
          const guint8 *data = ct_message_get_data (message, &size);

          g_hash_table_add (w->distinct, g_strndup ((const char *) data, size));
          if (w->auto_ack && ct_endpoint_can_run_message_command (w->endpoint, "ack", message) &&
              ct_endpoint_run_message_command (w->endpoint, "ack", message, NULL))
            w->n_acked++;
        }
    }
}

static Watch *
watch_of (CtEndpoint *endpoint)
{
  Watch *w = g_object_get_data (G_OBJECT (endpoint), "ct-test-watch");

  g_assert_nonnull (w);
  ct_message_log_flush (ct_endpoint_get_log (endpoint));
  return w;
}

/* Entries are counted as the log is flushed: watch_of() flushes it */
static guint
n_events (CtEndpoint *endpoint,
          const char *event)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (watch_of (endpoint)->events, event));
}

static guint
n_distinct (CtEndpoint *endpoint)
{
  return g_hash_table_size (watch_of (endpoint)->distinct);
}

/* -- the fixture -------------------------------------------------------------- */

typedef struct
{
  GPtrArray *endpoints;   /* stopped, checked to be finalized */
  GPtrArray *watches;
  GPtrArray *names;
  GPtrArray *peers;       /* GSubprocess, ended at the end */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->endpoints = g_ptr_array_new ();
  f->watches = g_ptr_array_new ();
  f->names = g_ptr_array_new_with_free_func (g_free);
  f->peers = g_ptr_array_new_with_free_func (g_object_unref);
  if (broker)
    broker_ensure_running ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  for (guint i = 0; i < f->peers->len; i++)
    {
      GSubprocess *peer = f->peers->pdata[i];

      if (g_subprocess_get_identifier (peer))
        {
          g_subprocess_force_exit (peer);
          g_subprocess_wait (peer, NULL, NULL);
        }
    }
  g_ptr_array_unref (f->peers);

  for (guint i = 0; i < f->endpoints->len; i++)
    {
      CtEndpoint *endpoint = f->endpoints->pdata[i];
      Watch *w = f->watches->pdata[i];

      /* A consumer with a count may be stopping by itself */
      ASSERT_WAIT (ct_endpoint_get_state (endpoint) != CT_STATE_STOPPING &&
                   ct_endpoint_get_state (endpoint) != CT_STATE_STARTING, WAIT_S);
      if (ct_endpoint_is_active (endpoint) || ct_endpoint_get_state (endpoint) == CT_STATE_FAILED)
        ct_test_stop (endpoint);
      g_signal_handler_disconnect (ct_endpoint_get_log (endpoint), w->handler);
      g_hash_table_unref (w->events);
      g_hash_table_unref (w->distinct);
      g_free (w);
      g_object_set_data (G_OBJECT (endpoint), "ct-test-watch", NULL);

      /* Nothing may keep it alive: no task, no source */
      ASSERT_WAIT (G_OBJECT (endpoint)->ref_count == 1, WAIT_S);
      g_assert_finalize_object (endpoint);
    }
  g_ptr_array_unref (f->endpoints);
  g_ptr_array_unref (f->watches);
  g_ptr_array_unref (f->names);
}

/* A queue or exchange name of this test's own: ct.PATH.WHAT.PID */
static const char *
name_for (Fixture    *f,
          const char *what)
{
  g_autofree char *path = g_strdup (g_test_get_path ());
  char *name;

  g_strdelimit (path, "/", '.');
  name = g_strdup_printf ("ct%s.%s.%d", path, what, (int) getpid ());
  g_ptr_array_add (f->names, name);
  return name;
}

static CtEndpoint *
add_endpoint (Fixture    *f,
              CtEndpoint *endpoint,
              const char *first_property,
              va_list     args)
{
  Watch *w = g_new0 (Watch, 1);

  g_object_set (endpoint, "url", broker_url, NULL);
  if (first_property)
    g_object_set_valist (G_OBJECT (endpoint), first_property, args);
  w->endpoint = endpoint;
  w->events = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  w->distinct = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  w->handler = g_signal_connect (ct_endpoint_get_log (endpoint), "items-changed",
                                 G_CALLBACK (watch_items_changed), w);
  g_object_set_data (G_OBJECT (endpoint), "ct-test-watch", w);
  g_ptr_array_add (f->endpoints, endpoint);
  g_ptr_array_add (f->watches, w);
  return endpoint;
}

static CtEndpoint *
add_producer (Fixture    *f,
              const char *first_property,
              ...)
{
  va_list args;
  CtEndpoint *endpoint;

  va_start (args, first_property);
  endpoint = add_endpoint (f, ct_amqp_producer_new (), first_property, args);
  va_end (args);
  return endpoint;
}

static CtEndpoint *
add_consumer (Fixture    *f,
              const char *first_property,
              ...)
{
  va_list args;
  CtEndpoint *endpoint;

  va_start (args, first_property);
  endpoint = add_endpoint (f, ct_amqp_consumer_new (), first_property, args);
  va_end (args);
  return endpoint;
}

static void
start_ok (CtEndpoint *endpoint)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = ct_test_start (endpoint, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpint (ct_endpoint_get_state (endpoint), ==, CT_STATE_RUNNING);
}

static void
send_ok (CtEndpoint *producer,
         const char *text)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = ct_endpoint_send_text (producer, text, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
}

static void
settle_ok (CtEndpoint *consumer,
           const char *command,
           CtMessage  *delivery)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = ct_endpoint_run_message_command (consumer, command, delivery, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
}

static void assert_start_fails (CtEndpoint  *endpoint,
                                GQuark       domain,
                                int          code,
                                int          code2,
                                const char  *phrase,
                                const char  *secret);

/* Iterates the main context for @ms whatever happens: to show that
 * something does NOT arrive, after what must arrive first has */
static void
spin_ms (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

/* -- reading entries -------------------------------------------------------- */

/* The entries with @event (any when NULL), in order */
static GPtrArray *
entries (CtEndpoint *endpoint,
         const char *event)
{
  CtMessageLog *log = ct_endpoint_get_log (endpoint);
  GPtrArray *array = g_ptr_array_new_with_free_func (g_object_unref);
  guint n;

  ct_message_log_flush (log);
  n = g_list_model_get_n_items (G_LIST_MODEL (log));
  for (guint i = 0; i < n; i++)
    {
      CtMessage *message = g_list_model_get_item (G_LIST_MODEL (log), i);

      if (event == NULL || g_strcmp0 (ct_message_get_event (message), event) == 0)
        g_ptr_array_add (array, message);
      else
        g_object_unref (message);
    }
  return array;
}

static CtMessage *
entry_at (GPtrArray *array,
          guint      i)
{
  g_assert_cmpuint (i, <, array->len);
  return array->pdata[i];
}

/* The payload as a string (the tests' payloads are text) */
static char *
text_of (CtMessage *message)
{
  gsize size;
  const guint8 *data = ct_message_get_data (message, &size);

  return g_strndup ((const char *) data, size);
}

static const char *
meta_str (CtMessage  *message,
          const char *key)
{
  GVariant *meta = ct_message_get_meta (message);
  const char *value = NULL;

  if (meta == NULL || !g_variant_lookup (meta, key, "&s", &value))
    return NULL;
  return value;
}

static gint64
meta_int64 (CtMessage  *message,
            const char *key)
{
  GVariant *meta = ct_message_get_meta (message);
  gint64 value = -1;

  if (meta == NULL || !g_variant_lookup (meta, key, "x", &value))
    return -1;
  return value;
}

static gint64
meta_uint32 (CtMessage  *message,
             const char *key)
{
  GVariant *meta = ct_message_get_meta (message);
  guint32 value = 0;

  if (meta == NULL || !g_variant_lookup (meta, key, "u", &value))
    return -1;
  return value;
}

static void
assert_first_entry (CtEndpoint *endpoint,
                    const char *event)
{
  g_autoptr(GPtrArray) all = entries (endpoint, NULL);
  CtMessage *first = entry_at (all, 0);

  g_assert_cmpint (ct_message_get_direction (first), ==, CT_DIRECTION_INFO);
  g_assert_cmpstr (ct_message_get_event (first), ==, event);
}

/* The payloads of the deliveries, in order, joined by " " */
static char *
delivered_texts (CtEndpoint *consumer)
{
  g_autoptr(GPtrArray) deliveries = entries (consumer, "deliver");
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < deliveries->len; i++)
    {
      g_autofree char *text = text_of (deliveries->pdata[i]);

      if (i)
        g_string_append_c (out, ' ');
      g_string_append (out, text);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* All that was sent is confirmed (and, with a reply-to, answered) */
static void
wait_settled (CtEndpoint *producer)
{
  ASSERT_WAIT (ct_endpoint_get_n_pending (producer) == 0, WAIT_S);
}

/* A failure that leaves the test able to clean up (a core bug the test
 * exists to show), said on stderr too, since a test in a process of its
 * own has its stdout captured */
static void G_GNUC_PRINTF (1, 2)
soft_fail (const char *format,
           ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("%s: FAILED: %s\n", g_test_get_path (), message);
  g_test_fail_printf ("%s", message);
}

#define SKIP_WITHOUT_BROKER()                                                 \
  G_STMT_START {                                                              \
    if (broker_url == NULL)                                                   \
      {                                                                       \
        g_test_fail_printf ("RabbitMQ is not installed (rabbitmq-server): "    \
                            "run build-aux/install-deps");                    \
        return;                                                               \
      }                                                                       \
  } G_STMT_END

/* -- third-party programs ---------------------------------------------------------- */

typedef struct
{
  char     *output;
  GError   *error;
  gboolean  done;
} PeerResult;

static void
peer_communicate_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  PeerResult *r = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &r->output, NULL, &r->error);
  r->done = TRUE;
}

static GSubprocess *
peer_spawn (Fixture            *f,
            const char * const *argv,
            PeerResult         *r)
{
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE, &error);
  g_assert_no_error (error);
  g_ptr_array_add (f->peers, process);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, peer_communicate_cb, r);
  return process;
}

/* Waits for the peer to exit, at most @seconds (then it is killed and the
 * test fails); checks it exited 0 */
static void
peer_wait (GSubprocess *process,
           PeerResult  *r,
           guint        seconds)
{
  if (!WAIT_FOR (r->done, seconds))
    {
      g_subprocess_force_exit (process);
      ASSERT_WAIT (r->done, WAIT_S);
      g_error ("the peer did not finish in %u s; it printed: %s", seconds, r->output ? r->output : "");
    }
  g_assert_no_error (r->error);
  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    g_error ("the peer failed; it printed: %s", r->output ? r->output : "");
}

static gboolean
have_pika (void)
{
  const char *argv[] = { DEBIAN_PYTHON, "-c", "import pika", NULL };
  int status = -1;

  if (!g_file_test (DEBIAN_PYTHON, G_FILE_TEST_IS_EXECUTABLE))
    return FALSE;
  return g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                       NULL, NULL, NULL, NULL, &status, NULL) &&
         g_spawn_check_wait_status (status, NULL);
}

/* -- 1. routing ----------------------------------------------------------------- */

/* The default exchange routes to the queue named by the key; the body and
 * every property arrive intact, and the producer logs what it published */
static void
test_routing_default (Fixture       *f,
                      gconstpointer  data)
{
  const char *queue = name_for (f, "q");
  CtEndpoint *consumer, *producer;
  g_autoptr(GPtrArray) deliveries = NULL;
  g_autoptr(GPtrArray) publishes = NULL;
  g_autoptr(GPtrArray) listening = NULL;
  CtMessage *d, *p;
  g_autofree char *body = NULL;
  static const guint8 binary[] = { 'H', 'i', 0x00, 0xff, 0x80 };
  gsize size;
  const guint8 *bytes;

  SKIP_WITHOUT_BROKER ();
  consumer = add_consumer (f, "queue", queue, NULL);
  producer = add_producer (f,
                           "exchange", "",
                           "routing-key", queue,
                           "content-type", "application/json",
                           "correlation-id", "corr-42",
                           "headers", "X-Trace: abc-123\nX-Count: 42",
                           "persistent", TRUE,
                           "priority", 7,
                           "expiration", 60000,
                           NULL);
  start_ok (consumer);
  start_ok (producer);
  assert_first_entry (consumer, "listening");
  assert_first_entry (producer, "connected");
  listening = entries (consumer, "listening");
  g_assert_cmpstr (meta_str (entry_at (listening, 0), "queue"), ==, queue);
  g_assert_cmpstr (meta_str (entry_at (listening, 0), "ack-mode"), ==, "auto");
  g_assert_cmpstr (ct_amqp_consumer_get_queue_name (CT_AMQP_CONSUMER (consumer)), ==, queue);

  /* “Use the page's server”: its broker and its queue */
  {
    g_autoptr(CtEndpoint) other = ct_amqp_producer_new ();
    g_autofree char *url = NULL;
    g_autofree char *exchange = NULL;
    g_autofree char *key = NULL;

    g_object_set (other, "exchange", "somewhere", NULL);
    ct_endpoint_use_server (other, consumer);
    g_object_get (other, "url", &url, "exchange", &exchange, "routing-key", &key, NULL);
    g_assert_cmpstr (url, ==, broker_url);
    g_assert_cmpstr (exchange, ==, "");
    g_assert_cmpstr (key, ==, queue);
  }

  send_ok (producer, "{\"hello\": \"wörld\"}");
  ASSERT_WAIT (n_events (consumer, "deliver") == 1, WAIT_S);
  wait_settled (producer);

  deliveries = entries (consumer, "deliver");
  d = entry_at (deliveries, 0);
  body = text_of (d);
  g_assert_cmpint (ct_message_get_direction (d), ==, CT_DIRECTION_IN);
  g_assert_cmpstr (body, ==, "{\"hello\": \"wörld\"}");
  g_assert_cmpint (meta_int64 (d, "delivery-tag"), ==, 1);
  g_assert_cmpstr (meta_str (d, "redelivered"), ==, "no");
  g_assert_cmpstr (meta_str (d, "exchange"), ==, "");
  g_assert_cmpstr (meta_str (d, "routing-key"), ==, queue);
  g_assert_cmpint (meta_uint32 (d, "connection"), ==, 1);
  g_assert_cmpstr (meta_str (d, "content-type"), ==, "application/json");
  g_assert_cmpstr (meta_str (d, "correlation-id"), ==, "corr-42");
  g_assert_cmpstr (meta_str (d, "headers"), ==, "X-Trace: abc-123\nX-Count: 42");
  g_assert_cmpstr (meta_str (d, "delivery-mode"), ==, "persistent");
  g_assert_cmpint (meta_uint32 (d, "priority"), ==, 7);
  g_assert_cmpstr (meta_str (d, "expiration"), ==, "60000");
  g_assert_null (meta_str (d, "message-id"));
  g_assert_null (meta_str (d, "reply-to"));

  publishes = entries (producer, "publish");
  g_assert_cmpuint (publishes->len, ==, 1);
  p = entry_at (publishes, 0);
  g_assert_cmpint (ct_message_get_direction (p), ==, CT_DIRECTION_OUT);
  g_assert_cmpstr (meta_str (p, "exchange"), ==, "");
  g_assert_cmpstr (meta_str (p, "routing-key"), ==, queue);
  g_assert_cmpint (meta_int64 (p, "seq"), ==, 1);
  g_assert_null (meta_str (p, "republished"));
  g_assert_cmpstr (meta_str (p, "content-type"), ==, "application/json");
  g_assert_cmpstr (meta_str (p, "correlation-id"), ==, "corr-42");
  g_assert_cmpstr (meta_str (p, "headers"), ==, "X-Trace: abc-123\nX-Count: 42");
  g_assert_cmpstr (meta_str (p, "delivery-mode"), ==, "persistent");
  g_assert_cmpint (meta_uint32 (p, "priority"), ==, 7);
  g_assert_cmpstr (meta_str (p, "expiration"), ==, "60000");

  /* Live settings: transient, no priority, no expiration, no headers, and
   * a binary body written in hex */
  g_object_set (producer,
                "persistent", FALSE,
                "priority", 0,
                "expiration", 0,
                "headers", "",
                "content-type", "application/octet-stream",
                "format", CT_PAYLOAD_FORMAT_HEX,
                NULL);
  send_ok (producer, "48 69 00 ff 80");
  ASSERT_WAIT (n_events (consumer, "deliver") == 2, WAIT_S);
  g_clear_pointer (&deliveries, g_ptr_array_unref);
  deliveries = entries (consumer, "deliver");
  d = entry_at (deliveries, 1);
  bytes = ct_message_get_data (d, &size);
  g_assert_cmpmem (bytes, size, binary, sizeof binary);
  g_assert_cmpstr (meta_str (d, "delivery-mode"), ==, "transient");
  g_assert_cmpstr (meta_str (d, "content-type"), ==, "application/octet-stream");
  g_assert_cmpint (meta_uint32 (d, "priority"), ==, -1);
  g_assert_null (meta_str (d, "expiration"));
  g_assert_null (meta_str (d, "headers"));
  g_assert_cmpint (meta_int64 (d, "delivery-tag"), ==, 2);

  /* Bad hex is refused before anything is published (the confirm of the
   * last message may come after its delivery: wait for it first) */
  wait_settled (producer);
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (ct_endpoint_send_text (producer, "4", &error));
    g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD);
    g_assert_cmpint (ct_endpoint_get_n_pending (producer), ==, 0);
  }
}

/* A direct exchange routes by the exact binding key; EXCH:KEY binds the
 * queue to another exchange as well (amq.direct, declared passively) */
static void
test_routing_direct (Fixture       *f,
                     gconstpointer  data)
{
  const char *queue = name_for (f, "q");
  const char *exchange = name_for (f, "x");
  const char *other_key = name_for (f, "other");
  g_autofree char *bindings = NULL;
  CtEndpoint *consumer, *producer, *producer2;
  g_autoptr(GPtrArray) deliveries = NULL;
  g_autofree char *texts = NULL;

  SKIP_WITHOUT_BROKER ();
  bindings = g_strdup_printf ("red, green,amq.direct:%s", other_key);
  consumer = add_consumer (f,
                           "queue", queue,
                           "exchange", exchange,
                           "exchange-type", CT_AMQP_EXCHANGE_TYPE_DIRECT,
                           "binding-key", bindings,
                           NULL);
  producer = add_producer (f,
                           "exchange", exchange,
                           "exchange-type", CT_AMQP_EXCHANGE_TYPE_DIRECT,
                           "routing-key", "red",
                           NULL);
  producer2 = add_producer (f, "exchange", "amq.direct", "routing-key", other_key, NULL);
  start_ok (consumer);
  start_ok (producer);
  start_ok (producer2);

  /* “Use the page's server”: its exchange and first binding key */
  {
    g_autoptr(CtEndpoint) other = ct_amqp_producer_new ();
    g_autofree char *other_exchange = NULL;
    g_autofree char *key = NULL;
    CtAmqpExchangeType type;

    ct_endpoint_use_server (other, consumer);
    g_object_get (other, "exchange", &other_exchange, "routing-key", &key, "exchange-type", &type, NULL);
    g_assert_cmpstr (other_exchange, ==, exchange);
    g_assert_cmpstr (key, ==, "red");
    g_assert_cmpint (type, ==, CT_AMQP_EXCHANGE_TYPE_DIRECT);
  }

  send_ok (producer, "to red");
  g_object_set (producer, "routing-key", "blue", NULL);
  send_ok (producer, "to blue");
  g_object_set (producer, "routing-key", "green", NULL);
  send_ok (producer, "to green");
  /* What blue would have been is queued before green: once green is in,
   * blue has been dropped */
  ASSERT_WAIT (n_events (consumer, "deliver") == 2, WAIT_S);
  texts = delivered_texts (consumer);
  g_assert_cmpstr (texts, ==, "to red to green");
  wait_settled (producer);

  send_ok (producer2, "through amq.direct");
  ASSERT_WAIT (n_events (consumer, "deliver") == 3, WAIT_S);
  wait_settled (producer2);
  deliveries = entries (consumer, "deliver");
  {
    g_autofree char *third = text_of (entry_at (deliveries, 2));

    g_assert_cmpstr (third, ==, "through amq.direct");
    g_assert_cmpstr (meta_str (entry_at (deliveries, 2), "exchange"), ==, "amq.direct");
    g_assert_cmpstr (meta_str (entry_at (deliveries, 2), "routing-key"), ==, other_key);
    g_assert_cmpstr (meta_str (entry_at (deliveries, 0), "exchange"), ==, exchange);
    g_assert_cmpstr (meta_str (entry_at (deliveries, 0), "routing-key"), ==, "red");
    g_assert_cmpstr (meta_str (entry_at (deliveries, 1), "routing-key"), ==, "green");
  }
}

/* A fanout exchange: every bound queue gets a copy, whatever the key */
static void
test_routing_fanout (Fixture       *f,
                     gconstpointer  data)
{
  const char *exchange = name_for (f, "x");
  CtEndpoint *consumers[2], *producer;

  SKIP_WITHOUT_BROKER ();
  for (guint i = 0; i < G_N_ELEMENTS (consumers); i++)
    {
      consumers[i] = add_consumer (f,
                                   "queue", name_for (f, i ? "q2" : "q1"),
                                   "exchange", exchange,
                                   "exchange-type", CT_AMQP_EXCHANGE_TYPE_FANOUT,
                                   NULL);
      start_ok (consumers[i]);
    }
  producer = add_producer (f,
                           "exchange", exchange,
                           "exchange-type", CT_AMQP_EXCHANGE_TYPE_FANOUT,
                           "routing-key", "whatever",
                           NULL);
  start_ok (producer);

  send_ok (producer, "to everyone");
  send_ok (producer, "again");
  for (guint i = 0; i < G_N_ELEMENTS (consumers); i++)
    {
      g_autofree char *texts = NULL;
      g_autoptr(GPtrArray) deliveries = NULL;

      ASSERT_WAIT (n_events (consumers[i], "deliver") == 2, WAIT_S);
      texts = delivered_texts (consumers[i]);
      g_assert_cmpstr (texts, ==, "to everyone again");
      deliveries = entries (consumers[i], "deliver");
      g_assert_cmpstr (meta_str (entry_at (deliveries, 0), "exchange"), ==, exchange);
      g_assert_cmpstr (meta_str (entry_at (deliveries, 0), "routing-key"), ==, "whatever");
    }
  wait_settled (producer);
}

/* A topic exchange: `*` matches one word, `#` any number; a queue the
 * broker names ("") reports its real name */
static void
test_routing_topic (Fixture       *f,
                    gconstpointer  data)
{
  const char *exchange = name_for (f, "x");
  static const char *keys[] = { "logs.app.error", "logs.app.info", "logs.app.sub.error", "error.logs.x", "logs.db.error" };
  CtEndpoint *errors, *all, *producer;
  g_autoptr(GPtrArray) listening = NULL;
  g_autofree char *error_texts = NULL;
  g_autofree char *all_texts = NULL;
  const char *server_named;

  SKIP_WITHOUT_BROKER ();
  errors = add_consumer (f,
                         "queue", name_for (f, "errors"),
                         "exchange", exchange,
                         "exchange-type", CT_AMQP_EXCHANGE_TYPE_TOPIC,
                         "binding-key", "logs.*.error",
                         NULL);
  all = add_consumer (f,
                      "queue", "",
                      "exclusive", TRUE,
                      "exchange", exchange,
                      "exchange-type", CT_AMQP_EXCHANGE_TYPE_TOPIC,
                      "binding-key", "logs.#",
                      NULL);
  producer = add_producer (f,
                           "exchange", exchange,
                           "exchange-type", CT_AMQP_EXCHANGE_TYPE_TOPIC,
                           NULL);
  start_ok (errors);
  start_ok (all);
  start_ok (producer);

  /* The broker's name for the queue, in the first entry and the getter */
  listening = entries (all, "listening");
  server_named = meta_str (entry_at (listening, 0), "queue");
  g_assert_true (g_str_has_prefix (server_named, "amq.gen-"));
  g_assert_cmpstr (ct_amqp_consumer_get_queue_name (CT_AMQP_CONSUMER (all)), ==, server_named);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_object_set (producer, "routing-key", keys[i], NULL);
      send_ok (producer, keys[i]);
    }
  /* The last one matches both: once it is in, the others have been routed */
  ASSERT_WAIT (n_events (all, "deliver") == 4, WAIT_S);
  ASSERT_WAIT (n_events (errors, "deliver") == 2, WAIT_S);
  error_texts = delivered_texts (errors);
  all_texts = delivered_texts (all);
  g_assert_cmpstr (error_texts, ==, "logs.app.error logs.db.error");
  g_assert_cmpstr (all_texts, ==, "logs.app.error logs.app.info logs.app.sub.error logs.db.error");
  wait_settled (producer);
  spin_ms (200);
  g_assert_cmpuint (n_events (errors, "deliver"), ==, 2);
  g_assert_cmpuint (n_events (all, "deliver"), ==, 4);
}

/* A body larger than a frame (the link asks for 128 KiB frames) goes out
 * in several and comes back whole */
static void
test_routing_large_body (Fixture       *f,
                         gconstpointer  data)
{
  const char *queue = name_for (f, "q");
  const gsize size = 1024 * 1024 + 7;
  g_autofree char *body = g_malloc (size + 1);
  CtEndpoint *consumer, *producer;
  g_autoptr(GPtrArray) deliveries = NULL;
  gsize got;
  const guint8 *data_in;

  SKIP_WITHOUT_BROKER ();
  for (gsize i = 0; i < size; i++)
    body[i] = 'a' + (i * 7 + i / 4096) % 26;
  body[size] = '\0';
  consumer = add_consumer (f, "queue", queue, NULL);
  producer = add_producer (f, "routing-key", queue, NULL);
  start_ok (consumer);
  start_ok (producer);
  send_ok (producer, body);
  send_ok (producer, "small after large");
  ASSERT_WAIT (n_events (consumer, "deliver") == 2, WAIT_S);
  wait_settled (producer);
  deliveries = entries (consumer, "deliver");
  data_in = ct_message_get_data (entry_at (deliveries, 0), &got);
  g_assert_cmpuint (got, ==, size);
  g_assert_true (memcmp (data_in, body, size) == 0);
  g_assert_cmpuint (ct_message_get_size (entry_at (deliveries, 1)), ==, strlen ("small after large"));
}

/* -- 2. publisher confirms --------------------------------------------------------- */

/* Every publish is acked; a single-message ack carries its publish's
 * exchange id and round-trip time; the pending count follows */
static void
test_confirms_each (Fixture       *f,
                    gconstpointer  data)
{
  const char *queue = name_for (f, "q");
  const guint n = 50;
  CtEndpoint *consumer, *producer;
  g_autoptr(GPtrArray) publishes = NULL;
  g_autoptr(GPtrArray) acks = NULL;
  g_autoptr(GHashTable) publish_ids = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) connected = NULL;
  guint64 covered = 0;

  SKIP_WITHOUT_BROKER ();
  consumer = add_consumer (f, "queue", queue, NULL);
  producer = add_producer (f, "routing-key", queue, NULL);
  start_ok (consumer);
  start_ok (producer);
  connected = entries (producer, "connected");
  g_assert_cmpstr (meta_str (entry_at (connected, 0), "confirm"), ==, "yes");

  g_assert_cmpint (ct_endpoint_get_n_pending (producer), ==, 0);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("confirm-%u", i);

      send_ok (producer, text);
    }
  /* Counted as they are handed over, before anything is on the wire */
  g_assert_cmpint (ct_endpoint_get_n_pending (producer), ==, n);

  ASSERT_WAIT (watch_of (producer)->n_confirmed == n, WAIT_S);
  g_assert_cmpint (ct_endpoint_get_n_pending (producer), ==, 0);
  g_assert_cmpuint (watch_of (producer)->n_nacked, ==, 0);
  g_assert_cmpuint (n_events (producer, "nack"), ==, 0);
  ASSERT_WAIT (n_events (consumer, "deliver") == n, WAIT_S);

  publishes = entries (producer, "publish");
  g_assert_cmpuint (publishes->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      CtMessage *p = entry_at (publishes, i);
      g_autofree char *text = text_of (p);
      g_autofree char *expected = g_strdup_printf ("confirm-%u", i);

      g_assert_cmpstr (text, ==, expected);
      g_assert_cmpint (meta_int64 (p, "seq"), ==, i + 1);
      g_assert_cmpuint (ct_message_get_exchange (p), >, 0);
      g_assert_true (g_hash_table_add (publish_ids, GSIZE_TO_POINTER (ct_message_get_exchange (p))));
    }

  acks = entries (producer, "ack");
  for (guint i = 0; i < acks->len; i++)
    {
      CtMessage *a = entry_at (acks, i);
      gint64 messages = meta_uint32 (a, "messages");

      g_assert_cmpint (ct_message_get_direction (a), ==, CT_DIRECTION_IN);
      g_assert_cmpint (messages, >=, 1);
      g_assert_cmpint (meta_int64 (a, "seq"), >=, 1);
      g_assert_cmpint (meta_int64 (a, "seq"), <=, n);
      covered += messages;
      if (messages == 1)
        {
          g_assert_true (g_hash_table_contains (publish_ids, GSIZE_TO_POINTER (ct_message_get_exchange (a))));
          g_assert_cmpint (meta_int64 (a, "rtt-us"), >=, 0);
        }
      else
        g_assert_cmpuint (ct_message_get_exchange (a), ==, 0);
    }
  g_assert_cmpuint (covered, ==, n);
}

/* Replays the producer's log: publish entries add their seq to what is
 * outstanding, ack/nack entries take away what they settle (a range for a
 * multiple one). Returns the most outstanding at once. */
static guint
replay_outstanding (CtEndpoint *producer,
                    guint64    *n_settled)
{
  g_autoptr(GPtrArray) all = entries (producer, NULL);
  g_autoptr(GHashTable) outstanding = g_hash_table_new (NULL, NULL);
  guint most = 0;

  *n_settled = 0;
  for (guint i = 0; i < all->len; i++)
    {
      CtMessage *m = all->pdata[i];
      const char *event = ct_message_get_event (m);

      if (g_strcmp0 (event, "publish") == 0)
        {
          gint64 seq = meta_int64 (m, "seq");

          g_assert_cmpint (seq, >, 0);
          g_assert_true (g_hash_table_add (outstanding, GSIZE_TO_POINTER (seq)));
          most = MAX (most, g_hash_table_size (outstanding));
        }
      else if (g_strcmp0 (event, "ack") == 0 || g_strcmp0 (event, "nack") == 0)
        {
          gint64 seq = meta_int64 (m, "seq");
          gint64 messages = meta_uint32 (m, "messages");
          GHashTableIter iter;
          gpointer key;
          guint removed = 0;

          g_hash_table_iter_init (&iter, outstanding);
          while (g_hash_table_iter_next (&iter, &key, NULL))
            {
              gint64 s = (gint64) GPOINTER_TO_SIZE (key);

              if ((messages == 1 && s == seq) || (messages > 1 && s <= seq))
                {
                  g_hash_table_iter_remove (&iter);
                  removed++;
                }
            }
          g_assert_cmpuint (removed, ==, messages);
          *n_settled += removed;
        }
    }
  return most;
}

/* A burst of 500 with a window of 16: never more than 16 wait for their
 * confirm, all 500 are confirmed, and their message-ids are distinct */
static void
test_confirms_window (Fixture       *f,
                      gconstpointer  data)
{
  const char *queue = name_for (f, "q");
  CtEndpoint *consumer, *producer;
  g_autoptr(GPtrArray) deliveries = NULL;
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) indexes = g_hash_table_new (NULL, NULL);
  guint64 settled = 0;
  guint most;

  SKIP_WITHOUT_BROKER ();
  consumer = add_consumer (f, "queue", queue, NULL);
  producer = add_producer (f, "routing-key", queue, "count", 500, "window", 16, NULL);
  start_ok (consumer);
  start_ok (producer);

  send_ok (producer, "burst");
  g_assert_cmpint (ct_endpoint_get_n_pending (producer), ==, 500);
  ASSERT_WAIT (watch_of (producer)->n_confirmed == 500, WAIT_S);
  g_assert_cmpint (ct_endpoint_get_n_pending (producer), ==, 0);
  g_assert_cmpuint (n_events (producer, "publish"), ==, 500);

  most = replay_outstanding (producer, &settled);
  g_test_message ("at most %u outstanding with a window of 16", most);
  g_assert_cmpuint (most, <=, 16);
  g_assert_cmpuint (most, >=, 1);
  g_assert_cmpuint (settled, ==, 500);

  ASSERT_WAIT (n_events (consumer, "deliver") == 500, WAIT_S);
  deliveries = entries (consumer, "deliver");
  for (guint i = 0; i < deliveries->len; i++)
    {
      const char *id = meta_str (entry_at (deliveries, i), "message-id");
      const char *dash;
      guint64 index;

      g_assert_nonnull (id);
      g_assert_true (g_hash_table_add (ids, (gpointer) id));
      /* BURST-INDEX, the index from 1 */
      dash = strrchr (id, '-');
      g_assert_nonnull (dash);
      g_assert_true (g_ascii_string_to_unsigned (dash + 1, 10, 1, 500, &index, NULL));
      g_assert_true (g_hash_table_add (indexes, GSIZE_TO_POINTER (index)));
    }
  g_assert_cmpuint (g_hash_table_size (ids), ==, 500);
  g_assert_cmpuint (g_hash_table_size (indexes), ==, 500);
}

/* Without confirms: no seq, and a message counts as settled once it is
 * on the wire */
static void
test_confirms_off (Fixture       *f,
                   gconstpointer  data)
{
  const char *queue = name_for (f, "q");
  CtEndpoint *consumer, *producer;
  g_autoptr(GPtrArray) publishes = NULL;
  g_autoptr(GPtrArray) connected = NULL;

  SKIP_WITHOUT_BROKER ();
  consumer = add_consumer (f, "queue", queue, NULL);
  producer = add_producer (f, "routing-key", queue, "confirm", FALSE, "count", 20, NULL);
  start_ok (consumer);
  start_ok (producer);
  connected = entries (producer, "connected");
  g_assert_cmpstr (meta_str (entry_at (connected, 0), "confirm"), ==, "no");

  send_ok (producer, "unconfirmed");
  ASSERT_WAIT (n_events (consumer, "deliver") == 20, WAIT_S);
  wait_settled (producer);
  publishes = entries (producer, "publish");
  g_assert_cmpuint (publishes->len, ==, 20);
  for (guint i = 0; i < publishes->len; i++)
    g_assert_cmpint (meta_int64 (entry_at (publishes, i), "seq"), ==, -1);
  g_assert_cmpuint (n_events (producer, "ack"), ==, 0);
}

/* The broker refuses what a full queue cannot take (x-overflow
 * reject-publish, declared here with pika since the consumer has no such
 * setting): nack entries settle those messages */
static void
test_confirms_nack (Fixture       *f,
                    gconstpointer  data)
{
  const char *queue = name_for (f, "q");
  const char *declare =
    "import sys, pika\n"
    "c = pika.BlockingConnection(pika.URLParameters(sys.argv[1]))\n"
    "c.channel().queue_declare(sys.argv[2], arguments={'x-max-length': 1, 'x-overflow': 'reject-publish'})\n"
    "c.close()\n"
    "print('declared')\n";
  const char *argv[] = { DEBIAN_PYTHON, "-c", declare, broker_url, queue, NULL };
  PeerResult r = { 0 };
  CtEndpoint *producer;
  g_autoptr(GPtrArray) nacks = NULL;
  g_autoptr(GPtrArray) publishes = NULL;
  GSubprocess *python;

  SKIP_WITHOUT_BROKER ();
  python = peer_spawn (f, argv, &r);
  peer_wait (python, &r, 60);
  g_assert_cmpstr (r.output, ==, "declared\n");
  g_free (r.output);

  producer = add_producer (f, "routing-key", queue, NULL);
  start_ok (producer);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *text = g_strdup_printf ("full-%u", i);

      send_ok (producer, text);
      /* One at a time, so that each confirm is for one message */
      wait_settled (producer);
    }
  g_assert_cmpuint (watch_of (producer)->n_confirmed, ==, 1);
  g_assert_cmpuint (watch_of (producer)->n_nacked, ==, 2);
  g_assert_cmpint (ct_endpoint_get_n_pending (producer), ==, 0);

  publishes = entries (producer, "publish");
  nacks = entries (producer, "nack");
  g_assert_cmpuint (nacks->len, ==, 2);
  for (guint i = 0; i < nacks->len; i++)
    {
      CtMessage *nack = entry_at (nacks, i);

      g_assert_cmpint (ct_message_get_direction (nack), ==, CT_DIRECTION_IN);
      g_assert_cmpint (meta_uint32 (nack, "messages"), ==, 1);
      g_assert_cmpint (meta_int64 (nack, "seq"), ==, i + 2);
      g_assert_cmpuint (ct_message_get_exchange (nack), ==, ct_message_get_exchange (entry_at (publishes, i + 1)));
      g_assert_cmpint (meta_int64 (nack, "rtt-us"), >=, 0);
    }
}

/* -- 3. returns ---------------------------------------------------------------------- */

static void
test_returns (Fixture       *f,
              gconstpointer  data)
{
  const char *nowhere = name_for (f, "nowhere");
  CtEndpoint *producer;
  g_autoptr(GPtrArray) returns = NULL;
  g_autoptr(GPtrArray) publishes = NULL;
  g_autofree char *body = NULL;
  CtMessage *r;

  SKIP_WITHOUT_BROKER ();
  producer = add_producer (f, "routing-key", nowhere, "mandatory", TRUE, "correlation-id", "lost-1", NULL);
  start_ok (producer);

  send_ok (producer, "nobody takes this");
  ASSERT_WAIT (n_events (producer, "return") == 1, WAIT_S);
  /* An unroutable message is still confirmed (after its return) */
  wait_settled (producer);
  g_assert_cmpuint (watch_of (producer)->n_confirmed, ==, 1);

  publishes = entries (producer, "publish");
  g_assert_cmpstr (meta_str (entry_at (publishes, 0), "mandatory"), ==, "yes");
  returns = entries (producer, "return");
  r = entry_at (returns, 0);
  body = text_of (r);
  g_assert_cmpint (ct_message_get_direction (r), ==, CT_DIRECTION_IN);
  g_assert_cmpstr (body, ==, "nobody takes this");
  g_assert_cmpint (meta_uint32 (r, "reply-code"), ==, 312);
  g_assert_cmpstr (meta_str (r, "reply-text"), ==, "NO_ROUTE");
  g_assert_cmpstr (meta_str (r, "exchange"), ==, "");
  g_assert_cmpstr (meta_str (r, "routing-key"), ==, nowhere);
  g_assert_cmpstr (meta_str (r, "correlation-id"), ==, "lost-1");

  /* Without mandatory the broker drops it silently */
  g_object_set (producer, "mandatory", FALSE, NULL);
  send_ok (producer, "dropped silently");
  ASSERT_WAIT (watch_of (producer)->n_confirmed == 2, WAIT_S);
  spin_ms (300);
  g_assert_cmpuint (n_events (producer, "return"), ==, 1);
  g_clear_pointer (&publishes, g_ptr_array_unref);
  publishes = entries (producer, "publish");
  g_assert_null (meta_str (entry_at (publishes, 1), "mandatory"));
}

/* -- 4. manual acks ---------------------------------------------------------------------- */

/* Nack with requeue: delivered again, redelivered "yes"; an entry once
 * settled cannot be settled again */
static void
test_ack_nack_requeue (Fixture       *f,
                       gconstpointer  data)
{
  const char *queue = name_for (f, "q");
  CtEndpoint *consumer, *producer;
  g_autoptr(GPtrArray) deliveries = NULL;
  g_autoptr(GPtrArray) nacks = NULL;
  g_autoptr(GPtrArray) listening = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CtMessage) first = NULL;
  CtMessage *again;
  g_autofree char *text = NULL;

  SKIP_WITHOUT_BROKER ();
  consumer = add_consumer (f, "queue", queue, "ack-mode", CT_AMQP_ACK_MODE_MANUAL, "requeue", TRUE, NULL);
  producer = add_producer (f, "routing-key", queue, NULL);
  start_ok (consumer);
  start_ok (producer);
  listening = entries (consumer, "listening");
  g_assert_cmpstr (meta_str (entry_at (listening, 0), "ack-mode"), ==, "manual");

  send_ok (producer, "try again");
  ASSERT_WAIT (n_events (consumer, "deliver") == 1, WAIT_S);
  deliveries = entries (consumer, "deliver");
  first = g_object_ref (entry_at (deliveries, 0));
  g_assert_cmpstr (meta_str (first, "redelivered"), ==, "no");
  g_assert_true (ct_endpoint_can_run_message_command (consumer, "ack", first));
  g_assert_true (ct_endpoint_can_run_message_command (consumer, "nack", first));
  g_assert_true (ct_endpoint_can_run_message_command (consumer, "reject", first));
  g_assert_false (ct_endpoint_can_run_message_command (consumer, "bogus", first));

  /* Only deliveries can be settled, and only with the known commands */
  {
    g_autoptr(GPtrArray) info = entries (consumer, "listening");

    g_assert_false (ct_endpoint_can_run_message_command (consumer, "ack", entry_at (info, 0)));
    g_assert_false (ct_endpoint_run_message_command (consumer, "ack", entry_at (info, 0), &error));
    g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING);
    g_clear_error (&error);
    g_assert_false (ct_endpoint_run_message_command (consumer, "bogus", first, &error));
    g_assert_error (error, CT_ERROR, CT_ERROR_NOT_IMPLEMENTED);
    g_clear_error (&error);
  }

  settle_ok (consumer, "nack", first);
  g_assert_false (ct_endpoint_can_run_message_command (consumer, "ack", first));
  g_assert_false (ct_endpoint_can_run_message_command (consumer, "nack", first));
  nacks = entries (consumer, "nack");
  g_assert_cmpuint (nacks->len, ==, 1);
  g_assert_cmpint (ct_message_get_direction (entry_at (nacks, 0)), ==, CT_DIRECTION_OUT);
  g_assert_cmpuint (ct_message_get_exchange (entry_at (nacks, 0)), ==, ct_message_get_exchange (first));
  g_assert_cmpstr (meta_str (entry_at (nacks, 0), "requeue"), ==, "yes");
  g_assert_cmpint (meta_int64 (entry_at (nacks, 0), "delivery-tag"), ==, meta_int64 (first, "delivery-tag"));

  /* Settling it again is an error, and nothing is logged for it */
  g_assert_false (ct_endpoint_run_message_command (consumer, "ack", first, &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING);
  g_clear_error (&error);
  g_assert_cmpuint (n_events (consumer, "ack"), ==, 0);

  /* Back in the queue: delivered again, marked redelivered */
  ASSERT_WAIT (n_events (consumer, "deliver") == 2, WAIT_S);
  g_clear_pointer (&deliveries, g_ptr_array_unref);
  deliveries = entries (consumer, "deliver");
  again = entry_at (deliveries, 1);
  text = text_of (again);
  g_assert_cmpstr (text, ==, "try again");
  g_assert_cmpstr (meta_str (again, "redelivered"), ==, "yes");
  g_assert_cmpuint (ct_message_get_exchange (again), !=, ct_message_get_exchange (first));

  /* A reject with requeue, then an ack */
  settle_ok (consumer, "reject", again);
  ASSERT_WAIT (n_events (consumer, "deliver") == 3, WAIT_S);
  g_clear_pointer (&deliveries, g_ptr_array_unref);
  deliveries = entries (consumer, "deliver");
  g_assert_cmpstr (meta_str (entry_at (deliveries, 2), "redelivered"), ==, "yes");
  settle_ok (consumer, "ack", entry_at (deliveries, 2));
  g_assert_false (ct_endpoint_can_run_message_command (consumer, "ack", entry_at (deliveries, 2)));
  g_assert_cmpuint (n_events (consumer, "reject"), ==, 1);
  ASSERT_WAIT (n_events (consumer, "ack") == 1, WAIT_S);
  spin_ms (300);
  g_assert_cmpuint (n_events (consumer, "deliver"), ==, 3);

  /* An automatic-ack consumer has nothing to settle */
  {
    CtEndpoint *auto_consumer = add_consumer (f, "queue", name_for (f, "auto"), NULL);
    g_autoptr(GPtrArray) auto_deliveries = NULL;

    start_ok (auto_consumer);
    g_object_set (producer, "routing-key", name_for (f, "auto"), NULL);
    send_ok (producer, "auto");
    ASSERT_WAIT (n_events (auto_consumer, "deliver") == 1, WAIT_S);
    auto_deliveries = entries (auto_consumer, "deliver");
    g_assert_false (ct_endpoint_can_run_message_command (auto_consumer, "ack", entry_at (auto_deliveries, 0)));
    g_assert_false (ct_endpoint_run_message_command (auto_consumer, "ack", entry_at (auto_deliveries, 0), &error));
    g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING);
    g_assert_true (strstr (error->message, "manual") != NULL);
  }
}

/* Reject and nack without requeue: gone from the queue, to the
 * dead-letter exchange when there is one */
static void
test_ack_dead_letter (Fixture       *f,
                      gconstpointer  data)
{
  const char *queue = name_for (f, "q");
  const char *dlx = name_for (f, "dlx");
  CtEndpoint *consumer, *dead, *producer;
  g_autoptr(GPtrArray) deliveries = NULL;
  g_autoptr(GPtrArray) dead_deliveries = NULL;
  g_autoptr(GPtrArray) rejects = NULL;
  g_autofree char *dead_texts = NULL;

  SKIP_WITHOUT_BROKER ();
  dead = add_consumer (f,
                       "queue", name_for (f, "dead"),
                       "exchange", dlx,
                       "exchange-type", CT_AMQP_EXCHANGE_TYPE_FANOUT,
                       NULL);
  consumer = add_consumer (f,
                           "queue", queue,
                           "dead-letter-exchange", dlx,
                           "ack-mode", CT_AMQP_ACK_MODE_MANUAL,
                           "requeue", FALSE,
                           NULL);
  producer = add_producer (f, "routing-key", queue, NULL);
  start_ok (dead);
  start_ok (consumer);
  start_ok (producer);

  send_ok (producer, "rejected");
  send_ok (producer, "nacked");
  send_ok (producer, "acked");
  ASSERT_WAIT (n_events (consumer, "deliver") == 3, WAIT_S);
  deliveries = entries (consumer, "deliver");
  settle_ok (consumer, "reject", entry_at (deliveries, 0));
  settle_ok (consumer, "nack", entry_at (deliveries, 1));
  settle_ok (consumer, "ack", entry_at (deliveries, 2));
  rejects = entries (consumer, "reject");
  g_assert_cmpstr (meta_str (entry_at (rejects, 0), "requeue"), ==, "no");

  ASSERT_WAIT (n_events (dead, "deliver") == 2, WAIT_S);
  dead_texts = delivered_texts (dead);
  g_assert_cmpstr (dead_texts, ==, "rejected nacked");
  dead_deliveries = entries (dead, "deliver");
  g_assert_cmpstr (meta_str (entry_at (dead_deliveries, 0), "exchange"), ==, dlx);
  /* The broker says why in x-death (a table, shown as such) */
  g_assert_nonnull (meta_str (entry_at (dead_deliveries, 0), "headers"));
  g_assert_nonnull (strstr (meta_str (entry_at (dead_deliveries, 0), "headers"), "x-death"));

  /* None of the three comes back */
  spin_ms (500);
  g_assert_cmpuint (n_events (consumer, "deliver"), ==, 3);
  g_assert_cmpuint (n_events (dead, "deliver"), ==, 2);
}

/* Acked is gone for good: after the consumer restarts, only what was not
 * settled (put back when the connection closed) comes again; a delivery of
 * the earlier connection cannot be settled any more */
static void
test_ack_restart (Fixture       *f,
                  gconstpointer  data)
{
  const char *queue = name_for (f, "q");
  CtEndpoint *consumer, *producer;
  g_autoptr(GPtrArray) deliveries = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GError) error = NULL;
  CtMessage *unsettled;
  guint before;
  g_autofree char *texts = NULL;

  SKIP_WITHOUT_BROKER ();
  consumer = add_consumer (f,
                           "queue", queue,
                           "ack-mode", CT_AMQP_ACK_MODE_MANUAL,
                           "requeue", FALSE,
                           NULL);
  producer = add_producer (f, "routing-key", queue, NULL);
  start_ok (consumer);
  start_ok (producer);

  send_ok (producer, "a1");
  send_ok (producer, "a2");
  send_ok (producer, "a3");
  ASSERT_WAIT (n_events (consumer, "deliver") == 3, WAIT_S);
  deliveries = entries (consumer, "deliver");
  settle_ok (consumer, "ack", entry_at (deliveries, 0));
  settle_ok (consumer, "reject", entry_at (deliveries, 1));
  unsettled = entry_at (deliveries, 2);
  g_assert_true (ct_endpoint_can_run_message_command (consumer, "ack", unsettled));

  ct_test_stop (consumer);
  g_assert_false (ct_endpoint_can_run_message_command (consumer, "ack", unsettled));
  g_assert_false (ct_endpoint_run_message_command (consumer, "ack", unsettled, &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_NOT_RUNNING);
  g_clear_error (&error);

  before = n_events (consumer, "deliver");
  start_ok (consumer);
  g_assert_false (ct_endpoint_can_run_message_command (consumer, "ack", unsettled));
  g_assert_false (ct_endpoint_run_message_command (consumer, "ack", unsettled, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* a4 is queued behind whatever came back: once it is in, all has */
  send_ok (producer, "a4");
  ASSERT_WAIT (n_events (consumer, "deliver") == before + 2, WAIT_S);
  spin_ms (300);
  g_assert_cmpuint (n_events (consumer, "deliver"), ==, before + 2);
  after = entries (consumer, "deliver");
  {
    g_autofree char *t0 = text_of (entry_at (after, before));
    g_autofree char *t1 = text_of (entry_at (after, before + 1));

    texts = g_strdup_printf ("%s %s", t0, t1);
  }
  g_assert_cmpstr (texts, ==, "a3 a4");
  g_assert_cmpstr (meta_str (entry_at (after, before), "redelivered"), ==, "yes");
  g_assert_cmpstr (meta_str (entry_at (after, before + 1), "redelivered"), ==, "no");
  settle_ok (consumer, "ack", entry_at (after, before));
  settle_ok (consumer, "ack", entry_at (after, before + 1));
}

/* count: a consumer stops by itself after N messages (with manual acks,
 * after N settled), and takes no more than N off the queue: what it has
 * not settled goes back, and an automatic-ack consumer does not receive
 * (and so consume) more than it was asked for */
static void
test_consumer_count (Fixture       *f,
                     gconstpointer  data)
{
  const char *queue = name_for (f, "q");
  CtEndpoint *manual, *automatic, *rest, *producer;
  g_autoptr(GPtrArray) deliveries = NULL;
  guint taken;

  SKIP_WITHOUT_BROKER ();
  producer = add_producer (f, "routing-key", queue, "count", 5, NULL);
  manual = add_consumer (f, "queue", queue, "count", 2, "ack-mode", CT_AMQP_ACK_MODE_MANUAL, NULL);
  start_ok (manual);
  start_ok (producer);
  send_ok (producer, "five");
  wait_settled (producer);

  /* Manual: it stops once two are settled, not when they arrive */
  ASSERT_WAIT (n_events (manual, "deliver") >= 2, WAIT_S);
  deliveries = entries (manual, "deliver");
  settle_ok (manual, "ack", entry_at (deliveries, 0));
  spin_ms (200);
  g_assert_cmpint (ct_endpoint_get_state (manual), ==, CT_STATE_RUNNING);
  settle_ok (manual, "ack", entry_at (deliveries, 1));
  ASSERT_WAIT (ct_endpoint_get_state (manual) == CT_STATE_STOPPED, WAIT_S);
  g_assert_cmpuint (n_events (manual, "done"), ==, 1);
  g_assert_cmpuint (n_events (manual, "ack"), ==, 2);

  /* Three are back in the queue, two more make five */
  g_object_set (producer, "count", 2, NULL);
  send_ok (producer, "two more");
  wait_settled (producer);

  /* Automatic: it stops after three */
  automatic = add_consumer (f, "queue", queue, "count", 3, NULL);
  {
    g_autoptr(GError) error = NULL;

    /* It may be stopping already when the start completes: the messages
     * were waiting for it */
    g_assert_true (ct_test_start (automatic, &error));
    g_assert_no_error (error);
  }
  ASSERT_WAIT (ct_endpoint_get_state (automatic) == CT_STATE_STOPPED, WAIT_S);
  g_assert_cmpuint (n_events (automatic, "done"), ==, 1);
  g_assert_cmpuint (n_events (automatic, "deliver"), >=, 3);

  /* The other two are still there for the next consumer */
  rest = add_consumer (f, "queue", queue, NULL);
  start_ok (rest);
  WAIT_FOR (n_events (rest, "deliver") >= 2, 5);
  spin_ms (300);
  taken = n_events (automatic, "deliver");
  if (taken != 3 || n_events (rest, "deliver") != 2)
    {
      soft_fail ("a consumer with count=3 and automatic acks received %u messages and so took them all "
                 "off the queue: %u of the 5 were left for the next consumer, instead of 2",
                 taken, n_events (rest, "deliver"));
      return;
    }
}

/* The queue's own settings: maximum length, message TTL, auto-delete,
 * exclusive; and a message's expiration */
static void
test_queue_arguments (Fixture       *f,
                      gconstpointer  data)
{
  const char *capped = name_for (f, "capped");
  const char *ttl = name_for (f, "ttl");
  const char *gone = name_for (f, "autodelete");
  const char *mine = name_for (f, "exclusive");
  CtEndpoint *capped_consumer, *ttl_consumer, *gone_consumer, *mine_consumer, *other, *producer;
  g_autofree char *texts = NULL;

  SKIP_WITHOUT_BROKER ();
  producer = add_producer (f, NULL);
  start_ok (producer);

  /* At most two: the oldest are dropped */
  capped_consumer = add_consumer (f, "queue", capped, "max-length", 2, NULL);
  start_ok (capped_consumer);
  ct_test_stop (capped_consumer);
  g_object_set (producer, "routing-key", capped, NULL);
  for (guint i = 1; i <= 5; i++)
    {
      g_autofree char *text = g_strdup_printf ("m%u", i);

      send_ok (producer, text);
    }
  wait_settled (producer);
  start_ok (capped_consumer);
  ASSERT_WAIT (n_events (capped_consumer, "deliver") == 2, WAIT_S);
  spin_ms (300);
  texts = delivered_texts (capped_consumer);
  g_assert_cmpstr (texts, ==, "m4 m5");

  /* Messages wait 200 ms at most; a message's own expiration, too */
  ttl_consumer = add_consumer (f, "queue", ttl, "message-ttl", 200, NULL);
  start_ok (ttl_consumer);
  ct_test_stop (ttl_consumer);
  g_object_set (producer, "routing-key", ttl, NULL);
  send_ok (producer, "expires in the queue");
  g_object_set (producer, "expiration", 50, NULL);
  send_ok (producer, "expires by itself");
  g_object_set (producer, "expiration", 0, NULL);
  wait_settled (producer);
  spin_ms (600);
  start_ok (ttl_consumer);
  send_ok (producer, "fresh");
  ASSERT_WAIT (n_events (ttl_consumer, "deliver") == 1, WAIT_S);
  spin_ms (200);
  g_clear_pointer (&texts, g_free);
  texts = delivered_texts (ttl_consumer);
  g_assert_cmpstr (texts, ==, "fresh");

  /* Auto-delete: gone with its last consumer, so nothing routes there */
  gone_consumer = add_consumer (f, "queue", gone, "auto-delete", TRUE, NULL);
  start_ok (gone_consumer);
  ct_test_stop (gone_consumer);
  g_object_set (producer, "routing-key", gone, "mandatory", TRUE, NULL);
  send_ok (producer, "after the queue went");
  ASSERT_WAIT (n_events (producer, "return") == 1, WAIT_S);
  wait_settled (producer);
  g_object_set (producer, "mandatory", FALSE, NULL);

  /* Exclusive: nobody else may consume it */
  mine_consumer = add_consumer (f, "queue", mine, "exclusive", TRUE, NULL);
  other = add_consumer (f, "queue", mine, "exclusive", TRUE, NULL);
  start_ok (mine_consumer);
  assert_start_fails (other, CT_ERROR, CT_ERROR_PROTOCOL, -1, "RESOURCE_LOCKED", NULL);
  g_assert_cmpint (ct_endpoint_get_state (mine_consumer), ==, CT_STATE_RUNNING);
}

/* -- 5. prefetch --------------------------------------------------------------------------- */

/* Replays a consumer's log: deliveries minus settlements, at most */
static guint
replay_unsettled (CtEndpoint *consumer)
{
  g_autoptr(GPtrArray) all = entries (consumer, NULL);
  gint unsettled = 0, most = 0;

  for (guint i = 0; i < all->len; i++)
    {
      const char *event = ct_message_get_event (all->pdata[i]);

      if (g_strcmp0 (event, "deliver") == 0)
        unsettled++;
      else if (g_strcmp0 (event, "ack") == 0 || g_strcmp0 (event, "nack") == 0 ||
               g_strcmp0 (event, "reject") == 0)
        unsettled--;
      most = MAX (most, unsettled);
    }
  return most;
}

static void
test_prefetch (Fixture       *f,
               gconstpointer  data)
{
  const char *queue = name_for (f, "q");
  CtEndpoint *consumer, *producer;
  g_autoptr(GPtrArray) deliveries = NULL;
  g_autoptr(GPtrArray) listening = NULL;

  SKIP_WITHOUT_BROKER ();
  consumer = add_consumer (f, "queue", queue, "ack-mode", CT_AMQP_ACK_MODE_MANUAL, "prefetch", 5, NULL);
  producer = add_producer (f, "routing-key", queue, "count", 20, NULL);
  start_ok (consumer);
  start_ok (producer);
  listening = entries (consumer, "listening");
  g_assert_cmpint (meta_uint32 (entry_at (listening, 0), "prefetch"), ==, 5);

  send_ok (producer, "prefetched");
  wait_settled (producer);
  ASSERT_WAIT (n_events (consumer, "deliver") == 5, WAIT_S);
  spin_ms (500);
  g_assert_cmpuint (n_events (consumer, "deliver"), ==, 5);

  /* One acked: exactly one more */
  deliveries = entries (consumer, "deliver");
  settle_ok (consumer, "ack", entry_at (deliveries, 0));
  ASSERT_WAIT (n_events (consumer, "deliver") == 6, WAIT_S);
  spin_ms (300);
  g_assert_cmpuint (n_events (consumer, "deliver"), ==, 6);

  /* The rest, acked as they come */
  g_clear_pointer (&deliveries, g_ptr_array_unref);
  deliveries = entries (consumer, "deliver");
  watch_of (consumer)->auto_ack = TRUE;
  for (guint i = 1; i < deliveries->len; i++)
    settle_ok (consumer, "ack", entry_at (deliveries, i));
  ASSERT_WAIT (n_events (consumer, "deliver") == 20, WAIT_S);
  ASSERT_WAIT (n_events (consumer, "ack") == 20, WAIT_S);
  g_assert_cmpuint (n_distinct (consumer), ==, 1);
  g_assert_cmpuint (replay_unsettled (consumer), ==, 5);
}

/* -- 6 and 7. broker restarts ------------------------------------------------------------ */

static gboolean
logged_since (CtEndpoint *endpoint,
              const char *event,
              guint       before)
{
  return n_events (endpoint, event) > before;
}

/* 10,000 distinct persistent messages to a durable queue, confirmed and
 * acked by hand; the broker is stopped midway and started again; both
 * ends reconnect by themselves and every message arrives (some perhaps
 * twice: at least once) */
static void
test_restart_no_loss (Fixture       *f,
                      gconstpointer  data)
{
  const guint total = 10000, first_batch = 6000;
  const char *queue = name_for (f, "q");
  CtEndpoint *consumer, *producer;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimer) timer = g_timer_new ();
  Watch *cw, *pw;
  guint64 confirmed_before_stop, consumed_before_stop;

  SKIP_WITHOUT_BROKER ();
  consumer = add_consumer (f,
                           "queue", queue,
                           "durable", TRUE,
                           "ack-mode", CT_AMQP_ACK_MODE_MANUAL,
                           "prefetch", 200,
                           NULL);
  producer = add_producer (f, "routing-key", queue, "persistent", TRUE, "confirm", TRUE, NULL);
  cw = watch_of (consumer);
  pw = watch_of (producer);
  cw->auto_ack = TRUE;
  start_ok (consumer);
  start_ok (producer);

  for (guint i = 0; i < first_batch; i++)
    {
      g_autofree char *text = g_strdup_printf ("msg-%05u", i);

      send_ok (producer, text);
    }
  /* Some confirmed and some consumed, not all */
  ASSERT_WAIT (pw->n_confirmed >= 1000 && n_distinct (consumer) >= 500, 60);
  confirmed_before_stop = pw->n_confirmed;
  consumed_before_stop = n_distinct (consumer);

  broker_stop ();
  ASSERT_WAIT (ct_endpoint_get_state (producer) == CT_STATE_RECONNECTING, WAIT_S);
  ASSERT_WAIT (ct_endpoint_get_state (consumer) == CT_STATE_RECONNECTING, WAIT_S);
  g_test_message ("broker stopped after %.1f s: %" G_GUINT64_FORMAT " confirmed, %" G_GUINT64_FORMAT
                  " consumed, %" G_GINT64_FORMAT " pending",
                  g_timer_elapsed (timer, NULL), confirmed_before_stop, consumed_before_stop,
                  ct_endpoint_get_n_pending (producer));
  g_assert_cmpuint (n_events (producer, "reconnecting"), >=, 1);
  g_assert_cmpuint (n_events (consumer, "reconnecting"), >=, 1);
  g_assert_cmpuint (n_events (producer, "error"), >=, 1);
  g_assert_cmpuint (n_events (consumer, "error"), >=, 1);

  /* Sends are accepted while the broker is away */
  for (guint i = first_batch; i < total; i++)
    {
      g_autofree char *text = g_strdup_printf ("msg-%05u", i);

      send_ok (producer, text);
    }
  g_assert_cmpint (ct_endpoint_get_n_pending (producer), >=, total - first_batch);

  g_assert_true (broker_start (&error));
  g_assert_no_error (error);
  g_assert_cmpstr (ct_broker_get_url (broker), ==, broker_url);

  ASSERT_WAIT (ct_endpoint_get_state (producer) == CT_STATE_RUNNING, 60);
  ASSERT_WAIT (ct_endpoint_get_state (consumer) == CT_STATE_RUNNING, 60);
  ASSERT_WAIT (n_distinct (consumer) == total && ct_endpoint_get_n_pending (producer) == 0, 120);
  g_test_message ("all %u in after %.1f s: %u deliveries, %" G_GUINT64_FORMAT " confirmed, %"
                  G_GUINT64_FORMAT " republished",
                  total, g_timer_elapsed (timer, NULL), n_events (consumer, "deliver"), watch_of (producer)->n_confirmed,
                  pw->n_republished);

  g_assert_cmpuint (n_events (producer, "reconnected"), >=, 1);
  g_assert_cmpuint (n_events (consumer, "reconnected"), >=, 1);
  /* Each message confirmed once: an ack lost with the connection is
   * followed by the republished message's own */
  g_assert_cmpuint (watch_of (producer)->n_confirmed, ==, total);
  g_assert_cmpuint (pw->n_nacked, ==, 0);
  /* What the reconnection said it would publish again was published
   * again, marked so */
  {
    g_autoptr(GPtrArray) reconnected = entries (producer, "reconnected");
    gint64 announced = 0;

    for (guint i = 0; i < reconnected->len; i++)
      announced += meta_uint32 (entry_at (reconnected, i), "republished");
    g_assert_cmpint (announced, >=, 0);
    g_assert_cmpuint (pw->n_republished, <=, announced);
    g_assert_true ((announced == 0) == (pw->n_republished == 0));
  }
  g_assert_cmpuint (n_events (consumer, "deliver"), >=, total);
  for (guint i = 0; i < total; i++)
    {
      g_autofree char *text = g_strdup_printf ("msg-%05u", i);

      g_assert_true (g_hash_table_contains (cw->distinct, text));
    }
  /* Everything consumed is settled: nothing is left in the queue */
  ASSERT_WAIT (n_events (consumer, "ack") >= total, WAIT_S);
  spin_ms (300);
  g_assert_cmpuint (n_distinct (consumer), ==, total);
}

/* Idle ends keep their connections with heartbeats, survive a broker
 * restart, and carry messages again; a queue the broker names gets a new
 * name on the new connection, and the consumer knows it */
static void
test_restart_reconnect (Fixture       *f,
                        gconstpointer  data)
{
  const char *queue = name_for (f, "q");
  const char *manual_queue = name_for (f, "manual");
  CtEndpoint *consumer, *named, *manual, *producer, *producer2;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) deliveries = NULL;
  g_autoptr(GPtrArray) manual_deliveries = NULL;
  g_autoptr(CtMessage) unsettled = NULL;
  g_autofree char *old_name = NULL;
  g_autofree char *texts = NULL;
  const char *new_name;

  SKIP_WITHOUT_BROKER ();
  consumer = add_consumer (f, "queue", queue, "heartbeat", 1, NULL);
  named = add_consumer (f, "queue", "", "exclusive", TRUE, "heartbeat", 1, NULL);
  manual = add_consumer (f,
                         "queue", manual_queue,
                         "durable", TRUE,
                         "ack-mode", CT_AMQP_ACK_MODE_MANUAL,
                         NULL);
  producer = add_producer (f, "routing-key", queue, "heartbeat", 1, NULL);
  producer2 = add_producer (f, "routing-key", manual_queue, "persistent", TRUE, NULL);
  start_ok (consumer);
  start_ok (named);
  start_ok (manual);
  start_ok (producer);
  start_ok (producer2);
  old_name = g_strdup (ct_amqp_consumer_get_queue_name (CT_AMQP_CONSUMER (named)));
  g_assert_true (g_str_has_prefix (old_name, "amq.gen-"));

  /* Idle for several heartbeat intervals: nobody drops the connection */
  spin_ms (3500);
  g_assert_cmpint (ct_endpoint_get_state (consumer), ==, CT_STATE_RUNNING);
  g_assert_cmpint (ct_endpoint_get_state (producer), ==, CT_STATE_RUNNING);
  g_assert_cmpuint (n_events (consumer, "error") + n_events (producer, "error") + n_events (named, "error"), ==, 0);
  send_ok (producer, "before");
  ASSERT_WAIT (n_events (consumer, "deliver") == 1, WAIT_S);
  send_ok (producer2, "left unsettled");
  ASSERT_WAIT (n_events (manual, "deliver") == 1, WAIT_S);
  wait_settled (producer2);
  manual_deliveries = entries (manual, "deliver");
  unsettled = g_object_ref (entry_at (manual_deliveries, 0));
  g_assert_true (ct_endpoint_can_run_message_command (manual, "ack", unsettled));

  broker_stop ();
  ASSERT_WAIT (ct_endpoint_get_state (consumer) == CT_STATE_RECONNECTING, WAIT_S);
  ASSERT_WAIT (ct_endpoint_get_state (named) == CT_STATE_RECONNECTING, WAIT_S);
  ASSERT_WAIT (ct_endpoint_get_state (producer) == CT_STATE_RECONNECTING, WAIT_S);
  g_assert_true (logged_since (consumer, "reconnecting", 0));
  g_assert_true (logged_since (producer, "reconnecting", 0));
  g_assert_true (logged_since (consumer, "error", 0));
  g_assert_true (logged_since (producer, "error", 0));

  /* The connection the delivery came on is gone (the broker will deliver
   * it again): it cannot be settled any more */
  ASSERT_WAIT (ct_endpoint_get_state (manual) == CT_STATE_RECONNECTING, WAIT_S);
  if (ct_endpoint_can_run_message_command (manual, "ack", unsettled))
    {
      guint acks = n_events (manual, "ack");
      gboolean ran = ct_endpoint_run_message_command (manual, "ack", unsettled, &error);

      soft_fail ("while reconnecting, a delivery of the lost connection can still be acked (the command %s, "
                 "and %u ack entry was logged)", ran ? "succeeded" : "failed", n_events (manual, "ack") - acks);
      g_clear_error (&error);
    }

  g_assert_true (broker_start (&error));
  g_assert_no_error (error);
  ASSERT_WAIT (ct_endpoint_get_state (consumer) == CT_STATE_RUNNING, 60);
  ASSERT_WAIT (ct_endpoint_get_state (named) == CT_STATE_RUNNING, 60);
  ASSERT_WAIT (ct_endpoint_get_state (producer) == CT_STATE_RUNNING, 60);
  g_assert_cmpuint (n_events (consumer, "reconnected"), >=, 1);
  g_assert_cmpuint (n_events (producer, "reconnected"), >=, 1);
  g_assert_cmpuint (n_events (named, "reconnected"), >=, 1);

  send_ok (producer, "after");
  ASSERT_WAIT (n_events (consumer, "deliver") == 2, WAIT_S);
  wait_settled (producer);
  texts = delivered_texts (consumer);
  g_assert_cmpstr (texts, ==, "before after");
  deliveries = entries (consumer, "deliver");
  g_assert_cmpint (meta_uint32 (entry_at (deliveries, 1), "connection"), ==, 2);

  /* The unsettled one comes again (a durable queue, a persistent message)
   * and can be acked on the new connection; the old entry cannot */
  ASSERT_WAIT (n_events (manual, "deliver") == 2, WAIT_S);
  g_clear_pointer (&manual_deliveries, g_ptr_array_unref);
  manual_deliveries = entries (manual, "deliver");
  {
    g_autofree char *again = text_of (entry_at (manual_deliveries, 1));

    g_assert_cmpstr (again, ==, "left unsettled");
  }
  g_assert_cmpint (meta_uint32 (entry_at (manual_deliveries, 1), "connection"), ==, 2);
  g_assert_false (ct_endpoint_can_run_message_command (manual, "ack", unsettled));
  settle_ok (manual, "ack", entry_at (manual_deliveries, 1));

  /* The exclusive server-named queue went with the old connection; the
   * consumer's name for its queue must be the new one */
  new_name = ct_amqp_consumer_get_queue_name (CT_AMQP_CONSUMER (named));
  if (g_strcmp0 (new_name, old_name) == 0)
    {
      soft_fail ("after the reconnect, the consumer still names its server-named queue \"%s\", "
                 "the queue of the old connection", old_name);
      return;
    }
  g_object_set (producer, "routing-key", new_name, NULL);
  send_ok (producer, "to the new queue");
  ASSERT_WAIT (n_events (named, "deliver") == 1, WAIT_S);
}

/* -- 8. third-party peers ------------------------------------------------------------------ */

/* Runs the pika producer: @n messages to @queue */
static void
run_pika_producer (Fixture    *f,
                   const char *queue,
                   guint       n,
                   gboolean    empty_strings)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "amqp-pika-producer.py", NULL);
  g_autofree char *count = g_strdup_printf ("%u", n);
  g_autofree char *expected = g_strdup_printf ("published %u\n", n);
  const char *argv[] = { DEBIAN_PYTHON, script, broker_url, queue, count,
                         empty_strings ? "--empty-strings" : NULL, NULL };
  PeerResult r = { 0 };
  GSubprocess *pika = peer_spawn (f, argv, &r);

  peer_wait (pika, &r, 60);
  g_assert_cmpstr (r.output, ==, expected);
  g_free (r.output);
}

/* python3-pika publishes with confirms and a full set of properties: our
 * consumer gets every message with every property */
static void
test_peer_pika_producer (Fixture       *f,
                         gconstpointer  data)
{
  const char *queue = name_for (f, "q");
  const guint n = 100;
  CtEndpoint *consumer;
  g_autoptr(GPtrArray) deliveries = NULL;

  SKIP_WITHOUT_BROKER ();
  consumer = add_consumer (f, "queue", queue, "ack-mode", CT_AMQP_ACK_MODE_MANUAL, NULL);
  watch_of (consumer)->auto_ack = TRUE;
  start_ok (consumer);
  run_pika_producer (f, queue, n, FALSE);

  ASSERT_WAIT (n_events (consumer, "deliver") == n, WAIT_S);
  deliveries = entries (consumer, "deliver");
  for (guint i = 0; i < n; i++)
    {
      CtMessage *d = entry_at (deliveries, i);
      g_autofree char *body = text_of (d);
      g_autofree char *expected = g_strdup_printf ("pika-%u", i);
      g_autofree char *corr = g_strdup_printf ("pika-corr-%u", i);
      g_autofree char *headers = g_strdup_printf ("source: pika\nn: %u", i);

      g_assert_cmpstr (body, ==, expected);
      g_assert_cmpstr (meta_str (d, "message-id"), ==, expected);
      g_assert_cmpstr (meta_str (d, "correlation-id"), ==, corr);
      g_assert_cmpstr (meta_str (d, "content-type"), ==, "text/plain");
      g_assert_cmpstr (meta_str (d, "type"), ==, "test");
      g_assert_cmpstr (meta_str (d, "app-id"), ==, "amqp-pika-producer");
      g_assert_cmpstr (meta_str (d, "delivery-mode"), ==, "persistent");
      g_assert_cmpint (meta_uint32 (d, "priority"), ==, 3);
      g_assert_cmpint (meta_int64 (d, "timestamp"), ==, 1700000000 + i);
      g_assert_cmpstr (meta_str (d, "headers"), ==, headers);
      g_assert_cmpstr (meta_str (d, "exchange"), ==, "");
      g_assert_cmpstr (meta_str (d, "routing-key"), ==, queue);
    }
  ASSERT_WAIT (n_events (consumer, "ack") == n, WAIT_S);
}

/* Empty strings are values like any other: a header whose value is "" (as
 * in every message dead-lettered from the default exchange, whose
 * x-first-death-exchange is "") is shown as such */
static void
test_peer_pika_empty_strings (Fixture       *f,
                              gconstpointer  data)
{
  const char *queue = name_for (f, "q");
  CtEndpoint *consumer;
  g_autoptr(GPtrArray) deliveries = NULL;

  SKIP_WITHOUT_BROKER ();
  consumer = add_consumer (f, "queue", queue, NULL);
  start_ok (consumer);
  run_pika_producer (f, queue, 3, TRUE);

  ASSERT_WAIT (n_events (consumer, "deliver") == 3, WAIT_S);
  deliveries = entries (consumer, "deliver");
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *headers = g_strdup_printf ("source: pika\nn: %u\nempty: ", i);

      g_assert_cmpstr (meta_str (entry_at (deliveries, i), "headers"), ==, headers);
    }
  g_assert_cmpint (ct_endpoint_get_state (consumer), ==, CT_STATE_RUNNING);
}

/* Our producer → amqp-consume (amqp-tools), which runs `cat` on each body */
static void
test_peer_amqp_consume (Fixture       *f,
                        gconstpointer  data)
{
  const char *queue = name_for (f, "q");
  const guint n = 20;
  g_autofree char *url_option = NULL;
  g_autofree char *count = g_strdup_printf ("%u", n);
  g_autofree char *tool = g_find_program_in_path ("amqp-consume");
  g_autoptr(GString) expected = g_string_new (NULL);
  CtEndpoint *declare, *producer;
  GSubprocess *consume;
  PeerResult r = { 0 };

  SKIP_WITHOUT_BROKER ();
  if (tool == NULL)
    {
      g_test_fail_printf ("amqp-consume is not installed (amqp-tools): run build-aux/install-deps");
      return;
    }
  /* amqp-consume -q consumes a queue that must exist: our consumer
   * declares it (it outlives the consumer) */
  declare = add_consumer (f, "queue", queue, NULL);
  start_ok (declare);
  ct_test_stop (declare);

  producer = add_producer (f, "routing-key", queue, "persistent", TRUE, NULL);
  start_ok (producer);
  url_option = g_strdup_printf ("--url=%s", broker_url);
  {
    const char *argv[] = { tool, url_option, "-q", queue, "-c", count, "cat", NULL };

    consume = peer_spawn (f, argv, &r);
  }
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("tool-%u;", i);

      send_ok (producer, text);
      g_string_append (expected, text);
    }
  wait_settled (producer);
  peer_wait (consume, &r, 60);
  g_assert_cmpstr (r.output, ==, expected->str);
  g_free (r.output);
}

/* -- 9. errors ------------------------------------------------------------------------------- */

/* Every entry of @endpoint's log, and its JSON Lines form, lacks @secret */
static void
assert_log_lacks (CtEndpoint *endpoint,
                  const char *secret)
{
  g_autoptr(GPtrArray) all = entries (endpoint, NULL);
  const char *role = ct_endpoint_get_role (endpoint) == CT_ROLE_SERVER ? "server" : "client";

  for (guint i = 0; i < all->len; i++)
    {
      CtMessage *m = all->pdata[i];
      g_autofree char *line = ct_jsonl_format_message (m, "amqp", role);
      g_autofree char *summary = ct_message_dup_summary (m);
      g_autofree char *text = text_of (m);
      GVariant *meta = ct_message_get_meta (m);
      g_autofree char *meta_text = meta ? g_variant_print (meta, FALSE) : g_strdup ("");

      if (strstr (line, secret) || strstr (summary, secret) || strstr (text, secret) ||
          strstr (meta_text, secret))
        g_error ("the log shows “%s”: %s", secret, line);
    }
}

static void
assert_start_fails (CtEndpoint  *endpoint,
                    GQuark       domain,
                    int          code,
                    int          code2,
                    const char  *phrase,
                    const char  *secret)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = ct_test_start (endpoint, &error);

  g_assert_false (ok);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  if (!(error->domain == domain && (error->code == code || error->code == code2)))
    g_error ("start failed with %s %d (%s)", g_quark_to_string (error->domain), error->code, error->message);
  g_assert_nonnull (strstr (error->message, phrase));
  g_assert_cmpint (ct_endpoint_get_state (endpoint), ==, CT_STATE_FAILED);
  g_assert_nonnull (ct_endpoint_get_error (endpoint));
  g_assert_cmpuint (n_events (endpoint, "connected") + n_events (endpoint, "listening"), ==, 0);
  g_assert_cmpint (ct_test_log_count (ct_endpoint_get_log (endpoint), CT_DIRECTION_ERROR), >=, 1);
  if (secret)
    {
      g_assert_null (strstr (error->message, secret));
      g_assert_null (strstr (ct_endpoint_get_error (endpoint), secret));
      assert_log_lacks (endpoint, secret);
    }
}

static void
test_errors_bad_url (Fixture       *f,
                     gconstpointer  data)
{
  CtEndpoint *producer = add_producer (f, NULL);
  CtEndpoint *consumer = add_consumer (f, "queue", name_for (f, "q"), NULL);
  g_autoptr(GError) error = NULL;

  g_object_set (producer, "url", "http://x", NULL);
  assert_start_fails (producer, CT_ERROR, CT_ERROR_INVALID_SETTING, -1, "not an AMQP URL", NULL);
  g_object_set (consumer, "url", "amqps://guest:S3cret-tls@127.0.0.1:5671", NULL);
  assert_start_fails (consumer, CT_ERROR, CT_ERROR_INVALID_SETTING, -1, "TLS", "S3cret-tls");
  g_object_set (producer, "url", "amqp://guest:guest@127.0.0.1:99999", NULL);
  assert_start_fails (producer, CT_ERROR, CT_ERROR_INVALID_SETTING, -1, "port", NULL);

  /* Not running: nothing to send */
  g_assert_false (ct_endpoint_send_text (producer, "x", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_NOT_RUNNING);
  g_clear_error (&error);

  /* amqp:// has no host: it is not a URL to connect to. rabbitmq-c's
   * parser fills in localhost:5672 by itself; whether something listens
   * there must not decide what this setting means */
  g_object_set (producer, "url", "amqp://", NULL);
  {
    gboolean ok = ct_test_start (producer, &error);

    if (ok || !g_error_matches (error, CT_ERROR, CT_ERROR_INVALID_SETTING))
      {
        soft_fail ("\"amqp://\" (no host) was taken as a broker URL: the start %s (%s)",
                            ok ? "succeeded" : "failed only when connecting",
                            error ? error->message : "");
        return;
      }
  }
}

/* Settings that cannot work are refused at start */
static void
test_errors_bad_settings (Fixture       *f,
                          gconstpointer  data)
{
  CtEndpoint *consumer, *producer;

  SKIP_WITHOUT_BROKER ();
  /* A binding key with no exchange to bind to */
  consumer = add_consumer (f, "queue", name_for (f, "q"), "binding-key", "orphan", NULL);
  assert_start_fails (consumer, CT_ERROR, CT_ERROR_INVALID_SETTING, -1, "orphan", NULL);

  /* Headers that are not Name: value */
  producer = add_producer (f, "headers", "no colon here", NULL);
  assert_start_fails (producer, CT_ERROR, CT_ERROR_INVALID_SETTING, -1, "no colon here", NULL);
}

static void
test_errors_wrong_password (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *url = NULL;
  g_autoptr(GPtrArray) connected = NULL;
  g_autoptr(GPtrArray) listening = NULL;
  CtEndpoint *producer, *consumer, *good_producer, *good_consumer;
  const char *queue = name_for (f, "q");

  SKIP_WITHOUT_BROKER ();
  g_assert_true (g_str_has_prefix (broker_url, "amqp://guest:guest@"));
  url = g_strconcat ("amqp://guest:wrongPa55word@", broker_url + strlen ("amqp://guest:guest@"), NULL);
  producer = add_producer (f, NULL);
  consumer = add_consumer (f, "queue", queue, NULL);
  g_object_set (producer, "url", url, NULL);
  g_object_set (consumer, "url", url, NULL);
  assert_start_fails (producer, CT_ERROR, CT_ERROR_PERMISSION_DENIED, -1, "refused the login as “guest”",
                      "wrongPa55word");
  assert_start_fails (consumer, CT_ERROR, CT_ERROR_PERMISSION_DENIED, -1, "refused the login as “guest”",
                      "wrongPa55word");

  /* The right password is not shown either, once connected */
  good_producer = add_producer (f, "routing-key", queue, NULL);
  good_consumer = add_consumer (f, "queue", queue, NULL);
  start_ok (good_consumer);
  start_ok (good_producer);
  send_ok (good_producer, "secret-free");
  ASSERT_WAIT (n_events (good_consumer, "deliver") == 1, WAIT_S);
  wait_settled (good_producer);
  connected = entries (good_producer, "connected");
  listening = entries (good_consumer, "listening");
  g_assert_true (g_str_has_prefix (meta_str (entry_at (connected, 0), "url"), "amqp://guest:****@127.0.0.1:"));
  g_assert_true (g_str_has_prefix (meta_str (entry_at (listening, 0), "url"), "amqp://guest:****@127.0.0.1:"));
  assert_log_lacks (good_producer, "guest@");
  assert_log_lacks (good_consumer, "guest@");
  {
    g_autofree char *line = ct_jsonl_format_message (entry_at (connected, 0), "amqp", "client");

    g_assert_nonnull (strstr (line, "****"));
  }
}

static void
test_errors_unreachable (Fixture       *f,
                         gconstpointer  data)
{
  guint16 port = ct_test_free_port (G_SOCKET_TYPE_STREAM);
  g_autofree char *url = g_strdup_printf ("amqp://guest:Unre4chable@127.0.0.1:%u", port);
  CtEndpoint *producer = add_producer (f, NULL);
  CtEndpoint *consumer = add_consumer (f, "queue", name_for (f, "q"), NULL);

  g_object_set (producer, "url", url, NULL);
  g_object_set (consumer, "url", url, NULL);
  assert_start_fails (producer, CT_ERROR, CT_ERROR_UNREACHABLE, CT_ERROR_TIMED_OUT, "Cannot reach the broker",
                      "Unre4chable");
  assert_start_fails (consumer, CT_ERROR, CT_ERROR_UNREACHABLE, CT_ERROR_TIMED_OUT, "Cannot reach the broker",
                      "Unre4chable");
}

/* The broker refuses a declaration that does not match the existing one */
static void
test_errors_declaration_refused (Fixture       *f,
                                 gconstpointer  data)
{
  const char *queue = name_for (f, "q");
  CtEndpoint *consumer, *durable;

  SKIP_WITHOUT_BROKER ();
  consumer = add_consumer (f, "queue", queue, NULL);
  durable = add_consumer (f, "queue", queue, "durable", TRUE, NULL);
  start_ok (consumer);
  assert_start_fails (durable, CT_ERROR, CT_ERROR_PROTOCOL, -1, "PRECONDITION_FAILED", NULL);
  /* The first one goes on */
  g_assert_cmpint (ct_endpoint_get_state (consumer), ==, CT_STATE_RUNNING);
}

/* A stop while the connection is being made (the worker has connected,
 * the main thread has not heard yet): the start is cancelled, and the
 * endpoint ends stopped, with nothing logged as a reconnection */
static void
test_errors_stop_while_starting (Fixture       *f,
                                 gconstpointer  data)
{
  CtEndpoint *consumer;
  g_autoptr(GAsyncResult) start_result = NULL;
  g_autoptr(GAsyncResult) stop_result = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_WITHOUT_BROKER ();
  consumer = add_consumer (f, "queue", name_for (f, "q"), NULL);
  ct_endpoint_start_async (consumer, ct_test_result_cb, &start_result);
  /* Without the main loop running, the worker connects and queues its
   * news; the stop comes before the main thread has read it */
  g_usleep (G_USEC_PER_SEC);
  ct_endpoint_stop_async (consumer, ct_test_result_cb, &stop_result);
  ASSERT_WAIT (start_result != NULL && stop_result != NULL, WAIT_S);
  g_assert_false (ct_endpoint_start_finish (consumer, start_result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (ct_endpoint_stop_finish (consumer, stop_result, NULL));
  spin_ms (300);
  g_assert_cmpint (ct_endpoint_get_state (consumer), ==, CT_STATE_STOPPED);
  if (n_events (consumer, "reconnected") != 0)
    {
      soft_fail ("a start stopped while connecting logged a \"reconnected\" entry");
      return;
    }
}

/* -- 10. RPC --------------------------------------------------------------------------------- */

static void
check_rpc (Fixture    *f,
           const char *reply_to)
{
  const char *queue = name_for (f, "q");
  const guint n = 10;
  CtEndpoint *consumer, *producer;
  g_autoptr(GPtrArray) publishes = NULL;
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GPtrArray) answered = NULL;
  g_autoptr(GPtrArray) connected = NULL;
  g_autoptr(GHashTable) requests = g_hash_table_new (NULL, NULL);

  consumer = add_consumer (f, "queue", queue, "reply", TRUE, NULL);
  producer = add_producer (f, "routing-key", queue, "reply-to", reply_to, NULL);
  start_ok (consumer);
  start_ok (producer);
  connected = entries (producer, "connected");
  g_assert_cmpstr (meta_str (entry_at (connected, 0), "reply-to"), ==, reply_to);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("question %u", i);

      send_ok (producer, text);
    }
  /* Each waits for its confirm and its reply */
  g_assert_cmpint (ct_endpoint_get_n_pending (producer), ==, 2 * n);
  ASSERT_WAIT (n_events (producer, "reply") == n, WAIT_S);
  wait_settled (producer);

  publishes = entries (producer, "publish");
  g_assert_cmpuint (publishes->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      CtMessage *p = entry_at (publishes, i);

      if (g_strcmp0 (reply_to, CT_AMQP_DIRECT_REPLY_TO) == 0)
        g_assert_true (g_str_has_prefix (meta_str (p, "reply-to"), CT_AMQP_DIRECT_REPLY_TO));
      else
        g_assert_cmpstr (meta_str (p, "reply-to"), ==, reply_to);
      g_assert_nonnull (meta_str (p, "correlation-id"));
      g_hash_table_insert (requests, GSIZE_TO_POINTER (ct_message_get_exchange (p)), p);
    }

  replies = entries (producer, "reply");
  for (guint i = 0; i < replies->len; i++)
    {
      CtMessage *reply = entry_at (replies, i);
      CtMessage *request = g_hash_table_lookup (requests, GSIZE_TO_POINTER (ct_message_get_exchange (reply)));
      g_autofree char *reply_text = text_of (reply);
      g_autofree char *request_text = NULL;

      g_assert_cmpint (ct_message_get_direction (reply), ==, CT_DIRECTION_IN);
      g_assert_nonnull (request);
      request_text = text_of (request);
      g_assert_cmpstr (reply_text, ==, request_text);
      g_assert_cmpstr (meta_str (reply, "correlation-id"), ==, meta_str (request, "correlation-id"));
      g_assert_cmpint (meta_int64 (reply, "rtt-us"), >=, 0);
      /* Paired once */
      g_assert_true (g_hash_table_remove (requests, GSIZE_TO_POINTER (ct_message_get_exchange (reply))));
    }
  g_assert_cmpuint (g_hash_table_size (requests), ==, 0);
  g_assert_cmpint (ct_endpoint_get_n_pending (producer), ==, 0);

  /* The consumer logs each answer against its delivery (once its own
   * events are in: the reply may reach the producer first) */
  ASSERT_WAIT (n_events (consumer, "reply") == n, WAIT_S);
  answered = entries (consumer, "reply");
  g_assert_cmpuint (answered->len, ==, n);
  g_assert_cmpint (ct_message_get_direction (entry_at (answered, 0)), ==, CT_DIRECTION_OUT);
  g_assert_cmpstr (meta_str (entry_at (answered, 0), "routing-key"), !=, "");
  {
    g_autoptr(GPtrArray) deliveries = entries (consumer, "deliver");

    g_assert_cmpuint (ct_message_get_exchange (entry_at (answered, 0)), ==,
                      ct_message_get_exchange (entry_at (deliveries, 0)));
  }
}

/* RabbitMQ's direct reply-to: no queue at all */
static void
test_rpc_direct_reply_to (Fixture       *f,
                          gconstpointer  data)
{
  SKIP_WITHOUT_BROKER ();
  check_rpc (f, CT_AMQP_DIRECT_REPLY_TO);
}

/* A reply queue of the producer's own, declared by it */
static void
test_rpc_reply_queue (Fixture       *f,
                      gconstpointer  data)
{
  SKIP_WITHOUT_BROKER ();
  check_rpc (f, name_for (f, "replies"));
}

/* -- main ----------------------------------------------------------------------------------- */

static void
remove_dir (const char *dir)
{
  const char *argv[] = { "rm", "-rf", dir, NULL };
  g_autoptr(GError) error = NULL;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

typedef void (*TestFunc) (Fixture       *f,
                          gconstpointer  data);

typedef enum
{
  NEEDS_BROKER       = 1 << 0,
  IN_PROCESS         = 1 << 1,   /* stops and starts the broker */
  NEEDS_PIKA         = 1 << 2,
  NEEDS_AMQP_CONSUME = 1 << 3,
} TestFlags;

typedef struct
{
  const char *path;
  TestFunc    func;
  TestFlags   flags;
} TestCase;

static const TestCase cases[] = {
  { "/ct/amqp/routing/default", test_routing_default, NEEDS_BROKER },
  { "/ct/amqp/routing/direct", test_routing_direct, NEEDS_BROKER },
  { "/ct/amqp/routing/fanout", test_routing_fanout, NEEDS_BROKER },
  { "/ct/amqp/routing/topic", test_routing_topic, NEEDS_BROKER },
  { "/ct/amqp/routing/large-body", test_routing_large_body, NEEDS_BROKER },
  { "/ct/amqp/confirms/each", test_confirms_each, NEEDS_BROKER },
  { "/ct/amqp/confirms/window", test_confirms_window, NEEDS_BROKER },
  { "/ct/amqp/confirms/off", test_confirms_off, NEEDS_BROKER },
  { "/ct/amqp/confirms/nack", test_confirms_nack, NEEDS_BROKER | NEEDS_PIKA },
  { "/ct/amqp/returns/mandatory", test_returns, NEEDS_BROKER },
  { "/ct/amqp/ack/nack-requeue", test_ack_nack_requeue, NEEDS_BROKER },
  { "/ct/amqp/ack/dead-letter", test_ack_dead_letter, NEEDS_BROKER },
  { "/ct/amqp/ack/restart", test_ack_restart, NEEDS_BROKER },
  { "/ct/amqp/ack/count", test_consumer_count, NEEDS_BROKER },
  { "/ct/amqp/ack/prefetch", test_prefetch, NEEDS_BROKER },
  { "/ct/amqp/queue/arguments", test_queue_arguments, NEEDS_BROKER },
  { "/ct/amqp/peer/pika-producer", test_peer_pika_producer, NEEDS_BROKER | NEEDS_PIKA },
  { "/ct/amqp/peer/pika-empty-strings", test_peer_pika_empty_strings, NEEDS_BROKER | NEEDS_PIKA },
  { "/ct/amqp/peer/amqp-consume", test_peer_amqp_consume, NEEDS_BROKER | NEEDS_AMQP_CONSUME },
  { "/ct/amqp/errors/bad-url", test_errors_bad_url, 0 },
  { "/ct/amqp/errors/bad-settings", test_errors_bad_settings, NEEDS_BROKER },
  { "/ct/amqp/errors/wrong-password", test_errors_wrong_password, NEEDS_BROKER },
  { "/ct/amqp/errors/unreachable", test_errors_unreachable, 0 },
  { "/ct/amqp/errors/declaration-refused", test_errors_declaration_refused, NEEDS_BROKER },
  { "/ct/amqp/errors/stop-while-starting", test_errors_stop_while_starting, NEEDS_BROKER },
  { "/ct/amqp/rpc/direct-reply-to", test_rpc_direct_reply_to, NEEDS_BROKER },
  { "/ct/amqp/rpc/reply-queue", test_rpc_reply_queue, NEEDS_BROKER },
  { "/ct/amqp/restart/reconnect", test_restart_reconnect, NEEDS_BROKER | IN_PROCESS },
  { "/ct/amqp/restart/no-loss", test_restart_no_loss, NEEDS_BROKER | IN_PROCESS },
};

/* A test that does not touch the broker itself runs in a process of its
 * own (the broker's URL is passed on in the environment): a crash in the
 * code under test fails that test, and the others still run */
#define CASE_TIMEOUT_S 240
/* Where the broker's URL is written for the tests' own processes: set
 * before any thread exists, since setenv() is not thread-safe */
#define DIR_VARIABLE   "CT_TEST_AMQP_BROKER_DIR"

static void
run_case (gconstpointer data)
{
  const TestCase *c = data;

  if ((c->flags & NEEDS_BROKER) && broker_url == NULL)
    {
      g_test_fail_printf ("RabbitMQ is not installed (rabbitmq-server): run build-aux/install-deps");
      return;
    }
  if ((c->flags & NEEDS_PIKA) && !have_pika ())
    {
      g_test_fail_printf (DEBIAN_PYTHON " has no pika (python3-pika): run build-aux/install-deps");
      return;
    }
  if (c->flags & NEEDS_AMQP_CONSUME)
    {
      g_autofree char *tool = g_find_program_in_path ("amqp-consume");

      if (tool == NULL)
        {
          g_test_fail_printf ("amqp-consume is not installed (amqp-tools): run build-aux/install-deps");
          return;
        }
    }

  if (g_test_subprocess () || (c->flags & IN_PROCESS))
    {
      Fixture f;

      fixture_setup (&f, NULL);
      c->func (&f, NULL);
      fixture_teardown (&f, NULL);
      return;
    }

  if (broker)
    broker_ensure_running ();
  g_test_trap_subprocess (NULL, (guint64) CASE_TIMEOUT_S * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  if (!g_test_trap_has_passed ())
    g_test_fail_printf ("%s failed in its own process: what it printed is on stderr", c->path);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  if (g_test_subprocess ())
    {
      const char *dir = g_getenv (DIR_VARIABLE);
      g_autofree char *path = dir ? g_build_filename (dir, "url", NULL) : NULL;

      if (path)
        g_file_get_contents (path, &broker_url, NULL, NULL);
    }
  else if (ct_broker_is_installed (&error))
    {
      g_autofree char *path = NULL;

      broker_dir = g_dir_make_tmp ("ct-amqp-test-XXXXXX", &error);
      g_assert_no_error (error);
      g_setenv (DIR_VARIABLE, broker_dir, TRUE);
      reaper_start (broker_dir);
      broker = ct_broker_new (broker_dir);
      if (!broker_start (&error))
        g_error ("The test broker did not start: %s", error->message);
      broker_url = g_strdup (ct_broker_get_url (broker));
      path = g_build_filename (broker_dir, "url", NULL);
      g_file_set_contents (path, broker_url, -1, &error);
      g_assert_no_error (error);
      g_test_message ("broker at %s", broker_url);
    }
  else
    g_test_message ("no broker: %s", error->message);
  g_clear_error (&error);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_test_add_data_func (cases[i].path, &cases[i], run_case);

  status = g_test_run ();

  if (broker)
    {
      if (ct_broker_get_state (broker) == CT_STATE_RUNNING)
        broker_stop ();
      g_assert_finalize_object (g_steal_pointer (&broker));
      remove_dir (broker_dir);
    }
  g_free (broker_dir);
  g_free (broker_url);
  return status;
}
