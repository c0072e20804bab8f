/* ct-chat-server.c — a WebSocket chat server with a web page
 *
 * Paths:
 *   /chat (the `path` setting)   the WebSocket endpoint, speaking the chat
 *                                format of docs/protocols/chat.md
 *   /, /chat.css, /chat.js       the web chat, from GResource
 *
 * The upgrade is done here rather than by soup_server_add_websocket_handler()
 * so that the connection's output can be counted (CtCountingOutputStream):
 * libsoup queues whatever it is asked to send, without limit, so a client
 * that stops reading would otherwise grow the server's memory for ever.
 * Every broadcast checks each client's backlog, and one that is more than
 * `max-queue` bytes behind is dropped; the others never wait for it.
 *
 * The log keeps each frame received (`in`), each broadcast once with its
 * number of recipients (`out`, peer empty), what is sent to one client
 * (`out`), and the opening and closing of each connection.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ct-chat"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ct-chat.h"
#include "ct-chat-participant.h"
#include "ct-chat-server.h"
#include "ct-counting-output-stream.h"
#include "ct-error.h"
#include "ct-json.h"

/* The close codes of RFC 6455, section 7.4.1 */
#define CLOSE_GOING_AWAY      1001
#define CLOSE_UNSUPPORTED     1003
#define CLOSE_POLICY          1008
#define CLOSE_TRY_AGAIN_LATER 1013

struct _CtChatServer
{
  CtHttpServer  parent_instance;

  char         *path;
  guint         max_frame;
  guint         max_clients;
  guint         rate_limit;
  guint         max_queue;
  guint         history_size;
  guint         keepalive;

  GPtrArray    *participants;   /* CtChatParticipant, in the order they came */
  GHashTable   *nicks;          /* folded nickname → CtChatParticipant */
  GPtrArray    *history;        /* JsonNode: the last `message` frames */
  guint64       message_id;
  guint         next_id;
  guint         next_guest;
  guint         keepalive_source;
};

G_DEFINE_FINAL_TYPE (CtChatServer, ct_chat_server, CT_TYPE_HTTP_SERVER)

static void on_message (SoupWebsocketConnection *ws, int type, GBytes *message, gpointer data);
static void on_closed  (SoupWebsocketConnection *ws, gpointer data);
static void on_error   (SoupWebsocketConnection *ws, GError *error, gpointer data);
static void on_pong    (SoupWebsocketConnection *ws, GBytes *message, gpointer data);

/* -- logging -------------------------------------------------------------------- */

static CtMessageLog *
server_log (CtChatServer *self)
{
  return ct_endpoint_get_log (CT_ENDPOINT (self));
}

static void
log_frame (CtChatServer      *self,
           CtDirection        direction,
           CtChatParticipant *p,
           const char        *event,
           const char        *data,
           gsize              size,
           const char        *summary,
           GVariant          *meta)
{
  ct_message_log_append (server_log (self), &(CtMessageFields) {
                           .direction = direction,
                           .peer = p ? ct_connection_get_peer (CT_CONNECTION (p)) : NULL,
                           .peer_is_ref = p != NULL,
                           .event = event,
                           .data = data,
                           .size = size,
                           .summary = summary,
                           .meta = meta,
                         });
}

static GVariant *
nick_meta (CtChatParticipant *p,
           const char        *type)
{
  CtMetaBuilder b = { 0 };
  const char *nick = ct_connection_get_name (CT_CONNECTION (p));

  if (nick)
    ct_meta_builder_add_string (&b, "nick", nick);
  if (type)
    ct_meta_builder_add_string (&b, "type", type);
  return ct_meta_builder_end (&b);
}

/* -- sending -------------------------------------------------------------------- */

static void drop_slow (CtChatServer *self, CtChatParticipant *p);

/* Everyone online, for the join and leave frames */
static const char **
dup_users (CtChatServer *self)
{
  GPtrArray *users = g_ptr_array_new ();

  for (guint i = 0; i < self->participants->len; i++)
    {
      CtChatParticipant *p = g_ptr_array_index (self->participants, i);

      if (!p->gone && p->folded)
        g_ptr_array_add (users, (gpointer) ct_connection_get_name (CT_CONNECTION (p)));
    }
  g_ptr_array_add (users, NULL);
  return (const char **) g_ptr_array_free (users, FALSE);
}

/* A frame for everyone but @except, logged once with @summary */
static void
broadcast (CtChatServer      *self,
           const char        *text,
           const char        *type,
           const char        *summary,
           CtChatParticipant *except)
{
  g_autoptr(GPtrArray) slow = NULL;
  gsize length = strlen (text);
  guint recipients = 0;
  CtMetaBuilder b = { 0 };

  for (guint i = 0; i < self->participants->len; i++)
    {
      CtChatParticipant *p = g_ptr_array_index (self->participants, i);

      if (p == except || p->gone)
        continue;
      if (ct_chat_participant_send (p, text, length, self->max_queue))
        recipients++;
      else
        {
          if (slow == NULL)
            slow = g_ptr_array_new_with_free_func (g_object_unref);
          g_ptr_array_add (slow, g_object_ref (p));
        }
    }

  ct_meta_builder_add_string (&b, "type", type);
  ct_meta_builder_add_uint32 (&b, "recipients", recipients);
  log_frame (self, CT_DIRECTION_OUT, NULL, "broadcast", text, length, summary, ct_meta_builder_end (&b));

  for (guint i = 0; slow && i < slow->len; i++)
    drop_slow (self, g_ptr_array_index (slow, i));
}

static void
send_one (CtChatServer      *self,
          CtChatParticipant *p,
          const char        *text,
          const char        *type,
          const char        *summary)
{
  gsize length = strlen (text);

  if (p->gone)
    return;
  if (!ct_chat_participant_send (p, text, length, self->max_queue))
    return drop_slow (self, p);
  log_frame (self, CT_DIRECTION_OUT, p, type, text, length, summary, nick_meta (p, type));
}

static void
send_error (CtChatServer      *self,
            CtChatParticipant *p,
            const char        *code,
            const char        *message)
{
  g_autofree char *frame = ct_chat_error_new (code, message);
  g_autofree char *summary = g_strdup_printf (_("Refused: %s"), message);

  send_one (self, p, frame, "error", summary);
}

static void
close_participant (CtChatServer      *self,
                   CtChatParticipant *p,
                   gushort            code,
                   const char        *reason)
{
  SoupWebsocketState state = soup_websocket_connection_get_state (p->ws);

  if (state == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (p->ws, code, reason);
}

/* -- joining and leaving ------------------------------------------------------- */

static void
join (CtChatServer      *self,
      CtChatParticipant *p,
      const char        *nick)
{
  g_autofree const char **users = NULL;
  g_autofree char *others = NULL;
  g_autofree char *you = NULL;
  g_autofree char *summary = g_strdup_printf (_("%s joined"), nick);

  p->folded = ct_chat_fold_nick (nick);
  g_hash_table_insert (self->nicks, p->folded, p);
  ct_connection_set_name (CT_CONNECTION (p), nick);

  users = dup_users (self);
  others = ct_chat_joined_new (nick, users, FALSE);
  you = ct_chat_joined_new (nick, users, TRUE);
  broadcast (self, others, "join", summary, p);
  send_one (self, p, you, "join", summary);
}

static gboolean
ensure_joined (CtChatServer      *self,
               CtChatParticipant *p)
{
  while (p->folded == NULL)
    {
      g_autofree char *guest = g_strdup_printf ("guest-%u", ++self->next_guest);

      if (!g_hash_table_contains (self->nicks, guest))
        join (self, p, guest);
    }
  return !p->gone;
}

/* It is no longer in the chat: the others hear it once */
static void
leave (CtChatServer      *self,
       CtChatParticipant *p,
       const char        *reason)
{
  g_autofree const char **users = NULL;
  g_autofree char *frame = NULL;
  g_autofree char *summary = NULL;

  if (p->gone)
    return;
  p->gone = TRUE;
  if (p->folded == NULL)
    return;

  g_hash_table_remove (self->nicks, p->folded);
  users = dup_users (self);
  frame = ct_chat_left_new (ct_connection_get_name (CT_CONNECTION (p)), reason, users);
  summary = g_strdup_printf (_("%s left (%s)"), ct_connection_get_name (CT_CONNECTION (p)), reason);
  broadcast (self, frame, "leave", summary, NULL);
}

static void
notice (CtChatServer *self,
        const char   *text)
{
  g_autofree char *frame = ct_chat_notice_new (text);
  g_autofree char *summary = g_strdup_printf (_("Notice: %s"), text);

  broadcast (self, frame, "notice", summary, NULL);
}

/* A name for a client in notices: its nickname, or its address */
static const char *
display_name (CtChatParticipant *p)
{
  const char *nick = ct_connection_get_name (CT_CONNECTION (p));

  return nick ? nick : ct_connection_get_peer (CT_CONNECTION (p));
}

static void
drop_slow (CtChatServer      *self,
           CtChatParticipant *p)
{
  g_autoptr(CtChatParticipant) hold = g_object_ref (p);
  g_autofree char *reason = NULL;
  g_autofree char *text = NULL;
  guint64 backlog = ct_chat_participant_get_backlog (p);

  if (p->gone)
    return;
  reason = g_strdup_printf (_("Too slow: %" G_GUINT64_FORMAT " bytes were waiting for it"), backlog);
  ct_message_log_info (server_log (self), "dropped", ct_connection_get_peer (CT_CONNECTION (p)),
                       ct_meta_new ("backlog", g_variant_new_uint64 (backlog), NULL),
                       _("%s does not read what is sent to it (%" G_GUINT64_FORMAT " bytes waiting): "
                         "closing its connection"),
                       display_name (p), backlog);
  p->leave_reason = "dropped";
  leave (self, p, "dropped");
  text = g_strdup_printf (_("%s was dropped: it was not reading its messages"), display_name (p));
  notice (self, text);
  close_participant (self, p, CLOSE_POLICY, reason);
}

/* -- what clients send ---------------------------------------------------------- */

/* The history setting may shrink while running: keep at most @keep */
static void
trim_history (CtChatServer *self,
              guint         keep)
{
  if (self->history->len > keep)
    g_ptr_array_remove_range (self->history, 0, self->history->len - keep);
}

static void
post (CtChatServer *self,
      const char   *from,
      const char   *text)
{
  g_autoptr(JsonNode) said = ct_chat_said_new (++self->message_id, from, text, g_get_real_time ());
  g_autofree char *frame = ct_json_to_string (said, FALSE);
  g_autofree char *summary = g_strdup_printf ("%s: %s", from, text);

  trim_history (self, self->history_size > 0 ? self->history_size - 1 : 0);
  if (self->history_size > 0)
    g_ptr_array_add (self->history, g_steal_pointer (&said));
  broadcast (self, frame, "message", summary, NULL);
}

static void
handle_join (CtChatServer      *self,
             CtChatParticipant *p,
             JsonObject        *frame)
{
  const char *requested = ct_chat_get_string (frame, "nick", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *nick = NULL;
  g_autofree char *folded = NULL;

  if (p->folded)
    {
      g_autofree char *text = g_strdup_printf (_("You are already in the chat as “%s”"),
                                               ct_connection_get_name (CT_CONNECTION (p)));

      return send_error (self, p, "already-joined", text);
    }
  if (requested == NULL)
    return send_error (self, p, "bad-message", _("A join needs a nickname: {\"type\":\"join\",\"nick\":\"…\"}"));

  nick = ct_chat_check_nick (requested, &error);
  if (nick == NULL)
    return send_error (self, p, "nick-invalid", error->message);

  folded = ct_chat_fold_nick (nick);
  if (g_hash_table_contains (self->nicks, folded))
    {
      g_autofree char *text = g_strdup_printf (_("The nickname “%s” is taken: pick another one"), nick);

      return send_error (self, p, "nick-taken", text);
    }
  join (self, p, nick);
}

static void
handle_text (CtChatServer      *self,
             CtChatParticipant *p,
             const char        *text)
{
  if (text == NULL || *text == '\0')
    return send_error (self, p, "bad-message", _("A message needs some text"));
  if (ensure_joined (self, p))
    post (self, ct_connection_get_name (CT_CONNECTION (p)), text);
}

static void
refuse_rate (CtChatServer      *self,
             CtChatParticipant *p)
{
  g_autofree char *text = NULL;
  gint64 now = g_get_monotonic_time ();

  /* Told at most once a second, so a flood is not answered with a flood */
  if (now - p->last_refusal < G_USEC_PER_SEC)
    return;
  p->last_refusal = now;
  text = g_strdup_printf (ngettext ("Slow down: at most %u message a second",
                                    "Slow down: at most %u messages a second", self->rate_limit),
                          self->rate_limit);
  send_error (self, p, "rate-limited", text);
}

static void
on_message (SoupWebsocketConnection *ws,
            int                      type,
            GBytes                  *message,
            gpointer                 data)
{
  CtChatParticipant *p = data;
  CtChatServer *self = p->server;
  g_autoptr(CtChatParticipant) hold = g_object_ref (p);
  g_autoptr(JsonObject) frame = NULL;
  g_autofree char *summary = NULL;
  gsize size;
  const char *text = g_bytes_get_data (message, &size);
  CtChatType chat_type;

  p->last_seen = g_get_monotonic_time ();
  if (type == SOUP_WEBSOCKET_DATA_BINARY)
    {
      log_frame (self, CT_DIRECTION_IN, p, "binary", text, size, NULL, nick_meta (p, NULL));
      return close_participant (self, p, CLOSE_UNSUPPORTED,
                                _("Binary frames are not part of the chat: send text"));
    }

  /* libsoup has checked it is UTF-8, and it ends in a NUL it adds */
  chat_type = ct_chat_parse (text, size, &frame);
  summary = chat_type == CT_CHAT_TEXT ? g_strdup_printf ("%s: %s", display_name (p), text)
            : frame ? ct_chat_describe (chat_type, frame, display_name (p)) : NULL;
  log_frame (self, CT_DIRECTION_IN, p, "message", text, size, summary,
             nick_meta (p, ct_chat_type_to_string (chat_type)));
  if (p->gone)
    return;
  if (!ct_chat_participant_take_token (p, self->rate_limit))
    return refuse_rate (self, p);

  switch (chat_type)
    {
    case CT_CHAT_TEXT:
      return handle_text (self, p, text);
    case CT_CHAT_JOIN:
      return handle_join (self, p, frame);
    case CT_CHAT_MESSAGE:
      {
        const char *said = ct_chat_get_string (frame, "text", NULL);

        if (said == NULL)
          return send_error (self, p, "bad-message",
                             _("A message needs its text: {\"type\":\"message\",\"text\":\"…\"}"));
        return handle_text (self, p, said);
      }
    case CT_CHAT_WELCOME:
    case CT_CHAT_LEAVE:
    case CT_CHAT_NOTICE:
    case CT_CHAT_ERROR:
    case CT_CHAT_UNKNOWN:
    default:
      {
        g_autofree char *error = g_strdup_printf (_("Unknown frame type “%s”: a client sends “join” or “message”"),
                                                  json_object_get_string_member (frame, "type"));

        return send_error (self, p, "bad-message", error);
      }
    }
}

static void
on_pong (SoupWebsocketConnection *ws,
         GBytes                  *message,
         gpointer                 data)
{
  CtChatParticipant *p = data;

  p->last_seen = g_get_monotonic_time ();
}

static void
on_error (SoupWebsocketConnection *ws,
          GError                  *error,
          gpointer                 data)
{
  CtChatParticipant *p = data;
  CtChatServer *self = p->server;

  if (p->leave_reason == NULL)
    p->leave_reason = "error";
  ct_message_log_error (server_log (self), ct_connection_get_peer (CT_CONNECTION (p)), error);

  /* libsoup 3.2 drops the connection over a frame above the limit without
   * telling the client why: the close frame (1009) is sent here, before it
   * closes the socket on return */
  if (g_error_matches (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_CLOSE_TOO_BIG))
    {
      g_autofree char *reason = g_strdup_printf (_("A frame over the limit of %u bytes"), self->max_frame);

      close_participant (self, p, SOUP_WEBSOCKET_CLOSE_TOO_BIG, reason);
    }
}

static void
forget (CtChatServer      *self,
        CtChatParticipant *p)
{
  g_signal_handlers_disconnect_matched (p->ws, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, p);
  p->server = NULL;
  ct_endpoint_remove_connection (CT_ENDPOINT (self), CT_CONNECTION (p));
  g_ptr_array_remove (self->participants, p);
}

static void
on_closed (SoupWebsocketConnection *ws,
           gpointer                 data)
{
  CtChatParticipant *p = data;
  CtChatServer *self = p->server;
  g_autoptr(CtChatParticipant) hold = g_object_ref (p);
  gushort code = soup_websocket_connection_get_close_code (ws);
  const char *reason = soup_websocket_connection_get_close_data (ws);
  g_autofree char *summary = NULL;
  CtMetaBuilder b = { 0 };

  if (code == 0)
    summary = g_strdup (_("Connection closed without a close frame"));
  else if (reason && *reason)
    summary = g_strdup_printf (_("Closed (%u): %s"), code, reason);
  else
    summary = g_strdup_printf (_("Closed (%u)"), code);
  if (code)
    ct_meta_builder_add_uint32 (&b, "code", code);
  ct_meta_builder_add_string (&b, "reason", reason ? reason : "");
  ct_message_log_append (server_log (self), &(CtMessageFields) {
                           .direction = CT_DIRECTION_INFO,
                           .peer = ct_connection_get_peer (CT_CONNECTION (p)),
                           .peer_is_ref = TRUE,
                           .event = "close",
                           .summary = summary,
                           .data = reason,
                           .size = reason ? strlen (reason) : 0,
                           .meta = ct_meta_builder_end (&b),
                         });
  leave (self, p, p->leave_reason ? p->leave_reason : "left");
  forget (self, p);
}

/* -- connections ------------------------------------------------------------------ */

static void
log_open (CtChatServer *self,
          const char   *peer,
          gboolean      peer_is_ref,
          const char   *origin,
          const char   *agent)
{
  CtMetaBuilder b = { 0 };

  ct_meta_builder_add_string (&b, "path", self->path);
  ct_meta_builder_add_uint32 (&b, "connection", self->next_id);
  if (origin)
    ct_meta_builder_add_string (&b, "origin", origin);
  if (agent)
    ct_meta_builder_add_string (&b, "user-agent", agent);
  ct_message_log_append (server_log (self), &(CtMessageFields) {
                           .direction = CT_DIRECTION_INFO,
                           .peer = peer,
                           .peer_is_ref = peer_is_ref,
                           .event = "open",
                           .summary = _("WebSocket opened"),
                           .meta = ct_meta_builder_end (&b),
                         });
}

/* The chat is full: the new connection is closed at once with 1013 and
 * why. libsoup will not send 1013 (it knows no code between 1011 and 3000
 * and sends 1002 instead), so the close frame is written here, on a
 * connection no SoupWebsocketConnection has taken */
static void
refuse_full (CtChatServer *self,
             GIOStream    *stream,
             const char   *peer)
{
  g_autofree char *reason = g_strdup_printf (ngettext ("The chat is full (%u client): try again later",
                                                       "The chat is full (%u clients): try again later",
                                                       self->max_clients),
                                             self->max_clients);
  g_autofree char *summary = g_strdup_printf (_("Closed (%u): %s"), CLOSE_TRY_AGAIN_LATER, reason);
  GOutputStream *output = g_io_stream_get_output_stream (stream);
  gsize length = strlen (reason);
  guint8 frame[4 + 123];
  CtMetaBuilder b = { 0 };

  /* A control frame carries 125 bytes: the code and 123 of the reason */
  if (length > 123)
    length = g_utf8_find_prev_char (reason, reason + 124) - reason;
  frame[0] = 0x88;   /* FIN, close */
  frame[1] = 2 + length;
  frame[2] = CLOSE_TRY_AGAIN_LATER >> 8;
  frame[3] = CLOSE_TRY_AGAIN_LATER & 0xff;
  memcpy (frame + 4, reason, length);
  /* A new connection's socket takes these few bytes at once */
  if (G_IS_POLLABLE_OUTPUT_STREAM (output))
    g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (output), frame, 4 + length, NULL, NULL);

  ct_meta_builder_add_uint32 (&b, "code", CLOSE_TRY_AGAIN_LATER);
  ct_meta_builder_add_string (&b, "reason", reason);
  ct_message_log_append (server_log (self), &(CtMessageFields) {
                           .direction = CT_DIRECTION_INFO,
                           .peer = peer,
                           .event = "close",
                           .summary = summary,
                           .data = reason,
                           .size = strlen (reason),
                           .meta = ct_meta_builder_end (&b),
                         });
  g_io_stream_close_async (stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
}

static void
upgraded (SoupServerMessage *message,
          gpointer           data)
{
  CtChatServer *self = data;
  SoupMessageHeaders *request = soup_server_message_get_request_headers (message);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (message);
  g_autofree char *peer = ct_socket_address_to_string (soup_server_message_get_remote_address (message));
  g_autoptr(GIOStream) stolen = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(SoupWebsocketConnection) ws = NULL;
  CtCountingOutputStream *output;
  CtChatParticipant *p;
  const char *origin = soup_message_headers_get_one (request, "Origin");
  const char *agent = soup_message_headers_get_one (request, "User-Agent");
  g_autofree const char **users = NULL;
  g_autofree char *welcome = NULL;
  g_autofree char *summary = NULL;

  g_object_ref (message);
  stolen = soup_server_message_steal_connection (message);
  ++self->next_id;
  if (self->participants->len >= self->max_clients)
    {
      log_open (self, peer, FALSE, origin, agent);
      refuse_full (self, stolen, peer);
      g_object_unref (message);
      return;
    }

  stream = ct_counting_io_stream_new (stolen, &output);
  ws = soup_websocket_connection_new (stream, soup_server_message_get_uri (message),
                                      SOUP_WEBSOCKET_CONNECTION_SERVER, origin,
                                      soup_message_headers_get_one (response, "Sec-WebSocket-Protocol"),
                                      NULL);
  g_object_unref (message);
  /* Never 0: that means no limit, and libsoup 3.2 reads out of bounds then */
  soup_websocket_connection_set_max_incoming_payload_size (ws, self->max_frame);
  soup_websocket_connection_set_keepalive_interval (ws, self->keepalive);

  p = ct_chat_participant_new (ws, output, self->next_id, peer);
  p->server = self;
  p->tokens = self->rate_limit;
  g_ptr_array_add (self->participants, p);
  ct_endpoint_add_connection (CT_ENDPOINT (self), CT_CONNECTION (p));
  g_signal_connect (ws, "message", G_CALLBACK (on_message), p);
  g_signal_connect (ws, "closed", G_CALLBACK (on_closed), p);
  g_signal_connect (ws, "error", G_CALLBACK (on_error), p);
  g_signal_connect (ws, "pong", G_CALLBACK (on_pong), p);

  log_open (self, ct_connection_get_peer (CT_CONNECTION (p)), TRUE, origin, agent);

  trim_history (self, self->history_size);
  users = dup_users (self);
  welcome = ct_chat_welcome_new (users, self->history, self->max_frame, self->rate_limit);
  summary = g_strdup_printf (ngettext ("Welcome: %u online, %u message of history",
                                       "Welcome: %u online, %u messages of history",
                                       self->history->len),
                             g_strv_length ((char **) users), self->history->len);
  send_one (self, p, welcome, "welcome", summary);
}

static void handle_web (SoupServer *soup_server, SoupServerMessage *message, const char *path,
                        GHashTable *query, gpointer user_data);

static void
handle_socket (SoupServer        *soup_server,
               SoupServerMessage *message,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  CtChatServer *self = user_data;
  g_autoptr(GError) error = NULL;

  /* libsoup gives this handler every path under self->path too, and
   * /chat.css starts with /chat */
  if (!g_str_equal (path, self->path))
    return handle_web (soup_server, message, path, query, user_data);

  if (!soup_websocket_server_check_handshake (message, NULL, NULL, NULL, &error))
    {
      g_autoptr(CtHttpExchange) exchange = ct_http_exchange_begin (CT_HTTP_SERVER (self), message, NULL, NULL);
      SoupMessageHeaders *request = soup_server_message_get_request_headers (message);
      g_autofree char *text = NULL;

      /* A browser or curl pointed at the socket's address */
      if (!soup_message_headers_header_contains (request, "Upgrade", "websocket"))
        {
          text = g_strdup_printf (_("This is the chat's WebSocket endpoint: connect to it with a WebSocket "
                                    "client (ws://%s%s), or open http://%s/ for the web chat"),
                                  ct_endpoint_get_address (CT_ENDPOINT (self)), self->path,
                                  ct_endpoint_get_address (CT_ENDPOINT (self)));
          soup_message_headers_replace (soup_server_message_get_response_headers (message), "Upgrade", "websocket");
          ct_http_exchange_refuse (exchange, 426, text);
          /* libsoup 3.2 has no name for it */
          soup_server_message_set_status (message, 426, "Upgrade Required");
          return;
        }
      text = g_strdup_printf (_("Bad WebSocket handshake: %s"), error->message);
      return ct_http_exchange_refuse (exchange, SOUP_STATUS_BAD_REQUEST, text);
    }

  soup_websocket_server_process_handshake (message, NULL, NULL, NULL, NULL);
  g_signal_connect_object (message, "wrote-informational", G_CALLBACK (upgraded), self, 0);
}

/* -- the web chat ------------------------------------------------------------------ */

static void
handle_web (SoupServer        *soup_server,
            SoupServerMessage *message,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  static const struct { const char *path, *file, *type; } files[] = {
    { "/", "chat.html", "text/html; charset=utf-8" },
    { "/index.html", "chat.html", "text/html; charset=utf-8" },
    { "/chat.css", "chat.css", "text/css; charset=utf-8" },
    { "/base.css", "base.css", "text/css; charset=utf-8" },
    { "/chat.js", "chat.js", "text/javascript; charset=utf-8" },
  };
  CtChatServer *self = user_data;
  g_autoptr(CtHttpExchange) exchange = ct_http_exchange_begin (CT_HTTP_SERVER (self), message, NULL, NULL);
  const char *method = soup_server_message_get_method (message);
  g_autofree char *text = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    if (g_str_equal (path, files[i].path))
      {
        if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
          {
            soup_message_headers_replace (soup_server_message_get_response_headers (message), "Allow", "GET, HEAD");
            return ct_http_exchange_refuse (exchange, SOUP_STATUS_METHOD_NOT_ALLOWED,
                                            _("The web chat's pages are only read: use GET"));
          }
        /* Nothing of it may come from elsewhere; it talks only to this server */
        return ct_http_exchange_respond_page (exchange, files[i].file, files[i].type,
                                              "default-src 'self'; connect-src 'self' ws: wss:; "
                                              "object-src 'none'; base-uri 'none'");
      }

  text = g_strdup_printf (_("No such page: %s (the web chat is at /, the WebSocket at %s)"), path, self->path);
  ct_http_exchange_refuse (exchange, SOUP_STATUS_NOT_FOUND, text);
}

/* -- keepalive -------------------------------------------------------------------- */

static gboolean
check_alive (gpointer data)
{
  CtChatServer *self = data;
  gint64 limit = g_get_monotonic_time () - 2 * (gint64) self->keepalive * G_USEC_PER_SEC;
  g_autoptr(GPtrArray) silent = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < self->participants->len; i++)
    {
      CtChatParticipant *p = g_ptr_array_index (self->participants, i);

      if (!p->gone && p->last_seen < limit)
        g_ptr_array_add (silent, g_object_ref (p));
    }
  for (guint i = 0; i < silent->len; i++)
    {
      CtChatParticipant *p = g_ptr_array_index (silent, i);
      g_autofree char *reason = g_strdup_printf (_("No answer to pings for %u seconds"), 2 * self->keepalive);

      p->leave_reason = "timeout";
      leave (self, p, "timeout");
      close_participant (self, p, CLOSE_POLICY, reason);
    }
  return G_SOURCE_CONTINUE;
}

/* -- the endpoint ------------------------------------------------------------------ */

static gboolean
ct_chat_server_setup (CtHttpServer  *http,
                      SoupServer    *soup_server,
                      GError       **error)
{
  CtChatServer *self = CT_CHAT_SERVER (http);

  if (self->path[0] != '/' || self->path[1] == '\0' || strpbrk (self->path, "?# ") != NULL)
    {
      g_set_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING,
                   _("The WebSocket path must start with / and be more than /, without ?, # or spaces: “%s”"),
                   self->path);
      return FALSE;
    }

  /* Each start is a new chat */
  g_ptr_array_set_size (self->history, 0);
  self->message_id = 0;
  self->next_id = 0;
  self->next_guest = 0;

  ct_http_server_add_handler (http, soup_server, "/", handle_web);
  ct_http_server_add_handler (http, soup_server, self->path, handle_socket);
  if (self->keepalive > 0)
    self->keepalive_source = g_timeout_add_seconds (self->keepalive, check_alive, self);
  return TRUE;
}

static const char *
ct_chat_server_get_url_path (CtHttpServer *http)
{
  return "/";
}

/* Stopping: every client is told the server is going away */
static void
ct_chat_server_close (CtEndpoint *endpoint)
{
  CtChatServer *self = CT_CHAT_SERVER (endpoint);

  g_clear_handle_id (&self->keepalive_source, g_source_remove);
  while (self->participants->len > 0)
    {
      g_autoptr(CtChatParticipant) p = g_object_ref (g_ptr_array_index (self->participants, 0));

      p->gone = TRUE;
      close_participant (self, p, CLOSE_GOING_AWAY, _("The server is shutting down"));
      forget (self, p);
    }
  g_hash_table_remove_all (self->nicks);
  CT_ENDPOINT_CLASS (ct_chat_server_parent_class)->close (endpoint);
}

/* The composer: a message to everyone, from "server" */
static gboolean
ct_chat_server_send_text (CtEndpoint  *endpoint,
                          const char  *text,
                          GError     **error)
{
  if (*text == '\0')
    {
      g_set_error_literal (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD, _("Type a message to post"));
      return FALSE;
    }
  post (CT_CHAT_SERVER (endpoint), CT_CHAT_SERVER_NICK, text);
  return TRUE;
}

/* Kicking */
static void
ct_chat_server_close_connection (CtEndpoint   *endpoint,
                                 CtConnection *connection)
{
  CtChatServer *self = CT_CHAT_SERVER (endpoint);
  CtChatParticipant *p = CT_CHAT_PARTICIPANT (connection);
  g_autoptr(CtChatParticipant) hold = g_object_ref (p);
  g_autofree char *text = NULL;

  if (p->gone)
    return close_participant (self, p, CLOSE_POLICY, _("Removed by the server"));
  text = g_strdup_printf (_("%s was removed by the server"), display_name (p));
  p->leave_reason = "kicked";
  leave (self, p, "kicked");
  notice (self, text);
  close_participant (self, p, CLOSE_POLICY, _("Removed by the server"));
}

static void
ct_chat_server_finalize (GObject *object)
{
  CtChatServer *self = CT_CHAT_SERVER (object);

  g_clear_pointer (&self->participants, g_ptr_array_unref);
  g_clear_pointer (&self->nicks, g_hash_table_unref);
  g_clear_pointer (&self->history, g_ptr_array_unref);
  G_OBJECT_CLASS (ct_chat_server_parent_class)->finalize (object);
}

static void
ct_chat_server_class_init (CtChatServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  CtEndpointClass *endpoint_class = CT_ENDPOINT_CLASS (klass);
  CtHttpServerClass *http_class = CT_HTTP_SERVER_CLASS (klass);

  object_class->finalize = ct_chat_server_finalize;

  endpoint_class->protocol_id = "chat";
  endpoint_class->role = CT_ROLE_SERVER;
  endpoint_class->close = ct_chat_server_close;
  endpoint_class->send_text = ct_chat_server_send_text;
  endpoint_class->close_connection = ct_chat_server_close_connection;
  http_class->setup = ct_chat_server_setup;
  http_class->get_url_path = ct_chat_server_get_url_path;

  ct_http_server_class_install_settings (http_class);

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_string ("path", N_("WebSocket path"),
                         N_("Where clients connect: ws://HOST:PORT followed by this path (the web chat is at /)"),
                         "/chat", CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtChatServer, path));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_uint ("max-frame", N_("Maximum frame size"),
                       N_("Bytes in one incoming frame; a larger one closes that connection with 1009"),
                       1, G_MAXINT32, 64 * 1024, CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtChatServer, max_frame));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_uint ("max-clients", N_("Maximum clients"),
                       N_("Connections at once; one more is closed at once with 1013 (try again later)"),
                       1, 100000, 500, CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtChatServer, max_clients));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_uint ("rate-limit", N_("Rate limit"),
                       N_("Messages a second from one client, with bursts of as many; more are refused "
                          "with an error frame; 0 for no limit"),
                       0, 1000000, 20, CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtChatServer, rate_limit));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_uint ("max-queue", N_("Maximum queue"),
                       N_("Bytes that may wait to be sent to one client; a client further behind is "
                          "dropped as too slow, so it never holds up the others"),
                       1024, G_MAXINT32, 1024 * 1024, CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtChatServer, max_queue));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_uint ("history", N_("History"),
                       N_("Messages replayed to a newcomer"),
                       0, 10000, 50, CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtChatServer, history_size));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_uint ("keepalive", N_("Keepalive"),
                       N_("Seconds between pings; a client that answers nothing for two intervals is "
                          "closed; 0 for no pings"),
                       0, 3600, 30, CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtChatServer, keepalive));
}

static void
ct_chat_server_init (CtChatServer *self)
{
  self->participants = g_ptr_array_new_with_free_func (g_object_unref);
  self->nicks = g_hash_table_new (g_str_hash, g_str_equal);
  self->history = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
}

CtEndpoint *
ct_chat_server_new (void)
{
  return g_object_new (CT_TYPE_CHAT_SERVER, NULL);
}
