/* ct-udp-client.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ct-endpoint.h"

G_BEGIN_DECLS

#define CT_TYPE_UDP_CLIENT (ct_udp_client_get_type ())

G_DECLARE_FINAL_TYPE (CtUdpClient, ct_udp_client, CT, UDP_CLIENT, CtEndpoint)

CtEndpoint *ct_udp_client_new (void);

G_END_DECLS
