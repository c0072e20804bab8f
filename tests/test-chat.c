/* test-chat.c — CtChatServer and CtChatClient: the chat format end to end,
 * nicknames, a slow client, malformed frames, 200 clients under load, the
 * rate limit, kicks and limits, the server's own posts and pages, errors,
 * and third-party peers (python3-websockets, wscat, raw sockets written
 * here) on either side
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE   /* memmem */

#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ct-test-util.h"
#include "ct-chat-participant.h"

/* Debian's Python, which has python3-websockets (a plain `python3` may be
 * another Python without it) */
#define DEBIAN_PYTHON "/usr/bin/python3"
/* Debian's node modules (wscat needs `ws`); the `node` in PATH may be
 * another build that does not look there by itself */
#define DEBIAN_NODE_PATH "/usr/share/nodejs"

/* RFC 6455, section 1.3 */
#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

typedef struct _Raw  Raw;
typedef struct _Peer Peer;

static void raw_free  (Raw *r);
static void peer_free (Peer *p);

typedef struct
{
  CtEndpoint *server;
  GPtrArray  *clients;   /* CtEndpoint: our clients, stopped at the end */
  GPtrArray  *raws;      /* Raw: raw socket clients, closed at the end */
  GPtrArray  *peers;     /* Peer: third-party programs, ended at the end */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = ct_chat_server_new ();
  g_object_set (f->server, "port", 0, NULL);
  f->clients = g_ptr_array_new ();
  f->raws = g_ptr_array_new ();
  f->peers = g_ptr_array_new ();
}

static void
stop_if_active (CtEndpoint *endpoint)
{
  if (ct_endpoint_is_active (endpoint))
    ct_test_stop (endpoint);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  for (guint i = 0; i < f->peers->len; i++)
    peer_free (f->peers->pdata[i]);
  g_ptr_array_unref (f->peers);
  for (guint i = 0; i < f->raws->len; i++)
    raw_free (f->raws->pdata[i]);
  g_ptr_array_unref (f->raws);
  for (guint i = 0; i < f->clients->len; i++)
    {
      stop_if_active (f->clients->pdata[i]);
      g_object_unref (f->clients->pdata[i]);
    }
  g_ptr_array_unref (f->clients);

  /* Nothing of the server may outlive it: no connection, no source */
  stop_if_active (f->server);
  CT_TEST_WAIT_UNTIL (G_OBJECT (f->server)->ref_count == 1);
  g_assert_finalize_object (g_steal_pointer (&f->server));
}

static CtMessageLog *
log_of (CtEndpoint *endpoint)
{
  return ct_endpoint_get_log (endpoint);
}

static guint
n_connections (CtEndpoint *server)
{
  return g_list_model_get_n_items (ct_endpoint_get_connections (server));
}

static void
start_server (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ct_test_start (f->server, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (ct_endpoint_get_address (f->server), "127.0.0.1:"));
}

static char *
server_url (Fixture    *f,
            const char *path)
{
  return g_strdup_printf ("ws://127.0.0.1:%u%s", ct_test_endpoint_port (f->server), path);
}

/* The participant whose nickname is @nick, or NULL */
static CtConnection *
find_participant (Fixture    *f,
                  const char *nick)
{
  GListModel *connections = ct_endpoint_get_connections (f->server);

  for (guint i = 0; i < g_list_model_get_n_items (connections); i++)
    {
      g_autoptr(CtConnection) connection = g_list_model_get_item (connections, i);

      if (g_strcmp0 (ct_connection_get_name (connection), nick) == 0)
        return connection;   /* the list keeps it */
    }
  return NULL;
}

/* Lets @ms milliseconds pass with the main context running, where what is
 * awaited is time itself (a rate limit's bucket filling up, a client that
 * must survive pings) */
static void
pass_time (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * (gint64) 1000;

  g_assert_cmpuint (ms, <, CT_TEST_TIMEOUT_S * 1000);
  CT_TEST_WAIT_UNTIL (g_get_monotonic_time () > until);
}

/* -- the log ----------------------------------------------------------------- */

static guint
count_events (CtMessageLog *log,
              const char   *event)
{
  guint n, count = 0;

  ct_message_log_flush (log);
  n = g_list_model_get_n_items (G_LIST_MODEL (log));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CtMessage) message = g_list_model_get_item (G_LIST_MODEL (log), i);

      count += g_strcmp0 (ct_message_get_event (message), event) == 0;
    }
  return count;
}

/* The last entry whose event is @event, or NULL */
static CtMessage *
last_event (CtMessageLog *log,
            const char   *event)
{
  guint n;

  ct_message_log_flush (log);
  n = g_list_model_get_n_items (G_LIST_MODEL (log));
  for (guint i = n; i > 0; i--)
    {
      g_autoptr(CtMessage) message = g_list_model_get_item (G_LIST_MODEL (log), i - 1);

      if (g_strcmp0 (ct_message_get_event (message), event) == 0)
        return g_steal_pointer (&message);
    }
  return NULL;
}

static const char *
meta_string (CtMessage  *message,
             const char *key)
{
  GVariant *meta = ct_message_get_meta (message);
  const char *value = NULL;

  if (meta == NULL || !g_variant_lookup (meta, key, "&s", &value))
    return NULL;
  return value;
}

static guint
meta_uint (CtMessage  *message,
           const char *key)
{
  GVariant *meta = ct_message_get_meta (message);
  guint32 value = 0;

  g_assert_nonnull (meta);
  g_assert_true (g_variant_lookup (meta, key, "u", &value));
  return value;
}

/* -- JSON ------------------------------------------------------------------------ */

static JsonObject *
parse_object (const char *text,
              gssize      length)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, length, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return json_object_ref (json_node_get_object (root));
}

static const char *
member_string (JsonObject *o,
               const char *member)
{
  JsonNode *node = json_object_get_member (o, member);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
member_int (JsonObject *o,
            const char *member)
{
  JsonNode *node = json_object_get_member (o, member);

  g_assert_nonnull (node);
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);
  return json_node_get_int (node);
}

/* An array of strings, joined with commas ("" when empty) */
static char *
member_strings (JsonObject *o,
                const char *member)
{
  JsonNode *node = json_object_get_member (o, member);
  g_autoptr(GString) s = g_string_new (NULL);
  JsonArray *array;

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_string_append_printf (s, "%s%s", i ? "," : "", json_array_get_string_element (array, i));
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* The ids and texts of the welcome's history: "3:three,4:four" */
static char *
history_string (JsonObject *welcome)
{
  JsonArray *history = json_object_get_array_member (welcome, "history");
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (history); i++)
    {
      JsonObject *said = json_array_get_object_element (history, i);

      g_assert_cmpstr (member_string (said, "type"), ==, "message");
      g_string_append_printf (s, "%s%" G_GINT64_FORMAT ":%s", i ? "," : "",
                              member_int (said, "id"), member_string (said, "text"));
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static gboolean
has_you (JsonObject *o)
{
  JsonNode *node = json_object_get_member (o, "you");

  return node && json_node_get_value_type (node) == G_TYPE_BOOLEAN && json_node_get_boolean (node);
}

/* -- our client ------------------------------------------------------------------ */

static CtEndpoint *
chat_client_new (Fixture *f)
{
  CtEndpoint *client = ct_chat_client_new ();

  ct_endpoint_use_server (client, f->server);
  g_ptr_array_add (f->clients, client);
  return client;
}

/* A client of the fixture's server, joined as @nick */
static CtEndpoint *
join_client (Fixture    *f,
             const char *nick)
{
  CtEndpoint *client = chat_client_new (f);
  g_autoptr(GError) error = NULL;

  g_object_set (client, "nick", nick, NULL);
  g_assert_true (ct_test_start (client, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ct_endpoint_get_state (client), ==, CT_STATE_RUNNING);
  g_assert_true (ct_chat_client_is_chatting (CT_CHAT_CLIENT (client)));
  return client;
}

/* The chat frames @client received of @type (NULL: all), parsed, in order */
static GPtrArray *
client_frames (CtEndpoint *client,
               const char *type)
{
  CtMessageLog *log = log_of (client);
  GPtrArray *frames = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  guint n;

  ct_message_log_flush (log);
  n = g_list_model_get_n_items (G_LIST_MODEL (log));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CtMessage) message = g_list_model_get_item (G_LIST_MODEL (log), i);
      g_autofree char *text = NULL;
      JsonObject *o;

      if (ct_message_get_direction (message) != CT_DIRECTION_IN ||
          g_strcmp0 (ct_message_get_event (message), "message") != 0 ||
          g_strcmp0 (meta_string (message, "frame"), "text") != 0)
        continue;
      text = ct_message_dup_text (message);
      o = parse_object (text, -1);
      if (o && (type == NULL || g_strcmp0 (member_string (o, "type"), type) == 0))
        g_ptr_array_add (frames, o);
      else if (o)
        json_object_unref (o);
    }
  return frames;
}

static guint
count_frames (CtEndpoint *client,
              const char *type)
{
  g_autoptr(GPtrArray) frames = client_frames (client, type);

  return frames->len;
}

/* The @nth frame of @type @client received (from 0; negative: from the end) */
static JsonObject *
nth_frame (CtEndpoint *client,
           const char *type,
           int         nth)
{
  g_autoptr(GPtrArray) frames = client_frames (client, type);
  guint index = nth >= 0 ? (guint) nth : frames->len + nth;

  g_assert_cmpuint (index, <, frames->len);
  return json_object_ref (frames->pdata[index]);
}

#define WAIT_FRAMES(client, type, n) CT_TEST_WAIT_UNTIL (count_frames ((client), (type)) >= (guint) (n))

/* "from:text" of each message @client received, joined with '|' */
static char *
said_string (CtEndpoint *client)
{
  g_autoptr(GPtrArray) said = client_frames (client, "message");
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < said->len; i++)
    g_string_append_printf (s, "%s%s:%s", i ? "|" : "",
                            member_string (said->pdata[i], "from"), member_string (said->pdata[i], "text"));
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* The nicknames in @client's catalog (who is online), joined with commas */
static char *
catalog_string (CtEndpoint *client)
{
  GListModel *catalog = ct_endpoint_get_catalog (client);
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (catalog); i++)
    {
      g_autoptr(CtCatalogItem) item = g_list_model_get_item (catalog, i);

      g_string_append_printf (s, "%s%s", i ? "," : "", ct_catalog_item_get_name (item));
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* The close entry of a client: its code, reason and who closed */
static void
assert_client_closed (CtEndpoint *client,
                      guint       code,
                      const char *reason_part,
                      const char *by)
{
  g_autoptr(CtMessage) close = NULL;

  CT_TEST_WAIT_UNTIL ((close = last_event (log_of (client), "close")) != NULL);
  g_assert_cmpuint (meta_uint (close, "code"), ==, code);
  g_assert_nonnull (strstr (meta_string (close, "reason"), reason_part));
  g_assert_cmpstr (meta_string (close, "by"), ==, by);
}

/* -- a raw WebSocket client, written here ------------------------------------------- */

/* The bytes on the wire are exactly what a test writes: the handshake by
 * hand, frames masked or not, any opcode, any payload. Non-blocking: every
 * wait iterates the main context (the server runs on it) and is bounded. */
struct _Raw
{
  GSocket    *socket;
  GByteArray *in;
  gboolean    eof;
};

static void
raw_free (Raw *r)
{
  g_socket_close (r->socket, NULL);
  g_object_unref (r->socket);
  g_byte_array_unref (r->in);
  g_free (r);
}

/* Reads what is there; sets eof at the end of the stream or on a reset */
static void
raw_pump (Raw *r)
{
  while (!r->eof)
    {
      guint8 buffer[16384];
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_receive (r->socket, (char *) buffer, sizeof buffer, NULL, &error);

      if (n > 0)
        g_byte_array_append (r->in, buffer, n);
      else if (n == 0 || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        r->eof = TRUE;
      else
        break;
    }
}

/* Writes it all; FALSE if the server closed the connection first (only
 * when @may_fail, else that fails the test) */
static gboolean
raw_write_full (Raw           *r,
                gconstpointer  data,
                gsize          length,
                gboolean       may_fail)
{
  gsize done = 0;
  gint64 end = g_get_monotonic_time () + CT_TEST_TIMEOUT_S * G_USEC_PER_SEC;

  while (done < length)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_send (r->socket, (const char *) data + done, length - done, NULL, &error);

      if (n > 0)
        {
          done += n;
          continue;
        }
      if (may_fail && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return FALSE;
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
      if (g_get_monotonic_time () > end)
        g_error ("timed out writing %" G_GSIZE_FORMAT " bytes to the server", length);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  return TRUE;
}

static void
raw_write (Raw           *r,
           gconstpointer  data,
           gsize          length)
{
  raw_write_full (r, data, length, FALSE);
}

static char *
websocket_accept (const char *key)
{
  g_autoptr(GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize size = sizeof digest;

  g_checksum_update (sha1, (const guchar *) key, -1);
  g_checksum_update (sha1, (const guchar *) WS_GUID, -1);
  g_checksum_get_digest (sha1, digest, &size);
  return g_base64_encode (digest, size);
}

static gboolean
raw_has_head (Raw *r)
{
  raw_pump (r);
  return r->eof || (r->in->len >= 4 && memmem (r->in->data, r->in->len, "\r\n\r\n", 4) != NULL);
}

/* A TCP connection to the server (with that receive buffer, if not 0),
 * then the upgrade sent by hand; the server's response head is returned */
static Raw *
raw_connect (Fixture    *f,
             const char *path,
             int         receive_buffer,
             char      **head)
{
  Raw *r = g_new0 (Raw, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *request = NULL;
  g_autofree char *key = NULL;
  guint8 nonce[16];
  const guint8 *end;

  r->in = g_byte_array_new ();
  r->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  if (receive_buffer > 0)
    g_assert_true (g_socket_set_option (r->socket, SOL_SOCKET, SO_RCVBUF, receive_buffer, &error));
  /* The kernel completes the connection; the server accepts it later */
  g_assert_true (g_socket_connect (r->socket, ct_endpoint_get_socket_address (f->server), NULL, &error));
  g_assert_no_error (error);
  g_socket_set_blocking (r->socket, FALSE);
  g_ptr_array_add (f->raws, r);

  for (guint i = 0; i < sizeof nonce; i++)
    nonce[i] = g_random_int_range (0, 256);
  key = g_base64_encode (nonce, sizeof nonce);
  request = g_strdup_printf ("GET %s HTTP/1.1\r\n"
                             "Host: %s\r\n"
                             "Upgrade: websocket\r\n"
                             "Connection: Upgrade\r\n"
                             "Sec-WebSocket-Key: %s\r\n"
                             "Sec-WebSocket-Version: 13\r\n"
                             "User-Agent: test-chat raw socket\r\n"
                             "\r\n",
                             path, ct_endpoint_get_address (f->server), key);
  raw_write (r, request, strlen (request));

  CT_TEST_WAIT_UNTIL (raw_has_head (r));
  end = memmem (r->in->data, r->in->len, "\r\n\r\n", 4);
  g_assert_nonnull (end);
  *head = g_strndup ((const char *) r->in->data, end + 4 - r->in->data);
  g_byte_array_remove_range (r->in, 0, end + 4 - r->in->data);

  if (g_str_has_prefix (*head, "HTTP/1.1 101"))
    {
      g_autofree char *accept = websocket_accept (key);
      g_autofree char *line = g_strdup_printf ("Sec-WebSocket-Accept: %s\r\n", accept);

      g_assert_nonnull (strstr (*head, line));
    }
  return r;
}

/* A raw client past the handshake, its welcome read */
static Raw *
raw_open (Fixture *f)
{
  g_autofree char *head = NULL;
  Raw *r = raw_connect (f, "/chat", 0, &head);

  g_assert_true (g_str_has_prefix (head, "HTTP/1.1 101"));
  return r;
}

/* Writes one frame: @first is the first byte (FIN, RSV, opcode), the
 * payload masked (with a random key) unless @masked is FALSE */
static gboolean
raw_send_frame_full (Raw          *r,
                     guint8        first,
                     gboolean      masked,
                     gconstpointer payload,
                     gsize         length,
                     gboolean      may_fail)
{
  g_autoptr(GByteArray) frame = g_byte_array_sized_new (length + 14);
  guint8 head[14];
  gsize n = 0;
  guint8 mask[4];

  head[n++] = first;
  if (length < 126)
    head[n++] = (masked ? 0x80 : 0) | length;
  else if (length < 65536)
    {
      head[n++] = (masked ? 0x80 : 0) | 126;
      head[n++] = length >> 8;
      head[n++] = length & 0xff;
    }
  else
    {
      head[n++] = (masked ? 0x80 : 0) | 127;
      for (int shift = 56; shift >= 0; shift -= 8)
        head[n++] = ((guint64) length >> shift) & 0xff;
    }
  g_byte_array_append (frame, head, n);
  if (masked)
    {
      for (guint i = 0; i < 4; i++)
        mask[i] = g_random_int_range (0, 256);
      g_byte_array_append (frame, mask, 4);
    }
  g_byte_array_append (frame, payload, length);
  if (masked)
    for (gsize i = 0; i < length; i++)
      frame->data[frame->len - length + i] ^= mask[i & 3];
  return raw_write_full (r, frame->data, frame->len, may_fail);
}

static void
raw_send_frame (Raw          *r,
                guint8        first,
                gboolean      masked,
                gconstpointer payload,
                gsize         length)
{
  raw_send_frame_full (r, first, masked, payload, length, FALSE);
}

static void
raw_send_text (Raw        *r,
               const char *text)
{
  raw_send_frame (r, 0x81, TRUE, text, strlen (text));
}

static void
raw_send_close (Raw        *r,
                guint       code,
                const char *reason)
{
  g_autoptr(GByteArray) payload = g_byte_array_new ();
  guint8 bytes[2] = { code >> 8, code & 0xff };

  g_byte_array_append (payload, bytes, 2);
  g_byte_array_append (payload, (const guint8 *) reason, strlen (reason));
  /* The server may have closed the connection after its own close frame */
  raw_send_frame_full (r, 0x88, TRUE, payload->data, payload->len, TRUE);
}

/* One server frame out of the buffer, if it is all there: its opcode and
 * payload (-1 and NULL at the end of the stream) */
static gboolean
raw_try_frame (Raw     *r,
               int     *opcode,
               GBytes **payload)
{
  const guint8 *d;
  guint64 length;
  gsize at = 2;

  raw_pump (r);
  d = r->in->data;
  if (r->in->len >= 2)
    {
      /* A server never masks; libsoup's never fragments */
      g_assert_cmpuint (d[1] & 0x80, ==, 0);
      g_assert_cmpuint (d[0] & 0xf0, ==, 0x80);
      length = d[1] & 0x7f;
      if (length == 126)
        {
          at = 4;
          length = r->in->len >= at ? ((guint64) d[2] << 8 | d[3]) : 0;
        }
      else if (length == 127)
        {
          at = 10;
          length = 0;
          for (guint i = 2; r->in->len >= at && i < 10; i++)
            length = length << 8 | d[i];
        }
      if (r->in->len >= at && r->in->len - at >= length)
        {
          *opcode = d[0] & 0x0f;
          *payload = g_bytes_new (d + at, length);
          g_byte_array_remove_range (r->in, 0, at + length);
          return TRUE;
        }
    }
  if (r->eof)
    {
      *opcode = -1;
      *payload = NULL;
      return TRUE;
    }
  return FALSE;
}

/* The next frame, waiting for it (bounded); opcode -1 at the end */
static int
raw_read_frame (Raw     *r,
                GBytes **payload)
{
  int opcode = -1;

  CT_TEST_WAIT_UNTIL (raw_try_frame (r, &opcode, payload));
  return opcode;
}

/* The next text frame (pings are skipped, never answered), parsed */
static JsonObject *
raw_read_json (Raw *r)
{
  for (;;)
    {
      g_autoptr(GBytes) payload = NULL;
      int opcode = raw_read_frame (r, &payload);
      gsize size;
      const char *data;
      JsonObject *o;

      if (opcode == 0x9)
        continue;
      if (opcode != 0x1)
        g_error ("expected a text frame, got opcode %d (%" G_GSIZE_FORMAT " bytes)",
                 opcode, payload ? g_bytes_get_size (payload) : 0);
      data = g_bytes_get_data (payload, &size);
      o = parse_object (data, size);
      g_assert_nonnull (o);
      return o;
    }
}

/* The next text frame, checked to be of @type */
static JsonObject *
raw_expect (Raw        *r,
            const char *type)
{
  JsonObject *o = raw_read_json (r);

  g_assert_cmpstr (member_string (o, "type"), ==, type);
  return o;
}

/* The next error frame's code */
static char *
raw_expect_error (Raw *r)
{
  g_autoptr(JsonObject) o = raw_expect (r, "error");

  g_assert_nonnull (member_string (o, "message"));
  return g_strdup (member_string (o, "code"));
}

/* Reads on to the server's close frame (text frames and pings are
 * skipped), checks its code and that its reason holds @reason_part,
 * answers it as a client should, and returns the reason */
static char *
raw_expect_close (Raw        *r,
                  guint       code,
                  const char *reason_part)
{
  for (;;)
    {
      g_autoptr(GBytes) payload = NULL;
      int opcode = raw_read_frame (r, &payload);
      const guint8 *data;
      gsize size;
      char *reason;

      if (opcode == 0x1 || opcode == 0x9)
        continue;
      if (opcode != 0x8)
        g_error ("expected a close frame with %u, got %s", code,
                 opcode < 0 ? "the end of the stream" : "another frame");
      data = g_bytes_get_data (payload, &size);
      g_assert_cmpuint (size, >=, 2);
      g_assert_cmpuint ((guint) data[0] << 8 | data[1], ==, code);
      reason = g_strndup ((const char *) data + 2, size - 2);
      g_assert_nonnull (strstr (reason, reason_part));
      raw_send_close (r, code, "");
      return reason;
    }
}

/* A raw client joined as @nick, its welcome and join read */
static Raw *
raw_join (Fixture    *f,
          const char *nick)
{
  Raw *r = raw_open (f);
  g_autoptr(JsonObject) welcome = raw_expect (r, "welcome");
  g_autoptr(JsonObject) joined = NULL;
  g_autofree char *join = ct_chat_join_new (nick);

  raw_send_text (r, join);
  joined = raw_expect (r, "join");
  g_assert_cmpstr (member_string (joined, "nick"), ==, nick);
  g_assert_true (has_you (joined));
  return r;
}

/* -- third-party programs ----------------------------------------------------------- */

/* A program with its stdin and stdout piped; its stdout is read line by
 * line as it comes, while the main context runs our endpoints */
struct _Peer
{
  GSubprocess      *process;
  GDataInputStream *out;
  GCancellable     *cancellable;
  GPtrArray        *lines;
  guint             pending;   /* callbacks still to come */
  gboolean          eof;
  gboolean          exited;
};

static void peer_read_line (Peer *p);

static void
peer_line_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Peer *p = data;
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, &error);

  p->pending--;
  if (line == NULL)
    {
      p->eof = TRUE;
      return;
    }
  g_ptr_array_add (p->lines, line);
  peer_read_line (p);
}

static void
peer_read_line (Peer *p)
{
  p->pending++;
  g_data_input_stream_read_line_async (p->out, G_PRIORITY_DEFAULT, p->cancellable, peer_line_cb, p);
}

static void
peer_exited_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  Peer *p = data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  p->pending--;
  p->exited = TRUE;
}

static Peer *
peer_spawn (Fixture            *f,
            const char * const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GError) error = NULL;
  Peer *p = g_new0 (Peer, 1);

  g_subprocess_launcher_setenv (launcher, "NODE_PATH", DEBIAN_NODE_PATH, TRUE);
  g_subprocess_launcher_setenv (launcher, "PYTHONUNBUFFERED", "1", TRUE);
  p->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  p->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (p->process));
  p->cancellable = g_cancellable_new ();
  p->lines = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (f->peers, p);

  peer_read_line (p);
  p->pending++;
  g_subprocess_wait_async (p->process, p->cancellable, peer_exited_cb, p);
  return p;
}

static void
peer_free (Peer *p)
{
  if (!p->exited)
    g_subprocess_force_exit (p->process);
  CT_TEST_WAIT_UNTIL (p->exited && p->eof);
  g_cancellable_cancel (p->cancellable);
  CT_TEST_WAIT_UNTIL (p->pending == 0);
  g_object_unref (p->out);
  g_object_unref (p->cancellable);
  g_object_unref (p->process);
  g_ptr_array_unref (p->lines);
  g_free (p);
}

static void
peer_write (Peer       *p,
            const char *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_output_stream_write_all (g_subprocess_get_stdin_pipe (p->process), text, strlen (text),
                                            NULL, NULL, &error));
  g_assert_no_error (error);
}

/* Closes its stdin, waits for it to exit (bounded) and returns its status */
static int
peer_finish (Peer *p)
{
  g_assert_true (g_output_stream_close (g_subprocess_get_stdin_pipe (p->process), NULL, NULL));
  CT_TEST_WAIT_UNTIL (p->exited && p->eof);
  g_assert_true (g_subprocess_get_if_exited (p->process));
  return g_subprocess_get_exit_status (p->process);
}

/* The index of the first line holding @text, or -1 */
static int
peer_find (Peer       *p,
           const char *text)
{
  for (guint i = 0; i < p->lines->len; i++)
    if (strstr (p->lines->pdata[i], text))
      return (int) i;
  return -1;
}

/* wscat prints each message on a line, prefixed with "< " when its stdout
 * is a terminal and bare otherwise; after each line it sends it writes its
 * prompt, "> ", without a newline. The frame, without either */
static const char *
wscat_frame (const char *line)
{
  while (g_str_has_prefix (line, "> ") || g_str_has_prefix (line, "< "))
    line += 2;
  return line;
}

static void
assert_runs (const char * const *argv,
             const char         *what)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) process = NULL;

  g_subprocess_launcher_setenv (launcher, "NODE_PATH", DEBIAN_NODE_PATH, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, argv, NULL);
  if (process == NULL || !g_subprocess_wait_check (process, NULL, NULL))
    g_error ("%s is needed for this test: build-aux/install-deps installs it", what);
}

static char *
test_script (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, name, NULL);
}

/* -- 1. joining, leaving, broadcast, history ------------------------------------------ */

static void
assert_said (JsonObject *o,
             gint64      id,
             const char *from,
             const char *text)
{
  g_assert_cmpstr (member_string (o, "type"), ==, "message");
  g_assert_cmpint (member_int (o, "id"), ==, id);
  g_assert_cmpstr (member_string (o, "from"), ==, from);
  g_assert_cmpstr (member_string (o, "text"), ==, text);
  g_assert_true (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$",
                                       member_string (o, "time"), 0, 0));
}

/* Sends @text from @sender (a client) and waits until all @n clients have it */
static void
say (CtEndpoint  *sender,
     const char  *text,
     CtEndpoint **everyone,
     guint        n_said_before)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ct_endpoint_send_text (sender, text, &error));
  g_assert_no_error (error);
  for (guint i = 0; everyone[i]; i++)
    WAIT_FRAMES (everyone[i], "message", n_said_before + 1);
}

static void
test_join_leave_broadcast (Fixture       *f,
                           gconstpointer  data)
{
  CtEndpoint *alice, *bob, *carol;
  Raw *dave, *erin, *frank;
  g_autoptr(JsonObject) welcome = NULL;
  g_autoptr(JsonObject) joined = NULL;
  g_autofree char *users = NULL;
  g_autofree char *history = NULL;
  g_autoptr(CtMessage) broadcast = NULL;

  g_object_set (f->server, "history", 3, NULL);
  start_server (f);

  /* alice is first: nobody there, nothing said */
  alice = join_client (f, "alice");
  welcome = nth_frame (alice, "welcome", 0);
  g_assert_cmpstr (member_string (welcome, "server"), ==, "Crosstalk");
  g_assert_cmpint (member_int (welcome, "version"), ==, 1);
  users = member_strings (welcome, "users");
  g_assert_cmpstr (users, ==, "");
  g_clear_pointer (&users, g_free);
  history = history_string (welcome);
  g_assert_cmpstr (history, ==, "");
  g_clear_pointer (&history, g_free);
  g_clear_pointer (&welcome, json_object_unref);
  joined = nth_frame (alice, "join", 0);
  g_assert_cmpstr (member_string (joined, "nick"), ==, "alice");
  g_assert_true (has_you (joined));
  users = member_strings (joined, "users");
  g_assert_cmpstr (users, ==, "alice");
  g_clear_pointer (&users, g_free);
  g_clear_pointer (&joined, json_object_unref);

  /* bob: alice hears of him, without "you"; he sees alice in his welcome */
  bob = join_client (f, "bob");
  WAIT_FRAMES (alice, "join", 2);
  joined = nth_frame (alice, "join", 1);
  g_assert_cmpstr (member_string (joined, "nick"), ==, "bob");
  g_assert_false (has_you (joined));
  g_assert_null (json_object_get_member (joined, "you"));
  users = member_strings (joined, "users");
  g_assert_cmpstr (users, ==, "alice,bob");
  g_clear_pointer (&users, g_free);
  g_clear_pointer (&joined, json_object_unref);
  welcome = nth_frame (bob, "welcome", 0);
  users = member_strings (welcome, "users");
  g_assert_cmpstr (users, ==, "alice");
  g_clear_pointer (&users, g_free);
  g_clear_pointer (&welcome, json_object_unref);

  carol = join_client (f, "carol");
  WAIT_FRAMES (alice, "join", 3);
  WAIT_FRAMES (bob, "join", 2);
  joined = nth_frame (bob, "join", 1);
  users = member_strings (joined, "users");
  g_assert_cmpstr (users, ==, "alice,bob,carol");
  g_clear_pointer (&users, g_free);
  g_clear_pointer (&joined, json_object_unref);
  users = catalog_string (alice);
  g_assert_cmpstr (users, ==, "alice,bob,carol");
  g_clear_pointer (&users, g_free);

  /* Broadcast: to everyone, its sender included, in one order */
  {
    CtEndpoint *everyone[] = { alice, bob, carol, NULL };

    say (alice, "hello everyone", everyone, 0);
    say (bob, "hi alice", everyone, 1);
    say (carol, "hey", everyone, 2);
    say (alice, "four", everyone, 3);
    say (bob, "five", everyone, 4);
    for (guint i = 0; everyone[i]; i++)
      {
        g_autoptr(GPtrArray) said = client_frames (everyone[i], "message");
        g_autofree char *all = said_string (everyone[i]);

        g_assert_cmpstr (all, ==, "alice:hello everyone|bob:hi alice|carol:hey|alice:four|bob:five");
        assert_said (said->pdata[0], 1, "alice", "hello everyone");
        assert_said (said->pdata[4], 5, "bob", "five");
      }
  }
  /* The log: each frame received once, each broadcast once with its
   * recipients */
  g_assert_cmpint (ct_test_log_find (log_of (f->server), CT_DIRECTION_IN,
                                     "{\"type\":\"message\",\"text\":\"hello everyone\"}"), >=, 0);
  broadcast = last_event (log_of (f->server), "broadcast");
  g_assert_cmpstr (meta_string (broadcast, "type"), ==, "message");
  g_assert_cmpuint (meta_uint (broadcast, "recipients"), ==, 3);
  g_clear_object (&broadcast);

  /* A newcomer gets the last 3 messages, oldest first, and who is there */
  dave = raw_open (f);
  welcome = raw_expect (dave, "welcome");
  history = history_string (welcome);
  g_assert_cmpstr (history, ==, "3:hey,4:four,5:five");
  g_clear_pointer (&history, g_free);
  users = member_strings (welcome, "users");
  g_assert_cmpstr (users, ==, "alice,bob,carol");
  g_clear_pointer (&users, g_free);
  {
    JsonObject *limits = json_object_get_object_member (welcome, "limits");

    g_assert_cmpint (member_int (limits, "max-frame"), ==, 65536);
    g_assert_cmpint (member_int (limits, "rate-limit"), ==, 20);
  }
  g_clear_pointer (&welcome, json_object_unref);

  /* The history setting may change while running: it holds for the next
   * newcomer at once */
  g_object_set (f->server, "history", 2, NULL);
  erin = raw_open (f);
  welcome = raw_expect (erin, "welcome");
  history = history_string (welcome);
  g_assert_cmpstr (history, ==, "4:four,5:five");
  g_clear_pointer (&history, g_free);
  g_clear_pointer (&welcome, json_object_unref);

  g_object_set (f->server, "history", 0, NULL);
  frank = raw_open (f);
  welcome = raw_expect (frank, "welcome");
  history = history_string (welcome);
  g_assert_cmpstr (history, ==, "");
  g_clear_pointer (&history, g_free);
  g_clear_pointer (&welcome, json_object_unref);

  /* Connected but not joined: they are not in the user lists */
  g_ptr_array_remove (f->raws, erin);
  raw_free (erin);
  g_ptr_array_remove (f->raws, frank);
  raw_free (frank);
  CT_TEST_WAIT_UNTIL (n_connections (f->server) == 4);

  /* A generic client's plain line: joined as a guest, then said */
  raw_send_text (dave, "plain words from a raw client");
  joined = raw_expect (dave, "join");
  g_assert_cmpstr (member_string (joined, "nick"), ==, "guest-1");
  g_assert_true (has_you (joined));
  g_clear_pointer (&joined, json_object_unref);
  {
    g_autoptr(JsonObject) said = raw_expect (dave, "message");

    assert_said (said, 6, "guest-1", "plain words from a raw client");
  }
  WAIT_FRAMES (alice, "message", 6);
  joined = nth_frame (alice, "join", -1);
  g_assert_cmpstr (member_string (joined, "nick"), ==, "guest-1");
  users = member_strings (joined, "users");
  g_assert_cmpstr (users, ==, "alice,bob,carol,guest-1");
  g_clear_pointer (&users, g_free);
  g_clear_pointer (&joined, json_object_unref);

  /* bob leaves: the others hear it once, with who is left */
  ct_test_stop (bob);
  WAIT_FRAMES (alice, "leave", 1);
  WAIT_FRAMES (carol, "leave", 1);
  {
    g_autoptr(JsonObject) left = nth_frame (carol, "leave", 0);
    g_autoptr(JsonObject) raw_left = raw_expect (dave, "leave");

    g_assert_cmpstr (member_string (left, "nick"), ==, "bob");
    g_assert_cmpstr (member_string (left, "reason"), ==, "left");
    users = member_strings (left, "users");
    g_assert_cmpstr (users, ==, "alice,carol,guest-1");
    g_clear_pointer (&users, g_free);
    g_assert_cmpstr (member_string (raw_left, "nick"), ==, "bob");
  }
  users = catalog_string (alice);
  g_assert_cmpstr (users, ==, "alice,carol,guest-1");
  g_clear_pointer (&users, g_free);
  CT_TEST_WAIT_UNTIL (n_connections (f->server) == 3);
  {
    g_autoptr(CtMessage) close = last_event (log_of (f->server), "close");

    g_assert_cmpuint (meta_uint (close, "code"), ==, 1000);
  }
  g_assert_cmpuint (count_frames (alice, "leave"), ==, 1);
  /* Each connection opened once, and closed once when it went */
  g_assert_cmpuint (count_events (log_of (f->server), "open"), ==, 6);
  g_assert_cmpuint (count_events (log_of (f->server), "close"), ==, 3);
}

/* -- 2. nicknames -------------------------------------------------------------------- */

static void
test_nicknames (Fixture       *f,
                gconstpointer  data)
{
  static const struct { const char *frame, *code; } refused[] = {
    { "{\"type\":\"join\",\"nick\":\"ALICE\"}", "nick-taken" },
    { "{\"type\":\"join\",\"nick\":\"  Alice \"}", "nick-taken" },
    /* Fullwidth letters: the same nickname once normalised */
    { "{\"type\":\"join\",\"nick\":\"\xef\xbc\xa1\xef\xbd\x8c\xef\xbd\x89\xef\xbd\x83\xef\xbd\x85\"}", "nick-taken" },
    { "{\"type\":\"join\",\"nick\":\"\"}", "nick-invalid" },
    { "{\"type\":\"join\",\"nick\":\"   \"}", "nick-invalid" },
    { "{\"type\":\"join\",\"nick\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}", "nick-invalid" },
    { "{\"type\":\"join\",\"nick\":\"tab\\there\"}", "nick-invalid" },
    { "{\"type\":\"join\",\"nick\":\"line\\nbreak\"}", "nick-invalid" },
    { "{\"type\":\"join\",\"nick\":\"bell\\u0007\"}", "nick-invalid" },
    { "{\"type\":\"join\",\"nick\":\"server\"}", "nick-invalid" },
    { "{\"type\":\"join\",\"nick\":\"Server\"}", "nick-invalid" },
    { "{\"type\":\"join\"}", "bad-message" },
    { "{\"type\":\"join\",\"nick\":5}", "bad-message" },
    { "{\"type\":\"message\"}", "bad-message" },
    { "{\"type\":\"shout\",\"text\":\"hi\"}", "bad-message" },
  };
  CtEndpoint *alice, *late;
  Raw *raw;
  g_autoptr(JsonObject) welcome = NULL;
  g_autoptr(JsonObject) joined = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *users = NULL;
  g_autofree char *code = NULL;
  g_autofree char *said = NULL;

  /* Enough for every frame below at once */
  g_object_set (f->server, "rate-limit", 100, NULL);
  start_server (f);
  alice = join_client (f, "alice");

  raw = raw_open (f);
  welcome = raw_expect (raw, "welcome");
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *got = NULL;

      raw_send_text (raw, refused[i].frame);
      got = raw_expect_error (raw);
      if (g_strcmp0 (got, refused[i].code) != 0)
        g_error ("%s: expected %s, got %s", refused[i].frame, refused[i].code, got);
    }

  /* 32 characters are allowed; refusals left the connection usable */
  raw_send_text (raw, "{\"type\":\"join\",\"nick\":\"  aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9  \"}");
  joined = raw_expect (raw, "join");
  g_assert_cmpstr (member_string (joined, "nick"), ==, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9");
  g_assert_true (has_you (joined));
  users = member_strings (joined, "users");
  g_assert_cmpstr (users, ==, "alice,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9");
  g_clear_pointer (&joined, json_object_unref);

  /* A second join is refused too, and the connection still speaks */
  raw_send_text (raw, "{\"type\":\"join\",\"nick\":\"alice2\"}");
  code = raw_expect_error (raw);
  g_assert_cmpstr (code, ==, "already-joined");
  raw_send_text (raw, "{\"type\":\"message\",\"text\":\"still here\"}");
  {
    g_autoptr(JsonObject) echo = raw_expect (raw, "message");

    g_assert_cmpstr (member_string (echo, "text"), ==, "still here");
  }
  WAIT_FRAMES (alice, "message", 1);
  said = said_string (alice);
  g_assert_cmpstr (said, ==, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9:still here");
  /* alice saw none of the refusals: they went to the one who asked */
  g_assert_cmpuint (count_frames (alice, "error"), ==, 0);

  /* Our client: a nickname taken (without regard to case) fails the start
   * with the server's reason */
  late = chat_client_new (f);
  g_object_set (late, "nick", "ALICE", NULL);
  g_assert_false (ct_test_start (late, &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "The nickname “ALICE” is taken"));
  g_assert_cmpint (ct_endpoint_get_state (late), ==, CT_STATE_FAILED);
  g_assert_nonnull (strstr (ct_endpoint_get_error (late), "is taken"));
  g_clear_error (&error);
  assert_client_closed (late, 1000, "", "client");
  CT_TEST_WAIT_UNTIL (n_connections (f->server) == 2);

  /* An invalid one likewise */
  g_object_set (late, "nick", "server", NULL);
  g_assert_false (ct_test_start (late, &error));
  g_assert_nonnull (strstr (error->message, "kept for the server"));
  g_clear_error (&error);
  CT_TEST_WAIT_UNTIL (n_connections (f->server) == 2);

  /* The same client with another nickname joins */
  g_object_set (late, "nick", "bob", NULL);
  g_assert_true (ct_test_start (late, &error));
  g_assert_no_error (error);
  g_assert_true (ct_chat_client_is_chatting (CT_CHAT_CLIENT (late)));
  WAIT_FRAMES (alice, "join", 3);
  g_clear_pointer (&users, g_free);
  users = catalog_string (alice);
  g_assert_cmpstr (users, ==, "alice,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9,bob");
}

/* -- 3. a slow client --------------------------------------------------------------- */

#define SLOW_MAX_QUEUE  (64 * 1024)
#define SLOW_TEXT_SIZE  8000
#define SLOW_MAX_SENT   5000     /* the drop must come well before */
#define SLOW_AFTER      10       /* messages after the drop */

static void
test_slow_client_dropped (Fixture       *f,
                          gconstpointer  data)
{
  CtEndpoint *alice, *bob;
  Raw *slow;
  g_autoptr(GError) error = NULL;
  g_autofree char *filler = g_strnfill (SLOW_TEXT_SIZE, 'z');
  g_autoptr(CtMessage) dropped = NULL;
  guint64 backlog = 0, peak = 0;
  guint sent = 0, base_alice, base_bob;
  gint64 start;

  g_object_set (f->server, "max-queue", SLOW_MAX_QUEUE, "rate-limit", 0, NULL);
  start_server (f);
  alice = join_client (f, "alice");
  bob = join_client (f, "bob");

  /* A client with a small receive buffer, which joins and then never reads */
  {
    g_autofree char *head = NULL;
    g_autoptr(JsonObject) welcome = NULL;
    g_autoptr(JsonObject) joined = NULL;

    slow = raw_connect (f, "/chat", 4096, &head);
    g_assert_true (g_str_has_prefix (head, "HTTP/1.1 101"));
    welcome = raw_expect (slow, "welcome");
    raw_send_text (slow, "{\"type\":\"join\",\"nick\":\"slowpoke\"}");
    joined = raw_expect (slow, "join");
  }
  WAIT_FRAMES (alice, "join", 3);
  WAIT_FRAMES (bob, "join", 2);

  /* The server posts as fast as the two others read: every message reaches
   * them while the slow one's backlog grows up to the limit */
  start = g_get_monotonic_time ();
  ct_message_log_flush (log_of (alice));
  ct_message_log_flush (log_of (bob));
  base_alice = g_list_model_get_n_items (G_LIST_MODEL (log_of (alice)));
  base_bob = g_list_model_get_n_items (G_LIST_MODEL (log_of (bob)));
  while (dropped == NULL)
    {
      g_autofree char *text = g_strdup_printf ("m %04u %s", sent, filler);
      CtConnection *p;

      g_assert_cmpuint (sent, <, SLOW_MAX_SENT);
      g_assert_true (ct_endpoint_send_text (f->server, text, &error));
      g_assert_no_error (error);
      sent++;
      /* One log entry per frame received: they keep up */
      CT_TEST_WAIT_UNTIL ((ct_message_log_flush (log_of (alice)),
                           g_list_model_get_n_items (G_LIST_MODEL (log_of (alice))) >= base_alice + sent) &&
                          (ct_message_log_flush (log_of (bob)),
                           g_list_model_get_n_items (G_LIST_MODEL (log_of (bob))) >= base_bob + sent));
      p = find_participant (f, "slowpoke");
      if (p)
        {
          backlog = ct_chat_participant_get_backlog (CT_CHAT_PARTICIPANT (p));
          g_assert_cmpuint (backlog, <=, SLOW_MAX_QUEUE);
          peak = MAX (peak, backlog);
        }
      dropped = last_event (log_of (f->server), "dropped");
    }
  g_test_message ("slow client dropped after %u messages of %d bytes in %.2f s; peak backlog %" G_GUINT64_FORMAT,
                  sent, SLOW_TEXT_SIZE, (g_get_monotonic_time () - start) / 1e6, peak);

  /* Dropped with its backlog under the limit, which it nearly reached */
  {
    GVariant *meta = ct_message_get_meta (dropped);

    g_assert_true (g_variant_lookup (meta, "backlog", "t", &backlog));
    g_assert_cmpuint (backlog, <=, SLOW_MAX_QUEUE);
    g_assert_cmpuint (backlog, >, SLOW_MAX_QUEUE - 2 * (SLOW_TEXT_SIZE + 200));
    g_assert_cmpstr (ct_message_get_peer (dropped), !=, NULL);
  }

  /* The others hear it: a leave with "dropped", and a notice */
  WAIT_FRAMES (alice, "notice", 1);
  WAIT_FRAMES (bob, "notice", 1);
  {
    g_autoptr(JsonObject) left = nth_frame (alice, "leave", 0);
    g_autoptr(JsonObject) notice = nth_frame (bob, "notice", 0);
    g_autofree char *users = member_strings (left, "users");

    g_assert_cmpstr (member_string (left, "nick"), ==, "slowpoke");
    g_assert_cmpstr (member_string (left, "reason"), ==, "dropped");
    g_assert_cmpstr (users, ==, "alice,bob");
    g_assert_nonnull (strstr (member_string (notice, "text"), "slowpoke was dropped"));
  }

  /* The others go on receiving */
  for (guint i = 0; i < SLOW_AFTER; i++)
    {
      g_autofree char *text = g_strdup_printf ("m %04u %s", sent++, filler);

      g_assert_true (ct_endpoint_send_text (f->server, text, &error));
    }
  WAIT_FRAMES (alice, "message", sent);
  WAIT_FRAMES (bob, "message", sent);

  /* ... everything, in order */
  for (guint k = 0; k < 2; k++)
    {
      g_autoptr(GPtrArray) said = client_frames (k ? bob : alice, "message");

      g_assert_cmpuint (said->len, ==, sent);
      for (guint i = 0; i < said->len; i++)
        {
          g_autofree char *expected = g_strdup_printf ("m %04u %s", i, filler);

          g_assert_cmpint (member_int (said->pdata[i], "id"), ==, i + 1);
          g_assert_cmpstr (member_string (said->pdata[i], "from"), ==, "server");
          g_assert_cmpstr (member_string (said->pdata[i], "text"), ==, expected);
        }
    }
  g_assert_cmpint (ct_endpoint_get_state (alice), ==, CT_STATE_RUNNING);
  g_assert_cmpint (ct_endpoint_get_state (bob), ==, CT_STATE_RUNNING);

  /* The slow one still does not read: the server lets go of it anyway
   * (libsoup gives a peer 5 s to answer a close) */
  CT_TEST_WAIT_UNTIL (n_connections (f->server) == 2);
  {
    g_autoptr(CtMessage) close = last_event (log_of (f->server), "close");

    g_assert_nonnull (close);
  }
  g_assert_cmpuint (count_frames (alice, "leave"), ==, 1);
}

/* -- 4. frames the server refuses --------------------------------------------------- */

typedef struct
{
  const char *name;
  guint8      first;     /* FIN, RSV and opcode */
  gboolean    masked;
  const char *payload;   /* NULL: SIZE bytes of 'x' */
  gsize       size;      /* 0: strlen (payload) */
  guint       code;
} BadFrame;

static void
test_bad_frames (Fixture       *f,
                 gconstpointer  data)
{
  static const BadFrame cases[] = {
    { "oversize", 0x81, TRUE, NULL, 2000, 1009 },
    { "oversize, 64-bit length", 0x81, TRUE, NULL, 70000, 1009 },
    { "invalid UTF-8", 0x81, TRUE, "caf\xc3 \xff\xfe", 0, 1007 },
    { "unmasked", 0x81, FALSE, "{\"type\":\"message\",\"text\":\"hi\"}", 0, 1002 },
    { "reserved data opcode", 0x83, TRUE, "odd", 0, 1002 },
    { "reserved control opcode", 0x8b, TRUE, "odd", 0, 1002 },
    { "RSV1 without an extension", 0xc1, TRUE, "hello", 0, 1002 },
    { "binary", 0x82, TRUE, "\x00\x01\x02", 3, 1003 },
  };
  CtEndpoint *bystander;
  g_autoptr(GError) error = NULL;

  g_object_set (f->server, "max-frame", 1024, NULL);
  start_server (f);
  bystander = join_client (f, "bystander");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const BadFrame *c = &cases[i];
      g_autofree char *filler = c->payload ? NULL : g_strnfill (c->size, 'x');
      g_autofree char *reason = NULL;
      g_autofree char *text = g_strdup_printf ("still serving after: %s", c->name);
      Raw *raw = raw_join (f, "sender");

      g_test_message ("%s: expecting close %u", c->name, c->code);
      /* The server may close before it has read it all */
      raw_send_frame_full (raw, c->first, c->masked, c->payload ? c->payload : filler,
                           c->size ? c->size : strlen (c->payload), TRUE);
      reason = raw_expect_close (raw, c->code, "");
      if (c->code == 1003)
        g_assert_cmpstr (reason, ==, "Binary frames are not part of the chat: send text");
      /* ... and the server then closes the connection */
      CT_TEST_WAIT_UNTIL ((raw_pump (raw), raw->eof));
      g_ptr_array_remove (f->raws, raw);
      raw_free (raw);

      /* The others are still served, and heard that it left */
      WAIT_FRAMES (bystander, "leave", i + 1);
      g_assert_true (ct_endpoint_send_text (bystander, text, &error));
      g_assert_no_error (error);
      WAIT_FRAMES (bystander, "message", i + 1);
      {
        g_autoptr(JsonObject) said = nth_frame (bystander, "message", i);

        g_assert_cmpstr (member_string (said, "text"), ==, text);
      }
      CT_TEST_WAIT_UNTIL (n_connections (f->server) == 1);
    }

  /* A frame as large as the limit is fine */
  {
    g_autofree char *big = g_strnfill (1024 - strlen ("{\"type\":\"message\",\"text\":\"\"}"), 'y');
    g_autofree char *frame = ct_chat_message_new (big);
    Raw *raw = raw_join (f, "sender");
    g_autoptr(JsonObject) said = NULL;

    g_assert_cmpuint (strlen (frame), ==, 1024);
    raw_send_text (raw, frame);
    said = raw_expect (raw, "message");
    g_assert_cmpstr (member_string (said, "text"), ==, big);
  }
  g_assert_cmpint (ct_endpoint_get_state (f->server), ==, CT_STATE_RUNNING);
}

/* -- 5. third-party peers ------------------------------------------------------------ */

/* python3-websockets as a chat client, next to ours */
static void
test_python_client (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *script = test_script ("chat-peer.py");
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CtMessage) close = NULL;
  CtEndpoint *alice;
  Peer *py;
  guint mine = 0, from_alice = 0;

  assert_runs ((const char *[]) { DEBIAN_PYTHON, "-c", "import websockets", NULL }, "python3-websockets");
  start_server (f);
  url = server_url (f, "/chat");
  alice = join_client (f, "alice");

  py = peer_spawn (f, (const char *[]) { DEBIAN_PYTHON, script, url, "py", "--await", "hi py",
                                         "hello from python", "second from python", NULL });
  WAIT_FRAMES (alice, "join", 2);
  g_assert_true (ct_endpoint_send_text (alice, "hi py", &error));
  g_assert_cmpint (peer_finish (py), ==, 0);

  /* What it printed: the welcome, its join, the three messages */
  g_assert_cmpuint (py->lines->len, ==, 5);
  {
    g_autoptr(JsonObject) welcome = parse_object (py->lines->pdata[0], -1);
    g_autoptr(JsonObject) joined = parse_object (py->lines->pdata[1], -1);
    g_autofree char *users = member_strings (welcome, "users");
    g_autofree char *joined_users = member_strings (joined, "users");

    g_assert_cmpstr (member_string (welcome, "type"), ==, "welcome");
    g_assert_cmpstr (users, ==, "alice");
    g_assert_cmpstr (member_string (joined, "type"), ==, "join");
    g_assert_true (has_you (joined));
    g_assert_cmpstr (joined_users, ==, "alice,py");
  }
  for (guint i = 2; i < 5; i++)
    {
      g_autoptr(JsonObject) said = parse_object (py->lines->pdata[i], -1);

      g_assert_cmpstr (member_string (said, "type"), ==, "message");
      if (g_str_equal (member_string (said, "from"), "alice"))
        {
          g_assert_cmpstr (member_string (said, "text"), ==, "hi py");
          from_alice++;
        }
      else
        {
          g_assert_cmpstr (member_string (said, "from"), ==, "py");
          g_assert_cmpstr (member_string (said, "text"), ==, mine++ ? "second from python" : "hello from python");
        }
    }
  g_assert_cmpuint (mine, ==, 2);
  g_assert_cmpuint (from_alice, ==, 1);

  /* alice heard it, in its order, and saw it leave with its close */
  WAIT_FRAMES (alice, "leave", 1);
  {
    g_autofree char *said = said_string (alice);
    g_autoptr(JsonObject) left = nth_frame (alice, "leave", 0);

    g_assert_nonnull (strstr (said, "py:hello from python"));
    g_assert_true (strstr (said, "py:hello from python") < strstr (said, "py:second from python"));
    g_assert_cmpstr (member_string (left, "nick"), ==, "py");
    g_assert_cmpstr (member_string (left, "reason"), ==, "left");
  }
  close = last_event (log_of (f->server), "close");
  g_assert_cmpuint (meta_uint (close, "code"), ==, 1000);
  g_assert_cmpstr (meta_string (close, "reason"), ==, "bye from python");
}

/* wscat (node-ws): a generic client whose lines are plain text */
static void
test_wscat_client (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;
  CtEndpoint *alice;
  Peer *wscat;
  int at;

  assert_runs ((const char *[]) { "wscat", "--version", NULL }, "wscat (node-ws)");
  start_server (f);
  url = server_url (f, "/chat");
  alice = join_client (f, "alice");

  wscat = peer_spawn (f, (const char *[]) { "wscat", "-c", url, NULL });
  /* Its first line is the welcome: it is connected and reads its input */
  CT_TEST_WAIT_UNTIL (wscat->lines->len >= 1);
  {
    g_autoptr(JsonObject) welcome = parse_object (wscat_frame (wscat->lines->pdata[0]), -1);
    g_autofree char *users = member_strings (welcome, "users");

    g_assert_cmpstr (member_string (welcome, "type"), ==, "welcome");
    g_assert_cmpstr (users, ==, "alice");
  }

  peer_write (wscat, "hello from wscat\n");
  WAIT_FRAMES (alice, "message", 1);
  {
    g_autoptr(JsonObject) joined = nth_frame (alice, "join", -1);
    g_autofree char *said = said_string (alice);

    g_assert_cmpstr (member_string (joined, "nick"), ==, "guest-1");
    g_assert_cmpstr (said, ==, "guest-1:hello from wscat");
  }
  g_assert_true (ct_endpoint_send_text (alice, "hi wscat", &error));
  CT_TEST_WAIT_UNTIL (peer_find (wscat, "hi wscat") >= 0);
  peer_write (wscat, "{\"type\":\"message\",\"text\":\"framed by hand\"}\n");
  WAIT_FRAMES (alice, "message", 3);

  /* The end of its input ends it, with status 0 */
  g_assert_cmpint (peer_finish (wscat), ==, 0);
  WAIT_FRAMES (alice, "leave", 1);
  {
    g_autoptr(JsonObject) left = nth_frame (alice, "leave", 0);
    g_autofree char *said = said_string (alice);

    g_assert_cmpstr (member_string (left, "nick"), ==, "guest-1");
    g_assert_cmpstr (said, ==, "guest-1:hello from wscat|alice:hi wscat|guest-1:framed by hand");
  }

  /* What it printed: each frame on a line, in order */
  {
    static const char * const expected[] = { "welcome", "join", "message", "message", "message" };
    const char *texts[] = { NULL, NULL, "hello from wscat", "hi wscat", "framed by hand" };

    g_assert_cmpuint (wscat->lines->len, ==, G_N_ELEMENTS (expected));
    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      {
        g_autoptr(JsonObject) o = parse_object (wscat_frame (wscat->lines->pdata[i]), -1);

        g_assert_nonnull (o);
        g_assert_cmpstr (member_string (o, "type"), ==, expected[i]);
        if (texts[i])
          g_assert_cmpstr (member_string (o, "text"), ==, texts[i]);
      }
  }
  at = peer_find (wscat, "\"you\":true");
  g_assert_cmpint (at, ==, 1);
}

/* Our client against an echo server written with python3-websockets: not
 * a chat server, so no chat mode; frames echoed, the subprotocol chosen,
 * the extra headers sent, and the server's close logged */
static void
test_python_echo_server (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *script = test_script ("ws-echo-server.py");
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CtMessage) ready = NULL;
  g_autoptr(CtMessage) echo = NULL;
  CtEndpoint *client, *plain;
  Peer *echo_server;

  assert_runs ((const char *[]) { DEBIAN_PYTHON, "-c", "import websockets", NULL }, "python3-websockets");
  echo_server = peer_spawn (f, (const char *[]) { DEBIAN_PYTHON, script, "echo", "chat.v2", NULL });
  CT_TEST_WAIT_UNTIL (echo_server->lines->len >= 1);
  url = g_strdup_printf ("ws://127.0.0.1:%s/echo/here?x=1", (char *) echo_server->lines->pdata[0]);

  client = ct_chat_client_new ();
  g_ptr_array_add (f->clients, client);
  g_object_set (client, "url", url, "nick", "ignored", "protocols", "nope, echo",
                "headers", "X-Crosstalk-Test: 42\nX-Second: two words", NULL);
  g_assert_true (ct_test_start (client, &error));
  g_assert_no_error (error);
  g_assert_false (ct_chat_client_is_chatting (CT_CHAT_CLIENT (client)));
  g_assert_cmpuint (g_list_model_get_n_items (ct_endpoint_get_catalog (client)), ==, 0);

  /* The subprotocol the server chose */
  ready = last_event (log_of (client), "ready");
  g_assert_cmpstr (meta_string (ready, "protocol"), ==, "echo");

  /* Its first frame describes the handshake it received: the path, our
   * extra headers, the subprotocols offered */
  {
    g_autoptr(CtMessage) first = ct_test_log_nth (log_of (client), CT_DIRECTION_IN, 0);
    g_autofree char *text = ct_message_dup_text (first);
    g_autoptr(JsonObject) handshake = parse_object (text, -1);
    JsonArray *headers = json_object_get_array_member (handshake, "headers");
    g_autoptr(GString) all = g_string_new (NULL);
    g_autofree char *lower = NULL;

    g_assert_cmpstr (member_string (handshake, "path"), ==, "/echo/here?x=1");
    g_assert_cmpstr (member_string (handshake, "subprotocol"), ==, "echo");
    for (guint i = 0; i < json_array_get_length (headers); i++)
      {
        JsonArray *header = json_array_get_array_element (headers, i);

        g_string_append_printf (all, "%s: %s\n", json_array_get_string_element (header, 0),
                                json_array_get_string_element (header, 1));
      }
    lower = g_ascii_strdown (all->str, -1);
    g_test_message ("the echo server received:\n%s", all->str);
    g_assert_nonnull (strstr (lower, "x-crosstalk-test: 42\n"));
    g_assert_nonnull (strstr (lower, "x-second: two words\n"));
    g_assert_nonnull (strstr (lower, "sec-websocket-protocol: nope, echo\n"));
    g_assert_nonnull (strstr (lower, "user-agent: crosstalk/"));
  }

  /* Text goes out as typed (no chat message around it) and comes back */
  g_assert_true (ct_endpoint_send_text (client, "hello echo", &error));
  g_assert_no_error (error);
  CT_TEST_WAIT_UNTIL (ct_test_log_find (log_of (client), CT_DIRECTION_IN, "hello echo") >= 0);
  g_assert_cmpuint (ct_test_log_count (log_of (client), CT_DIRECTION_OUT), ==, 1);
  g_assert_cmpint (ct_test_log_find (log_of (client), CT_DIRECTION_OUT, "hello echo"), >=, 0);

  /* Binary, from hex */
  g_object_set (client, "format", CT_PAYLOAD_FORMAT_HEX, NULL);
  g_assert_true (ct_endpoint_send_text (client, "00 ff 10 41", &error));
  g_assert_no_error (error);
  CT_TEST_WAIT_UNTIL (ct_test_log_count (log_of (client), CT_DIRECTION_IN) == 3);
  echo = ct_test_log_nth (log_of (client), CT_DIRECTION_IN, 2);
  g_assert_cmpstr (meta_string (echo, "frame"), ==, "binary");
  {
    gsize size;
    const guint8 *bytes = ct_message_get_data (echo, &size);

    g_assert_cmpmem (bytes, size, "\x00\xff\x10\x41", 4);
  }

  /* The server closes with its own code and reason: logged, and the client
   * stops by itself */
  g_object_set (client, "format", CT_PAYLOAD_FORMAT_TEXT, NULL);
  g_assert_true (ct_endpoint_send_text (client, "close 4001 bye", &error));
  assert_client_closed (client, 4001, "bye", "server");
  {
    g_autoptr(CtMessage) close = last_event (log_of (client), "close");

    g_assert_cmpstr (meta_string (close, "reason"), ==, "bye");
  }
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (client) == CT_STATE_STOPPED);
  g_assert_cmpint (ct_test_log_find (log_of (client), CT_DIRECTION_ERROR, ""), ==, -1);

  /* Offering no subprotocol: none is chosen */
  plain = ct_chat_client_new ();
  g_ptr_array_add (f->clients, plain);
  g_object_set (plain, "url", url, NULL);
  g_assert_true (ct_test_start (plain, &error));
  g_assert_no_error (error);
  g_clear_object (&ready);
  ready = last_event (log_of (plain), "ready");
  g_assert_null (meta_string (ready, "protocol"));
  CT_TEST_WAIT_UNTIL (ct_test_log_count (log_of (plain), CT_DIRECTION_IN) == 1);
  {
    g_autoptr(CtMessage) first = ct_test_log_nth (log_of (plain), CT_DIRECTION_IN, 0);
    g_autofree char *text = ct_message_dup_text (first);
    g_autoptr(JsonObject) handshake = parse_object (text, -1);

    g_assert_true (json_object_get_null_member (handshake, "subprotocol"));
  }
  ct_test_stop (plain);
  assert_client_closed (plain, 1000, "", "client");

  g_assert_cmpint (peer_finish (echo_server), ==, 0);
}

/* -- 6. 200 clients ------------------------------------------------------------------- */

/* Raw non-blocking sockets on a thread of their own (the server has the
 * main thread), each a minimal WebSocket client: handshake, join, then
 * LOAD_MESSAGES messages with at most LOAD_WINDOW of its own in flight
 * (sent, its own copy not back yet), every frame read and every delivery
 * counted, per sender order checked at every receiver. */
#define LOAD_CLIENTS    200
#define LOAD_MESSAGES   50
#define LOAD_WINDOW     8
#define LOAD_OPENING    16     /* handshakes and joins under way at once */
#define LOAD_TIMEOUT_S  90

typedef enum
{
  LOAD_CONNECTING,
  LOAD_HANDSHAKE,
  LOAD_JOINING,
  LOAD_JOINED,
} LoadState;

typedef struct
{
  int         fd;
  guint       index;
  LoadState   state;
  GByteArray *in;
  GByteArray *out;
  char       *accept;       /* the Sec-WebSocket-Accept expected */
  guint32     rng;
  guint       sent;
  guint       back;         /* its own messages come back */
  guint       delivered;    /* messages of the load's clients received */
  guint      *next;         /* per sender, the number expected next */
} LoadClient;

typedef struct
{
  struct sockaddr_in address;
  LoadClient         clients[LOAD_CLIENTS];
  guint              opened, joined, finished;
  char              *failure;   /* the first thing that went wrong */
  double             join_s, send_s;
  guint64            delivered;
  gint               done;
} Load;

static void G_GNUC_PRINTF (2, 3)
load_fail (Load       *load,
           const char *format,
           ...)
{
  va_list args;

  if (load->failure)
    return;
  va_start (args, format);
  load->failure = g_strdup_vprintf (format, args);
  va_end (args);
}

static guint32
load_random (LoadClient *c)
{
  /* xorshift32: masks need not be strong, only not constant */
  c->rng ^= c->rng << 13;
  c->rng ^= c->rng >> 17;
  c->rng ^= c->rng << 5;
  return c->rng;
}

static void
load_queue_frame (LoadClient   *c,
                  guint8        opcode,
                  const guint8 *payload,
                  gsize         length)
{
  guint8 head[8];
  guint32 key = load_random (c);
  guint8 *mask = (guint8 *) &key;
  gsize n = 0, at;

  g_assert (length < 65536);
  head[n++] = 0x80 | opcode;
  if (length < 126)
    head[n++] = 0x80 | length;
  else
    {
      head[n++] = 0x80 | 126;
      head[n++] = length >> 8;
      head[n++] = length & 0xff;
    }
  g_byte_array_append (c->out, head, n);
  g_byte_array_append (c->out, mask, 4);
  at = c->out->len;
  g_byte_array_append (c->out, payload, length);
  for (gsize i = 0; i < length; i++)
    c->out->data[at + i] ^= mask[i & 3];
}

static void
load_flush (Load       *load,
            LoadClient *c)
{
  while (c->out->len > 0)
    {
      gssize n = send (c->fd, c->out->data, c->out->len, MSG_NOSIGNAL);

      if (n > 0)
        g_byte_array_remove_range (c->out, 0, n);
      else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return;
      else if (n < 0 && errno != EINTR)
        return load_fail (load, "client %u: send: %s", c->index, g_strerror (errno));
    }
}

/* Sends its next messages, keeping LOAD_WINDOW in flight */
static void
load_fill_window (LoadClient *c)
{
  while (c->sent < LOAD_MESSAGES && c->sent - c->back < LOAD_WINDOW)
    {
      char frame[80];
      int n = g_snprintf (frame, sizeof frame, "{\"type\":\"message\",\"text\":\"m %u %u\"}", c->index, c->sent++);

      load_queue_frame (c, 0x1, (const guint8 *) frame, n);
    }
}

static void
load_open (Load       *load,
           LoadClient *c)
{
  int one = 1;

  c->fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0)
    return load_fail (load, "client %u: socket: %s", c->index, g_strerror (errno));
  setsockopt (c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  c->state = LOAD_CONNECTING;
  if (connect (c->fd, (struct sockaddr *) &load->address, sizeof load->address) < 0 && errno != EINPROGRESS)
    load_fail (load, "client %u: connect: %s", c->index, g_strerror (errno));
}

/* The connection is made: the upgrade request */
static void
load_connected (Load       *load,
                LoadClient *c)
{
  g_autofree char *key = NULL;
  g_autofree char *request = NULL;
  guint32 nonce[4];
  int error = 0;
  socklen_t length = sizeof error;

  if (getsockopt (c->fd, SOL_SOCKET, SO_ERROR, &error, &length) < 0 || error != 0)
    return load_fail (load, "client %u: connect: %s", c->index, g_strerror (error ? error : errno));
  for (guint i = 0; i < 4; i++)
    nonce[i] = load_random (c);
  key = g_base64_encode ((const guchar *) nonce, sizeof nonce);
  c->accept = websocket_accept (key);
  request = g_strdup_printf ("GET /chat HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nUpgrade: websocket\r\n"
                             "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
                             ntohs (load->address.sin_port), key);
  g_byte_array_append (c->out, (const guint8 *) request, strlen (request));
  c->state = LOAD_HANDSHAKE;
}

/* The value of "key":"..." in a one-line JSON frame, as [start, end) */
static const char *
load_member (const char  *frame,
             gsize        size,
             const char  *key,
             const char **end)
{
  const char *p = memmem (frame, size, key, strlen (key));

  if (p == NULL)
    return NULL;
  p += strlen (key);
  *end = memchr (p, '"', frame + size - p);
  return *end ? p : NULL;
}

static gboolean
load_number (const char **p,
             const char  *end,
             guint       *value)
{
  guint64 v = 0;
  const char *start = *p;

  while (*p < end && g_ascii_isdigit (**p))
    v = v * 10 + (*(*p)++ - '0');
  *value = (guint) v;
  return *p > start && v < G_MAXUINT;
}

/* A message frame: the sender and number checked against what this
 * receiver has had from that sender */
static void
load_message (Load       *load,
              LoadClient *c,
              const char *frame,
              gsize       size)
{
  const char *from, *from_end, *text, *text_end, *p;
  guint who, seq, from_index;

  from = load_member (frame, size, "\"from\":\"c", &from_end);
  text = load_member (frame, size, "\"text\":\"m ", &text_end);
  p = from;
  if (from == NULL || text == NULL || !load_number (&p, from_end, &from_index) || p != from_end)
    return load_fail (load, "client %u: a message from elsewhere: %.*s", c->index, (int) size, frame);
  p = text;
  if (!load_number (&p, text_end, &who) || p == text_end || *p++ != ' ' ||
      !load_number (&p, text_end, &seq) || p != text_end ||
      who != from_index || who >= LOAD_CLIENTS || seq >= LOAD_MESSAGES)
    return load_fail (load, "client %u: a message it cannot place: %.*s", c->index, (int) size, frame);

  if (seq != c->next[who])
    return load_fail (load, "client %u: from client %u, message %u came when %u was expected (%s)",
                      c->index, who, seq, c->next[who], seq < c->next[who] ? "a duplicate" : "lost or out of order");
  c->next[who]++;
  c->delivered++;
  if (c->delivered == LOAD_CLIENTS * LOAD_MESSAGES)
    load->finished++;
  if (who == c->index)
    {
      c->back++;
      load_fill_window (c);
    }
}

static void
load_frame (Load         *load,
            LoadClient   *c,
            guint8        opcode,
            const guint8 *payload,
            gsize         size)
{
  const char *frame = (const char *) payload;

  switch (opcode)
    {
    case 0x1:
      if (size > 18 && memcmp (frame, "{\"type\":\"message\",", 18) == 0)
        return load_message (load, c, frame, size);
      if (size > 14 && memcmp (frame, "{\"type\":\"join\"", 14) == 0 && c->state == LOAD_JOINING &&
          memmem (frame, size, "\"you\":true", 10))
        {
          c->state = LOAD_JOINED;
          load->joined++;
          return;
        }
      if (size > 15 && (memcmp (frame, "{\"type\":\"error\"", 15) == 0 ||
                        memcmp (frame, "{\"type\":\"leave\"", 15) == 0 ||
                        memcmp (frame, "{\"type\":\"notic", 15) == 0))
        return load_fail (load, "client %u: %.*s", c->index, (int) MIN (size, 300), frame);
      return;   /* the welcome, others joining */
    case 0x9:
      return load_queue_frame (c, 0xA, payload, size);
    case 0x8:
      return load_fail (load, "client %u: the server closed the connection (%u %.*s)", c->index,
                        size >= 2 ? (guint) payload[0] << 8 | payload[1] : 0,
                        (int) (size > 2 ? size - 2 : 0), frame + 2);
    default:
      return load_fail (load, "client %u: a frame with opcode %u", c->index, opcode);
    }
}

/* What came in: the handshake's response, then frames */
static void
load_input (Load       *load,
            LoadClient *c)
{
  guint8 buffer[65536];
  gsize at = 0;

  for (;;)
    {
      gssize n = recv (c->fd, buffer, sizeof buffer, 0);

      if (n > 0)
        g_byte_array_append (c->in, buffer, n);
      else if (n == 0)
        return load_fail (load, "client %u: the server closed the connection", c->index);
      else if (errno == EAGAIN || errno == EWOULDBLOCK)
        break;
      else if (errno != EINTR)
        return load_fail (load, "client %u: recv: %s", c->index, g_strerror (errno));
    }

  if (c->state == LOAD_HANDSHAKE)
    {
      const guint8 *end = c->in->len >= 4 ? memmem (c->in->data, c->in->len, "\r\n\r\n", 4) : NULL;
      g_autofree char *head = NULL;
      g_autofree char *expected = NULL;
      g_autofree char *join = NULL;

      if (end == NULL)
        return;
      head = g_strndup ((const char *) c->in->data, end - c->in->data);
      expected = g_strdup_printf ("\r\nSec-WebSocket-Accept: %s", c->accept);
      if (!g_str_has_prefix (head, "HTTP/1.1 101 ") || strstr (head, expected) == NULL)
        return load_fail (load, "client %u: the handshake failed: %s", c->index, head);
      at = end + 4 - c->in->data;
      join = g_strdup_printf ("{\"type\":\"join\",\"nick\":\"c%u\"}", c->index);
      load_queue_frame (c, 0x1, (const guint8 *) join, strlen (join));
      c->state = LOAD_JOINING;
    }

  while (load->failure == NULL && c->in->len - at >= 2)
    {
      const guint8 *d = c->in->data + at;
      gsize avail = c->in->len - at, head = 2;
      guint64 length = d[1] & 0x7f;

      if (d[0] != 0x81 && d[0] != 0x88 && d[0] != 0x89)
        {
          load_fail (load, "client %u: a frame starting with 0x%02x", c->index, d[0]);
          break;
        }
      if (length == 126)
        {
          head = 4;
          if (avail < head)
            break;
          length = (guint64) d[2] << 8 | d[3];
        }
      else if (length == 127)
        {
          head = 10;
          if (avail < head)
            break;
          length = 0;
          for (guint i = 2; i < 10; i++)
            length = length << 8 | d[i];
        }
      if (avail - head < length)
        break;
      load_frame (load, c, d[0] & 0x0f, d + head, length);
      at += head + length;
    }
  g_byte_array_remove_range (c->in, 0, at);
}

static gpointer
load_run (gpointer data)
{
  Load *load = data;
  struct pollfd fds[LOAD_CLIENTS];
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + LOAD_TIMEOUT_S * G_USEC_PER_SEC;
  gint64 joined_at = 0;

  while (load->failure == NULL && load->finished < LOAD_CLIENTS)
    {
      guint n = 0;
      int ready;

      if (g_get_monotonic_time () > deadline)
        {
          guint64 delivered = 0;

          for (guint i = 0; i < LOAD_CLIENTS; i++)
            delivered += load->clients[i].delivered;
          load_fail (load, "timed out after %d s: %u clients joined, %u received everything, "
                     "%" G_GUINT64_FORMAT " of %u deliveries", LOAD_TIMEOUT_S, load->joined,
                     load->finished, delivered, LOAD_CLIENTS * LOAD_CLIENTS * LOAD_MESSAGES);
          break;
        }
      /* A few handshakes at a time: the listener's backlog is short */
      while (load->opened < LOAD_CLIENTS && load->opened - load->joined < LOAD_OPENING)
        load_open (load, &load->clients[load->opened++]);
      if (joined_at == 0 && load->joined == LOAD_CLIENTS)
        {
          /* Everyone is in the room: the load starts */
          joined_at = g_get_monotonic_time ();
          load->join_s = (joined_at - start) / 1e6;
          for (guint i = 0; i < LOAD_CLIENTS; i++)
            load_fill_window (&load->clients[i]);
        }

      for (guint i = 0; i < load->opened; i++)
        {
          LoadClient *c = &load->clients[i];

          if (c->out->len > 0 && c->state != LOAD_CONNECTING)
            load_flush (load, c);
          fds[n].fd = c->fd;
          fds[n].events = POLLIN | (c->out->len > 0 || c->state == LOAD_CONNECTING ? POLLOUT : 0);
          fds[n].revents = 0;
          n++;
        }
      ready = poll (fds, n, 100);
      if (ready < 0 && errno != EINTR)
        load_fail (load, "poll: %s", g_strerror (errno));
      for (guint i = 0; ready > 0 && i < n && load->failure == NULL; i++)
        {
          LoadClient *c = &load->clients[i];

          if (fds[i].revents == 0)
            continue;
          if ((fds[i].revents & (POLLOUT | POLLERR | POLLHUP)) && c->state == LOAD_CONNECTING)
            load_connected (load, c);
          if (fds[i].revents & (POLLIN | POLLERR | POLLHUP))
            load_input (load, c);
        }
    }
  if (joined_at)
    load->send_s = (g_get_monotonic_time () - joined_at) / 1e6;
  for (guint i = 0; i < LOAD_CLIENTS; i++)
    load->delivered += load->clients[i].delivered;

  g_atomic_int_set (&load->done, 1);
  g_main_context_wakeup (NULL);
  return NULL;
}

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_many_clients (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree Load *load = g_new0 (Load, 1);
  g_autoptr(GThread) thread = NULL;
  gboolean timed_out = FALSE;
  guint timeout;
  guint n, in = 0, broadcasts = 0, errors = 0;
  guint64 recipients = 0;
  gint64 start;

  /* No rate limit, room for every client's backlog, no pings */
  g_object_set (f->server, "rate-limit", 0, "max-queue", 64 * 1024 * 1024, "keepalive", 0, NULL);
  start_server (f);

  load->address.sin_family = AF_INET;
  load->address.sin_port = htons (ct_test_endpoint_port (f->server));
  load->address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  for (guint i = 0; i < LOAD_CLIENTS; i++)
    {
      LoadClient *c = &load->clients[i];

      c->fd = -1;
      c->index = i;
      c->rng = 2654435761u * (i + 1);
      c->in = g_byte_array_new ();
      c->out = g_byte_array_new ();
      c->next = g_new0 (guint, LOAD_CLIENTS);
    }

  /* The server runs here, on the main context, while the clients run */
  start = g_get_monotonic_time ();
  thread = g_thread_new ("chat-load", load_run, load);
  timeout = g_timeout_add_seconds (LOAD_TIMEOUT_S + 10, set_flag, &timed_out);
  while (!g_atomic_int_get (&load->done) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (timeout);
  g_thread_join (g_steal_pointer (&thread));

  g_test_message ("%u clients joined in %.2f s; %u x %u messages, %" G_GUINT64_FORMAT
                  " deliveries in %.2f s (%.0f/s); %.2f s in all",
                  LOAD_CLIENTS, load->join_s, LOAD_CLIENTS, LOAD_MESSAGES, load->delivered, load->send_s,
                  load->send_s > 0 ? load->delivered / load->send_s : 0.0,
                  (g_get_monotonic_time () - start) / 1e6);
  if (load->failure)
    g_error ("%s", load->failure);
  g_assert_cmpuint (load->delivered, ==, (guint64) LOAD_CLIENTS * LOAD_CLIENTS * LOAD_MESSAGES);
  for (guint i = 0; i < LOAD_CLIENTS; i++)
    {
      g_assert_cmpuint (load->clients[i].delivered, ==, LOAD_CLIENTS * LOAD_MESSAGES);
      for (guint j = 0; j < LOAD_CLIENTS; j++)
        g_assert_cmpuint (load->clients[i].next[j], ==, LOAD_MESSAGES);
    }

  /* The server's log: each message in once, broadcast once to all */
  ct_message_log_flush (log_of (f->server));
  n = g_list_model_get_n_items (G_LIST_MODEL (log_of (f->server)));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CtMessage) message = g_list_model_get_item (G_LIST_MODEL (log_of (f->server)), i);
      CtDirection direction = ct_message_get_direction (message);

      if (direction == CT_DIRECTION_ERROR)
        errors++;
      else if (direction == CT_DIRECTION_IN && g_strcmp0 (meta_string (message, "type"), "message") == 0)
        in++;
      else if (g_strcmp0 (ct_message_get_event (message), "broadcast") == 0 &&
               g_strcmp0 (meta_string (message, "type"), "message") == 0)
        {
          broadcasts++;
          recipients += meta_uint (message, "recipients");
        }
    }
  g_assert_cmpuint (errors, ==, 0);
  g_assert_cmpuint (in, ==, LOAD_CLIENTS * LOAD_MESSAGES);
  g_assert_cmpuint (broadcasts, ==, LOAD_CLIENTS * LOAD_MESSAGES);
  g_assert_cmpuint (recipients, ==, (guint64) LOAD_CLIENTS * LOAD_CLIENTS * LOAD_MESSAGES);
  g_assert_cmpuint (n_connections (f->server), ==, LOAD_CLIENTS);

  ct_test_stop (f->server);
  g_assert_cmpuint (n_connections (f->server), ==, 0);
  for (guint i = 0; i < LOAD_CLIENTS; i++)
    {
      LoadClient *c = &load->clients[i];

      if (c->fd >= 0)
        close (c->fd);
      g_byte_array_unref (c->in);
      g_byte_array_unref (c->out);
      g_free (c->accept);
      g_free (c->next);
    }
  g_free (load->failure);
}

/* -- 7. the rate limit ----------------------------------------------------------------- */

#define RATE 5

/* Sends @n messages at once; returns how many were broadcast, having
 * checked that exactly one rate-limited error came with them */
static guint
burst (Fixture    *f,
       Raw        *raw,
       CtEndpoint *observer,
       guint       n,
       guint       round)
{
  g_autoptr(GByteArray) frames = g_byte_array_new ();
  guint said_before = count_frames (observer, "message");
  guint in_before = ct_test_log_count (log_of (f->server), CT_DIRECTION_IN);
  guint accepted = 0, errors = 0, extra;
  gint64 start = g_get_monotonic_time ();
  double elapsed;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("round %u message %u", round, i);

      raw_send_text (raw, text);
    }
  /* The server read them all ... */
  CT_TEST_WAIT_UNTIL (ct_test_log_count (log_of (f->server), CT_DIRECTION_IN) == in_before + n);
  elapsed = (g_get_monotonic_time () - start) / 1e6;
  /* ... and answered with the accepted ones and one error, then a marker
   * from the server shows nothing more is coming */
  g_assert_true (ct_endpoint_send_text (f->server, "marker", NULL));
  for (;;)
    {
      g_autoptr(JsonObject) o = raw_read_json (raw);
      const char *type = member_string (o, "type");

      if (g_str_equal (type, "error"))
        {
          g_assert_cmpstr (member_string (o, "code"), ==, "rate-limited");
          g_assert_nonnull (strstr (member_string (o, "message"), "at most 5 messages a second"));
          errors++;
        }
      else if (g_str_equal (type, "message") && g_str_equal (member_string (o, "from"), "server"))
        break;
      else if (g_str_equal (type, "message"))
        {
          g_autofree char *expected = g_strdup_printf ("round %u message %u", round, accepted++);

          /* The first ones went through, in order */
          g_assert_cmpstr (member_string (o, "text"), ==, expected);
        }
    }
  g_assert_cmpuint (errors, ==, 1);
  /* A full bucket lets RATE through, and it refills as they are read */
  extra = (guint) (elapsed * RATE) + 1;
  g_test_message ("round %u: %u of %u went through (read in %.3f s)", round, accepted, n, elapsed);
  g_assert_cmpuint (accepted, >=, RATE);
  g_assert_cmpuint (accepted, <=, RATE + extra);
  /* The observer got exactly those, and the marker */
  WAIT_FRAMES (observer, "message", said_before + accepted + 1);
  g_assert_cmpuint (count_frames (observer, "message"), ==, said_before + accepted + 1);
  return accepted;
}

static void
test_rate_limit (Fixture       *f,
                 gconstpointer  data)
{
  CtEndpoint *observer;
  Raw *raw;
  g_autoptr(JsonObject) welcome = NULL;
  g_autoptr(JsonObject) joined = NULL;
  g_autoptr(JsonObject) said = NULL;

  g_object_set (f->server, "rate-limit", RATE, NULL);
  start_server (f);
  observer = join_client (f, "observer");
  raw = raw_open (f);
  welcome = raw_expect (raw, "welcome");
  {
    JsonObject *limits = json_object_get_object_member (welcome, "limits");

    g_assert_cmpint (member_int (limits, "rate-limit"), ==, RATE);
  }

  /* Its first line joins it as a guest; the first burst was full */
  burst (f, raw, observer, 4 * RATE, 1);
  g_assert_cmpuint (count_frames (observer, "error"), ==, 0);

  /* A second later it may speak again, and is told again once */
  pass_time (1100);
  burst (f, raw, observer, 4 * RATE, 2);

  /* It stays connected: a message at the rate goes through */
  pass_time (300);
  raw_send_text (raw, "{\"type\":\"message\",\"text\":\"calm now\"}");
  said = raw_expect (raw, "message");
  g_assert_cmpstr (member_string (said, "text"), ==, "calm now");
  g_assert_cmpuint (n_connections (f->server), ==, 2);
  joined = nth_frame (observer, "join", -1);
  g_assert_cmpstr (member_string (joined, "nick"), ==, "guest-1");
  g_assert_cmpuint (count_frames (observer, "leave"), ==, 0);
}

/* -- 8. kicks, limits, stopping, keepalive ------------------------------------------- */

static void
test_kick (Fixture       *f,
           gconstpointer  data)
{
  CtEndpoint *alice, *bob;
  Raw *carol;
  CtConnection *connection;
  g_autofree char *users = NULL;
  g_autofree char *reason = NULL;

  start_server (f);
  alice = join_client (f, "alice");
  bob = join_client (f, "bob");
  carol = raw_join (f, "carol");
  WAIT_FRAMES (alice, "join", 3);

  /* bob, kicked from the server's list */
  connection = find_participant (f, "bob");
  g_assert_nonnull (connection);
  ct_endpoint_close_connection (f->server, connection);
  assert_client_closed (bob, 1008, "Removed by the server", "server");
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (bob) == CT_STATE_STOPPED);
  WAIT_FRAMES (alice, "notice", 1);
  {
    g_autoptr(JsonObject) left = nth_frame (alice, "leave", 0);
    g_autoptr(JsonObject) notice = nth_frame (alice, "notice", 0);
    g_autoptr(JsonObject) raw_left = raw_expect (carol, "leave");
    g_autoptr(JsonObject) raw_notice = raw_expect (carol, "notice");

    g_assert_cmpstr (member_string (left, "nick"), ==, "bob");
    g_assert_cmpstr (member_string (left, "reason"), ==, "kicked");
    users = member_strings (left, "users");
    g_assert_cmpstr (users, ==, "alice,carol");
    g_assert_nonnull (strstr (member_string (notice, "text"), "bob was removed"));
    g_assert_cmpstr (member_string (raw_left, "reason"), ==, "kicked");
    g_assert_nonnull (strstr (member_string (raw_notice, "text"), "bob was removed"));
  }
  CT_TEST_WAIT_UNTIL (n_connections (f->server) == 2);

  /* carol, a raw client: the close frame is 1008 */
  connection = find_participant (f, "carol");
  ct_endpoint_close_connection (f->server, connection);
  reason = raw_expect_close (carol, 1008, "Removed by the server");
  WAIT_FRAMES (alice, "leave", 2);
  CT_TEST_WAIT_UNTIL (n_connections (f->server) == 1);
  g_assert_cmpuint (count_frames (alice, "leave"), ==, 2);
  g_clear_pointer (&users, g_free);
  users = catalog_string (alice);
  g_assert_cmpstr (users, ==, "alice");
  g_assert_cmpint (ct_endpoint_get_state (alice), ==, CT_STATE_RUNNING);
}

static void
test_max_clients (Fixture       *f,
                  gconstpointer  data)
{
  CtEndpoint *alice, *bob, *dave;
  Raw *carol;
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *head = NULL;

  g_object_set (f->server, "max-clients", 2, NULL);
  start_server (f);
  alice = join_client (f, "alice");
  bob = join_client (f, "bob");

  /* One more: upgraded, then closed at once with 1013 and why */
  carol = raw_connect (f, "/chat", 0, &head);
  g_assert_true (g_str_has_prefix (head, "HTTP/1.1 101"));
  reason = raw_expect_close (carol, 1013, "");
  g_assert_cmpstr (reason, ==, "The chat is full (2 clients): try again later");

  /* Our client: its start fails with the server's reason */
  dave = chat_client_new (f);
  g_object_set (dave, "nick", "dave", NULL);
  g_assert_false (ct_test_start (dave, &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_CONNECTION_RESET);
  g_assert_nonnull (strstr (error->message, "1013: The chat is full (2 clients)"));
  g_clear_error (&error);
  g_assert_cmpint (ct_endpoint_get_state (dave), ==, CT_STATE_FAILED);
  assert_client_closed (dave, 1013, "The chat is full (2 clients): try again later", "server");
  /* One error entry: the start's failure, not libsoup's complaint that it
   * cannot answer 1013 */
  g_assert_cmpuint (ct_test_log_count (log_of (dave), CT_DIRECTION_ERROR), ==, 1);
  {
    g_autoptr(CtMessage) close = last_event (log_of (f->server), "close");

    g_assert_cmpuint (meta_uint (close, "code"), ==, 1013);
    g_assert_cmpuint (count_events (log_of (f->server), "open"), ==, 4);
  }

  /* The two inside heard nothing of it */
  g_assert_cmpuint (count_frames (alice, "join"), ==, 2);
  g_assert_cmpuint (count_frames (alice, "leave"), ==, 0);

  /* When one leaves there is room again */
  ct_test_stop (bob);
  CT_TEST_WAIT_UNTIL (n_connections (f->server) == 1);
  g_assert_true (ct_test_start (dave, &error));
  g_assert_no_error (error);
  g_assert_true (ct_chat_client_is_chatting (CT_CHAT_CLIENT (dave)));
  WAIT_FRAMES (alice, "join", 3);
}

static void
test_server_stop (Fixture       *f,
                  gconstpointer  data)
{
  CtEndpoint *alice;
  Raw *carol;
  g_autofree char *reason = NULL;

  start_server (f);
  alice = join_client (f, "alice");
  carol = raw_join (f, "carol");
  WAIT_FRAMES (alice, "join", 2);

  ct_test_stop (f->server);
  g_assert_cmpuint (n_connections (f->server), ==, 0);
  reason = raw_expect_close (carol, 1001, "The server is shutting down");
  assert_client_closed (alice, 1001, "The server is shutting down", "server");
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (alice) == CT_STATE_STOPPED);
  g_assert_null (ct_endpoint_get_error (alice));
  CT_TEST_WAIT_UNTIL ((raw_pump (carol), carol->eof));

  /* A new start is a new chat */
  start_server (f);
  {
    CtEndpoint *bob = join_client (f, "alice");
    g_autoptr(JsonObject) welcome = nth_frame (bob, "welcome", 0);
    g_autofree char *users = member_strings (welcome, "users");
    g_autofree char *history = history_string (welcome);

    g_assert_cmpstr (users, ==, "");
    g_assert_cmpstr (history, ==, "");
  }
}

static void
test_keepalive (Fixture       *f,
                gconstpointer  data)
{
  CtEndpoint *observer;
  Raw *sleepy;
  g_autofree char *reason = NULL;
  gint64 joined;
  double elapsed;
  guint pings = 0;

  g_object_set (f->server, "keepalive", 1, NULL);
  start_server (f);
  /* libsoup answers pings for our client by itself */
  observer = join_client (f, "observer");

  sleepy = raw_join (f, "sleepy");
  joined = g_get_monotonic_time ();
  WAIT_FRAMES (observer, "join", 2);

  /* The raw client reads, but never answers a ping */
  for (;;)
    {
      g_autoptr(GBytes) payload = NULL;
      int opcode = raw_read_frame (sleepy, &payload);

      if (opcode == 0x9)
        pings++;
      else if (opcode == 0x8)
        {
          const guint8 *bytes = g_bytes_get_data (payload, NULL);

          g_assert_cmpuint ((guint) bytes[0] << 8 | bytes[1], ==, 1008);
          reason = g_strndup ((const char *) bytes + 2, g_bytes_get_size (payload) - 2);
          break;
        }
      else
        g_assert_cmpint (opcode, ==, 0x1);
    }
  elapsed = (g_get_monotonic_time () - joined) / 1e6;
  g_test_message ("closed after %.2f s and %u pings: %s", elapsed, pings, reason);
  g_assert_cmpstr (reason, ==, "No answer to pings for 2 seconds");
  g_assert_cmpuint (pings, >=, 1);
  g_assert_cmpfloat (elapsed, >=, 1.9);
  g_assert_cmpfloat (elapsed, <, 4.5);

  WAIT_FRAMES (observer, "leave", 1);
  {
    g_autoptr(JsonObject) left = nth_frame (observer, "leave", 0);

    g_assert_cmpstr (member_string (left, "nick"), ==, "sleepy");
    g_assert_cmpstr (member_string (left, "reason"), ==, "timeout");
  }
  raw_send_close (sleepy, 1008, "");
  CT_TEST_WAIT_UNTIL (n_connections (f->server) == 1);

  /* The observer, which answered, is still there two intervals later */
  pass_time (2500);
  g_assert_cmpint (ct_endpoint_get_state (observer), ==, CT_STATE_RUNNING);
  g_assert_cmpuint (count_frames (observer, "leave"), ==, 1);
  g_assert_cmpuint (n_connections (f->server), ==, 1);
}

/* -- 9. the server's own voice and pages ---------------------------------------------- */

static void
test_post_as_server (Fixture       *f,
                     gconstpointer  data)
{
  CtEndpoint *alice, *bob;
  Raw *carol;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) said = NULL;

  start_server (f);
  alice = join_client (f, "alice");
  bob = join_client (f, "bob");
  carol = raw_open (f);
  g_clear_pointer (&said, json_object_unref);
  said = raw_expect (carol, "welcome");
  g_clear_pointer (&said, json_object_unref);

  g_assert_true (ct_endpoint_send_text (f->server, "announcement", &error));
  g_assert_no_error (error);
  WAIT_FRAMES (alice, "message", 1);
  WAIT_FRAMES (bob, "message", 1);
  said = raw_expect (carol, "message");
  assert_said (said, 1, "server", "announcement");
  g_clear_pointer (&said, json_object_unref);
  said = nth_frame (alice, "message", 0);
  assert_said (said, 1, "server", "announcement");
  g_clear_pointer (&said, json_object_unref);
  said = nth_frame (bob, "message", 0);
  assert_said (said, 1, "server", "announcement");

  /* Nothing to post */
  g_assert_false (ct_endpoint_send_text (f->server, "", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD);
}

typedef struct
{
  SoupMessage *message;
  GBytes      *body;
  GError      *error;
  gboolean     done;
} Http;

static void
http_done (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  Http *h = data;

  h->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &h->error);
  h->done = TRUE;
}

static void
http_get (SoupSession *session,
          const char  *url,
          Http        *h)
{
  h->message = soup_message_new (SOUP_METHOD_GET, url);
  soup_session_send_and_read_async (session, h->message, G_PRIORITY_DEFAULT, NULL, http_done, h);
  CT_TEST_WAIT_UNTIL (h->done);
  g_assert_no_error (h->error);
}

static void
http_clear (Http *h)
{
  g_clear_object (&h->message);
  g_clear_pointer (&h->body, g_bytes_unref);
  g_clear_error (&h->error);
  h->done = FALSE;
}

static void
test_http_pages (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", CT_TEST_TIMEOUT_S, NULL);
  g_autofree char *base = NULL;
  g_autofree char *url = NULL;
  Http h = { 0 };

  start_server (f);
  base = g_strdup_printf ("http://127.0.0.1:%u", ct_test_endpoint_port (f->server));

  /* The WebSocket endpoint asked for a page: 426, in JSON, saying where to go */
  url = g_strconcat (base, "/chat", NULL);
  http_get (session, url, &h);
  g_assert_cmpuint (soup_message_get_status (h.message), ==, 426);
  g_assert_true (g_str_has_prefix (soup_message_headers_get_content_type (soup_message_get_response_headers (h.message), NULL),
                                   "application/json"));
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (h.message), "Upgrade"), ==,
                   "websocket");
  {
    gsize size;
    const char *body = g_bytes_get_data (h.body, &size);
    g_autoptr(JsonObject) o = parse_object (body, size);
    g_autofree char *text = g_strndup (body, size);

    g_assert_nonnull (o);
    g_assert_nonnull (strstr (text, "WebSocket"));
  }
  http_clear (&h);

  /* The web chat, with a CSP that keeps it to this server */
  g_clear_pointer (&url, g_free);
  url = g_strconcat (base, "/", NULL);
  http_get (session, url, &h);
  g_assert_cmpuint (soup_message_get_status (h.message), ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (soup_message_get_response_headers (h.message), NULL), ==,
                   "text/html");
  {
    const char *csp = soup_message_headers_get_one (soup_message_get_response_headers (h.message),
                                                    "Content-Security-Policy");
    g_autofree char *page = g_strndup (g_bytes_get_data (h.body, NULL), g_bytes_get_size (h.body));

    g_assert_nonnull (csp);
    g_assert_nonnull (strstr (csp, "default-src 'self'"));
    g_assert_nonnull (strstr (csp, "connect-src 'self' ws: wss:"));
    g_assert_nonnull (strstr (page, "<html"));
    g_assert_nonnull (strstr (page, "chat.js"));
  }
  http_clear (&h);

  g_clear_pointer (&url, g_free);
  url = g_strconcat (base, "/no-such-page", NULL);
  http_get (session, url, &h);
  g_assert_cmpuint (soup_message_get_status (h.message), ==, 404);
  http_clear (&h);
  soup_session_abort (session);
  ct_test_assert_exchanges_paired (log_of (f->server));
}

/* -- 10. errors a user can act on ------------------------------------------------------ */

static void
test_port_in_use (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CtEndpoint) second = ct_chat_server_new ();
  g_autoptr(GError) error = NULL;

  start_server (f);
  g_object_set (second, "port", ct_test_endpoint_port (f->server), NULL);
  g_assert_false (ct_test_start (second, &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_ADDRESS_IN_USE);
  g_assert_nonnull (strstr (error->message, "already in use"));
  g_assert_cmpint (ct_endpoint_get_state (second), ==, CT_STATE_FAILED);
  g_assert_cmpint (ct_endpoint_get_state (f->server), ==, CT_STATE_RUNNING);
}

static void
test_client_errors (Fixture       *f,
                    gconstpointer  data)
{
  CtEndpoint *client;
  g_autoptr(GError) error = NULL;
  g_autofree char *refused = g_strdup_printf ("ws://127.0.0.1:%u/chat", ct_test_free_port (G_SOCKET_TYPE_STREAM));
  g_autofree char *page = NULL;
  g_autofree char *missing = NULL;

  start_server (f);
  client = chat_client_new (f);

  /* Nobody listening */
  g_object_set (client, "url", refused, NULL);
  g_assert_false (ct_test_start (client, &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_UNREACHABLE);
  g_assert_nonnull (strstr (error->message, "connection refused"));
  g_assert_cmpint (ct_endpoint_get_state (client), ==, CT_STATE_FAILED);
  g_assert_cmpint (ct_test_log_find (log_of (client), CT_DIRECTION_ERROR, "connection refused"), >=, 0);
  g_clear_error (&error);

  /* An HTTP page, not a WebSocket endpoint */
  page = server_url (f, "/");
  g_object_set (client, "url", page, NULL);
  g_assert_false (ct_test_start (client, &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "answered HTTP 200"));
  g_assert_nonnull (strstr (error->message, "is it a WebSocket endpoint?"));
  g_clear_error (&error);

  missing = server_url (f, "/nowhere");
  g_object_set (client, "url", missing, NULL);
  g_assert_false (ct_test_start (client, &error));
  g_assert_nonnull (strstr (error->message, "answered HTTP 404"));
  g_clear_error (&error);

  /* Not a WebSocket URL at all */
  g_object_set (client, "url", "http://127.0.0.1:1/chat", NULL);
  g_assert_false (ct_test_start (client, &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING);
  g_assert_nonnull (strstr (error->message, "is not a WebSocket URL"));
  g_clear_error (&error);

  /* Not running: nothing to send on */
  g_assert_false (ct_endpoint_send_text (client, "anyone?", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_NOT_RUNNING);
  g_assert_cmpuint (n_connections (f->server), ==, 0);
}

static void
drop_log_message (const char     *domain,
                  GLogLevelFlags  level,
                  const char     *message,
                  gpointer        user_data)
{
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* GIO's and libsoup's debug messages would bury the test's own output */
  if (g_getenv ("G_MESSAGES_DEBUG") == NULL)
    {
      g_log_set_handler ("GLib-GIO", G_LOG_LEVEL_DEBUG, drop_log_message, NULL);
      g_log_set_handler ("libsoup", G_LOG_LEVEL_DEBUG, drop_log_message, NULL);
    }

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/ct/chat/join-leave-broadcast", test_join_leave_broadcast);
  ADD ("/ct/chat/nicknames", test_nicknames);
  ADD ("/ct/chat/slow-client-dropped", test_slow_client_dropped);
  ADD ("/ct/chat/bad-frames", test_bad_frames);
  ADD ("/ct/chat/interop/python-client", test_python_client);
  ADD ("/ct/chat/interop/wscat-client", test_wscat_client);
  ADD ("/ct/chat/interop/python-echo-server", test_python_echo_server);
  ADD ("/ct/chat/many-clients", test_many_clients);
  ADD ("/ct/chat/rate-limit", test_rate_limit);
  ADD ("/ct/chat/kick", test_kick);
  ADD ("/ct/chat/max-clients", test_max_clients);
  ADD ("/ct/chat/server-stop", test_server_stop);
  ADD ("/ct/chat/keepalive", test_keepalive);
  ADD ("/ct/chat/post-as-server", test_post_as_server);
  ADD ("/ct/chat/http-pages", test_http_pages);
  ADD ("/ct/chat/errors/port-in-use", test_port_in_use);
  ADD ("/ct/chat/errors/client", test_client_errors);

  return g_test_run ();
}
