/* ct-tcp-client.c — a TCP client: connects with a timeout, sends framed
 * messages, logs every reply, and can half-close
 *
 * When the connection ends (the server closed it or reset it) the client
 * stops by itself; the log says why.
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
#include "ct-tcp-client.h"
#include "ct-tcp-connection.h"
#include "ct-tcp-server.h"

struct _CtTcpClient
{
  CtEndpoint       parent_instance;

  char            *host;
  guint            port;
  int              framing;          /* CtTcpFraming */
  int              format;           /* CtPayloadFormat */
  guint            connect_timeout;  /* seconds */
  guint            max_frame_size;

  CtTcpConnection *connection;
};

G_DEFINE_FINAL_TYPE (CtTcpClient, ct_tcp_client, CT_TYPE_ENDPOINT)

/* The connection ended from the other side or after an error: stop */
static void
on_closed (CtEndpoint       *endpoint,
           CtTcpConnection  *connection,
           CtTcpCloseReason  reason)
{
  if (reason != CT_TCP_CLOSE_LOCAL)
    ct_endpoint_stop_async (endpoint, NULL, NULL);
}

static const CtTcpConnectionFuncs connection_funcs = {
  .closed = on_closed,
};

static void
ct_tcp_client_close (CtEndpoint *endpoint)
{
  CtTcpClient *self = CT_TCP_CLIENT (endpoint);

  if (self->connection)
    ct_tcp_connection_close (self->connection, CT_TCP_CLOSE_LOCAL, NULL);
  g_clear_object (&self->connection);
}

/* -- connecting ----------------------------------------------------------- */

typedef struct
{
  GSocket        *socket;
  GSocketAddress *address;
  GSource        *ready;
  GSource        *timeout;
} Connect;

/* The answer or the timeout came: neither waits any longer (each source
 * holds a reference on the task) */
static void
connect_unwatch (Connect *connect)
{
  if (connect->ready)
    g_source_destroy (connect->ready);
  if (connect->timeout)
    g_source_destroy (connect->timeout);
  g_clear_pointer (&connect->ready, g_source_unref);
  g_clear_pointer (&connect->timeout, g_source_unref);
}

static void
connect_free (Connect *connect)
{
  connect_unwatch (connect);
  g_clear_object (&connect->socket);
  g_clear_object (&connect->address);
  g_free (connect);
}

static void
connected (GTask *task)
{
  CtTcpClient *self = g_task_get_source_object (task);
  CtEndpoint *endpoint = CT_ENDPOINT (self);
  Connect *connect = g_task_get_task_data (task);
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (connect->socket, NULL);
  g_autofree char *peer = ct_socket_address_to_string (connect->address);
  g_autofree char *local_string = ct_socket_address_to_string (local);
  GVariantDict meta;

  self->connection = ct_tcp_connection_new (endpoint, connect->socket, 1, peer,
                                            self->framing, self->max_frame_size,
                                            &connection_funcs);
  ct_endpoint_set_socket_address (endpoint, connect->address);

  g_variant_dict_init (&meta, ct_net_address_meta (connect->address));
  g_variant_dict_insert (&meta, "local", "s", local_string);
  ct_message_log_append (ct_endpoint_get_log (endpoint), &(CtMessageFields) {
                           .direction = CT_DIRECTION_INFO,
                           .peer = ct_connection_get_peer (CT_CONNECTION (self->connection)),
                           .peer_is_ref = TRUE,
                           .event = "connected",
                           .summary = _("Connected"),
                           .meta = g_variant_dict_end (&meta),
                         });
  g_task_return_boolean (task, TRUE);
}

static gboolean
ready_cb (GSocket      *socket,
          GIOCondition  condition,
          gpointer      user_data)
{
  g_autoptr(GTask) task = g_object_ref (user_data);
  Connect *connect = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  connect_unwatch (connect);
  if (g_task_return_error_if_cancelled (task))
    ;
  else if (!g_socket_check_connect_result (socket, &error))
    g_task_return_error (task, ct_error_from_socket (error, connect->address));
  else
    connected (task);

  return G_SOURCE_REMOVE;
}

static gboolean
timeout_cb (gpointer user_data)
{
  g_autoptr(GTask) task = g_object_ref (user_data);
  CtTcpClient *self = g_task_get_source_object (task);
  Connect *connect = g_task_get_task_data (task);
  g_autofree char *where = ct_socket_address_to_string (connect->address);

  connect_unwatch (connect);
  g_task_return_new_error (task, CT_ERROR, CT_ERROR_TIMED_OUT,
                           ngettext ("No answer from %s within %u second: the host may be down, "
                                     "or a firewall drops the connection",
                                     "No answer from %s within %u seconds: the host may be down, "
                                     "or a firewall drops the connection",
                                     self->connect_timeout),
                           where, self->connect_timeout);
  return G_SOURCE_REMOVE;
}

/* The host and port settings resolved: bind or connect */
static void
ct_tcp_client_start_at (CtEndpoint     *endpoint,
                       GSocketAddress *address,
                       GTask          *task)
{
  CtTcpClient *self = g_task_get_source_object (task);
  Connect *connect;
  g_autoptr(GError) error = NULL;

  connect = g_new0 (Connect, 1);
  connect->address = g_object_ref (address);
  g_task_set_task_data (task, connect, (GDestroyNotify) connect_free);

  connect->socket = g_socket_new (g_socket_address_get_family (connect->address),
                                  G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  if (connect->socket == NULL)
    {
      g_task_return_error (task, ct_error_from_socket (error, connect->address));
      return;
    }
  g_socket_set_blocking (connect->socket, FALSE);

  if (g_socket_connect (connect->socket, connect->address, NULL, &error))
    {
      connected (task);
      return;
    }
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING))
    {
      g_task_return_error (task, ct_error_from_socket (error, connect->address));
      return;
    }

  /* Whichever comes first, the answer or the timeout, completes the task;
   * connect_free removes the other. Each holds a reference. */
  connect->ready = g_socket_create_source (connect->socket, G_IO_OUT, g_task_get_cancellable (task));
  g_source_set_callback (connect->ready, G_SOURCE_FUNC (ready_cb), g_object_ref (task), g_object_unref);
  g_source_set_static_name (connect->ready, "[crosstalk] tcp connect");
  g_source_attach (connect->ready, g_main_context_get_thread_default ());

  connect->timeout = g_timeout_source_new_seconds (self->connect_timeout);
  g_source_set_callback (connect->timeout, timeout_cb, g_object_ref (task), g_object_unref);
  g_source_set_static_name (connect->timeout, "[crosstalk] tcp connect timeout");
  g_source_attach (connect->timeout, g_main_context_get_thread_default ());
}

/* -- sending -------------------------------------------------------------- */

static gboolean
ct_tcp_client_send_text (CtEndpoint  *endpoint,
                         const char  *text,
                         GError     **error)
{
  CtTcpClient *self = CT_TCP_CLIENT (endpoint);
  g_autoptr(GBytes) payload = NULL;
  gsize size;
  const guint8 *data;

  payload = ct_payload_parse (text, self->format, error);
  if (payload == NULL)
    return FALSE;

  data = g_bytes_get_data (payload, &size);
  return ct_tcp_connection_send (self->connection, data, size, error);
}

static gboolean
ct_tcp_client_shutdown_write (CtEndpoint  *endpoint,
                              GError     **error)
{
  CtTcpClient *self = CT_TCP_CLIENT (endpoint);

  return ct_tcp_connection_shutdown_write (self->connection, error);
}

/* Besides host and port, the local server's framing: otherwise they would
 * not understand each other */
static void
ct_tcp_client_use_server (CtEndpoint *endpoint,
                          CtEndpoint *server)
{
  CT_ENDPOINT_CLASS (ct_tcp_client_parent_class)->use_server (endpoint, server);

  if (CT_IS_TCP_SERVER (server))
    {
      int framing;

      g_object_get (server, "framing", &framing, NULL);
      g_object_set (endpoint, "framing", framing, NULL);
    }
}

static void
ct_tcp_client_class_init (CtTcpClientClass *klass)
{
  CtEndpointClass *endpoint_class = CT_ENDPOINT_CLASS (klass);

  endpoint_class->protocol_id = "tcp";
  endpoint_class->role = CT_ROLE_CLIENT;
  endpoint_class->start_at = ct_tcp_client_start_at;
  endpoint_class->close = ct_tcp_client_close;
  endpoint_class->send_text = ct_tcp_client_send_text;
  endpoint_class->shutdown_write = ct_tcp_client_shutdown_write;
  endpoint_class->use_server = ct_tcp_client_use_server;

  ct_endpoint_class_install_address (endpoint_class,
                                     G_STRUCT_OFFSET (CtTcpClient, host),
                                     G_STRUCT_OFFSET (CtTcpClient, port));

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_enum ("framing", N_("Framing"),
                       N_("How messages are cut from the byte stream, both ways: each read as it comes, lines, or a 4-byte big-endian length prefix"),
                       CT_TYPE_TCP_FRAMING, CT_TCP_FRAMING_LINE, CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtTcpClient, framing));

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_uint ("connect-timeout", N_("Connect timeout"),
                       N_("Seconds to wait for the server to accept the connection"),
                       1, 600, 10, CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtTcpClient, connect_timeout));

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_uint ("max-frame-size", N_("Maximum message size"),
                       N_("Bytes in one received message; a larger one closes the connection"),
                       1, G_MAXINT32, 1024 * 1024, CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtTcpClient, max_frame_size));

  ct_endpoint_class_install_format (endpoint_class, G_STRUCT_OFFSET (CtTcpClient, format));
}

static void
ct_tcp_client_init (CtTcpClient *self)
{
}

CtEndpoint *
ct_tcp_client_new (void)
{
  return g_object_new (CT_TYPE_TCP_CLIENT, NULL);
}
