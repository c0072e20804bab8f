#!/usr/bin/python3
# amqp-pika-producer.py — a third-party AMQP publisher for test-amqp:
# python3-pika publishes COUNT messages to QUEUE (through the default
# exchange) with publisher confirms and a full set of properties, then
# prints "published COUNT" and exits 0.
#
#   amqp-pika-producer.py URL QUEUE COUNT [--empty-strings]
#
# Message i (from 0) has the body "pika-i", message-id "pika-i",
# correlation-id "pika-corr-i" and the headers source=pika, n=i; with
# --empty-strings, also a header whose value is the empty string and an
# empty type (what any peer may send).
#
# SPDX-License-Identifier: GPL-3.0-or-later

import sys

import pika


def main():
    if len(sys.argv) not in (4, 5) or (len(sys.argv) == 5 and sys.argv[4] != "--empty-strings"):
        print("usage: amqp-pika-producer.py URL QUEUE COUNT [--empty-strings]", file=sys.stderr)
        return 2
    url, queue, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    empty = len(sys.argv) == 5

    params = pika.URLParameters(url)
    params.socket_timeout = 10
    params.blocked_connection_timeout = 10
    connection = pika.BlockingConnection(params)
    channel = connection.channel()
    channel.confirm_delivery()
    for i in range(count):
        headers = {"source": "pika", "n": i}
        if empty:
            headers["empty"] = ""
        properties = pika.BasicProperties(
            content_type="text/plain",
            content_encoding="utf-8",
            correlation_id="pika-corr-%d" % i,
            message_id="pika-%d" % i,
            type="" if empty else "test",
            app_id="amqp-pika-producer",
            delivery_mode=2,
            priority=3,
            timestamp=1700000000 + i,
            headers=headers,
        )
        # With confirms, a message no queue takes raises UnroutableError
        channel.basic_publish(exchange="", routing_key=queue, body=("pika-%d" % i).encode(),
                              properties=properties, mandatory=True)
    connection.close()
    print("published %d" % count, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
