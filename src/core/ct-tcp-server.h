/* ct-tcp-server.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ct-endpoint.h"

G_BEGIN_DECLS

#define CT_TYPE_TCP_SERVER (ct_tcp_server_get_type ())

G_DECLARE_FINAL_TYPE (CtTcpServer, ct_tcp_server, CT, TCP_SERVER, CtEndpoint)

CtEndpoint *ct_tcp_server_new (void);

G_END_DECLS
