/* ct-jsonrpc-server.c — a JSON-RPC 2.0 server over HTTP (libsoup)
 *
 * POST at `path`; the HTTP binding (status codes, content types, limits) is
 * written down in docs/protocols/jsonrpc.md. Each HTTP request is an `in`
 * entry and its response an `out` entry with the same exchange id, so the
 * log pairs them; the metadata has the HTTP status, the JSON-RPC ids and the
 * time the server took.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ct-jsonrpc"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "ct-error.h"
#include "ct-json.h"
#include "ct-jsonrpc.h"
#include "ct-jsonrpc-server.h"

struct _CtJsonRpcServer
{
  CtHttpServer parent_instance;

  char        *path;
  guint        max_batch;
  char        *methods;        /* the user's mock methods, as JSON */

  JsonObject  *mocks;          /* parsed from methods */
};

G_DEFINE_FINAL_TYPE (CtJsonRpcServer, ct_jsonrpc_server, CT_TYPE_HTTP_SERVER)

/* -- methods: the built-ins, the user's mocks, rpc.discover --------------- */

/* A mock answers with the fixed result or error it was given */
static void
method_mock (CtJsonRpcCall *call,
             JsonNode      *params,
             gpointer       data)
{
  JsonObject *mock = data;
  JsonNode *error = json_object_get_member (mock, "error");

  if (error && JSON_NODE_HOLDS_OBJECT (error))
    {
      JsonObject *object = json_node_get_object (error);
      JsonNode *error_data = json_object_get_member (object, "data");

      ct_jsonrpc_call_return_error (call,
                                    (int) json_object_get_int_member_with_default (object, "code", -32000),
                                    json_object_get_string_member_with_default (object, "message", ""),
                                    error_data ? json_node_copy (error_data) : NULL);
      return;
    }

  ct_jsonrpc_call_return (call, json_object_has_member (mock, "result")
                                ? json_node_copy (json_object_get_member (mock, "result")) : NULL);
}

static void method_discover (CtJsonRpcCall *call, JsonNode *params, gpointer data);

static gboolean
lookup (const char        *method,
        CtJsonRpcHandler  *handler,
        gpointer          *handler_data,
        gpointer           user_data)
{
  CtJsonRpcServer *self = user_data;
  const CtJsonRpcMethod *builtins;
  guint n;

  /* The user's methods come first: they may stand in for a built-in */
  if (self->mocks && json_object_has_member (self->mocks, method))
    {
      *handler = method_mock;
      *handler_data = json_object_get_object_member (self->mocks, method);
      return TRUE;
    }

  if (g_str_equal (method, "rpc.discover"))
    {
      *handler = method_discover;
      *handler_data = self;
      return TRUE;
    }

  builtins = ct_jsonrpc_get_builtin_methods (&n);
  for (guint i = 0; i < n; i++)
    if (g_str_equal (builtins[i].name, method))
      {
        *handler = builtins[i].handler;
        *handler_data = NULL;
        return TRUE;
      }

  return FALSE;
}

/* An OpenRPC-style listing of every method: name, params, description */
static void
method_discover (CtJsonRpcCall *call,
                 JsonNode      *params,
                 gpointer       data)
{
  CtJsonRpcServer *self = data;
  GListModel *catalog = ct_endpoint_get_catalog (CT_ENDPOINT (self));
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "openrpc");
  json_builder_add_string_value (builder, "1.2.6");
  json_builder_set_member_name (builder, "info");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, "Crosstalk JSON-RPC server");
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "methods");
  json_builder_begin_array (builder);
  for (guint i = 0; i < g_list_model_get_n_items (catalog); i++)
    {
      g_autoptr(CtCatalogItem) item = g_list_model_get_item (catalog, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, ct_catalog_item_get_name (item));
      json_builder_set_member_name (builder, "description");
      json_builder_add_string_value (builder, ct_catalog_item_get_description (item));
      json_builder_set_member_name (builder, "x-params");
      json_builder_add_string_value (builder, ct_catalog_item_get_signature (item));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  ct_jsonrpc_call_return (call, json_builder_get_root (builder));
}

/* The window's list and rpc.discover both come from the catalog */
static void
update_catalog (CtJsonRpcServer *self)
{
  GListStore *catalog = G_LIST_STORE (ct_endpoint_get_catalog (CT_ENDPOINT (self)));
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  const CtJsonRpcMethod *builtins;
  guint n;

  if (self->mocks)
    {
      g_autoptr(GList) names = json_object_get_members (self->mocks);

      for (GList *l = names; l; l = l->next)
        {
          JsonObject *mock = json_object_get_object_member (self->mocks, l->data);

          g_ptr_array_add (items, ct_catalog_item_new (l->data, "any",
            json_object_get_string_member_with_default (mock, "description",
              json_object_has_member (mock, "error") ? _("Your method: answers with a fixed error")
                                                     : _("Your method: answers with a fixed result"))));
        }
    }

  builtins = ct_jsonrpc_get_builtin_methods (&n);
  for (guint i = 0; i < n; i++)
    if (self->mocks == NULL || !json_object_has_member (self->mocks, builtins[i].name))
      g_ptr_array_add (items, ct_catalog_item_new (builtins[i].name, builtins[i].params,
                                                   g_dgettext (GETTEXT_PACKAGE, builtins[i].description)));
  g_ptr_array_add (items, ct_catalog_item_new ("rpc.discover", "none",
                                               _("Lists every method with its params and description (OpenRPC)")));

  g_list_store_splice (catalog, 0, g_list_model_get_n_items (G_LIST_MODEL (catalog)),
                       items->pdata, items->len);
}

static gboolean
is_string_or_absent (JsonNode *node)
{
  return node == NULL ||
         (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING);
}

/* {"code": an int32, "message": a string, "data": anything} */
static gboolean
is_error_object (JsonNode *node)
{
  JsonObject *object;
  JsonNode *code;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  object = json_node_get_object (node);
  code = json_object_get_member (object, "code");
  return code && JSON_NODE_HOLDS_VALUE (code) && json_node_get_value_type (code) == G_TYPE_INT64 &&
         json_node_get_int (code) >= G_MININT32 && json_node_get_int (code) <= G_MAXINT32 &&
         json_object_has_member (object, "message") &&
         is_string_or_absent (json_object_get_member (object, "message"));
}

/* The `methods` setting: {"name": {"result": ...} or {"error": {...}}, ...};
 * served from the next call on. A bad value is reported and ignored. */
static void
on_methods_changed (CtJsonRpcServer *self)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  if (self->methods == NULL || *self->methods == '\0')
    {
      g_clear_pointer (&self->mocks, json_object_unref);
      update_catalog (self);
      return;
    }

  root = ct_json_parse (self->methods, -1, &error);
  if (root && !JSON_NODE_HOLDS_OBJECT (root))
    g_set_error_literal (&error, CT_ERROR, CT_ERROR_INVALID_SETTING,
                         _("Your methods must be a JSON object: {\"name\": {\"result\": …}, …}"));
  if (root && error == NULL)
    {
      g_autoptr(GList) names = NULL;

      object = json_node_get_object (root);
      names = json_object_get_members (object);
      for (GList *l = names; l; l = l->next)
        {
          JsonNode *mock = json_object_get_member (object, l->data);
          JsonNode *mock_error;

          if (!JSON_NODE_HOLDS_OBJECT (mock) ||
              (!json_object_has_member (json_node_get_object (mock), "result") &&
               !json_object_has_member (json_node_get_object (mock), "error")))
            {
              g_set_error (&error, CT_ERROR, CT_ERROR_INVALID_SETTING,
                           _("Your method “%s” needs {\"result\": …} or {\"error\": {\"code\": …, \"message\": …}}"),
                           (const char *) l->data);
              break;
            }
          mock_error = json_object_get_member (json_node_get_object (mock), "error");
          if (mock_error && !is_error_object (mock_error))
            {
              g_set_error (&error, CT_ERROR, CT_ERROR_INVALID_SETTING,
                           _("The error of your method “%s” needs an integer code and a message string"),
                           (const char *) l->data);
              break;
            }
          if (!is_string_or_absent (json_object_get_member (json_node_get_object (mock), "description")))
            {
              g_set_error (&error, CT_ERROR, CT_ERROR_INVALID_SETTING,
                           _("The description of your method “%s” must be a string"),
                           (const char *) l->data);
              break;
            }
        }
    }

  if (error)
    {
      ct_endpoint_report_error (CT_ENDPOINT (self), NULL, error);
      return;
    }

  g_clear_pointer (&self->mocks, json_object_unref);
  self->mocks = json_object_ref (json_node_get_object (root));
  update_catalog (self);
}

/* -- HTTP ------------------------------------------------------------------ */

/* Answers with a JSON-RPC response, or 204 when there is none (only
 * notifications); the log's metadata has the ids it answers */
static void
respond (CtHttpExchange *exchange,
         guint           status,
         JsonNode       *response)
{
  g_autofree char *text = response ? ct_json_to_string (response, FALSE) : NULL;
  g_autoptr(GBytes) body = text ? g_bytes_new_take (g_steal_pointer (&text), strlen (text)) : NULL;
  g_autofree char *summary = response ? ct_jsonrpc_describe (response)
                                      : g_strdup_printf (_("%u %s (no content: only notifications)"), status,
                                                         soup_status_get_phrase (status));

  ct_http_exchange_respond (exchange, status, "application/json", body, summary,
                            "ids", response ? ct_jsonrpc_ids_variant (response) : NULL,
                            NULL);
}

/* Every call answered: at once (still in handle_request) or later (the
 * message was paused meanwhile) */
static void
dispatched (JsonNode *response_in,
            gpointer  user_data)
{
  CtHttpExchange *exchange = user_data;
  g_autoptr(JsonNode) response = response_in;

  respond (exchange, response ? SOUP_STATUS_OK : SOUP_STATUS_NO_CONTENT, response);
  if (exchange->paused)
    ct_http_exchange_free (exchange);
}

static gboolean
is_json_content_type (SoupMessageHeaders *headers)
{
  const char *type = soup_message_headers_get_content_type (headers, NULL);

  /* No Content-Type is let through; anything else must say JSON */
  return type == NULL ||
         g_ascii_strcasecmp (type, "application/json") == 0 ||
         g_ascii_strcasecmp (type, "application/json-rpc") == 0 ||
         g_ascii_strcasecmp (type, "application/jsonrequest") == 0;
}

static void
handle_request (SoupServer        *server,
                SoupServerMessage *message,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  CtJsonRpcServer *self = user_data;
  guint max_body_size = CT_HTTP_SERVER (self)->max_body_size;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  const char *method = soup_server_message_get_method (message);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) request = NULL;
  g_autofree char *summary = NULL;
  CtHttpExchange *exchange;

  if (method == SOUP_METHOD_POST && body->length <= max_body_size && is_json_content_type (headers))
    {
      request = ct_json_parse (body->data, body->length, &error);
      summary = request ? ct_jsonrpc_describe (request) : g_strdup (error->message);
    }

  /* The request as it came */
  exchange = ct_http_exchange_begin (CT_HTTP_SERVER (self), message, summary,
                                     "ids", request ? ct_jsonrpc_ids_variant (request) : NULL,
                                     NULL);

  if (method != SOUP_METHOD_POST)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (message), "Allow", "POST");
      ct_http_exchange_refuse (exchange, SOUP_STATUS_METHOD_NOT_ALLOWED, _("JSON-RPC calls are sent with POST"));
    }
  else if (body->length > max_body_size)
    {
      g_autofree char *text = g_strdup_printf (_("The request body is over the limit of %u bytes"),
                                               max_body_size);
      ct_http_exchange_refuse (exchange, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, text);
    }
  else if (!is_json_content_type (headers))
    {
      g_autofree char *text = g_strdup_printf (_("Content-Type must be application/json, not %s"),
                                               soup_message_headers_get_one (headers, "Content-Type"));
      ct_http_exchange_refuse (exchange, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, text);
    }
  else if (request == NULL)
    {
      g_autoptr(JsonNode) response = ct_jsonrpc_error_response (NULL, CT_JSONRPC_PARSE_ERROR,
                                                                error->message, NULL);
      respond (exchange, SOUP_STATUS_OK, response);
    }
  else
    {
      ct_jsonrpc_dispatch (request, self->max_batch, lookup, self,
                           exchange->cancellable, dispatched, exchange);
      if (!exchange->responded)
        {
          /* dispatched() answers and frees it */
          ct_http_exchange_pause (exchange);
          return;
        }
    }

  ct_http_exchange_free (exchange);
}

/* An HTTP-level refusal carries a JSON-RPC error object */
static GBytes *
ct_jsonrpc_server_error_body (CtHttpServer *server,
                              guint         status,
                              const char   *message)
{
  g_autoptr(JsonNode) response = ct_jsonrpc_error_response (NULL, CT_JSONRPC_INVALID_REQUEST, message, NULL);
  char *text = ct_json_to_string (response, FALSE);

  return g_bytes_new_take (text, strlen (text));
}

/* -- start and stop -------------------------------------------------------- */

static gboolean
ct_jsonrpc_server_setup (CtHttpServer  *server,
                         SoupServer    *soup_server,
                         GError       **error)
{
  CtJsonRpcServer *self = CT_JSONRPC_SERVER (server);

  if (self->path == NULL || self->path[0] != '/')
    {
      g_set_error_literal (error, CT_ERROR, CT_ERROR_INVALID_SETTING,
                           _("The path must start with /, like /rpc"));
      return FALSE;
    }
  ct_http_server_add_handler (server, soup_server, self->path, handle_request);
  return TRUE;
}

static const char *
ct_jsonrpc_server_get_url_path (CtHttpServer *server)
{
  return CT_JSONRPC_SERVER (server)->path;
}

static void
ct_jsonrpc_server_finalize (GObject *object)
{
  CtJsonRpcServer *self = CT_JSONRPC_SERVER (object);

  g_clear_pointer (&self->mocks, json_object_unref);
  G_OBJECT_CLASS (ct_jsonrpc_server_parent_class)->finalize (object);
}

static void
ct_jsonrpc_server_constructed (GObject *object)
{
  CtJsonRpcServer *self = CT_JSONRPC_SERVER (object);

  G_OBJECT_CLASS (ct_jsonrpc_server_parent_class)->constructed (object);

  update_catalog (self);
  g_signal_connect (self, "notify::methods", G_CALLBACK (on_methods_changed), NULL);
}

static void
ct_jsonrpc_server_class_init (CtJsonRpcServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  CtEndpointClass *endpoint_class = CT_ENDPOINT_CLASS (klass);
  CtHttpServerClass *http_class = CT_HTTP_SERVER_CLASS (klass);

  object_class->constructed = ct_jsonrpc_server_constructed;
  object_class->finalize = ct_jsonrpc_server_finalize;

  endpoint_class->protocol_id = "jsonrpc";
  endpoint_class->catalog_title = N_("Methods");
  http_class->setup = ct_jsonrpc_server_setup;
  http_class->get_url_path = ct_jsonrpc_server_get_url_path;
  http_class->error_body = ct_jsonrpc_server_error_body;

  ct_http_server_class_install_settings (http_class);

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_string ("path", N_("Path"),
                         N_("The URL path that takes JSON-RPC calls (HTTP POST)"),
                         "/rpc", CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtJsonRpcServer, path));

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_uint ("max-batch", N_("Maximum batch length"),
                       N_("Calls in one batch; a longer batch is an invalid request"),
                       1, 100000, 100, CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtJsonRpcServer, max_batch));

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_string ("methods", N_("Your methods"),
                         N_("Methods of your own with a fixed answer, as JSON: {\"hello\": {\"result\": \"world\"}, "
                            "\"broken\": {\"error\": {\"code\": -32000, \"message\": \"Nope\"}}}"),
                         "", CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtJsonRpcServer, methods));
}

static void
ct_jsonrpc_server_init (CtJsonRpcServer *self)
{
}

CtEndpoint *
ct_jsonrpc_server_new (void)
{
  return g_object_new (CT_TYPE_JSONRPC_SERVER, NULL);
}
