/* ct-message-log.h — a capped, coalescing GListModel of CtMessage
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ct-message.h"

G_BEGIN_DECLS

#define CT_MESSAGE_LOG_DEFAULT_CAPACITY  1000000
#define CT_MESSAGE_LOG_DEFAULT_MAX_BYTES (256 * 1024 * 1024)

#define CT_TYPE_MESSAGE_LOG (ct_message_log_get_type ())

G_DECLARE_FINAL_TYPE (CtMessageLog, ct_message_log, CT, MESSAGE_LOG, GObject)

CtMessageLog *ct_message_log_new            (void);
void          ct_message_log_append         (CtMessageLog          *self,
                                             const CtMessageFields *fields);
void          ct_message_log_info           (CtMessageLog          *self,
                                             const char            *event,
                                             const char            *peer,
                                             GVariant              *meta,
                                             const char            *format,
                                             ...) G_GNUC_PRINTF (5, 6);
void          ct_message_log_error          (CtMessageLog          *self,
                                             const char            *peer,
                                             const GError          *error);
void          ct_message_log_flush          (CtMessageLog          *self);
void          ct_message_log_set_flush_delay (CtMessageLog         *self,
                                             guint                  delay_ms);
void          ct_message_log_clear          (CtMessageLog          *self);
guint         ct_message_log_get_capacity   (CtMessageLog          *self);
void          ct_message_log_set_capacity   (CtMessageLog          *self,
                                             guint                  capacity);
guint64       ct_message_log_get_max_bytes  (CtMessageLog          *self);
void          ct_message_log_set_max_bytes  (CtMessageLog          *self,
                                             guint64                max_bytes);
guint64       ct_message_log_get_n_dropped  (CtMessageLog          *self);
guint64       ct_message_log_get_n_appended (CtMessageLog          *self);
guint64       ct_message_log_get_heap_bytes (CtMessageLog          *self);

CtDirection   ct_message_log_get_direction (CtMessageLog *self,
                                            guint         position);

G_END_DECLS
