/* ct-message.h — one entry in a message log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ct-types.h"

G_BEGIN_DECLS

/**
 * CtMessageFields:
 * @time: wall-clock time in µs since the epoch, or 0 for now
 * @direction: in, out, info or error
 * @peer: (nullable): who is on the other end (`127.0.0.1:50012`, `alice`...)
 * @event: (nullable): for info entries, what happened (`listening`, `connected`...)
 * @data: (nullable): the payload
 * @size: the payload size in bytes
 * @summary: (nullable): one line; derived from the payload when %NULL
 * @meta: (nullable): an `a{sv}` of protocol metadata (floating references are sunk)
 * @exchange: pairs a reply with its request; 0 for none
 * @peer_is_ref: @peer is a #GRefString the entry may share instead of
 *   copying (a connection's name, appended many times)
 * @bytes: (nullable): the payload as immutable #GBytes the entry may share
 *   instead of copying (a server's cached response body); when set, @data
 *   and @size are not read
 *
 * What a new log entry is made of. Everything is copied (or, for a
 * #GRefString peer and for @bytes, referenced).
 */
typedef struct
{
  gint64        time;
  CtDirection   direction;
  const char   *peer;
  const char   *event;
  gconstpointer data;
  gsize         size;
  const char   *summary;
  GVariant     *meta;
  guint64       exchange;
  gboolean      peer_is_ref;
  GBytes       *bytes;
} CtMessageFields;

#define CT_TYPE_MESSAGE (ct_message_get_type ())

G_DECLARE_FINAL_TYPE (CtMessage, ct_message, CT, MESSAGE, GObject)

CtMessage     *ct_message_new          (const CtMessageFields *fields);
GVariant      *ct_meta_new             (const char *first_key,
                                        ...) G_GNUC_NULL_TERMINATED;

/**
 * CtMetaBuilder:
 *
 * Writes a log entry's metadata (`a{sv}`) straight into its serialised
 * form, on the stack, for entries logged per message: no #GVariant per key
 * or value. ct_meta_new() is the one-call form. Initialise with
 * `CtMetaBuilder builder = { 0 };`, add at most 24 keys, then end it once.
 * A string value may also be written in pieces, between
 * ct_meta_builder_begin_string() and ct_meta_builder_end_string(), with
 * nothing else added in between.
 */
typedef struct
{
  /*< private >*/
  guint8   *data;
  gsize     length;
  gsize     allocated;
  gsize     entry_start;
  gsize     key_end;
  gsize     ends[24];
  guint     n;
  guint8    stack[1024];
} CtMetaBuilder;

void           ct_meta_builder_add     (CtMetaBuilder *builder,
                                        const char    *key,
                                        GVariant      *value);
void           ct_meta_builder_add_string (CtMetaBuilder *builder,
                                        const char    *key,
                                        const char    *value);
void           ct_meta_builder_add_uint32 (CtMetaBuilder *builder,
                                        const char    *key,
                                        guint32        value);
void           ct_meta_builder_add_int64 (CtMetaBuilder *builder,
                                        const char    *key,
                                        gint64         value);
void           ct_meta_builder_begin_string (CtMetaBuilder *builder,
                                        const char    *key);
void           ct_meta_builder_append  (CtMetaBuilder *builder,
                                        const char    *text,
                                        gssize         length);
void           ct_meta_builder_end_string (CtMetaBuilder *builder);
void           ct_meta_builder_add_valist (CtMetaBuilder *builder,
                                        const char    *first_key,
                                        va_list        args);
GVariant      *ct_meta_builder_end     (CtMetaBuilder *builder);
gint64         ct_message_get_time     (CtMessage *self);
CtDirection    ct_message_get_direction (CtMessage *self);
const char    *ct_message_get_peer     (CtMessage *self);
const char    *ct_message_get_event    (CtMessage *self);
const guint8  *ct_message_get_data     (CtMessage *self,
                                        gsize     *size);
GBytes        *ct_message_get_payload  (CtMessage *self);
gsize          ct_message_get_size     (CtMessage *self);
char          *ct_message_dup_summary  (CtMessage *self);
gboolean       ct_message_has_summary  (CtMessage *self);
GVariant      *ct_message_get_meta     (CtMessage *self);
guint64        ct_message_get_exchange (CtMessage *self);
/* µs since the earlier entry with the same exchange id (the request this
 * entry answers); -1 for none */
gint64         ct_message_get_latency  (CtMessage *self);
char          *ct_message_format_time  (CtMessage *self,
                                        gboolean   with_date);
char          *ct_message_dup_text     (CtMessage *self);

G_END_DECLS
