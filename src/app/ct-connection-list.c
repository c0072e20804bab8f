/* ct-connection-list.c — an endpoint's open connections, each with a
 * "reply to this one" toggle and a close button (a chat server's kick)
 *
 * The toggles drive the endpoint's `reply-to` setting (when it has one), so
 * the form, the composer and this list always agree on where replies go.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "ct-connection-list.h"

struct _CtConnectionList
{
  GtkWidget    parent_instance;

  GtkWidget   *expander;
  GtkLabel    *title_label;
  GtkStack    *stack;
  GtkListBox  *list_box;

  CtEndpoint  *endpoint;
  gboolean     has_reply_to;
};

G_DEFINE_FINAL_TYPE (CtConnectionList, ct_connection_list, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ENDPOINT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
dup_reply_to (CtConnectionList *self)
{
  char *reply_to = NULL;

  if (self->has_reply_to)
    g_object_get (self->endpoint, "reply-to", &reply_to, NULL);
  return reply_to;
}

static void
on_reply_toggled (GtkToggleButton  *button,
                  CtConnectionList *self)
{
  const char *peer = g_object_get_data (G_OBJECT (button), "peer");
  g_autofree char *reply_to = dup_reply_to (self);
  gboolean active = gtk_toggle_button_get_active (button);

  if (active && g_strcmp0 (reply_to, peer) != 0)
    g_object_set (self->endpoint, "reply-to", peer, NULL);
  else if (!active && g_strcmp0 (reply_to, peer) == 0)
    g_object_set (self->endpoint, "reply-to", "", NULL);
}

static void
on_close_clicked (GtkButton    *button,
                  CtConnection *connection)
{
  CtConnectionList *self = CT_CONNECTION_LIST (gtk_widget_get_ancestor (GTK_WIDGET (button),
                                                                        CT_TYPE_CONNECTION_LIST));

  ct_endpoint_close_connection (self->endpoint, connection);
}

/* A named connection (a chat participant) shows its name, with the peer
 * below; others show the peer */
static void
update_row (AdwActionRow *row,
            GParamSpec   *pspec,
            CtConnection *connection)
{
  const char *name = ct_connection_get_name (connection);
  const char *peer = ct_connection_get_peer (connection);
  g_autoptr(GDateTime) opened = g_date_time_new_from_unix_local (ct_connection_get_opened (connection) / G_USEC_PER_SEC);
  g_autofree char *since = g_date_time_format (opened, "%H:%M:%S");
  g_autofree char *subtitle = NULL;

  if (name && *name)
    {
      /* Translators: a named connection (a chat participant) in the list:
       * its address, its number and when it opened */
      subtitle = g_strdup_printf (_("%s, #%u, open since %s"), peer, ct_connection_get_id (connection), since);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
    }
  else
    {
      /* Translators: a connection in the list: its number and when it opened */
      subtitle = g_strdup_printf (_("#%u, open since %s"), ct_connection_get_id (connection), since);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), peer);
    }
  adw_action_row_set_subtitle (row, subtitle);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  CtConnectionList *self = user_data;
  CtConnection *connection = item;
  const char *peer = ct_connection_get_peer (connection);
  g_autofree char *reply_to = dup_reply_to (self);
  GtkWidget *row, *button;

  row = adw_action_row_new ();
  /* Names come from the peer (a chat nickname): not markup */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  update_row (ADW_ACTION_ROW (row), NULL, connection);
  g_signal_connect_object (connection, "notify::name", G_CALLBACK (update_row), row, G_CONNECT_SWAPPED);

  if (self->has_reply_to)
    {
      button = gtk_toggle_button_new ();
      gtk_button_set_icon_name (GTK_BUTTON (button), "mail-reply-sender-symbolic");
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (button, _("Send the composer's messages to this connection only"));
      gtk_widget_add_css_class (button, "flat");
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), g_strcmp0 (reply_to, peer) == 0);
      g_object_set_data_full (G_OBJECT (button), "peer", g_ref_string_acquire ((char *) peer),
                              (GDestroyNotify) g_ref_string_release);
      g_signal_connect_object (button, "toggled", G_CALLBACK (on_reply_toggled), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      g_object_set_data (G_OBJECT (row), "toggle", button);
    }

  button = gtk_button_new_from_icon_name ("window-close-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, _("Close This Connection"));
  gtk_widget_add_css_class (button, "flat");
  g_signal_connect_data (button, "clicked", G_CALLBACK (on_close_clicked),
                         g_object_ref (connection), (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  return row;
}

static void
update_title (CtConnectionList *self)
{
  guint n = g_list_model_get_n_items (ct_endpoint_get_connections (self->endpoint));
  g_autofree char *title = g_strdup_printf (ngettext ("%u Connection", "%u Connections", n), n);

  gtk_label_set_text (self->title_label, title);
  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "list" : "empty");
}

/* reply-to changed elsewhere (the form, another toggle): follow it */
static void
sync_toggles (CtConnectionList *self)
{
  g_autofree char *reply_to = dup_reply_to (self);
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (self->list_box, i)) != NULL; i++)
    {
      GtkToggleButton *toggle = g_object_get_data (G_OBJECT (row), "toggle");
      const char *peer = g_object_get_data (G_OBJECT (toggle), "peer");

      gtk_toggle_button_set_active (toggle, g_strcmp0 (reply_to, peer) == 0);
    }
}

static void
ct_connection_list_constructed (GObject *object)
{
  CtConnectionList *self = CT_CONNECTION_LIST (object);
  GListModel *connections = ct_endpoint_get_connections (self->endpoint);

  G_OBJECT_CLASS (ct_connection_list_parent_class)->constructed (object);

  self->has_reply_to = g_object_class_find_property (G_OBJECT_GET_CLASS (self->endpoint), "reply-to") != NULL;

  gtk_list_box_bind_model (self->list_box, connections, create_row, self, NULL);
  g_signal_connect_object (connections, "items-changed", G_CALLBACK (update_title), self, G_CONNECT_SWAPPED);
  if (self->has_reply_to)
    g_signal_connect_object (self->endpoint, "notify::reply-to", G_CALLBACK (sync_toggles), self, G_CONNECT_SWAPPED);
  update_title (self);
}

static void
ct_connection_list_dispose (GObject *object)
{
  CtConnectionList *self = CT_CONNECTION_LIST (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CT_TYPE_CONNECTION_LIST);
  g_clear_object (&self->endpoint);

  G_OBJECT_CLASS (ct_connection_list_parent_class)->dispose (object);
}

static void
ct_connection_list_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  CtConnectionList *self = CT_CONNECTION_LIST (object);

  switch (prop_id)
    {
    case PROP_ENDPOINT:
      self->endpoint = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_connection_list_class_init (CtConnectionListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ct_connection_list_constructed;
  object_class->dispose = ct_connection_list_dispose;
  object_class->set_property = ct_connection_list_set_property;

  properties[PROP_ENDPOINT] =
    g_param_spec_object ("endpoint", NULL, NULL, CT_TYPE_ENDPOINT,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ct-connection-list.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, CtConnectionList, expander);
  gtk_widget_class_bind_template_child (widget_class, CtConnectionList, title_label);
  gtk_widget_class_bind_template_child (widget_class, CtConnectionList, stack);
  gtk_widget_class_bind_template_child (widget_class, CtConnectionList, list_box);
}

static void
ct_connection_list_init (CtConnectionList *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ct_connection_list_new (CtEndpoint *endpoint)
{
  g_return_val_if_fail (CT_IS_ENDPOINT (endpoint), NULL);
  return g_object_new (CT_TYPE_CONNECTION_LIST, "endpoint", endpoint, NULL);
}
