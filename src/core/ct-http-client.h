/* ct-http-client.h — the REST page's HTTP client
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ct-endpoint.h"

G_BEGIN_DECLS

/* A response body larger than this is refused (an error entry, the body
 * dropped): the log keeps every body whole, and a playground's answers are
 * small. */
#define CT_HTTP_CLIENT_MAX_BODY (16 * 1024 * 1024)

/* No wait between attempts is longer than this, whatever the backoff or a
 * server's Retry-After says. */
#define CT_HTTP_CLIENT_MAX_RETRY_WAIT_MS 30000

/**
 * CtHttpBodyType:
 * @CT_HTTP_BODY_JSON: the body must be JSON; sent as `application/json`
 * @CT_HTTP_BODY_TEXT: any text; sent as `text/plain; charset=utf-8`
 * @CT_HTTP_BODY_FORM: `a=1&b=2`, sent as typed as
 *   `application/x-www-form-urlencoded`
 *
 * What the composer's body is, and the Content-Type it is sent with (a
 * Content-Type in the `headers` setting wins).
 */
typedef enum
{
  CT_HTTP_BODY_JSON,
  CT_HTTP_BODY_TEXT,
  CT_HTTP_BODY_FORM,
} CtHttpBodyType;

#define CT_TYPE_HTTP_BODY_TYPE (ct_http_body_type_get_type ())
GType ct_http_body_type_get_type (void) G_GNUC_CONST;

#define CT_TYPE_HTTP_CLIENT (ct_http_client_get_type ())

G_DECLARE_FINAL_TYPE (CtHttpClient, ct_http_client, CT, HTTP_CLIENT, CtEndpoint)

CtEndpoint *ct_http_client_new                 (void);
gboolean    ct_http_client_clear_cookies       (CtHttpClient  *self,
                                                GError       **error);

/* The `headers` setting, shared with the WebSocket client */
typedef struct
{
  char *name;
  char *value;
} CtHttpHeader;

GPtrArray  *ct_http_parse_headers              (const char    *text,
                                                GError       **error);
void        ct_http_header_free                (CtHttpHeader  *header);

/* "Copy as curl" */
char       *ct_http_client_dup_curl_command    (GVariant      *request_meta,
                                                GBytes        *body);
char       *ct_http_client_dup_curl_command_for_message (CtMessage *message);

G_END_DECLS
