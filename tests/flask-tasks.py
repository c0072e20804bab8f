#!/usr/bin/python3
"""tests/flask-tasks.py [--tls CERT KEY] — the third-party REST server that
tests/test-http-client.c talks to: a Flask-RESTful app (Debian:
python3-flask-restful), run with /usr/bin/python3.

It serves on 127.0.0.1 on a port the system picks, and first prints one JSON
line, flushed at once, in the format of `crosstalk-cli serve --json`:

  {"direction":"info","event":"listening","address":"127.0.0.1:PORT","url":"http://127.0.0.1:PORT"}

It exits when its stdin closes (so it goes with the test even if the test
dies) or on SIGTERM.

Routes:
  /api/tasks               GET (list), POST {"title": ..., "done": ...} → 201
  /api/tasks/<id>          GET, PUT, DELETE (204); 404 for unknown ids
  /cookie/set              sets the cookie flavour=oatmeal
  /echo                    any method: the request as JSON (method, path,
                           args, headers, cookie, content_type, body, form)
  /redirect                302 to /echo
  /flaky?key=K             503 the first two times for each K, then 200
  /limited?key=K           429 with Retry-After: 1 the first time for each K
  /sleep?s=N               answers after N seconds (2 by default)
  /big?mib=N               N MiB of "x" (streamed, no Content-Length)
"""

import json
import os
import sys
import threading
import time

from flask import Flask, Response, redirect, request
from flask_restful import Api, Resource, abort
from werkzeug.serving import WSGIRequestHandler, make_server

app = Flask(__name__)
api = Api(app)

lock = threading.Lock()
tasks = {}
next_id = [1]
counts = {}


def count(route, key):
    with lock:
        counts[(route, key)] = counts.get((route, key), 0) + 1
        return counts[(route, key)]


class TaskList(Resource):
    def get(self):
        with lock:
            return list(tasks.values())

    def post(self):
        data = request.get_json(force=True, silent=True)
        if not isinstance(data, dict) or not isinstance(data.get("title"), str):
            abort(400, message="a task needs a title")
        with lock:
            task = {"id": next_id[0], "title": data["title"], "done": bool(data.get("done", False))}
            tasks[task["id"]] = task
            next_id[0] += 1
        return task, 201


class Task(Resource):
    def get(self, task_id):
        with lock:
            if task_id not in tasks:
                abort(404, message="task %d does not exist" % task_id)
            return tasks[task_id]

    def put(self, task_id):
        data = request.get_json(force=True, silent=True)
        if not isinstance(data, dict):
            abort(400, message="send the task as a JSON object")
        with lock:
            if task_id not in tasks:
                abort(404, message="task %d does not exist" % task_id)
            task = tasks[task_id]
            if isinstance(data.get("title"), str):
                task["title"] = data["title"]
            if "done" in data:
                task["done"] = bool(data["done"])
            return task

    def delete(self, task_id):
        with lock:
            if task_id not in tasks:
                abort(404, message="task %d does not exist" % task_id)
            del tasks[task_id]
        return "", 204


api.add_resource(TaskList, "/api/tasks")
api.add_resource(Task, "/api/tasks/<int:task_id>")


@app.route("/cookie/set")
def cookie_set():
    response = Response(json.dumps({"set": "flavour"}), mimetype="application/json")
    response.set_cookie("flavour", "oatmeal")
    return response


ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PURGE"]


@app.route("/echo", methods=ALL_METHODS)
def echo():
    body = request.get_data(as_text=True)
    return {
        "method": request.method,
        "path": request.path,
        "args": request.args.to_dict(),
        "headers": dict(request.headers),
        "cookie": request.headers.get("Cookie"),
        "content_type": request.headers.get("Content-Type"),
        "body": body,
        "form": request.form.to_dict(),
    }


@app.route("/redirect", methods=ALL_METHODS)
def to_echo():
    return redirect("/echo", code=302)


@app.route("/flaky", methods=ALL_METHODS)
def flaky():
    n = count("flaky", request.args.get("key", ""))
    if n <= 2:
        return {"attempt": n, "error": "try again"}, 503
    return {"attempt": n, "ok": True}


@app.route("/limited", methods=ALL_METHODS)
def limited():
    n = count("limited", request.args.get("key", ""))
    if n <= 1:
        return {"attempt": n, "error": "slow down"}, 429, {"Retry-After": "1"}
    return {"attempt": n, "ok": True}


@app.route("/sleep")
def sleep():
    time.sleep(float(request.args.get("s", "2")))
    return {"slept": True}


@app.route("/big")
def big():
    mib = int(request.args.get("mib", "1"))
    chunk = b"x" * (1024 * 1024)

    def generate():
        for _ in range(mib):
            yield chunk
    return Response(generate(), mimetype="application/octet-stream")


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


def main(argv):
    ssl_context = None
    if len(argv) == 4 and argv[1] == "--tls":
        ssl_context = (argv[2], argv[3])
    elif len(argv) != 1:
        sys.stderr.write("usage: flask-tasks.py [--tls CERT KEY]\n")
        return 2

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler,
                         ssl_context=ssl_context)
    host, port = server.server_address[:2]
    scheme = "https" if ssl_context else "http"
    print(json.dumps({
        "direction": "info",
        "event": "listening",
        "address": "%s:%d" % (host, port),
        "url": "%s://%s:%d" % (scheme, host, port),
    }, separators=(",", ":")), flush=True)

    # Gone with the test: the end of our stdin
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
