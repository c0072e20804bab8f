/* ct-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "ct-error.h"

G_DEFINE_QUARK (ct-error-quark, ct_error)

/**
 * ct_socket_address_to_string:
 * @address: an inet socket address
 *
 * Formats @address as `host:port`, with brackets around IPv6 hosts
 * (`[::1]:9000`), the form the log and the CLI use everywhere.
 */
char *
ct_socket_address_to_string (GSocketAddress *address)
{
  GInetSocketAddress *inet;
  g_autofree char *host = NULL;

  if (address == NULL)
    return g_strdup ("");

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return g_strdup ("?");

  inet = G_INET_SOCKET_ADDRESS (address);
  host = g_inet_address_to_string (g_inet_socket_address_get_address (inet));

  if (g_inet_address_get_family (g_inet_socket_address_get_address (inet)) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("[%s]:%u", host, g_inet_socket_address_get_port (inet));

  return g_strdup_printf ("%s:%u", host, g_inet_socket_address_get_port (inet));
}

/**
 * ct_error_from_socket:
 * @error: an error from GIO
 * @address: (nullable): the address the operation was about
 *
 * Turns a low-level socket error into one a user can act on.
 *
 * Returns: (transfer full): a new error in %CT_ERROR
 */
GError *
ct_error_from_socket (const GError   *error,
                      GSocketAddress *address)
{
  g_autofree char *where = ct_socket_address_to_string (address);

  g_return_val_if_fail (error != NULL, NULL);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
    return g_error_new (CT_ERROR, CT_ERROR_ADDRESS_IN_USE,
                        _("Address %s is already in use: stop the other program or choose another port"),
                        where);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    return g_error_new (CT_ERROR, CT_ERROR_PERMISSION_DENIED,
                        _("Permission denied for %s: ports below 1024 need privileges, choose a higher port"),
                        where);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new (CT_ERROR, CT_ERROR_UNREACHABLE,
                        _("Nobody is listening on %s (connection refused)"),
                        where);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (CT_ERROR, CT_ERROR_TIMED_OUT,
                        _("%s did not answer in time: check the address, or a firewall may drop the packets"),
                        where);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED))
    return g_error_new (CT_ERROR, CT_ERROR_CONNECTION_RESET,
                        _("%s reset the connection"), where);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE))
    return g_error_new (CT_ERROR, CT_ERROR_UNREACHABLE,
                        _("%s cannot be reached: %s"), where, error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE))
    return g_error_new (CT_ERROR, CT_ERROR_MESSAGE_TOO_LARGE,
                        _("The message is too large for %s: %s"), where, error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
    return g_error_new (CT_ERROR, CT_ERROR_INVALID_SETTING,
                        _("Cannot use address %s: %s"), where, error->message);

  if (*where)
    return g_error_new (CT_ERROR, CT_ERROR_FAILED, "%s: %s", where, error->message);

  return g_error_new_literal (CT_ERROR, CT_ERROR_FAILED, error->message);
}
