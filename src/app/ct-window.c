/* ct-window.c — the main window: one page per protocol
 *
 * Pages come from the protocol registry: a CtProtocolPage for every
 * protocol whose endpoints exist, an honest status page for the others.
 * The RabbitMQ page has the local broker's bar above its panes, showing the
 * application's broker.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ct-application.h"
#include "ct-broker-bar.h"
#include "ct-log-window.h"
#include "ct-window.h"

/* The page that gets the local broker's bar */
#define BROKER_PAGE "amqp"

struct _CtWindow
{
  AdwApplicationWindow  parent_instance;

  AdwViewStack         *stack;
  CtBrokerBar          *broker_bar;   /* (nullable): on the RabbitMQ page */

  GSettings            *settings;
  GtkFileChooserNative *open_chooser;  /* (nullable): Open Log… under way */
};

G_DEFINE_FINAL_TYPE (CtWindow, ct_window, ADW_TYPE_APPLICATION_WINDOW)

static GtkWidget *
create_planned_page (const CtProtocol *protocol)
{
  GtkWidget *page = adw_status_page_new ();
  g_autofree char *title = g_strdup_printf (_("%s Is Coming"), _(protocol->title));
  g_autofree char *description =
    g_strdup_printf ("%s\n\n%s", _(protocol->planned),
                     _("This page is not built yet. Meanwhile, the UDP page works end to end."));

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (page), protocol->icon_name);
  adw_status_page_set_title (ADW_STATUS_PAGE (page), title);
  adw_status_page_set_description (ADW_STATUS_PAGE (page), description);
  return page;
}

static void
add_pages (CtWindow *self)
{
  guint n;
  const CtProtocol *protocols = ct_protocol_get_all (&n);

  for (guint i = 0; i < n; i++)
    {
      const CtProtocol *protocol = &protocols[i];
      GtkWidget *child;
      AdwViewStackPage *page;

      if (ct_protocol_is_available (protocol))
        {
          GtkWidget *protocol_page = ct_protocol_page_new (protocol);

          child = gtk_scrolled_window_new ();
          gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (child),
                                          GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
          gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (child), protocol_page);

          /* The broker's bar stays in view above the scrolled panes */
          if (g_str_equal (protocol->id, BROKER_PAGE))
            {
              GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

              self->broker_bar = CT_BROKER_BAR (ct_broker_bar_new (CT_PROTOCOL_PAGE (protocol_page)));
              gtk_widget_set_vexpand (child, TRUE);
              gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->broker_bar));
              gtk_box_append (GTK_BOX (box), child);
              child = box;
            }
        }
      else
        child = create_planned_page (protocol);

      page = adw_view_stack_add_titled (self->stack, child, protocol->id, _(protocol->title));
      adw_view_stack_page_set_icon_name (page, protocol->icon_name);
    }
}

/**
 * ct_window_get_page:
 *
 * Returns: (transfer none) (nullable): the page of a protocol, or %NULL when
 *   it is not built yet
 */
CtProtocolPage *
ct_window_get_page (CtWindow   *self,
                    const char *protocol_id)
{
  GtkWidget *child;

  g_return_val_if_fail (CT_IS_WINDOW (self), NULL);

  child = adw_view_stack_get_child_by_name (self->stack, protocol_id);
  /* The RabbitMQ page: the broker's bar, then the scrolled page */
  if (GTK_IS_BOX (child))
    child = gtk_widget_get_last_child (child);
  if (!GTK_IS_SCROLLED_WINDOW (child))
    return NULL;

  child = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (child));
  if (GTK_IS_VIEWPORT (child))
    child = gtk_viewport_get_child (GTK_VIEWPORT (child));
  return CT_IS_PROTOCOL_PAGE (child) ? CT_PROTOCOL_PAGE (child) : NULL;
}

/**
 * ct_window_get_broker_bar:
 *
 * Returns: (transfer none) (nullable): the local broker's bar on the
 *   RabbitMQ page, or %NULL when that page is not built yet
 */
CtBrokerBar *
ct_window_get_broker_bar (CtWindow *self)
{
  g_return_val_if_fail (CT_IS_WINDOW (self), NULL);
  return self->broker_bar;
}

/* The broker is the application's: known once the window has joined one
 * (a window without a CtApplication, as in tests, has no broker bar) */
static void
on_application_changed (CtWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  if (self->broker_bar)
    ct_broker_bar_set_broker (self->broker_bar,
                              CT_IS_APPLICATION (application)
                              ? ct_application_get_broker (CT_APPLICATION (application)) : NULL);
}

void
ct_window_show_page (CtWindow   *self,
                     const char *protocol_id)
{
  g_return_if_fail (CT_IS_WINDOW (self));

  if (adw_view_stack_get_child_by_name (self->stack, protocol_id))
    adw_view_stack_set_visible_child_name (self->stack, protocol_id);
}

static CtProtocolPage *
current_page (CtWindow *self)
{
  const char *name = adw_view_stack_get_visible_child_name (self->stack);

  return name ? ct_window_get_page (self, name) : NULL;
}

/* -- actions ------------------------------------------------------------ */

/* Activates a pane action on the current page's server or client pane (of
 * several clients, the one shown or last worked in) */
static void
activate_on_pane (CtWindow   *self,
                  CtRole      role,
                  const char *action)
{
  CtProtocolPage *page = current_page (self);

  if (page == NULL)
    return;
  gtk_widget_activate_action (GTK_WIDGET (role == CT_ROLE_SERVER ? ct_protocol_page_get_server_pane (page)
                                                                 : ct_protocol_page_get_selected_client_pane (page)),
                              action, NULL);
}

static void
toggle_server_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  activate_on_pane (CT_WINDOW (user_data), CT_ROLE_SERVER, "pane.toggle");
}

static void
toggle_client_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  activate_on_pane (CT_WINDOW (user_data), CT_ROLE_CLIENT, "pane.toggle");
}

static void
use_local_server_action (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  activate_on_pane (CT_WINDOW (user_data), CT_ROLE_CLIENT, "pane.use-local-server");
}

static void
focus_composer_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  CtProtocolPage *page = current_page (CT_WINDOW (user_data));

  if (page)
    ct_endpoint_pane_focus_composer (ct_protocol_page_get_selected_client_pane (page));
}

/* Every log of the page: the server's and each client's */
static void
clear_logs_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  CtProtocolPage *page = current_page (CT_WINDOW (user_data));

  if (page == NULL)
    return;
  gtk_widget_activate_action (GTK_WIDGET (ct_protocol_page_get_server_pane (page)), "pane.clear", NULL);
  for (guint i = 0; i < ct_protocol_page_get_n_clients (page); i++)
    gtk_widget_activate_action (GTK_WIDGET (ct_protocol_page_get_nth_client_pane (page, i)), "pane.clear", NULL);
}

static void
add_client_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  CtProtocolPage *page = current_page (CT_WINDOW (user_data));

  if (page)
    gtk_widget_activate_action (GTK_WIDGET (page), "page.add-client", NULL);
}

/* Add Participant is there for pages with several clients */
static void
update_page_actions (CtWindow *self)
{
  CtProtocolPage *page = current_page (self);
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "add-client");

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action),
                               page != NULL && ct_protocol_page_get_protocol (page)->multi_client);
}

/* The RabbitMQ page's demo begins once the local broker runs */
static void
demo_when_broker_ready (CtBroker   *broker,
                        GParamSpec *pspec,
                        CtWindow   *self)
{
  CtProtocolPage *page;

  if (ct_broker_get_state (broker) == CT_STATE_STARTING)
    return;
  g_signal_handlers_disconnect_by_func (broker, demo_when_broker_ready, self);
  page = ct_window_get_page (self, BROKER_PAGE);
  if (page && ct_broker_get_state (broker) == CT_STATE_RUNNING)
    ct_protocol_page_demo (page);
}

static void
demo_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  CtWindow *self = CT_WINDOW (user_data);
  CtProtocolPage *page = current_page (self);
  CtBroker *broker = self->broker_bar ? ct_broker_bar_get_broker (self->broker_bar) : NULL;

  if (page == NULL)
    {
      ct_window_show_page (self, "udp");
      page = current_page (self);
    }
  if (page == NULL)
    return;

  /* On the RabbitMQ page, start the local broker first */
  if (broker && page == ct_broker_bar_get_page (self->broker_bar) &&
      ct_broker_get_state (broker) != CT_STATE_RUNNING)
    {
      if (ct_broker_get_state (broker) != CT_STATE_STARTING)
        gtk_widget_activate_action (GTK_WIDGET (self->broker_bar), "broker.toggle", NULL);
      if (ct_broker_get_state (broker) == CT_STATE_STARTING)
        {
          g_signal_handlers_disconnect_by_func (broker, demo_when_broker_ready, self);
          g_signal_connect_object (broker, "notify::state", G_CALLBACK (demo_when_broker_ready), self, 0);
          return;
        }
    }
  ct_protocol_page_demo (page);
}

/**
 * ct_window_open_log:
 *
 * Opens an exported JSON Lines log in a window of its own.
 *
 * Returns: (transfer none): that window, shown
 */
CtLogWindow *
ct_window_open_log (CtWindow *self,
                    GFile    *file)
{
  GtkWidget *window;

  g_return_val_if_fail (CT_IS_WINDOW (self), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  window = ct_log_window_new (gtk_window_get_application (GTK_WINDOW (self)), file);
  gtk_window_present (GTK_WINDOW (window));
  return CT_LOG_WINDOW (window);
}

static void
on_open_response (GtkNativeDialog *dialog,
                  int              response,
                  CtWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file)
        ct_window_open_log (self, file);
    }
  g_clear_object (&self->open_chooser);
}

static void
open_log_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  CtWindow *self = CT_WINDOW (user_data);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  if (self->open_chooser)
    return;

  self->open_chooser = gtk_file_chooser_native_new (_("Open Log"), GTK_WINDOW (self),
                                                    GTK_FILE_CHOOSER_ACTION_OPEN,
                                                    _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("JSON Lines"));
  gtk_file_filter_add_pattern (filter, "*.jsonl");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->open_chooser), filter);
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->open_chooser), all);
  g_signal_connect (self->open_chooser, "response", G_CALLBACK (on_open_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->open_chooser));
}

static void
switch_page (CtWindow *self,
             int       delta)
{
  guint n;
  const CtProtocol *protocols = ct_protocol_get_all (&n);
  const char *current = adw_view_stack_get_visible_child_name (self->stack);
  guint index = 0;

  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (protocols[i].id, current) == 0)
      index = i;
  index = (index + n + delta) % n;
  adw_view_stack_set_visible_child_name (self->stack, protocols[index].id);
}

static void
next_page_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  switch_page (CT_WINDOW (user_data), 1);
}

static void
previous_page_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  switch_page (CT_WINDOW (user_data), -1);
}

/* -- GObject ------------------------------------------------------------ */

CtWindow *
ct_window_new (GtkApplication *application)
{
  return g_object_new (CT_TYPE_WINDOW, "application", application, NULL);
}

static gboolean
ct_window_close_request (GtkWindow *window)
{
  CtWindow *self = CT_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (self->settings);
  if (!gtk_window_is_maximized (window))
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  g_settings_apply (self->settings);

  return GTK_WINDOW_CLASS (ct_window_parent_class)->close_request (window);
}

static void
ct_window_dispose (GObject *object)
{
  CtWindow *self = CT_WINDOW (object);

  if (self->open_chooser)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->open_chooser));
      g_clear_object (&self->open_chooser);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), CT_TYPE_WINDOW);
  self->broker_bar = NULL;
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ct_window_parent_class)->dispose (object);
}

static void
ct_window_class_init (CtWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ct_window_dispose;
  window_class->close_request = ct_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ct-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CtWindow, stack);
}

static const GActionEntry actions[] = {
  { "toggle-server", toggle_server_action },
  { "toggle-client", toggle_client_action },
  { "use-local-server", use_local_server_action },
  { "focus-composer", focus_composer_action },
  { "clear-logs", clear_logs_action },
  { "add-client", add_client_action },
  { "demo", demo_action },
  { "open-log", open_log_action },
  { "next-page", next_page_action },
  { "previous-page", previous_page_action },
};

static void
ct_window_init (CtWindow *self)
{
  g_autofree char *last_page = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);

  self->settings = g_settings_new (APP_ID);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  add_pages (self);

  last_page = g_settings_get_string (self->settings, "last-page");
  ct_window_show_page (self, last_page);
  g_settings_bind (self->settings, "last-page", self->stack, "visible-child-name",
                   G_SETTINGS_BIND_SET);
  g_signal_connect_object (self->stack, "notify::visible-child-name", G_CALLBACK (update_page_actions),
                           self, G_CONNECT_SWAPPED);
  update_page_actions (self);
  g_signal_connect (self, "notify::application", G_CALLBACK (on_application_changed), NULL);
}
