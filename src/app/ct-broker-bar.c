/* ct-broker-bar.c — the RabbitMQ page's private broker
 *
 * A bar above the page's panes: the application's CtBroker (a private
 * rabbitmq-server on 127.0.0.1) with its state, Start/Stop, and once it
 * runs its URL (selectable, with a copy button) and its log. When the
 * broker comes up, the page's consumer and producer are pointed at it
 * (those not running: a connected one keeps its broker). Without
 * rabbitmq-server installed the bar says how to install it, and the panes
 * still take any broker's URL.
 *
 * The bar's three parts (the broker and its state; its URL; the buttons)
 * flow like words: each on the line so far when it fits, else on a new
 * line, the buttons always at the end of theirs. Wide, that is one line;
 * narrow, two or three. A message (not installed, or why a start failed,
 * with the end of the log) spans the whole width below. As on the page
 * itself, libadwaita 1.2 has no breakpoints: the bar lays its children out
 * itself, with height-for-width measuring.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "ct-broker-bar.h"
#include "ct-broker-log-window.h"
#include "ct-file-tail.h"

/* Between the parts on one line, and between lines */
#define COLUMN_SPACING 12
#define ROW_SPACING    6
/* How much of the log's end is read for a failed start, and shown */
#define TAIL_BYTES     4096
#define TAIL_LINES     8

struct _CtBrokerBar
{
  GtkWidget       parent_instance;

  /* The children, laid out by the bar */
  GtkWidget      *header_box;
  GtkWidget      *url_box;
  GtkWidget      *actions_box;
  GtkWidget      *message_box;

  GtkLabel       *state_label;
  GtkSpinner     *spinner;
  GtkLabel       *url_label;
  GtkWidget      *copy_button;
  GtkWidget      *log_button;
  GtkButton      *toggle_button;
  GtkImage       *message_icon;
  GtkLabel       *message_label;
  GtkLabel       *tail_label;

  CtProtocolPage *page;           /* (weak): the page below the bar */
  CtBroker       *broker;         /* (nullable): the application's */
  CtState         last_state;
  char           *install_error;  /* why no broker can be started here, or NULL */
  char           *start_error;    /* why the last start failed, or NULL */
  char           *tail;           /* the end of the log after that failure */
  gboolean        started;        /* a start was asked for here */
  GCancellable   *cancellable;
  GtkWindow      *log_window;     /* (weak) */
};

G_DEFINE_FINAL_TYPE (CtBrokerBar, ct_broker_bar, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PAGE,
  PROP_BROKER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* -- layout ------------------------------------------------------------- */

#define N_FLOWING 3

typedef struct
{
  GtkWidget     *widget;
  GtkAllocation  allocation;
} Placed;

/* Places the flowing parts in lines @width wide; returns the height used */
static int
flow (CtBrokerBar *self,
      int          width,
      Placed       placed[N_FLOWING])
{
  GtkWidget *parts[N_FLOWING] = { self->header_box, self->url_box, self->actions_box };
  int line_top = 0, line_height = 0, x = 0;
  guint line_start = 0, n = 0;

  for (guint i = 0; i < N_FLOWING; i++)
    {
      int nat, height;

      if (!gtk_widget_should_layout (parts[i]))
        continue;
      gtk_widget_measure (parts[i], GTK_ORIENTATION_HORIZONTAL, -1, NULL, &nat, NULL, NULL);
      nat = MIN (nat, width);
      if (n > line_start && x + COLUMN_SPACING + nat > width)
        {
          /* Center the finished line's parts in it */
          for (guint k = line_start; k < n; k++)
            placed[k].allocation.y = line_top + (line_height - placed[k].allocation.height) / 2;
          line_top += line_height + ROW_SPACING;
          line_height = 0;
          x = 0;
          line_start = n;
        }
      if (n > line_start)
        x += COLUMN_SPACING;
      gtk_widget_measure (parts[i], GTK_ORIENTATION_VERTICAL, nat, NULL, &height, NULL, NULL);
      /* The buttons go to the end of their line */
      placed[n].widget = parts[i];
      placed[n].allocation = (GtkAllocation) { parts[i] == self->actions_box ? width - nat : x, 0, nat, height };
      line_height = MAX (line_height, height);
      x += nat;
      n++;
    }
  for (guint k = line_start; k < n; k++)
    placed[k].allocation.y = line_top + (line_height - placed[k].allocation.height) / 2;
  for (guint k = n; k < N_FLOWING; k++)
    placed[k].widget = NULL;
  return line_top + line_height;
}

static void
ct_broker_bar_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  CtBrokerBar *self = CT_BROKER_BAR (widget);
  gboolean message = gtk_widget_should_layout (self->message_box);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      GtkWidget *parts[N_FLOWING] = { self->header_box, self->url_box, self->actions_box };

      /* At least each part alone on its line; at best all on one */
      *minimum = *natural = 0;
      for (guint i = 0; i < N_FLOWING; i++)
        {
          int min, nat;

          if (!gtk_widget_should_layout (parts[i]))
            continue;
          gtk_widget_measure (parts[i], orientation, -1, &min, &nat, NULL, NULL);
          *minimum = MAX (*minimum, min);
          *natural += (*natural > 0 ? COLUMN_SPACING : 0) + nat;
        }
      if (message)
        {
          int min;

          gtk_widget_measure (self->message_box, orientation, -1, &min, NULL, NULL, NULL);
          *minimum = MAX (*minimum, min);
        }
      *natural = MAX (*natural, *minimum);
    }
  else
    {
      Placed placed[N_FLOWING];
      int height = flow (self, for_size >= 0 ? for_size : G_MAXINT / 2, placed);

      *minimum = *natural = height;
      if (message)
        {
          int min, nat;

          gtk_widget_measure (self->message_box, orientation, for_size, &min, &nat, NULL, NULL);
          *minimum += ROW_SPACING + min;
          *natural += ROW_SPACING + nat;
        }
    }
}

static void
ct_broker_bar_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  CtBrokerBar *self = CT_BROKER_BAR (widget);
  Placed placed[N_FLOWING];
  int y = flow (self, width, placed);

  for (guint i = 0; i < N_FLOWING && placed[i].widget; i++)
    gtk_widget_size_allocate (placed[i].widget, &placed[i].allocation, -1);

  if (gtk_widget_should_layout (self->message_box))
    {
      int message_height;

      gtk_widget_measure (self->message_box, GTK_ORIENTATION_VERTICAL, width, &message_height, NULL, NULL, NULL);
      y += ROW_SPACING;
      gtk_widget_size_allocate (self->message_box,
                                &(GtkAllocation) { 0, y, width, MAX (message_height, height - y) }, -1);
    }
}

static GtkSizeRequestMode
ct_broker_bar_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

/* -- state -------------------------------------------------------------- */

static CtState
broker_state (CtBrokerBar *self)
{
  return self->broker ? ct_broker_get_state (self->broker) : CT_STATE_STOPPED;
}

static const char *
state_text (CtBrokerBar *self,
            CtState      state)
{
  if (self->install_error)
    return C_("broker state", "Not Installed");

  switch (state)
    {
    case CT_STATE_STOPPED:  return C_("state", "Stopped");
    case CT_STATE_STARTING: return C_("state", "Starting");
    case CT_STATE_RUNNING:  return C_("broker state", "Running");
    case CT_STATE_STOPPING: return C_("state", "Stopping");
    case CT_STATE_FAILED:   return C_("state", "Failed");
    default:                return "";
    }
}

static void
set_css_class (GtkWidget  *widget,
               const char *name,
               gboolean    set)
{
  if (set)
    gtk_widget_add_css_class (widget, name);
  else
    gtk_widget_remove_css_class (widget, name);
}

/* A message quoting a log can hold runs of blank lines: one line each */
static char *
without_blank_lines (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; lines[i]; i++)
    {
      g_strchomp (lines[i]);
      if (*lines[i] == '\0')
        continue;
      if (out->len > 0)
        g_string_append_c (out, '\n');
      g_string_append (out, lines[i]);
    }
  return g_string_free (out, FALSE);
}

static void
update_message (CtBrokerBar *self,
                CtState      state)
{
  gboolean failed = self->install_error == NULL && state == CT_STATE_FAILED && self->start_error != NULL;
  const char *message = self->install_error ? self->install_error : failed ? self->start_error : NULL;
  g_autofree char *shown = NULL;

  gtk_widget_set_visible (self->message_box, message != NULL);
  if (message == NULL)
    return;

  shown = without_blank_lines (message);
  gtk_label_set_text (self->message_label, shown);
  gtk_image_set_from_icon_name (self->message_icon,
                                failed ? "dialog-error-symbolic" : "dialog-information-symbolic");
  set_css_class (self->message_box, "error", failed);
  set_css_class (self->message_box, "info", !failed);

  gtk_label_set_text (self->tail_label, failed && self->tail ? self->tail : "");
  gtk_widget_set_visible (GTK_WIDGET (self->tail_label), failed && self->tail != NULL);
}

static void
update (CtBrokerBar *self)
{
  CtState state = broker_state (self);
  const char *url = self->broker ? ct_broker_get_url (self->broker) : NULL;
  gboolean installed = self->install_error == NULL;
  gboolean busy = state == CT_STATE_STARTING || state == CT_STATE_STOPPING;
  gboolean up = busy || state == CT_STATE_RUNNING;
  gboolean shows_url = state == CT_STATE_RUNNING && url != NULL;
  GtkWidget *pill = GTK_WIDGET (self->state_label);
  GtkWidget *toggle = GTK_WIDGET (self->toggle_button);
  const char *description = NULL;

  gtk_label_set_text (self->state_label, state_text (self, state));
  set_css_class (pill, "running", installed && state == CT_STATE_RUNNING);
  set_css_class (pill, "failed", installed && state == CT_STATE_FAILED);
  set_css_class (pill, "busy", installed && busy);

  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);

  if (shows_url)
    {
      g_autofree char *tooltip =
        g_strdup_printf (_("Node %s, listening on 127.0.0.1 only"), ct_broker_get_node_name (self->broker));

      gtk_label_set_text (self->url_label, url);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->url_label), tooltip);
    }
  else
    {
      if (!installed)
        description = NULL;   /* the message below says it all */
      else if (state == CT_STATE_STARTING)
        description = _("Starting RabbitMQ takes a few seconds…");
      else if (state != CT_STATE_STOPPING)
        description = _("A private RabbitMQ on this computer, for this page");
      gtk_label_set_text (self->url_label, description ? description : "");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->url_label), NULL);
    }
  gtk_widget_set_visible (self->url_box, shows_url || description != NULL);
  gtk_label_set_selectable (self->url_label, shows_url);
  set_css_class (GTK_WIDGET (self->url_label), "monospace", shows_url);
  set_css_class (GTK_WIDGET (self->url_label), "dim-label", !shows_url);
  gtk_widget_set_visible (self->copy_button, shows_url);

  gtk_button_set_label (self->toggle_button, up ? _("Stop Local _Broker") : _("Start Local _Broker"));
  set_css_class (toggle, "suggested-action", !up);
  set_css_class (toggle, "destructive-action", up);
  gtk_widget_set_tooltip_text (toggle, up ? _("Stop the private broker; its queues and persistent messages are kept")
                                          : _("Start a private RabbitMQ broker on 127.0.0.1 and point both panes at it"));

  gtk_widget_set_visible (self->log_button, installed && (self->started || state != CT_STATE_STOPPED));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "broker.toggle",
                                 self->broker != NULL && installed && state != CT_STATE_STOPPING);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "broker.copy-url", shows_url);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "broker.view-log", self->broker != NULL);

  update_message (self, state);
}

static gboolean
check_installed (CtBrokerBar *self)
{
  g_autoptr(GError) error = NULL;
  gboolean installed = ct_broker_is_installed (&error);

  g_clear_pointer (&self->install_error, g_free);
  if (!installed)
    self->install_error = g_strdup (error->message);
  return installed;
}

/* The page's consumer and producer connect to the broker now running,
 * unless they are connected somewhere already */
static void
point_endpoints_at_broker (CtBrokerBar *self)
{
  const char *url = self->broker ? ct_broker_get_url (self->broker) : NULL;
  guint n_clients;

  if (url == NULL || self->page == NULL)
    return;

  n_clients = ct_protocol_page_get_n_clients (self->page);
  for (guint i = 0; i <= n_clients; i++)
    {
      CtEndpointPane *pane = i == 0 ? ct_protocol_page_get_server_pane (self->page)
                                    : ct_protocol_page_get_nth_client_pane (self->page, i - 1);
      CtEndpoint *endpoint = ct_endpoint_pane_get_endpoint (pane);
      GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (endpoint), "url");

      if (pspec == NULL || G_PARAM_SPEC_VALUE_TYPE (pspec) != G_TYPE_STRING ||
          !(pspec->flags & G_PARAM_WRITABLE) || ct_endpoint_is_active (endpoint))
        continue;
      g_object_set (endpoint, "url", url, NULL);
    }
}

static void
on_broker_state (CtBrokerBar *self)
{
  CtState state = broker_state (self);

  if (state == CT_STATE_STARTING)
    {
      g_clear_pointer (&self->start_error, g_free);
      g_clear_pointer (&self->tail, g_free);
    }
  if (state == CT_STATE_RUNNING && self->last_state != CT_STATE_RUNNING)
    point_endpoints_at_broker (self);
  self->last_state = state;
  update (self);
}

/* -- actions ------------------------------------------------------------ */

static void
toast (CtBrokerBar *self,
       const char  *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

/* The broker's callbacks run whether or not the bar is still there (a
 * start takes seconds): they hold the bar weakly */
static GWeakRef *
weak_ref_new (gpointer object)
{
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  g_weak_ref_init (ref, object);
  return ref;
}

static gpointer
weak_ref_steal (GWeakRef *ref)
{
  gpointer object = g_weak_ref_get (ref);

  g_weak_ref_clear (ref);
  g_free (ref);
  return object;
}

/* The read holds no reference: it is cancelled when the bar goes */
static void
tail_read (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  CtBrokerBar *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = ct_file_tail_read_finish (result, NULL, NULL, &error);
  g_autofree char *tail = NULL;
  g_autofree char *last_line = NULL;

  if (text == NULL || self->start_error == NULL)
    return;
  tail = ct_file_tail_last_lines (text, TAIL_LINES);
  last_line = ct_file_tail_last_lines (tail, 1);
  /* Some failures quote the log's end already */
  if (*last_line == '\0' || strstr (self->start_error, last_line))
    return;
  g_free (self->tail);
  self->tail = g_steal_pointer (&tail);
  update (self);
}

static void
broker_started (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CtBrokerBar) self = weak_ref_steal (user_data);
  g_autoptr(GError) error = NULL;

  if (ct_broker_start_finish (CT_BROKER (object), result, &error) || self == NULL)
    return;
  /* Stopped while starting: nothing went wrong */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->broker != CT_BROKER (object))
    return;

  g_free (self->start_error);
  self->start_error = g_strdup (error->message);
  g_clear_pointer (&self->tail, g_free);
  update (self);
  toast (self, _("The local broker could not start"));
  ct_file_tail_read_async (ct_broker_get_log_path (self->broker), TAIL_BYTES, self->cancellable,
                           tail_read, self);
}

static void
broker_stopped (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CtBrokerBar) self = weak_ref_steal (user_data);
  g_autoptr(GError) error = NULL;

  if (!ct_broker_stop_finish (CT_BROKER (object), result, &error) && self && self->broker == CT_BROKER (object))
    {
      g_autofree char *text = g_strdup_printf (_("Could not stop the local broker: %s"), error->message);

      toast (self, text);
    }
}

static void
toggle_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CtBrokerBar *self = CT_BROKER_BAR (widget);

  if (self->broker == NULL)
    return;

  switch (ct_broker_get_state (self->broker))
    {
    case CT_STATE_STARTING:
    case CT_STATE_RUNNING:
      ct_broker_stop_async (self->broker, broker_stopped, weak_ref_new (self));
      break;

    case CT_STATE_STOPPED:
    case CT_STATE_FAILED:
      /* It may have been installed since the page was shown */
      if (!check_installed (self))
        {
          update (self);
          gtk_widget_error_bell (widget);
          return;
        }
      self->started = TRUE;
      g_clear_pointer (&self->start_error, g_free);
      g_clear_pointer (&self->tail, g_free);
      ct_broker_start_async (self->broker, NULL, broker_started, weak_ref_new (self));
      update (self);
      break;

    default:
      break;
    }
}

static void
copy_url_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  CtBrokerBar *self = CT_BROKER_BAR (widget);
  const char *url = self->broker ? ct_broker_get_url (self->broker) : NULL;

  if (url == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), url);
  toast (self, _("Broker URL copied"));
}

static void
view_log_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  CtBrokerBar *self = CT_BROKER_BAR (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWindow *window;

  if (self->broker == NULL)
    return;
  if (self->log_window)
    {
      gtk_window_present (self->log_window);
      return;
    }

  window = GTK_WINDOW (ct_broker_log_window_new (self->broker));
  if (GTK_IS_WINDOW (root))
    {
      gtk_window_set_transient_for (window, GTK_WINDOW (root));
      gtk_window_set_destroy_with_parent (window, TRUE);
    }
  g_set_weak_pointer (&self->log_window, window);
  gtk_window_present (window);
}

/* -- public ------------------------------------------------------------- */

/**
 * ct_broker_bar_new:
 * @page: the RabbitMQ page, whose endpoints are pointed at the broker
 *
 * The bar shows nothing until it is given a broker.
 */
GtkWidget *
ct_broker_bar_new (CtProtocolPage *page)
{
  return g_object_new (CT_TYPE_BROKER_BAR, "page", page, NULL);
}

CtProtocolPage *
ct_broker_bar_get_page (CtBrokerBar *self)
{
  g_return_val_if_fail (CT_IS_BROKER_BAR (self), NULL);
  return self->page;
}

CtBroker *
ct_broker_bar_get_broker (CtBrokerBar *self)
{
  g_return_val_if_fail (CT_IS_BROKER_BAR (self), NULL);
  return self->broker;
}

/**
 * ct_broker_bar_set_broker:
 * @broker: (nullable): the application's broker; %NULL hides the bar
 */
void
ct_broker_bar_set_broker (CtBrokerBar *self,
                          CtBroker    *broker)
{
  g_return_if_fail (CT_IS_BROKER_BAR (self));
  g_return_if_fail (broker == NULL || CT_IS_BROKER (broker));

  if (self->broker == broker)
    return;

  if (self->broker)
    g_signal_handlers_disconnect_by_data (self->broker, self);
  g_set_object (&self->broker, broker);
  g_clear_pointer (&self->start_error, g_free);
  g_clear_pointer (&self->tail, g_free);
  self->started = FALSE;
  if (self->log_window)
    gtk_window_destroy (self->log_window);

  if (broker)
    {
      g_signal_connect_swapped (broker, "notify::state", G_CALLBACK (on_broker_state), self);
      g_signal_connect_swapped (broker, "notify::url", G_CALLBACK (update), self);
      check_installed (self);
      self->last_state = ct_broker_get_state (broker);
      /* Already running (for another window) */
      if (self->last_state == CT_STATE_RUNNING)
        point_endpoints_at_broker (self);
    }
  gtk_widget_set_visible (GTK_WIDGET (self), broker != NULL);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BROKER]);
}

/* -- GObject ------------------------------------------------------------ */

static void
ct_broker_bar_map (GtkWidget *widget)
{
  CtBrokerBar *self = CT_BROKER_BAR (widget);

  GTK_WIDGET_CLASS (ct_broker_bar_parent_class)->map (widget);

  /* Installed meanwhile? */
  if (self->broker && self->install_error && check_installed (self))
    update (self);
}

static void
ct_broker_bar_dispose (GObject *object)
{
  CtBrokerBar *self = CT_BROKER_BAR (object);

  g_cancellable_cancel (self->cancellable);
  if (self->broker)
    g_signal_handlers_disconnect_by_data (self->broker, self);
  g_clear_object (&self->broker);
  if (self->log_window)
    gtk_window_destroy (self->log_window);
  g_clear_weak_pointer (&self->log_window);
  g_clear_weak_pointer (&self->page);
  gtk_widget_dispose_template (GTK_WIDGET (self), CT_TYPE_BROKER_BAR);

  G_OBJECT_CLASS (ct_broker_bar_parent_class)->dispose (object);
}

static void
ct_broker_bar_finalize (GObject *object)
{
  CtBrokerBar *self = CT_BROKER_BAR (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->install_error, g_free);
  g_clear_pointer (&self->start_error, g_free);
  g_clear_pointer (&self->tail, g_free);

  G_OBJECT_CLASS (ct_broker_bar_parent_class)->finalize (object);
}

static void
ct_broker_bar_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CtBrokerBar *self = CT_BROKER_BAR (object);

  switch (prop_id)
    {
    case PROP_PAGE:
      g_value_set_object (value, self->page);
      break;

    case PROP_BROKER:
      g_value_set_object (value, self->broker);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_broker_bar_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  CtBrokerBar *self = CT_BROKER_BAR (object);

  switch (prop_id)
    {
    case PROP_PAGE:
      g_set_weak_pointer (&self->page, g_value_get_object (value));
      break;

    case PROP_BROKER:
      ct_broker_bar_set_broker (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_broker_bar_class_init (CtBrokerBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ct_broker_bar_dispose;
  object_class->finalize = ct_broker_bar_finalize;
  object_class->get_property = ct_broker_bar_get_property;
  object_class->set_property = ct_broker_bar_set_property;

  widget_class->measure = ct_broker_bar_measure;
  widget_class->size_allocate = ct_broker_bar_size_allocate;
  widget_class->get_request_mode = ct_broker_bar_get_request_mode;
  widget_class->map = ct_broker_bar_map;

  properties[PROP_PAGE] =
    g_param_spec_object ("page", "Page", "The page whose endpoints use the broker",
                         CT_TYPE_PROTOCOL_PAGE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BROKER] =
    g_param_spec_object ("broker", "Broker", "The private broker shown",
                         CT_TYPE_BROKER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ct-broker-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, CtBrokerBar, header_box);
  gtk_widget_class_bind_template_child (widget_class, CtBrokerBar, url_box);
  gtk_widget_class_bind_template_child (widget_class, CtBrokerBar, actions_box);
  gtk_widget_class_bind_template_child (widget_class, CtBrokerBar, message_box);
  gtk_widget_class_bind_template_child (widget_class, CtBrokerBar, state_label);
  gtk_widget_class_bind_template_child (widget_class, CtBrokerBar, spinner);
  gtk_widget_class_bind_template_child (widget_class, CtBrokerBar, url_label);
  gtk_widget_class_bind_template_child (widget_class, CtBrokerBar, copy_button);
  gtk_widget_class_bind_template_child (widget_class, CtBrokerBar, log_button);
  gtk_widget_class_bind_template_child (widget_class, CtBrokerBar, toggle_button);
  gtk_widget_class_bind_template_child (widget_class, CtBrokerBar, message_icon);
  gtk_widget_class_bind_template_child (widget_class, CtBrokerBar, message_label);
  gtk_widget_class_bind_template_child (widget_class, CtBrokerBar, tail_label);

  gtk_widget_class_install_action (widget_class, "broker.toggle", NULL, toggle_action);
  gtk_widget_class_install_action (widget_class, "broker.copy-url", NULL, copy_url_action);
  gtk_widget_class_install_action (widget_class, "broker.view-log", NULL, view_log_action);

  gtk_widget_class_set_css_name (widget_class, "ctbrokerbar");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
ct_broker_bar_init (CtBrokerBar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Local Broker"), -1);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  update (self);
}
