/* ct-log-stats-view.c — a log's statistics and a live chart of its rate
 *
 * Messages and bytes each way, the message rate with a sparkline of the
 * last minute (CtLogStats' per-second history), and the latency of paired
 * entries (minimum, median, 99th percentile). Shown in the log view's
 * Statistics popover: it reads the statistics only while it is on screen,
 * and never more than UPDATES_PER_SECOND times a second, however often
 * the statistics change.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ct-log-stats-view.h"

#define UPDATES_PER_SECOND 4
#define UPDATE_INTERVAL_US (G_USEC_PER_SEC / UPDATES_PER_SECOND)

struct _CtLogStatsView
{
  GtkWidget       parent_instance;

  GtkWidget      *box;   /* the only child: bound so dispose_template unparents it */
  GtkLabel       *n_in_label;
  GtkLabel       *bytes_in_label;
  GtkLabel       *n_out_label;
  GtkLabel       *bytes_out_label;
  GtkLabel       *rate_label;
  GtkDrawingArea *chart;
  GtkLabel       *latency_count_label;
  GtkLabel       *latency_min_label;
  GtkLabel       *latency_median_label;
  GtkLabel       *latency_p99_label;

  CtLogStats     *stats;
  gint64          last_update;   /* monotonic µs */
  guint           update_source; /* a deferred update, to keep the pace */
  guint           n_updates;
};

G_DEFINE_FINAL_TYPE (CtLogStatsView, ct_log_stats_view, GTK_TYPE_WIDGET)

/**
 * ct_format_latency:
 * @latency_us: µs, or -1 for none
 *
 * Returns: (transfer full): "850 µs", "1.2 ms", "3.40 s", or "" for none
 */
char *
ct_format_latency (gint64 latency_us)
{
  if (latency_us < 0)
    return g_strdup ("");
  if (latency_us < 1000)
    /* Translators: a latency in microseconds */
    return g_strdup_printf (_("%d µs"), (int) latency_us);
  if (latency_us < 10 * G_USEC_PER_SEC)
    /* Translators: a latency in milliseconds */
    return g_strdup_printf (_("%.1f ms"), latency_us / 1000.0);
  /* Translators: a latency in seconds */
  return g_strdup_printf (_("%.2f s"), latency_us / (double) G_USEC_PER_SEC);
}

static char *
format_count (guint64 n)
{
  /* Grouped digits as the locale writes them */
  return g_strdup_printf ("%'" G_GUINT64_FORMAT, n);
}

static void
set_latency (GtkLabel *label,
             gint64    latency_us)
{
  g_autofree char *text = ct_format_latency (latency_us);

  gtk_label_set_text (label, latency_us < 0 ? "—" : text);
}

static void
update (CtLogStatsView *self)
{
  CtLogStatsSnapshot snapshot = { 0 };
  g_autofree char *n_in = NULL;
  g_autofree char *n_out = NULL;
  g_autofree char *bytes_in = NULL;
  g_autofree char *bytes_out = NULL;
  g_autofree char *rate = NULL;
  g_autofree char *pairs = NULL;

  self->last_update = g_get_monotonic_time ();
  self->n_updates++;

  if (self->stats)
    ct_log_stats_get (self->stats, &snapshot);
  else
    snapshot.latency_min = snapshot.latency_median = snapshot.latency_p99 = -1;

  n_in = format_count (snapshot.n_in);
  n_out = format_count (snapshot.n_out);
  bytes_in = g_format_size (snapshot.bytes_in);
  bytes_out = g_format_size (snapshot.bytes_out);
  /* Translators: messages per second */
  rate = g_strdup_printf (_("%.0f/s"), snapshot.rate);
  if (snapshot.n_latencies > 0)
    pairs = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'llu reply", "%'llu replies",
                                          snapshot.n_latencies),
                             (unsigned long long) snapshot.n_latencies);
  else
    pairs = g_strdup (_("No replies yet"));

  gtk_label_set_text (self->n_in_label, n_in);
  gtk_label_set_text (self->n_out_label, n_out);
  gtk_label_set_text (self->bytes_in_label, bytes_in);
  gtk_label_set_text (self->bytes_out_label, bytes_out);
  gtk_label_set_text (self->rate_label, rate);
  gtk_label_set_text (self->latency_count_label, pairs);
  set_latency (self->latency_min_label, snapshot.latency_min);
  set_latency (self->latency_median_label, snapshot.latency_median);
  set_latency (self->latency_p99_label, snapshot.latency_p99);
  gtk_widget_queue_draw (GTK_WIDGET (self->chart));
}

static gboolean
deferred_update (gpointer data)
{
  CtLogStatsView *self = data;

  self->update_source = 0;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    update (self);
  return G_SOURCE_REMOVE;
}

/* At most UPDATES_PER_SECOND, and only while on screen */
static void
on_stats_changed (CtLogStatsView *self)
{
  gint64 since;

  if (!gtk_widget_get_mapped (GTK_WIDGET (self)) || self->update_source)
    return;
  since = g_get_monotonic_time () - self->last_update;
  if (since >= UPDATE_INTERVAL_US)
    update (self);
  else
    self->update_source = g_timeout_add ((UPDATE_INTERVAL_US - since) / 1000 + 1, deferred_update, self);
}

static void
draw_chart (GtkDrawingArea *area,
            cairo_t        *cr,
            int             width,
            int             height,
            gpointer        user_data)
{
  CtLogStatsView *self = user_data;
  const double *history;
  guint n = 0;
  double max = 1.0;
  double step = width / (double) (CT_LOG_STATS_HISTORY - 1);
  double x0;
  GdkRGBA color;

  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (area)), &color);

  /* The baseline */
  cairo_set_source_rgba (cr, color.red, color.green, color.blue, color.alpha * 0.25);
  cairo_rectangle (cr, 0, height - 1, width, 1);
  cairo_fill (cr);

  history = self->stats ? ct_log_stats_get_history (self->stats, &n) : NULL;
  if (n == 0)
    return;
  for (guint i = 0; i < n; i++)
    max = MAX (max, history[i]);

  /* The newest second on the right edge */
  x0 = width - (n - 1) * step;
  cairo_move_to (cr, x0, height - 1 - history[0] / max * (height - 2));
  for (guint i = 1; i < n; i++)
    cairo_line_to (cr, x0 + i * step, height - 1 - history[i] / max * (height - 2));

  cairo_set_line_width (cr, 1.5);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  gdk_cairo_set_source_rgba (cr, &color);
  cairo_stroke_preserve (cr);

  cairo_line_to (cr, width, height);
  cairo_line_to (cr, x0, height);
  cairo_close_path (cr);
  cairo_set_source_rgba (cr, color.red, color.green, color.blue, color.alpha * 0.2);
  cairo_fill (cr);
}

/**
 * ct_log_stats_view_set_log:
 *
 * Shows the statistics of @log (kept from now on, whether shown or not).
 */
void
ct_log_stats_view_set_log (CtLogStatsView *self,
                           CtMessageLog   *log)
{
  g_return_if_fail (CT_IS_LOG_STATS_VIEW (self));

  if (self->stats)
    g_signal_handlers_disconnect_by_data (self->stats, self);
  g_clear_object (&self->stats);
  g_clear_handle_id (&self->update_source, g_source_remove);

  if (log)
    {
      self->stats = ct_log_stats_new (log);
      g_signal_connect_swapped (self->stats, "changed", G_CALLBACK (on_stats_changed), self);
    }
  update (self);
}

CtLogStats *
ct_log_stats_view_get_stats (CtLogStatsView *self)
{
  g_return_val_if_fail (CT_IS_LOG_STATS_VIEW (self), NULL);
  return self->stats;
}

/* How many times the numbers and the chart were refreshed (for tests) */
guint
ct_log_stats_view_get_n_updates (CtLogStatsView *self)
{
  g_return_val_if_fail (CT_IS_LOG_STATS_VIEW (self), 0);
  return self->n_updates;
}

/**
 * ct_log_stats_view_dup_text:
 *
 * Returns: (transfer full): what the view shows, a line per figure
 */
char *
ct_log_stats_view_dup_text (CtLogStatsView *self)
{
  g_return_val_if_fail (CT_IS_LOG_STATS_VIEW (self), NULL);

  return g_strdup_printf ("in %s %s\nout %s %s\nrate %s\nlatency %s %s %s %s",
                          gtk_label_get_text (self->n_in_label), gtk_label_get_text (self->bytes_in_label),
                          gtk_label_get_text (self->n_out_label), gtk_label_get_text (self->bytes_out_label),
                          gtk_label_get_text (self->rate_label),
                          gtk_label_get_text (self->latency_count_label),
                          gtk_label_get_text (self->latency_min_label),
                          gtk_label_get_text (self->latency_median_label),
                          gtk_label_get_text (self->latency_p99_label));
}

static void
ct_log_stats_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (ct_log_stats_view_parent_class)->map (widget);
  /* Up to date as soon as it opens */
  update (CT_LOG_STATS_VIEW (widget));
}

static void
ct_log_stats_view_dispose (GObject *object)
{
  CtLogStatsView *self = CT_LOG_STATS_VIEW (object);

  if (self->stats)
    g_signal_handlers_disconnect_by_data (self->stats, self);
  g_clear_object (&self->stats);
  g_clear_handle_id (&self->update_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), CT_TYPE_LOG_STATS_VIEW);

  G_OBJECT_CLASS (ct_log_stats_view_parent_class)->dispose (object);
}

static void
ct_log_stats_view_class_init (CtLogStatsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ct_log_stats_view_dispose;
  widget_class->map = ct_log_stats_view_map;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ct-log-stats-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CtLogStatsView, box);
  gtk_widget_class_bind_template_child (widget_class, CtLogStatsView, n_in_label);
  gtk_widget_class_bind_template_child (widget_class, CtLogStatsView, bytes_in_label);
  gtk_widget_class_bind_template_child (widget_class, CtLogStatsView, n_out_label);
  gtk_widget_class_bind_template_child (widget_class, CtLogStatsView, bytes_out_label);
  gtk_widget_class_bind_template_child (widget_class, CtLogStatsView, rate_label);
  gtk_widget_class_bind_template_child (widget_class, CtLogStatsView, chart);
  gtk_widget_class_bind_template_child (widget_class, CtLogStatsView, latency_count_label);
  gtk_widget_class_bind_template_child (widget_class, CtLogStatsView, latency_min_label);
  gtk_widget_class_bind_template_child (widget_class, CtLogStatsView, latency_median_label);
  gtk_widget_class_bind_template_child (widget_class, CtLogStatsView, latency_p99_label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ctlogstatsview");
}

static void
ct_log_stats_view_init (CtLogStatsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_drawing_area_set_draw_func (self->chart, draw_chart, self, NULL);
  update (self);
}
