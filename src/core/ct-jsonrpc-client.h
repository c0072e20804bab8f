/* ct-jsonrpc-client.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ct-endpoint.h"

G_BEGIN_DECLS

#define CT_TYPE_JSONRPC_CLIENT (ct_jsonrpc_client_get_type ())

G_DECLARE_FINAL_TYPE (CtJsonRpcClient, ct_jsonrpc_client, CT, JSONRPC_CLIENT, CtEndpoint)

CtEndpoint *ct_jsonrpc_client_new              (void);
gboolean    ct_jsonrpc_client_check_line       (const char       *line,
                                                GError          **error);
gboolean    ct_jsonrpc_client_add_to_batch     (CtJsonRpcClient  *self,
                                                const char       *line,
                                                GError          **error);
gboolean    ct_jsonrpc_client_send_batch       (CtJsonRpcClient  *self,
                                                GError          **error);
guint       ct_jsonrpc_client_get_batch_length (CtJsonRpcClient  *self);

G_END_DECLS
