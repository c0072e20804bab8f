/* ct-log-view.c — a live message log with a detail view
 *
 * A GtkColumnView (time, direction, peer, size, summary) straight over the
 * CtMessageLog: row objects are created by the log only for the rows on
 * screen. The view follows the newest entry while it is scrolled to the
 * bottom and stays put when the user scrolls up. Below it, the selected
 * message as text, as a hex dump, and its metadata, with the endpoint's
 * commands on it (a consumer's Ack, Nack and Reject), each sensitive while
 * the endpoint says it applies to that entry.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ct-json.h"
#include "ct-log-view.h"

struct _CtLogView
{
  GtkWidget           parent_instance;

  GtkPaned           *paned;        /* the only child: bound so dispose_template unparents it */
  GtkScrolledWindow  *scroller;
  GtkColumnView      *column_view;
  GtkLabel           *status_label;
  GtkLabel           *detail_label;
  GtkTextView        *text_view;
  GtkTextView        *hex_view;
  GtkTextView        *meta_view;
  GtkButton          *copy_command_button;
  GtkBox             *message_commands_box;

  CtMessageLog       *log;
  CtEndpoint         *endpoint;     /* (nullable): whose log it is, for its commands */
  GtkSingleSelection *selection;
  gboolean            follow;
};

G_DEFINE_FINAL_TYPE (CtLogView, ct_log_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_LOG,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef enum
{
  COLUMN_TIME,
  COLUMN_DIRECTION,
  COLUMN_PEER,
  COLUMN_SIZE,
  COLUMN_SUMMARY,
} Column;

static const char *direction_classes[] = {
  "direction-in", "direction-out", "direction-info", "direction-error",
};

static const char *
direction_label (CtDirection direction)
{
  switch (direction)
    {
    case CT_DIRECTION_IN:    return C_("direction", "↓ in");
    case CT_DIRECTION_OUT:   return C_("direction", "↑ out");
    case CT_DIRECTION_INFO:  return C_("direction", "info");
    case CT_DIRECTION_ERROR: return C_("direction", "error");
    default:                 return "";
    }
}

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), column == COLUMN_SIZE ? 1.0 : 0.0);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  if (column == COLUMN_SUMMARY || column == COLUMN_PEER)
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (column == COLUMN_TIME || column == COLUMN_SIZE)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  CtMessage *message = gtk_list_item_get_item (item);
  CtDirection direction = ct_message_get_direction (message);
  g_autofree char *text = NULL;

  switch (column)
    {
    case COLUMN_TIME:
      text = ct_message_format_time (message, FALSE);
      break;

    case COLUMN_DIRECTION:
      for (guint i = 0; i < G_N_ELEMENTS (direction_classes); i++)
        gtk_widget_remove_css_class (GTK_WIDGET (label), direction_classes[i]);
      gtk_widget_add_css_class (GTK_WIDGET (label), direction_classes[direction]);
      gtk_label_set_text (label, direction_label (direction));
      return;

    case COLUMN_PEER:
      text = g_strdup (ct_message_get_peer (message));
      break;

    case COLUMN_SIZE:
      if (direction == CT_DIRECTION_IN || direction == CT_DIRECTION_OUT)
        text = g_format_size_full (ct_message_get_size (message), G_FORMAT_SIZE_DEFAULT);
      break;

    case COLUMN_SUMMARY:
      text = ct_message_dup_summary (message);
      break;

    default:
      g_assert_not_reached ();
    }

  gtk_label_set_text (label, text ? text : "");
}

static void
add_column (CtLogView  *self,
            Column      column,
            const char *title,
            int         fixed_width)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) view_column = NULL;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GINT_TO_POINTER (column));

  view_column = gtk_column_view_column_new (title, g_object_ref (factory));
  gtk_column_view_column_set_resizable (view_column, TRUE);
  if (fixed_width > 0)
    gtk_column_view_column_set_fixed_width (view_column, fixed_width);
  else
    gtk_column_view_column_set_expand (view_column, TRUE);
  gtk_column_view_append_column (self->column_view, view_column);
}

static void
set_text (GtkTextView *view,
          const char  *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (view), text ? text : "", -1);
}

static char *
format_meta (CtMessage *message)
{
  GString *out = g_string_new (NULL);
  g_autofree char *time = ct_message_format_time (message, TRUE);
  GVariant *meta = ct_message_get_meta (message);

  g_string_append_printf (out, "%s: %s\n", _("Time"), time);
  g_string_append_printf (out, "%s: %s\n", _("Direction"),
                          ct_direction_to_string (ct_message_get_direction (message)));
  if (ct_message_get_event (message))
    g_string_append_printf (out, "%s: %s\n", _("Event"), ct_message_get_event (message));
  if (ct_message_get_peer (message))
    g_string_append_printf (out, "%s: %s\n", _("Peer"), ct_message_get_peer (message));
  g_string_append_printf (out, "%s: %" G_GSIZE_FORMAT "\n", _("Size"), ct_message_get_size (message));
  if (ct_message_get_exchange (message))
    g_string_append_printf (out, "%s: %" G_GUINT64_FORMAT "\n", _("Exchange"),
                            ct_message_get_exchange (message));

  if (meta)
    {
      GVariantIter iter;
      const char *key;
      GVariant *value;

      g_variant_iter_init (&iter, meta);
      while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
        {
          g_autofree char *printed = g_variant_is_of_type (value, G_VARIANT_TYPE_STRING)
                                     ? g_variant_dup_string (value, NULL)
                                     : g_variant_print (value, FALSE);
          if (strchr (printed, '\n'))
            {
              /* Headers and the like: one indented line each */
              g_auto(GStrv) lines = g_strsplit (g_strchomp (printed), "\n", -1);

              g_string_append_printf (out, "%s:\n", key);
              for (guint i = 0; lines[i]; i++)
                g_string_append_printf (out, "    %s\n", lines[i]);
            }
          else
            g_string_append_printf (out, "%s: %s\n", key, printed);
        }
    }

  return g_string_free (out, FALSE);
}

/* The endpoint's "Copy as curl" and the like, for entries it can repeat */
static void
update_copy_command (CtLogView *self,
                     CtMessage *message)
{
  g_autofree char *command = NULL;

  if (self->endpoint && message)
    command = ct_endpoint_dup_copy_command (self->endpoint, message);
  gtk_widget_set_visible (GTK_WIDGET (self->copy_command_button), command != NULL);
  if (command)
    gtk_button_set_label (self->copy_command_button, ct_endpoint_get_copy_command_label (self->endpoint));
}

static void
copy_command_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  CtLogView *self = CT_LOG_VIEW (widget);
  CtMessage *message = gtk_single_selection_get_selected_item (self->selection);
  g_autofree char *command = NULL;

  if (self->endpoint && message)
    command = ct_endpoint_dup_copy_command (self->endpoint, message);
  if (command)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), command);
}

/* -- message commands: Ack, Nack, Reject... ------------------------------ */

/* The command a button runs: a name from the endpoint's class, which lives
 * as long as the class */
#define COMMAND_KEY "ct-message-command"

/* Each button is sensitive while its command applies to the selected entry;
 * asked again when the selection, the log or the endpoint's state change */
static void
update_message_commands (CtLogView *self)
{
  CtMessage *message = gtk_single_selection_get_selected_item (self->selection);

  for (GtkWidget *button = gtk_widget_get_first_child (GTK_WIDGET (self->message_commands_box)); button;
       button = gtk_widget_get_next_sibling (button))
    {
      const char *name = g_object_get_data (G_OBJECT (button), COMMAND_KEY);

      gtk_widget_set_sensitive (button, self->endpoint != NULL && message != NULL &&
                                        ct_endpoint_can_run_message_command (self->endpoint, name, message));
    }
}

static void
on_message_command_clicked (GtkButton *button,
                            CtLogView *self)
{
  const char *name = g_object_get_data (G_OBJECT (button), COMMAND_KEY);
  CtMessage *message = gtk_single_selection_get_selected_item (self->selection);

  if (self->endpoint == NULL || message == NULL)
    return;
  if (!ct_endpoint_can_run_message_command (self->endpoint, name, message))
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      update_message_commands (self);
      return;
    }
  /* A failure is logged and shown in the pane (its error bar and a toast)
   * by the endpoint, as for the pane's own commands */
  ct_endpoint_run_message_command (self->endpoint, name, message, NULL);
  update_message_commands (self);
}

/* A button per message command of the endpoint's class */
static void
build_message_commands (CtLogView *self)
{
  const CtEndpointCommand *commands = self->endpoint
                                      ? CT_ENDPOINT_GET_CLASS (self->endpoint)->message_commands : NULL;
  GtkWidget *child;
  guint n = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->message_commands_box))))
    gtk_box_remove (self->message_commands_box, child);

  for (; commands && commands[n].name; n++)
    {
      GtkWidget *button = gtk_button_new_with_mnemonic (g_dgettext (GETTEXT_PACKAGE, commands[n].label));

      if (commands[n].tooltip)
        gtk_widget_set_tooltip_text (button, g_dgettext (GETTEXT_PACKAGE, commands[n].tooltip));
      g_object_set_data (G_OBJECT (button), COMMAND_KEY, (gpointer) commands[n].name);
      g_signal_connect (button, "clicked", G_CALLBACK (on_message_command_clicked), self);
      gtk_box_append (self->message_commands_box, button);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->message_commands_box), n > 0);
  update_message_commands (self);
}

static void
show_selected (CtLogView *self)
{
  CtMessage *message = gtk_single_selection_get_selected_item (self->selection);
  g_autofree char *text = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *meta = NULL;
  g_autofree char *label = NULL;
  const guint8 *data;
  gsize size;

  if (message == NULL)
    {
      set_text (self->text_view, NULL);
      set_text (self->hex_view, NULL);
      set_text (self->meta_view, NULL);
      gtk_label_set_text (self->detail_label, _("Select a message"));
      update_copy_command (self, NULL);
      update_message_commands (self);
      return;
    }

  data = ct_message_get_data (message, &size);
  text = ct_message_dup_text (message);
  if (text == NULL && size > 0)
    text = g_strdup (_("(not valid UTF-8 text: see Hex)"));
  else if (text == NULL || (size == 0 && ct_message_has_summary (message)))
    {
      g_free (text);
      text = ct_message_dup_summary (message);
    }
  else
    {
      /* JSON reads better indented (the payload itself is left as it came) */
      char *pretty = ct_json_dup_pretty (text, -1);

      if (pretty)
        {
          g_free (text);
          text = pretty;
        }
    }
  hex = ct_payload_hexdump (data, size);
  meta = format_meta (message);
  label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %lu byte", "%s · %lu bytes", size),
                           ct_message_get_peer (message) ? ct_message_get_peer (message)
                                                         : ct_direction_to_string (ct_message_get_direction (message)),
                           (unsigned long) size);

  set_text (self->text_view, text);
  set_text (self->hex_view, hex);
  set_text (self->meta_view, meta);
  gtk_label_set_text (self->detail_label, label);
  update_copy_command (self, message);
  update_message_commands (self);
}

static void
update_status (CtLogView *self)
{
  g_autofree char *text = NULL;
  guint n = self->log ? g_list_model_get_n_items (G_LIST_MODEL (self->log)) : 0;
  guint64 dropped = self->log ? ct_message_log_get_n_dropped (self->log) : 0;

  if (dropped > 0)
    text = g_strdup_printf (_("%u entries · %llu older entries dropped"), n,
                            (unsigned long long) dropped);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u entry", "%u entries", n), n);
  gtk_label_set_text (self->status_label, text);
}

/* Follow the newest entry while the view is at the bottom */
static void
on_value_changed (GtkAdjustment *adjustment,
                  CtLogView     *self)
{
  double bottom = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

  self->follow = gtk_adjustment_get_value (adjustment) >= bottom - 2.0;
}

static void
on_upper_changed (GtkAdjustment *adjustment,
                  GParamSpec    *pspec,
                  CtLogView     *self)
{
  if (self->follow)
    gtk_adjustment_set_value (adjustment,
                              gtk_adjustment_get_upper (adjustment) -
                              gtk_adjustment_get_page_size (adjustment));
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  CtLogView  *self)
{
  update_status (self);
  /* An ack appends an entry: the delivery it settled takes no more */
  update_message_commands (self);
}

void
ct_log_view_set_log (CtLogView    *self,
                     CtMessageLog *log)
{
  g_return_if_fail (CT_IS_LOG_VIEW (self));

  if (self->log == log)
    return;

  if (self->log)
    {
      g_signal_handlers_disconnect_by_data (self->log, self);
      g_clear_object (&self->log);
    }

  if (log)
    {
      self->log = g_object_ref (log);
      g_signal_connect (log, "items-changed", G_CALLBACK (on_items_changed), self);
      g_signal_connect_swapped (log, "notify::n-dropped", G_CALLBACK (update_status), self);
    }

  gtk_single_selection_set_model (self->selection, G_LIST_MODEL (log));
  self->follow = TRUE;
  update_status (self);
  show_selected (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOG]);
}

CtMessageLog *
ct_log_view_get_log (CtLogView *self)
{
  g_return_val_if_fail (CT_IS_LOG_VIEW (self), NULL);
  return self->log;
}

GtkColumnView *
ct_log_view_get_column_view (CtLogView *self)
{
  g_return_val_if_fail (CT_IS_LOG_VIEW (self), NULL);
  return self->column_view;
}

/**
 * ct_log_view_select:
 *
 * Selects the entry at @position and shows it in the detail view.
 */
void
ct_log_view_select (CtLogView *self,
                    guint      position)
{
  g_return_if_fail (CT_IS_LOG_VIEW (self));

  if (self->log)
    ct_message_log_flush (self->log);
  gtk_single_selection_set_selected (self->selection, position);
}

/**
 * ct_log_view_set_endpoint:
 *
 * Shows @endpoint's log, with its "copy as a command" button when it has
 * one and a button per command on a log entry (its class's
 * message_commands).
 */
void
ct_log_view_set_endpoint (CtLogView  *self,
                          CtEndpoint *endpoint)
{
  g_return_if_fail (CT_IS_LOG_VIEW (self));

  if (self->endpoint)
    g_signal_handlers_disconnect_by_data (self->endpoint, self);
  g_set_object (&self->endpoint, endpoint);
  if (endpoint)
    g_signal_connect_swapped (endpoint, "notify::state", G_CALLBACK (update_message_commands), self);
  build_message_commands (self);
  ct_log_view_set_log (self, endpoint ? ct_endpoint_get_log (endpoint) : NULL);
  show_selected (self);
}

static void
ct_log_view_dispose (GObject *object)
{
  CtLogView *self = CT_LOG_VIEW (object);

  ct_log_view_set_log (self, NULL);
  if (self->endpoint)
    g_signal_handlers_disconnect_by_data (self->endpoint, self);
  g_clear_object (&self->endpoint);
  gtk_widget_dispose_template (GTK_WIDGET (self), CT_TYPE_LOG_VIEW);
  g_clear_object (&self->selection);

  G_OBJECT_CLASS (ct_log_view_parent_class)->dispose (object);
}

static void
ct_log_view_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  CtLogView *self = CT_LOG_VIEW (object);

  switch (prop_id)
    {
    case PROP_LOG:
      g_value_set_object (value, self->log);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_log_view_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  CtLogView *self = CT_LOG_VIEW (object);

  switch (prop_id)
    {
    case PROP_LOG:
      ct_log_view_set_log (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_log_view_class_init (CtLogViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ct_log_view_dispose;
  object_class->get_property = ct_log_view_get_property;
  object_class->set_property = ct_log_view_set_property;

  properties[PROP_LOG] =
    g_param_spec_object ("log", "Log", "The message log shown",
                         CT_TYPE_MESSAGE_LOG,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ct-log-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CtLogView, paned);
  gtk_widget_class_bind_template_child (widget_class, CtLogView, scroller);
  gtk_widget_class_bind_template_child (widget_class, CtLogView, column_view);
  gtk_widget_class_bind_template_child (widget_class, CtLogView, status_label);
  gtk_widget_class_bind_template_child (widget_class, CtLogView, detail_label);
  gtk_widget_class_bind_template_child (widget_class, CtLogView, text_view);
  gtk_widget_class_bind_template_child (widget_class, CtLogView, hex_view);
  gtk_widget_class_bind_template_child (widget_class, CtLogView, meta_view);
  gtk_widget_class_bind_template_child (widget_class, CtLogView, copy_command_button);
  gtk_widget_class_bind_template_child (widget_class, CtLogView, message_commands_box);

  gtk_widget_class_install_action (widget_class, "log.copy-command", NULL, copy_command_activated);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ctlogview");
}

static void
ct_log_view_init (CtLogView *self)
{
  GtkAdjustment *vadjustment;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->selection = gtk_single_selection_new (NULL);
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_swapped (self->selection, "notify::selected-item",
                            G_CALLBACK (show_selected), self);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  add_column (self, COLUMN_TIME, _("Time"), 100);
  add_column (self, COLUMN_DIRECTION, _("Dir"), 64);
  add_column (self, COLUMN_PEER, _("Peer"), 150);
  add_column (self, COLUMN_SIZE, _("Size"), 70);
  add_column (self, COLUMN_SUMMARY, _("Summary"), -1);

  vadjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  g_signal_connect (vadjustment, "value-changed", G_CALLBACK (on_value_changed), self);
  g_signal_connect (vadjustment, "notify::upper", G_CALLBACK (on_upper_changed), self);
  self->follow = TRUE;

  update_status (self);
  show_selected (self);
}
