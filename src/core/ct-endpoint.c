/* ct-endpoint.c — one end of a conversation
 *
 * The base class owns what every protocol shares: the state machine
 * (stopped → starting → running → stopping → stopped, or failed), the
 * message log, the last error, the endpoint's GCancellable and the settings
 * machinery (properties flagged CT_PARAM_SETTING, read by the GUI form and
 * the CLI options alike). Subclasses implement the start/stop/send_text
 * virtual methods and never touch the state directly.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ct-endpoint"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ct-endpoint.h"
#include "ct-payload.h"
#include "ct-enums.h"
#include "ct-error.h"
#include "ct-net.h"
#include "ct-protocol.h"

typedef struct
{
  CtMessageLog   *log;
  GListStore     *connections;
  GListStore     *catalog;
  GCancellable   *cancellable;
  GSocketAddress *socket_address;
  char           *address;
  char           *error;
  CtState         state;
} CtEndpointPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (CtEndpoint, ct_endpoint, G_TYPE_OBJECT)

static void ct_endpoint_get_property (GObject      *object,
                                      guint         prop_id,
                                      GValue       *value,
                                      GParamSpec   *pspec);
static void ct_endpoint_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec);

enum {
  PROP_0,
  PROP_PROTOCOL,
  PROP_ROLE,
  PROP_STATE,
  PROP_LOG,
  PROP_ERROR,
  PROP_ADDRESS,
  N_PROPS
};

enum {
  ERROR_REPORTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
set_state (CtEndpoint *self,
           CtState     state)
{
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);

  if (priv->state == state)
    return;

  g_debug ("%s %s: %s → %s", ct_endpoint_get_protocol_id (self),
           ct_role_to_string (ct_endpoint_get_role (self)),
           ct_state_to_string (priv->state), ct_state_to_string (state));
  priv->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_error (CtEndpoint *self,
           const char *message)
{
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);

  if (g_strcmp0 (priv->error, message) == 0)
    return;

  g_free (priv->error);
  priv->error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

/* Running, or running again soon: a client that reconnects by itself keeps
 * what is sent meanwhile */
static gboolean
is_up (CtEndpointPrivate *priv)
{
  return priv->state == CT_STATE_RUNNING || priv->state == CT_STATE_RECONNECTING;
}

/* -- start / stop ------------------------------------------------------- */

static void
start_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  CtEndpoint *self = CT_ENDPOINT (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!CT_ENDPOINT_GET_CLASS (self)->start_finish (self, result, &error))
    {
      ct_endpoint_fail (self, error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* A stop that came while starting wins */
  if (ct_endpoint_get_state (self) == CT_STATE_STARTING)
    set_state (self, CT_STATE_RUNNING);
  g_task_return_boolean (task, TRUE);
}

/**
 * ct_endpoint_start_async:
 *
 * Starts listening (server) or connecting (client) with the current settings.
 * On failure the endpoint is %CT_STATE_FAILED, its error is set and the log
 * has an error entry saying why.
 */
void
ct_endpoint_start_async (CtEndpoint          *self,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CT_IS_ENDPOINT (self));

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, ct_endpoint_start_async);

  if (ct_endpoint_is_active (self))
    {
      g_task_return_new_error (task, CT_ERROR, CT_ERROR_BUSY,
                               _("Already running: stop it first"));
      return;
    }

  g_clear_object (&priv->cancellable);
  priv->cancellable = g_cancellable_new ();
  set_error (self, NULL);
  set_state (self, CT_STATE_STARTING);

  CT_ENDPOINT_GET_CLASS (self)->start (self, priv->cancellable, start_cb, g_steal_pointer (&task));
}

gboolean
ct_endpoint_start_finish (CtEndpoint    *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
stop_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  CtEndpoint *self = CT_ENDPOINT (object);
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!CT_ENDPOINT_GET_CLASS (self)->stop_finish (self, result, &error))
    g_warning ("Stopping %s failed: %s", ct_endpoint_get_protocol_id (self), error->message);

  ct_endpoint_set_socket_address (self, NULL);
  ct_message_log_info (priv->log, "stopped", NULL, NULL, "%s", _("Stopped"));
  set_state (self, CT_STATE_STOPPED);
  g_task_return_boolean (task, TRUE);
}

/**
 * ct_endpoint_stop_async:
 *
 * Cancels whatever is under way and closes every socket. Stopping an
 * endpoint that is not running completes at once.
 */
void
ct_endpoint_stop_async (CtEndpoint          *self,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CT_IS_ENDPOINT (self));

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, ct_endpoint_stop_async);

  if (priv->state == CT_STATE_STOPPED || priv->state == CT_STATE_STOPPING)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_cancellable_cancel (priv->cancellable);
  set_state (self, CT_STATE_STOPPING);
  CT_ENDPOINT_GET_CLASS (self)->stop (self, stop_cb, g_steal_pointer (&task));
}

gboolean
ct_endpoint_stop_finish (CtEndpoint    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
ct_endpoint_real_stop (CtEndpoint          *self,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, ct_endpoint_real_stop);
  if (CT_ENDPOINT_GET_CLASS (self)->close)
    CT_ENDPOINT_GET_CLASS (self)->close (self);
  g_task_return_boolean (task, TRUE);
}

static void
resolved_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CtEndpoint *self = g_task_get_source_object (task);
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) error = NULL;

  address = ct_net_resolve_finish (result, &error);
  if (address == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    CT_ENDPOINT_GET_CLASS (self)->start_at (self, address, task);
}

/* Socket endpoints: resolve the host and port settings, then start_at */
static void
ct_endpoint_real_start (CtEndpoint          *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  CtEndpointClass *klass = CT_ENDPOINT_GET_CLASS (self);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *host = NULL;
  guint port = 0;

  g_task_set_source_tag (task, ct_endpoint_real_start);
  g_return_if_fail (klass->start_at != NULL);

  if (klass->close)
    klass->close (self);

  g_object_get (self, "host", &host, "port", &port, NULL);
  if (port == 0 && klass->role == CT_ROLE_CLIENT)
    {
      g_task_return_new_error (task, CT_ERROR, CT_ERROR_INVALID_SETTING,
                               _("Port 0 cannot be sent to or connected to: enter the server's port"));
      return;
    }

  ct_net_resolve_async (host, port, cancellable, resolved_cb, g_steal_pointer (&task));
}

/* The default finish for start and stop: a boolean GTask */
static gboolean
ct_endpoint_real_finish (CtEndpoint    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ct_endpoint_send_text:
 * @text: a composer line
 *
 * Sends @text the way the protocol and settings say. A problem found at once
 * (not running, bad hex, too large...) is returned, logged as an error entry
 * and reported; problems found later by the network are logged when they
 * happen.
 */
gboolean
ct_endpoint_send_text (CtEndpoint  *self,
                       const char  *text,
                       GError     **error)
{
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (CT_IS_ENDPOINT (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  if (!is_up (priv))
    local_error = g_error_new_literal (CT_ERROR, CT_ERROR_NOT_RUNNING,
                                       ct_endpoint_get_role (self) == CT_ROLE_SERVER
                                       ? _("The server is not running: start it first")
                                       : _("The client is not running: start it first"));
  else if (CT_ENDPOINT_GET_CLASS (self)->send_text == NULL)
    local_error = g_error_new_literal (CT_ERROR, CT_ERROR_NOT_IMPLEMENTED,
                                       _("This endpoint cannot send"));
  else if (CT_ENDPOINT_GET_CLASS (self)->send_text (self, text, &local_error))
    return TRUE;

  ct_endpoint_report_error (self, NULL, local_error);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static gboolean
find_property (CtEndpoint  *self,
               const char  *name,
               GType        type,
               GValue      *value)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (self), name);

  if (pspec == NULL || !(pspec->flags & CT_PARAM_SETTING) ||
      !g_type_is_a (pspec->value_type, type))
    return FALSE;

  g_value_init (value, pspec->value_type);
  g_object_get_property (G_OBJECT (self), name, value);
  return TRUE;
}

/* Points a client at a server: its `host` and `port` settings, when it has
 * them, become the server's bound address (a wildcard address becomes the
 * loopback address of the same family). */
static void
ct_endpoint_real_use_server (CtEndpoint *self,
                             CtEndpoint *server)
{
  g_autoptr(GSocketAddress) address = ct_net_reachable_address (ct_endpoint_get_socket_address (server));
  g_auto(GValue) host = G_VALUE_INIT;
  g_auto(GValue) port = G_VALUE_INIT;
  g_autofree char *host_string = NULL;

  if (address == NULL ||
      !find_property (self, "host", G_TYPE_STRING, &host) ||
      !find_property (self, "port", G_TYPE_UINT, &port))
    return;

  host_string = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));

  g_object_set (self,
                "host", host_string,
                "port", (guint) g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)),
                NULL);
}

/**
 * ct_endpoint_dup_server_url:
 * @server: a server endpoint
 * @scheme: `http`, `ws`…
 * @path: (nullable): what follows the address
 *
 * For clients that take a URL: how to reach @server from here, such as
 * `http://127.0.0.1:8000/rpc` or `ws://[::1]:8765/chat` (a wildcard address
 * becomes the loopback address of the same family).
 *
 * Returns: (transfer full) (nullable): the URL, or %NULL when @server is
 *   not bound
 */
char *
ct_endpoint_dup_server_url (CtEndpoint *server,
                            const char *scheme,
                            const char *path)
{
  g_autoptr(GSocketAddress) address = ct_net_reachable_address (ct_endpoint_get_socket_address (server));
  g_autofree char *host_port = NULL;

  if (address == NULL)
    return NULL;
  /* 127.0.0.1:8000 or [::1]:8000, as a URL wants it */
  host_port = ct_socket_address_to_string (address);
  return g_strdup_printf ("%s://%s%s", scheme, host_port, path ? path : "");
}

/**
 * ct_endpoint_use_server:
 * @server: a running server endpoint of the same protocol
 *
 * "Use local server": copies what the client needs to reach @server.
 */
void
ct_endpoint_use_server (CtEndpoint *self,
                        CtEndpoint *server)
{
  g_return_if_fail (CT_IS_ENDPOINT (self));
  g_return_if_fail (CT_IS_ENDPOINT (server));

  CT_ENDPOINT_GET_CLASS (self)->use_server (self, server);
}

/**
 * ct_endpoint_check_text:
 *
 * Whether @text would be accepted by send_text, for a composer that checks
 * as the user types; nothing is logged.
 */
gboolean
ct_endpoint_check_text (CtEndpoint  *self,
                        const char  *text,
                        GError     **error)
{
  g_return_val_if_fail (CT_IS_ENDPOINT (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  if (CT_ENDPOINT_GET_CLASS (self)->check_text == NULL)
    return TRUE;
  return CT_ENDPOINT_GET_CLASS (self)->check_text (self, text, error);
}

/**
 * ct_endpoint_run_command:
 * @name: one of the class's commands
 * @text: (nullable): the composer's text, for commands that use it
 *
 * Runs a protocol's own command; failures are logged and reported like
 * send_text's.
 */
gboolean
ct_endpoint_run_command (CtEndpoint  *self,
                         const char  *name,
                         const char  *text,
                         GError     **error)
{
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (CT_IS_ENDPOINT (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (CT_ENDPOINT_GET_CLASS (self)->run_command == NULL)
    local_error = g_error_new (CT_ERROR, CT_ERROR_NOT_IMPLEMENTED, _("Unknown command “%s”"), name);
  else if (!is_up (priv))
    local_error = g_error_new_literal (CT_ERROR, CT_ERROR_NOT_RUNNING,
                                       ct_endpoint_get_role (self) == CT_ROLE_SERVER
                                       ? _("The server is not running: start it first")
                                       : _("The client is not running: start it first"));
  else if (CT_ENDPOINT_GET_CLASS (self)->run_command (self, name, text ? text : "", &local_error))
    return TRUE;

  ct_endpoint_report_error (self, NULL, local_error);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/**
 * ct_endpoint_can_run_message_command:
 *
 * Whether @name, one of the class's message commands, applies to @message
 * (an entry of this endpoint's log) now: a delivery a consumer has not yet
 * settled takes Ack, Nack and Reject.
 */
gboolean
ct_endpoint_can_run_message_command (CtEndpoint *self,
                                     const char *name,
                                     CtMessage  *message)
{
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);
  CtEndpointClass *klass;

  g_return_val_if_fail (CT_IS_ENDPOINT (self), FALSE);
  klass = CT_ENDPOINT_GET_CLASS (self);
  return klass->can_run_message_command != NULL && message != NULL && is_up (priv) &&
         klass->can_run_message_command (self, name, message);
}

/**
 * ct_endpoint_run_message_command:
 *
 * Runs one of the class's message commands on @message. Errors are logged
 * and reported like send_text's.
 */
gboolean
ct_endpoint_run_message_command (CtEndpoint  *self,
                                 const char  *name,
                                 CtMessage   *message,
                                 GError     **error)
{
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (CT_IS_ENDPOINT (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (CT_IS_MESSAGE (message), FALSE);

  if (CT_ENDPOINT_GET_CLASS (self)->run_message_command == NULL)
    local_error = g_error_new (CT_ERROR, CT_ERROR_NOT_IMPLEMENTED, _("Unknown command “%s”"), name);
  else if (!is_up (priv))
    local_error = g_error_new_literal (CT_ERROR, CT_ERROR_NOT_RUNNING,
                                       ct_endpoint_get_role (self) == CT_ROLE_SERVER
                                       ? _("The server is not running: start it first")
                                       : _("The client is not running: start it first"));
  else if (CT_ENDPOINT_GET_CLASS (self)->run_message_command (self, name, message, &local_error))
    return TRUE;

  ct_endpoint_report_error (self, NULL, local_error);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/**
 * ct_endpoint_get_n_pending:
 *
 * How many messages sent by this endpoint still wait for their answer (a
 * publisher confirm, an RPC reply) or to be sent at all; -1 when the
 * endpoint does not keep count, and a front end counts replies itself.
 */
gint64
ct_endpoint_get_n_pending (CtEndpoint *self)
{
  g_return_val_if_fail (CT_IS_ENDPOINT (self), -1);
  if (CT_ENDPOINT_GET_CLASS (self)->get_n_pending == NULL)
    return -1;
  return CT_ENDPOINT_GET_CLASS (self)->get_n_pending (self);
}

/**
 * ct_endpoint_dup_composer_text:
 * @format: (out): how the line is written (text, or hex for a payload that
 *   is not text)
 *
 * Resend: @message as a composer line for this endpoint that sends it
 * again — its payload by default; a protocol whose composer line is more
 * than the payload (an HTTP request line) says so itself.
 */
char *
ct_endpoint_dup_composer_text (CtEndpoint      *self,
                               CtMessage       *message,
                               CtPayloadFormat *format)
{
  char *text;
  gsize size;
  const guint8 *data;

  g_return_val_if_fail (CT_IS_ENDPOINT (self), NULL);
  g_return_val_if_fail (CT_IS_MESSAGE (message), NULL);

  if (CT_ENDPOINT_GET_CLASS (self)->dup_composer_text &&
      (text = CT_ENDPOINT_GET_CLASS (self)->dup_composer_text (self, message, format)) != NULL)
    return text;
  *format = CT_PAYLOAD_FORMAT_TEXT;
  text = ct_message_dup_text (message);
  if (text)
    return text;
  data = ct_message_get_data (message, &size);
  *format = CT_PAYLOAD_FORMAT_HEX;
  return ct_payload_to_hex (data, size);
}

/**
 * ct_endpoint_message_written:
 *
 * Tells the endpoint that a front end with nobody to click (the CLI) has
 * written @message out: a consumer in manual ack mode acks it then.
 */
void
ct_endpoint_message_written (CtEndpoint *self,
                             CtMessage  *message)
{
  g_return_if_fail (CT_IS_ENDPOINT (self));
  if (CT_ENDPOINT_GET_CLASS (self)->message_written && is_up (ct_endpoint_get_instance_private (self)))
    CT_ENDPOINT_GET_CLASS (self)->message_written (self, message);
}

/**
 * ct_endpoint_set_reconnecting:
 *
 * For clients that reconnect by themselves: the connection is lost and being
 * made again (%TRUE), or is back (%FALSE). Sends are still accepted.
 */
void
ct_endpoint_set_reconnecting (CtEndpoint *self,
                              gboolean    reconnecting)
{
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);

  g_return_if_fail (CT_IS_ENDPOINT (self));
  if (!is_up (priv))
    return;
  set_state (self, reconnecting ? CT_STATE_RECONNECTING : CT_STATE_RUNNING);
}

/* Whether the endpoint can half-close (a connected stream client) */
gboolean
ct_endpoint_can_shutdown_write (CtEndpoint *self)
{
  g_return_val_if_fail (CT_IS_ENDPOINT (self), FALSE);
  return CT_ENDPOINT_GET_CLASS (self)->shutdown_write != NULL;
}

/**
 * ct_endpoint_shutdown_write:
 *
 * Half-close: tells the peer nothing more will be sent, and keeps reading
 * its replies. Errors are logged and reported like send_text's.
 */
gboolean
ct_endpoint_shutdown_write (CtEndpoint  *self,
                            GError     **error)
{
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (CT_IS_ENDPOINT (self), FALSE);

  if (!ct_endpoint_can_shutdown_write (self))
    local_error = g_error_new_literal (CT_ERROR, CT_ERROR_NOT_IMPLEMENTED,
                                       _("This endpoint cannot half-close"));
  else if (priv->state != CT_STATE_RUNNING)
    local_error = g_error_new_literal (CT_ERROR, CT_ERROR_NOT_RUNNING,
                                       _("Not connected: connect first"));
  else if (CT_ENDPOINT_GET_CLASS (self)->shutdown_write (self, &local_error))
    return TRUE;

  ct_endpoint_report_error (self, NULL, local_error);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* -- catalog ------------------------------------------------------------ */

/**
 * ct_endpoint_get_catalog:
 *
 * Returns: (transfer none): a #GListStore of #CtCatalogItem: what the server
 *   offers; subclasses fill it, and it is empty for the others
 */
GListModel *
ct_endpoint_get_catalog (CtEndpoint *self)
{
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);

  g_return_val_if_fail (CT_IS_ENDPOINT (self), NULL);
  return G_LIST_MODEL (priv->catalog);
}

/* -- connections -------------------------------------------------------- */

/* Whether the endpoint keeps a list of connections a user can close */
gboolean
ct_endpoint_lists_connections (CtEndpoint *self)
{
  g_return_val_if_fail (CT_IS_ENDPOINT (self), FALSE);
  return CT_ENDPOINT_GET_CLASS (self)->close_connection != NULL;
}

/**
 * ct_endpoint_get_connections:
 *
 * Returns: (transfer none): a #GListModel of the open #CtConnection objects,
 *   oldest first
 */
GListModel *
ct_endpoint_get_connections (CtEndpoint *self)
{
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);

  g_return_val_if_fail (CT_IS_ENDPOINT (self), NULL);
  return G_LIST_MODEL (priv->connections);
}

/**
 * ct_endpoint_find_connection:
 * @peer: a peer as the log names it
 *
 * Returns: (transfer none) (nullable): the open connection with @peer
 */
CtConnection *
ct_endpoint_find_connection (CtEndpoint *self,
                             const char *peer)
{
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);
  guint n;

  g_return_val_if_fail (CT_IS_ENDPOINT (self), NULL);
  g_return_val_if_fail (peer != NULL, NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (priv->connections));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CtConnection) connection = g_list_model_get_item (G_LIST_MODEL (priv->connections), i);

      if (g_str_equal (ct_connection_get_peer (connection), peer))
        return connection;
    }
  return NULL;
}

void
ct_endpoint_close_connection (CtEndpoint   *self,
                              CtConnection *connection)
{
  g_return_if_fail (CT_IS_ENDPOINT (self));
  g_return_if_fail (CT_IS_CONNECTION (connection));
  g_return_if_fail (ct_endpoint_lists_connections (self));

  CT_ENDPOINT_GET_CLASS (self)->close_connection (self, connection);
}

/* For subclasses: a connection opened */
void
ct_endpoint_add_connection (CtEndpoint   *self,
                            CtConnection *connection)
{
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);

  g_return_if_fail (CT_IS_ENDPOINT (self));
  g_list_store_append (priv->connections, connection);
}

/* For subclasses: a connection closed */
void
ct_endpoint_remove_connection (CtEndpoint   *self,
                               CtConnection *connection)
{
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);
  guint position;

  g_return_if_fail (CT_IS_ENDPOINT (self));
  if (g_list_store_find (priv->connections, connection, &position))
    g_list_store_remove (priv->connections, position);
}

/* -- for subclasses ----------------------------------------------------- */

GCancellable *
ct_endpoint_get_cancellable (CtEndpoint *self)
{
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);

  g_return_val_if_fail (CT_IS_ENDPOINT (self), NULL);
  return priv->cancellable;
}

/**
 * ct_endpoint_set_socket_address:
 * @address: (nullable): the address a server is bound to, or the address a
 *   client talks to
 */
void
ct_endpoint_set_socket_address (CtEndpoint     *self,
                                GSocketAddress *address)
{
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);

  g_return_if_fail (CT_IS_ENDPOINT (self));

  if (!g_set_object (&priv->socket_address, address))
    return;

  g_clear_pointer (&priv->address, g_free);
  if (address)
    priv->address = ct_socket_address_to_string (address);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ADDRESS]);
}

/**
 * ct_endpoint_report_error:
 * @peer: (nullable): who the error is about
 *
 * A problem that does not stop the endpoint (one datagram refused, one bad
 * line): logged as an error entry, kept as the last error, and announced with
 * #CtEndpoint::error-reported so a window can show it.
 */
void
ct_endpoint_report_error (CtEndpoint   *self,
                          const char   *peer,
                          const GError *error)
{
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);

  g_return_if_fail (CT_IS_ENDPOINT (self));
  g_return_if_fail (error != NULL);

  ct_message_log_error (priv->log, peer, error);
  set_error (self, error->message);
  g_signal_emit (self, signals[ERROR_REPORTED], 0, error->message);
}

/**
 * ct_endpoint_fail:
 *
 * The endpoint cannot go on: reports @error and moves to %CT_STATE_FAILED.
 * The subclass must have closed its sockets.
 */
void
ct_endpoint_fail (CtEndpoint   *self,
                  const GError *error)
{
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);

  g_return_if_fail (CT_IS_ENDPOINT (self));

  g_cancellable_cancel (priv->cancellable);
  ct_endpoint_report_error (self, NULL, error);
  ct_endpoint_set_socket_address (self, NULL);
  set_state (self, CT_STATE_FAILED);
}

/* -- getters ------------------------------------------------------------ */

const char *
ct_endpoint_get_protocol_id (CtEndpoint *self)
{
  g_return_val_if_fail (CT_IS_ENDPOINT (self), NULL);
  return CT_ENDPOINT_GET_CLASS (self)->protocol_id;
}

CtRole
ct_endpoint_get_role (CtEndpoint *self)
{
  g_return_val_if_fail (CT_IS_ENDPOINT (self), CT_ROLE_CLIENT);
  return CT_ENDPOINT_GET_CLASS (self)->role;
}

CtState
ct_endpoint_get_state (CtEndpoint *self)
{
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);

  g_return_val_if_fail (CT_IS_ENDPOINT (self), CT_STATE_STOPPED);
  return priv->state;
}

/* Starting or running: settings other than live ones are locked. */
gboolean
ct_endpoint_is_active (CtEndpoint *self)
{
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);

  g_return_val_if_fail (CT_IS_ENDPOINT (self), FALSE);
  return priv->state == CT_STATE_STARTING || is_up (priv) || priv->state == CT_STATE_STOPPING;
}

CtMessageLog *
ct_endpoint_get_log (CtEndpoint *self)
{
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);

  g_return_val_if_fail (CT_IS_ENDPOINT (self), NULL);
  return priv->log;
}

const char *
ct_endpoint_get_error (CtEndpoint *self)
{
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);

  g_return_val_if_fail (CT_IS_ENDPOINT (self), NULL);
  return priv->error;
}

const char *
ct_endpoint_get_address (CtEndpoint *self)
{
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);

  g_return_val_if_fail (CT_IS_ENDPOINT (self), NULL);
  return priv->address;
}

GSocketAddress *
ct_endpoint_get_socket_address (CtEndpoint *self)
{
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);

  g_return_val_if_fail (CT_IS_ENDPOINT (self), NULL);
  return priv->socket_address;
}

/* -- settings ----------------------------------------------------------- */

/**
 * ct_endpoint_get_copy_command_label:
 *
 * Returns: (nullable): the label of the endpoint's "copy as a command"
 *   button (translated), or %NULL when it has none
 */
const char *
ct_endpoint_get_copy_command_label (CtEndpoint *self)
{
  CtEndpointClass *klass;

  g_return_val_if_fail (CT_IS_ENDPOINT (self), NULL);

  klass = CT_ENDPOINT_GET_CLASS (self);
  return klass->dup_copy_command && klass->copy_command_label
         ? g_dgettext (GETTEXT_PACKAGE, klass->copy_command_label) : NULL;
}

/**
 * ct_endpoint_dup_copy_command:
 * @message: an entry of the endpoint's log
 *
 * Returns: (transfer full) (nullable): a shell command that repeats
 *   @message (`curl …`), or %NULL when there is none for it
 */
char *
ct_endpoint_dup_copy_command (CtEndpoint *self,
                              CtMessage  *message)
{
  CtEndpointClass *klass;

  g_return_val_if_fail (CT_IS_ENDPOINT (self), NULL);
  g_return_val_if_fail (CT_IS_MESSAGE (message), NULL);

  klass = CT_ENDPOINT_GET_CLASS (self);
  return klass->dup_copy_command ? klass->dup_copy_command (self, message) : NULL;
}

/**
 * ct_endpoint_class_install_address:
 *
 * The `host` and `port` settings every socket endpoint has, worded for its
 * role; a server binds 127.0.0.1 by default, and the default port is the
 * registry's. Set @klass's protocol_id and role first.
 */
void
ct_endpoint_class_install_address (CtEndpointClass *klass,
                                   gsize            host_offset,
                                   gsize            port_offset)
{
  const CtProtocol *protocol = ct_protocol_lookup (klass->protocol_id);
  gboolean server = klass->role == CT_ROLE_SERVER;

  g_return_if_fail (protocol != NULL);

  if (server)
    ct_endpoint_class_install_setting (klass,
      g_param_spec_string ("host", N_("Address"),
                           N_("Address to listen on: 127.0.0.1 for this computer only, ::1 for IPv6, 0.0.0.0 for every network"),
                           "127.0.0.1", CT_SETTING_FLAGS),
      host_offset);
  else
    ct_endpoint_class_install_setting (klass,
      g_param_spec_string ("host", N_("Host"),
                           N_("Name or address of the server, such as 127.0.0.1, ::1 or localhost"),
                           "127.0.0.1", CT_SETTING_FLAGS),
      host_offset);

  ct_endpoint_class_install_setting (klass,
    g_param_spec_uint ("port", N_("Port"),
                       server ? N_("Port to listen on; 0 picks a free one") : N_("Port of the server"),
                       0, 65535, protocol->default_port, CT_SETTING_FLAGS),
    port_offset);
}

/**
 * ct_endpoint_class_install_format:
 *
 * The `format` setting: how the composer's line becomes bytes (text or hex);
 * it may change while running.
 */
void
ct_endpoint_class_install_format (CtEndpointClass *klass,
                                  gsize            format_offset)
{
  ct_endpoint_class_install_setting (klass,
    g_param_spec_enum ("format", N_("Payload format"),
                       N_("How the composer's text is read: text, or hex bytes such as 48 69 0a"),
                       CT_TYPE_PAYLOAD_FORMAT, CT_PAYLOAD_FORMAT_TEXT, CT_SETTING_FLAGS | CT_PARAM_LIVE),
    format_offset);
}

/**
 * ct_endpoint_class_list_settings:
 *
 * Returns: (transfer container): the settings of @klass in the order the
 *   class installed them
 */
GParamSpec **
ct_endpoint_class_list_settings (CtEndpointClass *klass,
                                 guint           *n_settings)
{
  g_autofree GParamSpec **all = NULL;
  GPtrArray *settings = g_ptr_array_new ();
  guint n_all = 0;

  all = g_object_class_list_properties (G_OBJECT_CLASS (klass), &n_all);
  for (guint i = 0; i < n_all; i++)
    if (all[i]->flags & CT_PARAM_SETTING)
      g_ptr_array_add (settings, all[i]);

  if (n_settings)
    *n_settings = settings->len;
  g_ptr_array_add (settings, NULL);
  return (GParamSpec **) g_ptr_array_free (settings, FALSE);
}

static gboolean
parse_boolean (const char *value,
               gboolean   *out)
{
  static const char *yes[] = { "true", "yes", "on", "1", NULL };
  static const char *no[] = { "false", "no", "off", "0", NULL };

  for (guint i = 0; yes[i]; i++)
    if (g_ascii_strcasecmp (value, yes[i]) == 0)
      return (*out = TRUE);
  for (guint i = 0; no[i]; i++)
    if (g_ascii_strcasecmp (value, no[i]) == 0)
      return !(*out = FALSE);
  return FALSE;
}

/**
 * ct_endpoint_set_setting_from_string:
 * @name: a setting's property name (`port`)
 * @value: its value as a user writes it (`9000`, `yes`, `hex`)
 *
 * The one parser behind CLI options and saved settings.
 */
gboolean
ct_endpoint_set_setting_from_string (CtEndpoint  *self,
                                     const char  *name,
                                     const char  *value,
                                     GError     **error)
{
  GParamSpec *pspec;
  g_auto(GValue) gvalue = G_VALUE_INIT;
  GType fundamental;

  g_return_val_if_fail (CT_IS_ENDPOINT (self), FALSE);

  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (self), name);
  if (pspec == NULL || !(pspec->flags & CT_PARAM_SETTING))
    {
      g_set_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING,
                   _("Unknown option “%s” for %s %s"), name,
                   ct_endpoint_get_protocol_id (self),
                   ct_role_to_string (ct_endpoint_get_role (self)));
      return FALSE;
    }

  g_value_init (&gvalue, pspec->value_type);
  fundamental = G_TYPE_FUNDAMENTAL (pspec->value_type);

  if (fundamental == G_TYPE_STRING)
    g_value_set_string (&gvalue, value);
  else if (fundamental == G_TYPE_BOOLEAN)
    {
      gboolean b;

      if (!parse_boolean (value, &b))
        {
          g_set_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING,
                       _("Option “%s” takes yes or no, not “%s”"), name, value);
          return FALSE;
        }
      g_value_set_boolean (&gvalue, b);
    }
  else if (fundamental == G_TYPE_UINT || fundamental == G_TYPE_INT ||
           fundamental == G_TYPE_UINT64 || fundamental == G_TYPE_INT64)
    {
      gint64 n;
      g_autoptr(GError) local_error = NULL;

      if (!g_ascii_string_to_signed (value, 10, G_MININT64, G_MAXINT64, &n, &local_error))
        {
          g_set_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING,
                       _("Option “%s” takes a whole number, not “%s”"), name, value);
          return FALSE;
        }

      if (fundamental == G_TYPE_UINT)
        {
          GParamSpecUInt *u = G_PARAM_SPEC_UINT (pspec);

          if (n < (gint64) u->minimum || n > (gint64) u->maximum)
            goto out_of_range;
          g_value_set_uint (&gvalue, (guint) n);
        }
      else if (fundamental == G_TYPE_INT)
        {
          GParamSpecInt *i = G_PARAM_SPEC_INT (pspec);

          if (n < i->minimum || n > i->maximum)
            goto out_of_range;
          g_value_set_int (&gvalue, (int) n);
        }
      else if (fundamental == G_TYPE_UINT64)
        {
          GParamSpecUInt64 *u = G_PARAM_SPEC_UINT64 (pspec);

          if (n < 0 || (guint64) n < u->minimum || (guint64) n > u->maximum)
            goto out_of_range;
          g_value_set_uint64 (&gvalue, (guint64) n);
        }
      else
        {
          GParamSpecInt64 *i = G_PARAM_SPEC_INT64 (pspec);

          if (n < i->minimum || n > i->maximum)
            goto out_of_range;
          g_value_set_int64 (&gvalue, n);
        }
    }
  else if (fundamental == G_TYPE_ENUM)
    {
      g_autoptr(GEnumClass) enum_class = g_type_class_ref (pspec->value_type);
      GEnumValue *ev = g_enum_get_value_by_nick (enum_class, value);

      if (ev == NULL)
        {
          g_autoptr(GString) choices = g_string_new (NULL);

          for (guint i = 0; i < enum_class->n_values; i++)
            g_string_append_printf (choices, "%s%s", i ? ", " : "", enum_class->values[i].value_nick);
          g_set_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING,
                       _("Option “%s” takes one of %s, not “%s”"), name, choices->str, value);
          return FALSE;
        }
      g_value_set_enum (&gvalue, ev->value);
    }
  else
    {
      g_set_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING,
                   _("Option “%s” cannot be set from text"), name);
      return FALSE;
    }

  g_object_set_property (G_OBJECT (self), name, &gvalue);
  return TRUE;

out_of_range:
  {
    g_autofree char *range = NULL;

    if (fundamental == G_TYPE_UINT)
      range = g_strdup_printf ("%u–%u", G_PARAM_SPEC_UINT (pspec)->minimum, G_PARAM_SPEC_UINT (pspec)->maximum);
    else if (fundamental == G_TYPE_INT)
      range = g_strdup_printf ("%d–%d", G_PARAM_SPEC_INT (pspec)->minimum, G_PARAM_SPEC_INT (pspec)->maximum);
    else if (fundamental == G_TYPE_UINT64)
      range = g_strdup_printf ("%" G_GUINT64_FORMAT "–%" G_GUINT64_FORMAT,
                               G_PARAM_SPEC_UINT64 (pspec)->minimum, G_PARAM_SPEC_UINT64 (pspec)->maximum);
    else
      range = g_strdup_printf ("%" G_GINT64_FORMAT "–%" G_GINT64_FORMAT,
                               G_PARAM_SPEC_INT64 (pspec)->minimum, G_PARAM_SPEC_INT64 (pspec)->maximum);
    g_set_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING,
                 _("Option “%s” must be in the range %s, not %s"), name, range, value);
    return FALSE;
  }
}

static char *
value_to_string (const GValue *value)
{
  GType fundamental = G_TYPE_FUNDAMENTAL (G_VALUE_TYPE (value));

  if (fundamental == G_TYPE_STRING)
    return g_strdup (g_value_get_string (value) ? g_value_get_string (value) : "");
  if (fundamental == G_TYPE_BOOLEAN)
    return g_strdup (g_value_get_boolean (value) ? "yes" : "no");
  if (fundamental == G_TYPE_ENUM)
    {
      g_autoptr(GEnumClass) enum_class = g_type_class_ref (G_VALUE_TYPE (value));
      GEnumValue *ev = g_enum_get_value (enum_class, g_value_get_enum (value));

      return g_strdup (ev ? ev->value_nick : "");
    }

  {
    g_auto(GValue) str = G_VALUE_INIT;

    g_value_init (&str, G_TYPE_STRING);
    if (g_value_transform (value, &str))
      return g_value_dup_string (&str);
  }
  return g_strdup ("");
}

/**
 * ct_endpoint_dup_setting_string:
 *
 * Returns: (transfer full): the setting's current value in the form
 *   ct_endpoint_set_setting_from_string() reads
 */
char *
ct_endpoint_dup_setting_string (CtEndpoint *self,
                                GParamSpec *pspec)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_return_val_if_fail (CT_IS_ENDPOINT (self), NULL);

  g_value_init (&value, pspec->value_type);
  g_object_get_property (G_OBJECT (self), pspec->name, &value);
  return value_to_string (&value);
}

char *
ct_param_spec_dup_default_string (GParamSpec *pspec)
{
  return value_to_string (g_param_spec_get_default_value (pspec));
}

/* A word for --help and `list`: what kind of value a setting takes. */
const char *
ct_param_spec_get_type_name (GParamSpec *pspec)
{
  switch (G_TYPE_FUNDAMENTAL (pspec->value_type))
    {
    case G_TYPE_BOOLEAN: return "yes|no";
    case G_TYPE_STRING:  return "TEXT";
    case G_TYPE_ENUM:    return "CHOICE";
    case G_TYPE_INT:
    case G_TYPE_UINT:
    case G_TYPE_INT64:
    case G_TYPE_UINT64:  return "N";
    default:             return "VALUE";
    }
}

/* -- setting storage ---------------------------------------------------- *
 *
 * A setting is a property whose value lives in a field of the subclass's
 * instance struct. The base class reads and writes that field, notifies only
 * on change, applies the default at construction and frees strings: a
 * subclass declares a setting in one statement and reads the field directly.
 */

static GQuark
ct_setting_offset_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("ct-setting-offset");
  return quark;
}

#define SETTING_PROP_ID_BASE 1000

/**
 * ct_endpoint_class_install_setting:
 * @pspec: (transfer floating): a string, boolean, int, uint, int64, uint64,
 *   double or enum property; %CT_PARAM_SETTING is added to its flags
 * @struct_offset: where the value lives in the instance struct
 *   (`G_STRUCT_OFFSET (CtUdpServer, port)`); a `char *` for strings
 */
void
ct_endpoint_class_install_setting (CtEndpointClass *klass,
                                   GParamSpec      *pspec,
                                   gsize            struct_offset)
{
  g_return_if_fail (CT_IS_ENDPOINT_CLASS (klass));
  g_return_if_fail (struct_offset >= sizeof (CtEndpoint));

  /* GObject does not inherit get/set_property: a subclass whose properties
   * are all settings uses the base class's accessors. */
  if (G_OBJECT_CLASS (klass)->set_property == NULL)
    G_OBJECT_CLASS (klass)->set_property = ct_endpoint_set_property;
  if (G_OBJECT_CLASS (klass)->get_property == NULL)
    G_OBJECT_CLASS (klass)->get_property = ct_endpoint_get_property;

  pspec->flags |= CT_PARAM_SETTING;
  g_param_spec_set_qdata (pspec, ct_setting_offset_quark (), GSIZE_TO_POINTER (struct_offset));
  g_object_class_install_property (G_OBJECT_CLASS (klass),
                                   SETTING_PROP_ID_BASE + (guint) struct_offset, pspec);
}

static gpointer
setting_field (GObject    *object,
               GParamSpec *pspec)
{
  gsize offset = GPOINTER_TO_SIZE (g_param_spec_get_qdata (pspec, ct_setting_offset_quark ()));

  return offset ? G_STRUCT_MEMBER_P (object, offset) : NULL;
}

static gboolean
setting_get (GObject    *object,
             GParamSpec *pspec,
             GValue     *value)
{
  gpointer field = setting_field (object, pspec);

  if (field == NULL)
    return FALSE;

  switch (G_TYPE_FUNDAMENTAL (pspec->value_type))
    {
    case G_TYPE_STRING:  g_value_set_string (value, *(char **) field); break;
    case G_TYPE_BOOLEAN: g_value_set_boolean (value, *(gboolean *) field); break;
    case G_TYPE_INT:     g_value_set_int (value, *(int *) field); break;
    case G_TYPE_UINT:    g_value_set_uint (value, *(guint *) field); break;
    case G_TYPE_INT64:   g_value_set_int64 (value, *(gint64 *) field); break;
    case G_TYPE_UINT64:  g_value_set_uint64 (value, *(guint64 *) field); break;
    case G_TYPE_DOUBLE:  g_value_set_double (value, *(double *) field); break;
    case G_TYPE_ENUM:    g_value_set_enum (value, *(int *) field); break;
    default:             g_assert_not_reached ();
    }
  return TRUE;
}

#define SET_FIELD(ctype, getter)                        \
  G_STMT_START {                                        \
    ctype v = getter (value);                           \
    if (*(ctype *) field == v)                          \
      return TRUE;                                      \
    *(ctype *) field = v;                               \
  } G_STMT_END

static gboolean
setting_set (GObject      *object,
             GParamSpec   *pspec,
             const GValue *value)
{
  gpointer field = setting_field (object, pspec);

  if (field == NULL)
    return FALSE;

  switch (G_TYPE_FUNDAMENTAL (pspec->value_type))
    {
    case G_TYPE_STRING:
      if (g_strcmp0 (*(char **) field, g_value_get_string (value)) == 0)
        return TRUE;
      g_free (*(char **) field);
      *(char **) field = g_value_dup_string (value);
      break;

    case G_TYPE_BOOLEAN: SET_FIELD (gboolean, g_value_get_boolean); break;
    case G_TYPE_INT:     SET_FIELD (int, g_value_get_int); break;
    case G_TYPE_UINT:    SET_FIELD (guint, g_value_get_uint); break;
    case G_TYPE_INT64:   SET_FIELD (gint64, g_value_get_int64); break;
    case G_TYPE_UINT64:  SET_FIELD (guint64, g_value_get_uint64); break;
    case G_TYPE_DOUBLE:  SET_FIELD (double, g_value_get_double); break;
    case G_TYPE_ENUM:    SET_FIELD (int, g_value_get_enum); break;
    default:             g_assert_not_reached ();
    }

  g_object_notify_by_pspec (object, pspec);
  return TRUE;
}

#undef SET_FIELD

static void
settings_apply_defaults (GObject *object)
{
  g_autofree GParamSpec **settings = NULL;

  settings = ct_endpoint_class_list_settings (CT_ENDPOINT_GET_CLASS (object), NULL);
  for (guint i = 0; settings[i]; i++)
    {
      gpointer field = setting_field (object, settings[i]);

      if (field == NULL)
        continue;
      if (G_TYPE_FUNDAMENTAL (settings[i]->value_type) == G_TYPE_STRING)
        *(char **) field = g_strdup (g_value_get_string (g_param_spec_get_default_value (settings[i])));
      else
        setting_set (object, settings[i], g_param_spec_get_default_value (settings[i]));
    }
}

static void
settings_free (GObject *object)
{
  g_autofree GParamSpec **settings = NULL;

  settings = ct_endpoint_class_list_settings (CT_ENDPOINT_GET_CLASS (object), NULL);
  for (guint i = 0; settings[i]; i++)
    {
      gpointer field = setting_field (object, settings[i]);

      if (field && G_TYPE_FUNDAMENTAL (settings[i]->value_type) == G_TYPE_STRING)
        g_clear_pointer ((char **) field, g_free);
    }
}

/* -- GObject ------------------------------------------------------------ */

static void
ct_endpoint_constructed (GObject *object)
{
  G_OBJECT_CLASS (ct_endpoint_parent_class)->constructed (object);

  settings_apply_defaults (object);
}

static void
ct_endpoint_dispose (GObject *object)
{
  CtEndpoint *self = CT_ENDPOINT (object);
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);

  g_cancellable_cancel (priv->cancellable);
  if (CT_ENDPOINT_GET_CLASS (self)->close)
    CT_ENDPOINT_GET_CLASS (self)->close (self);
  g_clear_object (&priv->cancellable);
  g_clear_object (&priv->socket_address);

  G_OBJECT_CLASS (ct_endpoint_parent_class)->dispose (object);
}

static void
ct_endpoint_finalize (GObject *object)
{
  CtEndpoint *self = CT_ENDPOINT (object);
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);

  settings_free (object);
  g_clear_object (&priv->log);
  g_clear_object (&priv->connections);
  g_clear_object (&priv->catalog);
  g_clear_pointer (&priv->address, g_free);
  g_clear_pointer (&priv->error, g_free);

  G_OBJECT_CLASS (ct_endpoint_parent_class)->finalize (object);
}

static void
ct_endpoint_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  CtEndpoint *self = CT_ENDPOINT (object);
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);

  if (setting_get (object, pspec, value))
    return;

  switch (prop_id)
    {
    case PROP_PROTOCOL:
      g_value_set_string (value, ct_endpoint_get_protocol_id (self));
      break;

    case PROP_ROLE:
      g_value_set_enum (value, ct_endpoint_get_role (self));
      break;

    case PROP_STATE:
      g_value_set_enum (value, priv->state);
      break;

    case PROP_LOG:
      g_value_set_object (value, priv->log);
      break;

    case PROP_ERROR:
      g_value_set_string (value, priv->error);
      break;

    case PROP_ADDRESS:
      g_value_set_string (value, priv->address);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_endpoint_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  if (!setting_set (object, pspec, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
ct_endpoint_class_init (CtEndpointClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ct_endpoint_constructed;
  object_class->dispose = ct_endpoint_dispose;
  object_class->finalize = ct_endpoint_finalize;
  object_class->get_property = ct_endpoint_get_property;
  object_class->set_property = ct_endpoint_set_property;

  klass->start = ct_endpoint_real_start;
  klass->start_finish = ct_endpoint_real_finish;
  klass->stop = ct_endpoint_real_stop;
  klass->stop_finish = ct_endpoint_real_finish;
  klass->use_server = ct_endpoint_real_use_server;

  properties[PROP_PROTOCOL] =
    g_param_spec_string ("protocol", "Protocol", "The registry id of the protocol",
                         NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  properties[PROP_ROLE] =
    g_param_spec_enum ("role", "Role", "Server or client",
                       CT_TYPE_ROLE, CT_ROLE_SERVER,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  properties[PROP_STATE] =
    g_param_spec_enum ("state", "State", "Stopped, starting, running, stopping or failed",
                       CT_TYPE_STATE, CT_STATE_STOPPED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_LOG] =
    g_param_spec_object ("log", "Log", "Everything this endpoint sent, received and did",
                         CT_TYPE_MESSAGE_LOG, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  properties[PROP_ERROR] =
    g_param_spec_string ("error", "Error", "The last error, as a sentence a user can act on",
                         NULL, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_ADDRESS] =
    g_param_spec_string ("address", "Address", "The bound address of a server, the peer of a client",
                         NULL, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CtEndpoint::error-reported:
   * @message: the error, as a sentence
   *
   * Every error, fatal or not, as it is logged.
   */
  signals[ERROR_REPORTED] =
    g_signal_new ("error-reported", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
ct_endpoint_init (CtEndpoint *self)
{
  CtEndpointPrivate *priv = ct_endpoint_get_instance_private (self);

  priv->log = ct_message_log_new ();
  priv->connections = g_list_store_new (CT_TYPE_CONNECTION);
  priv->catalog = g_list_store_new (CT_TYPE_CATALOG_ITEM);
  priv->state = CT_STATE_STOPPED;
}
