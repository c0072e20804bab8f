/* ct-test-chromium.h — a headless Chromium for the web page tests
 * (test-rest-web.c, test-chat-web.c): Debian's Chromium, started by the
 * test with its own profile, and a driver script (rest-web-driver.py,
 * chat-web-driver.py, both on ct_devtools.py) that works its pages over the
 * DevTools protocol with Debian's Python and python3-websocket.
 *
 * The test sends the driver one JSON command a line and reads one JSON
 * answer a line. Every wait is bounded: one command by
 * CT_CHROMIUM_STEP_TIMEOUT_S, everything by the run's timeout. A failure
 * fails the test (g_test_fail_printf, for tests with non-fatal assertions)
 * rather than aborting it, so that Chromium is always stopped and its
 * profile removed (ct_chromium_stop). Chromium or the driver's websocket
 * module missing is a failure, not a skip: build-aux/install-deps installs
 * them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "ct-test-util.h"

G_BEGIN_DECLS

/* Debian's Python, which has python3-websocket (a plain `python3` may be
 * another Python without it) */
#define CT_CHROMIUM_PYTHON "/usr/bin/python3"

#define CT_CHROMIUM_STEP_TIMEOUT_S 20   /* one command of the driver */
#define CT_CHROMIUM_STOP_TIMEOUT_S 5    /* Chromium or the driver, asked to quit */

typedef struct
{
  gint64            deadline;         /* of the whole run */

  char             *tmpdir;           /* Chromium's profile and its output */
  char             *log;
  GSubprocess      *chromium;
  pid_t             pid;
  gboolean          exited;

  GSubprocess      *driver;
  gboolean          driver_exited;
  GOutputStream    *driver_in;
  GDataInputStream *driver_out;

  gboolean          ready;            /* the last command went well: the next can run */
} CtChromium;

static const char * const ct_chromium_flags[] = {
  "--headless",
  "--remote-debugging-port=0",
  "--no-sandbox",              /* as root, in CI containers */
  "--disable-gpu",
  "--disable-dev-shm-usage",
  /* Nothing but 127.0.0.1 */
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-default-apps",
  "--disable-extensions",
  "--disable-sync",
  "--metrics-recording-only",
  "--no-default-browser-check",
  "--no-first-run",
  "--no-proxy-server",
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
  NULL
};

/* -- bounded waits that fail the test instead of aborting it ---------------- */

static inline gboolean
ct_chromium_wait_flag (gboolean   *flag,
                       gint64      end,
                       const char *what)
{
  while (!*flag)
    {
      if (g_get_monotonic_time () > end)
        {
          g_test_fail_printf ("timed out waiting for %s", what);
          return FALSE;
        }
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  return TRUE;
}

static inline gint64
ct_chromium_step_end (CtChromium *c)
{
  return MIN (g_get_monotonic_time () + CT_CHROMIUM_STEP_TIMEOUT_S * G_USEC_PER_SEC, c->deadline);
}

static inline void
ct_chromium_exited_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *(gboolean *) user_data = TRUE;
}

/* -- starting -------------------------------------------------------------- */

static inline void
ct_chromium_child_setup (gpointer user_data)
{
  /* Its own process group, so that its helpers can be stopped with it; and
   * killed by the kernel if this test dies without stopping it */
  setpgid (0, 0);
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static inline char *
ct_chromium_output (CtChromium *c)
{
  g_autofree char *text = NULL;

  if (c->log == NULL || !g_file_get_contents (c->log, &text, NULL, NULL))
    return g_strdup ("(none)");
  return g_steal_pointer (&text);
}

/* Its DevTools address, from the line it prints once it listens */
static inline char *
ct_chromium_devtools_url (CtChromium *c)
{
  static const char prefix[] = "DevTools listening on ";
  g_autofree char *text = NULL;
  const char *line, *end;

  if (!g_file_get_contents (c->log, &text, NULL, NULL) ||
      (line = strstr (text, prefix)) == NULL ||
      (end = strchr (line, '\n')) == NULL)
    return NULL;
  line += strlen (prefix);
  return g_strndup (line, end - line);
}

static inline char *
ct_chromium_start_browser (CtChromium *c,
                           const char *name)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GStrvBuilder) argv_builder = g_strv_builder_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *chromium = g_find_program_in_path ("chromium");
  g_autofree char *template = NULL;
  g_autofree char *profile = NULL;
  g_autofree char *user_data_dir = NULL;
  g_auto(GStrv) argv = NULL;
  char *ws_url = NULL;
  gint64 end;

  if (chromium == NULL)
    {
      g_test_fail_printf ("chromium is not installed (Debian's chromium package; build-aux/install-deps installs it)");
      return NULL;
    }

  template = g_strconcat ("ct-", name, "-XXXXXX", NULL);
  c->tmpdir = g_dir_make_tmp (template, &error);
  g_assert_no_error (error);
  if (c->tmpdir == NULL)
    return NULL;
  profile = g_build_filename (c->tmpdir, "profile", NULL);
  c->log = g_build_filename (c->tmpdir, "chromium.log", NULL);
  user_data_dir = g_strconcat ("--user-data-dir=", profile, NULL);

  g_strv_builder_add (argv_builder, chromium);
  g_strv_builder_addv (argv_builder, (const char **) ct_chromium_flags);
  g_strv_builder_add (argv_builder, user_data_dir);
  g_strv_builder_add (argv_builder, "about:blank");
  argv = g_strv_builder_end (argv_builder);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_stdout_file_path (launcher, c->log);
  g_subprocess_launcher_set_child_setup (launcher, ct_chromium_child_setup, NULL, NULL);
  c->chromium = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
  g_assert_no_error (error);
  if (c->chromium == NULL)
    return NULL;
  c->pid = (pid_t) atoi (g_subprocess_get_identifier (c->chromium));
  g_subprocess_wait_async (c->chromium, NULL, ct_chromium_exited_cb, &c->exited);

  end = ct_chromium_step_end (c);
  while ((ws_url = ct_chromium_devtools_url (c)) == NULL)
    {
      if (c->exited || g_get_monotonic_time () > end)
        {
          g_autofree char *output = ct_chromium_output (c);

          g_test_fail_printf ("chromium %s without saying where DevTools listens; it printed:\n%s",
                              c->exited ? "exited" : "took too long", output);
          return NULL;
        }
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * 1000);
    }
  g_test_message ("chromium (pid %d): %s", (int) c->pid, ws_url);
  return ws_url;
}

static inline gboolean
ct_chromium_start_driver (CtChromium *c,
                          const char *driver,
                          const char *ws_url)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, driver, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) check = NULL;

  check = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                            CT_CHROMIUM_PYTHON, "-c", "import websocket", NULL);
  if (check == NULL || !g_subprocess_wait_check (check, NULL, NULL))
    {
      g_test_fail_printf (CT_CHROMIUM_PYTHON " cannot import websocket (Debian's python3-websocket; "
                          "build-aux/install-deps installs it)");
      return FALSE;
    }

  c->driver = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                CT_CHROMIUM_PYTHON, script, ws_url, NULL);
  g_assert_no_error (error);
  if (c->driver == NULL)
    return FALSE;
  c->driver_in = g_object_ref (g_subprocess_get_stdin_pipe (c->driver));
  c->driver_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (c->driver));
  g_subprocess_wait_async (c->driver, NULL, ct_chromium_exited_cb, &c->driver_exited);
  return TRUE;
}

/* Starts Chromium (its profile in a new directory named after @name) and
 * the driver script @driver (a file of the tests' source directory); the
 * whole run has @run_timeout_s seconds from now. FALSE (and the test
 * failed) when either cannot start. */
static inline gboolean
ct_chromium_start (CtChromium *c,
                   const char *name,
                   const char *driver,
                   guint       run_timeout_s)
{
  g_autofree char *ws_url = NULL;

  c->deadline = g_get_monotonic_time () + run_timeout_s * G_USEC_PER_SEC;
  ws_url = ct_chromium_start_browser (c, name);
  return ws_url != NULL && ct_chromium_start_driver (c, driver, ws_url);
}

/* -- commands ---------------------------------------------------------------- */

typedef struct
{
  char     *line;
  GError   *error;
  gboolean  done;
} CtChromiumLine;

static inline void
ct_chromium_read_line_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  CtChromiumLine *r = user_data;

  r->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL, &r->error);
  r->done = TRUE;
}

/* Sends the driver a command (a JSON object built by the caller) and
 * returns its answer, or NULL (and the test failed) if it has none or the
 * answer is not "ok". After a NULL, no more steps can run. */
static inline JsonObject *
ct_chromium_call (CtChromium  *c,
                  JsonBuilder *builder)
{
  g_autoptr(JsonNode) command = json_builder_get_root (builder);
  g_autofree char *text = ct_json_to_string (command, FALSE);
  g_autofree char *line = g_strconcat (text, "\n", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;
  CtChromiumLine r = { NULL, NULL, FALSE };
  JsonObject *object;
  JsonArray *array;

  c->ready = FALSE;
  if (c->driver_in == NULL)
    {
      g_test_fail_printf ("no driver to send %s", text);
      return NULL;
    }
  if (!g_output_stream_write_all (c->driver_in, line, strlen (line), NULL, NULL, &error))
    {
      g_test_fail_printf ("cannot send the driver %s: %s", text, error->message);
      return NULL;
    }

  g_data_input_stream_read_line_async (c->driver_out, G_PRIORITY_DEFAULT, cancellable,
                                       ct_chromium_read_line_cb, &r);
  if (!ct_chromium_wait_flag (&r.done, ct_chromium_step_end (c), text))
    {
      g_cancellable_cancel (cancellable);
      CT_TEST_WAIT_UNTIL (r.done);
      g_clear_error (&r.error);
      g_free (r.line);
      return NULL;
    }
  if (r.line == NULL)
    {
      g_test_fail_printf ("the driver did not answer %s: %s", text, r.error ? r.error->message : "it exited");
      g_clear_error (&r.error);
      return NULL;
    }

  answer = json_from_string (r.line, &error);
  g_free (r.line);
  if (answer == NULL || !JSON_NODE_HOLDS_OBJECT (answer))
    {
      g_test_fail_printf ("the driver's answer to %s is not a JSON object", text);
      return NULL;
    }
  object = json_node_get_object (answer);

  /* What the page threw, or logged as an error or warning (a CSP
   * violation, a failed request), fails the step */
  array = json_object_get_array_member (object, "exceptions");
  for (guint i = 0; array && i < json_array_get_length (array); i++)
    g_test_fail_printf ("the page threw: %s", json_array_get_string_element (array, i));
  array = json_object_get_array_member (object, "console");
  for (guint i = 0; array && i < json_array_get_length (array); i++)
    {
      const char *entry = json_array_get_string_element (array, i);

      /* Chromium asks for a favicon; the servers have none */
      if (strstr (entry, "/favicon.ico"))
        g_test_message ("the page logged: %s", entry);
      else
        g_test_fail_printf ("the page logged: %s", entry);
    }

  if (!json_object_get_boolean_member_with_default (object, "ok", FALSE))
    {
      g_test_fail_printf ("the driver failed: %s",
                          json_object_get_string_member_with_default (object, "error", "(no message)"));
      return NULL;
    }
  c->ready = TRUE;
  return json_object_ref (object);
}

/* A command: command_new, then members, then command_run */
static inline JsonBuilder *
ct_chromium_command_new (const char *cmd)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "cmd");
  json_builder_add_string_value (builder, cmd);
  return builder;
}

static inline void
ct_chromium_command_add (JsonBuilder *builder,
                         const char  *name,
                         const char  *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static inline JsonObject *
ct_chromium_command_run (CtChromium  *c,
                         JsonBuilder *builder)
{
  json_builder_end_object (builder);
  return ct_chromium_call (c, builder);
}

/* Whether the earlier steps left the driver ready for the next */
static inline gboolean
ct_chromium_ready (CtChromium *c)
{
  if (!c->ready)
    g_test_fail_printf ("no page to work on: an earlier step failed");
  return c->ready;
}

/* A string member of an answer, or of one of its objects ("status.text"),
 * or NULL */
static inline const char *
ct_chromium_member_string (JsonObject *object,
                           const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", 2);

  if (parts[1])
    {
      object = json_object_get_object_member (object, parts[0]);
      if (object == NULL)
        return NULL;
      return json_object_get_string_member_with_default (object, parts[1], NULL);
    }
  return json_object_get_string_member_with_default (object, path, NULL);
}

/* -- stopping ---------------------------------------------------------------- */

/* rm -r @path (symbolic links are removed, not followed) */
static inline void
ct_chromium_remove_tree (const char *path)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir && (name = g_dir_read_name (dir)))
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          ct_chromium_remove_tree (child);
        }
    }
  if (g_remove (path) != 0)
    g_printerr ("cannot remove %s: %s\n", path, g_strerror (errno));
}

/* Stops @process (asked with SIGTERM, then SIGKILL) and waits for it */
static inline void
ct_chromium_stop_process (GSubprocess *process,
                          gboolean    *exited,
                          const char  *name)
{
  gint64 end = g_get_monotonic_time () + CT_CHROMIUM_STOP_TIMEOUT_S * G_USEC_PER_SEC;

  if (process == NULL || *exited)
    return;
  g_subprocess_send_signal (process, SIGTERM);
  while (!*exited && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  if (!*exited)
    {
      g_printerr ("%s did not stop on SIGTERM within %d s: killing it\n", name, CT_CHROMIUM_STOP_TIMEOUT_S);
      g_subprocess_force_exit (process);
      CT_TEST_WAIT_UNTIL (*exited);
    }
}

/* Stops the driver and Chromium (printing what Chromium printed when the
 * test @failed) and removes the profile; returns whether that went well */
static inline gboolean
ct_chromium_stop (CtChromium *c,
                  gboolean    failed)
{
  gboolean ok = TRUE;

  /* The driver: told to quit by the end of its input */
  if (c->driver)
    {
      gint64 end = g_get_monotonic_time () + CT_CHROMIUM_STOP_TIMEOUT_S * G_USEC_PER_SEC;

      g_output_stream_close (c->driver_in, NULL, NULL);
      while (!c->driver_exited && g_get_monotonic_time () < end)
        if (!g_main_context_iteration (NULL, FALSE))
          g_usleep (1000);
      ct_chromium_stop_process (c->driver, &c->driver_exited, "the driver");
    }
  g_clear_object (&c->driver_in);
  g_clear_object (&c->driver_out);
  g_clear_object (&c->driver);

  /* Chromium, and whatever of its group is left */
  if (c->chromium)
    {
      gint64 end = g_get_monotonic_time () + CT_CHROMIUM_STOP_TIMEOUT_S * G_USEC_PER_SEC;

      ct_chromium_stop_process (c->chromium, &c->exited, "chromium");
      kill (-c->pid, SIGKILL);
      while (kill (-c->pid, 0) == 0 && g_get_monotonic_time () < end)
        g_usleep (10 * 1000);
      if (failed)
        {
          g_autofree char *output = ct_chromium_output (c);

          g_printerr ("chromium printed:\n%s\n", output);
        }
    }
  g_clear_object (&c->chromium);

  if (c->tmpdir)
    {
      ct_chromium_remove_tree (c->tmpdir);
      if (g_file_test (c->tmpdir, G_FILE_TEST_EXISTS))
        {
          g_printerr ("cannot remove %s\n", c->tmpdir);
          ok = FALSE;
        }
    }
  g_clear_pointer (&c->tmpdir, g_free);
  g_clear_pointer (&c->log, g_free);
  c->ready = FALSE;
  return ok;
}

G_END_DECLS
