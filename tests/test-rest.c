/* test-rest.c — CtRestServer: CRUD, every error status, conditional
 * requests, the log, the web page, persistence, and third-party clients
 * (curl and Python's requests) against it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "ct-test-http.h"
#include "ct-rest-server.h"
#include "ct-rest-store.h"

/* Debian's Python, which has python3-requests (a plain `python3` may be
 * another Python without it) */
#define DEBIAN_PYTHON "/usr/bin/python3"

/* The seeded tasks */
#define N_SEED 28

#define ALLOW_INDEX      "GET, HEAD, OPTIONS"
#define ALLOW_COLLECTION "GET, HEAD, POST, OPTIONS"
#define ALLOW_ITEM       "GET, HEAD, PUT, PATCH, DELETE, OPTIONS"

typedef struct
{
  CtEndpoint  *server;
  SoupSession *session;   /* the test's own HTTP client */
  char        *base;      /* http://127.0.0.1:PORT */
  char        *dir;       /* a temporary folder, made on demand */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = ct_rest_server_new ();
  g_object_set (f->server, "port", 0, NULL);
  f->session = soup_session_new_with_options ("timeout", CT_TEST_TIMEOUT_S, NULL);
}

static void
stop_if_active (CtEndpoint *endpoint)
{
  if (ct_endpoint_get_state (endpoint) == CT_STATE_RUNNING)
    ct_test_stop (endpoint);
}

/* Removes @dir and the files in it (no subfolders are made) */
static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  if (handle == NULL)
    return;
  while ((name = g_dir_read_name (handle)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  soup_session_abort (f->session);
  g_clear_object (&f->session);
  stop_if_active (f->server);
  CT_TEST_WAIT_UNTIL (G_OBJECT (f->server)->ref_count == 1);
  g_assert_finalize_object (g_steal_pointer (&f->server));
  g_clear_pointer (&f->base, g_free);
  if (f->dir)
    remove_dir (f->dir);
  g_clear_pointer (&f->dir, g_free);
}

static CtMessageLog *
log_of (CtEndpoint *endpoint)
{
  return ct_endpoint_get_log (endpoint);
}

static void
start_server (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ct_test_start (f->server, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ct_endpoint_get_state (f->server), ==, CT_STATE_RUNNING);
  g_assert_true (g_str_has_prefix (ct_endpoint_get_address (f->server), "127.0.0.1:"));
  g_clear_pointer (&f->base, g_free);
  f->base = g_strdup_printf ("http://127.0.0.1:%u", ct_test_endpoint_port (f->server));
}

/* A file in the fixture's temporary folder (made on first use) */
static char *
temp_path (Fixture    *f,
           const char *name)
{
  if (f->dir == NULL)
    {
      g_autoptr(GError) error = NULL;

      f->dir = g_dir_make_tmp ("ct-test-rest-XXXXXX", &error);
      g_assert_no_error (error);
    }
  return g_build_filename (f->dir, name, NULL);
}

/* -- the test's own HTTP client (libsoup) ----------------------------------- */

static char *
url_of (Fixture    *f,
        const char *path)
{
  if (g_str_has_prefix (path, "http://"))
    return g_strdup (path);
  g_assert_nonnull (f->base);
  return g_strconcat (f->base, path, NULL);
}

/* Sends @method @path with @body (NULL: none) as @content_type (NULL:
 * no Content-Type header), streamed chunked if @chunked, and the headers
 * given as name, value pairs ended by NULL; waits for the answer (bounded) */
static CtTestHttp *
request_valist (Fixture    *f,
                const char *method,
                const char *path,
                const char *content_type,
                const char *body,
                gboolean    chunked,
                va_list     ap)
{
  g_autofree char *url = url_of (f, path);
  SoupMessage *message = soup_message_new (method, url);
  SoupMessageHeaders *headers;
  const char *name;
  CtTestHttp *h;

  g_assert_nonnull (message);
  headers = soup_message_get_request_headers (message);
  if (body && chunked)
    {
      g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (g_strdup (body), strlen (body), g_free);

      soup_message_set_request_body (message, content_type, stream, -1);
    }
  else if (body)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (message, content_type, bytes);
    }
  while ((name = va_arg (ap, const char *)))
    soup_message_headers_replace (headers, name, va_arg (ap, const char *));

  h = ct_test_http_send (f->session, message);
  ct_test_http_wait (h);
  if (chunked)
    g_assert_cmpint (soup_message_headers_get_encoding (headers), ==, SOUP_ENCODING_CHUNKED);
  return h;
}

static CtTestHttp * request (Fixture    *f,
                       const char *method,
                       const char *path,
                       const char *content_type,
                       const char *body,
                       ...) G_GNUC_NULL_TERMINATED;

static CtTestHttp *
request (Fixture    *f,
         const char *method,
         const char *path,
         const char *content_type,
         const char *body,
         ...)
{
  CtTestHttp *h;
  va_list ap;

  va_start (ap, body);
  h = request_valist (f, method, path, content_type, body, FALSE, ap);
  va_end (ap);
  return h;
}

static CtTestHttp * request_chunked (Fixture    *f,
                               const char *method,
                               const char *path,
                               const char *content_type,
                               const char *body,
                               ...) G_GNUC_NULL_TERMINATED;

static CtTestHttp *
request_chunked (Fixture    *f,
                 const char *method,
                 const char *path,
                 const char *content_type,
                 const char *body,
                 ...)
{
  CtTestHttp *h;
  va_list ap;

  va_start (ap, body);
  h = request_valist (f, method, path, content_type, body, TRUE, ap);
  va_end (ap);
  return h;
}

static CtTestHttp *
get (Fixture    *f,
     const char *path)
{
  return request (f, SOUP_METHOD_GET, path, NULL, NULL, NULL);
}

static CtTestHttp *
send_json (Fixture    *f,
           const char *method,
           const char *path,
           const char *body)
{
  return request (f, method, path, "application/json", body, NULL);
}

static const char *
header_of (CtTestHttp       *h,
           const char *name)
{
  return soup_message_headers_get_one (soup_message_get_response_headers (h->message), name);
}

static const char *
type_of (CtTestHttp *h)
{
  return soup_message_headers_get_content_type (soup_message_get_response_headers (h->message), NULL);
}


static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

/* The answer must be @status with a JSON object, which is returned */
static JsonNode *
json_of (CtTestHttp  *h,
         guint  status)
{
  g_autofree char *text = ct_test_http_text (h);

  if (ct_test_http_status (h) != status)
    g_error ("%s %s: expected %u, got %u: %s", soup_message_get_method (h->message),
             g_uri_get_path (soup_message_get_uri (h->message)), status, ct_test_http_status (h), text);
  g_assert_cmpstr (type_of (h), ==, "application/json");
  {
    JsonNode *node = parse (text);

    g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
    return node;
  }
}

static JsonObject *
object_of (JsonNode *node)
{
  return json_node_get_object (node);
}

/* An error answer: @status, a JSON body {"error":{"status":N,"message":…}}
 * and nothing else, with a message that contains @word (when given) */
static void
assert_error (CtTestHttp       *h,
              guint       status,
              const char *word)
{
  g_autoptr(JsonNode) node = json_of (h, status);
  JsonObject *object = object_of (node);
  JsonObject *error;
  const char *message;

  g_assert_cmpuint (json_object_get_size (object), ==, 1);
  error = json_object_get_object_member (object, "error");
  g_assert_nonnull (error);
  g_assert_cmpuint (json_object_get_size (error), ==, 2);
  g_assert_cmpint (json_object_get_int_member (error, "status"), ==, status);
  message = json_object_get_string_member_with_default (error, "message", NULL);
  g_assert_nonnull (message);
  /* a sentence a user can act on, not a bare status phrase */
  g_assert_cmpuint (strlen (message), >, 15);
  g_assert_cmpstr (message, !=, soup_status_get_phrase (status));
  if (word && !strstr (message, word))
    g_error ("expected “%s” in the %u message: %s", word, status, message);
}

/* The number of tasks, as GET /api says */
static gint64
task_count (Fixture *f)
{
  g_autoptr(CtTestHttp) h = get (f, "/api");
  g_autoptr(JsonNode) node = json_of (h, 200);
  JsonArray *collections = json_object_get_array_member (object_of (node), "collections");
  JsonObject *tasks;

  g_assert_cmpuint (json_array_get_length (collections), ==, 1);
  tasks = json_array_get_object_element (collections, 0);
  return json_object_get_int_member (tasks, "count");
}

/* The server still answers, after whatever the test just did to it */
static void
assert_alive (Fixture *f)
{
  g_assert_cmpint (task_count (f), >, 0);
  g_assert_cmpint (ct_endpoint_get_state (f->server), ==, CT_STATE_RUNNING);
}

/* GET of an item: its body (200 required) and its ETag */
static char *
get_item (Fixture     *f,
          const char  *path,
          char       **etag)
{
  g_autoptr(CtTestHttp) h = get (f, path);
  g_autofree char *text = ct_test_http_text (h);

  g_assert_cmpuint (ct_test_http_status (h), ==, 200);
  g_assert_cmpstr (type_of (h), ==, "application/json");
  g_assert_nonnull (header_of (h, "ETag"));
  if (etag)
    *etag = g_strdup (header_of (h, "ETag"));
  return g_steal_pointer (&text);
}

/* A strong ETag: a quoted string */
static void
assert_strong_etag (const char *etag)
{
  g_assert_nonnull (etag);
  g_assert_false (g_str_has_prefix (etag, "W/"));
  g_assert_cmpuint (strlen (etag), >, 2);
  g_assert_cmpint (etag[0], ==, '"');
  g_assert_cmpint (etag[strlen (etag) - 1], ==, '"');
}

static const char *
string_member (JsonNode   *node,
               const char *name)
{
  return json_object_get_string_member (object_of (node), name);
}

/* The tags of a task, joined with ',' */
static char *
tags_of (JsonNode *node)
{
  JsonArray *tags = json_object_get_array_member (object_of (node), "tags");
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (tags); i++)
    g_string_append_printf (s, "%s%s", i ? "," : "", json_array_get_string_element (tags, i));
  return g_string_free (s, FALSE);
}

/* -- the log ---------------------------------------------------------------- */

/* The last entry of @direction, or NULL */
static CtMessage *
log_last (CtMessageLog *log,
          CtDirection   direction)
{
  guint n;

  ct_message_log_flush (log);
  n = g_list_model_get_n_items (G_LIST_MODEL (log));
  for (guint i = n; i > 0; i--)
    {
      g_autoptr(CtMessage) message = g_list_model_get_item (G_LIST_MODEL (log), i - 1);

      if (ct_message_get_direction (message) == direction)
        return g_steal_pointer (&message);
    }
  return NULL;
}

/* The entry of @direction with exchange id @exchange, or NULL */
static CtMessage *
log_exchange (CtMessageLog *log,
              CtDirection   direction,
              guint64       exchange)
{
  guint n;

  ct_message_log_flush (log);
  n = g_list_model_get_n_items (G_LIST_MODEL (log));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CtMessage) message = g_list_model_get_item (G_LIST_MODEL (log), i);

      if (ct_message_get_direction (message) == direction && ct_message_get_exchange (message) == exchange)
        return g_steal_pointer (&message);
    }
  return NULL;
}

/* The metadata of a log entry, which an HTTP entry always has */
static GVariant *
meta_of (CtMessage *message)
{
  GVariant *meta;

  g_assert_nonnull (message);
  meta = ct_message_get_meta (message);
  if (meta == NULL)
    {
      g_autofree char *summary = ct_message_dup_summary (message);

      g_error ("the entry “%s” has no metadata", summary);
    }
  return meta;
}

static const char *
meta_string (CtMessage  *message,
             const char *key)
{
  const char *value = NULL;

  if (!g_variant_lookup (meta_of (message), key, "&s", &value))
    g_error ("the entry has no string “%s” in its metadata", key);
  return value;
}

/* -- 1. CRUD ------------------------------------------------------------------ */

static void
test_index (Fixture       *f,
            gconstpointer  data)
{
  start_server (f);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(CtTestHttp) h = get (f, i == 0 ? "/api" : "/api/");
      g_autoptr(JsonNode) node = json_of (h, 200);
      JsonArray *collections = json_object_get_array_member (object_of (node), "collections");
      JsonObject *tasks;

      g_assert_nonnull (collections);
      g_assert_cmpuint (json_array_get_length (collections), ==, 1);
      tasks = json_array_get_object_element (collections, 0);
      g_assert_cmpstr (json_object_get_string_member (tasks, "name"), ==, "tasks");
      g_assert_cmpstr (json_object_get_string_member (tasks, "url"), ==, "/api/tasks");
      g_assert_cmpint (json_object_get_int_member (tasks, "count"), ==, N_SEED);
    }

  /* The index follows the data */
  {
    g_autoptr(CtTestHttp) h = send_json (f, SOUP_METHOD_POST, "/api/tasks", "{\"title\": \"One more\"}");

    g_assert_cmpuint (ct_test_http_status (h), ==, 201);
  }
  g_assert_cmpint (task_count (f), ==, N_SEED + 1);
}

/* GET @path: the list's items' ids joined with ',', and its total, offset
 * and limit */
static char *
list_ids (Fixture    *f,
          const char *path,
          gint64     *total,
          gint64     *offset,
          gint64     *limit)
{
  g_autoptr(CtTestHttp) h = get (f, path);
  g_autoptr(JsonNode) node = json_of (h, 200);
  JsonObject *object = object_of (node);
  JsonArray *items = json_object_get_array_member (object, "items");
  GString *ids = g_string_new (NULL);

  g_assert_nonnull (items);
  assert_strong_etag (header_of (h, "ETag"));
  for (guint i = 0; i < json_array_get_length (items); i++)
    g_string_append_printf (ids, "%s%" G_GINT64_FORMAT, i ? "," : "",
                            json_object_get_int_member (json_array_get_object_element (items, i), "id"));
  if (total)
    *total = json_object_get_int_member (object, "total");
  if (offset)
    *offset = json_object_get_int_member (object, "offset");
  if (limit)
    *limit = json_object_get_int_member (object, "limit");
  return g_string_free (ids, FALSE);
}

static void
test_list (Fixture       *f,
           gconstpointer  data)
{
  static const struct {
    const char *path;
    const char *ids;
    gint64      total, offset, limit;
  } cases[] = {
    /* paging */
    { "/api/tasks?limit=5", "1,2,3,4,5", N_SEED, 0, 5 },
    { "/api/tasks?limit=5&offset=5", "6,7,8,9,10", N_SEED, 5, 5 },
    { "/api/tasks?offset=25&limit=5", "26,27,28", N_SEED, 25, 5 },
    { "/api/tasks?offset=27", "28", N_SEED, 27, 50 },
    { "/api/tasks?offset=28", "", N_SEED, 28, 50 },
    { "/api/tasks?offset=1000", "", N_SEED, 1000, 50 },
    { "/api/tasks?limit=1", "1", N_SEED, 0, 1 },
    { "/api/tasks?limit=1&offset=27", "28", N_SEED, 27, 1 },
    /* 0 is the default; more than 1000 is 1000 */
    { "/api/tasks?limit=0", NULL, N_SEED, 0, 50 },
    { "/api/tasks?limit=5000", NULL, N_SEED, 0, 1000 },
    /* q: title, notes and tags, ignoring case */
    { "/api/tasks?q=safari", "3", 1, 0, 50 },
    { "/api/tasks?q=SAFARI", "3", 1, 0, 50 },
    { "/api/tasks?q=sAfArI&limit=10", "3", 1, 0, 10 },
    { "/api/tasks?q=lake%20hotel", "5", 1, 0, 50 },            /* in the notes */
    { "/api/tasks?q=Accessibility", "21", 1, 0, 50 },          /* title and tag */
    { "/api/tasks?q=HIRING", "27", 1, 0, 50 },                 /* a tag only */
    { "/api/tasks?q=no%20such%20words%20anywhere", "", 0, 0, 50 },
    { "/api/tasks?q=", NULL, N_SEED, 0, 50 },
    /* q with paging: total counts every match */
    { "/api/tasks?q=backend&limit=2", "7,10", 5, 0, 2 },
    { "/api/tasks?q=BACKEND&limit=2&offset=2", "16,22", 5, 2, 2 },
    { "/api/tasks?q=backend&limit=2&offset=4", "25", 5, 4, 2 },
    { "/api/tasks?q=backend&offset=5", "", 5, 5, 50 },
  };

  start_server (f);

  /* The default: every seeded task, in id order */
  {
    gint64 total, offset, limit;
    g_autofree char *ids = list_ids (f, "/api/tasks", &total, &offset, &limit);
    g_autofree char *slash = list_ids (f, "/api/tasks/", NULL, NULL, NULL);
    GString *expected = g_string_new (NULL);

    for (guint i = 1; i <= N_SEED; i++)
      g_string_append_printf (expected, "%s%u", i > 1 ? "," : "", i);
    g_assert_cmpstr (ids, ==, expected->str);
    g_assert_cmpstr (slash, ==, expected->str);
    g_assert_cmpint (total, ==, N_SEED);
    g_assert_cmpint (offset, ==, 0);
    g_assert_cmpint (limit, ==, 50);
    g_string_free (expected, TRUE);
  }

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 total = -1, offset = -1, limit = -1;
      g_autofree char *ids = list_ids (f, cases[i].path, &total, &offset, &limit);

      g_test_message ("%s → [%s] total %" G_GINT64_FORMAT, cases[i].path, ids, total);
      if (cases[i].ids)
        g_assert_cmpstr (ids, ==, cases[i].ids);
      g_assert_cmpint (total, ==, cases[i].total);
      g_assert_cmpint (offset, ==, cases[i].offset);
      g_assert_cmpint (limit, ==, cases[i].limit);
    }

  /* Every item a query returns has the text somewhere, whatever its case */
  {
    g_autoptr(CtTestHttp) h = get (f, "/api/tasks?q=TeAm");
    g_autoptr(JsonNode) node = json_of (h, 200);
    JsonArray *items = json_object_get_array_member (object_of (node), "items");

    g_assert_cmpuint (json_array_get_length (items), >, 3);
    g_assert_cmpint (json_object_get_int_member (object_of (node), "total"), ==, json_array_get_length (items));
    for (guint i = 0; i < json_array_get_length (items); i++)
      {
        JsonNode *item = json_array_get_element (items, i);
        g_autofree char *tags = tags_of (item);
        g_autofree char *all = g_strjoin ("\n", string_member (item, "title"), string_member (item, "notes"), tags, NULL);
        g_autofree char *lower = g_utf8_casefold (all, -1);

        g_assert_nonnull (strstr (lower, "team"));
      }
  }

  /* A new task is found too, by a word of its own, whatever its case */
  {
    g_autoptr(CtTestHttp) h = send_json (f, SOUP_METHOD_POST, "/api/tasks",
                                   "{\"title\": \"Water the ÖLBAUM in the lobby\"}");
    g_autofree char *ids = NULL;
    gint64 total;

    g_assert_cmpuint (ct_test_http_status (h), ==, 201);
    ids = list_ids (f, "/api/tasks?q=%C3%B6lbaum", &total, NULL, NULL);
    g_assert_cmpstr (ids, ==, "29");
    g_assert_cmpint (total, ==, 1);
  }
}

static void
test_get_item (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(CtTestHttp) h = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *task;
  g_autofree char *tags = NULL;

  start_server (f);

  h = get (f, "/api/tasks/3");
  node = json_of (h, 200);
  task = object_of (node);
  assert_strong_etag (header_of (h, "ETag"));
  g_assert_cmpint (json_object_get_int_member (task, "id"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (task, "title"), ==, "Fix the login redirect loop in Safari");
  g_assert_false (json_object_get_boolean_member (task, "done"));
  g_assert_cmpstr (json_object_get_string_member (task, "priority"), ==, "high");
  g_assert_cmpstr (json_object_get_string_member (task, "due"), ==, "2026-03-20");
  tags = tags_of (node);
  g_assert_cmpstr (tags, ==, "bug,frontend");
  g_assert_cmpuint (json_object_get_size (task), ==, 7);

  /* A task without a due date has null; the ETag is stable */
  {
    g_autofree char *etag = NULL;
    g_autofree char *again = NULL;
    g_autofree char *text = get_item (f, "/api/tasks/8", &etag);
    g_autofree char *text2 = get_item (f, "/api/tasks/8", &again);
    g_autoptr(JsonNode) eight = parse (text);

    g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (object_of (eight), "due")));
    g_assert_cmpstr (etag, ==, again);
    g_assert_cmpstr (text, ==, text2);
  }

  /* Every task has its own ETag */
  {
    g_autofree char *one = NULL;
    g_autofree char *two = NULL;
    g_autofree char *a = get_item (f, "/api/tasks/1", &one);
    g_autofree char *b = get_item (f, "/api/tasks/2", &two);

    g_assert_cmpstr (one, !=, two);
  }
}

static void
test_create (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(CtTestHttp) h = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *created = NULL;
  g_autofree char *tags = NULL;
  const char *location;
  JsonObject *task;

  start_server (f);

  h = send_json (f, SOUP_METHOD_POST, "/api/tasks", "{\"title\": \"  Buy milk  \", \"tags\": [\"home\", \"errands\"]}");
  node = json_of (h, 201);
  created = ct_test_http_text (h);
  task = object_of (node);
  location = header_of (h, "Location");
  g_assert_cmpstr (location, ==, "/api/tasks/29");
  assert_strong_etag (header_of (h, "ETag"));

  /* The id is the server's; the title trimmed; the rest defaulted */
  g_assert_cmpint (json_object_get_int_member (task, "id"), ==, 29);
  g_assert_cmpstr (json_object_get_string_member (task, "title"), ==, "Buy milk");
  g_assert_cmpstr (json_object_get_string_member (task, "notes"), ==, "");
  g_assert_false (json_object_get_boolean_member (task, "done"));
  g_assert_cmpstr (json_object_get_string_member (task, "priority"), ==, "normal");
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (task, "due")));
  tags = tags_of (node);
  g_assert_cmpstr (tags, ==, "home,errands");

  /* The Location works, and gives the same task with the same ETag */
  {
    g_autoptr(GUri) base = g_uri_parse (f->base, G_URI_FLAGS_NONE, NULL);
    g_autoptr(GUri) resolved = g_uri_parse_relative (base, location, G_URI_FLAGS_NONE, NULL);
    g_autofree char *url = g_uri_to_string (resolved);
    g_autofree char *etag = NULL;
    g_autofree char *text = get_item (f, url, &etag);

    g_assert_cmpstr (text, ==, created);
    g_assert_cmpstr (etag, ==, header_of (h, "ETag"));
  }
  g_assert_cmpint (task_count (f), ==, N_SEED + 1);

  /* Every field given; the next id follows */
  {
    g_autoptr(CtTestHttp) full = send_json (f, SOUP_METHOD_POST, "/api/tasks",
                                      "{\"title\": \"Plan the release\", \"notes\": \"with QA\", \"done\": true,"
                                      " \"priority\": \"high\", \"due\": \"2026-02-28\", \"tags\": []}");
    g_autoptr(JsonNode) full_node = json_of (full, 201);
    JsonObject *full_task = object_of (full_node);

    g_assert_cmpstr (header_of (full, "Location"), ==, "/api/tasks/30");
    g_assert_cmpint (json_object_get_int_member (full_task, "id"), ==, 30);
    g_assert_cmpstr (json_object_get_string_member (full_task, "notes"), ==, "with QA");
    g_assert_true (json_object_get_boolean_member (full_task, "done"));
    g_assert_cmpstr (json_object_get_string_member (full_task, "priority"), ==, "high");
    g_assert_cmpstr (json_object_get_string_member (full_task, "due"), ==, "2026-02-28");
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (full_task, "tags")), ==, 0);
  }

  /* The new tasks come last in the list */
  {
    g_autofree char *ids = list_ids (f, "/api/tasks?offset=27", NULL, NULL, NULL);

    g_assert_cmpstr (ids, ==, "28,29,30");
  }
}

static void
test_replace (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *old_etag = NULL;
  g_autofree char *old = NULL;

  start_server (f);
  old = get_item (f, "/api/tasks/2", &old_etag);

  /* A PUT replaces the whole task: what it leaves out takes its default */
  {
    g_autoptr(CtTestHttp) h = send_json (f, SOUP_METHOD_PUT, "/api/tasks/2", "{\"title\": \"Renew every certificate\"}");
    g_autoptr(JsonNode) node = json_of (h, 200);
    JsonObject *task = object_of (node);
    g_autofree char *etag = NULL;
    g_autofree char *text = ct_test_http_text (h);
    g_autofree char *now = get_item (f, "/api/tasks/2", &etag);

    g_assert_cmpint (json_object_get_int_member (task, "id"), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (task, "title"), ==, "Renew every certificate");
    g_assert_cmpstr (json_object_get_string_member (task, "notes"), ==, "");
    g_assert_false (json_object_get_boolean_member (task, "done"));
    g_assert_cmpstr (json_object_get_string_member (task, "priority"), ==, "normal");
    g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (task, "due")));
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (task, "tags")), ==, 0);

    assert_strong_etag (header_of (h, "ETag"));
    g_assert_cmpstr (header_of (h, "ETag"), !=, old_etag);
    g_assert_cmpstr (header_of (h, "ETag"), ==, etag);
    g_assert_cmpstr (now, ==, text);
    g_assert_cmpstr (now, !=, old);
  }

  /* The body may repeat the id, not change it */
  {
    g_autoptr(CtTestHttp) h = send_json (f, SOUP_METHOD_PUT, "/api/tasks/2", "{\"id\": 2, \"title\": \"Same id\", \"done\": true}");
    g_autoptr(JsonNode) node = json_of (h, 200);

    g_assert_true (json_object_get_boolean_member (object_of (node), "done"));
  }
  {
    g_autoptr(CtTestHttp) h = send_json (f, SOUP_METHOD_PUT, "/api/tasks/2", "{\"id\": 3, \"title\": \"Other id\"}");

    assert_error (h, 422, "id");
  }
  g_assert_cmpint (task_count (f), ==, N_SEED);

  /* A PUT that changes nothing keeps the ETag */
  {
    g_autofree char *before = NULL;
    g_autofree char *text = get_item (f, "/api/tasks/2", &before);
    g_autoptr(CtTestHttp) h = send_json (f, SOUP_METHOD_PUT, "/api/tasks/2", text);

    g_assert_cmpuint (ct_test_http_status (h), ==, 200);
    g_assert_cmpstr (header_of (h, "ETag"), ==, before);
  }

  /* No such task */
  {
    g_autoptr(CtTestHttp) h = send_json (f, SOUP_METHOD_PUT, "/api/tasks/999", "{\"title\": \"Nobody\"}");

    assert_error (h, 404, "999");
  }
  g_assert_cmpint (task_count (f), ==, N_SEED);
}

static void
test_merge (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *old_etag = NULL;
  g_autofree char *old = NULL;

  start_server (f);
  old = get_item (f, "/api/tasks/3", &old_etag);

  /* application/json: only the fields given change */
  {
    g_autoptr(CtTestHttp) h = send_json (f, "PATCH", "/api/tasks/3", "{\"done\": true}");
    g_autoptr(JsonNode) node = json_of (h, 200);
    JsonObject *task = object_of (node);
    g_autofree char *tags = tags_of (node);

    g_assert_true (json_object_get_boolean_member (task, "done"));
    g_assert_cmpstr (json_object_get_string_member (task, "title"), ==, "Fix the login redirect loop in Safari");
    g_assert_cmpstr (json_object_get_string_member (task, "priority"), ==, "high");
    g_assert_cmpstr (json_object_get_string_member (task, "due"), ==, "2026-03-20");
    g_assert_cmpstr (tags, ==, "bug,frontend");
    assert_strong_etag (header_of (h, "ETag"));
    g_assert_cmpstr (header_of (h, "ETag"), !=, old_etag);
  }

  /* application/merge-patch+json: null puts a field back to its default */
  {
    g_autoptr(CtTestHttp) h = request (f, "PATCH", "/api/tasks/3", "application/merge-patch+json",
                                 "{\"due\": null, \"priority\": \"low\", \"tags\": [\"bug\"], \"notes\": null}", NULL);
    g_autoptr(JsonNode) node = json_of (h, 200);
    JsonObject *task = object_of (node);
    g_autofree char *tags = tags_of (node);
    g_autofree char *etag = NULL;
    g_autofree char *now = get_item (f, "/api/tasks/3", &etag);
    g_autofree char *text = ct_test_http_text (h);

    g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (task, "due")));
    g_assert_cmpstr (json_object_get_string_member (task, "priority"), ==, "low");
    g_assert_cmpstr (json_object_get_string_member (task, "notes"), ==, "");
    g_assert_true (json_object_get_boolean_member (task, "done"));
    g_assert_cmpstr (tags, ==, "bug");
    g_assert_cmpstr (now, ==, text);
    g_assert_cmpstr (etag, ==, header_of (h, "ETag"));
  }

  /* An empty patch changes nothing, ETag included */
  {
    g_autofree char *before = NULL;
    g_autofree char *text = get_item (f, "/api/tasks/3", &before);
    g_autoptr(CtTestHttp) h = send_json (f, "PATCH", "/api/tasks/3", "{}");
    g_autofree char *after = ct_test_http_text (h);

    g_assert_cmpuint (ct_test_http_status (h), ==, 200);
    g_assert_cmpstr (header_of (h, "ETag"), ==, before);
    g_assert_cmpstr (after, ==, text);
  }

  /* Refused patches change nothing: the title has no default, a field
   * must be of its type, the id cannot go, and the body must be an object */
  {
    static const struct { const char *body; const char *word; } refused[] = {
      { "{\"title\": null}", "title" },
      { "{\"done\": \"yes\"}", "done" },
      { "{\"priority\": \"urgent\"}", "priority" },
      { "{\"id\": null}", "id" },
      { "{\"id\": 4}", "id" },
      { "{\"colour\": \"red\"}", "colour" },
      { "[1, 2]", "object" },
    };
    g_autofree char *before_etag = NULL;
    g_autofree char *before = get_item (f, "/api/tasks/3", &before_etag);

    for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
      {
        g_autoptr(CtTestHttp) h = request (f, "PATCH", "/api/tasks/3", "application/merge-patch+json", refused[i].body, NULL);
        g_autofree char *etag = NULL;
        g_autofree char *now = NULL;

        assert_error (h, 422, refused[i].word);
        now = get_item (f, "/api/tasks/3", &etag);
        g_assert_cmpstr (now, ==, before);
        g_assert_cmpstr (etag, ==, before_etag);
      }
  }

  /* PATCH takes only the two JSON types */
  {
    g_autoptr(CtTestHttp) h = request (f, "PATCH", "/api/tasks/3", "text/plain", "{\"done\": false}", NULL);

    assert_error (h, 415, "application/merge-patch+json");
  }
  {
    g_autoptr(CtTestHttp) h = send_json (f, "PATCH", "/api/tasks/999", "{\"done\": false}");

    assert_error (h, 404, "999");
  }
}

static void
test_delete (Fixture       *f,
             gconstpointer  data)
{
  start_server (f);

  {
    g_autoptr(CtTestHttp) h = request (f, SOUP_METHOD_DELETE, "/api/tasks/5", NULL, NULL, NULL);

    g_assert_cmpuint (ct_test_http_status (h), ==, 204);
    g_assert_cmpuint (ct_test_http_size (h), ==, 0);
  }
  {
    g_autoptr(CtTestHttp) h = get (f, "/api/tasks/5");

    assert_error (h, 404, "5");
  }
  {
    g_autoptr(CtTestHttp) h = request (f, SOUP_METHOD_DELETE, "/api/tasks/5", NULL, NULL, NULL);

    assert_error (h, 404, "5");
  }
  g_assert_cmpint (task_count (f), ==, N_SEED - 1);

  /* Gone from the list; its id is not given out again */
  {
    gint64 total;
    g_autofree char *ids = list_ids (f, "/api/tasks?limit=6", &total, NULL, NULL);

    g_assert_cmpstr (ids, ==, "1,2,3,4,6,7");
    g_assert_cmpint (total, ==, N_SEED - 1);
  }
  {
    g_autoptr(CtTestHttp) h = send_json (f, SOUP_METHOD_POST, "/api/tasks", "{\"title\": \"After the delete\"}");

    g_assert_cmpuint (ct_test_http_status (h), ==, 201);
    g_assert_cmpstr (header_of (h, "Location"), ==, "/api/tasks/29");
  }

  /* The last one can go, and come back by a new id */
  {
    g_autoptr(CtTestHttp) h = request (f, SOUP_METHOD_DELETE, "/api/tasks/29", NULL, NULL, NULL);

    g_assert_cmpuint (ct_test_http_status (h), ==, 204);
  }
  {
    g_autoptr(CtTestHttp) h = send_json (f, SOUP_METHOD_POST, "/api/tasks", "{\"title\": \"Again\"}");

    g_assert_cmpstr (header_of (h, "Location"), ==, "/api/tasks/30");
  }
}

/* HEAD @path: the same status and headers as GET, and no body */
static void
assert_head_like_get (Fixture    *f,
                      const char *path)
{
  g_autoptr(CtTestHttp) g = get (f, path);
  g_autoptr(CtTestHttp) h = request (f, SOUP_METHOD_HEAD, path, NULL, NULL, NULL);
  SoupMessageHeaders *get_headers = soup_message_get_response_headers (g->message);
  SoupMessageHeaders *head_headers = soup_message_get_response_headers (h->message);

  g_test_message ("HEAD %s", path);
  g_assert_cmpuint (ct_test_http_status (h), ==, ct_test_http_status (g));
  g_assert_cmpuint (ct_test_http_size (g), >, 0);
  g_assert_cmpuint (ct_test_http_size (h), ==, 0);
  g_assert_cmpstr (type_of (h), ==, type_of (g));
  g_assert_cmpstr (header_of (h, "ETag"), ==, header_of (g, "ETag"));
  g_assert_cmpstr (header_of (h, "Content-Security-Policy"), ==, header_of (g, "Content-Security-Policy"));
  g_assert_cmpint (soup_message_headers_get_encoding (get_headers), ==, SOUP_ENCODING_CONTENT_LENGTH);
  g_assert_cmpint (soup_message_headers_get_encoding (head_headers), ==, SOUP_ENCODING_CONTENT_LENGTH);
  g_assert_cmpint (soup_message_headers_get_content_length (head_headers), ==, ct_test_http_size (g));
  g_assert_cmpint (soup_message_headers_get_content_length (get_headers), ==, ct_test_http_size (g));
}

static void
test_head (Fixture       *f,
           gconstpointer  data)
{
  static const char *paths[] = {
    "/api", "/api/tasks", "/api/tasks?q=team&limit=2", "/api/tasks/1", "/api/tasks/28", "/", "/app.js", "/app.css",
  };

  start_server (f);
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    assert_head_like_get (f, paths[i]);

  /* An error too: its body's length, and no body */
  {
    g_autoptr(CtTestHttp) g = get (f, "/api/tasks/999");
    g_autoptr(CtTestHttp) h = request (f, SOUP_METHOD_HEAD, "/api/tasks/999", NULL, NULL, NULL);

    g_assert_cmpuint (ct_test_http_status (h), ==, 404);
    g_assert_cmpuint (ct_test_http_size (h), ==, 0);
    g_assert_cmpint (soup_message_headers_get_content_length (soup_message_get_response_headers (h->message)),
                     ==, ct_test_http_size (g));
  }

  /* The log has no body for HEAD's answer, and the status */
  {
    g_autoptr(CtMessage) out = log_last (log_of (f->server), CT_DIRECTION_OUT);

    g_assert_cmpuint (ct_test_meta_status (out), ==, 404);
    g_assert_cmpuint (ct_message_get_size (out), ==, 0);
  }
  assert_alive (f);
}

static void
test_options (Fixture       *f,
              gconstpointer  data)
{
  static const struct { const char *path, *allow; } cases[] = {
    { "/api", ALLOW_INDEX },
    { "/api/", ALLOW_INDEX },
    { "/api/tasks", ALLOW_COLLECTION },
    { "/api/tasks/", ALLOW_COLLECTION },
    { "/api/tasks/1", ALLOW_ITEM },
    { "/api/tasks/28", ALLOW_ITEM },
    { "/", "GET, HEAD, OPTIONS" },
    { "/app.js", "GET, HEAD, OPTIONS" },
  };

  start_server (f);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CtTestHttp) h = request (f, SOUP_METHOD_OPTIONS, cases[i].path, NULL, NULL, NULL);

      g_test_message ("OPTIONS %s", cases[i].path);
      g_assert_cmpuint (ct_test_http_status (h), ==, 204);
      g_assert_cmpstr (header_of (h, "Allow"), ==, cases[i].allow);
      g_assert_cmpuint (ct_test_http_size (h), ==, 0);
    }
  assert_alive (f);
}

/* The data belongs to the endpoint: a stop and a start keep it */
static void
test_restart_keeps_data (Fixture       *f,
                         gconstpointer  data)
{
  start_server (f);
  {
    g_autoptr(CtTestHttp) h = send_json (f, SOUP_METHOD_POST, "/api/tasks", "{\"title\": \"Survive a restart\"}");

    g_assert_cmpuint (ct_test_http_status (h), ==, 201);
  }
  ct_test_stop (f->server);
  start_server (f);
  {
    g_autofree char *text = get_item (f, "/api/tasks/29", NULL);
    g_autoptr(JsonNode) node = parse (text);

    g_assert_cmpstr (string_member (node, "title"), ==, "Survive a restart");
  }
  g_assert_cmpint (task_count (f), ==, N_SEED + 1);
}

/* -- 2. errors ---------------------------------------------------------------- */

static void
test_bad_json (Fixture       *f,
               gconstpointer  data)
{
  static const char *bodies[] = {
    "{\"title\": ",
    "{\"title\": \"x\"} trailing",
    "not json at all",
    "",
    "{\"title\": \"x\",}",
    "[1, 2",
    /* json-glib's scanner takes these; JSON does not */
    "{'title': 'x'}",
    "{\"title\": \"x\" /* a comment */}",
    "// a comment\n{\"title\": \"x\"}",
  };

  start_server (f);
  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(CtTestHttp) post = send_json (f, SOUP_METHOD_POST, "/api/tasks", bodies[i]);
      g_autoptr(CtTestHttp) put = send_json (f, SOUP_METHOD_PUT, "/api/tasks/1", bodies[i]);
      g_autoptr(CtTestHttp) patch = send_json (f, "PATCH", "/api/tasks/1", bodies[i]);

      g_test_message ("body: %s", bodies[i]);
      assert_error (post, 400, "JSON");
      assert_error (put, 400, "JSON");
      assert_error (patch, 400, "JSON");
      assert_alive (f);
    }
  g_assert_cmpint (task_count (f), ==, N_SEED);
}

static void
test_bad_query (Fixture       *f,
                gconstpointer  data)
{
  static const struct { const char *path, *word; } cases[] = {
    { "/api/tasks?limit=abc", "limit" },
    { "/api/tasks?limit=-1", "limit" },
    { "/api/tasks?limit=1.5", "limit" },
    { "/api/tasks?limit=", "limit" },
    { "/api/tasks?limit=99999999999999999999", "limit" },
    { "/api/tasks?offset=-5", "offset" },
    { "/api/tasks?offset=ten", "offset" },
    { "/api/tasks?limit=5&offset=x", "offset" },
  };

  start_server (f);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CtTestHttp) h = get (f, cases[i].path);

      g_test_message ("GET %s", cases[i].path);
      assert_error (h, 400, cases[i].word);
      assert_alive (f);
    }
}

static void
test_invalid_task (Fixture       *f,
                   gconstpointer  data)
{
  static const struct { const char *body, *word; } cases[] = {
    { "{}", "title is required" },
    { "{\"notes\": \"no title\"}", "title is required" },
    { "{\"title\": 5}", "title" },
    { "{\"title\": null}", "title" },
    { "{\"title\": \"   \"}", "title" },
    { "{\"title\": [\"x\"]}", "title" },
    { "{\"title\": \"x\", \"notes\": 1}", "notes" },
    { "{\"title\": \"x\", \"done\": \"yes\"}", "done" },
    { "{\"title\": \"x\", \"done\": 1}", "done" },
    { "{\"title\": \"x\", \"priority\": \"urgent\"}", "priority" },
    { "{\"title\": \"x\", \"priority\": 3}", "priority" },
    { "{\"title\": \"x\", \"due\": \"2026-02-30\"}", "due" },
    { "{\"title\": \"x\", \"due\": \"tomorrow\"}", "due" },
    { "{\"title\": \"x\", \"tags\": \"a\"}", "tags" },
    { "{\"title\": \"x\", \"tags\": [1]}", "tags" },
    { "{\"title\": \"x\", \"tags\": [\"\"]}", "tags" },
    { "{\"title\": \"x\", \"colour\": \"red\"}", "colour" },
    { "{\"id\": 7, \"title\": \"x\"}", "id" },
    { "[]", "object" },
    { "\"a string\"", "object" },
    { "null", "object" },
  };

  start_server (f);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CtTestHttp) h = send_json (f, SOUP_METHOD_POST, "/api/tasks", cases[i].body);

      g_test_message ("POST %s", cases[i].body);
      assert_error (h, 422, cases[i].word);
      g_assert_null (header_of (h, "Location"));
    }

  /* A title over 200 characters */
  {
    g_autofree char *long_title = g_strnfill (201, 'a');
    g_autofree char *body = g_strdup_printf ("{\"title\": \"%s\"}", long_title);
    g_autoptr(CtTestHttp) h = send_json (f, SOUP_METHOD_POST, "/api/tasks", body);

    assert_error (h, 422, "title");
  }

  /* PUT checks the same, and changes nothing */
  {
    g_autofree char *before = get_item (f, "/api/tasks/1", NULL);
    g_autoptr(CtTestHttp) h = send_json (f, SOUP_METHOD_PUT, "/api/tasks/1", "{\"notes\": \"title forgotten\"}");
    g_autofree char *after = NULL;

    assert_error (h, 422, "title");
    after = get_item (f, "/api/tasks/1", NULL);
    g_assert_cmpstr (after, ==, before);
  }

  /* Nothing was created: the next id is still 29 */
  g_assert_cmpint (task_count (f), ==, N_SEED);
  {
    g_autoptr(CtTestHttp) h = send_json (f, SOUP_METHOD_POST, "/api/tasks", "{\"title\": \"Valid at last\"}");

    g_assert_cmpuint (ct_test_http_status (h), ==, 201);
    g_assert_cmpstr (header_of (h, "Location"), ==, "/api/tasks/29");
  }
}

static void
test_not_found (Fixture       *f,
                gconstpointer  data)
{
  static const struct { const char *method, *path, *word; } cases[] = {
    { "GET", "/api/tasks/999", "999" },
    { "GET", "/api/tasks/0", "0" },
    { "GET", "/api/tasks/-1", "-1" },
    { "GET", "/api/tasks/abc", "abc" },
    { "GET", "/api/tasks/99999999999999999999999", "99999999999999999999999" },
    { "DELETE", "/api/tasks/999", "999" },
    { "GET", "/api/tasks/1/comments", "/api/tasks/1/comments" },
    { "GET", "/api/users", "/api/users" },
    { "POST", "/api/users", "/api/users" },
    { "GET", "/api/tasksx", "/api/tasksx" },
    { "GET", "/nope.html", "/nope.html" },
    { "GET", "/app.js/x", "/app.js/x" },
    { "DELETE", "/nowhere", "/nowhere" },
  };

  start_server (f);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CtTestHttp) h = request (f, cases[i].method, cases[i].path, NULL, NULL, NULL);

      g_test_message ("%s %s", cases[i].method, cases[i].path);
      assert_error (h, 404, cases[i].word);
      assert_alive (f);
    }

  /* A route under /api points at the index; a page at the API */
  {
    g_autoptr(CtTestHttp) h = get (f, "/api/users");

    assert_error (h, 404, "/api");
  }
  {
    g_autoptr(CtTestHttp) h = get (f, "/nope.html");

    assert_error (h, 404, "/api");
  }
  g_assert_cmpint (task_count (f), ==, N_SEED);
}

static void
test_method_not_allowed (Fixture       *f,
                         gconstpointer  data)
{
  static const struct { const char *method, *path, *allow; } cases[] = {
    { "DELETE", "/api/tasks", ALLOW_COLLECTION },
    { "PUT", "/api/tasks", ALLOW_COLLECTION },
    { "PATCH", "/api/tasks", ALLOW_COLLECTION },
    { "POST", "/api/tasks/1", ALLOW_ITEM },
    { "POST", "/api/tasks/999", ALLOW_ITEM },
    { "POST", "/api", ALLOW_INDEX },
    { "DELETE", "/api", ALLOW_INDEX },
    { "POST", "/", "GET, HEAD, OPTIONS" },
    { "DELETE", "/app.css", "GET, HEAD, OPTIONS" },
  };

  start_server (f);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CtTestHttp) h = request (f, cases[i].method, cases[i].path, "application/json", "{\"title\": \"x\"}", NULL);

      g_test_message ("%s %s", cases[i].method, cases[i].path);
      /* The message names the method refused and what to use instead */
      assert_error (h, 405, cases[i].method);
      assert_error (h, 405, cases[i].allow);
      g_assert_cmpstr (header_of (h, "Allow"), ==, cases[i].allow);
      assert_alive (f);
    }
  g_assert_cmpint (task_count (f), ==, N_SEED);
  {
    g_autofree char *text = get_item (f, "/api/tasks/1", NULL);
    g_autoptr(JsonNode) node = parse (text);

    g_assert_cmpstr (string_member (node, "title"), ==, "Draft the Q2 roadmap");
  }
}

static void
test_content_type (Fixture       *f,
                   gconstpointer  data)
{
  static const struct { const char *method, *path, *type, *word; } refused[] = {
    { "POST", "/api/tasks", "text/plain", "text/plain" },
    { "POST", "/api/tasks", "application/x-www-form-urlencoded", "application/x-www-form-urlencoded" },
    { "POST", "/api/tasks", NULL, "none" },
    { "POST", "/api/tasks", "application/merge-patch+json", "application/json" },
    { "PUT", "/api/tasks/1", "text/plain", "application/json" },
    { "PUT", "/api/tasks/1", NULL, "none" },
    { "PATCH", "/api/tasks/1", "text/json", "application/merge-patch+json" },
  };

  start_server (f);
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(CtTestHttp) h = request (f, refused[i].method, refused[i].path, refused[i].type,
                                   "{\"title\": \"Typed wrong\"}", NULL);

      g_test_message ("%s %s as %s", refused[i].method, refused[i].path, refused[i].type);
      assert_error (h, 415, "Content-Type");
      assert_error (h, 415, refused[i].word);
      assert_alive (f);
    }
  g_assert_cmpint (task_count (f), ==, N_SEED);
  {
    g_autofree char *text = get_item (f, "/api/tasks/1", NULL);
    g_autoptr(JsonNode) node = parse (text);

    g_assert_cmpstr (string_member (node, "title"), ==, "Draft the Q2 roadmap");
  }

  /* Parameters and case do not matter */
  {
    g_autoptr(CtTestHttp) h = request (f, SOUP_METHOD_POST, "/api/tasks", "application/json; charset=utf-8",
                                 "{\"title\": \"With a charset\"}", NULL);

    g_assert_cmpuint (ct_test_http_status (h), ==, 201);
  }
  {
    g_autoptr(CtTestHttp) h = request (f, SOUP_METHOD_POST, "/api/tasks", "Application/JSON",
                                 "{\"title\": \"In capitals\"}", NULL);

    g_assert_cmpuint (ct_test_http_status (h), ==, 201);
  }
}

/* {"title":"big","notes":"xxx…"} of exactly @size bytes */
static char *
task_of_size (gsize size)
{
  const char *head = "{\"title\":\"big\",\"notes\":\"";
  const char *tail = "\"}";
  GString *s = g_string_new (head);

  g_assert_cmpuint (size, >, strlen (head) + strlen (tail));
  while (s->len < size - strlen (tail))
    g_string_append_c (s, 'x');
  g_string_append (s, tail);
  g_assert_cmpuint (s->len, ==, size);
  return g_string_free (s, FALSE);
}

static void
test_body_size (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *at_limit = task_of_size (1024);
  g_autofree char *over = task_of_size (1025);
  g_autofree char *far_over = task_of_size (100000);

  g_object_set (f->server, "max-body-size", 1024, NULL);
  start_server (f);

  /* At the limit: taken */
  {
    g_autoptr(CtTestHttp) h = send_json (f, SOUP_METHOD_POST, "/api/tasks", at_limit);

    g_assert_cmpuint (ct_test_http_status (h), ==, 201);
    g_assert_cmpstr (header_of (h, "Location"), ==, "/api/tasks/29");
  }

  /* Over it, announced by Content-Length: refused before it is read */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(CtTestHttp) h = send_json (f, SOUP_METHOD_POST, "/api/tasks", i == 0 ? over : far_over);

      assert_error (h, 413, "1024");
      assert_alive (f);
    }
  {
    g_autoptr(CtTestHttp) h = send_json (f, SOUP_METHOD_PUT, "/api/tasks/1", over);

    assert_error (h, 413, "1024");
    assert_alive (f);
  }
  /* The early refusal is logged as an exchange too */
  {
    g_autoptr(CtMessage) out = log_last (log_of (f->server), CT_DIRECTION_OUT);
    g_autoptr(CtMessage) in = NULL;
    g_autoptr(CtMessage) refused = NULL;
    guint n = g_list_model_get_n_items (G_LIST_MODEL (log_of (f->server)));

    /* the last exchange is assert_alive's GET; the one before, the 413 */
    g_assert_cmpuint (ct_test_meta_status (out), ==, 200);
    for (guint i = n; i > 0 && refused == NULL; i--)
      {
        g_autoptr(CtMessage) message = g_list_model_get_item (G_LIST_MODEL (log_of (f->server)), i - 1);

        if (ct_message_get_direction (message) == CT_DIRECTION_OUT && ct_test_meta_status (message) == 413)
          refused = g_steal_pointer (&message);
      }
    g_assert_nonnull (refused);
    in = log_exchange (log_of (f->server), CT_DIRECTION_IN, ct_message_get_exchange (refused));
    g_assert_nonnull (in);
    g_assert_cmpstr (meta_string (in, "http"), ==, "PUT /api/tasks/1");
    /* the body never came in */
    g_assert_cmpuint (ct_message_get_size (in), ==, 0);
  }

  /* Over it, streamed chunked: refused once read */
  {
    g_autoptr(CtTestHttp) h = request_chunked (f, SOUP_METHOD_POST, "/api/tasks", "application/json", over, NULL);

    assert_error (h, 413, "1024");
    assert_alive (f);
  }
  {
    g_autoptr(CtTestHttp) h = request_chunked (f, "PATCH", "/api/tasks/1", "application/json", far_over, NULL);

    assert_error (h, 413, "1024");
    assert_alive (f);
  }
  /* Chunked within the limit: taken */
  {
    g_autoptr(CtTestHttp) h = request_chunked (f, SOUP_METHOD_POST, "/api/tasks", "application/json", at_limit, NULL);

    g_assert_cmpuint (ct_test_http_status (h), ==, 201);
    g_assert_cmpstr (header_of (h, "Location"), ==, "/api/tasks/30");
  }

  g_assert_cmpint (task_count (f), ==, N_SEED + 2);
  {
    g_autofree char *text = get_item (f, "/api/tasks/1", NULL);
    g_autoptr(JsonNode) node = parse (text);

    g_assert_cmpstr (string_member (node, "title"), ==, "Draft the Q2 roadmap");
  }
  ct_test_assert_exchanges_paired (log_of (f->server));

  /* The limit is live: raised, the same body goes through */
  g_object_set (f->server, "max-body-size", 2048, NULL);
  {
    g_autoptr(CtTestHttp) h = send_json (f, SOUP_METHOD_POST, "/api/tasks", over);

    g_assert_cmpuint (ct_test_http_status (h), ==, 201);
    g_assert_cmpstr (header_of (h, "Location"), ==, "/api/tasks/31");
  }
}

static void
test_port_in_use (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CtEndpoint) second = ct_rest_server_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;

  start_server (f);
  address = g_strdup_printf ("127.0.0.1:%u", ct_test_endpoint_port (f->server));
  g_object_set (second, "port", ct_test_endpoint_port (f->server), NULL);
  g_assert_false (ct_test_start (second, &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_ADDRESS_IN_USE);
  g_assert_nonnull (strstr (error->message, "already in use"));
  g_assert_nonnull (strstr (error->message, address));
  g_assert_cmpint (ct_endpoint_get_state (second), ==, CT_STATE_FAILED);
  g_assert_nonnull (strstr (ct_endpoint_get_error (second), "already in use"));
  g_assert_cmpint (ct_test_log_find (log_of (second), CT_DIRECTION_ERROR, "already in use"), >=, 0);

  /* The first one is untouched */
  assert_alive (f);
}

/* -- 3. conditional requests -------------------------------------------------- */

static void
test_if_none_match (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *etag = NULL;
  g_autofree char *item = NULL;
  g_autofree char *weak = NULL;
  g_autofree char *listed = NULL;

  start_server (f);
  item = get_item (f, "/api/tasks/4", &etag);
  weak = g_strconcat ("W/", etag, NULL);
  listed = g_strconcat ("\"aaaaaaaaaaaaaaaa\", ", etag, NULL);

  /* Current (strong, weak, in a list, or *): 304, no body, the ETag */
  {
    const char *matching[] = { etag, weak, listed, "*" };

    for (guint i = 0; i < G_N_ELEMENTS (matching); i++)
      for (guint head = 0; head < 2; head++)
        {
          g_autoptr(CtTestHttp) h = request (f, head ? SOUP_METHOD_HEAD : SOUP_METHOD_GET, "/api/tasks/4", NULL, NULL,
                                       "If-None-Match", matching[i], NULL);

          g_test_message ("%s If-None-Match: %s", head ? "HEAD" : "GET", matching[i]);
          g_assert_cmpuint (ct_test_http_status (h), ==, 304);
          g_assert_cmpuint (ct_test_http_size (h), ==, 0);
          g_assert_cmpstr (header_of (h, "ETag"), ==, etag);
        }
  }

  /* Another: 200 with the body */
  {
    g_autoptr(CtTestHttp) h = request (f, SOUP_METHOD_GET, "/api/tasks/4", NULL, NULL,
                                 "If-None-Match", "\"0000000000000000\"", NULL);
    g_autofree char *text = ct_test_http_text (h);

    g_assert_cmpuint (ct_test_http_status (h), ==, 200);
    g_assert_cmpstr (text, ==, item);
    g_assert_cmpstr (header_of (h, "ETag"), ==, etag);
  }
  /* Another task's ETag is another */
  {
    g_autofree char *other = NULL;
    g_autofree char *text = get_item (f, "/api/tasks/5", &other);
    g_autoptr(CtTestHttp) h = request (f, SOUP_METHOD_GET, "/api/tasks/4", NULL, NULL, "If-None-Match", other, NULL);

    g_assert_cmpuint (ct_test_http_status (h), ==, 200);
  }

  /* Once the task changes, the old ETag gets the new body */
  {
    g_autoptr(CtTestHttp) patch = send_json (f, "PATCH", "/api/tasks/4", "{\"priority\": \"high\"}");
    g_autoptr(CtTestHttp) h = NULL;
    g_autofree char *text = NULL;

    g_assert_cmpuint (ct_test_http_status (patch), ==, 200);
    h = request (f, SOUP_METHOD_GET, "/api/tasks/4", NULL, NULL, "If-None-Match", etag, NULL);
    text = ct_test_http_text (h);
    g_assert_cmpuint (ct_test_http_status (h), ==, 200);
    g_assert_cmpstr (header_of (h, "ETag"), ==, header_of (patch, "ETag"));
    g_assert_nonnull (strstr (text, "\"priority\":\"high\""));
  }

  /* Lists: by the list's own ETag, which depends on the query */
  {
    g_autoptr(CtTestHttp) list = get (f, "/api/tasks?limit=5");
    g_autoptr(CtTestHttp) other_list = get (f, "/api/tasks?limit=6");
    const char *list_etag = header_of (list, "ETag");
    g_autofree char *list_weak = g_strconcat ("W/", list_etag, NULL);

    assert_strong_etag (list_etag);
    g_assert_cmpstr (list_etag, !=, header_of (other_list, "ETag"));

    for (guint i = 0; i < 2; i++)
      {
        g_autoptr(CtTestHttp) h = request (f, SOUP_METHOD_GET, "/api/tasks?limit=5", NULL, NULL,
                                     "If-None-Match", i ? list_weak : list_etag, NULL);

        g_assert_cmpuint (ct_test_http_status (h), ==, 304);
        g_assert_cmpuint (ct_test_http_size (h), ==, 0);
        g_assert_cmpstr (header_of (h, "ETag"), ==, list_etag);
      }
    {
      g_autoptr(CtTestHttp) h = request (f, SOUP_METHOD_GET, "/api/tasks?limit=6", NULL, NULL,
                                   "If-None-Match", list_etag, NULL);

      g_assert_cmpuint (ct_test_http_status (h), ==, 200);
      g_assert_cmpuint (ct_test_http_size (h), >, 0);
    }
    /* a change in the first five changes the list */
    {
      g_autoptr(CtTestHttp) patch = send_json (f, "PATCH", "/api/tasks/2", "{\"done\": false}");
      g_autoptr(CtTestHttp) h = NULL;

      g_assert_cmpuint (ct_test_http_status (patch), ==, 200);
      h = request (f, SOUP_METHOD_GET, "/api/tasks?limit=5", NULL, NULL, "If-None-Match", list_etag, NULL);
      g_assert_cmpuint (ct_test_http_status (h), ==, 200);
      g_assert_cmpstr (header_of (h, "ETag"), !=, list_etag);
    }
  }

  /* The 304s are in the log, with their status and no body */
  {
    gboolean found = FALSE;
    guint n;

    ct_message_log_flush (log_of (f->server));
    n = g_list_model_get_n_items (G_LIST_MODEL (log_of (f->server)));
    for (guint i = 0; i < n; i++)
      {
        g_autoptr(CtMessage) message = g_list_model_get_item (G_LIST_MODEL (log_of (f->server)), i);

        if (ct_message_get_direction (message) == CT_DIRECTION_OUT && ct_test_meta_status (message) == 304)
          {
            g_assert_cmpuint (ct_message_get_size (message), ==, 0);
            found = TRUE;
          }
      }
    g_assert_true (found);
  }
}

static void
test_if_match (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *stale = NULL;
  g_autofree char *current = NULL;
  g_autofree char *before = NULL;

  start_server (f);

  /* Someone else changes the task after we read it */
  g_free (get_item (f, "/api/tasks/6", &stale));
  {
    g_autoptr(CtTestHttp) h = send_json (f, "PATCH", "/api/tasks/6", "{\"notes\": \"changed by someone else\"}");

    g_assert_cmpuint (ct_test_http_status (h), ==, 200);
  }
  before = get_item (f, "/api/tasks/6", &current);
  g_assert_cmpstr (stale, !=, current);

  /* A stale If-Match: 412 for each, with the current ETag, and nothing
   * changes */
  {
    static const struct { const char *method, *body; } writes[] = {
      { "PUT", "{\"title\": \"Overwritten\"}" },
      { "PATCH", "{\"done\": true}" },
      { "DELETE", NULL },
    };
    g_autofree char *weak_current = g_strconcat ("W/", current, NULL);
    const char *refused[] = { stale, "\"0000000000000000\"", weak_current };

    for (guint i = 0; i < G_N_ELEMENTS (writes); i++)
      for (guint j = 0; j < G_N_ELEMENTS (refused); j++)
        {
          g_autoptr(CtTestHttp) h = request (f, writes[i].method, "/api/tasks/6",
                                       writes[i].body ? "application/json" : NULL, writes[i].body,
                                       "If-Match", refused[j], NULL);
          g_autofree char *etag = NULL;
          g_autofree char *now = NULL;

          g_test_message ("%s If-Match: %s", writes[i].method, refused[j]);
          assert_error (h, 412, "If-Match");
          g_assert_cmpstr (header_of (h, "ETag"), ==, current);
          now = get_item (f, "/api/tasks/6", &etag);
          g_assert_cmpstr (now, ==, before);
          g_assert_cmpstr (etag, ==, current);
        }
  }
  g_assert_cmpint (task_count (f), ==, N_SEED);

  /* The current ETag: done, and a new ETag */
  {
    g_autoptr(CtTestHttp) h = request (f, SOUP_METHOD_PUT, "/api/tasks/6", "application/json",
                                 "{\"title\": \"Upgrade PostgreSQL to 17\"}", "If-Match", current, NULL);
    g_autoptr(JsonNode) node = json_of (h, 200);
    g_autofree char *etag = NULL;
    g_autofree char *now = get_item (f, "/api/tasks/6", &etag);

    g_assert_cmpstr (string_member (node, "title"), ==, "Upgrade PostgreSQL to 17");
    assert_strong_etag (header_of (h, "ETag"));
    g_assert_cmpstr (header_of (h, "ETag"), !=, current);
    g_assert_cmpstr (header_of (h, "ETag"), ==, etag);
    g_free (current);
    current = g_strdup (etag);
  }
  /* In a list of tags */
  {
    g_autofree char *listed = g_strconcat ("\"0000000000000000\", ", current, NULL);
    g_autoptr(CtTestHttp) h = request (f, "PATCH", "/api/tasks/6", "application/merge-patch+json",
                                 "{\"done\": true}", "If-Match", listed, NULL);
    g_autoptr(JsonNode) node = json_of (h, 200);

    g_assert_true (json_object_get_boolean_member (object_of (node), "done"));
    g_assert_cmpstr (header_of (h, "ETag"), !=, current);
    g_free (current);
    current = g_strdup (header_of (h, "ETag"));
  }
  /* * matches any existing task */
  {
    g_autoptr(CtTestHttp) h = request (f, "PATCH", "/api/tasks/6", "application/json",
                                 "{\"priority\": \"low\"}", "If-Match", "*", NULL);
    g_autoptr(JsonNode) node = json_of (h, 200);

    g_assert_cmpstr (string_member (node, "priority"), ==, "low");
    g_assert_cmpstr (header_of (h, "ETag"), !=, current);
    g_free (current);
    current = g_strdup (header_of (h, "ETag"));
  }
  {
    g_autoptr(CtTestHttp) h = request (f, SOUP_METHOD_PUT, "/api/tasks/999", "application/json",
                                 "{\"title\": \"x\"}", "If-Match", "*", NULL);

    assert_error (h, 404, "999");
  }
  /* DELETE with the current ETag, then with * on another */
  {
    g_autoptr(CtTestHttp) h = request (f, SOUP_METHOD_DELETE, "/api/tasks/6", NULL, NULL, "If-Match", current, NULL);

    g_assert_cmpuint (ct_test_http_status (h), ==, 204);
    g_assert_cmpuint (ct_test_http_size (h), ==, 0);
  }
  {
    g_autoptr(CtTestHttp) h = request (f, SOUP_METHOD_DELETE, "/api/tasks/7", NULL, NULL, "If-Match", "*", NULL);

    g_assert_cmpuint (ct_test_http_status (h), ==, 204);
  }
  {
    g_autoptr(CtTestHttp) h = request (f, SOUP_METHOD_DELETE, "/api/tasks/6", NULL, NULL, "If-Match", "*", NULL);

    assert_error (h, 404, "6");
  }
  g_assert_cmpint (task_count (f), ==, N_SEED - 2);
}

/* -- 4. the log ---------------------------------------------------------------- */

static void
test_log (Fixture       *f,
          gconstpointer  data)
{
  CtMessageLog *log = log_of (f->server);
  const char *body = "{\"title\": \"Logged\", \"tags\": [\"log\"]}";
  g_autofree char *response = NULL;

  start_server (f);

  /* A POST with a header of our own */
  {
    g_autoptr(CtTestHttp) h = request (f, SOUP_METHOD_POST, "/api/tasks", "application/json", body,
                                 "X-Crosstalk-Test", "forty-two", NULL);
    g_autoptr(CtMessage) in = ct_test_log_nth (log, CT_DIRECTION_IN, 0);
    g_autoptr(CtMessage) out = ct_test_log_nth (log, CT_DIRECTION_OUT, 0);
    g_autofree char *in_text = NULL;
    g_autofree char *out_text = NULL;
    gint64 latency = -1;

    g_assert_cmpuint (ct_test_http_status (h), ==, 201);
    response = ct_test_http_text (h);
    g_assert_nonnull (in);
    g_assert_nonnull (out);

    /* the request: its body, request line, headers and type */
    in_text = ct_message_dup_text (in);
    g_assert_cmpstr (in_text, ==, body);
    g_assert_cmpuint (ct_message_get_size (in), ==, strlen (body));
    g_assert_cmpstr (meta_string (in, "http"), ==, "POST /api/tasks");
    g_assert_nonnull (strstr (meta_string (in, "headers"), "X-Crosstalk-Test: forty-two\n"));
    g_assert_nonnull (strstr (meta_string (in, "headers"), "Content-Type: application/json\n"));
    g_assert_nonnull (strstr (meta_string (in, "headers"), "Host: 127.0.0.1:"));
    g_assert_cmpstr (meta_string (in, "content-type"), ==, "application/json");
    g_assert_true (g_str_has_prefix (ct_message_get_peer (in), "127.0.0.1:"));

    /* the response: the same exchange, its body, status, time, headers */
    g_assert_cmpuint (ct_message_get_exchange (in), >, 0);
    g_assert_cmpuint (ct_message_get_exchange (out), ==, ct_message_get_exchange (in));
    out_text = ct_message_dup_text (out);
    g_assert_cmpstr (out_text, ==, response);
    g_assert_cmpuint (ct_test_meta_status (out), ==, 201);
    g_assert_true (g_variant_lookup (meta_of (out), "latency-us", "x", &latency));
    g_assert_cmpint (latency, >=, 0);
    g_assert_cmpint (latency, <, CT_TEST_TIMEOUT_S * G_USEC_PER_SEC);
    g_assert_nonnull (strstr (meta_string (out, "headers"), "Location: /api/tasks/29\n"));
    g_assert_nonnull (strstr (meta_string (out, "headers"), "ETag: \""));
    g_assert_cmpstr (ct_message_get_peer (out), ==, ct_message_get_peer (in));
  }

  /* A GET with a query: the request line keeps it */
  {
    g_autoptr(CtTestHttp) h = get (f, "/api/tasks?q=milk&limit=3");
    g_autoptr(CtMessage) in = ct_test_log_nth (log, CT_DIRECTION_IN, 1);
    g_autoptr(CtMessage) out = ct_test_log_nth (log, CT_DIRECTION_OUT, 1);
    g_autofree char *out_text = ct_message_dup_text (out);
    g_autofree char *text = ct_test_http_text (h);

    g_assert_cmpuint (ct_test_http_status (h), ==, 200);
    g_assert_cmpstr (meta_string (in, "http"), ==, "GET /api/tasks?q=milk&limit=3");
    g_assert_cmpuint (ct_message_get_size (in), ==, 0);
    g_assert_cmpuint (ct_message_get_exchange (out), ==, ct_message_get_exchange (in));
    g_assert_cmpuint (ct_message_get_exchange (out), >, 1);
    g_assert_cmpuint (ct_test_meta_status (out), ==, 200);
    g_assert_cmpstr (out_text, ==, text);
  }

  /* An error: its JSON body is the out entry's */
  {
    g_autoptr(CtTestHttp) h = request (f, SOUP_METHOD_DELETE, "/api/tasks", NULL, NULL, NULL);
    g_autoptr(CtMessage) in = ct_test_log_nth (log, CT_DIRECTION_IN, 2);
    g_autoptr(CtMessage) out = ct_test_log_nth (log, CT_DIRECTION_OUT, 2);
    g_autofree char *out_text = ct_message_dup_text (out);
    g_autofree char *text = ct_test_http_text (h);
    g_autofree char *summary = ct_message_dup_summary (out);

    g_assert_cmpuint (ct_test_http_status (h), ==, 405);
    g_assert_cmpstr (meta_string (in, "http"), ==, "DELETE /api/tasks");
    g_assert_cmpuint (ct_test_meta_status (out), ==, 405);
    g_assert_cmpstr (out_text, ==, text);
    g_assert_nonnull (strstr (meta_string (out, "headers"), "Allow: " ALLOW_COLLECTION "\n"));
    g_assert_nonnull (strstr (summary, "405"));
  }

  /* A web page and a missing one are logged the same way */
  {
    g_autoptr(CtTestHttp) h = get (f, "/");
    g_autoptr(CtTestHttp) missing = get (f, "/missing");
    g_autoptr(CtMessage) out = ct_test_log_nth (log, CT_DIRECTION_OUT, 3);
    g_autoptr(CtMessage) missing_out = ct_test_log_nth (log, CT_DIRECTION_OUT, 4);

    g_assert_cmpuint (ct_test_meta_status (out), ==, 200);
    g_assert_cmpuint (ct_message_get_size (out), ==, ct_test_http_size (h));
    g_assert_cmpuint (ct_test_meta_status (missing_out), ==, 404);
  }

  ct_test_assert_exchanges_paired (log);
  g_assert_cmpuint (ct_test_log_count (log, CT_DIRECTION_IN), ==, 5);
  g_assert_cmpuint (ct_test_log_count (log, CT_DIRECTION_OUT), ==, 5);
  g_assert_cmpint (ct_test_log_find (log, CT_DIRECTION_ERROR, ""), ==, -1);
  g_assert_cmpint (ct_test_log_find (log, CT_DIRECTION_INFO, "Listening on http://127.0.0.1:"), >=, 0);
}

/* -- 5. the web page ----------------------------------------------------------- */

static void
test_web (Fixture       *f,
          gconstpointer  data)
{
  static const struct { const char *path, *type, *needle; } pages[] = {
    { "/", "text/html", "<script src=\"/app.js\"" },
    { "/index.html", "text/html", "<link rel=\"stylesheet\" href=\"/app.css\">" },
    { "/app.js", "text/javascript", "fetch(" },
    { "/app.css", "text/css", "{" },
    { "/base.css", "text/css", "--accent" },
  };
  g_autofree char *root = NULL;

  start_server (f);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autoptr(CtTestHttp) h = get (f, pages[i].path);
      g_autofree char *text = ct_test_http_text (h);
      const char *csp = header_of (h, "Content-Security-Policy");
      g_autoptr(GHashTable) params = NULL;

      g_test_message ("GET %s", pages[i].path);
      g_assert_cmpuint (ct_test_http_status (h), ==, 200);
      g_assert_cmpstr (soup_message_headers_get_content_type (soup_message_get_response_headers (h->message),
                                                              &params), ==, pages[i].type);
      g_assert_cmpstr (g_hash_table_lookup (params, "charset"), ==, "utf-8");
      g_assert_cmpuint (ct_test_http_size (h), >, 100);
      g_assert_true (g_utf8_validate (text, -1, NULL));
      g_assert_nonnull (strstr (text, pages[i].needle));
      g_assert_nonnull (csp);
      g_assert_nonnull (strstr (csp, "default-src 'self'"));
      g_assert_nonnull (strstr (csp, "object-src 'none'"));
      if (i == 0)
        root = g_steal_pointer (&text);
      else if (i == 1)
        g_assert_cmpstr (text, ==, root);
    }

  /* Nothing from elsewhere: no absolute URLs in the page's own links */
  g_assert_null (strstr (root, "src=\"http"));
  g_assert_null (strstr (root, "href=\"http"));
  g_assert_true (g_str_has_prefix (root, "<!DOCTYPE html>") || g_str_has_prefix (root, "<!doctype html>"));
}

/* -- 6. persistence ------------------------------------------------------------- */

/* The data file's JSON: version, next_id, tasks */
static JsonNode *
read_data_file (const char *path,
                gint64     *next_id,
                guint      *n_tasks)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  JsonNode *root;
  JsonObject *object;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  root = parse (contents);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  object = json_node_get_object (root);
  g_assert_cmpint (json_object_get_int_member (object, "version"), ==, 1);
  *next_id = json_object_get_int_member (object, "next_id");
  *n_tasks = json_array_get_length (json_object_get_array_member (object, "tasks"));
  return root;
}

/* The title of the task with @id in the data file, or NULL */
static char *
title_in_file (JsonNode *root,
               gint64    id)
{
  JsonArray *tasks = json_object_get_array_member (json_node_get_object (root), "tasks");

  for (guint i = 0; i < json_array_get_length (tasks); i++)
    {
      JsonObject *task = json_array_get_object_element (tasks, i);

      if (json_object_get_int_member (task, "id") == id)
        return g_strdup (json_object_get_string_member (task, "title"));
    }
  return NULL;
}

static void
test_data_file (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *path = temp_path (f, "tasks.json");
  g_autoptr(CtEndpoint) second = NULL;
  gint64 next_id;
  guint n_tasks;

  g_object_set (f->server, "data-file", path, NULL);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  start_server (f);

  /* Created at start, with the seeded tasks */
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  {
    g_autoptr(JsonNode) root = read_data_file (path, &next_id, &n_tasks);

    g_assert_cmpint (next_id, ==, N_SEED + 1);
    g_assert_cmpuint (n_tasks, ==, N_SEED);
  }
  g_assert_cmpint (ct_test_log_find (log_of (f->server), CT_DIRECTION_INFO, "Created"), >=, 0);

  /* Every change is written at once */
  {
    g_autoptr(CtTestHttp) h = send_json (f, SOUP_METHOD_POST, "/api/tasks", "{\"title\": \"Kept on disk\"}");
    g_autoptr(JsonNode) root = NULL;
    g_autofree char *title = NULL;

    g_assert_cmpuint (ct_test_http_status (h), ==, 201);
    root = read_data_file (path, &next_id, &n_tasks);
    title = title_in_file (root, 29);
    g_assert_cmpstr (title, ==, "Kept on disk");
    g_assert_cmpint (next_id, ==, N_SEED + 2);
    g_assert_cmpuint (n_tasks, ==, N_SEED + 1);
  }
  {
    g_autoptr(CtTestHttp) h = request (f, SOUP_METHOD_DELETE, "/api/tasks/1", NULL, NULL, NULL);
    g_autoptr(JsonNode) root = NULL;
    g_autofree char *title = NULL;

    g_assert_cmpuint (ct_test_http_status (h), ==, 204);
    root = read_data_file (path, &next_id, &n_tasks);
    title = title_in_file (root, 1);
    g_assert_null (title);
    g_assert_cmpuint (n_tasks, ==, N_SEED);
  }
  {
    g_autoptr(CtTestHttp) h = send_json (f, "PATCH", "/api/tasks/2", "{\"title\": \"Patched on disk\"}");
    g_autoptr(JsonNode) root = NULL;
    g_autofree char *title = NULL;

    g_assert_cmpuint (ct_test_http_status (h), ==, 200);
    root = read_data_file (path, &next_id, &n_tasks);
    title = title_in_file (root, 2);
    g_assert_cmpstr (title, ==, "Patched on disk");
  }
  /* a refused request writes nothing: the file stays as it was */
  {
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autoptr(CtTestHttp) h = send_json (f, SOUP_METHOD_POST, "/api/tasks", "{\"title\": 1}");

    assert_error (h, 422, "title");
    g_assert_true (g_file_get_contents (path, &before, NULL, NULL));
    {
      g_autoptr(CtTestHttp) again = send_json (f, SOUP_METHOD_PUT, "/api/tasks/2", "{\"title\": null}");

      assert_error (again, 422, "title");
    }
    g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
    g_assert_cmpstr (before, ==, after);
  }
  ct_test_stop (f->server);

  /* A new endpoint with the same file has the same tasks */
  second = ct_rest_server_new ();
  g_object_set (second, "port", 0, "data-file", path, NULL);
  {
    g_autoptr(GError) error = NULL;

    g_assert_true (ct_test_start (second, &error));
    g_assert_no_error (error);
  }
  g_clear_pointer (&f->base, g_free);
  f->base = g_strdup_printf ("http://127.0.0.1:%u", ct_test_endpoint_port (second));
  g_assert_cmpint (ct_test_log_find (log_of (second), CT_DIRECTION_INFO, "Read 28 tasks"), >=, 0);
  g_assert_cmpint (task_count (f), ==, N_SEED);
  {
    g_autofree char *text = get_item (f, "/api/tasks/29", NULL);
    g_autoptr(JsonNode) node = parse (text);

    g_assert_cmpstr (string_member (node, "title"), ==, "Kept on disk");
  }
  {
    g_autofree char *text = get_item (f, "/api/tasks/2", NULL);
    g_autoptr(JsonNode) node = parse (text);

    g_assert_cmpstr (string_member (node, "title"), ==, "Patched on disk");
  }
  {
    g_autoptr(CtTestHttp) h = get (f, "/api/tasks/1");

    assert_error (h, 404, "1");
  }
  /* and the next id goes on from the file's */
  {
    g_autoptr(CtTestHttp) h = send_json (f, SOUP_METHOD_POST, "/api/tasks", "{\"title\": \"After the restart\"}");

    g_assert_cmpstr (header_of (h, "Location"), ==, "/api/tasks/30");
  }
  ct_test_stop (second);
  g_assert_finalize_object (g_steal_pointer (&second));
}

static void
test_corrupt_data_file (Fixture       *f,
                        gconstpointer  data)
{
  static const struct { const char *contents, *word; } cases[] = {
    { "{\"version\": 1, \"next_id\": 3, \"tasks\": [", NULL },
    { "this is not JSON", NULL },
    { "", NULL },
    { "[]", "version" },
    { "{\"version\": 2, \"next_id\": 1, \"tasks\": []}", "version" },
    { "{\"version\": 1, \"next_id\": 5, \"tasks\": {}}", "tasks" },
    { "{\"version\": 1, \"next_id\": 1, \"tasks\": [{\"id\": 1, \"title\": \"x\"}]}", "next_id" },
    { "{\"version\": 1, \"next_id\": 9, \"tasks\": [{\"id\": 1}]}", "title" },
    { "{\"version\": 1, \"next_id\": 9, \"tasks\": [{\"id\": 1, \"title\": \"a\"}, {\"id\": 1, \"title\": \"b\"}]}",
      "used twice" },
  };
  g_autofree char *path = temp_path (f, "broken.json");

  g_object_set (f->server, "data-file", path, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *after = NULL;

      g_test_message ("data file: %s", cases[i].contents);
      g_assert_true (g_file_set_contents (path, cases[i].contents, -1, NULL));
      g_assert_false (ct_test_start (f->server, &error));
      g_assert_error (error, CT_REST_STORE_ERROR, CT_REST_STORE_ERROR_FILE);
      g_test_message ("→ %s", error->message);
      /* The message names the file and says what is wrong */
      g_assert_nonnull (strstr (error->message, path));
      g_assert_nonnull (strstr (error->message, "Cannot load tasks"));
      if (cases[i].word)
        g_assert_nonnull (strstr (error->message, cases[i].word));
      g_assert_cmpint (ct_endpoint_get_state (f->server), ==, CT_STATE_FAILED);
      g_assert_nonnull (strstr (ct_endpoint_get_error (f->server), path));
      /* and leaves the file alone */
      g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
      g_assert_cmpstr (after, ==, cases[i].contents);
    }

  /* A file that cannot be read at all (a folder in its place) */
  {
    g_autoptr(GError) error = NULL;

    g_assert_cmpint (g_unlink (path), ==, 0);
    g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
    g_assert_false (ct_test_start (f->server, &error));
    g_assert_error (error, CT_REST_STORE_ERROR, CT_REST_STORE_ERROR_FILE);
    g_test_message ("→ %s", error->message);
    g_assert_nonnull (strstr (error->message, path));
    g_assert_cmpint (g_rmdir (path), ==, 0);
  }

  /* Without the bad file, the same endpoint starts, with its data as it
   * was, and creates the file */
  start_server (f);
  g_assert_cmpint (task_count (f), ==, N_SEED);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

/* The file cannot be written any more (its folder is gone): the change
 * is made and answered, and the log says what could not be saved */
static void
test_save_fails (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *folder = temp_path (f, "gone");
  g_autofree char *path = g_build_filename (folder, "tasks.json", NULL);

  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  g_object_set (f->server, "data-file", path, NULL);
  start_server (f);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (ct_test_log_find (log_of (f->server), CT_DIRECTION_ERROR, ""), ==, -1);

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (folder), ==, 0);
  {
    g_autoptr(CtTestHttp) h = send_json (f, SOUP_METHOD_POST, "/api/tasks", "{\"title\": \"Nowhere to keep\"}");

    g_assert_cmpuint (ct_test_http_status (h), ==, 201);
  }
  g_assert_cmpint (ct_test_log_find (log_of (f->server), CT_DIRECTION_ERROR, path), >=, 0);
  g_assert_nonnull (strstr (ct_endpoint_get_error (f->server), path));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* The server goes on, from memory */
  g_assert_cmpint (ct_endpoint_get_state (f->server), ==, CT_STATE_RUNNING);
  g_free (get_item (f, "/api/tasks/29", NULL));
  g_assert_cmpint (task_count (f), ==, N_SEED + 1);

  /* The folder back, the next change is saved with everything */
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  {
    g_autoptr(CtTestHttp) h = request (f, SOUP_METHOD_DELETE, "/api/tasks/1", NULL, NULL, NULL);
    g_autoptr(JsonNode) root = NULL;
    g_autofree char *title = NULL;
    gint64 next_id;
    guint n_tasks;

    g_assert_cmpuint (ct_test_http_status (h), ==, 204);
    root = read_data_file (path, &next_id, &n_tasks);
    title = title_in_file (root, 29);
    g_assert_cmpstr (title, ==, "Nowhere to keep");
    g_assert_cmpuint (n_tasks, ==, N_SEED);
    g_assert_cmpint (next_id, ==, N_SEED + 2);
  }
  ct_test_stop (f->server);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (folder), ==, 0);
}

static void
test_reset (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *path = temp_path (f, "reset.json");
  g_autofree char *seeded_one = NULL;
  g_autofree char *seeded_etag = NULL;
  g_autoptr(GError) error = NULL;
  gint64 next_id;
  guint n_tasks;

  g_object_set (f->server, "data-file", path, NULL);
  start_server (f);
  seeded_one = get_item (f, "/api/tasks/1", &seeded_etag);

  /* Change a lot */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(CtTestHttp) h = send_json (f, SOUP_METHOD_POST, "/api/tasks", "{\"title\": \"Extra\"}");

      g_assert_cmpuint (ct_test_http_status (h), ==, 201);
    }
  for (guint id = 1; id <= 10; id++)
    {
      g_autofree char *item = g_strdup_printf ("/api/tasks/%u", id);
      g_autoptr(CtTestHttp) h = request (f, SOUP_METHOD_DELETE, item, NULL, NULL, NULL);

      g_assert_cmpuint (ct_test_http_status (h), ==, 204);
    }
  g_assert_cmpint (task_count (f), ==, N_SEED + 3 - 10);
  {
    g_autoptr(JsonNode) root = read_data_file (path, &next_id, &n_tasks);

    g_assert_cmpuint (n_tasks, ==, N_SEED + 3 - 10);
    g_assert_cmpint (next_id, ==, N_SEED + 4);
  }

  /* Reset: the 28 seeded tasks, ids 1–28, in the store and in the file */
  g_assert_true (ct_endpoint_run_command (f->server, "reset", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (task_count (f), ==, N_SEED);
  {
    g_autofree char *etag = NULL;
    g_autofree char *one = get_item (f, "/api/tasks/1", &etag);
    gint64 total;
    g_autofree char *ids = list_ids (f, "/api/tasks?offset=26", &total, NULL, NULL);

    g_assert_cmpstr (one, ==, seeded_one);
    g_assert_cmpstr (etag, ==, seeded_etag);
    g_assert_cmpstr (ids, ==, "27,28");
    g_assert_cmpint (total, ==, N_SEED);
  }
  {
    g_autoptr(CtTestHttp) h = get (f, "/api/tasks/29");

    assert_error (h, 404, "29");
  }
  {
    g_autoptr(JsonNode) root = read_data_file (path, &next_id, &n_tasks);

    g_assert_cmpuint (n_tasks, ==, N_SEED);
    g_assert_cmpint (next_id, ==, N_SEED + 1);
  }
  g_assert_cmpint (ct_test_log_find (log_of (f->server), CT_DIRECTION_INFO, "28 mock tasks"), >=, 0);

  /* The ids start over */
  {
    g_autoptr(CtTestHttp) h = send_json (f, SOUP_METHOD_POST, "/api/tasks", "{\"title\": \"First after reset\"}");

    g_assert_cmpstr (header_of (h, "Location"), ==, "/api/tasks/29");
  }

  /* An unknown command is refused */
  g_assert_false (ct_endpoint_run_command (f->server, "explode", NULL, &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_NOT_IMPLEMENTED);
  g_assert_nonnull (strstr (error->message, "explode"));
  assert_alive (f);
}

/* Reset without a data file: only memory */
static void
test_reset_in_memory (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  start_server (f);
  {
    g_autoptr(CtTestHttp) h = request (f, SOUP_METHOD_DELETE, "/api/tasks/3", NULL, NULL, NULL);

    g_assert_cmpuint (ct_test_http_status (h), ==, 204);
  }
  g_assert_cmpint (task_count (f), ==, N_SEED - 1);
  g_assert_true (ct_endpoint_run_command (f->server, "reset", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (task_count (f), ==, N_SEED);
  g_free (get_item (f, "/api/tasks/3", NULL));
}

/* -- 7. third-party clients ------------------------------------------------------ */

/* Runs curl with @args (NULL-terminated) after its common options; returns
 * what it printed */
static char *
run_curl (const char *stdin_text,
          ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, (gpointer) "curl");
  g_ptr_array_add (argv, (gpointer) "--silent");
  g_ptr_array_add (argv, (gpointer) "--show-error");
  g_ptr_array_add (argv, (gpointer) "--noproxy");
  g_ptr_array_add (argv, (gpointer) "*");
  g_ptr_array_add (argv, (gpointer) "--max-time");
  g_ptr_array_add (argv, (gpointer) G_STRINGIFY (CT_TEST_TIMEOUT_S));
  va_start (ap, stdin_text);
  while ((arg = va_arg (ap, const char *)))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  return ct_test_run_peer (stdin_text, (const char * const *) argv->pdata);
}

/* curl's output with `-w '\n%{http_code} …'`: the body, and the last line */
static void
split_curl (const char  *out,
            char       **body,
            char       **last)
{
  const char *newline = strrchr (out, '\n');

  g_assert_nonnull (newline);
  *body = g_strndup (out, newline - out);
  *last = g_strdup (newline + 1);
}

static gboolean
have_program (const char *name)
{
  g_autofree char *path = g_find_program_in_path (name);

  return path != NULL;
}

static void
test_curl (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *collection = NULL;
  g_autofree char *item = NULL;
  g_autofree char *etag = NULL;
  g_autofree char *if_match = NULL;

  if (!have_program ("curl"))
    {
      g_test_skip ("curl is not installed");
      return;
    }

  start_server (f);
  collection = g_strconcat (f->base, "/api/tasks", NULL);

  /* GET a task */
  {
    g_autofree char *url = g_strconcat (f->base, "/api/tasks/1", NULL);
    g_autofree char *out = run_curl (NULL, "-w", "\n%{http_code} %{content_type}", url, NULL);
    g_autofree char *body = NULL;
    g_autofree char *last = NULL;
    g_autoptr(JsonNode) node = NULL;

    split_curl (out, &body, &last);
    g_assert_cmpstr (last, ==, "200 application/json");
    node = parse (body);
    g_assert_cmpstr (string_member (node, "title"), ==, "Draft the Q2 roadmap");
  }

  /* POST: 201, Location, ETag */
  {
    g_autofree char *out = run_curl (NULL, "-X", "POST", "-H", "Content-Type: application/json",
                                     "-d", "{\"title\": \"From curl\", \"tags\": [\"curl\"]}",
                                     "-w", "\n%{http_code} %header{location} %header{etag}", collection, NULL);
    g_autofree char *body = NULL;
    g_autofree char *last = NULL;
    g_auto(GStrv) fields = NULL;
    g_autoptr(JsonNode) node = NULL;

    split_curl (out, &body, &last);
    fields = g_strsplit (last, " ", 3);
    g_assert_cmpuint (g_strv_length (fields), ==, 3);
    g_assert_cmpstr (fields[0], ==, "201");
    g_assert_cmpstr (fields[1], ==, "/api/tasks/29");
    assert_strong_etag (fields[2]);
    node = parse (body);
    g_assert_cmpint (json_object_get_int_member (object_of (node), "id"), ==, 29);
    g_assert_cmpstr (string_member (node, "title"), ==, "From curl");
    item = g_strconcat (f->base, fields[1], NULL);
    etag = g_strdup (fields[2]);
  }

  /* PATCH with If-Match: 200 and a new ETag; again with the old one: 412 */
  if_match = g_strconcat ("If-Match: ", etag, NULL);
  {
    g_autofree char *out = run_curl (NULL, "-X", "PATCH", "-H", "Content-Type: application/merge-patch+json",
                                     "-H", if_match, "-d", "{\"done\": true}",
                                     "-w", "\n%{http_code} %header{etag}", item, NULL);
    g_autofree char *body = NULL;
    g_autofree char *last = NULL;
    g_autoptr(JsonNode) node = NULL;
    g_autofree char *expected = g_strconcat ("200 ", etag, NULL);

    split_curl (out, &body, &last);
    g_assert_true (g_str_has_prefix (last, "200 \""));
    g_assert_cmpstr (last, !=, expected);
    node = parse (body);
    g_assert_true (json_object_get_boolean_member (object_of (node), "done"));
    g_free (etag);
    etag = g_strdup (last + strlen ("200 "));
  }
  {
    g_autofree char *out = run_curl (NULL, "-X", "PATCH", "-H", "Content-Type: application/json",
                                     "-H", if_match, "-d", "{\"done\": false}",
                                     "-w", "\n%{http_code}", item, NULL);
    g_autofree char *body = NULL;
    g_autofree char *last = NULL;
    g_autoptr(JsonNode) node = NULL;
    JsonObject *error;

    split_curl (out, &body, &last);
    g_assert_cmpstr (last, ==, "412");
    node = parse (body);
    error = json_object_get_object_member (object_of (node), "error");
    g_assert_cmpint (json_object_get_int_member (error, "status"), ==, 412);
  }

  /* PUT with the current ETag */
  {
    g_autofree char *current = g_strconcat ("If-Match: ", etag, NULL);
    g_autofree char *out = run_curl (NULL, "-X", "PUT", "-H", "Content-Type: application/json", "-H", current,
                                     "-d", "{\"title\": \"Replaced by curl\"}",
                                     "-w", "\n%{http_code}", item, NULL);
    g_autofree char *body = NULL;
    g_autofree char *last = NULL;
    g_autoptr(JsonNode) node = NULL;

    split_curl (out, &body, &last);
    g_assert_cmpstr (last, ==, "200");
    node = parse (body);
    g_assert_cmpstr (string_member (node, "title"), ==, "Replaced by curl");
    g_assert_false (json_object_get_boolean_member (object_of (node), "done"));
  }

  /* GET with If-None-Match: 304; HEAD: the headers only */
  {
    g_autofree char *current = NULL;
    g_autofree char *text = get_item (f, "/api/tasks/29", &current);
    g_autofree char *if_none_match = g_strconcat ("If-None-Match: ", current, NULL);
    g_autofree char *out = run_curl (NULL, "-H", if_none_match, "-w", "%{http_code} %{size_download}", item, NULL);
    g_autofree char *head = run_curl (NULL, "--head", "-o", "/dev/null", "-w", "%{http_code} %header{content-length}",
                                      item, NULL);
    g_autofree char *expected = g_strdup_printf ("200 %zu", strlen (text));

    g_assert_cmpstr (out, ==, "304 0");
    g_assert_cmpstr (head, ==, expected);
  }

  /* OPTIONS */
  {
    g_autofree char *out = run_curl (NULL, "-X", "OPTIONS", "-w", "%{http_code} %header{allow}", item, NULL);

    g_assert_cmpstr (out, ==, "204 " ALLOW_ITEM);
  }

  /* The list, with a query */
  {
    g_autofree char *url = g_strconcat (collection, "?q=CURL", NULL);
    g_autofree char *out = run_curl (NULL, "-w", "\n%{http_code}", url, NULL);
    g_autofree char *body = NULL;
    g_autofree char *last = NULL;
    g_autoptr(JsonNode) node = NULL;

    split_curl (out, &body, &last);
    g_assert_cmpstr (last, ==, "200");
    node = parse (body);
    g_assert_cmpint (json_object_get_int_member (object_of (node), "total"), ==, 1);
  }

  /* DELETE: 204, then 404 */
  {
    g_autofree char *out = run_curl (NULL, "-X", "DELETE", "-w", "%{http_code} %{size_download}", item, NULL);

    g_assert_cmpstr (out, ==, "204 0");
  }
  {
    g_autofree char *out = run_curl (NULL, "-o", "/dev/null", "-w", "%{http_code}", item, NULL);

    g_assert_cmpstr (out, ==, "404");
  }

  /* Errors: bad JSON, wrong type, not allowed */
  {
    g_autofree char *out = run_curl (NULL, "-X", "POST", "-H", "Content-Type: application/json", "-d", "{oops",
                                     "-o", "/dev/null", "-w", "%{http_code}", collection, NULL);

    g_assert_cmpstr (out, ==, "400");
  }
  {
    /* curl -d sends application/x-www-form-urlencoded */
    g_autofree char *out = run_curl (NULL, "-d", "{\"title\": \"form\"}", "-o", "/dev/null", "-w", "%{http_code}",
                                     collection, NULL);

    g_assert_cmpstr (out, ==, "415");
  }
  {
    g_autofree char *out = run_curl (NULL, "-X", "DELETE", "-o", "/dev/null", "-w", "%{http_code} %header{allow}",
                                     collection, NULL);

    g_assert_cmpstr (out, ==, "405 " ALLOW_COLLECTION);
  }

  /* Over the body limit, sent chunked (curl reads the body from stdin) */
  g_object_set (f->server, "max-body-size", 64, NULL);
  {
    g_autofree char *big = task_of_size (500);
    g_autofree char *out = run_curl (big, "-X", "POST", "-H", "Content-Type: application/json",
                                     "-H", "Transfer-Encoding: chunked", "--data-binary", "@-",
                                     "-w", "\n%{http_code}", collection, NULL);
    g_autofree char *body = NULL;
    g_autofree char *last = NULL;
    g_autoptr(JsonNode) node = NULL;
    JsonObject *error;

    split_curl (out, &body, &last);
    g_assert_cmpstr (last, ==, "413");
    node = parse (body);
    error = json_object_get_object_member (object_of (node), "error");
    g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), "64"));
  }
  /* the request was seen as chunked */
  {
    g_autoptr(CtMessage) out = log_last (log_of (f->server), CT_DIRECTION_OUT);
    g_autoptr(CtMessage) in = log_exchange (log_of (f->server), CT_DIRECTION_IN, ct_message_get_exchange (out));

    g_assert_cmpuint (ct_test_meta_status (out), ==, 413);
    g_assert_nonnull (strstr (meta_string (in, "headers"), "Transfer-Encoding: chunked"));
  }
  /* and with its Content-Length: refused before it is read */
  {
    g_autofree char *big = task_of_size (500);
    g_autofree char *out = run_curl (big, "-X", "POST", "-H", "Content-Type: application/json",
                                     "--data-binary", "@-", "-w", "\n%{http_code}", collection, NULL);
    g_autofree char *body = NULL;
    g_autofree char *last = NULL;
    g_autoptr(JsonNode) node = NULL;
    g_autoptr(CtMessage) logged = log_last (log_of (f->server), CT_DIRECTION_IN);

    split_curl (out, &body, &last);
    g_assert_cmpstr (last, ==, "413");
    node = parse (body);
    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (object_of (node), "error"), "status"),
                     ==, 413);
    g_assert_nonnull (strstr (meta_string (logged, "headers"), "Content-Length: 500\n"));
    g_assert_cmpuint (ct_message_get_size (logged), ==, 0);
  }
  g_object_set (f->server, "max-body-size", 1024 * 1024, NULL);

  ct_test_assert_exchanges_paired (log_of (f->server));
  g_assert_cmpint (task_count (f), ==, N_SEED);
}

/* One connection for a run of requests, 204s among them: libsoup alone
 * would close it after each 204 without a word, and a client reusing it
 * would race the close (a reset) */
static void
test_keep_alive (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *item = NULL;
  g_autofree char *api = NULL;
  g_autofree char *one = NULL;
  g_autofree char *out = NULL;
  const char *format = "%{http_code} %{num_connects}\n";

  if (!have_program ("curl"))
    {
      g_test_skip ("curl is not installed");
      return;
    }

  start_server (f);
  item = g_strconcat (f->base, "/api/tasks/5", NULL);
  api = g_strconcat (f->base, "/api", NULL);
  one = g_strconcat (f->base, "/api/tasks/1", NULL);
  out = run_curl (NULL,
                  "-o", "/dev/null", "-w", format, api, "--next",
                  "-o", "/dev/null", "-w", format, "-X", "DELETE", item, "--next",
                  "-o", "/dev/null", "-w", format, api, "--next",
                  "-o", "/dev/null", "-w", format, "-X", "OPTIONS", api, "--next",
                  "-o", "/dev/null", "-w", format, "-H", "If-None-Match: *", one, "--next",
                  "-o", "/dev/null", "-w", format, api, NULL);
  /* the first request connects; every other one reuses the connection */
  g_assert_cmpstr (out, ==, "200 1\n204 0\n200 0\n204 0\n304 0\n200 0\n");
  g_assert_cmpint (task_count (f), ==, N_SEED - 1);
}

static gboolean
have_requests (void)
{
  const char *argv[] = { DEBIAN_PYTHON, "-c", "import requests", NULL };
  g_autoptr(GSubprocess) process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDERR_SILENCE, NULL);

  return process && g_subprocess_wait_check (process, NULL, NULL);
}

static const char python_client[] =
  "import sys\n"
  "import requests\n"
  "from urllib.parse import urljoin\n"
  "base = sys.argv[1]\n"
  "s = requests.Session()\n"
  "s.trust_env = False\n"
  "t = 20\n"
  "r = s.get(base + '/api/tasks', params={'q': 'Team', 'limit': 2}, timeout=t)\n"
  "d = r.json()\n"
  "print('list', r.status_code, d['total'], len(d['items']), d['limit'], r.headers['Content-Type'])\n"
  "r = s.post(base + '/api/tasks', json={'title': 'From requests', 'priority': 'high'}, timeout=t)\n"
  "print('post', r.status_code, r.headers['Location'], r.json()['id'], r.json()['priority'])\n"
  "url = urljoin(base, r.headers['Location'])\n"
  "etag = r.headers['ETag']\n"
  "r = s.get(url, timeout=t)\n"
  "print('get', r.status_code, r.json()['title'], r.headers['ETag'] == etag)\n"
  "r = s.put(url, json={'title': 'Replaced by requests', 'done': True}, headers={'If-Match': etag}, timeout=t)\n"
  "d = r.json()\n"
  "print('put', r.status_code, d['title'], d['done'], d['priority'], r.headers['ETag'] != etag)\n"
  "r = s.put(url, json={'title': 'Stale'}, headers={'If-Match': etag}, timeout=t)\n"
  "print('stale', r.status_code, r.json()['error']['status'])\n"
  "r = s.patch(url, json={'tags': ['py', 'requests']}, timeout=t)\n"
  "print('patch', r.status_code, ','.join(r.json()['tags']), r.json()['title'])\n"
  "r = s.get(url, headers={'If-None-Match': r.headers['ETag']}, timeout=t)\n"
  "print('cached', r.status_code, len(r.content))\n"
  "r = s.post(base + '/api/tasks', data='{not json', headers={'Content-Type': 'application/json'}, timeout=t)\n"
  "print('bad', r.status_code, r.json()['error']['status'])\n"
  "r = s.post(base + '/api/tasks', json={'notes': 'no title'}, timeout=t)\n"
  "print('invalid', r.status_code, 'title' in r.json()['error']['message'])\n"
  "r = s.delete(url, timeout=t)\n"
  "print('delete', r.status_code, len(r.content))\n"
  "r = s.get(url, timeout=t)\n"
  "print('gone', r.status_code, r.json()['error']['status'])\n";

static void
test_python_requests (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  gint64 team_total;

  if (!have_requests ())
    {
      g_test_skip (DEBIAN_PYTHON " has no requests (python3-requests)");
      return;
    }

  start_server (f);
  g_free (list_ids (f, "/api/tasks?q=team", &team_total, NULL, NULL));
  g_assert_cmpint (team_total, >, 2);

  out = ct_test_run_peer (NULL, (const char *[]) { DEBIAN_PYTHON, "-c", python_client, f->base, NULL });
  g_test_message ("requests printed:\n%s", out);
  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 12);
  {
    g_autofree char *expected = g_strdup_printf ("list 200 %" G_GINT64_FORMAT " 2 2 application/json", team_total);

    g_assert_cmpstr (lines[0], ==, expected);
  }
  g_assert_cmpstr (lines[1], ==, "post 201 /api/tasks/29 29 high");
  g_assert_cmpstr (lines[2], ==, "get 200 From requests True");
  g_assert_cmpstr (lines[3], ==, "put 200 Replaced by requests True normal True");
  g_assert_cmpstr (lines[4], ==, "stale 412 412");
  g_assert_cmpstr (lines[5], ==, "patch 200 py,requests Replaced by requests");
  g_assert_cmpstr (lines[6], ==, "cached 304 0");
  g_assert_cmpstr (lines[7], ==, "bad 400 400");
  g_assert_cmpstr (lines[8], ==, "invalid 422 True");
  g_assert_cmpstr (lines[9], ==, "delete 204 0");
  g_assert_cmpstr (lines[10], ==, "gone 404 404");
  g_assert_cmpstr (lines[11], ==, "");

  /* The server logged every one of them */
  ct_test_assert_exchanges_paired (log_of (f->server));
  g_assert_cmpuint (ct_test_log_count (log_of (f->server), CT_DIRECTION_IN), ==, 1 + 11);
  g_assert_cmpint (ct_test_log_find (log_of (f->server), CT_DIRECTION_ERROR, ""), ==, -1);
  {
    g_autoptr(CtMessage) in = ct_test_log_nth (log_of (f->server), CT_DIRECTION_IN, 2);

    g_assert_cmpstr (meta_string (in, "http"), ==, "POST /api/tasks");
    g_assert_nonnull (strstr (meta_string (in, "headers"), "User-Agent: python-requests/"));
  }
  g_assert_cmpint (task_count (f), ==, N_SEED);
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
  g_test_init (&argc, &argv, NULL);
  /* GIO's debug messages, six per HTTP connection, would bury the test's
   * own output */
  if (g_getenv ("G_MESSAGES_DEBUG") == NULL)
    g_log_set_handler ("GLib-GIO", G_LOG_LEVEL_DEBUG, drop_log_message, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/ct/rest/crud/index", test_index);
  ADD ("/ct/rest/crud/list", test_list);
  ADD ("/ct/rest/crud/get-item", test_get_item);
  ADD ("/ct/rest/crud/create", test_create);
  ADD ("/ct/rest/crud/replace", test_replace);
  ADD ("/ct/rest/crud/merge", test_merge);
  ADD ("/ct/rest/crud/delete", test_delete);
  ADD ("/ct/rest/crud/head", test_head);
  ADD ("/ct/rest/crud/options", test_options);
  ADD ("/ct/rest/crud/restart-keeps-data", test_restart_keeps_data);

  ADD ("/ct/rest/errors/bad-json", test_bad_json);
  ADD ("/ct/rest/errors/bad-query", test_bad_query);
  ADD ("/ct/rest/errors/invalid-task", test_invalid_task);
  ADD ("/ct/rest/errors/not-found", test_not_found);
  ADD ("/ct/rest/errors/method-not-allowed", test_method_not_allowed);
  ADD ("/ct/rest/errors/content-type", test_content_type);
  ADD ("/ct/rest/errors/body-size", test_body_size);
  ADD ("/ct/rest/errors/port-in-use", test_port_in_use);

  ADD ("/ct/rest/conditional/if-none-match", test_if_none_match);
  ADD ("/ct/rest/conditional/if-match", test_if_match);

  ADD ("/ct/rest/log/exchanges", test_log);

  ADD ("/ct/rest/web/page", test_web);

  ADD ("/ct/rest/persistence/data-file", test_data_file);
  ADD ("/ct/rest/persistence/corrupt-file", test_corrupt_data_file);
  ADD ("/ct/rest/persistence/save-fails", test_save_fails);
  ADD ("/ct/rest/persistence/reset", test_reset);
  ADD ("/ct/rest/persistence/reset-in-memory", test_reset_in_memory);

  ADD ("/ct/rest/interop/curl", test_curl);
  ADD ("/ct/rest/interop/curl-keep-alive", test_keep_alive);
  ADD ("/ct/rest/interop/python-requests", test_python_requests);

  return g_test_run ();
}
