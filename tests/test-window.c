/* test-window.c — the window as a person uses it, under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <unistd.h>

#include "ct-test-util.h"
#include "ct-application.h"
#include "ct-broker-log-window.h"
#include "ct-connection-list.h"
#include "ct-file-tail.h"
#include "ct-window.h"
#include "ct-log-window.h"

#ifdef __SANITIZE_ADDRESS__
/* Whole stacks for each allocation (LeakSanitizer's fast unwinder stops at
 * GLib), so that tests/lsan.supp can tell GLib's own first quark block
 * (allocated as it loads, dropped on purpose once there are more than 2048
 * quarks, as there are in this program) from a leak of ours */
const char *__asan_default_options (void);

const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0:malloc_context_size=8";
}
#endif

/* A private broker can take a while to start the first time */
#define BROKER_TIMEOUT_S 90

/* CT_TEST_WAIT_UNTIL with a longer bound */
#define WAIT_UNTIL_S(cond, seconds)                                           \
  G_STMT_START {                                                              \
    gint64 _end = g_get_monotonic_time () + (seconds) * G_USEC_PER_SEC;       \
    while (!(cond))                                                           \
      {                                                                       \
        if (g_get_monotonic_time () > _end)                                   \
          g_error ("%s:%d: timed out waiting for %s", __FILE__, __LINE__, #cond); \
        if (!g_main_context_iteration (NULL, FALSE))                          \
          g_usleep (1000);                                                    \
      }                                                                       \
  } G_STMT_END

static CtWindow *
open_window (void)
{
  CtWindow *window = ct_window_new (NULL);

  gtk_window_present (GTK_WINDOW (window));
  CT_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (window)));
  return window;
}

static void
close_window (CtWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  /* Let pending frame and flush sources run out */
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
}

static void
test_pages (void)
{
  CtWindow *window = open_window ();
  guint n;
  const CtProtocol *protocols = ct_protocol_get_all (&n);

  /* One page per protocol: a working page or an honest "coming" page */
  for (guint i = 0; i < n; i++)
    {
      CtProtocolPage *page = ct_window_get_page (window, protocols[i].id);

      if (ct_protocol_is_available (&protocols[i]))
        g_assert_nonnull (page);
      else
        g_assert_null (page);
    }
  g_assert_nonnull (ct_window_get_page (window, "udp"));
  /* TCP, JSON-RPC and REST are built now */
  g_assert_nonnull (ct_window_get_page (window, "tcp"));
  g_assert_nonnull (ct_window_get_page (window, "jsonrpc"));
  g_assert_nonnull (ct_window_get_page (window, "rest"));
  /* ...and RabbitMQ, under the local broker's bar */
  g_assert_nonnull (ct_window_get_page (window, "amqp"));
  g_assert_nonnull (ct_window_get_broker_bar (window));
  ct_window_show_page (window, "amqp");
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (ADW_VIEW_STACK (gtk_widget_get_ancestor (GTK_WIDGET (ct_window_get_page (window, "amqp")), ADW_TYPE_VIEW_STACK))), ==, "amqp");
  ct_window_show_page (window, "chat");
  ct_window_show_page (window, "tcp");

  close_window (window);
}

static void
test_udp_round_trip (void)
{
  CtWindow *window = open_window ();
  CtProtocolPage *page;
  CtEndpointPane *server_pane, *client_pane;
  CtEndpoint *server, *client;
  GtkColumnView *server_view, *client_view;

  ct_window_show_page (window, "udp");
  page = ct_window_get_page (window, "udp");
  server_pane = ct_protocol_page_get_server_pane (page);
  client_pane = ct_protocol_page_get_client_pane (page);
  server = ct_endpoint_pane_get_endpoint (server_pane);
  client = ct_endpoint_pane_get_endpoint (client_pane);

  /* Start the server from its pane */
  g_object_set (server, "port", 0, NULL);
  gtk_widget_activate_action (GTK_WIDGET (server_pane), "pane.toggle", NULL);
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (server) == CT_STATE_RUNNING);

  /* One click points the client at it, one more connects */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (client_pane), "pane.use-local-server", NULL));
  {
    guint port;
    g_object_get (client, "port", &port, NULL);
    g_assert_cmpuint (port, ==, ct_test_endpoint_port (server));
  }
  gtk_widget_activate_action (GTK_WIDGET (client_pane), "pane.toggle", NULL);
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (client) == CT_STATE_RUNNING);

  /* Type a message in the composer and send it */
  ct_endpoint_pane_set_composer_text (client_pane, "hello from the window");
  gtk_widget_activate_action (GTK_WIDGET (client_pane), "pane.send", NULL);

  /* Both logs have it: the server received it, the client got the echo */
  CT_TEST_WAIT_UNTIL (ct_test_log_find (ct_endpoint_get_log (client), CT_DIRECTION_IN,
                                        "hello from the window") >= 0);
  g_assert_cmpint (ct_test_log_find (ct_endpoint_get_log (server), CT_DIRECTION_IN,
                                     "hello from the window"), >=, 0);

  /* ...and so do the log views on screen */
  server_view = ct_log_view_get_column_view (ct_endpoint_pane_get_log_view (server_pane));
  client_view = ct_log_view_get_column_view (ct_endpoint_pane_get_log_view (client_pane));
  CT_TEST_WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (client_view))) >= 3);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (server_view))), >=, 3);

  /* A bad payload: an error in the pane, the client keeps running, the
   * composer keeps what was typed */
  g_object_set (client, "format", CT_PAYLOAD_FORMAT_HEX, NULL);
  ct_endpoint_pane_set_composer_text (client_pane, "zz");
  gtk_widget_activate_action (GTK_WIDGET (client_pane), "pane.send", NULL);
  g_assert_nonnull (ct_endpoint_get_error (client));
  g_assert_cmpint (ct_endpoint_get_state (client), ==, CT_STATE_RUNNING);

  /* Window actions: clear both logs, stop both ends */
  g_action_group_activate_action (G_ACTION_GROUP (window), "clear-logs", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ct_endpoint_get_log (client))), ==, 0);
  g_action_group_activate_action (G_ACTION_GROUP (window), "toggle-client", NULL);
  g_action_group_activate_action (G_ACTION_GROUP (window), "toggle-server", NULL);
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (server) == CT_STATE_STOPPED &&
                      ct_endpoint_get_state (client) == CT_STATE_STOPPED);

  close_window (window);
}

/* The first descendant of @widget (itself included) of @type, depth first */
static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, type);

      if (found)
        return found;
    }
  return NULL;
}

static guint
count_list_box_rows (GtkListBox *list_box)
{
  guint n = 0;

  while (gtk_list_box_get_row_at_index (list_box, (int) n))
    n++;
  return n;
}

static void
test_tcp_round_trip (void)
{
  CtWindow *window = open_window ();
  CtProtocolPage *page;
  CtEndpointPane *server_pane, *client_pane;
  CtEndpoint *server, *client;
  GListModel *connections;
  GtkWidget *connection_list;
  GtkListBox *connection_rows;
  const char *text = "hello over tcp";

  ct_window_show_page (window, "tcp");
  page = ct_window_get_page (window, "tcp");
  g_assert_nonnull (page);
  server_pane = ct_protocol_page_get_server_pane (page);
  client_pane = ct_protocol_page_get_client_pane (page);
  server = ct_endpoint_pane_get_endpoint (server_pane);
  client = ct_endpoint_pane_get_endpoint (client_pane);
  g_assert_true (CT_IS_TCP_SERVER (server));
  g_assert_true (CT_IS_TCP_CLIENT (client));
  g_assert_true (ct_endpoint_lists_connections (server));
  connections = ct_endpoint_get_connections (server);
  g_assert_cmpuint (g_list_model_get_n_items (connections), ==, 0);

  /* The server pane lists its connections */
  connection_list = find_descendant (GTK_WIDGET (server_pane), CT_TYPE_CONNECTION_LIST);
  g_assert_nonnull (connection_list);
  connection_rows = GTK_LIST_BOX (find_descendant (connection_list, GTK_TYPE_LIST_BOX));
  g_assert_nonnull (connection_rows);
  g_assert_null (find_descendant (GTK_WIDGET (client_pane), CT_TYPE_CONNECTION_LIST));

  /* Start the server from its pane */
  g_object_set (server, "port", 0, NULL);
  gtk_widget_activate_action (GTK_WIDGET (server_pane), "pane.toggle", NULL);
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (server) == CT_STATE_RUNNING);

  /* One click points the client at it, one more connects */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (client_pane), "pane.use-local-server", NULL));
  {
    guint port;
    g_autofree char *host = NULL;

    g_object_get (client, "host", &host, "port", &port, NULL);
    g_assert_cmpstr (host, ==, "127.0.0.1");
    g_assert_cmpuint (port, ==, ct_test_endpoint_port (server));
  }
  gtk_widget_activate_action (GTK_WIDGET (client_pane), "pane.toggle", NULL);
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (client) == CT_STATE_RUNNING);
  g_assert_cmpint (ct_test_log_find (ct_endpoint_get_log (client), CT_DIRECTION_INFO, "Connected"), >=, 0);

  /* The server has the connection, in its model and on screen */
  CT_TEST_WAIT_UNTIL (g_list_model_get_n_items (connections) == 1);
  {
    g_autoptr(CtConnection) connection = g_list_model_get_item (connections, 0);

    g_assert_true (g_str_has_prefix (ct_connection_get_peer (connection), "127.0.0.1:"));
  }
  CT_TEST_WAIT_UNTIL (count_list_box_rows (connection_rows) == 1);

  /* Type a line in the client's composer and send it */
  ct_endpoint_pane_set_composer_text (client_pane, text);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (client_pane), "pane.send", NULL));
  g_assert_null (ct_endpoint_get_error (client));

  /* Both logs have it: the server received and echoed it, the client sent
   * it and got the echo */
  CT_TEST_WAIT_UNTIL (ct_test_log_find (ct_endpoint_get_log (client), CT_DIRECTION_IN, text) >= 0);
  g_assert_cmpint (ct_test_log_find (ct_endpoint_get_log (client), CT_DIRECTION_OUT, text), >=, 0);
  g_assert_cmpint (ct_test_log_find (ct_endpoint_get_log (client), CT_DIRECTION_OUT, text), <,
                   ct_test_log_find (ct_endpoint_get_log (client), CT_DIRECTION_IN, text));
  g_assert_cmpint (ct_test_log_find (ct_endpoint_get_log (server), CT_DIRECTION_IN, text), >=, 0);
  g_assert_cmpint (ct_test_log_find (ct_endpoint_get_log (server), CT_DIRECTION_OUT, text), >=, 0);
  g_assert_cmpint (ct_test_log_find (ct_endpoint_get_log (server), CT_DIRECTION_IN, text), <,
                   ct_test_log_find (ct_endpoint_get_log (server), CT_DIRECTION_OUT, text));
  g_assert_cmpuint (ct_test_log_count (ct_endpoint_get_log (client), CT_DIRECTION_IN), ==, 1);
  g_assert_cmpuint (ct_test_log_count (ct_endpoint_get_log (server), CT_DIRECTION_IN), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (connections), ==, 1);

  /* Half-close from the client pane: the echo server closes its side, the
   * client stops by itself, the server forgets the connection and keeps
   * listening */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (client_pane), "pane.shutdown-write", NULL));
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (client) == CT_STATE_STOPPED);
  CT_TEST_WAIT_UNTIL (g_list_model_get_n_items (connections) == 0);
  CT_TEST_WAIT_UNTIL (count_list_box_rows (connection_rows) == 0);
  g_assert_null (ct_endpoint_get_error (client));
  g_assert_null (ct_endpoint_get_error (server));
  g_assert_cmpint (ct_endpoint_get_state (server), ==, CT_STATE_RUNNING);
  g_assert_cmpint (ct_test_log_find (ct_endpoint_get_log (client), CT_DIRECTION_INFO, "Sent FIN"), >=, 0);
  g_assert_cmpint (ct_test_log_find (ct_endpoint_get_log (client), CT_DIRECTION_INFO,
                                     "Connection closed by the peer"), >=, 0);
  g_assert_cmpint (ct_test_log_find (ct_endpoint_get_log (server), CT_DIRECTION_INFO,
                                     "Connection closed by the peer"), >=, 0);
  g_assert_cmpuint (ct_test_log_count (ct_endpoint_get_log (client), CT_DIRECTION_ERROR), ==, 0);
  g_assert_cmpuint (ct_test_log_count (ct_endpoint_get_log (server), CT_DIRECTION_ERROR), ==, 0);

  /* Connect again, and this time disconnect from the client pane: the
   * server sees the client leave */
  ct_message_log_clear (ct_endpoint_get_log (server));
  gtk_widget_activate_action (GTK_WIDGET (client_pane), "pane.toggle", NULL);
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (client) == CT_STATE_RUNNING);
  CT_TEST_WAIT_UNTIL (g_list_model_get_n_items (connections) == 1);
  gtk_widget_activate_action (GTK_WIDGET (client_pane), "pane.toggle", NULL);
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (client) == CT_STATE_STOPPED);
  CT_TEST_WAIT_UNTIL (g_list_model_get_n_items (connections) == 0);
  g_assert_cmpint (ct_test_log_find (ct_endpoint_get_log (server), CT_DIRECTION_INFO,
                                     "Connection closed by the peer"), >=, 0);
  g_assert_null (ct_endpoint_get_error (client));

  /* Stop the server from its pane */
  gtk_widget_activate_action (GTK_WIDGET (server_pane), "pane.toggle", NULL);
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (server) == CT_STATE_STOPPED);

  close_window (window);
}

/* JSON-RPC through the panes: a call paired with its answer, a batch built
 * with the client's commands, and the composer checked while typing */
static void
test_jsonrpc_round_trip (void)
{
  CtWindow *window = open_window ();
  CtProtocolPage *page;
  CtEndpointPane *server_pane, *client_pane;
  CtEndpoint *server, *client;
  GtkWidget *composer;
  g_autofree char *url = NULL;

  ct_window_show_page (window, "jsonrpc");
  page = ct_window_get_page (window, "jsonrpc");
  server_pane = ct_protocol_page_get_server_pane (page);
  client_pane = ct_protocol_page_get_client_pane (page);
  server = ct_endpoint_pane_get_endpoint (server_pane);
  client = ct_endpoint_pane_get_endpoint (client_pane);

  /* The server lists its methods */
  g_assert_cmpuint (g_list_model_get_n_items (ct_endpoint_get_catalog (server)), >=, 12);

  g_object_set (server, "port", 0, NULL);
  gtk_widget_activate_action (GTK_WIDGET (server_pane), "pane.toggle", NULL);
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (server) == CT_STATE_RUNNING);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (client_pane), "pane.use-local-server", NULL));
  g_object_get (client, "url", &url, NULL);
  g_assert_true (g_str_has_suffix (url, "/rpc"));
  gtk_widget_activate_action (GTK_WIDGET (client_pane), "pane.toggle", NULL);
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (client) == CT_STATE_RUNNING);

  /* The composer says at once when the params are not JSON */
  ct_endpoint_pane_set_composer_text (client_pane, "subtract [42,");
  ct_endpoint_pane_focus_composer (client_pane);
  composer = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_nonnull (composer);
  composer = gtk_widget_get_ancestor (composer, GTK_TYPE_ENTRY);
  g_assert_true (gtk_widget_has_css_class (composer, "error"));
  ct_endpoint_pane_set_composer_text (client_pane, "subtract [42, 23]");
  g_assert_false (gtk_widget_has_css_class (composer, "error"));

  /* Send: the answer comes back paired, in both logs */
  gtk_widget_activate_action (GTK_WIDGET (client_pane), "pane.send", NULL);
  CT_TEST_WAIT_UNTIL (ct_test_log_count (ct_endpoint_get_log (client), CT_DIRECTION_IN) == 1);
  g_assert_cmpint (ct_test_log_find (ct_endpoint_get_log (client), CT_DIRECTION_INFO, "Ready"), >=, 0);
  {
    CtMessageLog *log = ct_endpoint_get_log (client);
    g_autoptr(CtMessage) answer = g_list_model_get_item (G_LIST_MODEL (log), g_list_model_get_n_items (G_LIST_MODEL (log)) - 1);
    g_autofree char *summary = ct_message_dup_summary (answer);

    g_assert_true (g_str_has_prefix (summary, "subtract → result 19"));
  }
  g_assert_cmpuint (ct_test_log_count (ct_endpoint_get_log (server), CT_DIRECTION_OUT), ==, 1);

  /* Two calls into a batch with the pane's command buttons, then one send */
  ct_endpoint_pane_set_composer_text (client_pane, "sum [1, 2, 4]");
  gtk_widget_activate_action (GTK_WIDGET (client_pane), "pane.command", "s", "add-to-batch");
  ct_endpoint_pane_set_composer_text (client_pane, "ping");
  gtk_widget_activate_action (GTK_WIDGET (client_pane), "pane.command", "s", "add-to-batch");
  g_assert_cmpuint (ct_jsonrpc_client_get_batch_length (CT_JSONRPC_CLIENT (client)), ==, 2);
  gtk_widget_activate_action (GTK_WIDGET (client_pane), "pane.command", "s", "send-batch");
  CT_TEST_WAIT_UNTIL (ct_test_log_count (ct_endpoint_get_log (client), CT_DIRECTION_IN) == 2);
  g_assert_cmpuint (ct_test_log_count (ct_endpoint_get_log (server), CT_DIRECTION_IN), ==, 2);
  {
    CtMessageLog *log = ct_endpoint_get_log (client);
    g_autoptr(CtMessage) answer = g_list_model_get_item (G_LIST_MODEL (log), g_list_model_get_n_items (G_LIST_MODEL (log)) - 1);
    g_autofree char *summary = ct_message_dup_summary (answer);

    g_assert_nonnull (strstr (summary, "sum → result 7"));
    g_assert_nonnull (strstr (summary, "ping → result \"pong\""));
  }
  g_assert_cmpuint (ct_test_log_count (ct_endpoint_get_log (client), CT_DIRECTION_ERROR), ==, 0);

  close_window (window);
}

/* Whether an entry of @direction has @text in its summary */
static gboolean
log_has_summary (CtMessageLog *log,
                 CtDirection   direction,
                 const char   *text)
{
  ct_message_log_flush (log);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (log)); i++)
    {
      g_autoptr(CtMessage) message = g_list_model_get_item (G_LIST_MODEL (log), i);
      g_autofree char *summary = ct_message_dup_summary (message);

      if (ct_message_get_direction (message) == direction && strstr (summary, text))
        return TRUE;
    }
  return FALSE;
}

/* REST through the panes: a request answered, the server's Reset Data
 * command, and Copy as curl from a selected response */
static void
test_rest_round_trip (void)
{
  CtWindow *window = open_window ();
  CtProtocolPage *page;
  CtEndpointPane *server_pane, *client_pane;
  CtEndpoint *server, *client;
  CtLogView *client_log_view;
  g_autofree char *base_url = NULL;

  ct_window_show_page (window, "rest");
  page = ct_window_get_page (window, "rest");
  server_pane = ct_protocol_page_get_server_pane (page);
  client_pane = ct_protocol_page_get_client_pane (page);
  server = ct_endpoint_pane_get_endpoint (server_pane);
  client = ct_endpoint_pane_get_endpoint (client_pane);

  /* The server lists its routes */
  g_assert_cmpuint (g_list_model_get_n_items (ct_endpoint_get_catalog (server)), >=, 8);

  g_object_set (server, "port", 0, NULL);
  gtk_widget_activate_action (GTK_WIDGET (server_pane), "pane.toggle", NULL);
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (server) == CT_STATE_RUNNING);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (client_pane), "pane.use-local-server", NULL));
  g_object_get (client, "base-url", &base_url, NULL);
  g_assert_true (g_str_has_prefix (base_url, "http://127.0.0.1:"));
  gtk_widget_activate_action (GTK_WIDGET (client_pane), "pane.toggle", NULL);
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (client) == CT_STATE_RUNNING);

  /* A new task, created from the composer */
  ct_endpoint_pane_set_composer_text (client_pane, "POST /api/tasks {\"title\": \"From the window\"}");
  gtk_widget_activate_action (GTK_WIDGET (client_pane), "pane.send", NULL);
  CT_TEST_WAIT_UNTIL (ct_test_log_count (ct_endpoint_get_log (client), CT_DIRECTION_IN) == 1);
  g_assert_true (log_has_summary (ct_endpoint_get_log (client), CT_DIRECTION_IN, "201"));
  g_assert_true (log_has_summary (ct_endpoint_get_log (server), CT_DIRECTION_OUT, "201"));

  /* Reset Data: the new task is gone */
  gtk_widget_activate_action (GTK_WIDGET (server_pane), "pane.command", "s", "reset");
  ct_endpoint_pane_set_composer_text (client_pane, "GET /api/tasks/29");
  gtk_widget_activate_action (GTK_WIDGET (client_pane), "pane.send", NULL);
  CT_TEST_WAIT_UNTIL (ct_test_log_count (ct_endpoint_get_log (client), CT_DIRECTION_IN) == 2);
  g_assert_true (log_has_summary (ct_endpoint_get_log (client), CT_DIRECTION_IN, "404"));

  /* Select the first response: Copy as curl gives the POST that made it */
  client_log_view = ct_endpoint_pane_get_log_view (client_pane);
  {
    CtMessageLog *log = ct_endpoint_get_log (client);
    GListModel *model = G_LIST_MODEL (log);
    GtkSelectionModel *selection = gtk_column_view_get_model (ct_log_view_get_column_view (client_log_view));
    g_autofree char *command = NULL;
    guint first_in = G_MAXUINT;

    for (guint i = 0; i < g_list_model_get_n_items (model) && first_in == G_MAXUINT; i++)
      if (ct_message_log_get_direction (log, i) == CT_DIRECTION_IN)
        first_in = i;
    g_assert_cmpuint (first_in, !=, G_MAXUINT);
    gtk_selection_model_select_item (selection, first_in, TRUE);
    {
      g_autoptr(CtMessage) response = g_list_model_get_item (model, first_in);

      command = ct_endpoint_dup_copy_command (client, response);
    }
    g_assert_nonnull (command);
    g_assert_true (g_str_has_prefix (command, "curl "));
    g_assert_nonnull (strstr (command, "-X POST"));
    g_assert_nonnull (strstr (command, "/api/tasks"));
    g_assert_nonnull (strstr (command, "From the window"));
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (client_log_view), "log.copy-command", NULL));
  }
  g_assert_cmpuint (ct_test_log_count (ct_endpoint_get_log (client), CT_DIRECTION_ERROR), ==, 0);

  close_window (window);
}

static void
test_start_failure_shows_in_pane (void)
{
  CtWindow *window = open_window ();
  CtProtocolPage *page = ct_window_get_page (window, "udp");
  CtEndpointPane *server_pane = ct_protocol_page_get_server_pane (page);
  CtEndpoint *server = ct_endpoint_pane_get_endpoint (server_pane);
  g_autoptr(CtEndpoint) squatter = ct_udp_server_new ();
  g_autoptr(GError) error = NULL;

  g_object_set (squatter, "port", 0, NULL);
  g_assert_true (ct_test_start (squatter, &error));
  g_object_set (server, "port", (guint) ct_test_endpoint_port (squatter), NULL);

  gtk_widget_activate_action (GTK_WIDGET (server_pane), "pane.toggle", NULL);
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (server) == CT_STATE_FAILED);
  g_assert_nonnull (strstr (ct_endpoint_get_error (server), "already in use"));

  ct_test_stop (squatter);
  close_window (window);
}

static void
test_narrow_stacks_panes (void)
{
  CtWindow *window = ct_window_new (NULL);
  CtProtocolPage *page = ct_window_get_page (window, "udp");
  graphene_rect_t server_bounds, client_bounds;
  GtkWidget *server_pane = GTK_WIDGET (ct_protocol_page_get_server_pane (page));
  GtkWidget *client_pane = GTK_WIDGET (ct_protocol_page_get_client_pane (page));

  ct_window_show_page (window, "udp");
  gtk_window_set_default_size (GTK_WINDOW (window), 420, 800);
  gtk_window_present (GTK_WINDOW (window));
  CT_TEST_WAIT_UNTIL (gtk_widget_get_mapped (client_pane) && gtk_widget_get_width (client_pane) > 0);

  g_assert_true (gtk_widget_compute_bounds (server_pane, GTK_WIDGET (page), &server_bounds));
  g_assert_true (gtk_widget_compute_bounds (client_pane, GTK_WIDGET (page), &client_bounds));
  g_assert_cmpfloat (client_bounds.origin.y, >, server_bounds.origin.y);
  g_assert_cmpfloat (client_bounds.origin.x, ==, server_bounds.origin.x);

  close_window (window);
}

/* -- several clients on one page ---------------------------------------- */

/* A page's protocol must outlive it: these are copies of registry entries
 * with several clients, as the chat page has */
static CtProtocol multi_tcp;
static CtProtocol multi_nick;

/* A client with a `nick` setting, like the chat client, that never starts */
#define TEST_TYPE_NICK_CLIENT (test_nick_client_get_type ())
G_DECLARE_FINAL_TYPE (TestNickClient, test_nick_client, TEST, NICK_CLIENT, CtEndpoint)

struct _TestNickClient
{
  CtEndpoint  parent_instance;
  char       *host;
  guint       port;
  char       *nick;
};

G_DEFINE_FINAL_TYPE (TestNickClient, test_nick_client, CT_TYPE_ENDPOINT)

static void
test_nick_client_class_init (TestNickClientClass *klass)
{
  CtEndpointClass *endpoint_class = CT_ENDPOINT_CLASS (klass);

  endpoint_class->protocol_id = "tcp";
  endpoint_class->role = CT_ROLE_CLIENT;
  ct_endpoint_class_install_address (endpoint_class, G_STRUCT_OFFSET (TestNickClient, host),
                                     G_STRUCT_OFFSET (TestNickClient, port));
  ct_endpoint_class_install_setting (endpoint_class,
                                     g_param_spec_string ("nick", "Nickname", "The nickname to join with",
                                                          "", CT_SETTING_FLAGS),
                                     G_STRUCT_OFFSET (TestNickClient, nick));
}

static void
test_nick_client_init (TestNickClient *self)
{
}

/* A page in a window of its own, in a scroller as the window puts it */
static GtkWindow *
open_page_window (const CtProtocol  *protocol,
                  int                width,
                  CtProtocolPage   **page)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *scroller = gtk_scrolled_window_new ();

  *page = CT_PROTOCOL_PAGE (ct_protocol_page_new (protocol));
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (*page));
  gtk_window_set_child (window, scroller);
  gtk_window_set_default_size (window, width, 800);
  gtk_window_present (window);
  CT_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (*page)) &&
                      gtk_widget_get_width (GTK_WIDGET (*page)) > 0);
  return window;
}

static void
close_page_window (GtkWindow *window)
{
  gtk_window_destroy (window);
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
}

/* Lets the page lay itself out again */
static void
settle (void)
{
  for (guint i = 0; i < 10; i++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (10000);
    }
}

static CtEndpoint *
nth_client (CtProtocolPage *page,
            guint           index)
{
  return ct_endpoint_pane_get_endpoint (ct_protocol_page_get_nth_client_pane (page, index));
}

/* The pane's Remove button: the one whose action is page.remove-client */
static GtkWidget *
find_remove_button (GtkWidget *widget)
{
  if (GTK_IS_ACTIONABLE (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), "page.remove-client") == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_remove_button (child);

      if (found)
        return found;
    }
  return NULL;
}

static gboolean
has_label (GtkWidget  *widget,
           const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0 &&
      gtk_widget_get_mapped (widget))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    if (has_label (child, text))
      return TRUE;
  return FALSE;
}

static void
test_multi_client_add_remove (void)
{
  CtProtocolPage *page;
  GtkWindow *window;
  CtEndpointPane *server_pane;
  CtEndpoint *server;
  GListModel *connections;
  guint port;

  multi_tcp = *ct_protocol_lookup ("tcp");
  multi_tcp.multi_client = TRUE;
  window = open_page_window (&multi_tcp, 1400, &page);
  server_pane = ct_protocol_page_get_server_pane (page);
  server = ct_endpoint_pane_get_endpoint (server_pane);
  connections = ct_endpoint_get_connections (server);

  /* One client to begin with, numbered; the last one cannot be removed */
  g_assert_cmpuint (ct_protocol_page_get_n_clients (page), ==, 1);
  g_assert_true (ct_protocol_page_get_client_pane (page) == ct_protocol_page_get_nth_client_pane (page, 0));
  g_assert_null (ct_protocol_page_get_nth_client_pane (page, 1));
  g_assert_cmpstr (ct_endpoint_pane_get_title (ct_protocol_page_get_client_pane (page)), ==, "Client 1");
  g_assert_false (gtk_widget_get_visible (find_remove_button (GTK_WIDGET (ct_protocol_page_get_client_pane (page)))));
  g_assert_false (ct_protocol_page_remove_client (page, 0));
  gtk_widget_activate_action (GTK_WIDGET (page), "page.remove-client", "u", 0);
  g_assert_cmpuint (ct_protocol_page_get_n_clients (page), ==, 1);

  /* Add Participant: a second client, its own endpoint, and now each can be
   * removed */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.add-client", NULL));
  g_assert_cmpuint (ct_protocol_page_get_n_clients (page), ==, 2);
  g_assert_true (nth_client (page, 0) != nth_client (page, 1));
  g_assert_true (CT_IS_TCP_CLIENT (nth_client (page, 1)));
  g_assert_cmpstr (ct_endpoint_pane_get_title (ct_protocol_page_get_nth_client_pane (page, 1)), ==, "Client 2");
  g_assert_true (ct_protocol_page_get_selected_client_pane (page) == ct_protocol_page_get_nth_client_pane (page, 1));
  for (guint i = 0; i < 2; i++)
    g_assert_true (gtk_widget_get_visible (find_remove_button (GTK_WIDGET (ct_protocol_page_get_nth_client_pane (page, i)))));

  /* Side by side in a wide window */
  settle ();
  g_assert_cmpuint (ct_protocol_page_get_clients_shown (page), ==, 2);
  {
    graphene_rect_t a, b, s;

    g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (server_pane), GTK_WIDGET (page), &s));
    g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (ct_protocol_page_get_nth_client_pane (page, 0)),
                                              GTK_WIDGET (page), &a));
    g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (ct_protocol_page_get_nth_client_pane (page, 1)),
                                              GTK_WIDGET (page), &b));
    g_assert_cmpfloat (s.origin.x, <, a.origin.x);
    g_assert_cmpfloat (a.origin.x + a.size.width, <=, b.origin.x);
    g_assert_cmpfloat (a.origin.y, ==, b.origin.y);
    g_assert_cmpfloat (b.origin.x + b.size.width, <=, gtk_widget_get_width (GTK_WIDGET (page)));
  }

  /* A client added while the server runs is pointed at it */
  g_object_set (server, "port", 0, NULL);
  gtk_widget_activate_action (GTK_WIDGET (server_pane), "pane.toggle", NULL);
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (server) == CT_STATE_RUNNING);
  g_assert_nonnull (ct_protocol_page_add_client (page));
  g_object_get (nth_client (page, 2), "port", &port, NULL);
  g_assert_cmpuint (port, ==, ct_test_endpoint_port (server));
  g_object_get (nth_client (page, 0), "port", &port, NULL);
  g_assert_cmpuint (port, !=, ct_test_endpoint_port (server));

  /* Clients 1 and 3 connect: two connections; each client has its own log */
  gtk_widget_activate_action (GTK_WIDGET (ct_protocol_page_get_nth_client_pane (page, 0)), "pane.use-local-server", NULL);
  gtk_widget_activate_action (GTK_WIDGET (ct_protocol_page_get_nth_client_pane (page, 0)), "pane.toggle", NULL);
  gtk_widget_activate_action (GTK_WIDGET (ct_protocol_page_get_nth_client_pane (page, 2)), "pane.toggle", NULL);
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (nth_client (page, 0)) == CT_STATE_RUNNING &&
                      ct_endpoint_get_state (nth_client (page, 2)) == CT_STATE_RUNNING);
  CT_TEST_WAIT_UNTIL (g_list_model_get_n_items (connections) == 2);
  g_assert_cmpint (ct_endpoint_get_state (nth_client (page, 1)), ==, CT_STATE_STOPPED);
  ct_endpoint_pane_set_composer_text (ct_protocol_page_get_nth_client_pane (page, 0), "from the first");
  gtk_widget_activate_action (GTK_WIDGET (ct_protocol_page_get_nth_client_pane (page, 0)), "pane.send", NULL);
  ct_endpoint_pane_set_composer_text (ct_protocol_page_get_nth_client_pane (page, 2), "from the third");
  gtk_widget_activate_action (GTK_WIDGET (ct_protocol_page_get_nth_client_pane (page, 2)), "pane.send", NULL);
  CT_TEST_WAIT_UNTIL (ct_test_log_find (ct_endpoint_get_log (nth_client (page, 0)), CT_DIRECTION_IN, "from the first") >= 0 &&
                      ct_test_log_find (ct_endpoint_get_log (nth_client (page, 2)), CT_DIRECTION_IN, "from the third") >= 0);
  g_assert_cmpint (ct_test_log_find (ct_endpoint_get_log (nth_client (page, 0)), CT_DIRECTION_OUT, "from the third"), <, 0);
  g_assert_cmpint (ct_test_log_find (ct_endpoint_get_log (nth_client (page, 2)), CT_DIRECTION_OUT, "from the first"), <, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ct_endpoint_get_log (nth_client (page, 1)))), ==, 0);

  /* Remove the first, connected, client with its button: it disconnects,
   * the others move up; the next one added takes the free number */
  {
    CtEndpointPane *second = ct_protocol_page_get_nth_client_pane (page, 1);
    GtkWidget *remove = find_remove_button (GTK_WIDGET (ct_protocol_page_get_nth_client_pane (page, 0)));

    g_assert_true (gtk_widget_is_sensitive (remove));
    g_signal_emit_by_name (remove, "clicked");
    g_assert_cmpuint (ct_protocol_page_get_n_clients (page), ==, 2);
    g_assert_true (ct_protocol_page_get_client_pane (page) == second);
  }
  CT_TEST_WAIT_UNTIL (g_list_model_get_n_items (connections) == 1);
  g_assert_cmpstr (ct_endpoint_pane_get_title (ct_protocol_page_get_nth_client_pane (page, 0)), ==, "Client 2");
  g_assert_cmpstr (ct_endpoint_pane_get_title (ct_protocol_page_get_nth_client_pane (page, 1)), ==, "Client 3");
  g_assert_cmpint (ct_endpoint_get_state (nth_client (page, 1)), ==, CT_STATE_RUNNING);
  g_assert_nonnull (ct_protocol_page_add_client (page));
  g_assert_cmpstr (ct_endpoint_pane_get_title (ct_protocol_page_get_nth_client_pane (page, 2)), ==, "Client 1");

  /* A few clients at most */
  while (ct_protocol_page_add_client (page))
    ;
  g_assert_cmpuint (ct_protocol_page_get_n_clients (page), >=, 4);
  g_assert_cmpuint (ct_protocol_page_get_n_clients (page), <=, 8);
  {
    guint n = ct_protocol_page_get_n_clients (page);

    gtk_widget_activate_action (GTK_WIDGET (page), "page.add-client", NULL);
    g_assert_cmpuint (ct_protocol_page_get_n_clients (page), ==, n);
  }

  /* Too many to show side by side: one at a time, chosen in the switcher */
  settle ();
  g_assert_cmpuint (ct_protocol_page_get_clients_shown (page), ==, 1);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (ct_protocol_page_get_selected_client_pane (page))));
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (ct_protocol_page_get_nth_client_pane (page, 0))));

  /* Back down to one, which stays */
  while (ct_protocol_page_remove_client (page, 0))
    ;
  g_assert_cmpuint (ct_protocol_page_get_n_clients (page), ==, 1);
  g_assert_false (gtk_widget_get_visible (find_remove_button (GTK_WIDGET (ct_protocol_page_get_client_pane (page)))));
  settle ();
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (ct_protocol_page_get_client_pane (page))));
  CT_TEST_WAIT_UNTIL (g_list_model_get_n_items (connections) == 0);

  gtk_widget_activate_action (GTK_WIDGET (server_pane), "pane.toggle", NULL);
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (server) == CT_STATE_STOPPED);
  close_page_window (window);
}

/* In a narrow window the server is above, and the clients below one at a
 * time: the switcher's buttons choose which */
static void
test_multi_client_narrow (void)
{
  CtProtocolPage *page;
  GtkWindow *window;
  GtkWidget *server_pane, *first, *second;
  graphene_rect_t server_bounds, bounds;

  multi_tcp = *ct_protocol_lookup ("tcp");
  multi_tcp.multi_client = TRUE;
  window = open_page_window (&multi_tcp, 420, &page);
  server_pane = GTK_WIDGET (ct_protocol_page_get_server_pane (page));
  first = GTK_WIDGET (ct_protocol_page_get_client_pane (page));
  second = GTK_WIDGET (ct_protocol_page_add_client (page));
  settle ();

  g_assert_cmpuint (ct_protocol_page_get_clients_shown (page), ==, 1);
  g_assert_true (gtk_widget_get_mapped (second));
  g_assert_false (gtk_widget_get_mapped (first));
  g_assert_true (gtk_widget_compute_bounds (server_pane, GTK_WIDGET (page), &server_bounds));
  g_assert_true (gtk_widget_compute_bounds (second, GTK_WIDGET (page), &bounds));
  g_assert_cmpfloat (bounds.origin.y, >, server_bounds.origin.y + server_bounds.size.height);
  g_assert_cmpfloat (bounds.origin.x, ==, server_bounds.origin.x);
  g_assert_true (has_label (GTK_WIDGET (page), "Add Participant"));

  /* The switcher's button for Client 1 shows it */
  {
    GtkWidget *tab = NULL;
    GtkWidget *child;

    for (child = gtk_widget_get_first_child (GTK_WIDGET (page)); child && tab == NULL;
         child = gtk_widget_get_next_sibling (child))
      if (GTK_IS_SCROLLED_WINDOW (child))
        {
          GtkWidget *box = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (child));

          if (GTK_IS_VIEWPORT (box))
            box = gtk_viewport_get_child (GTK_VIEWPORT (box));
          for (GtkWidget *button = gtk_widget_get_first_child (box); button; button = gtk_widget_get_next_sibling (button))
            if (g_strcmp0 (gtk_button_get_label (GTK_BUTTON (button)), "Client 1") == 0)
              tab = button;
        }
    g_assert_nonnull (tab);
    g_assert_true (gtk_widget_get_mapped (tab));
    g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (tab)));
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (tab), TRUE);
  }
  settle ();
  g_assert_true (gtk_widget_get_mapped (first));
  g_assert_false (gtk_widget_get_mapped (second));
  g_assert_true (ct_protocol_page_get_selected_client_pane (page) == CT_ENDPOINT_PANE (first));

  /* Wider: side by side again, the server on the left */
  gtk_window_set_default_size (window, 1400, 800);
  CT_TEST_WAIT_UNTIL (gtk_widget_get_width (GTK_WIDGET (page)) > 1000);
  settle ();
  g_assert_cmpuint (ct_protocol_page_get_clients_shown (page), ==, 2);
  g_assert_true (gtk_widget_get_mapped (first) && gtk_widget_get_mapped (second));

  close_page_window (window);
}

/* A client with a nickname is called by it; empty ones get distinct names */
static void
test_multi_client_nicks (void)
{
  CtProtocolPage *page;
  GtkWindow *window;
  g_autofree char *nick = NULL;

  multi_nick = *ct_protocol_lookup ("tcp");
  multi_nick.multi_client = TRUE;
  multi_nick.get_client_type = test_nick_client_get_type;
  window = open_page_window (&multi_nick, 1400, &page);

  g_object_get (nth_client (page, 0), "nick", &nick, NULL);
  g_assert_cmpstr (nick, ==, "alice");
  g_assert_cmpstr (ct_endpoint_pane_get_title (ct_protocol_page_get_client_pane (page)), ==, "alice");
  ct_protocol_page_add_client (page);
  g_assert_cmpstr (ct_endpoint_pane_get_title (ct_protocol_page_get_nth_client_pane (page, 1)), ==, "bob");

  /* The title follows the nickname */
  g_object_set (nth_client (page, 1), "nick", "Zoë", NULL);
  g_assert_cmpstr (ct_endpoint_pane_get_title (ct_protocol_page_get_nth_client_pane (page, 1)), ==, "Zoë");
  settle ();
  g_assert_true (has_label (GTK_WIDGET (ct_protocol_page_get_nth_client_pane (page, 1)), "Zoë"));
  g_object_set (nth_client (page, 1), "nick", "", NULL);
  g_assert_cmpstr (ct_endpoint_pane_get_title (ct_protocol_page_get_nth_client_pane (page, 1)), ==, "Client 2");

  /* alice is taken (case aside), bob is free again */
  g_object_set (nth_client (page, 1), "nick", "ALICE2", NULL);
  g_object_set (nth_client (page, 0), "nick", "Alice", NULL);
  ct_protocol_page_add_client (page);
  g_assert_cmpstr (ct_endpoint_pane_get_title (ct_protocol_page_get_nth_client_pane (page, 2)), ==, "bob");

  close_page_window (window);
}

/* The demo on a page with several clients: two of them talk */
static void
test_multi_client_demo (void)
{
  CtProtocolPage *page;
  GtkWindow *window;
  CtEndpoint *server;

  multi_tcp = *ct_protocol_lookup ("tcp");
  multi_tcp.multi_client = TRUE;
  window = open_page_window (&multi_tcp, 1400, &page);
  server = ct_endpoint_pane_get_endpoint (ct_protocol_page_get_server_pane (page));

  ct_protocol_page_demo (page);
  CT_TEST_WAIT_UNTIL (ct_protocol_page_get_n_clients (page) == 2 &&
                      ct_test_log_count (ct_endpoint_get_log (server), CT_DIRECTION_IN) == 3);
  g_assert_cmpuint (g_list_model_get_n_items (ct_endpoint_get_connections (server)), ==, 2);
  CT_TEST_WAIT_UNTIL (ct_test_log_count (ct_endpoint_get_log (nth_client (page, 0)), CT_DIRECTION_OUT) == 2 &&
                      ct_test_log_count (ct_endpoint_get_log (nth_client (page, 1)), CT_DIRECTION_OUT) == 1);

  close_page_window (window);
}

/* A connection with a name (a chat participant) is listed by it, with the
 * peer below, and follows renames */
static void
test_connection_list_names (void)
{
  CtWindow *window = open_window ();
  CtProtocolPage *page = ct_window_get_page (window, "tcp");
  CtEndpointPane *server_pane = ct_protocol_page_get_server_pane (page);
  CtEndpointPane *client_pane = ct_protocol_page_get_client_pane (page);
  CtEndpoint *server = ct_endpoint_pane_get_endpoint (server_pane);
  CtEndpoint *client = ct_endpoint_pane_get_endpoint (client_pane);
  GListModel *connections = ct_endpoint_get_connections (server);
  GtkListBox *rows;
  AdwActionRow *row;
  g_autoptr(CtConnection) connection = NULL;
  g_autofree char *peer = NULL;

  /* Not a page with several clients: no Add Participant */
  ct_window_show_page (window, "tcp");
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "add-client"));
  g_assert_cmpuint (ct_protocol_page_get_n_clients (page), ==, 1);
  g_assert_null (find_remove_button (GTK_WIDGET (client_pane)));
  g_assert_cmpstr (ct_endpoint_pane_get_title (client_pane), ==, "Client");
  g_action_group_activate_action (G_ACTION_GROUP (window), "add-client", NULL);
  g_assert_cmpuint (ct_protocol_page_get_n_clients (page), ==, 1);

  rows = GTK_LIST_BOX (find_descendant (find_descendant (GTK_WIDGET (server_pane), CT_TYPE_CONNECTION_LIST),
                                        GTK_TYPE_LIST_BOX));
  g_object_set (server, "port", 0, NULL);
  g_assert_true (ct_test_start (server, NULL));
  ct_endpoint_use_server (client, server);
  g_assert_true (ct_test_start (client, NULL));
  CT_TEST_WAIT_UNTIL (g_list_model_get_n_items (connections) == 1);
  CT_TEST_WAIT_UNTIL (count_list_box_rows (rows) == 1);
  connection = g_list_model_get_item (connections, 0);
  peer = g_strdup (ct_connection_get_peer (connection));
  row = ADW_ACTION_ROW (gtk_list_box_get_row_at_index (rows, 0));

  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, peer);
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (row), "#"));

  ct_connection_set_name (connection, "alice & <bob>");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "alice & <bob>");
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (row), peer));

  ct_connection_set_name (connection, NULL);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, peer);

  ct_test_stop (client);
  ct_test_stop (server);
  close_window (window);
}

/* The chat page: participants with nicknames, added from the window's
 * shortcut, a demo conversation, and the server listing them by name */
static void
test_chat_page (void)
{
  const CtProtocol *chat = ct_protocol_lookup ("chat");
  CtWindow *window;
  CtProtocolPage *page;
  CtEndpoint *server;
  GtkListBox *rows;
  g_autofree char *nick = NULL;

  if (!ct_protocol_is_available (chat))
    {
      g_test_skip ("the chat endpoints are not built yet");
      return;
    }
  g_assert_true (chat->multi_client);

  window = open_window ();
  ct_window_show_page (window, "chat");
  page = ct_window_get_page (window, "chat");
  g_assert_nonnull (page);
  server = ct_endpoint_pane_get_endpoint (ct_protocol_page_get_server_pane (page));
  g_assert_cmpuint (ct_protocol_page_get_n_clients (page), ==, 1);
  g_object_get (nth_client (page, 0), "nick", &nick, NULL);
  g_assert_cmpstr (nick, ==, "alice");
  g_assert_cmpstr (ct_endpoint_pane_get_title (ct_protocol_page_get_client_pane (page)), ==, "alice");

  /* Ctrl+Shift+N */
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "add-client"));
  g_action_group_activate_action (G_ACTION_GROUP (window), "add-client", NULL);
  g_assert_cmpuint (ct_protocol_page_get_n_clients (page), ==, 2);
  g_assert_cmpstr (ct_endpoint_pane_get_title (ct_protocol_page_get_nth_client_pane (page, 1)), ==, "bob");

  /* The demo: alice and bob connect and talk; what alice says reaches bob */
  ct_protocol_page_demo (page);
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (nth_client (page, 0)) == CT_STATE_RUNNING &&
                      ct_endpoint_get_state (nth_client (page, 1)) == CT_STATE_RUNNING);
  CT_TEST_WAIT_UNTIL (g_list_model_get_n_items (ct_endpoint_get_connections (server)) == 2);
  CT_TEST_WAIT_UNTIL (log_has_summary (ct_endpoint_get_log (nth_client (page, 1)), CT_DIRECTION_IN, "Bye for now"));

  /* The server lists the participants by nickname */
  rows = GTK_LIST_BOX (find_descendant (find_descendant (GTK_WIDGET (ct_protocol_page_get_server_pane (page)),
                                                         CT_TYPE_CONNECTION_LIST),
                                        GTK_TYPE_LIST_BOX));
  CT_TEST_WAIT_UNTIL (count_list_box_rows (rows) == 2);
  {
    const char *a = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (gtk_list_box_get_row_at_index (rows, 0)));
    const char *b = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (gtk_list_box_get_row_at_index (rows, 1)));

    g_assert_true ((g_str_equal (a, "alice") && g_str_equal (b, "bob")) ||
                   (g_str_equal (a, "bob") && g_str_equal (b, "alice")));
  }

  /* Removing a participant disconnects it */
  g_assert_true (ct_protocol_page_remove_client (page, 1));
  CT_TEST_WAIT_UNTIL (g_list_model_get_n_items (ct_endpoint_get_connections (server)) == 1);

  close_window (window);
}

/* -- commands on one log entry (a consumer's Ack...) --------------------- */

/* A server whose log entries take commands, as an AMQP consumer's
 * deliveries do: an `in` entry can be acked or rejected once */
#define TEST_TYPE_ACK_SERVER (test_ack_server_get_type ())
G_DECLARE_FINAL_TYPE (TestAckServer, test_ack_server, TEST, ACK_SERVER, CtEndpoint)

struct _TestAckServer
{
  CtEndpoint  parent_instance;
  GHashTable *settled;   /* exchange ids */
  guint       n_run;
};

G_DEFINE_FINAL_TYPE (TestAckServer, test_ack_server, CT_TYPE_ENDPOINT)

static const CtEndpointCommand ack_commands[] = {
  { "ack", "_Ack", "Acknowledge this delivery", FALSE },
  { "reject", "_Reject", "Reject this delivery", FALSE },
  { NULL }
};

static void
test_ack_server_start (CtEndpoint          *endpoint,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (endpoint, cancellable, callback, user_data);

  g_task_return_boolean (task, TRUE);
}

static void
test_ack_server_close (CtEndpoint *endpoint)
{
}

static gboolean
test_ack_server_can_run (CtEndpoint *endpoint,
                         const char *name,
                         CtMessage  *message)
{
  TestAckServer *self = TEST_ACK_SERVER (endpoint);

  return ct_message_get_direction (message) == CT_DIRECTION_IN &&
         !g_hash_table_contains (self->settled, GSIZE_TO_POINTER (ct_message_get_exchange (message)));
}

static gboolean
test_ack_server_run (CtEndpoint  *endpoint,
                     const char  *name,
                     CtMessage   *message,
                     GError     **error)
{
  TestAckServer *self = TEST_ACK_SERVER (endpoint);
  guint64 exchange = ct_message_get_exchange (message);

  if (!g_hash_table_add (self->settled, GSIZE_TO_POINTER (exchange)))
    {
      g_set_error (error, CT_ERROR, CT_ERROR_FAILED, "Delivery %" G_GUINT64_FORMAT " is settled already", exchange);
      return FALSE;
    }
  self->n_run++;
  ct_message_log_info (ct_endpoint_get_log (endpoint), name, NULL, NULL, "%s %" G_GUINT64_FORMAT, name, exchange);
  return TRUE;
}

static void
test_ack_server_finalize (GObject *object)
{
  g_hash_table_unref (TEST_ACK_SERVER (object)->settled);
  G_OBJECT_CLASS (test_ack_server_parent_class)->finalize (object);
}

static void
test_ack_server_class_init (TestAckServerClass *klass)
{
  CtEndpointClass *endpoint_class = CT_ENDPOINT_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_ack_server_finalize;
  endpoint_class->protocol_id = "tcp";
  endpoint_class->role = CT_ROLE_SERVER;
  endpoint_class->start = test_ack_server_start;
  endpoint_class->close = test_ack_server_close;
  endpoint_class->message_commands = ack_commands;
  endpoint_class->can_run_message_command = test_ack_server_can_run;
  endpoint_class->run_message_command = test_ack_server_run;
}

static void
test_ack_server_init (TestAckServer *self)
{
  self->settled = g_hash_table_new (g_direct_hash, g_direct_equal);
}

static void
append_delivery (CtEndpoint *endpoint,
                 guint64     exchange,
                 const char *text)
{
  CtMessageFields fields = {
    .time = g_get_real_time (),
    .direction = CT_DIRECTION_IN,
    .peer = "queue test",
    .data = text,
    .size = strlen (text),
    .exchange = exchange,
  };

  ct_message_log_append (ct_endpoint_get_log (endpoint), &fields);
  ct_message_log_flush (ct_endpoint_get_log (endpoint));
}

/* The button in @widget whose label is @label (with its mnemonic) */
static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found)
        return found;
    }
  return NULL;
}

/* The selected entry's commands: sensitive while they apply to it, again
 * when the selection, the log or the state change */
static void
test_log_view_message_commands (void)
{
  g_autoptr(CtEndpoint) endpoint = g_object_new (TEST_TYPE_ACK_SERVER, NULL);
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *pane = ct_endpoint_pane_new (endpoint, "Consumer");
  CtLogView *log_view = ct_endpoint_pane_get_log_view (CT_ENDPOINT_PANE (pane));
  GtkSelectionModel *selection = gtk_column_view_get_model (ct_log_view_get_column_view (log_view));
  GtkWidget *ack, *reject;
  guint n;

  gtk_window_set_child (window, pane);
  gtk_window_set_default_size (window, 700, 700);
  gtk_window_present (window);
  CT_TEST_WAIT_UNTIL (gtk_widget_get_mapped (pane));

  ack = find_button (GTK_WIDGET (log_view), "_Ack");
  reject = find_button (GTK_WIDGET (log_view), "_Reject");
  g_assert_nonnull (ack);
  g_assert_nonnull (reject);
  g_assert_true (gtk_widget_get_mapped (ack));
  g_assert_true (gtk_button_get_use_underline (GTK_BUTTON (ack)));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (ack), ==, "Acknowledge this delivery");
  g_assert_false (gtk_widget_get_sensitive (ack));

  /* Nothing applies while the endpoint is stopped */
  append_delivery (endpoint, 1, "first");
  append_delivery (endpoint, 2, "second");
  gtk_selection_model_select_item (selection, 0, TRUE);
  g_assert_false (gtk_widget_get_sensitive (ack));

  /* Running: the selected delivery takes both */
  g_assert_true (ct_test_start (endpoint, NULL));
  g_assert_true (gtk_widget_get_sensitive (ack));
  g_assert_true (gtk_widget_get_sensitive (reject));

  /* Ack it: an entry is appended, and the delivery takes no more */
  g_signal_emit_by_name (ack, "clicked");
  g_assert_cmpuint (TEST_ACK_SERVER (endpoint)->n_run, ==, 1);
  CT_TEST_WAIT_UNTIL (ct_test_log_find (ct_endpoint_get_log (endpoint), CT_DIRECTION_INFO, "ack 1") >= 0);
  g_assert_false (gtk_widget_get_sensitive (ack));
  g_assert_false (gtk_widget_get_sensitive (reject));

  /* The second one still does; the info entry takes nothing */
  gtk_selection_model_select_item (selection, 1, TRUE);
  g_assert_true (gtk_widget_get_sensitive (reject));
  n = g_list_model_get_n_items (G_LIST_MODEL (ct_endpoint_get_log (endpoint)));
  gtk_selection_model_select_item (selection, n - 1, TRUE);
  g_assert_false (gtk_widget_get_sensitive (ack));

  /* Unselected, or stopped: nothing */
  gtk_selection_model_select_item (selection, 1, TRUE);
  g_assert_true (gtk_widget_get_sensitive (ack));
  ct_test_stop (endpoint);
  g_assert_false (gtk_widget_get_sensitive (ack));
  g_assert_true (ct_test_start (endpoint, NULL));
  g_assert_true (gtk_widget_get_sensitive (ack));
  gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (selection), GTK_INVALID_LIST_POSITION);
  g_assert_false (gtk_widget_get_sensitive (ack));
  ct_test_stop (endpoint);

  /* A pane whose endpoint has no such commands shows none */
  {
    g_autoptr(CtEndpoint) plain = ct_udp_server_new ();
    GtkWidget *other = ct_endpoint_pane_new (plain, "Server");

    g_object_ref_sink (other);
    g_assert_null (find_button (GTK_WIDGET (ct_endpoint_pane_get_log_view (CT_ENDPOINT_PANE (other))), "_Ack"));
    g_object_unref (other);
  }

  close_page_window (window);
}

/* -- reconnecting ------------------------------------------------------- */

/* A client that reconnects by itself (as the AMQP producer does) */
#define TEST_TYPE_RECONNECT_CLIENT (test_reconnect_client_get_type ())
G_DECLARE_FINAL_TYPE (TestReconnectClient, test_reconnect_client, TEST, RECONNECT_CLIENT, CtEndpoint)

struct _TestReconnectClient
{
  CtEndpoint  parent_instance;
  guint       n_sent;
};

G_DEFINE_FINAL_TYPE (TestReconnectClient, test_reconnect_client, CT_TYPE_ENDPOINT)

static gboolean
test_reconnect_client_send_text (CtEndpoint  *endpoint,
                                 const char  *text,
                                 GError     **error)
{
  TEST_RECONNECT_CLIENT (endpoint)->n_sent++;
  return TRUE;
}

static void
test_reconnect_client_class_init (TestReconnectClientClass *klass)
{
  CtEndpointClass *endpoint_class = CT_ENDPOINT_CLASS (klass);

  endpoint_class->protocol_id = "udp";
  endpoint_class->role = CT_ROLE_CLIENT;
  endpoint_class->start = test_ack_server_start;
  endpoint_class->close = test_ack_server_close;
  endpoint_class->send_text = test_reconnect_client_send_text;
}

static void
test_reconnect_client_init (TestReconnectClient *self)
{
}

/* While reconnecting the pane says so, and the composer still sends */
static void
test_pane_reconnecting (void)
{
  g_autoptr(CtEndpoint) endpoint = g_object_new (TEST_TYPE_RECONNECT_CLIENT, NULL);
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *pane = ct_endpoint_pane_new (endpoint, "Producer");
  GtkWidget *send;

  gtk_window_set_child (window, pane);
  gtk_window_set_default_size (window, 700, 600);
  gtk_window_present (window);
  CT_TEST_WAIT_UNTIL (gtk_widget_get_mapped (pane));
  send = find_button (pane, "Send");
  g_assert_nonnull (send);
  g_assert_false (gtk_widget_is_sensitive (send));

  g_assert_true (ct_test_start (endpoint, NULL));
  g_assert_true (gtk_widget_is_sensitive (send));

  ct_endpoint_set_reconnecting (endpoint, TRUE);
  g_assert_cmpint (ct_endpoint_get_state (endpoint), ==, CT_STATE_RECONNECTING);
  g_assert_true (has_label (pane, "Reconnecting"));
  g_assert_true (gtk_widget_is_sensitive (send));
  g_assert_nonnull (find_button (pane, "_Disconnect"));
  ct_endpoint_pane_set_composer_text (CT_ENDPOINT_PANE (pane), "kept for later");
  g_assert_true (gtk_widget_activate_action (pane, "pane.send", NULL));
  g_assert_cmpuint (TEST_RECONNECT_CLIENT (endpoint)->n_sent, ==, 1);

  ct_endpoint_set_reconnecting (endpoint, FALSE);
  g_assert_cmpint (ct_endpoint_get_state (endpoint), ==, CT_STATE_RUNNING);
  g_assert_false (has_label (pane, "Reconnecting"));
  g_assert_true (gtk_widget_is_sensitive (send));

  /* Disconnect while reconnecting */
  ct_endpoint_set_reconnecting (endpoint, TRUE);
  ct_test_stop (endpoint);
  g_assert_false (gtk_widget_is_sensitive (send));

  close_page_window (window);
}

/* -- the end of a file, read off the main thread ------------------------- */

static void
test_file_tail (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ct-tail-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "server.log", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.log", NULL);
  g_autoptr(GString) content = g_string_new (NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *text = NULL;
  g_autofree char *last = NULL;
  goffset size = 0;
  gboolean truncated = FALSE;

  for (guint i = 0; i < 1000; i++)
    g_string_append_printf (content, "line %u of the log\n", i);
  g_assert_true (g_file_set_contents (path, content->str, (gssize) content->len, &error));

  /* The last 1 KiB, from a whole line */
  ct_file_tail_read_async (path, 1024, NULL, ct_test_result_cb, &result);
  CT_TEST_WAIT_UNTIL (result != NULL);
  text = ct_file_tail_read_finish (result, &size, &truncated, &error);
  g_assert_no_error (error);
  g_assert_true (truncated);
  g_assert_cmpint (size, ==, (goffset) content->len);
  g_assert_cmpuint (strlen (text), <=, 1024);
  g_assert_true (g_str_has_prefix (text, "line "));
  g_assert_true (g_str_has_suffix (text, "line 999 of the log\n"));
  last = ct_file_tail_last_lines (text, 2);
  g_assert_cmpstr (last, ==, "line 998 of the log\nline 999 of the log");
  g_clear_pointer (&text, g_free);
  g_clear_object (&result);

  /* All of a small file */
  ct_file_tail_read_async (path, content->len + 10, NULL, ct_test_result_cb, &result);
  CT_TEST_WAIT_UNTIL (result != NULL);
  text = ct_file_tail_read_finish (result, NULL, &truncated, &error);
  g_assert_no_error (error);
  g_assert_false (truncated);
  g_assert_cmpstr (text, ==, content->str);
  g_clear_pointer (&text, g_free);
  g_clear_object (&result);

  /* No file */
  ct_file_tail_read_async (missing, 1024, NULL, ct_test_result_cb, &result);
  CT_TEST_WAIT_UNTIL (result != NULL);
  g_assert_null (ct_file_tail_read_finish (result, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);

  g_unlink (path);
  g_rmdir (dir);
}

/* -- the RabbitMQ page's local broker ------------------------------------ */

/* A CtApplication as the real one, registered but not run: it owns the
 * broker. Not unique, so it needs no bus name. */
/* -- the log view at scale: filter, pause, latency, detail, copy, resend,
 *    export and open, statistics, a flood ----------------------------------- */

static void
append_entry (CtMessageLog *log,
              CtDirection   direction,
              const char   *peer,
              const char   *text,
              guint64       exchange,
              gint64        time)
{
  CtMessageFields fields = {
    .time = time,
    .direction = direction,
    .peer = peer,
    .exchange = exchange,
  };

  if (direction == CT_DIRECTION_IN || direction == CT_DIRECTION_OUT)
    {
      fields.data = text;
      fields.size = strlen (text);
    }
  else
    {
      fields.event = "note";
      fields.summary = text;
    }
  ct_message_log_append (log, &fields);
}

static void
append_binary (CtMessageLog *log,
               CtDirection   direction,
               const guint8 *data,
               gsize         size)
{
  CtMessageFields fields = { .direction = direction, .peer = "127.0.0.1:9", .data = data, .size = size };

  ct_message_log_append (log, &fields);
}

/* The UDP page's server pane and its log view, shown */
static CtLogView *
udp_server_log_view (CtWindow        *window,
                     CtEndpointPane **server_pane,
                     CtEndpointPane **client_pane)
{
  CtProtocolPage *page;

  ct_window_show_page (window, "udp");
  page = ct_window_get_page (window, "udp");
  if (server_pane)
    *server_pane = ct_protocol_page_get_server_pane (page);
  if (client_pane)
    *client_pane = ct_protocol_page_get_client_pane (page);
  return ct_endpoint_pane_get_log_view (ct_protocol_page_get_server_pane (page));
}

static guint
n_shown (CtLogView *view)
{
  return g_list_model_get_n_items (ct_log_view_get_model (view));
}

static gboolean
action_state (CtLogView  *view,
              const char *name)
{
  gboolean state;

  g_object_get (view, name, &state, NULL);
  return state;
}

/* Panes still fit the 460 px columns of a page with several clients */
static void
test_log_view_fits_column (void)
{
  CtWindow *window = open_window ();
  CtEndpointPane *server_pane;
  int min;

  udp_server_log_view (window, &server_pane, NULL);
  gtk_widget_measure (GTK_WIDGET (server_pane), GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
  g_assert_cmpint (min, <=, 460);

  close_window (window);
}

static void
test_log_view_filter (void)
{
  CtWindow *window = open_window ();
  CtLogView *view = udp_server_log_view (window, NULL, NULL);
  CtMessageLog *log = ct_log_view_get_log (view);
  GtkWidget *search = find_descendant (GTK_WIDGET (view), GTK_TYPE_SEARCH_ENTRY);

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *apple = g_strdup_printf ("apple %u", i);
      g_autofree char *banana = g_strdup_printf ("banana %u", i);

      append_entry (log, CT_DIRECTION_IN, "127.0.0.1:7001", apple, 0, 0);
      append_entry (log, CT_DIRECTION_OUT, "127.0.0.1:7002", banana, 0, 0);
    }
  append_entry (log, CT_DIRECTION_INFO, NULL, "an apple a day", 0, 0);
  ct_message_log_flush (log);

  /* Unfiltered, the list shows the log itself */
  g_assert_true (ct_log_view_get_model (view) == G_LIST_MODEL (log));
  g_assert_cmpstr (ct_log_view_get_status (view), ==, "41 entries");

  /* Typing in the filter entry: summary, payload... */
  gtk_editable_set_text (GTK_EDITABLE (search), "APPLE");
  CT_TEST_WAIT_UNTIL (ct_log_view_get_model (view) != G_LIST_MODEL (log));
  g_assert_cmpuint (n_shown (view), ==, 21);
  g_assert_cmpstr (ct_log_view_get_status (view), ==, "21 of 41 entries");

  /* ...new entries keep coming while filtered */
  append_entry (log, CT_DIRECTION_IN, "127.0.0.1:7001", "apple late", 0, 0);
  append_entry (log, CT_DIRECTION_IN, "127.0.0.1:7001", "cherry late", 0, 0);
  ct_message_log_flush (log);
  CT_TEST_WAIT_UNTIL (n_shown (view) == 22);
  g_assert_cmpstr (ct_log_view_get_status (view), ==, "22 of 43 entries");

  /* The direction toggles: hide events, then received messages */
  g_assert_true (action_state (view, "show-info"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "log.show-info", NULL));
  g_assert_false (action_state (view, "show-info"));
  g_assert_cmpuint (n_shown (view), ==, 21);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "log.show-in", NULL));
  g_assert_cmpuint (n_shown (view), ==, 0);
  g_assert_cmpstr (ct_log_view_get_status (view), ==, "0 of 43 entries");

  /* ...the peer matches too */
  gtk_widget_activate_action (GTK_WIDGET (view), "log.show-in", NULL);
  ct_log_view_set_filter_text (view, "7002");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (search)), ==, "7002");
  g_assert_cmpuint (n_shown (view), ==, 20);
  {
    g_autoptr(CtMessage) first = g_list_model_get_item (ct_log_view_get_model (view), 0);
    g_assert_cmpint (ct_message_get_direction (first), ==, CT_DIRECTION_OUT);
  }

  /* Everything shown again: back to the log itself */
  ct_log_view_set_filter_text (view, NULL);
  gtk_widget_activate_action (GTK_WIDGET (view), "log.show-info", NULL);
  g_assert_true (ct_log_view_get_model (view) == G_LIST_MODEL (log));
  g_assert_cmpstr (ct_log_view_get_status (view), ==, "43 entries");

  close_window (window);
}

static void
test_log_view_pause (void)
{
  CtWindow *window = open_window ();
  CtLogView *view = udp_server_log_view (window, NULL, NULL);
  CtMessageLog *log = ct_log_view_get_log (view);
  GtkAdjustment *adjustment;

  for (guint i = 0; i < 200; i++)
    append_entry (log, CT_DIRECTION_IN, "127.0.0.1:7001", "before", 0, 0);
  ct_message_log_flush (log);
  settle ();

  /* Pause: the list stays as it is, logging goes on, the count of what
   * waits is shown */
  g_assert_null (ct_log_view_get_pending_text (view));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "log.pause", NULL));
  g_assert_true (ct_log_view_get_paused (view));
  g_assert_cmpuint (n_shown (view), ==, 200);
  g_assert_cmpstr (ct_log_view_get_pending_text (view), ==, "Paused");
  for (guint i = 0; i < 5; i++)
    append_entry (log, CT_DIRECTION_OUT, "127.0.0.1:7001", "while paused", 0, 0);
  ct_message_log_flush (log);
  settle ();
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 205);
  g_assert_cmpuint (n_shown (view), ==, 200);
  g_assert_cmpstr (ct_log_view_get_pending_text (view), ==, "Paused · 5 new entries");

  /* A filter while paused still waits for the resume */
  ct_log_view_set_filter_text (view, "while");
  g_assert_cmpuint (n_shown (view), ==, 200);
  ct_log_view_set_filter_text (view, NULL);

  /* Resume: everything, following the newest */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "log.pause", NULL));
  g_assert_false (ct_log_view_get_paused (view));
  g_assert_null (ct_log_view_get_pending_text (view));
  g_assert_true (ct_log_view_get_model (view) == G_LIST_MODEL (log));
  g_assert_cmpuint (n_shown (view), ==, 205);
  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (ct_log_view_get_column_view (view)));
  CT_TEST_WAIT_UNTIL (gtk_adjustment_get_upper (adjustment) > gtk_adjustment_get_page_size (adjustment) &&
                      gtk_adjustment_get_value (adjustment) >=
                      gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment) - 2);

  close_window (window);
}

static void
collect_labels (GtkWidget  *widget,
                const char *css_class,
                GPtrArray  *texts)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, css_class))
    g_ptr_array_add (texts, g_strdup (gtk_label_get_text (GTK_LABEL (widget))));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    collect_labels (child, css_class, texts);
}

static gboolean
has_label_text (GPtrArray  *texts,
                const char *text)
{
  for (guint i = 0; i < texts->len; i++)
    if (g_str_equal (texts->pdata[i], text))
      return TRUE;
  return FALSE;
}

static void
test_log_view_latency (void)
{
  CtWindow *window = open_window ();
  CtLogView *view = udp_server_log_view (window, NULL, NULL);
  CtMessageLog *log = ct_log_view_get_log (view);
  gint64 now = g_get_real_time ();
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *meta = NULL;

  {
    g_autofree char *none = ct_format_latency (-1);
    g_assert_cmpstr (none, ==, "");
  }
  {
    g_autofree char *us = ct_format_latency (850);
    g_autofree char *ms = ct_format_latency (1200);
    g_autofree char *s = ct_format_latency (12 * G_USEC_PER_SEC);
    g_assert_cmpstr (us, ==, "850 µs");
    g_assert_cmpstr (ms, ==, "1.2 ms");
    g_assert_cmpstr (s, ==, "12.00 s");
  }

  /* A request and its reply 1.2 ms later */
  append_entry (log, CT_DIRECTION_IN, "127.0.0.1:7001", "request", 7, now);
  append_entry (log, CT_DIRECTION_OUT, "127.0.0.1:7001", "reply", 7, now + 1200);
  ct_message_log_flush (log);
  settle ();

  collect_labels (GTK_WIDGET (ct_log_view_get_column_view (view)), "latency", texts);
  g_assert_true (has_label_text (texts, "1.2 ms"));
  /* The request has none */
  g_assert_true (has_label_text (texts, ""));

  ct_log_view_select (view, 1);
  meta = ct_log_view_get_detail_text (view, "meta");
  g_assert_nonnull (strstr (meta, "Latency: 1.2 ms (1200 µs)"));
  g_assert_nonnull (strstr (meta, "Exchange: 7"));

  close_window (window);
}

static void
test_log_view_detail (void)
{
  CtWindow *window = open_window ();
  CtLogView *view = udp_server_log_view (window, NULL, NULL);
  CtMessageLog *log = ct_log_view_get_log (view);
  static const guint8 binary[] = { 0x00, 0xff, 0x41, 0x10 };
  g_autofree char *json = NULL;
  g_autofree char *text = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *meta = NULL;

  append_entry (log, CT_DIRECTION_IN, "127.0.0.1:7001", "{\"id\":1,\"method\":\"ping\"}", 0, 0);
  append_binary (log, CT_DIRECTION_IN, binary, sizeof binary);
  append_entry (log, CT_DIRECTION_IN, "127.0.0.1:7001", "plain words", 0, 0);

  /* JSON, indented */
  ct_log_view_select (view, 0);
  json = ct_log_view_get_detail_text (view, "json");
  g_assert_nonnull (json);
  g_assert_nonnull (strstr (json, "\n  \"method\" : \"ping\""));
  hex = ct_log_view_get_detail_text (view, "hex");
  g_assert_true (g_str_has_prefix (hex, "00000000  7b 22 69 64"));
  meta = ct_log_view_get_detail_text (view, "meta");
  g_assert_nonnull (strstr (meta, "Peer: 127.0.0.1:7001"));
  g_assert_nonnull (strstr (meta, "Direction: in"));
  g_clear_pointer (&hex, g_free);

  /* Bytes: offset, hex and ASCII */
  ct_log_view_select (view, 1);
  g_assert_null (ct_log_view_get_detail_text (view, "json"));
  hex = ct_log_view_get_detail_text (view, "hex");
  g_assert_nonnull (strstr (hex, "00000000  00 ff 41 10"));
  g_assert_nonnull (strstr (hex, "|..A.|"));

  /* Text as it came */
  ct_log_view_select (view, 2);
  text = ct_log_view_get_detail_text (view, "text");
  g_assert_cmpstr (text, ==, "plain words");

  close_window (window);
}

static void
read_text_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **text = user_data;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, NULL);
  if (*text == NULL)
    *text = g_strdup ("");
}

static char *
read_clipboard (GtkWidget *widget)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, read_text_cb, &text);
  CT_TEST_WAIT_UNTIL (text != NULL);
  return text;
}

static void
test_log_view_copy (void)
{
  CtWindow *window = open_window ();
  CtLogView *view = udp_server_log_view (window, NULL, NULL);
  CtMessageLog *log = ct_log_view_get_log (view);
  g_autofree char *copied = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *time = NULL;

  append_entry (log, CT_DIRECTION_IN, "127.0.0.1:7001", "copy me", 0, 0);
  ct_message_log_flush (log);

  ct_log_view_select (view, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "log.copy", NULL));
  copied = read_clipboard (GTK_WIDGET (view));
  time = ct_message_format_time (ct_log_view_get_selected (view), FALSE);
  expected = g_strdup_printf ("%s\tin\t127.0.0.1:7001\t7 bytes\tcopy me", time);
  g_assert_cmpstr (copied, ==, expected);
  g_clear_pointer (&copied, g_free);

  /* Ctrl+C on the list does the same: the list's shortcut names log.copy */
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (view)), "something else");
  {
    GtkWidget *column_view = GTK_WIDGET (ct_log_view_get_column_view (view));
    GListModel *controllers = gtk_widget_observe_controllers (column_view);
    gboolean found = FALSE;

    for (guint i = 0; i < g_list_model_get_n_items (controllers) && !found; i++)
      {
        g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

        if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
          continue;
        for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)) && !found; j++)
          {
            g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
            GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);

            if (GTK_IS_NAMED_ACTION (action) &&
                g_str_equal (gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)), "log.copy"))
              {
                found = TRUE;
                g_assert_true (gtk_shortcut_action_activate (action, 0, column_view, NULL));
              }
          }
      }
    g_object_unref (controllers);
    g_assert_true (found);
  }
  copied = read_clipboard (GTK_WIDGET (view));
  g_assert_cmpstr (copied, ==, expected);

  close_window (window);
}

static void
test_log_view_resend (void)
{
  CtWindow *window = open_window ();
  CtEndpointPane *server_pane, *client_pane;
  CtLogView *view = udp_server_log_view (window, &server_pane, &client_pane);
  CtMessageLog *log = ct_log_view_get_log (view);
  CtEndpoint *client = ct_endpoint_pane_get_endpoint (client_pane);
  CtLogView *client_view = ct_endpoint_pane_get_log_view (client_pane);
  static const guint8 binary[] = { 0x00, 0xff, 0x10 };
  int format;

  append_entry (log, CT_DIRECTION_IN, "127.0.0.1:7001", "hello again", 0, 0);
  append_binary (log, CT_DIRECTION_IN, binary, sizeof binary);
  append_entry (log, CT_DIRECTION_INFO, NULL, "listening", 0, 0);
  ct_message_log_flush (log);

  /* A text payload from the server's log into the client's composer */
  g_object_set (client, "format", CT_PAYLOAD_FORMAT_HEX, NULL);
  ct_log_view_select (view, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "log.resend", NULL));
  g_assert_cmpstr (ct_endpoint_pane_get_composer_text (client_pane), ==, "hello again");
  g_object_get (client, "format", &format, NULL);
  g_assert_cmpint (format, ==, CT_PAYLOAD_FORMAT_TEXT);

  /* Bytes as hex, the client reading hex */
  ct_log_view_select (view, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "log.resend", NULL));
  g_assert_cmpstr (ct_endpoint_pane_get_composer_text (client_pane), ==, "00 ff 10");
  g_object_get (client, "format", &format, NULL);
  g_assert_cmpint (format, ==, CT_PAYLOAD_FORMAT_HEX);

  /* An event has nothing to resend */
  ct_log_view_select (view, 2);
  g_assert_false (gtk_widget_is_sensitive (find_button (GTK_WIDGET (view), "_Resend")));
  gtk_widget_activate_action (GTK_WIDGET (view), "log.resend", NULL);
  g_assert_cmpstr (ct_endpoint_pane_get_composer_text (client_pane), ==, "00 ff 10");

  /* The client's own log, by Ctrl+Shift+R through the pane */
  g_object_set (client, "format", CT_PAYLOAD_FORMAT_TEXT, NULL);
  append_entry (ct_log_view_get_log (client_view), CT_DIRECTION_OUT, "127.0.0.1:7001", "sent before", 0, 0);
  ct_log_view_select (client_view, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (client_view), "log.resend", NULL));
  g_assert_cmpstr (ct_endpoint_pane_get_composer_text (client_pane), ==, "sent before");

  close_window (window);
}

static char *
wait_for_lines (GFile *file,
                guint  n_lines)
{
  char *contents = NULL;
  gint64 end = g_get_monotonic_time () + CT_TEST_TIMEOUT_S * G_USEC_PER_SEC;

  for (;;)
    {
      gsize length;

      g_clear_pointer (&contents, g_free);
      if (g_file_load_contents (file, NULL, &contents, &length, NULL, NULL))
        {
          guint n = 0;

          for (gsize i = 0; i < length; i++)
            n += contents[i] == '\n';
          if (n >= n_lines && length > 0 && contents[length - 1] == '\n')
            return contents;
        }
      if (g_get_monotonic_time () > end)
        g_error ("timed out waiting for %u lines in %s", n_lines, g_file_peek_path (file));
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
test_log_view_export_and_open (void)
{
  CtWindow *window = open_window ();
  CtEndpointPane *server_pane;
  CtLogView *view = udp_server_log_view (window, &server_pane, NULL);
  CtMessageLog *log = ct_log_view_get_log (view);
  g_autofree char *dir = g_dir_make_tmp ("ct-test-window-XXXXXX", NULL);
  g_autofree char *csv_path = g_build_filename (dir, "log.csv", NULL);
  g_autofree char *jsonl_path = g_build_filename (dir, "log.jsonl", NULL);
  g_autoptr(GFile) csv = g_file_new_for_path (csv_path);
  g_autoptr(GFile) jsonl = g_file_new_for_path (jsonl_path);
  static const guint8 binary[] = { 0x00, 0xff, 0x10 };
  g_autofree char *contents = NULL;
  CtLogWindow *log_window;
  CtLogView *opened;
  guint n;

  append_entry (log, CT_DIRECTION_INFO, NULL, "listening", 0, 0);
  append_entry (log, CT_DIRECTION_IN, "127.0.0.1:7001", "one, \"quoted\"", 3, 0);
  append_entry (log, CT_DIRECTION_OUT, "127.0.0.1:7001", "two", 3, 0);
  append_binary (log, CT_DIRECTION_IN, binary, sizeof binary);
  ct_message_log_flush (log);
  n = g_list_model_get_n_items (G_LIST_MODEL (log));

  /* CSV: a header and a line per entry */
  ct_endpoint_pane_export (server_pane, csv, CT_EXPORT_CSV);
  contents = wait_for_lines (csv, n + 1);
  g_assert_true (g_str_has_prefix (contents, "time,protocol,role,direction"));
  g_assert_nonnull (strstr (contents, ",udp,server,in,"));
  g_clear_pointer (&contents, g_free);

  /* JSON Lines, opened again in a window of its own */
  ct_endpoint_pane_export (server_pane, jsonl, CT_EXPORT_JSON_LINES);
  g_free (wait_for_lines (jsonl, n));
  log_window = ct_window_open_log (window, jsonl);
  CT_TEST_WAIT_UNTIL (!ct_log_window_is_loading (log_window));
  g_assert_null (ct_log_window_get_error (log_window));
  opened = ct_log_window_get_log_view (log_window);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ct_log_view_get_log (opened))), ==, n);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (log_window)), ==, "log.jsonl");
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CtMessage) a = g_list_model_get_item (G_LIST_MODEL (log), i);
      g_autoptr(CtMessage) b = g_list_model_get_item (G_LIST_MODEL (ct_log_view_get_log (opened)), i);
      gsize size_a, size_b;
      const guint8 *data_a = ct_message_get_data (a, &size_a);
      const guint8 *data_b = ct_message_get_data (b, &size_b);

      g_assert_cmpint (ct_message_get_direction (a), ==, ct_message_get_direction (b));
      g_assert_cmpmem (data_a, size_a, data_b, size_b);
    }

  /* Read-only: no endpoint to resend to; filtering works as anywhere */
  ct_log_view_select (opened, 1);
  g_assert_false (gtk_widget_get_visible (find_button (GTK_WIDGET (opened), "_Resend")));
  ct_log_view_set_filter_text (opened, "two");
  g_assert_cmpuint (n_shown (opened), ==, 1);

  /* A file that is not a log says so */
  {
    g_autofree char *bad_path = g_build_filename (dir, "bad.jsonl", NULL);
    g_autoptr(GFile) bad = g_file_new_for_path (bad_path);
    CtLogWindow *bad_window;

    g_assert_true (g_file_set_contents (bad_path, "this is not JSON\n", -1, NULL));
    bad_window = ct_window_open_log (window, bad);
    CT_TEST_WAIT_UNTIL (!ct_log_window_is_loading (bad_window));
    g_assert_nonnull (ct_log_window_get_error (bad_window));
    gtk_window_destroy (GTK_WINDOW (bad_window));
    g_unlink (bad_path);
  }

  gtk_window_destroy (GTK_WINDOW (log_window));
  g_unlink (csv_path);
  g_unlink (jsonl_path);
  g_rmdir (dir);
  close_window (window);
}

static void
test_log_view_stats (void)
{
  CtWindow *window = open_window ();
  CtLogView *view = udp_server_log_view (window, NULL, NULL);
  CtMessageLog *log = ct_log_view_get_log (view);
  CtLogStatsView *stats = ct_log_view_get_stats_view (view);
  gint64 now = g_get_real_time ();
  guint updates;
  gint64 end;

  append_entry (log, CT_DIRECTION_IN, "127.0.0.1:7001", "request", 9, now);
  append_entry (log, CT_DIRECTION_OUT, "127.0.0.1:7001", "reply", 9, now + 2000);
  append_entry (log, CT_DIRECTION_IN, "127.0.0.1:7001", "more", 0, now);
  ct_message_log_flush (log);

  /* Ctrl+I opens the popover; it shows the figures at once */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "log.show-stats", NULL));
  CT_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (stats)));
  CT_TEST_WAIT_UNTIL (({ g_autofree char *t = ct_log_stats_view_dup_text (stats);
                         g_str_has_prefix (t, "in 2 ") && strstr (t, "\nout 1 ") != NULL; }));

  /* A flood of changes redraws a few times a second, no more */
  updates = ct_log_stats_view_get_n_updates (stats);
  end = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end)
    {
      for (guint i = 0; i < 200; i++)
        append_entry (log, CT_DIRECTION_IN, "127.0.0.1:7001", "flood", 0, 0);
      g_main_context_iteration (NULL, FALSE);
    }
  g_assert_cmpuint (ct_log_stats_view_get_n_updates (stats) - updates, <=, 2 * 4 + 2);
  g_assert_cmpuint (ct_log_stats_view_get_n_updates (stats) - updates, >=, 2);

  gtk_popover_popdown (GTK_POPOVER (gtk_widget_get_ancestor (GTK_WIDGET (stats), GTK_TYPE_POPOVER)));
  settle ();
  close_window (window);
}

/* A flood of appends into the log on screen: the window keeps answering */
typedef struct
{
  CtLogView    *view;
  CtMessageLog *log;
  guint         appended;
  guint         probes;
  guint         answers;
  gint64        probe_time;
  gint64        worst;
  gint64        worst_filter;
  gboolean      probe_bound;
  guint         paints;
  guint         append_source;
  gint64        append_time;
  gboolean      done;
} Flood;

#define FLOOD_ENTRIES 200000
#define FLOOD_CHUNK   2000
#define FLOOD_GAP_MS  5
#define FLOOD_BOUND_US (1 * G_USEC_PER_SEC)

/* A chunk of entries, then again after a pause as long as it took (and at
 * least FLOOD_GAP_MS): as a socket source of the main loop delivers a
 * flood, at the default priority but not all the time (a source that never
 * stops being ready starves every lower priority: a test of GLib rather
 * than of the window). Under ASan that is still about 100,000 entries a
 * second. */
static gboolean
flood_append (gpointer data)
{
  Flood *flood = data;
  gint64 chunk_start = g_get_monotonic_time ();
  guint gap;

  for (guint i = 0; i < FLOOD_CHUNK && flood->appended < FLOOD_ENTRIES; i++, flood->appended++)
    {
      char text[32];

      g_snprintf (text, sizeof text, "flood %u", flood->appended);
      append_entry (flood->log, flood->appended % 2 ? CT_DIRECTION_OUT : CT_DIRECTION_IN,
                    "127.0.0.1:7001", text, 0, 0);
    }
  if (flood->appended % 20000 == 0)
    g_test_message ("%u appended, %u probes, %u answered", flood->appended, flood->probes, flood->answers);
  gap = MAX (FLOOD_GAP_MS, (g_get_monotonic_time () - chunk_start) / 1000);
  flood->append_time += g_get_monotonic_time () - chunk_start;
  if (flood->appended < FLOOD_ENTRIES)
    flood->append_source = g_timeout_add (gap, flood_append, flood);
  else
    {
      flood->append_source = 0;
      flood->done = TRUE;
    }
  return G_SOURCE_REMOVE;
}

static gboolean
flood_answered (gpointer data)
{
  Flood *flood = data;

  gint64 took = g_get_monotonic_time () - flood->probe_time;

  if (flood->probe_bound)
    flood->worst = MAX (flood->worst, took);
  else
    flood->worst_filter = MAX (flood->worst_filter, took);
  g_test_message ("probe %u (%u entries) answered in %.0f ms", flood->probes - 1, flood->appended,
                  took / 1000.0);
  flood->answers++;
  return G_SOURCE_REMOVE;
}

/* A person using the window meanwhile: select the newest entry and copy
 * it, pause, resume; each answered (the main loop down to its lowest
 * priority) within the bound. Filtering is timed too but not bound: turning
 * a filter on or off replaces every row of the list, which costs the same
 * with or without a flood (and is slow under this test's slow ASan unwinding
 * on every allocation), so it is reported rather than asserted. */
static gboolean
flood_probe (gpointer data)
{
  Flood *flood = data;
  guint n;

  if (flood->answers < flood->probes)
    return G_SOURCE_CONTINUE;   /* the last one is still waiting */
  if (flood->done)
    return G_SOURCE_REMOVE;

  flood->probe_time = g_get_monotonic_time ();
  flood->probe_bound = TRUE;
  switch (flood->probes % 8)
    {
    case 1:
    case 3:
      gtk_widget_activate_action (GTK_WIDGET (flood->view), "log.pause", NULL);
      break;

    case 5:
    case 7:
      /* Filtered while the flood goes on: the matches keep coming */
      ct_log_view_set_filter_text (flood->view, flood->probes % 8 == 5 ? "flood 1" : NULL);
      flood->probe_bound = FALSE;
      break;

    default:
      n = g_list_model_get_n_items (ct_log_view_get_model (flood->view));
      if (n > 0)
        ct_log_view_select (flood->view, n - 1);
      gtk_widget_activate_action (GTK_WIDGET (flood->view), "log.copy", NULL);
      break;
    }
  flood->probes++;
  g_idle_add_full (G_PRIORITY_LOW, flood_answered, flood, NULL);
  return G_SOURCE_CONTINUE;
}

static void
on_after_paint (GdkFrameClock *clock,
                Flood         *flood)
{
  flood->paints++;
}

static void
test_log_view_flood (void)
{
  CtWindow *window = open_window ();
  Flood flood = { 0 };
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  gulong paint_handler;
  guint probe_source;
  gint64 start = g_get_monotonic_time ();

  flood.view = udp_server_log_view (window, NULL, NULL);
  flood.log = ct_log_view_get_log (flood.view);
  paint_handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &flood);
  settle ();

  flood.append_source = g_timeout_add (FLOOD_GAP_MS, flood_append, &flood);
  probe_source = g_timeout_add (100, flood_probe, &flood);
  WAIT_UNTIL_S (flood.done && flood.answers == flood.probes, 120);
  g_source_remove (probe_source);
  g_test_message ("%u entries in %.1f s (%.1f s appending); %u probes, the slowest answered in %.0f ms "
                  "(filtering: %.0f ms); %u frames painted",
                  FLOOD_ENTRIES, (g_get_monotonic_time () - start) / 1e6, flood.append_time / 1e6, flood.probes,
                  flood.worst / 1000.0, flood.worst_filter / 1000.0, flood.paints);

  g_assert_cmpuint (flood.probes, >=, 8);
  g_assert_cmpint (flood.worst, <, FLOOD_BOUND_US);
  /* The list went on being drawn */
  g_assert_cmpuint (flood.paints, >=, 5);

  /* Whatever the probes left, all of it is there */
  ct_log_view_set_paused (flood.view, FALSE);
  ct_log_view_set_filter_text (flood.view, NULL);
  ct_message_log_flush (flood.log);
  g_assert_cmpuint (g_list_model_get_n_items (ct_log_view_get_model (flood.view)), >=, FLOOD_ENTRIES);

  g_signal_handler_disconnect (clock, paint_handler);
  close_window (window);
}

static CtApplication *
test_application (void)
{
  static CtApplication *app;

  if (app == NULL)
    {
      g_autoptr(GError) error = NULL;

      app = ct_application_new ();
      g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
      g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
      g_assert_no_error (error);
    }
  return app;
}

static CtWindow *
open_app_window (int width)
{
  CtWindow *window = ct_window_new (GTK_APPLICATION (test_application ()));

  gtk_window_set_default_size (GTK_WINDOW (window), width, 900);
  ct_window_show_page (window, "amqp");
  gtk_window_present (GTK_WINDOW (window));
  CT_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (window)));
  return window;
}

/* Whether a process other than ours has @text in its command line */
static gboolean
process_with_argument (const char *text)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)))
    {
      g_autofree char *path = NULL;
      g_autofree char *cmdline = NULL;
      gsize length = 0;

      if (!g_ascii_isdigit (*name) || g_ascii_strtoll (name, NULL, 10) == getpid ())
        continue;
      path = g_build_filename ("/proc", name, "cmdline", NULL);
      if (!g_file_get_contents (path, &cmdline, &length, NULL))
        continue;
      for (gsize i = 0; i + 1 < length; i++)
        if (cmdline[i] == '\0')
          cmdline[i] = ' ';
      if (strstr (cmdline, text))
        return TRUE;
    }
  return FALSE;
}

/* Whether a child of this process is still there (an epmd, a server) */
static gboolean
has_child_process (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  g_autofree char *ppid = g_strdup_printf (" %d ", (int) getpid ());
  const char *name;

  while ((name = g_dir_read_name (dir)))
    {
      g_autofree char *path = NULL;
      g_autofree char *stat = NULL;
      const char *after_name;

      if (!g_ascii_isdigit (*name))
        continue;
      path = g_build_filename ("/proc", name, "stat", NULL);
      if (!g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      /* pid (comm) state ppid ... */
      after_name = strrchr (stat, ')');
      if (after_name && strncmp (after_name + 2 + 1, ppid, strlen (ppid)) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The broker's directory, which its Erlang VM has in its command line
 * (as its home) */
static char *
broker_short_name (CtBroker *broker)
{
  return g_path_get_dirname (ct_broker_get_log_path (broker));
}

static gboolean
label_in (GtkWidget  *widget,
          const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      strstr (gtk_label_get_text (GTK_LABEL (widget)), text))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    if (label_in (child, text))
      return TRUE;
  return FALSE;
}

/* The bar starts and stops the application's broker, shows its URL and its
 * log, and points the page's endpoints at it */
static void
test_amqp_broker_bar (void)
{
  CtWindow *window;
  CtBrokerBar *bar;
  CtBroker *broker;
  g_autofree char *short_name = NULL;
  GtkWindow *log_window = NULL;
  g_autoptr(GError) error = NULL;

  if (!ct_broker_is_installed (&error))
    {
      g_test_skip (error->message);
      return;
    }

  window = open_app_window (1400);
  bar = ct_window_get_broker_bar (window);
  g_assert_nonnull (bar);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (bar)));
  broker = ct_broker_bar_get_broker (bar);
  g_assert_true (broker == ct_application_get_broker (test_application ()));
  g_assert_cmpint (ct_broker_get_state (broker), ==, CT_STATE_STOPPED);
  g_assert_nonnull (find_button (GTK_WIDGET (bar), "Start Local _Broker"));
  g_assert_true (gtk_widget_is_sensitive (find_button (GTK_WIDGET (bar), "Start Local _Broker")));
  short_name = broker_short_name (broker);

  /* Start Local Broker: running, its URL shown */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (bar), "broker.toggle", NULL));
  g_assert_cmpint (ct_broker_get_state (broker), ==, CT_STATE_STARTING);
  g_assert_nonnull (find_button (GTK_WIDGET (bar), "Stop Local _Broker"));
  WAIT_UNTIL_S (ct_broker_get_state (broker) != CT_STATE_STARTING, BROKER_TIMEOUT_S);
  g_assert_cmpint (ct_broker_get_state (broker), ==, CT_STATE_RUNNING);
  g_assert_true (g_str_has_prefix (ct_broker_get_url (broker), "amqp://"));
  g_assert_true (label_in (GTK_WIDGET (bar), ct_broker_get_url (broker)));
  g_assert_true (process_with_argument (short_name));

  /* Copy URL */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (bar), "broker.copy-url", NULL));

  /* View Log: read without blocking, shown */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (bar), "broker.view-log", NULL));
  for (GList *l = gtk_window_list_toplevels (); l; l = g_list_delete_link (l, l))
    if (CT_IS_BROKER_LOG_WINDOW (l->data))
      log_window = l->data;
  g_assert_nonnull (log_window);
  CT_TEST_WAIT_UNTIL (!ct_broker_log_window_is_loading (CT_BROKER_LOG_WINDOW (log_window)));
  g_assert_nonnull (strstr (ct_broker_log_window_get_text (CT_BROKER_LOG_WINDOW (log_window)), "RabbitMQ"));
  ct_broker_log_window_refresh (CT_BROKER_LOG_WINDOW (log_window));
  g_assert_true (ct_broker_log_window_is_loading (CT_BROKER_LOG_WINDOW (log_window)));
  CT_TEST_WAIT_UNTIL (!ct_broker_log_window_is_loading (CT_BROKER_LOG_WINDOW (log_window)));
  gtk_window_destroy (log_window);

  /* Stop Local Broker: stopped by the API, nothing left running */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (bar), "broker.toggle", NULL));
  WAIT_UNTIL_S (ct_broker_get_state (broker) == CT_STATE_STOPPED, 30);
  g_assert_nonnull (find_button (GTK_WIDGET (bar), "Start Local _Broker"));
  CT_TEST_WAIT_UNTIL (!process_with_argument (short_name) && !has_child_process ());

  close_window (window);
}

/* The settings row of @pane for the setting @name */
static GtkWidget *
find_setting_row (GtkWidget  *widget,
                  const char *name)
{
  if (ADW_IS_PREFERENCES_ROW (widget) && g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_setting_row (child, name);

      if (found)
        return found;
    }
  return NULL;
}

/* The first entry of @log with @event and @direction, or -1 */
static int
log_find_event (CtMessageLog *log,
                CtDirection   direction,
                const char   *event)
{
  ct_message_log_flush (log);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (log)); i++)
    {
      g_autoptr(CtMessage) message = g_list_model_get_item (G_LIST_MODEL (log), i);

      if (ct_message_get_direction (message) == direction && g_strcmp0 (ct_message_get_event (message), event) == 0)
        return (int) i;
    }
  return -1;
}

/* The RabbitMQ page as a person uses it: the local broker started from the
 * bar, both panes pointed at it, a message from the producer's composer
 * delivered to the consumer and acked from its log, everything stopped */
static void
test_amqp_round_trip (void)
{
  const char *text = "hello from the producer pane";
  g_autoptr(GError) error = NULL;
  g_autofree char *home = NULL;
  g_autofree char *consumer_url = NULL;
  g_autofree char *producer_url = NULL;
  CtWindow *window;
  CtProtocolPage *page;
  CtBrokerBar *bar;
  CtBroker *broker;
  CtEndpointPane *consumer_pane, *producer_pane;
  CtEndpoint *consumer, *producer;
  CtLogView *consumer_view;
  GtkWidget *ack_button;
  int delivery;

  if (!ct_broker_is_installed (&error))
    {
      g_test_skip (error->message);
      return;
    }

  window = open_app_window (1400);
  page = ct_window_get_page (window, "amqp");
  g_assert_nonnull (page);
  bar = ct_window_get_broker_bar (window);
  broker = ct_broker_bar_get_broker (bar);
  consumer_pane = ct_protocol_page_get_server_pane (page);
  producer_pane = ct_protocol_page_get_client_pane (page);
  consumer = ct_endpoint_pane_get_endpoint (consumer_pane);
  producer = ct_endpoint_pane_get_endpoint (producer_pane);
  g_assert_true (CT_IS_AMQP_CONSUMER (consumer));
  g_assert_true (CT_IS_AMQP_PRODUCER (producer));
  g_assert_cmpstr (ct_endpoint_pane_get_title (consumer_pane), ==, "Consumer");
  g_assert_cmpstr (ct_endpoint_pane_get_title (producer_pane), ==, "Producer");
  home = broker_short_name (broker);

  /* Deliveries wait for Ack */
  g_object_set (consumer, "ack-mode", CT_AMQP_ACK_MODE_MANUAL, NULL);

  /* Start Local Broker: both panes are pointed at it */
  gtk_widget_activate_action (GTK_WIDGET (bar), "broker.toggle", NULL);
  WAIT_UNTIL_S (ct_broker_get_state (broker) != CT_STATE_STARTING, BROKER_TIMEOUT_S);
  g_assert_cmpint (ct_broker_get_state (broker), ==, CT_STATE_RUNNING);
  g_object_get (consumer, "url", &consumer_url, NULL);
  g_object_get (producer, "url", &producer_url, NULL);
  g_assert_cmpstr (consumer_url, ==, ct_broker_get_url (broker));
  g_assert_cmpstr (producer_url, ==, ct_broker_get_url (broker));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_setting_row (GTK_WIDGET (consumer_pane), "url"))),
                   ==, ct_broker_get_url (broker));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_setting_row (GTK_WIDGET (producer_pane), "url"))),
                   ==, ct_broker_get_url (broker));

  /* Start the consumer, connect the producer */
  gtk_widget_activate_action (GTK_WIDGET (consumer_pane), "pane.toggle", NULL);
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (consumer) != CT_STATE_STARTING);
  g_assert_cmpint (ct_endpoint_get_state (consumer), ==, CT_STATE_RUNNING);
  gtk_widget_activate_action (GTK_WIDGET (producer_pane), "pane.toggle", NULL);
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (producer) != CT_STATE_STARTING);
  g_assert_cmpint (ct_endpoint_get_state (producer), ==, CT_STATE_RUNNING);

  /* Send from the producer's composer: the consumer gets it */
  ct_endpoint_pane_set_composer_text (producer_pane, text);
  gtk_widget_activate_action (GTK_WIDGET (producer_pane), "pane.send", NULL);
  CT_TEST_WAIT_UNTIL (ct_test_log_find (ct_endpoint_get_log (consumer), CT_DIRECTION_IN, text) >= 0);
  delivery = ct_test_log_find (ct_endpoint_get_log (consumer), CT_DIRECTION_IN, text);

  /* Select the delivery in the consumer's log and click Ack */
  consumer_view = ct_endpoint_pane_get_log_view (consumer_pane);
  ack_button = find_button (GTK_WIDGET (consumer_view), "_Ack");
  g_assert_nonnull (ack_button);
  g_assert_nonnull (find_button (GTK_WIDGET (consumer_view), "_Nack"));
  g_assert_nonnull (find_button (GTK_WIDGET (consumer_view), "_Reject"));
  g_assert_false (gtk_widget_get_sensitive (ack_button));
  ct_log_view_select (consumer_view, (guint) delivery);
  g_assert_true (gtk_widget_get_sensitive (ack_button));
  g_assert_true (gtk_widget_get_mapped (ack_button));
  g_assert_cmpint (log_find_event (ct_endpoint_get_log (consumer), CT_DIRECTION_OUT, "ack"), <, 0);
  g_signal_emit_by_name (ack_button, "clicked");

  /* An ack entry; the delivery is settled and takes no more */
  CT_TEST_WAIT_UNTIL (log_find_event (ct_endpoint_get_log (consumer), CT_DIRECTION_OUT, "ack") >= 0);
  CT_TEST_WAIT_UNTIL (!gtk_widget_get_sensitive (ack_button));
  g_assert_false (gtk_widget_get_sensitive (find_button (GTK_WIDGET (consumer_view), "_Reject")));
  g_assert_cmpuint (ct_test_log_count (ct_endpoint_get_log (consumer), CT_DIRECTION_ERROR), ==, 0);
  g_assert_cmpuint (ct_test_log_count (ct_endpoint_get_log (producer), CT_DIRECTION_ERROR), ==, 0);

  /* Stop everything: the panes, then the broker */
  gtk_widget_activate_action (GTK_WIDGET (producer_pane), "pane.toggle", NULL);
  gtk_widget_activate_action (GTK_WIDGET (consumer_pane), "pane.toggle", NULL);
  CT_TEST_WAIT_UNTIL (ct_endpoint_get_state (producer) == CT_STATE_STOPPED &&
                      ct_endpoint_get_state (consumer) == CT_STATE_STOPPED);
  gtk_widget_activate_action (GTK_WIDGET (bar), "broker.toggle", NULL);
  WAIT_UNTIL_S (ct_broker_get_state (broker) == CT_STATE_STOPPED, 30);
  CT_TEST_WAIT_UNTIL (!process_with_argument (home) && !has_child_process ());

  close_window (window);
}

/* The last window going stops the broker, and the application waits for it */
static void
test_amqp_quit_stops_broker (void)
{
  CtWindow *window;
  CtBroker *broker;
  g_autofree char *short_name = NULL;
  g_autoptr(GError) error = NULL;

  if (!ct_broker_is_installed (&error))
    {
      g_test_skip (error->message);
      return;
    }

  window = open_app_window (1400);
  broker = ct_application_get_broker (test_application ());
  short_name = broker_short_name (broker);
  gtk_widget_activate_action (GTK_WIDGET (ct_window_get_broker_bar (window)), "broker.toggle", NULL);
  WAIT_UNTIL_S (ct_broker_get_state (broker) != CT_STATE_STARTING, BROKER_TIMEOUT_S);
  g_assert_cmpint (ct_broker_get_state (broker), ==, CT_STATE_RUNNING);

  /* Closing the window is quitting: the broker is being stopped */
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_cmpint (ct_broker_get_state (broker), ==, CT_STATE_STOPPING);
  WAIT_UNTIL_S (ct_broker_get_state (broker) == CT_STATE_STOPPED, 30);
  CT_TEST_WAIT_UNTIL (!process_with_argument (short_name) && !has_child_process ());
}

/* Without rabbitmq-server the bar says how to install it, and Start is off */
static void
test_amqp_broker_not_installed (void)
{
  g_autofree char *path = g_strdup (g_getenv ("PATH"));
  g_autofree char *empty = g_dir_make_tmp ("ct-no-epmd-XXXXXX", NULL);
  CtWindow *window;
  CtBrokerBar *bar;

  /* No epmd on the way */
  g_setenv ("PATH", empty, TRUE);
  window = open_app_window (800);
  bar = ct_window_get_broker_bar (window);
  g_assert_nonnull (bar);
  g_assert_true (label_in (GTK_WIDGET (bar), "Not Installed"));
  g_assert_true (label_in (GTK_WIDGET (bar), "apt install rabbitmq-server"));
  g_assert_false (gtk_widget_is_sensitive (find_button (GTK_WIDGET (bar), "Start Local _Broker")));
  gtk_widget_activate_action (GTK_WIDGET (bar), "broker.toggle", NULL);
  g_assert_cmpint (ct_broker_get_state (ct_broker_bar_get_broker (bar)), ==, CT_STATE_STOPPED);

  g_setenv ("PATH", path, TRUE);
  g_rmdir (empty);
  close_window (window);
}

/* A window without a CtApplication (as the other tests open) has no broker
 * to show: no bar */
static void
test_amqp_broker_bar_needs_application (void)
{
  CtWindow *window = open_window ();
  CtBrokerBar *bar = ct_window_get_broker_bar (window);

  if (bar)
    {
      g_assert_null (ct_broker_bar_get_broker (bar));
      g_assert_false (gtk_widget_get_visible (GTK_WIDGET (bar)));
    }
  close_window (window);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *cache = g_dir_make_tmp ("ct-window-cache-XXXXXX", NULL);
  int status;

  /* The application's broker keeps its data in the cache directory */
  g_assert_nonnull (cache);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ct/window/pages", test_pages);
  g_test_add_func ("/ct/window/udp-round-trip", test_udp_round_trip);
  g_test_add_func ("/ct/window/tcp-round-trip", test_tcp_round_trip);
  g_test_add_func ("/ct/window/jsonrpc-round-trip", test_jsonrpc_round_trip);
  g_test_add_func ("/ct/window/rest-round-trip", test_rest_round_trip);
  g_test_add_func ("/ct/window/start-failure", test_start_failure_shows_in_pane);
  g_test_add_func ("/ct/window/narrow", test_narrow_stacks_panes);
  g_test_add_func ("/ct/window/multi-client/add-remove", test_multi_client_add_remove);
  g_test_add_func ("/ct/window/multi-client/narrow", test_multi_client_narrow);
  g_test_add_func ("/ct/window/multi-client/nicks", test_multi_client_nicks);
  g_test_add_func ("/ct/window/multi-client/demo", test_multi_client_demo);
  g_test_add_func ("/ct/window/connection-names", test_connection_list_names);
  g_test_add_func ("/ct/window/chat", test_chat_page);
  g_test_add_func ("/ct/window/log-view/message-commands", test_log_view_message_commands);
  g_test_add_func ("/ct/window/pane/reconnecting", test_pane_reconnecting);
  g_test_add_func ("/ct/window/log-view/fits-column", test_log_view_fits_column);
  g_test_add_func ("/ct/window/log-view/filter", test_log_view_filter);
  g_test_add_func ("/ct/window/log-view/pause", test_log_view_pause);
  g_test_add_func ("/ct/window/log-view/latency", test_log_view_latency);
  g_test_add_func ("/ct/window/log-view/detail", test_log_view_detail);
  g_test_add_func ("/ct/window/log-view/copy", test_log_view_copy);
  g_test_add_func ("/ct/window/log-view/resend", test_log_view_resend);
  g_test_add_func ("/ct/window/log-view/export-and-open", test_log_view_export_and_open);
  g_test_add_func ("/ct/window/log-view/stats", test_log_view_stats);
  g_test_add_func ("/ct/window/log-view/flood", test_log_view_flood);
  g_test_add_func ("/ct/window/file-tail", test_file_tail);
  g_test_add_func ("/ct/window/amqp/broker-bar-needs-application", test_amqp_broker_bar_needs_application);
  g_test_add_func ("/ct/window/amqp/broker-not-installed", test_amqp_broker_not_installed);
  g_test_add_func ("/ct/window/amqp/broker-bar", test_amqp_broker_bar);
  g_test_add_func ("/ct/window/amqp/round-trip", test_amqp_round_trip);
  g_test_add_func ("/ct/window/amqp/quit-stops-broker", test_amqp_quit_stops_broker);

  status = g_test_run ();

  {
    const char *rm[] = { "rm", "-rf", cache, NULL };

    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
  return status;
}
