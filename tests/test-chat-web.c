/* test-chat-web.c — the chat server's web page in a real browser: Debian's
 * Chromium, headless, driven over the DevTools protocol by
 * tests/chat-web-driver.py (the plumbing is in ct-test-chromium.h and
 * ct_devtools.py). Two people, alice (a wide window) and bob (a phone-sized
 * one), each in a browser context of their own, join the chat, are refused
 * a nickname that is taken, talk both ways, send markup that must stay
 * text, leave and come back; then the server stops under them. The server
 * runs in this process; each step checks what the pages showed (as the
 * driver reports it) and what the server got and sent (its log).
 *
 * The steps share one server, browser and pair of pages, and run in order;
 * a step whose predecessor failed fails too. Assertions are not fatal, so
 * Chromium is always stopped and its profile removed at the end.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ct-test-chromium.h"
#include "ct-test-util.h"
#include "ct-chat-server.h"

#define RUN_TIMEOUT_S 90   /* everything the browser does, from its start */

#define TITLE      "Crosstalk chat"
#define HELLO      "Hello from Alice"
#define REPLY      "Hi Alice, Bob here"
#define MARKUP     "<img src=x onerror=\"document.title='pwned'\">"
#define AGAIN      "Bob is back"

static struct
{
  CtEndpoint *server;
  char       *url;                   /* http://127.0.0.1:PORT/ */
  char       *origin;                /* http://127.0.0.1:PORT */
  CtChromium  browser;               /* Chromium and the driver */
  gboolean    alice_joined;
  gboolean    bob_joined;
} run;

/* -- the driver ---------------------------------------------------------------- */

static JsonBuilder *
command_new (const char *cmd,
             const char *page)
{
  JsonBuilder *builder = ct_chromium_command_new (cmd);

  ct_chromium_command_add (builder, "page", page);
  return builder;
}

static JsonObject *
command_run (JsonBuilder *builder)
{
  return ct_chromium_command_run (&run.browser, builder);
}

/* A command with no more than its page */
static JsonObject *
page_do (const char *cmd,
         const char *page)
{
  g_autoptr(JsonBuilder) builder = command_new (cmd, page);

  return command_run (builder);
}

static JsonObject *
page_open (const char *page,
           int         width,
           int         height)
{
  g_autoptr(JsonBuilder) builder = command_new ("open", page);

  ct_chromium_command_add (builder, "url", run.url);
  json_builder_set_member_name (builder, "width");
  json_builder_add_int_value (builder, width);
  json_builder_set_member_name (builder, "height");
  json_builder_add_int_value (builder, height);
  return command_run (builder);
}

static JsonObject *
page_join (const char *page,
           const char *nick)
{
  g_autoptr(JsonBuilder) builder = command_new ("join", page);

  ct_chromium_command_add (builder, "nick", nick);
  return command_run (builder);
}

/* Sends @text from @page, with the Enter key or a click on Send */
static JsonObject *
page_send (const char *page,
           const char *text,
           gboolean    key)
{
  g_autoptr(JsonBuilder) builder = command_new ("send", page);

  ct_chromium_command_add (builder, "text", text);
  json_builder_set_member_name (builder, "key");
  json_builder_add_boolean_value (builder, key);
  return command_run (builder);
}

static JsonObject *
page_wait_message (const char *page,
                   const char *from,
                   const char *text)
{
  g_autoptr(JsonBuilder) builder = command_new ("wait_message", page);

  ct_chromium_command_add (builder, "from", from);
  ct_chromium_command_add (builder, "text", text);
  return command_run (builder);
}

/* Waits until @page lists the NULL-ended nicknames online */
static JsonObject *
page_wait_users (const char *page,
                 ...)
{
  g_autoptr(JsonBuilder) builder = command_new ("wait_users", page);
  va_list ap;

  json_builder_set_member_name (builder, "users");
  json_builder_begin_array (builder);
  va_start (ap, page);
  for (const char *nick = va_arg (ap, const char *); nick; nick = va_arg (ap, const char *))
    json_builder_add_string_value (builder, nick);
  va_end (ap);
  json_builder_end_array (builder);
  return command_run (builder);
}

static JsonObject *
page_wait_state (const char *page,
                 const char *state)
{
  g_autoptr(JsonBuilder) builder = command_new ("wait_state", page);

  ct_chromium_command_add (builder, "state", state);
  return command_run (builder);
}

static gboolean
page_ready (void)
{
  return ct_chromium_ready (&run.browser);
}

/* -- what a page showed (the driver's snapshot) ---------------------------------- */

#define member_string(o, path) ct_chromium_member_string (o, path)

static JsonArray *
messages_of (JsonObject *snapshot)
{
  return json_object_get_array_member (snapshot, "messages");
}

/* How many messages @snapshot shows from @from with @text */
static guint
count_messages (JsonObject *snapshot,
                const char *from,
                const char *text)
{
  JsonArray *messages = messages_of (snapshot);
  guint count = 0;

  for (guint i = 0; messages && i < json_array_get_length (messages); i++)
    {
      JsonObject *m = json_array_get_object_element (messages, i);

      count += g_strcmp0 (member_string (m, "from"), from) == 0 &&
               g_strcmp0 (member_string (m, "text"), text) == 0;
    }
  return count;
}

/* The last message @snapshot shows from @from with @text, or NULL (and the
 * test failed) */
static JsonObject *
find_message (JsonObject *snapshot,
              const char *from,
              const char *text)
{
  JsonArray *messages = messages_of (snapshot);
  guint n = messages ? json_array_get_length (messages) : 0;

  for (guint i = n; i-- > 0;)
    {
      JsonObject *m = json_array_get_object_element (messages, i);

      if (g_strcmp0 (member_string (m, "from"), from) == 0 &&
          g_strcmp0 (member_string (m, "text"), text) == 0)
        return m;
    }
  g_test_fail_printf ("the page shows no message “%s” from %s", text, from);
  return NULL;
}

static gboolean
is_own (JsonObject *message)
{
  return message && json_object_get_boolean_member_with_default (message, "own", FALSE);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The nicknames the online list shows, sorted, joined with commas */
static char *
users_of (JsonObject *snapshot)
{
  JsonArray *users = json_object_get_array_member (snapshot, "users");
  g_autoptr(GPtrArray) nicks = g_ptr_array_new ();

  for (guint i = 0; users && i < json_array_get_length (users); i++)
    g_ptr_array_add (nicks, (gpointer) json_array_get_string_element (users, i));
  g_ptr_array_sort (nicks, compare_strings);
  g_ptr_array_add (nicks, NULL);
  return g_strjoinv (",", (char **) nicks->pdata);
}

/* The text of the last join/leave/notice line, or NULL */
static const char *
last_event (JsonObject *snapshot)
{
  JsonArray *events = json_object_get_array_member (snapshot, "events");
  guint n = events ? json_array_get_length (events) : 0;

  return n ? member_string (json_array_get_object_element (events, n - 1), "text") : NULL;
}

/* -- the server's log ---------------------------------------------------------- */

/* Entries of the log: @direction, and those of @event, @type (the `type`
 * in the metadata) and @data (the payload, exactly) that are not NULL */
typedef struct
{
  CtDirection  direction;
  const char  *event;
  const char  *type;
  const char  *data;
} LogQuery;

static char *
meta_string (CtMessage  *message,
             const char *key)
{
  GVariant *meta = ct_message_get_meta (message);
  const char *value = NULL;

  if (meta && g_variant_lookup (meta, key, "&s", &value))
    return g_strdup (value);
  return NULL;
}

static guint
meta_uint (CtMessage  *message,
           const char *key)
{
  GVariant *meta = ct_message_get_meta (message);
  guint value = G_MAXUINT;

  if (meta == NULL || !g_variant_lookup (meta, key, "u", &value))
    return G_MAXUINT;
  return value;
}

static gboolean
log_matches (CtMessage      *message,
             const LogQuery *q)
{
  g_autofree char *type = NULL;
  g_autofree char *data = NULL;

  if (ct_message_get_direction (message) != q->direction)
    return FALSE;
  if (q->event && g_strcmp0 (ct_message_get_event (message), q->event) != 0)
    return FALSE;
  if (q->type && g_strcmp0 (type = meta_string (message, "type"), q->type) != 0)
    return FALSE;
  if (q->data && g_strcmp0 (data = ct_message_dup_text (message), q->data) != 0)
    return FALSE;
  return TRUE;
}

/* The entries @q matches, oldest first */
static GPtrArray *
log_find (const LogQuery *q)
{
  CtMessageLog *log = ct_endpoint_get_log (run.server);
  GPtrArray *found = g_ptr_array_new_with_free_func (g_object_unref);
  guint n;

  ct_message_log_flush (log);
  n = g_list_model_get_n_items (G_LIST_MODEL (log));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CtMessage) message = g_list_model_get_item (G_LIST_MODEL (log), i);

      if (log_matches (message, q))
        g_ptr_array_add (found, g_steal_pointer (&message));
    }
  return found;
}

static guint
log_count (const LogQuery *q)
{
  g_autoptr(GPtrArray) found = log_find (q);

  return found->len;
}

/* The payload of entry @message as a JSON object, or NULL (and the test
 * failed) */
static JsonObject *
frame_of (CtMessage *message)
{
  g_autofree char *text = ct_message_dup_text (message);
  g_autoptr(JsonNode) node = text ? json_from_string (text, NULL) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_test_fail_printf ("the log's %s entry is not a JSON object: %s",
                          ct_message_get_event (message), text ? text : "(not text)");
      return NULL;
    }
  return json_object_ref (json_node_get_object (node));
}

/* The last entry @q matches whose frame has @member equal to @value, and
 * that frame; NULL (and the test failed) when there is none */
static CtMessage *
log_last_frame (const LogQuery  *q,
                const char      *member,
                const char      *value,
                JsonObject     **frame)
{
  g_autoptr(GPtrArray) found = log_find (q);

  for (guint i = found->len; i-- > 0;)
    {
      CtMessage *message = g_ptr_array_index (found, i);
      g_autoptr(JsonObject) object = frame_of (message);

      if (object && g_strcmp0 (json_object_get_string_member_with_default (object, member, NULL), value) == 0)
        {
          if (frame)
            *frame = g_steal_pointer (&object);
          return g_object_ref (message);
        }
    }
  g_test_fail_printf ("the server's log has no %s %s entry whose %s is “%s”",
                      q->direction == CT_DIRECTION_IN ? "in" : q->direction == CT_DIRECTION_OUT ? "out" : "info",
                      q->event ? q->event : "", member, value);
  return NULL;
}

/* The server received the message @text once, as the page sends it, and
 * broadcast it once from @from to @recipients clients */
static void
assert_message_logged (const char *from,
                       const char *text,
                       guint       recipients)
{
  g_autoptr(GPtrArray) received = log_find (&(LogQuery) { CT_DIRECTION_IN, "message", "message", NULL });
  g_autoptr(CtMessage) broadcast = NULL;
  g_autoptr(JsonObject) frame = NULL;
  guint count = 0;

  for (guint i = 0; i < received->len; i++)
    {
      g_autoptr(JsonObject) object = frame_of (g_ptr_array_index (received, i));

      if (object && g_strcmp0 (json_object_get_string_member_with_default (object, "text", NULL), text) == 0)
        {
          count++;
          /* {"type":"message","text":…}, and nothing more */
          g_assert_cmpuint (json_object_get_size (object), ==, 2);
        }
    }
  g_assert_cmpuint (count, ==, 1);

  broadcast = log_last_frame (&(LogQuery) { CT_DIRECTION_OUT, "broadcast", "message", NULL }, "text", text, &frame);
  if (broadcast == NULL)
    return;
  g_assert_cmpuint (meta_uint (broadcast, "recipients"), ==, recipients);
  g_assert_cmpstr (json_object_get_string_member_with_default (frame, "from", NULL), ==, from);
  g_assert_cmpint (json_object_get_int_member_with_default (frame, "id", 0), >, 0);
  g_assert_nonnull (json_object_get_string_member_with_default (frame, "time", NULL));
}

/* -- the steps ------------------------------------------------------------------ */

static void
test_load (void)
{
  static const char * const files[] = { "GET /", "GET /base.css", "GET /chat.css", "GET /chat.js" };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GPtrArray) opened = NULL;
  g_autoptr(CtMessage) welcome = NULL;
  g_autoptr(JsonObject) frame = NULL;
  guint16 port;

  run.server = g_object_new (ct_chat_server_get_type (), "port", 0, NULL);
  g_assert_true (ct_test_start (run.server, &error));
  g_assert_no_error (error);
  if (ct_endpoint_get_state (run.server) != CT_STATE_RUNNING)
    return;
  g_assert_true (g_str_has_prefix (ct_endpoint_get_address (run.server), "127.0.0.1:"));
  port = ct_test_endpoint_port (run.server);
  run.url = g_strdup_printf ("http://127.0.0.1:%u/", port);
  run.origin = g_strdup_printf ("http://127.0.0.1:%u", port);

  if (!ct_chromium_start (&run.browser, "chat-web", "chat-web-driver.py", RUN_TIMEOUT_S))
    return;

  /* Alice's page: connected, welcomed, nobody online yet */
  answer = page_open ("alice", 1280, 900);
  if (answer == NULL)
    return;
  g_assert_cmpstr (member_string (answer, "state"), ==, "choosing");
  g_assert_cmpstr (member_string (answer, "title"), ==, TITLE);
  g_assert_cmpstr (member_string (answer, "user_count"), ==, "0");
  g_assert_cmpuint (json_array_get_length (messages_of (answer)), ==, 0);
  g_assert_true (json_object_get_boolean_member_with_default (answer, "join_form", FALSE));
  g_assert_false (json_object_get_boolean_member_with_default (answer, "composer", TRUE));

  /* The page and its files came from the server */
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      CtMessageLog *log = ct_endpoint_get_log (run.server);
      guint n, count = 0;

      ct_message_log_flush (log);
      n = g_list_model_get_n_items (G_LIST_MODEL (log));
      for (guint j = 0; j < n; j++)
        {
          g_autoptr(CtMessage) message = g_list_model_get_item (G_LIST_MODEL (log), j);
          g_autofree char *http = meta_string (message, "http");

          count += ct_message_get_direction (message) == CT_DIRECTION_IN && g_strcmp0 (http, files[i]) == 0;
        }
      if (count != 1)
        g_test_fail_printf ("the server's log has %u requests %s, not 1", count, files[i]);
    }

  /* Its WebSocket, from the page's origin, welcomed */
  opened = log_find (&(LogQuery) { CT_DIRECTION_INFO, "open", NULL, NULL });
  g_assert_cmpuint (opened->len, ==, 1);
  if (opened->len == 1)
    {
      g_autofree char *origin = meta_string (g_ptr_array_index (opened, 0), "origin");

      g_assert_cmpstr (origin, ==, run.origin);
    }
  welcome = log_last_frame (&(LogQuery) { CT_DIRECTION_OUT, "welcome", NULL, NULL }, "type", "welcome", &frame);
  if (welcome)
    {
      g_assert_cmpstr (json_object_get_string_member_with_default (frame, "server", NULL), ==, "Crosstalk");
      g_assert_cmpint (json_object_get_int_member_with_default (frame, "version", 0), ==, 1);
    }
}

static void
test_join (void)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) bob = NULL;
  g_autoptr(CtMessage) joined = NULL;
  g_autoptr(JsonObject) frame = NULL;
  g_autofree char *users = NULL;

  if (!page_ready ())
    return;

  answer = page_join ("alice", "alice");
  if (answer == NULL)
    return;
  g_assert_cmpstr (member_string (answer, "state"), ==, "joined");
  g_assert_cmpstr (member_string (answer, "nick"), ==, "alice");
  g_assert_null (member_string (answer, "nick_error"));
  g_assert_true (json_object_get_boolean_member_with_default (answer, "composer", FALSE));
  g_assert_false (json_object_get_boolean_member_with_default (answer, "join_form", TRUE));
  users = users_of (answer);
  g_assert_cmpstr (users, ==, "alice");
  run.alice_joined = TRUE;

  /* The server got the join as the page sends it, and confirmed it to her */
  g_assert_cmpuint (log_count (&(LogQuery) { CT_DIRECTION_IN, "message", "join",
                                             "{\"type\":\"join\",\"nick\":\"alice\"}" }), ==, 1);
  joined = log_last_frame (&(LogQuery) { CT_DIRECTION_OUT, "join", NULL, NULL }, "nick", "alice", &frame);
  if (joined)
    g_assert_true (json_object_get_boolean_member_with_default (frame, "you", FALSE));

  /* Bob's page, as narrow as a phone: it sees alice online */
  bob = page_open ("bob", 390, 844);
  if (bob == NULL)
    return;
  g_assert_cmpstr (member_string (bob, "state"), ==, "choosing");
  g_clear_pointer (&users, g_free);
  users = users_of (bob);
  g_assert_cmpstr (users, ==, "alice");
}

/* Bob asks for alice's nickname (in capitals: nicknames are compared
 * without case), is told why not next to the field, and takes another
 * without reloading */
static void
test_nick_taken (void)
{
  g_autoptr(JsonObject) refused = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) alice = NULL;
  g_autoptr(CtMessage) error = NULL;
  g_autoptr(JsonObject) frame = NULL;
  g_autofree char *users = NULL;
  const char *nick_error;

  if (!page_ready ())
    return;

  refused = page_join ("bob", "ALICE");
  if (refused == NULL)
    return;
  g_assert_cmpstr (member_string (refused, "state"), ==, "choosing");
  g_assert_cmpstr (member_string (refused, "error"), ==, "nick-taken");
  g_assert_null (member_string (refused, "nick"));
  g_assert_true (json_object_get_boolean_member_with_default (refused, "join_form", FALSE));
  g_assert_false (json_object_get_boolean_member_with_default (refused, "composer", TRUE));
  g_assert_cmpstr (member_string (refused, "status.kind"), ==, "error");

  /* What the page shows is the server's reason */
  error = log_last_frame (&(LogQuery) { CT_DIRECTION_OUT, "error", NULL, NULL }, "code", "nick-taken", &frame);
  nick_error = member_string (refused, "nick_error");
  g_assert_nonnull (nick_error);
  if (error)
    g_assert_cmpstr (nick_error, ==, json_object_get_string_member_with_default (frame, "message", NULL));
  g_assert_cmpuint (log_count (&(LogQuery) { CT_DIRECTION_IN, "message", "join",
                                             "{\"type\":\"join\",\"nick\":\"ALICE\"}" }), ==, 1);

  /* Another nickname, on the same page */
  answer = page_join ("bob", "bob");
  if (answer == NULL)
    return;
  g_assert_cmpstr (member_string (answer, "state"), ==, "joined");
  g_assert_cmpstr (member_string (answer, "nick"), ==, "bob");
  g_assert_null (member_string (answer, "nick_error"));
  users = users_of (answer);
  g_assert_cmpstr (users, ==, "alice,bob");
  run.bob_joined = TRUE;

  /* And alice sees him come */
  alice = page_wait_users ("alice", "alice", "bob", NULL);
  if (alice == NULL)
    return;
  g_assert_cmpstr (member_string (alice, "user_count"), ==, "2");
  g_assert_cmpstr (last_event (alice), ==, "bob joined");
}

static void
test_messages (void)
{
  g_autoptr(JsonObject) sent = NULL;
  g_autoptr(JsonObject) seen = NULL;
  g_autoptr(JsonObject) replied = NULL;
  g_autoptr(JsonObject) heard = NULL;
  JsonObject *m;

  if (!page_ready ())
    return;
  if (!run.alice_joined || !run.bob_joined)
    {
      g_test_fail_printf ("nobody to talk: the join steps failed");
      return;
    }

  /* Alice to bob, with the Send button */
  sent = page_send ("alice", HELLO, FALSE);
  if (sent == NULL)
    return;
  m = find_message (sent, "alice", HELLO);
  g_assert_true (is_own (m));
  seen = page_wait_message ("bob", "alice", HELLO);
  if (seen == NULL)
    return;
  m = find_message (seen, "alice", HELLO);
  g_assert_false (is_own (m));
  assert_message_logged ("alice", HELLO, 2);

  /* Bob to alice, with Enter */
  replied = page_send ("bob", REPLY, TRUE);
  if (replied == NULL)
    return;
  g_assert_true (is_own (find_message (replied, "bob", REPLY)));
  heard = page_wait_message ("alice", "bob", REPLY);
  if (heard == NULL)
    return;
  g_assert_false (is_own (find_message (heard, "bob", REPLY)));
  assert_message_logged ("bob", REPLY, 2);

  /* Both pages show both, in the order the server sent them */
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *snapshot = i == 0 ? heard : replied;
      JsonArray *messages = messages_of (snapshot);

      g_assert_cmpuint (json_array_get_length (messages), ==, 2);
      if (json_array_get_length (messages) != 2)
        continue;
      g_assert_cmpstr (member_string (json_array_get_object_element (messages, 0), "text"), ==, HELLO);
      g_assert_cmpstr (member_string (json_array_get_object_element (messages, 1), "text"), ==, REPLY);
    }
}

/* What the driver's inspect says of @page: its last message is MARKUP as
 * text, and nothing became an element or ran */
static void
assert_inert (const char *page)
{
  g_autoptr(JsonObject) answer = page_do ("inspect", page);
  JsonArray *texts;
  JsonObject *last;
  guint n;

  g_test_message ("inspecting %s's page", page);
  if (answer == NULL)
    return;
  texts = json_object_get_array_member (answer, "texts");
  n = texts ? json_array_get_length (texts) : 0;
  g_assert_cmpuint (n, ==, 3);
  if (n == 0)
    return;
  last = json_array_get_object_element (texts, n - 1);
  g_assert_cmpstr (member_string (last, "text"), ==, MARKUP);
  g_assert_cmpint (json_object_get_int_member_with_default (last, "elements", -1), ==, 0);
  g_assert_cmpint (json_object_get_int_member_with_default (last, "nodes", -1), ==, 1);
  g_assert_cmpint (json_object_get_int_member_with_default (answer, "foreign", -1), ==, 0);
  g_assert_cmpint (json_object_get_int_member_with_default (answer, "images", -1), ==, 0);
  g_assert_cmpint (json_object_get_int_member_with_default (answer, "scripts", -1), ==, 1);   /* chat.js */
  g_assert_cmpstr (member_string (answer, "title"), ==, TITLE);
}

static void
test_markup_is_text (void)
{
  g_autoptr(JsonObject) sent = NULL;
  g_autoptr(JsonObject) seen = NULL;

  if (!page_ready ())
    return;
  if (!run.alice_joined || !run.bob_joined)
    {
      g_test_fail_printf ("nobody to talk: the join steps failed");
      return;
    }

  sent = page_send ("alice", MARKUP, FALSE);
  if (sent == NULL)
    return;
  g_assert_cmpuint (count_messages (sent, "alice", MARKUP), ==, 1);
  seen = page_wait_message ("bob", "alice", MARKUP);
  if (seen == NULL)
    return;
  g_assert_cmpuint (count_messages (seen, "alice", MARKUP), ==, 1);
  assert_message_logged ("alice", MARKUP, 2);

  assert_inert ("alice");
  assert_inert ("bob");
}

/* Bob leaves (the page closes with 1000) and comes back with Reconnect,
 * under the same nickname, without seeing the history twice */
static void
test_leave_and_reconnect (void)
{
  g_autoptr(JsonObject) left = NULL;
  g_autoptr(JsonObject) alone = NULL;
  g_autoptr(JsonObject) back = NULL;
  g_autoptr(JsonObject) together = NULL;
  g_autoptr(JsonObject) said = NULL;
  g_autoptr(JsonObject) heard = NULL;
  g_autoptr(CtMessage) closed = NULL;
  g_autoptr(CtMessage) leave = NULL;
  g_autoptr(JsonObject) frame = NULL;
  g_autofree char *users = NULL;
  const char *close_info;

  if (!page_ready ())
    return;
  if (!run.alice_joined || !run.bob_joined)
    {
      g_test_fail_printf ("nobody to leave: the join steps failed");
      return;
    }

  left = page_do ("leave", "bob");
  if (left == NULL)
    return;
  g_assert_cmpstr (member_string (left, "state"), ==, "closed");
  g_assert_cmpstr (member_string (left, "close_code"), ==, "1000");
  close_info = member_string (left, "close_info");
  g_assert_nonnull (close_info);
  g_assert_nonnull (strstr (close_info ? close_info : "", "1000"));
  g_assert_cmpstr (member_string (left, "user_count"), ==, "0");

  /* Alice sees him go; the server logged the close and told everyone */
  alone = page_wait_users ("alice", "alice", NULL);
  if (alone == NULL)
    return;
  g_assert_cmpstr (last_event (alone), ==, "bob left");
  leave = log_last_frame (&(LogQuery) { CT_DIRECTION_OUT, "broadcast", "leave", NULL }, "nick", "bob", &frame);
  if (leave)
    g_assert_cmpstr (json_object_get_string_member_with_default (frame, "reason", NULL), ==, "left");
  {
    g_autoptr(GPtrArray) closes = log_find (&(LogQuery) { CT_DIRECTION_INFO, "close", NULL, NULL });

    g_assert_cmpuint (closes->len, ==, 1);
    if (closes->len == 1)
      {
        g_autofree char *reason = meta_string (g_ptr_array_index (closes, 0), "reason");

        g_assert_cmpuint (meta_uint (g_ptr_array_index (closes, 0), "code"), ==, 1000);
        g_assert_cmpstr (reason, ==, "left");
      }
  }

  /* Reconnect: bob again, the history replayed but not shown twice */
  back = page_do ("reconnect", "bob");
  if (back == NULL)
    return;
  g_assert_cmpstr (member_string (back, "nick"), ==, "bob");
  g_assert_cmpuint (json_array_get_length (messages_of (back)), ==, 3);
  g_assert_cmpuint (count_messages (back, "alice", HELLO), ==, 1);
  g_assert_cmpuint (count_messages (back, "bob", REPLY), ==, 1);
  g_assert_cmpuint (count_messages (back, "alice", MARKUP), ==, 1);
  users = users_of (back);
  g_assert_cmpstr (users, ==, "alice,bob");
  g_assert_cmpuint (log_count (&(LogQuery) { CT_DIRECTION_IN, "message", "join",
                                             "{\"type\":\"join\",\"nick\":\"bob\"}" }), ==, 2);
  g_assert_cmpuint (log_count (&(LogQuery) { CT_DIRECTION_INFO, "open", NULL, NULL }), ==, 3);
  together = page_wait_users ("alice", "alice", "bob", NULL);
  if (together == NULL)
    return;

  /* And the chat goes on */
  said = page_send ("bob", AGAIN, TRUE);
  if (said == NULL)
    return;
  heard = page_wait_message ("alice", "bob", AGAIN);
  if (heard == NULL)
    return;
  assert_message_logged ("bob", AGAIN, 2);
  g_assert_cmpstr (member_string (heard, "title"), ==, TITLE);
}

/* The server stops: both pages say so, with its code and reason, and offer
 * to reconnect */
static void
test_server_stops (void)
{
  static const char * const pages[] = { "alice", "bob" };

  if (!page_ready ())
    return;
  if (run.server == NULL || ct_endpoint_get_state (run.server) != CT_STATE_RUNNING)
    {
      g_test_fail_printf ("no server to stop");
      return;
    }

  ct_test_stop (run.server);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autoptr(JsonObject) answer = page_wait_state (pages[i], "closed");
      const char *close_info;

      if (answer == NULL)
        return;
      g_assert_cmpstr (member_string (answer, "close_code"), ==, "1001");
      close_info = member_string (answer, "close_info");
      g_assert_nonnull (close_info);
      close_info = close_info ? close_info : "";
      g_assert_nonnull (strstr (close_info, "1001"));
      g_assert_nonnull (strstr (close_info, "The server is shutting down"));
      g_assert_cmpstr (member_string (answer, "status.kind"), ==, "error");
      g_assert_cmpstr (member_string (answer, "user_count"), ==, "0");
      g_assert_cmpstr (member_string (answer, "title"), ==, TITLE);
    }
}

/* -- stopping everything ------------------------------------------------------- */

/* The server's log, for a failed run */
static void
print_log (void)
{
  CtMessageLog *log = ct_endpoint_get_log (run.server);
  guint n;

  ct_message_log_flush (log);
  n = g_list_model_get_n_items (G_LIST_MODEL (log));
  g_printerr ("the server's log:\n");
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CtMessage) message = g_list_model_get_item (G_LIST_MODEL (log), i);
      static const char * const directions[] = { "in", "out", "info", "error" };
      CtDirection direction = ct_message_get_direction (message);
      g_autofree char *summary = ct_message_dup_summary (message);
      GVariant *meta = ct_message_get_meta (message);
      g_autofree char *meta_text = meta ? g_variant_print (meta, FALSE) : NULL;

      g_printerr ("  %s %s %s: %s %s\n",
                  direction < G_N_ELEMENTS (directions) ? directions[direction] : "?",
                  ct_message_get_peer (message) ? ct_message_get_peer (message) : "-",
                  ct_message_get_event (message) ? ct_message_get_event (message) : "-",
                  summary, meta_text ? meta_text : "");
    }
}

/* Returns whether everything stopped and went as it should */
static gboolean
stop_all (gboolean failed)
{
  gboolean ok = ct_chromium_stop (&run.browser, failed);

  if (run.server && failed)
    print_log ();
  if (run.server && !ct_test_release_endpoint (&run.server))
    ok = FALSE;
  g_clear_pointer (&run.url, g_free);
  g_clear_pointer (&run.origin, g_free);
  return ok;
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  /* A failed check must not skip stopping Chromium */
  g_test_set_nonfatal_assertions ();

  /* In order: each step works on what the one before left */
  g_test_add_func ("/chat-web/load", test_load);
  g_test_add_func ("/chat-web/join", test_join);
  g_test_add_func ("/chat-web/nick-taken", test_nick_taken);
  g_test_add_func ("/chat-web/messages", test_messages);
  g_test_add_func ("/chat-web/markup-is-text", test_markup_is_text);
  g_test_add_func ("/chat-web/leave-and-reconnect", test_leave_and_reconnect);
  g_test_add_func ("/chat-web/server-stops", test_server_stops);

  status = g_test_run ();
  if (!stop_all (status != 0))
    status = 1;
  return status;
}
