/* ct-protocol-page.h — a protocol's server and client panes side by side
 * (several clients for a protocol with multi_client)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ct-core.h"
#include "ct-endpoint-pane.h"

G_BEGIN_DECLS

#define CT_TYPE_PROTOCOL_PAGE (ct_protocol_page_get_type ())

G_DECLARE_FINAL_TYPE (CtProtocolPage, ct_protocol_page, CT, PROTOCOL_PAGE, GtkWidget)

GtkWidget        *ct_protocol_page_new                      (const CtProtocol *protocol);
const CtProtocol *ct_protocol_page_get_protocol             (CtProtocolPage   *self);
CtEndpointPane   *ct_protocol_page_get_server_pane          (CtProtocolPage   *self);
CtEndpointPane   *ct_protocol_page_get_client_pane          (CtProtocolPage   *self);
guint             ct_protocol_page_get_n_clients            (CtProtocolPage   *self);
CtEndpointPane   *ct_protocol_page_get_nth_client_pane      (CtProtocolPage   *self,
                                                             guint             index);
CtEndpointPane   *ct_protocol_page_get_selected_client_pane (CtProtocolPage   *self);
guint             ct_protocol_page_get_clients_shown        (CtProtocolPage   *self);
CtEndpointPane   *ct_protocol_page_add_client               (CtProtocolPage   *self);
gboolean          ct_protocol_page_remove_client            (CtProtocolPage   *self,
                                                             guint             index);
void              ct_protocol_page_demo                     (CtProtocolPage   *self);

G_END_DECLS
