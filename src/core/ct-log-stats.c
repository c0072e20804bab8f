/* ct-log-stats.c — live statistics of a CtMessageLog
 *
 * The stats read the log's records at the start of every flush (a private
 * hook of the log, ct_message_log_add_flush_hook()), before the cap drops
 * any: every entry appended while the stats exist is counted once, however
 * fast the log drops them. No object is made per entry.
 *
 * The rate is counted by the entries' own times into one bucket per
 * second; the history is the last CT_LOG_STATS_HISTORY full seconds
 * before now. Latencies of the last LATENCY_WINDOW paired entries are kept
 * in a ring; their median and 99th percentile (nearest rank) are worked
 * out when asked for, once per change.
 *
 * "changed" comes from a timer that runs only while there is something to
 * say: every TICK_MS while entries come, then once a second while the
 * history still shows some (so a chart scrolls them out), then it stops.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ct-log-stats"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ct-log-stats.h"
#include "ct-message-log-private.h"

#define LATENCY_WINDOW 10000
#define TICK_MS        250
#define IDLE_TICK_MS   1000
/* The full seconds of the history, the second going on, and one spare */
#define N_BUCKETS      (CT_LOG_STATS_HISTORY + 2)

struct _CtLogStats
{
  GObject       parent_instance;

  CtMessageLog *log;
  guint64       scanned;          /* the log's entries below this are counted */

  guint64       n_in, n_out, bytes_in, bytes_out;

  guint64       n_latencies;
  gint64        latency_min;
  gint64       *latencies;        /* ring of the last LATENCY_WINDOW */
  gboolean      quantiles_dirty;
  gint64        latency_median;
  gint64        latency_p99;

  guint64       bucket_count[N_BUCKETS];
  gint64        bucket_second[N_BUCKETS];
  double        history[CT_LOG_STATS_HISTORY];

  guint         tick_source;
  guint         tick_ms;
  gboolean      dirty;            /* counted something since the last "changed" */
  gint64        last_emit_second;
};

enum {
  PROP_0,
  PROP_LOG,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CtLogStats, ct_log_stats, G_TYPE_OBJECT)

static inline gint64
now_second (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
reset (CtLogStats *self)
{
  self->n_in = self->n_out = self->bytes_in = self->bytes_out = 0;
  self->n_latencies = 0;
  self->latency_min = -1;
  self->quantiles_dirty = TRUE;
  memset (self->bucket_count, 0, sizeof self->bucket_count);
  for (guint i = 0; i < N_BUCKETS; i++)
    self->bucket_second[i] = -1;
}

static void
count_record (CtLogStats     *self,
              const CtRecord *record,
              gint64          now)
{
  gint64 latency = ct_record_get_latency (record);

  if (record->direction == CT_DIRECTION_IN || record->direction == CT_DIRECTION_OUT)
    {
      gint64 second = MIN (record->time / G_USEC_PER_SEC, now);

      if (record->direction == CT_DIRECTION_IN)
        {
          self->n_in++;
          self->bytes_in += record->size;
        }
      else
        {
          self->n_out++;
          self->bytes_out += record->size;
        }

      if (second >= 0 && second >= now - CT_LOG_STATS_HISTORY)
        {
          guint i = (guint) (second % N_BUCKETS);

          if (self->bucket_second[i] != second)
            {
              self->bucket_second[i] = second;
              self->bucket_count[i] = 0;
            }
          self->bucket_count[i]++;
        }
    }

  if (latency >= 0)
    {
      if (self->latencies == NULL)
        self->latencies = g_new (gint64, LATENCY_WINDOW);
      self->latencies[self->n_latencies % LATENCY_WINDOW] = latency;
      self->n_latencies++;
      if (self->latency_min < 0 || latency < self->latency_min)
        self->latency_min = latency;
      self->quantiles_dirty = TRUE;
    }
}

static guint64
bucket_get (CtLogStats *self,
            gint64      second)
{
  guint i = (guint) (second % N_BUCKETS);

  return self->bucket_second[i] == second ? self->bucket_count[i] : 0;
}

/* Whether the history shows anything now or will next second */
static gboolean
history_has_counts (CtLogStats *self,
                    gint64      now)
{
  for (gint64 s = now - CT_LOG_STATS_HISTORY; s <= now; s++)
    if (bucket_get (self, s))
      return TRUE;
  return FALSE;
}

static gboolean tick_cb (gpointer data);

static void
schedule (CtLogStats *self,
          guint       interval_ms)
{
  if (self->tick_source && self->tick_ms == interval_ms)
    return;

  g_clear_handle_id (&self->tick_source, g_source_remove);
  self->tick_ms = interval_ms;
  {
    g_autoptr(GSource) source = g_timeout_source_new (interval_ms);

    g_source_set_callback (source, tick_cb, self, NULL);
    g_source_set_static_name (source, "[crosstalk] log stats");
    self->tick_source = g_source_attach (source, NULL);
  }
}

static gboolean
tick_cb (gpointer data)
{
  CtLogStats *self = data;
  gint64 now = now_second ();

  if (self->dirty)
    {
      self->dirty = FALSE;
      self->last_emit_second = now;
      g_signal_emit (self, signals[CHANGED], 0);
      return G_SOURCE_CONTINUE;
    }

  /* Quiet: once a second while the history scrolls, then stop */
  if (now != self->last_emit_second)
    {
      self->last_emit_second = now;
      g_signal_emit (self, signals[CHANGED], 0);
    }
  if (!history_has_counts (self, now))
    {
      self->tick_source = 0;
      return G_SOURCE_REMOVE;
    }
  if (self->tick_ms != IDLE_TICK_MS)
    {
      self->tick_source = 0;
      schedule (self, IDLE_TICK_MS);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
changed (CtLogStats *self)
{
  self->dirty = TRUE;
  schedule (self, TICK_MS);
}

/* Counts what the log holds and has not been counted */
static void
scan (CtLogStats *self)
{
  guint64 first, end;
  gint64 now = now_second ();

  ct_message_log_get_held (self->log, &first, &end);
  if (end <= self->scanned)
    return;

  for (guint64 seq = MAX (self->scanned, first); seq < end; seq++)
    count_record (self, ct_message_log_peek_record (self->log, seq), now);
  self->scanned = end;
  changed (self);
}

static void
log_hook (CtMessageLog       *log,
          CtMessageLogHookAt  at,
          gpointer            data)
{
  CtLogStats *self = data;
  guint64 first;

  if (at == CT_MESSAGE_LOG_HOOK_FLUSH)
    {
      scan (self);
      return;
    }

  /* Cleared: start again from nothing */
  reset (self);
  ct_message_log_get_held (self->log, &first, &self->scanned);
  changed (self);
}

static int
compare_int64 (const void *a,
               const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static void
update_quantiles (CtLogStats *self)
{
  g_autofree gint64 *sorted = NULL;
  guint64 n = MIN (self->n_latencies, LATENCY_WINDOW);

  if (!self->quantiles_dirty)
    return;
  self->quantiles_dirty = FALSE;

  if (n == 0)
    {
      self->latency_median = self->latency_p99 = -1;
      return;
    }

  sorted = g_memdup2 (self->latencies, n * sizeof (gint64));
  qsort (sorted, n, sizeof (gint64), compare_int64);
  /* Nearest rank: the smallest value with at least p of them at or below */
  self->latency_median = sorted[(n + 1) / 2 - 1];
  self->latency_p99 = sorted[(99 * n + 99) / 100 - 1];
}

static void
ct_log_stats_constructed (GObject *object)
{
  CtLogStats *self = CT_LOG_STATS (object);

  G_OBJECT_CLASS (ct_log_stats_parent_class)->constructed (object);

  g_assert (self->log != NULL);
  ct_message_log_add_flush_hook (self->log, log_hook, self);
  scan (self);
}

static void
ct_log_stats_dispose (GObject *object)
{
  CtLogStats *self = CT_LOG_STATS (object);

  g_clear_handle_id (&self->tick_source, g_source_remove);
  if (self->log)
    ct_message_log_remove_flush_hook (self->log, log_hook, self);
  g_clear_object (&self->log);

  G_OBJECT_CLASS (ct_log_stats_parent_class)->dispose (object);
}

static void
ct_log_stats_finalize (GObject *object)
{
  CtLogStats *self = CT_LOG_STATS (object);

  g_free (self->latencies);

  G_OBJECT_CLASS (ct_log_stats_parent_class)->finalize (object);
}

static void
ct_log_stats_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  CtLogStats *self = CT_LOG_STATS (object);

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
ct_log_stats_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  CtLogStats *self = CT_LOG_STATS (object);

  switch (prop_id)
    {
    case PROP_LOG:
      self->log = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_log_stats_class_init (CtLogStatsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ct_log_stats_constructed;
  object_class->dispose = ct_log_stats_dispose;
  object_class->finalize = ct_log_stats_finalize;
  object_class->get_property = ct_log_stats_get_property;
  object_class->set_property = ct_log_stats_set_property;

  properties[PROP_LOG] =
    g_param_spec_object ("log", "Log", "The log whose entries are counted",
                         CT_TYPE_MESSAGE_LOG,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CtLogStats::changed:
   *
   * The figures changed: at most every 250 ms while entries come, and once
   * a second while the rate history still moves.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ct_log_stats_init (CtLogStats *self)
{
  reset (self);
  self->latency_median = self->latency_p99 = -1;
  self->last_emit_second = -1;
}

/**
 * ct_log_stats_new:
 *
 * Returns: (transfer full): statistics of @log, counting what it holds now
 *   and every entry appended from now on
 */
CtLogStats *
ct_log_stats_new (CtMessageLog *log)
{
  g_return_val_if_fail (CT_IS_MESSAGE_LOG (log), NULL);

  return g_object_new (CT_TYPE_LOG_STATS, "log", log, NULL);
}

/**
 * ct_log_stats_get:
 * @snapshot: (out caller-allocates): the figures as of the log's last flush
 */
void
ct_log_stats_get (CtLogStats         *self,
                  CtLogStatsSnapshot *snapshot)
{
  g_return_if_fail (CT_IS_LOG_STATS (self));
  g_return_if_fail (snapshot != NULL);

  update_quantiles (self);

  snapshot->n_in = self->n_in;
  snapshot->n_out = self->n_out;
  snapshot->bytes_in = self->bytes_in;
  snapshot->bytes_out = self->bytes_out;
  snapshot->rate = (double) bucket_get (self, now_second () - 1);
  snapshot->n_latencies = self->n_latencies;
  snapshot->latency_min = self->latency_min;
  snapshot->latency_median = self->latency_median;
  snapshot->latency_p99 = self->latency_p99;
}

/**
 * ct_log_stats_get_history:
 * @n_values: (out): set to CT_LOG_STATS_HISTORY
 *
 * Returns: (array length=n_values) (transfer none): messages (in and out)
 *   per second for each of the last full seconds, oldest first; the last
 *   is the rate. Valid until the next call.
 */
const double *
ct_log_stats_get_history (CtLogStats *self,
                          guint      *n_values)
{
  gint64 now;

  g_return_val_if_fail (CT_IS_LOG_STATS (self), NULL);

  now = now_second ();
  for (guint i = 0; i < CT_LOG_STATS_HISTORY; i++)
    self->history[i] = (double) bucket_get (self, now - CT_LOG_STATS_HISTORY + i);
  if (n_values)
    *n_values = CT_LOG_STATS_HISTORY;
  return self->history;
}
