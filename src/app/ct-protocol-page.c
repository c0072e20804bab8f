/* ct-protocol-page.c — a protocol's server and client panes side by side
 *
 * The page lays its panes out itself. With one client: side by side when
 * there is room for both, one above the other (each half the height) in a
 * narrow window. A protocol with several clients (chat participants,
 * CtProtocol.multi_client) gets a bar above its clients with Add
 * Participant, a Remove button on each client, and three layouts:
 *
 *   columns   server | client 1 | client 2 | client 3   (when all fit)
 *   split     server | one client, chosen in the bar's switcher
 *   stacked   server above, one client below            (narrow)
 *
 * libadwaita 1.2 has no breakpoints, so the choice is made in size_allocate
 * with height-for-width measuring; clients not shown are not child-visible.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "ct-protocol-page.h"

/* Below this width the panes are stacked */
#define WIDE_WIDTH       900
/* Several clients are shown side by side only when every pane gets this
 * (and its minimum): a client's title row needs about as much when it is
 * connected, so connecting does not change the layout */
#define MIN_COLUMN_WIDTH 460
#define GAP              1
#define BAR_MARGIN       12
#define MAX_CLIENTS      8

typedef enum {
  LAYOUT_COLUMNS,
  LAYOUT_SPLIT,
  LAYOUT_STACKED,
} Layout;

typedef struct
{
  CtProtocolPage *page;
  CtEndpoint     *endpoint;
  GtkWidget      *pane;
  GtkWidget      *separator;      /* before the pane */
  GtkWidget      *tab;            /* its button in the switcher (several clients) */
  GtkWidget      *remove_button;  /* (several clients) */
  guint           number;         /* "Client 2" */
} Client;

struct _CtProtocolPage
{
  GtkWidget         parent_instance;

  const CtProtocol *protocol;
  CtEndpoint       *server;
  GtkWidget        *server_pane;
  GPtrArray        *clients;      /* of Client, in order */
  guint             selected;     /* the client the switcher shows and shortcuts act on */
  gboolean          syncing_tabs;

  /* The bar above several clients */
  GtkWidget        *bar_title;    /* columns layout */
  GtkWidget        *switcher;     /* other layouts: a scroller of toggle buttons... */
  GtkWidget        *tabs;         /* ...in this linked box */
  GtkWidget        *add_button;

  guint             demo_step;
};

G_DEFINE_FINAL_TYPE (CtProtocolPage, ct_protocol_page, GTK_TYPE_WIDGET)

/* Names for the clients of a protocol with nicknames, so a demo
 * conversation reads like one; not translated: they go over the wire */
static const char *default_nicks[] = {
  "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
};

G_STATIC_ASSERT (G_N_ELEMENTS (default_nicks) >= MAX_CLIENTS);

static inline Client *
client_at (CtProtocolPage *self,
           guint           index)
{
  return g_ptr_array_index (self->clients, index);
}

static gboolean
is_multi (CtProtocolPage *self)
{
  return self->protocol->multi_client;
}

/* -- layout ------------------------------------------------------------- */

static Layout
choose_layout (CtProtocolPage *self,
               int             width)
{
  guint n = self->clients->len;
  int min_column = MIN_COLUMN_WIDTH;

  if (width < 0)
    return LAYOUT_COLUMNS;
  if (width < WIDE_WIDTH)
    return LAYOUT_STACKED;
  if (n == 1)
    return LAYOUT_COLUMNS;

  for (guint i = 0; i <= n; i++)
    {
      GtkWidget *pane = i == 0 ? self->server_pane : client_at (self, i - 1)->pane;
      int min;

      gtk_widget_measure (pane, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
      min_column = MAX (min_column, min);
    }
  return width >= (int) ((n + 1) * min_column + n * GAP) ? LAYOUT_COLUMNS : LAYOUT_SPLIT;
}

/* The width of each of @n_panes columns (the last one takes the rest) */
static int
column_width (int   width,
              guint n_panes)
{
  return (width - (int) (n_panes - 1) * GAP) / (int) n_panes;
}

/* The bar's height, margin included; 0 when there is no bar */
static int
bar_height (CtProtocolPage *self)
{
  GtkWidget *parts[] = { self->bar_title, self->switcher, self->add_button };
  int height = 0;

  if (!is_multi (self))
    return 0;
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      int nat;

      gtk_widget_measure (parts[i], GTK_ORIENTATION_VERTICAL, -1, NULL, &nat, NULL, NULL);
      height = MAX (height, nat);
    }
  return height + BAR_MARGIN;
}

/* The tallest client at @width: switching clients does not resize the page */
static void
measure_clients (CtProtocolPage *self,
                 int             width,
                 int            *minimum,
                 int            *natural)
{
  *minimum = *natural = 0;
  for (guint i = 0; i < self->clients->len; i++)
    {
      int min, nat;

      gtk_widget_measure (client_at (self, i)->pane, GTK_ORIENTATION_VERTICAL, width, &min, &nat, NULL, NULL);
      *minimum = MAX (*minimum, min);
      *natural = MAX (*natural, nat);
    }
}

static void
ct_protocol_page_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  CtProtocolPage *self = CT_PROTOCOL_PAGE (widget);
  guint n = self->clients->len;
  int smin, snat, cmin, cnat;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      gtk_widget_measure (self->server_pane, orientation, -1, &smin, &snat, NULL, NULL);
      *minimum = smin;
      *natural = snat;
      for (guint i = 0; i < n; i++)
        {
          gtk_widget_measure (client_at (self, i)->pane, orientation, -1, &cmin, &cnat, NULL, NULL);
          *minimum = MAX (*minimum, cmin);
          *natural += cnat + GAP;
        }
      if (is_multi (self))
        {
          int bmin;

          gtk_widget_measure (self->add_button, orientation, -1, &bmin, NULL, NULL, NULL);
          *minimum = MAX (*minimum, bmin + 2 * BAR_MARGIN);
        }
      *natural = MAX (*natural, WIDE_WIDTH);
    }
  else
    {
      Layout layout = choose_layout (self, for_size);
      int bar = bar_height (self);
      int server_width = for_size, client_width = for_size;

      if (for_size >= 0 && layout == LAYOUT_COLUMNS)
        server_width = client_width = column_width (for_size, n + 1);
      else if (for_size >= 0 && layout == LAYOUT_SPLIT)
        {
          server_width = (for_size - GAP) / 2;
          client_width = for_size - server_width - GAP;
        }

      gtk_widget_measure (self->server_pane, orientation, server_width, &smin, &snat, NULL, NULL);
      measure_clients (self, client_width, &cmin, &cnat);

      if (layout == LAYOUT_STACKED)
        {
          *minimum = smin + GAP + bar + cmin;
          *natural = snat + GAP + bar + cnat;
        }
      else
        {
          *minimum = MAX (smin, bar + cmin);
          *natural = MAX (snat, bar + cnat);
        }
    }
}

/* The bar across the clients' area: the title (columns) or the switcher
 * (one client at a time) on the left, Add Participant on the right */
static void
allocate_bar (CtProtocolPage *self,
              Layout          layout,
              int             x,
              int             y,
              int             width,
              int             height)
{
  int button_width, left_width, left_nat;
  GtkWidget *left = layout == LAYOUT_COLUMNS ? self->bar_title : self->switcher;

  gtk_widget_set_child_visible (self->bar_title, layout == LAYOUT_COLUMNS);
  gtk_widget_set_child_visible (self->switcher, layout != LAYOUT_COLUMNS);

  x += BAR_MARGIN;
  y += BAR_MARGIN;
  width = MAX (width - 2 * BAR_MARGIN, 0);
  height -= BAR_MARGIN;

  gtk_widget_measure (self->add_button, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &button_width, NULL, NULL);
  button_width = MIN (button_width, width);
  gtk_widget_size_allocate (self->add_button,
                            &(GtkAllocation) { x + width - button_width, y, button_width, height }, -1);

  gtk_widget_measure (left, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &left_nat, NULL, NULL);
  left_width = MIN (left_nat, MAX (width - button_width - BAR_MARGIN, 0));
  gtk_widget_size_allocate (left, &(GtkAllocation) { x, y, left_width, height }, -1);
}

static void
ct_protocol_page_size_allocate (GtkWidget *widget,
                                int        width,
                                int        height,
                                int        baseline)
{
  CtProtocolPage *self = CT_PROTOCOL_PAGE (widget);
  Layout layout = choose_layout (self, width);
  guint n = self->clients->len;
  int bar = bar_height (self);
  GtkWidget *first_separator = client_at (self, 0)->separator;
  int x, y, area_width, area_height;

  if (layout == LAYOUT_COLUMNS)
    {
      int column = column_width (width, n + 1);

      gtk_orientable_set_orientation (GTK_ORIENTABLE (first_separator), GTK_ORIENTATION_VERTICAL);
      gtk_widget_size_allocate (self->server_pane, &(GtkAllocation) { 0, 0, column, height }, -1);
      if (bar > 0)
        allocate_bar (self, layout, column + GAP, 0, width - column - GAP, bar);

      x = column;
      for (guint i = 0; i < n; i++)
        {
          Client *client = client_at (self, i);
          int pane_width = i == n - 1 ? width - x - GAP : column;
          int top = i == 0 ? 0 : bar;

          gtk_widget_set_child_visible (client->separator, TRUE);
          gtk_widget_set_child_visible (client->pane, TRUE);
          gtk_widget_size_allocate (client->separator, &(GtkAllocation) { x, top, GAP, height - top }, -1);
          gtk_widget_size_allocate (client->pane, &(GtkAllocation) { x + GAP, bar, pane_width, height - bar }, -1);
          x += GAP + pane_width;
        }
      return;
    }

  if (layout == LAYOUT_SPLIT)
    {
      int left = (width - GAP) / 2;

      gtk_orientable_set_orientation (GTK_ORIENTABLE (first_separator), GTK_ORIENTATION_VERTICAL);
      gtk_widget_size_allocate (self->server_pane, &(GtkAllocation) { 0, 0, left, height }, -1);
      gtk_widget_size_allocate (first_separator, &(GtkAllocation) { left, 0, GAP, height }, -1);
      x = left + GAP;
      y = 0;
      area_width = width - x;
      area_height = height;
    }
  else
    {
      int top = (height - GAP) / 2;

      gtk_orientable_set_orientation (GTK_ORIENTABLE (first_separator), GTK_ORIENTATION_HORIZONTAL);
      gtk_widget_size_allocate (self->server_pane, &(GtkAllocation) { 0, 0, width, top }, -1);
      gtk_widget_size_allocate (first_separator, &(GtkAllocation) { 0, top, width, GAP }, -1);
      x = 0;
      y = top + GAP;
      area_width = width;
      area_height = height - y;
    }

  /* One client at a time, below the bar */
  if (bar > 0)
    allocate_bar (self, layout, x, y, area_width, bar);
  for (guint i = 0; i < n; i++)
    {
      Client *client = client_at (self, i);
      gboolean shown = i == self->selected;

      gtk_widget_set_child_visible (client->pane, shown);
      if (i > 0)
        gtk_widget_set_child_visible (client->separator, FALSE);
      if (shown)
        gtk_widget_size_allocate (client->pane,
                                  &(GtkAllocation) { x, y + bar, area_width, area_height - bar }, -1);
    }
}

static GtkSizeRequestMode
ct_protocol_page_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

/* -- clients ------------------------------------------------------------ */

static guint
client_index (CtProtocolPage *self,
              GtkWidget      *widget)
{
  for (guint i = 0; i < self->clients->len; i++)
    if (client_at (self, i)->pane == widget || client_at (self, i)->tab == widget)
      return i;
  return G_MAXUINT;
}

static char *
dup_nick (CtEndpoint *endpoint)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (endpoint), "nick");
  char *nick = NULL;

  if (pspec && G_PARAM_SPEC_VALUE_TYPE (pspec) == G_TYPE_STRING)
    g_object_get (endpoint, "nick", &nick, NULL);
  return nick;
}

/* "Client 2", or the nickname when the client has one */
static void
update_client_title (Client *client)
{
  const CtProtocol *protocol = client->page->protocol;
  g_autofree char *nick = dup_nick (client->endpoint);
  g_autofree char *title = NULL;

  if (!protocol->multi_client)
    title = g_strdup (_(protocol->client_title));
  else if (nick && *nick)
    title = g_steal_pointer (&nick);
  else
    /* Translators: one of several clients on a page */
    title = g_strdup_printf (_("Client %u"), client->number);
  ct_endpoint_pane_set_title (CT_ENDPOINT_PANE (client->pane), title);
}

/* The lowest number no other client has */
static guint
free_number (CtProtocolPage *self)
{
  for (guint number = 1;; number++)
    {
      gboolean taken = FALSE;

      for (guint i = 0; i < self->clients->len && !taken; i++)
        taken = client_at (self, i)->number == number;
      if (!taken)
        return number;
    }
}

/* A client with an empty nickname gets a name no other client has */
static void
set_default_nick (CtProtocolPage *self,
                  CtEndpoint     *endpoint)
{
  g_autofree char *nick = NULL;
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (endpoint), "nick");

  if (pspec == NULL || G_PARAM_SPEC_VALUE_TYPE (pspec) != G_TYPE_STRING || !(pspec->flags & G_PARAM_WRITABLE))
    return;
  nick = dup_nick (endpoint);
  if (nick && *nick)
    return;

  for (guint k = 0; k < G_N_ELEMENTS (default_nicks); k++)
    {
      gboolean taken = FALSE;

      for (guint i = 0; i < self->clients->len && !taken; i++)
        {
          g_autofree char *other = dup_nick (client_at (self, i)->endpoint);

          taken = other && g_ascii_strcasecmp (other, default_nicks[k]) == 0;
        }
      if (!taken)
        {
          g_object_set (endpoint, "nick", default_nicks[k], NULL);
          return;
        }
    }
}

static void
sync_tabs (CtProtocolPage *self)
{
  self->syncing_tabs = TRUE;
  for (guint i = 0; i < self->clients->len; i++)
    if (client_at (self, i)->tab)
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (client_at (self, i)->tab), i == self->selected);
  self->syncing_tabs = FALSE;
}

static void
select_client (CtProtocolPage *self,
               guint           index)
{
  g_return_if_fail (index < self->clients->len);

  if (self->selected != index)
    {
      self->selected = index;
      gtk_widget_queue_allocate (GTK_WIDGET (self));
    }
  sync_tabs (self);
}

static void
on_tab_toggled (GtkToggleButton *tab,
                CtProtocolPage  *self)
{
  guint index = client_index (self, GTK_WIDGET (tab));

  if (self->syncing_tabs || !gtk_toggle_button_get_active (tab) || index == G_MAXUINT)
    return;
  select_client (self, index);
}

/* The client being worked in is the one the window's shortcuts act on */
static void
on_pane_focus_enter (GtkEventController *controller,
                     CtProtocolPage     *self)
{
  guint index = client_index (self, gtk_event_controller_get_widget (controller));

  if (index != G_MAXUINT)
    select_client (self, index);
}

/* What depends on the number of clients: Remove buttons and their targets,
 * the actions */
static void
update_clients (CtProtocolPage *self)
{
  guint n = self->clients->len;

  for (guint i = 0; i < n; i++)
    {
      Client *client = client_at (self, i);

      if (client->remove_button)
        {
          gtk_actionable_set_action_target (GTK_ACTIONABLE (client->remove_button), "u", i);
          gtk_widget_set_visible (client->remove_button, n > 1);
        }
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.add-client", is_multi (self) && n < MAX_CLIENTS);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.remove-client", is_multi (self) && n > 1);
}

static void
stop_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  ct_endpoint_stop_finish (CT_ENDPOINT (object), result, NULL);
}

static void
client_free (Client *client)
{
  g_signal_handlers_disconnect_by_data (client->endpoint, client);
  if (client->tab)
    gtk_box_remove (GTK_BOX (gtk_widget_get_parent (client->tab)), client->tab);
  g_clear_pointer (&client->separator, gtk_widget_unparent);
  g_clear_pointer (&client->pane, gtk_widget_unparent);
  g_clear_object (&client->endpoint);
  g_free (client);
}

/* Resend from any log of the page: into the composer of that client, or
 * (from the server's log) of the client shown or last worked in */
static void
on_resend (CtLogView      *log_view,
           CtMessage      *message,
           CtProtocolPage *self)
{
  GtkWidget *pane = gtk_widget_get_ancestor (GTK_WIDGET (log_view), CT_TYPE_ENDPOINT_PANE);

  if (pane == NULL || pane == self->server_pane)
    pane = GTK_WIDGET (ct_protocol_page_get_selected_client_pane (self));
  if (pane)
    ct_endpoint_pane_compose_from (CT_ENDPOINT_PANE (pane), message);
}

static void
connect_resend (CtProtocolPage *self,
                GtkWidget      *pane)
{
  g_signal_connect_object (ct_endpoint_pane_get_log_view (CT_ENDPOINT_PANE (pane)), "resend",
                           G_CALLBACK (on_resend), self, 0);
}

static Client *
add_client (CtProtocolPage *self)
{
  Client *client = g_new0 (Client, 1);
  GtkEventController *focus;

  client->page = self;
  client->number = free_number (self);
  client->endpoint = ct_protocol_new_endpoint (self->protocol, CT_ROLE_CLIENT);
  if (is_multi (self))
    {
      set_default_nick (self, client->endpoint);
      /* A newcomer joins the conversation that is going on */
      if (ct_endpoint_get_state (self->server) == CT_STATE_RUNNING)
        ct_endpoint_use_server (client->endpoint, self->server);
    }

  client->separator = gtk_separator_new (GTK_ORIENTATION_VERTICAL);
  client->pane = ct_endpoint_pane_new (client->endpoint, NULL);
  gtk_widget_set_parent (client->separator, GTK_WIDGET (self));
  gtk_widget_set_parent (client->pane, GTK_WIDGET (self));
  ct_endpoint_pane_set_server (CT_ENDPOINT_PANE (client->pane), self->server);
  connect_resend (self, client->pane);
  g_ptr_array_add (self->clients, client);
  update_client_title (client);

  if (is_multi (self))
    {
      client->remove_button = gtk_button_new_from_icon_name ("window-close-symbolic");
      gtk_widget_set_valign (client->remove_button, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (client->remove_button, _("Remove Participant"));
      gtk_widget_add_css_class (client->remove_button, "flat");
      gtk_widget_add_css_class (client->remove_button, "circular");
      /* The target is the client's position, kept up to date by update_clients */
      gtk_actionable_set_action_target (GTK_ACTIONABLE (client->remove_button), "u", self->clients->len - 1);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (client->remove_button), "page.remove-client");
      ct_endpoint_pane_add_header_widget (CT_ENDPOINT_PANE (client->pane), client->remove_button);

      client->tab = gtk_toggle_button_new ();
      g_object_bind_property (client->pane, "title", client->tab, "label", G_BINDING_SYNC_CREATE);
      if (self->clients->len > 1)
        gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (client->tab), GTK_TOGGLE_BUTTON (client_at (self, 0)->tab));
      g_signal_connect_object (client->tab, "toggled", G_CALLBACK (on_tab_toggled), self, 0);
      gtk_box_append (GTK_BOX (self->tabs), client->tab);

      if (g_object_class_find_property (G_OBJECT_GET_CLASS (client->endpoint), "nick"))
        g_signal_connect_swapped (client->endpoint, "notify::nick", G_CALLBACK (update_client_title), client);

      focus = gtk_event_controller_focus_new ();
      g_signal_connect_object (focus, "enter", G_CALLBACK (on_pane_focus_enter), self, 0);
      gtk_widget_add_controller (client->pane, focus);
    }

  update_clients (self);
  return client;
}

/**
 * ct_protocol_page_add_client:
 *
 * Adds a client (a participant) to a page whose protocol has several, and
 * shows it. While the server runs the new client is pointed at it; a client
 * with an empty nickname gets one no other client has.
 *
 * Returns: (transfer none) (nullable): the new client's pane, or %NULL when
 *   the protocol has one client or the page is full
 */
CtEndpointPane *
ct_protocol_page_add_client (CtProtocolPage *self)
{
  Client *client;

  g_return_val_if_fail (CT_IS_PROTOCOL_PAGE (self), NULL);

  if (!is_multi (self) || self->clients->len >= MAX_CLIENTS)
    return NULL;
  client = add_client (self);
  select_client (self, self->clients->len - 1);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  return CT_ENDPOINT_PANE (client->pane);
}

/**
 * ct_protocol_page_remove_client:
 * @index: the client's position, from 0
 *
 * Stops and removes a client; the last one stays.
 *
 * Returns: whether it was removed
 */
gboolean
ct_protocol_page_remove_client (CtProtocolPage *self,
                                guint           index)
{
  g_return_val_if_fail (CT_IS_PROTOCOL_PAGE (self), FALSE);

  if (!is_multi (self) || self->clients->len <= 1 || index >= self->clients->len)
    return FALSE;

  /* A removed participant leaves properly (a chat client says goodbye),
   * rather than by its endpoint being disposed */
  if (ct_endpoint_is_active (client_at (self, index)->endpoint))
    ct_endpoint_stop_async (client_at (self, index)->endpoint, stop_cb, NULL);
  g_ptr_array_remove_index (self->clients, index);
  if (self->selected > index || self->selected >= self->clients->len)
    self->selected--;
  sync_tabs (self);
  update_clients (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  return TRUE;
}

static void
add_client_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CtEndpointPane *pane = ct_protocol_page_add_client (CT_PROTOCOL_PAGE (widget));

  if (pane)
    ct_endpoint_pane_focus_composer (pane);
}

/* page.remove-client(u index) */
static void
remove_client_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  ct_protocol_page_remove_client (CT_PROTOCOL_PAGE (widget), g_variant_get_uint32 (parameter));
}

/* -- demo: start the server, point the clients at it, talk -------------- */

static gboolean demo_step (gpointer data);

static void
demo_schedule (CtProtocolPage *self)
{
  g_timeout_add_full (G_PRIORITY_DEFAULT, 150, demo_step, g_object_ref (self), g_object_unref);
}

/* The clients that take part: two on a page with several */
static guint
demo_n_speakers (CtProtocolPage *self)
{
  return MIN (self->clients->len, is_multi (self) ? 2 : 1);
}

static gboolean
demo_step (gpointer data)
{
  CtProtocolPage *self = data;
  CtEndpointPane *server_pane = CT_ENDPOINT_PANE (self->server_pane);
  static const char *lines[] = { N_("Hello, server!"), N_("How are you?"), N_("Bye for now") };
  static const char *chat_lines[] = { N_("Hello, everyone!"), N_("Hi! Nice to meet you."), N_("Bye for now") };
  guint n_speakers;

  switch (self->demo_step)
    {
    case 0:
      if (!ct_endpoint_is_active (self->server))
        {
          /* The default port may be taken: let the system pick one */
          if (g_object_class_find_property (G_OBJECT_GET_CLASS (self->server), "port"))
            g_object_set (self->server, "port", 0, NULL);
          gtk_widget_activate_action (GTK_WIDGET (server_pane), "pane.toggle", NULL);
        }
      break;

    case 1:
      if (ct_endpoint_get_state (self->server) != CT_STATE_RUNNING)
        {
          if (ct_endpoint_get_state (self->server) == CT_STATE_STARTING)
            demo_schedule (self);
          return G_SOURCE_REMOVE;
        }
      if (is_multi (self))
        while (self->clients->len < 2)
          ct_protocol_page_add_client (self);
      for (guint i = 0; i < demo_n_speakers (self); i++)
        if (ct_endpoint_is_active (client_at (self, i)->endpoint))
          gtk_widget_activate_action (client_at (self, i)->pane, "pane.toggle", NULL);
      break;

    case 2:
      for (guint i = 0; i < demo_n_speakers (self); i++)
        {
          gtk_widget_activate_action (client_at (self, i)->pane, "pane.use-local-server", NULL);
          gtk_widget_activate_action (client_at (self, i)->pane, "pane.toggle", NULL);
        }
      break;

    case 3:
      /* Wait until every speaker is connected */
      for (guint i = 0; i < demo_n_speakers (self); i++)
        switch (ct_endpoint_get_state (client_at (self, i)->endpoint))
          {
          case CT_STATE_RUNNING:
            break;
          case CT_STATE_STARTING:
          case CT_STATE_RECONNECTING:
            demo_schedule (self);
            return G_SOURCE_REMOVE;
          default:
            return G_SOURCE_REMOVE;
          }
      break;

    case 4:
    case 5:
    case 6:
      {
        /* Speakers take turns */
        guint line = self->demo_step - 4;
        Client *speaker;

        n_speakers = demo_n_speakers (self);
        if (n_speakers == 0)
          return G_SOURCE_REMOVE;
        speaker = client_at (self, line % n_speakers);
        if (ct_endpoint_get_state (speaker->endpoint) != CT_STATE_RUNNING)
          return G_SOURCE_REMOVE;
        /* When clients are shown one at a time, show the one speaking */
        select_client (self, line % n_speakers);
        if (self->protocol->demo[0])
          ct_endpoint_pane_set_composer_text (CT_ENDPOINT_PANE (speaker->pane), self->protocol->demo[line]);
        else if (is_multi (self))
          ct_endpoint_pane_set_composer_text (CT_ENDPOINT_PANE (speaker->pane), _(chat_lines[line]));
        else
          ct_endpoint_pane_set_composer_text (CT_ENDPOINT_PANE (speaker->pane), _(lines[line]));
        gtk_widget_activate_action (speaker->pane, "pane.send", NULL);
      }
      break;

    case 7:
      {
        /* Open the first answer in the detail view */
        Client *first = client_at (self, 0);
        CtMessageLog *log = ct_endpoint_get_log (first->endpoint);

        select_client (self, 0);
        ct_message_log_flush (log);
        for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (log)); i++)
          if (ct_message_log_get_direction (log, i) == CT_DIRECTION_IN)
            {
              ct_log_view_select (ct_endpoint_pane_get_log_view (CT_ENDPOINT_PANE (first->pane)), i);
              break;
            }
      }
      break;

    default:
      return G_SOURCE_REMOVE;
    }

  self->demo_step++;
  demo_schedule (self);
  return G_SOURCE_REMOVE;
}

/**
 * ct_protocol_page_demo:
 *
 * Shows the page at work in a few steps a user can follow: starts the
 * server on a free port, connects the client to it, sends three lines and
 * opens the first answer. On a page with several clients, two of them
 * connect and take turns.
 */
void
ct_protocol_page_demo (CtProtocolPage *self)
{
  g_return_if_fail (CT_IS_PROTOCOL_PAGE (self));

  self->demo_step = 0;
  demo_schedule (self);
}

/* -- GObject ------------------------------------------------------------ */

static void
create_bar (CtProtocolPage *self)
{
  GtkWidget *content;

  self->bar_title = gtk_label_new (_(self->protocol->client_title));
  gtk_label_set_xalign (GTK_LABEL (self->bar_title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (self->bar_title), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (self->bar_title, "title-4");
  gtk_widget_set_parent (self->bar_title, GTK_WIDGET (self));

  self->tabs = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_add_css_class (self->tabs, "linked");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->tabs), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _(self->protocol->client_title), -1);
  self->switcher = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->switcher), GTK_POLICY_AUTOMATIC, GTK_POLICY_NEVER);
  gtk_scrolled_window_set_propagate_natural_width (GTK_SCROLLED_WINDOW (self->switcher), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->switcher), self->tabs);
  gtk_widget_set_parent (self->switcher, GTK_WIDGET (self));

  content = adw_button_content_new ();
  adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (content), "list-add-symbolic");
  adw_button_content_set_label (ADW_BUTTON_CONTENT (content), _("_Add Participant"));
  adw_button_content_set_use_underline (ADW_BUTTON_CONTENT (content), TRUE);
  self->add_button = gtk_button_new ();
  gtk_button_set_child (GTK_BUTTON (self->add_button), content);
  gtk_widget_set_tooltip_text (self->add_button, _("Add a client that joins the conversation"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->add_button), "page.add-client");
  gtk_widget_set_parent (self->add_button, GTK_WIDGET (self));
}

GtkWidget *
ct_protocol_page_new (const CtProtocol *protocol)
{
  CtProtocolPage *self;

  g_return_val_if_fail (ct_protocol_is_available (protocol), NULL);

  self = g_object_new (CT_TYPE_PROTOCOL_PAGE, NULL);
  self->protocol = protocol;
  self->server = ct_protocol_new_endpoint (protocol, CT_ROLE_SERVER);
  self->server_pane = ct_endpoint_pane_new (self->server, _(protocol->server_title));
  gtk_widget_set_parent (self->server_pane, GTK_WIDGET (self));
  connect_resend (self, self->server_pane);
  if (protocol->multi_client)
    create_bar (self);
  add_client (self);
  sync_tabs (self);

  return GTK_WIDGET (self);
}

const CtProtocol *
ct_protocol_page_get_protocol (CtProtocolPage *self)
{
  g_return_val_if_fail (CT_IS_PROTOCOL_PAGE (self), NULL);
  return self->protocol;
}

CtEndpointPane *
ct_protocol_page_get_server_pane (CtProtocolPage *self)
{
  g_return_val_if_fail (CT_IS_PROTOCOL_PAGE (self), NULL);
  return CT_ENDPOINT_PANE (self->server_pane);
}

/**
 * ct_protocol_page_get_client_pane:
 *
 * Returns: (transfer none): the first client's pane
 */
CtEndpointPane *
ct_protocol_page_get_client_pane (CtProtocolPage *self)
{
  return ct_protocol_page_get_nth_client_pane (self, 0);
}

guint
ct_protocol_page_get_n_clients (CtProtocolPage *self)
{
  g_return_val_if_fail (CT_IS_PROTOCOL_PAGE (self), 0);
  return self->clients->len;
}

/**
 * ct_protocol_page_get_nth_client_pane:
 *
 * Returns: (transfer none) (nullable): the pane of the client at @index
 */
CtEndpointPane *
ct_protocol_page_get_nth_client_pane (CtProtocolPage *self,
                                      guint           index)
{
  g_return_val_if_fail (CT_IS_PROTOCOL_PAGE (self), NULL);

  if (index >= self->clients->len)
    return NULL;
  return CT_ENDPOINT_PANE (client_at (self, index)->pane);
}

/**
 * ct_protocol_page_get_selected_client_pane:
 *
 * Returns: (transfer none): the client the window's shortcuts act on: the
 *   one shown (when one is shown at a time) or last worked in
 */
CtEndpointPane *
ct_protocol_page_get_selected_client_pane (CtProtocolPage *self)
{
  g_return_val_if_fail (CT_IS_PROTOCOL_PAGE (self), NULL);
  return ct_protocol_page_get_nth_client_pane (self, self->selected);
}

/**
 * ct_protocol_page_get_clients_shown:
 *
 * Returns: how many clients are on screen side by side now: all of them, or
 *   1 when the page is too narrow and shows one at a time
 */
guint
ct_protocol_page_get_clients_shown (CtProtocolPage *self)
{
  g_return_val_if_fail (CT_IS_PROTOCOL_PAGE (self), 0);

  return choose_layout (self, gtk_widget_get_width (GTK_WIDGET (self))) == LAYOUT_COLUMNS
         ? self->clients->len : 1;
}

static void
ct_protocol_page_dispose (GObject *object)
{
  CtProtocolPage *self = CT_PROTOCOL_PAGE (object);

  if (self->clients)
    g_ptr_array_set_size (self->clients, 0);
  g_clear_pointer (&self->server_pane, gtk_widget_unparent);
  g_clear_pointer (&self->bar_title, gtk_widget_unparent);
  g_clear_pointer (&self->switcher, gtk_widget_unparent);
  g_clear_pointer (&self->add_button, gtk_widget_unparent);
  self->tabs = NULL;
  g_clear_object (&self->server);

  G_OBJECT_CLASS (ct_protocol_page_parent_class)->dispose (object);
}

static void
ct_protocol_page_finalize (GObject *object)
{
  CtProtocolPage *self = CT_PROTOCOL_PAGE (object);

  g_clear_pointer (&self->clients, g_ptr_array_unref);

  G_OBJECT_CLASS (ct_protocol_page_parent_class)->finalize (object);
}

static void
ct_protocol_page_class_init (CtProtocolPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ct_protocol_page_dispose;
  object_class->finalize = ct_protocol_page_finalize;

  widget_class->measure = ct_protocol_page_measure;
  widget_class->size_allocate = ct_protocol_page_size_allocate;
  widget_class->get_request_mode = ct_protocol_page_get_request_mode;

  gtk_widget_class_install_action (widget_class, "page.add-client", NULL, add_client_action);
  gtk_widget_class_install_action (widget_class, "page.remove-client", "u", remove_client_action);

  gtk_widget_class_set_css_name (widget_class, "ctprotocolpage");
}

static void
ct_protocol_page_init (CtProtocolPage *self)
{
  self->clients = g_ptr_array_new_with_free_func ((GDestroyNotify) client_free);
}
