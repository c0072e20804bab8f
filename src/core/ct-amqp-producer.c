/* ct-amqp-producer.c — an AMQP 0-9-1 publisher
 *
 * Each composer line is published `count` times (a burst; each message then
 * carries a message-id BURST-N) to `exchange` with `routing-key` and the
 * properties from the settings. The exchange is declared at start with its
 * type and durability (`amq.*` ones only checked); an empty one is the
 * default exchange, which routes to the queue named by the key.
 *
 * With `confirm`, each message's ack or nack from the broker is logged
 * against it (one entry per confirm frame: a `multiple` ack settles a range)
 * and at most `window` wait for theirs; a message whose confirm never came
 * when the connection was lost is published again once it is back. With
 * `mandatory`, a message no queue takes comes back as a `return` entry.
 *
 * RPC demo: with `reply-to`, the producer consumes that queue (RabbitMQ's
 * direct reply-to, amq.rabbitmq.reply-to, by default none), gives each
 * message a correlation id (`ct-N` unless one is set) and pairs each reply
 * with its request, with the round-trip time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ct-amqp"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ct-amqp-consumer.h"
#include "ct-amqp-endpoint.h"
#include "ct-amqp-producer.h"
#include "ct-enums.h"
#include "ct-error.h"
#include "ct-http-client.h"
#include "ct-payload.h"

typedef struct
{
  guint64 id;
  gint64  time;
} Request;

struct _CtAmqpProducer
{
  CtAmqpEndpoint     parent_instance;

  char              *url;
  guint              heartbeat;
  char              *exchange;
  CtAmqpExchangeType exchange_type;
  gboolean           exchange_durable;
  char              *routing_key;
  gboolean           persistent;
  gboolean           confirm;
  gboolean           mandatory;
  char              *content_type;
  char              *correlation_id;
  char              *reply_to;
  guint              expiration;
  guint              priority;
  char              *headers;
  CtPayloadFormat    format;
  guint              count;
  guint              window;

  /* While running */
  gboolean           confirming;     /* confirm, as it was at start */
  char              *replying_to;    /* reply-to, as it was at start */
  guint64            bursts;
  gint64             n_unsettled;    /* queued and not yet confirmed (or published) */
  gint64             n_awaiting;     /* requests waiting for their reply */
  GHashTable        *published_at;   /* id → time, until confirmed */
  GHashTable        *requests;       /* correlation id → GQueue of Request */
};

G_DEFINE_FINAL_TYPE (CtAmqpProducer, ct_amqp_producer, CT_TYPE_AMQP_ENDPOINT)

static CtMessageLog *
producer_log (CtAmqpProducer *self)
{
  return ct_endpoint_get_log (CT_ENDPOINT (self));
}

static char *
describe_target (const char *exchange,
                 const char *routing_key)
{
  g_autofree char *target = ct_amqp_describe_exchange (exchange);

  return g_strdup_printf ("%s → %s", target, routing_key);
}

/* -- topology and the first entry ------------------------------------- */

static CtAmqpTopology *
ct_amqp_producer_build_topology (CtAmqpEndpoint  *endpoint,
                                 GError         **error)
{
  CtAmqpProducer *self = CT_AMQP_PRODUCER (endpoint);
  CtAmqpTopology *t = g_new0 (CtAmqpTopology, 1);
  g_autoptr(GPtrArray) headers = ct_http_parse_headers (self->headers, error);

  if (headers == NULL)
    {
      ct_amqp_topology_free (t);
      return NULL;
    }
  t->confirm = self->confirm;
  t->window = self->window;
  t->exchange = g_strdup (self->exchange);
  t->exchange_type = self->exchange_type;
  t->exchange_durable = self->exchange_durable;
  if (self->reply_to && *self->reply_to)
    {
      t->consume = TRUE;
      t->queue = g_strdup (self->reply_to);
      t->declare_queue = g_strcmp0 (self->reply_to, CT_AMQP_DIRECT_REPLY_TO) != 0;
      t->auto_delete = TRUE;
      t->no_ack = TRUE;
    }

  self->confirming = self->confirm;
  g_free (self->replying_to);
  self->replying_to = g_strdup (t->consume ? self->reply_to : NULL);
  return t;
}

static void
ct_amqp_producer_connected (CtAmqpEndpoint    *endpoint,
                            const CtAmqpEvent *event)
{
  CtAmqpProducer *self = CT_AMQP_PRODUCER (endpoint);
  g_autofree char *target = ct_amqp_describe_exchange (self->exchange);
  const char *peer = ct_amqp_endpoint_get_peer (endpoint);
  CtMetaBuilder b = { 0 };

  ct_meta_builder_add_string (&b, "url", ct_amqp_endpoint_get_url_display (endpoint));
  ct_meta_builder_add_string (&b, "server", event->text);
  ct_meta_builder_add_string (&b, "exchange", self->exchange);
  ct_meta_builder_add_uint32 (&b, "heartbeat", event->tag);
  ct_meta_builder_add_string (&b, "confirm", self->confirming ? "yes" : "no");
  if (self->replying_to)
    ct_meta_builder_add_string (&b, "reply-to", self->replying_to);
  ct_message_log_info (producer_log (self), "connected", peer, ct_meta_builder_end (&b),
                       self->confirming ? _("Connected to %s (%s); publishing to the %s with publisher confirms")
                                        : _("Connected to %s (%s); publishing to the %s"),
                       peer, event->text, target);
}

static void
ct_amqp_producer_reset (CtAmqpEndpoint *endpoint)
{
  CtAmqpProducer *self = CT_AMQP_PRODUCER (endpoint);

  self->n_unsettled = self->n_awaiting = 0;
  g_hash_table_remove_all (self->published_at);
  g_hash_table_remove_all (self->requests);
}

/* -- events ------------------------------------------------------------- */

static void
log_published (CtAmqpProducer    *self,
               const CtAmqpEvent *event)
{
  CtAmqpPublish *m = event->publish;
  g_autofree char *peer = describe_target (m->exchange, m->routing_key);
  g_autofree char *summary = NULL;
  gsize size;
  gconstpointer data = g_bytes_get_data (m->body, &size);
  CtMetaBuilder b = { 0 };

  ct_meta_builder_add_string (&b, "exchange", m->exchange);
  ct_meta_builder_add_string (&b, "routing-key", m->routing_key);
  if (event->tag)
    ct_meta_builder_add_int64 (&b, "seq", event->tag);
  if (m->mandatory)
    ct_meta_builder_add_string (&b, "mandatory", "yes");
  if (event->flag)
    {
      g_autofree char *text = ct_payload_summarize (data, size);

      ct_meta_builder_add_string (&b, "republished", "yes");
      summary = g_strdup_printf (_("Published again (the confirm never came): %s"), text);
    }
  ct_amqp_props_add_meta (m->props, &b);

  if (self->confirming)
    g_hash_table_insert (self->published_at, GSIZE_TO_POINTER (m->id), GSIZE_TO_POINTER (event->time));
  else
    self->n_unsettled--;

  ct_message_log_append (producer_log (self), &(CtMessageFields) {
                           .time = event->time,
                           .direction = CT_DIRECTION_OUT,
                           .peer = peer,
                           .event = "publish",
                           .bytes = m->body,
                           .summary = summary,
                           .meta = ct_meta_builder_end (&b),
                           .exchange = m->id,
                         });
}

static void
log_confirm (CtAmqpProducer    *self,
             const CtAmqpEvent *event)
{
  guint n = event->ids->len;
  guint64 first = n ? g_array_index (event->ids, guint64, 0) : 0;
  gint64 sent = 0;
  g_autofree char *summary = NULL;
  CtMetaBuilder b = { 0 };

  for (guint i = 0; i < n; i++)
    {
      gpointer key = GSIZE_TO_POINTER (g_array_index (event->ids, guint64, i));

      if (i == 0)
        sent = GPOINTER_TO_SIZE (g_hash_table_lookup (self->published_at, key));
      g_hash_table_remove (self->published_at, key);
    }
  self->n_unsettled -= n;

  ct_meta_builder_add_int64 (&b, "seq", event->tag);
  ct_meta_builder_add_uint32 (&b, "messages", n);
  if (n == 1 && sent)
    ct_meta_builder_add_int64 (&b, "rtt-us", event->time - sent);

  if (n == 1)
    summary = g_strdup_printf (event->flag ? _("Refused by the broker (nack): message #%" G_GUINT64_FORMAT)
                                           : _("Confirmed by the broker: message #%" G_GUINT64_FORMAT),
                               event->tag);
  else
    summary = g_strdup_printf (event->flag
                               ? _("Refused by the broker (nack): messages #%" G_GUINT64_FORMAT "–#%" G_GUINT64_FORMAT " (%u)")
                               : _("Confirmed by the broker: messages #%" G_GUINT64_FORMAT "–#%" G_GUINT64_FORMAT " (%u)"),
                               event->first_seq, event->tag, n);

  ct_message_log_append (producer_log (self), &(CtMessageFields) {
                           .time = event->time,
                           .direction = CT_DIRECTION_IN,
                           .peer = ct_amqp_endpoint_get_peer (CT_AMQP_ENDPOINT (self)),
                           .peer_is_ref = TRUE,
                           .event = event->flag ? "nack" : "ack",
                           .summary = summary,
                           .meta = ct_meta_builder_end (&b),
                           .exchange = n == 1 ? first : 0,
                         });
}

static void
log_return (CtAmqpProducer    *self,
            const CtAmqpEvent *event)
{
  g_autofree char *peer = describe_target (event->exchange, event->routing_key);
  g_autofree char *summary = NULL;
  CtMetaBuilder b = { 0 };

  ct_meta_builder_add_uint32 (&b, "reply-code", event->code);
  ct_meta_builder_add_string (&b, "reply-text", event->text);
  ct_meta_builder_add_string (&b, "exchange", event->exchange);
  ct_meta_builder_add_string (&b, "routing-key", event->routing_key);
  ct_amqp_props_add_meta (event->props, &b);
  summary = g_strdup_printf (_("Returned by the broker: %u %s (no queue took it)"), event->code, event->text);
  ct_message_log_append (producer_log (self), &(CtMessageFields) {
                           .time = event->time,
                           .direction = CT_DIRECTION_IN,
                           .peer = peer,
                           .event = "return",
                           .bytes = event->body,
                           .summary = summary,
                           .meta = ct_meta_builder_end (&b),
                         });
}

/* A reply on the reply-to queue: paired with its request */
static void
log_reply (CtAmqpProducer    *self,
           const CtAmqpEvent *event)
{
  const char *correlation = event->props->correlation_id;
  GQueue *waiting = correlation ? g_hash_table_lookup (self->requests, correlation) : NULL;
  g_autofree Request *request = waiting ? g_queue_pop_head (waiting) : NULL;
  g_autofree char *peer = g_strdup_printf (_("queue %s"), self->replying_to);
  g_autofree char *summary = NULL;
  CtMetaBuilder b = { 0 };

  if (waiting && g_queue_is_empty (waiting))
    g_hash_table_remove (self->requests, correlation);
  ct_meta_builder_add_string (&b, "routing-key", event->routing_key);
  if (request)
    {
      self->n_awaiting--;
      ct_meta_builder_add_int64 (&b, "rtt-us", event->time - request->time);
    }
  else
    summary = g_strdup_printf (_("A reply with no request waiting for it (correlation id “%s”)"),
                               correlation ? correlation : "");
  ct_amqp_props_add_meta (event->props, &b);
  ct_message_log_append (producer_log (self), &(CtMessageFields) {
                           .time = event->time,
                           .direction = CT_DIRECTION_IN,
                           .peer = peer,
                           .event = "reply",
                           .bytes = event->body,
                           .summary = summary,
                           .meta = ct_meta_builder_end (&b),
                           .exchange = request ? request->id : 0,
                         });
}

static void
ct_amqp_producer_event (CtAmqpEndpoint    *endpoint,
                        const CtAmqpEvent *event)
{
  CtAmqpProducer *self = CT_AMQP_PRODUCER (endpoint);

  switch (event->type)
    {
    case CT_AMQP_EVENT_PUBLISHED:
      log_published (self, event);
      break;

    case CT_AMQP_EVENT_CONFIRM:
      log_confirm (self, event);
      break;

    case CT_AMQP_EVENT_UNCONFIRMED:
      {
        g_autoptr(GError) error = g_error_new (event->error->domain, event->error->code,
                                               g_dngettext (GETTEXT_PACKAGE,
                                                            "%u message was published and never confirmed: %s",
                                                            "%u messages were published and never confirmed: %s",
                                                            event->ids->len),
                                               event->ids->len, event->error->message);

        for (guint i = 0; i < event->ids->len; i++)
          g_hash_table_remove (self->published_at, GSIZE_TO_POINTER (g_array_index (event->ids, guint64, i)));
        self->n_unsettled -= event->ids->len;
        ct_endpoint_report_error (CT_ENDPOINT (self), ct_amqp_endpoint_get_peer (endpoint), error);
      }
      break;

    case CT_AMQP_EVENT_RETURN:
      log_return (self, event);
      break;

    case CT_AMQP_EVENT_DELIVER:
      log_reply (self, event);
      break;

    default:
      break;
    }
}

/* -- publishing ----------------------------------------------------------- */

static CtAmqpProps *
build_props (CtAmqpProducer *self,
             GPtrArray      *headers,
             guint64         id,
             guint           index)
{
  CtAmqpProps *props = ct_amqp_props_new ();

  if (self->content_type && *self->content_type)
    props->content_type = g_strdup (self->content_type);
  props->delivery_mode = self->persistent ? 2 : 1;
  if (self->correlation_id && *self->correlation_id)
    props->correlation_id = g_strdup (self->correlation_id);
  else if (self->replying_to)
    props->correlation_id = g_strdup_printf ("ct-%" G_GUINT64_FORMAT, id);
  if (self->replying_to)
    props->reply_to = g_strdup (self->replying_to);
  if (self->expiration)
    props->expiration = g_strdup_printf ("%u", self->expiration);
  if (self->priority)
    props->priority = self->priority;
  if (self->count > 1)
    props->message_id = g_strdup_printf ("%" G_GUINT64_FORMAT "-%u", self->bursts, index + 1);
  for (guint i = 0; i < headers->len; i++)
    {
      CtHttpHeader *header = g_ptr_array_index (headers, i);

      ct_amqp_props_add_header (props, header->name, header->value);
    }
  return props;
}

static gboolean
ct_amqp_producer_send_text (CtEndpoint  *endpoint,
                            const char  *text,
                            GError     **error)
{
  CtAmqpProducer *self = CT_AMQP_PRODUCER (endpoint);
  CtAmqpEndpoint *amqp = CT_AMQP_ENDPOINT (endpoint);
  CtAmqpLink *link = ct_amqp_endpoint_get_link (amqp);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GPtrArray) headers = NULL;

  if (link == NULL)
    {
      g_set_error_literal (error, CT_ERROR, CT_ERROR_NOT_RUNNING, _("Not connected to a broker"));
      return FALSE;
    }
  body = ct_payload_parse (text, self->format, error);
  if (body == NULL || (headers = ct_http_parse_headers (self->headers, error)) == NULL)
    return FALSE;

  self->bursts++;
  for (guint i = 0; i < MAX (self->count, 1); i++)
    {
      guint64 id = ct_amqp_endpoint_next_exchange (amqp);
      CtAmqpProps *props = build_props (self, headers, id, i);

      if (self->replying_to)
        {
          GQueue *waiting = g_hash_table_lookup (self->requests, props->correlation_id);
          Request *request = g_new (Request, 1);

          if (waiting == NULL)
            {
              waiting = g_queue_new ();
              g_hash_table_insert (self->requests, g_strdup (props->correlation_id), waiting);
            }
          request->id = id;
          request->time = g_get_real_time ();
          g_queue_push_tail (waiting, request);
          self->n_awaiting++;
        }
      self->n_unsettled++;
      ct_amqp_link_publish (link, ct_amqp_publish_new (id, self->exchange, self->routing_key, props,
                                                       g_bytes_ref (body), self->mandatory));
    }
  return TRUE;
}

static gint64
ct_amqp_producer_get_n_pending (CtEndpoint *endpoint)
{
  CtAmqpProducer *self = CT_AMQP_PRODUCER (endpoint);

  return MAX (self->n_unsettled, 0) + MAX (self->n_awaiting, 0);
}

/* Point the producer at the page's consumer: its broker and its queue (or
 * its exchange and first binding key) */
static void
ct_amqp_producer_use_server (CtEndpoint *endpoint,
                             CtEndpoint *server)
{
  g_autofree char *url = NULL;
  g_autofree char *queue = NULL;
  g_autofree char *exchange = NULL;
  g_autofree char *keys = NULL;
  CtAmqpExchangeType type;

  if (g_strcmp0 (ct_endpoint_get_protocol_id (server), "amqp") != 0 ||
      ct_endpoint_get_role (server) != CT_ROLE_SERVER)
    return;
  g_object_get (server, "url", &url, "queue", &queue, "exchange", &exchange, "exchange-type", &type,
                "binding-key", &keys, NULL);
  g_object_set (endpoint, "url", url, NULL);
  if (exchange == NULL || *exchange == '\0')
    {
      const char *name = ct_endpoint_is_active (server)
                         ? ct_amqp_consumer_get_queue_name ((gpointer) server) : queue;

      if (name && *name)
        g_object_set (endpoint, "exchange", "", "routing-key", name, NULL);
    }
  else
    {
      g_auto(GStrv) parts = g_strsplit_set (keys ? keys : "", ",\n", 2);
      const char *key = parts[0] ? g_strstrip (parts[0]) : "";

      g_object_set (endpoint, "exchange", exchange, "exchange-type", type, NULL);
      if (strchr (key, ':') == NULL)
        g_object_set (endpoint, "routing-key", key, NULL);
    }
}

/* -- the object -------------------------------------------------------------- */

static void
ct_amqp_producer_finalize (GObject *object)
{
  CtAmqpProducer *self = CT_AMQP_PRODUCER (object);

  g_hash_table_unref (self->published_at);
  g_hash_table_unref (self->requests);
  g_free (self->replying_to);
  G_OBJECT_CLASS (ct_amqp_producer_parent_class)->finalize (object);
}

static void
ct_amqp_producer_class_init (CtAmqpProducerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  CtEndpointClass *endpoint_class = CT_ENDPOINT_CLASS (klass);
  CtAmqpEndpointClass *amqp_class = CT_AMQP_ENDPOINT_CLASS (klass);

  object_class->finalize = ct_amqp_producer_finalize;

  endpoint_class->role = CT_ROLE_CLIENT;
  endpoint_class->send_text = ct_amqp_producer_send_text;
  endpoint_class->use_server = ct_amqp_producer_use_server;
  endpoint_class->get_n_pending = ct_amqp_producer_get_n_pending;

  amqp_class->build_topology = ct_amqp_producer_build_topology;
  amqp_class->connected = ct_amqp_producer_connected;
  amqp_class->event = ct_amqp_producer_event;
  amqp_class->reset = ct_amqp_producer_reset;

  ct_amqp_endpoint_class_install_connection (endpoint_class, G_STRUCT_OFFSET (CtAmqpProducer, url),
                                             G_STRUCT_OFFSET (CtAmqpProducer, heartbeat));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_string ("exchange", N_("Exchange"),
                         N_("The exchange to publish to, declared at start; empty for the default exchange, which routes to the queue named by the key"),
                         "", CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtAmqpProducer, exchange));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_enum ("exchange-type", N_("Exchange type"),
                       N_("How the exchange routes: by exact key (direct), to every bound queue (fanout), by key pattern (topic), by headers"),
                       CT_TYPE_AMQP_EXCHANGE_TYPE, CT_AMQP_EXCHANGE_TYPE_DIRECT, CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtAmqpProducer, exchange_type));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_boolean ("exchange-durable", N_("Durable exchange"),
                          N_("Declare the exchange durable, so it survives a broker restart (it must match how it was first declared)"),
                          FALSE, CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtAmqpProducer, exchange_durable));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_string ("routing-key", N_("Routing key"),
                         N_("The key the exchange routes by (with the default exchange: the queue's name)"),
                         "hello", CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtAmqpProducer, routing_key));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_boolean ("persistent", N_("Persistent"),
                          N_("Delivery mode 2: a durable queue keeps the message on disk across a broker restart"),
                          FALSE, CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtAmqpProducer, persistent));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_boolean ("confirm", N_("Publisher confirms"),
                          N_("The broker acks or nacks each message; unconfirmed ones are published again after a reconnect"),
                          TRUE, CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtAmqpProducer, confirm));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_boolean ("mandatory", N_("Mandatory"),
                          N_("Have the broker return a message that no queue takes, instead of dropping it"),
                          FALSE, CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtAmqpProducer, mandatory));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_string ("content-type", N_("Content type"),
                         N_("The content-type property; empty for none"),
                         "text/plain", CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtAmqpProducer, content_type));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_string ("correlation-id", N_("Correlation id"),
                         N_("The correlation-id property; empty for none (or ct-N with a reply-to queue)"),
                         "", CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtAmqpProducer, correlation_id));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_string ("reply-to", N_("Reply to"),
                         N_("A queue for replies, consumed by the producer, which pairs each reply with its request (amq.rabbitmq.reply-to needs no queue); empty for none"),
                         "", CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtAmqpProducer, reply_to));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_uint ("expiration", N_("Expiration"),
                       N_("Milliseconds the message may wait in a queue; 0 for no limit"),
                       0, G_MAXINT32, 0, CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtAmqpProducer, expiration));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_uint ("priority", N_("Priority"),
                       N_("The priority property (for priority queues); 0 for none"),
                       0, 255, 0, CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtAmqpProducer, priority));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_string ("headers", N_("Headers"),
                         N_("Message headers, one “Name: value” per line (or separated by \\n)"),
                         "", CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtAmqpProducer, headers));
  ct_endpoint_class_install_format (endpoint_class, G_STRUCT_OFFSET (CtAmqpProducer, format));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_uint ("count", N_("Messages per send"),
                       N_("Publish each message this many times, as a burst (each with message-id BURST-N)"),
                       1, 10000000, 1, CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtAmqpProducer, count));
  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_uint ("window", N_("Confirm window"),
                       N_("With confirms, the most messages published and not yet confirmed"),
                       1, 65535, 256, CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtAmqpProducer, window));
}

static void
free_requests (GQueue *requests)
{
  g_queue_free_full (requests, g_free);
}

static void
ct_amqp_producer_init (CtAmqpProducer *self)
{
  self->published_at = g_hash_table_new (NULL, NULL);
  self->requests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) free_requests);
}

CtEndpoint *
ct_amqp_producer_new (void)
{
  return g_object_new (CT_TYPE_AMQP_PRODUCER, NULL);
}
