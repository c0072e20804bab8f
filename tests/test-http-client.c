/* test-http-client.c — CtHttpClient (the REST page's client) against a
 * third-party server: a Flask-RESTful app (tests/flask-tasks.py, run by
 * Debian's Python), plain and over TLS; and curl running the client's
 * "Copy as curl" commands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>

#include "ct-test-util.h"
#include "ct-http-client.h"

/* Debian's Python, which has python3-flask-restful (a plain `python3` may
 * be another Python without it) */
#define DEBIAN_PYTHON "/usr/bin/python3"

/* -- the Flask app ------------------------------------------------------------ */

typedef struct
{
  GSubprocess *process;
  char        *url;        /* http://127.0.0.1:PORT */
  guint16      port;
} Peer;

typedef struct
{
  char     *line;
  GError   *error;
  gboolean  done;
} ReadLine;

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ReadLine *r = user_data;

  r->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL, &r->error);
  r->done = TRUE;
}

static gboolean
have_flask_restful (void)
{
  const char *argv[] = { DEBIAN_PYTHON, "-c", "import flask_restful", NULL };
  g_autoptr(GSubprocess) process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDERR_SILENCE, NULL);

  return process && g_subprocess_wait_check (process, NULL, NULL);
}

/* Starts tests/flask-tasks.py (over TLS with @cert and @key) and reads the
 * port it bound from its first line */
static Peer *
peer_start (const char *cert,
            const char *key)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "flask-tasks.py", NULL);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  ReadLine r = { NULL, NULL, FALSE };
  Peer *peer = g_new0 (Peer, 1);
  const char *address;

  if (cert)
    peer->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                      DEBIAN_PYTHON, script, "--tls", cert, key, NULL);
  else
    peer->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                      DEBIAN_PYTHON, script, NULL);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (peer->process));
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL, read_line_cb, &r);
  CT_TEST_WAIT_UNTIL (r.done);
  g_assert_no_error (r.error);
  if (r.line == NULL)
    g_error ("%s exited before it listened", script);

  node = json_from_string (r.line, &error);
  g_assert_no_error (error);
  address = json_object_get_string_member (json_node_get_object (node), "address");
  g_assert_true (g_str_has_prefix (address, "127.0.0.1:"));
  peer->port = (guint16) g_ascii_strtoull (address + strlen ("127.0.0.1:"), NULL, 10);
  g_assert_cmpuint (peer->port, >, 0);
  peer->url = g_strdup (json_object_get_string_member (json_node_get_object (node), "url"));
  g_free (r.line);
  return peer;
}

static void
wait_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *(gboolean *) user_data = TRUE;
}

/* SIGTERM to its pid, and a bounded wait for it to go */
static void
peer_stop (Peer *peer)
{
  gboolean done = FALSE;

  if (peer == NULL)
    return;
  g_subprocess_send_signal (peer->process, SIGTERM);
  g_subprocess_wait_async (peer->process, NULL, wait_done_cb, &done);
  CT_TEST_WAIT_UNTIL (done);
  g_object_unref (peer->process);
  g_free (peer->url);
  g_free (peer);
}

/* One app for the whole program; every test uses its own keys and tasks */
static Peer *flask;

/* -- fixture ------------------------------------------------------------------ */

typedef struct
{
  CtEndpoint *client;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->client = ct_http_client_new ();
}

/* CT_TEST_PRINT_LOG=1: the client's log on stderr, as JSON Lines, to read
 * what a test did */
static void
print_log (CtMessageLog *log)
{
  guint n;

  ct_message_log_flush (log);
  n = g_list_model_get_n_items (G_LIST_MODEL (log));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CtMessage) message = g_list_model_get_item (G_LIST_MODEL (log), i);
      g_autofree char *line = ct_jsonl_format_message (message, "rest", "client");

      g_printerr ("%s\n", line);
    }
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (g_getenv ("CT_TEST_PRINT_LOG"))
    print_log (ct_endpoint_get_log (f->client));
  if (ct_endpoint_get_state (f->client) == CT_STATE_RUNNING)
    ct_test_stop (f->client);
  /* Requests still on the wire hold the client until the stop's
   * cancellation has reached them */
  CT_TEST_WAIT_UNTIL (G_OBJECT (f->client)->ref_count == 1);
  g_assert_finalize_object (g_steal_pointer (&f->client));
}

/* The app, started by the first test that needs it; the client pointed at
 * it, with short retry delays */
static gboolean
need_flask (Fixture *f)
{
  static gboolean tried;

  if (!tried)
    {
      tried = TRUE;
      if (have_flask_restful ())
        flask = peer_start (NULL, NULL);
    }
  if (flask == NULL)
    {
      g_test_skip (DEBIAN_PYTHON " has no flask_restful (python3-flask-restful)");
      return FALSE;
    }
  g_object_set (f->client, "base-url", flask->url, "retry-delay", 20, NULL);
  return TRUE;
}

static void
start_client (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ct_test_start (f->client, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ct_endpoint_get_state (f->client), ==, CT_STATE_RUNNING);
}

static CtMessageLog *
client_log (Fixture *f)
{
  return ct_endpoint_get_log (f->client);
}

static guint
count (Fixture     *f,
       CtDirection  direction)
{
  return ct_test_log_count (client_log (f), direction);
}

/* The @nth `in` entry, waited for */
static CtMessage *
wait_in (Fixture *f,
         guint    nth)
{
  CT_TEST_WAIT_UNTIL (count (f, CT_DIRECTION_IN) > nth);
  return ct_test_log_nth (client_log (f), CT_DIRECTION_IN, nth);
}

static CtMessage *
wait_error (Fixture *f,
            guint    nth)
{
  CT_TEST_WAIT_UNTIL (count (f, CT_DIRECTION_ERROR) > nth);
  return ct_test_log_nth (client_log (f), CT_DIRECTION_ERROR, nth);
}

/* Runs the main loop for @ms, for checking that nothing more happens */
static void
iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

static void
send_line (Fixture    *f,
           const char *line)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ct_endpoint_send_text (f->client, line, &error));
  g_assert_no_error (error);
}

static guint
meta_u32 (CtMessage  *message,
          const char *key)
{
  guint32 value = 0;

  g_assert_true (g_variant_lookup (ct_message_get_meta (message), key, "u", &value));
  return value;
}

static char *
meta_string (CtMessage  *message,
             const char *key)
{
  char *value = NULL;

  if (!g_variant_lookup (ct_message_get_meta (message), key, "s", &value))
    return NULL;
  return value;
}

static char *
summary_of (CtMessage *message)
{
  return ct_message_dup_summary (message);
}

static JsonObject *
body_object (CtMessage *message)
{
  g_autofree char *text = ct_message_dup_text (message);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_assert_nonnull (text);
  node = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

/* Every in entry has exactly one out entry with its exchange id, before it */
static void
assert_answers_follow_requests (CtMessageLog *log)
{
  g_autoptr(GHashTable) out = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GHashTable) in = g_hash_table_new (g_direct_hash, g_direct_equal);
  guint n;

  ct_message_log_flush (log);
  n = g_list_model_get_n_items (G_LIST_MODEL (log));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CtMessage) message = g_list_model_get_item (G_LIST_MODEL (log), i);
      gpointer exchange = GSIZE_TO_POINTER (ct_message_get_exchange (message));

      switch (ct_message_get_direction (message))
        {
        case CT_DIRECTION_OUT:
          g_assert_nonnull (exchange);
          g_assert_true (g_hash_table_add (out, exchange));
          break;
        case CT_DIRECTION_IN:
          g_assert_true (g_hash_table_contains (out, exchange));
          g_assert_true (g_hash_table_add (in, exchange));
          break;
        default:
          break;
        }
    }
}

/* A key no other test uses, for the app's per-key counters */
static char *
unique_key (void)
{
  static guint n;

  return g_strdup_printf ("k%u-%" G_GINT64_FORMAT, ++n, g_get_real_time ());
}

/* -- requests and responses ----------------------------------------------------- */

static void
test_crud (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(JsonObject) created = NULL;
  g_autofree char *line = NULL;
  gint64 id;

  if (!need_flask (f))
    return;
  start_client (f);
  g_assert_cmpint (ct_test_log_find (client_log (f), CT_DIRECTION_INFO, "Ready to send requests to"), >=, 0);

  /* Create */
  send_line (f, "post /api/tasks {\"title\": \"write tests\"}");
  {
    g_autoptr(CtMessage) in = wait_in (f, 0);
    g_autoptr(CtMessage) out = ct_test_log_nth (client_log (f), CT_DIRECTION_OUT, 0);
    g_autofree char *out_summary = summary_of (out);
    g_autofree char *sent = ct_message_dup_text (out);
    g_autofree char *method = meta_string (out, "method");
    g_autofree char *url = meta_string (out, "url");
    g_autofree char *headers = meta_string (out, "headers");
    g_autofree char *expected_url = g_strdup_printf ("%s/api/tasks", flask->url);
    g_autofree char *host = g_strdup_printf ("Host: 127.0.0.1:%u\n", flask->port);
    g_autofree char *summary = summary_of (in);
    g_autofree char *reason = meta_string (in, "reason");
    g_autofree char *version = meta_string (in, "http-version");
    g_autofree char *in_headers = meta_string (in, "headers");
    g_autofree char *content_type = meta_string (in, "content-type");
    g_autofree char *in_url = meta_string (in, "url");
    g_autofree char *peer = g_strdup_printf ("127.0.0.1:%u", flask->port);
    gint64 latency = 0;
    guint64 size = 0;

    g_assert_cmpstr (sent, ==, "{\"title\": \"write tests\"}");
    g_assert_cmpstr (out_summary, ==, "POST /api/tasks");
    /* Resend: the request line and body again, as the composer takes them */
    {
      CtPayloadFormat format = CT_PAYLOAD_FORMAT_HEX;
      g_autofree char *again = ct_endpoint_dup_composer_text (f->client, out, &format);
      g_autofree char *line_again = g_strdup_printf ("POST %s {\"title\": \"write tests\"}", expected_url);

      g_assert_cmpstr (again, ==, line_again);
      g_assert_cmpint (format, ==, CT_PAYLOAD_FORMAT_TEXT);
    }
    g_assert_cmpstr (method, ==, "POST");
    g_assert_cmpstr (url, ==, expected_url);
    g_assert_cmpstr (ct_message_get_peer (out), ==, peer);
    /* the headers as sent: the body's, and libsoup's own */
    g_assert_nonnull (strstr (headers, "Content-Type: application/json\n"));
    g_assert_nonnull (strstr (headers, host));
    g_assert_nonnull (strstr (headers, "User-Agent: Crosstalk/"));
    g_assert_nonnull (strstr (headers, "Content-Length: 24\n"));
    g_assert_cmpuint (ct_message_get_exchange (in), ==, ct_message_get_exchange (out));

    g_assert_cmpuint (meta_u32 (in, "status"), ==, 201);
    g_assert_cmpstr (reason, ==, "CREATED");
    g_assert_cmpstr (version, ==, "HTTP/1.1");
    g_assert_nonnull (strstr (in_headers, "Content-Type: application/json\n"));
    g_assert_nonnull (strstr (in_headers, "Server: Werkzeug/"));
    g_assert_cmpstr (content_type, ==, "application/json");
    g_assert_cmpstr (in_url, ==, expected_url);
    g_assert_cmpstr (ct_message_get_peer (in), ==, peer);
    g_assert_true (g_variant_lookup (ct_message_get_meta (in), "latency-us", "x", &latency));
    g_assert_cmpint (latency, >, 0);
    g_assert_true (g_variant_lookup (ct_message_get_meta (in), "size", "t", &size));
    g_assert_cmpuint (size, ==, ct_message_get_size (in));
    g_assert_true (g_str_has_prefix (summary, "201 CREATED · "));
    g_assert_true (g_str_has_suffix (summary, " ms"));
    {
      g_autofree char *bytes = g_strdup_printf ("· %" G_GUINT64_FORMAT " B ·", size);

      g_assert_nonnull (strstr (summary, bytes));
    }

    created = body_object (in);
    g_assert_cmpstr (json_object_get_string_member (created, "title"), ==, "write tests");
    id = json_object_get_int_member (created, "id");
  }

  /* Read */
  line = g_strdup_printf ("GET /api/tasks/%" G_GINT64_FORMAT, id);
  send_line (f, line);
  {
    g_autoptr(CtMessage) in = wait_in (f, 1);
    g_autoptr(CtMessage) out = ct_test_log_nth (client_log (f), CT_DIRECTION_OUT, 1);
    g_autoptr(JsonObject) task = body_object (in);
    g_autofree char *headers = meta_string (out, "headers");

    g_assert_cmpuint (meta_u32 (in, "status"), ==, 200);
    g_assert_cmpstr (json_object_get_string_member (task, "title"), ==, "write tests");
    g_assert_false (json_object_get_boolean_member (task, "done"));
    /* no body, no Content-Type */
    g_assert_cmpuint (ct_message_get_size (out), ==, 0);
    g_assert_null (strstr (headers, "Content-Type"));
  }

  /* Update */
  g_free (line);
  line = g_strdup_printf ("PUT /api/tasks/%" G_GINT64_FORMAT " {\"done\": true}", id);
  send_line (f, line);
  {
    g_autoptr(CtMessage) in = wait_in (f, 2);
    g_autoptr(JsonObject) task = body_object (in);

    g_assert_cmpuint (meta_u32 (in, "status"), ==, 200);
    g_assert_true (json_object_get_boolean_member (task, "done"));
  }

  /* Delete */
  g_free (line);
  line = g_strdup_printf ("Delete /api/tasks/%" G_GINT64_FORMAT, id);
  send_line (f, line);
  {
    g_autoptr(CtMessage) in = wait_in (f, 3);
    g_autoptr(CtMessage) out = ct_test_log_nth (client_log (f), CT_DIRECTION_OUT, 3);
    g_autofree char *method = meta_string (out, "method");
    g_autofree char *summary = summary_of (in);

    g_assert_cmpstr (method, ==, "DELETE");
    g_assert_cmpuint (meta_u32 (in, "status"), ==, 204);
    g_assert_cmpuint (ct_message_get_size (in), ==, 0);
    g_assert_true (g_str_has_prefix (summary, "204 NO CONTENT · 0 B · "));
  }

  /* Gone: a 404 is an answer, not an error of the client */
  g_free (line);
  line = g_strdup_printf ("GET /api/tasks/%" G_GINT64_FORMAT, id);
  send_line (f, line);
  {
    g_autoptr(CtMessage) in = wait_in (f, 4);
    g_autoptr(JsonObject) body = body_object (in);

    g_assert_cmpuint (meta_u32 (in, "status"), ==, 404);
    g_assert_nonnull (strstr (json_object_get_string_member (body, "message"), "does not exist"));
  }

  g_assert_cmpuint (count (f, CT_DIRECTION_OUT), ==, 5);
  g_assert_cmpuint (count (f, CT_DIRECTION_ERROR), ==, 0);
  assert_answers_follow_requests (client_log (f));
}

static void
test_relative_urls (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *base = NULL;
  g_autoptr(GError) error = NULL;

  if (!need_flask (f))
    return;

  /* A base with a path: `tasks` goes under it, `/echo` replaces it */
  base = g_strdup_printf ("%s/api/", flask->url);
  g_object_set (f->client, "base-url", base, NULL);
  start_client (f);

  send_line (f, "GET tasks");
  send_line (f, "GET /echo?x=1");
  {
    g_autoptr(CtMessage) in = wait_in (f, 1);
    g_autoptr(CtMessage) first = ct_test_log_nth (client_log (f), CT_DIRECTION_OUT, 0);
    g_autoptr(CtMessage) second = ct_test_log_nth (client_log (f), CT_DIRECTION_OUT, 1);
    g_autofree char *first_url = meta_string (first, "url");
    g_autofree char *second_url = meta_string (second, "url");
    g_autofree char *expected_first = g_strdup_printf ("%s/api/tasks", flask->url);
    g_autofree char *expected_second = g_strdup_printf ("%s/echo?x=1", flask->url);
    g_autofree char *second_summary = summary_of (second);

    g_assert_cmpstr (first_url, ==, expected_first);
    g_assert_cmpstr (second_url, ==, expected_second);
    g_assert_cmpstr (second_summary, ==, "GET /echo?x=1");
  }

  /* An absolute URL ignores the base; a URL alone is a GET */
  {
    g_autofree char *line = g_strdup_printf ("%s/echo", flask->url);

    g_assert_true (ct_endpoint_check_text (f->client, line, &error));
    g_assert_no_error (error);
    send_line (f, line);
  }
  {
    g_autoptr(CtMessage) in = wait_in (f, 2);
    g_autoptr(JsonObject) echo = body_object (in);

    g_assert_cmpstr (json_object_get_string_member (echo, "method"), ==, "GET");
    g_assert_cmpstr (json_object_get_string_member (echo, "path"), ==, "/echo");
  }

  /* A custom method */
  send_line (f, "purge /echo");
  {
    g_autoptr(CtMessage) in = wait_in (f, 3);
    g_autoptr(JsonObject) echo = body_object (in);

    g_assert_cmpstr (json_object_get_string_member (echo, "method"), ==, "PURGE");
  }

  /* What is refused, with a reason, before anything is sent */
  g_assert_false (ct_endpoint_check_text (f->client, "GET ftp://example.org/file", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD);
  g_assert_nonnull (strstr (error->message, "not an HTTP URL"));
  g_clear_error (&error);
  g_assert_false (ct_endpoint_check_text (f->client, "GET", &error));
  g_assert_nonnull (strstr (error->message, "Type a URL after GET"));
  g_clear_error (&error);
  g_assert_false (ct_endpoint_check_text (f->client, "   ", &error));
  g_assert_nonnull (strstr (error->message, "Type a method and a URL"));
  g_clear_error (&error);
  g_assert_false (ct_endpoint_check_text (f->client, "/api/tasks {\"title\": \"x\"}", &error));
  g_assert_nonnull (strstr (error->message, "needs a method"));
  g_clear_error (&error);

  /* A base URL that is not one */
  g_object_set (f->client, "base-url", "localhost:8000", NULL);
  g_assert_false (ct_endpoint_send_text (f->client, "GET /echo", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING);
  g_assert_nonnull (strstr (error->message, "base-url"));
  g_clear_error (&error);
  g_assert_cmpuint (count (f, CT_DIRECTION_OUT), ==, 4);
  assert_answers_follow_requests (client_log (f));
}

static void
test_json_body_checked (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  if (!need_flask (f))
    return;
  start_client (f);

  g_assert_true (ct_endpoint_check_text (f->client, "POST /api/tasks {\"title\": \"x\"}", &error));
  g_assert_no_error (error);
  g_assert_true (ct_endpoint_check_text (f->client, "POST /echo 42", &error));
  g_assert_no_error (error);

  /* While typing */
  g_assert_false (ct_endpoint_check_text (f->client, "POST /api/tasks {\"title\": ", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD);
  g_assert_true (g_str_has_prefix (error->message, "The body is not JSON ("));
  g_clear_error (&error);
  g_assert_cmpuint (count (f, CT_DIRECTION_ERROR), ==, 0);

  /* Sent: refused, reported, nothing on the wire */
  g_assert_false (ct_endpoint_send_text (f->client, "POST /api/tasks {title: x}", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD);
  g_assert_cmpint (ct_test_log_find (client_log (f), CT_DIRECTION_ERROR, "The body is not JSON"), >=, 0);
  g_assert_cmpstr (ct_endpoint_get_error (f->client), ==, error->message);
  g_clear_error (&error);
  iterate_for (100);
  g_assert_cmpuint (count (f, CT_DIRECTION_OUT), ==, 0);

  /* Still working */
  send_line (f, "GET /echo");
  {
    g_autoptr(CtMessage) in = wait_in (f, 0);

    g_assert_cmpuint (meta_u32 (in, "status"), ==, 200);
  }
}

static void
test_text_and_form_bodies (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  if (!need_flask (f))
    return;
  start_client (f);

  g_assert_true (ct_endpoint_set_setting_from_string (f->client, "body-type", "form", &error));
  g_assert_no_error (error);
  send_line (f, "POST /echo a=1&b=two%20words&c=x+y");
  {
    g_autoptr(CtMessage) in = wait_in (f, 0);
    g_autoptr(JsonObject) echo = body_object (in);
    JsonObject *form = json_object_get_object_member (echo, "form");

    g_assert_cmpstr (json_object_get_string_member (echo, "content_type"), ==, "application/x-www-form-urlencoded");
    g_assert_cmpstr (json_object_get_string_member (echo, "body"), ==, "a=1&b=two%20words&c=x+y");
    g_assert_cmpstr (json_object_get_string_member (form, "a"), ==, "1");
    g_assert_cmpstr (json_object_get_string_member (form, "b"), ==, "two words");
    g_assert_cmpstr (json_object_get_string_member (form, "c"), ==, "x y");
  }

  g_assert_false (ct_endpoint_check_text (f->client, "POST /echo a=1&b", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD);
  g_assert_nonnull (strstr (error->message, "name=value"));
  g_clear_error (&error);
  g_assert_false (ct_endpoint_check_text (f->client, "POST /echo a=two words", &error));
  g_assert_nonnull (strstr (error->message, "no spaces"));
  g_clear_error (&error);
  g_assert_false (ct_endpoint_check_text (f->client, "POST /echo a=100%", &error));
  g_assert_nonnull (strstr (error->message, "escape"));
  g_clear_error (&error);

  /* Text: anything, as typed */
  g_object_set (f->client, "body-type", CT_HTTP_BODY_TEXT, NULL);
  send_line (f, "POST /echo hello {there");
  {
    g_autoptr(CtMessage) in = wait_in (f, 1);
    g_autoptr(JsonObject) echo = body_object (in);

    g_assert_cmpstr (json_object_get_string_member (echo, "content_type"), ==, "text/plain; charset=utf-8");
    g_assert_cmpstr (json_object_get_string_member (echo, "body"), ==, "hello {there");
  }

  /* The setting, from text */
  g_assert_false (ct_endpoint_set_setting_from_string (f->client, "body-type", "xml", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING);
  g_assert_nonnull (strstr (error->message, "json, text, form"));
  g_clear_error (&error);
  g_assert_cmpuint (count (f, CT_DIRECTION_ERROR), ==, 0);
}

static void
test_headers_setting (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  if (!need_flask (f))
    return;
  start_client (f);

  g_object_set (f->client, "headers", "X-Crosstalk: yes\n\nAccept:   application/json  \nUser-Agent: tester/1", NULL);
  send_line (f, "GET /echo");
  {
    g_autoptr(CtMessage) in = wait_in (f, 0);
    g_autoptr(CtMessage) out = ct_test_log_nth (client_log (f), CT_DIRECTION_OUT, 0);
    g_autoptr(JsonObject) echo = body_object (in);
    JsonObject *headers = json_object_get_object_member (echo, "headers");
    g_autofree char *sent = meta_string (out, "headers");

    g_assert_cmpstr (json_object_get_string_member (headers, "X-Crosstalk"), ==, "yes");
    g_assert_cmpstr (json_object_get_string_member (headers, "Accept"), ==, "application/json");
    g_assert_cmpstr (json_object_get_string_member (headers, "User-Agent"), ==, "tester/1");
    g_assert_nonnull (strstr (sent, "X-Crosstalk: yes\n"));
    g_assert_nonnull (strstr (sent, "User-Agent: tester/1\n"));
  }

  /* One line in an entry: a literal \n separates; a Content-Type wins
   * over the body type's */
  g_object_set (f->client, "headers", "X-One: 1\\nContent-Type: application/vnd.api+json", NULL);
  send_line (f, "POST /echo {\"a\": 1}");
  {
    g_autoptr(CtMessage) in = wait_in (f, 1);
    g_autoptr(JsonObject) echo = body_object (in);
    JsonObject *headers = json_object_get_object_member (echo, "headers");

    g_assert_cmpstr (json_object_get_string_member (headers, "X-One"), ==, "1");
    g_assert_cmpstr (json_object_get_string_member (echo, "content_type"), ==, "application/vnd.api+json");
  }

  /* Lines that are not headers */
  g_object_set (f->client, "headers", "X-Fine: 1\nno colon here", NULL);
  g_assert_false (ct_endpoint_check_text (f->client, "GET /echo", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING);
  g_assert_nonnull (strstr (error->message, "“no colon here” is not “Name: value”"));
  g_clear_error (&error);
  g_assert_false (ct_endpoint_send_text (f->client, "GET /echo", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING);
  g_clear_error (&error);
  g_object_set (f->client, "headers", "Bad Name: 1", NULL);
  g_assert_false (ct_endpoint_check_text (f->client, "GET /echo", &error));
  g_clear_error (&error);
  g_object_set (f->client, "headers", "Content-Length: 5", NULL);
  g_assert_false (ct_endpoint_check_text (f->client, "GET /echo", &error));
  g_assert_nonnull (strstr (error->message, "set from the body"));
  g_clear_error (&error);

  iterate_for (100);
  g_assert_cmpuint (count (f, CT_DIRECTION_OUT), ==, 2);
  g_assert_cmpuint (count (f, CT_DIRECTION_ERROR), ==, 1);
}

/* -- retries ------------------------------------------------------------------ */

static void
test_retry_succeeds (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *key = unique_key ();
  g_autofree char *line = g_strdup_printf ("GET /flaky?key=%s", key);

  if (!need_flask (f))
    return;
  g_object_set (f->client, "retries", 2, "retry-delay", 50, NULL);
  start_client (f);

  send_line (f, line);
  {
    g_autoptr(CtMessage) last = wait_in (f, 2);
    g_autoptr(CtMessage) first = ct_test_log_nth (client_log (f), CT_DIRECTION_IN, 0);
    g_autoptr(CtMessage) out3 = ct_test_log_nth (client_log (f), CT_DIRECTION_OUT, 2);
    g_autoptr(CtMessage) out1 = ct_test_log_nth (client_log (f), CT_DIRECTION_OUT, 0);
    g_autoptr(JsonObject) body = body_object (last);
    g_autofree char *first_summary = summary_of (first);
    guint attempt = 0;

    g_assert_cmpuint (meta_u32 (first, "status"), ==, 503);
    g_assert_true (g_str_has_prefix (first_summary, "503 SERVICE UNAVAILABLE · "));
    g_assert_cmpuint (meta_u32 (last, "status"), ==, 200);
    g_assert_cmpint (json_object_get_int_member (body, "attempt"), ==, 3);
    g_assert_false (g_variant_lookup (ct_message_get_meta (out1), "attempt", "u", &attempt));
    g_assert_cmpuint (meta_u32 (out3, "attempt"), ==, 3);
    /* each attempt its own exchange */
    g_assert_cmpuint (ct_message_get_exchange (out1), !=, ct_message_get_exchange (out3));
  }
  g_assert_cmpint (ct_test_log_find (client_log (f), CT_DIRECTION_INFO,
                                     "Retry 1 of 2 in 50 ms: 503 SERVICE UNAVAILABLE"), >=, 0);
  g_assert_cmpint (ct_test_log_find (client_log (f), CT_DIRECTION_INFO,
                                     "Retry 2 of 2 in 100 ms: 503 SERVICE UNAVAILABLE"), >=, 0);
  iterate_for (300);
  g_assert_cmpuint (count (f, CT_DIRECTION_OUT), ==, 3);
  g_assert_cmpuint (count (f, CT_DIRECTION_ERROR), ==, 0);
  assert_answers_follow_requests (client_log (f));
}

static void
test_retry_gives_up (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *key = unique_key ();
  g_autofree char *line = g_strdup_printf ("GET /flaky?key=%s", key);

  if (!need_flask (f))
    return;
  g_object_set (f->client, "retries", 1, NULL);
  start_client (f);

  send_line (f, line);
  {
    g_autoptr(CtMessage) last = wait_in (f, 1);

    g_assert_cmpuint (meta_u32 (last, "status"), ==, 503);
  }
  /* and no third attempt */
  iterate_for (300);
  g_assert_cmpuint (count (f, CT_DIRECTION_OUT), ==, 2);
  g_assert_cmpuint (count (f, CT_DIRECTION_IN), ==, 2);
  g_assert_cmpint (ct_test_log_find (client_log (f), CT_DIRECTION_INFO, "Retry 1 of 1 in 20 ms"), >=, 0);
  g_assert_cmpint (ct_test_log_find (client_log (f), CT_DIRECTION_INFO, "Retry 2"), <, 0);

  /* No retries at all */
  g_object_set (f->client, "retries", 0, NULL);
  g_free (key);
  key = unique_key ();
  g_free (line);
  line = g_strdup_printf ("GET /flaky?key=%s", key);
  send_line (f, line);
  {
    g_autoptr(CtMessage) last = wait_in (f, 2);

    g_assert_cmpuint (meta_u32 (last, "status"), ==, 503);
  }
  iterate_for (200);
  g_assert_cmpuint (count (f, CT_DIRECTION_OUT), ==, 3);
  assert_answers_follow_requests (client_log (f));
}

static void
test_retry_post (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *key = unique_key ();
  g_autofree char *line = g_strdup_printf ("POST /flaky?key=%s {}", key);

  if (!need_flask (f))
    return;
  start_client (f);

  /* POST and PATCH are not idempotent: once */
  send_line (f, line);
  {
    g_autoptr(CtMessage) in = wait_in (f, 0);

    g_assert_cmpuint (meta_u32 (in, "status"), ==, 503);
  }
  g_free (line);
  line = g_strdup_printf ("PATCH /flaky?key=%s {}", key);
  send_line (f, line);
  {
    g_autoptr(CtMessage) in = wait_in (f, 1);

    g_assert_cmpuint (meta_u32 (in, "status"), ==, 503);
  }
  iterate_for (300);
  g_assert_cmpuint (count (f, CT_DIRECTION_OUT), ==, 2);
  g_assert_cmpint (ct_test_log_find (client_log (f), CT_DIRECTION_INFO, "Retry"), <, 0);

  /* unless retry-post is on */
  g_object_set (f->client, "retry-post", TRUE, NULL);
  g_free (key);
  key = unique_key ();
  g_free (line);
  line = g_strdup_printf ("POST /flaky?key=%s {}", key);
  send_line (f, line);
  {
    g_autoptr(CtMessage) in = wait_in (f, 4);

    g_assert_cmpuint (meta_u32 (in, "status"), ==, 200);
  }
  g_assert_cmpuint (count (f, CT_DIRECTION_OUT), ==, 5);
  assert_answers_follow_requests (client_log (f));
}

static void
test_retry_after (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *key = unique_key ();
  g_autofree char *line = g_strdup_printf ("GET /limited?key=%s", key);

  if (!need_flask (f))
    return;
  start_client (f);

  send_line (f, line);
  {
    g_autoptr(CtMessage) last = wait_in (f, 1);
    g_autoptr(CtMessage) first = ct_test_log_nth (client_log (f), CT_DIRECTION_IN, 0);
    g_autoptr(CtMessage) retry_out = ct_test_log_nth (client_log (f), CT_DIRECTION_OUT, 1);

    g_assert_cmpuint (meta_u32 (first, "status"), ==, 429);
    g_assert_cmpuint (meta_u32 (last, "status"), ==, 200);
    /* Retry-After: 1, not the 20 ms backoff */
    g_assert_cmpint (ct_message_get_time (retry_out) - ct_message_get_time (first), >=, 900 * 1000);
  }
  g_assert_cmpint (ct_test_log_find (client_log (f), CT_DIRECTION_INFO,
                                     "Retry 1 of 2 in 1000 ms: 429 TOO MANY REQUESTS"), >=, 0);
}

/* -- failures ----------------------------------------------------------------- */

static void
test_timeout (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *expected = NULL;
  gint64 started;

  if (!need_flask (f))
    return;
  g_object_set (f->client, "timeout", 1, "retries", 0, NULL);
  start_client (f);

  started = g_get_monotonic_time ();
  send_line (f, "GET /sleep?s=2");
  {
    g_autoptr(CtMessage) error = wait_error (f, 0);
    g_autofree char *summary = summary_of (error);

    expected = g_strdup_printf ("No answer from 127.0.0.1:%u within 1 s: raise the timeout setting, or check the server",
                                flask->port);
    g_assert_cmpstr (summary, ==, expected);
    g_assert_cmpint (g_get_monotonic_time () - started, <, 1900 * 1000);
  }
  g_assert_cmpuint (count (f, CT_DIRECTION_OUT), ==, 1);
  g_assert_cmpuint (count (f, CT_DIRECTION_IN), ==, 0);

  /* A timeout is worth a retry (GET); the last error says so */
  g_object_set (f->client, "retries", 1, "retry-delay", 0, NULL);
  send_line (f, "GET /sleep?s=2");
  {
    g_autoptr(CtMessage) error = wait_error (f, 1);
    g_autofree char *summary = summary_of (error);

    g_assert_true (g_str_has_prefix (summary, expected));
    g_assert_true (g_str_has_suffix (summary, "(gave up after 2 attempts)"));
  }
  g_assert_cmpuint (count (f, CT_DIRECTION_OUT), ==, 3);

  /* and the client goes on */
  send_line (f, "GET /echo");
  {
    g_autoptr(CtMessage) in = wait_in (f, 0);

    g_assert_cmpuint (meta_u32 (in, "status"), ==, 200);
  }
}

static void
test_connection_refused (Fixture       *f,
                         gconstpointer  data)
{
  guint16 port;
  g_autofree char *line = NULL;
  g_autofree char *expected = NULL;

  if (!need_flask (f))
    return;

  /* A port that was ours a moment ago: nobody listens on it */
  {
    g_autoptr(GSocket) socket = ct_test_bind_loopback (G_SOCKET_TYPE_STREAM, &port);

    g_assert_true (g_socket_close (socket, NULL));
  }

  g_object_set (f->client, "retries", 1, "retry-delay", 10, NULL);
  start_client (f);
  line = g_strdup_printf ("GET http://127.0.0.1:%u/api/tasks", port);
  send_line (f, line);
  {
    g_autoptr(CtMessage) error = wait_error (f, 0);
    g_autofree char *summary = summary_of (error);
    g_autofree char *peer = g_strdup_printf ("127.0.0.1:%u", port);

    expected = g_strdup_printf ("Nobody is listening at 127.0.0.1:%u (connection refused): start the server, "
                                "or check the URL (gave up after 2 attempts)", port);
    g_assert_cmpstr (summary, ==, expected);
    g_assert_cmpstr (ct_message_get_peer (error), ==, peer);
  }
  g_assert_cmpint (ct_test_log_find (client_log (f), CT_DIRECTION_INFO,
                                     "Retry 1 of 1 in 10 ms: Nobody is listening at"), >=, 0);
  /* each attempt is logged as sent, without an answer */
  g_assert_cmpuint (count (f, CT_DIRECTION_OUT), ==, 2);
  g_assert_cmpuint (count (f, CT_DIRECTION_IN), ==, 0);
  g_assert_cmpint (ct_endpoint_get_state (f->client), ==, CT_STATE_RUNNING);
  g_assert_cmpstr (ct_endpoint_get_error (f->client), ==, expected);

  /* The client keeps working */
  send_line (f, "GET /echo");
  {
    g_autoptr(CtMessage) in = wait_in (f, 0);

    g_assert_cmpuint (meta_u32 (in, "status"), ==, 200);
  }
}

static void
test_body_limit (Fixture       *f,
                 gconstpointer  data)
{
  if (!need_flask (f))
    return;
  start_client (f);

  send_line (f, "GET /big?mib=17");
  {
    g_autoptr(CtMessage) error = wait_error (f, 0);
    g_autoptr(CtMessage) in = ct_test_log_nth (client_log (f), CT_DIRECTION_IN, 0);
    g_autofree char *summary = summary_of (error);
    g_autofree char *in_summary = summary_of (in);

    g_assert_true (g_str_has_suffix (summary, "is larger than 16 MiB: its body was not kept"));
    g_assert_cmpuint (meta_u32 (in, "status"), ==, 200);
    g_assert_cmpuint (ct_message_get_size (in), ==, 0);
    g_assert_nonnull (strstr (in_summary, "not kept"));
  }

  /* 15 MiB is fine */
  send_line (f, "GET /big?mib=15");
  {
    g_autoptr(CtMessage) in = wait_in (f, 1);
    guint64 size = 0;

    g_assert_cmpuint (ct_message_get_size (in), ==, 15 * 1024 * 1024);
    g_assert_true (g_variant_lookup (ct_message_get_meta (in), "size", "t", &size));
    g_assert_cmpuint (size, ==, 15 * 1024 * 1024);
  }
  g_assert_cmpuint (count (f, CT_DIRECTION_ERROR), ==, 1);
}

/* -- cookies and redirects ------------------------------------------------------ */

static char *
echoed_cookie (CtMessage *in)
{
  g_autoptr(JsonObject) echo = body_object (in);

  if (json_object_get_null_member (echo, "cookie"))
    return NULL;
  return g_strdup (json_object_get_string_member (echo, "cookie"));
}

static void
test_cookies (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  if (!need_flask (f))
    return;
  start_client (f);

  send_line (f, "GET /cookie/set");
  {
    g_autoptr(CtMessage) in = wait_in (f, 0);
    g_autofree char *headers = meta_string (in, "headers");

    g_assert_nonnull (strstr (headers, "Set-Cookie: flavour=oatmeal"));
  }
  send_line (f, "GET /echo");
  {
    g_autoptr(CtMessage) in = wait_in (f, 1);
    g_autoptr(CtMessage) out = ct_test_log_nth (client_log (f), CT_DIRECTION_OUT, 1);
    g_autofree char *cookie = echoed_cookie (in);
    g_autofree char *headers = meta_string (out, "headers");

    g_assert_cmpstr (cookie, ==, "flavour=oatmeal");
    g_assert_nonnull (strstr (headers, "Cookie: flavour=oatmeal\n"));
  }

  g_assert_true (ct_http_client_clear_cookies (CT_HTTP_CLIENT (f->client), &error));
  g_assert_no_error (error);
  g_assert_cmpint (ct_test_log_find (client_log (f), CT_DIRECTION_INFO, "Cleared 1 cookie"), >=, 0);

  send_line (f, "GET /echo");
  {
    g_autoptr(CtMessage) in = wait_in (f, 2);
    g_autofree char *cookie = echoed_cookie (in);

    g_assert_null (cookie);
  }

  /* Through the command interface, as the window runs it */
  g_assert_true (ct_endpoint_run_command (f->client, "clear-cookies", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ct_test_log_find (client_log (f), CT_DIRECTION_INFO, "Cleared 0 cookies"), >=, 0);
  g_assert_false (ct_endpoint_run_command (f->client, "no-such-command", NULL, &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_NOT_IMPLEMENTED);
}

static void
test_cookies_off (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  if (!need_flask (f))
    return;
  g_object_set (f->client, "keep-cookies", FALSE, NULL);
  start_client (f);

  send_line (f, "GET /cookie/set");
  wait_in (f, 0);
  g_object_unref (ct_test_log_nth (client_log (f), CT_DIRECTION_IN, 0));
  send_line (f, "GET /echo");
  {
    g_autoptr(CtMessage) in = wait_in (f, 1);
    g_autofree char *cookie = echoed_cookie (in);

    g_assert_null (cookie);
  }
  g_assert_true (ct_http_client_clear_cookies (CT_HTTP_CLIENT (f->client), &error));
  g_assert_cmpint (ct_test_log_find (client_log (f), CT_DIRECTION_INFO, "No cookies are kept"), >=, 0);
}

static void
test_redirects (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *echo_url = NULL;

  if (!need_flask (f))
    return;
  start_client (f);
  echo_url = g_strdup_printf ("%s/echo", flask->url);

  /* Followed */
  send_line (f, "GET /redirect");
  {
    g_autoptr(CtMessage) in = wait_in (f, 0);
    g_autoptr(CtMessage) out = ct_test_log_nth (client_log (f), CT_DIRECTION_OUT, 0);
    g_autoptr(JsonObject) echo = body_object (in);
    g_autofree char *url = meta_string (in, "url");
    g_autofree char *out_url = meta_string (out, "url");
    g_autofree char *expected = g_strdup_printf ("Following 302 Found to %s", echo_url);

    g_assert_cmpuint (meta_u32 (in, "status"), ==, 200);
    g_assert_cmpstr (json_object_get_string_member (echo, "path"), ==, "/echo");
    g_assert_cmpstr (url, ==, echo_url);
    g_assert_true (g_str_has_suffix (out_url, "/redirect"));
    g_assert_cmpint (ct_test_log_find (client_log (f), CT_DIRECTION_INFO, expected), >=, 0);
  }

  /* Shown */
  g_object_set (f->client, "follow-redirects", FALSE, NULL);
  send_line (f, "GET /redirect");
  {
    g_autoptr(CtMessage) in = wait_in (f, 1);
    g_autofree char *summary = summary_of (in);
    g_autofree char *headers = meta_string (in, "headers");

    g_assert_cmpuint (meta_u32 (in, "status"), ==, 302);
    g_assert_true (g_str_has_prefix (summary, "302 FOUND → "));
    g_assert_nonnull (strstr (summary, "/echo · "));
    g_assert_nonnull (strstr (headers, "Location: "));
  }
  g_assert_cmpuint (count (f, CT_DIRECTION_OUT), ==, 2);
  assert_answers_follow_requests (client_log (f));
}

/* -- TLS ---------------------------------------------------------------------- */

static void
test_tls (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *dir = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autofree char *line = NULL;
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autoptr(GError) error = NULL;
  Peer *tls;

  if (!need_flask (f))
    return;
  if (openssl == NULL)
    {
      g_test_skip ("no openssl to make a certificate");
      return;
    }

  dir = g_dir_make_tmp ("ct-http-client-XXXXXX", &error);
  g_assert_no_error (error);
  cert = g_build_filename (dir, "cert.pem", NULL);
  key = g_build_filename (dir, "key.pem", NULL);
  {
    g_autofree char *out = ct_test_run_peer (NULL, (const char *[]) {
                                               openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                               "-keyout", key, "-out", cert, "-days", "2",
                                               "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                                               NULL });
  }

  tls = peer_start (cert, key);
  g_assert_true (g_str_has_prefix (tls->url, "https://"));
  start_client (f);
  line = g_strdup_printf ("GET %s/echo", tls->url);

  /* Checked: refused, with what is wrong and what to do; not retried */
  send_line (f, line);
  {
    g_autoptr(CtMessage) error_entry = wait_error (f, 0);
    g_autofree char *summary = summary_of (error_entry);
    g_autofree char *expected = g_strdup_printf ("The TLS certificate of 127.0.0.1:%u is signed by an unknown "
                                                 "authority: fix the server’s certificate, or turn off "
                                                 "verify-tls to accept it anyway", tls->port);

    g_assert_cmpstr (summary, ==, expected);
  }
  iterate_for (200);
  g_assert_cmpuint (count (f, CT_DIRECTION_OUT), ==, 1);
  g_assert_cmpint (ct_test_log_find (client_log (f), CT_DIRECTION_INFO, "Retry"), <, 0);

  /* Not checked: answered, with a warning */
  g_object_set (f->client, "verify-tls", FALSE, NULL);
  send_line (f, line);
  {
    g_autoptr(CtMessage) in = wait_in (f, 0);
    g_autoptr(CtMessage) out = ct_test_log_nth (client_log (f), CT_DIRECTION_OUT, 1);
    g_autofree char *curl = ct_http_client_dup_curl_command_for_message (out);
    g_autoptr(JsonObject) echo = body_object (in);

    g_assert_cmpuint (meta_u32 (in, "status"), ==, 200);
    g_assert_cmpstr (json_object_get_string_member (echo, "path"), ==, "/echo");
    g_assert_true (g_str_has_suffix (curl, " -L -k"));
  }
  g_assert_cmpint (ct_test_log_find (client_log (f), CT_DIRECTION_INFO,
                                     "is signed by an unknown authority, and was accepted because verify-tls is off"), >=, 0);
  g_assert_cmpuint (count (f, CT_DIRECTION_ERROR), ==, 1);

  ct_test_stop (f->client);
  peer_stop (tls);
  g_assert_no_errno (g_remove (cert));
  g_assert_no_errno (g_remove (key));
  g_assert_no_errno (g_rmdir (dir));
}

/* -- Copy as curl --------------------------------------------------------------- */

static void
test_curl_command (void)
{
  static const char body[] = "{\"title\": \"it's done\", \"done\": true}";
  g_autoptr(GBytes) bytes = g_bytes_new_static (body, strlen (body));
  g_autoptr(GVariant) put = NULL;
  g_autoptr(GVariant) get = NULL;
  g_autoptr(GVariant) head = NULL;
  g_autoptr(GVariant) not_request = NULL;
  g_autofree char *command = NULL;

  /* As the client logs a PUT: libsoup's own headers are left to curl */
  put = g_variant_ref_sink (ct_meta_new ("method", g_variant_new_string ("PUT"),
                                         "url", g_variant_new_string ("http://127.0.0.1:8000/api/tasks/1"),
                                         "headers", g_variant_new_string ("Host: 127.0.0.1:8000\n"
                                                                          "Content-Type: application/json\n"
                                                                          "X-Request-Id: Bob's 42\n"
                                                                          "Content-Length: 37\n"
                                                                          "Accept-Encoding: gzip, deflate, br\n"
                                                                          "User-Agent: Crosstalk/0.1 libsoup/3.2.2\n"),
                                         "follow-redirects", g_variant_new_boolean (TRUE),
                                         "verify-tls", g_variant_new_boolean (TRUE),
                                         NULL));
  command = ct_http_client_dup_curl_command (put, bytes);
  g_assert_cmpstr (command, ==,
                   "curl -X PUT 'http://127.0.0.1:8000/api/tasks/1'"
                   " -H 'Content-Type: application/json'"
                   " -H 'X-Request-Id: Bob'\\''s 42'"
                   " --data-binary '{\"title\": \"it'\\''s done\", \"done\": true}'");
  g_clear_pointer (&command, g_free);

  /* A GET: no -X, -L when redirects were followed; a Host of its own and
   * the user's User-Agent stay; no TLS checks: -k */
  get = g_variant_ref_sink (ct_meta_new ("method", g_variant_new_string ("GET"),
                                         "url", g_variant_new_string ("https://[::1]:8443/a?b=c d"),
                                         "headers", g_variant_new_string ("Host: [::1]:8443\n"
                                                                          "Host: example.org\n"
                                                                          "User-Agent: tester/1\n"
                                                                          "Cookie: a=b\n"),
                                         "follow-redirects", g_variant_new_boolean (TRUE),
                                         "verify-tls", g_variant_new_boolean (FALSE),
                                         NULL));
  command = ct_http_client_dup_curl_command (get, NULL);
  g_assert_cmpstr (command, ==,
                   "curl 'https://[::1]:8443/a?b=c d' -H 'Host: example.org' -H 'User-Agent: tester/1'"
                   " -H 'Cookie: a=b' -L -k");
  g_clear_pointer (&command, g_free);

  head = g_variant_ref_sink (ct_meta_new ("method", g_variant_new_string ("HEAD"),
                                          "url", g_variant_new_string ("http://127.0.0.1/"),
                                          NULL));
  command = ct_http_client_dup_curl_command (head, NULL);
  g_assert_cmpstr (command, ==, "curl --head 'http://127.0.0.1/'");
  g_clear_pointer (&command, g_free);

  /* Not a request */
  not_request = g_variant_ref_sink (ct_meta_new ("status", g_variant_new_uint32 (200), NULL));
  g_assert_null (ct_http_client_dup_curl_command (not_request, NULL));
}

static void
test_curl_runs (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *curl = g_find_program_in_path ("curl");
  g_autofree char *command = NULL;
  g_autofree char *output = NULL;
  g_autofree char *with_options = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  JsonObject *echo, *headers;
  gint64 id;

  if (!need_flask (f))
    return;
  if (curl == NULL)
    {
      g_test_skip ("no curl");
      return;
    }
  start_client (f);

  /* What the client sent to the echo route, sent again by curl */
  g_object_set (f->client, "headers", "X-Test: it's me", NULL);
  send_line (f, "PUT /echo?x=1 {\"title\": \"it's done\"}");
  {
    g_autoptr(CtMessage) in = wait_in (f, 0);
    g_autoptr(CtMessage) out = ct_test_log_nth (client_log (f), CT_DIRECTION_OUT, 0);
    g_autofree char *expected = g_strdup_printf ("curl -X PUT '%s/echo?x=1' -H 'Content-Type: application/json'"
                                                 " -H 'X-Test: it'\\''s me'"
                                                 " --data-binary '{\"title\": \"it'\\''s done\"}'", flask->url);

    command = ct_http_client_dup_curl_command_for_message (out);
    g_assert_cmpstr (command, ==, expected);
    g_assert_null (ct_http_client_dup_curl_command_for_message (in));
  }
  with_options = g_strdup_printf ("%s --silent --show-error --fail", command);
  output = ct_test_run_peer (NULL, (const char *[]) { "/bin/sh", "-c", with_options, NULL });
  node = json_from_string (output, &error);
  g_assert_no_error (error);
  echo = json_node_get_object (node);
  headers = json_object_get_object_member (echo, "headers");
  g_assert_cmpstr (json_object_get_string_member (echo, "method"), ==, "PUT");
  g_assert_cmpstr (json_object_get_string_member (echo, "body"), ==, "{\"title\": \"it's done\"}");
  g_assert_cmpstr (json_object_get_string_member (echo, "content_type"), ==, "application/json");
  g_assert_cmpstr (json_object_get_string_member (headers, "X-Test"), ==, "it's me");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (echo, "args"), "x"), ==, "1");
  g_clear_pointer (&node, json_node_unref);
  g_clear_pointer (&output, g_free);
  g_clear_pointer (&with_options, g_free);
  g_clear_pointer (&command, g_free);

  /* And against the tasks: the client creates one, curl renames it */
  g_object_set (f->client, "headers", "", NULL);
  send_line (f, "POST /api/tasks {\"title\": \"before\"}");
  {
    g_autoptr(CtMessage) in = wait_in (f, 1);
    g_autoptr(JsonObject) task = body_object (in);

    id = json_object_get_int_member (task, "id");
  }
  line = g_strdup_printf ("PUT /api/tasks/%" G_GINT64_FORMAT " {\"title\": \"renamed by curl\"}", id);
  g_assert_true (ct_endpoint_check_text (f->client, line, NULL));
  {
    /* the request as the client would log it, without sending it */
    g_autofree char *url = g_strdup_printf ("%s/api/tasks/%" G_GINT64_FORMAT, flask->url, id);
    g_autoptr(GVariant) meta = g_variant_ref_sink (ct_meta_new ("method", g_variant_new_string ("PUT"),
                                                                "url", g_variant_new_string (url),
                                                                "headers", g_variant_new_string ("Content-Type: application/json\n"),
                                                                NULL));
    g_autoptr(GBytes) body = g_bytes_new_static ("{\"title\": \"renamed by curl\"}", 28);

    command = ct_http_client_dup_curl_command (meta, body);
  }
  with_options = g_strdup_printf ("%s --silent --show-error --fail", command);
  output = ct_test_run_peer (NULL, (const char *[]) { "/bin/sh", "-c", with_options, NULL });
  g_assert_nonnull (strstr (output, "renamed by curl"));

  g_free (line);
  line = g_strdup_printf ("GET /api/tasks/%" G_GINT64_FORMAT, id);
  send_line (f, line);
  {
    g_autoptr(CtMessage) in = wait_in (f, 2);
    g_autoptr(JsonObject) task = body_object (in);

    g_assert_cmpstr (json_object_get_string_member (task, "title"), ==, "renamed by curl");
  }
}

/* -- the endpoint --------------------------------------------------------------- */

/* A stand-in for the REST server endpoint, for Use Local Server */
typedef struct { CtEndpoint parent_instance; } TestRestServer;
typedef struct { CtEndpointClass parent_class; } TestRestServerClass;

static GType test_rest_server_get_type (void);
G_DEFINE_TYPE (TestRestServer, test_rest_server, CT_TYPE_ENDPOINT)

static void
test_rest_server_class_init (TestRestServerClass *klass)
{
  CT_ENDPOINT_CLASS (klass)->protocol_id = "rest";
  CT_ENDPOINT_CLASS (klass)->role = CT_ROLE_SERVER;
}

static void
test_rest_server_init (TestRestServer *self)
{
}

static void
test_use_server (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(CtEndpoint) server = g_object_new (test_rest_server_get_type (), NULL);
  g_autoptr(CtEndpoint) other = ct_jsonrpc_server_new ();
  g_autoptr(GInetAddress) any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) bound = g_inet_socket_address_new (any, 8123);
  g_autofree char *url = NULL;

  g_object_set (f->client, "base-url", "http://example.org", NULL);

  /* Not a REST server: nothing changes */
  ct_endpoint_set_socket_address (other, bound);
  ct_endpoint_use_server (f->client, other);
  g_object_get (f->client, "base-url", &url, NULL);
  g_assert_cmpstr (url, ==, "http://example.org");
  g_clear_pointer (&url, g_free);

  /* A REST server bound to every address: its loopback */
  ct_endpoint_set_socket_address (server, bound);
  ct_endpoint_use_server (f->client, server);
  g_object_get (f->client, "base-url", &url, NULL);
  g_assert_cmpstr (url, ==, "http://127.0.0.1:8123");
  ct_endpoint_set_socket_address (server, NULL);
  ct_endpoint_set_socket_address (other, NULL);
}

static void
test_settings (Fixture       *f,
               gconstpointer  data)
{
  CtEndpointClass *klass = CT_ENDPOINT_GET_CLASS (f->client);
  static const char * const expected[][2] = {
    { "base-url", "http://127.0.0.1:8000" },
    { "timeout", "30" },
    { "retries", "2" },
    { "retry-delay", "200" },
    { "retry-post", "no" },
    { "follow-redirects", "yes" },
    { "verify-tls", "yes" },
    { "keep-cookies", "yes" },
    { "headers", "" },
    { "body-type", "json" },
  };
  g_autoptr(CtEndpoint) fresh = ct_http_client_new ();
  g_autofree GParamSpec **settings = NULL;
  g_autoptr(GError) error = NULL;
  guint n;

  g_assert_cmpstr (ct_endpoint_get_protocol_id (f->client), ==, "rest");
  g_assert_cmpint (ct_endpoint_get_role (f->client), ==, CT_ROLE_CLIENT);
  g_assert_nonnull (klass->commands);
  g_assert_cmpstr (klass->commands[0].name, ==, "clear-cookies");
  g_assert_null (klass->commands[1].name);

  settings = ct_endpoint_class_list_settings (klass, &n);
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (fresh), expected[i][0]);
      g_autofree char *value = NULL;

      g_assert_nonnull (pspec);
      value = ct_endpoint_dup_setting_string (fresh, pspec);
      g_assert_cmpstr (value, ==, expected[i][1]);
      g_assert_nonnull (g_param_spec_get_nick (pspec));
      g_assert_nonnull (g_param_spec_get_blurb (pspec));
    }

  /* As the CLI sets them */
  g_assert_true (ct_endpoint_set_setting_from_string (fresh, "timeout", "0", &error));
  g_assert_true (ct_endpoint_set_setting_from_string (fresh, "retry-post", "yes", &error));
  g_assert_no_error (error);
  g_assert_false (ct_endpoint_set_setting_from_string (fresh, "retries", "11", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING);
  g_clear_error (&error);

  /* A base URL that is not one fails the start, with a reason */
  g_object_set (f->client, "base-url", "ftp://127.0.0.1/", NULL);
  g_assert_false (ct_test_start (f->client, &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING);
  g_assert_nonnull (strstr (error->message, "is not an HTTP URL"));
  g_assert_cmpint (ct_endpoint_get_state (f->client), ==, CT_STATE_FAILED);
  g_clear_error (&error);

  /* Not running: nothing is sent */
  g_assert_false (ct_endpoint_send_text (f->client, "GET /", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_NOT_RUNNING);
}

/* Stopping cancels what is on the wire and what waits for a retry, at once */
static void
test_stop_cancels (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *key = unique_key ();
  g_autofree char *line = g_strdup_printf ("GET /flaky?key=%s", key);
  gint64 started;

  if (!need_flask (f))
    return;
  g_object_set (f->client, "retry-delay", 10000, NULL);
  start_client (f);

  send_line (f, "GET /sleep?s=2");
  send_line (f, line);
  wait_in (f, 0);
  g_object_unref (ct_test_log_nth (client_log (f), CT_DIRECTION_IN, 0));
  CT_TEST_WAIT_UNTIL (ct_test_log_find (client_log (f), CT_DIRECTION_INFO, "Retry 1 of 2 in 10000 ms") >= 0);

  started = g_get_monotonic_time ();
  ct_test_stop (f->client);
  CT_TEST_WAIT_UNTIL (G_OBJECT (f->client)->ref_count == 1);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 1000 * 1000);
  iterate_for (100);
  g_assert_cmpuint (count (f, CT_DIRECTION_ERROR), ==, 0);
  g_assert_cmpuint (count (f, CT_DIRECTION_IN), ==, 1);

  /* and it starts again */
  start_client (f);
  send_line (f, "GET /echo");
  {
    g_autoptr(CtMessage) in = wait_in (f, 1);

    g_assert_cmpuint (meta_u32 (in, "status"), ==, 200);
  }
}

static void
drop_log_message (const char     *domain,
                  GLogLevelFlags  level,
                  const char     *message,
                  gpointer        user_data)
{
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("G_MESSAGES_DEBUG") == NULL)
    g_log_set_handler ("GLib-GIO", G_LOG_LEVEL_DEBUG, drop_log_message, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/ct/http-client/crud", test_crud);
  ADD ("/ct/http-client/relative-urls", test_relative_urls);
  ADD ("/ct/http-client/body/json-checked", test_json_body_checked);
  ADD ("/ct/http-client/body/text-and-form", test_text_and_form_bodies);
  ADD ("/ct/http-client/headers", test_headers_setting);
  ADD ("/ct/http-client/retries/succeed", test_retry_succeeds);
  ADD ("/ct/http-client/retries/give-up", test_retry_gives_up);
  ADD ("/ct/http-client/retries/post", test_retry_post);
  ADD ("/ct/http-client/retries/retry-after", test_retry_after);
  ADD ("/ct/http-client/errors/timeout", test_timeout);
  ADD ("/ct/http-client/errors/connection-refused", test_connection_refused);
  ADD ("/ct/http-client/errors/body-limit", test_body_limit);
  ADD ("/ct/http-client/cookies/kept", test_cookies);
  ADD ("/ct/http-client/cookies/off", test_cookies_off);
  ADD ("/ct/http-client/redirects", test_redirects);
  ADD ("/ct/http-client/tls", test_tls);
  g_test_add_func ("/ct/http-client/curl/command", test_curl_command);
  ADD ("/ct/http-client/curl/runs", test_curl_runs);
  ADD ("/ct/http-client/use-server", test_use_server);
  ADD ("/ct/http-client/settings", test_settings);
  ADD ("/ct/http-client/stop-cancels", test_stop_cancels);

  status = g_test_run ();

  peer_stop (g_steal_pointer (&flask));
  return status;
}
