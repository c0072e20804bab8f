/* test-log-stats.c — CtLogStats: counts, rate history, latency quantiles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ct-test-util.h"

static void
append_at (CtMessageLog *log,
           CtDirection   direction,
           gint64        time,
           gsize         size,
           guint64       exchange)
{
  static const char zeros[4096];

  g_assert_cmpuint (size, <=, sizeof zeros);
  ct_message_log_append (log, &(CtMessageFields) {
                           .time = time,
                           .direction = direction,
                           .peer = "peer",
                           .data = zeros, .size = size,
                           .exchange = exchange,
                         });
}

static void
on_changed (CtLogStats *stats,
            guint      *count)
{
  (*count)++;
}

static void
test_counts (void)
{
  g_autoptr(CtMessageLog) log = ct_message_log_new ();
  g_autoptr(CtLogStats) stats = NULL;
  CtLogStatsSnapshot snapshot;
  guint changed = 0;

  /* What the log holds when the stats come is counted too */
  append_at (log, CT_DIRECTION_IN, 0, 10, 0);
  stats = ct_log_stats_new (log);
  g_signal_connect (stats, "changed", G_CALLBACK (on_changed), &changed);

  append_at (log, CT_DIRECTION_IN, 0, 5, 0);
  append_at (log, CT_DIRECTION_OUT, 0, 100, 0);
  ct_message_log_info (log, "listening", NULL, NULL, "Listening");
  ct_message_log_flush (log);

  ct_log_stats_get (stats, &snapshot);
  g_assert_cmpuint (snapshot.n_in, ==, 2);
  g_assert_cmpuint (snapshot.n_out, ==, 1);
  g_assert_cmpuint (snapshot.bytes_in, ==, 15);
  g_assert_cmpuint (snapshot.bytes_out, ==, 100);
  g_assert_cmpuint (snapshot.n_latencies, ==, 0);
  g_assert_cmpint (snapshot.latency_min, ==, -1);
  g_assert_cmpint (snapshot.latency_median, ==, -1);
  g_assert_cmpint (snapshot.latency_p99, ==, -1);

  /* "changed" comes from the main loop, not from the flush */
  g_assert_cmpuint (changed, ==, 0);
  CT_TEST_WAIT_UNTIL (changed > 0);

  /* Entries the cap drops before any flush published them count too */
  ct_message_log_set_capacity (log, 10);
  for (guint i = 0; i < 1000; i++)
    append_at (log, CT_DIRECTION_OUT, 0, 1, 0);
  ct_message_log_flush (log);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 10);
  ct_log_stats_get (stats, &snapshot);
  g_assert_cmpuint (snapshot.n_out, ==, 1001);
  g_assert_cmpuint (snapshot.bytes_out, ==, 1100);

  /* Clearing the log starts the stats again */
  ct_message_log_clear (log);
  ct_log_stats_get (stats, &snapshot);
  g_assert_cmpuint (snapshot.n_in, ==, 0);
  g_assert_cmpuint (snapshot.n_out, ==, 0);
  g_assert_cmpuint (snapshot.bytes_out, ==, 0);
  append_at (log, CT_DIRECTION_IN, 0, 3, 0);
  ct_message_log_flush (log);
  ct_log_stats_get (stats, &snapshot);
  g_assert_cmpuint (snapshot.n_in, ==, 1);

  g_signal_handlers_disconnect_by_data (stats, &changed);
  g_assert_finalize_object (g_steal_pointer (&stats));
  /* The log goes on without its stats */
  append_at (log, CT_DIRECTION_IN, 0, 3, 0);
  ct_message_log_flush (log);
}

static void
test_latency (void)
{
  g_autoptr(CtMessageLog) log = ct_message_log_new ();
  g_autoptr(CtLogStats) stats = ct_log_stats_new (log);
  CtLogStatsSnapshot snapshot;
  gint64 t = g_get_real_time () - 3600 * G_TIME_SPAN_SECOND;
  guint64 exchange = 1;

  /* Latencies 1..100 µs, in a shuffled order */
  for (guint i = 0; i < 100; i++)
    {
      gint64 latency = (i * 37) % 100 + 1;

      append_at (log, CT_DIRECTION_OUT, t, 0, exchange);
      append_at (log, CT_DIRECTION_IN, t + latency, 0, exchange);
      exchange++;
    }
  ct_message_log_flush (log);
  ct_log_stats_get (stats, &snapshot);
  g_assert_cmpuint (snapshot.n_latencies, ==, 100);
  g_assert_cmpint (snapshot.latency_min, ==, 1);
  /* Nearest rank */
  g_assert_cmpint (snapshot.latency_median, ==, 50);
  g_assert_cmpint (snapshot.latency_p99, ==, 99);

  /* The quantiles are over the last 10,000 pairs; the minimum over all */
  for (guint i = 0; i < 10000; i++)
    {
      append_at (log, CT_DIRECTION_OUT, t, 0, exchange);
      append_at (log, CT_DIRECTION_IN, t + (i < 9800 ? 1000 : 5000), 0, exchange);
      exchange++;
    }
  ct_message_log_flush (log);
  ct_log_stats_get (stats, &snapshot);
  g_assert_cmpuint (snapshot.n_latencies, ==, 10100);
  g_assert_cmpint (snapshot.latency_min, ==, 1);
  g_assert_cmpint (snapshot.latency_median, ==, 1000);
  g_assert_cmpint (snapshot.latency_p99, ==, 5000);
}

static void
test_history (void)
{
  for (guint attempt = 0;; attempt++)
    {
      g_autoptr(CtMessageLog) log = ct_message_log_new ();
      g_autoptr(CtLogStats) stats = ct_log_stats_new (log);
      gint64 now = g_get_real_time () / G_USEC_PER_SEC;
      CtLogStatsSnapshot snapshot;
      const double *history;
      guint n = 0;

      for (guint i = 0; i < 10; i++)
        append_at (log, CT_DIRECTION_IN, (now - 5) * G_USEC_PER_SEC + i, 1, 0);
      for (guint i = 0; i < 20; i++)
        append_at (log, CT_DIRECTION_OUT, (now - 2) * G_USEC_PER_SEC + i, 1, 0);
      for (guint i = 0; i < 7; i++)
        append_at (log, CT_DIRECTION_IN, (now - 1) * G_USEC_PER_SEC + 999999 - i, 1, 0);
      /* Not in the rate: info entries, this second, and long ago */
      ct_message_log_info (log, "x", NULL, NULL, "x");
      append_at (log, CT_DIRECTION_IN, now * G_USEC_PER_SEC, 1, 0);
      append_at (log, CT_DIRECTION_IN, (now - 3600) * G_USEC_PER_SEC, 1, 0);
      ct_message_log_flush (log);

      ct_log_stats_get (stats, &snapshot);
      history = ct_log_stats_get_history (stats, &n);

      /* The second turned meanwhile: everything moved by one */
      if (g_get_real_time () / G_USEC_PER_SEC != now && attempt < 3)
        continue;

      g_assert_cmpuint (n, ==, CT_LOG_STATS_HISTORY);
      g_assert_cmpfloat (snapshot.rate, ==, 7);
      g_assert_cmpfloat (history[n - 1], ==, 7);
      g_assert_cmpfloat (history[n - 2], ==, 20);
      g_assert_cmpfloat (history[n - 3], ==, 0);
      g_assert_cmpfloat (history[n - 5], ==, 10);
      for (guint i = 0; i < n - 5; i++)
        g_assert_cmpfloat (history[i], ==, 0);
      g_assert_cmpuint (snapshot.n_in, ==, 19);
      break;
    }
}

static gboolean
flood_cb (gpointer data)
{
  CtMessageLog *log = data;

  for (guint i = 0; i < 100; i++)
    append_at (log, CT_DIRECTION_IN, 0, 8, 0);
  return G_SOURCE_CONTINUE;
}

static gboolean
set_true_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* "changed" at most every 250 ms under a flood; and the timer stops when
 * there is nothing more to say */
static void
test_changed_rate (void)
{
  g_autoptr(CtMessageLog) log = ct_message_log_new ();
  g_autoptr(CtLogStats) stats = ct_log_stats_new (log);
  guint changed = 0, flood;
  gboolean done = FALSE;
  gint64 start, elapsed;

  g_signal_connect (stats, "changed", G_CALLBACK (on_changed), &changed);

  start = g_get_monotonic_time ();
  flood = g_timeout_add (2, flood_cb, log);
  g_timeout_add (1000, set_true_cb, &done);
  CT_TEST_WAIT_UNTIL (done);
  g_source_remove (flood);
  elapsed = g_get_monotonic_time () - start;

  g_test_message ("%u changed in %" G_GINT64_FORMAT " ms of appends", changed, elapsed / 1000);
  g_assert_cmpuint (changed, >=, 1);
  g_assert_cmpuint (changed, <=, elapsed / (250 * 1000) + 1);

  /* After a clear the history is empty: once that is reported, the timer
   * has nothing left to show and stops */
  ct_message_log_clear (log);
  ct_message_log_flush (log);
  done = FALSE;
  g_timeout_add (1600, set_true_cb, &done);
  CT_TEST_WAIT_UNTIL (done);
  changed = 0;
  done = FALSE;
  g_timeout_add (1200, set_true_cb, &done);
  CT_TEST_WAIT_UNTIL (done);
  g_assert_cmpuint (changed, ==, 0);

  g_signal_handlers_disconnect_by_data (stats, &changed);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ct/log-stats/counts", test_counts);
  g_test_add_func ("/ct/log-stats/latency", test_latency);
  g_test_add_func ("/ct/log-stats/history", test_history);
  g_test_add_func ("/ct/log-stats/changed-rate", test_changed_rate);

  return g_test_run ();
}
