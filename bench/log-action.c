/* log-action.c — how long the running app takes to answer a UI action, for
 * bench/log.sh.
 *
 * Usage: log-action BUS_NAME OBJECT_PATH ACTION COUNT INTERVAL_MS [TIMEOUT_MS]
 *
 * Connects to the session bus (DBUS_SESSION_BUS_ADDRESS) once, then COUNT
 * times, INTERVAL_MS apart (from the start of one call to the start of the
 * next, or at once when a call took longer), calls
 *   org.gtk.Actions.Activate (ACTION, [], {})
 * on OBJECT_PATH of BUS_NAME — what GtkApplication exports for the window's
 * "win." actions — and times the round trip with CLOCK_MONOTONIC.  GTK runs
 * the action on the app's main thread and answers after it has run, so the
 * round trip is the wait for the app's main loop to get to the call, the
 * action itself, and a D-Bus round trip (a fraction of a millisecond on an
 * idle machine).  Each call gives up after TIMEOUT_MS (default 10000).
 *
 * Prints (stdout), per call and then in summary (nearest-rank quantiles over
 * the calls that were answered):
 *   call I start_us T latency_ms L          (T: g_get_monotonic_time ())
 *   call I start_us T error MESSAGE
 *   calls N answered M
 *   latency_p50_ms L
 *   latency_p95_ms L
 *   latency_max_ms L
 * Exit status 0 when every call was answered.
 *
 * Bounded: COUNT calls, each with a timeout, and alarm() ends the process
 * after COUNT x (INTERVAL_MS + TIMEOUT_MS) + 10 s whatever happens.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <gio/gio.h>

#define MAX_COUNT 10000

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Nearest-rank quantile q of the n sorted values */
static double
quantile (const double *sorted,
          guint         n,
          double        q)
{
  guint rank = (guint) (q * n + 0.999999);

  if (rank < 1)
    rank = 1;
  if (rank > n)
    rank = n;
  return sorted[rank - 1];
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autofree double *latencies = NULL;
  guint64 count, interval_ms, timeout_ms = 10000;
  guint answered = 0;

  if ((argc != 6 && argc != 7) ||
      !g_dbus_is_name (argv[1]) || !g_variant_is_object_path (argv[2]) ||
      !g_ascii_string_to_unsigned (argv[4], 10, 1, MAX_COUNT, &count, NULL) ||
      !g_ascii_string_to_unsigned (argv[5], 10, 0, 60000, &interval_ms, NULL) ||
      (argc == 7 && !g_ascii_string_to_unsigned (argv[6], 10, 1, 60000, &timeout_ms, NULL)))
    {
      g_printerr ("usage: log-action BUS_NAME OBJECT_PATH ACTION COUNT INTERVAL_MS [TIMEOUT_MS]\n");
      return 2;
    }

  alarm ((unsigned) MIN (count * (interval_ms + timeout_ms) / 1000 + 10, 86400));

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (bus == NULL)
    {
      g_printerr ("log-action: cannot connect to the session bus: %s\n", error->message);
      return 1;
    }

  latencies = g_new0 (double, count);
  for (guint64 i = 1; i <= count; i++)
    {
      g_autoptr(GVariant) reply = NULL;
      g_autoptr(GError) call_error = NULL;
      gint64 t0, t1, wait;

      t0 = g_get_monotonic_time ();
      reply = g_dbus_connection_call_sync (bus, argv[1], argv[2], "org.gtk.Actions", "Activate",
                                           g_variant_new ("(s@ava{sv})", argv[3],
                                                          g_variant_new_array (G_VARIANT_TYPE_VARIANT, NULL, 0),
                                                          NULL),
                                           NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START,
                                           (int) timeout_ms, NULL, &call_error);
      t1 = g_get_monotonic_time ();
      if (reply == NULL)
        printf ("call %" G_GUINT64_FORMAT " start_us %" G_GINT64_FORMAT " error %s\n",
                i, t0, call_error->message);
      else
        {
          latencies[answered++] = (t1 - t0) / 1000.0;
          printf ("call %" G_GUINT64_FORMAT " start_us %" G_GINT64_FORMAT " latency_ms %.2f\n",
                  i, t0, (t1 - t0) / 1000.0);
        }
      fflush (stdout);

      wait = t0 + (gint64) interval_ms * 1000 - g_get_monotonic_time ();
      if (i < count && wait > 0)
        g_usleep (wait);
    }

  printf ("calls %" G_GUINT64_FORMAT " answered %u\n", count, answered);
  if (answered > 0)
    {
      qsort (latencies, answered, sizeof *latencies, compare_doubles);
      printf ("latency_p50_ms %.2f\n", quantile (latencies, answered, 0.50));
      printf ("latency_p95_ms %.2f\n", quantile (latencies, answered, 0.95));
      printf ("latency_max_ms %.2f\n", latencies[answered - 1]);
    }
  return answered == count ? 0 : 1;
}
