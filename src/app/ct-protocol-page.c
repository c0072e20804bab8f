/* ct-protocol-page.c — a protocol's server and client panes side by side
 *
 * The page lays its two panes out itself: side by side when there is room
 * for both, one above the other (each half the height) in a narrow window.
 * libadwaita 1.2 has no breakpoints, so the choice is made in size_allocate
 * with height-for-width measuring.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ct-protocol-page.h"

/* Below this width the panes are stacked */
#define WIDE_WIDTH 900
#define GAP        1

struct _CtProtocolPage
{
  GtkWidget         parent_instance;

  const CtProtocol *protocol;
  CtEndpoint       *server;
  CtEndpoint       *client;
  GtkWidget        *server_pane;
  GtkWidget        *client_pane;
  GtkWidget        *separator;
  guint             demo_step;
};

G_DEFINE_FINAL_TYPE (CtProtocolPage, ct_protocol_page, GTK_TYPE_WIDGET)

static gboolean
is_wide (int width)
{
  return width < 0 || width >= WIDE_WIDTH;
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
  int smin, snat, cmin, cnat;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      gtk_widget_measure (self->server_pane, orientation, -1, &smin, &snat, NULL, NULL);
      gtk_widget_measure (self->client_pane, orientation, -1, &cmin, &cnat, NULL, NULL);
      *minimum = MAX (smin, cmin);
      *natural = MAX (snat + cnat + GAP, WIDE_WIDTH);
    }
  else
    {
      int child_width = for_size;

      if (for_size >= 0 && is_wide (for_size))
        child_width = (for_size - GAP) / 2;

      gtk_widget_measure (self->server_pane, orientation, child_width, &smin, &snat, NULL, NULL);
      gtk_widget_measure (self->client_pane, orientation, child_width, &cmin, &cnat, NULL, NULL);

      if (is_wide (for_size))
        {
          *minimum = MAX (smin, cmin);
          *natural = MAX (snat, cnat);
        }
      else
        {
          *minimum = smin + cmin + GAP;
          *natural = snat + cnat + GAP;
        }
    }
}

static void
ct_protocol_page_size_allocate (GtkWidget *widget,
                                int        width,
                                int        height,
                                int        baseline)
{
  CtProtocolPage *self = CT_PROTOCOL_PAGE (widget);
  GtkAllocation a;

  if (is_wide (width))
    {
      int left = (width - GAP) / 2;

      gtk_orientable_set_orientation (GTK_ORIENTABLE (self->separator), GTK_ORIENTATION_VERTICAL);
      gtk_widget_size_allocate (self->server_pane, &(GtkAllocation) { 0, 0, left, height }, -1);
      gtk_widget_size_allocate (self->separator, &(GtkAllocation) { left, 0, GAP, height }, -1);
      a = (GtkAllocation) { left + GAP, 0, width - left - GAP, height };
      gtk_widget_size_allocate (self->client_pane, &a, -1);
    }
  else
    {
      int top = (height - GAP) / 2;

      gtk_orientable_set_orientation (GTK_ORIENTABLE (self->separator), GTK_ORIENTATION_HORIZONTAL);
      gtk_widget_size_allocate (self->server_pane, &(GtkAllocation) { 0, 0, width, top }, -1);
      gtk_widget_size_allocate (self->separator, &(GtkAllocation) { 0, top, width, GAP }, -1);
      a = (GtkAllocation) { 0, top + GAP, width, height - top - GAP };
      gtk_widget_size_allocate (self->client_pane, &a, -1);
    }
}

static GtkSizeRequestMode
ct_protocol_page_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

/* -- demo: start the server, point the client at it, say hello ---------- */

static gboolean demo_step (gpointer data);

static void
demo_schedule (CtProtocolPage *self)
{
  g_timeout_add_full (G_PRIORITY_DEFAULT, 150, demo_step, g_object_ref (self), g_object_unref);
}

static gboolean
demo_step (gpointer data)
{
  CtProtocolPage *self = data;
  CtEndpointPane *server_pane = CT_ENDPOINT_PANE (self->server_pane);
  CtEndpointPane *client_pane = CT_ENDPOINT_PANE (self->client_pane);
  static const char *lines[] = { N_("Hello, server!"), N_("How are you?"), N_("Bye for now") };

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
      if (ct_endpoint_is_active (self->client))
        gtk_widget_activate_action (GTK_WIDGET (client_pane), "pane.toggle", NULL);
      break;

    case 2:
      gtk_widget_activate_action (GTK_WIDGET (client_pane), "pane.use-local-server", NULL);
      gtk_widget_activate_action (GTK_WIDGET (client_pane), "pane.toggle", NULL);
      break;

    case 3:
    case 4:
    case 5:
      if (ct_endpoint_get_state (self->client) != CT_STATE_RUNNING)
        return G_SOURCE_REMOVE;
      if (self->protocol->demo[0])
        ct_endpoint_pane_set_composer_text (client_pane, self->protocol->demo[self->demo_step - 3]);
      else
        ct_endpoint_pane_set_composer_text (client_pane, _(lines[self->demo_step - 3]));
      gtk_widget_activate_action (GTK_WIDGET (client_pane), "pane.send", NULL);
      break;

    case 6:
      {
        /* Open the first answer in the detail view */
        CtMessageLog *log = ct_endpoint_get_log (self->client);

        ct_message_log_flush (log);
        for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (log)); i++)
          if (ct_message_log_get_direction (log, i) == CT_DIRECTION_IN)
            {
              ct_log_view_select (ct_endpoint_pane_get_log_view (client_pane), i);
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
 * opens the first answer.
 */
void
ct_protocol_page_demo (CtProtocolPage *self)
{
  g_return_if_fail (CT_IS_PROTOCOL_PAGE (self));

  self->demo_step = 0;
  demo_schedule (self);
}

/* -- GObject ------------------------------------------------------------ */

GtkWidget *
ct_protocol_page_new (const CtProtocol *protocol)
{
  CtProtocolPage *self;

  g_return_val_if_fail (ct_protocol_is_available (protocol), NULL);

  self = g_object_new (CT_TYPE_PROTOCOL_PAGE, NULL);
  self->protocol = protocol;
  self->server = ct_protocol_new_endpoint (protocol, CT_ROLE_SERVER);
  self->client = ct_protocol_new_endpoint (protocol, CT_ROLE_CLIENT);

  self->server_pane = ct_endpoint_pane_new (self->server, _(protocol->server_title));
  self->separator = gtk_separator_new (GTK_ORIENTATION_VERTICAL);
  self->client_pane = ct_endpoint_pane_new (self->client, _(protocol->client_title));
  gtk_widget_set_parent (self->server_pane, GTK_WIDGET (self));
  gtk_widget_set_parent (self->separator, GTK_WIDGET (self));
  gtk_widget_set_parent (self->client_pane, GTK_WIDGET (self));
  ct_endpoint_pane_set_server (CT_ENDPOINT_PANE (self->client_pane), self->server);

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

CtEndpointPane *
ct_protocol_page_get_client_pane (CtProtocolPage *self)
{
  g_return_val_if_fail (CT_IS_PROTOCOL_PAGE (self), NULL);
  return CT_ENDPOINT_PANE (self->client_pane);
}

static void
ct_protocol_page_dispose (GObject *object)
{
  CtProtocolPage *self = CT_PROTOCOL_PAGE (object);

  g_clear_pointer (&self->server_pane, gtk_widget_unparent);
  g_clear_pointer (&self->separator, gtk_widget_unparent);
  g_clear_pointer (&self->client_pane, gtk_widget_unparent);
  g_clear_object (&self->server);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (ct_protocol_page_parent_class)->dispose (object);
}

static void
ct_protocol_page_class_init (CtProtocolPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ct_protocol_page_dispose;

  widget_class->measure = ct_protocol_page_measure;
  widget_class->size_allocate = ct_protocol_page_size_allocate;
  widget_class->get_request_mode = ct_protocol_page_get_request_mode;

  gtk_widget_class_set_css_name (widget_class, "ctprotocolpage");
}

static void
ct_protocol_page_init (CtProtocolPage *self)
{
}
