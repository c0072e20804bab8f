/* ct-connection-list.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ct-core.h"

G_BEGIN_DECLS

#define CT_TYPE_CONNECTION_LIST (ct_connection_list_get_type ())

G_DECLARE_FINAL_TYPE (CtConnectionList, ct_connection_list, CT, CONNECTION_LIST, GtkWidget)

GtkWidget *ct_connection_list_new (CtEndpoint *endpoint);

G_END_DECLS
