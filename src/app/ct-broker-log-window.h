/* ct-broker-log-window.h — the local broker's log, read without blocking
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ct-core.h"

G_BEGIN_DECLS

#define CT_TYPE_BROKER_LOG_WINDOW (ct_broker_log_window_get_type ())

G_DECLARE_FINAL_TYPE (CtBrokerLogWindow, ct_broker_log_window, CT, BROKER_LOG_WINDOW, AdwWindow)

GtkWidget *ct_broker_log_window_new     (CtBroker          *broker);
void       ct_broker_log_window_refresh (CtBrokerLogWindow *self);
gboolean   ct_broker_log_window_is_loading (CtBrokerLogWindow *self);
const char *ct_broker_log_window_get_text (CtBrokerLogWindow *self);

G_END_DECLS
