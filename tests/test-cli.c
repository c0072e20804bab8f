/* test-cli.c — crosstalk-cli as a user runs it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <signal.h>

#include "ct-test-util.h"

static const char *cli_path;

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *out;
} Server;

static JsonObject *
parse_json (const char *line)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static JsonObject *
read_json_line (GDataInputStream *stream)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  /* Blocking read with a bound: the server prints within milliseconds, and
   * the test's own watchdog (meson's timeout) ends a hang. */
  line = g_data_input_stream_read_line_utf8 (stream, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  return parse_json (line);
}

static GSubprocess *
spawn (GSubprocessFlags   flags,
       GError           **error,
       ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  g_ptr_array_add (args, (gpointer) cli_path);
  va_start (ap, error);
  while ((arg = va_arg (ap, const char *)))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  return g_subprocess_newv ((const char * const *) args->pdata, flags, error);
}

static guint
address_port (const char *address)
{
  const char *colon = strrchr (address, ':');

  g_assert_nonnull (colon);
  return (guint) g_ascii_strtoull (colon + 1, NULL, 10);
}

/* `crosstalk-cli serve udp --port=0 --json`; returns its first log entry */
static GSubprocess *
serve_udp (GDataInputStream **out,
           JsonObject       **first)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = NULL;

  server = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "serve", "udp", "--port=0", "--json", NULL);
  g_assert_no_error (error);
  *out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  *first = read_json_line (*out);
  return g_steal_pointer (&server);
}

static char *
port_option (JsonObject *listening)
{
  return g_strdup_printf ("--port=%u", address_port (json_object_get_string_member (listening, "address")));
}

static void
stop_server (GSubprocess *process)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (process, SIGTERM);
  g_assert_true (g_subprocess_wait (process, NULL, &error));
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
}

static void
test_serve_udp (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GSubprocess) socat = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) in = NULL;
  g_autoptr(JsonObject) echoed = NULL;
  g_autofree char *target = NULL;
  g_autofree char *socat_out = NULL;
  guint port;

  server = serve_udp (&out, &first);

  /* The first line says where it listens, with the real port */
  g_assert_cmpstr (json_object_get_string_member (first, "protocol"), ==, "udp");
  g_assert_cmpstr (json_object_get_string_member (first, "role"), ==, "server");
  g_assert_cmpstr (json_object_get_string_member (first, "direction"), ==, "info");
  g_assert_cmpstr (json_object_get_string_member (first, "event"), ==, "listening");
  port = address_port (json_object_get_string_member (first, "address"));
  g_assert_cmpuint (port, >, 0);

  /* A third-party client sends a datagram... */
  target = g_strdup_printf ("UDP4:127.0.0.1:%u", port);
  socat = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                            "socat", "-t", "1", "-", target, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (socat, "hello cli\n", NULL, &socat_out, NULL, &error));
  g_assert_cmpstr (socat_out, ==, "hello cli\n");

  /* ...and the server's log says so, line by line */
  in = read_json_line (out);
  g_assert_cmpstr (json_object_get_string_member (in, "direction"), ==, "in");
  g_assert_cmpstr (json_object_get_string_member (in, "text"), ==, "hello cli\n");
  g_assert_cmpint (json_object_get_int_member (in, "size"), ==, 10);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (in, "peer"), "127.0.0.1:"));
  echoed = read_json_line (out);
  g_assert_cmpstr (json_object_get_string_member (echoed, "direction"), ==, "out");

  stop_server (server);
}

static void
test_send_udp (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GSubprocess) sender = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(JsonObject) first = NULL;
  g_autofree char *port = NULL;
  g_autofree char *sent = NULL;
  g_auto(GStrv) lines = NULL;
  guint n_in = 0;

  server = serve_udp (&out, &first);
  port = port_option (first);

  sender = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                  "send", "udp", port, "--json", "one", "two", NULL);
  g_assert_true (g_subprocess_communicate_utf8 (sender, NULL, NULL, &sent, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (sender), ==, 0);

  lines = g_strsplit (sent, "\n", -1);
  {
    g_autoptr(JsonObject) ready = parse_json (lines[0]);

    g_assert_cmpstr (json_object_get_string_member (ready, "event"), ==, "ready");
  }
  for (guint i = 0; lines[i]; i++)
    if (strstr (lines[i], "\"direction\":\"in\""))
      n_in++;
  g_assert_cmpuint (n_in, ==, 2);

  stop_server (server);
}

static void
test_connect_udp (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GSubprocess) client = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(JsonObject) first = NULL;
  g_autofree char *port = NULL;
  g_autofree char *printed = NULL;

  server = serve_udp (&out, &first);
  port = port_option (first);

  /* Each stdin line is one datagram; the human format shows the replies */
  client = spawn (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                  "connect", "udp", port, "--wait=500", NULL);
  g_assert_true (g_subprocess_communicate_utf8 (client, "alpha\nbeta\n", NULL, &printed, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (client), ==, 0);
  g_assert_nonnull (strstr (printed, "in"));
  g_assert_nonnull (strstr (printed, "alpha"));
  g_assert_nonnull (strstr (printed, "beta"));

  stop_server (server);
}

static void
test_port_in_use (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autofree char *option = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = NULL;
  guint16 port;

  /* Something else holds the port */
  socket = ct_test_bind_loopback (G_SOCKET_TYPE_DATAGRAM, &port);
  option = g_strdup_printf ("--port=%u", port);

  server = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                  "serve", "udp", option, "--json", NULL);
  g_assert_true (g_subprocess_communicate_utf8 (server, NULL, NULL, &out, &err, &error));
  g_assert_true (g_subprocess_get_if_exited (server));
  g_assert_cmpint (g_subprocess_get_exit_status (server), !=, 0);

  /* One line a user can act on, on stderr */
  expected = g_strdup_printf ("crosstalk-cli: Address 127.0.0.1:%u is already in use", port);
  g_assert_true (g_str_has_prefix (err, expected));
  g_assert_cmpuint (g_strv_length ((char *[]) { err, NULL }), ==, 1);
  g_assert_cmpint (strchr (err, '\n') - err, ==, strlen (err) - 1);
  /* and an error entry in the JSON log */
  g_assert_nonnull (strstr (out, "\"direction\":\"error\""));
}

static void
test_bad_options (void)
{
  struct {
    const char *args[4];
    const char *message;
  } cases[] = {
    { { "serve", "udp", "--port=99999", NULL }, "must be in the range" },
    { { "serve", "udp", "--colour=blue", NULL }, "Unknown option" },
    { { "serve", "gopher", NULL }, "Unknown protocol" },
    { { "serve", "udp", "--format=morse", NULL }, "text, hex" },
    { { "dance", NULL }, "Unknown command" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSubprocess) process = NULL;
      g_autofree char *err = NULL;

      process = spawn (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                       cases[i].args[0], cases[i].args[1], cases[i].args[2], NULL);
      g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error));
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 2);
      g_assert_nonnull (strstr (err, cases[i].message));
    }
}

static void
test_list_and_help (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) list = NULL;
  g_autoptr(GSubprocess) help = NULL;
  g_autofree char *list_out = NULL;
  g_autofree char *help_out = NULL;
  static const char *ids[] = { "udp", "tcp", "jsonrpc", "rest", "chat", "amqp" };

  list = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "list", NULL);
  g_assert_true (g_subprocess_communicate_utf8 (list, NULL, NULL, &list_out, NULL, &error));
  g_assert_cmpint (g_subprocess_get_exit_status (list), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    g_assert_nonnull (strstr (list_out, ids[i]));
  g_assert_nonnull (strstr (list_out, "--echo=yes|no"));

  /* --help shows every setting with its blurb, from the properties */
  help = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "serve", "udp", "--help", NULL);
  g_assert_true (g_subprocess_communicate_utf8 (help, NULL, NULL, &help_out, NULL, &error));
  g_assert_cmpint (g_subprocess_get_exit_status (help), ==, 0);
  {
    g_autoptr(CtEndpoint) server = ct_udp_server_new ();
    g_autofree GParamSpec **settings = ct_endpoint_class_list_settings (CT_ENDPOINT_GET_CLASS (server), NULL);

    for (guint i = 0; settings[i]; i++)
      {
        g_autofree char *option = g_strdup_printf ("--%s=", settings[i]->name);

        g_assert_nonnull (strstr (help_out, option));
        g_assert_nonnull (strstr (help_out, g_param_spec_get_blurb (settings[i])));
      }
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  cli_path = g_getenv ("CT_CLI");
  if (cli_path == NULL)
    cli_path = "crosstalk-cli";

  g_test_add_func ("/ct/cli/serve-udp", test_serve_udp);
  g_test_add_func ("/ct/cli/send-udp", test_send_udp);
  g_test_add_func ("/ct/cli/connect-udp", test_connect_udp);
  g_test_add_func ("/ct/cli/port-in-use", test_port_in_use);
  g_test_add_func ("/ct/cli/bad-options", test_bad_options);
  g_test_add_func ("/ct/cli/list-and-help", test_list_and_help);

  return g_test_run ();
}
