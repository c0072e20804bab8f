#!/usr/bin/python3
"""bench/chat-ref.py PORT — the Python reference for bench/chat.sh.

A broadcast chat server written the way the websockets library teaches it
(python3-websockets 10.4, asyncio; Debian 12's), speaking the chat format of
docs/protocols/chat.md, version 1, minimally but with every frame the
format defines for what the benchmark does:

  - on connecting: {"type":"welcome","server":...,"version":1,"users":[...],
    "history":[...],"limits":{...}} (history: the last 50 messages);
  - {"type":"join","nick":N}: the nick is trimmed and checked (1-32
    characters, no control characters, "server" reserved, unique without
    regard to case); the joiner gets {"type":"join","nick":N,"users":[...],
    "you":true}, everyone else the same without "you"; a refusal is an
    {"type":"error","code":...,"message":...} frame;
  - {"type":"message","text":T}: {"type":"message","id":I,"from":N,"text":T,
    "time":"...Z"} to everyone, its sender included (a sender that has not
    joined is joined first as guest-N); anything that is not a JSON object
    with a string "type" is a message with that text; an empty text or a
    missing one is a bad-message error;
  - on leaving: {"type":"leave","nick":N,"reason":"left","users":[...]}
    to the others;
  - a binary frame closes the connection with 1003.
Every frame is built as a dict and serialised with json.dumps (compact
separators, as the format writes its frames).  Broadcasts use
websockets.broadcast(), the library's documented way to send one message to
many connections (it writes to each without waiting for it, and skips
connections that are closing).  Messages go to every open connection.

Library defaults otherwise (a ping every 20 s, no compression unless the
client asks for it — the load client does not), except max_size=65536, the
format's frame limit.  Connections to any path but /chat get a 404.

It serves on 127.0.0.1:PORT (0 picks a free port) and first prints one JSON
line, flushed at once, in the form `crosstalk-cli serve chat --json` uses:

  {"time":"...","protocol":"chat","role":"server","direction":"info",
   "event":"listening","url":"http://127.0.0.1:PORT/","address":"127.0.0.1:PORT"}

and nothing else (no log: websockets logs only warnings by default, to
stderr).  It runs until SIGTERM or SIGINT.  Run it with /usr/bin/python3
(the Debian Python that has python3-websockets).
"""

import asyncio
import collections
import datetime
import http
import json
import signal
import sys

import websockets

PATH = "/chat"
MAX_FRAME = 65536
HISTORY = 50
NICK_MAX = 32


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"))


def now_iso():
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (now.microsecond // 1000)


class Chat:
    def __init__(self):
        self.connections = set()          # every open connection
        self.nicks = {}                   # connection -> nick, once joined
        self.taken = set()                # nicks in lower case
        self.history = collections.deque(maxlen=HISTORY)
        self.next_id = 1
        self.next_guest = 1

    def users(self):
        return sorted(self.nicks.values(), key=str.lower)

    async def error(self, ws, code, message):
        await ws.send(dumps({"type": "error", "code": code, "message": message}))

    async def join(self, ws, nick):
        if ws in self.nicks:
            await self.error(ws, "already-joined", "you have already joined")
            return False
        nick = nick.strip()
        if (not 1 <= len(nick) <= NICK_MAX or any(ord(ch) < 32 or ord(ch) == 127 for ch in nick)
                or nick.lower() == "server"):
            await self.error(ws, "nick-invalid", "a nickname is 1 to 32 characters, not 'server'")
            return False
        if nick.lower() in self.taken:
            await self.error(ws, "nick-taken", "%s is taken" % nick)
            return False
        self.nicks[ws] = nick
        self.taken.add(nick.lower())
        frame = {"type": "join", "nick": nick, "users": self.users()}
        websockets.broadcast(self.connections - {ws}, dumps(frame))
        frame["you"] = True
        await ws.send(dumps(frame))
        return True

    async def guest(self, ws):
        while "guest-%d" % self.next_guest in self.taken:
            self.next_guest += 1
        nick = "guest-%d" % self.next_guest
        self.next_guest += 1
        return await self.join(ws, nick)

    async def message(self, ws, text):
        if not isinstance(text, str) or text == "":
            await self.error(ws, "bad-message", "a message needs a non-empty text")
            return
        if ws not in self.nicks and not await self.guest(ws):
            return
        frame = {"type": "message", "id": self.next_id, "from": self.nicks[ws],
                 "text": text, "time": now_iso()}
        self.next_id += 1
        self.history.append(frame)
        websockets.broadcast(self.connections, dumps(frame))

    async def leave(self, ws):
        nick = self.nicks.pop(ws, None)
        if nick is None:
            return
        self.taken.discard(nick.lower())
        websockets.broadcast(self.connections, dumps(
            {"type": "leave", "nick": nick, "reason": "left", "users": self.users()}))

    async def handler(self, ws):
        welcome = dumps({
            "type": "welcome", "server": "chat-ref.py", "version": 1,
            "users": self.users(), "history": list(self.history),
            "limits": {"max-frame": MAX_FRAME, "rate-limit": 0},
        })
        # Added first: send() writes the welcome before it can yield, so no
        # broadcast comes between the welcome's history and the next frame.
        self.connections.add(ws)
        try:
            await ws.send(welcome)
            async for raw in ws:
                if isinstance(raw, bytes):
                    await ws.close(1003, "binary frames are not part of the chat format")
                    break
                try:
                    obj = json.loads(raw)
                except ValueError:
                    obj = None
                if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
                    await self.message(ws, raw)
                elif obj["type"] == "message":
                    await self.message(ws, obj.get("text"))
                elif obj["type"] == "join":
                    if isinstance(obj.get("nick"), str):
                        await self.join(ws, obj["nick"])
                    else:
                        await self.error(ws, "bad-message", "a join needs a string nick")
                else:
                    await self.error(ws, "bad-message", "unknown type %r" % obj["type"])
        except websockets.ConnectionClosed:
            pass
        finally:
            self.connections.discard(ws)
            await self.leave(ws)


def only_chat(path, request_headers):
    if path != PATH:
        return http.HTTPStatus.NOT_FOUND, [], b"not found\n"
    return None


async def serve(port):
    chat = Chat()
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, lambda: stop.done() or stop.set_result(None))

    async with websockets.serve(chat.handler, "127.0.0.1", port, max_size=MAX_FRAME,
                                process_request=only_chat) as server:
        host, port = server.sockets[0].getsockname()[:2]
        now = datetime.datetime.now(datetime.timezone.utc)
        print(dumps({
            "time": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "protocol": "chat",
            "role": "server",
            "direction": "info",
            "event": "listening",
            "url": "http://%s:%d/" % (host, port),
            "address": "%s:%d" % (host, port),
            "summary": "python3-websockets chat reference on ws://%s:%d%s" % (host, port, PATH),
        }), flush=True)
        await stop


def main(argv):
    args = argv[1:]
    if len(args) != 1 or not args[0].isdigit() or int(args[0]) > 65535:
        sys.stderr.write("usage: chat-ref.py PORT  (0 picks a free port)\n")
        return 2
    asyncio.run(serve(int(args[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
