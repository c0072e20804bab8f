/* ct-message-private.h — the compact record behind a CtMessage
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ct-message.h"

G_BEGIN_DECLS

/* One log entry as the log stores it: a single allocation holding the
 * header, the payload and the (optional) summary. Row objects (CtMessage)
 * are created only when a view asks for one; they share the record. */
typedef struct _CtRecord
{
  gint        ref_count;
  guint8      direction;      /* CtDirection */
  guint8      has_summary;
  guint16     reserved;
  guint32     size;           /* payload bytes */
  guint32     summary_len;
  gint64      time;           /* wall clock, µs since the epoch */
  guint64     exchange;       /* 0: none */
  char       *peer;           /* GRefString, interned; NULL: none */
  const char *event;          /* interned; NULL: none */
  GVariant   *meta;           /* a{sv} or NULL */
  guint8      data[];         /* payload, then summary + NUL */
} CtRecord;

CtRecord  *ct_record_new      (const CtMessageFields *fields,
                               char                  *peer);
CtRecord  *ct_record_ref      (CtRecord *record);
void       ct_record_unref    (CtRecord *record);
gsize      ct_record_get_heap_size (const CtRecord *record);

CtMessage *ct_message_new_for_record (CtRecord *record);
CtRecord  *ct_message_get_record     (CtMessage *self);

G_END_DECLS
