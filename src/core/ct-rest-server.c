/* ct-rest-server.c — a JSON CRUD API over mock tasks, with a web page
 *
 * Routes (docs/protocols/rest.md has the whole contract):
 *   /                the web frontend, from GResource
 *   /api             the index of collections
 *   /api/tasks       list (limit, offset, q) and create
 *   /api/tasks/ID    read, replace, merge, delete
 * Items and lists carry an ETag; If-None-Match is answered 304 and a stale
 * If-Match 412. Errors are JSON: {"error":{"status":N,"message":"…"}}.
 * The data lives in a CtRestStore, kept across restarts of the server and,
 * with the `data-file` setting, saved to a file after every change.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ct-rest"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>

#include "ct-error.h"
#include "ct-json.h"
#include "ct-rest-server.h"
#include "ct-rest-store.h"

#define COLLECTION_PATH "/api/" CT_REST_STORE_COLLECTION

struct _CtRestServer
{
  CtHttpServer  parent_instance;

  char         *data_file;

  CtRestStore  *store;
  char         *data_note;      /* what start did with the data file, for the log */
  gboolean      data_created;
};

G_DEFINE_FINAL_TYPE (CtRestServer, ct_rest_server, CT_TYPE_HTTP_SERVER)

/* -- answering --------------------------------------------------------------- */

static void
respond_json (CtHttpExchange *exchange,
              guint           status,
              GBytes         *body,
              const char     *etag)
{
  if (etag)
    soup_message_headers_replace (soup_server_message_get_response_headers (exchange->message), "ETag", etag);
  ct_http_exchange_respond (exchange, status, "application/json", body, NULL, NULL);
}

static void
refuse_method (CtHttpExchange *exchange,
               const char     *allow)
{
  g_autofree char *text = g_strdup_printf (_("%s is not allowed here; use %s"),
                                           soup_server_message_get_method (exchange->message), allow);

  soup_message_headers_replace (soup_server_message_get_response_headers (exchange->message), "Allow", allow);
  ct_http_exchange_refuse (exchange, SOUP_STATUS_METHOD_NOT_ALLOWED, text);
}

/* OPTIONS: what the resource allows, no body */
static void
answer_options (CtHttpExchange *exchange,
                const char     *allow)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (exchange->message), "Allow", allow);
  ct_http_exchange_respond (exchange, SOUP_STATUS_NO_CONTENT, NULL, NULL, NULL, NULL);
}

/* Whether an If-None-Match or If-Match list names @etag; `*` names any.
 * Weak validators (W/"…") compare equal to their strong twin only when
 * @weak_ok, as RFC 9110 asks of If-None-Match and not of If-Match. */
static gboolean
etag_listed (const char *list,
             const char *etag,
             gboolean    weak_ok)
{
  g_auto(GStrv) tags = g_strsplit (list, ",", -1);

  for (guint i = 0; tags[i]; i++)
    {
      const char *tag = g_strstrip (tags[i]);

      if (g_str_equal (tag, "*"))
        return TRUE;
      if (g_str_has_prefix (tag, "W/"))
        {
          if (!weak_ok)
            continue;
          tag += 2;
        }
      if (g_str_equal (tag, etag))
        return TRUE;
    }
  return FALSE;
}

/* GET and HEAD with If-None-Match: 304 when the client's copy is current */
static gboolean
answer_not_modified (CtHttpExchange *exchange,
                     const char     *etag)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (exchange->message);
  const char *if_none_match = soup_message_headers_get_one (headers, "If-None-Match");

  if (if_none_match == NULL || !etag_listed (if_none_match, etag, TRUE))
    return FALSE;

  soup_message_headers_replace (soup_server_message_get_response_headers (exchange->message), "ETag", etag);
  ct_http_exchange_respond (exchange, SOUP_STATUS_NOT_MODIFIED, NULL, NULL, NULL, NULL);
  return TRUE;
}

/* PUT, PATCH and DELETE with If-Match: 412 when the client's copy is stale */
static gboolean
refuse_precondition (CtHttpExchange *exchange,
                     const char     *etag)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (exchange->message);
  const char *if_match = soup_message_headers_get_one (headers, "If-Match");

  if (if_match == NULL || etag_listed (if_match, etag, FALSE))
    return FALSE;

  soup_message_headers_replace (soup_server_message_get_response_headers (exchange->message), "ETag", etag);
  ct_http_exchange_refuse (exchange, SOUP_STATUS_PRECONDITION_FAILED,
                           _("The task changed since you read it (If-Match does not match its ETag); read it again"));
  return TRUE;
}

/* The body of a POST, PUT or PATCH as JSON; refuses it (413, 415, 400) and
 * returns NULL when it cannot be had */
static JsonNode *
read_json_body (CtHttpExchange *exchange,
                gboolean        merge_patch)
{
  SoupServerMessage *message = exchange->message;
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  const char *type = soup_message_headers_get_content_type (headers, NULL);
  guint max_body_size = exchange->server->max_body_size;
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  if (body->length > max_body_size)
    {
      g_autofree char *text = g_strdup_printf (_("The request body is over the limit of %u bytes"), max_body_size);

      ct_http_exchange_refuse (exchange, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, text);
      return NULL;
    }

  if (type == NULL ||
      (g_ascii_strcasecmp (type, "application/json") != 0 &&
       !(merge_patch && g_ascii_strcasecmp (type, "application/merge-patch+json") == 0)))
    {
      g_autofree char *text = g_strdup_printf (merge_patch
                                               ? _("Content-Type must be application/json or application/merge-patch+json, not %s")
                                               : _("Content-Type must be application/json, not %s"),
                                               type ? type : _("none"));

      ct_http_exchange_refuse (exchange, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, text);
      return NULL;
    }

  node = ct_json_parse (body->data, body->length, &error);
  if (node == NULL)
    {
      ct_http_exchange_refuse (exchange, SOUP_STATUS_BAD_REQUEST, error->message);
    }
  return node;
}

/* A store error as its HTTP status */
static void
refuse_store_error (CtHttpExchange *exchange,
                    const GError   *error)
{
  guint status = SOUP_STATUS_INTERNAL_SERVER_ERROR;

  if (g_error_matches (error, CT_REST_STORE_ERROR, CT_REST_STORE_ERROR_NOT_FOUND))
    status = SOUP_STATUS_NOT_FOUND;
  else if (g_error_matches (error, CT_REST_STORE_ERROR, CT_REST_STORE_ERROR_INVALID))
    status = SOUP_STATUS_UNPROCESSABLE_ENTITY;
  ct_http_exchange_refuse (exchange, status, error->message);
}

/* -- routes -------------------------------------------------------------------- */

#define ALLOW_INDEX      "GET, HEAD, OPTIONS"
#define ALLOW_COLLECTION "GET, HEAD, POST, OPTIONS"
#define ALLOW_ITEM       "GET, HEAD, PUT, PATCH, DELETE, OPTIONS"
#define ALLOW_WEB        "GET, HEAD, OPTIONS"

static void
serve_index (CtRestServer   *self,
             CtHttpExchange *exchange)
{
  const char *method = soup_server_message_get_method (exchange->message);
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) body = NULL;
  char *text;

  if (method == SOUP_METHOD_OPTIONS)
    return answer_options (exchange, ALLOW_INDEX);
  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    return refuse_method (exchange, ALLOW_INDEX);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "collections");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, CT_REST_STORE_COLLECTION);
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, COLLECTION_PATH);
  json_builder_set_member_name (builder, "count");
  json_builder_add_int_value (builder, ct_rest_store_get_n_items (self->store));
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = ct_json_to_string (root, FALSE);
  body = g_bytes_new_take (text, strlen (text));
  respond_json (exchange, SOUP_STATUS_OK, body, NULL);
}

/* A `limit` or `offset` query parameter: a whole number, or absent */
static gboolean
parse_count (GHashTable  *query,
             const char  *name,
             guint       *value,
             GError     **error)
{
  const char *text = query ? g_hash_table_lookup (query, name) : NULL;
  guint64 number;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT, &number, NULL))
    {
      g_set_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD,
                   _("%s must be a whole number, not “%s”"), name, text);
      return FALSE;
    }
  *value = number;
  return TRUE;
}

static void
serve_collection (CtRestServer   *self,
                  CtHttpExchange *exchange,
                  GHashTable     *query)
{
  const char *method = soup_server_message_get_method (exchange->message);

  if (method == SOUP_METHOD_GET || method == SOUP_METHOD_HEAD)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) body = NULL;
      g_autofree char *etag = NULL;
      guint offset = 0, limit = 0;

      if (!parse_count (query, "offset", &offset, &error) ||
          !parse_count (query, "limit", &limit, &error))
        return ct_http_exchange_refuse (exchange, SOUP_STATUS_BAD_REQUEST, error->message);

      body = ct_rest_store_list (self->store, query ? g_hash_table_lookup (query, "q") : NULL,
                                 offset, limit, &etag);
      if (!answer_not_modified (exchange, etag))
        respond_json (exchange, SOUP_STATUS_OK, body, etag);
    }
  else if (method == SOUP_METHOD_POST)
    {
      g_autoptr(JsonNode) node = read_json_body (exchange, FALSE);
      g_autoptr(GError) error = NULL;
      g_autofree char *location = NULL;
      const char *etag = NULL;
      GBytes *body;
      gint64 id;

      if (node == NULL)
        return;
      id = ct_rest_store_create (self->store, node, &error);
      if (id < 0)
        return refuse_store_error (exchange, error);

      location = g_strdup_printf (COLLECTION_PATH "/%" G_GINT64_FORMAT, id);
      soup_message_headers_replace (soup_server_message_get_response_headers (exchange->message),
                                    "Location", location);
      body = ct_rest_store_lookup (self->store, id, &etag);
      respond_json (exchange, SOUP_STATUS_CREATED, body, etag);
    }
  else if (method == SOUP_METHOD_OPTIONS)
    answer_options (exchange, ALLOW_COLLECTION);
  else
    refuse_method (exchange, ALLOW_COLLECTION);
}

static void
serve_item (CtRestServer   *self,
            CtHttpExchange *exchange,
            const char     *id_text)
{
  const char *method = soup_server_message_get_method (exchange->message);
  gboolean patch = g_str_equal (method, "PATCH");   /* libsoup 3.2 has no SOUP_METHOD_PATCH */
  g_autoptr(GError) error = NULL;
  const char *etag = NULL;
  GBytes *body = NULL;
  guint64 id = 0;

  if (method == SOUP_METHOD_OPTIONS)
    return answer_options (exchange, ALLOW_ITEM);
  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD && method != SOUP_METHOD_PUT &&
      !patch && method != SOUP_METHOD_DELETE)
    return refuse_method (exchange, ALLOW_ITEM);

  if (g_ascii_string_to_unsigned (id_text, 10, 1, G_MAXINT64, &id, NULL))
    body = ct_rest_store_lookup (self->store, (gint64) id, &etag);
  if (body == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("No task with id %s"), id_text);

      return ct_http_exchange_refuse (exchange, SOUP_STATUS_NOT_FOUND, text);
    }

  if (method == SOUP_METHOD_GET || method == SOUP_METHOD_HEAD)
    {
      if (!answer_not_modified (exchange, etag))
        respond_json (exchange, SOUP_STATUS_OK, body, etag);
      return;
    }

  if (refuse_precondition (exchange, etag))
    return;

  if (method == SOUP_METHOD_DELETE)
    {
      if (!ct_rest_store_delete (self->store, (gint64) id, &error))
        return refuse_store_error (exchange, error);
      ct_http_exchange_respond (exchange, SOUP_STATUS_NO_CONTENT, NULL, NULL, NULL, NULL);
    }
  else
    {
      g_autoptr(JsonNode) node = read_json_body (exchange, patch);

      if (node == NULL)
        return;
      if (!(patch ? ct_rest_store_merge (self->store, (gint64) id, node, &error)
                  : ct_rest_store_replace (self->store, (gint64) id, node, &error)))
        return refuse_store_error (exchange, error);

      body = ct_rest_store_lookup (self->store, (gint64) id, &etag);
      respond_json (exchange, SOUP_STATUS_OK, body, etag);
    }
}

/* Everything under /api */
static void
handle_api (SoupServer        *soup_server,
            SoupServerMessage *message,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  CtRestServer *self = user_data;
  g_autoptr(CtHttpExchange) exchange = ct_http_exchange_begin (CT_HTTP_SERVER (self), message, NULL, NULL);
  const char *rest;

  if (g_str_equal (path, "/api") || g_str_equal (path, "/api/"))
    serve_index (self, exchange);
  else if (g_str_equal (path, COLLECTION_PATH) || g_str_equal (path, COLLECTION_PATH "/"))
    serve_collection (self, exchange, query);
  else if (g_str_has_prefix (path, COLLECTION_PATH "/") &&
           *(rest = path + strlen (COLLECTION_PATH "/")) != '\0' && strchr (rest, '/') == NULL)
    serve_item (self, exchange, rest);
  else
    {
      g_autofree char *text = g_strdup_printf (_("No such route: %s (try GET /api)"), path);

      ct_http_exchange_refuse (exchange, SOUP_STATUS_NOT_FOUND, text);
    }
}

/* The web frontend: index.html, app.css and app.js */
static void
handle_web (SoupServer        *soup_server,
            SoupServerMessage *message,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  static const struct { const char *path, *file, *type; } files[] = {
    { "/", "index.html", "text/html; charset=utf-8" },
    { "/index.html", "index.html", "text/html; charset=utf-8" },
    { "/app.css", "app.css", "text/css; charset=utf-8" },
    { "/base.css", "base.css", "text/css; charset=utf-8" },
    { "/app.js", "app.js", "text/javascript; charset=utf-8" },
  };
  CtRestServer *self = user_data;
  g_autoptr(CtHttpExchange) exchange = ct_http_exchange_begin (CT_HTTP_SERVER (self), message, NULL, NULL);
  const char *method = soup_server_message_get_method (message);

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    if (g_str_equal (path, files[i].path))
      {
        if (method == SOUP_METHOD_OPTIONS)
          return answer_options (exchange, ALLOW_WEB);
        if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
          return refuse_method (exchange, ALLOW_WEB);
        /* Nothing of it may come from elsewhere */
        return ct_http_exchange_respond_page (exchange, files[i].file, files[i].type,
                                              "default-src 'self'; object-src 'none'; base-uri 'none'");
      }

  {
    g_autofree char *text = g_strdup_printf (_("No such page: %s (the API is under /api)"), path);

    ct_http_exchange_refuse (exchange, SOUP_STATUS_NOT_FOUND, text);
  }
}

/* -- persistence ---------------------------------------------------------------- */

static gboolean
has_data_file (CtRestServer *self)
{
  return self->data_file && *self->data_file;
}

/* After every change, while running with a data file */
static void
on_store_changed (CtRestServer *self)
{
  g_autoptr(GError) error = NULL;

  if (!has_data_file (self) || !ct_endpoint_is_active (CT_ENDPOINT (self)))
    return;
  if (!ct_rest_store_save (self->store, self->data_file, &error))
    ct_endpoint_report_error (CT_ENDPOINT (self), NULL, error);
}

/* -- the catalog, commands, start ------------------------------------------------ */

static void
fill_catalog (CtRestServer *self)
{
  static const struct { const char *route, *params, *description; } routes[] = {
    { "GET /", "", N_("The web page: list, create, edit and delete tasks in a browser") },
    { "GET /api", "", N_("The index of collections, with their URLs") },
    { "GET " COLLECTION_PATH, "?limit=50&offset=0&q=text", N_("Tasks, a page at a time, filtered by text; ETag and If-None-Match") },
    { "POST " COLLECTION_PATH, "{\"title\": …}", N_("Creates a task: 201 with Location") },
    { "GET " COLLECTION_PATH "/{id}", "", N_("One task, with its ETag; If-None-Match gives 304") },
    { "PUT " COLLECTION_PATH "/{id}", "{\"title\": …}", N_("Replaces a task; If-Match gives 412 when stale") },
    { "PATCH " COLLECTION_PATH "/{id}", "{\"done\": true}", N_("Changes some fields (JSON merge patch); If-Match as PUT") },
    { "DELETE " COLLECTION_PATH "/{id}", "", N_("Deletes a task: 204; If-Match as PUT") },
  };
  GListStore *catalog = G_LIST_STORE (ct_endpoint_get_catalog (CT_ENDPOINT (self)));

  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      g_autoptr(CtCatalogItem) item = ct_catalog_item_new (routes[i].route, routes[i].params,
                                                           g_dgettext (GETTEXT_PACKAGE, routes[i].description));
      g_list_store_append (catalog, item);
    }
}

static const CtEndpointCommand commands[] = {
  { "reset", N_("_Reset Data"), N_("Put the mock tasks back as they were at first"), FALSE },
  { NULL }
};

static gboolean
ct_rest_server_run_command (CtEndpoint  *endpoint,
                            const char  *name,
                            const char  *text,
                            GError     **error)
{
  CtRestServer *self = CT_REST_SERVER (endpoint);

  if (g_str_equal (name, "reset"))
    {
      ct_rest_store_reset (self->store);
      ct_message_log_info (ct_endpoint_get_log (endpoint), "reset", NULL, NULL,
                           _("The data is back to its %u mock tasks"), ct_rest_store_get_n_items (self->store));
      return TRUE;
    }

  g_set_error (error, CT_ERROR, CT_ERROR_NOT_IMPLEMENTED, _("Unknown command “%s”"), name);
  return FALSE;
}

static gboolean
ct_rest_server_setup (CtHttpServer  *server,
                      SoupServer    *soup_server,
                      GError       **error)
{
  CtRestServer *self = CT_REST_SERVER (server);

  /* With a data file, the file is the data: read it, or create it */
  g_clear_pointer (&self->data_note, g_free);
  if (has_data_file (self))
    {
      g_autoptr(GError) local_error = NULL;

      if (ct_rest_store_load (self->store, self->data_file, &local_error))
        self->data_note = g_strdup_printf (_("Read %u tasks from %s"),
                                           ct_rest_store_get_n_items (self->store), self->data_file);
      else if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_clear_error (&local_error);
          if (!ct_rest_store_save (self->store, self->data_file, &local_error))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          self->data_note = g_strdup_printf (_("Created %s with %u tasks"), self->data_file,
                                             ct_rest_store_get_n_items (self->store));
          self->data_created = TRUE;
        }
      else
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  ct_http_server_add_handler (server, soup_server, "/", handle_web);
  ct_http_server_add_handler (server, soup_server, "/api", handle_api);
  return TRUE;
}

/* What was done with the data file, logged after `listening` */
static void
ct_rest_server_listening (CtHttpServer *server)
{
  CtRestServer *self = CT_REST_SERVER (server);

  if (self->data_note)
    ct_message_log_info (ct_endpoint_get_log (CT_ENDPOINT (self)), self->data_created ? "saved" : "loaded",
                         NULL, NULL, "%s", self->data_note);
  g_clear_pointer (&self->data_note, g_free);
  self->data_created = FALSE;
}

static void
ct_rest_server_dispose (GObject *object)
{
  CtRestServer *self = CT_REST_SERVER (object);

  if (self->store)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  g_clear_pointer (&self->data_note, g_free);
  G_OBJECT_CLASS (ct_rest_server_parent_class)->dispose (object);
}

static void
ct_rest_server_class_init (CtRestServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  CtEndpointClass *endpoint_class = CT_ENDPOINT_CLASS (klass);
  CtHttpServerClass *http_class = CT_HTTP_SERVER_CLASS (klass);

  object_class->dispose = ct_rest_server_dispose;

  endpoint_class->protocol_id = "rest";
  endpoint_class->role = CT_ROLE_SERVER;
  endpoint_class->catalog_title = N_("Routes");
  endpoint_class->commands = commands;
  endpoint_class->run_command = ct_rest_server_run_command;
  http_class->setup = ct_rest_server_setup;
  http_class->listening = ct_rest_server_listening;

  ct_http_server_class_install_settings (http_class);

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_string ("data-file", N_("Data file"),
                         N_("A JSON file that keeps the tasks: read at start (created if missing) and "
                            "rewritten safely after every change; empty keeps them in memory only"),
                         "", CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtRestServer, data_file));
}

static void
ct_rest_server_init (CtRestServer *self)
{
  self->store = ct_rest_store_new ();
  g_signal_connect_swapped (self->store, "changed", G_CALLBACK (on_store_changed), self);
  fill_catalog (self);
}

CtEndpoint *
ct_rest_server_new (void)
{
  return g_object_new (CT_TYPE_REST_SERVER, NULL);
}
