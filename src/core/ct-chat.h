/* ct-chat.h — the chat format (docs/protocols/chat.md): reading and writing
 * its frames
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define CT_CHAT_VERSION        1
#define CT_CHAT_MAX_NICK       32
#define CT_CHAT_SERVER_NICK    "server"

/* What a frame is, by its `type`; TEXT is anything that is not a JSON
 * object with a string `type` (a generic client's line) */
typedef enum
{
  CT_CHAT_TEXT,
  CT_CHAT_JOIN,
  CT_CHAT_MESSAGE,
  CT_CHAT_WELCOME,
  CT_CHAT_LEAVE,
  CT_CHAT_NOTICE,
  CT_CHAT_ERROR,
  CT_CHAT_UNKNOWN,
} CtChatType;

CtChatType  ct_chat_parse           (const char  *text,
                                     gsize        length,
                                     JsonObject **object);
const char *ct_chat_type_to_string  (CtChatType   type);
const char *ct_chat_get_string      (JsonObject  *frame,
                                     const char  *member,
                                     const char  *fallback);
JsonArray  *ct_chat_get_array       (JsonObject  *frame,
                                     const char  *member);
gboolean    ct_chat_get_true        (JsonObject  *frame,
                                     const char  *member);
char       *ct_chat_describe        (CtChatType   type,
                                     JsonObject  *frame,
                                     const char  *from);
char       *ct_chat_check_nick      (const char  *nick,
                                     GError     **error);
char       *ct_chat_fold_nick       (const char  *nick);
char       *ct_chat_format_time     (gint64       real_time);

/* Frames a client sends */
char       *ct_chat_join_new        (const char  *nick);
char       *ct_chat_message_new     (const char  *text);

/* Frames the server sends */
JsonNode   *ct_chat_said_new        (guint64      id,
                                     const char  *from,
                                     const char  *text,
                                     gint64       real_time);
char       *ct_chat_welcome_new     (const char * const *users,
                                     GPtrArray   *history,
                                     guint        max_frame,
                                     guint        rate_limit);
char       *ct_chat_joined_new      (const char  *nick,
                                     const char * const *users,
                                     gboolean     you);
char       *ct_chat_left_new        (const char  *nick,
                                     const char  *reason,
                                     const char * const *users);
char       *ct_chat_notice_new      (const char  *text);
char       *ct_chat_error_new       (const char  *code,
                                     const char  *message);

G_END_DECLS
