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
 * An entry with an exchange id is paired with the earlier entry of the
 * same id, if the log still remembers it (see Pairs below): its record gets
 * the latency between the two.
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
/* Logs this large are trimmed in chunks at their cap (see trim_slack) */
#define TRIM_CHUNK_MIN_CAPACITY 65536
/* Exchange ids waiting for their answer: at most the last PAIRS_MAX */
#define PAIRS_MAX   65536

/* The exchange ids of entries not answered yet, and their times: an open
 * addressing table (linear probing, backward-shift deletion; 0 marks a free
 * slot, as 0 is no exchange), and the ids in the order they came, so the
 * oldest is forgotten when more than PAIRS_MAX wait. Each id's place in
 * that order is its serial; the table keeps it, so an id answered and then
 * used again is told from its older use. Answered ids leave holes in the
 * order, dropped when they lead it and packed away when it is full. Both
 * start small and grow: most logs never see an exchange id. */
typedef struct
{
  guint64 exchange;
  gint64  time;
  guint64 serial;
} Pending;

typedef struct
{
  Pending *slots;
  guint64  mask;         /* slots - 1 (a power of two); 0: nothing allocated */
  guint64  n;
  guint64 *order;        /* order[serial & order_mask]: the id */
  guint64  order_mask;
  guint64  first_serial; /* oldest in order */
  guint64  next_serial;
} Pairs;

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
  GPtrArray *graveyard;      /* records trimmed at the cap, freed a batch at a time */
  guint      bury_source;
  guint      flush_delay_ms; /* FRAME_MS; 0: at the next turn of the main loop */
  char      *last_peer;      /* GRefString: most appends repeat the last peer */
  CtRecordArena arena;       /* where records are cut from */
  Pairs      pairs;
  GArray    *hooks;          /* FlushHook: see ct_message_log_add_flush_hook() */
};

typedef struct
{
  CtMessageLogHook func;
  gpointer         data;
} FlushHook;

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

/* -- pairing ------------------------------------------------------------------ */

static inline guint64
pairs_hash (guint64 exchange)
{
  /* Ids are often consecutive: spread them (Fibonacci hashing) */
  return (exchange * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15)) >> 32;
}

/* The slot of @exchange, or -1 */
static gint64
pairs_find (const Pairs *pairs,
            guint64      exchange)
{
  if (pairs->mask == 0)
    return -1;

  for (guint64 i = pairs_hash (exchange) & pairs->mask;; i = (i + 1) & pairs->mask)
    {
      if (pairs->slots[i].exchange == exchange)
        return (gint64) i;
      if (pairs->slots[i].exchange == 0)
        return -1;
    }
}

static void
pairs_remove_at (Pairs   *pairs,
                 guint64  i)
{
  guint64 j = i;

  /* Backward shift: move up every entry of the run after @i that would
   * no longer be found past the hole */
  for (;;)
    {
      guint64 home;

      j = (j + 1) & pairs->mask;
      if (pairs->slots[j].exchange == 0)
        break;
      home = pairs_hash (pairs->slots[j].exchange) & pairs->mask;
      /* j's entry may move to i when its home is not in (i, j] cyclically */
      if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j)))
        {
          pairs->slots[i] = pairs->slots[j];
          i = j;
        }
    }
  pairs->slots[i].exchange = 0;
  pairs->n--;
}

static void
pairs_put (Pairs         *pairs,
           const Pending *pending)
{
  guint64 i = pairs_hash (pending->exchange) & pairs->mask;

  while (pairs->slots[i].exchange != 0)
    i = (i + 1) & pairs->mask;
  pairs->slots[i] = *pending;
  pairs->n++;
}

/* Whether the id at @serial in the order still waits (it has not been
 * answered, nor answered and used again since) */
static gboolean
pairs_waiting (const Pairs *pairs,
               guint64      serial,
               gint64      *at)
{
  *at = pairs_find (pairs, pairs->order[serial & pairs->order_mask]);
  return *at >= 0 && pairs->slots[*at].serial == serial;
}

/* Drops the answered ids that lead the order */
static void
pairs_trim (Pairs *pairs)
{
  gint64 at;

  while (pairs->first_serial < pairs->next_serial && !pairs_waiting (pairs, pairs->first_serial, &at))
    pairs->first_serial++;
}

static void
pairs_insert (Pairs   *pairs,
              guint64  exchange,
              gint64   time)
{
  Pending pending = { exchange, time, 0 };

  /* Forget the oldest waiting beyond PAIRS_MAX */
  pairs_trim (pairs);
  if (pairs->n >= PAIRS_MAX)
    {
      gint64 at;

      if (pairs_waiting (pairs, pairs->first_serial, &at))
        pairs_remove_at (pairs, at);
      pairs->first_serial++;
      pairs_trim (pairs);
    }

  /* Grow the table at half full */
  if (2 * (pairs->n + 1) > pairs->mask + 1 || pairs->mask == 0)
    {
      Pairs old = *pairs;
      guint64 size = MAX (2 * (old.mask + 1), 64);

      pairs->slots = g_new0 (Pending, size);
      pairs->mask = size - 1;
      pairs->n = 0;
      for (guint64 i = 0; old.mask && i <= old.mask; i++)
        if (old.slots[i].exchange)
          pairs_put (pairs, &old.slots[i]);
      g_free (old.slots);
    }

  /* The order is full: grow it up to twice PAIRS_MAX; past that, at least
   * half of it is ids answered since, and it is packed instead */
  if (pairs->order == NULL || pairs->next_serial - pairs->first_serial == pairs->order_mask + 1)
    {
      guint64 old_size = pairs->order ? pairs->order_mask + 1 : 0;
      guint64 size = old_size >= 2 * PAIRS_MAX ? old_size : MAX (2 * old_size, 64);
      guint64 *order = g_new (guint64, size);
      guint64 next = pairs->first_serial;

      for (guint64 s = pairs->first_serial; s < pairs->next_serial; s++)
        {
          gint64 at = -1;

          if (size == old_size && !pairs_waiting (pairs, s, &at))
            continue;
          if (size == old_size)
            pairs->slots[at].serial = next;
          order[next++ & (size - 1)] = pairs->order[s & pairs->order_mask];
        }
      g_free (pairs->order);
      pairs->order = order;
      pairs->order_mask = size - 1;
      pairs->next_serial = next;
    }

  pending.serial = pairs->next_serial;
  pairs->order[pairs->next_serial & pairs->order_mask] = exchange;
  pairs->next_serial++;
  pairs_put (pairs, &pending);
}

/* Pairs @record with the entry it answers (setting its latency), or
 * remembers it as one waiting for an answer */
static void
pair (CtMessageLog *self,
      CtRecord     *record)
{
  gint64 at = pairs_find (&self->pairs, record->exchange);

  if (at >= 0)
    {
      /* A clock set back gives 0, not a negative latency */
      ct_record_set_latency (record, MAX (record->time - self->pairs.slots[at].time, 0));
      pairs_remove_at (&self->pairs, (guint64) at);
    }
  else
    pairs_insert (&self->pairs, record->exchange, record->time);
}

static void
pairs_clear (Pairs *pairs)
{
  g_clear_pointer (&pairs->slots, g_free);
  g_clear_pointer (&pairs->order, g_free);
  memset (pairs, 0, sizeof *pairs);
}

/* -- the ring ------------------------------------------------------------------ */

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

/* Freeing a chunk of records trimmed at the cap (125,000 at a time for a
 * log of a million) takes longer than a frame: they are freed in batches
 * from an idle instead, so the main loop keeps turning */
#define BURY_BATCH 8192

static gboolean
bury_cb (gpointer data)
{
  CtMessageLog *self = data;
  guint n = MIN (self->graveyard->len, BURY_BATCH);

  g_ptr_array_remove_range (self->graveyard, self->graveyard->len - n, n);
  if (self->graveyard->len > 0)
    return G_SOURCE_CONTINUE;
  self->bury_source = 0;
  return G_SOURCE_REMOVE;
}

static void
bury_oldest (CtMessageLog *self)
{
  CtRecord **r = slot (self, self->first_seq);

  if (self->graveyard == NULL)
    self->graveyard = g_ptr_array_new_with_free_func ((GDestroyNotify) ct_record_unref);
  self->heap_bytes -= ct_record_get_heap_size (*r);
  g_ptr_array_add (self->graveyard, g_steal_pointer (r));
  self->first_seq++;
}

static void
bury_all_now (CtMessageLog *self)
{
  g_clear_handle_id (&self->bury_source, g_source_remove);
  g_clear_pointer (&self->graveyard, g_ptr_array_unref);
}

static void
run_hooks (CtMessageLog       *self,
           CtMessageLogHookAt  at)
{
  if (self->hooks == NULL)
    return;
  /* By index: a hook may remove itself */
  for (guint i = 0; i < self->hooks->len; i++)
    {
      FlushHook *hook = &g_array_index (self->hooks, FlushHook, i);

      hook->func (self, at, hook->data);
    }
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
/* How far past its cap a log may go before it is trimmed back to it: none
 * for small logs, which drop exactly at their cap */
static guint64
trim_slack (CtMessageLog *self)
{
  return self->capacity >= TRIM_CHUNK_MIN_CAPACITY ? self->capacity / 4 : 0;
}

void
ct_message_log_flush (CtMessageLog *self)
{
  guint64 before_dropped, removed, added, old_end;

  g_return_if_fail (CT_IS_MESSAGE_LOG (self));

  g_clear_handle_id (&self->flush_source, g_source_remove);
  run_hooks (self, CT_MESSAGE_LOG_HOOK_FLUSH);

  /* A large log at its cap is trimmed in chunks: it may hold up to a
   * quarter more before the oldest go, down to the cap, at once. A list
   * view redoes its rows when rows go from the top (about 100 ms for a
   * window of them, whatever their number), so that happens every second
   * or two in a flood instead of at every flush. */
  before_dropped = self->n_dropped;
  if (self->end_seq - self->first_seq > (guint64) self->capacity + trim_slack (self))
    {
      while (self->end_seq - self->first_seq > self->capacity)
        {
          bury_oldest (self);
          self->n_dropped++;
        }
      if (self->graveyard && self->graveyard->len && self->bury_source == 0)
        {
          g_autoptr(GSource) source = g_idle_source_new ();

          g_source_set_priority (source, G_PRIORITY_DEFAULT);
          g_source_set_callback (source, bury_cb, self, NULL);
          g_source_set_static_name (source, "[crosstalk] log trim");
          self->bury_source = g_source_attach (source, NULL);
        }
    }
  while (self->heap_bytes > self->max_bytes && self->end_seq - self->first_seq > 1)
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

/* @latency: µs to record as the entry's latency; APPEND_PAIR: pair it by
 * its exchange id */
#define APPEND_PAIR G_MININT64

static void
append (CtMessageLog          *self,
        const CtMessageFields *fields,
        const CtMetaBuilder   *meta,
        gint64                 latency)
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

  if (latency != APPEND_PAIR)
    ct_record_set_latency (record, latency);
  else if (record->exchange)
    pair (self, record);

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

  append (self, fields, NULL, APPEND_PAIR);
}

/**
 * ct_message_log_append_with_latency:
 * @latency: the entry's latency in µs, or -1 for none
 *
 * Appends an entry whose latency is known already (an entry read back from
 * an export): it is not paired by its exchange id.
 */
void
ct_message_log_append_with_latency (CtMessageLog          *self,
                                    const CtMessageFields *fields,
                                    gint64                 latency)
{
  g_return_if_fail (CT_IS_MESSAGE_LOG (self));
  g_return_if_fail (fields != NULL);

  append (self, fields, NULL, MAX (latency, -1));
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
  append (self, fields, meta, APPEND_PAIR);
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
 * Removes every entry at once and resets the dropped count. Exchange ids
 * waiting for an answer are still remembered: a reply that comes after the
 * clear still gets its latency.
 */
void
ct_message_log_clear (CtMessageLog *self)
{
  guint removed;

  g_return_if_fail (CT_IS_MESSAGE_LOG (self));

  g_clear_handle_id (&self->flush_source, g_source_remove);
  run_hooks (self, CT_MESSAGE_LOG_HOOK_CLEAR);
  removed = (guint) (self->pub_end - self->pub_first);

  while (self->first_seq < self->end_seq)
    drop_oldest (self);
  bury_all_now (self);
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

/* The sequence numbers of the published entries (what the model shows):
 * [*first, *end). A sequence number names one entry for the log's life;
 * position = seq - first. */
void
ct_message_log_get_published (CtMessageLog *self,
                              guint64      *first,
                              guint64      *end)
{
  *first = self->pub_first;
  *end = self->pub_end;
}

/* The sequence numbers of every entry held, published or not */
void
ct_message_log_get_held (CtMessageLog *self,
                         guint64      *first,
                         guint64      *end)
{
  *first = self->first_seq;
  *end = self->end_seq;
}

/* (transfer none): the record of entry @seq, which the log holds */
CtRecord *
ct_message_log_peek_record (CtMessageLog *self,
                            guint64       seq)
{
  g_assert (seq >= self->first_seq && seq < self->end_seq);
  return *slot (self, seq);
}

/**
 * ct_message_log_add_flush_hook:
 *
 * Calls @func at the start of every flush (before the cap drops anything,
 * so every entry ever appended is seen by it at least once while the log
 * holds it) and before a clear. For observers that count every entry
 * (CtLogStats). Removed with ct_message_log_remove_flush_hook().
 */
void
ct_message_log_add_flush_hook (CtMessageLog     *self,
                               CtMessageLogHook  func,
                               gpointer          data)
{
  FlushHook hook = { func, data };

  if (self->hooks == NULL)
    self->hooks = g_array_new (FALSE, FALSE, sizeof (FlushHook));
  g_array_append_val (self->hooks, hook);
}

void
ct_message_log_remove_flush_hook (CtMessageLog     *self,
                                  CtMessageLogHook  func,
                                  gpointer          data)
{
  for (guint i = 0; self->hooks && i < self->hooks->len; i++)
    {
      FlushHook *hook = &g_array_index (self->hooks, FlushHook, i);

      if (hook->func == func && hook->data == data)
        {
          g_array_remove_index (self->hooks, i);
          return;
        }
    }
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
  bury_all_now (self);

  G_OBJECT_CLASS (ct_message_log_parent_class)->dispose (object);
}

static void
ct_message_log_finalize (GObject *object)
{
  CtMessageLog *self = CT_MESSAGE_LOG (object);

  while (self->first_seq < self->end_seq)
    drop_oldest (self);
  bury_all_now (self);
  g_free (self->ring);
  g_clear_pointer (&self->last_peer, g_ref_string_release);
  ct_record_arena_clear (&self->arena);
  pairs_clear (&self->pairs);
  g_clear_pointer (&self->hooks, g_array_unref);

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
