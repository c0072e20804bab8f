/* ct-amqp-producer.h — an AMQP 0-9-1 publisher: exchanges, properties,
 * publisher confirms, returns, bursts and RPC replies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ct-amqp-endpoint.h"

G_BEGIN_DECLS

#define CT_TYPE_AMQP_PRODUCER (ct_amqp_producer_get_type ())

G_DECLARE_FINAL_TYPE (CtAmqpProducer, ct_amqp_producer, CT, AMQP_PRODUCER, CtAmqpEndpoint)

CtEndpoint *ct_amqp_producer_new (void);

G_END_DECLS
