/* ct-message-log-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ct-message-log.h"
#include "ct-message-private.h"

G_BEGIN_DECLS

GPtrArray *ct_message_log_dup_records  (CtMessageLog          *self);
void       ct_message_log_append_built (CtMessageLog          *self,
                                        const CtMessageFields *fields,
                                        CtMetaBuilder         *meta);
void       ct_message_log_append_with_latency (CtMessageLog          *self,
                                        const CtMessageFields *fields,
                                        gint64                 latency);

/* Record-level access by sequence number, for observers that read every
 * entry without making CtMessage objects (CtLogFilter, CtLogStats) */
void       ct_message_log_get_published (CtMessageLog *self,
                                         guint64      *first,
                                         guint64      *end);
void       ct_message_log_get_held      (CtMessageLog *self,
                                         guint64      *first,
                                         guint64      *end);
CtRecord  *ct_message_log_peek_record   (CtMessageLog *self,
                                         guint64       seq);

typedef enum
{
  CT_MESSAGE_LOG_HOOK_FLUSH,   /* a flush starts: nothing dropped or published yet */
  CT_MESSAGE_LOG_HOOK_CLEAR,   /* a clear starts: every entry held is about to go */
} CtMessageLogHookAt;

typedef void (*CtMessageLogHook) (CtMessageLog       *log,
                                  CtMessageLogHookAt  at,
                                  gpointer            data);

void       ct_message_log_add_flush_hook    (CtMessageLog     *self,
                                             CtMessageLogHook  func,
                                             gpointer          data);
void       ct_message_log_remove_flush_hook (CtMessageLog     *self,
                                             CtMessageLogHook  func,
                                             gpointer          data);

G_END_DECLS
