#!/usr/bin/python3
"""A chat client written with python3-websockets, for test-chat.c.

Usage: chat-peer.py URL NICK [--await TEXT]... [TEXT]...

Connects to the Crosstalk chat server at URL, joins as NICK, sends each
TEXT as a chat message ({"type":"message"}), and prints every frame it
receives, one line each, exactly as received (the frames are one-line
JSON).  Once its own messages have all come back and a message with each
--await TEXT has come from someone else, it closes the connection (1000)
and exits 0.  An error frame (a refused join) makes it exit 2; anything
else going wrong, or 20 seconds passing, exits 1.
"""
import asyncio
import json
import sys

import websockets

TIMEOUT_S = 20


def parse_args(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    url, nick, rest = argv[1], argv[2], argv[3:]
    awaited, texts = [], []
    i = 0
    while i < len(rest):
        if rest[i] == "--await" and i + 1 < len(rest):
            awaited.append(rest[i + 1])
            i += 2
        else:
            texts.append(rest[i])
            i += 1
    return url, nick, awaited, texts


async def chat(url, nick, awaited, texts):
    # No compression: the frames on the wire are the frames in the log
    async with websockets.connect(url, compression=None, open_timeout=TIMEOUT_S,
                                  close_timeout=5, ping_interval=None) as ws:
        await ws.send(json.dumps({"type": "join", "nick": nick}))
        mine = list(texts)
        joined = False
        pending = set(awaited)
        while mine or pending or not joined:
            raw = await ws.recv()
            print(raw, flush=True)
            frame = json.loads(raw)
            kind = frame.get("type")
            if kind == "error":
                return 2
            if kind == "join" and frame.get("you"):
                joined = True
                for text in texts:
                    await ws.send(json.dumps({"type": "message", "text": text}))
            elif kind == "message":
                if frame.get("from") == nick and mine and frame.get("text") == mine[0]:
                    mine.pop(0)
                elif frame.get("from") != nick:
                    pending.discard(frame.get("text"))
        await ws.close(1000, "bye from python")
        return 0


def main():
    url, nick, awaited, texts = parse_args(sys.argv)
    try:
        status = asyncio.run(asyncio.wait_for(chat(url, nick, awaited, texts), TIMEOUT_S))
    except (asyncio.TimeoutError, OSError, websockets.WebSocketException) as error:
        print(f"chat-peer: {type(error).__name__}: {error}", file=sys.stderr)
        status = 1
    sys.exit(status)


if __name__ == "__main__":
    main()
