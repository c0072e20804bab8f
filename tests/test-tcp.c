/* test-tcp.c — CtTcpServer and CtTcpClient: with each other, under load,
 * at their limits, and against nc, socat and Python's socket module
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <sys/socket.h>

#include "ct-test-resolver.h"
#include "ct-test-util.h"

typedef struct
{
  CtEndpoint *server;
  CtEndpoint *client;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = ct_tcp_server_new ();
  f->client = ct_tcp_client_new ();
  g_object_set (f->server, "port", 0, NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->client);
  g_clear_object (&f->server);
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
}

/* A new client pointed at the fixture's server, connected */
static CtEndpoint *
connect_client (Fixture *f)
{
  g_autoptr(CtEndpoint) client = ct_tcp_client_new ();
  g_autoptr(GError) error = NULL;

  ct_endpoint_use_server (client, f->server);
  g_assert_true (ct_test_start (client, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&client);
}

static char *
server_port_string (Fixture *f)
{
  return g_strdup_printf ("%u", ct_test_endpoint_port (f->server));
}

/* The payloads of @log's entries in @direction, joined with '|' */
static char *
payloads (CtMessageLog *log,
          CtDirection   direction)
{
  g_autoptr(GString) s = g_string_new (NULL);
  guint n;

  ct_message_log_flush (log);
  n = g_list_model_get_n_items (G_LIST_MODEL (log));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CtMessage) message = g_list_model_get_item (G_LIST_MODEL (log), i);
      g_autofree char *text = NULL;

      if (ct_message_get_direction (message) != direction)
        continue;
      text = ct_message_dup_text (message);
      g_string_append_printf (s, "%s%s", s->len ? "|" : "", text);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* The "reason" of the last "closed" entry in @log, or NULL */
static char *
last_close_reason (CtMessageLog *log)
{
  guint n;

  ct_message_log_flush (log);
  n = g_list_model_get_n_items (G_LIST_MODEL (log));
  for (guint i = n; i > 0; i--)
    {
      g_autoptr(CtMessage) message = g_list_model_get_item (G_LIST_MODEL (log), i - 1);
      GVariant *meta = ct_message_get_meta (message);
      const char *reason = NULL;

      if (g_strcmp0 (ct_message_get_event (message), "closed") == 0 && meta &&
          g_variant_lookup (meta, "reason", "&s", &reason))
        return g_strdup (reason);
    }
  return NULL;
}

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

/* -- our ends ------------------------------------------------------------- */

static void
test_echo_round_trip (Fixture       *f,
                      gconstpointer  data)
{
  CtTcpFraming framing = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autofree char *client_in = NULL;
  g_autofree char *server_in = NULL;

  g_object_set (f->server, "framing", framing, NULL);
  start_server (f);
  g_assert_true (g_str_has_prefix (ct_endpoint_get_address (f->server), "127.0.0.1:"));
  g_assert_cmpint (ct_test_log_find (log_of (f->server), CT_DIRECTION_INFO, "Listening on"), ==, 0);

  /* use_server brings the framing along */
  ct_endpoint_use_server (f->client, f->server);
  g_assert_true (ct_test_start (f->client, &error));
  g_assert_no_error (error);
  CT_TEST_WAIT_UNTIL (n_connections (f->server) == 1);
  g_assert_cmpuint (count_events (log_of (f->client), "connected"), ==, 1);
  g_assert_cmpuint (count_events (log_of (f->server), "accepted"), ==, 1);

  g_assert_true (ct_endpoint_send_text (f->client, "hello", &error));
  if (framing == CT_TCP_FRAMING_RAW)
    CT_TEST_WAIT_UNTIL (ct_test_log_count (log_of (f->client), CT_DIRECTION_IN) == 1);
  g_assert_true (ct_endpoint_send_text (f->client, "second message", &error));
  g_assert_no_error (error);

  if (framing == CT_TCP_FRAMING_RAW)
    {
      /* Raw: each read is a message, so only the bytes are certain */
      CT_TEST_WAIT_UNTIL (ct_test_log_find (log_of (f->client), CT_DIRECTION_IN, "second message") >= 0);
    }
  else
    {
      CT_TEST_WAIT_UNTIL (ct_test_log_count (log_of (f->client), CT_DIRECTION_IN) == 2);
      client_in = payloads (log_of (f->client), CT_DIRECTION_IN);
      server_in = payloads (log_of (f->server), CT_DIRECTION_IN);
      g_assert_cmpstr (client_in, ==, "hello|second message");
      g_assert_cmpstr (server_in, ==, "hello|second message");
    }

  /* The peer column names the other side */
  {
    g_autoptr(CtMessage) first = NULL;
    int index = ct_test_log_find (log_of (f->client), CT_DIRECTION_IN, "hello");

    g_assert_cmpint (index, >=, 0);
    first = g_list_model_get_item (G_LIST_MODEL (log_of (f->client)), index);
    g_assert_cmpstr (ct_message_get_peer (first), ==, ct_endpoint_get_address (f->server));
  }

  /* Disconnecting the client: the server logs the close by the peer */
  ct_test_stop (f->client);
  CT_TEST_WAIT_UNTIL (n_connections (f->server) == 0);
  {
    g_autofree char *reason = last_close_reason (log_of (f->server));
    g_assert_cmpstr (reason, ==, "peer");
  }
  ct_test_stop (f->server);
}

static void
test_hex_payload (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtMessage) echo = NULL;
  gsize size;
  const guint8 *bytes;

  g_object_set (f->server, "framing", CT_TCP_FRAMING_LENGTH, NULL);
  start_server (f);
  ct_endpoint_use_server (f->client, f->server);
  g_object_set (f->client, "format", CT_PAYLOAD_FORMAT_HEX, NULL);
  g_assert_true (ct_test_start (f->client, &error));

  /* Binary with a zero byte and a newline survives length framing */
  g_assert_true (ct_endpoint_send_text (f->client, "00 0a ff 41", &error));
  g_assert_no_error (error);
  CT_TEST_WAIT_UNTIL (ct_test_log_count (log_of (f->client), CT_DIRECTION_IN) == 1);
  echo = g_list_model_get_item (G_LIST_MODEL (log_of (f->client)),
                                g_list_model_get_n_items (G_LIST_MODEL (log_of (f->client))) - 1);
  bytes = ct_message_get_data (echo, &size);
  g_assert_cmpmem (bytes, size, "\0\n\xff" "A", 4);

  /* Bad hex is refused before anything is sent, and the client goes on */
  g_assert_false (ct_endpoint_send_text (f->client, "0g", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD);
  g_assert_cmpint (ct_endpoint_get_state (f->client), ==, CT_STATE_RUNNING);
}

static void
test_ipv6 (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) probe = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback6 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autoptr(GSocketAddress) any6 = g_inet_socket_address_new (loopback6, 0);

  if (probe == NULL || !g_socket_bind (probe, any6, FALSE, NULL))
    {
      g_test_skip ("No IPv6 loopback on this machine");
      return;
    }

  g_object_set (f->server, "host", "::1", NULL);
  start_server (f);
  g_assert_true (g_str_has_prefix (ct_endpoint_get_address (f->server), "[::1]:"));
  ct_endpoint_use_server (f->client, f->server);
  g_assert_true (ct_test_start (f->client, &error));
  g_assert_no_error (error);
  g_assert_true (ct_endpoint_send_text (f->client, "over IPv6", &error));
  CT_TEST_WAIT_UNTIL (ct_test_log_find (log_of (f->client), CT_DIRECTION_IN, "over IPv6") >= 0);
}

/* 200 clients at once, 100 lines each: every echo arrives, in order */
#define N_CLIENTS 200
#define N_LINES   100

static void
test_many_clients (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func (g_object_unref);

  start_server (f);

  for (guint i = 0; i < N_CLIENTS; i++)
    {
      CtEndpoint *client = ct_tcp_client_new ();

      ct_endpoint_use_server (client, f->server);
      ct_endpoint_start_async (client, NULL, NULL);
      g_ptr_array_add (clients, client);
    }
  CT_TEST_WAIT_UNTIL (n_connections (f->server) == N_CLIENTS);
  for (guint i = 0; i < N_CLIENTS; i++)
    CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (clients->pdata[i]) == CT_STATE_RUNNING);

  /* Everyone sends at once, interleaved */
  for (guint j = 0; j < N_LINES; j++)
    for (guint i = 0; i < N_CLIENTS; i++)
      {
        g_autofree char *line = g_strdup_printf ("client %u line %u", i, j);
        g_autoptr(GError) error = NULL;

        g_assert_true (ct_endpoint_send_text (clients->pdata[i], line, &error));
        g_assert_no_error (error);
      }

  for (guint i = 0; i < N_CLIENTS; i++)
    {
      CtMessageLog *log = log_of (clients->pdata[i]);
      guint n, seen = 0;

      CT_TEST_WAIT_UNTIL (ct_test_log_count (log, CT_DIRECTION_IN) == N_LINES);
      n = g_list_model_get_n_items (G_LIST_MODEL (log));
      for (guint k = 0; k < n; k++)
        {
          g_autoptr(CtMessage) message = g_list_model_get_item (G_LIST_MODEL (log), k);
          g_autofree char *text = NULL;
          g_autofree char *expected = NULL;

          if (ct_message_get_direction (message) != CT_DIRECTION_IN)
            continue;
          text = ct_message_dup_text (message);
          expected = g_strdup_printf ("client %u line %u", i, seen++);
          g_assert_cmpstr (text, ==, expected);
        }
      g_assert_cmpuint (seen, ==, N_LINES);
    }

  g_assert_cmpuint (ct_test_log_count (log_of (f->server), CT_DIRECTION_IN), ==, N_CLIENTS * N_LINES);
  g_assert_cmpuint (ct_test_log_count (log_of (f->server), CT_DIRECTION_OUT), ==, N_CLIENTS * N_LINES);
  g_assert_cmpuint (ct_test_log_count (log_of (f->server), CT_DIRECTION_ERROR), ==, 0);

  /* Stopping the server closes every connection; each client stops */
  ct_test_stop (f->server);
  g_assert_cmpuint (n_connections (f->server), ==, 0);
  g_assert_cmpuint (count_events (log_of (f->server), "closed"), ==, N_CLIENTS);
  for (guint i = 0; i < N_CLIENTS; i++)
    CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (clients->pdata[i]) == CT_STATE_STOPPED);
}

static void
test_broadcast (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CtEndpoint) alice = NULL;
  g_autoptr(CtEndpoint) bob = NULL;
  g_autoptr(CtEndpoint) carol = NULL;
  g_autoptr(GError) error = NULL;

  g_object_set (f->server, "mode", CT_TCP_MODE_BROADCAST, NULL);
  start_server (f);
  alice = connect_client (f);
  bob = connect_client (f);
  carol = connect_client (f);
  CT_TEST_WAIT_UNTIL (n_connections (f->server) == 3);

  g_assert_true (ct_endpoint_send_text (alice, "hi all, alice here", &error));
  g_assert_true (ct_endpoint_send_text (bob, "bob says hi", &error));
  CT_TEST_WAIT_UNTIL (ct_test_log_count (log_of (carol), CT_DIRECTION_IN) == 2);
  CT_TEST_WAIT_UNTIL (ct_test_log_count (log_of (alice), CT_DIRECTION_IN) == 1);
  CT_TEST_WAIT_UNTIL (ct_test_log_count (log_of (bob), CT_DIRECTION_IN) == 1);

  /* Each message reaches the others, never its sender */
  g_assert_cmpint (ct_test_log_find (log_of (alice), CT_DIRECTION_IN, "bob says hi"), >=, 0);
  g_assert_cmpint (ct_test_log_find (log_of (bob), CT_DIRECTION_IN, "hi all, alice here"), >=, 0);
  g_assert_cmpint (ct_test_log_find (log_of (carol), CT_DIRECTION_IN, "hi all, alice here"), >=, 0);
  g_assert_cmpint (ct_test_log_find (log_of (carol), CT_DIRECTION_IN, "bob says hi"), >=, 0);
  g_assert_cmpuint (ct_test_log_count (log_of (f->server), CT_DIRECTION_OUT), ==, 4);

  /* The server's composer speaks to everyone */
  g_assert_true (ct_endpoint_send_text (f->server, "server notice", &error));
  g_assert_no_error (error);
  CT_TEST_WAIT_UNTIL (ct_test_log_find (log_of (alice), CT_DIRECTION_IN, "server notice") >= 0 &&
                      ct_test_log_find (log_of (bob), CT_DIRECTION_IN, "server notice") >= 0 &&
                      ct_test_log_find (log_of (carol), CT_DIRECTION_IN, "server notice") >= 0);
}

/* Manual mode: nothing is echoed; the user answers one peer or all, and a
 * half-closed peer can still be answered */
static void
test_manual_and_half_close (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(CtEndpoint) other = NULL;
  g_autoptr(GError) error = NULL;
  CtConnection *connection;

  g_object_set (f->server, "mode", CT_TCP_MODE_MANUAL, NULL);
  start_server (f);
  ct_endpoint_use_server (f->client, f->server);
  g_assert_true (ct_test_start (f->client, &error));
  other = connect_client (f);
  CT_TEST_WAIT_UNTIL (n_connections (f->server) == 2);

  g_assert_true (ct_endpoint_send_text (f->client, "question", &error));
  CT_TEST_WAIT_UNTIL (ct_test_log_find (log_of (f->server), CT_DIRECTION_IN, "question") >= 0);

  /* Reply to the asking connection only */
  {
    g_autoptr(CtMessage) asked = g_list_model_get_item (G_LIST_MODEL (log_of (f->server)),
                                                        ct_test_log_find (log_of (f->server), CT_DIRECTION_IN, "question"));

    connection = ct_endpoint_find_connection (f->server, ct_message_get_peer (asked));
    g_assert_nonnull (connection);
    g_object_set (f->server, "reply-to", ct_message_get_peer (asked), NULL);
  }
  g_assert_true (ct_endpoint_send_text (f->server, "answer", &error));
  CT_TEST_WAIT_UNTIL (ct_test_log_find (log_of (f->client), CT_DIRECTION_IN, "answer") >= 0);

  /* To everyone */
  g_object_set (f->server, "reply-to", "", NULL);
  g_assert_true (ct_endpoint_send_text (f->server, "to all", &error));
  CT_TEST_WAIT_UNTIL (ct_test_log_find (log_of (other), CT_DIRECTION_IN, "to all") >= 0);
  g_assert_cmpint (ct_test_log_find (log_of (other), CT_DIRECTION_IN, "answer"), <, 0);
  g_assert_cmpint (ct_test_log_find (log_of (other), CT_DIRECTION_IN, "question"), <, 0);

  /* To a peer that is not connected: a clear error */
  g_object_set (f->server, "reply-to", "127.0.0.1:1", NULL);
  g_assert_false (ct_endpoint_send_text (f->server, "lost?", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING);
  g_clear_error (&error);
  g_object_set (f->server, "reply-to", ct_connection_get_peer (connection), NULL);

  /* The client half-closes: the server sees the end of the stream, keeps
   * the connection for a reply, and the client still reads it */
  g_assert_true (ct_endpoint_shutdown_write (f->client, &error));
  g_assert_no_error (error);
  CT_TEST_WAIT_UNTIL (count_events (log_of (f->server), "peer-finished") == 1);
  g_assert_cmpuint (count_events (log_of (f->client), "half-closed"), ==, 1);
  g_assert_false (ct_endpoint_send_text (f->client, "too late", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_NOT_RUNNING);
  g_clear_error (&error);

  g_assert_true (ct_endpoint_send_text (f->server, "last words", &error));
  CT_TEST_WAIT_UNTIL (ct_test_log_find (log_of (f->client), CT_DIRECTION_IN, "last words") >= 0);

  /* Closing it from the server's list: the client stops by itself */
  ct_endpoint_close_connection (f->server, connection);
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (f->client) == CT_STATE_STOPPED);
  {
    g_autofree char *reason = last_close_reason (log_of (f->client));
    g_assert_cmpstr (reason, ==, "peer");
  }
  g_assert_cmpuint (n_connections (f->server), ==, 1);
  g_assert_cmpint (ct_endpoint_get_state (other), ==, CT_STATE_RUNNING);
}

/* -- limits --------------------------------------------------------------- */

static void
test_oversize_closes_one (Fixture       *f,
                          gconstpointer  data)
{
  CtTcpFraming framing = GPOINTER_TO_INT (data);
  g_autoptr(CtEndpoint) bystander = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *big = g_strnfill (100, 'x');

  g_object_set (f->server, "framing", framing, "max-frame-size", 64, NULL);
  start_server (f);
  ct_endpoint_use_server (f->client, f->server);
  g_assert_true (ct_test_start (f->client, &error));
  bystander = connect_client (f);
  CT_TEST_WAIT_UNTIL (n_connections (f->server) == 2);

  g_assert_true (ct_endpoint_send_text (f->client, big, &error));
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (f->client) == CT_STATE_STOPPED);
  CT_TEST_WAIT_UNTIL (n_connections (f->server) == 1);

  g_assert_cmpint (ct_test_log_find (log_of (f->server), CT_DIRECTION_ERROR, "limit is 64 bytes"), >=, 0);
  reason = last_close_reason (log_of (f->server));
  g_assert_cmpstr (reason, ==, "error");
  g_assert_cmpint (ct_test_log_find (log_of (f->server), CT_DIRECTION_IN, big), <, 0);

  /* The others carry on */
  g_assert_cmpint (ct_endpoint_get_state (f->server), ==, CT_STATE_RUNNING);
  g_assert_true (ct_endpoint_send_text (bystander, "still here", &error));
  CT_TEST_WAIT_UNTIL (ct_test_log_find (log_of (bystander), CT_DIRECTION_IN, "still here") >= 0);
}

static void
test_max_connections (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CtEndpoint) first = NULL;
  g_autoptr(CtEndpoint) second = NULL;
  g_autoptr(CtEndpoint) third = NULL;
  g_autoptr(GError) error = NULL;

  g_object_set (f->server, "max-connections", 2, NULL);
  start_server (f);
  first = connect_client (f);
  second = connect_client (f);
  CT_TEST_WAIT_UNTIL (n_connections (f->server) == 2);

  /* One more is accepted by the kernel, then closed at once with an entry */
  third = ct_tcp_client_new ();
  ct_endpoint_use_server (third, f->server);
  g_assert_true (ct_test_start (third, &error));
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (third) == CT_STATE_STOPPED);
  g_assert_cmpint (ct_test_log_find (log_of (f->server), CT_DIRECTION_ERROR, "2 clients are connected"), >=, 0);
  g_assert_cmpuint (n_connections (f->server), ==, 2);

  /* The two keep working; when one leaves there is room again */
  g_assert_true (ct_endpoint_send_text (second, "fine", &error));
  CT_TEST_WAIT_UNTIL (ct_test_log_find (log_of (second), CT_DIRECTION_IN, "fine") >= 0);
  ct_test_stop (first);
  CT_TEST_WAIT_UNTIL (n_connections (f->server) == 1);
  g_assert_true (ct_test_start (third, &error));
  g_assert_no_error (error);
  CT_TEST_WAIT_UNTIL (n_connections (f->server) == 2);
  g_assert_cmpint (ct_endpoint_get_state (third), ==, CT_STATE_RUNNING);
}

static void
test_idle_timeout (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  gint64 start;

  g_object_set (f->server, "idle-timeout", 1, NULL);
  start_server (f);
  ct_endpoint_use_server (f->client, f->server);
  g_assert_true (ct_test_start (f->client, &error));
  start = g_get_monotonic_time ();
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (f->client) == CT_STATE_STOPPED);

  /* At least the timeout; at most a sweep (1 s) later, with slack for a
   * loaded machine */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC);
  reason = last_close_reason (log_of (f->server));
  g_assert_cmpstr (reason, ==, "idle");
  g_assert_cmpint (ct_test_log_find (log_of (f->server), CT_DIRECTION_INFO, "idle timeout"), >=, 0);
}

/* A peer that resets the connection (SO_LINGER 0) is logged as a reset */
static void
test_reset_by_peer (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  struct linger linger = { 1, 0 };

  start_server (f);
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_true (g_socket_connect (socket, ct_endpoint_get_socket_address (f->server), NULL, &error));
  CT_TEST_WAIT_UNTIL (n_connections (f->server) == 1);
  g_assert_cmpint (setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &linger, sizeof linger), ==, 0);
  g_socket_close (socket, NULL);

  CT_TEST_WAIT_UNTIL (n_connections (f->server) == 0);
  reason = last_close_reason (log_of (f->server));
  g_assert_cmpstr (reason, ==, "reset");
  g_assert_cmpint (ct_test_log_find (log_of (f->server), CT_DIRECTION_ERROR, "reset the connection"), >=, 0);
  g_assert_cmpint (ct_endpoint_get_state (f->server), ==, CT_STATE_RUNNING);
}

/* -- errors a user can act on --------------------------------------------- */

static void
test_port_in_use (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CtEndpoint) second = ct_tcp_server_new ();
  g_autoptr(GError) error = NULL;

  start_server (f);
  g_object_set (second, "port", ct_test_endpoint_port (f->server), NULL);
  g_assert_false (ct_test_start (second, &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_ADDRESS_IN_USE);
  g_assert_cmpint (ct_endpoint_get_state (second), ==, CT_STATE_FAILED);
  g_assert_nonnull (strstr (ct_endpoint_get_error (second), "already in use"));
}

static void
test_connection_refused (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_object_set (f->client, "port", ct_test_free_port (G_SOCKET_TYPE_STREAM), NULL);
  g_assert_false (ct_test_start (f->client, &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_UNREACHABLE);
  g_assert_nonnull (strstr (error->message, "connection refused"));
  g_assert_cmpint (ct_endpoint_get_state (f->client), ==, CT_STATE_FAILED);
  g_assert_cmpint (ct_test_log_find (log_of (f->client), CT_DIRECTION_ERROR, "connection refused"), >=, 0);

  /* Not running: sending says so */
  g_clear_error (&error);
  g_assert_false (ct_endpoint_send_text (f->client, "anyone?", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_NOT_RUNNING);
}

/* A listener whose queue is full drops new SYNs, so connecting to it hangs
 * like connecting to a host that does not answer, without leaving loopback */
static void
test_connect_timeout (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GSocket) listener = NULL;
  g_autoptr(GPtrArray) fillers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port;
  gint64 start;

  listener = ct_test_bind_loopback (G_SOCKET_TYPE_STREAM, &port);
  g_socket_set_listen_backlog (listener, 0);
  g_assert_true (g_socket_listen (listener, &error));
  address = g_socket_get_local_address (listener, NULL);

  /* Fill the accept queue (never accepted) until a connect stays pending */
  for (guint i = 0; i < 8; i++)
    {
      g_autoptr(GSocket) filler = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL);
      g_autoptr(GError) connect_error = NULL;

      g_socket_set_blocking (filler, FALSE);
      g_socket_set_timeout (filler, 1);
      if (!g_socket_connect (filler, address, NULL, &connect_error) &&
          g_error_matches (connect_error, G_IO_ERROR, G_IO_ERROR_PENDING))
        {
          g_autoptr(GError) check_error = NULL;

          g_usleep (200 * 1000);
          if (!g_socket_condition_check (filler, G_IO_OUT))
            {
              g_ptr_array_add (fillers, g_steal_pointer (&filler));
              break;
            }
        }
      g_ptr_array_add (fillers, g_steal_pointer (&filler));
    }

  g_object_set (f->client, "port", (guint) port, "connect-timeout", 1, NULL);
  start = g_get_monotonic_time ();
  g_assert_false (ct_test_start (f->client, &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, "within 1 second"));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC * 9 / 10);
  g_assert_cmpint (ct_endpoint_get_state (f->client), ==, CT_STATE_FAILED);
}

static void
test_unresolvable (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GResolver) original = g_resolver_get_default ();
  g_autoptr(GResolver) none = g_object_new (no_names_resolver_get_type (), NULL);
  g_autoptr(GError) error = NULL;

  g_resolver_set_default (none);
  g_object_set (f->client, "host", "no-such-host.invalid", NULL);
  g_assert_false (ct_test_start (f->client, &error));
  g_resolver_set_default (original);

  g_assert_error (error, CT_ERROR, CT_ERROR_RESOLVE_FAILED);
  g_assert_nonnull (strstr (error->message, "no-such-host.invalid"));
  g_assert_cmpint (ct_endpoint_get_state (f->client), ==, CT_STATE_FAILED);
}

/* -- third-party clients against our server ------------------------------- */

static void
test_nc_client (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *port = NULL;
  g_autofree char *out = NULL;

  start_server (f);
  port = server_port_string (f);

  /* nc -N: send stdin, shut down writing at its end, print the replies
   * until the server closes */
  out = ct_test_run_peer ("hello from nc\r\nsecond line\n",
                          (const char *[]) { "nc", "-N", "-w", "5", "127.0.0.1", port, NULL });
  g_assert_cmpstr (out, ==, "hello from nc\nsecond line\n");
  g_assert_cmpint (ct_test_log_find (log_of (f->server), CT_DIRECTION_IN, "hello from nc"), >=, 0);
  CT_TEST_WAIT_UNTIL (n_connections (f->server) == 0);
}

static void
test_socat_client (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *target = NULL;
  g_autofree char *out = NULL;

  start_server (f);
  target = g_strdup_printf ("TCP:127.0.0.1:%u", ct_test_endpoint_port (f->server));
  out = ct_test_run_peer ("one\ntwo\nthree\n",
                          (const char *[]) { "socat", "-t", "5", "-", target, NULL });
  g_assert_cmpstr (out, ==, "one\ntwo\nthree\n");
  g_assert_cmpuint (ct_test_log_count (log_of (f->server), CT_DIRECTION_IN), ==, 3);
}

/* The classic teaching client: Python's socket module */
static const char python_client[] =
  "import socket, struct, sys\n"
  "port, framing = int(sys.argv[1]), sys.argv[2]\n"
  "with socket.create_connection(('127.0.0.1', port), timeout=10) as s:\n"
  "    words = ['alpha', 'beta', 'gamma']\n"
  "    for w in words:\n"
  "        data = w.encode()\n"
  "        s.sendall(struct.pack('>I', len(data)) + data if framing == 'length' else data + b'\\n')\n"
  "    s.shutdown(socket.SHUT_WR)\n"
  "    got = b''\n"
  "    while True:\n"
  "        chunk = s.recv(4096)\n"
  "        if not chunk:\n"
  "            break\n"
  "        got += chunk\n"
  "    if framing == 'length':\n"
  "        out = []\n"
  "        while got:\n"
  "            (n,) = struct.unpack('>I', got[:4]); out.append(got[4:4 + n].decode()); got = got[4 + n:]\n"
  "    else:\n"
  "        out = got.decode().splitlines()\n"
  "    print(','.join(out))\n";

static void
test_python_client (Fixture       *f,
                    gconstpointer  data)
{
  CtTcpFraming framing = GPOINTER_TO_INT (data);
  const char *framing_name = framing == CT_TCP_FRAMING_LENGTH ? "length" : "line";
  g_autofree char *port = NULL;
  g_autofree char *out = NULL;

  g_object_set (f->server, "framing", framing, NULL);
  start_server (f);
  port = server_port_string (f);
  out = ct_test_run_peer (NULL, (const char *[]) { "python3", "-c", python_client, port, framing_name, NULL });
  g_assert_cmpstr (out, ==, "alpha,beta,gamma\n");
  g_assert_cmpuint (ct_test_log_count (log_of (f->server), CT_DIRECTION_IN), ==, 3);
}

/* -- our client against third-party servers ------------------------------- */

/* Starts a peer server and connects our client to it, retrying while the
 * peer is not listening yet */
static GSubprocess *
start_peer_server (Fixture            *f,
                   guint16             port,
                   const char * const *argv)
{
  g_autoptr(GSubprocess) peer = NULL;
  g_autoptr(GError) error = NULL;
  gint64 end = g_get_monotonic_time () + CT_TEST_TIMEOUT_S * G_USEC_PER_SEC;

  peer = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE, &error);
  g_assert_no_error (error);

  g_object_set (f->client, "port", (guint) port, NULL);
  while (!ct_test_start (f->client, NULL))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_usleep (50 * 1000);
    }
  return g_steal_pointer (&peer);
}

static void
stop_peer (GSubprocess *peer)
{
  g_subprocess_send_signal (peer, SIGTERM);
  g_subprocess_wait (peer, NULL, NULL);
}

static void
test_socat_server (Fixture       *f,
                   gconstpointer  data)
{
  guint16 port = ct_test_free_port (G_SOCKET_TYPE_STREAM);
  g_autofree char *listen = g_strdup_printf ("TCP-LISTEN:%u,bind=127.0.0.1,reuseaddr", port);
  g_autoptr(GSubprocess) socat = NULL;
  g_autoptr(GError) error = NULL;

  /* socat as the server: sed upper-cases each line it receives (unbuffered) */
  socat = start_peer_server (f, port, (const char *[]) { "socat", "-T", "10", listen, "SYSTEM:sed -u y/abcdefghijklmnopqrstuvwxyz/ABCDEFGHIJKLMNOPQRSTUVWXYZ/", NULL });
  g_assert_true (ct_endpoint_send_text (f->client, "shout this", &error));
  g_assert_true (ct_endpoint_send_text (f->client, "and this", &error));
  CT_TEST_WAIT_UNTIL (ct_test_log_count (log_of (f->client), CT_DIRECTION_IN) == 2);
  g_assert_cmpint (ct_test_log_find (log_of (f->client), CT_DIRECTION_IN, "SHOUT THIS"), >=, 0);
  g_assert_cmpint (ct_test_log_find (log_of (f->client), CT_DIRECTION_IN, "AND THIS"), >=, 0);

  /* Half-close: sed sees the end of its input and exits, socat closes, and
   * our client stops by itself */
  g_assert_true (ct_endpoint_shutdown_write (f->client, &error));
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (f->client) == CT_STATE_STOPPED);
  {
    g_autofree char *reason = last_close_reason (log_of (f->client));
    g_assert_cmpstr (reason, ==, "peer");
  }
  stop_peer (socat);
}

static void
test_nc_server (Fixture       *f,
                gconstpointer  data)
{
  guint16 port = ct_test_free_port (G_SOCKET_TYPE_STREAM);
  g_autofree char *port_string = g_strdup_printf ("%u", port);
  g_autoptr(GSubprocess) nc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) out = NULL;
  char buffer[64] = "";
  gsize n = 0;

  /* nc -l prints what it receives; it is started with its stdout piped */
  nc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                         "nc", "-l", "127.0.0.1", port_string, NULL);
  g_assert_no_error (error);
  g_object_set (f->client, "port", (guint) port, NULL);
  {
    gint64 end = g_get_monotonic_time () + CT_TEST_TIMEOUT_S * G_USEC_PER_SEC;

    while (!ct_test_start (f->client, NULL))
      {
        g_assert_cmpint (g_get_monotonic_time (), <, end);
        g_usleep (50 * 1000);
      }
  }

  /* What nc's user types reaches our client */
  g_assert_true (g_output_stream_write_all (g_subprocess_get_stdin_pipe (nc), "typed in nc\n", 12, NULL, NULL, &error));
  CT_TEST_WAIT_UNTIL (ct_test_log_find (log_of (f->client), CT_DIRECTION_IN, "typed in nc") >= 0);

  /* What our client sends is what nc prints */
  g_assert_true (ct_endpoint_send_text (f->client, "sent by crosstalk", &error));
  out = g_object_ref (g_subprocess_get_stdout_pipe (nc));
  g_assert_true (g_input_stream_read_all (out, buffer, 18, &n, NULL, &error));
  g_assert_cmpmem (buffer, n, "sent by crosstalk\n", 18);

  /* nc closing its side ends our client */
  g_assert_true (g_output_stream_close (g_subprocess_get_stdin_pipe (nc), NULL, NULL));
  ct_test_stop (f->client);
  stop_peer (nc);
}

/* A Python socketserver that answers each length-prefixed message with its
 * length and reversed text: a server written the way tutorials write them */
static const char python_server[] =
  "import socketserver, struct, sys\n"
  "class H(socketserver.BaseRequestHandler):\n"
  "    def handle(self):\n"
  "        f = self.request.makefile('rb')\n"
  "        while True:\n"
  "            head = f.read(4)\n"
  "            if len(head) < 4:\n"
  "                return\n"
  "            (n,) = struct.unpack('>I', head)\n"
  "            body = f.read(n)\n"
  "            reply = ('%d:' % n).encode() + body[::-1]\n"
  "            self.request.sendall(struct.pack('>I', len(reply)) + reply)\n"
  "socketserver.TCPServer.allow_reuse_address = True\n"
  "with socketserver.TCPServer(('127.0.0.1', int(sys.argv[1])), H) as s:\n"
  "    s.handle_request()\n";

static void
test_python_server (Fixture       *f,
                    gconstpointer  data)
{
  guint16 port = ct_test_free_port (G_SOCKET_TYPE_STREAM);
  g_autofree char *port_string = g_strdup_printf ("%u", port);
  g_autoptr(GSubprocess) python = NULL;
  g_autoptr(GError) error = NULL;

  g_object_set (f->client, "framing", CT_TCP_FRAMING_LENGTH, NULL);
  python = start_peer_server (f, port, (const char *[]) { "python3", "-c", python_server, port_string, NULL });
  g_assert_true (ct_endpoint_send_text (f->client, "stressed", &error));
  g_assert_true (ct_endpoint_send_text (f->client, "a\nb", &error));
  CT_TEST_WAIT_UNTIL (ct_test_log_count (log_of (f->client), CT_DIRECTION_IN) == 2);
  g_assert_cmpint (ct_test_log_find (log_of (f->client), CT_DIRECTION_IN, "8:desserts"), >=, 0);
  g_assert_cmpint (ct_test_log_find (log_of (f->client), CT_DIRECTION_IN, "3:b\na"), >=, 0);

  /* The handler returns at the end of the stream; the server then exits */
  g_assert_true (ct_endpoint_shutdown_write (f->client, &error));
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (f->client) == CT_STATE_STOPPED);
  g_assert_true (g_subprocess_wait_check (python, NULL, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add (path, Fixture, GINT_TO_POINTER (data), fixture_setup, func, fixture_teardown)

  ADD ("/ct/tcp/echo/line", test_echo_round_trip, CT_TCP_FRAMING_LINE);
  ADD ("/ct/tcp/echo/length", test_echo_round_trip, CT_TCP_FRAMING_LENGTH);
  ADD ("/ct/tcp/echo/raw", test_echo_round_trip, CT_TCP_FRAMING_RAW);
  ADD ("/ct/tcp/hex-payload", test_hex_payload, 0);
  ADD ("/ct/tcp/ipv6", test_ipv6, 0);
  ADD ("/ct/tcp/many-clients", test_many_clients, 0);
  ADD ("/ct/tcp/broadcast", test_broadcast, 0);
  ADD ("/ct/tcp/manual-and-half-close", test_manual_and_half_close, 0);
  ADD ("/ct/tcp/limits/oversize-line", test_oversize_closes_one, CT_TCP_FRAMING_LINE);
  ADD ("/ct/tcp/limits/oversize-length", test_oversize_closes_one, CT_TCP_FRAMING_LENGTH);
  ADD ("/ct/tcp/limits/max-connections", test_max_connections, 0);
  ADD ("/ct/tcp/limits/idle-timeout", test_idle_timeout, 0);
  ADD ("/ct/tcp/reset-by-peer", test_reset_by_peer, 0);
  ADD ("/ct/tcp/errors/port-in-use", test_port_in_use, 0);
  ADD ("/ct/tcp/errors/connection-refused", test_connection_refused, 0);
  ADD ("/ct/tcp/errors/connect-timeout", test_connect_timeout, 0);
  ADD ("/ct/tcp/errors/unresolvable", test_unresolvable, 0);
  ADD ("/ct/tcp/interop/nc-client", test_nc_client, 0);
  ADD ("/ct/tcp/interop/socat-client", test_socat_client, 0);
  ADD ("/ct/tcp/interop/python-client-line", test_python_client, CT_TCP_FRAMING_LINE);
  ADD ("/ct/tcp/interop/python-client-length", test_python_client, CT_TCP_FRAMING_LENGTH);
  ADD ("/ct/tcp/interop/socat-server", test_socat_server, 0);
  ADD ("/ct/tcp/interop/nc-server", test_nc_server, 0);
  ADD ("/ct/tcp/interop/python-server", test_python_server, 0);

  return g_test_run ();
}
