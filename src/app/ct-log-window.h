/* ct-log-window.h — an exported log, opened to browse
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ct-core.h"
#include "ct-log-view.h"

G_BEGIN_DECLS

#define CT_TYPE_LOG_WINDOW (ct_log_window_get_type ())

G_DECLARE_FINAL_TYPE (CtLogWindow, ct_log_window, CT, LOG_WINDOW, AdwWindow)

GtkWidget  *ct_log_window_new          (GtkApplication *application,
                                        GFile          *file);
GFile      *ct_log_window_get_file     (CtLogWindow    *self);
CtLogView  *ct_log_window_get_log_view (CtLogWindow    *self);
gboolean    ct_log_window_is_loading   (CtLogWindow    *self);
const char *ct_log_window_get_error    (CtLogWindow    *self);

G_END_DECLS
