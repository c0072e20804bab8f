/* ct-chat-server.h — a WebSocket chat server with a web page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ct-http-server.h"

G_BEGIN_DECLS

#define CT_TYPE_CHAT_SERVER (ct_chat_server_get_type ())

G_DECLARE_FINAL_TYPE (CtChatServer, ct_chat_server, CT, CHAT_SERVER, CtHttpServer)

CtEndpoint *ct_chat_server_new (void);

G_END_DECLS
