/* ct-endpoint.h — one end of a conversation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ct-catalog-item.h"
#include "ct-connection.h"
#include "ct-message-log.h"
#include "ct-types.h"

G_BEGIN_DECLS

#define CT_TYPE_ENDPOINT (ct_endpoint_get_type ())

/**
 * CtEndpointCommand:
 * @name: the command's name, passed to run_command
 * @label: the button's label, with a mnemonic (translatable)
 * @tooltip: what it does (translatable)
 * @uses_composer: the command takes the composer's text (which is cleared
 *   when it succeeds)
 *
 * A protocol's own action besides Send, shown as a button by the window
 * (a JSON-RPC client's Add to Batch and Send Batch).
 */
typedef struct
{
  const char *name;
  const char *label;
  const char *tooltip;
  gboolean    uses_composer;
} CtEndpointCommand;

G_DECLARE_DERIVABLE_TYPE (CtEndpoint, ct_endpoint, CT, ENDPOINT, GObject)

/**
 * CtEndpointClass:
 * @protocol_id: the registry id of the protocol (`udp`...)
 * @role: server or client
 * @start: begin listening or connecting; @cancellable is the endpoint's own,
 *   cancelled by stop and dispose. The default, for socket endpoints with
 *   `host` and `port` settings, calls @close, resolves the host
 *   asynchronously and calls @start_at
 * @start_at: the default @start's second half: bind or connect to @address
 *   and complete @task (a boolean #GTask)
 * @start_finish: finish @start; the default propagates a boolean #GTask
 * @stop: close everything asynchronously; the default calls @close and
 *   completes at once
 * @stop_finish: finish @stop
 * @close: close sockets and sources synchronously (used by the default @stop
 *   and by dispose)
 * @send_text: send a composer line (client) or a reply/broadcast (server)
 * @use_server: point a client at a server endpoint of the same protocol
 * @shutdown_write: a stream client's half-close: send no more, keep reading
 *   (%NULL when the protocol has none)
 * @close_connection: close one of the endpoint's connections (%NULL for
 *   endpoints that do not list connections)
 * @catalog_title: for servers that offer a catalog (methods, routes), its
 *   heading in the window (`Methods`); %NULL for none
 * @check_text: whether a composer line would be accepted by @send_text, and
 *   if not why; called as the user types (%NULL: anything goes)
 * @commands: the protocol's own commands, ended by one with a %NULL name
 * @run_command: runs one of @commands
 * @copy_command_label: for endpoints that can write a log entry as a shell
 *   command that repeats it, the button's label (`Copy as _curl`)
 * @dup_copy_command: that command for @message (an entry of this
 *   endpoint's log), or %NULL when it has none
 * @message_commands: commands on one entry of the log (a consumer's Ack,
 *   Nack, Reject), ended by one with a %NULL name; %NULL for none
 * @can_run_message_command: whether a message command applies to an entry
 * @run_message_command: runs a message command on an entry
 * @get_n_pending: messages sent that still wait for an answer (%NULL: the
 *   endpoint does not keep count)
 * @message_written: a front end with nobody to click wrote @message out
 * @dup_composer_text: @message (an entry of any log of the protocol) as a
 *   composer line that sends it again, and the format it is written in; the
 *   default is its payload, as text or else as hex
 */
struct _CtEndpointClass
{
  GObjectClass parent_class;

  const char *protocol_id;
  CtRole      role;

  void     (*start)        (CtEndpoint          *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data);
  gboolean (*start_finish) (CtEndpoint          *self,
                            GAsyncResult        *result,
                            GError             **error);
  void     (*stop)         (CtEndpoint          *self,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data);
  gboolean (*stop_finish)  (CtEndpoint          *self,
                            GAsyncResult        *result,
                            GError             **error);
  void     (*close)        (CtEndpoint          *self);
  void     (*start_at)     (CtEndpoint          *self,
                            GSocketAddress      *address,
                            GTask               *task);
  gboolean (*send_text)    (CtEndpoint          *self,
                            const char          *text,
                            GError             **error);
  void     (*use_server)   (CtEndpoint          *self,
                            CtEndpoint          *server);
  gboolean (*shutdown_write) (CtEndpoint        *self,
                            GError             **error);
  void     (*close_connection) (CtEndpoint      *self,
                            CtConnection        *connection);
  const char *catalog_title;
  gboolean (*check_text)   (CtEndpoint          *self,
                            const char          *text,
                            GError             **error);
  const CtEndpointCommand *commands;
  gboolean (*run_command)  (CtEndpoint          *self,
                            const char          *name,
                            const char          *text,
                            GError             **error);
  const char *copy_command_label;
  char *   (*dup_copy_command) (CtEndpoint        *self,
                            CtMessage           *message);
  const CtEndpointCommand *message_commands;
  gboolean (*can_run_message_command) (CtEndpoint *self,
                            const char          *name,
                            CtMessage           *message);
  gboolean (*run_message_command) (CtEndpoint     *self,
                            const char          *name,
                            CtMessage           *message,
                            GError             **error);
  gint64   (*get_n_pending) (CtEndpoint         *self);
  void     (*message_written) (CtEndpoint       *self,
                            CtMessage           *message);
  char *   (*dup_composer_text) (CtEndpoint     *self,
                            CtMessage           *message,
                            CtPayloadFormat     *format);

  gpointer padding[1];
};

const char     *ct_endpoint_get_protocol_id  (CtEndpoint           *self);
CtRole          ct_endpoint_get_role         (CtEndpoint           *self);
CtState         ct_endpoint_get_state        (CtEndpoint           *self);
CtMessageLog   *ct_endpoint_get_log          (CtEndpoint           *self);
const char     *ct_endpoint_get_error        (CtEndpoint           *self);
const char     *ct_endpoint_get_address      (CtEndpoint           *self);
GSocketAddress *ct_endpoint_get_socket_address (CtEndpoint         *self);
gboolean        ct_endpoint_is_active        (CtEndpoint           *self);

void            ct_endpoint_start_async      (CtEndpoint           *self,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean        ct_endpoint_start_finish     (CtEndpoint           *self,
                                              GAsyncResult         *result,
                                              GError              **error);
void            ct_endpoint_stop_async       (CtEndpoint           *self,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean        ct_endpoint_stop_finish      (CtEndpoint           *self,
                                              GAsyncResult         *result,
                                              GError              **error);
gboolean        ct_endpoint_send_text        (CtEndpoint           *self,
                                              const char           *text,
                                              GError              **error);
void            ct_endpoint_use_server       (CtEndpoint           *self,
                                              CtEndpoint           *server);
char           *ct_endpoint_dup_server_url   (CtEndpoint           *server,
                                              const char           *scheme,
                                              const char           *path);
gboolean        ct_endpoint_check_text       (CtEndpoint           *self,
                                              const char           *text,
                                              GError              **error);
gboolean        ct_endpoint_run_command      (CtEndpoint           *self,
                                              const char           *name,
                                              const char           *text,
                                              GError              **error);
const char     *ct_endpoint_get_copy_command_label (CtEndpoint     *self);
char           *ct_endpoint_dup_copy_command (CtEndpoint           *self,
                                              CtMessage            *message);
gboolean        ct_endpoint_can_run_message_command (CtEndpoint    *self,
                                              const char           *name,
                                              CtMessage            *message);
gboolean        ct_endpoint_run_message_command (CtEndpoint        *self,
                                              const char           *name,
                                              CtMessage            *message,
                                              GError              **error);
gint64          ct_endpoint_get_n_pending    (CtEndpoint           *self);
char           *ct_endpoint_dup_composer_text (CtEndpoint          *self,
                                              CtMessage            *message,
                                              CtPayloadFormat      *format);
void            ct_endpoint_message_written  (CtEndpoint           *self,
                                              CtMessage            *message);
gboolean        ct_endpoint_can_shutdown_write (CtEndpoint         *self);
gboolean        ct_endpoint_shutdown_write   (CtEndpoint           *self,
                                              GError              **error);

/* What a server offers (CtCatalogItem), for those that have a catalog */
GListModel     *ct_endpoint_get_catalog      (CtEndpoint           *self);

/* Connections, for endpoints that keep several (a TCP server's clients) */
gboolean        ct_endpoint_lists_connections (CtEndpoint          *self);
GListModel     *ct_endpoint_get_connections  (CtEndpoint           *self);
CtConnection   *ct_endpoint_find_connection  (CtEndpoint           *self,
                                              const char           *peer);
void            ct_endpoint_close_connection (CtEndpoint           *self,
                                              CtConnection         *connection);

/* Settings: the properties flagged CT_PARAM_SETTING */
void            ct_endpoint_class_install_setting (CtEndpointClass *klass,
                                                  GParamSpec       *pspec,
                                                  gsize             struct_offset);
void            ct_endpoint_class_install_address (CtEndpointClass *klass,
                                                  gsize            host_offset,
                                                  gsize            port_offset);
void            ct_endpoint_class_install_format  (CtEndpointClass *klass,
                                                  gsize            format_offset);
GParamSpec    **ct_endpoint_class_list_settings  (CtEndpointClass  *klass,
                                                  guint            *n_settings);
gboolean        ct_endpoint_set_setting_from_string (CtEndpoint    *self,
                                                  const char       *name,
                                                  const char       *value,
                                                  GError          **error);
char           *ct_endpoint_dup_setting_string   (CtEndpoint       *self,
                                                  GParamSpec       *pspec);
char           *ct_param_spec_dup_default_string (GParamSpec       *pspec);
const char     *ct_param_spec_get_type_name      (GParamSpec       *pspec);

/* For subclasses */
GCancellable   *ct_endpoint_get_cancellable  (CtEndpoint           *self);
void            ct_endpoint_set_socket_address (CtEndpoint         *self,
                                              GSocketAddress       *address);
void            ct_endpoint_report_error     (CtEndpoint           *self,
                                              const char           *peer,
                                              const GError         *error);
void            ct_endpoint_fail             (CtEndpoint           *self,
                                              const GError         *error);
void            ct_endpoint_set_reconnecting (CtEndpoint           *self,
                                              gboolean              reconnecting);
void            ct_endpoint_add_connection   (CtEndpoint           *self,
                                              CtConnection         *connection);
void            ct_endpoint_remove_connection (CtEndpoint          *self,
                                              CtConnection         *connection);

G_END_DECLS
