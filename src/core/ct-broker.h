/* ct-broker.h — a private local RabbitMQ broker
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ct-types.h"

G_BEGIN_DECLS

#define CT_TYPE_BROKER (ct_broker_get_type ())

G_DECLARE_FINAL_TYPE (CtBroker, ct_broker, CT, BROKER, GObject)

/* Where Debian's package puts the script that runs as the current user */
#define CT_BROKER_SERVER_PATH "/usr/lib/rabbitmq/bin/rabbitmq-server"
/* How long a start may take before it is given up (a first start creates
 * the database) */
#define CT_BROKER_START_TIMEOUT_S 90

CtBroker   *ct_broker_new            (const char          *base_dir);
gboolean    ct_broker_is_installed   (GError             **error);
void        ct_broker_set_port       (CtBroker            *self,
                                      guint                port);

void        ct_broker_start_async    (CtBroker            *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
gboolean    ct_broker_start_finish   (CtBroker            *self,
                                      GAsyncResult        *result,
                                      GError             **error);
void        ct_broker_stop_async     (CtBroker            *self,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
gboolean    ct_broker_stop_finish    (CtBroker            *self,
                                      GAsyncResult        *result,
                                      GError             **error);

CtState     ct_broker_get_state      (CtBroker            *self);
const char *ct_broker_get_url        (CtBroker            *self);
guint       ct_broker_get_port       (CtBroker            *self);
const char *ct_broker_get_node_name  (CtBroker            *self);
const char *ct_broker_get_log_path   (CtBroker            *self);
GPid        ct_broker_get_pid        (CtBroker            *self);

G_END_DECLS
