/* ct-log-filter.h — a filtered, pausable view of a CtMessageLog
 *
 * A GListModel of CtMessage over a log: only the entries whose direction is
 * in `directions` and that contain `text` (case-insensitive, in the summary,
 * the peer or a text payload), following the log live (new entries that
 * match are added, entries the log drops at its cap go too). While `paused`
 * the model does not change at all (its rows stay valid even if the log
 * drops them), `n-pending` counts what came meanwhile, and resuming catches
 * up in one items-changed. It reads the log's records directly: no row
 * object is made for an entry unless a view asks for it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ct-message-log.h"

G_BEGIN_DECLS

#define CT_LOG_FILTER_ALL_DIRECTIONS ((1u << CT_DIRECTION_IN) | (1u << CT_DIRECTION_OUT) | \
                                      (1u << CT_DIRECTION_INFO) | (1u << CT_DIRECTION_ERROR))

#define CT_TYPE_LOG_FILTER (ct_log_filter_get_type ())

G_DECLARE_FINAL_TYPE (CtLogFilter, ct_log_filter, CT, LOG_FILTER, GObject)

CtLogFilter  *ct_log_filter_new            (CtMessageLog *log);
CtMessageLog *ct_log_filter_get_log        (CtLogFilter  *self);
/* A mask of 1 << CtDirection; CT_LOG_FILTER_ALL_DIRECTIONS by default */
void          ct_log_filter_set_directions (CtLogFilter  *self,
                                            guint         directions);
guint         ct_log_filter_get_directions (CtLogFilter  *self);
/* "" or NULL: no text condition */
void          ct_log_filter_set_text       (CtLogFilter  *self,
                                            const char   *text);
const char   *ct_log_filter_get_text       (CtLogFilter  *self);
gboolean      ct_log_filter_is_filtering   (CtLogFilter  *self);
void          ct_log_filter_set_paused     (CtLogFilter  *self,
                                            gboolean      paused);
gboolean      ct_log_filter_get_paused     (CtLogFilter  *self);
/* Entries appended to the log since the pause (matching or not) */
guint64       ct_log_filter_get_n_pending  (CtLogFilter  *self);

G_END_DECLS
