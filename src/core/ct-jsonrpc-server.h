/* ct-jsonrpc-server.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ct-http-server.h"

G_BEGIN_DECLS

#define CT_TYPE_JSONRPC_SERVER (ct_jsonrpc_server_get_type ())

G_DECLARE_FINAL_TYPE (CtJsonRpcServer, ct_jsonrpc_server, CT, JSONRPC_SERVER, CtHttpServer)

CtEndpoint *ct_jsonrpc_server_new (void);

G_END_DECLS
