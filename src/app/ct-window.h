/* ct-window.h — the main window: one page per protocol
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ct-broker-bar.h"
#include "ct-log-window.h"
#include "ct-protocol-page.h"

G_BEGIN_DECLS

#define CT_TYPE_WINDOW (ct_window_get_type ())

G_DECLARE_FINAL_TYPE (CtWindow, ct_window, CT, WINDOW, AdwApplicationWindow)

CtWindow       *ct_window_new        (GtkApplication *application);
CtProtocolPage *ct_window_get_page   (CtWindow       *self,
                                      const char     *protocol_id);
void            ct_window_show_page  (CtWindow       *self,
                                      const char     *protocol_id);
CtBrokerBar    *ct_window_get_broker_bar (CtWindow   *self);
CtLogWindow    *ct_window_open_log   (CtWindow       *self,
                                      GFile          *file);

G_END_DECLS
