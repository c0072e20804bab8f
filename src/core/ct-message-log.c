/* ct-message-log.c — a capped, coalescing GListModel of CtMessage
 *
 * Records live in a ring indexed by an ever-growing sequence number. The
 * model the views see (the "published" range) only moves when the log is
 * flushed: at most once per frame (16 ms) from a timeout, so a flood of
 * appends turns into one items-changed for the new rows (plus one for the
 * oldest rows dropped by the cap, when the cap is reached).
 *
 * Records that are published are never freed before the flush that
 * unpublishes them, so a view may hold any item it was told about. To keep
 * memory bounded when no main loop runs (a tight C loop, a busy CLI), the
 * log also flushes by itself after FLUSH_EVERY unflushed appends.
 *
 * Records are cut from the log's own blocks (CtRecordArena, in
 * ct-message.c), not allocated one by one: see there for why.
 *
 * The log is not thread-safe: append from the main context only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ct-log"

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "ct-error.h"
#include "ct-message-log-private.h"

#define FRAME_MS    16
#define FLUSH_EVERY 65536

struct _CtMessageLog
{
  GObject    parent_instance;

  CtRecord **ring;
  guint64    ring_mask;      /* ring size - 1; the size is a power of two */
  guint64    first_seq;      /* oldest stored record */
  guint64    end_seq;        /* one past the newest stored record */
  guint64    pub_first;      /* the range the model currently shows */
  guint64    pub_end;
  guint64    heap_bytes;

  guint      capacity;
  guint64    max_bytes;
  guint64    n_dropped;

  guint      flush_source;
  guint      flush_delay_ms; /* FRAME_MS; 0: at the next turn of the main loop */
  char      *last_peer;      /* GRefString: most appends repeat the last peer */
  CtRecordArena arena;       /* where records are cut from */
};

enum {
  PROP_0,
  PROP_CAPACITY,
  PROP_MAX_BYTES,
  PROP_N_DROPPED,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CtMessageLog, ct_message_log, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static inline CtRecord **
slot (CtMessageLog *self,
      guint64       seq)
{
  return &self->ring[seq & self->ring_mask];
}

static GType
ct_message_log_get_item_type (GListModel *model)
{
  return CT_TYPE_MESSAGE;
}

static guint
ct_message_log_get_n_items (GListModel *model)
{
  CtMessageLog *self = CT_MESSAGE_LOG (model);

  return (guint) (self->pub_end - self->pub_first);
}

static gpointer
ct_message_log_get_item (GListModel *model,
                         guint       position)
{
  CtMessageLog *self = CT_MESSAGE_LOG (model);
  guint64 seq = self->pub_first + position;

  if (seq >= self->pub_end)
    return NULL;

  g_assert (seq >= self->first_seq && seq < self->end_seq);
  return ct_message_new_for_record (*slot (self, seq));
}

/**
 * ct_message_log_get_direction:
 * @position: a position in the model
 *
 * The direction of an entry, without making its #CtMessage: for callers
 * that skip most entries (the CLI with --quiet).
 */
CtDirection
ct_message_log_get_direction (CtMessageLog *self,
                              guint         position)
{
  guint64 seq;

  g_return_val_if_fail (CT_IS_MESSAGE_LOG (self), CT_DIRECTION_INFO);

  seq = self->pub_first + position;
  g_return_val_if_fail (seq < self->pub_end, CT_DIRECTION_INFO);
  return (*slot (self, seq))->direction;
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = ct_message_log_get_item_type;
  iface->get_n_items = ct_message_log_get_n_items;
  iface->get_item = ct_message_log_get_item;
}

static void
grow_ring (CtMessageLog *self)
{
  guint64 old_size = self->ring_mask + 1;
  guint64 new_size = old_size * 2;
  CtRecord **ring = g_new (CtRecord *, new_size);
  guint64 seq;

  for (seq = self->first_seq; seq < self->end_seq; seq++)
    ring[seq & (new_size - 1)] = *slot (self, seq);

  g_free (self->ring);
  self->ring = ring;
  self->ring_mask = new_size - 1;
}

static void
drop_oldest (CtMessageLog *self)
{
  CtRecord **r = slot (self, self->first_seq);

  self->heap_bytes -= ct_record_get_heap_size (*r);
  g_clear_pointer (r, ct_record_unref);
  self->first_seq++;
}

static gboolean
flush_timeout_cb (gpointer data)
{
  CtMessageLog *self = data;

  self->flush_source = 0;
  ct_message_log_flush (self);
  return G_SOURCE_REMOVE;
}

/**
 * ct_message_log_flush:
 *
 * Applies the cap and publishes every pending append now: at most one
 * items-changed for dropped rows and one for new rows. Called by the log
 * itself once per frame; call it directly where waiting is pointless (tests,
 * exports, the end of a CLI run).
 */
void
ct_message_log_flush (CtMessageLog *self)
{
  guint64 before_dropped, removed, added, old_end;

  g_return_if_fail (CT_IS_MESSAGE_LOG (self));

  g_clear_handle_id (&self->flush_source, g_source_remove);

  before_dropped = self->n_dropped;
  while (self->end_seq - self->first_seq > self->capacity ||
         (self->heap_bytes > self->max_bytes && self->end_seq - self->first_seq > 1))
    {
      drop_oldest (self);
      self->n_dropped++;
    }

  removed = 0;
  if (self->first_seq > self->pub_first)
    {
      removed = MIN (self->first_seq, self->pub_end) - self->pub_first;
      self->pub_first = self->first_seq;
      if (self->pub_end < self->pub_first)
        self->pub_end = self->pub_first;
      if (removed > 0)
        g_list_model_items_changed (G_LIST_MODEL (self), 0, (guint) removed, 0);
    }

  old_end = self->pub_end;
  added = self->end_seq - self->pub_end;
  self->pub_end = self->end_seq;
  if (added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self),
                                (guint) (old_end - self->pub_first), 0, (guint) added);

  if (before_dropped != self->n_dropped)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_DROPPED]);
  if (added != removed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
append (CtMessageLog          *self,
        const CtMessageFields *fields,
        const CtMetaBuilder   *meta)
{
  CtRecord *record;

  if (fields->peer && fields->peer_is_ref)
    record = ct_record_new_full (fields, g_ref_string_acquire ((char *) fields->peer), meta, &self->arena);
  else if (fields->peer && self->last_peer && strcmp (fields->peer, self->last_peer) == 0)
    record = ct_record_new_full (fields, g_ref_string_acquire (self->last_peer), meta, &self->arena);
  else
    {
      record = ct_record_new_full (fields, NULL, meta, &self->arena);
      g_clear_pointer (&self->last_peer, g_ref_string_release);
      if (record->peer)
        self->last_peer = g_ref_string_acquire (record->peer);
    }

  if (self->end_seq - self->first_seq == self->ring_mask + 1)
    grow_ring (self);

  *slot (self, self->end_seq) = record;
  self->end_seq++;
  self->heap_bytes += ct_record_get_heap_size (record);

  if (self->end_seq - self->pub_end >= FLUSH_EVERY)
    ct_message_log_flush (self);
  else if (self->flush_source == 0)
    {
      g_autoptr(GSource) source = self->flush_delay_ms ? g_timeout_source_new (self->flush_delay_ms)
                                                       : g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, flush_timeout_cb, self, NULL);
      g_source_set_static_name (source, "[crosstalk] log flush");
      self->flush_source = g_source_attach (source, NULL);
    }
}

/**
 * ct_message_log_append:
 * @fields: the new entry (copied)
 *
 * Appends an entry. Views learn about it at the next flush.
 */
void
ct_message_log_append (CtMessageLog          *self,
                       const CtMessageFields *fields)
{
  g_return_if_fail (CT_IS_MESSAGE_LOG (self));
  g_return_if_fail (fields != NULL);

  append (self, fields, NULL);
}

/**
 * ct_message_log_append_built:
 * @fields: the new entry (copied); its meta must be %NULL
 * @meta: the entry's metadata, not yet ended
 *
 * Appends an entry whose metadata is copied from @meta's bytes as they
 * are, without making a #GVariant of them first (for entries logged per
 * message), then clears @meta.
 */
void
ct_message_log_append_built (CtMessageLog          *self,
                             const CtMessageFields *fields,
                             CtMetaBuilder         *meta)
{
  g_return_if_fail (CT_IS_MESSAGE_LOG (self));
  g_return_if_fail (fields != NULL && fields->meta == NULL);

  ct_meta_builder_finish (meta);
  append (self, fields, meta);
  ct_meta_builder_clear (meta);
}

/**
 * ct_message_log_info:
 * @event: (nullable): a short machine-readable name (`listening`, `connected`...)
 * @peer: (nullable): the peer or address the entry is about
 * @meta: (nullable): an `a{sv}` with the event's attributes
 *
 * Appends an `info` entry whose summary is the formatted message.
 */
void
ct_message_log_info (CtMessageLog *self,
                     const char   *event,
                     const char   *peer,
                     GVariant     *meta,
                     const char   *format,
                     ...)
{
  g_autofree char *summary = NULL;
  va_list args;

  va_start (args, format);
  summary = g_strdup_vprintf (format, args);
  va_end (args);

  ct_message_log_append (self, &(CtMessageFields) {
                           .direction = CT_DIRECTION_INFO,
                           .event = event,
                           .peer = peer,
                           .meta = meta,
                           .summary = summary,
                         });
}

void
ct_message_log_error (CtMessageLog *self,
                      const char   *peer,
                      const GError *error)
{
  g_return_if_fail (error != NULL);

  ct_message_log_append (self, &(CtMessageFields) {
                           .direction = CT_DIRECTION_ERROR,
                           .event = "error",
                           .peer = peer,
                           .summary = error->message,
                         });
}

/**
 * ct_message_log_clear:
 *
 * Removes every entry at once and resets the dropped count.
 */
void
ct_message_log_clear (CtMessageLog *self)
{
  guint removed;

  g_return_if_fail (CT_IS_MESSAGE_LOG (self));

  g_clear_handle_id (&self->flush_source, g_source_remove);
  removed = (guint) (self->pub_end - self->pub_first);

  while (self->first_seq < self->end_seq)
    drop_oldest (self);
  self->pub_first = self->pub_end = self->end_seq;
  /* The block being filled holds nothing but dropped records now */
  ct_record_arena_clear (&self->arena);

  if (removed)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
  if (self->n_dropped)
    {
      self->n_dropped = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_DROPPED]);
    }
  if (removed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/**
 * ct_message_log_dup_records:
 *
 * Flushes, then takes a reference on every published record: a snapshot
 * that costs one pointer per entry, for work done off the main thread.
 *
 * Returns: (transfer full) (element-type CtRecord): the records, oldest first
 */
GPtrArray *
ct_message_log_dup_records (CtMessageLog *self)
{
  GPtrArray *records;

  g_return_val_if_fail (CT_IS_MESSAGE_LOG (self), NULL);

  ct_message_log_flush (self);
  records = g_ptr_array_new_full (self->pub_end - self->pub_first, (GDestroyNotify) ct_record_unref);
  for (guint64 seq = self->pub_first; seq < self->pub_end; seq++)
    g_ptr_array_add (records, ct_record_ref (*slot (self, seq)));
  return records;
}

guint
ct_message_log_get_capacity (CtMessageLog *self)
{
  g_return_val_if_fail (CT_IS_MESSAGE_LOG (self), 0);
  return self->capacity;
}

void
ct_message_log_set_capacity (CtMessageLog *self,
                             guint         capacity)
{
  g_return_if_fail (CT_IS_MESSAGE_LOG (self));
  g_return_if_fail (capacity > 0);

  if (self->capacity == capacity)
    return;

  self->capacity = capacity;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAPACITY]);
  ct_message_log_flush (self);
}

guint64
ct_message_log_get_max_bytes (CtMessageLog *self)
{
  g_return_val_if_fail (CT_IS_MESSAGE_LOG (self), 0);
  return self->max_bytes;
}

void
ct_message_log_set_max_bytes (CtMessageLog *self,
                              guint64       max_bytes)
{
  g_return_if_fail (CT_IS_MESSAGE_LOG (self));

  if (self->max_bytes == max_bytes)
    return;

  self->max_bytes = max_bytes;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_BYTES]);
  ct_message_log_flush (self);
}

guint64
ct_message_log_get_n_dropped (CtMessageLog *self)
{
  g_return_val_if_fail (CT_IS_MESSAGE_LOG (self), 0);
  return self->n_dropped;
}

/* Entries ever appended (held, pending or dropped) since the last clear. */
guint64
ct_message_log_get_n_appended (CtMessageLog *self)
{
  g_return_val_if_fail (CT_IS_MESSAGE_LOG (self), 0);
  return self->end_seq - self->first_seq + self->n_dropped;
}

guint64
ct_message_log_get_heap_bytes (CtMessageLog *self)
{
  g_return_val_if_fail (CT_IS_MESSAGE_LOG (self), 0);
  return self->heap_bytes;
}

static void
ct_message_log_dispose (GObject *object)
{
  CtMessageLog *self = CT_MESSAGE_LOG (object);

  g_clear_handle_id (&self->flush_source, g_source_remove);

  G_OBJECT_CLASS (ct_message_log_parent_class)->dispose (object);
}

static void
ct_message_log_finalize (GObject *object)
{
  CtMessageLog *self = CT_MESSAGE_LOG (object);

  while (self->first_seq < self->end_seq)
    drop_oldest (self);
  g_free (self->ring);
  g_clear_pointer (&self->last_peer, g_ref_string_release);
  ct_record_arena_clear (&self->arena);

  G_OBJECT_CLASS (ct_message_log_parent_class)->finalize (object);
}

static void
ct_message_log_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CtMessageLog *self = CT_MESSAGE_LOG (object);

  switch (prop_id)
    {
    case PROP_CAPACITY:
      g_value_set_uint (value, self->capacity);
      break;

    case PROP_MAX_BYTES:
      g_value_set_uint64 (value, self->max_bytes);
      break;

    case PROP_N_DROPPED:
      g_value_set_uint64 (value, self->n_dropped);
      break;

    case PROP_N_ITEMS:
      g_value_set_uint (value, g_list_model_get_n_items (G_LIST_MODEL (self)));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_message_log_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CtMessageLog *self = CT_MESSAGE_LOG (object);

  switch (prop_id)
    {
    case PROP_CAPACITY:
      ct_message_log_set_capacity (self, g_value_get_uint (value));
      break;

    case PROP_MAX_BYTES:
      ct_message_log_set_max_bytes (self, g_value_get_uint64 (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_message_log_class_init (CtMessageLogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ct_message_log_dispose;
  object_class->finalize = ct_message_log_finalize;
  object_class->get_property = ct_message_log_get_property;
  object_class->set_property = ct_message_log_set_property;

  properties[PROP_CAPACITY] =
    g_param_spec_uint ("capacity", "Capacity", "Most entries held; the oldest are dropped",
                       1, G_MAXUINT, CT_MESSAGE_LOG_DEFAULT_CAPACITY,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_MAX_BYTES] =
    g_param_spec_uint64 ("max-bytes", "Maximum bytes", "Most heap bytes held; the oldest are dropped",
                         0, G_MAXUINT64, CT_MESSAGE_LOG_DEFAULT_MAX_BYTES,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_N_DROPPED] =
    g_param_spec_uint64 ("n-dropped", "Dropped", "Entries dropped by the cap since the last clear",
                         0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", "Items", "Entries the model shows",
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ct_message_log_init (CtMessageLog *self)
{
  self->flush_delay_ms = FRAME_MS;
  self->ring_mask = 255;
  self->ring = g_new (CtRecord *, self->ring_mask + 1);
  self->capacity = CT_MESSAGE_LOG_DEFAULT_CAPACITY;
  self->max_bytes = CT_MESSAGE_LOG_DEFAULT_MAX_BYTES;
}

CtMessageLog *
ct_message_log_new (void)
{
  return g_object_new (CT_TYPE_MESSAGE_LOG, NULL);
}

/**
 * ct_message_log_set_flush_delay:
 * @delay_ms: how long appends wait to be published together; 0 publishes
 *   them at the next turn of the main loop
 *
 * A window wants one items-changed per frame (the default, 16 ms); the CLI,
 * which acks what it has written out, wants entries as soon as they come.
 */
void
ct_message_log_set_flush_delay (CtMessageLog *self,
                                guint         delay_ms)
{
  g_return_if_fail (CT_IS_MESSAGE_LOG (self));
  self->flush_delay_ms = delay_ms;
}
