/* ct-amqp.h — what the AMQP producer and consumer share: broker URLs (with
 * the password kept out of every log), message properties and their place
 * in a log entry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ct-message.h"
#include "ct-types.h"

G_BEGIN_DECLS

#define CT_AMQP_DEFAULT_URL "amqp://guest:guest@127.0.0.1:5672"
/* RabbitMQ's direct reply-to pseudo-queue: replies without a queue */
#define CT_AMQP_DIRECT_REPLY_TO "amq.rabbitmq.reply-to"

/**
 * CtAmqpUrl:
 * A broker URL taken apart (amqp://USER:PASSWORD@HOST:PORT/VHOST).
 */
typedef struct
{
  char *host;
  int   port;
  char *user;
  char *password;
  char *vhost;
  char *display;   /* the URL with the password replaced, for logs */
} CtAmqpUrl;

CtAmqpUrl  *ct_amqp_url_parse        (const char   *url,
                                      GError      **error);
void        ct_amqp_url_free         (CtAmqpUrl    *url);
char       *ct_amqp_url_mask         (const char   *url);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtAmqpUrl, ct_amqp_url_free)

/**
 * CtAmqpProps:
 * The basic properties of one message, as plain strings (%NULL when
 * absent). Immutable once shared between threads.
 */
typedef struct
{
  char      *content_type;
  char      *content_encoding;
  char      *correlation_id;
  char      *reply_to;
  char      *expiration;
  char      *message_id;
  char      *type;
  char      *user_id;
  char      *app_id;
  guint8     delivery_mode;   /* 0: absent, 1: transient, 2: persistent */
  gint16     priority;        /* -1: absent */
  gint64     timestamp;       /* -1: absent */
  GPtrArray *headers;         /* name, value, name, value... (strings); NULL for none */
} CtAmqpProps;

CtAmqpProps *ct_amqp_props_new       (void);
void         ct_amqp_props_free      (CtAmqpProps       *props);
void         ct_amqp_props_add_header (CtAmqpProps      *props,
                                      const char        *name,
                                      const char        *value);
void         ct_amqp_props_add_meta  (const CtAmqpProps *props,
                                      CtMetaBuilder     *builder);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtAmqpProps, ct_amqp_props_free)

const char  *ct_amqp_exchange_type_name (CtAmqpExchangeType type);
char       **ct_amqp_parse_bindings  (const char        *text,
                                      const char        *exchange,
                                      GError           **error);
char        *ct_amqp_describe_exchange (const char      *exchange);

G_END_DECLS
