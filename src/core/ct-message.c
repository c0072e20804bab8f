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
  GVariant *meta;       /* made from the record's bytes when first asked for */
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

/**
 * ct_meta_builder_begin_string:
 *
 * Starts a string value for @key, to be written with
 * ct_meta_builder_append() and closed by ct_meta_builder_end_string():
 * for a value made of many pieces (HTTP headers), written in place instead
 * of being put together first and then copied.
 */
void
ct_meta_builder_begin_string (CtMetaBuilder *builder,
                              const char    *key)
{
  meta_begin_entry (builder, key);
}

/* @length: bytes of @text, or -1 up to its NUL */
void
ct_meta_builder_append (CtMetaBuilder *builder,
                        const char    *text,
                        gssize         length)
{
  meta_append (builder, text, length < 0 ? strlen (text) : (gsize) length);
}

/* Closes the string begun by ct_meta_builder_begin_string(). Text that is
 * not valid UTF-8 (or holds a NUL) is stored with replacement characters,
 * as ct_meta_builder_add_string() does. */
void
ct_meta_builder_end_string (CtMetaBuilder *builder)
{
  /* The entry starts 8-aligned, and so does the value after its key */
  gsize start = builder->entry_start + ((builder->key_end + 7) & ~(gsize) 7);
  gsize length = builder->length - start;

  if (!g_utf8_validate_len ((const char *) builder->data + start, length, NULL))
    {
      g_autofree char *valid = g_utf8_make_valid ((const char *) builder->data + start, length);

      builder->length = start;
      meta_append (builder, valid, strlen (valid));
    }
  meta_append (builder, "", 1);
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

  /* Copied rather than g_variant_store()d: the builder's stack buffer is
   * not 8-aligned, and GLib asserts that it is for a value that wants it
   * (a double, an int64 in a container, a nested a{sv}) */
  size = g_variant_get_size (normal);
  meta_begin_entry (builder, key);
  meta_reserve (builder, size);
  if (size > 0)
    memcpy (builder->data + builder->length, g_variant_get_data (normal), size);
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

/* Appends the framing offsets of the dictionary: the builder's data is then
 * the whole serialised a{sv}, in normal form */
void
ct_meta_builder_finish (CtMetaBuilder *builder)
{
  guint offset_size;

  if (builder->n > 0)
    {
      offset_size = meta_offset_size (builder->length, builder->n);
      for (guint i = 0; i < builder->n; i++)
        meta_append_offset (builder, builder->ends[i], offset_size);
      builder->n = 0;
    }
}

/* Frees what a finished builder holds on the heap (a large one) */
void
ct_meta_builder_clear (CtMetaBuilder *builder)
{
  if (builder->data != builder->stack)
    g_free (builder->data);
  builder->data = NULL;
  builder->length = 0;
}

/* Returns: (transfer floating): the metadata (`a{sv}`) */
GVariant *
ct_meta_builder_end (CtMetaBuilder *builder)
{
  gpointer data;

  ct_meta_builder_finish (builder);
  if (builder->data == NULL || builder->data == builder->stack)
    data = g_memdup2 (builder->data, builder->length);
  else
    data = builder->data;
  builder->data = NULL;

  return g_variant_new_from_data (G_VARIANT_TYPE ("a{sv}"), data, builder->length, TRUE, g_free, data);
}

/* -- records ----------------------------------------------------------------- */

/* A block of a log's records. The log cuts records from the block it is
 * filling, one after the other, and holds a reference on it until it is
 * full; every record in it holds one more, so the block is freed when the
 * log has moved on and the last of its records is dropped. The log drops
 * its oldest records first, so blocks go in the order they came. Records
 * are released from any thread (an export works on a worker thread), hence
 * the atomic count. */
struct _CtRecordBlock
{
  gint     ref_count;
  guint32  used;          /* bytes from the start of the block */
  guint32  size;
};

/* Records start 8-aligned after the block's header */
#define BLOCK_HEADER      16
/* The first block of a log is small (most logs in a window hold a few
 * entries); each next one is twice the size, up to BLOCK_MAX */
#define BLOCK_MIN         (4 * 1024)
#define BLOCK_MAX         (64 * 1024)
/* Larger records get their own allocation: cutting them from blocks would
 * waste the end of too many blocks */
#define BLOCK_RECORD_MAX  (BLOCK_MAX / 8)

/* Shared payloads: see ct_record_new_full() */
#define SHARE_MIN         32

G_STATIC_ASSERT (sizeof (CtRecordBlock) <= BLOCK_HEADER);
G_STATIC_ASSERT (G_STRUCT_OFFSET (CtRecord, data) % 8 == 0);

static void
block_unref (CtRecordBlock *block)
{
  if (g_atomic_int_dec_and_test (&block->ref_count))
    g_free (block);
}

/* Memory for a record of @size bytes: from @arena when there is one (a
 * log's), from malloc otherwise (a message made alone, a large record) */
static CtRecord *
record_alloc (CtRecordArena *arena,
              gsize          size)
{
  CtRecordBlock *block;
  CtRecord *record;

  size = (size + 7) & ~(gsize) 7;
  if (arena == NULL || size > BLOCK_RECORD_MAX)
    {
      record = g_malloc (size);
      record->block = NULL;
      return record;
    }

  block = arena->block;
  if (block == NULL || block->used + size > block->size)
    {
      gsize block_size = MAX (arena->next_size, BLOCK_MIN);

      while (block_size < BLOCK_HEADER + size)
        block_size *= 2;
      arena->next_size = MIN (block_size * 2, BLOCK_MAX);
      g_clear_pointer (&arena->block, block_unref);

      block = g_malloc (block_size);
      block->ref_count = 1;     /* the arena's */
      block->used = BLOCK_HEADER;
      block->size = block_size;
      arena->block = block;
    }

  record = (CtRecord *) ((guint8 *) block + block->used);
  block->used += size;
  g_atomic_int_inc (&block->ref_count);
  record->block = block;
  return record;
}

/* Lets go of the block the arena is filling; its records keep it */
void
ct_record_arena_clear (CtRecordArena *arena)
{
  g_clear_pointer (&arena->block, block_unref);
}

/* Where the metadata starts in record->data: after the payload (or its
 * GBytes) and the summary, at the next multiple of 8, as a{sv} wants */
static inline gsize
record_meta_offset (const CtRecord *record)
{
  gsize end = ct_record_get_text_offset (record) +
              (record->has_summary ? record->summary_len + 1 : 0);

  return (end + 7) & ~(gsize) 7;
}

/**
 * ct_record_new_full:
 * @peer: (transfer full) (nullable): fields->peer already interned as a
 *   GRefString, or %NULL to intern it here
 * @meta: (nullable): a finished builder (ct_meta_builder_finish()) whose
 *   bytes are the metadata, instead of fields->meta
 * @arena: (nullable): a log's arena to cut the record from
 *
 * The metadata is copied into the record in its serialised form whichever
 * way it comes, so a record is one piece of memory (with, at most, a
 * reference to a shared payload); a #GVariant is made for it only when
 * someone reads it (ct_message_get_meta()).
 */
CtRecord *
ct_record_new_full (const CtMessageFields *fields,
                    char                  *peer,
                    const CtMetaBuilder   *meta,
                    CtRecordArena         *arena)
{
  g_autoptr(GVariant) variant = NULL;
  const guint8 *meta_data = NULL;
  gsize meta_size = 0;
  gboolean has_meta = FALSE, meta_trusted = TRUE;
  const guint8 *data = fields->data;
  gsize size = data ? fields->size : 0;
  GBytes *bytes = NULL;
  gsize summary_len = fields->summary ? strlen (fields->summary) : 0;
  gsize head, text_end, meta_offset;
  CtRecord *record;

  /* A payload this small costs less copied than referenced (the pointer,
   * and a GBytes kept alive) */
  if (fields->bytes)
    {
      data = g_bytes_get_data (fields->bytes, &size);
      if (size > SHARE_MIN)
        bytes = fields->bytes;
    }

  if (meta)
    {
      meta_data = meta->data;
      meta_size = meta->length;
      has_meta = TRUE;
    }
  else if (fields->meta)
    {
      variant = g_variant_ref_sink (fields->meta);
      if (g_variant_is_of_type (variant, G_VARIANT_TYPE_VARDICT))
        {
          /* A GVariant built by a GVariantDict is a tree of small
           * allocations; this serialises it (once, freeing the tree) and
           * the record keeps the flat bytes */
          meta_data = g_variant_get_data (variant);
          meta_size = g_variant_get_size (variant);
          /* Cheap for what GLib or a CtMetaBuilder made (trusted); data
           * loaded from elsewhere is checked again when read */
          meta_trusted = g_variant_is_normal_form (variant);
          has_meta = TRUE;
        }
      else
        g_critical ("%s: the metadata of a log entry must be a{sv}, not %s; left out",
                    G_STRFUNC, g_variant_get_type_string (variant));
    }

  g_return_val_if_fail (size <= G_MAXUINT32 && summary_len < G_MAXUINT32 && meta_size <= G_MAXUINT32, NULL);

  head = bytes ? sizeof (GBytes *) : size;
  text_end = head + (fields->summary ? summary_len + 1 : 0);
  meta_offset = (text_end + 7) & ~(gsize) 7;

  record = record_alloc (arena, sizeof (CtRecord) + meta_offset + meta_size);
  record->ref_count = 1;
  record->direction = fields->direction;
  record->has_summary = fields->summary != NULL;
  record->has_meta = has_meta;
  record->meta_trusted = meta_trusted;
  record->size = size;
  record->summary_len = summary_len;
  record->meta_size = meta_size;
  record->shared = bytes != NULL;
  record->reserved = 0;
  record->latency = 0;
  record->time = fields->time ? fields->time : g_get_real_time ();
  record->exchange = fields->exchange;
  if (peer)
    record->peer = peer;
  else
    record->peer = fields->peer ? g_ref_string_new_intern (fields->peer) : NULL;
  record->event = fields->event ? g_intern_string (fields->event) : NULL;

  if (bytes)
    *(GBytes **) record->data = g_bytes_ref (bytes);
  else if (size)
    memcpy (record->data, data, size);
  if (fields->summary)
    memcpy (record->data + head, fields->summary, summary_len + 1);
  /* The padding too: a record's bytes are all defined */
  memset (record->data + text_end, 0, meta_offset - text_end);
  if (meta_size)
    memcpy (record->data + meta_offset, meta_data, meta_size);

  return record;
}

/* @peer: (transfer full) (nullable): as for ct_record_new_full() */
CtRecord *
ct_record_new (const CtMessageFields *fields,
               char                  *peer)
{
  return ct_record_new_full (fields, peer, NULL, NULL);
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
  if (record->shared)
    g_bytes_unref (ct_record_get_bytes (record));
  if (record->block)
    block_unref (record->block);
  else
    g_free (record);
}

/* The bytes this record costs on the heap, not counting the shared peer
 * string; a shared payload counts in full, as if it were copied, so the
 * log's byte budget (which this is for) means the same either way. */
gsize
ct_record_get_heap_size (const CtRecord *record)
{
  return sizeof (CtRecord) + record_meta_offset (record) + record->meta_size +
         (record->shared ? record->size : 0);
}

/* -- messages ---------------------------------------------------------------- */

static void
ct_message_finalize (GObject *object)
{
  CtMessage *self = CT_MESSAGE (object);

  g_clear_pointer (&self->meta, g_variant_unref);
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
  return ct_record_get_payload (self->record);
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

  if (self->record->shared)
    return g_bytes_ref (ct_record_get_bytes (self->record));
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
    return g_strdup ((const char *) self->record->data + ct_record_get_text_offset (self->record));

  return ct_payload_summarize (ct_record_get_payload (self->record), self->record->size);
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
  const char *data;

  g_return_val_if_fail (CT_IS_MESSAGE (self), NULL);

  data = (const char *) ct_record_get_payload (self->record);
  if (!g_utf8_validate_len (data, self->record->size, NULL))
    return NULL;

  return g_strndup (data, self->record->size);
}

/**
 * ct_message_get_meta:
 *
 * Returns: (transfer none) (nullable): the metadata (`a{sv}`), valid as long
 *   as the message (take a reference to keep it longer)
 */
GVariant *
ct_message_get_meta (CtMessage *self)
{
  CtRecord *record;
  GVariant *meta;
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (CT_IS_MESSAGE (self), NULL);

  record = self->record;
  if (!record->has_meta)
    return NULL;

  meta = g_atomic_pointer_get (&self->meta);
  if (meta)
    return meta;

  /* Over the record's own bytes: the GVariant keeps the record */
  bytes = g_bytes_new_with_free_func (record->data + record_meta_offset (record), record->meta_size,
                                      (GDestroyNotify) ct_record_unref, ct_record_ref (record));
  meta = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE_VARDICT, bytes, record->meta_trusted));
  /* A message is used from one thread at a time, but costs nothing to make
   * safe against two first reads */
  if (!g_atomic_pointer_compare_and_exchange (&self->meta, NULL, meta))
    {
      g_variant_unref (meta);
      meta = g_atomic_pointer_get (&self->meta);
    }
  return meta;
}

guint64
ct_message_get_exchange (CtMessage *self)
{
  g_return_val_if_fail (CT_IS_MESSAGE (self), 0);
  return self->record->exchange;
}

/**
 * ct_message_get_latency:
 *
 * The time between this entry and the earlier entry of its log with the
 * same exchange id (the request it answers), as the log measured it when
 * this one was appended.
 *
 * Returns: µs, or -1 when the entry answers nothing the log remembered
 */
gint64
ct_message_get_latency (CtMessage *self)
{
  g_return_val_if_fail (CT_IS_MESSAGE (self), -1);
  return ct_record_get_latency (self->record);
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
