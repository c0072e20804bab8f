/* chat-soup-min.c — the libsoup ceiling for bench/chat.sh: a bare libsoup 3
 * SoupServer with a WebSocket handler on /chat that keeps the list of its
 * connections and, for every text message, sends one text frame to each of
 * them.  No JSON library, no log, no checks: the least a server built on
 * libsoup's WebSocket support can do and still speak the chat format
 * (docs/protocols/chat.md) as far as bench/chat-load.c checks it.  What it
 * measures is libsoup's own cost per broadcast — reading and unmasking the
 * client's frame, the "message" signal, framing and writing one copy per
 * connection on its main loop — which is therefore the best any chat server
 * built on SoupServer can reach on the same machine under the same load.
 *
 * Usage: chat-soup-min PORT
 *
 * Binds 127.0.0.1:PORT (0 = any free port) and prints, flushed at once, one
 * line in the form `crosstalk-cli serve chat --json` announces itself, so
 * that chat.sh reads every server the same way:
 *   {"direction":"info","event":"listening","url":"http://127.0.0.1:PORT/","address":"127.0.0.1:PORT"}
 * Nothing else is printed unless something fails.  Exits on SIGTERM or
 * SIGINT.
 *
 * What it sends, with fixed templates filled in by printf (the strings it
 * copies in are taken raw from between the quotes of the client's JSON,
 * so they stay correctly escaped):
 *   on connecting   {"type":"welcome","server":"chat-soup-min","version":1,
 *                    "users":[],"history":[],"limits":{...}}   (fixed)
 *   a frame starting {"type":"join" with "nick":"N"
 *                   {"type":"join","nick":"N","you":true} to the joiner,
 *                   {"type":"join","nick":"N"} to the others
 *   a frame starting {"type":"message" with "text":"T"
 *                   {"type":"message","id":I,"from":"N","text":"T",
 *                    "time":"YYYY-MM-DDTHH:MM:SS.mmmZ"} to everyone, the
 *                   sender included (I counts from 1; N is the sender's
 *                   nick, or guest-K if it has not joined)
 * Anything else is ignored: no users list, no history, no leave, no errors,
 * no nick checks.  Each connection's max-incoming-payload-size is 65536,
 * the format's frame limit (never 0: libsoup 3.2 mishandles 0); libsoup's
 * defaults otherwise (no keepalive pings, no extension unless the client
 * asks — the load client does not).
 *
 * Build: cc -O2 -Wall -o chat-soup-min chat-soup-min.c \
 *          $(pkg-config --cflags --libs libsoup-3.0)
 */

#define _GNU_SOURCE /* memmem */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <libsoup/soup.h>

#include "soup-min.h"

#define MAX_FRAME 65536

static const char WELCOME[] =
  "{\"type\":\"welcome\",\"server\":\"chat-soup-min\",\"version\":1,\"users\":[],"
  "\"history\":[],\"limits\":{\"max-frame\":65536,\"rate-limit\":0}}";

typedef struct
{
  SoupWebsocketConnection *conn;
  char *nick;     /* raw JSON string contents, NULL until joined */
  gboolean closed;
} Client;

static GPtrArray *clients;   /* of Client */
static guint64 next_id = 1;
static guint next_guest = 1;
static guint reap_id;        /* an idle removing closed clients, if pending */

static gboolean
starts_with (const char *data, gsize len, const char *prefix)
{
  gsize n = strlen (prefix);

  return len >= n && memcmp (data, prefix, n) == 0;
}

/* The raw contents of the string value after KEY ("\"text\":\""), up to the
 * next unescaped quote; NULL if there is none. */
static const char *
find_string (const char *data, gsize len, const char *key, gsize *out_len)
{
  gsize klen = strlen (key);
  const char *p = memmem (data, len, key, klen);
  const char *end = data + len;
  const char *q;

  if (p == NULL)
    return NULL;
  p += klen;
  for (q = p; q < end; q++)
    {
      if (*q == '\\')
        q++;
      else if (*q == '"')
        {
          *out_len = (gsize) (q - p);
          return p;
        }
    }
  return NULL;
}

static void
send_to (Client *c, const char *text)
{
  if (!c->closed
      && soup_websocket_connection_get_state (c->conn) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (c->conn, text);
}

/* The time as the format writes it, the seconds formatted once per second. */
static const char *
now_text (void)
{
  static char buf[32];
  static gint64 cached_s = -1;
  gint64 us = g_get_real_time ();
  gint64 s = us / G_USEC_PER_SEC;

  if (s != cached_s)
    {
      time_t t = (time_t) s;
      struct tm tm;

      gmtime_r (&t, &tm);
      strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
      cached_s = s;
    }
  snprintf (buf + 19, sizeof buf - 19, ".%03dZ", (int) (us % G_USEC_PER_SEC / 1000));
  return buf;
}

static void
on_message (SoupWebsocketConnection *conn,
            gint                     type,
            GBytes                  *message,
            gpointer                 user_data)
{
  Client *self = user_data;
  gsize len, slen;
  const char *data = g_bytes_get_data (message, &len);
  const char *s;
  char *frame;
  guint i;

  (void) conn;
  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    return;

  if (starts_with (data, len, "{\"type\":\"message\""))
    {
      if ((s = find_string (data, len, "\"text\":\"", &slen)) == NULL)
        return;
      if (self->nick == NULL)
        self->nick = g_strdup_printf ("guest-%u", next_guest++);
      frame = g_strdup_printf ("{\"type\":\"message\",\"id\":%" G_GUINT64_FORMAT
                               ",\"from\":\"%s\",\"text\":\"%.*s\",\"time\":\"%s\"}",
                               next_id++, self->nick, (int) slen, s, now_text ());
      for (i = 0; i < clients->len; i++)
        send_to (g_ptr_array_index (clients, i), frame);
      g_free (frame);
    }
  else if (starts_with (data, len, "{\"type\":\"join\""))
    {
      if ((s = find_string (data, len, "\"nick\":\"", &slen)) == NULL)
        return;
      g_free (self->nick);
      self->nick = g_strndup (s, slen);
      frame = g_strdup_printf ("{\"type\":\"join\",\"nick\":\"%s\"}", self->nick);
      for (i = 0; i < clients->len; i++)
        {
          Client *c = g_ptr_array_index (clients, i);

          if (c != self)
            send_to (c, frame);
        }
      g_free (frame);
      frame = g_strdup_printf ("{\"type\":\"join\",\"nick\":\"%s\",\"you\":true}", self->nick);
      send_to (self, frame);
      g_free (frame);
    }
}

/* Removes the closed clients: from an idle, never while a broadcast walks
 * the list. */
static gboolean
reap (gpointer user_data)
{
  guint i = 0;

  (void) user_data;
  while (i < clients->len)
    {
      Client *c = g_ptr_array_index (clients, i);

      if (!c->closed)
        {
          i++;
          continue;
        }
      g_ptr_array_remove_index_fast (clients, i);
      g_signal_handlers_disconnect_by_data (c->conn, c);
      g_object_unref (c->conn);
      g_free (c->nick);
      g_free (c);
    }
  reap_id = 0;
  return G_SOURCE_REMOVE;
}

static void
on_closed (SoupWebsocketConnection *conn, gpointer user_data)
{
  Client *self = user_data;

  (void) conn;
  self->closed = TRUE;
  if (reap_id == 0)
    reap_id = g_idle_add (reap, NULL);
}

static void
on_websocket (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *conn,
              gpointer                 user_data)
{
  Client *c = g_new0 (Client, 1);

  (void) server;
  (void) msg;
  (void) path;
  (void) user_data;
  c->conn = g_object_ref (conn);
  g_object_set (conn, "max-incoming-payload-size", (guint64) MAX_FRAME, NULL);
  g_signal_connect (conn, "message", G_CALLBACK (on_message), c);
  g_signal_connect (conn, "closed", G_CALLBACK (on_closed), c);
  g_ptr_array_add (clients, c);
  send_to (c, WELCOME);
}

int
main (int argc, char **argv)
{
  SoupServer *server;
  int status;
  int port;

  if (argc != 2 || (port = soup_min_parse_port (argv[1])) < 0)
    {
      fprintf (stderr, "usage: chat-soup-min PORT   (0..65535, 0 = any free port)\n");
      return 2;
    }

  clients = g_ptr_array_new ();
  server = soup_server_new (NULL, NULL);
  soup_server_add_websocket_handler (server, "/chat", NULL, NULL, on_websocket, NULL, NULL);
  status = soup_min_serve (server, "chat-soup-min", port, "/");
  return status;
}
