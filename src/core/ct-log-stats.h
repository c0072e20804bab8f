/* ct-log-stats.h — live statistics of a CtMessageLog: messages and bytes
 * each way, the message rate (with a per-second history for a chart) and
 * the latency of paired entries (min, median, p99)
 *
 * Counts every entry appended since the log was last cleared, including
 * those the cap has dropped since. "changed" is emitted at most a few times
 * per second.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ct-message-log.h"

G_BEGIN_DECLS

#define CT_LOG_STATS_HISTORY 60   /* seconds of rate history */

#define CT_TYPE_LOG_STATS (ct_log_stats_get_type ())

G_DECLARE_FINAL_TYPE (CtLogStats, ct_log_stats, CT, LOG_STATS, GObject)

typedef struct
{
  guint64 n_in;
  guint64 n_out;
  guint64 bytes_in;
  guint64 bytes_out;
  double  rate;            /* in + out messages per second, over the last full second */
  guint64 n_latencies;     /* paired entries seen */
  gint64  latency_min;     /* µs; -1 when none */
  gint64  latency_median;  /* µs, over the last 10,000 pairs; -1 when none */
  gint64  latency_p99;     /* µs, likewise; -1 when none */
} CtLogStatsSnapshot;

CtLogStats *ct_log_stats_new         (CtMessageLog       *log);
void        ct_log_stats_get         (CtLogStats         *self,
                                      CtLogStatsSnapshot *snapshot);
/* Messages per second for the last CT_LOG_STATS_HISTORY seconds, oldest
 * first; @n_values is set to how many there are */
const double *ct_log_stats_get_history (CtLogStats       *self,
                                      guint              *n_values);

G_END_DECLS
