/* log-append.c — appends per second and memory per message of CtMessageLog,
 * for bench/log.sh, or of a reference store, in a fresh process.
 *
 * Usage: log-append KIND [COUNT [RUNS [SIZE]]]
 *   KIND   log  ct_message_log_append() into a CtMessageLog, as the servers
 *               do: direction in, a peer ("127.0.0.1:50012", the same string
 *               every time, as a UDP server's last peer is), a SIZE-byte
 *               payload copied by the log, the time taken by the log (0:
 *               now); the main context is iterated (without blocking) every
 *               1,024 appends, so the log's per-frame flush timeout runs as
 *               it would under the main loop, and the log is flushed once at
 *               the end (every entry published, none dropped)
 *          ref  the reference: the same payloads copied into GBytes
 *               (g_bytes_new) added to a GPtrArray that owns them, with the
 *               same main-context iterations; no time, no peer, no model
 *   COUNT  messages appended per run (default 1000000; all of them are
 *          held at the end: the log's default capacity is 1,000,000)
 *   RUNS   timed runs (default 3), each into a new, empty store
 *   SIZE   payload bytes (default 64, at least 8)
 *
 * Each payload is SIZE bytes, its first 8 the message number, the rest a
 * fixed filler.  A run is timed from the first append to the end of the
 * final flush (CLOCK_MONOTONIC); the store is freed after the clock stops.
 *
 * Memory: run 1 only, in this fresh process: resident memory
 * (/proc/self/statm) read just before the store is created and again with
 * all COUNT messages held, after the flush.  The growth minus the payload
 * bytes (COUNT x SIZE), divided by COUNT, is what holding a message costs
 * beyond its payload: records, ring, peer, allocator overhead, everything.
 *
 * Prints (stdout):
 *   run R appends_per_s N seconds S
 *   appends_per_s N           (the best run)
 *   rss_growth_bytes N
 *   payload_bytes N
 *   bytes_per_message N       ((rss_growth_bytes - payload_bytes) / COUNT)
 *   held N                    (items in the model / the array at the end)
 *
 * Bounded: RUNS x COUNT appends, nothing waits.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ct-message-log.h"

#define ITERATE_EVERY 1024
#define PEER          "127.0.0.1:50012"
#define MAX_RUNS      100

static guint64 n_changes;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  n_changes++;
}

/* Resident memory of this process, in bytes (0 if unknown) */
static guint64
resident_bytes (void)
{
  unsigned long size = 0, resident = 0;
  FILE *f = fopen ("/proc/self/statm", "r");

  if (f == NULL)
    return 0;
  if (fscanf (f, "%lu %lu", &size, &resident) != 2)
    resident = 0;
  fclose (f);
  return (guint64) resident * (guint64) sysconf (_SC_PAGESIZE);
}

static void
fill (guint8  *payload,
      gsize    size,
      guint64  n)
{
  memcpy (payload, &n, sizeof n);
}

/* One run; returns the seconds it took.  *rss_held is the resident memory
 * with every message held (read after the clock stopped).  *held is what
 * the store holds. */
static double
run_log (guint    count,
         guint8  *payload,
         gsize    size,
         guint64 *rss_held,
         guint64 *held)
{
  CtMessageLog *log = ct_message_log_new ();
  gint64 t0, t1;
  guint i;

  g_signal_connect (log, "items-changed", G_CALLBACK (on_items_changed), NULL);

  t0 = g_get_monotonic_time ();
  for (i = 0; i < count; i++)
    {
      fill (payload, size, i);
      ct_message_log_append (log, &(CtMessageFields) {
                               .direction = CT_DIRECTION_IN,
                               .peer = PEER,
                               .data = payload,
                               .size = size,
                             });
      if ((i + 1) % ITERATE_EVERY == 0)
        g_main_context_iteration (NULL, FALSE);
    }
  ct_message_log_flush (log);
  t1 = g_get_monotonic_time ();

  *rss_held = resident_bytes ();
  *held = g_list_model_get_n_items (G_LIST_MODEL (log));
  if (ct_message_log_get_n_dropped (log) != 0)
    g_printerr ("log-append: warning: the log dropped %" G_GUINT64_FORMAT " entries\n",
                ct_message_log_get_n_dropped (log));
  g_object_unref (log);
  return (t1 - t0) / 1e6;
}

static double
run_ref (guint    count,
         guint8  *payload,
         gsize    size,
         guint64 *rss_held,
         guint64 *held)
{
  GPtrArray *array = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gint64 t0, t1;
  guint i;

  t0 = g_get_monotonic_time ();
  for (i = 0; i < count; i++)
    {
      fill (payload, size, i);
      g_ptr_array_add (array, g_bytes_new (payload, size));
      if ((i + 1) % ITERATE_EVERY == 0)
        g_main_context_iteration (NULL, FALSE);
    }
  t1 = g_get_monotonic_time ();

  *rss_held = resident_bytes ();
  *held = array->len;
  g_ptr_array_unref (array);
  return (t1 - t0) / 1e6;
}

static gboolean
parse_uint (const char *text,
            guint64     min,
            guint64     max,
            guint64    *value)
{
  return g_ascii_string_to_unsigned (text, 10, min, max, value, NULL);
}

int
main (int    argc,
      char **argv)
{
  guint64 count = 1000000, runs = 3, size = 64;
  gboolean is_log;
  g_autofree guint8 *payload = NULL;
  guint64 rss_before = 0, rss_held = 0, held = 0, rss_growth;
  double best = 0;

  if (argc < 2 || argc > 5 ||
      (strcmp (argv[1], "log") != 0 && strcmp (argv[1], "ref") != 0) ||
      (argc > 2 && !parse_uint (argv[2], 1, 100000000, &count)) ||
      (argc > 3 && !parse_uint (argv[3], 1, MAX_RUNS, &runs)) ||
      (argc > 4 && !parse_uint (argv[4], 8, 65536, &size)))
    {
      g_printerr ("usage: log-append log|ref [COUNT [RUNS [SIZE]]]\n");
      return 2;
    }
  is_log = strcmp (argv[1], "log") == 0;

  payload = g_malloc (size);
  memset (payload, 'x', size);

  /* The types and the main context exist before the first reading */
  if (is_log)
    g_object_unref (ct_message_log_new ());
  g_main_context_iteration (NULL, FALSE);

  for (guint64 r = 1; r <= runs; r++)
    {
      guint64 rss = 0, n = 0;
      double seconds, rate;

      if (r == 1)
        rss_before = resident_bytes ();
      seconds = is_log ? run_log (count, payload, size, &rss, &n)
                       : run_ref (count, payload, size, &rss, &n);
      rate = seconds > 0 ? count / seconds : 0;
      printf ("run %" G_GUINT64_FORMAT " appends_per_s %.0f seconds %.3f\n", r, rate, seconds);
      fflush (stdout);
      if (rate > best)
        best = rate;
      if (r == 1)
        {
          rss_held = rss;
          held = n;
        }
    }

  rss_growth = rss_held > rss_before ? rss_held - rss_before : 0;
  printf ("appends_per_s %.0f\n", best);
  printf ("rss_growth_bytes %" G_GUINT64_FORMAT "\n", rss_growth);
  printf ("payload_bytes %" G_GUINT64_FORMAT "\n", count * size);
  printf ("bytes_per_message %.1f\n", ((double) rss_growth - (double) (count * size)) / count);
  printf ("held %" G_GUINT64_FORMAT "\n", held);
  if (is_log && n_changes == 0)
    g_printerr ("log-append: warning: the log never emitted items-changed\n");
  if (rss_before == 0)
    {
      g_printerr ("log-append: cannot read /proc/self/statm\n");
      return 1;
    }
  return held == count ? 0 : 1;
}
