/* ct-amqp-consumer.c — an AMQP 0-9-1 consumer
 *
 * At start (and again after each reconnect) it declares its queue (durable,
 * exclusive, auto-delete, message TTL, maximum length, dead-letter exchange;
 * an empty name lets the broker choose one), declares `exchange` and binds
 * the queue to it with each binding key (`EXCHANGE:KEY` binds another
 * exchange), sets the prefetch and consumes. Each delivery is logged with
 * its delivery tag, redelivered flag, exchange, routing key and properties.
 *
 * Ack mode `auto`: the broker counts a message delivered as soon as it
 * sends it. `manual`: each delivery waits for Ack, Nack or Reject on its
 * log entry (requeued or not, per `requeue`); at most `prefetch` wait at a
 * time. The CLI, with nobody to click, acks each one once it has written it
 * out. Unsettled deliveries go back to the queue when the connection
 * closes, so a delivery from an earlier connection cannot be settled.
 *
 * RPC demo: with `reply`, each delivery that has a reply_to is answered on
 * the default exchange to that queue, with the same correlation id and body.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ct-amqp"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ct-amqp-consumer.h"
#include "ct-amqp-endpoint.h"
#include "ct-enums.h"
#include "ct-error.h"

typedef struct
{
  guint64 generation;
  guint64 tag;
} Unsettled;

struct _CtAmqpConsumer
{
  CtAmqpEndpoint     parent_instance;

  char              *url;
  guint              heartbeat;
  char              *queue;
  gboolean           durable;
  gboolean           exclusive;
  gboolean           auto_delete;
  guint              message_ttl;
  guint              max_length;
  char              *dead_letter_exchange;
  char              *exchange;
  CtAmqpExchangeType exchange_type;
  gboolean           exchange_durable;
  char              *binding_key;
  guint              prefetch;
  CtAmqpAckMode      ack_mode;
  gboolean           requeue;
  gboolean           reply;
  guint              count;

  /* While running */
  CtAmqpAckMode      acking;        /* ack-mode, as it was at start */
  char              *queue_name;    /* as the broker named it */
  char              *queue_peer;    /* GRefString: “queue NAME” */
  GHashTable        *unsettled;     /* exchange id → Unsettled */
  guint64            n_delivered;
  guint64            n_settled;
};

G_DEFINE_FINAL_TYPE (CtAmqpConsumer, ct_amqp_consumer, CT_TYPE_AMQP_ENDPOINT)

static const CtEndpointCommand message_commands[] = {
  { "ack", N_("_Ack"), N_("Acknowledge: the broker removes the message from the queue"), FALSE },
  { "nack", N_("_Nack"), N_("Negative acknowledgement: the broker requeues the message, or drops (or dead-letters) it when Requeue is off"), FALSE },
  { "reject", N_("_Reject"), N_("Reject the message: requeued, or dropped (or dead-lettered) when Requeue is off"), FALSE },
  { NULL }
};

static CtMessageLog *
consumer_log (CtAmqpConsumer *self)
{
  return ct_endpoint_get_log (CT_ENDPOINT (self));
}

/* -- topology and the first entry -------------------------------------- */

static CtAmqpTopology *
ct_amqp_consumer_build_topology (CtAmqpEndpoint  *endpoint,
                                 GError         **error)
{
  CtAmqpConsumer *self = CT_AMQP_CONSUMER (endpoint);
  g_auto(GStrv) bindings = ct_amqp_parse_bindings (self->binding_key, self->exchange, error);
  CtAmqpTopology *t;

  if (bindings == NULL)
    return NULL;
  t = g_new0 (CtAmqpTopology, 1);
  t->exchange = g_strdup (self->exchange);
  t->exchange_type = self->exchange_type;
  t->exchange_durable = self->exchange_durable;
  t->consume = TRUE;
  t->declare_queue = TRUE;
  t->queue = g_strdup (self->queue ? g_strstrip (self->queue) : "");
  t->durable = self->durable;
  t->exclusive = self->exclusive;
  t->auto_delete = self->auto_delete;
  t->message_ttl = self->message_ttl;
  t->max_length = self->max_length;
  t->dead_letter_exchange = g_strdup (self->dead_letter_exchange);
  t->bindings = g_steal_pointer (&bindings);
  t->prefetch = self->prefetch;
  t->no_ack = self->ack_mode == CT_AMQP_ACK_MODE_AUTO;
  /* Automatic acks would let the broker push the whole queue: stopping
   * after `count` takes them one window at a time and acks them itself, so
   * that what comes past the count goes back to the queue */
  if (t->no_ack && self->count)
    {
      t->no_ack = FALSE;
      t->prefetch = MIN (self->count, G_MAXUINT16);
    }
  self->acking = self->ack_mode;
  self->n_delivered = self->n_settled = 0;
  return t;
}

static void
set_queue_name (CtAmqpConsumer *self,
                const char     *name)
{
  g_autofree char *peer = g_strdup_printf (_("queue %s"), name);

  g_free (self->queue_name);
  self->queue_name = g_strdup (name);
  g_clear_pointer (&self->queue_peer, g_ref_string_release);
  self->queue_peer = g_ref_string_new (peer);
}

static void
ct_amqp_consumer_connected (CtAmqpEndpoint    *endpoint,
                            const CtAmqpEvent *event)
{
  CtAmqpConsumer *self = CT_AMQP_CONSUMER (endpoint);
  const char *peer = ct_amqp_endpoint_get_peer (endpoint);
  gboolean manual = self->acking == CT_AMQP_ACK_MODE_MANUAL;
  CtMetaBuilder b = { 0 };

  set_queue_name (self, event->routing_key);
  ct_meta_builder_add_string (&b, "url", ct_amqp_endpoint_get_url_display (endpoint));
  ct_meta_builder_add_string (&b, "address", peer);
  ct_meta_builder_add_string (&b, "server", event->text);
  ct_meta_builder_add_string (&b, "queue", self->queue_name);
  ct_meta_builder_add_string (&b, "ack-mode", manual ? "manual" : "auto");
  ct_meta_builder_add_uint32 (&b, "prefetch", self->prefetch);
  ct_meta_builder_add_uint32 (&b, "heartbeat", event->tag);
  if (manual)
    ct_message_log_info (consumer_log (self), "listening", self->queue_peer, ct_meta_builder_end (&b),
                         _("Consuming from the queue “%s” on %s (%s), manual acks, prefetch %u"),
                         self->queue_name, peer, event->text, self->prefetch);
  else
    ct_message_log_info (consumer_log (self), "listening", self->queue_peer, ct_meta_builder_end (&b),
                         _("Consuming from the queue “%s” on %s (%s), automatic acks"),
                         self->queue_name, peer, event->text);
}

static void
ct_amqp_consumer_reset (CtAmqpEndpoint *endpoint)
{
  CtAmqpConsumer *self = CT_AMQP_CONSUMER (endpoint);

  g_hash_table_remove_all (self->unsettled);
}

/* -- deliveries ------------------------------------------------------------ */

static void
check_count (CtAmqpConsumer *self)
{
  guint64 done = self->acking == CT_AMQP_ACK_MODE_MANUAL ? self->n_settled : self->n_delivered;

  if (self->count && done >= self->count && ct_endpoint_get_state (CT_ENDPOINT (self)) == CT_STATE_RUNNING)
    {
      ct_message_log_info (consumer_log (self), "done", self->queue_peer, NULL,
                           g_dngettext (GETTEXT_PACKAGE, "%u message consumed: stopping",
                                        "%u messages consumed: stopping", self->count),
                           self->count);
      ct_endpoint_stop_async (CT_ENDPOINT (self), NULL, NULL);
    }
}

static void
log_delivery (CtAmqpConsumer    *self,
              const CtAmqpEvent *event)
{
  CtAmqpEndpoint *amqp = CT_AMQP_ENDPOINT (self);
  gboolean counted_auto = self->acking == CT_AMQP_ACK_MODE_AUTO && self->count;
  guint64 id;
  CtMetaBuilder b = { 0 };

  /* Past the count: left unacked, it goes back to the queue as we stop */
  if (counted_auto && self->n_delivered >= self->count)
    return;
  id = ct_amqp_endpoint_next_exchange (amqp);

  ct_meta_builder_add_int64 (&b, "delivery-tag", event->tag);
  ct_meta_builder_add_string (&b, "redelivered", event->flag ? "yes" : "no");
  ct_meta_builder_add_string (&b, "exchange", event->exchange);
  ct_meta_builder_add_string (&b, "routing-key", event->routing_key);
  ct_meta_builder_add_uint32 (&b, "connection", event->generation);
  ct_amqp_props_add_meta (event->props, &b);
  ct_message_log_append (consumer_log (self), &(CtMessageFields) {
                           .time = event->time,
                           .direction = CT_DIRECTION_IN,
                           .peer = self->queue_peer,
                           .peer_is_ref = TRUE,
                           .event = "deliver",
                           .bytes = event->body,
                           .meta = ct_meta_builder_end (&b),
                           .exchange = id,
                         });
  self->n_delivered++;

  if (self->acking == CT_AMQP_ACK_MODE_MANUAL)
    {
      Unsettled *unsettled = g_new (Unsettled, 1);

      unsettled->generation = event->generation;
      unsettled->tag = event->tag;
      g_hash_table_insert (self->unsettled, GSIZE_TO_POINTER (id), unsettled);
    }

  /* The RPC demo: the same body back to reply_to, with the correlation id */
  if (self->reply && event->props->reply_to && *event->props->reply_to)
    {
      CtAmqpProps *props = ct_amqp_props_new ();

      props->correlation_id = g_strdup (event->props->correlation_id);
      props->content_type = g_strdup (event->props->content_type);
      ct_amqp_link_publish (ct_amqp_endpoint_get_link (amqp),
                            ct_amqp_publish_new (id, "", event->props->reply_to, props,
                                                 g_bytes_ref (event->body), FALSE));
    }

  if (counted_auto)
    ct_amqp_link_settle (ct_amqp_endpoint_get_link (amqp), event->generation, event->tag,
                         CT_AMQP_SETTLE_ACK, FALSE);
  if (self->acking == CT_AMQP_ACK_MODE_AUTO)
    check_count (self);
}

static void
log_reply (CtAmqpConsumer    *self,
           const CtAmqpEvent *event)
{
  CtAmqpPublish *m = event->publish;
  g_autofree char *peer = g_strdup_printf (_("queue %s"), m->routing_key);
  g_autofree char *summary = g_strdup_printf (_("Replied to %s"), m->routing_key);
  CtMetaBuilder b = { 0 };

  ct_meta_builder_add_string (&b, "routing-key", m->routing_key);
  ct_amqp_props_add_meta (m->props, &b);
  ct_message_log_append (consumer_log (self), &(CtMessageFields) {
                           .time = event->time,
                           .direction = CT_DIRECTION_OUT,
                           .peer = peer,
                           .event = "reply",
                           .bytes = m->body,
                           .summary = summary,
                           .meta = ct_meta_builder_end (&b),
                           .exchange = m->id,
                         });
}

static void
ct_amqp_consumer_event (CtAmqpEndpoint    *endpoint,
                        const CtAmqpEvent *event)
{
  CtAmqpConsumer *self = CT_AMQP_CONSUMER (endpoint);

  if (event->type == CT_AMQP_EVENT_DELIVER)
    log_delivery (self, event);
  else if (event->type == CT_AMQP_EVENT_PUBLISHED)
    log_reply (self, event);
  else if (event->type == CT_AMQP_EVENT_CONNECTED)
    set_queue_name (self, event->routing_key);
}

/* -- settling ---------------------------------------------------------------- */

static CtAmqpSettle
settle_from_name (const char *name,
                  gboolean   *known)
{
  *known = TRUE;
  if (g_strcmp0 (name, "ack") == 0)
    return CT_AMQP_SETTLE_ACK;
  if (g_strcmp0 (name, "nack") == 0)
    return CT_AMQP_SETTLE_NACK;
  if (g_strcmp0 (name, "reject") == 0)
    return CT_AMQP_SETTLE_REJECT;
  *known = FALSE;
  return CT_AMQP_SETTLE_ACK;
}

static gboolean
ct_amqp_consumer_can_run_message_command (CtEndpoint *endpoint,
                                          const char *name,
                                          CtMessage  *message)
{
  CtAmqpConsumer *self = CT_AMQP_CONSUMER (endpoint);
  Unsettled *unsettled = g_hash_table_lookup (self->unsettled,
                                              GSIZE_TO_POINTER (ct_message_get_exchange (message)));
  gboolean known;

  settle_from_name (name, &known);
  return known && unsettled && g_strcmp0 (ct_message_get_event (message), "deliver") == 0 &&
         unsettled->generation == ct_amqp_endpoint_get_generation (CT_AMQP_ENDPOINT (self));
}

static gboolean
ct_amqp_consumer_run_message_command (CtEndpoint  *endpoint,
                                      const char  *name,
                                      CtMessage   *message,
                                      GError     **error)
{
  CtAmqpConsumer *self = CT_AMQP_CONSUMER (endpoint);
  CtAmqpEndpoint *amqp = CT_AMQP_ENDPOINT (endpoint);
  guint64 id = ct_message_get_exchange (message);
  Unsettled *unsettled = NULL;
  g_autofree char *summary = NULL;
  gboolean known;
  CtAmqpSettle settle = settle_from_name (name, &known);
  gboolean requeue = self->requeue && settle != CT_AMQP_SETTLE_ACK;
  CtMetaBuilder b = { 0 };

  if (!known)
    {
      g_set_error (error, CT_ERROR, CT_ERROR_NOT_IMPLEMENTED, _("Unknown command “%s”"), name);
      return FALSE;
    }
  if (g_strcmp0 (ct_message_get_event (message), "deliver") == 0)
    unsettled = g_hash_table_lookup (self->unsettled, GSIZE_TO_POINTER (id));
  if (unsettled == NULL)
    {
      g_set_error_literal (error, CT_ERROR, CT_ERROR_INVALID_SETTING,
                           self->acking == CT_AMQP_ACK_MODE_MANUAL
                           ? _("This entry is not a delivery waiting to be settled")
                           : _("Deliveries are acknowledged automatically: set the ack mode to manual and start again"));
      return FALSE;
    }
  if (unsettled->generation != ct_amqp_endpoint_get_generation (amqp))
    {
      g_hash_table_remove (self->unsettled, GSIZE_TO_POINTER (id));
      g_set_error (error, CT_ERROR, CT_ERROR_NOT_RUNNING,
                   _("Delivery #%" G_GUINT64_FORMAT " came on an earlier connection: the broker has put it back in the queue already"),
                   unsettled->tag);
      return FALSE;
    }

  ct_amqp_link_settle (ct_amqp_endpoint_get_link (amqp), unsettled->generation, unsettled->tag, settle, requeue);
  switch (settle)
    {
    case CT_AMQP_SETTLE_ACK:
      summary = g_strdup_printf (_("Acked delivery #%" G_GUINT64_FORMAT), unsettled->tag);
      break;
    case CT_AMQP_SETTLE_NACK:
      summary = g_strdup_printf (requeue ? _("Nacked delivery #%" G_GUINT64_FORMAT ": requeued")
                                         : _("Nacked delivery #%" G_GUINT64_FORMAT ": dropped, or dead-lettered"),
                                 unsettled->tag);
      break;
    case CT_AMQP_SETTLE_REJECT:
    default:
      summary = g_strdup_printf (requeue ? _("Rejected delivery #%" G_GUINT64_FORMAT ": requeued")
                                         : _("Rejected delivery #%" G_GUINT64_FORMAT ": dropped, or dead-lettered"),
                                 unsettled->tag);
      break;
    }
  ct_meta_builder_add_int64 (&b, "delivery-tag", unsettled->tag);
  ct_meta_builder_add_string (&b, "requeue", requeue ? "yes" : "no");
  ct_message_log_append (consumer_log (self), &(CtMessageFields) {
                           .direction = CT_DIRECTION_OUT,
                           .peer = self->queue_peer,
                           .peer_is_ref = TRUE,
                           .event = name,
                           .summary = summary,
                           .meta = ct_meta_builder_end (&b),
                           .exchange = id,
                         });
  g_hash_table_remove (self->unsettled, GSIZE_TO_POINTER (id));
  self->n_settled++;
  check_count (self);
  return TRUE;
}

/* The CLI wrote a delivery out: in manual mode, that is when it is acked */
static void
ct_amqp_consumer_message_written (CtEndpoint *endpoint,
                                  CtMessage  *message)
{
  CtAmqpConsumer *self = CT_AMQP_CONSUMER (endpoint);

  if (self->acking == CT_AMQP_ACK_MODE_MANUAL &&
      ct_amqp_consumer_can_run_message_command (endpoint, "ack", message))
    ct_endpoint_run_message_command (endpoint, "ack", message, NULL);
}

/* -- the object ------------------------------------------------------------ */

static void
ct_amqp_consumer_finalize (GObject *object)
{
  CtAmqpConsumer *self = CT_AMQP_CONSUMER (object);

  g_hash_table_unref (self->unsettled);
  g_free (self->queue_name);
  g_clear_pointer (&self->queue_peer, g_ref_string_release);
  G_OBJECT_CLASS (ct_amqp_consumer_parent_class)->finalize (object);
}

static void
ct_amqp_consumer_class_init (CtAmqpConsumerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  CtEndpointClass *endpoint_class = CT_ENDPOINT_CLASS (klass);
  CtAmqpEndpointClass *amqp_class = CT_AMQP_ENDPOINT_CLASS (klass);

  object_class->finalize = ct_amqp_consumer_finalize;

  endpoint_class->role = CT_ROLE_SERVER;
  endpoint_class->message_commands = message_commands;
  endpoint_class->can_run_message_command = ct_amqp_consumer_can_run_message_command;
  endpoint_class->run_message_command = ct_amqp_consumer_run_message_command;
  endpoint_class->message_written = ct_amqp_consumer_message_written;

  amqp_class->build_topology = ct_amqp_consumer_build_topology;
  amqp_class->connected = ct_amqp_consumer_connected;
  amqp_class->event = ct_amqp_consumer_event;
  amqp_class->reset = ct_amqp_consumer_reset;

  ct_amqp_endpoint_class_install_connection (endpoint_class, G_STRUCT_OFFSET (CtAmqpConsumer, url),
                                             G_STRUCT_OFFSET (CtAmqpConsumer, heartbeat));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_string ("queue", N_("Queue"),
                         N_("The queue to declare and consume; empty lets the broker name one"),
                         "hello", CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtAmqpConsumer, queue));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_boolean ("durable", N_("Durable"),
                          N_("The queue survives a broker restart (with persistent messages, so do they)"),
                          FALSE, CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtAmqpConsumer, durable));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_boolean ("exclusive", N_("Exclusive"),
                          N_("Only this connection may use the queue, and it goes when the connection closes"),
                          FALSE, CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtAmqpConsumer, exclusive));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_boolean ("auto-delete", N_("Auto-delete"),
                          N_("The broker deletes the queue when its last consumer goes"),
                          FALSE, CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtAmqpConsumer, auto_delete));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_uint ("message-ttl", N_("Message TTL"),
                       N_("Milliseconds a message may wait in the queue (x-message-ttl); 0 for no limit"),
                       0, G_MAXINT32, 0, CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtAmqpConsumer, message_ttl));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_uint ("max-length", N_("Maximum length"),
                       N_("Messages the queue holds before it drops the oldest (x-max-length); 0 for no limit"),
                       0, G_MAXINT32, 0, CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtAmqpConsumer, max_length));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_string ("dead-letter-exchange", N_("Dead-letter exchange"),
                         N_("Where rejected and expired messages go (x-dead-letter-exchange); empty for nowhere"),
                         "", CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtAmqpConsumer, dead_letter_exchange));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_string ("exchange", N_("Exchange"),
                         N_("An exchange to declare and bind the queue to; empty for none (the default exchange reaches every queue by name)"),
                         "", CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtAmqpConsumer, exchange));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_enum ("exchange-type", N_("Exchange type"),
                       N_("How the exchange routes: by exact key (direct), to every bound queue (fanout), by key pattern (topic), by headers"),
                       CT_TYPE_AMQP_EXCHANGE_TYPE, CT_AMQP_EXCHANGE_TYPE_DIRECT, CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtAmqpConsumer, exchange_type));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_boolean ("exchange-durable", N_("Durable exchange"),
                          N_("Declare the exchange durable, so it survives a broker restart (it must match how it was first declared)"),
                          FALSE, CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtAmqpConsumer, exchange_durable));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_string ("binding-key", N_("Binding keys"),
                         N_("Keys binding the queue to the exchange, separated by commas (topic patterns like logs.*.error); EXCHANGE:KEY binds another exchange"),
                         "", CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtAmqpConsumer, binding_key));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_uint ("prefetch", N_("Prefetch"),
                       N_("With manual acks, the most deliveries waiting to be settled at a time; 0 for no limit"),
                       0, 65535, 100, CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtAmqpConsumer, prefetch));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_enum ("ack-mode", N_("Ack mode"),
                       N_("auto: a message counts as delivered when sent; manual: it waits for Ack, Nack or Reject (the CLI acks each once written out)"),
                       CT_TYPE_AMQP_ACK_MODE, CT_AMQP_ACK_MODE_AUTO, CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtAmqpConsumer, ack_mode));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_boolean ("requeue", N_("Requeue"),
                          N_("Nack and Reject put the message back in the queue (else it is dropped, or dead-lettered)"),
                          TRUE, CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtAmqpConsumer, requeue));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_boolean ("reply", N_("Reply"),
                          N_("RPC demo: answer each message that has a reply_to, with the same correlation id and body"),
                          FALSE, CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtAmqpConsumer, reply));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_uint ("count", N_("Stop after"),
                       N_("Stop after this many messages (settled, with manual acks); the rest stay in the queue; 0 to run until stopped"),
                       0, G_MAXINT32, 0, CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtAmqpConsumer, count));
}

static void
ct_amqp_consumer_init (CtAmqpConsumer *self)
{
  self->unsettled = g_hash_table_new_full (NULL, NULL, NULL, g_free);
}

CtEndpoint *
ct_amqp_consumer_new (void)
{
  return g_object_new (CT_TYPE_AMQP_CONSUMER, NULL);
}

const char *
ct_amqp_consumer_get_queue_name (CtAmqpConsumer *self)
{
  g_return_val_if_fail (CT_IS_AMQP_CONSUMER (self), NULL);
  return self->queue_name ? self->queue_name : self->queue;
}
