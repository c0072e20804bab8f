/* test-broker.c — CtBroker starts a private RabbitMQ, which speaks AMQP,
 * stops it with its epmd, and starts it again at the same URL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "ct-core.h"
#include "ct-test-util.h"

/* A broker's start and stop take seconds, more on a loaded machine */
#define BROKER_TIMEOUT_S (CT_BROKER_START_TIMEOUT_S + 30)

static void
wait_for (GAsyncResult **result)
{
  gint64 end = g_get_monotonic_time () + BROKER_TIMEOUT_S * G_USEC_PER_SEC;

  while (*result == NULL)
    {
      if (g_get_monotonic_time () > end)
        g_error ("the broker did not answer in %d s", BROKER_TIMEOUT_S);
      g_main_context_iteration (NULL, TRUE);
    }
}

static gboolean
start (CtBroker  *broker,
       GError   **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ct_broker_start_async (broker, NULL, ct_test_result_cb, &result);
  wait_for (&result);
  return ct_broker_start_finish (broker, result, error);
}

static void
stop (CtBroker *broker)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ct_broker_stop_async (broker, ct_test_result_cb, &result);
  wait_for (&result);
  g_assert_true (ct_broker_stop_finish (broker, result, &error));
  g_assert_no_error (error);
}

/* The broker answers the AMQP 0-9-1 protocol header with Connection.Start:
 * a method frame (type 1) on channel 0, class 10, method 10 */
static void
assert_speaks_amqp (guint port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  static const guint8 header[] = { 'A', 'M', 'Q', 'P', 0, 0, 9, 1 };
  guint8 frame[11];
  gsize n = 0;

  g_socket_client_set_timeout (client, 10);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), header, sizeof header,
                             NULL, NULL, &error);
  g_assert_no_error (error);
  g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (connection)), frame, sizeof frame,
                           &n, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, sizeof frame);
  g_assert_cmpuint (frame[0], ==, 1);
  g_assert_cmpuint ((frame[1] << 8) | frame[2], ==, 0);
  g_assert_cmpuint ((frame[7] << 8) | frame[8], ==, 10);
  g_assert_cmpuint ((frame[9] << 8) | frame[10], ==, 10);
}

static gboolean
process_alive (GPid pid)
{
  return pid > 0 && kill (pid, 0) == 0;
}

static void
test_start_stop_restart (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ct-broker-XXXXXX", &error);
  g_autoptr(CtBroker) broker = NULL;
  g_autofree char *url = NULL;
  GPid pid;

  g_assert_no_error (error);
  broker = ct_broker_new (dir);
  g_assert_true (ct_broker_is_installed (&error));
  g_assert_no_error (error);
  g_assert_cmpint (ct_broker_get_state (broker), ==, CT_STATE_STOPPED);

  g_assert_true (start (broker, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ct_broker_get_state (broker), ==, CT_STATE_RUNNING);
  g_assert_true (g_str_has_prefix (ct_broker_get_url (broker), "amqp://guest:guest@127.0.0.1:"));
  g_assert_true (g_str_has_suffix (ct_broker_get_node_name (broker), "@localhost"));
  assert_speaks_amqp (ct_broker_get_port (broker));
  pid = ct_broker_get_pid (broker);
  g_assert_true (process_alive (pid));
  url = g_strdup (ct_broker_get_url (broker));

  /* A second start while it runs is refused, and changes nothing */
  g_assert_false (start (broker, &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_cmpint (ct_broker_get_state (broker), ==, CT_STATE_RUNNING);

  stop (broker);
  g_assert_cmpint (ct_broker_get_state (broker), ==, CT_STATE_STOPPED);
  g_assert_false (process_alive (pid));
  g_assert_cmpint (ct_broker_get_pid (broker), ==, 0);

  /* Again: the same node at the same URL */
  g_assert_true (start (broker, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (ct_broker_get_url (broker), ==, url);
  assert_speaks_amqp (ct_broker_get_port (broker));
  stop (broker);

  ct_test_rm_rf (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ct/broker/start-stop-restart", test_start_stop_restart);

  return g_test_run ();
}
