/* ct-jsonrpc-client.c — a JSON-RPC 2.0 client over HTTP (libsoup)
 *
 * The composer line is `METHOD [PARAMS]` (params as JSON: an array or an
 * object), from which a request with the next id is built; or a whole JSON
 * request or batch starting with `{` or `[`, sent exactly as typed, so
 * invalid requests can be tried on purpose. Calls can be collected into a
 * batch and sent together. Each HTTP request is an `out` entry and its
 * response an `in` entry with the same exchange id; the response's summary
 * names the method each answer belongs to (paired by id) and the latency.
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
#include "ct-jsonrpc-client.h"
#include "ct-jsonrpc-server.h"
#include "ct-net.h"

struct _CtJsonRpcClient
{
  CtEndpoint   parent_instance;

  char        *url;
  guint        timeout;       /* seconds */
  gboolean     notification;

  SoupSession *session;
  GUri        *uri;
  JsonArray   *batch;         /* calls waiting for Send Batch */
  gint64       next_id;
  guint64      exchange;
};

G_DEFINE_FINAL_TYPE (CtJsonRpcClient, ct_jsonrpc_client, CT_TYPE_ENDPOINT)

enum {
  PROP_0,
  PROP_BATCH_LENGTH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* -- building requests ----------------------------------------------------- */

/* `METHOD [PARAMS]` → a request object with the next id (or none) */
static JsonNode *
build_call (CtJsonRpcClient  *self,
            const char       *line,
            GError          **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;
  g_autofree char *method = NULL;
  const char *rest;

  line += strspn (line, " \t");
  rest = line + strcspn (line, " \t");
  method = g_strndup (line, rest - line);
  rest += strspn (rest, " \t");

  if (*method == '\0')
    {
      g_set_error_literal (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD,
                           _("Type a method and its params, like: subtract [42, 23]"));
      return NULL;
    }

  if (*rest)
    {
      g_autoptr(GError) parse_error = NULL;

      params = ct_json_parse (rest, -1, &parse_error);
      if (params == NULL || (!JSON_NODE_HOLDS_ARRAY (params) && !JSON_NODE_HOLDS_OBJECT (params)))
        {
          g_set_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD,
                       _("Params must be a JSON array or object, like [42, 23] or {\"a\": 1}%s%s"),
                       parse_error ? ": " : "", parse_error ? parse_error->message : "");
          return NULL;
        }
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "jsonrpc");
  json_builder_add_string_value (builder, "2.0");
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, method);
  if (params)
    {
      json_builder_set_member_name (builder, "params");
      json_builder_add_value (builder, g_steal_pointer (&params));
    }
  if (!self->notification)
    {
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, ++self->next_id);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/**
 * ct_jsonrpc_client_check_line:
 *
 * Whether the composer line would make a request, and if not why; for
 * checking while the user types. Raw JSON (`{`, `[`) is always accepted.
 */
gboolean
ct_jsonrpc_client_check_line (const char  *line,
                              GError     **error)
{
  const char *start = line + strspn (line, " \t");
  const char *rest;
  g_autoptr(JsonNode) params = NULL;

  if (*start == '{' || *start == '[')
    return TRUE;

  if (*start == '\0')
    {
      g_set_error_literal (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD,
                           _("Type a method and its params, like: subtract [42, 23]"));
      return FALSE;
    }

  rest = start + strcspn (start, " \t");
  rest += strspn (rest, " \t");
  if (*rest == '\0')
    return TRUE;   /* a method without params */

  params = ct_json_parse (rest, -1, error);
  if (params && !JSON_NODE_HOLDS_ARRAY (params) && !JSON_NODE_HOLDS_OBJECT (params))
    {
      g_set_error_literal (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD,
                           _("Params must be a JSON array or object"));
      return FALSE;
    }
  return params != NULL;
}

/* -- sending ---------------------------------------------------------------- */

typedef struct
{
  CtJsonRpcClient *self;
  SoupMessage     *message;
  JsonNode        *request;   /* NULL when raw text was sent */
  guint64          exchange;
  gint64           started;
} Call;

static void
call_free (Call *call)
{
  g_object_unref (call->self);
  g_object_unref (call->message);
  g_clear_pointer (&call->request, json_node_unref);
  g_free (call);
}

/* The method of the request whose id is @id, for pairing answers */
static const char *
method_for_id (JsonNode *request,
               JsonNode *id)
{
  JsonArray *array = NULL;
  guint n = 1;

  if (request == NULL || id == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_ARRAY (request))
    {
      array = json_node_get_array (request);
      n = json_array_get_length (array);
    }

  for (guint i = 0; i < n; i++)
    {
      JsonNode *call = array ? json_array_get_element (array, i) : request;
      JsonObject *object;
      JsonNode *call_id;

      if (!JSON_NODE_HOLDS_OBJECT (call))
        continue;
      object = json_node_get_object (call);
      call_id = json_object_get_member (object, "id");
      if (call_id && json_node_equal (call_id, id))
        {
          JsonNode *method = json_object_get_member (object, "method");

          /* A raw request may hold anything */
          if (method && JSON_NODE_HOLDS_VALUE (method) && json_node_get_value_type (method) == G_TYPE_STRING)
            return json_node_get_string (method);
          return NULL;
        }
    }
  return NULL;
}

/* "subtract → result 19; sum → result 7 (1.3 ms)" */
static char *
describe_response (Call     *call,
                   JsonNode *response,
                   gint64    elapsed)
{
  g_autoptr(GString) text = g_string_new (NULL);
  JsonArray *array = NULL;
  guint n = 1;

  if (JSON_NODE_HOLDS_ARRAY (response))
    {
      array = json_node_get_array (response);
      n = json_array_get_length (array);
    }

  for (guint i = 0; i < n && i < 4; i++)
    {
      JsonNode *one = array ? json_array_get_element (array, i) : response;
      g_autofree char *described = ct_jsonrpc_describe (one);
      JsonNode *id = JSON_NODE_HOLDS_OBJECT (one) ? json_object_get_member (json_node_get_object (one), "id") : NULL;
      const char *method = method_for_id (call->request, id);

      g_string_append_printf (text, "%s%s%s%s", i ? "; " : "", method ? method : "", method ? " → " : "", described);
    }
  if (n > 4)
    g_string_append (text, "; …");
  g_string_append_printf (text, " (%.1f ms)", elapsed / 1000.0);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Call *call = user_data;
  CtEndpoint *endpoint = CT_ENDPOINT (call->self);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) response = NULL;
  g_autofree char *summary = NULL;
  gint64 elapsed = g_get_monotonic_time () - call->started;
  guint status;
  const guint8 *data = NULL;
  gsize size = 0;

  body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  if (body == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          GUri *uri = soup_message_get_uri (call->message);
          g_autofree char *url = g_uri_to_string (uri);
          g_autoptr(GError) ct_error = ct_error_from_http (error, uri, url, call->self->timeout,
                                                           soup_message_get_tls_peer_certificate_errors (call->message));

          ct_endpoint_report_error (endpoint, NULL, ct_error);
        }
      call_free (call);
      return;
    }

  status = soup_message_get_status (call->message);
  data = g_bytes_get_data (body, &size);
  if (size > 0)
    response = ct_json_parse ((const char *) data, size, NULL);

  if (response)
    summary = describe_response (call, response, elapsed);
  else if (status == SOUP_STATUS_NO_CONTENT || (status == SOUP_STATUS_OK && size == 0))
    summary = g_strdup_printf (_("%u %s: no response, as for notifications (%.1f ms)"),
                               status, soup_status_get_phrase (status), elapsed / 1000.0);
  else
    summary = g_strdup_printf ("%u %s (%.1f ms)", status, soup_message_get_reason_phrase (call->message),
                               elapsed / 1000.0);

  ct_message_log_append (ct_endpoint_get_log (endpoint), &(CtMessageFields) {
                           .direction = CT_DIRECTION_IN,
                           .peer = g_uri_get_host (call->self->uri),
                           .data = data,
                           .size = size,
                           .summary = summary,
                           .meta = ct_meta_new ("status", g_variant_new_uint32 (status),
                                                "latency-us", g_variant_new_int64 (elapsed),
                                                "ids", response ? ct_jsonrpc_ids_variant (response) : NULL,
                                                NULL),
                           .exchange = call->exchange,
                         });

  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_autoptr(GError) http_error = g_error_new (CT_ERROR, CT_ERROR_FAILED,
                                                  _("The server answered %u %s"), status,
                                                  soup_message_get_reason_phrase (call->message));
      ct_endpoint_report_error (endpoint, NULL, http_error);
    }
  else if (size > 0 && response == NULL)
    {
      g_autoptr(GError) json_error = g_error_new_literal (CT_ERROR, CT_ERROR_PROTOCOL,
                                                          _("The server's answer is not JSON"));
      ct_endpoint_report_error (endpoint, NULL, json_error);
    }

  call_free (call);
}

/* Latency counts from the moment the request is on the wire */
static void
mark_sent (Call *call)
{
  call->started = g_get_monotonic_time ();
}

/* POSTs @text; @request is its parsed form when known */
static void
post (CtJsonRpcClient *self,
      const char      *text,
      JsonNode        *request)
{
  CtEndpoint *endpoint = CT_ENDPOINT (self);
  g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));
  g_autofree char *summary = request ? ct_jsonrpc_describe (request) : NULL;
  g_autofree char *url = g_uri_to_string (self->uri);
  Call *call;

  call = g_new0 (Call, 1);
  call->self = g_object_ref (self);
  call->message = soup_message_new_from_uri (SOUP_METHOD_POST, self->uri);
  call->request = request ? json_node_ref (request) : NULL;
  call->exchange = ++self->exchange;
  soup_message_set_request_body_from_bytes (call->message, "application/json", body);

  ct_message_log_append (ct_endpoint_get_log (endpoint), &(CtMessageFields) {
                           .direction = CT_DIRECTION_OUT,
                           .peer = g_uri_get_host (self->uri),
                           .data = text,
                           .size = strlen (text),
                           .summary = summary,
                           .meta = ct_meta_new ("http", g_variant_new_string ("POST"),
                                                "url", g_variant_new_string (url),
                                                "ids", request ? ct_jsonrpc_ids_variant (request) : NULL,
                                                NULL),
                           .exchange = call->exchange,
                         });

  call->started = g_get_monotonic_time ();
  g_signal_connect_swapped (call->message, "wrote-body", G_CALLBACK (mark_sent), call);
  soup_session_send_and_read_async (self->session, call->message, G_PRIORITY_DEFAULT,
                                    ct_endpoint_get_cancellable (endpoint), send_cb, call);
}

static gboolean
ct_jsonrpc_client_send_text (CtEndpoint  *endpoint,
                             const char  *text,
                             GError     **error)
{
  CtJsonRpcClient *self = CT_JSONRPC_CLIENT (endpoint);
  const char *start = text + strspn (text, " \t");
  g_autoptr(JsonNode) request = NULL;
  g_autofree char *body = NULL;

  if (*start == '{' || *start == '[')
    {
      /* Raw: sent exactly as typed, valid or not */
      request = ct_json_parse (start, -1, NULL);
      post (self, start, request);
      return TRUE;
    }

  request = build_call (self, start, error);
  if (request == NULL)
    return FALSE;
  body = ct_json_to_string (request, FALSE);
  post (self, body, request);
  return TRUE;
}

/* -- batches --------------------------------------------------------------- */

guint
ct_jsonrpc_client_get_batch_length (CtJsonRpcClient *self)
{
  g_return_val_if_fail (CT_IS_JSONRPC_CLIENT (self), 0);
  return json_array_get_length (self->batch);
}

/**
 * ct_jsonrpc_client_add_to_batch:
 * @line: a composer line, `METHOD [PARAMS]`
 *
 * Builds the call and keeps it for ct_jsonrpc_client_send_batch().
 */
static gboolean
add_to_batch (CtJsonRpcClient  *self,
              const char       *line,
              GError          **error)
{
  g_autofree char *described = NULL;
  JsonNode *call;
  guint n;

  call = build_call (self, line, error);
  if (call == NULL)
    return FALSE;

  described = ct_jsonrpc_describe (call);
  json_array_add_element (self->batch, call);
  n = json_array_get_length (self->batch);
  ct_message_log_info (ct_endpoint_get_log (CT_ENDPOINT (self)), "batched", NULL, NULL,
                       ngettext ("Batch: %s (%u call waiting for Send Batch)",
                                 "Batch: %s (%u calls waiting for Send Batch)", n),
                       described, n);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BATCH_LENGTH]);
  return TRUE;
}

gboolean
ct_jsonrpc_client_add_to_batch (CtJsonRpcClient  *self,
                                const char       *line,
                                GError          **error)
{
  g_return_val_if_fail (CT_IS_JSONRPC_CLIENT (self), FALSE);
  return ct_endpoint_run_command (CT_ENDPOINT (self), "add-to-batch", line, error);
}

static gboolean
send_batch (CtJsonRpcClient  *self,
            GError          **error)
{
  g_autoptr(JsonNode) request = NULL;
  g_autofree char *body = NULL;

  if (json_array_get_length (self->batch) == 0)
    {
      g_set_error_literal (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD,
                           _("The batch is empty: add calls to it first"));
      return FALSE;
    }

  request = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (request, g_steal_pointer (&self->batch));
  self->batch = json_array_new ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BATCH_LENGTH]);

  body = ct_json_to_string (request, FALSE);
  post (self, body, request);
  return TRUE;
}

/* Sends the collected calls as one batch */
gboolean
ct_jsonrpc_client_send_batch (CtJsonRpcClient  *self,
                              GError          **error)
{
  g_return_val_if_fail (CT_IS_JSONRPC_CLIENT (self), FALSE);
  return ct_endpoint_run_command (CT_ENDPOINT (self), "send-batch", NULL, error);
}

static const CtEndpointCommand commands[] = {
  { "add-to-batch", N_("_Add to Batch"), N_("Keep this call for a batch instead of sending it now"), TRUE },
  { "send-batch", N_("Send _Batch"), N_("Send the collected calls as one batch"), FALSE },
  { NULL }
};

static gboolean
ct_jsonrpc_client_run_command (CtEndpoint  *endpoint,
                               const char  *name,
                               const char  *text,
                               GError     **error)
{
  CtJsonRpcClient *self = CT_JSONRPC_CLIENT (endpoint);

  if (g_str_equal (name, "add-to-batch"))
    return add_to_batch (self, text, error);
  if (g_str_equal (name, "send-batch"))
    return send_batch (self, error);

  g_set_error (error, CT_ERROR, CT_ERROR_NOT_IMPLEMENTED, _("Unknown command “%s”"), name);
  return FALSE;
}

static gboolean
ct_jsonrpc_client_check_text (CtEndpoint  *endpoint,
                              const char  *text,
                              GError     **error)
{
  return ct_jsonrpc_client_check_line (text, error);
}

/* -- start and stop ---------------------------------------------------------- */

static void
ct_jsonrpc_client_close (CtEndpoint *endpoint)
{
  CtJsonRpcClient *self = CT_JSONRPC_CLIENT (endpoint);

  if (self->session)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_pointer (&self->uri, g_uri_unref);
}

static void
ct_jsonrpc_client_start (CtEndpoint          *endpoint,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  CtJsonRpcClient *self = CT_JSONRPC_CLIENT (endpoint);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  g_task_set_source_tag (task, ct_jsonrpc_client_start);
  ct_jsonrpc_client_close (endpoint);

  uri = g_uri_parse (self->url ? self->url : "", SOUP_HTTP_URI_FLAGS, &error);
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_task_return_new_error (task, CT_ERROR, CT_ERROR_INVALID_SETTING,
                               _("“%s” is not an HTTP URL: use one like http://127.0.0.1:8080/rpc"),
                               self->url ? self->url : "");
      return;
    }

  self->uri = g_steal_pointer (&uri);
  /* Calls run side by side: libsoup's default of 2 connections per host
   * would queue them here and make a slow call look like a slow server */
  self->session = soup_session_new_with_options ("timeout", self->timeout,
                                                 "max-conns", 64,
                                                 "max-conns-per-host", 32,
                                                 "user-agent", "Crosstalk/" PACKAGE_VERSION " ",
                                                 NULL);
  ct_message_log_info (ct_endpoint_get_log (endpoint), "ready", NULL,
                       g_variant_new_parsed ("{'url': <%s>}", self->url),
                       _("Ready to call %s"), self->url);
  g_task_return_boolean (task, TRUE);
}

/* The URL of the page's own server */
static void
ct_jsonrpc_client_use_server (CtEndpoint *endpoint,
                              CtEndpoint *server)
{
  g_autofree char *path = NULL;
  g_autofree char *url = NULL;

  if (!CT_IS_JSONRPC_SERVER (server))
    return;
  g_object_get (server, "path", &path, NULL);
  url = ct_endpoint_dup_server_url (server, "http", path);
  if (url)
    g_object_set (endpoint, "url", url, NULL);
}

static void
ct_jsonrpc_client_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_BATCH_LENGTH:
      g_value_set_uint (value, ct_jsonrpc_client_get_batch_length (CT_JSONRPC_CLIENT (object)));
      break;
    default:
      /* settings are the base class's */
      G_OBJECT_CLASS (ct_jsonrpc_client_parent_class)->get_property (object, prop_id, value, pspec);
    }
}

static void
ct_jsonrpc_client_finalize (GObject *object)
{
  CtJsonRpcClient *self = CT_JSONRPC_CLIENT (object);

  g_clear_pointer (&self->batch, json_array_unref);
  G_OBJECT_CLASS (ct_jsonrpc_client_parent_class)->finalize (object);
}

static void
ct_jsonrpc_client_class_init (CtJsonRpcClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  CtEndpointClass *endpoint_class = CT_ENDPOINT_CLASS (klass);

  object_class->finalize = ct_jsonrpc_client_finalize;
  object_class->get_property = ct_jsonrpc_client_get_property;

  endpoint_class->protocol_id = "jsonrpc";
  endpoint_class->role = CT_ROLE_CLIENT;
  endpoint_class->start = ct_jsonrpc_client_start;
  endpoint_class->close = ct_jsonrpc_client_close;
  endpoint_class->send_text = ct_jsonrpc_client_send_text;
  endpoint_class->use_server = ct_jsonrpc_client_use_server;
  endpoint_class->check_text = ct_jsonrpc_client_check_text;
  endpoint_class->commands = commands;
  endpoint_class->run_command = ct_jsonrpc_client_run_command;

  properties[PROP_BATCH_LENGTH] =
    g_param_spec_uint ("batch-length", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_string ("url", N_("URL"),
                         N_("The server's JSON-RPC endpoint"),
                         "http://127.0.0.1:8080/rpc", CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtJsonRpcClient, url));

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_uint ("timeout", N_("Timeout"),
                       N_("Seconds to wait for each answer"),
                       1, 3600, 30, CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtJsonRpcClient, timeout));

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_boolean ("notification", N_("Notification"),
                          N_("Send calls without an id: the server answers nothing"),
                          FALSE, CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtJsonRpcClient, notification));
}

static void
ct_jsonrpc_client_init (CtJsonRpcClient *self)
{
  self->batch = json_array_new ();
}

CtEndpoint *
ct_jsonrpc_client_new (void)
{
  return g_object_new (CT_TYPE_JSONRPC_CLIENT, NULL);
}
