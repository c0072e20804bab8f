/* test-window.c — the window as a person uses it, under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>

#include "ct-test-util.h"
#include "ct-connection-list.h"
#include "ct-window.h"

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
  /* All but RabbitMQ are built now; it is still a "coming" page */
  g_assert_nonnull (ct_window_get_page (window, "tcp"));
  g_assert_nonnull (ct_window_get_page (window, "jsonrpc"));
  g_assert_nonnull (ct_window_get_page (window, "rest"));
  g_assert_nonnull (ct_window_get_page (window, "chat"));
  g_assert_null (ct_window_get_page (window, "amqp"));
  ct_window_show_page (window, "amqp");
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

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ct/window/pages", test_pages);
  g_test_add_func ("/ct/window/udp-round-trip", test_udp_round_trip);
  g_test_add_func ("/ct/window/tcp-round-trip", test_tcp_round_trip);
  g_test_add_func ("/ct/window/jsonrpc-round-trip", test_jsonrpc_round_trip);
  g_test_add_func ("/ct/window/rest-round-trip", test_rest_round_trip);
  g_test_add_func ("/ct/window/start-failure", test_start_failure_shows_in_pane);
  g_test_add_func ("/ct/window/narrow", test_narrow_stacks_panes);

  return g_test_run ();
}
