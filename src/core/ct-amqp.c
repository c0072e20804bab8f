/* ct-amqp.c — what the AMQP producer and consumer share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ct-amqp"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#if HAVE_RABBITMQ_C_DIR
#include <rabbitmq-c/amqp.h>
#else
#include <amqp.h>
#endif

#include "ct-amqp.h"
#include "ct-error.h"

/* -- URLs --------------------------------------------------------------- */

/* amqp://user:secret@host → amqp://user:****@host: what logs, exports and
 * error messages show */
char *
ct_amqp_url_mask (const char *url)
{
  const char *start, *at, *colon, *end;

  if (url == NULL)
    return g_strdup ("");
  start = strstr (url, "://");
  if (start == NULL)
    return g_strdup (url);
  start += 3;
  end = start + strcspn (start, "/?#");
  at = g_strrstr_len (start, end - start, "@");
  if (at == NULL)
    return g_strdup (url);
  colon = memchr (start, ':', at - start);
  if (colon == NULL)
    return g_strdup (url);
  return g_strdup_printf ("%.*s****%s", (int) (colon + 1 - url), url, at);
}

/* Whether the authority (after amqp://) names a host */
static gboolean
has_host (const char *authority)
{
  gsize end = strcspn (authority, "/?#");
  const char *at = g_strrstr_len (authority, end, "@");
  const char *host = at ? at + 1 : authority;

  end -= host - authority;
  return end > 0 && host[0] != ':';
}

/**
 * ct_amqp_url_parse:
 *
 * Takes apart amqp://USER:PASSWORD@HOST:PORT/VHOST (percent-encoded, as
 * RabbitMQ documents it). An empty vhost (a trailing `/`) means the default
 * one, `/`, which is what someone typing it means; write `%2f` for it
 * explicitly. amqps:// is refused: this build speaks plain AMQP.
 */
CtAmqpUrl *
ct_amqp_url_parse (const char  *url,
                   GError     **error)
{
  g_autoptr(CtAmqpUrl) parsed = g_new0 (CtAmqpUrl, 1);
  g_autofree char *copy = g_strdup (url ? url : "");
  struct amqp_connection_info info;

  parsed->display = ct_amqp_url_mask (url);
  g_strstrip (copy);
  if (g_str_has_prefix (copy, "amqps://"))
    {
      g_set_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING,
                   _("“%s”: TLS (amqps://) is not supported yet; use amqp://"), parsed->display);
      return NULL;
    }
  amqp_default_connection_info (&info);
  /* amqp_parse_url takes a missing host for localhost: amqp:// is refused */
  if (!g_str_has_prefix (copy, "amqp://") || !has_host (copy + strlen ("amqp://")) ||
      amqp_parse_url (copy, &info) != AMQP_STATUS_OK || info.host == NULL || *info.host == '\0')
    {
      g_set_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING,
                   _("“%s” is not an AMQP URL: it should look like amqp://guest:guest@127.0.0.1:5672 (user, password, host, port, and a vhost after a slash)"),
                   parsed->display);
      return NULL;
    }
  if (info.port <= 0 || info.port > 65535)
    {
      g_set_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING,
                   _("“%s”: the port must be between 1 and 65535"), parsed->display);
      return NULL;
    }
  parsed->host = g_strdup (info.host);
  parsed->port = info.port;
  parsed->user = g_strdup (info.user ? info.user : "guest");
  parsed->password = g_strdup (info.password ? info.password : "guest");
  parsed->vhost = g_strdup (info.vhost && *info.vhost ? info.vhost : "/");
  return g_steal_pointer (&parsed);
}

void
ct_amqp_url_free (CtAmqpUrl *url)
{
  if (url == NULL)
    return;
  g_free (url->host);
  g_free (url->user);
  if (url->password)
    memset (url->password, 0, strlen (url->password));
  g_free (url->password);
  g_free (url->vhost);
  g_free (url->display);
  g_free (url);
}

/* -- properties --------------------------------------------------------- */

CtAmqpProps *
ct_amqp_props_new (void)
{
  CtAmqpProps *props = g_new0 (CtAmqpProps, 1);

  props->priority = -1;
  props->timestamp = -1;
  return props;
}

void
ct_amqp_props_free (CtAmqpProps *props)
{
  if (props == NULL)
    return;
  g_free (props->content_type);
  g_free (props->content_encoding);
  g_free (props->correlation_id);
  g_free (props->reply_to);
  g_free (props->expiration);
  g_free (props->message_id);
  g_free (props->type);
  g_free (props->user_id);
  g_free (props->app_id);
  g_clear_pointer (&props->headers, g_ptr_array_unref);
  g_free (props);
}

void
ct_amqp_props_add_header (CtAmqpProps *props,
                          const char  *name,
                          const char  *value)
{
  if (props->headers == NULL)
    props->headers = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (props->headers, g_strdup (name));
  g_ptr_array_add (props->headers, g_strdup (value));
}

static void
add_if (CtMetaBuilder *builder,
        const char    *key,
        const char    *value)
{
  if (value)
    ct_meta_builder_add_string (builder, key, value);
}

/* The properties a message has, each under its AMQP name; headers as
 * `Name: value` lines, as the HTTP entries show theirs. At most 13 keys. */
void
ct_amqp_props_add_meta (const CtAmqpProps *props,
                        CtMetaBuilder     *builder)
{
  add_if (builder, "content-type", props->content_type);
  add_if (builder, "content-encoding", props->content_encoding);
  add_if (builder, "correlation-id", props->correlation_id);
  add_if (builder, "reply-to", props->reply_to);
  add_if (builder, "message-id", props->message_id);
  add_if (builder, "expiration", props->expiration);
  add_if (builder, "type", props->type);
  add_if (builder, "app-id", props->app_id);
  add_if (builder, "user-id", props->user_id);
  if (props->delivery_mode)
    ct_meta_builder_add_string (builder, "delivery-mode",
                                props->delivery_mode == 2 ? "persistent" : "transient");
  if (props->priority >= 0)
    ct_meta_builder_add_uint32 (builder, "priority", props->priority);
  if (props->timestamp >= 0)
    ct_meta_builder_add_int64 (builder, "timestamp", props->timestamp);
  if (props->headers && props->headers->len)
    {
      ct_meta_builder_begin_string (builder, "headers");
      for (guint i = 0; i + 1 < props->headers->len; i += 2)
        {
          const char *name = props->headers->pdata[i];
          const char *value = props->headers->pdata[i + 1];

          if (i)
            ct_meta_builder_append (builder, "\n", 1);
          ct_meta_builder_append (builder, name, strlen (name));
          ct_meta_builder_append (builder, ": ", 2);
          ct_meta_builder_append (builder, value, strlen (value));
        }
      ct_meta_builder_end_string (builder);
    }
}

/* -- exchanges and bindings -------------------------------------------- */

const char *
ct_amqp_exchange_type_name (CtAmqpExchangeType type)
{
  static const char *names[] = { "direct", "fanout", "topic", "headers" };

  g_return_val_if_fail (type <= CT_AMQP_EXCHANGE_TYPE_HEADERS, "direct");
  return names[type];
}

/* “the default exchange” or “exchange logs”: a log entry's peer */
char *
ct_amqp_describe_exchange (const char *exchange)
{
  if (exchange == NULL || *exchange == '\0')
    return g_strdup (_("default exchange"));
  return g_strdup_printf (_("exchange %s"), exchange);
}

/**
 * ct_amqp_parse_bindings:
 * @text: binding keys separated by commas or new lines; `EXCHANGE:KEY`
 *   binds another exchange than @exchange
 * @exchange: the exchange the keys bind to by default ("" for none)
 *
 * Returns: (transfer full): exchange, key, exchange, key...; with no key,
 * one binding of @exchange with the empty key (what a fanout exchange
 * needs), and none when @exchange is empty too
 */
char **
ct_amqp_parse_bindings (const char  *text,
                        const char  *exchange,
                        GError     **error)
{
  g_autoptr(GStrvBuilder) out = g_strv_builder_new ();
  g_auto(GStrv) parts = g_strsplit_set (text ? text : "", ",\n", -1);
  guint n = 0;

  for (guint i = 0; parts[i]; i++)
    {
      char *entry = g_strstrip (parts[i]);
      const char *colon = strchr (entry, ':');
      g_autofree char *target = NULL;
      const char *key = entry;

      if (*entry == '\0')
        continue;
      if (colon)
        {
          target = g_strndup (entry, colon - entry);
          key = colon + 1;
        }
      else
        target = g_strdup (exchange ? exchange : "");
      g_strstrip (target);
      if (*target == '\0')
        {
          g_set_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING,
                       _("The binding key “%s” has no exchange to bind to: set the exchange, or write EXCHANGE:KEY"),
                       entry);
          return NULL;
        }
      g_strv_builder_add (out, target);
      g_strv_builder_add (out, key);
      n++;
    }
  if (n == 0 && exchange && *exchange)
    {
      g_strv_builder_add (out, exchange);
      g_strv_builder_add (out, "");
    }
  return g_strv_builder_end (out);
}
