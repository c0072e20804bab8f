#!/usr/bin/python3
"""amqp-ref.py — the pika reference for bench/amqp.sh: a publisher and a
consumer written the way a python3-pika user would write them.

Usage:
  amqp-ref.py publish URL QUEUE N WINDOW
  amqp-ref.py consume URL QUEUE N PREFETCH

publish: declares QUEUE, puts the channel in confirm mode and publishes N
persistent (delivery_mode 2) messages of 64 bytes to the default exchange
with routing key QUEUE, keeping at most WINDOW of them unconfirmed.  pika's
BlockingChannel waits for each confirm before the next publish, so a window
takes the asynchronous SelectConnection: confirm_delivery with an ack/nack
callback (pika's publisher example does the same), publishing more from that
callback as confirms come in.  Prints, once every message is confirmed,
  published N seconds S rate R
consume: the classic "work queues" consumer on a BlockingConnection:
basic_qos(prefetch_count=PREFETCH), basic_consume with manual acks, one
basic_ack per message, stop_consuming after N.  Prints
  consumed N seconds S rate R
S is from before the connection is opened to the last confirm or ack.

The queue is declared as every implementation in the benchmark declares it:
durable, not exclusive, not auto-delete, no arguments.  Every wait is
bounded: with no progress for 30 s it gives up.  Errors go to stderr, exit 1.
Runs with the Debian Python and python3-pika (1.2).
"""

import collections
import sys
import time

import pika

BODY = b"0123456789abcdef" * 4
PROPERTIES = pika.BasicProperties(delivery_mode=2)
TIMEOUT_S = 30
PROG = "amqp-ref.py"


def fail(message):
    print(f"{PROG}: error: {message}", file=sys.stderr)
    sys.exit(1)


class Publisher:
    def __init__(self, url, queue, n, window):
        self.queue = queue
        self.n = n
        self.window = window
        self.next = 1                        # the delivery tag of the next publish
        self.pending = collections.deque()   # unconfirmed tags, in order
        self.nacked = 0
        self.progress = 0                    # confirms so far, for the watchdog
        self.seen = -1
        self.error = None
        self.finished = None
        self.connection = pika.SelectConnection(
            pika.URLParameters(url),
            on_open_callback=self.on_open,
            on_open_error_callback=self.on_open_error,
            on_close_callback=self.on_closed)

    def run(self):
        self.connection.ioloop.call_later(TIMEOUT_S, self.watchdog)
        self.connection.ioloop.start()

    def on_open(self, connection):
        connection.channel(on_open_callback=self.on_channel)

    def on_open_error(self, connection, error):
        self.error = f"cannot connect: {error!r}"
        connection.ioloop.stop()

    def on_closed(self, connection, reason):
        if self.finished is None and self.error is None:
            self.error = f"the connection closed: {reason!r}"
        connection.ioloop.stop()

    def on_channel(self, channel):
        self.channel = channel
        channel.add_on_close_callback(self.on_channel_closed)
        channel.queue_declare(self.queue, durable=True, callback=self.on_declared)

    def on_channel_closed(self, channel, reason):
        if self.finished is None and self.error is None:
            self.error = f"the channel closed: {reason!r}"
            self.connection.close()

    def on_declared(self, frame):
        self.channel.confirm_delivery(self.on_confirm, callback=self.on_confirm_mode)

    def on_confirm_mode(self, frame):
        self.fill()

    def fill(self):
        while self.next <= self.n and len(self.pending) < self.window:
            self.channel.basic_publish("", self.queue, BODY, PROPERTIES)
            self.pending.append(self.next)
            self.next += 1

    def on_confirm(self, frame):
        method = frame.method
        tag = method.delivery_tag
        settled = 0
        if method.multiple:
            while self.pending and self.pending[0] <= tag:
                self.pending.popleft()
                settled += 1
        elif tag in self.pending:
            self.pending.remove(tag)
            settled = 1
        if isinstance(method, pika.spec.Basic.Nack):
            self.nacked += settled
        self.progress += settled
        if self.next > self.n and not self.pending:
            self.finished = time.monotonic()
            self.connection.close()
        else:
            self.fill()

    def watchdog(self):
        if self.finished is not None or self.error is not None:
            return
        if self.progress == self.seen:
            self.error = (f"no confirm for {TIMEOUT_S} s "
                          f"({self.next - 1} published, {len(self.pending)} unconfirmed)")
            self.connection.close()
            return
        self.seen = self.progress
        self.connection.ioloop.call_later(TIMEOUT_S, self.watchdog)


def publish(url, queue, n, window):
    start = time.monotonic()
    publisher = Publisher(url, queue, n, window)
    publisher.run()
    if publisher.error is not None:
        fail(publisher.error)
    if publisher.finished is None:
        fail("the I/O loop stopped before every message was confirmed")
    if publisher.nacked:
        fail(f"the broker nacked {publisher.nacked} of {n} messages")
    seconds = publisher.finished - start
    print(f"published {n} seconds {seconds:.3f} rate {n / seconds:.0f}", flush=True)


def consume(url, queue, n, prefetch):
    start = time.monotonic()
    state = {"got": 0, "bad": 0, "seen": -1, "error": None, "finished": None}

    try:
        connection = pika.BlockingConnection(pika.URLParameters(url))
    except pika.exceptions.AMQPError as error:
        fail(f"cannot connect: {error!r}")
    channel = connection.channel()
    channel.queue_declare(queue, durable=True)
    channel.basic_qos(prefetch_count=prefetch)

    def on_message(ch, method, properties, body):
        if len(body) != len(BODY):
            state["bad"] += 1
        ch.basic_ack(delivery_tag=method.delivery_tag)
        state["got"] += 1
        if state["got"] == n:
            state["finished"] = time.monotonic()
            ch.stop_consuming()

    def watchdog():
        if state["finished"] is not None:
            return
        if state["got"] == state["seen"]:
            state["error"] = f"no delivery for {TIMEOUT_S} s; {state['got']} of {n} consumed"
            channel.stop_consuming()
            return
        state["seen"] = state["got"]
        connection.call_later(TIMEOUT_S, watchdog)

    channel.basic_consume(queue=queue, on_message_callback=on_message)
    connection.call_later(TIMEOUT_S, watchdog)
    try:
        channel.start_consuming()
    except pika.exceptions.AMQPError as error:
        fail(f"consuming: {error!r} ({state['got']} of {n} consumed)")
    if state["error"] is not None:
        fail(state["error"])
    connection.close()
    if state["bad"]:
        print(f"{PROG}: warning: {state['bad']} of {n} bodies were not {len(BODY)} bytes long",
              file=sys.stderr)
    seconds = state["finished"] - start
    print(f"consumed {n} seconds {seconds:.3f} rate {n / seconds:.0f}", flush=True)


def count(name, text, maximum=100_000_000):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= maximum:
        print(f"{PROG}: error: {name} must be an integer from 1 to {maximum} (got '{text}')",
              file=sys.stderr)
        sys.exit(2)
    return value


def main(argv):
    if len(argv) != 6 or argv[1] not in ("publish", "consume"):
        print(f"usage: {PROG} publish URL QUEUE N WINDOW\n"
              f"       {PROG} consume URL QUEUE N PREFETCH", file=sys.stderr)
        sys.exit(2)
    url, queue = argv[2], argv[3]
    n = count("N", argv[4])
    if argv[1] == "publish":
        publish(url, queue, n, count("WINDOW", argv[5]))
    else:
        consume(url, queue, n, count("PREFETCH", argv[5], 65535))


if __name__ == "__main__":
    main(sys.argv)
