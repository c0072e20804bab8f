/* ct-application.c — application actions, accelerators, the About window
 * and the private RabbitMQ broker
 *
 * The broker (CtBroker) is one per application, made when a window first
 * asks for it. It must not outlive the application: when the last window
 * goes (or on Quit, SIGINT, SIGTERM) the application holds itself until
 * the broker has stopped, which CtBroker bounds (it kills past its own
 * timeout); shutdown waits, bounded too, for a broker still running then.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <signal.h>

#include "ct-application.h"
#include "ct-window.h"

/* How long quitting waits for the broker; CtBroker kills it after 20 s */
#define BROKER_STOP_WAIT_S 25

struct _CtApplication
{
  AdwApplication  parent_instance;

  char           *page;    /* --page */
  gboolean        demo;    /* --demo */

  CtBroker       *broker;  /* (nullable): made on first use */
  gboolean        holding; /* held until the broker has stopped */
  gboolean        quit_when_stopped;
  guint           stop_wait_source;
  guint           sigint_source;
  guint           sigterm_source;
};

G_DEFINE_FINAL_TYPE (CtApplication, ct_application, ADW_TYPE_APPLICATION)

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  static const char *developers[] = { "The Crosstalk developers", NULL };

  adw_show_about_window (gtk_application_get_active_window (app),
                         "application-name", _("Crosstalk"),
                         "application-icon", APP_ID,
                         "developer-name", _("The Crosstalk developers"),
                         "version", PACKAGE_VERSION,
                         "website", PACKAGE_WEBSITE,
                         "issue-url", PACKAGE_WEBSITE "/issues",
                         "comments", _("A playground for network protocols: a real server and a real "
                                       "client side by side, with live logs of every message."),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "copyright", "© 2026 The Crosstalk developers",
                         "developers", developers,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

/* -- the broker --------------------------------------------------------- */

/**
 * ct_application_get_broker:
 *
 * Returns: (transfer none): the application's private RabbitMQ broker,
 *   stopped until someone starts it
 */
CtBroker *
ct_application_get_broker (CtApplication *self)
{
  g_return_val_if_fail (CT_IS_APPLICATION (self), NULL);

  if (self->broker == NULL)
    self->broker = ct_broker_new (NULL);
  return self->broker;
}

/* Whether a broker process may be running */
static gboolean
broker_is_up (CtApplication *self)
{
  if (self->broker == NULL)
    return FALSE;
  switch (ct_broker_get_state (self->broker))
    {
    case CT_STATE_STOPPED:
    case CT_STATE_FAILED:
      return FALSE;
    default:
      return TRUE;
    }
}

static void
release_after_broker (CtApplication *self)
{
  if (!self->holding)
    return;
  self->holding = FALSE;
  g_clear_handle_id (&self->stop_wait_source, g_source_remove);
  g_signal_handlers_disconnect_by_data (self->broker, self);
  if (self->quit_when_stopped)
    g_application_quit (G_APPLICATION (self));
  g_application_release (G_APPLICATION (self));
}

static void
on_broker_state_while_leaving (CtApplication *self)
{
  if (!broker_is_up (self))
    release_after_broker (self);
}

static gboolean
broker_stop_waited (gpointer data)
{
  CtApplication *self = data;

  g_warning ("The local broker did not stop within %d seconds", BROKER_STOP_WAIT_S);
  self->stop_wait_source = 0;
  release_after_broker (self);
  return G_SOURCE_REMOVE;
}

static void
broker_stopped (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!ct_broker_stop_finish (CT_BROKER (object), result, &error))
    g_warning ("Could not stop the local broker: %s", error->message);
}

/* Stops the broker, and keeps the application alive until it has stopped.
 * Returns whether there was anything to wait for. */
static gboolean
stop_broker_and_hold (CtApplication *self)
{
  if (self->holding)
    return TRUE;
  if (!broker_is_up (self))
    return FALSE;

  self->holding = TRUE;
  g_application_hold (G_APPLICATION (self));
  g_signal_connect_swapped (self->broker, "notify::state", G_CALLBACK (on_broker_state_while_leaving), self);
  self->stop_wait_source = g_timeout_add_seconds (BROKER_STOP_WAIT_S, broker_stop_waited, self);
  /* One stopping already (Stop Local Broker) is waited for */
  if (ct_broker_get_state (self->broker) != CT_STATE_STOPPING)
    ct_broker_stop_async (self->broker, broker_stopped, NULL);
  return TRUE;
}

/* -- actions ------------------------------------------------------------ */

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  CtApplication *self = CT_APPLICATION (user_data);
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

  /* Close windows so that they save their size and stop their endpoints */
  for (GList *l = windows; l; l = l->next)
    gtk_window_close (l->data);
  g_list_free (windows);

  /* The last window's going started stopping the broker: quit once it has
   * stopped (which may be now: one still starting is killed at once) */
  self->quit_when_stopped = TRUE;
  stop_broker_and_hold (self);
  if (!self->holding)
    g_application_quit (G_APPLICATION (self));
}

/* Ctrl+C in a terminal, or a session ending: quit as Quit does, so the
 * broker is stopped rather than orphaned */
static gboolean
on_quit_signal (gpointer data)
{
  g_action_group_activate_action (G_ACTION_GROUP (data), "quit", NULL);
  return G_SOURCE_CONTINUE;
}

static const GActionEntry app_actions[] = {
  { "about", about_action },
  { "quit", quit_action },
};

static void
ct_application_activate (GApplication *application)
{
  CtApplication *self = CT_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  if (window == NULL)
    window = GTK_WINDOW (ct_window_new (GTK_APPLICATION (application)));

  if (self->page)
    ct_window_show_page (CT_WINDOW (window), self->page);
  gtk_window_present (window);

  if (self->demo)
    {
      self->demo = FALSE;
      g_action_group_activate_action (G_ACTION_GROUP (window), "demo", NULL);
    }
}

static int
ct_application_handle_local_options (GApplication *application,
                                     GVariantDict *options)
{
  CtApplication *self = CT_APPLICATION (application);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("crosstalk %s\n", PACKAGE_VERSION);
      return 0;
    }

  g_variant_dict_lookup (options, "page", "s", &self->page);
  self->demo = g_variant_dict_contains (options, "demo");
  return -1;
}

static void
ct_application_startup (GApplication *application)
{
  CtApplication *self = CT_APPLICATION (application);
  GtkApplication *app = GTK_APPLICATION (application);
  static const struct {
    const char *action;
    const char *accels[3];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "win.show-help-overlay", { "<Control>question", NULL } },
    { "win.toggle-server", { "<Control><Shift>s", NULL } },
    { "win.toggle-client", { "<Control><Shift>c", NULL } },
    { "win.use-local-server", { "<Control><Shift>u", NULL } },
    { "win.focus-composer", { "<Control>l", NULL } },
    { "win.clear-logs", { "<Control>k", NULL } },
    { "win.add-client", { "<Control><Shift>n", NULL } },
    { "win.demo", { "<Control><Shift>d", NULL } },
    { "win.open-log", { "<Control>o", NULL } },
    { "win.next-page", { "<Control>Page_Down", NULL } },
    { "win.previous-page", { "<Control>Page_Up", NULL } },
  };
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  G_APPLICATION_CLASS (ct_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (app, accels[i].action, accels[i].accels);

  gtk_css_provider_load_from_resource (css, RESOURCE_PREFIX "/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  self->sigint_source = g_unix_signal_add (SIGINT, on_quit_signal, self);
  self->sigterm_source = g_unix_signal_add (SIGTERM, on_quit_signal, self);
}

/* The last window is going: the broker goes with it */
static void
ct_application_window_removed (GtkApplication *application,
                               GtkWindow      *window)
{
  CtApplication *self = CT_APPLICATION (application);
  GList *windows = gtk_application_get_windows (application);
  gboolean last = windows != NULL && windows->next == NULL && windows->data == (gpointer) window;

  /* Held before GtkApplication lets go of the window's hold */
  if (last)
    stop_broker_and_hold (self);

  GTK_APPLICATION_CLASS (ct_application_parent_class)->window_removed (application, window);
}

/* Whatever ended the main loop, no broker is left running: wait for it here,
 * bounded (there is no window left to freeze) */
static void
ct_application_shutdown (GApplication *application)
{
  CtApplication *self = CT_APPLICATION (application);

  if (broker_is_up (self) || self->holding)
    {
      gint64 deadline = g_get_monotonic_time () + BROKER_STOP_WAIT_S * G_USEC_PER_SEC;

      stop_broker_and_hold (self);
      while (self->holding && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
      release_after_broker (self);
    }
  g_clear_handle_id (&self->sigint_source, g_source_remove);
  g_clear_handle_id (&self->sigterm_source, g_source_remove);

  G_APPLICATION_CLASS (ct_application_parent_class)->shutdown (application);
}

static void
ct_application_dispose (GObject *object)
{
  CtApplication *self = CT_APPLICATION (object);

  if (self->broker)
    g_signal_handlers_disconnect_by_data (self->broker, self);
  g_clear_handle_id (&self->stop_wait_source, g_source_remove);
  g_clear_handle_id (&self->sigint_source, g_source_remove);
  g_clear_handle_id (&self->sigterm_source, g_source_remove);
  /* Disposing a running broker sends it SIGTERM without waiting */
  g_clear_object (&self->broker);

  G_OBJECT_CLASS (ct_application_parent_class)->dispose (object);
}

static void
ct_application_finalize (GObject *object)
{
  CtApplication *self = CT_APPLICATION (object);

  g_clear_pointer (&self->page, g_free);

  G_OBJECT_CLASS (ct_application_parent_class)->finalize (object);
}

static void
ct_application_class_init (CtApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);
  GtkApplicationClass *gtk_app_class = GTK_APPLICATION_CLASS (klass);

  object_class->dispose = ct_application_dispose;
  object_class->finalize = ct_application_finalize;
  app_class->activate = ct_application_activate;
  app_class->startup = ct_application_startup;
  app_class->shutdown = ct_application_shutdown;
  app_class->handle_local_options = ct_application_handle_local_options;
  gtk_app_class->window_removed = ct_application_window_removed;
}

static void
ct_application_init (CtApplication *self)
{
  static const GOptionEntry options[] = {
    { "page", 'p', 0, G_OPTION_ARG_STRING, NULL, N_("Open the page of a protocol (udp, tcp…)"), N_("PROTOCOL") },
    { "demo", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Start the page’s server and client and exchange a few messages"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
}

CtApplication *
ct_application_new (void)
{
  return g_object_new (CT_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", RESOURCE_PREFIX,
                       NULL);
}
