#!/usr/bin/python3
"""bench/rest-ref.py PORT — the reference for bench/rest.sh.

The classic teaching REST server: Flask + Flask-RESTful (Debian:
python3-flask, python3-flask-restful), as in Flask-RESTful's quickstart —
a `Resource` subclass whose get() returns a dict, registered with
`api.add_resource(Task, "/api/tasks/<int:id>")` — serving the same task as
`crosstalk-cli serve rest` does for id 1 (its first seed record, copied
here, not fetched).  Other ids get Flask-RESTful's 404.  Run it with
/usr/bin/python3 (the Debian Python that has those packages).

It serves on 127.0.0.1:PORT (0 picks a free port) and first prints one JSON
line, flushed at once, in the format of `crosstalk-cli serve rest --json`:

  {"time":"...","protocol":"rest","role":"server","direction":"info",
   "event":"listening","url":"http://127.0.0.1:PORT/","address":"127.0.0.1:PORT"}

Server settings are those of a bare `app.run()` in Flask 2.2 (Debian 12
ships 2.2.2): debug off (so no reloader, no debugger, and Flask-RESTful
writes its JSON without indentation), and threaded=True, which app.run()
sets by default since Flask 1.0 (`options.setdefault("threaded", True)` in
flask/app.py) — one thread per connection.  Werkzeug 2.2's development
server then speaks HTTP/1.1 but closes the connection after every response
("Connection: close"), so there is no keep-alive.  Werkzeug's request log
(one line per request on stderr) stays on, as it is by default.  The body
is Flask-RESTful's default JSON: json.dumps() with its default separators
(", " and ": ") and a trailing newline; no ETag (the quickstart sets none).

make_server() is what run_simple(), called by app.run(), uses to build the
server; it is called directly here, with the arguments app.run() passes,
only because it gives back the server object and so the port it bound.
What app.run() and run_simple() add around it (the startup banner, the
reloader and debugger, off here) is cosmetic.  It runs until SIGTERM or
SIGINT.
"""

import datetime
import json
import signal
import sys

from flask import Flask
from flask_restful import Api, Resource, abort
from werkzeug.serving import make_server

# The first seed record of src/core/ct-rest-store.c, as our server serves it.
TASKS = {
    1: {
        "id": 1,
        "title": "Draft the Q2 roadmap",
        "notes": "Collect input from design and support before the planning meeting.",
        "done": False,
        "priority": "high",
        "due": "2026-03-27",
        "tags": ["planning"],
    },
}

app = Flask(__name__)
api = Api(app)


class Task(Resource):
    def get(self, id):
        if id not in TASKS:
            abort(404, message="Task {} doesn't exist".format(id))
        return TASKS[id]


api.add_resource(Task, "/api/tasks/<int:id>")


def main(argv):
    args = argv[1:]
    if len(args) != 1 or not args[0].isdigit() or int(args[0]) > 65535:
        sys.stderr.write("usage: rest-ref.py PORT  (0 picks a free port)\n")
        return 2

    # app.run() would take debug from FLASK_DEBUG; the classic example runs
    # without it, and debug would change the JSON (indent=4).
    app.debug = False

    # What app.run(host="127.0.0.1", port=port) builds: run_simple() with
    # threaded=True (app.run()'s default), processes=1, and make_server()
    # with those.
    srv = make_server("127.0.0.1", int(args[0]), app, threaded=True)
    host, port = srv.server_address[:2]

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)

    now = datetime.datetime.now(datetime.timezone.utc)
    print(json.dumps({
        "time": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "protocol": "rest",
        "role": "server",
        "direction": "info",
        "event": "listening",
        "url": "http://%s:%d/" % (host, port),
        "address": "%s:%d" % (host, port),
        "summary": "Flask-RESTful reference on http://%s:%d/" % (host, port),
    }, separators=(",", ":")), flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
