/* bench/soup-min.h — what the bare libsoup servers of the benchmarks
 * (the ceilings: jsonrpc-, rest- and chat-soup-min.c) share: reading the
 * port argument, and listening on 127.0.0.1, announcing it the way
 * crosstalk-cli does (a JSON "listening" line with the URL), running until
 * SIGTERM or SIGINT.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>
#include <glib-unix.h>
#include <libsoup/soup.h>

/* 0..65535, or -1 */
static int
soup_min_parse_port (const char *text)
{
  char *end = NULL;
  long value;

  errno = 0;
  value = strtol (text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < 0 || value > 65535)
    return -1;
  return (int) value;
}

static gboolean
soup_min_on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

/* Listens on 127.0.0.1:PORT (0: any free port), prints the "listening"
 * line with the URL http://127.0.0.1:PORT followed by @url_path, and runs
 * until SIGTERM or SIGINT. Takes @server. Returns the exit status. */
static int
soup_min_serve (SoupServer *server,
                const char *name,
                int         port,
                const char *url_path)
{
  GMainLoop *loop;
  GError *error = NULL;
  GSList *uris;
  guint sigterm_id, sigint_id;

  if (!soup_server_listen_local (server, (guint) port, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      fprintf (stderr, "%s: cannot listen on 127.0.0.1:%d: %s\n", name, port, error->message);
      g_error_free (error);
      g_object_unref (server);
      return 1;
    }

  uris = soup_server_get_uris (server);
  if (uris == NULL)
    {
      fprintf (stderr, "%s: the server reports no listening URI\n", name);
      g_object_unref (server);
      return 1;
    }
  port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  printf ("{\"direction\":\"info\",\"event\":\"listening\","
          "\"url\":\"http://127.0.0.1:%d%s\",\"address\":\"127.0.0.1:%d\"}\n",
          port, url_path, port);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  sigterm_id = g_unix_signal_add (SIGTERM, soup_min_on_signal, loop);
  sigint_id = g_unix_signal_add (SIGINT, soup_min_on_signal, loop);
  g_main_loop_run (loop);

  g_source_remove (sigterm_id);
  g_source_remove (sigint_id);
  soup_server_disconnect (server);
  g_object_unref (server);
  g_main_loop_unref (loop);
  return 0;
}
