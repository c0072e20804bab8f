/* ct-message-private.h — the compact record behind a CtMessage
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ct-message.h"

G_BEGIN_DECLS

typedef struct _CtRecordBlock CtRecordBlock;

/* One log entry as the log stores it: a single allocation holding the
 * header, the payload (or, when it is shared, a reference to its GBytes),
 * the (optional) summary and the metadata in GVariant's serialised form.
 * Row objects (CtMessage) are created only when a view asks for one; they
 * share the record.
 *
 * A log's records are cut from its blocks (see CtRecordArena) rather than
 * allocated one by one: a log that keeps hundreds of thousands of entries
 * would otherwise interleave them with the short-lived allocations of
 * everything else in the process and leave malloc a fragmented heap to
 * search on every call. */
typedef struct _CtRecord
{
  gint           ref_count;
  guint8         direction;      /* CtDirection */
  guint8         has_summary : 1;
  guint8         has_meta : 1;
  guint8         meta_trusted : 1; /* the metadata is in normal form */
  guint8         shared : 1;     /* data starts with a GBytes * holding the payload */
  guint16        reserved;
  guint32        size;           /* payload bytes */
  guint32        summary_len;
  guint32        meta_size;      /* serialised a{sv} bytes (0 for an empty one) */
  guint32        latency;        /* see ct_record_set_latency(); 0: none */
  gint64         time;           /* wall clock, µs since the epoch */
  guint64        exchange;       /* 0: none */
  char          *peer;           /* GRefString, interned; NULL: none */
  const char    *event;          /* interned; NULL: none */
  CtRecordBlock *block;          /* the block it was cut from; NULL: its own allocation */
  guint8         data[];         /* the payload, or the GBytes * that holds it; the
                                  * summary + NUL; then the metadata at the next
                                  * multiple of 8 */
} CtRecord;

G_STATIC_ASSERT (sizeof (CtRecord) == 64);

/* Where a log cuts its records from: the block it is filling, and the size
 * of the next one. Zero-initialised; ct_record_arena_clear() lets go. */
typedef struct
{
  CtRecordBlock *block;
  gsize          next_size;
} CtRecordArena;

CtRecord  *ct_record_new      (const CtMessageFields *fields,
                               char                  *peer);
CtRecord  *ct_record_new_full (const CtMessageFields *fields,
                               char                  *peer,
                               const CtMetaBuilder   *meta,
                               CtRecordArena         *arena);
CtRecord  *ct_record_ref      (CtRecord *record);
void       ct_record_unref    (CtRecord *record);
gsize      ct_record_get_heap_size (const CtRecord *record);
void       ct_record_arena_clear   (CtRecordArena *arena);

/* The shared payload, or NULL when it is copied into the record */
static inline GBytes *
ct_record_get_bytes (const CtRecord *record)
{
  return record->shared ? *(GBytes * const *) record->data : NULL;
}

/* The payload's first byte, wherever it is kept */
static inline const guint8 *
ct_record_get_payload (const CtRecord *record)
{
  return record->shared ? g_bytes_get_data (ct_record_get_bytes (record), NULL) : record->data;
}

/* Where the summary starts in record->data */
static inline gsize
ct_record_get_text_offset (const CtRecord *record)
{
  return record->shared ? sizeof (GBytes *) : record->size;
}

/* The latency (µs since the entry this one answers) in 32 bits: 0 for
 * none; below bit 31, µs + 1 (exact up to about 35 minutes); with bit 31
 * set, whole milliseconds (up to about 24 days, saturating). */
#define CT_RECORD_LATENCY_MS_FLAG 0x80000000u

static inline void
ct_record_set_latency (CtRecord *record,
                       gint64    latency_us)
{
  if (latency_us < 0)
    record->latency = 0;
  else if (latency_us < (gint64) CT_RECORD_LATENCY_MS_FLAG - 1)
    record->latency = (guint32) latency_us + 1;
  else
    record->latency = CT_RECORD_LATENCY_MS_FLAG |
                      (guint32) MIN (latency_us / 1000, (gint64) ~CT_RECORD_LATENCY_MS_FLAG);
}

/* µs, or -1 for none */
static inline gint64
ct_record_get_latency (const CtRecord *record)
{
  if (record->latency == 0)
    return -1;
  if (record->latency & CT_RECORD_LATENCY_MS_FLAG)
    return (gint64) (record->latency & ~CT_RECORD_LATENCY_MS_FLAG) * 1000;
  return (gint64) record->latency - 1;
}

/* Ends @builder without making a GVariant: its serialised a{sv} stays in
 * the builder (data, length) for a record to copy. Clear it afterwards
 * with ct_meta_builder_clear(). */
void       ct_meta_builder_finish (CtMetaBuilder *builder);
void       ct_meta_builder_clear  (CtMetaBuilder *builder);

CtMessage *ct_message_new_for_record (CtRecord *record);
CtRecord  *ct_message_get_record     (CtMessage *self);

G_END_DECLS
