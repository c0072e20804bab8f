/* ct-amqp-endpoint.c — what an AMQP producer and consumer share
 *
 * Starting builds the subclass's topology and a CtAmqpLink, and completes
 * with the link's first connection (or fails with its reason: a bad URL,
 * wrong credentials, an unreachable broker, a declaration the broker
 * refused). Once running, a lost connection moves the endpoint to
 * reconnecting (the link tries again with backoff and declares everything
 * again) and back to running. Stopping closes the channel and connection
 * politely and completes when the worker thread is done.
 *
 * The URL's password never reaches the log: entries and errors show it as
 * `****`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ct-amqp"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ct-amqp-endpoint.h"
#include "ct-error.h"

typedef struct
{
  CtAmqpLink *link;
  GTask      *start_task;
  GTask      *stop_task;
  guint64     generation;
  guint64     next_exchange;
  char       *peer;          /* GRefString: HOST:PORT */
  char       *url_display;
} CtAmqpEndpointPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (CtAmqpEndpoint, ct_amqp_endpoint, CT_TYPE_ENDPOINT)

static void
drop_link (CtAmqpEndpoint *self)
{
  CtAmqpEndpointPrivate *priv = ct_amqp_endpoint_get_instance_private (self);

  g_clear_pointer (&priv->link, ct_amqp_link_detach);
  if (CT_AMQP_ENDPOINT_GET_CLASS (self)->reset)
    CT_AMQP_ENDPOINT_GET_CLASS (self)->reset (self);
}

static void
on_event (const CtAmqpEvent *event,
          gpointer           data)
{
  CtAmqpEndpoint *self = data;
  CtAmqpEndpointPrivate *priv = ct_amqp_endpoint_get_instance_private (self);
  CtEndpoint *endpoint = CT_ENDPOINT (self);
  CtMessageLog *log = ct_endpoint_get_log (endpoint);

  switch (event->type)
    {
    case CT_AMQP_EVENT_CONNECTED:
      priv->generation = event->generation;
      if (priv->start_task)
        {
          g_autoptr(GTask) task = g_steal_pointer (&priv->start_task);

          CT_AMQP_ENDPOINT_GET_CLASS (self)->connected (self, event);
          g_task_return_boolean (task, TRUE);
        }
      else if (ct_endpoint_get_state (endpoint) == CT_STATE_RUNNING)
        {
          /* A new channel on the same connection, after the broker closed
           * the old one */
          ct_message_log_info (log, "channel", priv->peer, NULL, "%s",
                               _("A new channel carries on; the queues and bindings are declared again"));
          CT_AMQP_ENDPOINT_GET_CLASS (self)->event (self, event);
        }
      else if (ct_endpoint_get_state (endpoint) == CT_STATE_RECONNECTING)
        {
          CtMetaBuilder b = { 0 };

          ct_meta_builder_add_string (&b, "url", priv->url_display);
          ct_meta_builder_add_uint32 (&b, "republished", event->code);
          if (event->code)
            ct_message_log_info (log, "reconnected", priv->peer, ct_meta_builder_end (&b),
                                 g_dngettext (GETTEXT_PACKAGE,
                                              "Reconnected to %s; publishing again the %u message whose confirm never came",
                                              "Reconnected to %s; publishing again the %u messages whose confirms never came",
                                              event->code),
                                 priv->peer, event->code);
          else
            ct_message_log_info (log, "reconnected", priv->peer, ct_meta_builder_end (&b),
                                 _("Reconnected to %s; the queues and bindings are declared again"), priv->peer);
          CT_AMQP_ENDPOINT_GET_CLASS (self)->event (self, event);
          ct_endpoint_set_reconnecting (endpoint, FALSE);
        }
      break;

    case CT_AMQP_EVENT_START_FAILED:
      if (priv->start_task)
        {
          g_autoptr(GTask) task = g_steal_pointer (&priv->start_task);

          drop_link (self);
          g_task_return_error (task, g_error_copy (event->error));
        }
      break;

    case CT_AMQP_EVENT_LOST:
      {
        CtMetaBuilder b = { 0 };

        /* The lost connection's deliveries cannot be settled any more */
        priv->generation = 0;

        ct_meta_builder_add_uint32 (&b, "retry-ms", event->code);
        ct_meta_builder_add_uint32 (&b, "attempt", event->tag);
        /* The loss is an error; the attempts that follow, only news */
        if (event->tag <= 1)
          {
            ct_endpoint_report_error (endpoint, priv->peer, event->error);
            ct_message_log_info (log, "reconnecting", priv->peer, ct_meta_builder_end (&b),
                                 _("Reconnecting in %.1f s"), event->code / 1000.0);
          }
        else
          ct_message_log_info (log, "reconnecting", priv->peer, ct_meta_builder_end (&b),
                               _("Attempt %u failed (%s); trying again in %.1f s"),
                               (guint) event->tag - 1, event->error->message, event->code / 1000.0);
        ct_endpoint_set_reconnecting (endpoint, TRUE);
      }
      break;

    case CT_AMQP_EVENT_ERROR:
      ct_endpoint_report_error (endpoint, priv->peer, event->error);
      break;

    case CT_AMQP_EVENT_CLOSED:
      if (priv->stop_task)
        {
          g_autoptr(GTask) task = g_steal_pointer (&priv->stop_task);

          drop_link (self);
          g_task_return_boolean (task, TRUE);
        }
      break;

    case CT_AMQP_EVENT_PUBLISHED:
    case CT_AMQP_EVENT_CONFIRM:
    case CT_AMQP_EVENT_UNCONFIRMED:
    case CT_AMQP_EVENT_RETURN:
    case CT_AMQP_EVENT_DELIVER:
    default:
      CT_AMQP_ENDPOINT_GET_CLASS (self)->event (self, event);
      break;
    }
}

static void
ct_amqp_endpoint_start (CtEndpoint          *endpoint,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  CtAmqpEndpoint *self = CT_AMQP_ENDPOINT (endpoint);
  CtAmqpEndpointPrivate *priv = ct_amqp_endpoint_get_instance_private (self);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(CtAmqpTopology) topology = NULL;
  g_autoptr(CtAmqpUrl) url = NULL;
  g_autofree char *url_text = NULL;
  g_autofree char *peer = NULL;
  guint heartbeat;

  g_task_set_source_tag (task, ct_amqp_endpoint_start);
  drop_link (self);

  g_object_get (self, "url", &url_text, "heartbeat", &heartbeat, NULL);
  url = ct_amqp_url_parse (url_text, &error);
  if (url == NULL || (topology = CT_AMQP_ENDPOINT_GET_CLASS (self)->build_topology (self, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_free (priv->url_display);
  priv->url_display = g_strdup (url->display);
  peer = g_strdup_printf ("%s:%d", url->host, url->port);
  g_clear_pointer (&priv->peer, g_ref_string_release);
  priv->peer = g_ref_string_new (peer);
  priv->generation = 0;

  topology->url = g_steal_pointer (&url);
  topology->heartbeat = heartbeat;
  priv->start_task = g_steal_pointer (&task);
  priv->link = ct_amqp_link_new (g_steal_pointer (&topology), on_event, self);
}

static void
ct_amqp_endpoint_close (CtEndpoint *endpoint)
{
  CtAmqpEndpoint *self = CT_AMQP_ENDPOINT (endpoint);
  CtAmqpEndpointPrivate *priv = ct_amqp_endpoint_get_instance_private (self);

  drop_link (self);
  if (priv->start_task)
    {
      g_autoptr(GTask) task = g_steal_pointer (&priv->start_task);

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Stopped while connecting"));
    }
  if (priv->stop_task)
    {
      g_autoptr(GTask) task = g_steal_pointer (&priv->stop_task);

      g_task_return_boolean (task, TRUE);
    }
}

/* Politely: the channel and connection are closed (a consumer's unacked
 * deliveries go back to the queue) before the stop completes */
static void
ct_amqp_endpoint_stop (CtEndpoint          *endpoint,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  CtAmqpEndpoint *self = CT_AMQP_ENDPOINT (endpoint);
  CtAmqpEndpointPrivate *priv = ct_amqp_endpoint_get_instance_private (self);
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, ct_amqp_endpoint_stop);
  if (priv->start_task)
    {
      g_autoptr(GTask) start = g_steal_pointer (&priv->start_task);

      g_task_return_new_error (start, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Stopped while connecting"));
    }
  if (priv->link == NULL || priv->stop_task)
    {
      ct_amqp_endpoint_close (endpoint);
      g_task_return_boolean (task, TRUE);
      return;
    }
  priv->stop_task = g_steal_pointer (&task);
  ct_amqp_link_stop (priv->link);
}

static void
ct_amqp_endpoint_dispose (GObject *object)
{
  ct_amqp_endpoint_close (CT_ENDPOINT (object));
  G_OBJECT_CLASS (ct_amqp_endpoint_parent_class)->dispose (object);
}

static void
ct_amqp_endpoint_finalize (GObject *object)
{
  CtAmqpEndpointPrivate *priv = ct_amqp_endpoint_get_instance_private (CT_AMQP_ENDPOINT (object));

  g_clear_pointer (&priv->peer, g_ref_string_release);
  g_free (priv->url_display);
  G_OBJECT_CLASS (ct_amqp_endpoint_parent_class)->finalize (object);
}

static void
ct_amqp_endpoint_class_init (CtAmqpEndpointClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  CtEndpointClass *endpoint_class = CT_ENDPOINT_CLASS (klass);

  object_class->dispose = ct_amqp_endpoint_dispose;
  object_class->finalize = ct_amqp_endpoint_finalize;
  endpoint_class->protocol_id = "amqp";
  endpoint_class->start = ct_amqp_endpoint_start;
  endpoint_class->stop = ct_amqp_endpoint_stop;
  endpoint_class->close = ct_amqp_endpoint_close;
}

static void
ct_amqp_endpoint_init (CtAmqpEndpoint *self)
{
}

/* The settings both ends have: the broker's URL and the heartbeat */
void
ct_amqp_endpoint_class_install_connection (CtEndpointClass *klass,
                                           gsize            url_offset,
                                           gsize            heartbeat_offset)
{
  ct_endpoint_class_install_setting (klass,
    g_param_spec_string ("url", N_("Broker URL"),
                         N_("amqp://USER:PASSWORD@HOST:PORT/VHOST (the password is never logged)"),
                         CT_AMQP_DEFAULT_URL, CT_SETTING_FLAGS),
    url_offset);
  ct_endpoint_class_install_setting (klass,
    g_param_spec_uint ("heartbeat", N_("Heartbeat"),
                       N_("Seconds between heartbeats that keep an idle connection alive and notice a dead one; 0 for none"),
                       0, 600, 30, CT_SETTING_FLAGS),
    heartbeat_offset);
}

CtAmqpLink *
ct_amqp_endpoint_get_link (CtAmqpEndpoint *self)
{
  CtAmqpEndpointPrivate *priv = ct_amqp_endpoint_get_instance_private (self);

  return priv->link;
}

/* Which connection the current delivery tags belong to */
guint64
ct_amqp_endpoint_get_generation (CtAmqpEndpoint *self)
{
  CtAmqpEndpointPrivate *priv = ct_amqp_endpoint_get_instance_private (self);

  return priv->generation;
}

/* HOST:PORT of the broker, as a GRefString */
const char *
ct_amqp_endpoint_get_peer (CtAmqpEndpoint *self)
{
  CtAmqpEndpointPrivate *priv = ct_amqp_endpoint_get_instance_private (self);

  return priv->peer;
}

const char *
ct_amqp_endpoint_get_url_display (CtAmqpEndpoint *self)
{
  CtAmqpEndpointPrivate *priv = ct_amqp_endpoint_get_instance_private (self);

  return priv->url_display;
}

/* A new number pairing entries of the log (a publish and its confirm) */
guint64
ct_amqp_endpoint_next_exchange (CtAmqpEndpoint *self)
{
  CtAmqpEndpointPrivate *priv = ct_amqp_endpoint_get_instance_private (self);

  return ++priv->next_exchange;
}
