/* ct-amqp-link.h — one AMQP connection run by rabbitmq-c on its own thread
 *
 * rabbitmq-c is blocking and wants one connection per thread, so each
 * producer or consumer owns a link: a worker thread that connects, declares
 * the topology, publishes, settles and receives, and hands what happens to
 * the main context as CtAmqpEvents, a batch at a time. The main thread
 * talks to it only through the queue of commands below.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ct-amqp.h"

G_BEGIN_DECLS

typedef struct _CtAmqpLink CtAmqpLink;

/**
 * CtAmqpTopology:
 * What the link sets up on each connection (again after a reconnect).
 * @exchange: declared when not empty (passively for `amq.*` ones)
 * @queue: declared and consumed when @consume; "" lets the broker name it
 * @declare_queue: %FALSE for the direct reply-to pseudo-queue
 * @bindings: exchange, key, exchange, key...
 * @window: with @confirm, the most messages published and not yet confirmed
 */
typedef struct
{
  CtAmqpUrl         *url;
  guint              heartbeat;
  gboolean           confirm;
  guint              window;
  char              *exchange;
  CtAmqpExchangeType exchange_type;
  gboolean           exchange_durable;
  gboolean           consume;
  gboolean           declare_queue;
  char              *queue;
  gboolean           durable;
  gboolean           exclusive;
  gboolean           auto_delete;
  guint              message_ttl;
  guint              max_length;
  char              *dead_letter_exchange;
  char             **bindings;
  guint16            prefetch;
  gboolean           no_ack;
} CtAmqpTopology;

void ct_amqp_topology_free (CtAmqpTopology *topology);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtAmqpTopology, ct_amqp_topology_free)

/**
 * CtAmqpPublish:
 * One message to publish; shared read-only with the events that tell what
 * became of it.
 * @id: the owner's number for it (the log's exchange id)
 */
typedef struct
{
  guint64      id;
  char        *exchange;
  char        *routing_key;
  CtAmqpProps *props;
  GBytes      *body;
  gboolean     mandatory;
} CtAmqpPublish;

CtAmqpPublish *ct_amqp_publish_new   (guint64        id,
                                      const char    *exchange,
                                      const char    *routing_key,
                                      CtAmqpProps   *props,
                                      GBytes        *body,
                                      gboolean       mandatory);
CtAmqpPublish *ct_amqp_publish_ref   (CtAmqpPublish *publish);
void           ct_amqp_publish_unref (CtAmqpPublish *publish);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtAmqpPublish, ct_amqp_publish_unref)

typedef enum
{
  CT_AMQP_EVENT_CONNECTED,     /* generation, server, queue, heartbeat, republished */
  CT_AMQP_EVENT_START_FAILED,  /* error: the first connection failed; the link is over */
  CT_AMQP_EVENT_LOST,          /* error, code: retry in ms, tag: attempt (1 when just lost) */
  CT_AMQP_EVENT_PUBLISHED,     /* publish, seq (0 without confirms), republished */
  CT_AMQP_EVENT_CONFIRM,       /* nack, seq, multiple, ids */
  CT_AMQP_EVENT_UNCONFIRMED,   /* error, ids: published, and the channel closed before the confirm */
  CT_AMQP_EVENT_RETURN,        /* code, text, exchange, routing_key, props, body */
  CT_AMQP_EVENT_DELIVER,       /* generation, tag, redelivered, exchange, routing_key, props, body */
  CT_AMQP_EVENT_ERROR,         /* error: something failed, the link goes on */
  CT_AMQP_EVENT_CLOSED,        /* the thread is done */
} CtAmqpEventType;

typedef struct
{
  CtAmqpEventType type;
  guint64         generation;
  guint64         tag;          /* delivery tag, or the confirm's sequence number */
  gboolean        flag;         /* redelivered; nack; multiple is in ids->len */
  guint           code;         /* a return's reply code; retry_ms for LOST; republished count */
  char           *text;         /* server product and version, a return's reply text */
  char           *exchange;
  char           *routing_key;  /* the routing key; the queue for CONNECTED */
  CtAmqpProps    *props;
  GBytes         *body;
  GError         *error;
  CtAmqpPublish  *publish;
  GArray         *ids;          /* guint64 publish ids a confirm covers */
  guint64         first_seq;
  gint64          time;         /* g_get_real_time () when it happened */
} CtAmqpEvent;

typedef void (*CtAmqpEventFunc) (const CtAmqpEvent *event,
                                 gpointer           user_data);

typedef enum
{
  CT_AMQP_SETTLE_ACK,
  CT_AMQP_SETTLE_NACK,
  CT_AMQP_SETTLE_REJECT,
} CtAmqpSettle;

CtAmqpLink *ct_amqp_link_new     (CtAmqpTopology *topology,
                                  CtAmqpEventFunc func,
                                  gpointer        user_data);
void        ct_amqp_link_publish (CtAmqpLink     *self,
                                  CtAmqpPublish  *publish);
void        ct_amqp_link_settle  (CtAmqpLink     *self,
                                  guint64         generation,
                                  guint64         tag,
                                  CtAmqpSettle    settle,
                                  gboolean        requeue);
void        ct_amqp_link_stop    (CtAmqpLink     *self);
void        ct_amqp_link_detach  (CtAmqpLink     *self);

G_END_DECLS
