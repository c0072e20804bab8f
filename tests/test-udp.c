/* test-udp.c — CtUdpServer and CtUdpClient, with each other and with socat
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>

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
  f->server = ct_udp_server_new ();
  f->client = ct_udp_client_new ();
  g_object_set (f->server, "port", 0, NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  ct_test_stop (f->client);
  ct_test_stop (f->server);
  g_assert_finalize_object (g_steal_pointer (&f->client));
  g_assert_finalize_object (g_steal_pointer (&f->server));
}

static void
start_pair (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ct_test_start (f->server, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ct_endpoint_get_state (f->server), ==, CT_STATE_RUNNING);
  g_assert_cmpuint (ct_test_endpoint_port (f->server), >, 0);

  ct_endpoint_use_server (f->client, f->server);
  g_assert_true (ct_test_start (f->client, &error));
  g_assert_no_error (error);
}

static void
test_echo (Fixture       *f,
           gconstpointer  data)
{
  CtMessageLog *slog = ct_endpoint_get_log (f->server);
  CtMessageLog *clog = ct_endpoint_get_log (f->client);
  g_autoptr(GError) error = NULL;
  g_autoptr(CtMessage) first = NULL;

  start_pair (f);

  /* The server's first entry is "listening" with the real address */
  ct_message_log_flush (slog);
  first = g_list_model_get_item (G_LIST_MODEL (slog), 0);
  g_assert_cmpstr (ct_message_get_event (first), ==, "listening");
  g_assert_cmpstr (ct_endpoint_get_address (f->server), !=, "127.0.0.1:0");

  g_assert_true (ct_endpoint_send_text (f->client, "hello", &error));
  g_assert_no_error (error);
  g_assert_true (ct_endpoint_send_text (f->client, "wörld", &error));

  CT_TEST_WAIT_UNTIL (ct_test_log_find (clog, CT_DIRECTION_IN, "wörld") >= 0);
  g_assert_cmpint (ct_test_log_find (slog, CT_DIRECTION_IN, "hello"), >=, 0);
  g_assert_cmpint (ct_test_log_find (slog, CT_DIRECTION_OUT, "hello"), >=, 0);
  g_assert_cmpint (ct_test_log_find (clog, CT_DIRECTION_OUT, "hello"), >=, 0);
  g_assert_cmpint (ct_test_log_find (clog, CT_DIRECTION_IN, "hello"), >=, 0);

  /* The peer of the server's entries is the client's address */
  {
    g_autoptr(CtMessage) in = g_list_model_get_item (G_LIST_MODEL (slog),
                                                     ct_test_log_find (slog, CT_DIRECTION_IN, "hello"));
    g_assert_true (g_str_has_prefix (ct_message_get_peer (in), "127.0.0.1:"));
    g_assert_cmpuint (ct_message_get_size (in), ==, 5);
  }
}

static void
test_ipv6 (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CtMessageLog *clog = ct_endpoint_get_log (f->client);

  g_object_set (f->server, "host", "::1", NULL);
  if (!ct_test_start (f->server, &error))
    {
      /* Only where the kernel has no IPv6 at all */
      g_test_skip ("IPv6 loopback is not available here");
      return;
    }
  g_assert_true (g_str_has_prefix (ct_endpoint_get_address (f->server), "[::1]:"));

  ct_endpoint_use_server (f->client, f->server);
  {
    g_autofree char *host = NULL;
    g_object_get (f->client, "host", &host, NULL);
    g_assert_cmpstr (host, ==, "::1");
  }
  g_assert_true (ct_test_start (f->client, &error));
  g_assert_true (ct_endpoint_send_text (f->client, "over six", &error));
  CT_TEST_WAIT_UNTIL (ct_test_log_find (clog, CT_DIRECTION_IN, "over six") >= 0);
}

static void
test_hex_payload (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CtMessageLog *slog = ct_endpoint_get_log (f->server);

  start_pair (f);
  g_object_set (f->client, "format", CT_PAYLOAD_FORMAT_HEX, NULL);
  g_assert_true (ct_endpoint_send_text (f->client, "ff 00 41", &error));
  CT_TEST_WAIT_UNTIL (ct_test_log_count (slog, CT_DIRECTION_IN) == 1);

  {
    g_autoptr(CtMessage) in = g_list_model_get_item (G_LIST_MODEL (slog), 1);
    gsize size;
    const guint8 *bytes = ct_message_get_data (in, &size);

    g_assert_cmpmem (bytes, size, "\xff\x00\x41", 3);
  }

  /* Invalid hex: an error entry, nothing sent, the client keeps running */
  g_assert_false (ct_endpoint_send_text (f->client, "4x", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD);

  g_assert_cmpint (ct_test_log_find (ct_endpoint_get_log (f->client), CT_DIRECTION_ERROR, "hex"), >=, 0);
  g_assert_cmpint (ct_endpoint_get_state (f->client), ==, CT_STATE_RUNNING);
  g_assert_cmpstr (ct_endpoint_get_error (f->client), ==, error->message);
}

static void
test_oversize (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *max = g_strnfill (65507, 'x');
  g_autofree char *over = g_strnfill (65508, 'x');
  CtMessageLog *clog = ct_endpoint_get_log (f->client);

  start_pair (f);

  /* The largest datagram goes through and comes back whole */
  g_assert_true (ct_endpoint_send_text (f->client, max, &error));
  g_assert_no_error (error);
  CT_TEST_WAIT_UNTIL (ct_test_log_count (clog, CT_DIRECTION_IN) == 1);
  g_assert_cmpint (ct_test_log_find (clog, CT_DIRECTION_IN, max), >=, 0);

  /* One byte more is a clear error and nothing else */
  g_assert_false (ct_endpoint_send_text (f->client, over, &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_MESSAGE_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "65507"));
  g_assert_cmpuint (ct_test_log_count (clog, CT_DIRECTION_OUT), ==, 1);
  g_assert_cmpint (ct_endpoint_get_state (f->client), ==, CT_STATE_RUNNING);

  /* ...and the client still works */
  g_assert_true (ct_endpoint_send_text (f->client, "after", NULL));
  CT_TEST_WAIT_UNTIL (ct_test_log_find (clog, CT_DIRECTION_IN, "after") >= 0);
}

static void
test_unreachable (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CtMessageLog *clog = ct_endpoint_get_log (f->client);
  guint16 closed = ct_test_free_port (G_SOCKET_TYPE_DATAGRAM);

  /* Nobody listens on a port that was free a moment ago: ICMP says so */
  g_object_set (f->client, "port", (guint) closed, NULL);
  g_assert_true (ct_test_start (f->client, &error));
  g_assert_true (ct_endpoint_send_text (f->client, "anyone?", &error));

  CT_TEST_WAIT_UNTIL (ct_test_log_count (clog, CT_DIRECTION_ERROR) >= 1);
  g_assert_cmpint (ct_test_log_find (clog, CT_DIRECTION_ERROR, "Nobody is listening"), >=, 0);
  g_assert_cmpint (ct_endpoint_get_state (f->client), ==, CT_STATE_RUNNING);
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
  g_assert_cmpint (ct_test_log_find (ct_endpoint_get_log (f->client), CT_DIRECTION_ERROR,
                                     "no-such-host.invalid"), >=, 0);

  /* A failed endpoint can be fixed and started again */
  ct_endpoint_use_server (f->client, f->server);   /* server not running: no change */
  g_object_set (f->client, "host", "127.0.0.1", NULL);
  g_clear_error (&error);
  g_assert_true (ct_test_start (f->client, &error));
}

static void
test_port_in_use (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CtEndpoint) second = ct_udp_server_new ();
  g_autoptr(GError) error = NULL;
  guint port;

  g_assert_true (ct_test_start (f->server, &error));
  port = ct_test_endpoint_port (f->server);

  g_object_set (second, "port", port, NULL);
  g_assert_false (ct_test_start (second, &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_ADDRESS_IN_USE);
  g_assert_nonnull (strstr (error->message, "already in use"));
  g_assert_cmpint (ct_endpoint_get_state (second), ==, CT_STATE_FAILED);
  g_assert_cmpint (ct_test_log_find (ct_endpoint_get_log (second), CT_DIRECTION_ERROR, "already in use"), >=, 0);

  /* The first server is unaffected */
  g_assert_cmpint (ct_endpoint_get_state (f->server), ==, CT_STATE_RUNNING);

  /* After the first stops, the port is free again: nothing was left open */
  ct_test_stop (f->server);
  g_clear_error (&error);
  g_assert_true (ct_test_start (second, &error));
  g_assert_no_error (error);
  ct_test_stop (second);
}

static void
test_reply (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtEndpoint) other = ct_udp_client_new ();
  CtMessageLog *clog = ct_endpoint_get_log (f->client);
  CtMessageLog *olog = ct_endpoint_get_log (other);
  g_autofree char *client_address = NULL;

  g_object_set (f->server, "echo", FALSE, NULL);

  /* No peer yet */
  g_assert_true (ct_test_start (f->server, &error));
  g_assert_false (ct_endpoint_send_text (f->server, "hi?", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING);
  g_clear_error (&error);

  ct_endpoint_use_server (f->client, f->server);
  ct_endpoint_use_server (other, f->server);
  g_assert_true (ct_test_start (f->client, &error));
  g_assert_true (ct_test_start (other, &error));

  /* Replies go to the last sender */
  g_assert_true (ct_endpoint_send_text (f->client, "from client", &error));
  CT_TEST_WAIT_UNTIL (ct_test_log_count (ct_endpoint_get_log (f->server), CT_DIRECTION_IN) == 1);
  g_assert_true (ct_endpoint_send_text (f->server, "reply 1", &error));
  CT_TEST_WAIT_UNTIL (ct_test_log_find (clog, CT_DIRECTION_IN, "reply 1") >= 0);
  g_assert_cmpint (ct_test_log_find (clog, CT_DIRECTION_IN, "from client"), ==, -1);  /* echo off */

  g_assert_true (ct_endpoint_send_text (other, "from other", &error));
  CT_TEST_WAIT_UNTIL (ct_test_log_count (ct_endpoint_get_log (f->server), CT_DIRECTION_IN) == 2);
  g_assert_true (ct_endpoint_send_text (f->server, "reply 2", &error));
  CT_TEST_WAIT_UNTIL (ct_test_log_find (olog, CT_DIRECTION_IN, "reply 2") >= 0);

  /* ...or to a chosen peer */
  {
    g_autoptr(CtMessage) in = g_list_model_get_item (G_LIST_MODEL (ct_endpoint_get_log (f->server)),
                                                     ct_test_log_find (ct_endpoint_get_log (f->server),
                                                                       CT_DIRECTION_IN, "from client"));
    client_address = g_strdup (ct_message_get_peer (in));
  }
  g_object_set (f->server, "reply-to", client_address, NULL);
  g_assert_true (ct_endpoint_send_text (f->server, "chosen", &error));
  CT_TEST_WAIT_UNTIL (ct_test_log_find (clog, CT_DIRECTION_IN, "chosen") >= 0);
  g_assert_cmpint (ct_test_log_find (olog, CT_DIRECTION_IN, "chosen"), ==, -1);

  g_object_set (f->server, "reply-to", "not an address", NULL);
  g_assert_false (ct_endpoint_send_text (f->server, "x", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING);

  ct_test_stop (other);
}

static void
test_send_when_stopped (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (ct_endpoint_send_text (f->client, "x", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_NOT_RUNNING);
}

/* -- against socat -------------------------------------------------------- */

typedef struct
{
  char     *stdout_text;
  gboolean  done;
} Communicate;

static void
communicate_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Communicate *c = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &c->stdout_text, NULL, &error);
  g_assert_no_error (error);
  c->done = TRUE;
}

static void
test_socat_client (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) socat = NULL;
  g_autofree char *target = NULL;
  Communicate c = { 0 };

  g_assert_true (ct_test_start (f->server, &error));
  target = g_strdup_printf ("UDP4:127.0.0.1:%u", ct_test_endpoint_port (f->server));

  /* socat sends its stdin as one datagram and prints what comes back */
  socat = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                            &error, "socat", "-t", "1", "-", target, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (socat, "hello from socat\n", NULL, communicate_cb, &c);
  CT_TEST_WAIT_UNTIL (c.done);

  g_assert_cmpstr (c.stdout_text, ==, "hello from socat\n");
  g_assert_cmpint (ct_test_log_find (ct_endpoint_get_log (f->server), CT_DIRECTION_IN, "hello from socat\n"), >=, 0);
  g_free (c.stdout_text);
}

static void
test_socat_server (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) socat = NULL;
  g_autofree char *listen = NULL;
  CtMessageLog *clog = ct_endpoint_get_log (f->client);
  guint16 port = ct_test_free_port (G_SOCKET_TYPE_DATAGRAM);
  gint64 end = g_get_monotonic_time () + CT_TEST_TIMEOUT_S * G_USEC_PER_SEC;

  /* socat as the server: upper-cases what it receives and sends it back */
  listen = g_strdup_printf ("UDP4-RECVFROM:%u,bind=127.0.0.1,fork", port);
  socat = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
                            "socat", "-T", "5", listen, "SYSTEM:tr a-z A-Z", NULL);
  g_assert_no_error (error);

  g_object_set (f->client, "port", (guint) port, NULL);
  g_assert_true (ct_test_start (f->client, &error));

  /* socat may not be bound yet: send until it answers */
  while (ct_test_log_find (clog, CT_DIRECTION_IN, "PING FROM CROSSTALK") < 0)
    {
      gint64 next = g_get_monotonic_time () + 200 * 1000;

      g_assert_cmpint (g_get_monotonic_time (), <, end);
      ct_endpoint_send_text (f->client, "ping from crosstalk", NULL);
      while (g_get_monotonic_time () < next &&
             ct_test_log_find (clog, CT_DIRECTION_IN, "PING FROM CROSSTALK") < 0)
        if (!g_main_context_iteration (NULL, FALSE))
          g_usleep (1000);
    }

  g_subprocess_send_signal (socat, SIGTERM);
  g_subprocess_wait (socat, NULL, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/ct/udp/echo", test_echo);
  ADD ("/ct/udp/ipv6", test_ipv6);
  ADD ("/ct/udp/hex-payload", test_hex_payload);
  ADD ("/ct/udp/oversize", test_oversize);
  ADD ("/ct/udp/unreachable", test_unreachable);
  ADD ("/ct/udp/unresolvable", test_unresolvable);
  ADD ("/ct/udp/port-in-use", test_port_in_use);
  ADD ("/ct/udp/reply", test_reply);
  ADD ("/ct/udp/send-when-stopped", test_send_when_stopped);
  ADD ("/ct/udp/interop/socat-client", test_socat_client);
  ADD ("/ct/udp/interop/socat-server", test_socat_server);

  return g_test_run ();
}
