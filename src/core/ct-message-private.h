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
  guint8         has_summary;
  guint8         has_meta;
  guint8         meta_trusted;   /* the metadata is in normal form */
  guint32        size;           /* payload bytes */
  guint32        summary_len;
  guint32        meta_size;      /* serialised a{sv} bytes (0 for an empty one) */
  guint8         shared;         /* data starts with a GBytes * holding the payload */
  guint8         reserved[3];
  gint64         time;           /* wall clock, µs since the epoch */
  guint64        exchange;       /* 0: none */
  char          *peer;           /* GRefString, interned; NULL: none */
  const char    *event;          /* interned; NULL: none */
  CtRecordBlock *block;          /* the block it was cut from; NULL: its own allocation */
  guint8         data[];         /* the payload, or the GBytes * that holds it; the
                                  * summary + NUL; then the metadata at the next
                                  * multiple of 8 */
} CtRecord;

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

/* Ends @builder without making a GVariant: its serialised a{sv} stays in
 * the builder (data, length) for a record to copy. Clear it afterwards
 * with ct_meta_builder_clear(). */
void       ct_meta_builder_finish (CtMetaBuilder *builder);
void       ct_meta_builder_clear  (CtMetaBuilder *builder);

CtMessage *ct_message_new_for_record (CtRecord *record);
CtRecord  *ct_message_get_record     (CtMessage *self);

G_END_DECLS
