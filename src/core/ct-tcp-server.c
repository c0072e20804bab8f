/* ct-tcp-server.c — a TCP server: many clients at once, each message logged,
 * echoed, broadcast to the others, or left for the user to answer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ct-tcp"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ct-enums.h"
#include "ct-error.h"
#include "ct-net.h"
#include "ct-payload.h"
#include "ct-tcp-connection.h"
#include "ct-tcp-server.h"

/* Connections accepted per main-loop dispatch before other sources run */
#define ACCEPT_BATCH   64
#define LISTEN_BACKLOG 1024

struct _CtTcpServer
{
  CtEndpoint  parent_instance;

  char       *host;
  guint       port;
  int         framing;           /* CtTcpFraming */
  int         mode;              /* CtTcpMode */
  int         format;            /* CtPayloadFormat */
  char       *reply_to;
  guint       max_frame_size;
  guint       max_connections;
  guint       idle_timeout;      /* seconds; 0 for none */

  GSocket    *listener;
  GSource    *accept_source;
  guint       accept_retry_id;
  guint       sweep_id;
  GPtrArray  *connections;       /* CtTcpConnection, in accept order */
  guint       next_id;
};

G_DEFINE_FINAL_TYPE (CtTcpServer, ct_tcp_server, CT_TYPE_ENDPOINT)

/* -- connections ---------------------------------------------------------- */

/* A copy to walk while sending or closing may remove connections */
static gpointer
ref_connection (gconstpointer connection,
                gpointer      unused)
{
  return g_object_ref ((gpointer) connection);
}

static GPtrArray *
snapshot (CtTcpServer *self)
{
  GPtrArray *copy = g_ptr_array_copy (self->connections, ref_connection, NULL);

  g_ptr_array_set_free_func (copy, g_object_unref);
  return copy;
}

static void
on_message (CtEndpoint      *endpoint,
            CtTcpConnection *connection,
            const guint8    *data,
            gsize            size)
{
  CtTcpServer *self = CT_TCP_SERVER (endpoint);

  switch ((CtTcpMode) self->mode)
    {
    case CT_TCP_MODE_ECHO:
      /* A failure closes the connection and says why in the log */
      ct_tcp_connection_send (connection, data, size, NULL);
      break;

    case CT_TCP_MODE_BROADCAST:
      {
        g_autoptr(GPtrArray) others = NULL;

        if (self->connections->len < 2)
          break;
        others = snapshot (self);
        for (guint i = 0; i < others->len; i++)
          if (others->pdata[i] != connection && ct_tcp_connection_is_open (others->pdata[i]))
            ct_tcp_connection_send (others->pdata[i], data, size, NULL);
      }
      break;

    case CT_TCP_MODE_MANUAL:
    default:
      break;
    }
}

/* In manual mode the user may still want to answer a peer that is done */
static gboolean
on_peer_finished (CtEndpoint      *endpoint,
                  CtTcpConnection *connection)
{
  return CT_TCP_SERVER (endpoint)->mode == CT_TCP_MODE_MANUAL;
}

static void
on_closed (CtEndpoint       *endpoint,
           CtTcpConnection  *connection,
           CtTcpCloseReason  reason)
{
  CtTcpServer *self = CT_TCP_SERVER (endpoint);

  ct_endpoint_remove_connection (endpoint, CT_CONNECTION (connection));
  g_ptr_array_remove (self->connections, connection);

  /* Replies to a connection that is gone go back to everyone */
  if (g_strcmp0 (self->reply_to, ct_connection_get_peer (CT_CONNECTION (connection))) == 0)
    g_object_set (self, "reply-to", "", NULL);
}

static const CtTcpConnectionFuncs connection_funcs = {
  .message = on_message,
  .peer_finished = on_peer_finished,
  .closed = on_closed,
};

static void
ct_tcp_server_close_connection (CtEndpoint   *endpoint,
                                CtConnection *connection)
{
  ct_tcp_connection_close (CT_TCP_CONNECTION (connection), CT_TCP_CLOSE_LOCAL, NULL);
}

/* Closes connections that have been quiet for longer than the idle timeout */
static gboolean
sweep_cb (gpointer user_data)
{
  CtTcpServer *self = user_data;
  g_autoptr(GPtrArray) idle = NULL;
  gint64 now, limit;

  if (self->idle_timeout == 0)
    return G_SOURCE_CONTINUE;

  now = g_get_monotonic_time ();
  limit = (gint64) self->idle_timeout * G_USEC_PER_SEC;
  idle = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < self->connections->len; i++)
    if (now - ct_tcp_connection_get_last_activity (self->connections->pdata[i]) >= limit)
      g_ptr_array_add (idle, g_object_ref (self->connections->pdata[i]));

  for (guint i = 0; i < idle->len; i++)
    ct_tcp_connection_close (idle->pdata[i], CT_TCP_CLOSE_IDLE, NULL);

  return G_SOURCE_CONTINUE;
}

/* -- accepting ------------------------------------------------------------ */

static gboolean accept_cb (GSocket *listener, GIOCondition condition, gpointer data);

static void
watch_listener (CtTcpServer *self)
{
  self->accept_source = g_socket_create_source (self->listener, G_IO_IN, NULL);
  g_source_set_callback (self->accept_source, G_SOURCE_FUNC (accept_cb), self, NULL);
  g_source_set_static_name (self->accept_source, "[crosstalk] tcp accept");
  g_source_attach (self->accept_source, g_main_context_get_thread_default ());
}

static gboolean
accept_retry_cb (gpointer user_data)
{
  CtTcpServer *self = user_data;

  self->accept_retry_id = 0;
  watch_listener (self);
  return G_SOURCE_REMOVE;
}

/* Out of file descriptors: the listener stays readable, so wait a second
 * instead of spinning on accept() */
static void
pause_accepting (CtTcpServer  *self,
                 const GError *io_error)
{
  g_autoptr(GError) error = NULL;

  g_source_destroy (self->accept_source);
  g_clear_pointer (&self->accept_source, g_source_unref);
  self->accept_retry_id = g_timeout_add_seconds (1, accept_retry_cb, self);

  error = g_error_new (CT_ERROR, CT_ERROR_BUSY,
                       _("Cannot accept more connections: %s. Trying again in a second; "
                         "lower “Maximum connections” or raise the open-file limit (ulimit -n)"),
                       io_error->message);
  ct_endpoint_report_error (CT_ENDPOINT (self), NULL, error);
}

static void
accept_one (CtTcpServer *self,
            GSocket     *socket)
{
  CtEndpoint *endpoint = CT_ENDPOINT (self);
  g_autoptr(GSocketAddress) remote = g_socket_get_remote_address (socket, NULL);
  g_autofree char *peer = ct_socket_address_to_string (remote);
  CtTcpConnection *connection;

  if (self->connections->len >= self->max_connections)
    {
      g_autoptr(GError) error = NULL;

      g_socket_close (socket, NULL);
      error = g_error_new (CT_ERROR, CT_ERROR_BUSY,
                           ngettext ("Closed a new connection at once: %u client is connected, the limit "
                                     "(raise “Maximum connections” to allow more)",
                                     "Closed a new connection at once: %u clients are connected, the limit "
                                     "(raise “Maximum connections” to allow more)",
                                     self->max_connections),
                           self->max_connections);
      ct_endpoint_report_error (endpoint, peer, error);
      return;
    }

  connection = ct_tcp_connection_new (endpoint, socket, ++self->next_id, peer,
                                      self->framing, self->max_frame_size, &connection_funcs);
  g_ptr_array_add (self->connections, connection);
  ct_endpoint_add_connection (endpoint, CT_CONNECTION (connection));

  ct_message_log_append (ct_endpoint_get_log (endpoint), &(CtMessageFields) {
                           .direction = CT_DIRECTION_INFO,
                           .peer = ct_connection_get_peer (CT_CONNECTION (connection)),
                           .peer_is_ref = TRUE,
                           .event = "accepted",
                           .summary = _("Connection accepted"),
                           .meta = g_variant_new_parsed ("{'connection': <%u>, 'open': <%u>}",
                                                         self->next_id, self->connections->len),
                         });
}

static gboolean
accept_cb (GSocket      *listener,
           GIOCondition  condition,
           gpointer      data)
{
  CtTcpServer *self = data;

  for (guint i = 0; i < ACCEPT_BATCH; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) socket = g_socket_accept (listener, NULL, &error);

      if (socket == NULL)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            break;
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES))
            {
              pause_accepting (self, error);
              return G_SOURCE_REMOVE;
            }
          /* The peer gave up before we accepted it, and the like */
          g_debug ("accept: %s", error->message);
          continue;
        }

      accept_one (self, socket);
    }

  return G_SOURCE_CONTINUE;
}

/* -- start and stop ------------------------------------------------------- */

static void
ct_tcp_server_close (CtEndpoint *endpoint)
{
  CtTcpServer *self = CT_TCP_SERVER (endpoint);
  g_autoptr(GPtrArray) connections = NULL;

  if (self->accept_source)
    {
      g_source_destroy (self->accept_source);
      g_clear_pointer (&self->accept_source, g_source_unref);
    }
  g_clear_handle_id (&self->accept_retry_id, g_source_remove);
  g_clear_handle_id (&self->sweep_id, g_source_remove);
  if (self->listener)
    g_socket_close (self->listener, NULL);
  g_clear_object (&self->listener);

  /* Every connection goes, each with its "closed" entry */
  connections = g_steal_pointer (&self->connections);
  self->connections = g_ptr_array_new_with_free_func (g_object_unref);
  g_list_store_remove_all (G_LIST_STORE (ct_endpoint_get_connections (endpoint)));
  for (guint i = 0; i < connections->len; i++)
    ct_tcp_connection_close (connections->pdata[i], CT_TCP_CLOSE_LOCAL, NULL);
}

/* The host and port settings resolved: bind or connect */
static void
ct_tcp_server_start_at (CtEndpoint     *endpoint,
                       GSocketAddress *address,
                       GTask          *task)
{
  CtTcpServer *self = g_task_get_source_object (task);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (g_socket_address_get_family (address), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &error);
  if (socket)
    {
      g_socket_set_blocking (socket, FALSE);
      g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
    }
  /* allow_reuse: SO_REUSEADDR, so a restart is not refused while old
   * connections linger in TIME_WAIT; a live listener still is */
  if (socket == NULL ||
      !g_socket_bind (socket, address, TRUE, &error) ||
      !g_socket_listen (socket, &error) ||
      (bound = g_socket_get_local_address (socket, &error)) == NULL)
    {
      g_task_return_error (task, ct_error_from_socket (error, address));
      return;
    }

  self->listener = g_steal_pointer (&socket);
  self->next_id = 0;
  watch_listener (self);
  self->sweep_id = g_timeout_add_seconds (1, sweep_cb, self);
  ct_endpoint_set_socket_address (endpoint, bound);

  ct_message_log_info (ct_endpoint_get_log (endpoint), "listening", NULL,
                       ct_net_address_meta (bound),
                       _("Listening on %s"), ct_endpoint_get_address (endpoint));
  g_task_return_boolean (task, TRUE);
}

/* The composer: a message to the connection named by reply-to, or to all */
static gboolean
ct_tcp_server_send_text (CtEndpoint  *endpoint,
                         const char  *text,
                         GError     **error)
{
  CtTcpServer *self = CT_TCP_SERVER (endpoint);
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GPtrArray) targets = NULL;
  gsize size;
  const guint8 *data;

  payload = ct_payload_parse (text, self->format, error);
  if (payload == NULL)
    return FALSE;
  data = g_bytes_get_data (payload, &size);

  if (self->reply_to && *self->reply_to)
    {
      CtConnection *connection = ct_endpoint_find_connection (endpoint, self->reply_to);

      if (connection == NULL)
        {
          g_set_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING,
                       _("No open connection from %s: pick one from the list, or empty “Reply to” to send to all"),
                       self->reply_to);
          return FALSE;
        }
      return ct_tcp_connection_send (CT_TCP_CONNECTION (connection), data, size, error);
    }

  if (self->connections->len == 0)
    {
      g_set_error_literal (error, CT_ERROR, CT_ERROR_NOT_RUNNING,
                           _("No client is connected yet"));
      return FALSE;
    }

  targets = snapshot (self);
  for (guint i = 0; i < targets->len; i++)
    if (ct_tcp_connection_is_open (targets->pdata[i]))
      ct_tcp_connection_send (targets->pdata[i], data, size, NULL);
  return TRUE;
}

static void
ct_tcp_server_finalize (GObject *object)
{
  CtTcpServer *self = CT_TCP_SERVER (object);

  g_clear_pointer (&self->connections, g_ptr_array_unref);
  G_OBJECT_CLASS (ct_tcp_server_parent_class)->finalize (object);
}

static void
ct_tcp_server_class_init (CtTcpServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  CtEndpointClass *endpoint_class = CT_ENDPOINT_CLASS (klass);

  object_class->finalize = ct_tcp_server_finalize;

  endpoint_class->protocol_id = "tcp";
  endpoint_class->role = CT_ROLE_SERVER;
  endpoint_class->start_at = ct_tcp_server_start_at;
  endpoint_class->close = ct_tcp_server_close;
  endpoint_class->send_text = ct_tcp_server_send_text;
  endpoint_class->close_connection = ct_tcp_server_close_connection;

  ct_endpoint_class_install_address (endpoint_class,
                                     G_STRUCT_OFFSET (CtTcpServer, host),
                                     G_STRUCT_OFFSET (CtTcpServer, port));

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_enum ("framing", N_("Framing"),
                       N_("How the byte stream is cut into messages: each read as it comes, lines, or a 4-byte big-endian length prefix"),
                       CT_TYPE_TCP_FRAMING, CT_TCP_FRAMING_LINE, CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtTcpServer, framing));

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_enum ("mode", N_("Replies"),
                       N_("What the server does with each message: send it back, send it to every other client, or nothing (answer from the composer)"),
                       CT_TYPE_TCP_MODE, CT_TCP_MODE_ECHO, CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtTcpServer, mode));

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_string ("reply-to", N_("Reply to"),
                         N_("Connection the composer sends to, as 127.0.0.1:50000; empty for every open connection"),
                         "", CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtTcpServer, reply_to));

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_uint ("max-frame-size", N_("Maximum message size"),
                       N_("Bytes in one message (line, length-prefixed frame or read); a larger one closes that connection"),
                       1, G_MAXINT32, 1024 * 1024, CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtTcpServer, max_frame_size));

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_uint ("max-connections", N_("Maximum connections"),
                       N_("Clients connected at once; one more is accepted and closed at once"),
                       1, 1000000, 1000, CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtTcpServer, max_connections));

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_uint ("idle-timeout", N_("Idle timeout"),
                       N_("Seconds without traffic after which a connection is closed; 0 keeps it open"),
                       0, 86400, 0, CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtTcpServer, idle_timeout));

  ct_endpoint_class_install_format (endpoint_class, G_STRUCT_OFFSET (CtTcpServer, format));
}

static void
ct_tcp_server_init (CtTcpServer *self)
{
  self->connections = g_ptr_array_new_with_free_func (g_object_unref);
}

CtEndpoint *
ct_tcp_server_new (void)
{
  return g_object_new (CT_TYPE_TCP_SERVER, NULL);
}
