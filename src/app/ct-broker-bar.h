/* ct-broker-bar.h — the RabbitMQ page's private broker: state, URL, start,
 * stop and log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ct-core.h"
#include "ct-protocol-page.h"

G_BEGIN_DECLS

#define CT_TYPE_BROKER_BAR (ct_broker_bar_get_type ())

G_DECLARE_FINAL_TYPE (CtBrokerBar, ct_broker_bar, CT, BROKER_BAR, GtkWidget)

GtkWidget      *ct_broker_bar_new        (CtProtocolPage *page);
CtBroker       *ct_broker_bar_get_broker (CtBrokerBar    *self);
void            ct_broker_bar_set_broker (CtBrokerBar    *self,
                                          CtBroker       *broker);
CtProtocolPage *ct_broker_bar_get_page   (CtBrokerBar    *self);

G_END_DECLS
