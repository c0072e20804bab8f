/* ct-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <libsoup/soup.h>

#include "ct-error.h"
#include "ct-net.h"

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

/**
 * ct_error_describe_tls:
 *
 * Returns: (transfer full): what is wrong with a certificate, in words
 *   (`signed by an unknown authority, expired`)
 */
char *
ct_error_describe_tls (GTlsCertificateFlags errors)
{
  g_autoptr(GString) text = g_string_new (NULL);
  static const struct { GTlsCertificateFlags flag; const char *text; } descriptions[] = {
    { G_TLS_CERTIFICATE_UNKNOWN_CA, N_("signed by an unknown authority") },
    { G_TLS_CERTIFICATE_BAD_IDENTITY, N_("made for another host") },
    { G_TLS_CERTIFICATE_NOT_ACTIVATED, N_("not valid yet") },
    { G_TLS_CERTIFICATE_EXPIRED, N_("expired") },
    { G_TLS_CERTIFICATE_REVOKED, N_("revoked") },
    { G_TLS_CERTIFICATE_INSECURE, N_("using an insecure algorithm") },
    { G_TLS_CERTIFICATE_GENERIC_ERROR, N_("invalid") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (descriptions); i++)
    if (errors & descriptions[i].flag)
      g_string_append_printf (text, "%s%s", text->len ? ", " : "", _(descriptions[i].text));
  if (text->len == 0)
    g_string_append (text, _("not trusted"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/**
 * ct_error_from_http:
 * @error: what libsoup reported for a request to @uri
 * @where: (nullable): how to name the server (its URL, say); %NULL: its
 *   host and port
 * @timeout: the client's timeout in seconds (0: none), to name it
 * @tls_errors: what was wrong with the server's certificate, if anything
 *
 * Returns: (transfer full): what went wrong, in a sentence a user can act on
 */
GError *
ct_error_from_http (const GError         *error,
                    GUri                 *uri,
                    const char           *where,
                    guint                 timeout,
                    GTlsCertificateFlags  tls_errors)
{
  g_autofree char *host_port = where ? NULL : ct_net_uri_peer (uri);
  const char *peer = where ? where : host_port;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new (CT_ERROR, CT_ERROR_UNREACHABLE,
                        _("Nobody is listening at %s (connection refused): start the server, or check the URL"),
                        peer);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      if (timeout > 0)
        return g_error_new (CT_ERROR, CT_ERROR_TIMED_OUT,
                            _("No answer from %s within %u s: raise the timeout setting, or check the server"),
                            peer, timeout);
      return g_error_new (CT_ERROR, CT_ERROR_TIMED_OUT,
                          _("%s did not answer in time: check the server"), peer);
    }

  if (error->domain == G_RESOLVER_ERROR)
    return g_error_new (CT_ERROR, CT_ERROR_RESOLVE_FAILED,
                        _("Cannot find the host “%s” (%s): check the URL"),
                        g_uri_get_host (uri), error->message);

  if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
    {
      g_autofree char *described = ct_error_describe_tls (tls_errors);

      return g_error_new (CT_ERROR, CT_ERROR_PROTOCOL,
                          _("The TLS certificate of %s is %s: fix the server’s certificate, or turn off verify-tls to accept it anyway"),
                          peer, described);
    }

  if (error->domain == G_TLS_ERROR)
    return g_error_new (CT_ERROR, CT_ERROR_PROTOCOL,
                        _("TLS with %s failed (%s): is it an https server?"),
                        peer, error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED))
    return g_error_new (CT_ERROR, CT_ERROR_CONNECTION_RESET,
                        _("%s closed the connection before answering in full (%s)"),
                        peer, error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE))
    return g_error_new (CT_ERROR, CT_ERROR_UNREACHABLE,
                        _("%s cannot be reached (%s): check the URL and the network"),
                        peer, error->message);

  if (g_error_matches (error, SOUP_SESSION_ERROR, SOUP_SESSION_ERROR_TOO_MANY_REDIRECTS))
    return g_error_new (CT_ERROR, CT_ERROR_PROTOCOL,
                        _("Too many redirects from %s: the server sends the client in circles"),
                        peer);

  if (g_error_matches (error, SOUP_SESSION_ERROR, SOUP_SESSION_ERROR_REDIRECT_BAD_URI))
    return g_error_new (CT_ERROR, CT_ERROR_PROTOCOL,
                        _("%s redirected to a Location that is not a URL"), peer);

  if (error->domain == SOUP_SESSION_ERROR)
    return g_error_new (CT_ERROR, CT_ERROR_PROTOCOL,
                        _("The answer from %s is not valid HTTP (%s)"), peer, error->message);

  {
    g_autofree char *url = g_uri_to_string (uri);

    return g_error_new (CT_ERROR, CT_ERROR_FAILED, "%s: %s", url, error->message);
  }
}
