#!/usr/bin/python3
"""A WebSocket echo server written with python3-websockets, for test-chat.c.

Usage: ws-echo-server.py [SUBPROTOCOL]...

Listens on 127.0.0.1 on a port the system picks and prints that port as
its first line on stdout.  On each connection it first sends one text
frame describing the handshake it received, a JSON object
{"path": ..., "subprotocol": ... or null, "headers": [[name, value], ...]},
then echoes every text and binary frame as it came.  The text
"close CODE REASON" makes it close the connection with that code and
reason instead.  The SUBPROTOCOLs are the ones it accepts (the first one
the client offers that is among them is chosen).  It exits when its
standard input ends, or after 120 seconds.
"""
import asyncio
import json
import sys

import websockets

LIFETIME_S = 120


async def handler(ws):
    await ws.send(json.dumps({
        "path": ws.path,
        "subprotocol": ws.subprotocol,
        "headers": [[name, value] for name, value in ws.request_headers.raw_items()],
    }))
    async for message in ws:
        if isinstance(message, str) and message.startswith("close "):
            _, code, reason = message.split(" ", 2)
            await ws.close(int(code), reason)
            return
        await ws.send(message)


def choose(offered, accepted):
    """The client's order of preference decides, as most servers do"""
    for name in offered:
        if name in accepted:
            return name
    return None


async def main():
    accepted = sys.argv[1:]
    loop = asyncio.get_running_loop()
    ended = loop.create_future()

    def on_stdin():
        if not sys.stdin.buffer.read1(4096) and not ended.done():
            ended.set_result(None)

    loop.add_reader(sys.stdin.fileno(), on_stdin)

    def create_protocol(*args, **kwargs):
        protocol = websockets.WebSocketServerProtocol(*args, **kwargs)
        protocol.select_subprotocol = lambda offered, _: choose(offered, accepted)
        return protocol

    async with websockets.serve(handler, "127.0.0.1", 0, compression=None,
                                subprotocols=accepted or None,
                                create_protocol=create_protocol,
                                ping_interval=None) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.wait_for(ended, LIFETIME_S)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except asyncio.TimeoutError:
        sys.exit(1)
