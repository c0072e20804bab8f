/* ct-log-window.c — an exported log, opened to browse
 *
 * Reads a JSON Lines export (the GUI's Export or the CLI's --json) into a
 * new CtMessageLog, off the UI thread, and shows it in the same log view
 * as the panes: filter, statistics, detail, copy. There is no endpoint:
 * nothing to resend to and no commands.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ct-log-window.h"

struct _CtLogWindow
{
  AdwWindow       parent_instance;

  AdwWindowTitle *window_title;
  GtkSpinner     *spinner;
  AdwToastOverlay *toast_overlay;
  GtkStack       *stack;
  CtLogView      *log_view;
  AdwStatusPage  *status_page;

  GFile          *file;
  CtMessageLog   *log;
  GCancellable   *cancellable;   /* the import under way */
  char           *error;
};

G_DEFINE_FINAL_TYPE (CtLogWindow, ct_log_window, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_FILE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_loading (CtLogWindow *self,
             gboolean     loading)
{
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), loading);
  gtk_spinner_set_spinning (self->spinner, loading);
}

/* "UDP Server · 1,204 entries" */
static void
update_subtitle (CtLogWindow *self,
                 const char  *protocol_id,
                 const char  *role)
{
  const CtProtocol *protocol = protocol_id ? ct_protocol_lookup (protocol_id) : NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->log));
  g_autofree char *entries = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u entry", "%u entries", n), n);
  g_autofree char *subtitle = NULL;

  if (protocol)
    {
      const char *pane = g_strcmp0 (role, "server") == 0 ? protocol->server_title : protocol->client_title;

      /* Translators: a protocol, its server or client, and how many entries */
      subtitle = g_strdup_printf (_("%s %s · %s"), g_dgettext (GETTEXT_PACKAGE, protocol->title),
                                  g_dgettext (GETTEXT_PACKAGE, pane), entries);
    }
  else
    subtitle = g_strdup (entries);
  adw_window_title_set_subtitle (self->window_title, subtitle);
}

static void
imported (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  CtLogWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *protocol = NULL;
  g_autofree char *role = NULL;
  gboolean ok = ct_jsonl_import_finish (result, &protocol, &role, &error);

  /* The window is gone (the import holds no reference on it) */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->cancellable);
  set_loading (self, FALSE);
  ct_message_log_flush (self->log);
  if (!ok)
    {
      self->error = g_strdup (error->message);
      /* What was read before the bad line is still worth a look */
      if (g_list_model_get_n_items (G_LIST_MODEL (self->log)) > 0)
        {
          g_autofree char *text = g_strdup_printf (_("The log was read in part: %s"), error->message);

          update_subtitle (self, protocol, role);
          adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
          return;
        }
      {
        /* The description is markup */
        g_autofree char *escaped = g_markup_escape_text (error->message, -1);

        adw_status_page_set_description (self->status_page, escaped);
      }
      gtk_stack_set_visible_child_name (self->stack, "error");
      adw_window_title_set_subtitle (self->window_title, NULL);
      return;
    }
  update_subtitle (self, protocol, role);
}

static void
ct_log_window_constructed (GObject *object)
{
  CtLogWindow *self = CT_LOG_WINDOW (object);
  g_autofree char *name = g_file_get_basename (self->file);

  G_OBJECT_CLASS (ct_log_window_parent_class)->constructed (object);

  gtk_window_set_title (GTK_WINDOW (self), name);
  adw_window_title_set_title (self->window_title, name);
  adw_window_title_set_subtitle (self->window_title, _("Reading…"));

  self->log = ct_message_log_new ();
  ct_log_view_set_log (self->log_view, self->log);
  self->cancellable = g_cancellable_new ();
  set_loading (self, TRUE);
  ct_jsonl_import_async (self->file, self->log, self->cancellable, imported, self);
}

GtkWidget *
ct_log_window_new (GtkApplication *application,
                   GFile          *file)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  return g_object_new (CT_TYPE_LOG_WINDOW, "application", application, "file", file, NULL);
}

GFile *
ct_log_window_get_file (CtLogWindow *self)
{
  g_return_val_if_fail (CT_IS_LOG_WINDOW (self), NULL);
  return self->file;
}

CtLogView *
ct_log_window_get_log_view (CtLogWindow *self)
{
  g_return_val_if_fail (CT_IS_LOG_WINDOW (self), NULL);
  return self->log_view;
}

gboolean
ct_log_window_is_loading (CtLogWindow *self)
{
  g_return_val_if_fail (CT_IS_LOG_WINDOW (self), FALSE);
  return self->cancellable != NULL;
}

/* Why the file could not be read (in full), or %NULL */
const char *
ct_log_window_get_error (CtLogWindow *self)
{
  g_return_val_if_fail (CT_IS_LOG_WINDOW (self), NULL);
  return self->error;
}

static void
ct_log_window_dispose (GObject *object)
{
  CtLogWindow *self = CT_LOG_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CT_TYPE_LOG_WINDOW);
  g_clear_object (&self->log);

  G_OBJECT_CLASS (ct_log_window_parent_class)->dispose (object);
}

static void
ct_log_window_finalize (GObject *object)
{
  CtLogWindow *self = CT_LOG_WINDOW (object);

  g_clear_object (&self->file);
  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (ct_log_window_parent_class)->finalize (object);
}

static void
ct_log_window_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CtLogWindow *self = CT_LOG_WINDOW (object);

  switch (prop_id)
    {
    case PROP_FILE:
      g_value_set_object (value, self->file);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_log_window_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  CtLogWindow *self = CT_LOG_WINDOW (object);

  switch (prop_id)
    {
    case PROP_FILE:
      self->file = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_log_window_class_init (CtLogWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ct_log_window_constructed;
  object_class->dispose = ct_log_window_dispose;
  object_class->finalize = ct_log_window_finalize;
  object_class->get_property = ct_log_window_get_property;
  object_class->set_property = ct_log_window_set_property;

  properties[PROP_FILE] =
    g_param_spec_object ("file", "File", "The JSON Lines log shown",
                         G_TYPE_FILE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CT_TYPE_LOG_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ct-log-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CtLogWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, CtLogWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, CtLogWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CtLogWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CtLogWindow, log_view);
  gtk_widget_class_bind_template_child (widget_class, CtLogWindow, status_page);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
ct_log_window_init (CtLogWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
