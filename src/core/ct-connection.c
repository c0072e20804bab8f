/* ct-connection.c — one open connection of an endpoint
 *
 * What a window needs to list a server's connections and to close one: a
 * number, the peer's name (a GRefString shared with the log entries about
 * it) and when it opened. Protocols derive their own connection types.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ct-connection.h"

typedef struct
{
  guint   id;
  char   *peer;     /* GRefString */
  char   *name;
  gint64  opened;
} CtConnectionPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (CtConnection, ct_connection, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_PEER,
  PROP_OPENED,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ct_connection_finalize (GObject *object)
{
  CtConnectionPrivate *priv = ct_connection_get_instance_private (CT_CONNECTION (object));

  g_clear_pointer (&priv->peer, g_ref_string_release);
  g_clear_pointer (&priv->name, g_free);
  G_OBJECT_CLASS (ct_connection_parent_class)->finalize (object);
}

static void
ct_connection_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CtConnection *self = CT_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_uint (value, ct_connection_get_id (self));
      break;
    case PROP_PEER:
      g_value_set_string (value, ct_connection_get_peer (self));
      break;
    case PROP_OPENED:
      g_value_set_int64 (value, ct_connection_get_opened (self));
      break;
    case PROP_NAME:
      g_value_set_string (value, ct_connection_get_name (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_connection_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  CtConnectionPrivate *priv = ct_connection_get_instance_private (CT_CONNECTION (object));

  switch (prop_id)
    {
    case PROP_ID:
      priv->id = g_value_get_uint (value);
      break;
    case PROP_PEER:
      priv->peer = g_ref_string_new (g_value_get_string (value) ? g_value_get_string (value) : "");
      break;
    case PROP_NAME:
      ct_connection_set_name (CT_CONNECTION (object), g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_connection_class_init (CtConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ct_connection_finalize;
  object_class->get_property = ct_connection_get_property;
  object_class->set_property = ct_connection_set_property;

  properties[PROP_ID] =
    g_param_spec_uint ("id", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PEER] =
    g_param_spec_string ("peer", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OPENED] =
    g_param_spec_int64 ("opened", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* What the protocol calls the peer, when it names it: a chat nickname */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ct_connection_init (CtConnection *self)
{
  CtConnectionPrivate *priv = ct_connection_get_instance_private (self);

  priv->opened = g_get_real_time ();
}

/* A number counted up per endpoint start, to tell connections apart */
guint
ct_connection_get_id (CtConnection *self)
{
  CtConnectionPrivate *priv = ct_connection_get_instance_private (self);

  g_return_val_if_fail (CT_IS_CONNECTION (self), 0);
  return priv->id;
}

/**
 * ct_connection_get_peer:
 *
 * Returns: the peer as the log names it (`127.0.0.1:50012`); a #GRefString
 */
const char *
ct_connection_get_peer (CtConnection *self)
{
  CtConnectionPrivate *priv = ct_connection_get_instance_private (self);

  g_return_val_if_fail (CT_IS_CONNECTION (self), NULL);
  return priv->peer;
}

/* Wall-clock time it opened, in µs since the epoch */
gint64
ct_connection_get_opened (CtConnection *self)
{
  CtConnectionPrivate *priv = ct_connection_get_instance_private (self);

  g_return_val_if_fail (CT_IS_CONNECTION (self), 0);
  return priv->opened;
}

/**
 * ct_connection_get_name:
 *
 * Returns: (nullable): what the protocol calls the peer (a chat nickname),
 *   or %NULL when it has no name
 */
const char *
ct_connection_get_name (CtConnection *self)
{
  CtConnectionPrivate *priv = ct_connection_get_instance_private (self);

  g_return_val_if_fail (CT_IS_CONNECTION (self), NULL);
  return priv->name;
}

void
ct_connection_set_name (CtConnection *self,
                        const char   *name)
{
  CtConnectionPrivate *priv = ct_connection_get_instance_private (self);

  g_return_if_fail (CT_IS_CONNECTION (self));
  if (g_strcmp0 (priv->name, name) == 0)
    return;
  g_free (priv->name);
  priv->name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}
