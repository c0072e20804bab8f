/* ct-net.c — addresses: resolving names and parsing `host:port`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ct-error.h"
#include "ct-net.h"

typedef struct
{
  char    *host;
  guint16  port;
} ResolveData;

static void
resolve_data_free (ResolveData *data)
{
  g_free (data->host);
  g_free (data);
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ResolveData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GList *addresses;
  GInetAddress *chosen = NULL;

  addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (object), result, &error);
  if (addresses == NULL)
    {
      if (g_task_return_error_if_cancelled (task))
        return;
      g_task_return_new_error (task, CT_ERROR, CT_ERROR_RESOLVE_FAILED,
                               _("Cannot find host “%s”: check the name (%s)"),
                               data->host, error->message);
      return;
    }

  /* Prefer IPv4, the family a loopback test server binds by default */
  for (GList *l = addresses; l && chosen == NULL; l = l->next)
    if (g_inet_address_get_family (l->data) == G_SOCKET_FAMILY_IPV4)
      chosen = l->data;
  if (chosen == NULL)
    chosen = addresses->data;

  g_task_return_pointer (task, g_inet_socket_address_new (chosen, data->port), g_object_unref);
  g_resolver_free_addresses (addresses);
}

/**
 * ct_net_resolve_async:
 * @host: an IP literal or a host name
 *
 * Resolves @host without blocking. IP literals complete at once.
 */
void
ct_net_resolve_async (const char          *host,
                      guint16              port,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GInetAddress) literal = NULL;
  g_autoptr(GResolver) resolver = NULL;
  ResolveData *data;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ct_net_resolve_async);

  if (host == NULL || *host == '\0')
    {
      g_task_return_new_error (task, CT_ERROR, CT_ERROR_INVALID_SETTING,
                               _("No host given: enter a name or an address such as 127.0.0.1"));
      return;
    }

  literal = g_inet_address_new_from_string (host);
  if (literal)
    {
      g_task_return_pointer (task, g_inet_socket_address_new (literal, port), g_object_unref);
      return;
    }

  data = g_new0 (ResolveData, 1);
  data->host = g_strdup (host);
  data->port = port;
  g_task_set_task_data (task, data, (GDestroyNotify) resolve_data_free);

  resolver = g_resolver_get_default ();
  g_resolver_lookup_by_name_async (resolver, host, cancellable, lookup_cb, g_steal_pointer (&task));
}

/**
 * ct_net_resolve_finish:
 *
 * Returns: (transfer full): a #GInetSocketAddress, or %NULL with @error set
 */
GSocketAddress *
ct_net_resolve_finish (GAsyncResult  *result,
                       GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ct_net_parse_address:
 * @text: `192.0.2.1:9000` or `[::1]:9000`
 *
 * Returns: (transfer full): the address, or %NULL with @error set
 */
GSocketAddress *
ct_net_parse_address (const char  *text,
                      GError     **error)
{
  g_autofree char *host = NULL;
  const char *colon;
  guint64 port;

  g_return_val_if_fail (text != NULL, NULL);

  if (text[0] == '[')
    {
      const char *close = strchr (text, ']');

      if (close == NULL || close[1] != ':')
        goto invalid;
      host = g_strndup (text + 1, close - text - 1);
      colon = close + 1;
    }
  else
    {
      colon = strrchr (text, ':');
      if (colon == NULL)
        goto invalid;
      host = g_strndup (text, colon - text);
    }

  if (!g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &port, NULL) ||
      !g_hostname_is_ip_address (host))
    goto invalid;

  return g_inet_socket_address_new_from_string (host, (guint) port);

invalid:
  g_set_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING,
               _("“%s” is not an address: write it as 127.0.0.1:9000 or [::1]:9000"), text);
  return NULL;
}

/* `{"address": "127.0.0.1:9000"}`, the attributes of listening/ready entries */
GVariant *
ct_net_address_meta (GSocketAddress *address)
{
  g_autofree char *text = ct_socket_address_to_string (address);
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "address", g_variant_new_string (text));
  return g_variant_builder_end (&builder);
}

/**
 * ct_net_reachable_address:
 * @bound: the address a server is bound to
 *
 * Where a client on this machine reaches that server: a wildcard address
 * (0.0.0.0, ::) becomes the loopback address of its family.
 *
 * Returns: (transfer full) (nullable): %NULL when @bound is not an inet
 *   address
 */
GSocketAddress *
ct_net_reachable_address (GSocketAddress *bound)
{
  GInetAddress *inet;
  g_autoptr(GInetAddress) loopback = NULL;

  if (!G_IS_INET_SOCKET_ADDRESS (bound))
    return NULL;

  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (bound));
  if (!g_inet_address_get_is_any (inet))
    return g_object_ref (bound);

  loopback = g_inet_address_new_loopback (g_inet_address_get_family (inet));
  return g_inet_socket_address_new (loopback, g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
}

/**
 * ct_net_uri_peer:
 *
 * Returns: (transfer full): the host and port of @uri as the log names a
 *   peer (`127.0.0.1:8000`, `[::1]:8443`), with the scheme's default port
 */
char *
ct_net_uri_peer (GUri *uri)
{
  const char *host = g_uri_get_host (uri);
  int port = g_uri_get_port (uri);

  if (port < 0)
    port = g_strcmp0 (g_uri_get_scheme (uri), "https") == 0 ? 443 : 80;
  if (host && strchr (host, ':'))
    return g_strdup_printf ("[%s]:%d", host, port);
  return g_strdup_printf ("%s:%d", host ? host : "", port);
}
