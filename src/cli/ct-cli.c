/* ct-cli.c — crosstalk-cli: every endpoint, headless
 *
 *   crosstalk-cli list
 *   crosstalk-cli serve PROTOCOL [--NAME=VALUE ...]
 *   crosstalk-cli connect PROTOCOL [--NAME=VALUE ...]
 *   crosstalk-cli send PROTOCOL [--NAME=VALUE ...] TEXT...
 *   crosstalk-cli broker [--json] [--port=N] [--dir=PATH]
 *
 * Options are the endpoint's settings (its CT_PARAM_SETTING properties),
 * parsed by the same core function the GUI's saved settings use. The CLI's
 * own options are --json, --quiet, --wait=MS and --help.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "crosstalk-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <gio/gunixinputstream.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "ct-core.h"

typedef enum
{
  VERB_SERVE,
  VERB_CONNECT,
  VERB_SEND,
} Verb;

typedef struct
{
  Verb               verb;
  const CtProtocol  *protocol;
  CtEndpoint        *endpoint;
  GMainLoop         *loop;
  GPtrArray         *texts;          /* for send */
  GDataInputStream  *stdin_stream;   /* for connect */
  GCancellable      *cancellable;
  gboolean           json;
  gboolean           quiet;
  guint              wait_ms;
  guint              n_in;
  guint              n_sent;
  guint              n_errors;
  guint              wait_source;
  int                exit_status;
  gboolean           stopping;
  gboolean           input_done;     /* connect: end of stdin */
  gboolean           written_hook;   /* the endpoint acts on what is written out */
} Cli;

static const char *
role_name (CtEndpoint *endpoint)
{
  return ct_role_to_string (ct_endpoint_get_role (endpoint));
}

/* One log entry on stdout: a JSON Lines object, or a line for people */
static void
write_entry (CtMessage  *message,
             const char *protocol,
             const char *role,
             gboolean    json)
{
  CtDirection direction = ct_message_get_direction (message);

  if (json)
    {
      g_autofree char *line = ct_jsonl_format_message (message, protocol, role);

      fputs (line, stdout);
      fputc ('\n', stdout);
    }
  else
    {
      g_autofree char *time = ct_message_format_time (message, FALSE);
      g_autofree char *summary = ct_message_dup_summary (message);
      const char *peer = ct_message_get_peer (message);

      if (direction == CT_DIRECTION_IN || direction == CT_DIRECTION_OUT)
        printf ("%s  %-5s %-22s %6" G_GSIZE_FORMAT " B  %s\n", time,
                ct_direction_to_string (direction), peer ? peer : "",
                ct_message_get_size (message), summary);
      else if (peer)
        printf ("%s  %-5s %-22s %s\n", time, ct_direction_to_string (direction), peer, summary);
      else
        printf ("%s  %-5s %s\n", time, ct_direction_to_string (direction), summary);
    }
}

static void
print_message (Cli       *cli,
               CtMessage *message)
{
  CtDirection direction = ct_message_get_direction (message);

  if (direction == CT_DIRECTION_IN)
    cli->n_in++;
  else if (direction == CT_DIRECTION_ERROR)
    cli->n_errors++;
  write_entry (message, cli->protocol->id, role_name (cli->endpoint), cli->json);
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Cli        *cli)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(CtMessage) message = NULL;

      /* With --quiet, in/out entries are only counted: no row object */
      if (cli->quiet)
        {
          CtDirection direction = ct_message_log_get_direction (CT_MESSAGE_LOG (model), i);

          if (direction == CT_DIRECTION_OUT || (direction == CT_DIRECTION_IN && !cli->written_hook))
            {
              cli->n_in += direction == CT_DIRECTION_IN;
              continue;
            }
          if (direction == CT_DIRECTION_IN)
            {
              cli->n_in++;
              message = g_list_model_get_item (model, i);
              ct_endpoint_message_written (cli->endpoint, message);
              continue;
            }
        }

      message = g_list_model_get_item (model, i);
      print_message (cli, message);
      if (cli->written_hook)
        ct_endpoint_message_written (cli->endpoint, message);
    }
  fflush (stdout);
}

static void
stop_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Cli *cli = user_data;

  ct_endpoint_stop_finish (CT_ENDPOINT (object), result, NULL);
  ct_message_log_flush (ct_endpoint_get_log (cli->endpoint));
  g_main_loop_quit (cli->loop);
}

static void
cli_stop (Cli *cli)
{
  if (cli->stopping)
    return;

  cli->stopping = TRUE;
  g_cancellable_cancel (cli->cancellable);
  g_clear_handle_id (&cli->wait_source, g_source_remove);
  ct_endpoint_stop_async (cli->endpoint, stop_cb, cli);
}

static gboolean
on_signal (gpointer user_data)
{
  cli_stop (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_wait_done (gpointer user_data)
{
  Cli *cli = user_data;

  cli->wait_source = 0;
  cli_stop (cli);
  return G_SOURCE_REMOVE;
}

/* send: stop once every message has had a reply, or after --wait */
static void
check_replies (GListModel *model,
               guint       position,
               guint       removed,
               guint       added,
               Cli        *cli)
{
  gint64 pending = ct_endpoint_get_n_pending (cli->endpoint);

  if (cli->stopping)
    return;
  if (pending < 0)
    {
      if (cli->verb == VERB_SEND && cli->n_in >= cli->n_sent && cli->n_sent > 0)
        cli_stop (cli);
      return;
    }

  /* An endpoint that counts what still waits for an answer (confirms,
   * replies): done when nothing does; --wait is then how long to wait
   * without any progress */
  if ((cli->verb == VERB_SEND && cli->n_sent > 0) || cli->input_done)
    {
      if (pending == 0)
        cli_stop (cli);
      else if (cli->wait_source)
        {
          g_source_remove (cli->wait_source);
          cli->wait_source = g_timeout_add (cli->wait_ms, on_wait_done, cli);
        }
    }
}

static void
on_state (CtEndpoint *endpoint,
          GParamSpec *pspec,
          Cli        *cli)
{
  CtState state = ct_endpoint_get_state (endpoint);

  /* Failed, or stopped by itself (the server closed the connection) */
  if ((state == CT_STATE_FAILED || state == CT_STATE_STOPPED) && !cli->stopping)
    {
      if (state == CT_STATE_FAILED)
        cli->exit_status = 1;
      cli->stopping = TRUE;
      g_cancellable_cancel (cli->cancellable);
      g_clear_handle_id (&cli->wait_source, g_source_remove);
      ct_message_log_flush (ct_endpoint_get_log (endpoint));
      g_main_loop_quit (cli->loop);
    }
}

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gsize length;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result,
                                                    &length, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (line == NULL)
    {
      if (error)
        g_printerr ("crosstalk-cli: %s\n", error->message);
      /* End of input: a stream client half-closes, as `nc -N` does, and
       * stops when the server closes; replies get a moment either way */
      if (ct_endpoint_can_shutdown_write (cli->endpoint))
        ct_endpoint_shutdown_write (cli->endpoint, NULL);
      cli->input_done = TRUE;
      if (ct_endpoint_get_n_pending (cli->endpoint) == 0)
        cli_stop (cli);
      else
        cli->wait_source = g_timeout_add (cli->wait_ms, on_wait_done, cli);
      return;
    }

  ct_endpoint_send_text (cli->endpoint, line, NULL);
  g_data_input_stream_read_line_async (cli->stdin_stream, G_PRIORITY_DEFAULT, cli->cancellable,
                                       read_line_cb, cli);
}

static void
start_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr(GError) error = NULL;

  if (!ct_endpoint_start_finish (CT_ENDPOINT (object), result, &error))
    {
      ct_message_log_flush (ct_endpoint_get_log (cli->endpoint));
      g_printerr ("crosstalk-cli: %s\n", error->message);
      cli->exit_status = 1;
      g_main_loop_quit (cli->loop);
      return;
    }

  switch (cli->verb)
    {
    case VERB_SERVE:
      break;

    case VERB_CONNECT:
      {
        g_autoptr(GInputStream) in = g_unix_input_stream_new (0, FALSE);

        cli->stdin_stream = g_data_input_stream_new (in);
        g_data_input_stream_set_newline_type (cli->stdin_stream, G_DATA_STREAM_NEWLINE_TYPE_ANY);
        g_data_input_stream_read_line_async (cli->stdin_stream, G_PRIORITY_DEFAULT,
                                             cli->cancellable, read_line_cb, cli);
      }
      break;

    case VERB_SEND:
      for (guint i = 0; i < cli->texts->len; i++)
        if (ct_endpoint_send_text (cli->endpoint, cli->texts->pdata[i], NULL))
          cli->n_sent++;
      if (cli->n_sent == 0)
        cli_stop (cli);
      else
        cli->wait_source = g_timeout_add (cli->wait_ms, on_wait_done, cli);
      break;

    default:
      g_assert_not_reached ();
    }
}

/* -- help and list ------------------------------------------------------ */

static void
print_settings (CtEndpointClass *klass,
                FILE            *out)
{
  g_autofree GParamSpec **settings = ct_endpoint_class_list_settings (klass, NULL);

  for (guint i = 0; settings[i]; i++)
    {
      GParamSpec *pspec = settings[i];
      g_autofree char *def = ct_param_spec_dup_default_string (pspec);
      g_autofree char *left = g_strdup_printf ("--%s=%s", pspec->name, ct_param_spec_get_type_name (pspec));
      g_autofree char *choices = NULL;

      if (G_TYPE_IS_ENUM (pspec->value_type))
        {
          g_autoptr(GEnumClass) enum_class = g_type_class_ref (pspec->value_type);
          g_autoptr(GString) s = g_string_new (NULL);

          for (guint j = 0; j < enum_class->n_values; j++)
            g_string_append_printf (s, "%s%s", j ? "|" : "", enum_class->values[j].value_nick);
          g_free (left);
          left = g_strdup_printf ("--%s=%s", pspec->name, s->str);
        }

      fprintf (out, "    %-28s %s (default: %s)\n", left,
               g_dgettext (GETTEXT_PACKAGE, g_param_spec_get_blurb (pspec)),
               *def ? def : "\"\"");
    }
}

static void
print_usage (FILE *out)
{
  fputs (_("Usage:\n"
           "  crosstalk-cli list                                   protocols and their options\n"
           "  crosstalk-cli serve PROTOCOL [--NAME=VALUE ...]      run a server until Ctrl-C\n"
           "  crosstalk-cli connect PROTOCOL [--NAME=VALUE ...]    run a client; each stdin line is sent\n"
           "  crosstalk-cli send PROTOCOL [--NAME=VALUE ...] TEXT...  send each TEXT, wait for replies, exit\n"
           "  crosstalk-cli broker [--json] [--port=N] [--dir=PATH]  private local RabbitMQ broker until Ctrl-C\n"
           "\n"
           "Common options:\n"
           "  --json        print every log entry as one JSON object per line\n"
           "  --quiet       print only info and error entries (messages are still logged)\n"
           "  --wait=MS     connect/send: how long to wait for replies (default 1000 / 2000)\n"
           "  --help        show the options of a verb and protocol\n"), out);
}

static int
list_protocols (void)
{
  guint n;
  const CtProtocol *protocols = ct_protocol_get_all (&n);

  for (guint i = 0; i < n; i++)
    {
      const CtProtocol *p = &protocols[i];

      printf ("%-8s %s — %s\n", p->id, _(p->title), _(p->description));
      if (!ct_protocol_is_available (p))
        {
          printf ("    %s\n\n", _("not built yet"));
          continue;
        }

      {
        g_autoptr(CtEndpointClass) server = g_type_class_ref (p->get_server_type ());
        g_autoptr(CtEndpointClass) client = g_type_class_ref (p->get_client_type ());

        printf ("  serve %s:\n", p->id);
        print_settings (server, stdout);
        printf ("  connect/send %s:\n", p->id);
        print_settings (client, stdout);
        printf ("\n");
      }
    }
  return 0;
}

/* -- main --------------------------------------------------------------- */


static int
usage_error (const char *format,
             ...) G_GNUC_PRINTF (1, 2);

static int
usage_error (const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("crosstalk-cli: %s\n", message);
  g_printerr ("%s\n", _("Try “crosstalk-cli --help”."));
  return 2;
}

/* -- broker ------------------------------------------------------------- */

typedef struct
{
  CtBroker     *broker;
  GMainLoop    *loop;
  CtMessageLog *log;
  gboolean      json;
  gboolean      stopping;
  int           exit_status;
} BrokerCli;

static void
broker_log_changed (GListModel *model,
                    guint       position,
                    guint       removed,
                    guint       added,
                    BrokerCli  *cli)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(CtMessage) message = g_list_model_get_item (model, i);

      write_entry (message, "amqp", "broker", cli->json);
    }
  fflush (stdout);
}

static void
broker_stopped (GObject      *object,
                GAsyncResult *result,
                gpointer      data)
{
  BrokerCli *cli = data;
  g_autoptr(GError) error = NULL;

  if (!ct_broker_stop_finish (CT_BROKER (object), result, &error))
    {
      ct_message_log_error (cli->log, NULL, error);
      cli->exit_status = 1;
    }
  else
    ct_message_log_info (cli->log, "stopped", NULL, NULL, "%s", _("Broker stopped"));
  ct_message_log_flush (cli->log);
  g_main_loop_quit (cli->loop);
}

static gboolean
broker_on_signal (gpointer data)
{
  BrokerCli *cli = data;

  if (!cli->stopping)
    {
      cli->stopping = TRUE;
      ct_broker_stop_async (cli->broker, broker_stopped, cli);
    }
  return G_SOURCE_CONTINUE;
}

static void
broker_started (GObject      *object,
                GAsyncResult *result,
                gpointer      data)
{
  BrokerCli *cli = data;
  g_autoptr(GError) error = NULL;
  CtMetaBuilder b = { 0 };

  if (!ct_broker_start_finish (CT_BROKER (object), result, &error))
    {
      ct_message_log_error (cli->log, NULL, error);
      ct_message_log_flush (cli->log);
      g_printerr ("crosstalk-cli: %s\n", error->message);
      cli->exit_status = 1;
      g_main_loop_quit (cli->loop);
      return;
    }
  ct_meta_builder_add_string (&b, "url", ct_broker_get_url (cli->broker));
  ct_meta_builder_add_string (&b, "node", ct_broker_get_node_name (cli->broker));
  ct_meta_builder_add_string (&b, "log", ct_broker_get_log_path (cli->broker));
  ct_meta_builder_add_int64 (&b, "pid", ct_broker_get_pid (cli->broker));
  ct_message_log_info (cli->log, "ready", NULL, ct_meta_builder_end (&b),
                       _("Broker ready at %s (log: %s); Ctrl-C stops it"),
                       ct_broker_get_url (cli->broker), ct_broker_get_log_path (cli->broker));
  ct_message_log_flush (cli->log);
}

/* The broker went away by itself */
static void
broker_state_changed (CtBroker   *broker,
                      GParamSpec *pspec,
                      BrokerCli  *cli)
{
  if (ct_broker_get_state (broker) == CT_STATE_FAILED && !cli->stopping)
    {
      g_autoptr(GError) error = g_error_new (CT_ERROR, CT_ERROR_CONNECTION_RESET,
                                             _("The broker exited; its log is %s"),
                                             ct_broker_get_log_path (broker));

      ct_message_log_error (cli->log, NULL, error);
      ct_message_log_flush (cli->log);
      cli->exit_status = 1;
      g_main_loop_quit (cli->loop);
    }
}

/* crosstalk-cli broker [--json] [--port=N] [--dir=PATH]: a private RabbitMQ
 * broker until Ctrl-C, announced by a "ready" entry with its URL */
static int
run_broker (int    argc,
            char **argv)
{
  BrokerCli cli = { 0 };
  g_autoptr(CtBroker) broker = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(CtMessageLog) log = NULL;
  g_autoptr(GError) error = NULL;
  const char *dir = NULL;
  guint64 port = 0;
  guint sigint, sigterm;

  for (int i = 2; i < argc; i++)
    {
      const char *arg = argv[i];

      if (g_str_equal (arg, "--json"))
        cli.json = TRUE;
      else if (g_str_has_prefix (arg, "--dir="))
        dir = arg + strlen ("--dir=");
      else if (g_str_has_prefix (arg, "--port="))
        {
          if (!g_ascii_string_to_unsigned (arg + strlen ("--port="), 10, 1, 65535, &port, NULL))
            return usage_error (_("--port takes a port number, not “%s”"), arg + strlen ("--port="));
        }
      else if (g_str_equal (arg, "--help") || g_str_equal (arg, "-h"))
        {
          printf ("%s\n", _("crosstalk-cli broker [--json] [--port=N] [--dir=PATH]\n\n"
                            "Runs a private RabbitMQ broker on 127.0.0.1 until Ctrl-C: its own node, data and\n"
                            "log under PATH (default ~/.cache/crosstalk/broker), the AMQP port N (default: a free\n"
                            "one, kept across restarts). Once it accepts connections, a \"ready\" entry gives its URL."));
          return 0;
        }
      else
        return usage_error (_("Unknown option “%s” for broker"), arg);
    }

  if (!ct_broker_is_installed (&error))
    {
      g_printerr ("crosstalk-cli: %s\n", error->message);
      return 1;
    }

  broker = ct_broker_new (dir);
  if (port)
    ct_broker_set_port (broker, port);
  loop = g_main_loop_new (NULL, FALSE);
  log = ct_message_log_new ();
  cli.broker = broker;
  cli.loop = loop;
  cli.log = log;
  g_signal_connect (log, "items-changed", G_CALLBACK (broker_log_changed), &cli);
  g_signal_connect (broker, "notify::state", G_CALLBACK (broker_state_changed), &cli);
  sigint = g_unix_signal_add (SIGINT, broker_on_signal, &cli);
  sigterm = g_unix_signal_add (SIGTERM, broker_on_signal, &cli);

  ct_message_log_info (log, "starting", NULL, NULL, _("Starting a private RabbitMQ broker…"));
  ct_broker_start_async (broker, NULL, broker_started, &cli);
  g_main_loop_run (loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_signal_handlers_disconnect_by_data (log, &cli);
  g_signal_handlers_disconnect_by_data (broker, &cli);
  return cli.exit_status;
}

static int
run (int    argc,
     char **argv)
{
  Cli cli = { 0 };
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(CtEndpoint) endpoint = NULL;
  g_autoptr(GPtrArray) texts = g_ptr_array_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GDataInputStream) stdin_stream = NULL;
  gboolean help = FALSE;
  CtRole role;
  guint sigint, sigterm;

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      print_usage (argc < 2 ? stderr : stdout);
      return argc < 2 ? 2 : 0;
    }

  if (g_str_equal (argv[1], "--version"))
    {
      printf ("crosstalk-cli %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (g_str_equal (argv[1], "list"))
    return list_protocols ();

  if (g_str_equal (argv[1], "broker"))
    return run_broker (argc, argv);

  if (g_str_equal (argv[1], "serve"))
    cli.verb = VERB_SERVE;
  else if (g_str_equal (argv[1], "connect"))
    cli.verb = VERB_CONNECT;
  else if (g_str_equal (argv[1], "send"))
    cli.verb = VERB_SEND;
  else
    return usage_error (_("Unknown command “%s”"), argv[1]);

  if (argc < 3 || argv[2][0] == '-')
    return usage_error (_("Which protocol? One of: %s"), "udp, tcp, jsonrpc, rest, chat, amqp");

  cli.protocol = ct_protocol_lookup (argv[2]);
  if (cli.protocol == NULL)
    return usage_error (_("Unknown protocol “%s”; “crosstalk-cli list” shows them"), argv[2]);
  if (!ct_protocol_is_available (cli.protocol))
    {
      g_printerr ("crosstalk-cli: %s\n", _("This protocol is not built yet"));
      return 1;
    }

  role = cli.verb == VERB_SERVE ? CT_ROLE_SERVER : CT_ROLE_CLIENT;
  endpoint = ct_protocol_new_endpoint (cli.protocol, role);
  cli.wait_ms = cli.verb == VERB_SEND ? 2000 : 1000;

  for (int i = 3; i < argc; i++)
    {
      const char *arg = argv[i];
      g_autofree char *name = NULL;
      const char *value;
      g_autoptr(GError) error = NULL;

      if (!g_str_has_prefix (arg, "--"))
        {
          if (cli.verb != VERB_SEND)
            return usage_error (_("Unexpected argument “%s”: options are written --name=value"), arg);
          g_ptr_array_add (texts, (gpointer) arg);
          continue;
        }

      if (g_str_equal (arg, "--"))
        {
          for (i++; i < argc; i++)
            g_ptr_array_add (texts, argv[i]);
          break;
        }

      value = strchr (arg, '=');
      name = value ? g_strndup (arg + 2, value - arg - 2) : g_strdup (arg + 2);
      value = value ? value + 1 : NULL;

      if (g_str_equal (name, "json") && value == NULL)
        cli.json = TRUE;
      else if (g_str_equal (name, "quiet") && value == NULL)
        cli.quiet = TRUE;
      else if (g_str_equal (name, "help") || g_str_equal (name, "h"))
        help = TRUE;
      else if (g_str_equal (name, "wait") && value != NULL)
        {
          guint64 ms;

          if (!g_ascii_string_to_unsigned (value, 10, 0, 3600000, &ms, NULL))
            return usage_error (_("--wait takes milliseconds, not “%s”"), value);
          cli.wait_ms = ms;
        }
      else if (value == NULL)
        {
          /* --flag and --no-flag for yes/no settings */
          GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (endpoint), name);
          gboolean negate = pspec == NULL && g_str_has_prefix (name, "no-");

          if (negate)
            pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (endpoint), name + 3);
          if (pspec == NULL || pspec->value_type != G_TYPE_BOOLEAN)
            return usage_error (_("Option “--%s” needs a value: --%s=VALUE"), name, name);
          if (!ct_endpoint_set_setting_from_string (endpoint, pspec->name, negate ? "no" : "yes", &error))
            return usage_error ("%s", error->message);
        }
      else if (!ct_endpoint_set_setting_from_string (endpoint, name, value, &error))
        return usage_error ("%s", error->message);
    }

  if (help)
    {
      printf ("crosstalk-cli %s %s [OPTIONS]%s\n\n", argv[1], cli.protocol->id,
              cli.verb == VERB_SEND ? " TEXT..." : "");
      printf ("%s:\n", _("Options"));
      print_settings (CT_ENDPOINT_GET_CLASS (endpoint), stdout);
      printf ("\n");
      print_usage (stdout);
      return 0;
    }

  if (cli.verb == VERB_SEND && texts->len == 0)
    return usage_error (_("Nothing to send: give the messages after the options"));

  loop = g_main_loop_new (NULL, FALSE);
  cli.loop = loop;
  cli.endpoint = endpoint;
  cli.written_hook = CT_ENDPOINT_GET_CLASS (endpoint)->message_written != NULL;
  /* An endpoint that acts once entries are written out (acks) gets them at
   * once, not once per frame */
  if (cli.written_hook)
    ct_message_log_set_flush_delay (ct_endpoint_get_log (endpoint), 0);
  cli.texts = texts;
  cli.cancellable = cancellable;

  g_signal_connect (ct_endpoint_get_log (endpoint), "items-changed",
                    G_CALLBACK (on_items_changed), &cli);
  g_signal_connect_after (ct_endpoint_get_log (endpoint), "items-changed",
                          G_CALLBACK (check_replies), &cli);
  g_signal_connect (endpoint, "notify::state", G_CALLBACK (on_state), &cli);
  sigint = g_unix_signal_add (SIGINT, on_signal, &cli);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &cli);

  ct_endpoint_start_async (endpoint, start_cb, &cli);
  g_main_loop_run (loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_clear_handle_id (&cli.wait_source, g_source_remove);
  g_signal_handlers_disconnect_by_data (ct_endpoint_get_log (endpoint), &cli);
  g_signal_handlers_disconnect_by_data (endpoint, &cli);
  stdin_stream = g_steal_pointer (&cli.stdin_stream);

  if (cli.verb == VERB_SEND && cli.n_errors > 0 && cli.exit_status == 0)
    cli.exit_status = 1;

  return cli.exit_status;
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  return run (argc, argv);
}
