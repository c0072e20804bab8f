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

  return g_test_run ();
}
