/* ct-broker.c — a private local RabbitMQ broker
 *
 * Runs Debian's rabbitmq-server as the current user, as a node of its own:
 * its own name, free ports on 127.0.0.1 (AMQP, distribution, epmd), its
 * database and logs under one directory (by default the user's cache
 * directory), and an epmd of its own, started here in the foreground so
 * that it can be stopped by its pid (the one Erlang starts by itself
 * outlives the broker). The system's RabbitMQ configuration is not read.
 *
 * Ready is when the AMQP port accepts connections: RabbitMQ opens it at the
 * end of its boot. A stop sends SIGTERM, on which the server script stops
 * the node cleanly; past a timeout the processes are killed.
 *
 * The ports are chosen at the first start and kept: a restarted broker is
 * at the same URL, with the same durable queues and persistent messages,
 * which is what clients reconnecting to it expect.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ct-broker"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <signal.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "ct-broker.h"
#include "ct-enums.h"
#include "ct-error.h"

#define POLL_INTERVAL_MS 200
#define STOP_TIMEOUT_S   20

struct _CtBroker
{
  GObject       parent_instance;

  char         *base_dir;
  char         *node_name;
  char         *log_path;
  char         *url;
  guint         port;
  guint         dist_port;
  guint         epmd_port;
  CtState       state;

  GSubprocess  *epmd;
  GSubprocess  *server;
  GTask        *start_task;
  guint         poll_source;
  gint64        deadline;
};

G_DEFINE_FINAL_TYPE (CtBroker, ct_broker, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_URL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_state (CtBroker *self,
           CtState   state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/**
 * ct_broker_is_installed:
 *
 * Returns: whether rabbitmq-server can be started here; if not, @error
 *   says how to install it
 */
gboolean
ct_broker_is_installed (GError **error)
{
  g_autofree char *epmd = g_find_program_in_path ("epmd");

  if (g_file_test (CT_BROKER_SERVER_PATH, G_FILE_TEST_IS_EXECUTABLE) && epmd)
    return TRUE;
  g_set_error (error, CT_ERROR, CT_ERROR_NOT_IMPLEMENTED,
               _("RabbitMQ is not installed, so no local broker can be started: install it with "
                 "“sudo apt install rabbitmq-server”, or connect to any broker by its URL"));
  return FALSE;
}

static guint
free_port (GError **error)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  if (socket == NULL || !g_socket_bind (socket, any, FALSE, error))
    return 0;
  bound = g_socket_get_local_address (socket, error);
  return bound ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)) : 0;
}

/* The last lines of the broker's log, for an error that says why */
static char *
log_tail (CtBroker *self)
{
  g_autofree char *text = NULL;
  gsize length = 0;
  const char *start;
  guint lines = 0;

  if (!g_file_get_contents (self->log_path, &text, &length, NULL) || length == 0)
    return g_strdup ("");
  start = text + length;
  while (start > text && lines < 6)
    if (*--start == '\n')
      lines++;
  return g_utf8_make_valid (start, -1);
}

/* SIGTERM now: g_subprocess_send_signal () sends it later from GLib's
 * worker thread, and a process that exits right after (the CLI, once the
 * broker has stopped) would never send it */
static void
terminate (GSubprocess *process)
{
  const char *id = process ? g_subprocess_get_identifier (process) : NULL;

  if (id)
    kill ((pid_t) g_ascii_strtoll (id, NULL, 10), SIGTERM);
}

static void
kill_process (GSubprocess **process)
{
  if (*process && g_subprocess_get_identifier (*process))
    g_subprocess_force_exit (*process);
  g_clear_object (process);
}

static void
finish_start (CtBroker *self,
              GError   *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->start_task);

  g_clear_handle_id (&self->poll_source, g_source_remove);
  if (error)
    {
      kill_process (&self->server);
      kill_process (&self->epmd);
      set_state (self, CT_STATE_FAILED);
      if (task)
        g_task_return_error (task, error);
      else
        g_error_free (error);
      return;
    }
  set_state (self, CT_STATE_RUNNING);
  if (task)
    g_task_return_boolean (task, TRUE);
}

static void
port_checked (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CtBroker) self = user_data;
  g_autoptr(GSocketConnection) connection = NULL;

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, NULL);
  if (self->start_task == NULL)
    return;
  if (connection)
    finish_start (self, NULL);
}

/* Until the AMQP port answers, the server has died, or time is up */
static gboolean
poll_ready (gpointer data)
{
  CtBroker *self = data;
  g_autoptr(GSocketClient) client = NULL;

  if (self->server == NULL || g_subprocess_get_identifier (self->server) == NULL)
    {
      g_autofree char *tail = log_tail (self);

      self->poll_source = 0;
      finish_start (self, g_error_new (CT_ERROR, CT_ERROR_FAILED,
                                       _("The local broker stopped while starting (its log, %s, ends: %s)"),
                                       self->log_path, tail));
      return G_SOURCE_REMOVE;
    }
  if (g_get_monotonic_time () > self->deadline)
    {
      self->poll_source = 0;
      finish_start (self, g_error_new (CT_ERROR, CT_ERROR_TIMED_OUT,
                                       _("The local broker was not ready after %d seconds (its log: %s)"),
                                       CT_BROKER_START_TIMEOUT_S, self->log_path));
      return G_SOURCE_REMOVE;
    }

  client = g_socket_client_new ();
  g_socket_client_connect_to_host_async (client, "127.0.0.1", self->port, NULL, port_checked, g_object_ref (self));
  return G_SOURCE_CONTINUE;
}

#ifdef __linux__
/* In the child: should the app die without stopping the broker (a crash),
 * the kernel sends the broker and its epmd the SIGTERM it would have */
static void
stop_with_parent (gpointer unused)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}
#endif

static void
tie_to_parent (GSubprocessLauncher *launcher)
{
#ifdef __linux__
  g_subprocess_launcher_set_child_setup (launcher, stop_with_parent, NULL, NULL);
#endif
}

static GSubprocessLauncher *
launcher_new (CtBroker *self)
{
  g_autofree char *mnesia = g_build_filename (self->base_dir, "mnesia", NULL);
  g_autofree char *logs = g_build_filename (self->base_dir, "log", NULL);
  g_autofree char *pid_file = g_build_filename (self->base_dir, "rabbitmq.pid", NULL);
  g_autofree char *plugins = g_build_filename (self->base_dir, "enabled_plugins", NULL);
  g_autofree char *config = g_build_filename (self->base_dir, "rabbitmq.conf", NULL);
  g_autofree char *env_file = g_build_filename (self->base_dir, "rabbitmq-env.conf", NULL);
  g_autofree char *port = g_strdup_printf ("%u", self->port);
  g_autofree char *dist_port = g_strdup_printf ("%u", self->dist_port);
  g_autofree char *epmd_port = g_strdup_printf ("%u", self->epmd_port);
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE);

  tie_to_parent (launcher);

  g_subprocess_launcher_setenv (launcher, "HOME", self->base_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "RABBITMQ_NODENAME", self->node_name, TRUE);
  g_subprocess_launcher_setenv (launcher, "RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1", TRUE);
  g_subprocess_launcher_setenv (launcher, "RABBITMQ_NODE_PORT", port, TRUE);
  g_subprocess_launcher_setenv (launcher, "RABBITMQ_DIST_PORT", dist_port, TRUE);
  g_subprocess_launcher_setenv (launcher, "ERL_EPMD_PORT", epmd_port, TRUE);
  g_subprocess_launcher_setenv (launcher, "ERL_EPMD_ADDRESS", "127.0.0.1", TRUE);
  g_subprocess_launcher_setenv (launcher, "RABBITMQ_MNESIA_BASE", mnesia, TRUE);
  g_subprocess_launcher_setenv (launcher, "RABBITMQ_LOG_BASE", logs, TRUE);
  g_subprocess_launcher_setenv (launcher, "RABBITMQ_PID_FILE", pid_file, TRUE);
  g_subprocess_launcher_setenv (launcher, "RABBITMQ_ENABLED_PLUGINS_FILE", plugins, TRUE);
  g_subprocess_launcher_setenv (launcher, "RABBITMQ_CONFIG_FILE", config, TRUE);
  g_subprocess_launcher_setenv (launcher, "RABBITMQ_CONF_ENV_FILE", env_file, TRUE);
  g_subprocess_launcher_set_stdout_file_path (launcher, self->log_path);
  g_subprocess_launcher_set_stderr_file_path (launcher, self->log_path);
  return launcher;
}

static gboolean
prepare (CtBroker  *self,
         GError   **error)
{
  g_autofree char *plugins = g_build_filename (self->base_dir, "enabled_plugins", NULL);
  g_autofree char *config = g_build_filename (self->base_dir, "rabbitmq.conf", NULL);
  g_autofree char *env_file = g_build_filename (self->base_dir, "rabbitmq-env.conf", NULL);

  if (self->dist_port == 0)
    {
      if ((self->port == 0 && (self->port = free_port (error)) == 0) ||
          (self->dist_port = free_port (error)) == 0 ||
          (self->epmd_port = free_port (error)) == 0)
        return FALSE;
      g_free (self->url);
      /* No trailing slash: that would be the vhost "" */
      self->url = g_strdup_printf ("amqp://guest:guest@127.0.0.1:%u", self->port);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URL]);
    }

  if (g_mkdir_with_parents (self->base_dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot create the broker's directory %s: %s"), self->base_dir, g_strerror (saved));
      return FALSE;
    }
  /* No plugins, none of the system's settings: only what is said here */
  return g_file_set_contents (plugins, "[].\n", -1, error) &&
         g_file_set_contents (config, "# Written by Crosstalk for its private broker\n", -1, error) &&
         g_file_set_contents (env_file, "", -1, error);
}

/**
 * ct_broker_start_async:
 *
 * Starts the broker and completes once it accepts AMQP connections at
 * ct_broker_get_url().
 */
void
ct_broker_start_async (CtBroker            *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GSubprocessLauncher) epmd_launcher = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *epmd_port = NULL;

  g_task_set_source_tag (task, ct_broker_start_async);
  if (self->state == CT_STATE_STARTING || self->state == CT_STATE_RUNNING || self->state == CT_STATE_STOPPING)
    {
      g_task_return_new_error (task, CT_ERROR, CT_ERROR_BUSY, _("The local broker is already running"));
      return;
    }
  if (!ct_broker_is_installed (&error) || !prepare (self, &error))
    {
      set_state (self, CT_STATE_FAILED);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  set_state (self, CT_STATE_STARTING);
  g_unlink (self->log_path);

  /* An epmd of its own, in the foreground, so it is ours to stop */
  epmd_port = g_strdup_printf ("%u", self->epmd_port);
  epmd_launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  tie_to_parent (epmd_launcher);
  self->epmd = g_subprocess_launcher_spawn (epmd_launcher, &error, "epmd", "-port", epmd_port,
                                            "-address", "127.0.0.1", NULL);
  if (self->epmd)
    {
      launcher = launcher_new (self);
      self->server = g_subprocess_launcher_spawn (launcher, &error, CT_BROKER_SERVER_PATH, NULL);
    }
  if (self->server == NULL)
    {
      self->start_task = g_steal_pointer (&task);
      finish_start (self, g_steal_pointer (&error));
      return;
    }

  self->start_task = g_steal_pointer (&task);
  self->deadline = g_get_monotonic_time () + CT_BROKER_START_TIMEOUT_S * G_USEC_PER_SEC;
  self->poll_source = g_timeout_add (POLL_INTERVAL_MS, poll_ready, self);
}

gboolean
ct_broker_start_finish (CtBroker      *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
stop_timed_out (gpointer data)
{
  GTask *task = data;
  CtBroker *self = g_task_get_source_object (task);

  /* It did not stop when asked: it is killed */
  kill_process (&self->server);
  return G_SOURCE_REMOVE;
}

static gboolean
epmd_timed_out (gpointer data)
{
  GTask *task = data;
  CtBroker *self = g_task_get_source_object (task);

  if (self->epmd && g_subprocess_get_identifier (self->epmd))
    g_subprocess_force_exit (self->epmd);
  return G_SOURCE_REMOVE;
}

static void
epmd_exited (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CtBroker *self = g_task_get_source_object (task);
  guint *timeout = g_task_get_task_data (task);

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  g_clear_handle_id (timeout, g_source_remove);
  g_clear_object (&self->epmd);
  set_state (self, CT_STATE_STOPPED);
  g_task_return_boolean (task, TRUE);
}

/* The node is down: its epmd goes next, and the stop completes when it has */
static void
server_exited (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CtBroker *self = g_task_get_source_object (task);
  guint *timeout = g_task_get_task_data (task);

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  g_clear_handle_id (timeout, g_source_remove);
  g_clear_object (&self->server);
  if (self->epmd && g_subprocess_get_identifier (self->epmd))
    {
      terminate (self->epmd);
      *timeout = g_timeout_add_seconds (STOP_TIMEOUT_S, epmd_timed_out, task);
      g_subprocess_wait_async (self->epmd, NULL, epmd_exited, g_steal_pointer (&task));
      return;
    }
  g_clear_object (&self->epmd);
  set_state (self, CT_STATE_STOPPED);
  g_task_return_boolean (task, TRUE);
}

/**
 * ct_broker_stop_async:
 *
 * Stops the broker (SIGTERM: the node stops cleanly, its data kept) and its
 * epmd; completes when the server process has exited.
 */
void
ct_broker_stop_async (CtBroker            *self,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);
  guint *timeout = g_new0 (guint, 1);

  g_task_set_source_tag (task, ct_broker_stop_async);
  g_task_set_task_data (task, timeout, g_free);
  if (self->start_task)
    finish_start (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Stopped while starting")));
  if (self->server == NULL)
    {
      kill_process (&self->epmd);
      set_state (self, CT_STATE_STOPPED);
      g_task_return_boolean (task, TRUE);
      return;
    }
  set_state (self, CT_STATE_STOPPING);
  terminate (self->server);
  *timeout = g_timeout_add_seconds (STOP_TIMEOUT_S, stop_timed_out, task);
  g_subprocess_wait_async (self->server, NULL, server_exited, g_steal_pointer (&task));
}

gboolean
ct_broker_stop_finish (CtBroker      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

CtState
ct_broker_get_state (CtBroker *self)
{
  g_return_val_if_fail (CT_IS_BROKER (self), CT_STATE_STOPPED);
  return self->state;
}

/* amqp://guest:guest@127.0.0.1:PORT, once a start has chosen the port */
const char *
ct_broker_get_url (CtBroker *self)
{
  g_return_val_if_fail (CT_IS_BROKER (self), NULL);
  return self->url;
}

guint
ct_broker_get_port (CtBroker *self)
{
  g_return_val_if_fail (CT_IS_BROKER (self), 0);
  return self->port;
}

const char *
ct_broker_get_node_name (CtBroker *self)
{
  g_return_val_if_fail (CT_IS_BROKER (self), NULL);
  return self->node_name;
}

/* The server's own output: what it says while it starts and why it stops */
const char *
ct_broker_get_log_path (CtBroker *self)
{
  g_return_val_if_fail (CT_IS_BROKER (self), NULL);
  return self->log_path;
}

/* The server script's pid, 0 when it is not running */
GPid
ct_broker_get_pid (CtBroker *self)
{
  const char *id;

  g_return_val_if_fail (CT_IS_BROKER (self), 0);
  id = self->server ? g_subprocess_get_identifier (self->server) : NULL;
  return id ? (GPid) g_ascii_strtoll (id, NULL, 10) : 0;
}

static void
ct_broker_dispose (GObject *object)
{
  CtBroker *self = CT_BROKER (object);

  /* Going away with the app: asked to stop, and not waited for */
  terminate (self->server);
  g_clear_object (&self->server);
  terminate (self->epmd);
  g_clear_object (&self->epmd);
  g_clear_handle_id (&self->poll_source, g_source_remove);
  G_OBJECT_CLASS (ct_broker_parent_class)->dispose (object);
}

static void
ct_broker_finalize (GObject *object)
{
  CtBroker *self = CT_BROKER (object);

  g_free (self->base_dir);
  g_free (self->node_name);
  g_free (self->log_path);
  g_free (self->url);
  G_OBJECT_CLASS (ct_broker_parent_class)->finalize (object);
}

static void
ct_broker_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  CtBroker *self = CT_BROKER (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_broker_class_init (CtBrokerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ct_broker_dispose;
  object_class->finalize = ct_broker_finalize;
  object_class->get_property = ct_broker_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, CT_TYPE_STATE, CT_STATE_STOPPED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ct_broker_init (CtBroker *self)
{
}

/**
 * ct_broker_new:
 * @base_dir: (nullable): where its database and log go; %NULL for the
 *   user's cache directory (`~/.cache/crosstalk/broker`)
 *
 * The node's name comes from @base_dir, so a broker started again over the
 * same directory is the same node, with the same data.
 */
CtBroker *
ct_broker_new (const char *base_dir)
{
  CtBroker *self = g_object_new (CT_TYPE_BROKER, NULL);

  self->base_dir = base_dir ? g_strdup (base_dir)
                            : g_build_filename (g_get_user_cache_dir (), "crosstalk", "broker", NULL);
  self->node_name = g_strdup_printf ("crosstalk-%08x@localhost", g_str_hash (self->base_dir));
  self->log_path = g_build_filename (self->base_dir, "server.log", NULL);
  return self;
}

/**
 * ct_broker_set_port:
 *
 * The AMQP port to listen on, before the first start; 0 (the default)
 * picks a free one. The other ports are always picked.
 */
void
ct_broker_set_port (CtBroker *self,
                    guint     port)
{
  g_return_if_fail (CT_IS_BROKER (self));
  g_return_if_fail (self->dist_port == 0);
  self->port = port;
}
