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
#include "ct-log-filter.h"
#include "ct-log-stats-view.h"
#include "ct-log-view.h"

/* -- CtLogRows: what the list shows --------------------------------------- */

/* A pass-through list over the log or the filter. Switching between the
 * two when they hold the same rows (pausing an unfiltered view, resuming
 * it) reports only the rows that differ, so the list keeps its row widgets,
 * its selection and its scroll position instead of building them all
 * again. */
#define CT_TYPE_LOG_ROWS (ct_log_rows_get_type ())
G_DECLARE_FINAL_TYPE (CtLogRows, ct_log_rows, CT, LOG_ROWS, GObject)

struct _CtLogRows
{
  GObject     parent_instance;
  GListModel *source;   /* (nullable) */
};

static GType
ct_log_rows_get_item_type (GListModel *model)
{
  return CT_TYPE_MESSAGE;
}

static guint
ct_log_rows_get_n_items (GListModel *model)
{
  CtLogRows *self = CT_LOG_ROWS (model);

  return self->source ? g_list_model_get_n_items (self->source) : 0;
}

static gpointer
ct_log_rows_get_item (GListModel *model,
                      guint       position)
{
  CtLogRows *self = CT_LOG_ROWS (model);

  return self->source ? g_list_model_get_item (self->source, position) : NULL;
}

static void
ct_log_rows_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = ct_log_rows_get_item_type;
  iface->get_n_items = ct_log_rows_get_n_items;
  iface->get_item = ct_log_rows_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (CtLogRows, ct_log_rows, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, ct_log_rows_list_model_init))

static void
ct_log_rows_forward (GListModel *source,
                     guint       position,
                     guint       removed,
                     guint       added,
                     CtLogRows  *self)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
}

/* @same_start: the new source's first rows are the old one's */
static void
ct_log_rows_set_source (CtLogRows  *self,
                        GListModel *source,
                        gboolean    same_start)
{
  guint old_n = ct_log_rows_get_n_items (G_LIST_MODEL (self));
  guint new_n;

  if (self->source == source)
    return;
  if (self->source)
    g_signal_handlers_disconnect_by_func (self->source, ct_log_rows_forward, self);
  g_set_object (&self->source, source);
  if (source)
    g_signal_connect_object (source, "items-changed", G_CALLBACK (ct_log_rows_forward), self, 0);

  new_n = ct_log_rows_get_n_items (G_LIST_MODEL (self));
  if (!same_start)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, new_n);
  else if (new_n > old_n)
    g_list_model_items_changed (G_LIST_MODEL (self), old_n, 0, new_n - old_n);
  else if (new_n < old_n)
    g_list_model_items_changed (G_LIST_MODEL (self), new_n, old_n - new_n, 0);
}

static void
ct_log_rows_dispose (GObject *object)
{
  CtLogRows *self = CT_LOG_ROWS (object);

  if (self->source)
    g_signal_handlers_disconnect_by_func (self->source, ct_log_rows_forward, self);
  g_clear_object (&self->source);

  G_OBJECT_CLASS (ct_log_rows_parent_class)->dispose (object);
}

static void
ct_log_rows_class_init (CtLogRowsClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ct_log_rows_dispose;
}

static void
ct_log_rows_init (CtLogRows *self)
{
}

/* -- the view ------------------------------------------------------------ */

struct _CtLogView
{
  GtkWidget           parent_instance;

  GtkPaned           *paned;        /* the only child: bound so dispose_template unparents it */
  GtkWidget          *filter_bar;
  GtkSearchEntry     *search_entry;
  GtkMenuButton      *stats_button;
  CtLogStatsView     *stats_view;
  GtkScrolledWindow  *scroller;
  GtkColumnView      *column_view;
  GtkLabel           *status_label;
  GtkWidget          *resume_button;
  GtkLabel           *pending_label;
  GtkLabel           *detail_label;
  GtkStack           *detail_stack;
  GtkStackPage       *text_page;    /* titled JSON while it shows JSON, indented */
  GtkTextView        *text_view;
  GtkTextView        *hex_view;
  GtkTextView        *meta_view;
  GtkButton          *copy_command_button;
  GtkWidget          *resend_button;
  GtkBox             *message_commands_box;

  CtMessageLog       *log;
  CtEndpoint         *endpoint;     /* (nullable): whose log it is, for its commands */
  GtkSingleSelection *selection;
  CtLogRows          *rows;         /* the selection's model */
  gboolean            follow;

  /* What is shown: the log itself, or (while filtering or paused) the
   * filter over it, which exists only then */
  CtLogFilter        *filter;       /* (nullable) */
  guint               directions;   /* 1 << CtDirection */
  char               *filter_text;
  gboolean            paused;
  gboolean            syncing_entry;
  guint64             dropped_at_pause; /* the log's n-dropped when the filter was made */
  GdkFrameClock      *scroll_clock;  /* applies it (or follows) once the new rows are laid out */
  gulong              scroll_handler;
};

G_DEFINE_FINAL_TYPE (CtLogView, ct_log_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_LOG,
  PROP_SHOW_IN,
  PROP_SHOW_OUT,
  PROP_SHOW_INFO,
  PROP_SHOW_ERRORS,
  PROP_FILTER_TEXT,
  PROP_PAUSED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  RESEND,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The direction each show-* property stands for */
#define PROP_DIRECTION(prop_id) ((CtDirection) ((prop_id) - PROP_SHOW_IN + CT_DIRECTION_IN))

typedef enum
{
  COLUMN_TIME,
  COLUMN_DIRECTION,
  COLUMN_PEER,
  COLUMN_SIZE,
  COLUMN_LATENCY,
  COLUMN_SUMMARY,
} Column;

static void update_status (CtLogView *self);
static void show_selected (CtLogView *self);

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

  gtk_label_set_xalign (GTK_LABEL (label), column == COLUMN_SIZE || column == COLUMN_LATENCY ? 1.0 : 0.0);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  if (column == COLUMN_SUMMARY || column == COLUMN_PEER)
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (column == COLUMN_TIME || column == COLUMN_SIZE || column == COLUMN_LATENCY)
    gtk_widget_add_css_class (label, "numeric");
  if (column == COLUMN_LATENCY)
    gtk_widget_add_css_class (label, "latency");
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

    case COLUMN_LATENCY:
      text = ct_format_latency (ct_message_get_latency (message));
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

/* A huge payload is shown in part: a text view of megabytes would hold up
 * the window */
#define DETAIL_MAX_TEXT  (256 * 1024)
#define DETAIL_MAX_HEX   (16 * 1024)

static char *
format_meta (CtMessage *message)
{
  GString *out = g_string_new (NULL);
  g_autofree char *time = ct_message_format_time (message, TRUE);
  g_autofree char *summary = ct_message_dup_summary (message);
  GVariant *meta = ct_message_get_meta (message);
  gint64 latency = ct_message_get_latency (message);

  g_string_append_printf (out, "%s: %s\n", _("Time"), time);
  g_string_append_printf (out, "%s: %s\n", _("Direction"),
                          ct_direction_to_string (ct_message_get_direction (message)));
  if (ct_message_get_event (message))
    g_string_append_printf (out, "%s: %s\n", _("Event"), ct_message_get_event (message));
  if (ct_message_get_peer (message))
    g_string_append_printf (out, "%s: %s\n", _("Peer"), ct_message_get_peer (message));
  g_string_append_printf (out, "%s: %" G_GSIZE_FORMAT "\n", _("Size"), ct_message_get_size (message));
  if (summary && *summary)
    g_string_append_printf (out, "%s: %s\n", _("Summary"), summary);
  if (ct_message_get_exchange (message))
    g_string_append_printf (out, "%s: %" G_GUINT64_FORMAT "\n", _("Exchange"),
                            ct_message_get_exchange (message));
  if (latency >= 0)
    {
      g_autofree char *text = ct_format_latency (latency);

      g_string_append_printf (out, "%s: %s (%" G_GINT64_FORMAT " µs)\n", _("Latency"), text, latency);
    }

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

static CtMessage *
selected_message (CtLogView *self)
{
  return gtk_single_selection_get_selected_item (self->selection);
}

/* -- copy, resend ------------------------------------------------------- */

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
  CtMessage *message = selected_message (self);
  g_autofree char *command = NULL;

  if (self->endpoint && message)
    command = ct_endpoint_dup_copy_command (self->endpoint, message);
  if (command)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), command);
}

/**
 * ct_log_view_format_entry:
 *
 * Returns: (transfer full): the entry as one line of text, as the list
 *   shows it: time, direction, peer, size and summary, separated by tabs
 */
char *
ct_log_view_format_entry (CtMessage *message)
{
  g_autofree char *time = NULL;
  g_autofree char *size = NULL;
  g_autofree char *summary = NULL;
  CtDirection direction;

  g_return_val_if_fail (CT_IS_MESSAGE (message), NULL);

  direction = ct_message_get_direction (message);
  time = ct_message_format_time (message, FALSE);
  summary = ct_message_dup_summary (message);
  if (direction == CT_DIRECTION_IN || direction == CT_DIRECTION_OUT)
    size = g_format_size_full (ct_message_get_size (message), G_FORMAT_SIZE_DEFAULT);
  return g_strdup_printf ("%s\t%s\t%s\t%s\t%s", time, ct_direction_to_string (direction),
                          ct_message_get_peer (message) ? ct_message_get_peer (message) : "",
                          size ? size : "", summary ? summary : "");
}

static void
copy_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CtLogView *self = CT_LOG_VIEW (widget);
  CtMessage *message = selected_message (self);
  g_autofree char *line = NULL;

  if (message == NULL)
    {
      gtk_widget_error_bell (widget);
      return;
    }
  line = ct_log_view_format_entry (message);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), line);
}

/* A message sent or received, with a payload, to a view someone listens
 * to resend for (an endpoint's page; not an opened file's window) */
static gboolean
can_resend (CtLogView *self,
            CtMessage *message)
{
  CtDirection direction;

  if (message == NULL || !g_signal_has_handler_pending (self, signals[RESEND], 0, TRUE))
    return FALSE;
  direction = ct_message_get_direction (message);
  return (direction == CT_DIRECTION_IN || direction == CT_DIRECTION_OUT) &&
         ct_message_get_size (message) > 0;
}

static void
resend_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CtLogView *self = CT_LOG_VIEW (widget);
  CtMessage *message = selected_message (self);

  if (!can_resend (self, message))
    {
      gtk_widget_error_bell (widget);
      return;
    }
  g_signal_emit (self, signals[RESEND], 0, message);
}

static void
update_entry_actions (CtLogView *self)
{
  CtMessage *message = selected_message (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "log.copy", message != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "log.resend", can_resend (self, message));
  gtk_widget_set_visible (self->resend_button,
                          g_signal_has_handler_pending (self, signals[RESEND], 0, TRUE));
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
  CtMessage *message = selected_message (self);

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
  CtMessage *message = selected_message (self);

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

/* -- the detail view ---------------------------------------------------- */

static void
show_selected (CtLogView *self)
{
  CtMessage *message = selected_message (self);
  g_autofree char *text = NULL;
  g_autofree char *pretty = NULL;
  g_autofree char *hex = NULL;
  gboolean is_json = FALSE;
  g_autofree char *meta = NULL;
  g_autofree char *label = NULL;
  const guint8 *data;
  gsize size;

  update_entry_actions (self);

  if (message == NULL)
    {
      set_text (self->text_view, NULL);
      set_text (self->hex_view, NULL);
      set_text (self->meta_view, NULL);
      gtk_stack_page_set_title (self->text_page, _("Text"));
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
      /* JSON reads better indented (the payload itself is left as it
       * came: see Hex) */
      pretty = ct_json_dup_pretty (text, -1);
      if (pretty)
        {
          g_free (text);
          text = g_steal_pointer (&pretty);
          is_json = TRUE;
        }
    }

  if (text && strlen (text) > DETAIL_MAX_TEXT)
    {
      g_autofree char *cut = g_utf8_make_valid (text, DETAIL_MAX_TEXT);

      g_free (text);
      text = g_strconcat (cut, "\n", _("(shortened: the whole payload is in an export)"), NULL);
    }
  hex = ct_payload_hexdump (data, MIN (size, DETAIL_MAX_HEX));
  if (size > DETAIL_MAX_HEX)
    {
      char *more = g_strdup_printf (_("… %" G_GSIZE_FORMAT " more bytes"), size - DETAIL_MAX_HEX);
      char *joined = g_strconcat (hex, more, "\n", NULL);

      g_free (more);
      g_free (hex);
      hex = joined;
    }
  meta = format_meta (message);
  label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %lu byte", "%s · %lu bytes", size),
                           ct_message_get_peer (message) ? ct_message_get_peer (message)
                                                         : ct_direction_to_string (ct_message_get_direction (message)),
                           (unsigned long) size);

  set_text (self->text_view, text);
  set_text (self->hex_view, hex);
  set_text (self->meta_view, meta);
  gtk_stack_page_set_title (self->text_page, is_json ? _("JSON") : _("Text"));
  gtk_label_set_text (self->detail_label, label);
  update_copy_command (self, message);
  update_message_commands (self);
}

/* -- the list: status, following the newest ----------------------------- */

static void
update_status (CtLogView *self)
{
  g_autofree char *text = NULL;
  guint n = self->log ? g_list_model_get_n_items (G_LIST_MODEL (self->log)) : 0;
  guint64 dropped = self->log ? ct_message_log_get_n_dropped (self->log) : 0;
  guint64 pending = self->filter && self->paused ? ct_log_filter_get_n_pending (self->filter) : 0;

  if (self->filter && ct_log_filter_is_filtering (self->filter))
    {
      guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter));

      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u entry", "%u of %u entries", n),
                              shown, n);
    }
  else if (self->filter)
    {
      guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter));

      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u entry", "%u entries", shown), shown);
    }
  else if (dropped > 0)
    text = g_strdup_printf (_("%u entries · %llu older entries dropped"), n,
                            (unsigned long long) dropped);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u entry", "%u entries", n), n);
  gtk_label_set_text (self->status_label, text);

  gtk_widget_set_visible (self->resume_button, self->paused);
  if (self->paused)
    {
      g_autofree char *waiting = NULL;

      if (pending > 0)
        waiting = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Paused · %llu new entry",
                                                "Paused · %llu new entries", pending),
                                   (unsigned long long) pending);
      else
        waiting = g_strdup (_("Paused"));
      gtk_label_set_text (self->pending_label, waiting);
    }
}

static void
scroll_to_end (CtLogView *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);

  gtk_adjustment_set_value (adjustment,
                            gtk_adjustment_get_upper (adjustment) -
                            gtk_adjustment_get_page_size (adjustment));
}

/* Follow the newest entry while the view is at the bottom */
static void
on_value_changed (GtkAdjustment *adjustment,
                  CtLogView     *self)
{
  double bottom = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

  if (self->scroll_clock)
    return;
  self->follow = gtk_adjustment_get_value (adjustment) >= bottom - 2.0;
}

static void
on_upper_changed (GtkAdjustment *adjustment,
                  GParamSpec    *pspec,
                  CtLogView     *self)
{
  if (self->follow && self->scroll_clock == NULL)
    scroll_to_end (self);
}

static void
cancel_scroll (CtLogView *self)
{
  if (self->scroll_clock)
    {
      /* A clock being disposed with its window has dropped it already */
      if (g_signal_handler_is_connected (self->scroll_clock, self->scroll_handler))
        g_signal_handler_disconnect (self->scroll_clock, self->scroll_handler);
      self->scroll_handler = 0;
      g_clear_object (&self->scroll_clock);
    }
}

/* After the list's rows were replaced, they are laid out in the next frame:
 * once it is painted, go to the end (the list cannot place rows it has not
 * laid out yet) */
static void
scroll_after_layout (GdkFrameClock *clock,
                     CtLogView     *self)
{
  cancel_scroll (self);
  if (self->follow)
    scroll_to_end (self);
}

static void
schedule_scroll (CtLogView *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  if (self->scroll_clock)
    return;
  /* Not on screen: it follows the newest when it is */
  if (clock == NULL)
    return;
  self->scroll_clock = g_object_ref (clock);
  self->scroll_handler = g_signal_connect (clock, "after-paint", G_CALLBACK (scroll_after_layout), self);
  gtk_widget_queue_allocate (GTK_WIDGET (self->scroller));
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  CtLogView  *self)
{
  /* Cleared while paused: the frozen rows go too */
  if (self->filter && self->paused && removed > 0 && g_list_model_get_n_items (model) == 0)
    {
      ct_log_filter_set_paused (self->filter, FALSE);
      ct_log_filter_set_paused (self->filter, TRUE);
    }
  update_status (self);
  /* An ack appends an entry: the delivery it settled takes no more */
  update_message_commands (self);
}

/* -- filtering and pausing ---------------------------------------------- */

static gboolean
wants_filter (CtLogView *self)
{
  return self->paused || self->directions != CT_LOG_FILTER_ALL_DIRECTIONS ||
         (self->filter_text && *self->filter_text);
}

/* Shows the log itself when nothing is filtered and the view runs (no cost
 * per entry beyond the log's), else a CtLogFilter over it, made for the
 * occasion. Between the log and a filter that only pauses, the rows are
 * the same: the selection and the scroll position are kept. */
static void
update_model (CtLogView *self)
{
  gboolean want = self->log != NULL && wants_filter (self);
  gboolean same_rows;
  GListModel *model;

  if (self->filter && want)
    {
      /* Resuming catches up in one go and follows the newest again */
      if (!self->paused && ct_log_filter_get_paused (self->filter))
        self->follow = TRUE;
      ct_log_filter_set_directions (self->filter, self->directions);
      ct_log_filter_set_text (self->filter, self->filter_text);
      ct_log_filter_set_paused (self->filter, self->paused);
      update_status (self);
      return;
    }
  if (self->filter == NULL && !want)
    return;

  if (want)
    {
      self->filter = ct_log_filter_new (self->log);
      ct_log_filter_set_directions (self->filter, self->directions);
      ct_log_filter_set_text (self->filter, self->filter_text);
      ct_log_filter_set_paused (self->filter, self->paused);
      g_signal_connect_object (self->filter, "items-changed", G_CALLBACK (update_status), self,
                               G_CONNECT_SWAPPED | G_CONNECT_AFTER);
      g_signal_connect_object (self->filter, "notify::n-pending", G_CALLBACK (update_status), self,
                               G_CONNECT_SWAPPED);
      self->dropped_at_pause = ct_message_log_get_n_dropped (self->log);
      /* Paused without a condition: the log's rows, as they are now */
      same_rows = !ct_log_filter_is_filtering (self->filter);
      model = G_LIST_MODEL (self->filter);
    }
  else
    {
      /* Resumed: the rows frozen at the pause are the log's first ones,
       * unless its cap dropped some meanwhile */
      same_rows = !ct_log_filter_is_filtering (self->filter) &&
                  ct_message_log_get_n_dropped (self->log) == self->dropped_at_pause;
      g_signal_handlers_disconnect_by_data (self->filter, self);
      model = G_LIST_MODEL (self->log);
    }

  ct_log_rows_set_source (self->rows, model, same_rows);
  if (!want)
    g_clear_object (&self->filter);
  /* Other rows: show the newest */
  if (!same_rows)
    {
      self->follow = TRUE;
      schedule_scroll (self);
    }
  update_status (self);
  show_selected (self);
}

static void
set_direction_shown (CtLogView   *self,
                     CtDirection  direction,
                     gboolean     shown)
{
  guint directions = shown ? self->directions | (1u << direction) : self->directions & ~(1u << direction);

  if (directions == self->directions)
    return;
  self->directions = directions;
  update_model (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_IN + direction - CT_DIRECTION_IN]);
}

/**
 * ct_log_view_set_filter_text:
 *
 * Shows only the entries whose summary, peer or text payload contain
 * @text (ignoring case); "" or %NULL for all.
 */
void
ct_log_view_set_filter_text (CtLogView  *self,
                             const char *text)
{
  g_return_if_fail (CT_IS_LOG_VIEW (self));

  if (text && *text == '\0')
    text = NULL;
  if (g_strcmp0 (self->filter_text, text) == 0)
    return;
  g_free (self->filter_text);
  self->filter_text = g_strdup (text);
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), text ? text : "") != 0)
    {
      /* Replacing the text empties the entry first, which it reports */
      self->syncing_entry = TRUE;
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text ? text : "");
      self->syncing_entry = FALSE;
    }
  update_model (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILTER_TEXT]);
}

/**
 * ct_log_view_set_paused:
 *
 * Freezes the list while the log goes on (the status says how many new
 * entries wait); resuming shows them and follows the newest.
 */
void
ct_log_view_set_paused (CtLogView *self,
                        gboolean   paused)
{
  g_return_if_fail (CT_IS_LOG_VIEW (self));

  paused = !!paused;
  if (self->paused == paused)
    return;
  self->paused = paused;
  if (self->log)
    ct_message_log_flush (self->log);
  update_model (self);
  if (!paused)
    {
      self->follow = TRUE;
      schedule_scroll (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

gboolean
ct_log_view_get_paused (CtLogView *self)
{
  g_return_val_if_fail (CT_IS_LOG_VIEW (self), FALSE);
  return self->paused;
}

/**
 * ct_log_view_get_model:
 *
 * Returns: (transfer none): what the list shows: the log, or the filter
 *   over it while filtering or paused
 */
GListModel *
ct_log_view_get_model (CtLogView *self)
{
  g_return_val_if_fail (CT_IS_LOG_VIEW (self), NULL);
  return self->rows->source;
}

const char *
ct_log_view_get_status (CtLogView *self)
{
  g_return_val_if_fail (CT_IS_LOG_VIEW (self), NULL);
  return gtk_label_get_text (self->status_label);
}

const char *
ct_log_view_get_pending_text (CtLogView *self)
{
  g_return_val_if_fail (CT_IS_LOG_VIEW (self), NULL);
  return gtk_widget_get_visible (self->resume_button) ? gtk_label_get_text (self->pending_label) : NULL;
}

CtLogStatsView *
ct_log_view_get_stats_view (CtLogView *self)
{
  g_return_val_if_fail (CT_IS_LOG_VIEW (self), NULL);
  return self->stats_view;
}

/**
 * ct_log_view_get_selected:
 *
 * Returns: (transfer none) (nullable): the entry shown in the detail view
 */
CtMessage *
ct_log_view_get_selected (CtLogView *self)
{
  g_return_val_if_fail (CT_IS_LOG_VIEW (self), NULL);
  return selected_message (self);
}

/**
 * ct_log_view_get_detail_text:
 * @page: "text", "json", "hex" or "meta"
 *
 * Returns: (transfer full) (nullable): what that page of the detail view
 *   shows; for "json", the text page while it shows indented JSON, else
 *   %NULL
 */
char *
ct_log_view_get_detail_text (CtLogView  *self,
                             const char *page)
{
  GtkStackPage *stack_page;
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (CT_IS_LOG_VIEW (self), NULL);

  if (g_str_equal (page, "json"))
    {
      if (g_strcmp0 (gtk_stack_page_get_title (self->text_page), _("JSON")) != 0)
        return NULL;
      page = "text";
    }
  stack_page = gtk_stack_get_page (self->detail_stack, gtk_stack_get_child_by_name (self->detail_stack, page));
  if (stack_page == NULL)
    return NULL;
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (gtk_stack_page_get_child (stack_page)));
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
on_search_changed (CtLogView *self)
{
  if (self->syncing_entry)
    return;
  ct_log_view_set_filter_text (self, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

/* Escape in the filter entry: show everything again */
static void
on_stop_search (CtLogView *self)
{
  ct_log_view_set_filter_text (self, NULL);
}

static void
focus_filter_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  CtLogView *self = CT_LOG_VIEW (widget);

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
show_stats_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CtLogView *self = CT_LOG_VIEW (widget);

  gtk_menu_button_popup (self->stats_button);
}

/* -- public ------------------------------------------------------------- */

void
ct_log_view_set_log (CtLogView    *self,
                     CtMessageLog *log)
{
  g_return_if_fail (CT_IS_LOG_VIEW (self));

  if (self->log == log)
    return;

  if (self->filter)
    {
      g_signal_handlers_disconnect_by_data (self->filter, self);
      g_clear_object (&self->filter);
    }
  if (self->log)
    {
      g_signal_handlers_disconnect_by_data (self->log, self);
      g_clear_object (&self->log);
    }

  if (log)
    {
      self->log = g_object_ref (log);
      /* After the filter's own handler, so its pending count is current */
      g_signal_connect_after (log, "items-changed", G_CALLBACK (on_items_changed), self);
      g_signal_connect_swapped (log, "notify::n-dropped", G_CALLBACK (update_status), self);
    }

  ct_log_rows_set_source (self->rows, G_LIST_MODEL (log), FALSE);
  ct_log_stats_view_set_log (self->stats_view, log);
  self->follow = TRUE;
  update_model (self);
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
 * Selects the entry at @position of what the list shows (see
 * ct_log_view_get_model()) and shows it in the detail view.
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

/* -- GObject ------------------------------------------------------------ */

/* The statistics popover goes with the view (a window closed with it
 * open would leave it asking a gone surface for the pointer) */
static void
ct_log_view_unmap (GtkWidget *widget)
{
  gtk_menu_button_popdown (CT_LOG_VIEW (widget)->stats_button);
  GTK_WIDGET_CLASS (ct_log_view_parent_class)->unmap (widget);
}

static void
ct_log_view_dispose (GObject *object)
{
  CtLogView *self = CT_LOG_VIEW (object);

  ct_log_view_set_log (self, NULL);
  if (self->endpoint)
    g_signal_handlers_disconnect_by_data (self->endpoint, self);
  g_clear_object (&self->endpoint);
  cancel_scroll (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CT_TYPE_LOG_VIEW);
  g_clear_object (&self->selection);
  g_clear_object (&self->rows);

  G_OBJECT_CLASS (ct_log_view_parent_class)->dispose (object);
}

static void
ct_log_view_unrealize (GtkWidget *widget)
{
  cancel_scroll (CT_LOG_VIEW (widget));
  GTK_WIDGET_CLASS (ct_log_view_parent_class)->unrealize (widget);
}

static void
ct_log_view_finalize (GObject *object)
{
  CtLogView *self = CT_LOG_VIEW (object);

  g_clear_pointer (&self->filter_text, g_free);

  G_OBJECT_CLASS (ct_log_view_parent_class)->finalize (object);
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

    case PROP_SHOW_IN:
    case PROP_SHOW_OUT:
    case PROP_SHOW_INFO:
    case PROP_SHOW_ERRORS:
      g_value_set_boolean (value, (self->directions & (1u << PROP_DIRECTION (prop_id))) != 0);
      break;

    case PROP_FILTER_TEXT:
      g_value_set_string (value, self->filter_text);
      break;

    case PROP_PAUSED:
      g_value_set_boolean (value, self->paused);
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

    case PROP_SHOW_IN:
    case PROP_SHOW_OUT:
    case PROP_SHOW_INFO:
    case PROP_SHOW_ERRORS:
      set_direction_shown (self, PROP_DIRECTION (prop_id), g_value_get_boolean (value));
      break;

    case PROP_FILTER_TEXT:
      ct_log_view_set_filter_text (self, g_value_get_string (value));
      break;

    case PROP_PAUSED:
      ct_log_view_set_paused (self, g_value_get_boolean (value));
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
  widget_class->unmap = ct_log_view_unmap;
  object_class->finalize = ct_log_view_finalize;
  object_class->get_property = ct_log_view_get_property;
  object_class->set_property = ct_log_view_set_property;
  widget_class->unrealize = ct_log_view_unrealize;

  properties[PROP_LOG] =
    g_param_spec_object ("log", "Log", "The message log shown",
                         CT_TYPE_MESSAGE_LOG,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_IN] =
    g_param_spec_boolean ("show-in", "Show In", "Whether received messages are shown",
                          TRUE, G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_OUT] =
    g_param_spec_boolean ("show-out", "Show Out", "Whether sent messages are shown",
                          TRUE, G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_INFO] =
    g_param_spec_boolean ("show-info", "Show Info", "Whether events are shown",
                          TRUE, G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_ERRORS] =
    g_param_spec_boolean ("show-errors", "Show Errors", "Whether errors are shown",
                          TRUE, G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FILTER_TEXT] =
    g_param_spec_string ("filter-text", "Filter Text", "Only entries containing this text are shown",
                         NULL, G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", "Paused", "Whether the list is frozen while logging goes on",
                          FALSE, G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CtLogView::resend:
   * @message: the selected entry, sent or received, with a payload
   *
   * Asks for @message's payload in a composer. Resend is offered only while
   * a handler is connected.
   */
  signals[RESEND] =
    g_signal_new ("resend", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, CT_TYPE_MESSAGE);

  g_type_ensure (CT_TYPE_LOG_STATS_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ct-log-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CtLogView, paned);
  gtk_widget_class_bind_template_child (widget_class, CtLogView, filter_bar);
  gtk_widget_class_bind_template_child (widget_class, CtLogView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CtLogView, stats_button);
  gtk_widget_class_bind_template_child (widget_class, CtLogView, stats_view);
  gtk_widget_class_bind_template_child (widget_class, CtLogView, scroller);
  gtk_widget_class_bind_template_child (widget_class, CtLogView, column_view);
  gtk_widget_class_bind_template_child (widget_class, CtLogView, status_label);
  gtk_widget_class_bind_template_child (widget_class, CtLogView, resume_button);
  gtk_widget_class_bind_template_child (widget_class, CtLogView, pending_label);
  gtk_widget_class_bind_template_child (widget_class, CtLogView, detail_label);
  gtk_widget_class_bind_template_child (widget_class, CtLogView, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, CtLogView, text_page);
  gtk_widget_class_bind_template_child (widget_class, CtLogView, text_view);
  gtk_widget_class_bind_template_child (widget_class, CtLogView, hex_view);
  gtk_widget_class_bind_template_child (widget_class, CtLogView, meta_view);
  gtk_widget_class_bind_template_child (widget_class, CtLogView, copy_command_button);
  gtk_widget_class_bind_template_child (widget_class, CtLogView, resend_button);
  gtk_widget_class_bind_template_child (widget_class, CtLogView, message_commands_box);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);

  gtk_widget_class_install_action (widget_class, "log.copy-command", NULL, copy_command_activated);
  gtk_widget_class_install_action (widget_class, "log.copy", NULL, copy_activated);
  gtk_widget_class_install_action (widget_class, "log.resend", NULL, resend_activated);
  gtk_widget_class_install_action (widget_class, "log.focus-filter", NULL, focus_filter_activated);
  gtk_widget_class_install_action (widget_class, "log.show-stats", NULL, show_stats_activated);
  gtk_widget_class_install_property_action (widget_class, "log.show-in", "show-in");
  gtk_widget_class_install_property_action (widget_class, "log.show-out", "show-out");
  gtk_widget_class_install_property_action (widget_class, "log.show-info", "show-info");
  gtk_widget_class_install_property_action (widget_class, "log.show-errors", "show-errors");
  gtk_widget_class_install_property_action (widget_class, "log.pause", "paused");

  /* With the focus anywhere in the log view (the pane forwards them too) */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "log.resend", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "log.pause", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "log.focus-filter", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK, "log.show-stats", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ctlogview");
}

static void
ct_log_view_init (CtLogView *self)
{
  GtkAdjustment *vadjustment;
  GtkEventController *shortcuts;

  self->directions = CT_LOG_FILTER_ALL_DIRECTIONS;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = g_object_new (CT_TYPE_LOG_ROWS, NULL);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->rows)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_swapped (self->selection, "notify::selected-item",
                            G_CALLBACK (show_selected), self);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  add_column (self, COLUMN_TIME, _("Time"), 100);
  add_column (self, COLUMN_DIRECTION, _("Dir"), 64);
  add_column (self, COLUMN_PEER, _("Peer"), 150);
  add_column (self, COLUMN_SIZE, _("Size"), 70);
  add_column (self, COLUMN_LATENCY, _("Latency"), 76);
  add_column (self, COLUMN_SUMMARY, _("Summary"), -1);

  /* Ctrl+C on the list copies the selected entry (the text views and the
   * filter entry keep their own Ctrl+C) */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_c, GDK_CONTROL_MASK),
                                                          gtk_named_action_new ("log.copy")));
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), shortcuts);

  vadjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  g_signal_connect (vadjustment, "value-changed", G_CALLBACK (on_value_changed), self);
  g_signal_connect (vadjustment, "notify::upper", G_CALLBACK (on_upper_changed), self);
  self->follow = TRUE;

  update_status (self);
  show_selected (self);
}
