/* ct-chat-participant.h — one WebSocket connection to the chat server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "ct-connection.h"
#include "ct-counting-output-stream.h"

G_BEGIN_DECLS

#define CT_TYPE_CHAT_PARTICIPANT (ct_chat_participant_get_type ())

G_DECLARE_FINAL_TYPE (CtChatParticipant, ct_chat_participant, CT, CHAT_PARTICIPANT, CtConnection)

/**
 * CtChatParticipant:
 * @server: the chat server it belongs to (not a reference: the server
 *   disconnects from @ws before it lets go of it)
 * @ws: the connection
 * @output: what counts the bytes that reached the socket
 * @queued: bytes of frames handed to @ws so far
 * @folded: the nickname as compared (ct_chat_fold_nick()), %NULL before join
 * @tokens: the rate limit's bucket
 * @refilled: when @tokens was last topped up (monotonic µs)
 * @last_seen: when the client last sent anything, a pong included
 * @last_refusal: when it was last told it is over the rate (monotonic µs)
 * @leave_reason: the `reason` of its leave notice, once the server decided
 *   to close it (`kicked`, `dropped`, `timeout`), else %NULL (`left`)
 * @gone: it left the chat: no more frames to it, no second leave notice
 *
 * The chat server's state for one client; the nickname is the connection's
 * name (ct_connection_get_name()).
 */
struct _CtChatParticipant
{
  CtConnection             parent_instance;

  gpointer                 server;
  SoupWebsocketConnection *ws;
  CtCountingOutputStream  *output;
  guint64                  queued;
  char                    *folded;
  double                   tokens;
  gint64                   refilled;
  gint64                   last_seen;
  gint64                   last_refusal;
  const char              *leave_reason;
  gboolean                 gone;
};

CtChatParticipant *ct_chat_participant_new      (SoupWebsocketConnection *ws,
                                                 CtCountingOutputStream  *output,
                                                 guint                    id,
                                                 const char              *peer);
gboolean           ct_chat_participant_send     (CtChatParticipant       *self,
                                                 const char              *text,
                                                 gsize                    length,
                                                 guint64                  max_queue);
guint64            ct_chat_participant_get_backlog (CtChatParticipant    *self);
gboolean           ct_chat_participant_take_token (CtChatParticipant     *self,
                                                 guint                    rate);

G_END_DECLS
