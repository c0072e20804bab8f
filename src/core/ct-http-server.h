/* ct-http-server.h — what every libsoup server endpoint shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "ct-endpoint.h"

G_BEGIN_DECLS

#define CT_TYPE_HTTP_SERVER            (ct_http_server_get_type ())
#define CT_HTTP_SERVER(obj)            (G_TYPE_CHECK_INSTANCE_CAST ((obj), CT_TYPE_HTTP_SERVER, CtHttpServer))
#define CT_IS_HTTP_SERVER(obj)         (G_TYPE_CHECK_INSTANCE_TYPE ((obj), CT_TYPE_HTTP_SERVER))
#define CT_HTTP_SERVER_CLASS(klass)    (G_TYPE_CHECK_CLASS_CAST ((klass), CT_TYPE_HTTP_SERVER, CtHttpServerClass))
#define CT_HTTP_SERVER_GET_CLASS(obj)  (G_TYPE_INSTANCE_GET_CLASS ((obj), CT_TYPE_HTTP_SERVER, CtHttpServerClass))

typedef struct _CtHttpServer      CtHttpServer;
typedef struct _CtHttpServerClass CtHttpServerClass;

/**
 * CtHttpServer:
 * @host: the `host` setting
 * @port: the `port` setting
 * @max_body_size: the `max-body-size` setting: a larger request body is
 *   answered 413 (before it is read when its Content-Length says so)
 *
 * An abstract server endpoint on a #SoupServer. It binds, listens, stops,
 * refuses oversized bodies, and logs every HTTP exchange the same way: the
 * request as an `in` entry and the response as an `out` entry with the same
 * exchange id. The settings are in the instance (not private) so that
 * subclasses read them directly; they are written only through properties.
 */
struct _CtHttpServer
{
  CtEndpoint  parent_instance;

  char       *host;
  guint       port;
  guint       max_body_size;

  /*< private >*/
  SoupServer *server;
  guint64     exchange;
};

/**
 * CtHttpServerClass:
 * @setup: add the handlers to a new #SoupServer before it listens, with
 *   ct_http_server_add_handler(); may refuse the settings with an error.
 *   Paths no handler takes are answered 404
 * @get_url_path: the path shown in the `listening` entry's URL (`/`)
 * @listening: called once the server listens, after the `listening` entry
 *   (which is the first entry of every start, as scripts expect)
 * @error_body: the body of an HTTP-level refusal (the 413 of an oversized
 *   request); the default is `{"error":{"status":N,"message":"…"}}`
 */
struct _CtHttpServerClass
{
  CtEndpointClass parent_class;

  gboolean     (*setup)        (CtHttpServer *self,
                                SoupServer   *server,
                                GError      **error);
  const char * (*get_url_path) (CtHttpServer *self);
  void         (*listening)    (CtHttpServer *self);
  GBytes *     (*error_body)   (CtHttpServer *self,
                                guint         status,
                                const char   *message);

  gpointer padding[3];
};

GType ct_http_server_get_type (void) G_GNUC_CONST;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtHttpServer, g_object_unref)

void ct_http_server_class_install_settings (CtHttpServerClass *klass);
void ct_http_server_add_handler            (CtHttpServer      *self,
                                            SoupServer        *soup_server,
                                            const char        *path,
                                            SoupServerCallback callback);

/**
 * CtHttpExchange:
 * @server: the endpoint
 * @message: the request being answered
 * @peer: the client's address, shared by the requests of one connection
 * @id: the exchange id of its two log entries
 * @started: when the request came in (monotonic µs)
 * @cancellable: the server's #GCancellable at the time: cancelled when it
 *   stops, and then the message is gone
 * @paused: the handler returned before answering (see
 *   ct_http_exchange_pause())
 * @responded: ct_http_exchange_respond() was called
 *
 * One request and its response, as a handler sees them.
 */
typedef struct
{
  CtHttpServer      *server;
  SoupServerMessage *message;
  GRefString        *peer;
  guint64            id;
  gint64             started;
  GCancellable      *cancellable;
  gboolean           paused;
  gboolean           responded;
} CtHttpExchange;

CtHttpExchange *ct_http_exchange_begin   (CtHttpServer      *server,
                                          SoupServerMessage *message,
                                          const char        *summary,
                                          ...) G_GNUC_NULL_TERMINATED;
void            ct_http_exchange_respond (CtHttpExchange    *exchange,
                                          guint              status,
                                          const char        *content_type,
                                          GBytes            *body,
                                          const char        *summary,
                                          ...) G_GNUC_NULL_TERMINATED;
void            ct_http_exchange_respond_page (CtHttpExchange *exchange,
                                          const char        *file,
                                          const char        *content_type,
                                          const char        *csp);
void            ct_http_exchange_refuse  (CtHttpExchange    *exchange,
                                          guint              status,
                                          const char        *message);
void            ct_http_exchange_pause   (CtHttpExchange    *exchange);
gboolean        ct_http_exchange_is_gone (CtHttpExchange    *exchange);
void            ct_http_exchange_free    (CtHttpExchange    *exchange);

char           *ct_http_format_headers   (SoupMessageHeaders *headers);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtHttpExchange, ct_http_exchange_free)

G_END_DECLS
