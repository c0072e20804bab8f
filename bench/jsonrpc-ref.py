#!/usr/bin/python3
"""bench/jsonrpc-ref.py PORT — the reference for bench/jsonrpc.sh.

The classic teaching JSON-RPC server: Werkzeug + the `json-rpc` library
(Debian: python3-werkzeug, python3-jsonrpc), as in json-rpc's own README
example, with a `subtract` method.  Run it with /usr/bin/python3 (the
Debian Python that has those packages).

It serves on 127.0.0.1:PORT (0 picks a free port), answering JSON-RPC POSTs
on any path, and first prints one JSON line, flushed at once, in the format
of `crosstalk-cli serve jsonrpc --json`:

  {"time":"...","protocol":"jsonrpc","role":"server","direction":"info",
   "event":"listening","url":"http://127.0.0.1:PORT/rpc","address":"127.0.0.1:PORT"}

Server settings are those of the classic example, i.e. run_simple()'s
defaults: threaded=False, processes=1 — one request at a time, answered in
HTTP/1.0, and the connection closed after every response (Werkzeug 2.2's
development server does that even when threaded, so there is no keep-alive
either way).  Werkzeug's request log (one line per request on stderr) stays
on, as it is by default.

make_server() is what run_simple() calls to build the server; it is called
directly here, with run_simple()'s arguments, only because it gives back the
server object and so the port it bound.  What run_simple() adds around it
(the reloader, the debugger, the startup banner) is off or cosmetic in the
classic example.  It runs until SIGTERM or SIGINT.
"""

import datetime
import json
import sys

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from jsonrpc import JSONRPCResponseManager, dispatcher


@dispatcher.add_method
def subtract(a, b):
    return a - b


@Request.application
def application(request):
    response = JSONRPCResponseManager.handle(request.data, dispatcher)
    return Response(response.json, mimetype="application/json")


def main(argv):
    args = argv[1:]
    if len(args) != 1 or not args[0].isdigit() or int(args[0]) > 65535:
        sys.stderr.write("usage: jsonrpc-ref.py PORT  (0 picks a free port)\n")
        return 2

    # What run_simple("127.0.0.1", port, application) builds: the same
    # server, with the defaults (threaded=False, processes=1) for the rest;
    # 127.0.0.1 rather than the example's "localhost", to be sure of IPv4
    # loopback.
    srv = make_server("127.0.0.1", int(args[0]), application)
    host, port = srv.server_address[:2]
    now = datetime.datetime.now(datetime.timezone.utc)
    print(json.dumps({
        "time": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "protocol": "jsonrpc",
        "role": "server",
        "direction": "info",
        "event": "listening",
        "url": "http://%s:%d/rpc" % (host, port),
        "address": "%s:%d" % (host, port),
        "summary": "Werkzeug + json-rpc reference on http://%s:%d/" % (host, port),
    }, separators=(",", ":")), flush=True)
    srv.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
