/* ct-chat-client.c — a WebSocket client that shows every frame, and speaks
 * the chat format to a Crosstalk chat server
 *
 * Any ws:// or wss:// server: the handshake (with subprotocols and extra
 * headers), then every frame in the log — open, each message in and out,
 * text or binary, pongs, and the close with its code and reason.
 *
 * Chat mode (docs/protocols/chat.md): when the server's first frame is a
 * Crosstalk welcome (or `chat-mode` is `on`), the client joins with its
 * nickname, wraps what the composer sends in `message` frames, and keeps
 * who is online as its catalog. Starting waits for that first frame (a
 * short while: a plain server may say nothing) and for the join's answer,
 * so a nickname that is taken fails the start with the server's reason,
 * and lines sent once it runs are never sent before the join.
 *
 * When the server closes the connection the client stops by itself; when
 * the connection is lost it fails, saying so.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ct-chat"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "ct-catalog-item.h"
#include "ct-chat.h"
#include "ct-chat-client.h"
#include "ct-enums.h"
#include "ct-error.h"
#include "ct-http-client.h"
#include "ct-net.h"
#include "ct-payload.h"

#define CLOSE_NORMAL 1000

struct _CtChatClient
{
  CtEndpoint               parent_instance;

  char                    *url;
  char                    *nick;
  CtChatMode               chat_mode;
  char                    *protocols;
  char                    *headers;
  CtPayloadFormat          format;
  guint                    keepalive;
  guint                    max_frame;
  gboolean                 verify_tls;

  SoupSession             *session;
  SoupWebsocketConnection *ws;
  char                    *peer;         /* GRefString: host:port of the URL */
  GTask                   *start_task;   /* until the welcome and the join are answered */
  guint                    start_timeout;
  gboolean                 chatting;
  gboolean                 joined;
  char                    *joined_as;    /* the nickname the server confirmed */
  gboolean                 closing;      /* we closed first */
};

G_DEFINE_FINAL_TYPE (CtChatClient, ct_chat_client, CT_TYPE_ENDPOINT)

static CtMessageLog *
client_log (CtChatClient *self)
{
  return ct_endpoint_get_log (CT_ENDPOINT (self));
}

static void
log_frame (CtChatClient *self,
           CtDirection   direction,
           const char   *event,
           gconstpointer data,
           gsize         size,
           const char   *summary,
           GVariant     *meta)
{
  ct_message_log_append (client_log (self), &(CtMessageFields) {
                           .direction = direction,
                           .peer = self->peer,
                           .peer_is_ref = TRUE,
                           .event = event,
                           .data = data,
                           .size = size,
                           .summary = summary,
                           .meta = meta,
                         });
}

/* -- chat mode ------------------------------------------------------------------ */

static void
set_users (CtChatClient *self,
           JsonObject   *frame)
{
  JsonArray *users = ct_chat_get_array (frame, "users");
  GListStore *catalog = G_LIST_STORE (ct_endpoint_get_catalog (CT_ENDPOINT (self)));
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  if (users == NULL)
    return;
  for (guint i = 0; i < json_array_get_length (users); i++)
    {
      JsonNode *node = json_array_get_element (users, i);
      const char *nick = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
                         ? json_node_get_string (node) : NULL;
      gboolean me = nick && g_strcmp0 (nick, self->joined_as) == 0;

      if (nick)
        g_ptr_array_add (items, ct_catalog_item_new (nick, "", me ? _("you") : ""));
    }
  g_list_store_splice (catalog, 0, g_list_model_get_n_items (G_LIST_MODEL (catalog)),
                       items->pdata, items->len);
}

static void
finish_start (CtChatClient *self,
              GError       *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->start_task);

  g_clear_handle_id (&self->start_timeout, g_source_remove);
  if (task == NULL)
    return;
  if (error)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
start_timed_out (gpointer data)
{
  CtChatClient *self = data;

  self->start_timeout = 0;
  if (self->chatting && self->nick && *self->nick && !self->joined)
    finish_start (self, g_error_new (CT_ERROR, CT_ERROR_TIMED_OUT,
                                     _("The chat server did not answer the join as “%s” within %d ms"),
                                     self->nick, CT_CHAT_CLIENT_JOIN_TIMEOUT_MS));
  else
    finish_start (self, NULL);
  return G_SOURCE_REMOVE;
}

static void
send_frame (CtChatClient *self,
            const char   *frame,
            const char   *summary)
{
  soup_websocket_connection_send_text (self->ws, frame);
  log_frame (self, CT_DIRECTION_OUT, "message", frame, strlen (frame), summary,
             ct_meta_new ("frame", g_variant_new_string ("text"), NULL));
}

static void
begin_chat (CtChatClient *self)
{
  g_autofree char *join = NULL;
  g_autofree char *summary = NULL;

  self->chatting = TRUE;
  if (self->nick == NULL || *self->nick == '\0')
    return finish_start (self, NULL);

  join = ct_chat_join_new (self->nick);
  summary = g_strdup_printf (_("Joining as %s"), self->nick);
  send_frame (self, join, summary);
  if (self->start_task)
    {
      g_clear_handle_id (&self->start_timeout, g_source_remove);
      self->start_timeout = g_timeout_add (CT_CHAT_CLIENT_JOIN_TIMEOUT_MS, start_timed_out, self);
    }
}

/* What a chat frame changes: the user list, our join, a refusal */
static void
read_chat_frame (CtChatClient *self,
                 CtChatType    type,
                 JsonObject   *frame)
{
  switch (type)
    {
    case CT_CHAT_WELCOME:
    case CT_CHAT_LEAVE:
      set_users (self, frame);
      break;

    case CT_CHAT_JOIN:
      if (ct_chat_get_true (frame, "you"))
        {
          self->joined = TRUE;
          g_free (self->joined_as);
          self->joined_as = g_strdup (ct_chat_get_string (frame, "nick", NULL));
        }
      set_users (self, frame);
      if (self->joined)
        finish_start (self, NULL);
      break;

    case CT_CHAT_ERROR:
      {
        g_autoptr(GError) error = g_error_new (CT_ERROR, CT_ERROR_PROTOCOL, _("The chat server refused: %s"),
                                               ct_chat_get_string (frame, "message", "?"));

        if (self->start_task && !self->joined)
          {
            /* A nickname refused: the start fails with the reason */
            finish_start (self, g_steal_pointer (&error));
            self->closing = TRUE;
            soup_websocket_connection_close (self->ws, CLOSE_NORMAL, NULL);
          }
        else
          ct_endpoint_report_error (CT_ENDPOINT (self), self->peer, error);
      }
      break;

    case CT_CHAT_MESSAGE:
    case CT_CHAT_NOTICE:
    case CT_CHAT_TEXT:
    case CT_CHAT_UNKNOWN:
    default:
      break;
    }
}

/* -- the connection ---------------------------------------------------------------- */

static void
on_message (SoupWebsocketConnection *ws,
            int                      type,
            GBytes                  *message,
            gpointer                 data)
{
  CtChatClient *self = data;
  gsize size;
  const char *text = g_bytes_get_data (message, &size);
  g_autoptr(JsonObject) frame = NULL;
  g_autofree char *summary = NULL;
  CtChatType chat_type = CT_CHAT_TEXT;
  gboolean chat;
  CtMetaBuilder b = { 0 };

  if (type == SOUP_WEBSOCKET_DATA_BINARY)
    {
      ct_meta_builder_add_string (&b, "frame", "binary");
      log_frame (self, CT_DIRECTION_IN, "message", text, size, NULL, ct_meta_builder_end (&b));
      if (self->start_task && self->chat_mode == CT_CHAT_MODE_AUTO && !self->chatting)
        finish_start (self, NULL);
      return;
    }

  if (self->chat_mode != CT_CHAT_MODE_OFF)
    chat_type = ct_chat_parse (text, size, &frame);
  chat = self->chatting || (self->start_task && chat_type == CT_CHAT_WELCOME &&
                            (self->chat_mode == CT_CHAT_MODE_ON ||
                             g_strcmp0 (ct_chat_get_string (frame, "server", NULL), "Crosstalk") == 0));

  ct_meta_builder_add_string (&b, "frame", "text");
  if (chat)
    {
      ct_meta_builder_add_string (&b, "type", ct_chat_type_to_string (chat_type));
      if (frame)
        summary = ct_chat_describe (chat_type, frame, NULL);
    }
  log_frame (self, CT_DIRECTION_IN, "message", text, size, summary, ct_meta_builder_end (&b));

  if (chat && frame)
    read_chat_frame (self, chat_type, frame);
  /* The first frame tells what the server is */
  if (self->start_task && !self->chatting)
    {
      if (chat)
        begin_chat (self);
      else if (self->chat_mode == CT_CHAT_MODE_AUTO)
        finish_start (self, NULL);
    }
}

static void
on_pong (SoupWebsocketConnection *ws,
         GBytes                  *message,
         gpointer                 data)
{
  CtChatClient *self = data;
  gsize size;
  gconstpointer bytes = g_bytes_get_data (message, &size);

  log_frame (self, CT_DIRECTION_IN, "pong", bytes, size, _("Pong"), NULL);
}

static void
on_error (SoupWebsocketConnection *ws,
          GError                  *error,
          gpointer                 data)
{
  CtChatClient *self = data;
  gushort code = soup_websocket_connection_get_close_code (ws);

  /* libsoup 3.2 cannot answer a close with 1012, 1013 or 1014 (registered
   * since RFC 6455: service restart, try again later, bad gateway) and
   * reports a protocol error of its own instead: the server did nothing
   * wrong, and the close entry says what it sent */
  if (g_error_matches (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR) &&
      code >= 1012 && code <= 1014)
    return;
  ct_message_log_error (client_log (self), self->peer, error);
}

static void
on_closed (SoupWebsocketConnection *ws,
           gpointer                 data)
{
  CtChatClient *self = data;
  gushort code = soup_websocket_connection_get_close_code (ws);
  const char *reason = soup_websocket_connection_get_close_data (ws);
  g_autofree char *summary = NULL;
  CtMetaBuilder b = { 0 };

  if (code == 0)
    summary = g_strdup (_("The connection was lost without a close frame"));
  else
    summary = g_strdup_printf (self->closing ? _("Closed (%u) by this client") : _("Closed (%u) by the server"),
                               code);
  if (code)
    ct_meta_builder_add_uint32 (&b, "code", code);
  ct_meta_builder_add_string (&b, "reason", reason ? reason : "");
  ct_meta_builder_add_string (&b, "by", self->closing ? "client" : "server");
  log_frame (self, CT_DIRECTION_INFO, "close", reason, reason ? strlen (reason) : 0, summary,
             ct_meta_builder_end (&b));

  if (self->start_task)
    {
      finish_start (self, g_error_new (CT_ERROR, CT_ERROR_CONNECTION_RESET,
                                       _("The server closed the connection at once (%u%s%s)"),
                                       code, reason && *reason ? ": " : "", reason ? reason : ""));
      return;
    }
  if (ct_endpoint_get_state (CT_ENDPOINT (self)) != CT_STATE_RUNNING)
    return;
  if (code == 0)
    {
      g_autoptr(GError) error = g_error_new (CT_ERROR, CT_ERROR_CONNECTION_RESET,
                                             _("The connection to %s was lost"), self->url);

      ct_endpoint_fail (CT_ENDPOINT (self), error);
    }
  else
    ct_endpoint_stop_async (CT_ENDPOINT (self), NULL, NULL);
}

static void
connected (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  g_autoptr(GTask) task = data;
  CtChatClient *self = g_task_get_source_object (task);
  SoupMessage *message = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) ours = NULL;
  g_autoptr(SoupWebsocketConnection) ws = NULL;
  const char *protocol;
  CtMetaBuilder b = { 0 };

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (ws == NULL)
    {
      guint status = soup_message_get_status (message);

      if (g_task_return_error_if_cancelled (task))
        return;
      if (status >= 100 && status != SOUP_STATUS_SWITCHING_PROTOCOLS)
        ours = g_error_new (CT_ERROR, CT_ERROR_PROTOCOL,
                            _("%s answered HTTP %u %s instead of switching to WebSocket: is it a WebSocket endpoint?"),
                            self->url, status, soup_message_get_reason_phrase (message));
      else
        ours = ct_error_from_http (error, soup_message_get_uri (message), NULL, 0,
                                   soup_message_get_tls_peer_certificate_errors (message));
      g_task_return_error (task, g_steal_pointer (&ours));
      return;
    }

  self->ws = g_steal_pointer (&ws);
  soup_websocket_connection_set_max_incoming_payload_size (self->ws, self->max_frame);
  soup_websocket_connection_set_keepalive_interval (self->ws, self->keepalive);
  g_signal_connect (self->ws, "message", G_CALLBACK (on_message), self);
  g_signal_connect (self->ws, "pong", G_CALLBACK (on_pong), self);
  g_signal_connect (self->ws, "error", G_CALLBACK (on_error), self);
  g_signal_connect (self->ws, "closed", G_CALLBACK (on_closed), self);

  /* The client's first entry is "ready", as scripts expect: the opening */
  protocol = soup_websocket_connection_get_protocol (self->ws);
  ct_meta_builder_add_string (&b, "url", self->url);
  if (protocol)
    ct_meta_builder_add_string (&b, "protocol", protocol);
  ct_message_log_info (client_log (self), "ready", self->peer, ct_meta_builder_end (&b),
                       protocol ? _("WebSocket open to %s (subprotocol %s)") : _("WebSocket open to %s%s"),
                       self->url, protocol ? protocol : "");

  if (self->chat_mode == CT_CHAT_MODE_OFF)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  /* Wait for the first frame: a Crosstalk chat server's welcome */
  self->start_task = g_steal_pointer (&task);
  self->start_timeout = g_timeout_add (CT_CHAT_CLIENT_WELCOME_TIMEOUT_MS, start_timed_out, self);
}

static gboolean
accept_certificate (SoupMessage          *message,
                    GTlsCertificate      *certificate,
                    GTlsCertificateFlags  errors,
                    gpointer              data)
{
  CtChatClient *self = data;

  return !self->verify_tls;
}

static GUri *
parse_url (const char  *url,
           GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url ? url : "", SOUP_HTTP_URI_FLAGS, NULL);
  const char *scheme = uri ? g_uri_get_scheme (uri) : NULL;

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      (g_strcmp0 (scheme, "ws") != 0 && g_strcmp0 (scheme, "wss") != 0))
    {
      g_set_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING,
                   _("“%s” is not a WebSocket URL: it should look like ws://127.0.0.1:8765/chat or wss://…"),
                   url ? url : "");
      return NULL;
    }
  return g_steal_pointer (&uri);
}

static char **
parse_protocols (const char  *text,
                 GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text ? text : "", ",", -1);
  g_autoptr(GStrvBuilder) protocols = g_strv_builder_new ();

  for (guint i = 0; parts[i]; i++)
    {
      char *name = g_strstrip (parts[i]);

      if (*name == '\0')
        continue;
      for (const char *p = name; *p; p++)
        if (!g_ascii_isgraph (*p) || strchr ("()<>@,;:\\\"/[]?={}", *p))
          {
            g_set_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING,
                         _("“%s” cannot be a subprotocol name: use letters, digits and .-_ only"), name);
            return NULL;
          }
      g_strv_builder_add (protocols, name);
    }
  return g_strv_builder_end (protocols);
}

static void
ct_chat_client_close (CtEndpoint *endpoint)
{
  CtChatClient *self = CT_CHAT_CLIENT (endpoint);

  g_clear_handle_id (&self->start_timeout, g_source_remove);
  if (self->start_task)
    finish_start (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Stopped while connecting")));
  if (self->ws)
    {
      g_signal_handlers_disconnect_matched (self->ws, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
      if (soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        {
          CtMetaBuilder b = { 0 };

          soup_websocket_connection_close (self->ws, CLOSE_NORMAL, NULL);
          ct_meta_builder_add_uint32 (&b, "code", CLOSE_NORMAL);
          ct_meta_builder_add_string (&b, "reason", "");
          ct_meta_builder_add_string (&b, "by", "client");
          log_frame (self, CT_DIRECTION_INFO, "close", NULL, 0, _("Closed (1000) by this client"),
                     ct_meta_builder_end (&b));
        }
    }
  g_clear_object (&self->ws);
  g_clear_object (&self->session);
  g_list_store_remove_all (G_LIST_STORE (ct_endpoint_get_catalog (endpoint)));
  self->chatting = self->joined = self->closing = FALSE;
  g_clear_pointer (&self->joined_as, g_free);
}

static void
ct_chat_client_start (CtEndpoint          *endpoint,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  CtChatClient *self = CT_CHAT_CLIENT (endpoint);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GPtrArray) headers = NULL;
  g_auto(GStrv) protocols = NULL;
  g_autofree char *peer = NULL;
  SoupMessage *message;

  g_task_set_source_tag (task, ct_chat_client_start);
  ct_chat_client_close (endpoint);

  uri = parse_url (self->url, &error);
  if (uri && (headers = ct_http_parse_headers (self->headers, &error)) != NULL)
    protocols = parse_protocols (self->protocols, &error);
  if (protocols == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  peer = ct_net_uri_peer (uri);
  g_clear_pointer (&self->peer, g_ref_string_release);
  self->peer = g_ref_string_new (peer);

  self->session = soup_session_new_with_options ("user-agent", "Crosstalk/" PACKAGE_VERSION " ", NULL);
  message = soup_message_new_from_uri (SOUP_METHOD_GET, uri);
  for (guint i = 0; i < headers->len; i++)
    {
      CtHttpHeader *header = g_ptr_array_index (headers, i);

      soup_message_headers_replace (soup_message_get_request_headers (message), header->name, header->value);
    }
  g_signal_connect (message, "accept-certificate", G_CALLBACK (accept_certificate), self);
  g_task_set_task_data (task, message, g_object_unref);

  soup_session_websocket_connect_async (self->session, message, NULL,
                                        protocols[0] ? protocols : NULL,
                                        G_PRIORITY_DEFAULT, cancellable,
                                        connected, g_object_ref (task));
}

/* The composer: a chat message in chat mode, else a text frame (or a binary
 * one from hex) */
static gboolean
ct_chat_client_send_text (CtEndpoint  *endpoint,
                          const char  *text,
                          GError     **error)
{
  CtChatClient *self = CT_CHAT_CLIENT (endpoint);
  g_autoptr(GBytes) payload = NULL;
  g_autofree char *frame = NULL;
  gsize size;
  gconstpointer data;

  if (self->ws == NULL || soup_websocket_connection_get_state (self->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    {
      g_set_error_literal (error, CT_ERROR, CT_ERROR_NOT_RUNNING, _("The connection is closing"));
      return FALSE;
    }

  payload = ct_payload_parse (text, self->format, error);
  if (payload == NULL)
    return FALSE;
  data = g_bytes_get_data (payload, &size);

  if (self->format == CT_PAYLOAD_FORMAT_HEX)
    {
      soup_websocket_connection_send_binary (self->ws, data, size);
      log_frame (self, CT_DIRECTION_OUT, "message", data, size, NULL,
                 ct_meta_new ("frame", g_variant_new_string ("binary"), NULL));
      return TRUE;
    }
  if (self->chatting)
    {
      if (*text == '\0')
        {
          g_set_error_literal (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD, _("Type a message to send"));
          return FALSE;
        }
      frame = ct_chat_message_new (text);
      send_frame (self, frame, text);
      return TRUE;
    }
  send_frame (self, text, NULL);
  return TRUE;
}

/* The URL of the page's own chat server */
static void
ct_chat_client_use_server (CtEndpoint *endpoint,
                           CtEndpoint *server)
{
  g_autofree char *path = NULL;
  g_autofree char *url = NULL;

  if (g_strcmp0 (ct_endpoint_get_protocol_id (server), "chat") != 0 ||
      ct_endpoint_get_role (server) != CT_ROLE_SERVER)
    return;
  g_object_get (server, "path", &path, NULL);
  url = ct_endpoint_dup_server_url (server, "ws", path);
  if (url)
    g_object_set (endpoint, "url", url, NULL);
}

static void
ct_chat_client_dispose (GObject *object)
{
  ct_chat_client_close (CT_ENDPOINT (object));
  G_OBJECT_CLASS (ct_chat_client_parent_class)->dispose (object);
}

static void
ct_chat_client_finalize (GObject *object)
{
  CtChatClient *self = CT_CHAT_CLIENT (object);

  /* The settings are the base class's to free */
  g_clear_pointer (&self->peer, g_ref_string_release);
  g_free (self->joined_as);
  G_OBJECT_CLASS (ct_chat_client_parent_class)->finalize (object);
}

static void
ct_chat_client_class_init (CtChatClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  CtEndpointClass *endpoint_class = CT_ENDPOINT_CLASS (klass);

  object_class->dispose = ct_chat_client_dispose;
  object_class->finalize = ct_chat_client_finalize;

  endpoint_class->protocol_id = "chat";
  endpoint_class->role = CT_ROLE_CLIENT;
  endpoint_class->start = ct_chat_client_start;
  endpoint_class->close = ct_chat_client_close;
  endpoint_class->send_text = ct_chat_client_send_text;
  endpoint_class->use_server = ct_chat_client_use_server;
  endpoint_class->catalog_title = N_("Online");

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_string ("url", N_("URL"),
                         N_("The WebSocket server: ws://HOST:PORT/PATH, or wss:// for TLS"),
                         "ws://127.0.0.1:8765/chat", CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtChatClient, url));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_string ("nick", N_("Nickname"),
                         N_("The name to join a Crosstalk chat with; empty joins as a guest when you first speak"),
                         "", CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtChatClient, nick));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_enum ("chat-mode", N_("Chat mode"),
                       N_("Speak the chat format: when the server greets as a Crosstalk chat (auto), always, or never"),
                       CT_TYPE_CHAT_MODE, CT_CHAT_MODE_AUTO, CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtChatClient, chat_mode));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_string ("protocols", N_("Subprotocols"),
                         N_("Subprotocols to offer, separated by commas; the server picks one or none"),
                         "", CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtChatClient, protocols));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_string ("headers", N_("Headers"),
                         N_("Extra handshake headers, one “Name: value” per line (or separated by \\n)"),
                         "", CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtChatClient, headers));
  ct_endpoint_class_install_format (endpoint_class, G_STRUCT_OFFSET (CtChatClient, format));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_uint ("keepalive", N_("Keepalive"),
                       N_("Seconds between pings (each pong is logged); 0 for none"),
                       0, 3600, 0, CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtChatClient, keepalive));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_uint ("max-frame", N_("Maximum frame size"),
                       N_("Bytes in one incoming frame; a larger one closes the connection with 1009"),
                       1, G_MAXINT32, 16 * 1024 * 1024, CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtChatClient, max_frame));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_boolean ("verify-tls", N_("Verify TLS"),
                          N_("Check the server's certificate for wss:// (turn off for a self-signed one)"),
                          TRUE, CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtChatClient, verify_tls));
}

static void
ct_chat_client_init (CtChatClient *self)
{
}

CtEndpoint *
ct_chat_client_new (void)
{
  return g_object_new (CT_TYPE_CHAT_CLIENT, NULL);
}

/* In chat mode: the server is a Crosstalk chat server */
gboolean
ct_chat_client_is_chatting (CtChatClient *self)
{
  g_return_val_if_fail (CT_IS_CHAT_CLIENT (self), FALSE);
  return self->chatting;
}
