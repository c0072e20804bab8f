/* ct-udp-server.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ct-endpoint.h"

G_BEGIN_DECLS

#define CT_TYPE_UDP_SERVER (ct_udp_server_get_type ())

G_DECLARE_FINAL_TYPE (CtUdpServer, ct_udp_server, CT, UDP_SERVER, CtEndpoint)

CtEndpoint *ct_udp_server_new (void);

G_END_DECLS
