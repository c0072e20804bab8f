/* ct-log-view.h — a live message log with a filter bar and a detail view
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ct-core.h"
#include "ct-log-stats-view.h"

G_BEGIN_DECLS

#define CT_TYPE_LOG_VIEW (ct_log_view_get_type ())

G_DECLARE_FINAL_TYPE (CtLogView, ct_log_view, CT, LOG_VIEW, GtkWidget)

void           ct_log_view_set_log          (CtLogView    *self,
                                             CtMessageLog *log);
CtMessageLog  *ct_log_view_get_log          (CtLogView    *self);
void           ct_log_view_set_endpoint     (CtLogView    *self,
                                             CtEndpoint   *endpoint);
void           ct_log_view_select           (CtLogView    *self,
                                             guint         position);
CtMessage     *ct_log_view_get_selected     (CtLogView    *self);
GtkColumnView *ct_log_view_get_column_view  (CtLogView    *self);
GListModel    *ct_log_view_get_model        (CtLogView    *self);
void           ct_log_view_set_filter_text  (CtLogView    *self,
                                             const char   *text);
void           ct_log_view_set_paused       (CtLogView    *self,
                                             gboolean      paused);
gboolean       ct_log_view_get_paused       (CtLogView    *self);
const char    *ct_log_view_get_status       (CtLogView    *self);
const char    *ct_log_view_get_pending_text (CtLogView    *self);
char          *ct_log_view_get_detail_text  (CtLogView    *self,
                                             const char   *page);
CtLogStatsView *ct_log_view_get_stats_view  (CtLogView    *self);
char          *ct_log_view_format_entry     (CtMessage    *message);

G_END_DECLS
