/* ct-amqp-endpoint.h — what an AMQP producer and consumer share: the
 * connection on its worker thread, starting, stopping and reconnecting
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ct-amqp-link.h"
#include "ct-endpoint.h"

G_BEGIN_DECLS

#define CT_TYPE_AMQP_ENDPOINT (ct_amqp_endpoint_get_type ())

G_DECLARE_DERIVABLE_TYPE (CtAmqpEndpoint, ct_amqp_endpoint, CT, AMQP_ENDPOINT, CtEndpoint)

/**
 * CtAmqpEndpointClass:
 * @build_topology: what the link declares and consumes, from the settings
 *   (the URL and heartbeat are filled in by the base class)
 * @connected: log the first connection (the first entry of the log)
 * @event: an event the base class does not handle (publish, confirm,
 *   return, delivery), and CONNECTED again after a reconnect
 * @reset: forget the connection's state (stopped or failed)
 */
struct _CtAmqpEndpointClass
{
  CtEndpointClass parent_class;

  CtAmqpTopology *(*build_topology) (CtAmqpEndpoint    *self,
                                     GError           **error);
  void            (*connected)      (CtAmqpEndpoint    *self,
                                     const CtAmqpEvent *event);
  void            (*event)          (CtAmqpEndpoint    *self,
                                     const CtAmqpEvent *event);
  void            (*reset)          (CtAmqpEndpoint    *self);
};

void        ct_amqp_endpoint_class_install_connection (CtEndpointClass *klass,
                                                       gsize            url_offset,
                                                       gsize            heartbeat_offset);

CtAmqpLink *ct_amqp_endpoint_get_link       (CtAmqpEndpoint *self);
guint64     ct_amqp_endpoint_get_generation (CtAmqpEndpoint *self);
const char *ct_amqp_endpoint_get_peer       (CtAmqpEndpoint *self);
guint64     ct_amqp_endpoint_next_exchange  (CtAmqpEndpoint *self);
const char *ct_amqp_endpoint_get_url_display (CtAmqpEndpoint *self);

G_END_DECLS
