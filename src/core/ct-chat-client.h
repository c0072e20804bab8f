/* ct-chat-client.h — a WebSocket client that shows every frame, and speaks
 * the chat format to a Crosstalk chat server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ct-endpoint.h"

G_BEGIN_DECLS

#define CT_TYPE_CHAT_CLIENT (ct_chat_client_get_type ())

G_DECLARE_FINAL_TYPE (CtChatClient, ct_chat_client, CT, CHAT_CLIENT, CtEndpoint)

/* How long a client in chat mode `auto` waits for a welcome before it takes
 * the server for a plain WebSocket server, and how long it waits for its
 * join to be answered */
#define CT_CHAT_CLIENT_WELCOME_TIMEOUT_MS 1000
#define CT_CHAT_CLIENT_JOIN_TIMEOUT_MS    5000

CtEndpoint *ct_chat_client_new         (void);
gboolean    ct_chat_client_is_chatting (CtChatClient *self);

G_END_DECLS
