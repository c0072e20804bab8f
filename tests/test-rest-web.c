/* test-rest-web.c — the REST server's web page in a real browser: Debian's
 * Chromium, headless, driven over the DevTools protocol by
 * tests/rest-web-driver.py (Debian's Python with python3-websocket) to load
 * the list, create, edit and delete tasks, and to show a title made of HTML
 * as text. The server runs in this process; each step checks what the page
 * showed (as the driver reports it) and what the server got (its log and its
 * API).
 *
 * The steps share one server, browser and page, and run in order; a step
 * whose predecessor failed fails too. Assertions are not fatal, so Chromium
 * is always stopped and its profile removed at the end. Chromium or the
 * driver's websocket module missing is a failure, not a skip:
 * build-aux/install-deps installs them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "ct-test-util.h"
#include "ct-rest-server.h"

/* Debian's Python, which has python3-websocket (a plain `python3` may be
 * another Python without it) */
#define DEBIAN_PYTHON "/usr/bin/python3"

#define RUN_TIMEOUT_S  60   /* everything the browser does, from its start */
#define STEP_TIMEOUT_S 20   /* one command of the driver */
#define STOP_TIMEOUT_S 5    /* Chromium or the driver, asked to quit */

#define SEEDED_TASKS 28
#define SCRIPT_TITLE "<script>window.__pwned=1</script><b>bold</b>"

static const char * const chromium_flags[] = {
  "--headless",
  "--remote-debugging-port=0",
  "--no-sandbox",              /* as root, in CI containers */
  "--disable-gpu",
  "--disable-dev-shm-usage",
  /* Nothing but 127.0.0.1 */
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-default-apps",
  "--disable-extensions",
  "--disable-sync",
  "--metrics-recording-only",
  "--no-default-browser-check",
  "--no-first-run",
  "--no-proxy-server",
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
  NULL
};

static struct
{
  CtEndpoint       *server;
  SoupSession      *session;
  char             *url;              /* http://127.0.0.1:PORT/ */
  guint16           port;
  gint64            deadline;         /* of RUN_TIMEOUT_S */

  char             *tmpdir;           /* Chromium's profile and its output */
  char             *chromium_log;
  GSubprocess      *chromium;
  pid_t             chromium_pid;
  gboolean          chromium_exited;

  GSubprocess      *driver;
  gboolean          driver_exited;
  GOutputStream    *driver_in;
  GDataInputStream *driver_out;

  gboolean          ready;            /* the page is open, steps can run */
  char            **seeded_ids;       /* the rows the page first showed */
  char             *task_id;          /* the task create made (edit, delete) */
  char             *task_etag;        /* its ETag, as our GET had it */
  char             *script_id;        /* the task with SCRIPT_TITLE */
} run;

/* -- bounded waits that fail the test instead of aborting it ---------------- */

static gboolean
wait_flag (gboolean   *flag,
           gint64      end,
           const char *what)
{
  while (!*flag)
    {
      if (g_get_monotonic_time () > end)
        {
          g_test_fail_printf ("timed out waiting for %s", what);
          return FALSE;
        }
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  return TRUE;
}

static gint64
step_end (void)
{
  return MIN (g_get_monotonic_time () + STEP_TIMEOUT_S * G_USEC_PER_SEC, run.deadline);
}

static void
exited_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *(gboolean *) user_data = TRUE;
}

/* -- the test's own HTTP client -------------------------------------------------- */

typedef struct
{
  GBytes   *body;
  GError   *error;
  gboolean  done;
} HttpResult;

static void
http_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  HttpResult *r = user_data;

  r->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &r->error);
  r->done = TRUE;
}

/* GET @path from the server: its status (0 when there was no answer) and,
 * in @json, its body parsed (NULL when not JSON) */
static guint
http_get (const char  *path,
          JsonNode   **json,
          char       **etag)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u%s", run.port, path);
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_GET, url);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  HttpResult r = { NULL, NULL, FALSE };
  guint status = 0;

  soup_session_send_and_read_async (run.session, message, G_PRIORITY_DEFAULT, cancellable, http_done_cb, &r);
  if (!wait_flag (&r.done, g_get_monotonic_time () + STEP_TIMEOUT_S * G_USEC_PER_SEC, url))
    {
      g_cancellable_cancel (cancellable);
      CT_TEST_WAIT_UNTIL (r.done);
    }
  else if (r.error)
    g_test_fail_printf ("GET %s: %s", path, r.error->message);
  else
    {
      gsize size;
      const char *data = g_bytes_get_data (r.body, &size);

      status = soup_message_get_status (message);
      if (json)
        {
          g_autofree char *text = g_strndup (data, size);

          *json = json_from_string (text, NULL);
        }
      if (etag)
        *etag = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (message), "ETag"));
    }
  g_clear_pointer (&r.body, g_bytes_unref);
  g_clear_error (&r.error);
  return status;
}

/* -- the server's log ------------------------------------------------------------ */

typedef struct
{
  char   *in_headers;
  guint   status;        /* of the `out` entry; 0 when there is none */
  char   *out_headers;
} Exchange;

static void
exchange_free (Exchange *e)
{
  g_free (e->in_headers);
  g_free (e->out_headers);
  g_free (e);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Exchange, exchange_free)

static char *
meta_string (CtMessage  *message,
             const char *key)
{
  GVariant *meta = ct_message_get_meta (message);
  const char *value = NULL;

  if (meta && g_variant_lookup (meta, key, "&s", &value))
    return g_strdup (value);
  return NULL;
}

/* How many exchanges of the server had @request_line (`POST /api/tasks`) */
static guint
count_exchanges (const char *request_line)
{
  CtMessageLog *log = ct_endpoint_get_log (run.server);
  guint n, count = 0;

  ct_message_log_flush (log);
  n = g_list_model_get_n_items (G_LIST_MODEL (log));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CtMessage) message = g_list_model_get_item (G_LIST_MODEL (log), i);
      g_autofree char *http = NULL;

      if (ct_message_get_direction (message) != CT_DIRECTION_IN)
        continue;
      http = meta_string (message, "http");
      count += g_strcmp0 (http, request_line) == 0;
    }
  return count;
}

/* The last exchange of the server with @request_line, or NULL */
static Exchange *
last_exchange (const char *request_line)
{
  CtMessageLog *log = ct_endpoint_get_log (run.server);
  Exchange *e = NULL;
  guint64 id = 0;
  guint n;

  ct_message_log_flush (log);
  n = g_list_model_get_n_items (G_LIST_MODEL (log));
  for (guint i = n; i-- > 0 && e == NULL;)
    {
      g_autoptr(CtMessage) message = g_list_model_get_item (G_LIST_MODEL (log), i);
      g_autofree char *http = NULL;

      if (ct_message_get_direction (message) != CT_DIRECTION_IN)
        continue;
      http = meta_string (message, "http");
      if (g_strcmp0 (http, request_line) != 0)
        continue;
      e = g_new0 (Exchange, 1);
      e->in_headers = meta_string (message, "headers");
      id = ct_message_get_exchange (message);
      for (guint j = i + 1; j < n; j++)
        {
          g_autoptr(CtMessage) out = g_list_model_get_item (G_LIST_MODEL (log), j);
          GVariant *meta = ct_message_get_meta (out);

          if (ct_message_get_direction (out) != CT_DIRECTION_OUT || ct_message_get_exchange (out) != id)
            continue;
          if (meta)
            g_variant_lookup (meta, "status", "u", &e->status);
          e->out_headers = meta_string (out, "headers");
          break;
        }
    }
  if (e == NULL)
    g_test_fail_printf ("the server's log has no request %s", request_line);
  return e;
}

/* The value of header @name in a log entry's `Name: value` lines, or NULL */
static char *
header_value (const char *headers,
              const char *name)
{
  g_auto(GStrv) lines = g_strsplit (headers ? headers : "", "\n", -1);
  gsize length = strlen (name);

  for (guint i = 0; lines[i]; i++)
    if (g_ascii_strncasecmp (lines[i], name, length) == 0 && lines[i][length] == ':')
      return g_strdup (g_strstrip (lines[i] + length + 1));
  return NULL;
}

/* -- Chromium and the driver --------------------------------------------------- */

static void
chromium_child_setup (gpointer user_data)
{
  /* Its own process group, so that its helpers can be stopped with it; and
   * killed by the kernel if this test dies without stopping it */
  setpgid (0, 0);
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static char *
chromium_output (void)
{
  g_autofree char *text = NULL;

  if (run.chromium_log == NULL || !g_file_get_contents (run.chromium_log, &text, NULL, NULL))
    return g_strdup ("(none)");
  return g_steal_pointer (&text);
}

/* Its DevTools address, from the line it prints once it listens */
static char *
chromium_devtools_url (void)
{
  static const char prefix[] = "DevTools listening on ";
  g_autofree char *text = NULL;
  const char *line, *end;

  if (!g_file_get_contents (run.chromium_log, &text, NULL, NULL) ||
      (line = strstr (text, prefix)) == NULL ||
      (end = strchr (line, '\n')) == NULL)
    return NULL;
  line += strlen (prefix);
  return g_strndup (line, end - line);
}

static char *
start_chromium (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GStrvBuilder) argv_builder = g_strv_builder_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *chromium = g_find_program_in_path ("chromium");
  g_autofree char *profile = NULL;
  g_autofree char *user_data_dir = NULL;
  g_auto(GStrv) argv = NULL;
  char *ws_url = NULL;
  gint64 end;

  if (chromium == NULL)
    {
      g_test_fail_printf ("chromium is not installed (Debian's chromium package; build-aux/install-deps installs it)");
      return NULL;
    }

  run.tmpdir = g_dir_make_tmp ("ct-rest-web-XXXXXX", &error);
  g_assert_no_error (error);
  if (run.tmpdir == NULL)
    return NULL;
  profile = g_build_filename (run.tmpdir, "profile", NULL);
  run.chromium_log = g_build_filename (run.tmpdir, "chromium.log", NULL);
  user_data_dir = g_strconcat ("--user-data-dir=", profile, NULL);

  g_strv_builder_add (argv_builder, chromium);
  g_strv_builder_addv (argv_builder, (const char **) chromium_flags);
  g_strv_builder_add (argv_builder, user_data_dir);
  g_strv_builder_add (argv_builder, "about:blank");
  argv = g_strv_builder_end (argv_builder);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_stdout_file_path (launcher, run.chromium_log);
  g_subprocess_launcher_set_child_setup (launcher, chromium_child_setup, NULL, NULL);
  run.chromium = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
  g_assert_no_error (error);
  if (run.chromium == NULL)
    return NULL;
  run.chromium_pid = (pid_t) atoi (g_subprocess_get_identifier (run.chromium));
  g_subprocess_wait_async (run.chromium, NULL, exited_cb, &run.chromium_exited);

  end = step_end ();
  while ((ws_url = chromium_devtools_url ()) == NULL)
    {
      if (run.chromium_exited || g_get_monotonic_time () > end)
        {
          g_autofree char *output = chromium_output ();

          g_test_fail_printf ("chromium %s without saying where DevTools listens; it printed:\n%s",
                              run.chromium_exited ? "exited" : "took too long", output);
          return NULL;
        }
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * 1000);
    }
  g_test_message ("chromium (pid %d): %s", (int) run.chromium_pid, ws_url);
  return ws_url;
}

static gboolean
start_driver (const char *ws_url)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "rest-web-driver.py", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) check = NULL;

  check = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                            DEBIAN_PYTHON, "-c", "import websocket", NULL);
  if (check == NULL || !g_subprocess_wait_check (check, NULL, NULL))
    {
      g_test_fail_printf (DEBIAN_PYTHON " cannot import websocket (Debian's python3-websocket; "
                          "build-aux/install-deps installs it)");
      return FALSE;
    }

  run.driver = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                 DEBIAN_PYTHON, script, ws_url, NULL);
  g_assert_no_error (error);
  if (run.driver == NULL)
    return FALSE;
  run.driver_in = g_object_ref (g_subprocess_get_stdin_pipe (run.driver));
  run.driver_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (run.driver));
  g_subprocess_wait_async (run.driver, NULL, exited_cb, &run.driver_exited);
  return TRUE;
}

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

/* Sends the driver a command (a JSON object built by the caller) and
 * returns its answer, or NULL (and the test failed) if it has none or the
 * answer is not "ok". After a NULL, no more steps can run. */
static JsonObject *
driver_call (JsonBuilder *builder)
{
  g_autoptr(JsonNode) command = json_builder_get_root (builder);
  g_autofree char *text = ct_json_to_string (command, FALSE);
  g_autofree char *line = g_strconcat (text, "\n", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;
  ReadLine r = { NULL, NULL, FALSE };
  JsonObject *object;
  JsonArray *array;

  run.ready = FALSE;
  if (!g_output_stream_write_all (run.driver_in, line, strlen (line), NULL, NULL, &error))
    {
      g_test_fail_printf ("cannot send the driver %s: %s", text, error->message);
      return NULL;
    }

  g_data_input_stream_read_line_async (run.driver_out, G_PRIORITY_DEFAULT, cancellable, read_line_cb, &r);
  if (!wait_flag (&r.done, step_end (), text))
    {
      g_cancellable_cancel (cancellable);
      CT_TEST_WAIT_UNTIL (r.done);
      g_clear_error (&r.error);
      g_free (r.line);
      return NULL;
    }
  if (r.line == NULL)
    {
      g_test_fail_printf ("the driver did not answer %s: %s", text, r.error ? r.error->message : "it exited");
      g_clear_error (&r.error);
      return NULL;
    }

  answer = json_from_string (r.line, &error);
  g_free (r.line);
  if (answer == NULL || !JSON_NODE_HOLDS_OBJECT (answer))
    {
      g_test_fail_printf ("the driver's answer to %s is not a JSON object", text);
      return NULL;
    }
  object = json_node_get_object (answer);

  /* What the page threw, or logged as an error or warning (a CSP
   * violation, a failed request), fails the step */
  array = json_object_get_array_member (object, "exceptions");
  for (guint i = 0; array && i < json_array_get_length (array); i++)
    g_test_fail_printf ("the page threw: %s", json_array_get_string_element (array, i));
  array = json_object_get_array_member (object, "console");
  for (guint i = 0; array && i < json_array_get_length (array); i++)
    {
      const char *entry = json_array_get_string_element (array, i);

      /* Chromium asks for a favicon; the server has none */
      if (strstr (entry, "/favicon.ico"))
        g_test_message ("the page logged: %s", entry);
      else
        g_test_fail_printf ("the page logged: %s", entry);
    }

  if (!json_object_get_boolean_member_with_default (object, "ok", FALSE))
    {
      g_test_fail_printf ("the driver failed: %s",
                          json_object_get_string_member_with_default (object, "error", "(no message)"));
      return NULL;
    }
  run.ready = TRUE;
  return json_object_ref (object);
}

static JsonBuilder *
command_new (const char *cmd)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "cmd");
  json_builder_add_string_value (builder, cmd);
  return builder;
}

static void
command_add (JsonBuilder *builder,
             const char  *name,
             const char  *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

/* Fields as name, value pairs, NULL-ended */
static void
command_add_fields (JsonBuilder *builder,
                    const char  *first_name,
                    ...)
{
  va_list ap;

  json_builder_set_member_name (builder, "fields");
  json_builder_begin_object (builder);
  va_start (ap, first_name);
  for (const char *name = first_name; name; name = va_arg (ap, const char *))
    command_add (builder, name, va_arg (ap, const char *));
  va_end (ap);
  json_builder_end_object (builder);
}

static JsonObject *
command_run (JsonBuilder *builder)
{
  json_builder_end_object (builder);
  return driver_call (builder);
}

/* Whether the earlier steps left the page open */
static gboolean
page_ready (void)
{
  if (!run.ready)
    g_test_fail_printf ("no page to work on: an earlier step failed");
  return run.ready;
}

/* -- what the page showed ----------------------------------------------------- */

static JsonArray *
rows_of (JsonObject *answer)
{
  return json_object_get_array_member (answer, "rows");
}

static guint
n_rows (JsonObject *answer)
{
  JsonArray *rows = rows_of (answer);

  return rows ? json_array_get_length (rows) : 0;
}

/* The title row @id shows, or NULL when there is no such row */
static const char *
row_title (JsonObject *answer,
           const char *id)
{
  JsonArray *rows = rows_of (answer);

  for (guint i = 0; rows && i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (row, "id", NULL), id) == 0)
        return json_object_get_string_member_with_default (row, "title", "");
    }
  return NULL;
}

static GStrv
row_ids (JsonObject *answer)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *rows = rows_of (answer);

  for (guint i = 0; rows && i < json_array_get_length (rows); i++)
    g_strv_builder_add (builder, json_object_get_string_member_with_default (json_array_get_object_element (rows, i),
                                                                            "id", ""));
  return g_strv_builder_end (builder);
}

/* The one row of @after whose id was not among @before, or NULL */
static char *
new_row (const char * const *before,
         JsonObject         *after)
{
  g_auto(GStrv) ids = row_ids (after);
  char *found = NULL;

  for (guint i = 0; ids[i]; i++)
    if (!g_strv_contains (before, ids[i]))
      {
        if (found)
          {
            g_test_fail_printf ("more than one new row (%s and %s)", found, ids[i]);
            g_free (found);
            return NULL;
          }
        found = g_strdup (ids[i]);
      }
  if (found == NULL)
    g_test_fail_printf ("no new row in the table");
  return found;
}

static const char *
member_string (JsonObject *object,
               const char *path)   /* "status.text" */
{
  g_auto(GStrv) parts = g_strsplit (path, ".", 2);

  if (parts[1])
    {
      object = json_object_get_object_member (object, parts[0]);
      if (object == NULL)
        return NULL;
      return json_object_get_string_member_with_default (object, parts[1], NULL);
    }
  return json_object_get_string_member_with_default (object, path, NULL);
}

/* The task at /api/tasks/@id as the server has it, or NULL */
static JsonNode *
server_task (const char  *id,
             guint        expected_status,
             char       **etag)
{
  g_autofree char *path = g_strconcat ("/api/tasks/", id, NULL);
  g_autoptr(JsonNode) json = NULL;
  guint status = http_get (path, &json, etag);

  g_assert_cmpuint (status, ==, expected_status);
  if (status != SOUP_STATUS_OK || json == NULL || !JSON_NODE_HOLDS_OBJECT (json))
    return NULL;
  return g_steal_pointer (&json);
}

static void
assert_tags (JsonObject         *task,
             const char * const *expected)
{
  JsonArray *tags = json_object_get_array_member (task, "tags");
  guint n = tags ? json_array_get_length (tags) : 0;

  g_assert_cmpuint (n, ==, g_strv_length ((GStrv) expected));
  for (guint i = 0; i < n && expected[i]; i++)
    g_assert_cmpstr (json_array_get_string_element (tags, i), ==, expected[i]);
}

/* -- the steps ------------------------------------------------------------------ */

static void
test_load (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ws_url = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonNode) list = NULL;
  JsonArray *items;
  guint status;

  run.server = ct_rest_server_new ();
  g_object_set (run.server, "port", 0, NULL);
  g_assert_true (ct_test_start (run.server, &error));
  g_assert_no_error (error);
  if (ct_endpoint_get_state (run.server) != CT_STATE_RUNNING)
    return;
  g_assert_true (g_str_has_prefix (ct_endpoint_get_address (run.server), "127.0.0.1:"));
  run.port = ct_test_endpoint_port (run.server);
  run.url = g_strdup_printf ("http://127.0.0.1:%u/", run.port);
  run.session = soup_session_new_with_options ("timeout", STEP_TIMEOUT_S, NULL);

  run.deadline = g_get_monotonic_time () + RUN_TIMEOUT_S * G_USEC_PER_SEC;
  ws_url = start_chromium ();
  if (ws_url == NULL || !start_driver (ws_url))
    return;

  builder = command_new ("open");
  command_add (builder, "url", run.url);
  answer = command_run (builder);
  if (answer == NULL)
    return;

  /* The first page of the list, as the API has it */
  status = http_get ("/api/tasks?limit=50", &list, NULL);
  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  g_assert_true (list && JSON_NODE_HOLDS_OBJECT (list));
  if (list == NULL || !JSON_NODE_HOLDS_OBJECT (list))
    return;
  g_assert_cmpint (json_object_get_int_member_with_default (json_node_get_object (list), "total", -1), ==, SEEDED_TASKS);
  items = json_object_get_array_member (json_node_get_object (list), "items");
  g_assert_nonnull (items);
  if (items == NULL)
    return;
  g_assert_cmpuint (json_array_get_length (items), ==, SEEDED_TASKS);
  g_assert_cmpuint (n_rows (answer), ==, SEEDED_TASKS);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *task = json_array_get_object_element (items, i);
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (task, "id"));

      g_assert_cmpstr (row_title (answer, id), ==, json_object_get_string_member (task, "title"));
    }
  g_assert_cmpstr (member_string (answer, "status.kind"), !=, "error");
  g_assert_cmpstr (member_string (answer, "form.mode"), ==, "create");
  run.seeded_ids = row_ids (answer);

  /* The page and its files came from the server, and the page asked the API */
  for (guint i = 0; i < 4; i++)
    {
      static const char * const requests[] = { "GET /", "GET /app.js", "GET /app.css", "GET /api" };
      g_autoptr(Exchange) e = last_exchange (requests[i]);

      if (e)
        g_assert_cmpuint (e->status, ==, SOUP_STATUS_OK);
    }
  g_assert_cmpuint (count_exchanges ("GET /api/tasks?limit=50&offset=0"), ==, 1);
}

static void
test_create (void)
{
  static const char * const tags[] = { "plants", "office", NULL };
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonNode) task = NULL;
  g_autoptr(Exchange) e = NULL;
  g_autofree char *location = NULL;
  g_autofree char *expected_location = NULL;
  g_autofree char *content_type = NULL;
  JsonObject *object;

  if (!page_ready ())
    return;

  builder = command_new ("create");
  command_add_fields (builder,
                      "title", "Water the office plants",
                      "notes", "Twice a week, less in winter",
                      "priority", "high",
                      "due", "2031-04-05",
                      "tags", "plants, office, plants",
                      NULL);
  answer = command_run (builder);
  if (answer == NULL)
    return;

  g_assert_cmpuint (n_rows (answer), ==, SEEDED_TASKS + 1);
  run.task_id = new_row ((const char * const *) run.seeded_ids, answer);
  if (run.task_id == NULL)
    return;
  g_test_message ("created task %s", run.task_id);
  g_assert_cmpstr (row_title (answer, run.task_id), ==, "Water the office plants");
  g_assert_cmpstr (member_string (answer, "status.kind"), ==, "ok");
  /* The form is empty again, for the next task */
  g_assert_cmpstr (member_string (answer, "form.mode"), ==, "create");
  g_assert_cmpstr (member_string (answer, "form.title"), ==, "");

  /* The server got one POST, answered 201 with the new task's address */
  g_assert_cmpuint (count_exchanges ("POST /api/tasks"), ==, 1);
  e = last_exchange ("POST /api/tasks");
  if (e == NULL)
    return;
  g_assert_cmpuint (e->status, ==, SOUP_STATUS_CREATED);
  content_type = header_value (e->in_headers, "Content-Type");
  g_assert_cmpstr (content_type, ==, "application/json");
  location = header_value (e->out_headers, "Location");
  expected_location = g_strconcat ("/api/tasks/", run.task_id, NULL);
  g_assert_cmpstr (location, ==, expected_location);

  /* And the store has it, as the form had it */
  task = server_task (run.task_id, SOUP_STATUS_OK, &run.task_etag);
  if (task == NULL)
    return;
  object = json_node_get_object (task);
  g_assert_cmpstr (json_object_get_string_member_with_default (object, "title", NULL), ==, "Water the office plants");
  g_assert_cmpstr (json_object_get_string_member_with_default (object, "notes", NULL), ==, "Twice a week, less in winter");
  g_assert_cmpstr (json_object_get_string_member_with_default (object, "priority", NULL), ==, "high");
  g_assert_cmpstr (json_object_get_string_member_with_default (object, "due", NULL), ==, "2031-04-05");
  g_assert_false (json_object_get_boolean_member_with_default (object, "done", TRUE));
  assert_tags (object, tags);
  g_assert_nonnull (run.task_etag);
}

static void
test_edit (void)
{
  static const char * const tags[] = { "plants", "office", NULL };
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonNode) task = NULL;
  g_autoptr(Exchange) e = NULL;
  g_autofree char *request = NULL;
  g_autofree char *if_match = NULL;
  g_autofree char *etag = NULL;
  JsonObject *object;

  if (!page_ready ())
    return;
  if (run.task_id == NULL)
    {
      g_test_fail_printf ("no task to edit: the create step failed");
      return;
    }

  builder = command_new ("edit");
  command_add (builder, "id", run.task_id);
  command_add_fields (builder,
                      "title", "Water the office plants and the cactus",
                      "priority", "low",
                      NULL);
  answer = command_run (builder);
  if (answer == NULL)
    return;

  /* Edit filled the form with the task */
  g_assert_cmpstr (member_string (answer, "edit_form.mode"), ==, "edit");
  g_assert_cmpstr (member_string (answer, "edit_form.title"), ==, "Water the office plants");
  /* Save showed the new title and left edit mode */
  g_assert_cmpuint (n_rows (answer), ==, SEEDED_TASKS + 1);
  g_assert_cmpstr (row_title (answer, run.task_id), ==, "Water the office plants and the cactus");
  g_assert_cmpstr (member_string (answer, "form.mode"), ==, "create");
  g_assert_cmpstr (member_string (answer, "status.kind"), ==, "ok");

  /* The server got a PUT whose If-Match is the ETag the task had */
  request = g_strconcat ("PUT /api/tasks/", run.task_id, NULL);
  g_assert_cmpuint (count_exchanges (request), ==, 1);
  e = last_exchange (request);
  if (e == NULL)
    return;
  if_match = header_value (e->in_headers, "If-Match");
  g_assert_nonnull (if_match);
  g_assert_cmpstr (if_match, ==, run.task_etag);
  g_assert_cmpuint (e->status, ==, SOUP_STATUS_OK);

  /* The store has the new title and priority, and kept the rest */
  task = server_task (run.task_id, SOUP_STATUS_OK, &etag);
  if (task == NULL)
    return;
  object = json_node_get_object (task);
  g_assert_cmpstr (json_object_get_string_member_with_default (object, "title", NULL), ==,
                   "Water the office plants and the cactus");
  g_assert_cmpstr (json_object_get_string_member_with_default (object, "priority", NULL), ==, "low");
  g_assert_cmpstr (json_object_get_string_member_with_default (object, "notes", NULL), ==, "Twice a week, less in winter");
  g_assert_cmpstr (json_object_get_string_member_with_default (object, "due", NULL), ==, "2031-04-05");
  g_assert_false (json_object_get_boolean_member_with_default (object, "done", TRUE));
  assert_tags (object, tags);
  g_assert_cmpstr (etag, !=, run.task_etag);
}

/* What the driver's inspect says of row @id: its title is SCRIPT_TITLE as
 * text, and nothing in it became an element or ran */
static void
assert_inert (const char *id,
              const char *when)
{
  g_autoptr(JsonBuilder) builder = command_new ("inspect");
  g_autoptr(JsonObject) answer = NULL;
  const char *row_text;

  g_test_message ("inspecting row %s %s", id, when);
  command_add (builder, "id", id);
  answer = command_run (builder);
  if (answer == NULL)
    return;
  g_assert_true (json_object_get_boolean_member_with_default (answer, "found", FALSE));
  g_assert_cmpstr (member_string (answer, "title_text"), ==, SCRIPT_TITLE);
  g_assert_cmpint (json_object_get_int_member_with_default (answer, "title_elements", -1), ==, 0);
  /* The notes and tags (HTML too) made no elements either */
  g_assert_cmpint (json_object_get_int_member_with_default (answer, "foreign", -1), ==, 0);
  row_text = member_string (answer, "row_text");
  row_text = row_text ? row_text : "";
  g_assert_nonnull (strstr (row_text, "<img src=x onerror=\"window.__pwned=2\">"));
  g_assert_nonnull (strstr (row_text, "<i>tag</i>"));
  g_assert_cmpint (json_object_get_int_member_with_default (answer, "status_elements", -1), ==, 0);
  g_assert_cmpint (json_object_get_int_member_with_default (answer, "scripts", -1), ==, 1);   /* app.js */
  g_assert_cmpstr (member_string (answer, "pwned"), ==, "undefined");
}

static void
test_script_title (void)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) reopened = NULL;
  g_autoptr(JsonNode) task = NULL;
  g_auto(GStrv) before = NULL;
  g_autofree char *created_status = NULL;

  if (!page_ready ())
    return;

  /* Created through the page */
  before = g_strdupv (run.seeded_ids);
  if (run.task_id)
    {
      g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();

      g_strv_builder_addv (ids, (const char **) run.seeded_ids);
      g_strv_builder_add (ids, run.task_id);
      g_strfreev (before);
      before = g_strv_builder_end (ids);
    }
  builder = command_new ("create");
  command_add_fields (builder,
                      "title", SCRIPT_TITLE,
                      "notes", "<img src=x onerror=\"window.__pwned=2\">",
                      "tags", "<i>tag</i>",
                      NULL);
  answer = command_run (builder);
  if (answer == NULL)
    return;
  run.script_id = new_row ((const char * const *) before, answer);
  if (run.script_id == NULL)
    return;
  g_test_message ("created task %s", run.script_id);
  g_assert_cmpstr (row_title (answer, run.script_id), ==, SCRIPT_TITLE);
  /* The status line names it, as text too */
  created_status = g_strdup_printf ("Created “%s” (id %s).", SCRIPT_TITLE, run.script_id);
  g_assert_cmpstr (member_string (answer, "status.text"), ==, created_status);
  assert_inert (run.script_id, "after creating it");

  /* The server has the title as it was typed */
  task = server_task (run.script_id, SOUP_STATUS_OK, NULL);
  if (task)
    g_assert_cmpstr (json_object_get_string_member_with_default (json_node_get_object (task), "title", NULL), ==,
                     SCRIPT_TITLE);

  /* And a fresh page, which gets it from the server, shows it as text */
  g_clear_pointer (&builder, g_object_unref);
  builder = command_new ("open");
  command_add (builder, "url", run.url);
  reopened = command_run (builder);
  if (reopened == NULL)
    return;
  g_assert_cmpstr (row_title (reopened, run.script_id), ==, SCRIPT_TITLE);
  assert_inert (run.script_id, "after reloading the page");
}

/* Deletes row @id through the page; @title is what its confirm() names */
static void
delete_task (const char *id,
             const char *title)
{
  g_autoptr(JsonBuilder) builder = command_new ("delete");
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(Exchange) e = NULL;
  g_autofree char *request = NULL;
  g_autofree char *question = NULL;
  g_autofree char *if_match = NULL;
  JsonArray *dialogs;
  guint before;

  if (!page_ready ())
    return;
  before = count_exchanges ("GET /api/tasks?limit=50&offset=0");
  command_add (builder, "id", id);
  answer = command_run (builder);
  if (answer == NULL)
    return;

  /* It asked first, and was told yes */
  dialogs = json_object_get_array_member (answer, "dialogs");
  g_assert_cmpuint (dialogs ? json_array_get_length (dialogs) : 0, ==, 1);
  if (dialogs && json_array_get_length (dialogs) == 1)
    {
      JsonObject *dialog = json_array_get_object_element (dialogs, 0);

      question = g_strdup_printf ("Delete “%s”?", title);
      g_assert_cmpstr (member_string (dialog, "type"), ==, "confirm");
      g_assert_cmpstr (member_string (dialog, "message"), ==, question);
    }
  g_assert_null (row_title (answer, id));
  g_assert_cmpstr (member_string (answer, "status.kind"), ==, "ok");

  /* The server got the DELETE (with the task's ETag), then the page
   * loaded the list again */
  request = g_strconcat ("DELETE /api/tasks/", id, NULL);
  g_assert_cmpuint (count_exchanges (request), ==, 1);
  e = last_exchange (request);
  if (e)
    {
      if_match = header_value (e->in_headers, "If-Match");
      g_assert_nonnull (if_match);
      g_assert_cmpuint (e->status, ==, SOUP_STATUS_NO_CONTENT);
    }
  g_assert_cmpuint (count_exchanges ("GET /api/tasks?limit=50&offset=0"), ==, before + 1);

  /* And the task is gone */
  g_assert_null (server_task (id, SOUP_STATUS_NOT_FOUND, NULL));
}

static void
test_delete (void)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_auto(GStrv) ids = NULL;

  if (!page_ready ())
    return;
  if (run.task_id == NULL || run.script_id == NULL)
    {
      g_test_fail_printf ("no tasks to delete: an earlier step failed");
      return;
    }

  delete_task (run.task_id, "Water the office plants and the cactus");
  delete_task (run.script_id, SCRIPT_TITLE);

  /* The list is as it was at first */
  if (!page_ready ())
    return;
  builder = command_new ("open");
  command_add (builder, "url", run.url);
  answer = command_run (builder);
  if (answer == NULL)
    return;
  ids = row_ids (answer);
  g_assert_cmpstrv (ids, run.seeded_ids);
}

/* -- stopping everything ------------------------------------------------------- */

/* rm -r @path (symbolic links are removed, not followed) */
static void
remove_tree (const char *path)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir && (name = g_dir_read_name (dir)))
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
    }
  if (g_remove (path) != 0)
    g_printerr ("cannot remove %s: %s\n", path, g_strerror (errno));
}

/* Stops @process (asked with SIGTERM, then SIGKILL) and waits for it */
static void
stop_process (GSubprocess *process,
              gboolean    *exited,
              const char  *name)
{
  if (process == NULL)
    return;
  if (!*exited)
    {
      gint64 end = g_get_monotonic_time () + STOP_TIMEOUT_S * G_USEC_PER_SEC;

      g_subprocess_send_signal (process, SIGTERM);
      while (!*exited && g_get_monotonic_time () < end)
        if (!g_main_context_iteration (NULL, FALSE))
          g_usleep (1000);
      if (!*exited)
        {
          g_printerr ("%s did not stop on SIGTERM within %d s: killing it\n", name, STOP_TIMEOUT_S);
          g_subprocess_force_exit (process);
          CT_TEST_WAIT_UNTIL (*exited);
        }
    }
}

/* Returns whether everything stopped and went as it should */
static gboolean
stop_all (gboolean failed)
{
  gboolean ok = TRUE;

  /* The driver: told to quit by the end of its input */
  if (run.driver)
    {
      gint64 end = g_get_monotonic_time () + STOP_TIMEOUT_S * G_USEC_PER_SEC;

      g_output_stream_close (run.driver_in, NULL, NULL);
      while (!run.driver_exited && g_get_monotonic_time () < end)
        if (!g_main_context_iteration (NULL, FALSE))
          g_usleep (1000);
      stop_process (run.driver, &run.driver_exited, "the driver");
    }
  g_clear_object (&run.driver_in);
  g_clear_object (&run.driver_out);
  g_clear_object (&run.driver);

  /* Chromium, and whatever of its group is left */
  if (run.chromium)
    {
      gint64 end = g_get_monotonic_time () + STOP_TIMEOUT_S * G_USEC_PER_SEC;

      stop_process (run.chromium, &run.chromium_exited, "chromium");
      kill (-run.chromium_pid, SIGKILL);
      while (kill (-run.chromium_pid, 0) == 0 && g_get_monotonic_time () < end)
        g_usleep (10 * 1000);
      if (failed)
        {
          g_autofree char *output = chromium_output ();

          g_printerr ("chromium printed:\n%s\n", output);
        }
    }
  g_clear_object (&run.chromium);

  if (run.tmpdir)
    {
      remove_tree (run.tmpdir);
      if (g_file_test (run.tmpdir, G_FILE_TEST_EXISTS))
        {
          g_printerr ("cannot remove %s\n", run.tmpdir);
          ok = FALSE;
        }
    }
  g_clear_pointer (&run.tmpdir, g_free);
  g_clear_pointer (&run.chromium_log, g_free);

  if (run.session)
    soup_session_abort (run.session);
  g_clear_object (&run.session);
  if (run.server)
    {
      GObject *server = G_OBJECT (run.server);

      if (ct_endpoint_get_state (run.server) == CT_STATE_RUNNING)
        ct_test_stop (run.server);
      CT_TEST_WAIT_UNTIL (server->ref_count == 1);
      g_object_add_weak_pointer (server, (gpointer *) &server);
      g_clear_object (&run.server);
      if (server)
        {
          g_printerr ("the server was not finalized\n");
          ok = FALSE;
        }
    }
  g_clear_pointer (&run.url, g_free);
  g_clear_pointer (&run.seeded_ids, g_strfreev);
  g_clear_pointer (&run.task_id, g_free);
  g_clear_pointer (&run.task_etag, g_free);
  g_clear_pointer (&run.script_id, g_free);
  return ok;
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  /* A failed check must not skip stopping Chromium */
  g_test_set_nonfatal_assertions ();

  /* In order: each step works on what the one before left */
  g_test_add_func ("/rest-web/load", test_load);
  g_test_add_func ("/rest-web/create", test_create);
  g_test_add_func ("/rest-web/edit", test_edit);
  g_test_add_func ("/rest-web/script-title-is-text", test_script_title);
  g_test_add_func ("/rest-web/delete", test_delete);

  status = g_test_run ();
  if (!stop_all (status != 0))
    status = 1;
  return status;
}
