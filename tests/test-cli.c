/* test-cli.c — crosstalk-cli as a user runs it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

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

/* Every wait below is bounded: the reads and waits run on the main context
 * under CT_TEST_WAIT_UNTIL, so a process that never answers fails the test
 * after CT_TEST_TIMEOUT_S instead of hanging it. */

static char *
read_line (GDataInputStream *stream)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  char *line;

  g_data_input_stream_read_line_async (stream, G_PRIORITY_DEFAULT, NULL, ct_test_result_cb, &result);
  CT_TEST_WAIT_UNTIL (result != NULL);
  line = g_data_input_stream_read_line_finish_utf8 (stream, result, NULL, &error);
  g_assert_no_error (error);
  return line;
}

static JsonObject *
read_json_line (GDataInputStream *stream)
{
  g_autofree char *line = read_line (stream);

  g_assert_nonnull (line);
  return parse_json (line);
}

/* Reads JSON lines until the first one whose "event" is @event, which it
 * returns; the lines before it go to @before (if given) */
static JsonObject *
read_until_event (GDataInputStream *stream,
                  const char       *event,
                  GPtrArray        *before)
{
  for (;;)
    {
      g_autoptr(JsonObject) object = read_json_line (stream);

      if (g_strcmp0 (json_object_get_string_member_with_default (object, "event", NULL), event) == 0)
        return g_steal_pointer (&object);
      if (before)
        g_ptr_array_add (before, g_steal_pointer (&object));
    }
}

/* g_subprocess_communicate_utf8 (), bounded */
static void
communicate (GSubprocess  *process,
             const char   *stdin_text,
             char        **out,
             char        **err)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  g_subprocess_communicate_utf8_async (process, stdin_text, NULL, ct_test_result_cb, &result);
  CT_TEST_WAIT_UNTIL (result != NULL);
  g_assert_true (g_subprocess_communicate_utf8_finish (process, result, out, err, &error));
  g_assert_no_error (error);
}

/* g_subprocess_wait (), bounded */
static void
wait_process (GSubprocess *process)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  g_subprocess_wait_async (process, NULL, ct_test_result_cb, &result);
  CT_TEST_WAIT_UNTIL (result != NULL);
  g_assert_true (g_subprocess_wait_finish (process, result, &error));
  g_assert_no_error (error);
}

#ifdef __linux__
/* A server left behind by a failed test (g_error aborts) goes with it */
static void
die_with_parent (gpointer unused)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}
#endif

static GSubprocess *
spawnv (GSubprocessFlags     flags,
        const char * const  *argv,
        GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);

#ifdef __linux__
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
#endif
  return g_subprocess_launcher_spawnv (launcher, argv, error);
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

  return spawnv (flags, (const char * const *) args->pdata, error);
}

static guint
address_port (const char *address)
{
  const char *colon = strrchr (address, ':');

  g_assert_nonnull (colon);
  return (guint) g_ascii_strtoull (colon + 1, NULL, 10);
}

/* `crosstalk-cli serve PROTOCOL --port=0 --json [OPTIONS...]`, NULL-terminated
 * options; returns the server and its first log entry, which must be
 * "listening" */
static GSubprocess *
serve (const char        *protocol,
       GDataInputStream **out,
       JsonObject       **first,
       ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  g_ptr_array_add (args, (gpointer) cli_path);
  g_ptr_array_add (args, (gpointer) "serve");
  g_ptr_array_add (args, (gpointer) protocol);
  g_ptr_array_add (args, (gpointer) "--port=0");
  g_ptr_array_add (args, (gpointer) "--json");
  va_start (ap, first);
  while ((arg = va_arg (ap, const char *)))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  server = spawnv (G_SUBPROCESS_FLAGS_STDOUT_PIPE, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  *out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  *first = read_json_line (*out);
  g_assert_cmpstr (json_object_get_string_member (*first, "protocol"), ==, protocol);
  g_assert_cmpstr (json_object_get_string_member (*first, "event"), ==, "listening");
  return g_steal_pointer (&server);
}

/* `crosstalk-cli serve udp --port=0 --json`; returns its first log entry */
static GSubprocess *
serve_udp (GDataInputStream **out,
           JsonObject       **first)
{
  return serve ("udp", out, first, NULL);
}

static char *
port_option (JsonObject *listening)
{
  return g_strdup_printf ("--port=%u", address_port (json_object_get_string_member (listening, "address")));
}

static void
stop_server (GSubprocess *process)
{
  g_subprocess_send_signal (process, SIGTERM);
  wait_process (process);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
}

/* The JSON Lines of @text, one object each (the last line is empty) */
static GPtrArray *
parse_json_lines (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  GPtrArray *objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  guint n = g_strv_length (lines);

  g_assert_cmpuint (n, >, 0);
  g_assert_cmpstr (lines[n - 1], ==, "");
  for (guint i = 0; i + 1 < n; i++)
    g_ptr_array_add (objects, parse_json (lines[i]));
  return objects;
}

static const char *
member (JsonObject *object,
        const char *name)
{
  return json_object_get_string_member_with_default (object, name, NULL);
}

/* The index of the first entry at or after @from with @direction and, for
 * in/out entries, @text, or for info entries the event @text; -1 if none */
static int
find_entry (GPtrArray  *objects,
            guint       from,
            const char *direction,
            const char *text)
{
  gboolean message = g_str_equal (direction, "in") || g_str_equal (direction, "out");

  for (guint i = from; i < objects->len; i++)
    {
      JsonObject *object = objects->pdata[i];

      if (g_strcmp0 (member (object, "direction"), direction) == 0 &&
          g_strcmp0 (member (object, message ? "text" : "event"), text) == 0)
        return (int) i;
    }
  return -1;
}

/* `send jsonrpc`: the request and the response paired with it (same
 * exchange id), as the issue's example runs it */
static void
test_send_jsonrpc (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GSubprocess) sender = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autofree char *url = NULL;
  g_autofree char *sent = NULL;
  int request_at = -1, response_at = -1;

  server = serve ("jsonrpc", &out, &first, NULL);
  url = g_strdup_printf ("--url=%s", json_object_get_string_member (first, "url"));
  g_assert_true (g_str_has_suffix (url, "/rpc"));

  sender = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                  "send", "jsonrpc", url, "--json", "--wait=15000", "subtract [42,23]", NULL);
  g_assert_no_error (error);
  communicate (sender, NULL, &sent, NULL);
  g_assert_cmpint (g_subprocess_get_exit_status (sender), ==, 0);

  lines = parse_json_lines (sent);
  g_assert_cmpstr (member (lines->pdata[0], "event"), ==, "ready");
  for (guint i = 0; i < lines->len; i++)
    {
      if (g_strcmp0 (member (lines->pdata[i], "direction"), "out") == 0)
        request_at = i;
      else if (g_strcmp0 (member (lines->pdata[i], "direction"), "in") == 0)
        response_at = i;
    }
  g_assert_cmpint (request_at, >, 0);
  g_assert_cmpint (response_at, >, request_at);
  g_assert_cmpstr (member (lines->pdata[request_at], "text"), ==,
                   "{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[42,23],\"id\":1}");
  g_assert_cmpstr (member (lines->pdata[response_at], "text"), ==, "{\"jsonrpc\":\"2.0\",\"result\":19,\"id\":1}");
  g_assert_cmpint (json_object_get_int_member (lines->pdata[request_at], "exchange"), ==,
                   json_object_get_int_member (lines->pdata[response_at], "exchange"));
  g_assert_true (g_str_has_prefix (member (lines->pdata[response_at], "summary"), "subtract → result 19"));

  stop_server (server);
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
  communicate (socat, "hello cli\n", &socat_out, NULL);
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
  g_assert_no_error (error);
  communicate (sender, NULL, &sent, NULL);
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
  g_assert_no_error (error);
  communicate (client, "alpha\nbeta\n", &printed, NULL);
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
  g_assert_no_error (error);
  communicate (server, NULL, &out, &err);
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
    { { "serve", "tcp", "--framing=morse", NULL }, "raw, line, length" },
    { { "serve", "tcp", "--max-connections=0", NULL }, "must be in the range" },
    { { "connect", "tcp", "--mode=echo", NULL }, "Unknown option" },
    { { "connect", "tcp", "--connect-timeout=0", NULL }, "must be in the range" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSubprocess) process = NULL;
      g_autofree char *err = NULL;

      process = spawn (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                       cases[i].args[0], cases[i].args[1], cases[i].args[2], NULL);
      g_assert_no_error (error);
      communicate (process, NULL, NULL, &err);
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 2);
      g_assert_nonnull (strstr (err, cases[i].message));
    }
}

/* `crosstalk-cli VERB PROTOCOL --help` shows every setting of the endpoint
 * with its blurb, from the properties */
static char *
check_help (const char *verb,
            const char *protocol_id,
            CtRole      role)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) help = NULL;
  g_autoptr(CtEndpoint) endpoint = ct_protocol_new_endpoint (ct_protocol_lookup (protocol_id), role);
  g_autofree GParamSpec **settings = ct_endpoint_class_list_settings (CT_ENDPOINT_GET_CLASS (endpoint), NULL);
  char *help_out = NULL;

  help = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, verb, protocol_id, "--help", NULL);
  g_assert_no_error (error);
  communicate (help, NULL, &help_out, NULL);
  g_assert_cmpint (g_subprocess_get_exit_status (help), ==, 0);

  for (guint i = 0; settings[i]; i++)
    {
      g_autofree char *option = g_strdup_printf ("--%s=", settings[i]->name);

      g_assert_nonnull (strstr (help_out, option));
      g_assert_nonnull (strstr (help_out, g_param_spec_get_blurb (settings[i])));
    }
  return help_out;
}

/* The part of `list` about @id: from its line to the next protocol's */
static char *
list_section (const char *list_out,
              const char *id)
{
  g_autofree char *heading = g_strdup_printf ("\n%-8s ", id);
  const char *start = g_str_has_prefix (list_out, heading + 1) ? list_out : strstr (list_out, heading);
  const char *end;

  g_assert_nonnull (start);
  /* Protocol lines start at column 0, everything else is indented */
  for (end = strchr (start + 1, '\n'); end && end[1] && (end[1] == ' ' || end[1] == '\n'); end = strchr (end + 1, '\n'))
    ;
  return end ? g_strndup (start, end - start) : g_strdup (start);
}

static void
test_list_and_help (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) list = NULL;
  g_autofree char *list_out = NULL;
  g_autofree char *udp_help = NULL;
  g_autofree char *tcp_help = NULL;
  g_autofree char *tcp_client_help = NULL;
  static const char *ids[] = { "udp", "tcp", "jsonrpc", "rest", "chat", "amqp" };
  static const struct
  {
    const char *id;
    const char *options[9];
  } sections[] = {
    { "tcp", { "serve tcp:", "connect/send tcp:", "--framing=raw|line|length", "--mode=echo|broadcast|manual",
               "--max-frame-size=N", "--max-connections=N", "--idle-timeout=N", "--connect-timeout=N" } },
    { "jsonrpc", { "--path=", "--max-batch=N", "--url=", "--notification" } },
    { "rest", { "--data-file=", "--max-body-size=N", "--base-url=", "--retries=N" } },
    { "chat", { "--max-frame=N", "--rate-limit=N", "--url=", "--chat-mode=auto|on|off" } },
    { "amqp", { "--ack-mode=auto|manual", "--binding-key=", "--routing-key=",
                "--exchange-type=direct|fanout|topic|headers" } },
  };

  list = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "list", NULL);
  g_assert_no_error (error);
  communicate (list, NULL, &list_out, NULL);
  g_assert_cmpint (g_subprocess_get_exit_status (list), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    g_assert_nonnull (strstr (list_out, ids[i]));
  g_assert_nonnull (strstr (list_out, "--echo=yes|no"));

  /* Every protocol is built: each section lists the options of both ends */
  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    {
      g_autofree char *section = list_section (list_out, sections[i].id);

      g_assert_null (strstr (section, "not built yet"));
      for (guint j = 0; sections[i].options[j]; j++)
        g_assert_nonnull (strstr (section, sections[i].options[j]));
    }
  {
    g_autofree char *amqp_section = list_section (list_out, "amqp");

    /* A broker URL, not a port */
    g_assert_null (strstr (amqp_section, "--port="));
  }

  /* --help shows every setting with its blurb, from the properties */
  udp_help = check_help ("serve", "udp", CT_ROLE_SERVER);
  tcp_help = check_help ("serve", "tcp", CT_ROLE_SERVER);
  g_assert_nonnull (strstr (tcp_help, "--framing=raw|line|length"));
  g_assert_nonnull (strstr (tcp_help, "--mode=echo|broadcast|manual"));
  g_assert_nonnull (strstr (tcp_help, "--max-frame-size=N"));
  g_assert_nonnull (strstr (tcp_help, "--max-connections=N"));
  g_assert_nonnull (strstr (tcp_help, "--idle-timeout=N"));
  g_assert_nonnull (strstr (tcp_help, "--reply-to="));
  tcp_client_help = check_help ("connect", "tcp", CT_ROLE_CLIENT);
  g_assert_nonnull (strstr (tcp_client_help, "--connect-timeout=N"));
  g_assert_null (strstr (tcp_client_help, "--mode="));
}

/* -- AMQP ------------------------------------------------------------------ */

/* A line within @seconds (the broker takes longer than a socket to start) */
static char *
read_line_within (GDataInputStream *stream,
                  guint             seconds)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  gint64 end = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  g_data_input_stream_read_line_async (stream, G_PRIORITY_DEFAULT, NULL, ct_test_result_cb, &result);
  while (result == NULL)
    {
      if (g_get_monotonic_time () > end)
        g_error ("no line from the broker within %u s", seconds);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  return g_data_input_stream_read_line_finish_utf8 (stream, result, NULL, &error);
}

/* `broker`, `serve amqp` (manual acks, stopping by itself after --count),
 * `send amqp` and `connect amqp` as a user chains them; the password of the
 * URL never shows; wrong credentials fail with a reason */
static void
test_amqp (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ct-cli-broker-XXXXXX", &error);
  g_autofree char *dir_option = g_strdup_printf ("--dir=%s", dir);
  g_autoptr(GSubprocess) broker = NULL;
  g_autoptr(GSubprocess) consumer = NULL;
  g_autoptr(GSubprocess) sender = NULL;
  g_autoptr(GSubprocess) connect = NULL;
  g_autoptr(GSubprocess) refused = NULL;
  g_autoptr(GDataInputStream) broker_out = NULL;
  g_autoptr(GDataInputStream) consumer_out = NULL;
  g_autoptr(JsonObject) ready = NULL;
  g_autoptr(JsonObject) listening = NULL;
  g_autoptr(GPtrArray) sent = NULL;
  g_autoptr(GPtrArray) consumed = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autofree char *line = NULL;
  g_autofree char *url_option = NULL;
  g_autofree char *bad_url_option = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *connect_out = NULL;
  const char *url;
  guint acks = 0, confirmed = 0;
  int first;

  g_assert_no_error (error);
  broker = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "broker", "--json", dir_option, NULL);
  g_assert_no_error (error);
  broker_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (broker));
  for (;;)
    {
      g_autoptr(JsonObject) entry = NULL;

      g_free (line);
      line = read_line_within (broker_out, 120);
      g_assert_nonnull (line);
      entry = parse_json (line);
      g_assert_cmpstr (member (entry, "role"), ==, "broker");
      if (g_strcmp0 (member (entry, "event"), "ready") == 0)
        {
          ready = g_steal_pointer (&entry);
          break;
        }
      g_assert_cmpstr (member (entry, "direction"), !=, "error");
    }
  url = member (ready, "url");
  g_assert_true (g_str_has_prefix (url, "amqp://guest:guest@127.0.0.1:"));
  url_option = g_strdup_printf ("--url=%s", url);
  bad_url_option = g_strdup_printf ("--url=amqp://guest:wrong-secret@127.0.0.1:%u", address_port (url));

  consumer = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "serve", "amqp", url_option, "--queue=cli-orders",
                    "--ack-mode=manual", "--prefetch=2", "--count=5", "--json", NULL);
  g_assert_no_error (error);
  consumer_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (consumer));
  listening = read_json_line (consumer_out);
  g_assert_cmpstr (member (listening, "event"), ==, "listening");
  g_assert_cmpstr (member (listening, "queue"), ==, "cli-orders");
  g_assert_null (strstr (member (listening, "url"), "guest:guest"));
  g_assert_nonnull (strstr (member (listening, "url"), "guest:****@"));

  /* send: two messages with properties; it exits once both are confirmed */
  sender = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "send", "amqp", url_option, "--routing-key=cli-orders",
                  "--content-type=application/json", "--correlation-id=order-1", "--persistent", "--json",
                  "{\"n\":1}", "two", NULL);
  g_assert_no_error (error);
  communicate (sender, NULL, &out, NULL);
  g_assert_cmpint (g_subprocess_get_exit_status (sender), ==, 0);
  g_assert_null (strstr (out, "guest:guest"));
  sent = parse_json_lines (out);
  g_assert_cmpstr (member (sent->pdata[0], "event"), ==, "connected");
  first = find_entry (sent, 0, "out", "{\"n\":1}");
  g_assert_cmpint (first, >, 0);
  g_assert_cmpint (find_entry (sent, first, "out", "two"), >, first);
  for (guint i = 0; i < sent->len; i++)
    if (g_strcmp0 (member (sent->pdata[i], "event"), "ack") == 0)
      confirmed += json_object_get_int_member (json_object_get_object_member (sent->pdata[i], "meta"), "messages");
  g_assert_cmpuint (confirmed, ==, 2);

  /* connect: each stdin line is published; it exits once all are confirmed */
  connect = spawn (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                   "connect", "amqp", url_option, "--routing-key=cli-orders", "--json", NULL);
  g_assert_no_error (error);
  communicate (connect, "a\nb\nc\n", &connect_out, NULL);
  g_assert_cmpint (g_subprocess_get_exit_status (connect), ==, 0);

  /* The consumer: five deliveries with their properties, each acked once
   * written out, then it stops by itself */
  for (;;)
    {
      g_autofree char *next = read_line (consumer_out);

      if (next == NULL)
        break;
      g_ptr_array_add (consumed, parse_json (next));
    }
  wait_process (consumer);
  g_assert_cmpint (g_subprocess_get_exit_status (consumer), ==, 0);
  {
    static const char *bodies[] = { "{\"n\":1}", "two", "a", "b", "c" };
    int at = -1;

    for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
      {
        JsonObject *meta;

        at = find_entry (consumed, at + 1, "in", bodies[i]);
        g_assert_cmpint (at, >=, 0);
        g_assert_cmpstr (member (consumed->pdata[at], "event"), ==, "deliver");
        meta = json_object_get_object_member (consumed->pdata[at], "meta");
        g_assert_cmpstr (json_object_get_string_member (meta, "routing-key"), ==, "cli-orders");
        if (i == 0)
          {
            g_assert_cmpstr (json_object_get_string_member (meta, "content-type"), ==, "application/json");
            g_assert_cmpstr (json_object_get_string_member (meta, "correlation-id"), ==, "order-1");
            g_assert_cmpstr (json_object_get_string_member (meta, "delivery-mode"), ==, "persistent");
          }
      }
    for (guint i = 0; i < consumed->len; i++)
      acks += g_strcmp0 (member (consumed->pdata[i], "event"), "ack") == 0;
    g_assert_cmpuint (acks, ==, 5);
    g_assert_cmpint (find_entry (consumed, 0, "info", "done"), >, 0);
  }

  /* Wrong credentials: a reason, and never the password */
  refused = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                   "send", "amqp", bad_url_option, "--json", "x", NULL);
  g_assert_no_error (error);
  g_clear_pointer (&out, g_free);
  communicate (refused, NULL, &out, &err);
  g_assert_cmpint (g_subprocess_get_exit_status (refused), ==, 1);
  g_assert_nonnull (strstr (err, "refused the login"));
  g_assert_null (strstr (err, "wrong-secret"));
  g_assert_null (strstr (out, "wrong-secret"));

  stop_server (broker);
  {
    g_autoptr(JsonObject) stopped = read_until_event (broker_out, "stopped", NULL);
  }
  ct_test_rm_rf (dir);
}

/* -- TCP ------------------------------------------------------------------ */

/* `serve tcp` and `connect tcp` as a user pairs them: each stdin line goes
 * out and comes back; at the end of stdin the client half-closes, the echo
 * server closes its side, and the client exits 0 by itself */
static void
test_connect_tcp (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GSubprocess) client = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) server_closed = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GPtrArray) server_lines = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autofree char *port = NULL;
  g_autofree char *printed = NULL;
  g_autofree char *errors = NULL;
  const char *server_address, *client_address;
  JsonObject *connected, *closed, *last;
  int out_hello, out_world, in_hello, in_world, half_closed, closed_at;

  server = serve ("tcp", &out, &first, "--framing=line", "--mode=echo", NULL);
  g_assert_cmpstr (member (first, "role"), ==, "server");
  g_assert_cmpstr (member (first, "direction"), ==, "info");
  server_address = member (first, "address");
  g_assert_true (g_str_has_prefix (server_address, "127.0.0.1:"));
  g_assert_cmpuint (address_port (server_address), >, 0);
  port = port_option (first);

  /* --wait is long, so an exit within it is the client's own doing: the
   * server closed the connection after the half-close */
  client = spawn (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                  G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                  "connect", "tcp", "--host=127.0.0.1", port, "--framing=line", "--json",
                  "--wait=15000", NULL);
  g_assert_no_error (error);
  communicate (client, "hello\nworld\n", &printed, &errors);
  g_assert_true (g_subprocess_get_if_exited (client));
  g_assert_cmpint (g_subprocess_get_exit_status (client), ==, 0);
  g_assert_cmpstr (errors, ==, "");

  /* The client's log, in order */
  lines = parse_json_lines (printed);
  g_assert_cmpuint (lines->len, >=, 8);
  connected = lines->pdata[0];
  g_assert_cmpstr (member (connected, "protocol"), ==, "tcp");
  g_assert_cmpstr (member (connected, "role"), ==, "client");
  g_assert_cmpstr (member (connected, "direction"), ==, "info");
  g_assert_cmpstr (member (connected, "event"), ==, "connected");
  g_assert_cmpstr (member (connected, "peer"), ==, server_address);
  g_assert_cmpstr (member (connected, "address"), ==, server_address);
  client_address = member (connected, "local");
  g_assert_nonnull (client_address);
  g_assert_true (g_str_has_prefix (client_address, "127.0.0.1:"));

  out_hello = find_entry (lines, 0, "out", "hello");
  out_world = find_entry (lines, 0, "out", "world");
  in_hello = find_entry (lines, 0, "in", "hello");
  in_world = find_entry (lines, 0, "in", "world");
  half_closed = find_entry (lines, 0, "info", "half-closed");
  closed_at = find_entry (lines, 0, "info", "closed");
  g_assert_cmpint (out_hello, >, 0);
  g_assert_cmpint (out_world, >, out_hello);
  g_assert_cmpint (in_hello, >, out_hello);
  g_assert_cmpint (in_world, >, in_hello);
  g_assert_cmpint (in_world, >, out_world);
  g_assert_cmpint (half_closed, >, out_world);
  g_assert_cmpint (closed_at, >, in_world);
  g_assert_cmpint (closed_at, >, half_closed);
  /* the line delimiter is framing, not payload */
  g_assert_cmpint (json_object_get_int_member (lines->pdata[in_hello], "size"), ==, 5);
  g_assert_cmpstr (member (lines->pdata[in_hello], "peer"), ==, server_address);

  closed = lines->pdata[closed_at];
  g_assert_cmpstr (member (closed, "reason"), ==, "peer");
  g_assert_cmpstr (member (closed, "peer"), ==, server_address);
  g_assert_cmpint (json_object_get_int_member (closed, "bytes-out"), ==, 12);
  g_assert_cmpint (json_object_get_int_member (closed, "bytes-in"), ==, 12);
  g_assert_cmpint (find_entry (lines, closed_at + 1, "info", "closed"), ==, -1);
  g_assert_cmpint (find_entry (lines, 0, "error", "error"), ==, -1);
  last = lines->pdata[lines->len - 1];
  g_assert_cmpstr (member (last, "event"), ==, "stopped");

  /* The server's log: the same conversation from the other end, which the
   * server closed because the client had finished */
  server_closed = read_until_event (out, "closed", server_lines);
  g_assert_cmpstr (member (server_closed, "reason"), ==, "peer");
  g_assert_cmpstr (member (server_closed, "peer"), ==, client_address);
  g_assert_cmpint (json_object_get_int_member (server_closed, "bytes-in"), ==, 12);
  g_assert_cmpint (json_object_get_int_member (server_closed, "bytes-out"), ==, 12);
  {
    int accepted = find_entry (server_lines, 0, "info", "accepted");
    int s_in_hello = find_entry (server_lines, 0, "in", "hello");
    int s_out_hello = find_entry (server_lines, 0, "out", "hello");
    int s_in_world = find_entry (server_lines, 0, "in", "world");
    int s_out_world = find_entry (server_lines, 0, "out", "world");

    g_assert_cmpint (accepted, ==, 0);
    g_assert_cmpstr (member (server_lines->pdata[accepted], "peer"), ==, client_address);
    g_assert_cmpstr (member (server_lines->pdata[accepted], "role"), ==, "server");
    g_assert_cmpint (s_in_hello, >, accepted);
    g_assert_cmpint (s_out_hello, >, s_in_hello);
    g_assert_cmpint (s_in_world, >, s_in_hello);
    g_assert_cmpint (s_out_world, >, s_in_world);
    g_assert_cmpstr (member (server_lines->pdata[s_in_hello], "peer"), ==, client_address);
    g_assert_cmpstr (member (server_lines->pdata[s_out_world], "peer"), ==, client_address);
    g_assert_cmpint (find_entry (server_lines, 0, "error", "error"), ==, -1);
  }

  /* The server is still listening after its client left */
  stop_server (server);
}

/* `send tcp` with length-prefixed framing: each TEXT is one message, a
 * newline inside it included, and both come back before --wait is up */
static void
test_send_tcp_length (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GSubprocess) sender = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) server_closed = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GPtrArray) server_lines = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autofree char *port = NULL;
  g_autofree char *sent = NULL;
  gint64 started;
  const char *texts[] = { "first message", "two\nlines" };

  server = serve ("tcp", &out, &first, "--framing=length", NULL);
  port = port_option (first);

  started = g_get_monotonic_time ();
  sender = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                  "send", "tcp", port, "--framing=length", "--json", "--wait=15000",
                  texts[0], texts[1], NULL);
  g_assert_no_error (error);
  communicate (sender, NULL, &sent, NULL);
  g_assert_cmpint (g_subprocess_get_exit_status (sender), ==, 0);
  /* it left as soon as both replies were in, not after --wait */
  g_assert_cmpint (g_get_monotonic_time () - started, <, 10 * G_USEC_PER_SEC);

  lines = parse_json_lines (sent);
  g_assert_cmpstr (member (lines->pdata[0], "event"), ==, "connected");
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      int sent_at = find_entry (lines, 0, "out", texts[i]);
      int echoed_at = find_entry (lines, 0, "in", texts[i]);

      g_assert_cmpint (sent_at, >, 0);
      g_assert_cmpint (echoed_at, >, sent_at);
      g_assert_cmpint (json_object_get_int_member (lines->pdata[echoed_at], "size"), ==, strlen (texts[i]));
    }
  g_assert_cmpint (find_entry (lines, 0, "in", "first message"), <, find_entry (lines, 0, "in", "two\nlines"));
  g_assert_cmpint (find_entry (lines, 0, "error", "error"), ==, -1);

  /* The server got two messages, not three lines: each came back whole */
  server_closed = read_until_event (out, "closed", server_lines);
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_assert_cmpint (find_entry (server_lines, 0, "in", texts[i]), >=, 0);
      g_assert_cmpint (find_entry (server_lines, 0, "out", texts[i]), >=, 0);
    }
  {
    guint n_in = 0;

    for (guint i = 0; i < server_lines->len; i++)
      n_in += g_strcmp0 (member (server_lines->pdata[i], "direction"), "in") == 0;
    g_assert_cmpuint (n_in, ==, 2);
  }
  /* 4-byte prefixes both ways: 13 + 9 bytes of text, 8 of headers */
  g_assert_cmpint (json_object_get_int_member (server_closed, "bytes-in"), ==, 30);
  g_assert_cmpint (json_object_get_int_member (server_closed, "bytes-out"), ==, 30);

  stop_server (server);
}

/* Connecting where nobody listens: exit 1 and one line a user can act on */
static void
test_connect_tcp_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSubprocess) client = NULL;
  g_autofree char *option = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *lower = NULL;
  guint16 port;

  /* Bound but not listening: the port stays ours, and connections to it
   * are refused */
  socket = ct_test_bind_loopback (G_SOCKET_TYPE_STREAM, &port);
  option = g_strdup_printf ("--port=%u", port);

  client = spawn (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                  G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                  "connect", "tcp", "--host=127.0.0.1", option, "--json", NULL);
  g_assert_no_error (error);
  communicate (client, "never sent\n", &out, &err);
  g_assert_true (g_subprocess_get_if_exited (client));
  g_assert_cmpint (g_subprocess_get_exit_status (client), ==, 1);

  /* exactly one line on stderr */
  g_assert_true (g_str_has_prefix (err, "crosstalk-cli: "));
  g_assert_true (g_str_has_suffix (err, "\n"));
  g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);
  lower = g_ascii_strdown (err, -1);
  g_assert_nonnull (strstr (lower, "connection refused"));
  g_assert_nonnull (strstr (err, option + strlen ("--port=")));

  /* the JSON log has the error entry, and nothing was sent */
  g_assert_nonnull (strstr (out, "\"direction\":\"error\""));
  g_assert_null (strstr (out, "never sent"));
  g_assert_null (strstr (out, "\"connected\""));
}

/* -- REST ------------------------------------------------------------------ */

/* The "meta" object of a log line */
static JsonObject *
meta_of (JsonObject *line)
{
  JsonObject *meta = json_object_get_object_member (line, "meta");

  g_assert_nonnull (meta);
  return meta;
}

/* curl GET @url; what it printed (the body) */
static char *
curl_get (const char *url)
{
  return ct_test_run_peer (NULL, (const char *[]) {
                             "curl", "--silent", "--show-error", "--noproxy", "*",
                             "--max-time", G_STRINGIFY (CT_TEST_TIMEOUT_S), url, NULL });
}

/* `serve rest`: the listening line has the URL, and each request is an in
 * entry and its response an out entry with the same exchange id */
static void
test_serve_rest (void)
{
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) in = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) index = NULL;
  g_autofree char *expected_url = NULL;
  g_autofree char *api = NULL;
  g_autofree char *body = NULL;
  const char *address;
  JsonArray *collections;

  server = serve ("rest", &out, &first, NULL);
  g_assert_cmpstr (member (first, "role"), ==, "server");
  g_assert_cmpstr (member (first, "direction"), ==, "info");
  address = member (first, "address");
  g_assert_true (g_str_has_prefix (address, "127.0.0.1:"));
  g_assert_cmpuint (address_port (address), >, 0);
  expected_url = g_strdup_printf ("http://%s/", address);
  g_assert_cmpstr (member (first, "url"), ==, expected_url);

  /* A third-party client asks for the index */
  api = g_strconcat (member (first, "url"), "api", NULL);
  body = curl_get (api);
  index = parse_json (body);
  collections = json_object_get_array_member (index, "collections");
  g_assert_cmpuint (json_array_get_length (collections), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (collections, 0), "count"), ==, 28);

  /* The server's log: the request, then its response */
  in = read_json_line (out);
  g_assert_cmpstr (member (in, "protocol"), ==, "rest");
  g_assert_cmpstr (member (in, "direction"), ==, "in");
  g_assert_true (g_str_has_prefix (member (in, "peer"), "127.0.0.1:"));
  g_assert_cmpstr (member (meta_of (in), "http"), ==, "GET /api");
  g_assert_nonnull (strstr (member (meta_of (in), "headers"), "User-Agent: curl/"));
  answer = read_json_line (out);
  g_assert_cmpstr (member (answer, "direction"), ==, "out");
  g_assert_cmpint (json_object_get_int_member (meta_of (answer), "status"), ==, 200);
  g_assert_cmpint (json_object_get_int_member (meta_of (answer), "latency-us"), >=, 0);
  g_assert_cmpstr (member (answer, "text"), ==, body);
  g_assert_cmpint (json_object_get_int_member (in, "exchange"), >, 0);
  g_assert_cmpint (json_object_get_int_member (in, "exchange"), ==,
                   json_object_get_int_member (answer, "exchange"));

  stop_server (server);
}

/* `send rest`: each request and the response paired with it (same
 * exchange id), and the exit as soon as every answer is in */
static void
test_send_rest (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GSubprocess) sender = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) got = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GPtrArray) server_lines = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autofree char *base_url = NULL;
  g_autofree char *sent = NULL;
  g_autofree char *errors = NULL;
  int request_at = -1, response_at = -1, post_at = -1, created_at = -1;
  gint64 started;

  server = serve ("rest", &out, &first, NULL);
  base_url = g_strdup_printf ("--base-url=http://%s", member (first, "address"));

  started = g_get_monotonic_time ();
  sender = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                  "send", "rest", base_url, "--json", "--wait=15000",
                  "GET /api/tasks/1", "POST /api/tasks {\"title\": \"From the CLI\"}", NULL);
  g_assert_no_error (error);
  communicate (sender, NULL, &sent, &errors);
  g_assert_true (g_subprocess_get_if_exited (sender));
  g_assert_cmpint (g_subprocess_get_exit_status (sender), ==, 0);
  g_assert_cmpstr (errors, ==, "");
  g_assert_cmpint (g_get_monotonic_time () - started, <, 10 * G_USEC_PER_SEC);

  lines = parse_json_lines (sent);
  g_assert_cmpstr (member (lines->pdata[0], "event"), ==, "ready");
  for (guint i = 0; i < lines->len; i++)
    {
      JsonObject *line = lines->pdata[i];

      if (g_strcmp0 (member (line, "direction"), "out") == 0 &&
          g_strcmp0 (member (line, "summary"), "GET /api/tasks/1") == 0)
        request_at = i;
      else if (g_strcmp0 (member (line, "direction"), "out") == 0 &&
               g_strcmp0 (member (line, "summary"), "POST /api/tasks") == 0)
        post_at = i;
    }
  g_assert_cmpint (request_at, >, 0);
  g_assert_cmpint (post_at, >, 0);
  g_assert_cmpstr (member (meta_of (lines->pdata[request_at]), "method"), ==, "GET");
  g_assert_cmpstr (member (lines->pdata[post_at], "text"), ==, "{\"title\": \"From the CLI\"}");
  for (guint i = 0; i < lines->len; i++)
    {
      JsonObject *line = lines->pdata[i];

      if (g_strcmp0 (member (line, "direction"), "in") != 0)
        continue;
      if (json_object_get_int_member (line, "exchange") ==
          json_object_get_int_member (lines->pdata[request_at], "exchange"))
        response_at = i;
      else if (json_object_get_int_member (line, "exchange") ==
               json_object_get_int_member (lines->pdata[post_at], "exchange"))
        created_at = i;
    }
  g_assert_cmpint (response_at, >, request_at);
  g_assert_cmpint (created_at, >, post_at);
  g_assert_cmpint (json_object_get_int_member (lines->pdata[request_at], "exchange"), !=,
                   json_object_get_int_member (lines->pdata[post_at], "exchange"));

  /* The answers: the task, and the new one */
  g_assert_cmpint (json_object_get_int_member (meta_of (lines->pdata[response_at]), "status"), ==, 200);
  got = parse_json (member (lines->pdata[response_at], "text"));
  g_assert_cmpint (json_object_get_int_member (got, "id"), ==, 1);
  g_assert_cmpstr (member (got, "title"), ==, "Draft the Q2 roadmap");
  g_assert_true (g_str_has_prefix (member (lines->pdata[response_at], "summary"), "200 OK"));
  g_assert_cmpint (json_object_get_int_member (meta_of (lines->pdata[created_at]), "status"), ==, 201);
  g_assert_nonnull (strstr (member (meta_of (lines->pdata[created_at]), "headers"), "Location: /api/tasks/29"));
  g_assert_cmpint (find_entry (lines, 0, "error", "error"), ==, -1);
  g_assert_cmpstr (member (lines->pdata[lines->len - 1], "event"), ==, "stopped");

  /* The server saw both */
  for (guint n_out = 0; n_out < 2;)
    {
      JsonObject *line = read_json_line (out);

      n_out += g_strcmp0 (member (line, "direction"), "out") == 0;
      g_ptr_array_add (server_lines, line);
    }
  {
    guint n_in = 0;

    for (guint i = 0; i < server_lines->len; i++)
      if (g_strcmp0 (member (server_lines->pdata[i], "direction"), "in") == 0)
        {
          const char *http = member (meta_of (server_lines->pdata[i]), "http");

          g_assert_true (g_str_equal (http, "GET /api/tasks/1") || g_str_equal (http, "POST /api/tasks"));
          n_in++;
        }
    g_assert_cmpuint (n_in, ==, 2);
  }

  stop_server (server);
}

/* `serve rest --data-file=PATH --port=0 --json`: "listening" first, as
 * always, then what it did with the file */
static GSubprocess *
serve_rest_with_file (const char        *option,
                      GDataInputStream **out,
                      GPtrArray         *after)
{
  g_autoptr(JsonObject) listening = NULL;
  GSubprocess *server = serve ("rest", out, &listening, option, NULL);

  g_ptr_array_add (after, read_json_line (*out));
  return server;
}

/* `serve rest --data-file=PATH` creates the file with the seeded tasks,
 * and reads it when started again */
static void
test_serve_rest_data_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(JsonObject) file = NULL;
  g_autoptr(GPtrArray) after = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autofree char *dir = g_dir_make_tmp ("ct-test-cli-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *option = NULL;
  g_autofree char *contents = NULL;
  int at;

  g_assert_no_error (error);
  path = g_build_filename (dir, "tasks.json", NULL);
  option = g_strdup_printf ("--data-file=%s", path);

  server = serve_rest_with_file (option, &out, after);
  at = find_entry (after, 0, "info", "saved");
  g_assert_cmpint (at, >=, 0);
  g_assert_nonnull (strstr (member (after->pdata[at], "summary"), path));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  file = parse_json (contents);
  g_assert_cmpint (json_object_get_int_member (file, "version"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (file, "next_id"), ==, 29);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (file, "tasks")), ==, 28);
  stop_server (server);

  /* The file stays; started again, the server reads it */
  g_clear_object (&server);
  g_clear_object (&out);
  g_ptr_array_set_size (after, 0);
  server = serve_rest_with_file (option, &out, after);
  at = find_entry (after, 0, "info", "loaded");
  g_assert_cmpint (at, >=, 0);
  g_assert_nonnull (strstr (member (after->pdata[at], "summary"), "28 tasks"));
  stop_server (server);

  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* -- WebSocket chat -------------------------------------------------------- */

/* The index of the first entry at or after @from whose summary is @summary */
static int
find_summary (GPtrArray  *objects,
              guint       from,
              const char *summary)
{
  for (guint i = from; i < objects->len; i++)
    if (g_strcmp0 (member (objects->pdata[i], "summary"), summary) == 0)
      return i;
  return -1;
}

/* `serve chat` and `connect chat --nick`: the client joins before it reads
 * stdin, each line is a chat message that comes back from the server, and
 * a second client asking for the same nickname fails with the server's
 * reason */
static void
test_connect_chat (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GSubprocess) client = NULL;
  g_autoptr(GSubprocess) taken = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) closed = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GPtrArray) server_lines = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autofree char *url = NULL;
  g_autofree char *printed = NULL;
  g_autofree char *errors = NULL;
  int ready, join, joined, said, heard, said2, heard2;

  server = serve ("chat", &out, &first, NULL);
  g_assert_cmpstr (member (first, "event"), ==, "listening");
  url = g_strdup_printf ("--url=ws://%s/chat", member (first, "address"));

  client = spawn (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                  G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                  "connect", "chat", url, "--nick=alice", "--json", "--wait=1000", NULL);
  g_assert_no_error (error);
  communicate (client, "hello\nworld\n", &printed, &errors);
  g_assert_cmpint (g_subprocess_get_exit_status (client), ==, 0);
  g_assert_cmpstr (errors, ==, "");

  lines = parse_json_lines (printed);
  ready = find_entry (lines, 0, "info", "ready");
  join = find_entry (lines, 0, "out", "{\"type\":\"join\",\"nick\":\"alice\"}");
  joined = find_summary (lines, 0, "Joined as alice");
  said = find_entry (lines, 0, "out", "{\"type\":\"message\",\"text\":\"hello\"}");
  heard = find_summary (lines, 0, "alice: hello");
  said2 = find_entry (lines, 0, "out", "{\"type\":\"message\",\"text\":\"world\"}");
  heard2 = find_summary (lines, 0, "alice: world");
  g_assert_cmpint (ready, ==, 0);
  g_assert_cmpstr (member (lines->pdata[ready], "protocol"), ==, "chat");
  g_assert_cmpint (join, >, ready);
  g_assert_cmpint (joined, >, join);
  g_assert_cmpint (said, >, joined);
  g_assert_cmpint (heard, >, said);
  g_assert_cmpint (said2, >, said);
  g_assert_cmpint (heard2, >, heard);
  g_assert_cmpstr (member (lines->pdata[lines->len - 2], "event"), ==, "close");
  g_assert_cmpstr (member (lines->pdata[lines->len - 1], "event"), ==, "stopped");
  g_assert_cmpint (find_entry (lines, 0, "error", "error"), ==, -1);

  /* The server saw alice come, speak twice and go */
  closed = read_until_event (out, "close", server_lines);
  g_assert_cmpint (json_object_get_int_member (closed, "code"), ==, 1000);
  g_assert_cmpint (find_entry (server_lines, 0, "in", "{\"type\":\"join\",\"nick\":\"alice\"}"), >, 0);
  g_assert_cmpint (find_entry (server_lines, 0, "in", "{\"type\":\"message\",\"text\":\"world\"}"), >, 0);

  /* A nickname taken: the start fails with the server's reason */
  g_clear_object (&client);
  client = spawn (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                  G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                  "connect", "chat", url, "--nick=bob", "--wait=1000", NULL);
  g_assert_no_error (error);
  /* bob is in once the server has told him so */
  g_ptr_array_set_size (server_lines, 0);
  g_clear_pointer (&closed, json_object_unref);
  closed = read_until_event (out, "join", server_lines);
  taken = spawn (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                 "send", "chat", url, "--nick=BOB", "--wait=100", "hi", NULL);
  g_assert_no_error (error);
  g_clear_pointer (&errors, g_free);
  communicate (taken, NULL, NULL, &errors);
  g_assert_cmpint (g_subprocess_get_exit_status (taken), ==, 1);
  g_assert_nonnull (strstr (errors, "“BOB” is taken"));
  communicate (client, "", NULL, NULL);

  stop_server (server);
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
  g_test_add_func ("/ct/cli/connect-tcp", test_connect_tcp);
  g_test_add_func ("/ct/cli/send-tcp-length", test_send_tcp_length);
  g_test_add_func ("/ct/cli/send-jsonrpc", test_send_jsonrpc);
  g_test_add_func ("/ct/cli/connect-tcp-refused", test_connect_tcp_refused);
  g_test_add_func ("/ct/cli/serve-rest", test_serve_rest);
  g_test_add_func ("/ct/cli/send-rest", test_send_rest);
  g_test_add_func ("/ct/cli/serve-rest-data-file", test_serve_rest_data_file);
  g_test_add_func ("/ct/cli/connect-chat", test_connect_chat);
  g_test_add_func ("/ct/cli/amqp", test_amqp);

  return g_test_run ();
}
