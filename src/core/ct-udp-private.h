/* ct-udp-private.h — what the UDP server and client share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ct-endpoint.h"

G_BEGIN_DECLS

/* The largest UDP payload over IPv4: 65,535 − 8 (UDP) − 20 (IP) */
#define CT_UDP_MAX_PAYLOAD 65507

GBytes   *ct_udp_parse_payload (const char       *text,
                                CtPayloadFormat   format,
                                GError          **error);
GSocket  *ct_udp_socket_new    (GSocketFamily     family,
                                GError          **error);
gboolean  ct_udp_send          (CtEndpoint       *endpoint,
                                GSocket          *socket,
                                GSocketAddress   *to,
                                const char       *peer,
                                const guint8     *data,
                                gsize             size,
                                GError          **error);

/* Implemented by the server and the client: one datagram arrived */
typedef void (*CtUdpReceiveFunc) (CtEndpoint     *endpoint,
                                  GSocketAddress *from,
                                  const char     *peer,
                                  const guint8   *data,
                                  gsize           size);

void      ct_udp_close         (GSource         **watch,
                                GSocket         **socket);
GSource  *ct_udp_watch         (CtEndpoint       *endpoint,
                                GSocket          *socket,
                                CtUdpReceiveFunc  func);

G_END_DECLS
