/* jsonrpc-soup-min.c — the libsoup ceiling for bench/jsonrpc.sh: a bare
 * libsoup 3 SoupServer with one handler that answers every POST to /rpc with
 * the same fixed JSON-RPC response.  It is NOT a JSON-RPC server: it does not
 * look at the request body (libsoup still reads all of it, as it does for any
 * handler), parses no JSON, dispatches nothing and keeps no log.  What it
 * measures is libsoup's own cost per call — the HTTP parsing, the message
 * objects, the I/O on its main loop — which is therefore the best any server
 * built on SoupServer can reach on the same machine under the same load.
 *
 * Usage: jsonrpc-soup-min PORT
 *
 * Binds 127.0.0.1:PORT (0 = any free port) and prints, flushed at once, one
 * line in the form `crosstalk-cli serve jsonrpc --json` announces itself, so
 * that jsonrpc.sh reads every server the same way:
 *   {"direction":"info","event":"listening","url":"http://127.0.0.1:PORT/rpc","address":"127.0.0.1:PORT"}
 * Nothing else is printed unless something fails.  Exits on SIGTERM or
 * SIGINT.
 *
 * The handler, on the path /rpc exactly:
 *   POST         200, Content-Type: application/json,
 *                body {"jsonrpc":"2.0","result":19,"id":1}
 *   other method 405 with Allow: POST
 * Anything else is 404 (libsoup's default, or ours for paths under /rpc/).
 * The server keeps libsoup's defaults otherwise (keep-alive, no Server
 * header).
 *
 * Build: cc -O2 -Wall -o jsonrpc-soup-min jsonrpc-soup-min.c \
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

static const char RESPONSE[] = "{\"jsonrpc\":\"2.0\",\"result\":19,\"id\":1}";

static void
on_rpc (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  (void) server;
  (void) query;
  (void) user_data;

  /* The handler is also called for paths below /rpc/. */
  if (strcmp (path, "/rpc") != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  /* Method names are interned by libsoup: == is how it compares them. */
  if (soup_server_message_get_method (msg) != SOUP_METHOD_POST)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", "POST");
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                    RESPONSE, sizeof RESPONSE - 1);
}

int
main (int argc, char **argv)
{
  SoupServer *server;
  int status;
  int port;

  if (argc != 2 || (port = soup_min_parse_port (argv[1])) < 0)
    {
      fprintf (stderr, "usage: jsonrpc-soup-min PORT   (0..65535, 0 = any free port)\n");
      return 2;
    }

  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, "/rpc", on_rpc, NULL, NULL);
  status = soup_min_serve (server, "jsonrpc-soup-min", port, "/rpc");
  return status;
}
