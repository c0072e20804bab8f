/* ct-http-server.c — what every libsoup server endpoint shares
 *
 * Binding and listening, the body-size limit, and the log of HTTP
 * exchanges: each request is an `in` entry and its response an `out` entry
 * with the same exchange id, both with the method and path (`http`) and the
 * headers; the response adds its `status` and the time the server took
 * (`latency-us`). Subclasses (the JSON-RPC and REST servers) add their
 * handlers in `setup` and answer through CtHttpExchange.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ct-http"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ct-error.h"
#include "ct-http-server.h"
#include "ct-web-resources.h"
#include "ct-json.h"
#include "ct-message-log-private.h"
#include "ct-net.h"

G_DEFINE_ABSTRACT_TYPE (CtHttpServer, ct_http_server, CT_TYPE_ENDPOINT)

/* -- exchanges ------------------------------------------------------------- */

/* The client's address, formatted once per connection (a keep-alive
 * connection carries many requests) and shared by their log entries */
static GRefString *
peer_of (SoupServerMessage *message)
{
  static GQuark quark;
  GSocket *socket = soup_server_message_get_socket (message);
  GRefString *peer;
  g_autofree char *text = NULL;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("ct-http-peer");

  peer = socket ? g_object_get_qdata (G_OBJECT (socket), quark) : NULL;
  if (peer)
    return g_ref_string_acquire (peer);

  text = ct_socket_address_to_string (soup_server_message_get_remote_address (message));
  peer = g_ref_string_new (text ? text : "?");
  if (socket)
    g_object_set_qdata_full (G_OBJECT (socket), quark, g_ref_string_acquire (peer),
                             (GDestroyNotify) g_ref_string_release);
  return peer;
}

/* The headers as `Name: value` lines, each ended by a newline, written
 * straight into the entry's metadata as the string @key */
static void
meta_add_headers (CtMetaBuilder      *meta,
                  const char         *key,
                  SoupMessageHeaders *headers)
{
  SoupMessageHeadersIter iter;
  const char *name, *value;

  ct_meta_builder_begin_string (meta, key);
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      ct_meta_builder_append (meta, name, -1);
      ct_meta_builder_append (meta, ": ", 2);
      ct_meta_builder_append (meta, value, -1);
      ct_meta_builder_append (meta, "\n", 1);
    }
  ct_meta_builder_end_string (meta);
}

/**
 * ct_http_format_headers:
 *
 * Returns: (transfer full): the headers as `Name: value` lines, each ended
 *   by a newline, as the log's metadata holds them
 */
char *
ct_http_format_headers (SoupMessageHeaders *headers)
{
  GString *text = g_string_sized_new (256);
  SoupMessageHeadersIter iter;
  const char *name, *value;

  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      g_string_append (text, name);
      g_string_append (text, ": ");
      g_string_append (text, value);
      g_string_append_c (text, '\n');
    }
  return g_string_free (text, FALSE);
}

/* Copies @n strings end to end into @buffer when they fit with their NUL
 * (a request or status line nearly always does), else into @heap, which
 * the caller frees: no printf per request */
static const char *
join (char        *buffer,
      gsize        buffer_size,
      char       **heap,
      guint        n,
      const char **parts)
{
  gsize length = 0;
  char *out;

  for (guint i = 0; i < n; i++)
    length += strlen (parts[i]);
  out = length < buffer_size ? buffer : (*heap = g_malloc (length + 1));
  for (guint i = 0; i < n; i++)
    out = g_stpcpy (out, parts[i]);
  return length < buffer_size ? buffer : *heap;
}

/* `GET /api/tasks?q=milk` */
static const char *
format_request_line (SoupServerMessage *message,
                     char              *buffer,
                     gsize              buffer_size,
                     char             **heap)
{
  GUri *uri = soup_server_message_get_uri (message);
  const char *query = g_uri_get_query (uri);
  const char *parts[] = {
    soup_server_message_get_method (message), " ", g_uri_get_path (uri), query ? "?" : "", query ? query : ""
  };

  return join (buffer, buffer_size, heap, G_N_ELEMENTS (parts), parts);
}

/* `200 OK` */
static const char *
format_status_line (guint  status,
                    char  *buffer,
                    gsize  buffer_size,
                    char **heap)
{
  char number[16], *digits = number + sizeof number;
  const char *parts[] = { NULL, " ", soup_status_get_phrase (status) };

  *--digits = '\0';
  do
    *--digits = '0' + status % 10;
  while ((status /= 10) > 0);
  parts[0] = digits;
  return join (buffer, buffer_size, heap, G_N_ELEMENTS (parts), parts);
}

/**
 * ct_http_exchange_begin:
 * @summary: (nullable): the `in` entry's summary; the request line when
 *   %NULL
 * @...: more metadata for the entry, keys and values as for ct_meta_new(),
 *   ended by %NULL
 *
 * Logs a request as an `in` entry (its body, when within `max-body-size`)
 * and returns the exchange that answers it.
 *
 * Returns: (transfer full): the exchange; free it with
 *   ct_http_exchange_free() once answered or paused
 */
CtHttpExchange *
ct_http_exchange_begin (CtHttpServer      *server,
                        SoupServerMessage *message,
                        const char        *summary,
                        ...)
{
  CtHttpExchange *exchange = g_new0 (CtHttpExchange, 1);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  const char *content_type = soup_message_headers_get_one (headers, "Content-Type");
  char line_buffer[256];
  g_autofree char *line_heap = NULL;
  const char *request_line = format_request_line (message, line_buffer, sizeof line_buffer, &line_heap);
  g_autoptr(GBytes) bytes = NULL;
  CtMetaBuilder meta = { 0 };
  const char *first_key;
  va_list ap;

  exchange->server = g_object_ref (server);
  exchange->message = g_object_ref (message);
  exchange->peer = peer_of (message);
  exchange->id = ++server->exchange;
  exchange->started = g_get_monotonic_time ();
  exchange->cancellable = g_object_ref (ct_endpoint_get_cancellable (CT_ENDPOINT (server)));

  /* The body as libsoup keeps it (flattening a complete body once is what
   * its own getters do): the entry shares it instead of copying it */
  if (body->length > 0 && body->length <= server->max_body_size)
    bytes = soup_message_body_flatten (body);

  ct_meta_builder_add_string (&meta, "http", request_line);
  meta_add_headers (&meta, "headers", headers);
  ct_meta_builder_add_string (&meta, "content-type", content_type);
  va_start (ap, summary);
  first_key = va_arg (ap, const char *);
  ct_meta_builder_add_valist (&meta, first_key, ap);
  va_end (ap);

  ct_message_log_append_built (ct_endpoint_get_log (CT_ENDPOINT (server)), &(CtMessageFields) {
                                 .direction = CT_DIRECTION_IN,
                                 .peer = exchange->peer,
                                 .peer_is_ref = TRUE,
                                 .bytes = bytes,
                                 .summary = summary ? summary : request_line,
                                 .exchange = exchange->id,
                               }, &meta);
  return exchange;
}

/**
 * ct_http_exchange_is_gone:
 *
 * Whether the server stopped since the request came in: its connection is
 * closed, and the message must not be answered.
 */
gboolean
ct_http_exchange_is_gone (CtHttpExchange *exchange)
{
  return g_cancellable_is_cancelled (exchange->cancellable);
}

/* libsoup (3.2 and later) drops the Content-Length of a 204 as it writes
 * the headers, then takes the response for one read to EOF and closes the
 * connection, without saying so: a client that sends its next request on
 * it meanwhile gets a reset. The headers are out: say the (empty) body had
 * a length, and the connection is kept. */
static void
keep_alive_after_no_content (SoupServerMessage *message)
{
  soup_message_headers_set_encoding (soup_server_message_get_response_headers (message),
                                     SOUP_ENCODING_CONTENT_LENGTH);
}

/**
 * ct_http_exchange_respond:
 * @content_type: (nullable): of @body
 * @body: (nullable): the response body
 * @summary: (nullable): the `out` entry's summary; the status line when
 *   %NULL
 * @...: more metadata for the entry, keys and values as for ct_meta_new(),
 *   ended by %NULL
 *
 * Sets the response, logs it as the `out` entry of the exchange, and
 * resumes a paused message. Does nothing once the server has stopped.
 */
void
ct_http_exchange_respond (CtHttpExchange *exchange,
                          guint           status,
                          const char     *content_type,
                          GBytes         *body,
                          const char     *summary,
                          ...)
{
  SoupServerMessage *message = exchange->message;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (message);
  gboolean head = soup_server_message_get_method (message) == SOUP_METHOD_HEAD;
  char status_buffer[64];
  g_autofree char *status_heap = NULL;
  CtMetaBuilder meta = { 0 };
  const char *first_key;
  va_list ap;

  g_return_if_fail (!exchange->responded);

  exchange->responded = TRUE;
  if (ct_http_exchange_is_gone (exchange))
    return;

  soup_server_message_set_status (message, status, NULL);
  if (status == SOUP_STATUS_NO_CONTENT)
    g_signal_connect (message, "wrote-headers", G_CALLBACK (keep_alive_after_no_content), NULL);
  if (body)
    {
      if (content_type)
        soup_message_headers_replace (headers, "Content-Type", content_type);
      soup_message_body_append_bytes (soup_server_message_get_response_body (message), body);
    }

  if (summary == NULL)
    summary = format_status_line (status, status_buffer, sizeof status_buffer, &status_heap);

  ct_meta_builder_add_uint32 (&meta, "status", status);
  ct_meta_builder_add_int64 (&meta, "latency-us", g_get_monotonic_time () - exchange->started);
  meta_add_headers (&meta, "headers", headers);
  va_start (ap, summary);
  first_key = va_arg (ap, const char *);
  ct_meta_builder_add_valist (&meta, first_key, ap);
  va_end (ap);

  /* The entry shares the body (often the store's cached bytes of a task)
   * rather than copying it; a response to HEAD says how long the body
   * would be, and sends none */
  ct_message_log_append_built (ct_endpoint_get_log (CT_ENDPOINT (exchange->server)), &(CtMessageFields) {
                                 .direction = CT_DIRECTION_OUT,
                                 .peer = exchange->peer,
                                 .peer_is_ref = TRUE,
                                 .bytes = head ? NULL : body,
                                 .summary = summary,
                                 .exchange = exchange->id,
                               }, &meta);

  if (exchange->paused)
    soup_server_message_unpause (message);
}

/**
 * ct_http_exchange_respond_page:
 * @file: a file of the web pages' GResource (`src/core/web/`)
 * @content_type: its Content-Type
 * @csp: the Content-Security-Policy it is served under
 *
 * Answers with one of the pages the servers serve (the REST page, the web
 * chat), compiled into the core.
 */
void
ct_http_exchange_respond_page (CtHttpExchange *exchange,
                               const char     *file,
                               const char     *content_type,
                               const char     *csp)
{
  g_autofree char *resource = g_strconcat ("/io/github/crosstalk/Crosstalk/web/", file, NULL);
  g_autoptr(GBytes) body = g_resource_lookup_data (ct_web_get_resource (), resource,
                                                   G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);

  g_assert (body != NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (exchange->message),
                                "Content-Security-Policy", csp);
  ct_http_exchange_respond (exchange, SOUP_STATUS_OK, content_type, body, NULL, NULL);
}

/**
 * ct_http_exchange_refuse:
 *
 * Answers with an HTTP error: @status, and the server's error body (JSON)
 * carrying @message, which is also the log's summary.
 */
void
ct_http_exchange_refuse (CtHttpExchange *exchange,
                         guint           status,
                         const char     *message)
{
  CtHttpServer *self = exchange->server;
  g_autoptr(GBytes) body = CT_HTTP_SERVER_GET_CLASS (self)->error_body (self, status, message);
  g_autofree char *summary = g_strdup_printf ("%u %s: %s", status, soup_status_get_phrase (status), message);

  ct_http_exchange_respond (exchange, status, "application/json", body, summary, NULL);
}

/**
 * ct_http_exchange_pause:
 *
 * For a handler that answers later: the message waits, and
 * ct_http_exchange_respond() resumes it. The exchange then outlives the
 * handler, which must not free it.
 */
void
ct_http_exchange_pause (CtHttpExchange *exchange)
{
  g_return_if_fail (!exchange->responded && !exchange->paused);

  exchange->paused = TRUE;
  soup_server_message_pause (exchange->message);
}

void
ct_http_exchange_free (CtHttpExchange *exchange)
{
  g_object_unref (exchange->server);
  g_object_unref (exchange->message);
  g_ref_string_release (exchange->peer);
  g_object_unref (exchange->cancellable);
  g_free (exchange);
}

/* -- the body-size limit ---------------------------------------------------- */

/* A body announced over the limit is refused before it is read; one sent
 * in chunks is checked by the handlers once it is in */
static void
early_handler (SoupServer        *soup_server,
               SoupServerMessage *message,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  CtHttpServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  goffset length = soup_message_headers_get_content_length (headers);
  g_autofree char *text = NULL;
  g_autoptr(CtHttpExchange) exchange = NULL;

  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH ||
      length <= (goffset) self->max_body_size)
    return;

  text = g_strdup_printf (_("The request body is over the limit of %u bytes"), self->max_body_size);
  exchange = ct_http_exchange_begin (self, message, text,
                                     "content-length", g_variant_new_int64 (length),
                                     NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (message), "Connection", "close");
  ct_http_exchange_refuse (exchange, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, text);
}

/* Anything no subclass handler takes */
static void
not_found_handler (SoupServer        *soup_server,
                   SoupServerMessage *message,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  g_autoptr(CtHttpExchange) exchange = ct_http_exchange_begin (user_data, message, NULL, NULL);
  g_autofree char *text = g_strdup_printf (_("Nothing here: %s"), path);

  ct_http_exchange_refuse (exchange, SOUP_STATUS_NOT_FOUND, text);
}

/**
 * ct_http_server_add_handler:
 *
 * For a subclass's setup: @callback answers requests for @path and the
 * paths under it, with the body-size limit applied before it is called.
 * (libsoup looks up an early handler by the same path as the handler, so
 * the two are added together.)
 */
void
ct_http_server_add_handler (CtHttpServer      *self,
                            SoupServer        *soup_server,
                            const char        *path,
                            SoupServerCallback callback)
{
  soup_server_add_early_handler (soup_server, path, early_handler, self, NULL);
  soup_server_add_handler (soup_server, path, callback, self, NULL);
}

/* -- start and stop -------------------------------------------------------- */

static void
ct_http_server_close (CtEndpoint *endpoint)
{
  CtHttpServer *self = CT_HTTP_SERVER (endpoint);

  if (self->server)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
}

/* The host and port settings resolved: listen */
static void
ct_http_server_start_at (CtEndpoint     *endpoint,
                         GSocketAddress *address,
                         GTask          *task)
{
  CtHttpServer *self = CT_HTTP_SERVER (endpoint);
  CtHttpServerClass *klass = CT_HTTP_SERVER_GET_CLASS (self);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupServer) server = NULL;
  g_autofree char *url = NULL;
  GSList *listeners;
  GVariantDict meta;

  server = soup_server_new ("server-header", "Crosstalk/" PACKAGE_VERSION " ", NULL);
  ct_http_server_add_handler (self, server, NULL, not_found_handler);
  if (!klass->setup (self, server, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!soup_server_listen (server, address, 0, &error))
    {
      g_task_return_error (task, ct_error_from_socket (error, address));
      return;
    }

  listeners = soup_server_get_listeners (server);
  bound = listeners ? g_socket_get_local_address (listeners->data, NULL) : NULL;
  g_slist_free (listeners);
  if (bound == NULL)
    bound = g_object_ref (address);

  self->server = g_steal_pointer (&server);
  ct_endpoint_set_socket_address (endpoint, bound);

  url = g_strdup_printf ("http://%s%s", ct_endpoint_get_address (endpoint), klass->get_url_path (self));
  g_variant_dict_init (&meta, ct_net_address_meta (bound));
  g_variant_dict_insert (&meta, "url", "s", url);
  ct_message_log_info (ct_endpoint_get_log (endpoint), "listening", NULL, g_variant_dict_end (&meta),
                       _("Listening on %s"), url);
  if (klass->listening)
    klass->listening (self);
  g_task_return_boolean (task, TRUE);
}

static const char *
ct_http_server_real_get_url_path (CtHttpServer *self)
{
  return "/";
}

static GBytes *
ct_http_server_real_error_body (CtHttpServer *self,
                                guint         status,
                                const char   *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  char *text;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_int_value (builder, status);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = ct_json_to_string (root, FALSE);
  return g_bytes_new_take (text, strlen (text));
}

static void
ct_http_server_class_init (CtHttpServerClass *klass)
{
  CtEndpointClass *endpoint_class = CT_ENDPOINT_CLASS (klass);

  endpoint_class->role = CT_ROLE_SERVER;
  endpoint_class->start_at = ct_http_server_start_at;
  endpoint_class->close = ct_http_server_close;

  klass->get_url_path = ct_http_server_real_get_url_path;
  klass->error_body = ct_http_server_real_error_body;
}

static void
ct_http_server_init (CtHttpServer *self)
{
}

/**
 * ct_http_server_class_install_settings:
 *
 * Installs `host`, `port` and `max-body-size` on a subclass; set its
 * protocol_id first (the default port is the registry's).
 */
void
ct_http_server_class_install_settings (CtHttpServerClass *klass)
{
  CtEndpointClass *endpoint_class = CT_ENDPOINT_CLASS (klass);

  ct_endpoint_class_install_address (endpoint_class,
                                     G_STRUCT_OFFSET (CtHttpServer, host),
                                     G_STRUCT_OFFSET (CtHttpServer, port));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_uint ("max-body-size", N_("Maximum request size"),
                       N_("Bytes in one HTTP request body; a larger one is answered 413"),
                       1, G_MAXINT32, 1024 * 1024, CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtHttpServer, max_body_size));
}
