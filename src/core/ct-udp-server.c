/* ct-udp-server.c — a UDP server: binds host:port, logs every datagram,
 * echoes it back (optional), and replies to the last or a chosen peer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ct-udp"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ct-enums.h"
#include "ct-error.h"
#include "ct-net.h"
#include "ct-udp-private.h"
#include "ct-udp-server.h"

struct _CtUdpServer
{
  CtEndpoint       parent_instance;

  char            *host;
  guint            port;
  gboolean         echo;
  int              format;    /* CtPayloadFormat */
  char            *reply_to;

  GSocket         *socket;
  GSource         *watch;
  GSocketAddress  *last_peer;
};

G_DEFINE_FINAL_TYPE (CtUdpServer, ct_udp_server, CT_TYPE_ENDPOINT)

static void
ct_udp_server_close (CtEndpoint *endpoint)
{
  CtUdpServer *self = CT_UDP_SERVER (endpoint);

  ct_udp_close (&self->watch, &self->socket);
  g_clear_object (&self->last_peer);
}

static void
on_datagram (CtEndpoint     *endpoint,
             GSocketAddress *from,
             const char     *peer,
             const guint8   *data,
             gsize           size)
{
  CtUdpServer *self = CT_UDP_SERVER (endpoint);

  g_set_object (&self->last_peer, from);

  if (self->echo)
    {
      g_autoptr(GError) error = NULL;

      if (!ct_udp_send (endpoint, self->socket, from, peer, data, size, &error))
        ct_endpoint_report_error (endpoint, peer, error);
    }
}

/* The host and port settings resolved: bind or connect */
static void
ct_udp_server_start_at (CtEndpoint     *endpoint,
                       GSocketAddress *address,
                       GTask          *task)
{
  CtUdpServer *self = g_task_get_source_object (task);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;

  socket = ct_udp_socket_new (g_socket_address_get_family (address), &error);
  if (socket == NULL || !g_socket_bind (socket, address, FALSE, &error))
    {
      g_task_return_error (task, ct_error_from_socket (error, address));
      return;
    }

  bound = g_socket_get_local_address (socket, &error);
  if (bound == NULL)
    {
      g_task_return_error (task, ct_error_from_socket (error, address));
      return;
    }

  self->socket = g_steal_pointer (&socket);
  self->watch = ct_udp_watch (CT_ENDPOINT (self), self->socket, on_datagram);
  ct_endpoint_set_socket_address (CT_ENDPOINT (self), bound);

  ct_message_log_info (ct_endpoint_get_log (CT_ENDPOINT (self)), "listening", NULL,
                       ct_net_address_meta (bound),
                       _("Listening on %s"), ct_endpoint_get_address (CT_ENDPOINT (self)));
  g_task_return_boolean (task, TRUE);
}

/* Sends a reply to the peer named by reply-to, or else to the last peer */
static gboolean
ct_udp_server_send_text (CtEndpoint  *endpoint,
                         const char  *text,
                         GError     **error)
{
  CtUdpServer *self = CT_UDP_SERVER (endpoint);
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GSocketAddress) to = NULL;
  g_autofree char *peer = NULL;

  if (self->reply_to && *self->reply_to)
    {
      to = ct_net_parse_address (self->reply_to, error);
      if (to == NULL)
        return FALSE;
    }
  else if (self->last_peer)
    to = g_object_ref (self->last_peer);
  else
    {
      g_set_error_literal (error, CT_ERROR, CT_ERROR_INVALID_SETTING,
                           _("No peer to reply to yet: wait for a datagram or set “Reply to”"));
      return FALSE;
    }

  payload = ct_udp_parse_payload (text, self->format, error);
  if (payload == NULL)
    return FALSE;

  peer = ct_socket_address_to_string (to);
  return ct_udp_send (endpoint, self->socket, to, peer,
                      g_bytes_get_data (payload, NULL), g_bytes_get_size (payload), error);
}

static void
ct_udp_server_class_init (CtUdpServerClass *klass)
{
  CtEndpointClass *endpoint_class = CT_ENDPOINT_CLASS (klass);

  endpoint_class->protocol_id = "udp";
  endpoint_class->role = CT_ROLE_SERVER;
  endpoint_class->start_at = ct_udp_server_start_at;
  endpoint_class->close = ct_udp_server_close;
  endpoint_class->send_text = ct_udp_server_send_text;

  ct_endpoint_class_install_address (endpoint_class,
                                     G_STRUCT_OFFSET (CtUdpServer, host),
                                     G_STRUCT_OFFSET (CtUdpServer, port));

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_boolean ("echo", N_("Echo"),
                          N_("Send every datagram back to its sender"),
                          TRUE, CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtUdpServer, echo));

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_string ("reply-to", N_("Reply to"),
                         N_("Peer that replies go to, as 127.0.0.1:50000; empty for the last sender"),
                         "", CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtUdpServer, reply_to));

  ct_endpoint_class_install_format (endpoint_class, G_STRUCT_OFFSET (CtUdpServer, format));
}

static void
ct_udp_server_init (CtUdpServer *self)
{
}
CtEndpoint *
ct_udp_server_new (void)
{
  return g_object_new (CT_TYPE_UDP_SERVER, NULL);
}
