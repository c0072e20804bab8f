/* ct-broker-log-window.c — the local broker's log
 *
 * What rabbitmq-server wrote (ct_broker_get_log_path): its last 64 KiB,
 * read in a worker thread so that a large log never holds up the window,
 * again on Refresh (Ctrl+R, F5) and whenever the broker changes state.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ct-broker-log-window.h"
#include "ct-file-tail.h"

#define SHOWN_BYTES (64 * 1024)

struct _CtBrokerLogWindow
{
  AdwWindow       parent_instance;

  AdwWindowTitle *window_title;
  GtkStack       *stack;
  GtkLabel       *info_label;
  GtkTextView    *text_view;
  AdwStatusPage  *status_page;
  GtkSpinner     *spinner;

  CtBroker       *broker;
  GCancellable   *cancellable;    /* the read under way */
  char           *text;           /* what is shown */
};

G_DEFINE_FINAL_TYPE (CtBrokerLogWindow, ct_broker_log_window, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_BROKER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
show_status (CtBrokerLogWindow *self,
             const char        *title,
             const char        *description)
{
  adw_status_page_set_title (self->status_page, title);
  adw_status_page_set_description (self->status_page, description);
  gtk_stack_set_visible_child_name (self->stack, "status");
}

static void
set_loading (CtBrokerLogWindow *self,
             gboolean           loading)
{
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), loading);
  gtk_spinner_set_spinning (self->spinner, loading);
}

static void
loaded (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  CtBrokerLogWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  goffset size = 0;
  gboolean truncated = FALSE;
  GtkTextBuffer *buffer;
  GtkTextIter end;

  text = ct_file_tail_read_finish (result, &size, &truncated, &error);
  /* A newer read replaced this one, or the window is gone (the read holds
   * no reference on it: a window kept past its destruction would be
   * disposed twice) */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  set_loading (self, FALSE);

  g_free (self->text);
  self->text = g_strdup (text ? text : "");

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      show_status (self, _("No Log Yet"), _("The broker writes its log here once it has been started"));
      return;
    }
  if (error)
    {
      show_status (self, _("Could Not Read the Log"), error->message);
      return;
    }
  if (*text == '\0')
    {
      show_status (self, _("The Log Is Empty"), _("The broker has not written anything yet"));
      return;
    }

  if (truncated)
    {
      g_autofree char *shown = g_format_size (SHOWN_BYTES);
      g_autofree char *whole = g_format_size ((guint64) size);
      /* Translators: "Showing the last 64.0 kB of 1.2 MB" */
      g_autofree char *info = g_strdup_printf (_("Showing the last %s of %s"), shown, whole);

      gtk_label_set_text (self->info_label, info);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->info_label), truncated);

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_set_text (buffer, text, -1);
  /* The newest lines are what one looks for */
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_place_cursor (buffer, &end);
  gtk_text_view_scroll_to_mark (self->text_view, gtk_text_buffer_get_insert (buffer), 0, FALSE, 0, 1);
  gtk_stack_set_visible_child_name (self->stack, "text");
}

/**
 * ct_broker_log_window_refresh:
 *
 * Reads the log again (in a worker thread); a read under way is dropped.
 */
void
ct_broker_log_window_refresh (CtBrokerLogWindow *self)
{
  g_return_if_fail (CT_IS_BROKER_LOG_WINDOW (self));

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->broker == NULL)
    return;

  self->cancellable = g_cancellable_new ();
  set_loading (self, TRUE);
  ct_file_tail_read_async (ct_broker_get_log_path (self->broker), SHOWN_BYTES, self->cancellable,
                           loaded, self);
}

gboolean
ct_broker_log_window_is_loading (CtBrokerLogWindow *self)
{
  g_return_val_if_fail (CT_IS_BROKER_LOG_WINDOW (self), FALSE);
  return self->cancellable != NULL;
}

/* What the last read found ("" when there is no log) */
const char *
ct_broker_log_window_get_text (CtBrokerLogWindow *self)
{
  g_return_val_if_fail (CT_IS_BROKER_LOG_WINDOW (self), NULL);
  return self->text;
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ct_broker_log_window_refresh (CT_BROKER_LOG_WINDOW (widget));
}

/* The file's place, with ~ for the home directory */
static char *
display_path (const char *path)
{
  const char *home = g_get_home_dir ();
  g_autofree char *name = g_filename_display_name (path);
  gsize length = strlen (home);

  if (length > 1 && g_str_has_prefix (path, home) && path[length] == G_DIR_SEPARATOR)
    {
      g_autofree char *rest = g_filename_display_name (path + length);

      return g_strconcat ("~", rest, NULL);
    }
  return g_steal_pointer (&name);
}

GtkWidget *
ct_broker_log_window_new (CtBroker *broker)
{
  g_return_val_if_fail (CT_IS_BROKER (broker), NULL);
  return g_object_new (CT_TYPE_BROKER_LOG_WINDOW, "broker", broker, NULL);
}

static void
ct_broker_log_window_constructed (GObject *object)
{
  CtBrokerLogWindow *self = CT_BROKER_LOG_WINDOW (object);
  g_autofree char *path = NULL;

  G_OBJECT_CLASS (ct_broker_log_window_parent_class)->constructed (object);

  g_return_if_fail (self->broker != NULL);
  path = display_path (ct_broker_get_log_path (self->broker));
  adw_window_title_set_subtitle (self->window_title, path);
  /* A start or a stop writes to it */
  g_signal_connect_object (self->broker, "notify::state", G_CALLBACK (ct_broker_log_window_refresh),
                           self, G_CONNECT_SWAPPED);
  ct_broker_log_window_refresh (self);
}

static void
ct_broker_log_window_dispose (GObject *object)
{
  CtBrokerLogWindow *self = CT_BROKER_LOG_WINDOW (object);

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->broker);
  gtk_widget_dispose_template (GTK_WIDGET (self), CT_TYPE_BROKER_LOG_WINDOW);

  G_OBJECT_CLASS (ct_broker_log_window_parent_class)->dispose (object);
}

static void
ct_broker_log_window_finalize (GObject *object)
{
  CtBrokerLogWindow *self = CT_BROKER_LOG_WINDOW (object);

  g_clear_pointer (&self->text, g_free);

  G_OBJECT_CLASS (ct_broker_log_window_parent_class)->finalize (object);
}

static void
ct_broker_log_window_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  CtBrokerLogWindow *self = CT_BROKER_LOG_WINDOW (object);

  switch (prop_id)
    {
    case PROP_BROKER:
      g_value_set_object (value, self->broker);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_broker_log_window_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  CtBrokerLogWindow *self = CT_BROKER_LOG_WINDOW (object);

  switch (prop_id)
    {
    case PROP_BROKER:
      self->broker = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_broker_log_window_class_init (CtBrokerLogWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ct_broker_log_window_constructed;
  object_class->dispose = ct_broker_log_window_dispose;
  object_class->finalize = ct_broker_log_window_finalize;
  object_class->get_property = ct_broker_log_window_get_property;
  object_class->set_property = ct_broker_log_window_set_property;

  properties[PROP_BROKER] =
    g_param_spec_object ("broker", "Broker", "The broker whose log is shown",
                         CT_TYPE_BROKER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ct-broker-log-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CtBrokerLogWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, CtBrokerLogWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CtBrokerLogWindow, info_label);
  gtk_widget_class_bind_template_child (widget_class, CtBrokerLogWindow, text_view);
  gtk_widget_class_bind_template_child (widget_class, CtBrokerLogWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, CtBrokerLogWindow, spinner);

  gtk_widget_class_install_action (widget_class, "log-window.refresh", NULL, refresh_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "log-window.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "log-window.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ct_broker_log_window_init (CtBrokerLogWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->text = g_strdup ("");
}
