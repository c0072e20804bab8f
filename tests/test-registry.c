/* test-registry.c — the protocol registry, endpoint settings and payloads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ct-test-util.h"

static void
test_protocols (void)
{
  static const char *ids[] = { "udp", "tcp", "jsonrpc", "rest", "chat", "amqp" };
  guint n;
  const CtProtocol *protocols = ct_protocol_get_all (&n);

  g_assert_cmpuint (n, ==, G_N_ELEMENTS (ids));
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpstr (protocols[i].id, ==, ids[i]);
      g_assert_true (ct_protocol_lookup (ids[i]) == &protocols[i]);
      g_assert_nonnull (protocols[i].title);
      g_assert_nonnull (protocols[i].description);
      g_assert_nonnull (protocols[i].icon_name);
      g_assert_nonnull (protocols[i].server_title);
      g_assert_nonnull (protocols[i].client_title);
      g_assert_cmpuint (protocols[i].default_port, >, 0);
      /* A protocol not built yet says what it will be */
      if (!ct_protocol_is_available (&protocols[i]))
        g_assert_nonnull (protocols[i].planned);
    }

  g_assert_null (ct_protocol_lookup ("gopher"));
}

static void
test_udp_endpoints (void)
{
  const CtProtocol *udp = ct_protocol_lookup ("udp");
  g_autoptr(CtEndpoint) server = NULL;
  g_autoptr(CtEndpoint) client = NULL;
  guint port;

  g_assert_true (ct_protocol_is_available (udp));
  server = ct_protocol_new_endpoint (udp, CT_ROLE_SERVER);
  client = ct_protocol_new_endpoint (udp, CT_ROLE_CLIENT);

  g_assert_true (CT_IS_UDP_SERVER (server));
  g_assert_true (CT_IS_UDP_CLIENT (client));
  g_assert_cmpint (ct_endpoint_get_role (server), ==, CT_ROLE_SERVER);
  g_assert_cmpint (ct_endpoint_get_role (client), ==, CT_ROLE_CLIENT);
  g_assert_cmpstr (ct_endpoint_get_protocol_id (server), ==, "udp");
  g_assert_cmpint (ct_endpoint_get_state (server), ==, CT_STATE_STOPPED);
  g_assert_true (CT_IS_MESSAGE_LOG (ct_endpoint_get_log (server)));

  /* The settings' defaults come from the pspecs and the registry */
  g_object_get (server, "port", &port, NULL);
  g_assert_cmpuint (port, ==, udp->default_port);

  g_assert_null (ct_protocol_lookup ("smtp"));
  {
    g_autoptr(CtEndpoint) consumer = ct_protocol_new_endpoint (ct_protocol_lookup ("amqp"), CT_ROLE_SERVER);
    g_autoptr(CtEndpoint) producer = ct_protocol_new_endpoint (ct_protocol_lookup ("amqp"), CT_ROLE_CLIENT);

    g_assert_true (CT_IS_AMQP_CONSUMER (consumer));
    g_assert_true (CT_IS_AMQP_PRODUCER (producer));
  }
  g_assert_finalize_object (g_steal_pointer (&server));
  g_assert_finalize_object (g_steal_pointer (&client));
}

static void
test_settings (void)
{
  g_autoptr(CtEndpoint) server = ct_udp_server_new ();
  g_autofree GParamSpec **settings = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;
  gboolean echo;
  guint port;
  CtPayloadFormat format;
  g_autofree char *host = NULL;

  settings = ct_endpoint_class_list_settings (CT_ENDPOINT_GET_CLASS (server), &n);
  g_assert_cmpuint (n, ==, 5);
  for (guint i = 0; i < n; i++)
    {
      /* The GUI and the CLI show these */
      g_assert_cmpstr (g_param_spec_get_nick (settings[i]), !=, settings[i]->name);
      g_assert_nonnull (g_param_spec_get_blurb (settings[i]));
    }
  /* Base-class properties are not settings */
  g_assert_false (g_object_class_find_property (G_OBJECT_GET_CLASS (server), "state")->flags & CT_PARAM_SETTING);

  g_assert_true (ct_endpoint_set_setting_from_string (server, "port", "0", &error));
  g_assert_true (ct_endpoint_set_setting_from_string (server, "echo", "no", &error));
  g_assert_true (ct_endpoint_set_setting_from_string (server, "format", "hex", &error));
  g_assert_true (ct_endpoint_set_setting_from_string (server, "host", "::1", &error));
  g_assert_no_error (error);
  g_object_get (server, "port", &port, "echo", &echo, "format", &format, "host", &host, NULL);
  g_assert_cmpuint (port, ==, 0);
  g_assert_false (echo);
  g_assert_cmpint (format, ==, CT_PAYLOAD_FORMAT_HEX);
  g_assert_cmpstr (host, ==, "::1");

  {
    g_autofree char *value = ct_endpoint_dup_setting_string (server, g_object_class_find_property (G_OBJECT_GET_CLASS (server), "format"));
    g_assert_cmpstr (value, ==, "hex");
  }

  /* Errors say what is wrong and what is expected */
  g_assert_false (ct_endpoint_set_setting_from_string (server, "port", "70000", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING);
  g_assert_nonnull (strstr (error->message, "0–65535"));
  g_clear_error (&error);

  g_assert_false (ct_endpoint_set_setting_from_string (server, "port", "nine", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING);
  g_clear_error (&error);

  g_assert_false (ct_endpoint_set_setting_from_string (server, "echo", "maybe", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING);
  g_clear_error (&error);

  g_assert_false (ct_endpoint_set_setting_from_string (server, "format", "morse", &error));
  g_assert_nonnull (strstr (error->message, "text, hex"));
  g_clear_error (&error);

  g_assert_false (ct_endpoint_set_setting_from_string (server, "state", "running", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING);
  g_clear_error (&error);
}

static int notifications;

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  notifications++;
}

static void
test_settings_notify_on_change_only (void)
{
  g_autoptr(CtEndpoint) client = ct_udp_client_new ();

  g_signal_connect (client, "notify::port", G_CALLBACK (count_notify), NULL);
  notifications = 0;
  g_object_set (client, "port", 1234, NULL);
  g_object_set (client, "port", 1234, NULL);
  g_assert_cmpint (notifications, ==, 1);
}

static void
test_payload_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) text = ct_payload_parse ("héllo", CT_PAYLOAD_FORMAT_TEXT, &error);
  g_autoptr(GBytes) hex = ct_payload_parse ("0x48 69:0A-ff", CT_PAYLOAD_FORMAT_HEX, &error);
  g_autoptr(GBytes) bad = NULL;

  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (text, NULL), g_bytes_get_size (text), "héllo", strlen ("héllo"));
  g_assert_cmpmem (g_bytes_get_data (hex, NULL), g_bytes_get_size (hex), "Hi\n\xff", 4);

  bad = ct_payload_parse ("48 6", CT_PAYLOAD_FORMAT_HEX, &error);
  g_assert_null (bad);
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD);
  g_assert_nonnull (strstr (error->message, "half a byte"));
  g_clear_error (&error);

  bad = ct_payload_parse ("4g", CT_PAYLOAD_FORMAT_HEX, &error);
  g_assert_null (bad);
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD);
  g_assert_nonnull (strstr (error->message, "position 2"));
}

static void
test_payload_hexdump (void)
{
  g_autofree char *dump = ct_payload_hexdump ((const guint8 *) "Hello, world!\n\x01\x02\x03", 17);

  g_assert_cmpstr (dump, ==,
                   "00000000  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 21 0a 01 02  |Hello, world!...|\n"
                   "00000010  03                                                |.|\n");
}

static void
test_address_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) v4 = ct_net_parse_address ("127.0.0.1:9000", &error);
  g_autoptr(GSocketAddress) v6 = ct_net_parse_address ("[::1]:9001", &error);
  g_autoptr(GSocketAddress) bad = NULL;
  g_autofree char *v4s = NULL;
  g_autofree char *v6s = NULL;

  g_assert_no_error (error);
  v4s = ct_socket_address_to_string (v4);
  v6s = ct_socket_address_to_string (v6);
  g_assert_cmpstr (v4s, ==, "127.0.0.1:9000");
  g_assert_cmpstr (v6s, ==, "[::1]:9001");

  bad = ct_net_parse_address ("localhost", &error);
  g_assert_null (bad);
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ct/registry/protocols", test_protocols);
  g_test_add_func ("/ct/registry/udp-endpoints", test_udp_endpoints);
  g_test_add_func ("/ct/settings/from-string", test_settings);
  g_test_add_func ("/ct/settings/notify", test_settings_notify_on_change_only);
  g_test_add_func ("/ct/payload/parse", test_payload_parse);
  g_test_add_func ("/ct/payload/hexdump", test_payload_hexdump);
  g_test_add_func ("/ct/net/parse-address", test_address_parse);

  return g_test_run ();
}
