/* ct-protocol.c — the registry of protocols
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "ct-endpoint.h"
#include "ct-protocol.h"
#include "ct-amqp-consumer.h"
#include "ct-amqp-producer.h"
#include "ct-jsonrpc-client.h"
#include "ct-chat-client.h"
#include "ct-chat-server.h"
#include "ct-http-client.h"
#include "ct-jsonrpc-server.h"
#include "ct-rest-server.h"
#include "ct-tcp-client.h"
#include "ct-tcp-server.h"
#include "ct-udp-client.h"
#include "ct-udp-server.h"

static const CtProtocol protocols[] = {
  {
    .id = "udp",
    .title = N_("UDP"),
    .description = N_("Datagrams: no connection, no guarantee, one message per packet"),
    .icon_name = "mail-send-receive-symbolic",
    .server_title = N_("Server"),
    .client_title = N_("Client"),
    .default_port = 9000,
    .get_server_type = ct_udp_server_get_type,
    .get_client_type = ct_udp_client_get_type,
  },
  {
    .id = "tcp",
    .title = N_("TCP"),
    .description = N_("Streams: many clients, line or length-prefixed framing"),
    .icon_name = "network-wired-symbolic",
    .server_title = N_("Server"),
    .client_title = N_("Client"),
    .default_port = 9001,
    .get_server_type = ct_tcp_server_get_type,
    .get_client_type = ct_tcp_client_get_type,
  },
  {
    .id = "jsonrpc",
    .title = N_("JSON-RPC"),
    .description = N_("JSON-RPC 2.0 over HTTP: calls, notifications and batches"),
    .icon_name = "system-run-symbolic",
    .server_title = N_("Server"),
    .client_title = N_("Client"),
    .default_port = 8080,
    .get_server_type = ct_jsonrpc_server_get_type,
    .get_client_type = ct_jsonrpc_client_get_type,
    .composer_hint = N_("A method and its params, like subtract [42, 23]; or raw JSON"),
    .demo = { "subtract [42, 23]", "sum [1, 2, 4]", "fail {\"code\": -32001, \"message\": \"Out of coffee\"}" },
  },
  {
    .id = "rest",
    .title = N_("REST"),
    .description = N_("A CRUD JSON API with a web page, and an HTTP client"),
    .icon_name = "network-server-symbolic",
    .server_title = N_("Server"),
    .client_title = N_("Client"),
    .default_port = 8000,
    .get_server_type = ct_rest_server_get_type,
    .get_client_type = ct_http_client_get_type,
    .composer_hint = N_("A method, a URL and maybe a body, like GET /api/tasks/1 or POST /api/tasks {\"title\": \"Milk\"}"),
    .demo = { "GET /api/tasks?limit=3", "POST /api/tasks {\"title\": \"Try Crosstalk\", \"priority\": \"high\"}", "GET /api/tasks/999" },
  },
  {
    .id = "chat",
    .title = N_("WebSocket"),
    .description = N_("A WebSocket chat server with a web page, and clients that show every frame"),
    .icon_name = "user-available-symbolic",
    .server_title = N_("Chat server"),
    .client_title = N_("Clients"),
    .multi_client = TRUE,
    .default_port = 8765,
    .get_server_type = ct_chat_server_get_type,
    .get_client_type = ct_chat_client_get_type,
  },
  {
    .id = "amqp",
    .title = N_("RabbitMQ"),
    .description = N_("AMQP 0-9-1: a private broker, a producer and a consumer"),
    .icon_name = "mail-message-new-symbolic",
    .server_title = N_("Consumer"),
    .client_title = N_("Producer"),
    .default_port = 5672,
    .get_server_type = ct_amqp_consumer_get_type,
    .get_client_type = ct_amqp_producer_get_type,
  },
};

/**
 * ct_protocol_get_all:
 *
 * Returns: the protocols, in page order
 */
const CtProtocol *
ct_protocol_get_all (guint *n_protocols)
{
  if (n_protocols)
    *n_protocols = G_N_ELEMENTS (protocols);
  return protocols;
}

/**
 * ct_protocol_lookup:
 * @id: `udp`, `tcp`...
 *
 * Returns: (nullable): the protocol, or %NULL if there is none by that id
 */
const CtProtocol *
ct_protocol_lookup (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
    if (g_str_equal (protocols[i].id, id))
      return &protocols[i];
  return NULL;
}

/* Whether the protocol's endpoints exist yet (or the page is "coming soon") */
gboolean
ct_protocol_is_available (const CtProtocol *protocol)
{
  g_return_val_if_fail (protocol != NULL, FALSE);
  return protocol->get_server_type != NULL && protocol->get_client_type != NULL;
}

/**
 * ct_protocol_new_endpoint:
 *
 * Returns: (transfer full) (nullable): a new stopped endpoint, or %NULL when
 *   the protocol is not available yet
 */
CtEndpoint *
ct_protocol_new_endpoint (const CtProtocol *protocol,
                          CtRole            role)
{
  g_return_val_if_fail (protocol != NULL, NULL);

  if (!ct_protocol_is_available (protocol))
    return NULL;

  return g_object_new (role == CT_ROLE_SERVER ? protocol->get_server_type ()
                                              : protocol->get_client_type (),
                       NULL);
}
