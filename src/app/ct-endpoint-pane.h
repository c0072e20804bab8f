/* ct-endpoint-pane.h — one endpoint: settings, start/stop, composer, log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ct-core.h"
#include "ct-log-view.h"

G_BEGIN_DECLS

typedef enum
{
  CT_EXPORT_JSON_LINES,
  CT_EXPORT_CSV,
} CtExportFormat;

#define CT_TYPE_ENDPOINT_PANE (ct_endpoint_pane_get_type ())

G_DECLARE_FINAL_TYPE (CtEndpointPane, ct_endpoint_pane, CT, ENDPOINT_PANE, GtkWidget)

GtkWidget  *ct_endpoint_pane_new               (CtEndpoint     *endpoint,
                                                const char     *title);
CtEndpoint *ct_endpoint_pane_get_endpoint      (CtEndpointPane *self);
void        ct_endpoint_pane_set_server        (CtEndpointPane *self,
                                                CtEndpoint     *server);
void        ct_endpoint_pane_set_composer_text (CtEndpointPane *self,
                                                const char     *text);
const char *ct_endpoint_pane_get_title         (CtEndpointPane *self);
void        ct_endpoint_pane_set_title         (CtEndpointPane *self,
                                                const char     *title);
void        ct_endpoint_pane_add_header_widget (CtEndpointPane *self,
                                                GtkWidget      *widget);
CtLogView  *ct_endpoint_pane_get_log_view      (CtEndpointPane *self);
void        ct_endpoint_pane_focus_composer    (CtEndpointPane *self);
const char *ct_endpoint_pane_get_composer_text (CtEndpointPane *self);
void        ct_endpoint_pane_compose_from      (CtEndpointPane *self,
                                                CtMessage      *message);
void        ct_endpoint_pane_export            (CtEndpointPane *self,
                                                GFile          *file,
                                                CtExportFormat  format);

G_END_DECLS
