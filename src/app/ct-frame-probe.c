/* ct-frame-probe.c — frame timing for bench/log.sh, off unless asked for
 *
 * Nothing happens unless the environment has CT_FRAME_PROBE=PATH. Then,
 * once the application has activated its window:
 *
 * - Frames. A tick callback on the window keeps its GdkFrameClock running
 *   (one cycle per frame, about 60 a second under X11) whether or not
 *   anything changed, so "no frame" always means "the main loop did not get
 *   to it", never "nothing to draw". For every cycle we record when it
 *   began ("before-paint"), when it ended ("after-paint"), whether anything
 *   was actually painted (the "paint" phase ran), and how many entries the
 *   UDP server's log had taken by then.
 *
 * - Main-loop lag. Every 100 ms a one-shot G_PRIORITY_DEFAULT timeout (the
 *   priority of socket watches, D-Bus calls and input) records how late it
 *   ran.
 *
 * - CT_FRAME_PROBE_UDP_SERVER=PORT (0: any free port) starts the UDP page's
 *   server on 127.0.0.1:PORT the way Ctrl+Shift+S does (the window's
 *   "win.toggle-server" on the UDP page), with echo set from
 *   CT_FRAME_PROBE_UDP_ECHO (1 or 0; unset: the setting as it is). When it
 *   runs, PATH.ready says "ready ADDRESS" ("failed MESSAGE" if it could not
 *   start).
 *
 * - CT_FRAME_PROBE_PREFILL=N (with the UDP server) appends N entries to the
 *   server's log before saying ready, as the server logs a datagram (in,
 *   from 127.0.0.1:9, a CT_FRAME_PROBE_PREFILL_SIZE-byte payload, default
 *   64), then flushes it: a log already at its cap, as in any long session.
 *
 * - CT_FRAME_PROBE_SECONDS (default 300) after activation the probe quits
 *   the application (app.quit), in case nobody else does.
 *
 * When the application shuts down, PATH gets one line per record:
 *   frame BEGIN_US END_US PAINTED LOG_ENTRIES
 *   lag SCHEDULED_US RAN_US
 * (times from g_get_monotonic_time ()), then "end".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ct-endpoint-pane.h"
#include "ct-frame-probe.h"
#include "ct-protocol-page.h"
#include "ct-window.h"

#define LAG_INTERVAL_MS 100
#define MAX_RECORDS     (2 * 1000 * 1000)

typedef struct
{
  gint64  begin;
  gint64  end;
  guint64 log_entries;
  gboolean painted;
} Frame;

typedef struct
{
  gint64 scheduled;
  gint64 ran;
} Lag;

typedef struct
{
  char          *path;
  GApplication  *application;   /* unowned */
  GtkWidget     *window;        /* weak */
  GdkFrameClock *clock;         /* owned, while connected */
  CtEndpoint    *server;        /* owned */
  GArray        *frames;
  GArray        *lags;
  gint64         begin;         /* of the current cycle, 0 outside one */
  gboolean       painted;
  gint64         lag_scheduled;
  guint          lag_source;
  guint          deadline_source;
  gboolean       activated;
  gboolean       written;
  gboolean       ready_written;
} Probe;

static Probe *probe;

static guint64
log_entries (void)
{
  return probe->server ? ct_message_log_get_n_appended (ct_endpoint_get_log (probe->server)) : 0;
}

/* -- frames ------------------------------------------------------------- */

static void
on_before_paint (GdkFrameClock *clock,
                 gpointer       data)
{
  probe->begin = g_get_monotonic_time ();
  probe->painted = FALSE;
}

static void
on_paint (GdkFrameClock *clock,
          gpointer       data)
{
  probe->painted = TRUE;
}

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       data)
{
  Frame frame;

  if (probe->begin == 0 || probe->frames->len >= MAX_RECORDS)
    return;
  frame.begin = probe->begin;
  frame.end = g_get_monotonic_time ();
  frame.painted = probe->painted;
  frame.log_entries = log_entries ();
  g_array_append_val (probe->frames, frame);
  probe->begin = 0;
}

/* Keeps the frame clock cycling every frame */
static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  return G_SOURCE_CONTINUE;
}

static void
hook_frame_clock (GtkWidget *window)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  if (clock == NULL || probe->clock != NULL)
    return;
  probe->clock = g_object_ref (clock);
  g_signal_connect (clock, "before-paint", G_CALLBACK (on_before_paint), NULL);
  g_signal_connect (clock, "paint", G_CALLBACK (on_paint), NULL);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);
  gtk_widget_add_tick_callback (window, tick_cb, NULL, NULL);
}

/* -- main-loop lag ------------------------------------------------------ */

static gboolean
lag_cb (gpointer data)
{
  Lag lag = { probe->lag_scheduled, g_get_monotonic_time () };

  if (probe->lags->len < MAX_RECORDS)
    g_array_append_val (probe->lags, lag);
  probe->lag_scheduled = g_get_monotonic_time () + LAG_INTERVAL_MS * 1000;
  probe->lag_source = g_timeout_add (LAG_INTERVAL_MS, lag_cb, NULL);
  return G_SOURCE_REMOVE;
}

/* -- the UDP server ----------------------------------------------------- */

static void
write_ready (const char *line)
{
  g_autofree char *ready = g_strconcat (probe->path, ".ready", NULL);
  g_autofree char *text = g_strconcat (line, "\n", NULL);
  g_autoptr(GError) error = NULL;

  if (probe->ready_written)
    return;
  probe->ready_written = TRUE;
  if (!g_file_set_contents (ready, text, -1, &error))
    g_printerr ("ct-frame-probe: %s\n", error->message);
}

static void
prefill (CtEndpoint *server)
{
  const char *count_text = g_getenv ("CT_FRAME_PROBE_PREFILL");
  const char *size_text = g_getenv ("CT_FRAME_PROBE_PREFILL_SIZE");
  CtMessageLog *log = ct_endpoint_get_log (server);
  guint64 count = 0, size = 64;
  guint8 payload[2048];

  if (count_text == NULL || *count_text == '\0')
    return;
  if (!g_ascii_string_to_unsigned (count_text, 10, 0, 100000000, &count, NULL) ||
      (size_text && !g_ascii_string_to_unsigned (size_text, 10, 8, sizeof payload, &size, NULL)))
    {
      g_printerr ("ct-frame-probe: CT_FRAME_PROBE_PREFILL(_SIZE) is not a number; no prefill\n");
      return;
    }
  memset (payload, 'p', sizeof payload);
  for (guint64 i = 0; i < count; i++)
    {
      memcpy (payload, &i, sizeof i);
      ct_message_log_append (log, &(CtMessageFields) {
                               .direction = CT_DIRECTION_IN,
                               .peer = "127.0.0.1:9",
                               .data = payload,
                               .size = size,
                             });
    }
  ct_message_log_flush (log);
}

static void
on_server_state (CtEndpoint *server,
                 GParamSpec *pspec,
                 gpointer    data)
{
  CtState state = ct_endpoint_get_state (server);

  if (state == CT_STATE_RUNNING && !probe->ready_written)
    {
      g_autofree char *line = NULL;

      prefill (server);
      line = g_strdup_printf ("ready %s", ct_endpoint_get_address (server));
      write_ready (line);
    }
  else if (state == CT_STATE_FAILED)
    {
      g_autofree char *line = g_strdup_printf ("failed %s", ct_endpoint_get_error (server));
      write_ready (line);
    }
}

static void
start_udp_server (CtWindow   *window,
                  const char *port_text)
{
  const char *echo = g_getenv ("CT_FRAME_PROBE_UDP_ECHO");
  CtProtocolPage *page;
  guint64 port;

  if (!g_ascii_string_to_unsigned (port_text, 10, 0, 65535, &port, NULL))
    {
      write_ready ("failed CT_FRAME_PROBE_UDP_SERVER is not a port number");
      return;
    }
  ct_window_show_page (window, "udp");
  page = ct_window_get_page (window, "udp");
  if (page == NULL)
    {
      write_ready ("failed no UDP page");
      return;
    }
  probe->server = g_object_ref (ct_endpoint_pane_get_endpoint (ct_protocol_page_get_server_pane (page)));
  g_object_set (probe->server, "host", "127.0.0.1", "port", (guint) port, NULL);
  if (echo)
    g_object_set (probe->server, "echo", g_strcmp0 (echo, "0") != 0, NULL);
  g_signal_connect (probe->server, "notify::state", G_CALLBACK (on_server_state), NULL);
  g_action_group_activate_action (G_ACTION_GROUP (window), "toggle-server", NULL);
  on_server_state (probe->server, NULL, NULL);
}

/* -- the end ------------------------------------------------------------ */

static void
write_records (void)
{
  g_autoptr(GString) text = NULL;
  g_autoptr(GError) error = NULL;

  if (probe->written)
    return;
  probe->written = TRUE;

  text = g_string_sized_new (64 * (probe->frames->len + probe->lags->len) + 64);
  g_string_append (text, "# ct-frame-probe: frame BEGIN_US END_US PAINTED LOG_ENTRIES; lag SCHEDULED_US RAN_US\n");
  for (guint i = 0; i < probe->frames->len; i++)
    {
      const Frame *f = &g_array_index (probe->frames, Frame, i);

      g_string_append_printf (text, "frame %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %d %" G_GUINT64_FORMAT "\n",
                              f->begin, f->end, f->painted ? 1 : 0, f->log_entries);
    }
  for (guint i = 0; i < probe->lags->len; i++)
    {
      const Lag *l = &g_array_index (probe->lags, Lag, i);

      g_string_append_printf (text, "lag %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n", l->scheduled, l->ran);
    }
  g_string_append (text, "end\n");
  if (!g_file_set_contents (probe->path, text->str, text->len, &error))
    g_printerr ("ct-frame-probe: %s\n", error->message);
}

static gboolean
deadline_cb (gpointer data)
{
  probe->deadline_source = 0;
  g_printerr ("ct-frame-probe: CT_FRAME_PROBE_SECONDS passed; quitting\n");
  write_records ();
  g_action_group_activate_action (G_ACTION_GROUP (probe->application), "quit", NULL);
  return G_SOURCE_REMOVE;
}

static void
on_shutdown (GApplication *application,
             gpointer      data)
{
  g_clear_handle_id (&probe->lag_source, g_source_remove);
  g_clear_handle_id (&probe->deadline_source, g_source_remove);
  write_records ();
  if (probe->clock)
    {
      g_signal_handlers_disconnect_by_func (probe->clock, on_before_paint, NULL);
      g_signal_handlers_disconnect_by_func (probe->clock, on_paint, NULL);
      g_signal_handlers_disconnect_by_func (probe->clock, on_after_paint, NULL);
      g_clear_object (&probe->clock);
    }
  if (probe->server)
    {
      g_signal_handlers_disconnect_by_func (probe->server, on_server_state, NULL);
      g_clear_object (&probe->server);
    }
}

static void
on_realize (GtkWidget *window,
            gpointer   data)
{
  hook_frame_clock (window);
}

static void
on_activate (GApplication *application,
             gpointer      data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));
  const char *port = g_getenv ("CT_FRAME_PROBE_UDP_SERVER");
  const char *seconds_text = g_getenv ("CT_FRAME_PROBE_SECONDS");
  guint64 seconds = 300;

  if (probe->activated || !CT_IS_WINDOW (window))
    return;
  probe->activated = TRUE;

  if (seconds_text && !g_ascii_string_to_unsigned (seconds_text, 10, 1, 86400, &seconds, NULL))
    g_printerr ("ct-frame-probe: CT_FRAME_PROBE_SECONDS is not a number of seconds; using 300\n");
  probe->deadline_source = g_timeout_add_seconds ((guint) seconds, deadline_cb, NULL);

  probe->window = GTK_WIDGET (window);
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &probe->window);
  if (gtk_widget_get_realized (GTK_WIDGET (window)))
    hook_frame_clock (GTK_WIDGET (window));
  else
    g_signal_connect (window, "realize", G_CALLBACK (on_realize), NULL);

  probe->lag_scheduled = g_get_monotonic_time () + LAG_INTERVAL_MS * 1000;
  probe->lag_source = g_timeout_add (LAG_INTERVAL_MS, lag_cb, NULL);

  if (port && *port)
    start_udp_server (CT_WINDOW (window), port);
}

/**
 * ct_frame_probe_install:
 *
 * Arms the probe if CT_FRAME_PROBE is set (see above); does nothing
 * otherwise. Call once, before g_application_run().
 */
void
ct_frame_probe_install (GApplication *application)
{
  const char *path = g_getenv ("CT_FRAME_PROBE");

  if (path == NULL || *path == '\0' || probe != NULL)
    return;

  probe = g_new0 (Probe, 1);
  probe->path = g_strdup (path);
  probe->application = application;
  probe->frames = g_array_sized_new (FALSE, FALSE, sizeof (Frame), 65536);
  probe->lags = g_array_sized_new (FALSE, FALSE, sizeof (Lag), 4096);
  g_signal_connect_after (application, "activate", G_CALLBACK (on_activate), NULL);
  g_signal_connect (application, "shutdown", G_CALLBACK (on_shutdown), NULL);
}
