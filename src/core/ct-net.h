/* ct-net.h — addresses: resolving names and parsing `host:port`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void            ct_net_resolve_async  (const char           *host,
                                       guint16               port,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
GSocketAddress *ct_net_resolve_finish (GAsyncResult         *result,
                                       GError              **error);
GSocketAddress *ct_net_parse_address  (const char           *text,
                                       GError              **error);
GVariant       *ct_net_address_meta   (GSocketAddress       *address);
GSocketAddress *ct_net_reachable_address (GSocketAddress    *bound);
char           *ct_net_uri_peer       (GUri                 *uri);

G_END_DECLS
