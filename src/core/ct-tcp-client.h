/* ct-tcp-client.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ct-endpoint.h"

G_BEGIN_DECLS

#define CT_TYPE_TCP_CLIENT (ct_tcp_client_get_type ())

G_DECLARE_FINAL_TYPE (CtTcpClient, ct_tcp_client, CT, TCP_CLIENT, CtEndpoint)

CtEndpoint *ct_tcp_client_new (void);

G_END_DECLS
