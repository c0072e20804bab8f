/* ct-udp-client.c — a UDP client: sends to host:port and logs every reply
 *
 * The socket is connected to the target, so the kernel reports ICMP "port
 * unreachable" for it and only the target's datagrams are received.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ct-udp"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ct-enums.h"
#include "ct-error.h"
#include "ct-net.h"
#include "ct-udp-client.h"
#include "ct-udp-private.h"

struct _CtUdpClient
{
  CtEndpoint  parent_instance;

  char       *host;
  guint       port;
  int         format;    /* CtPayloadFormat */

  GSocket    *socket;
  GSource    *watch;
};

G_DEFINE_FINAL_TYPE (CtUdpClient, ct_udp_client, CT_TYPE_ENDPOINT)

static void
ct_udp_client_close (CtEndpoint *endpoint)
{
  CtUdpClient *self = CT_UDP_CLIENT (endpoint);

  ct_udp_close (&self->watch, &self->socket);
}

/* The host and port settings resolved: bind or connect */
static void
ct_udp_client_start_at (CtEndpoint     *endpoint,
                       GSocketAddress *address,
                       GTask          *task)
{
  CtUdpClient *self = g_task_get_source_object (task);
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *local_string = NULL;
  GVariantDict meta;

  socket = ct_udp_socket_new (g_socket_address_get_family (address), &error);
  if (socket == NULL || !g_socket_connect (socket, address, NULL, &error))
    {
      g_task_return_error (task, ct_error_from_socket (error, address));
      return;
    }

  self->socket = g_steal_pointer (&socket);
  self->watch = ct_udp_watch (CT_ENDPOINT (self), self->socket, NULL);
  ct_endpoint_set_socket_address (CT_ENDPOINT (self), address);

  local = g_socket_get_local_address (self->socket, NULL);
  local_string = ct_socket_address_to_string (local);
  g_variant_dict_init (&meta, ct_net_address_meta (address));
  g_variant_dict_insert (&meta, "local", "s", local_string);
  ct_message_log_info (ct_endpoint_get_log (CT_ENDPOINT (self)), "ready", NULL,
                       g_variant_dict_end (&meta),
                       _("Ready to send to %s from %s"),
                       ct_endpoint_get_address (CT_ENDPOINT (self)), local_string);
  g_task_return_boolean (task, TRUE);
}

static gboolean
ct_udp_client_send_text (CtEndpoint  *endpoint,
                         const char  *text,
                         GError     **error)
{
  CtUdpClient *self = CT_UDP_CLIENT (endpoint);
  g_autoptr(GBytes) payload = NULL;

  payload = ct_udp_parse_payload (text, self->format, error);
  if (payload == NULL)
    return FALSE;

  return ct_udp_send (endpoint, self->socket, NULL, ct_endpoint_get_address (endpoint),
                      g_bytes_get_data (payload, NULL), g_bytes_get_size (payload), error);
}

static void
ct_udp_client_class_init (CtUdpClientClass *klass)
{
  CtEndpointClass *endpoint_class = CT_ENDPOINT_CLASS (klass);

  endpoint_class->protocol_id = "udp";
  endpoint_class->role = CT_ROLE_CLIENT;
  endpoint_class->start_at = ct_udp_client_start_at;
  endpoint_class->close = ct_udp_client_close;
  endpoint_class->send_text = ct_udp_client_send_text;

  ct_endpoint_class_install_address (endpoint_class,
                                     G_STRUCT_OFFSET (CtUdpClient, host),
                                     G_STRUCT_OFFSET (CtUdpClient, port));

  ct_endpoint_class_install_format (endpoint_class, G_STRUCT_OFFSET (CtUdpClient, format));
}

static void
ct_udp_client_init (CtUdpClient *self)
{
}

CtEndpoint *
ct_udp_client_new (void)
{
  return g_object_new (CT_TYPE_UDP_CLIENT, NULL);
}
