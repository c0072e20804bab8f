/* ct-chat.c — the chat format (docs/protocols/chat.md): reading and writing
 * its frames
 *
 * Shared by the chat server and the client's chat mode. Every frame is one
 * JSON object with a string `type`, read and written by json-glib (through
 * ct-json, which refuses what JSON does not allow).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ct-chat.h"
#include "ct-error.h"
#include "ct-json.h"

static const char * const type_names[] = {
  [CT_CHAT_TEXT] = "text",
  [CT_CHAT_JOIN] = "join",
  [CT_CHAT_MESSAGE] = "message",
  [CT_CHAT_WELCOME] = "welcome",
  [CT_CHAT_LEAVE] = "leave",
  [CT_CHAT_NOTICE] = "notice",
  [CT_CHAT_ERROR] = "error",
  [CT_CHAT_UNKNOWN] = "unknown",
};

const char *
ct_chat_type_to_string (CtChatType type)
{
  g_return_val_if_fail (type < G_N_ELEMENTS (type_names), NULL);
  return type_names[type];
}

/**
 * ct_chat_parse:
 * @object: (out) (optional) (transfer full): the frame's object, for every
 *   type but %CT_CHAT_TEXT
 *
 * Returns: what the frame is; %CT_CHAT_UNKNOWN for an object whose string
 *   `type` is none of the format's
 */
CtChatType
ct_chat_parse (const char  *text,
               gsize        length,
               JsonObject **object)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *o;
  JsonNode *type;
  const char *name;

  if (object)
    *object = NULL;
  /* Plain text is the common case of a generic client: no parser for it */
  while (length > 0 && g_ascii_isspace (*text))
    text++, length--;
  if (length == 0 || *text != '{')
    return CT_CHAT_TEXT;

  root = ct_json_parse (text, length, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return CT_CHAT_TEXT;
  o = json_node_get_object (root);
  type = json_object_get_member (o, "type");
  if (type == NULL || json_node_get_value_type (type) != G_TYPE_STRING)
    return CT_CHAT_TEXT;

  if (object)
    *object = json_object_ref (o);
  name = json_node_get_string (type);
  for (guint i = CT_CHAT_JOIN; i < CT_CHAT_UNKNOWN; i++)
    if (g_str_equal (name, type_names[i]))
      return i;
  return CT_CHAT_UNKNOWN;
}

/* Members of untrusted frames: json-glib's getters warn when a member has
 * another type, and these are what a client sends */

/* Returns: (nullable): the member when it is a string, else @fallback */
const char *
ct_chat_get_string (JsonObject *frame,
                    const char *member,
                    const char *fallback)
{
  JsonNode *node = json_object_get_member (frame, member);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return fallback;
  return json_node_get_string (node);
}

/* Returns: (nullable): the member when it is an array */
JsonArray *
ct_chat_get_array (JsonObject *frame,
                   const char *member)
{
  JsonNode *node = json_object_get_member (frame, member);

  return node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* Returns: whether the member is `true` */
gboolean
ct_chat_get_true (JsonObject *frame,
                  const char *member)
{
  JsonNode *node = json_object_get_member (frame, member);

  return node && json_node_get_value_type (node) == G_TYPE_BOOLEAN && json_node_get_boolean (node);
}

/**
 * ct_chat_describe:
 * @from: (nullable): who sent @frame, for a client's `message` (which does
 *   not say)
 *
 * Returns: (transfer full) (nullable): what a log shows for @frame, as a
 *   chat reads (`alice: hello`, `bob joined`)
 */
char *
ct_chat_describe (CtChatType  type,
                  JsonObject *frame,
                  const char *from)
{
  const char *nick = ct_chat_get_string (frame, "nick", "?");

  switch (type)
    {
    case CT_CHAT_WELCOME:
      return g_strdup (_("Welcome from the chat server"));
    case CT_CHAT_JOIN:
      if (ct_chat_get_true (frame, "you"))
        return g_strdup_printf (_("Joined as %s"), nick);
      return g_strdup_printf (ct_chat_get_array (frame, "users") ? _("%s joined") : _("Joining as %s"), nick);
    case CT_CHAT_LEAVE:
      return g_strdup_printf (_("%s left (%s)"), nick, ct_chat_get_string (frame, "reason", "?"));
    case CT_CHAT_MESSAGE:
      return g_strdup_printf ("%s: %s", from ? from : ct_chat_get_string (frame, "from", "?"),
                              ct_chat_get_string (frame, "text", ""));
    case CT_CHAT_NOTICE:
      return g_strdup_printf (_("Notice: %s"), ct_chat_get_string (frame, "text", ""));
    case CT_CHAT_ERROR:
      return g_strdup_printf (_("Refused: %s"), ct_chat_get_string (frame, "message", "?"));
    case CT_CHAT_TEXT:
    case CT_CHAT_UNKNOWN:
    default:
      return NULL;
    }
}

/**
 * ct_chat_check_nick:
 *
 * Returns: (transfer full) (nullable): @nick trimmed, or %NULL with the
 *   reason in @error when it cannot be a nickname
 */
char *
ct_chat_check_nick (const char  *nick,
                    GError     **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (nick ? nick : ""));
  g_autofree char *folded = NULL;
  glong n;

  if (!g_utf8_validate (trimmed, -1, NULL))
    {
      g_set_error_literal (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD,
                           _("A nickname must be text (valid UTF-8)"));
      return NULL;
    }
  n = g_utf8_strlen (trimmed, -1);
  if (n == 0 || n > CT_CHAT_MAX_NICK)
    {
      g_set_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD,
                   _("A nickname has 1 to %d characters"), CT_CHAT_MAX_NICK);
      return NULL;
    }
  for (const char *p = trimmed; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || c == 0x2028 || c == 0x2029)
        {
          g_set_error_literal (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD,
                               _("A nickname cannot hold control characters or line breaks"));
          return NULL;
        }
    }
  folded = ct_chat_fold_nick (trimmed);
  if (g_str_equal (folded, CT_CHAT_SERVER_NICK))
    {
      g_set_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD,
                   _("The nickname “%s” is kept for the server"), trimmed);
      return NULL;
    }
  return g_steal_pointer (&trimmed);
}

/* The form two nicknames are compared in: without regard to case or to how
 * the same characters are encoded */
char *
ct_chat_fold_nick (const char *nick)
{
  g_autofree char *normal = g_utf8_normalize (nick, -1, G_NORMALIZE_ALL);

  return g_utf8_casefold (normal ? normal : nick, -1);
}

/* UTC, to the millisecond: 2026-11-21T10:00:00.123Z */
char *
ct_chat_format_time (gint64 real_time)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc (real_time / G_USEC_PER_SEC);
  g_autofree char *seconds = g_date_time_format (t, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("%s.%03dZ", seconds, (int) (real_time % G_USEC_PER_SEC / 1000));
}

/* -- writing ------------------------------------------------------------------ */

static JsonObject *
frame_new (const char *type)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "type", type);
  return o;
}

static char *
frame_to_string (JsonObject *o)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), o);

  json_object_unref (o);
  return ct_json_to_string (node, FALSE);
}

static JsonArray *
users_array (const char * const *users)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; users && users[i]; i++)
    json_array_add_string_element (array, users[i]);
  return array;
}

char *
ct_chat_join_new (const char *nick)
{
  JsonObject *o = frame_new ("join");

  json_object_set_string_member (o, "nick", nick);
  return frame_to_string (o);
}

char *
ct_chat_message_new (const char *text)
{
  JsonObject *o = frame_new ("message");

  json_object_set_string_member (o, "text", text);
  return frame_to_string (o);
}

/**
 * ct_chat_said_new:
 *
 * Returns: (transfer full): a `message` frame as the server sends it, as a
 *   node: it is also kept for the history the welcome replays
 */
JsonNode *
ct_chat_said_new (guint64     id,
                  const char *from,
                  const char *text,
                  gint64      real_time)
{
  JsonObject *o = frame_new ("message");
  g_autofree char *time = ct_chat_format_time (real_time);
  JsonNode *node;

  json_object_set_int_member (o, "id", id);
  json_object_set_string_member (o, "from", from);
  json_object_set_string_member (o, "text", text);
  json_object_set_string_member (o, "time", time);
  node = json_node_init_object (json_node_alloc (), o);
  json_object_unref (o);
  return node;
}

/**
 * ct_chat_welcome_new:
 * @history: (element-type JsonNode): `message` frames, oldest first
 */
char *
ct_chat_welcome_new (const char * const *users,
                     GPtrArray          *history,
                     guint               max_frame,
                     guint               rate_limit)
{
  JsonObject *o = frame_new ("welcome");
  JsonObject *limits = json_object_new ();
  JsonArray *said = json_array_new ();

  json_object_set_string_member (o, "server", "Crosstalk");
  json_object_set_int_member (o, "version", CT_CHAT_VERSION);
  json_object_set_array_member (o, "users", users_array (users));
  for (guint i = 0; history && i < history->len; i++)
    json_array_add_element (said, json_node_copy (g_ptr_array_index (history, i)));
  json_object_set_array_member (o, "history", said);
  json_object_set_int_member (limits, "max-frame", max_frame);
  json_object_set_int_member (limits, "rate-limit", rate_limit);
  json_object_set_object_member (o, "limits", limits);
  return frame_to_string (o);
}

char *
ct_chat_joined_new (const char         *nick,
                    const char * const *users,
                    gboolean            you)
{
  JsonObject *o = frame_new ("join");

  json_object_set_string_member (o, "nick", nick);
  json_object_set_array_member (o, "users", users_array (users));
  if (you)
    json_object_set_boolean_member (o, "you", TRUE);
  return frame_to_string (o);
}

char *
ct_chat_left_new (const char         *nick,
                  const char         *reason,
                  const char * const *users)
{
  JsonObject *o = frame_new ("leave");

  json_object_set_string_member (o, "nick", nick);
  json_object_set_string_member (o, "reason", reason);
  json_object_set_array_member (o, "users", users_array (users));
  return frame_to_string (o);
}

char *
ct_chat_notice_new (const char *text)
{
  JsonObject *o = frame_new ("notice");

  json_object_set_string_member (o, "text", text);
  return frame_to_string (o);
}

char *
ct_chat_error_new (const char *code,
                   const char *message)
{
  JsonObject *o = frame_new ("error");

  json_object_set_string_member (o, "code", code);
  json_object_set_string_member (o, "message", message);
  return frame_to_string (o);
}
