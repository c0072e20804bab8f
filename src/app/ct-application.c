/* ct-application.c — application actions, accelerators and the About window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ct-application.h"
#include "ct-window.h"

struct _CtApplication
{
  AdwApplication  parent_instance;

  char           *page;    /* --page */
  gboolean        demo;    /* --demo */
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

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  GList *windows = gtk_application_get_windows (app);

  /* Close windows so that they save their size and stop their endpoints */
  for (GList *l = windows; l; l = l->next)
    gtk_window_close (l->data);
  g_application_quit (G_APPLICATION (app));
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

  object_class->finalize = ct_application_finalize;
  app_class->activate = ct_application_activate;
  app_class->startup = ct_application_startup;
  app_class->handle_local_options = ct_application_handle_local_options;
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
