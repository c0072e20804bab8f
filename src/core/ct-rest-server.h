/* ct-rest-server.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ct-http-server.h"

G_BEGIN_DECLS

#define CT_TYPE_REST_SERVER (ct_rest_server_get_type ())

G_DECLARE_FINAL_TYPE (CtRestServer, ct_rest_server, CT, REST_SERVER, CtHttpServer)

CtEndpoint *ct_rest_server_new (void);

G_END_DECLS
