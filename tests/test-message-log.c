/* test-message-log.c — CtMessage and CtMessageLog
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
  guint total_added, total_removed;
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
  changes->total_added += added;
  changes->total_removed += removed;
  /* The model is consistent when it signals */
  g_assert_cmpuint (g_list_model_get_n_items (model), >=, position + added);
}

static void
append_text (CtMessageLog *log,
             CtDirection   direction,
             const char   *text)
{
  ct_message_log_append (log, &(CtMessageFields) {
                           .direction = direction,
                           .peer = "127.0.0.1:5000",
                           .data = text,
                           .size = strlen (text),
                         });
}

static void
test_message_fields (void)
{
  g_autoptr(CtMessage) message = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *text = NULL;
  GVariantDict meta;

  g_variant_dict_init (&meta, NULL);
  g_variant_dict_insert (&meta, "status", "u", 200);

  message = ct_message_new (&(CtMessageFields) {
                              .time = 1700000000123456,
                              .direction = CT_DIRECTION_OUT,
                              .peer = "alice",
                              .data = "hi\nthere",
                              .size = 8,
                              .meta = g_variant_dict_end (&meta),
                              .exchange = 42,
                            });
  g_assert_cmpint (ct_message_get_time (message), ==, 1700000000123456);
  g_assert_cmpint (ct_message_get_direction (message), ==, CT_DIRECTION_OUT);
  g_assert_cmpstr (ct_message_get_peer (message), ==, "alice");
  g_assert_cmpuint (ct_message_get_size (message), ==, 8);
  g_assert_cmpuint (ct_message_get_exchange (message), ==, 42);
  g_assert_false (ct_message_has_summary (message));

  /* The derived summary shows control characters as symbols */
  summary = ct_message_dup_summary (message);
  g_assert_cmpstr (summary, ==, "hi␊there");
  text = ct_message_dup_text (message);
  g_assert_cmpstr (text, ==, "hi\nthere");

  payload = ct_message_get_payload (message);
  g_assert_cmpmem (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload), "hi\nthere", 8);

  g_assert_true (g_variant_lookup (ct_message_get_meta (message), "status", "u", NULL));

  {
    g_autofree char *iso = ct_message_format_time (message, TRUE);

    g_assert_cmpstr (iso, ==, "2023-11-14T22:13:20.123456Z");
  }

  /* The payload outlives the message object */
  g_assert_finalize_object (g_steal_pointer (&message));
  g_assert_cmpuint (g_bytes_get_size (payload), ==, 8);
}

static void
test_binary_summary (void)
{
  static const guint8 data[] = { 0xff, 0x00, 0x41 };
  g_autoptr(CtMessage) message = ct_message_new (&(CtMessageFields) {
                                                   .direction = CT_DIRECTION_IN,
                                                   .data = data, .size = sizeof data,
                                                 });
  g_autofree char *summary = ct_message_dup_summary (message);

  g_assert_cmpstr (summary, ==, "ff 00 41");
  g_assert_null (ct_message_dup_text (message));
}

static void
test_coalescing (void)
{
  g_autoptr(CtMessageLog) log = ct_message_log_new ();
  Changes changes = { 0 };

  g_signal_connect (log, "items-changed", G_CALLBACK (on_items_changed), &changes);

  for (guint i = 0; i < 1000; i++)
    append_text (log, CT_DIRECTION_IN, "ping");

  /* Nothing is announced before the frame ends */
  g_assert_cmpuint (changes.signals, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 0);

  /* ...then exactly one items-changed for the whole burst */
  CT_TEST_WAIT_UNTIL (changes.signals > 0);
  g_assert_cmpuint (changes.signals, ==, 1);
  g_assert_cmpuint (changes.last_position, ==, 0);
  g_assert_cmpuint (changes.last_removed, ==, 0);
  g_assert_cmpuint (changes.last_added, ==, 1000);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 1000);

  /* A second burst is appended after the first */
  for (guint i = 0; i < 10; i++)
    append_text (log, CT_DIRECTION_OUT, "pong");
  CT_TEST_WAIT_UNTIL (changes.signals > 1);
  g_assert_cmpuint (changes.signals, ==, 2);
  g_assert_cmpuint (changes.last_position, ==, 1000);
  g_assert_cmpuint (changes.last_added, ==, 10);

  /* Flushing with nothing pending announces nothing */
  ct_message_log_flush (log);
  g_assert_cmpuint (changes.signals, ==, 2);

  g_signal_handlers_disconnect_by_data (log, &changes);
  g_assert_finalize_object (g_steal_pointer (&log));
}

static void
test_items (void)
{
  g_autoptr(CtMessageLog) log = ct_message_log_new ();

  append_text (log, CT_DIRECTION_IN, "one");
  append_text (log, CT_DIRECTION_OUT, "two");
  ct_message_log_info (log, "listening", NULL, NULL, "Listening on %s", "127.0.0.1:1");
  ct_message_log_flush (log);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 3);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (log)) == CT_TYPE_MESSAGE);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (log), 3));
  g_assert_cmpint (ct_test_log_find (log, CT_DIRECTION_IN, "one"), ==, 0);
  g_assert_cmpint (ct_test_log_find (log, CT_DIRECTION_OUT, "two"), ==, 1);
  g_assert_cmpint (ct_test_log_find (log, CT_DIRECTION_INFO, "127.0.0.1:1"), ==, 2);

  {
    g_autoptr(CtMessage) info = g_list_model_get_item (G_LIST_MODEL (log), 2);

    g_assert_cmpstr (ct_message_get_event (info), ==, "listening");
    g_assert_true (ct_message_has_summary (info));
  }
}

static void
test_cap (void)
{
  g_autoptr(CtMessageLog) log = ct_message_log_new ();
  g_autoptr(CtMessage) oldest = NULL;
  Changes changes = { 0 };

  ct_message_log_set_capacity (log, 100);
  g_signal_connect (log, "items-changed", G_CALLBACK (on_items_changed), &changes);

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *text = g_strdup_printf ("m%u", i);
      append_text (log, CT_DIRECTION_IN, text);
    }
  ct_message_log_flush (log);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 100);
  g_assert_cmpuint (ct_message_log_get_n_dropped (log), ==, 0);

  /* A view holds the oldest row while the cap drops it */
  oldest = g_list_model_get_item (G_LIST_MODEL (log), 0);

  for (guint i = 100; i < 250; i++)
    {
      g_autofree char *text = g_strdup_printf ("m%u", i);
      append_text (log, CT_DIRECTION_IN, text);
    }
  changes.signals = 0;
  ct_message_log_flush (log);

  /* One signal for the dropped rows, one for the new ones */
  g_assert_cmpuint (changes.signals, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 100);
  g_assert_cmpuint (ct_message_log_get_n_dropped (log), ==, 150);
  g_assert_cmpuint (ct_message_log_get_n_appended (log), ==, 250);
  g_assert_cmpint (ct_test_log_find (log, CT_DIRECTION_IN, "m150"), ==, 0);
  g_assert_cmpint (ct_test_log_find (log, CT_DIRECTION_IN, "m249"), ==, 99);
  g_assert_cmpint (ct_test_log_find (log, CT_DIRECTION_IN, "m149"), ==, -1);

  /* The dropped row's object is still whole */
  {
    g_autofree char *text = ct_message_dup_text (oldest);
    g_assert_cmpstr (text, ==, "m0");
  }

  /* Lowering the capacity drops at once */
  ct_message_log_set_capacity (log, 10);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 10);
  g_assert_cmpuint (ct_message_log_get_n_dropped (log), ==, 240);
  g_assert_cmpuint (changes.total_added - changes.total_removed, ==, 10);

  /* Clear empties the log and resets the dropped count */
  ct_message_log_clear (log);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 0);
  g_assert_cmpuint (ct_message_log_get_n_dropped (log), ==, 0);
  g_assert_cmpuint (changes.total_added, ==, changes.total_removed);

  g_signal_handlers_disconnect_by_data (log, &changes);
  g_assert_finalize_object (g_steal_pointer (&log));
  g_assert_finalize_object (g_steal_pointer (&oldest));
}

/* A large log at its cap goes a quarter past it, then back to the cap at
 * once: rows leave the top a few times in a flood, not at every flush */
static void
test_cap_in_chunks (void)
{
  g_autoptr(CtMessageLog) log = ct_message_log_new ();
  const guint capacity = 65536, slack = capacity / 4;
  Changes changes = { 0 };

  ct_message_log_set_capacity (log, capacity);
  g_signal_connect (log, "items-changed", G_CALLBACK (on_items_changed), &changes);

  for (guint i = 0; i < capacity + slack; i++)
    append_text (log, CT_DIRECTION_IN, "x");
  ct_message_log_flush (log);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, capacity + slack);
  g_assert_cmpuint (ct_message_log_get_n_dropped (log), ==, 0);
  g_assert_cmpuint (changes.total_removed, ==, 0);

  append_text (log, CT_DIRECTION_IN, "over");
  ct_message_log_flush (log);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, capacity);
  g_assert_cmpuint (ct_message_log_get_n_dropped (log), ==, slack + 1);
  g_assert_cmpint (ct_test_log_find (log, CT_DIRECTION_IN, "over"), ==, capacity - 1);

  g_signal_handlers_disconnect_by_data (log, &changes);
}

static void
test_cap_without_main_loop (void)
{
  g_autoptr(CtMessageLog) log = ct_message_log_new ();

  /* Appending far past the cap with no main loop running still keeps
   * memory bounded: the log flushes itself every so often. */
  ct_message_log_set_capacity (log, 1000);
  for (guint i = 0; i < 300000; i++)
    append_text (log, CT_DIRECTION_IN, "x");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), <=, 1000);
  g_assert_cmpuint (ct_message_log_get_heap_bytes (log), <, 100000 * 100);
  ct_message_log_flush (log);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 1000);
  g_assert_cmpuint (ct_message_log_get_n_dropped (log), ==, 299000);
}

static void
test_max_bytes (void)
{
  g_autoptr(CtMessageLog) log = ct_message_log_new ();
  g_autofree char *big = g_strnfill (10000, 'a');

  ct_message_log_set_max_bytes (log, 50000);
  for (guint i = 0; i < 20; i++)
    append_text (log, CT_DIRECTION_IN, big);
  ct_message_log_flush (log);

  g_assert_cmpuint (ct_message_log_get_heap_bytes (log), <=, 50000);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 4);
  g_assert_cmpuint (ct_message_log_get_n_dropped (log), ==, 16);
}

static void
test_error_entry (void)
{
  g_autoptr(CtMessageLog) log = ct_message_log_new ();
  g_autoptr(GError) error = g_error_new (CT_ERROR, CT_ERROR_ADDRESS_IN_USE, "Address in use");
  g_autoptr(CtMessage) message = NULL;

  ct_message_log_error (log, "127.0.0.1:9", error);
  ct_message_log_flush (log);
  message = g_list_model_get_item (G_LIST_MODEL (log), 0);
  g_assert_cmpint (ct_message_get_direction (message), ==, CT_DIRECTION_ERROR);
  g_assert_cmpstr (ct_message_get_peer (message), ==, "127.0.0.1:9");
  {
    g_autofree char *summary = ct_message_dup_summary (message);
    g_assert_cmpstr (summary, ==, "Address in use");
  }
}

/* The metadata builder writes GVariant's serialised form itself: it must be
 * byte for byte what GLib makes of the same dictionary, with framing offsets
 * of every size */
static void
check_meta_matches_glib (gsize string_length,
                         guint n_keys)
{
  CtMetaBuilder builder = { 0 };
  GVariantBuilder reference;
  g_autofree char *text = g_strnfill (string_length, 'h');
  g_autoptr(GVariant) ours = NULL;
  g_autoptr(GVariant) theirs = NULL;
  const char *ids[] = { "1", "two", NULL };

  g_variant_builder_init (&reference, G_VARIANT_TYPE ("a{sv}"));
  for (guint i = 0; i < n_keys; i++)
    {
      g_autofree char *key = g_strdup_printf ("key-%u", i);

      switch (i % 5)
        {
        case 0:
          ct_meta_builder_add_string (&builder, key, text);
          g_variant_builder_add (&reference, "{sv}", key, g_variant_new_string (text));
          break;
        case 1:
          ct_meta_builder_add_uint32 (&builder, key, 200 + i);
          g_variant_builder_add (&reference, "{sv}", key, g_variant_new_uint32 (200 + i));
          break;
        case 2:
          ct_meta_builder_add_int64 (&builder, key, -1234567890123 * (gint64) i);
          g_variant_builder_add (&reference, "{sv}", key, g_variant_new_int64 (-1234567890123 * (gint64) i));
          break;
        case 3:
          ct_meta_builder_add (&builder, key, g_variant_new_strv (ids, -1));
          g_variant_builder_add (&reference, "{sv}", key, g_variant_new_strv (ids, -1));
          break;
        default:
          ct_meta_builder_add (&builder, key, g_variant_new_boolean (TRUE));
          g_variant_builder_add (&reference, "{sv}", key, g_variant_new_boolean (TRUE));
          break;
        }
    }
  ours = g_variant_ref_sink (ct_meta_builder_end (&builder));
  theirs = g_variant_ref_sink (g_variant_builder_end (&reference));

  g_assert_true (g_variant_is_normal_form (ours));
  g_assert_cmpmem (g_variant_get_data (ours), g_variant_get_size (ours),
                   g_variant_get_data (theirs), g_variant_get_size (theirs));
  g_assert_true (g_variant_equal (ours, theirs));
}

static void
test_meta_builder (void)
{
  static const gsize lengths[] = { 0, 1, 7, 100, 250, 300, 70000 };
  CtMetaBuilder builder = { 0 };
  g_autoptr(GVariant) meta = NULL;
  const char *value = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
    for (guint n = 0; n <= 16; n += (n < 6 ? 1 : 5))
      check_meta_matches_glib (lengths[i], n);

  /* NULL leaves a key out; text that is not UTF-8 is made valid */
  ct_meta_builder_add_string (&builder, "absent", NULL);
  ct_meta_builder_add_string (&builder, "header", "caf\xe9");
  meta = g_variant_ref_sink (ct_meta_builder_end (&builder));
  g_assert_cmpuint (g_variant_n_children (meta), ==, 1);
  g_assert_true (g_variant_lookup (meta, "header", "&s", &value));
  g_assert_true (g_utf8_validate (value, -1, NULL));
  g_assert_true (g_str_has_prefix (value, "caf"));
}

/* An entry given its payload as GBytes shares them instead of copying; it
 * reads, and exports, exactly as the same entry with a copied payload */
static void
test_shared_payload (void)
{
  g_autoptr(CtMessageLog) log = ct_message_log_new ();
  g_autoptr(CtMessage) copied = NULL;
  g_autoptr(CtMessage) shared = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autofree char *copied_line = NULL;
  g_autofree char *shared_line = NULL;
  g_autofree char *text = NULL;
  g_autofree char *summary = NULL;
  const char *body = "{\"id\":1,\"title\":\"Buy milk\",\"done\":false,\"tags\":[\"home\"]}";
  GBytes *bytes = g_bytes_new (body, strlen (body));
  guint64 copied_heap;
  gsize size = 0;

  for (guint i = 0; i < 2; i++)
    ct_message_log_append (log, &(CtMessageFields) {
                             .time = 1700000000123456,
                             .direction = CT_DIRECTION_OUT,
                             .peer = "127.0.0.1:5000",
                             .data = body,
                             .size = strlen (body),
                             .bytes = i == 1 ? bytes : NULL,
                             .summary = "200 OK",
                             .meta = ct_meta_new ("status", g_variant_new_uint32 (200), NULL),
                             .exchange = 7,
                           });
  copied_heap = ct_message_log_get_heap_bytes (log);
  /* The entry keeps its reference when the caller lets go of the bytes */
  g_bytes_unref (bytes);
  ct_message_log_flush (log);

  copied = g_list_model_get_item (G_LIST_MODEL (log), 0);
  shared = g_list_model_get_item (G_LIST_MODEL (log), 1);
  g_assert_cmpmem (ct_message_get_data (shared, &size), size, body, strlen (body));
  g_assert_cmpuint (ct_message_get_size (shared), ==, strlen (body));
  text = ct_message_dup_text (shared);
  g_assert_cmpstr (text, ==, body);
  summary = ct_message_dup_summary (shared);
  g_assert_cmpstr (summary, ==, "200 OK");
  payload = ct_message_get_payload (shared);
  g_assert_true (payload == bytes);   /* the very bytes, not a copy */
  g_assert_cmpmem (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload), body, strlen (body));
  g_assert_cmpuint (ct_test_meta_status (shared), ==, 200);

  /* The shared bytes count in full: the byte cap means the same either way */
  g_assert_cmpuint (ct_message_log_get_heap_bytes (log), ==, copied_heap);

  /* The same line, but for the latency: the second entry has the first's
   * exchange id and time, so it answers it in 0 µs */
  copied_line = ct_jsonl_format_message (copied, "rest", "server");
  shared_line = ct_jsonl_format_message (shared, "rest", "server");
  g_assert_cmpint (ct_message_get_latency (copied), ==, -1);
  g_assert_cmpint (ct_message_get_latency (shared), ==, 0);
  {
    g_autofree char *expected = g_strdup_printf ("%.*s,\"latency_us\":0}",
                                                 (int) strlen (copied_line) - 1, copied_line);

    g_assert_cmpstr (shared_line, ==, expected);
  }

  /* ...and outlive the log, with the message and the payload */
  g_assert_finalize_object (g_steal_pointer (&log));
  g_clear_object (&copied);
  {
    g_autofree char *again = ct_message_dup_text (shared);

    g_assert_cmpstr (again, ==, body);
  }
  g_assert_finalize_object (g_steal_pointer (&shared));
  g_assert_cmpmem (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload), body, strlen (body));

  /* A payload smaller than the reference is copied */
  {
    g_autoptr(GBytes) small = g_bytes_new ("hi", 2);
    g_autoptr(CtMessage) message = ct_message_new (&(CtMessageFields) {
                                                     .direction = CT_DIRECTION_IN,
                                                     .bytes = small,
                                                   });
    g_autoptr(GBytes) small_payload = ct_message_get_payload (message);

    g_assert_true (small_payload != small);
    g_assert_cmpmem (g_bytes_get_data (small_payload, NULL), g_bytes_get_size (small_payload), "hi", 2);
  }

  /* Empty bytes are an empty payload */
  {
    g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
    g_autoptr(CtMessage) message = ct_message_new (&(CtMessageFields) {
                                                     .direction = CT_DIRECTION_IN,
                                                     .bytes = empty,
                                                   });
    g_autofree char *empty_text = ct_message_dup_text (message);

    g_assert_cmpuint (ct_message_get_size (message), ==, 0);
    g_assert_cmpstr (empty_text, ==, "");
  }
}

/* Metadata appended from a builder, without a GVariant, reads back as the
 * dictionary GLib would have made; a string written in pieces is one value,
 * made valid when it is not UTF-8 */
static void
test_meta_built (void)
{
  g_autoptr(CtMessageLog) log = ct_message_log_new ();
  g_autoptr(CtMessage) message = NULL;
  g_autoptr(GVariant) expected = NULL;
  g_autoptr(GVariant) kept = NULL;
  CtMetaBuilder builder = { 0 };
  g_autofree char *long_value = g_strnfill (5000, 'v');
  GVariantBuilder reference;
  const char *value = NULL;

  ct_meta_builder_add_uint32 (&builder, "status", 200);
  ct_meta_builder_begin_string (&builder, "headers");
  ct_meta_builder_append (&builder, "Host", -1);
  ct_meta_builder_append (&builder, ": example.org\n", -1);
  ct_meta_builder_append (&builder, "ETag: \"1\"\nignored", 10);
  ct_meta_builder_end_string (&builder);
  ct_meta_builder_begin_string (&builder, "bad");
  ct_meta_builder_append (&builder, "caf\xe9 a\0b", 8);
  ct_meta_builder_end_string (&builder);
  ct_meta_builder_begin_string (&builder, "empty");
  ct_meta_builder_end_string (&builder);
  /* Larger than the builder's stack, then more */
  ct_meta_builder_add_string (&builder, "long", long_value);
  ct_meta_builder_add_int64 (&builder, "latency-us", 1234);

  ct_message_log_append_built (log, &(CtMessageFields) {
                                 .direction = CT_DIRECTION_OUT,
                                 .data = "x",
                                 .size = 1,
                               }, &builder);
  ct_message_log_flush (log);
  message = g_list_model_get_item (G_LIST_MODEL (log), 0);

  g_assert_true (g_variant_lookup (ct_message_get_meta (message), "bad", "&s", &value));
  g_assert_true (g_utf8_validate (value, -1, NULL));
  g_assert_true (g_str_has_prefix (value, "caf"));
  g_assert_true (g_str_has_suffix (value, "b"));

  g_variant_builder_init (&reference, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&reference, "{sv}", "status", g_variant_new_uint32 (200));
  g_variant_builder_add (&reference, "{sv}", "headers", g_variant_new_string ("Host: example.org\nETag: \"1\"\n"));
  g_variant_builder_add (&reference, "{sv}", "bad", g_variant_new_string (value));
  g_variant_builder_add (&reference, "{sv}", "empty", g_variant_new_string (""));
  g_variant_builder_add (&reference, "{sv}", "long", g_variant_new_string (long_value));
  g_variant_builder_add (&reference, "{sv}", "latency-us", g_variant_new_int64 (1234));
  expected = g_variant_ref_sink (g_variant_builder_end (&reference));
  g_assert_cmpmem (g_variant_get_data (ct_message_get_meta (message)), g_variant_get_size (ct_message_get_meta (message)),
                   g_variant_get_data (expected), g_variant_get_size (expected));
  g_assert_true (g_variant_equal (ct_message_get_meta (message), expected));
  g_assert_true (g_variant_is_normal_form (ct_message_get_meta (message)));
  /* Asked for again: the same GVariant */
  g_assert_true (ct_message_get_meta (message) == ct_message_get_meta (message));

  /* A reference to it outlives the message and the log */
  kept = g_variant_ref (ct_message_get_meta (message));
  g_assert_finalize_object (g_steal_pointer (&message));
  g_assert_finalize_object (g_steal_pointer (&log));
  g_assert_true (g_variant_equal (kept, expected));
}

/* A log cuts its records from shared blocks: thousands of entries of every
 * size, some kept by views past the cap and past a clear */
static void
test_record_blocks (void)
{
  g_autoptr(CtMessageLog) log = ct_message_log_new ();
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *big = g_strnfill (20000, 'b');

  ct_message_log_set_capacity (log, 500);
  for (guint i = 0; i < 5000; i++)
    {
      g_autofree char *text = g_strdup_printf ("m%u-%.*s", i, (int) (i % 3000), big);

      ct_message_log_append (log, &(CtMessageFields) {
                               .direction = CT_DIRECTION_IN,
                               .peer = i % 2 ? "a" : "b",
                               .data = i % 1000 == 999 ? big : text,
                               .size = i % 1000 == 999 ? 20000 : strlen (text),
                               .summary = i % 7 == 0 ? "seven" : NULL,
                               .meta = i % 5 == 0 ? ct_meta_new ("n", g_variant_new_uint32 (i), NULL) : NULL,
                             });
      if (i % 250 == 0)
        {
          ct_message_log_flush (log);
          g_ptr_array_add (held, g_list_model_get_item (G_LIST_MODEL (log),
                                                        g_list_model_get_n_items (G_LIST_MODEL (log)) - 1));
        }
    }
  ct_message_log_flush (log);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 500);
  g_assert_cmpuint (ct_message_log_get_n_dropped (log), ==, 4500);
  ct_message_log_clear (log);
  g_assert_finalize_object (g_steal_pointer (&log));

  /* Every held entry is whole after its log is gone */
  for (guint k = 0; k < held->len; k++)
    {
      CtMessage *message = held->pdata[k];
      guint i = k * 250;
      g_autofree char *expected = g_strdup_printf ("m%u-%.*s", i, (int) (i % 3000), big);
      g_autofree char *text = ct_message_dup_text (message);
      guint32 n = G_MAXUINT32;

      g_assert_cmpstr (text, ==, expected);
      g_assert_cmpstr (ct_message_get_peer (message), ==, i % 2 ? "a" : "b");
      g_assert_true (g_variant_lookup (ct_message_get_meta (message), "n", "u", &n));
      g_assert_cmpuint (n, ==, i);
    }
}


static gint64
append_exchange (CtMessageLog *log,
                 CtDirection   direction,
                 gint64        time,
                 guint64       exchange)
{
  g_autoptr(CtMessage) message = NULL;

  ct_message_log_append (log, &(CtMessageFields) {
                           .time = time,
                           .direction = direction,
                           .exchange = exchange,
                         });
  ct_message_log_flush (log);
  message = g_list_model_get_item (G_LIST_MODEL (log), g_list_model_get_n_items (G_LIST_MODEL (log)) - 1);
  return ct_message_get_latency (message);
}

/* An entry with an exchange id answers the earlier one with that id */
static void
test_latency (void)
{
  g_autoptr(CtMessageLog) log = ct_message_log_new ();
  g_autoptr(CtMessage) alone = ct_message_new (&(CtMessageFields) { .exchange = 1 });
  const gint64 t = 1700000000000000;

  g_assert_cmpint (ct_message_get_latency (alone), ==, -1);

  g_assert_cmpint (append_exchange (log, CT_DIRECTION_OUT, t, 1), ==, -1);
  g_assert_cmpint (append_exchange (log, CT_DIRECTION_OUT, t + 10, 2), ==, -1);
  g_assert_cmpint (append_exchange (log, CT_DIRECTION_IN, t + 20, 0), ==, -1);
  g_assert_cmpint (append_exchange (log, CT_DIRECTION_IN, t + 1500, 1), ==, 1500);
  g_assert_cmpint (append_exchange (log, CT_DIRECTION_IN, t + 2010, 2), ==, 2000);
  /* Answered: the next entry with the id starts a new exchange */
  g_assert_cmpint (append_exchange (log, CT_DIRECTION_OUT, t + 3000, 1), ==, -1);
  g_assert_cmpint (append_exchange (log, CT_DIRECTION_IN, t + 3007, 1), ==, 7);
  /* A clock set back gives 0, not less */
  g_assert_cmpint (append_exchange (log, CT_DIRECTION_OUT, t + 5000, 3), ==, -1);
  g_assert_cmpint (append_exchange (log, CT_DIRECTION_IN, t + 4000, 3), ==, 0);
  /* Long latencies are kept to the millisecond past 35 minutes */
  g_assert_cmpint (append_exchange (log, CT_DIRECTION_OUT, t, 4), ==, -1);
  g_assert_cmpint (append_exchange (log, CT_DIRECTION_IN, t + 1800 * G_TIME_SPAN_SECOND + 1, 4), ==,
                   1800 * G_TIME_SPAN_SECOND + 1);
  g_assert_cmpint (append_exchange (log, CT_DIRECTION_OUT, t, 5), ==, -1);
  g_assert_cmpint (append_exchange (log, CT_DIRECTION_IN, t + 7200 * G_TIME_SPAN_SECOND + 1234, 5), ==,
                   7200 * G_TIME_SPAN_SECOND + 1000);
}

/* Unanswered exchange ids are remembered up to the last 65,536 */
static void
test_latency_bounded (void)
{
  g_autoptr(CtMessageLog) log = ct_message_log_new ();
  const gint64 t = 1700000000000000;

  ct_message_log_set_capacity (log, 1000);
  for (guint64 id = 1; id <= 70000; id++)
    ct_message_log_append (log, &(CtMessageFields) {
                             .time = t, .direction = CT_DIRECTION_OUT, .exchange = id * 7919,
                           });
  /* The oldest remembered is 70000 - 65536 + 1 */
  g_assert_cmpint (append_exchange (log, CT_DIRECTION_IN, t + 5, 70000 * 7919), ==, 5);
  g_assert_cmpint (append_exchange (log, CT_DIRECTION_IN, t + 6, 4465 * 7919), ==, 6);
  g_assert_cmpint (append_exchange (log, CT_DIRECTION_IN, t + 7, 4464 * 7919), ==, -1);
  g_assert_cmpint (append_exchange (log, CT_DIRECTION_IN, t + 8, 1 * 7919), ==, -1);
  /* (the last two, not found, now wait in turn: 4466 and 4467 were
   * forgotten for them.) Every other one still pairs, whatever the table
   * did meanwhile */
  for (guint64 id = 4468; id < 70000; id += 997)
    g_assert_cmpint (append_exchange (log, CT_DIRECTION_IN, t + 9, id * 7919), ==, 9);

  /* Requests answered as they come take no room from those waiting */
  for (guint64 id = 1; id <= 200000; id++)
    {
      ct_message_log_append (log, &(CtMessageFields) {
                               .time = t, .direction = CT_DIRECTION_OUT, .exchange = 1000000 + id,
                             });
      ct_message_log_append (log, &(CtMessageFields) {
                               .time = t + 3, .direction = CT_DIRECTION_IN, .exchange = 1000000 + id,
                             });
    }
  g_assert_cmpint (append_exchange (log, CT_DIRECTION_IN, t + 10, 5000 * 7919), ==, 10);
  g_assert_cmpint (append_exchange (log, CT_DIRECTION_IN, t + 11, 4469 * 7919), ==, 11);
}

/* A million 64-byte entries: a sanity figure for memory and speed, not a
 * timed assertion (sanitizer builds are slow; see docs/ARCHITECTURE.md for
 * the figures of a release build) */
static void
test_scale (void)
{
  g_autoptr(CtMessageLog) log = ct_message_log_new ();
  g_autofree char *payload = g_strnfill (64, 'p');
  gint64 start = g_get_monotonic_time ();
  double seconds;

  for (guint i = 0; i < 1000000; i++)
    ct_message_log_append (log, &(CtMessageFields) {
                             .direction = CT_DIRECTION_IN,
                             .peer = "127.0.0.1:50012",
                             .data = payload, .size = 64,
                           });
  ct_message_log_flush (log);
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 1000000);
  g_assert_cmpuint (ct_message_log_get_n_dropped (log), ==, 0);
  /* The records alone: 64 bytes of header per entry above the payload */
  g_assert_cmpuint (ct_message_log_get_heap_bytes (log), ==, 1000000 * (sizeof (CtRecord) + 64));
  g_test_message ("1,000,000 appends in %.2f s (%.0f per second)", seconds, 1000000 / seconds);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ct/message/fields", test_message_fields);
  g_test_add_func ("/ct/message/binary-summary", test_binary_summary);
  g_test_add_func ("/ct/message/meta-builder", test_meta_builder);
  g_test_add_func ("/ct/message/shared-payload", test_shared_payload);
  g_test_add_func ("/ct/message/meta-built", test_meta_built);
  g_test_add_func ("/ct/log/record-blocks", test_record_blocks);
  g_test_add_func ("/ct/log/items", test_items);
  g_test_add_func ("/ct/log/coalescing", test_coalescing);
  g_test_add_func ("/ct/log/cap", test_cap);
  g_test_add_func ("/ct/log/cap-in-chunks", test_cap_in_chunks);
  g_test_add_func ("/ct/log/cap-without-main-loop", test_cap_without_main_loop);
  g_test_add_func ("/ct/log/max-bytes", test_max_bytes);
  g_test_add_func ("/ct/log/error-entry", test_error_entry);
  g_test_add_func ("/ct/log/latency", test_latency);
  g_test_add_func ("/ct/log/latency-bounded", test_latency_bounded);
  g_test_add_func ("/ct/log/scale", test_scale);

  return g_test_run ();
}
