/* test-log-filter.c — CtLogFilter: a filtered, pausable view of a log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ct-message-log-private.h"
#include "ct-test-util.h"

typedef struct
{
  guint signals;
  guint last_position, last_removed, last_added;
  guint n_pending_notifies;
} Changes;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Changes    *changes)
{
  changes->signals++;
  changes->last_position = position;
  changes->last_removed = removed;
  changes->last_added = added;
  g_assert_cmpuint (g_list_model_get_n_items (model), >=, position + added);
}

static void
on_n_pending (GObject    *object,
              GParamSpec *pspec,
              Changes    *changes)
{
  changes->n_pending_notifies++;
}

static void
append (CtMessageLog *log,
        CtDirection   direction,
        const char   *peer,
        const char   *text,
        const char   *summary)
{
  ct_message_log_append (log, &(CtMessageFields) {
                           .direction = direction,
                           .peer = peer,
                           .data = text,
                           .size = text ? strlen (text) : 0,
                           .summary = summary,
                         });
}

/* The rows' payloads, joined by spaces */
static char *
rows_text (GListModel *model)
{
  g_autoptr(GString) joined = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CtMessage) message = g_list_model_get_item (model, i);
      g_autofree char *text = ct_message_dup_text (message);

      if (i)
        g_string_append_c (joined, ' ');
      g_string_append (joined, text ? text : "?");
    }
  return g_string_free (g_steal_pointer (&joined), FALSE);
}

#define assert_rows(model, expected)                 \
  G_STMT_START {                                     \
    g_autofree char *_rows = rows_text (model);      \
    g_assert_cmpstr (_rows, ==, expected);           \
  } G_STMT_END

static void
test_conditions (void)
{
  g_autoptr(CtMessageLog) log = ct_message_log_new ();
  g_autoptr(CtLogFilter) filter = NULL;
  static const guint8 binary[] = { 'h', 'e', 'l', 'l', 'o', 0xff };
  GListModel *model;
  Changes changes = { 0 };

  append (log, CT_DIRECTION_IN, "127.0.0.1:1", "one hello", NULL);
  append (log, CT_DIRECTION_OUT, "127.0.0.1:1", "two", "Greeting: HELLO");
  append (log, CT_DIRECTION_IN, "hello-peer", "three", NULL);
  append (log, CT_DIRECTION_OUT, "bob", "four wörld", NULL);
  ct_message_log_append (log, &(CtMessageFields) {
                           .direction = CT_DIRECTION_IN, .peer = "bob",
                           .data = binary, .size = sizeof binary,
                         });
  ct_message_log_info (log, "listening", NULL, NULL, "Listening on %s", "here");
  ct_message_log_flush (log);

  filter = ct_log_filter_new (log);
  model = G_LIST_MODEL (filter);
  g_assert_true (ct_log_filter_get_log (filter) == log);
  g_assert_true (g_list_model_get_item_type (model) == CT_TYPE_MESSAGE);
  g_assert_false (ct_log_filter_is_filtering (filter));
  g_assert_cmpuint (ct_log_filter_get_directions (filter), ==, CT_LOG_FILTER_ALL_DIRECTIONS);
  g_assert_cmpstr (ct_log_filter_get_text (filter), ==, "");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 6);
  g_assert_null (g_list_model_get_item (model, 6));
  g_signal_connect (filter, "items-changed", G_CALLBACK (on_items_changed), &changes);

  /* Directions */
  ct_log_filter_set_directions (filter, 1u << CT_DIRECTION_OUT);
  g_assert_true (ct_log_filter_is_filtering (filter));
  assert_rows (model, "two four wörld");
  g_assert_cmpuint (changes.signals, ==, 1);
  g_assert_cmpuint (changes.last_removed, ==, 6);
  g_assert_cmpuint (changes.last_added, ==, 2);

  /* Text, in the payload, the summary or the peer, ignoring case; a
   * payload that is not UTF-8 is not searched */
  ct_log_filter_set_directions (filter, CT_LOG_FILTER_ALL_DIRECTIONS);
  ct_log_filter_set_text (filter, "HeLLo");
  assert_rows (model, "one hello two three");
  g_assert_cmpstr (ct_log_filter_get_text (filter), ==, "HeLLo");

  /* Narrower, then wider again */
  ct_log_filter_set_text (filter, "hello-");
  assert_rows (model, "three");
  ct_log_filter_set_text (filter, "ell");
  assert_rows (model, "one hello two three");

  /* Beyond ASCII, by case folding */
  ct_log_filter_set_text (filter, "WÖRLD");
  assert_rows (model, "four wörld");

  /* The info entry's summary */
  ct_log_filter_set_text (filter, "listening on");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);

  /* Both conditions */
  ct_log_filter_set_text (filter, "o");
  ct_log_filter_set_directions (filter, 1u << CT_DIRECTION_IN);
  /* (the binary entry by its peer, bob) */
  assert_rows (model, "one hello three ?");

  /* No change, no signal */
  changes.signals = 0;
  ct_log_filter_set_text (filter, "o");
  ct_log_filter_set_directions (filter, 1u << CT_DIRECTION_IN);
  g_assert_cmpuint (changes.signals, ==, 0);

  /* Nothing to match */
  ct_log_filter_set_text (filter, "nowhere");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  ct_log_filter_set_text (filter, NULL);
  ct_log_filter_set_directions (filter, CT_LOG_FILTER_ALL_DIRECTIONS);
  g_assert_false (ct_log_filter_is_filtering (filter));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 6);

  /* The filter goes with its last reference; the log lives on */
  g_signal_handlers_disconnect_by_data (filter, &changes);
  g_assert_finalize_object (g_steal_pointer (&filter));
  append (log, CT_DIRECTION_IN, NULL, "after", NULL);
  ct_message_log_flush (log);
}

static void
test_live (void)
{
  g_autoptr(CtMessageLog) log = ct_message_log_new ();
  g_autoptr(CtLogFilter) filter = ct_log_filter_new (log);
  GListModel *model = G_LIST_MODEL (filter);
  Changes changes = { 0 };

  ct_log_filter_set_text (filter, "ping");
  g_signal_connect (filter, "items-changed", G_CALLBACK (on_items_changed), &changes);

  for (guint i = 0; i < 1000; i++)
    append (log, i % 2 ? CT_DIRECTION_IN : CT_DIRECTION_OUT, "peer", i % 4 ? "pong" : "PING", NULL);

  /* Nothing before the log's flush, then one signal for all of it */
  g_assert_cmpuint (changes.signals, ==, 0);
  CT_TEST_WAIT_UNTIL (changes.signals > 0);
  g_assert_cmpuint (changes.signals, ==, 1);
  g_assert_cmpuint (changes.last_position, ==, 0);
  g_assert_cmpuint (changes.last_added, ==, 250);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 250);

  /* A flush with nothing matching says nothing */
  append (log, CT_DIRECTION_IN, "peer", "pong", NULL);
  ct_message_log_flush (log);
  g_assert_cmpuint (changes.signals, ==, 1);

  /* The next burst comes after */
  for (guint i = 0; i < 10; i++)
    append (log, CT_DIRECTION_IN, "peer", "ping again", NULL);
  CT_TEST_WAIT_UNTIL (changes.signals > 1);
  g_assert_cmpuint (changes.signals, ==, 2);
  g_assert_cmpuint (changes.last_position, ==, 250);
  g_assert_cmpuint (changes.last_added, ==, 10);

  /* A clear empties it */
  ct_message_log_clear (log);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  g_assert_cmpuint (changes.last_removed, ==, 260);

  g_signal_handlers_disconnect_by_data (filter, &changes);
}

static void
test_cap (void)
{
  g_autoptr(CtMessageLog) log = ct_message_log_new ();
  g_autoptr(CtLogFilter) filter = ct_log_filter_new (log);
  GListModel *model = G_LIST_MODEL (filter);
  Changes changes = { 0 };

  ct_message_log_set_capacity (log, 10);
  ct_log_filter_set_directions (filter, 1u << CT_DIRECTION_IN);
  g_signal_connect (filter, "items-changed", G_CALLBACK (on_items_changed), &changes);

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *text = g_strdup_printf ("m%u", i);
      append (log, i % 2 ? CT_DIRECTION_OUT : CT_DIRECTION_IN, NULL, text, NULL);
    }
  ct_message_log_flush (log);
  assert_rows (model, "m0 m2 m4 m6 m8");

  /* Six more: the log drops m0..m5, the filter m0, m2, m4 */
  for (guint i = 10; i < 16; i++)
    {
      g_autofree char *text = g_strdup_printf ("m%u", i);
      append (log, i % 2 ? CT_DIRECTION_OUT : CT_DIRECTION_IN, NULL, text, NULL);
    }
  changes.signals = 0;
  ct_message_log_flush (log);
  assert_rows (model, "m6 m8 m10 m12 m14");
  /* One signal for the rows that went, one for those that came */
  g_assert_cmpuint (changes.signals, ==, 2);
  g_assert_cmpuint (changes.last_position, ==, 2);
  g_assert_cmpuint (changes.last_added, ==, 3);

  /* A burst larger than the cap, none of it published before the flush */
  for (guint i = 16; i < 100; i++)
    {
      g_autofree char *text = g_strdup_printf ("m%u", i);
      append (log, CT_DIRECTION_IN, NULL, text, NULL);
    }
  ct_message_log_flush (log);
  assert_rows (model, "m90 m91 m92 m93 m94 m95 m96 m97 m98 m99");

  g_signal_handlers_disconnect_by_data (filter, &changes);
}

static void
test_pause (void)
{
  g_autoptr(CtMessageLog) log = ct_message_log_new ();
  g_autoptr(CtLogFilter) filter = ct_log_filter_new (log);
  g_autoptr(CtMessage) first = NULL;
  GListModel *model = G_LIST_MODEL (filter);
  Changes changes = { 0 };

  ct_message_log_set_capacity (log, 10);
  ct_log_filter_set_text (filter, "keep");
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *text = g_strdup_printf ("%s%u", i % 2 ? "skip" : "keep", i);
      append (log, CT_DIRECTION_IN, NULL, text, NULL);
    }
  ct_message_log_flush (log);
  assert_rows (model, "keep0 keep2 keep4 keep6 keep8");

  g_signal_connect (filter, "items-changed", G_CALLBACK (on_items_changed), &changes);
  g_signal_connect (filter, "notify::n-pending", G_CALLBACK (on_n_pending), &changes);
  ct_log_filter_set_paused (filter, TRUE);
  g_assert_true (ct_log_filter_get_paused (filter));
  g_assert_cmpuint (ct_log_filter_get_n_pending (filter), ==, 0);

  /* The log drops every entry the rows show: the rows stay, whole */
  for (guint i = 10; i < 25; i++)
    {
      g_autofree char *text = g_strdup_printf ("%s%u", i % 2 ? "skip" : "keep", i);
      append (log, CT_DIRECTION_IN, NULL, text, NULL);
    }
  ct_message_log_flush (log);
  g_assert_cmpuint (ct_message_log_get_n_dropped (log), ==, 15);
  g_assert_cmpuint (changes.signals, ==, 0);
  g_assert_cmpuint (ct_log_filter_get_n_pending (filter), ==, 15);
  g_assert_cmpuint (changes.n_pending_notifies, >=, 1);
  assert_rows (model, "keep0 keep2 keep4 keep6 keep8");
  first = g_list_model_get_item (model, 0);

  /* Conditions changed while paused wait for the resume too */
  ct_log_filter_set_text (filter, "KEEP2");
  g_assert_cmpuint (changes.signals, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 5);

  /* More appends while paused, published by the main loop */
  append (log, CT_DIRECTION_IN, NULL, "keep25", NULL);
  CT_TEST_WAIT_UNTIL (ct_log_filter_get_n_pending (filter) == 16);
  g_assert_cmpuint (changes.signals, ==, 0);

  /* The resume catches up in one signal */
  ct_log_filter_set_paused (filter, FALSE);
  g_assert_false (ct_log_filter_get_paused (filter));
  g_assert_cmpuint (changes.signals, ==, 1);
  g_assert_cmpuint (changes.last_position, ==, 0);
  g_assert_cmpuint (changes.last_removed, ==, 5);
  assert_rows (model, "keep20 keep22 keep24 keep25");
  g_assert_cmpuint (changes.last_added, ==, 4);
  g_assert_cmpuint (ct_log_filter_get_n_pending (filter), ==, 0);

  /* A row handed out while paused outlives its entry */
  {
    g_autofree char *text = ct_message_dup_text (first);
    g_assert_cmpstr (text, ==, "keep0");
  }

  /* Pause and resume with only appends: one signal, at the end */
  ct_message_log_set_capacity (log, 1000);
  ct_log_filter_set_text (filter, "keep");
  ct_log_filter_set_paused (filter, TRUE);
  append (log, CT_DIRECTION_IN, NULL, "keep26", NULL);
  ct_message_log_flush (log);
  changes.signals = 0;
  ct_log_filter_set_paused (filter, FALSE);
  g_assert_cmpuint (changes.signals, ==, 1);
  g_assert_cmpuint (changes.last_removed, ==, 0);
  g_assert_cmpuint (changes.last_added, ==, 1);

  g_signal_handlers_disconnect_by_data (filter, &changes);
  g_assert_finalize_object (g_steal_pointer (&filter));
  g_assert_finalize_object (g_steal_pointer (&log));
  g_assert_finalize_object (g_steal_pointer (&first));
}

/* A million entries filtered by text from their records: a sanity figure,
 * not a timed assertion (sanitizer builds are slow) */
static void
test_scale (void)
{
  g_autoptr(CtMessageLog) log = ct_message_log_new ();
  g_autoptr(CtLogFilter) filter = ct_log_filter_new (log);
  g_autofree char *payload = g_strnfill (64, 'x');
  gint64 start;

  for (guint i = 0; i < 1000000; i++)
    {
      if (i % 1000 == 0)
        memcpy (payload, "NeedleX", 7);
      ct_message_log_append (log, &(CtMessageFields) {
                               .direction = i % 2 ? CT_DIRECTION_IN : CT_DIRECTION_OUT,
                               .peer = "127.0.0.1:5000",
                               .data = payload, .size = 64,
                             });
      if (i % 1000 == 0)
        memcpy (payload, "xxxxxxx", 7);
    }
  ct_message_log_flush (log);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (filter)), ==, 1000000);

  start = g_get_monotonic_time ();
  ct_log_filter_set_text (filter, "needlex");
  g_test_message ("filtered 1,000,000 entries by text in %.0f ms",
                  (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (filter)), ==, 1000);

  start = g_get_monotonic_time ();
  ct_log_filter_set_text (filter, NULL);
  ct_log_filter_set_directions (filter, 1u << CT_DIRECTION_IN);
  g_test_message ("filtered 1,000,000 entries by direction in %.0f ms",
                  (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (filter)), ==, 500000);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ct/log-filter/conditions", test_conditions);
  g_test_add_func ("/ct/log-filter/live", test_live);
  g_test_add_func ("/ct/log-filter/cap", test_cap);
  g_test_add_func ("/ct/log-filter/pause", test_pause);
  g_test_add_func ("/ct/log-filter/scale", test_scale);

  return g_test_run ();
}
