/* ct-tcp-connection.h — one TCP connection: framing, logging, buffering
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ct-connection.h"
#include "ct-endpoint.h"
#include "ct-tcp-framer.h"

G_BEGIN_DECLS

/* Why a connection closed; its name is the `reason` of the "closed" entry */
typedef enum
{
  CT_TCP_CLOSE_PEER,    /* the peer closed its side (FIN) */
  CT_TCP_CLOSE_RESET,   /* the peer reset it (RST) */
  CT_TCP_CLOSE_IDLE,    /* no traffic for the idle timeout */
  CT_TCP_CLOSE_ERROR,   /* a frame over the limit, an I/O error, a peer that does not read */
  CT_TCP_CLOSE_LOCAL,   /* closed here: by the user, or the endpoint stopped */
} CtTcpCloseReason;

#define CT_TYPE_TCP_CONNECTION (ct_tcp_connection_get_type ())

G_DECLARE_FINAL_TYPE (CtTcpConnection, ct_tcp_connection, CT, TCP_CONNECTION, CtConnection)

/**
 * CtTcpConnectionFuncs:
 * @message: a message arrived and was logged
 * @peer_finished: the peer shut down its sending side; return %TRUE to keep
 *   the connection open for replies, %FALSE to close it once everything
 *   queued is sent
 * @closed: the connection closed and the entry saying why was logged
 *
 * How the owning endpoint hears about its connection.
 */
typedef struct
{
  void     (*message)       (CtEndpoint       *endpoint,
                             CtTcpConnection  *connection,
                             const guint8     *data,
                             gsize             size);
  gboolean (*peer_finished) (CtEndpoint       *endpoint,
                             CtTcpConnection  *connection);
  void     (*closed)        (CtEndpoint       *endpoint,
                             CtTcpConnection  *connection,
                             CtTcpCloseReason  reason);
} CtTcpConnectionFuncs;

CtTcpConnection *ct_tcp_connection_new         (CtEndpoint                 *endpoint,
                                                GSocket                    *socket,
                                                guint                       id,
                                                const char                 *peer,
                                                CtTcpFraming                framing,
                                                gsize                       max_frame,
                                                const CtTcpConnectionFuncs *funcs);
gboolean         ct_tcp_connection_send        (CtTcpConnection            *self,
                                                const guint8               *data,
                                                gsize                       size,
                                                GError                    **error);
gboolean         ct_tcp_connection_shutdown_write (CtTcpConnection         *self,
                                                GError                    **error);
void             ct_tcp_connection_close       (CtTcpConnection            *self,
                                                CtTcpCloseReason            reason,
                                                const GError               *error);
gboolean         ct_tcp_connection_is_open     (CtTcpConnection            *self);
gint64           ct_tcp_connection_get_last_activity (CtTcpConnection      *self);
const char      *ct_tcp_close_reason_to_string (CtTcpCloseReason            reason);

G_END_DECLS
