/* rest-soup-min.c — the libsoup ceiling for bench/rest.sh: a bare libsoup 3
 * SoupServer with one handler that answers GET /api/tasks/1 with fixed bytes
 * — those our server returns for that task, read from a file at start-up —
 * and the same ETag and Server headers as ours, so that both send responses
 * of the same size.  It is NOT a REST server: it has no store, parses nothing, builds no
 * JSON and keeps no log.  What it measures is libsoup's own cost per
 * request — the HTTP parsing, the message objects, the I/O on its main loop
 * — which is therefore the best any server built on SoupServer can reach on
 * the same machine under the same load.
 *
 * Usage: rest-soup-min PORT BODYFILE [ETAG [SERVER]]
 *
 * Binds 127.0.0.1:PORT (0 = any free port) and prints, flushed at once, one
 * line in the form `crosstalk-cli serve rest --json` announces itself, so
 * that rest.sh reads every server the same way:
 *   {"direction":"info","event":"listening","url":"http://127.0.0.1:PORT/","address":"127.0.0.1:PORT"}
 * Nothing else is printed unless something fails.  Exits on SIGTERM or
 * SIGINT.
 *
 * ETAG is the header's value, quotes included (rest.sh passes the one our
 * server sent); without it, it is made the way our store makes its ETags:
 * the first 16 hex digits of the body's SHA-1, in double quotes.  SERVER is
 * the Server header's value (rest.sh passes ours; without it, or when it is
 * empty, there is no Server header, libsoup's default).
 *
 * The handler, on the path /api/tasks/1 exactly:
 *   GET, HEAD    200, Content-Type: application/json, ETag, the body
 *   other method 405 with Allow: GET, HEAD
 * Anything else is 404.  The server keeps libsoup's defaults otherwise
 * (keep-alive, a Date header).
 *
 * Build: cc -O2 -Wall -o rest-soup-min rest-soup-min.c \
 *          $(pkg-config --cflags --libs libsoup-3.0)
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <libsoup/soup.h>

#include "soup-min.h"

#define TASK_PATH "/api/tasks/1"

static char  *body;
static gsize  body_length;
static char  *etag;

static void
on_api (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  const char *method;

  (void) server;
  (void) query;
  (void) user_data;

  /* The handler is called for every path below /api. */
  if (strcmp (path, TASK_PATH) != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  /* Method names are interned by libsoup: == is how it compares them. */
  method = soup_server_message_get_method (msg);
  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", "GET, HEAD");
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "ETag", etag);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                    body, body_length);
}

int
main (int argc, char **argv)
{
  SoupServer *server;
  GError *error = NULL;
  int status;
  int port;

  if (argc < 3 || argc > 5 || (port = soup_min_parse_port (argv[1])) < 0)
    {
      fprintf (stderr, "usage: rest-soup-min PORT BODYFILE [ETAG [SERVER]]   (PORT 0..65535, 0 = any free port)\n");
      return 2;
    }
  if (!g_file_get_contents (argv[2], &body, &body_length, &error))
    {
      fprintf (stderr, "rest-soup-min: %s\n", error->message);
      g_error_free (error);
      return 1;
    }
  if (body_length == 0)
    {
      fprintf (stderr, "rest-soup-min: %s is empty\n", argv[2]);
      return 1;
    }
  if (argc == 5 && strpbrk (argv[4], "\r\n") != NULL)
    {
      fprintf (stderr, "rest-soup-min: the Server header must be one line\n");
      return 2;
    }
  if (argc >= 4)
    {
      if (argv[3][0] == '\0' || strpbrk (argv[3], "\r\n") != NULL)
        {
          fprintf (stderr, "rest-soup-min: the ETag must be one non-empty line\n");
          return 2;
        }
      etag = g_strdup (argv[3]);
    }
  else
    {
      char *sha1 = g_compute_checksum_for_data (G_CHECKSUM_SHA1,
                                                (const guchar *) body, body_length);
      etag = g_strdup_printf ("\"%.16s\"", sha1);
      g_free (sha1);
    }

  /* libsoup appends its own product token when the value ends in a space:
   * strip trailing spaces so that the header is exactly the one given. */
  if (argc == 5 && g_strchomp (argv[4])[0] != '\0')
    server = soup_server_new ("server-header", argv[4], NULL);
  else
    server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, "/api", on_api, NULL, NULL);
  status = soup_min_serve (server, "rest-soup-min", port, "/");
  g_free (etag);
  g_free (body);
  return status;
}
