/* ct-chat-participant.c — one WebSocket connection to the chat server
 *
 * It keeps what the server needs per client: the connection, the nickname,
 * how much is waiting to be sent to it, and its rate-limit bucket.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ct-chat-participant.h"

G_DEFINE_FINAL_TYPE (CtChatParticipant, ct_chat_participant, CT_TYPE_CONNECTION)

static void
ct_chat_participant_dispose (GObject *object)
{
  CtChatParticipant *self = CT_CHAT_PARTICIPANT (object);

  if (self->ws)
    g_signal_handlers_disconnect_matched (self->ws, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  g_clear_object (&self->ws);
  G_OBJECT_CLASS (ct_chat_participant_parent_class)->dispose (object);
}

static void
ct_chat_participant_finalize (GObject *object)
{
  CtChatParticipant *self = CT_CHAT_PARTICIPANT (object);

  g_free (self->folded);
  G_OBJECT_CLASS (ct_chat_participant_parent_class)->finalize (object);
}

static void
ct_chat_participant_class_init (CtChatParticipantClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ct_chat_participant_dispose;
  object_class->finalize = ct_chat_participant_finalize;
}

static void
ct_chat_participant_init (CtChatParticipant *self)
{
}

/**
 * ct_chat_participant_new:
 * @output: @ws's output stream's counter (owned by @ws's stream)
 */
CtChatParticipant *
ct_chat_participant_new (SoupWebsocketConnection *ws,
                         CtCountingOutputStream  *output,
                         guint                    id,
                         const char              *peer)
{
  CtChatParticipant *self = g_object_new (CT_TYPE_CHAT_PARTICIPANT, "id", id, "peer", peer, NULL);

  self->ws = g_object_ref (ws);
  self->output = output;
  self->last_seen = self->refilled = g_get_monotonic_time ();
  return self;
}

/* Bytes handed to the connection that have not reached the socket */
guint64
ct_chat_participant_get_backlog (CtChatParticipant *self)
{
  guint64 written = ct_counting_output_stream_get_written (self->output);

  /* What libsoup writes on its own (pongs, the close frame) is counted as
   * written but not as queued */
  return self->queued > written ? self->queued - written : 0;
}

/**
 * ct_chat_participant_send:
 * @text: valid UTF-8, NUL-terminated at @length
 * @max_queue: the most bytes that may wait for this client
 *
 * Sends a text frame, unless that would make more than @max_queue bytes
 * wait for a client that does not read.
 *
 * Returns: %FALSE when the client is too far behind (nothing was sent)
 */
gboolean
ct_chat_participant_send (CtChatParticipant *self,
                          const char        *text,
                          gsize              length,
                          guint64            max_queue)
{
  /* A server's frame: 2 bytes of header, plus 2 or 8 of extended length */
  gsize frame = length + 2 + (length < 126 ? 0 : length < 65536 ? 2 : 8);

  if (self->gone || soup_websocket_connection_get_state (self->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return TRUE;
  if (ct_chat_participant_get_backlog (self) + frame > max_queue)
    return FALSE;
  self->queued += frame;
  soup_websocket_connection_send_text (self->ws, text);
  return TRUE;
}

/**
 * ct_chat_participant_take_token:
 * @rate: messages a second, with bursts of as many; 0 for no limit
 *
 * Returns: %TRUE when the client may send one more message now
 */
gboolean
ct_chat_participant_take_token (CtChatParticipant *self,
                                guint              rate)
{
  gint64 now;

  if (rate == 0)
    return TRUE;
  now = g_get_monotonic_time ();
  self->tokens = MIN ((double) rate, self->tokens + (now - self->refilled) * (double) rate / G_USEC_PER_SEC);
  self->refilled = now;
  if (self->tokens < 1.0)
    return FALSE;
  self->tokens -= 1.0;
  return TRUE;
}
