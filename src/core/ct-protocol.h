/* ct-protocol.h — the registry of protocols
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "ct-types.h"

G_BEGIN_DECLS

/**
 * CtProtocol:
 * @id: short name used by the CLI, the JSON Lines log and saved settings
 * @title: (translatable): the page title
 * @description: (translatable): one sentence on what the page does
 * @icon_name: a symbolic icon
 * @server_title: (translatable): what the server pane is called
 * @client_title: (translatable): what the client pane is called
 * @default_port: the port a server listens on by default
 * @get_server_type: (nullable): the server endpoint type; %NULL until built
 * @get_client_type: (nullable): the client endpoint type; %NULL until built
 * @planned: (translatable): for a protocol not built yet, what it will do
 * @composer_hint: (translatable) (nullable): the client composer's
 *   placeholder, when lines follow a syntax (`subtract [42, 23]`)
 * @demo: (translatable): three composer lines the window's demo sends; the
 *   first %NULL means plain greetings
 * @multi_client: the page can run several clients side by side (chat
 *   participants), added and removed by the user
 *
 * One entry per protocol: the window builds its pages from the registry and
 * the CLI its verbs. Adding a protocol is adding its endpoint types and one
 * entry here.
 */
struct _CtProtocol
{
  const char  *id;
  const char  *title;
  const char  *description;
  const char  *icon_name;
  const char  *server_title;
  const char  *client_title;
  guint16      default_port;
  GType      (*get_server_type) (void);
  GType      (*get_client_type) (void);
  const char  *planned;
  const char  *composer_hint;
  const char  *demo[3];
  gboolean     multi_client;
};

const CtProtocol *ct_protocol_get_all       (guint            *n_protocols);
const CtProtocol *ct_protocol_lookup        (const char       *id);
gboolean          ct_protocol_is_available  (const CtProtocol *protocol);
CtEndpoint       *ct_protocol_new_endpoint  (const CtProtocol *protocol,
                                             CtRole            role);

G_END_DECLS
