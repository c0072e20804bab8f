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

G_END_DECLS
