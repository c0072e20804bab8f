/* ct-message.c — one entry in a message log
 *
 * A CtMessage is an immutable view of a CtRecord. The log keeps records
 * only; a CtMessage is created when someone (a list view, the CLI, the
 * exporter) asks for an item, and shares the record with the log.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ct-message-private.h"
#include "ct-payload.h"

struct _CtMessage
{
  GObject   parent_instance;
  CtRecord *record;
};

G_DEFINE_FINAL_TYPE (CtMessage, ct_message, G_TYPE_OBJECT)

/**
 * ct_meta_new:
 * @first_key: the first key, followed by its value (a floating #GVariant,
 *   or %NULL to leave the key out), then more keys and values, then %NULL
 *
 * Builds a log entry's metadata (`a{sv}`) without the cost of a
 * GVariantDict or GVariantBuilder, for entries logged per message.
 *
 * Returns: (transfer floating): the metadata
 */
GVariant *
ct_meta_new (const char *first_key,
             ...)
{
  CtMetaBuilder builder = { 0 };
  va_list ap;

  va_start (ap, first_key);
  ct_meta_builder_add_valist (&builder, first_key, ap);
  va_end (ap);

  return ct_meta_builder_end (&builder);
}

/* The serialised form of GVariant (see "GVariant Serialisation" in GLib's
 * documentation), for the one type written here: an array of `{sv}` dict
 * entries. An array of variable-size elements is the elements, each aligned
 * to its type's alignment (8, for the `v`), then the end offset of each; a
 * dict entry is the key and its NUL, padding to 8, the variant (the value,
 * a NUL and the value's type string), then the end offset of the key. The
 * size of those offsets (1, 2, 4 or 8 bytes, little-endian) is the least
 * that can address the whole container. The test message-log compares it
 * with what GLib builds. */

static void
meta_reserve (CtMetaBuilder *builder,
              gsize          extra)
{
  if (builder->data == NULL)
    {
      builder->data = builder->stack;
      builder->allocated = sizeof builder->stack;
    }
  if (builder->length + extra <= builder->allocated)
    return;

  builder->allocated = MAX (builder->allocated * 2, builder->length + extra);
  if (builder->data == builder->stack)
    {
      builder->data = g_malloc (builder->allocated);
      memcpy (builder->data, builder->stack, builder->length);
    }
  else
    builder->data = g_realloc (builder->data, builder->allocated);
}

static void
meta_append (CtMetaBuilder *builder,
             gconstpointer  bytes,
             gsize          size)
{
  meta_reserve (builder, size);
  memcpy (builder->data + builder->length, bytes, size);
  builder->length += size;
}

static void
meta_pad (CtMetaBuilder *builder,
          gsize          alignment)
{
  gsize padding = (alignment - builder->length % alignment) % alignment;

  meta_reserve (builder, padding);
  memset (builder->data + builder->length, 0, padding);
  builder->length += padding;
}

/* The size of the framing offsets of a container whose body is @body_size
 * bytes and needs @n_offsets of them */
static guint
meta_offset_size (gsize body_size,
                  gsize n_offsets)
{
  if (body_size + n_offsets <= G_MAXUINT8)
    return 1;
  if (body_size + 2 * n_offsets <= G_MAXUINT16)
    return 2;
  if (body_size + 4 * n_offsets <= G_MAXUINT32)
    return 4;
  return 8;
}

static void
meta_append_offset (CtMetaBuilder *builder,
                    guint64        offset,
                    guint          size)
{
  guint64 little = GUINT64_TO_LE (offset);

  meta_append (builder, &little, size);
}

static void
meta_begin_entry (CtMetaBuilder *builder,
                  const char    *key)
{
  g_assert (builder->n < G_N_ELEMENTS (builder->ends));

  meta_pad (builder, 8);
  builder->entry_start = builder->length;
  meta_append (builder, key, strlen (key) + 1);
  builder->key_end = builder->length - builder->entry_start;
  meta_pad (builder, 8);
}

static void
meta_end_entry (CtMetaBuilder *builder,
                const char    *type_string)
{
  gsize body;

  meta_append (builder, "", 1);
  meta_append (builder, type_string, strlen (type_string));
  body = builder->length - builder->entry_start;
  meta_append_offset (builder, builder->key_end, meta_offset_size (body, 1));
  builder->ends[builder->n++] = builder->length;
}

/**
 * ct_meta_builder_add_string:
 * @value: (nullable): the value, or %NULL to leave @key out; text that is
 *   not valid UTF-8 is stored with replacement characters
 */
void
ct_meta_builder_add_string (CtMetaBuilder *builder,
                            const char    *key,
                            const char    *value)
{
  g_autofree char *valid = NULL;

  if (value == NULL)
    return;
  if (!g_utf8_validate (value, -1, NULL))
    value = valid = g_utf8_make_valid (value, -1);

  meta_begin_entry (builder, key);
  meta_append (builder, value, strlen (value) + 1);
  meta_end_entry (builder, "s");
}

void
ct_meta_builder_add_uint32 (CtMetaBuilder *builder,
                            const char    *key,
                            guint32        value)
{
  guint32 little = GUINT32_TO_LE (value);

  meta_begin_entry (builder, key);
  meta_append (builder, &little, sizeof little);
  meta_end_entry (builder, "u");
}

void
ct_meta_builder_add_int64 (CtMetaBuilder *builder,
                           const char    *key,
                           gint64         value)
{
  gint64 little = GINT64_TO_LE (value);

  meta_begin_entry (builder, key);
  meta_append (builder, &little, sizeof little);
  meta_end_entry (builder, "x");
}

/**
 * ct_meta_builder_add:
 * @value: (nullable): a floating #GVariant of any type, or %NULL to leave
 *   @key out
 */
void
ct_meta_builder_add (CtMetaBuilder *builder,
                     const char    *key,
                     GVariant      *value)
{
  g_autoptr(GVariant) normal = NULL;
  gsize size;

  if (value == NULL)
    return;

  g_variant_ref_sink (value);
  normal = g_variant_get_normal_form (value);
  g_variant_unref (value);

  size = g_variant_get_size (normal);
  meta_begin_entry (builder, key);
  meta_reserve (builder, size);
  g_variant_store (normal, builder->data + builder->length);
  builder->length += size;
  meta_end_entry (builder, g_variant_get_type_string (normal));
}

/* Keys and values (as for ct_meta_new()) up to a %NULL key */
void
ct_meta_builder_add_valist (CtMetaBuilder *builder,
                            const char    *first_key,
                            va_list        args)
{
  for (const char *key = first_key; key; key = va_arg (args, const char *))
    ct_meta_builder_add (builder, key, va_arg (args, GVariant *));
}

/* Returns: (transfer floating): the metadata (`a{sv}`) */
GVariant *
ct_meta_builder_end (CtMetaBuilder *builder)
{
  guint offset_size;
  gpointer data;

  if (builder->n > 0)
    {
      offset_size = meta_offset_size (builder->length, builder->n);
      for (guint i = 0; i < builder->n; i++)
        meta_append_offset (builder, builder->ends[i], offset_size);
    }

  if (builder->data == NULL || builder->data == builder->stack)
    data = g_memdup2 (builder->data, builder->length);
  else
    data = builder->data;
  builder->data = NULL;

  return g_variant_new_from_data (G_VARIANT_TYPE ("a{sv}"), data, builder->length, TRUE, g_free, data);
}

/* @peer: (transfer full) (nullable): fields->peer already interned as a
 * GRefString, or %NULL to intern it here */
CtRecord *
ct_record_new (const CtMessageFields *fields,
               char                  *peer)
{
  CtRecord *record;
  gsize summary_len = fields->summary ? strlen (fields->summary) : 0;
  gsize size = fields->data ? fields->size : 0;

  g_return_val_if_fail (size <= G_MAXUINT32, NULL);

  record = g_malloc (sizeof (CtRecord) + size + (fields->summary ? summary_len + 1 : 0));
  record->ref_count = 1;
  record->direction = fields->direction;
  record->has_summary = fields->summary != NULL;
  record->reserved = 0;
  record->size = size;
  record->summary_len = summary_len;
  record->time = fields->time ? fields->time : g_get_real_time ();
  record->exchange = fields->exchange;
  if (peer)
    record->peer = peer;
  else
    record->peer = fields->peer ? g_ref_string_new_intern (fields->peer) : NULL;
  record->event = fields->event ? g_intern_string (fields->event) : NULL;
  record->meta = fields->meta ? g_variant_ref_sink (fields->meta) : NULL;
  /* A GVariant built by a GVariantDict is a tree of small allocations;
   * asking for its data serialises it into one buffer and frees the tree
   * (a dictionary of four entries: about 1.5 KB as a tree, 150 B flat) */
  if (record->meta)
    g_variant_get_data (record->meta);

  if (size)
    memcpy (record->data, fields->data, size);
  if (fields->summary)
    memcpy (record->data + size, fields->summary, summary_len + 1);

  return record;
}

CtRecord *
ct_record_ref (CtRecord *record)
{
  g_atomic_int_inc (&record->ref_count);
  return record;
}

void
ct_record_unref (CtRecord *record)
{
  if (!g_atomic_int_dec_and_test (&record->ref_count))
    return;

  g_clear_pointer (&record->peer, g_ref_string_release);
  g_clear_pointer (&record->meta, g_variant_unref);
  g_free (record);
}

/* The bytes this record costs on the heap, not counting the shared peer
 * string; metadata counts its serialised size. Used by the log's byte
 * budget. */
gsize
ct_record_get_heap_size (const CtRecord *record)
{
  return sizeof (CtRecord) + record->size + (record->has_summary ? record->summary_len + 1 : 0) +
         (record->meta ? g_variant_get_size (record->meta) : 0);
}

static void
ct_message_finalize (GObject *object)
{
  CtMessage *self = CT_MESSAGE (object);

  g_clear_pointer (&self->record, ct_record_unref);

  G_OBJECT_CLASS (ct_message_parent_class)->finalize (object);
}

static void
ct_message_class_init (CtMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ct_message_finalize;
}

static void
ct_message_init (CtMessage *self)
{
}

CtMessage *
ct_message_new_for_record (CtRecord *record)
{
  CtMessage *self = g_object_new (CT_TYPE_MESSAGE, NULL);

  self->record = ct_record_ref (record);
  return self;
}

CtRecord *
ct_message_get_record (CtMessage *self)
{
  return self->record;
}

/**
 * ct_message_new:
 * @fields: what the message is made of (copied)
 *
 * Returns: (transfer full): a message that is not in any log
 */
CtMessage *
ct_message_new (const CtMessageFields *fields)
{
  CtRecord *record;
  CtMessage *self;

  g_return_val_if_fail (fields != NULL, NULL);

  record = ct_record_new (fields, NULL);
  self = ct_message_new_for_record (record);
  ct_record_unref (record);
  return self;
}

gint64
ct_message_get_time (CtMessage *self)
{
  g_return_val_if_fail (CT_IS_MESSAGE (self), 0);
  return self->record->time;
}

CtDirection
ct_message_get_direction (CtMessage *self)
{
  g_return_val_if_fail (CT_IS_MESSAGE (self), CT_DIRECTION_INFO);
  return self->record->direction;
}

const char *
ct_message_get_peer (CtMessage *self)
{
  g_return_val_if_fail (CT_IS_MESSAGE (self), NULL);
  return self->record->peer;
}

const char *
ct_message_get_event (CtMessage *self)
{
  g_return_val_if_fail (CT_IS_MESSAGE (self), NULL);
  return self->record->event;
}

const guint8 *
ct_message_get_data (CtMessage *self,
                     gsize     *size)
{
  g_return_val_if_fail (CT_IS_MESSAGE (self), NULL);

  if (size)
    *size = self->record->size;
  return self->record->data;
}

gsize
ct_message_get_size (CtMessage *self)
{
  g_return_val_if_fail (CT_IS_MESSAGE (self), 0);
  return self->record->size;
}

/**
 * ct_message_get_payload:
 *
 * Returns: (transfer full): the payload, sharing the message's memory
 */
GBytes *
ct_message_get_payload (CtMessage *self)
{
  g_return_val_if_fail (CT_IS_MESSAGE (self), NULL);

  return g_bytes_new_with_free_func (self->record->data, self->record->size,
                                     (GDestroyNotify) ct_record_unref,
                                     ct_record_ref (self->record));
}

gboolean
ct_message_has_summary (CtMessage *self)
{
  g_return_val_if_fail (CT_IS_MESSAGE (self), FALSE);
  return self->record->has_summary;
}

/**
 * ct_message_dup_summary:
 *
 * Returns: (transfer full): the summary given when the entry was logged, or
 *   one derived from the payload
 */
char *
ct_message_dup_summary (CtMessage *self)
{
  g_return_val_if_fail (CT_IS_MESSAGE (self), NULL);

  if (self->record->has_summary)
    return g_strdup ((const char *) self->record->data + self->record->size);

  return ct_payload_summarize (self->record->data, self->record->size);
}

/**
 * ct_message_dup_text:
 *
 * Returns: (transfer full) (nullable): the payload as a string when it is
 *   valid UTF-8 without NUL bytes, otherwise %NULL
 */
char *
ct_message_dup_text (CtMessage *self)
{
  g_return_val_if_fail (CT_IS_MESSAGE (self), NULL);

  if (!g_utf8_validate_len ((const char *) self->record->data, self->record->size, NULL))
    return NULL;

  return g_strndup ((const char *) self->record->data, self->record->size);
}

GVariant *
ct_message_get_meta (CtMessage *self)
{
  g_return_val_if_fail (CT_IS_MESSAGE (self), NULL);
  return self->record->meta;
}

guint64
ct_message_get_exchange (CtMessage *self)
{
  g_return_val_if_fail (CT_IS_MESSAGE (self), 0);
  return self->record->exchange;
}

/**
 * ct_message_format_time:
 * @with_date: %TRUE for the full ISO 8601 UTC form of the JSON Lines format,
 *   %FALSE for the local `HH:MM:SS.mmm` of a log view
 */
char *
ct_message_format_time (CtMessage *self,
                        gboolean   with_date)
{
  g_autoptr(GDateTime) dt = NULL;
  gint64 t;

  g_return_val_if_fail (CT_IS_MESSAGE (self), NULL);

  t = self->record->time;
  if (with_date)
    {
      g_autofree char *seconds = NULL;

      dt = g_date_time_new_from_unix_utc (t / G_USEC_PER_SEC);
      seconds = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
      return g_strdup_printf ("%s.%06dZ", seconds, (int) (t % G_USEC_PER_SEC));
    }

  dt = g_date_time_new_from_unix_local (t / G_USEC_PER_SEC);
  return g_strdup_printf ("%02d:%02d:%02d.%03d",
                          g_date_time_get_hour (dt), g_date_time_get_minute (dt),
                          g_date_time_get_second (dt), (int) ((t % G_USEC_PER_SEC) / 1000));
}
