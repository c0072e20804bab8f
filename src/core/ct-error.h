/* ct-error.h — the Crosstalk error domain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CT_ERROR (ct_error_quark ())

typedef enum
{
  CT_ERROR_FAILED,
  CT_ERROR_ADDRESS_IN_USE,
  CT_ERROR_PERMISSION_DENIED,
  CT_ERROR_RESOLVE_FAILED,
  CT_ERROR_UNREACHABLE,
  CT_ERROR_MESSAGE_TOO_LARGE,
  CT_ERROR_INVALID_PAYLOAD,
  CT_ERROR_INVALID_SETTING,
  CT_ERROR_NOT_RUNNING,
  CT_ERROR_BUSY,
  CT_ERROR_NOT_IMPLEMENTED,
  CT_ERROR_TIMED_OUT,
  CT_ERROR_CONNECTION_RESET,
  CT_ERROR_PROTOCOL,
} CtError;

GQuark  ct_error_quark          (void);
GError *ct_error_from_socket    (const GError   *error,
                                 GSocketAddress *address);
char   *ct_socket_address_to_string (GSocketAddress *address);
GError *ct_error_from_http      (const GError         *error,
                                 GUri                 *uri,
                                 const char           *where,
                                 guint                 timeout,
                                 GTlsCertificateFlags  tls_errors);
char   *ct_error_describe_tls   (GTlsCertificateFlags  errors);

G_END_DECLS
