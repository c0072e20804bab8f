/* test-rest-web.c — the REST server's web page in a real browser: Debian's
 * Chromium, headless, driven over the DevTools protocol by
 * tests/rest-web-driver.py (Debian's Python with python3-websocket; the
 * plumbing is in ct-test-chromium.h and ct_devtools.py) to load the list,
 * create, edit and delete tasks, and to show a title made of HTML as text.
 * The server runs in this process; each step checks what the page showed
 * (as the driver reports it) and what the server got (its log and its API).
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

#include <libsoup/soup.h>

#include "ct-test-chromium.h"
#include "ct-test-util.h"
#include "ct-rest-server.h"

#define RUN_TIMEOUT_S  60   /* everything the browser does, from its start */
#define STEP_TIMEOUT_S CT_CHROMIUM_STEP_TIMEOUT_S

#define SEEDED_TASKS 28
#define SCRIPT_TITLE "<script>window.__pwned=1</script><b>bold</b>"

static struct
{
  CtEndpoint       *server;
  SoupSession      *session;
  char             *url;              /* http://127.0.0.1:PORT/ */
  guint16           port;
  CtChromium        browser;          /* Chromium and the driver */
  char            **seeded_ids;       /* the rows the page first showed */
  char             *task_id;          /* the task create made (edit, delete) */
  char             *task_etag;        /* its ETag, as our GET had it */
  char             *script_id;        /* the task with SCRIPT_TITLE */
} run;

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
  if (!ct_chromium_wait_flag (&r.done, g_get_monotonic_time () + STEP_TIMEOUT_S * G_USEC_PER_SEC, url))
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

/* -- the driver ------------------------------------------------------------------ */

static JsonObject *
command_run (JsonBuilder *builder)
{
  return ct_chromium_command_run (&run.browser, builder);
}

/* Whether the earlier steps left the page open */
static gboolean
page_ready (void)
{
  return ct_chromium_ready (&run.browser);
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
    ct_chromium_command_add (builder, name, va_arg (ap, const char *));
  va_end (ap);
  json_builder_end_object (builder);
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

  if (!ct_chromium_start (&run.browser, "rest-web", "rest-web-driver.py", RUN_TIMEOUT_S))
    return;

  builder = ct_chromium_command_new ("open");
  ct_chromium_command_add (builder, "url", run.url);
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
  g_assert_cmpstr (ct_chromium_member_string (answer, "status.kind"), !=, "error");
  g_assert_cmpstr (ct_chromium_member_string (answer, "form.mode"), ==, "create");
  run.seeded_ids = row_ids (answer);

  /* The page and its files came from the server, and the page asked the API */
  for (guint i = 0; i < 4; i++)
    {
      static const char * const requests[] = { "GET /", "GET /app.js", "GET /base.css", "GET /app.css", "GET /api" };
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

  builder = ct_chromium_command_new ("create");
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
  g_assert_cmpstr (ct_chromium_member_string (answer, "status.kind"), ==, "ok");
  /* The form is empty again, for the next task */
  g_assert_cmpstr (ct_chromium_member_string (answer, "form.mode"), ==, "create");
  g_assert_cmpstr (ct_chromium_member_string (answer, "form.title"), ==, "");

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

  builder = ct_chromium_command_new ("edit");
  ct_chromium_command_add (builder, "id", run.task_id);
  command_add_fields (builder,
                      "title", "Water the office plants and the cactus",
                      "priority", "low",
                      NULL);
  answer = command_run (builder);
  if (answer == NULL)
    return;

  /* Edit filled the form with the task */
  g_assert_cmpstr (ct_chromium_member_string (answer, "edit_form.mode"), ==, "edit");
  g_assert_cmpstr (ct_chromium_member_string (answer, "edit_form.title"), ==, "Water the office plants");
  /* Save showed the new title and left edit mode */
  g_assert_cmpuint (n_rows (answer), ==, SEEDED_TASKS + 1);
  g_assert_cmpstr (row_title (answer, run.task_id), ==, "Water the office plants and the cactus");
  g_assert_cmpstr (ct_chromium_member_string (answer, "form.mode"), ==, "create");
  g_assert_cmpstr (ct_chromium_member_string (answer, "status.kind"), ==, "ok");

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
  g_autoptr(JsonBuilder) builder = ct_chromium_command_new ("inspect");
  g_autoptr(JsonObject) answer = NULL;
  const char *row_text;

  g_test_message ("inspecting row %s %s", id, when);
  ct_chromium_command_add (builder, "id", id);
  answer = command_run (builder);
  if (answer == NULL)
    return;
  g_assert_true (json_object_get_boolean_member_with_default (answer, "found", FALSE));
  g_assert_cmpstr (ct_chromium_member_string (answer, "title_text"), ==, SCRIPT_TITLE);
  g_assert_cmpint (json_object_get_int_member_with_default (answer, "title_elements", -1), ==, 0);
  /* The notes and tags (HTML too) made no elements either */
  g_assert_cmpint (json_object_get_int_member_with_default (answer, "foreign", -1), ==, 0);
  row_text = ct_chromium_member_string (answer, "row_text");
  row_text = row_text ? row_text : "";
  g_assert_nonnull (strstr (row_text, "<img src=x onerror=\"window.__pwned=2\">"));
  g_assert_nonnull (strstr (row_text, "<i>tag</i>"));
  g_assert_cmpint (json_object_get_int_member_with_default (answer, "status_elements", -1), ==, 0);
  g_assert_cmpint (json_object_get_int_member_with_default (answer, "scripts", -1), ==, 1);   /* app.js */
  g_assert_cmpstr (ct_chromium_member_string (answer, "pwned"), ==, "undefined");
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
  builder = ct_chromium_command_new ("create");
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
  g_assert_cmpstr (ct_chromium_member_string (answer, "status.text"), ==, created_status);
  assert_inert (run.script_id, "after creating it");

  /* The server has the title as it was typed */
  task = server_task (run.script_id, SOUP_STATUS_OK, NULL);
  if (task)
    g_assert_cmpstr (json_object_get_string_member_with_default (json_node_get_object (task), "title", NULL), ==,
                     SCRIPT_TITLE);

  /* And a fresh page, which gets it from the server, shows it as text */
  g_clear_pointer (&builder, g_object_unref);
  builder = ct_chromium_command_new ("open");
  ct_chromium_command_add (builder, "url", run.url);
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
  g_autoptr(JsonBuilder) builder = ct_chromium_command_new ("delete");
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
  ct_chromium_command_add (builder, "id", id);
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
      g_assert_cmpstr (ct_chromium_member_string (dialog, "type"), ==, "confirm");
      g_assert_cmpstr (ct_chromium_member_string (dialog, "message"), ==, question);
    }
  g_assert_null (row_title (answer, id));
  g_assert_cmpstr (ct_chromium_member_string (answer, "status.kind"), ==, "ok");

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
  builder = ct_chromium_command_new ("open");
  ct_chromium_command_add (builder, "url", run.url);
  answer = command_run (builder);
  if (answer == NULL)
    return;
  ids = row_ids (answer);
  g_assert_cmpstrv (ids, run.seeded_ids);
}

/* -- stopping everything ------------------------------------------------------- */

/* Returns whether everything stopped and went as it should */
static gboolean
stop_all (gboolean failed)
{
  gboolean ok = ct_chromium_stop (&run.browser, failed);

  if (run.session)
    soup_session_abort (run.session);
  g_clear_object (&run.session);
  if (run.server && !ct_test_release_endpoint (&run.server))
    ok = FALSE;
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
