#!/bin/bash
# bench/udp.sh [BUILDDIR] — echoed 64-byte UDP datagrams per second through
# `crosstalk-cli serve udp`, against a minimal recvfrom/sendto echo loop
# (bench/udp-echo-min.c), measured in the same run; prints the ratio.
# A measurement, not a test: it exits 0 whether or not the target is met,
# and 1 only when it cannot measure.
#
# BUILDDIR defaults to _build; the server is BUILDDIR/src/cli/crosstalk-cli,
# started as `crosstalk-cli serve udp --port=0 --quiet --json`.  Its first
# stdout line must be the JSON "listening" event carrying
# "address":"127.0.0.1:PORT", flushed at once; nothing else is read from it.
#
# Environment:
#   ROUNDS=3          rounds; each runs the reference and ours once
#   DURATION=3        seconds measured per run (after a 0.5 s warm-up)
#   WINDOW=32         datagrams in flight;  SIZE=64  payload bytes
#   STARTUP_TIMEOUT=10  seconds to wait for a server's first line
#   CT_SERVER_CMD     shell command to run instead of the CLI (evaluated in
#                     the top source directory), announcing itself the same
#                     way — to try this script without the CLI, e.g.
#                     CT_SERVER_CMD='bench/out/udp-echo-min --json 0'
#
# Method: both servers bind 127.0.0.1 and are driven by the same load
# generator (bench/udp-load.c: one connected socket, WINDOW datagrams in
# flight, only valid echoes counted).  Nothing is pinned: on the 2-core
# machine the server and the load generator each get a core naturally and
# this script sleeps meanwhile.  Runs alternate (reference first in odd
# rounds, ours first in even ones) so drift in the machine's load hits both
# alike, and the figures reported are medians over the rounds.  Per run we
# also show the CPU the server used (from /proc) and the load generator's
# own: a server near 100% while the load generator has room to spare is the
# bottleneck, as it should be.  (The minimal loop costs about as much per
# datagram as the load generator does, so in reference runs both sit near
# 100%; a batched recvmmsg/sendmmsg client did not raise that figure.)

set -u

me=udp.sh
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh" || exit 1

use_builddir "${1:-_build}"

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-3}
WINDOW=${WINDOW:-32}
SIZE=${SIZE:-64}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-10}
TARGET=0.50
listen_form=address   # for start_server

positive ROUNDS "$ROUNDS"
positive WINDOW "$WINDOW"
is_uint "$SIZE" || die "SIZE must be an integer (got '$SIZE')"
is_uint "$STARTUP_TIMEOUT" || die "STARTUP_TIMEOUT must be an integer (got '$STARTUP_TIMEOUT')"
is_seconds "$DURATION" || die "DURATION must be a number of seconds (got '$DURATION')"

ref_cmd="$(printf '%q' "$out/udp-echo-min") 0"
ours_command serve udp --port=0 --quiet --json

need_cc
command -v timeout >/dev/null || die "no timeout(1) found"
compile udp-echo-min
compile udp-load

bench_setup

# run_one KIND CMD — a fresh server driven by udp-load for DURATION seconds.
# Sets $rate and $info.
run_one ()
{
  start_server "$1" "$2"
  # udp-load stops itself (alarm) and timeout is a second guard.
  measure "$1" run_load "$tmp/load.out" "$tmp/load.err" \
    timeout "$(awk -v d="$DURATION" 'BEGIN { print d + 10 }')" \
    "$out/udp-load" "$host" "$port" "$DURATION" "$WINDOW" "$SIZE"
  read_rate udp-load datagrams_per_s "$1" "$status" "no valid echo from the $1 server:"
  info="server_cpu ${server_cpu}%  load_cpu ${load_cpu:-?}%"
}

round_ratios ()
{
  printf 'round %d/%d  ratio %s\n' "$1" "$ROUNDS" "$(quotient "${last[crosstalk]}" "${last[reference]}")"
}

echo "udp echo: ${SIZE}-byte datagrams, window ${WINDOW}, ${ROUNDS} rounds x ${DURATION} s"
echo "reference: $ref_cmd"
echo "crosstalk: $ours_cmd"

run_rounds datagrams_per_s reference "$ref_cmd" crosstalk "$ours_cmd"

ref_median=$(median_of reference)
ours_median=$(median_of crosstalk)
[ "$ref_median" -gt 0 ] || die "the reference echoed nothing; cannot compute a ratio"

echo "reference_datagrams_per_s $ref_median"
echo "crosstalk_datagrams_per_s $ours_median"
echo "ratio $(quotient "$ours_median" "$ref_median")"
echo "target $TARGET $(verdict "$ours_median" "$ref_median" "$TARGET")"
