/* ct-endpoint-pane.c — one endpoint: settings, start/stop, composer, log
 *
 * The settings form is generated from the endpoint's settings (its
 * CT_PARAM_SETTING properties): text → entry row, number → spin button,
 * yes/no → switch, choice → combo row, each bound both ways to the
 * property. Settings that cannot change while running are locked then.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "ct-connection-list.h"
#include "ct-endpoint-pane.h"
#include "ct-log-view.h"

struct _CtEndpointPane
{
  GtkWidget             parent_instance;

  GtkWidget            *box;           /* the only child: bound so dispose_template unparents it */
  GtkBox               *header_box;
  GtkLabel             *title_label;
  GtkLabel             *state_label;
  GtkLabel             *address_label;
  GtkButton            *toggle_button;
  GtkButton            *use_server_button;
  GtkRevealer          *error_revealer;
  GtkLabel             *error_label;
  GtkWidget            *settings_scroller;
  AdwPreferencesGroup  *settings_group;
  GtkEntry             *composer;
  GtkButton            *send_button;
  GtkButton            *half_close_button;
  CtLogView            *log_view;

  CtEndpoint           *endpoint;
  CtEndpoint           *server;        /* client panes: the page's server */
  char                 *title;
  GPtrArray            *locked_rows;   /* rows insensitive while running */
  GtkFileChooserNative *chooser;
  CtExportFormat        chooser_format;
};

G_DEFINE_FINAL_TYPE (CtEndpointPane, ct_endpoint_pane, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ENDPOINT,
  PROP_TITLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* -- the settings form -------------------------------------------------- */

static const char *
setting_title (GParamSpec *pspec)
{
  return g_dgettext (GETTEXT_PACKAGE, g_param_spec_get_nick (pspec));
}

static const char *
setting_blurb (GParamSpec *pspec)
{
  return g_dgettext (GETTEXT_PACKAGE, g_param_spec_get_blurb (pspec));
}

static gboolean
enum_to_position (GBinding     *binding,
                  const GValue *from,
                  GValue       *to,
                  gpointer      user_data)
{
  AdwEnumListModel *model = user_data;

  g_value_set_uint (to, adw_enum_list_model_find_position (model, g_value_get_enum (from)));
  return TRUE;
}

static gboolean
position_to_enum (GBinding     *binding,
                  const GValue *from,
                  GValue       *to,
                  gpointer      user_data)
{
  AdwEnumListModel *model = user_data;
  g_autoptr(AdwEnumListItem) item = g_list_model_get_item (G_LIST_MODEL (model), g_value_get_uint (from));

  if (item == NULL)
    return FALSE;
  g_value_set_enum (to, adw_enum_list_item_get_value (item));
  return TRUE;
}

static GtkWidget *
create_setting_row (CtEndpointPane *self,
                    GParamSpec     *pspec)
{
  GObject *endpoint = G_OBJECT (self->endpoint);
  GType fundamental = G_TYPE_FUNDAMENTAL (pspec->value_type);
  GtkWidget *row;

  if (fundamental == G_TYPE_STRING)
    {
      row = adw_entry_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), setting_title (pspec));
      g_object_bind_property (endpoint, pspec->name, row, "text",
                              G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
    }
  else if (fundamental == G_TYPE_BOOLEAN)
    {
      GtkWidget *toggle = gtk_switch_new ();

      row = adw_action_row_new ();
      gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), setting_title (pspec));
      g_object_bind_property (endpoint, pspec->name, toggle, "active",
                              G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
    }
  else if (fundamental == G_TYPE_UINT || fundamental == G_TYPE_INT)
    {
      GtkWidget *spin;

      if (fundamental == G_TYPE_UINT)
        spin = gtk_spin_button_new_with_range (G_PARAM_SPEC_UINT (pspec)->minimum,
                                               G_PARAM_SPEC_UINT (pspec)->maximum, 1);
      else
        spin = gtk_spin_button_new_with_range (G_PARAM_SPEC_INT (pspec)->minimum,
                                               G_PARAM_SPEC_INT (pspec)->maximum, 1);

      row = adw_action_row_new ();
      gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
      gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      setting_title (pspec), -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), setting_title (pspec));
      g_object_bind_property (endpoint, pspec->name, spin, "value",
                              G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
    }
  else if (fundamental == G_TYPE_ENUM)
    {
      g_autoptr(AdwEnumListModel) model = adw_enum_list_model_new (pspec->value_type);
      g_autoptr(GtkExpression) expression =
        gtk_property_expression_new (ADW_TYPE_ENUM_LIST_ITEM, NULL, "nick");

      row = adw_combo_row_new ();
      adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (model));
      adw_combo_row_set_expression (ADW_COMBO_ROW (row), expression);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), setting_title (pspec));
      g_object_bind_property_full (endpoint, pspec->name, row, "selected",
                                   G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                                   enum_to_position, position_to_enum,
                                   g_object_ref (model), g_object_unref);
    }
  else
    return NULL;

  gtk_widget_set_tooltip_text (row, setting_blurb (pspec));
  gtk_widget_set_name (row, pspec->name);
  return row;
}

static void
build_settings_form (CtEndpointPane *self)
{
  g_autofree GParamSpec **settings =
    ct_endpoint_class_list_settings (CT_ENDPOINT_GET_CLASS (self->endpoint), NULL);

  for (guint i = 0; settings[i]; i++)
    {
      GtkWidget *row = create_setting_row (self, settings[i]);

      if (row == NULL)
        continue;
      adw_preferences_group_add (self->settings_group, row);
      if (!(settings[i]->flags & CT_PARAM_LIVE))
        g_ptr_array_add (self->locked_rows, row);
    }
}

/* -- state -------------------------------------------------------------- */

/* Running, or reconnecting by itself: sends and commands are accepted */
static gboolean
is_up (CtState state)
{
  return state == CT_STATE_RUNNING || state == CT_STATE_RECONNECTING;
}

static void
update_state (CtEndpointPane *self)
{
  CtState state = ct_endpoint_get_state (self->endpoint);
  gboolean server = ct_endpoint_get_role (self->endpoint) == CT_ROLE_SERVER;
  gboolean active = ct_endpoint_is_active (self->endpoint);
  const char *state_text = NULL;
  const char *button_text;
  const char *address = ct_endpoint_get_address (self->endpoint);

  switch (state)
    {
    case CT_STATE_STOPPED:  state_text = C_("state", "Stopped"); break;
    case CT_STATE_STARTING: state_text = server ? C_("state", "Starting") : C_("state", "Connecting"); break;
    case CT_STATE_RUNNING:
      if (server)
        state_text = C_("state", "Listening");
      else if (ct_endpoint_can_shutdown_write (self->endpoint))
        state_text = C_("state", "Connected");
      else
        state_text = C_("state", "Ready");
      break;
    case CT_STATE_STOPPING: state_text = C_("state", "Stopping"); break;
    case CT_STATE_FAILED:   state_text = C_("state", "Failed"); break;
    case CT_STATE_RECONNECTING: state_text = C_("state", "Reconnecting"); break;
    default:
      {
        /* A state added later is shown by its name rather than fatal */
        GEnumClass *states = g_type_class_ref (CT_TYPE_STATE);
        GEnumValue *value = g_enum_get_value (states, state);

        state_text = value ? value->value_nick : "";
        g_type_class_unref (states);
      }
      break;
    }
  gtk_label_set_text (self->state_label, state_text);
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), "running");
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), "failed");
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), "busy");
  if (state == CT_STATE_RUNNING)
    gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "running");
  else if (state == CT_STATE_FAILED)
    gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "failed");
  else if (state == CT_STATE_STARTING || state == CT_STATE_STOPPING || state == CT_STATE_RECONNECTING)
    gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "busy");

  if (active)
    button_text = server ? _("_Stop") : _("_Disconnect");
  else
    button_text = server ? _("_Start") : _("_Connect");
  gtk_button_set_label (self->toggle_button, button_text);
  gtk_button_set_use_underline (self->toggle_button, TRUE);
  if (active)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->toggle_button), "suggested-action");
      gtk_widget_add_css_class (GTK_WIDGET (self->toggle_button), "destructive-action");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->toggle_button), "destructive-action");
      gtk_widget_add_css_class (GTK_WIDGET (self->toggle_button), "suggested-action");
    }

  gtk_label_set_text (self->address_label, address && state == CT_STATE_RUNNING ? address : "");
  /* The whole address, when a narrow pane cuts it */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->address_label), address && state == CT_STATE_RUNNING ? address : NULL);

  for (guint i = 0; i < self->locked_rows->len; i++)
    gtk_widget_set_sensitive (self->locked_rows->pdata[i], !active);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pane.toggle",
                                 state != CT_STATE_STARTING && state != CT_STATE_STOPPING);
  /* A client that reconnects by itself keeps what is sent meanwhile */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pane.send", is_up (state));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pane.shutdown-write",
                                 state == CT_STATE_RUNNING && ct_endpoint_can_shutdown_write (self->endpoint));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pane.command", is_up (state));
}

/* The composer says at once when a line would be refused */
static void
check_composer (CtEndpointPane *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->composer));
  g_autoptr(GError) error = NULL;

  if (*text == '\0' || ct_endpoint_check_text (self->endpoint, text, &error))
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->composer), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->composer), NULL);
      return;
    }

  gtk_widget_add_css_class (GTK_WIDGET (self->composer), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->composer), error->message);
}

/* Where the server's composer sends: the `reply-to` peer, or its default */
static void
update_composer_hint (CtEndpointPane *self)
{
  g_autofree char *reply_to = NULL;
  g_autofree char *hint = NULL;

  if (ct_endpoint_get_role (self->endpoint) != CT_ROLE_SERVER)
    {
      const CtProtocol *protocol = ct_protocol_lookup (ct_endpoint_get_protocol_id (self->endpoint));

      gtk_entry_set_placeholder_text (self->composer, protocol && protocol->composer_hint
                                                      ? g_dgettext (GETTEXT_PACKAGE, protocol->composer_hint)
                                                      : _("Message to send…"));
      return;
    }

  if (g_object_class_find_property (G_OBJECT_GET_CLASS (self->endpoint), "reply-to"))
    g_object_get (self->endpoint, "reply-to", &reply_to, NULL);

  if (reply_to && *reply_to)
    hint = g_strdup_printf (_("Reply to %s…"), reply_to);
  else if (ct_endpoint_lists_connections (self->endpoint))
    hint = g_strdup (_("Send to every open connection…"));
  else
    hint = g_strdup (_("Reply to the last peer…"));
  gtk_entry_set_placeholder_text (self->composer, hint);
}

static void
update_use_server (CtEndpointPane *self)
{
  gboolean enabled = self->server != NULL &&
                     ct_endpoint_get_state (self->server) == CT_STATE_RUNNING &&
                     !ct_endpoint_is_active (self->endpoint);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pane.use-local-server", enabled);
}

static void
update_error (CtEndpointPane *self)
{
  const char *error = ct_endpoint_get_error (self->endpoint);

  if (error)
    gtk_label_set_text (self->error_label, error);
  gtk_revealer_set_reveal_child (self->error_revealer, error != NULL);
}

/* -- actions ------------------------------------------------------------ */

static void
start_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  /* Failures are in the log, the pane and a toast already */
  ct_endpoint_start_finish (CT_ENDPOINT (object), result, NULL);
}

static void
stop_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  ct_endpoint_stop_finish (CT_ENDPOINT (object), result, NULL);
}

static void
toggle_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CtEndpointPane *self = CT_ENDPOINT_PANE (widget);

  if (ct_endpoint_is_active (self->endpoint))
    ct_endpoint_stop_async (self->endpoint, stop_cb, NULL);
  else
    ct_endpoint_start_async (self->endpoint, start_cb, NULL);   /* clears the error */
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CtEndpointPane *self = CT_ENDPOINT_PANE (widget);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->composer));

  /* On failure the entry keeps the text, so nothing typed is lost */
  if (ct_endpoint_send_text (self->endpoint, text, NULL))
    gtk_editable_set_text (GTK_EDITABLE (self->composer), "");
}

static void
shutdown_write_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  CtEndpointPane *self = CT_ENDPOINT_PANE (widget);

  /* Errors are logged and shown by the endpoint */
  ct_endpoint_shutdown_write (self->endpoint, NULL);
}

/* pane.command(name): one of the protocol's own commands */
static void
command_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CtEndpointPane *self = CT_ENDPOINT_PANE (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  const CtEndpointCommand *commands = CT_ENDPOINT_GET_CLASS (self->endpoint)->commands;
  gboolean uses_composer = FALSE;

  for (guint i = 0; commands && commands[i].name; i++)
    if (g_str_equal (commands[i].name, name))
      uses_composer = commands[i].uses_composer;

  if (ct_endpoint_run_command (self->endpoint, name,
                               uses_composer ? gtk_editable_get_text (GTK_EDITABLE (self->composer)) : NULL,
                               NULL) && uses_composer)
    gtk_editable_set_text (GTK_EDITABLE (self->composer), "");
}

/* A button per command, after Send */
static void
add_command_buttons (CtEndpointPane *self)
{
  const CtEndpointCommand *commands = CT_ENDPOINT_GET_CLASS (self->endpoint)->commands;
  GtkWidget *after = GTK_WIDGET (self->send_button);

  for (guint i = 0; commands && commands[i].name; i++)
    {
      GtkWidget *button = gtk_button_new_with_mnemonic (g_dgettext (GETTEXT_PACKAGE, commands[i].label));

      gtk_widget_set_tooltip_text (button, g_dgettext (GETTEXT_PACKAGE, commands[i].tooltip));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "pane.command");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", commands[i].name);
      gtk_box_insert_child_after (GTK_BOX (gtk_widget_get_parent (after)), button, after);
      after = button;
    }
}

static GtkWidget *
create_catalog_row (gpointer item,
                    gpointer user_data)
{
  CtCatalogItem *entry = item;
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = g_markup_printf_escaped ("<tt>%s</tt>  <small>%s</small>",
                                                   ct_catalog_item_get_name (entry),
                                                   ct_catalog_item_get_signature (entry));

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), TRUE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), ct_catalog_item_get_description (entry));
  return row;
}

/* What the server offers (its methods...), below its settings */
static void
add_catalog (CtEndpointPane *self)
{
  const char *title = CT_ENDPOINT_GET_CLASS (self->endpoint)->catalog_title;
  GtkWidget *expander, *scroller, *list;

  if (title == NULL)
    return;

  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_list_box_bind_model (GTK_LIST_BOX (list), ct_endpoint_get_catalog (self->endpoint),
                           create_catalog_row, NULL, NULL);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 160);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list);
  gtk_widget_set_margin_top (scroller, 6);

  expander = gtk_expander_new (g_dgettext (GETTEXT_PACKAGE, title));
  gtk_expander_set_child (GTK_EXPANDER (expander), scroller);
  gtk_box_insert_child_after (GTK_BOX (self->box), expander, self->settings_scroller);
}

static void
on_composer_activate (CtEndpointPane *self)
{
  if (is_up (ct_endpoint_get_state (self->endpoint)))
    gtk_widget_activate_action (GTK_WIDGET (self), "pane.send", NULL);
  else
    gtk_widget_error_bell (GTK_WIDGET (self));
}

static void
clear_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  ct_message_log_clear (ct_endpoint_get_log (CT_ENDPOINT_PANE (widget)->endpoint));
}

static void
dismiss_error_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  gtk_revealer_set_reveal_child (CT_ENDPOINT_PANE (widget)->error_revealer, FALSE);
}

static void
use_local_server_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  CtEndpointPane *self = CT_ENDPOINT_PANE (widget);

  if (self->server)
    ct_endpoint_use_server (self->endpoint, self->server);
}

static void
toast (CtEndpointPane *self,
       const char     *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

static void
export_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CtEndpointPane) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean csv = g_async_result_is_tagged (result, ct_csv_export_async);

  if (!(csv ? ct_csv_export_finish (result, &error) : ct_jsonl_export_finish (result, &error)))
    {
      g_autofree char *text = g_strdup_printf (_("Could not export the log: %s"), error->message);
      toast (self, text);
      return;
    }
  toast (self, _("Log exported"));
}

/**
 * ct_endpoint_pane_export:
 *
 * Writes the pane's whole log to @file as JSON Lines or CSV, in a worker
 * thread; says how it went in a toast.
 */
void
ct_endpoint_pane_export (CtEndpointPane *self,
                         GFile          *file,
                         CtExportFormat  format)
{
  CtMessageLog *log;
  const char *protocol;
  const char *role;

  g_return_if_fail (CT_IS_ENDPOINT_PANE (self));
  g_return_if_fail (G_IS_FILE (file));

  log = ct_endpoint_get_log (self->endpoint);
  protocol = ct_endpoint_get_protocol_id (self->endpoint);
  role = ct_role_to_string (ct_endpoint_get_role (self->endpoint));
  ct_message_log_flush (log);
  if (format == CT_EXPORT_CSV)
    ct_csv_export_async (log, protocol, role, file, NULL, export_cb, g_object_ref (self));
  else
    ct_jsonl_export_async (log, protocol, role, file, NULL, export_cb, g_object_ref (self));
}

static void
on_chooser_response (GtkNativeDialog *dialog,
                     int              response,
                     CtEndpointPane  *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      ct_endpoint_pane_export (self, file, self->chooser_format);
    }
  g_clear_object (&self->chooser);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CtEndpointPane *self = CT_ENDPOINT_PANE (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *name = NULL;
  GtkRoot *root = gtk_widget_get_root (widget);
  gboolean csv = g_str_equal (action_name, "pane.export-csv");

  if (self->chooser)
    return;

  self->chooser_format = csv ? CT_EXPORT_CSV : CT_EXPORT_JSON_LINES;
  self->chooser = gtk_file_chooser_native_new (_("Export Log"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Export"), _("_Cancel"));
  gtk_file_filter_set_name (filter, csv ? _("CSV") : _("JSON Lines"));
  gtk_file_filter_add_pattern (filter, csv ? "*.csv" : "*.jsonl");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  name = g_strdup_printf ("crosstalk-%s-%s.%s", ct_endpoint_get_protocol_id (self->endpoint),
                          ct_role_to_string (ct_endpoint_get_role (self->endpoint)),
                          csv ? "csv" : "jsonl");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* Ctrl+F, Ctrl+P, Ctrl+I and Ctrl+Shift+R anywhere in the pane act on its log */
static gboolean
forward_to_log (GtkWidget *widget,
                GVariant  *args,
                gpointer   user_data)
{
  CtEndpointPane *self = CT_ENDPOINT_PANE (widget);

  return gtk_widget_activate_action (GTK_WIDGET (self->log_view), g_variant_get_string (args, NULL), NULL);
}

/* -- public ------------------------------------------------------------- */

GtkWidget *
ct_endpoint_pane_new (CtEndpoint *endpoint,
                      const char *title)
{
  return g_object_new (CT_TYPE_ENDPOINT_PANE,
                       "endpoint", endpoint,
                       "title", title,
                       NULL);
}

CtEndpoint *
ct_endpoint_pane_get_endpoint (CtEndpointPane *self)
{
  g_return_val_if_fail (CT_IS_ENDPOINT_PANE (self), NULL);
  return self->endpoint;
}

/**
 * ct_endpoint_pane_set_server:
 * @server: the server endpoint of the same page
 *
 * Makes this (client) pane offer "Use Local Server".
 */
void
ct_endpoint_pane_set_server (CtEndpointPane *self,
                             CtEndpoint     *server)
{
  g_return_if_fail (CT_IS_ENDPOINT_PANE (self));

  if (self->server)
    g_signal_handlers_disconnect_by_data (self->server, self);
  g_set_object (&self->server, server);
  if (server)
    g_signal_connect_swapped (server, "notify::state", G_CALLBACK (update_use_server), self);
  gtk_widget_set_visible (GTK_WIDGET (self->use_server_button), server != NULL);
  update_use_server (self);
}

const char *
ct_endpoint_pane_get_title (CtEndpointPane *self)
{
  g_return_val_if_fail (CT_IS_ENDPOINT_PANE (self), NULL);
  return self->title;
}

/**
 * ct_endpoint_pane_set_title:
 *
 * Renames the pane: a page with several clients numbers them or shows
 * their nicknames.
 */
void
ct_endpoint_pane_set_title (CtEndpointPane *self,
                            const char     *title)
{
  g_return_if_fail (CT_IS_ENDPOINT_PANE (self));

  if (g_strcmp0 (self->title, title) == 0)
    return;
  g_free (self->title);
  self->title = g_strdup (title);
  gtk_label_set_text (self->title_label, title ? title : "");
  /* A short title is never cut (the address gives way first); a long
   * nickname may be, down to a dozen characters */
  if (g_utf8_strlen (title ? title : "", -1) > 12)
    {
      gtk_label_set_ellipsize (self->title_label, PANGO_ELLIPSIZE_END);
      gtk_label_set_width_chars (self->title_label, 12);
    }
  else
    {
      gtk_label_set_ellipsize (self->title_label, PANGO_ELLIPSIZE_NONE);
      gtk_label_set_width_chars (self->title_label, -1);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

/**
 * ct_endpoint_pane_add_header_widget:
 *
 * Adds @widget at the end of the pane's title row (after Start/Stop): the
 * page's Remove button for one of several clients.
 */
void
ct_endpoint_pane_add_header_widget (CtEndpointPane *self,
                                    GtkWidget      *widget)
{
  g_return_if_fail (CT_IS_ENDPOINT_PANE (self));
  g_return_if_fail (GTK_IS_WIDGET (widget));

  gtk_box_append (self->header_box, widget);
}

CtLogView *
ct_endpoint_pane_get_log_view (CtEndpointPane *self)
{
  g_return_val_if_fail (CT_IS_ENDPOINT_PANE (self), NULL);
  return self->log_view;
}

void
ct_endpoint_pane_set_composer_text (CtEndpointPane *self,
                                    const char     *text)
{
  g_return_if_fail (CT_IS_ENDPOINT_PANE (self));
  gtk_editable_set_text (GTK_EDITABLE (self->composer), text);
}

const char *
ct_endpoint_pane_get_composer_text (CtEndpointPane *self)
{
  g_return_val_if_fail (CT_IS_ENDPOINT_PANE (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->composer));
}

/**
 * ct_endpoint_pane_compose_from:
 *
 * Puts @message's payload in the composer, ready to send again: as text
 * when it is text, else as hex bytes (and the endpoint's `format` setting,
 * when it has one, follows).
 */
void
ct_endpoint_pane_compose_from (CtEndpointPane *self,
                               CtMessage      *message)
{
  g_autofree char *text = NULL;
  gboolean has_format;
  CtPayloadFormat format;

  g_return_if_fail (CT_IS_ENDPOINT_PANE (self));
  g_return_if_fail (CT_IS_MESSAGE (message));

  has_format = g_object_class_find_property (G_OBJECT_GET_CLASS (self->endpoint), "format") != NULL;
  text = ct_endpoint_dup_composer_text (self->endpoint, message, &format);
  if (has_format)
    g_object_set (self->endpoint, "format", format, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->composer), text);
  gtk_widget_grab_focus (GTK_WIDGET (self->composer));
  gtk_editable_set_position (GTK_EDITABLE (self->composer), -1);
}

void
ct_endpoint_pane_focus_composer (CtEndpointPane *self)
{
  g_return_if_fail (CT_IS_ENDPOINT_PANE (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->composer));
}

/* -- GObject ------------------------------------------------------------ */

/* Every error is a toast and (again) shows in the bar, even when it is the
 * same sentence as the last one */
static void
on_error_reported (CtEndpointPane *self,
                   const char     *message)
{
  toast (self, message);
  update_error (self);
}

static void
ct_endpoint_pane_constructed (GObject *object)
{
  CtEndpointPane *self = CT_ENDPOINT_PANE (object);
  gboolean server = ct_endpoint_get_role (self->endpoint) == CT_ROLE_SERVER;

  G_OBJECT_CLASS (ct_endpoint_pane_parent_class)->constructed (object);

  build_settings_form (self);
  ct_log_view_set_endpoint (self->log_view, self->endpoint);

  gtk_button_set_label (self->send_button, server ? _("Reply") : _("Send"));
  gtk_widget_set_visible (GTK_WIDGET (self->half_close_button),
                          ct_endpoint_can_shutdown_write (self->endpoint));
  if (ct_endpoint_lists_connections (self->endpoint))
    gtk_box_insert_child_after (GTK_BOX (self->box), ct_connection_list_new (self->endpoint),
                                self->settings_scroller);
  update_composer_hint (self);
  add_command_buttons (self);
  add_catalog (self);
  /* A server that only answers (JSON-RPC) has nothing to compose */
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->composer)),
                          CT_ENDPOINT_GET_CLASS (self->endpoint)->send_text != NULL);
  if (CT_ENDPOINT_GET_CLASS (self->endpoint)->check_text)
    g_signal_connect_object (self->composer, "changed", G_CALLBACK (check_composer), self, G_CONNECT_SWAPPED);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->composer), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  server ? _("Reply") : _("Message"), -1);

  g_signal_connect_object (self->endpoint, "notify::state", G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->endpoint, "notify::state", G_CALLBACK (update_use_server), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->endpoint, "notify::address", G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->endpoint, "notify::error", G_CALLBACK (update_error), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->endpoint, "error-reported", G_CALLBACK (on_error_reported), self, G_CONNECT_SWAPPED);
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (self->endpoint), "reply-to"))
    g_signal_connect_object (self->endpoint, "notify::reply-to", G_CALLBACK (update_composer_hint), self, G_CONNECT_SWAPPED);

  update_state (self);
  update_use_server (self);
}

static void
ct_endpoint_pane_dispose (GObject *object)
{
  CtEndpointPane *self = CT_ENDPOINT_PANE (object);

  ct_endpoint_pane_set_server (self, NULL);
  if (self->chooser)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), CT_TYPE_ENDPOINT_PANE);
  g_clear_object (&self->endpoint);

  G_OBJECT_CLASS (ct_endpoint_pane_parent_class)->dispose (object);
}

static void
ct_endpoint_pane_finalize (GObject *object)
{
  CtEndpointPane *self = CT_ENDPOINT_PANE (object);

  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->locked_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (ct_endpoint_pane_parent_class)->finalize (object);
}

static void
ct_endpoint_pane_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CtEndpointPane *self = CT_ENDPOINT_PANE (object);

  switch (prop_id)
    {
    case PROP_ENDPOINT:
      g_value_set_object (value, self->endpoint);
      break;

    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_endpoint_pane_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  CtEndpointPane *self = CT_ENDPOINT_PANE (object);

  switch (prop_id)
    {
    case PROP_ENDPOINT:
      self->endpoint = g_value_dup_object (value);
      break;

    case PROP_TITLE:
      ct_endpoint_pane_set_title (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_endpoint_pane_class_init (CtEndpointPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ct_endpoint_pane_constructed;
  object_class->dispose = ct_endpoint_pane_dispose;
  object_class->finalize = ct_endpoint_pane_finalize;
  object_class->get_property = ct_endpoint_pane_get_property;
  object_class->set_property = ct_endpoint_pane_set_property;

  properties[PROP_ENDPOINT] =
    g_param_spec_object ("endpoint", "Endpoint", "The endpoint this pane shows",
                         CT_TYPE_ENDPOINT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", "Title", "Server, Client...",
                         NULL, G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CT_TYPE_LOG_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ct-endpoint-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, CtEndpointPane, box);
  gtk_widget_class_bind_template_child (widget_class, CtEndpointPane, header_box);
  gtk_widget_class_bind_template_child (widget_class, CtEndpointPane, title_label);
  gtk_widget_class_bind_template_child (widget_class, CtEndpointPane, state_label);
  gtk_widget_class_bind_template_child (widget_class, CtEndpointPane, address_label);
  gtk_widget_class_bind_template_child (widget_class, CtEndpointPane, toggle_button);
  gtk_widget_class_bind_template_child (widget_class, CtEndpointPane, use_server_button);
  gtk_widget_class_bind_template_child (widget_class, CtEndpointPane, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, CtEndpointPane, error_label);
  gtk_widget_class_bind_template_child (widget_class, CtEndpointPane, settings_scroller);
  gtk_widget_class_bind_template_child (widget_class, CtEndpointPane, settings_group);
  gtk_widget_class_bind_template_child (widget_class, CtEndpointPane, half_close_button);
  gtk_widget_class_bind_template_child (widget_class, CtEndpointPane, composer);
  gtk_widget_class_bind_template_child (widget_class, CtEndpointPane, send_button);
  gtk_widget_class_bind_template_child (widget_class, CtEndpointPane, log_view);
  gtk_widget_class_bind_template_callback (widget_class, on_composer_activate);

  gtk_widget_class_install_action (widget_class, "pane.toggle", NULL, toggle_action);
  gtk_widget_class_install_action (widget_class, "pane.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "pane.shutdown-write", NULL, shutdown_write_action);
  gtk_widget_class_install_action (widget_class, "pane.command", "s", command_action);
  gtk_widget_class_install_action (widget_class, "pane.clear", NULL, clear_action);
  gtk_widget_class_install_action (widget_class, "pane.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "pane.export-csv", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "pane.use-local-server", NULL, use_local_server_action);
  gtk_widget_class_install_action (widget_class, "pane.dismiss-error", NULL, dismiss_error_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "pane.export", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "pane.export-csv", NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, forward_to_log, "s", "log.focus-filter");
  gtk_widget_class_add_binding (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, forward_to_log, "s", "log.pause");
  gtk_widget_class_add_binding (widget_class, GDK_KEY_i, GDK_CONTROL_MASK, forward_to_log, "s", "log.show-stats");
  gtk_widget_class_add_binding (widget_class, GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK, forward_to_log, "s", "log.resend");

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ctendpointpane");
}

static void
ct_endpoint_pane_init (CtEndpointPane *self)
{
  self->locked_rows = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}
