/* ct-amqp-consumer.h — an AMQP 0-9-1 consumer: a queue, its bindings,
 * prefetch, automatic or manual acks, and RPC answers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ct-amqp-endpoint.h"

G_BEGIN_DECLS

#define CT_TYPE_AMQP_CONSUMER (ct_amqp_consumer_get_type ())

G_DECLARE_FINAL_TYPE (CtAmqpConsumer, ct_amqp_consumer, CT, AMQP_CONSUMER, CtAmqpEndpoint)

CtEndpoint *ct_amqp_consumer_new       (void);
/* The queue consumed: the setting, or the name the broker gave */
const char *ct_amqp_consumer_get_queue_name (CtAmqpConsumer *self);

G_END_DECLS
