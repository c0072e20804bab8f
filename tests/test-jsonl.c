/* test-jsonl.c — the JSON Lines log format
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ct-test-util.h"

static JsonObject *
parse_line (const char *line)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_null (strchr (line, '\n'));
  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static JsonObject *
format (const CtMessageFields *fields)
{
  g_autoptr(CtMessage) message = ct_message_new (fields);
  g_autofree char *line = ct_jsonl_format_message (message, "udp", "server");

  return parse_line (line);
}

static void
test_text_payload (void)
{
  g_autoptr(JsonObject) o = format (&(CtMessageFields) {
                                      .time = 1700000000000001,
                                      .direction = CT_DIRECTION_IN,
                                      .peer = "127.0.0.1:50012",
                                      .data = "hello \"world\"\n",
                                      .size = 14,
                                    });

  g_assert_cmpstr (json_object_get_string_member (o, "time"), ==, "2023-11-14T22:13:20.000001Z");
  g_assert_cmpstr (json_object_get_string_member (o, "protocol"), ==, "udp");
  g_assert_cmpstr (json_object_get_string_member (o, "role"), ==, "server");
  g_assert_cmpstr (json_object_get_string_member (o, "direction"), ==, "in");
  g_assert_cmpstr (json_object_get_string_member (o, "peer"), ==, "127.0.0.1:50012");
  g_assert_cmpint (json_object_get_int_member (o, "size"), ==, 14);
  g_assert_cmpstr (json_object_get_string_member (o, "text"), ==, "hello \"world\"\n");
  g_assert_false (json_object_has_member (o, "base64"));
  g_assert_false (json_object_has_member (o, "event"));
  g_assert_false (json_object_has_member (o, "exchange"));
}

static void
test_binary_payload (void)
{
  static const guint8 data[] = { 0xde, 0xad, 0x00, 0xbe, 0xef };
  g_autoptr(JsonObject) o = format (&(CtMessageFields) {
                                      .direction = CT_DIRECTION_OUT,
                                      .data = data, .size = sizeof data,
                                    });
  g_autofree guchar *decoded = NULL;
  gsize decoded_len;

  g_assert_false (json_object_has_member (o, "text"));
  decoded = g_base64_decode (json_object_get_string_member (o, "base64"), &decoded_len);
  g_assert_cmpmem (decoded, decoded_len, data, sizeof data);
  g_assert_cmpint (json_object_get_int_member (o, "size"), ==, 5);
}

static void
test_text_with_nul_is_base64 (void)
{
  g_autoptr(JsonObject) o = format (&(CtMessageFields) {
                                      .direction = CT_DIRECTION_IN,
                                      .data = "a\0b", .size = 3,
                                    });

  g_assert_true (json_object_has_member (o, "base64"));
}

static void
test_listening_event (void)
{
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string ("127.0.0.1", 9001);
  g_autoptr(JsonObject) o = format (&(CtMessageFields) {
                                      .direction = CT_DIRECTION_INFO,
                                      .event = "listening",
                                      .meta = ct_net_address_meta (address),
                                      .summary = "Listening on 127.0.0.1:9001",
                                    });

  /* As in DESIGN.md: the event's attributes are top-level members */
  g_assert_cmpstr (json_object_get_string_member (o, "direction"), ==, "info");
  g_assert_cmpstr (json_object_get_string_member (o, "event"), ==, "listening");
  g_assert_cmpstr (json_object_get_string_member (o, "address"), ==, "127.0.0.1:9001");
  g_assert_false (json_object_has_member (o, "size"));
  g_assert_false (json_object_has_member (o, "meta"));
}

static void
test_error_event (void)
{
  g_autoptr(JsonObject) o = format (&(CtMessageFields) {
                                      .direction = CT_DIRECTION_ERROR,
                                      .event = "error",
                                      .summary = "Address 127.0.0.1:9000 is already in use",
                                    });

  g_assert_cmpstr (json_object_get_string_member (o, "direction"), ==, "error");
  g_assert_cmpstr (json_object_get_string_member (o, "message"), ==,
                   "Address 127.0.0.1:9000 is already in use");
}

static void
test_meta_and_exchange (void)
{
  GVariantDict meta;
  JsonObject *m;
  g_autoptr(JsonObject) o = NULL;

  g_variant_dict_init (&meta, NULL);
  g_variant_dict_insert (&meta, "method", "s", "subtract");
  g_variant_dict_insert (&meta, "status", "i", 200);
  o = format (&(CtMessageFields) {
                .direction = CT_DIRECTION_IN,
                .data = "{}", .size = 2,
                .summary = "subtract → 19",
                .meta = g_variant_dict_end (&meta),
                .exchange = 7,
              });

  m = json_object_get_object_member (o, "meta");
  g_assert_nonnull (m);
  g_assert_cmpstr (json_object_get_string_member (m, "method"), ==, "subtract");
  g_assert_cmpint (json_object_get_int_member (m, "status"), ==, 200);
  g_assert_cmpint (json_object_get_int_member (o, "exchange"), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (o, "summary"), ==, "subtract → 19");
}

static void
export_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_export (void)
{
  g_autoptr(CtMessageLog) log = ct_message_log_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ct-test-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "log.jsonl", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  static const guint8 binary[] = { 0, 1, 2, 255 };

  g_assert_no_error (error);
  ct_message_log_info (log, "listening", NULL, NULL, "Listening");
  ct_message_log_append (log, &(CtMessageFields) { .direction = CT_DIRECTION_IN, .data = "a", .size = 1 });
  ct_message_log_append (log, &(CtMessageFields) { .direction = CT_DIRECTION_OUT, .data = binary, .size = 4 });

  ct_jsonl_export_async (log, "udp", "client", file, NULL, export_cb, &result);
  CT_TEST_WAIT_UNTIL (result != NULL);
  g_assert_true (ct_jsonl_export_finish (result, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (g_str_has_suffix (contents, "\n"));
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);   /* three lines and "" */

  /* Each exported line is exactly what the CLI prints for the entry */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(CtMessage) message = g_list_model_get_item (G_LIST_MODEL (log), i);
      g_autofree char *expected = ct_jsonl_format_message (message, "udp", "client");
      g_autoptr(JsonObject) o = parse_line (lines[i]);

      g_assert_cmpstr (lines[i], ==, expected);
      g_assert_cmpstr (json_object_get_string_member (o, "role"), ==, "client");
    }

  g_unlink (path);
  g_rmdir (dir);
}


static void
test_latency_member (void)
{
  g_autoptr(CtMessageLog) log = ct_message_log_new ();
  g_autoptr(CtMessage) request = NULL;
  g_autoptr(CtMessage) reply = NULL;
  g_autofree char *request_line = NULL;
  g_autofree char *reply_line = NULL;
  g_autoptr(JsonObject) o = NULL;

  ct_message_log_append (log, &(CtMessageFields) {
                           .time = 1700000000000000, .direction = CT_DIRECTION_OUT, .exchange = 9,
                           .data = "q", .size = 1,
                         });
  ct_message_log_append (log, &(CtMessageFields) {
                           .time = 1700000000002500, .direction = CT_DIRECTION_IN, .exchange = 9,
                           .data = "a", .size = 1,
                         });
  ct_message_log_flush (log);
  request = g_list_model_get_item (G_LIST_MODEL (log), 0);
  reply = g_list_model_get_item (G_LIST_MODEL (log), 1);

  request_line = ct_jsonl_format_message (request, "tcp", "client");
  reply_line = ct_jsonl_format_message (reply, "tcp", "client");
  g_assert_null (strstr (request_line, "latency_us"));
  o = parse_line (reply_line);
  g_assert_cmpint (json_object_get_int_member (o, "latency_us"), ==, 2500);
  g_assert_true (g_str_has_suffix (reply_line, ",\"exchange\":9,\"latency_us\":2500}"));
}

/* -- CSV ------------------------------------------------------------------- */

static char *
format_csv (const CtMessageFields *fields)
{
  g_autoptr(CtMessage) message = ct_message_new (fields);

  return ct_csv_format_message (message, "tcp", "server");
}

static void
test_csv_format (void)
{
  static const guint8 binary[] = { 0xde, 0xad, 0x00, 0xbe, 0xef };
  g_autofree char *header = ct_csv_format_header ();
  g_autofree char *plain = NULL;
  g_autofree char *quoted = NULL;
  g_autofree char *bin = NULL;
  g_autofree char *lookalike = NULL;
  g_autofree char *event = NULL;

  g_assert_cmpstr (header, ==, "time,protocol,role,direction,event,peer,size,summary,latency_us,exchange,payload");

  plain = format_csv (&(CtMessageFields) {
                        .time = 1700000000000001, .direction = CT_DIRECTION_IN,
                        .peer = "127.0.0.1:50012", .data = "hello", .size = 5,
                      });
  g_assert_cmpstr (plain, ==, "2023-11-14T22:13:20.000001Z,tcp,server,in,,127.0.0.1:50012,5,hello,,,hello");

  /* Commas, quotes and line breaks are quoted, quotes doubled */
  quoted = format_csv (&(CtMessageFields) {
                         .time = 1700000000000001, .direction = CT_DIRECTION_OUT,
                         .peer = "a,b", .data = "say \"hi\",\r\nthen go", .size = 18,
                         .summary = "one \"two\"", .exchange = 12,
                       });
  g_assert_cmpstr (quoted, ==,
                   "2023-11-14T22:13:20.000001Z,tcp,server,out,,\"a,b\",18,\"one \"\"two\"\"\",,12,"
                   "\"say \"\"hi\"\",\r\nthen go\"");

  /* A payload that is not text, or would read as base64, is base64 */
  bin = format_csv (&(CtMessageFields) {
                      .time = 1700000000000001, .direction = CT_DIRECTION_IN,
                      .data = binary, .size = sizeof binary,
                    });
  g_assert_cmpstr (bin, ==, "2023-11-14T22:13:20.000001Z,tcp,server,in,,,5,de ad 00 be ef,,,base64:3q0Avu8=");
  lookalike = format_csv (&(CtMessageFields) {
                            .time = 1700000000000001, .direction = CT_DIRECTION_IN,
                            .data = "base64:x", .size = 8, .summary = "s",
                          });
  g_assert_true (g_str_has_suffix (lookalike, ",s,,,base64:YmFzZTY0Ong="));

  /* An event, its summary the message */
  event = format_csv (&(CtMessageFields) {
                        .time = 1700000000000001, .direction = CT_DIRECTION_INFO,
                        .event = "listening", .summary = "Listening on 127.0.0.1:9001",
                      });
  g_assert_cmpstr (event, ==, "2023-11-14T22:13:20.000001Z,tcp,server,info,listening,,0,Listening on 127.0.0.1:9001,,,");
}

static void
test_csv_export (void)
{
  g_autoptr(CtMessageLog) log = ct_message_log_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ct-test-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "log.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *contents = NULL;
  g_autofree char *header = ct_csv_format_header ();
  g_autoptr(GString) expected = g_string_new (NULL);

  g_assert_no_error (error);
  ct_message_log_info (log, "listening", NULL, NULL, "Listening, at last");
  ct_message_log_append (log, &(CtMessageFields) { .direction = CT_DIRECTION_IN, .data = "a\nb", .size = 3 });
  ct_message_log_flush (log);

  ct_csv_export_async (log, "udp", "client", file, NULL, export_cb, &result);
  CT_TEST_WAIT_UNTIL (result != NULL);
  g_assert_true (ct_csv_export_finish (result, &error));
  g_assert_no_error (error);

  g_string_append_printf (expected, "%s\r\n", header);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(CtMessage) message = g_list_model_get_item (G_LIST_MODEL (log), i);
      g_autofree char *row = ct_csv_format_message (message, "udp", "client");

      g_string_append_printf (expected, "%s\r\n", row);
    }
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, expected->str);

  g_unlink (path);
  g_rmdir (dir);
}

/* -- reading back -------------------------------------------------------------- */

static GFile *
write_temp (const char  *contents,
            gssize       length,
            char       **dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  *dir = g_dir_make_tmp ("ct-test-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (*dir, "log.jsonl", NULL);
  g_assert_true (g_file_set_contents (path, contents, length, &error));
  g_assert_no_error (error);
  return g_file_new_for_path (path);
}

static void
remove_temp (GFile *file,
             char  *dir)
{
  g_file_delete (file, NULL, NULL);
  g_rmdir (dir);
}

static gboolean
import (GFile         *file,
        CtMessageLog  *log,
        GCancellable  *cancellable,
        char         **protocol,
        char         **role,
        GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ct_jsonl_import_async (file, log, cancellable, export_cb, &result);
  CT_TEST_WAIT_UNTIL (result != NULL);
  return ct_jsonl_import_finish (result, protocol, role, error);
}

static void
fill_log (CtMessageLog *log)
{
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string ("127.0.0.1", 9001);
  static const guint8 binary[] = { 0, 1, 2, 0xff, 0xfe, 'a', 0, '\n', 0x80 };
  g_autofree guint8 *big = g_malloc (100000);
  GVariantDict headers;
  const char *tags[] = { "a", "b,\"c\"", NULL };

  for (guint i = 0; i < 100000; i++)
    big[i] = (guint8) (i * 7 + i / 256);

  ct_message_log_info (log, "listening", NULL, ct_net_address_meta (address), "Listening on %s", "127.0.0.1:9001");
  g_variant_dict_init (&headers, NULL);
  g_variant_dict_insert (&headers, "Content-Type", "s", "application/json");
  ct_message_log_append (log, &(CtMessageFields) {
                           .time = 1700000000123456,
                           .direction = CT_DIRECTION_IN,
                           .peer = "127.0.0.1:50012",
                           .data = "{\"text\": \"héllo\\n\"}\r\n", .size = strlen ("{\"text\": \"héllo\\n\"}\r\n"),
                           .meta = ct_meta_new ("method", g_variant_new_string ("POST"),
                                                "status", g_variant_new_int64 (201),
                                                "ratio", g_variant_new_double (0.5),
                                                "ok", g_variant_new_boolean (TRUE),
                                                "tags", g_variant_new_strv (tags, -1),
                                                "headers", g_variant_dict_end (&headers),
                                                NULL),
                           .exchange = 77,
                         });
  ct_message_log_append (log, &(CtMessageFields) {
                           .time = 1700000000223456,
                           .direction = CT_DIRECTION_OUT,
                           .peer = "127.0.0.1:50012",
                           .data = binary, .size = sizeof binary,
                           .summary = "binary → “reply”",
                           .exchange = 77,
                         });
  ct_message_log_append (log, &(CtMessageFields) {
                           .time = 1700000000323456, .direction = CT_DIRECTION_OUT,
                           .data = big, .size = 100000,
                         });
  ct_message_log_append (log, &(CtMessageFields) {
                           .time = 1700000000423456, .direction = CT_DIRECTION_IN, .peer = "alice",
                           .exchange = G_MAXUINT64 - 1,
                         });
  ct_message_log_info (log, "connected", "127.0.0.1:9001", NULL, "Connected");
  {
    g_autoptr(GError) error = g_error_new (CT_ERROR, CT_ERROR_FAILED, "It failed, \"badly\"");

    ct_message_log_error (log, "127.0.0.1:9", error);
  }
  ct_message_log_flush (log);
}

static void
assert_same_entries (CtMessageLog *a,
                     CtMessageLog *b)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (a));

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (b)), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CtMessage) x = g_list_model_get_item (G_LIST_MODEL (a), i);
      g_autoptr(CtMessage) y = g_list_model_get_item (G_LIST_MODEL (b), i);
      g_autofree char *x_line = ct_jsonl_format_message (x, "tcp", "server");
      g_autofree char *y_line = ct_jsonl_format_message (y, "tcp", "server");
      g_autofree char *x_summary = ct_message_dup_summary (x);
      g_autofree char *y_summary = ct_message_dup_summary (y);
      gsize x_size, y_size;
      const guint8 *x_data = ct_message_get_data (x, &x_size);
      const guint8 *y_data = ct_message_get_data (y, &y_size);

      g_assert_cmpint (ct_message_get_time (x), ==, ct_message_get_time (y));
      g_assert_cmpint (ct_message_get_direction (x), ==, ct_message_get_direction (y));
      g_assert_cmpstr (ct_message_get_event (x), ==, ct_message_get_event (y));
      g_assert_cmpstr (ct_message_get_peer (x), ==, ct_message_get_peer (y));
      g_assert_cmpmem (x_data, x_size, y_data, y_size);
      g_assert_cmpint (ct_message_has_summary (x), ==, ct_message_has_summary (y));
      g_assert_cmpstr (x_summary, ==, y_summary);
      g_assert_cmpuint (ct_message_get_exchange (x), ==, ct_message_get_exchange (y));
      g_assert_cmpint (ct_message_get_latency (x), ==, ct_message_get_latency (y));
      g_assert_cmpint (ct_message_get_meta (x) != NULL, ==, ct_message_get_meta (y) != NULL);
      /* The metadata has the same JSON values, so the lines are the same */
      g_assert_cmpstr (x_line, ==, y_line);
    }
}

static void
test_round_trip (void)
{
  g_autoptr(CtMessageLog) log = ct_message_log_new ();
  g_autoptr(CtMessageLog) back = ct_message_log_new ();
  g_autoptr(CtMessageLog) again = ct_message_log_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GFile) file = write_temp ("", 0, &dir);
  g_autofree char *protocol = NULL;
  g_autofree char *role = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  fill_log (log);
  ct_jsonl_export_async (log, "tcp", "server", file, NULL, export_cb, &result);
  CT_TEST_WAIT_UNTIL (result != NULL);
  g_assert_true (ct_jsonl_export_finish (result, &error));
  g_assert_no_error (error);

  g_assert_true (import (file, back, NULL, &protocol, &role, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (protocol, ==, "tcp");
  g_assert_cmpstr (role, ==, "server");
  assert_same_entries (log, back);

  /* The reply kept its latency */
  {
    g_autoptr(CtMessage) reply = g_list_model_get_item (G_LIST_MODEL (back), 2);
    g_autoptr(CtMessage) request = g_list_model_get_item (G_LIST_MODEL (back), 1);
    gint64 status = 0;

    g_assert_cmpint (ct_message_get_latency (reply), ==, 100000);

    g_assert_true (g_variant_lookup (ct_message_get_meta (request), "status", "x", &status));
    g_assert_cmpint (status, ==, 201);
  }

  /* Line by line, into a log that has entries already */
  g_assert_true (g_file_load_contents (file, NULL, &contents, NULL, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] && *lines[i]; i++)
    {
      g_autofree char *line_protocol = NULL;

      g_assert_true (ct_jsonl_parse_line (lines[i], again, &line_protocol, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (line_protocol, ==, "tcp");
    }
  ct_message_log_flush (again);
  assert_same_entries (log, again);

  remove_temp (file, dir);
}

static void
test_parse_errors (void)
{
  static const struct {
    const char *line;
    const char *message;
  } cases[] = {
    { "{\"time\":", "not valid JSON" },
    { "[1, 2]", "not a JSON object" },
    { "{\"direction\":\"in\"}", "“time” is missing" },
    { "{\"time\":5,\"direction\":\"in\"}", "“time” must be a string" },
    { "{\"time\":\"yesterday\",\"direction\":\"in\"}", "“time” is not an ISO 8601 time" },
    { "{\"time\":\"2023-11-14T22:13:20.000001Z\"}", "“direction” is missing" },
    { "{\"time\":\"2023-11-14T22:13:20.000001Z\",\"direction\":\"sideways\"}", "“direction” must be in, out, info or error" },
    { "{\"time\":\"2023-11-14T22:13:20.000001Z\",\"direction\":\"in\",\"base64\":\"!!!!\"}", "“base64” is not valid base64" },
    { "{\"time\":\"2023-11-14T22:13:20.000001Z\",\"direction\":\"in\",\"size\":3,\"text\":\"ab\"}", "“size” is 3 but the payload has 2 bytes" },
    { "{\"time\":\"2023-11-14T22:13:20.000001Z\",\"direction\":\"in\",\"size\":-1}", "“size” must be a whole number" },
    { "{\"time\":\"2023-11-14T22:13:20.000001Z\",\"direction\":\"in\",\"exchange\":\"7\"}", "“exchange” must be a whole number" },
    { "{\"time\":\"2023-11-14T22:13:20.000001Z\",\"direction\":\"in\",\"latency_us\":1.5}", "“latency_us” must be a whole number" },
    { "{\"time\":\"2023-11-14T22:13:20.000001Z\",\"direction\":\"in\",\"meta\":[1]}", "“meta” must be an object" },
    { "{\"time\":\"2023-11-14T22:13:20.000001Z\",\"direction\":\"in\",\"peer\":{}}", "“peer” must be a string" },
  };
  g_autoptr(CtMessageLog) log = ct_message_log_new ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", cases[i].line);
      g_assert_false (ct_jsonl_parse_line (cases[i].line, log, NULL, NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_nonnull (strstr (error->message, cases[i].message));
    }
  ct_message_log_flush (log);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 0);

  /* Times in other ISO 8601 forms are read too */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(CtMessage) message = NULL;

    g_assert_true (ct_jsonl_parse_line ("{\"time\":\"2023-11-14T23:13:20.5+01:00\",\"direction\":\"in\"}",
                                        log, NULL, NULL, &error));
    g_assert_no_error (error);
    ct_message_log_flush (log);
    message = g_list_model_get_item (G_LIST_MODEL (log), 0);
    g_assert_cmpint (ct_message_get_time (message), ==, 1700000000500000);
  }
}

/* A bad line stops the import with its line number; the entries before it
 * are in the log */
static void
test_import_malformed (void)
{
  const char *contents =
    "{\"time\":\"2023-11-14T22:13:20.000001Z\",\"protocol\":\"udp\",\"role\":\"client\",\"direction\":\"in\",\"size\":1,\"text\":\"a\"}\n"
    "\r\n"
    "{\"time\":\"2023-11-14T22:13:20.000002Z\",\"protocol\":\"udp\",\"role\":\"client\",\"direction\":\"out\",\"size\":1,\"text\":\"b\"}\r\n"
    "{\"time\":\"2023-11-14T22:13:20.000003Z\",\"direction\":\"in\",\"size\":1,\"text\":\n"
    "{\"time\":\"2023-11-14T22:13:20.000004Z\",\"direction\":\"in\",\"size\":1,\"text\":\"d\"}\n";
  g_autofree char *dir = NULL;
  g_autoptr(GFile) file = write_temp (contents, -1, &dir);
  g_autoptr(CtMessageLog) log = ct_message_log_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (import (file, log, NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "Line 4: not valid JSON"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 2);
  g_clear_error (&error);

  /* A missing file */
  remove_temp (file, dir);
  g_assert_false (import (file, log, NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static gboolean
count_cb (gpointer data)
{
  (*(guint *) data)++;
  return G_SOURCE_CONTINUE;
}

/* A large file is read off the main thread: the main loop keeps running */
static void
test_import_large (void)
{
  g_autoptr(CtMessageLog) log = ct_message_log_new ();
  g_autoptr(GString) contents = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *dir = NULL;
  g_autoptr(GFile) file = NULL;
  guint ticks = 0, timer;
  gint64 start, elapsed;

  for (guint i = 0; i < 100000; i++)
    g_string_append_printf (contents,
                            "{\"time\":\"2023-11-14T22:13:20.%06uZ\",\"protocol\":\"tcp\",\"role\":\"server\","
                            "\"direction\":\"in\",\"peer\":\"127.0.0.1:5000\",\"size\":8,\"text\":\"msg %04u\"}\n",
                            i % 1000000, i % 10000);
  file = write_temp (contents->str, contents->len, &dir);

  timer = g_timeout_add (5, count_cb, &ticks);
  start = g_get_monotonic_time ();
  g_assert_true (import (file, log, NULL, NULL, NULL, &error));
  elapsed = g_get_monotonic_time () - start;
  g_source_remove (timer);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 100000);
  g_test_message ("imported 100,000 lines in %" G_GINT64_FORMAT " ms; the main loop ran a 5 ms timer %u times meanwhile",
                  elapsed / 1000, ticks);
  if (elapsed > 200 * 1000)
    g_assert_cmpuint (ticks, >, 2);

  /* Cancelled */
  ct_message_log_clear (log);
  g_cancellable_cancel (cancellable);
  g_assert_false (import (file, log, cancellable, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  remove_temp (file, dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ct/jsonl/text-payload", test_text_payload);
  g_test_add_func ("/ct/jsonl/binary-payload", test_binary_payload);
  g_test_add_func ("/ct/jsonl/text-with-nul", test_text_with_nul_is_base64);
  g_test_add_func ("/ct/jsonl/listening-event", test_listening_event);
  g_test_add_func ("/ct/jsonl/error-event", test_error_event);
  g_test_add_func ("/ct/jsonl/meta-and-exchange", test_meta_and_exchange);
  g_test_add_func ("/ct/jsonl/export", test_export);
  g_test_add_func ("/ct/jsonl/latency", test_latency_member);
  g_test_add_func ("/ct/jsonl/round-trip", test_round_trip);
  g_test_add_func ("/ct/jsonl/parse-errors", test_parse_errors);
  g_test_add_func ("/ct/jsonl/import-malformed", test_import_malformed);
  g_test_add_func ("/ct/jsonl/import-large", test_import_large);
  g_test_add_func ("/ct/csv/format", test_csv_format);
  g_test_add_func ("/ct/csv/export", test_csv_export);

  return g_test_run ();
}
