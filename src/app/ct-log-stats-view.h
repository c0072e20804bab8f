/* ct-log-stats-view.h — a log's statistics and a live chart of its rate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ct-core.h"
#include "ct-log-stats.h"

G_BEGIN_DECLS

#define CT_TYPE_LOG_STATS_VIEW (ct_log_stats_view_get_type ())

G_DECLARE_FINAL_TYPE (CtLogStatsView, ct_log_stats_view, CT, LOG_STATS_VIEW, GtkWidget)

void        ct_log_stats_view_set_log       (CtLogStatsView *self,
                                             CtMessageLog   *log);
CtLogStats *ct_log_stats_view_get_stats     (CtLogStatsView *self);
guint       ct_log_stats_view_get_n_updates (CtLogStatsView *self);
char       *ct_log_stats_view_dup_text      (CtLogStatsView *self);
char       *ct_format_latency               (gint64          latency_us);

G_END_DECLS
