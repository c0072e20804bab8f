/* ct-log-view.h — a live message log with a detail view
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ct-core.h"

G_BEGIN_DECLS

#define CT_TYPE_LOG_VIEW (ct_log_view_get_type ())

G_DECLARE_FINAL_TYPE (CtLogView, ct_log_view, CT, LOG_VIEW, GtkWidget)

void          ct_log_view_set_log      (CtLogView    *self,
                                        CtMessageLog *log);
CtMessageLog *ct_log_view_get_log      (CtLogView    *self);
void          ct_log_view_set_endpoint (CtLogView    *self,
                                        CtEndpoint   *endpoint);
void          ct_log_view_select       (CtLogView    *self,
                                        guint         position);
GtkColumnView *ct_log_view_get_column_view (CtLogView *self);

G_END_DECLS
