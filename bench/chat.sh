#!/bin/bash
# bench/chat.sh [BUILDDIR] — WebSocket chat deliveries per second through
# `crosstalk-cli serve chat` (logging on), against a broadcast chat written
# with python3-websockets and asyncio (bench/chat-ref.py), and against the
# libsoup ceiling (bench/chat-soup-min.c: a bare libsoup 3 SoupServer
# WebSocket handler that broadcasts every message to every connection with
# fixed templates, no JSON library, no log — the best any chat server built
# on libsoup's WebSocket support can do here), all measured in the same run
# with the same load generator (bench/chat-load.c), for 20 and for 100
# clients; checks that no message is lost and prints the ratios.
# A measurement, not a test: it exits 0 whether or not the targets are met,
# and 1 only when it cannot measure.
#
# BUILDDIR defaults to _build; the server is BUILDDIR/src/cli/crosstalk-cli,
# started as
#   crosstalk-cli serve chat --port=0 --quiet --json --rate-limit=0 --max-clients=1000
# (no rate limit: the load sends as fast as the server takes it).  Its first
# stdout line must be the JSON "listening" event carrying
# "url":"http://127.0.0.1:PORT/" (or at least "address":"127.0.0.1:PORT"),
# flushed at once; the WebSocket endpoint is then ws://127.0.0.1:PORT/chat.
# Nothing else is read from it.  The two others announce themselves the same
# way.  The reference runs with the Debian Python, /usr/bin/python3
# (python3-websockets 10.4): a python3 found first in PATH may be another one
# without it.  The load generator and the libsoup ceiling are compiled into
# bench/out/ at every run, with cc (and pkg-config's flags for libsoup-3.0,
# libsoup-3.0-dev, for the ceiling).
#
# Environment:
#   ROUNDS=3          rounds per client count; each runs the three servers once
#   CLIENTS="20 100"  the client counts, each measured in its own rounds
#   DURATION=5        seconds counted per run (fractions allowed)
#   WARMUP=1          seconds of load before the counted ones, in the same
#                     run, not counted in the rate (0: none)
#   WINDOW=8          messages each client keeps in flight
#   DRAIN=10          seconds a run may wait, after the counted ones, for
#                     the messages still on their way
#   STARTUP_TIMEOUT=10  seconds to wait for a server's first line
#   PYTHON=/usr/bin/python3  the reference's
#   CT_SERVER_CMD     shell command to run instead of the CLI (evaluated in
#                     the top source directory), announcing itself the same
#                     way — to try this script without the CLI, e.g.
#                     CT_SERVER_CMD='/usr/bin/python3 bench/chat-ref.py 0'
#
# Method: all servers bind 127.0.0.1; each run gets a fresh one, driven by
# `chat-load URL DURATION CLIENTS WINDOW` (bench/chat-load.c, one thread,
# epoll, its own WebSocket client code): CLIENTS connections, each joins
# ({"type":"join","nick":"bI"}) and waits for its "you":true confirmation;
# when all have joined, each sends {"type":"message","text":"m I SEQ"}
# frames, keeping WINDOW of its own in flight (sent, its own copy of the
# broadcast not yet back): as fast as the server accepts them, with bounded
# queues.  Every client reads and checks every frame: a delivery is a
# "message" frame with a text "m I SEQ" that one of our clients sent, and
# from each sender the SEQs must arrive in order at every client.  After
# WARMUP seconds (not counted) it counts deliveries for DURATION seconds,
# then stops sending and waits (at most DRAIN seconds) until every message
# sent has reached every client.  lost = messages sent x CLIENTS - delivered
# (warm-up included); out_of_order (gaps, late frames and duplicates),
# refused ("error" frames) and broken connections are counted too, and any
# of them is a warning.  One load
# generator thread because the machine has 2 cores: the server gets one and
# the load generator the other.  Nothing is pinned; this script sleeps
# meanwhile.  The order of the three rotates by one place per round
# (python, libsoup, crosstalk; then libsoup, crosstalk, python; then
# crosstalk, python, libsoup; ...) so drift in the machine's load hits all
# alike, and the figures reported are medians over the rounds.  Per run we
# also show the CPU the server used (from /proc, over the whole load run:
# joins, warm-up, counted time and drain) and the load generator's own
# (over the counted time).
#
# Before measuring, each server gets a short probe (3 clients, 0.3 s): the
# script stops if nothing is delivered (no WebSocket, no join confirmation,
# no message frames) and warns if anything went wrong; the frames client 0
# saw first of each type are shown (welcome, join, message), so that their
# sizes can be compared.
#
# Summary, per client count N: nN_python_deliveries_per_s,
# nN_libsoup_min_deliveries_per_s, nN_crosstalk_deliveries_per_s,
# nN_ratio_vs_ceiling (crosstalk / libsoup-min) and "nN_target_vs_ceiling
# 0.7 met|NOT met", nN_ratio_vs_python (crosstalk / python) and
# "nN_target_vs_python 1.5 met|NOT met", nN_ceiling_vs_python (libsoup-min /
# python: the best ratio_vs_python any libsoup-based server could score
# here); then, over all runs, lost, out_of_order and errors per server and
# "target_lost 0 met|NOT met" (crosstalk: nothing lost, out of order,
# refused or broken).

set -u

me=chat.sh
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh" || exit 1

use_builddir "${1:-_build}"

ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-20 100}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
WINDOW=${WINDOW:-8}
DRAIN=${DRAIN:-10}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-10}
PYTHON=${PYTHON:-/usr/bin/python3}
TARGET_VS_CEILING=0.7
TARGET_VS_PYTHON=1.5
WS_PATH=/chat
SETUP_ALLOWANCE=40   # chat-load may take 30 s to connect and join; plus a margin
PROBE_CLIENTS=3
PROBE_DURATION=0.3
# For start_server: the server's root, from its URL or address; /chat is
# appended.
listen_form=url
url_path=$WS_PATH
url_path_from_line=no

positive ROUNDS "$ROUNDS"
positive WINDOW "$WINDOW"
is_uint "$STARTUP_TIMEOUT" || die "STARTUP_TIMEOUT must be an integer (got '$STARTUP_TIMEOUT')"
is_seconds "$DURATION" || die "DURATION must be a number of seconds (got '$DURATION')"
awk -v d="$DURATION" 'BEGIN { exit !(d >= 0.1 && d <= 3600) }' \
  || die "DURATION must be between 0.1 and 3600 s (got '$DURATION')"
is_seconds "$WARMUP" || die "WARMUP must be a number of seconds (got '$WARMUP')"
awk -v d="$WARMUP" 'BEGIN { exit !(d <= 60) }' || die "WARMUP must be at most 60 s"
is_seconds "$DRAIN" || die "DRAIN must be a number of seconds (got '$DRAIN')"
awk -v d="$DRAIN" 'BEGIN { exit !(d >= 0.1 && d <= 120) }' || die "DRAIN must be between 0.1 and 120 s"
[ "$WINDOW" -le 4096 ] || die "WINDOW must be at most 4096"
max_clients=0
for n in $CLIENTS; do
  positive CLIENTS "$n"
  [ "$n" -le 1000 ] || die "CLIENTS must be at most 1000 each (our server runs with --max-clients=1000)"
  [ "$n" -gt "$max_clients" ] && max_clients=$n
done
[ "$max_clients" -gt 0 ] || die "CLIENTS is empty"

command -v timeout >/dev/null || die "no timeout(1) found"
[ -x "$PYTHON" ] || die "$PYTHON not found; the reference needs the Debian Python"
if ! "$PYTHON" -c 'import websockets' 2>/dev/null; then
  die "$PYTHON cannot import websockets; on Debian: apt-get install python3-websockets"
fi
need_file chat-ref.py chat-soup-min.c chat-load.c

ref_cmd="$(printf '%q' "$PYTHON") $(printf '%q' "$here/chat-ref.py") 0"
soup_cmd="$(printf '%q' "$out/chat-soup-min") 0"
ours_command serve chat --port=0 --quiet --json --rate-limit=0 --max-clients=1000

need_cc
compile chat-load
compile_soup chat-soup-min

# Room for the connections, in the load generator and in the servers (which
# inherit it): chat-load raises its own limit anyway.
nofile_needed=$((max_clients + 64))
nofile=$(ulimit -Sn)
if [ "$nofile" != unlimited ] && [ "$nofile" -lt "$nofile_needed" ]; then
  ulimit -Sn "$nofile_needed" 2>/dev/null || warn "cannot raise the open-file limit to $nofile_needed"
fi

bench_setup

# load_field NAME — the number after NAME on chat-load's line (empty if none).
load_field ()
{
  awk -v k="$1" '$1 == "chat_load" {
    for (i = 2; i < NF; i += 2) if ($i == k) { print $(i + 1); exit }
  }' "$tmp/load.out"
}

# run_chat_load N SECONDS WARMUP [OPTION...] — chat-load against $ws_url;
# sets $status.  It stops itself (alarm); timeout(1) is a second guard.
run_chat_load ()
{
  local n=$1 seconds=$2 warm=$3 limit
  shift 3
  limit=$(awk -v d="$seconds" -v w="$warm" -v r="$DRAIN" -v a="$SETUP_ALLOWANCE" \
          'BEGIN { printf "%.0f", d + w + r + a }')
  run_load "$tmp/load.out" "$tmp/load.err" timeout "$limit" \
    "$out/chat-load" --warmup "$warm" --drain "$DRAIN" "$@" "$ws_url" "$seconds" "$n" "$WINDOW"
}

# ws_url_of — the WebSocket URL of the server start_server read: $url with
# ws:// for http://.
ws_url_of () { ws_url=ws://${url#http://}; }

# show_load_err — chat-load's stderr, indented, for a warning or an error.
show_load_err () { grep -v '^sample ' "$tmp/load.err" | sed 's/^/  /' | head -n 20 >&2; }

# probe KIND CMD — a fresh server, 3 clients for 0.3 s; exits if nothing
# was delivered, warns if not all was.  Prints the first frames of each type.
probe ()
{
  local kind=$1 cmd=$2 delivered lost

  start_server "$kind" "$cmd"
  ws_url_of
  run_chat_load "$PROBE_CLIENTS" "$PROBE_DURATION" 0 --sample
  check_server "$kind" "during the probe"
  stop_server
  delivered=$(load_field delivered)
  lost=$(load_field lost)
  if [ -z "$delivered" ] || [ "$delivered" -eq 0 ]; then
    echo "$me: error: the $kind server failed the probe (chat-load status $status," \
         "$PROBE_CLIENTS clients, ${PROBE_DURATION} s, delivered ${delivered:-none}):" >&2
    show_load_err
    sed -n 's/^sample /  frame: /p' "$tmp/load.err" >&2
    exit 1
  fi
  if [ "$status" -ne 0 ]; then
    warn "the $kind server did not deliver everything right in the probe (lost $lost):"
    show_load_err
  fi
  sed -n "s/^sample \\([a-z-]*\\) \\(.*\\)\$/\\1 \\2/p" "$tmp/load.err" | while read -r type frame; do
    printf '  %-8s %-9s %4d bytes  %s\n' "$kind" "$type" "${#frame}" "$frame"
  done
}

declare -A lost_total=() ooo_total=() errors_total=()

# run_one KIND CMD — a fresh server driven by chat-load with $nclients clients for
# WARMUP + DURATION seconds.  Sets $rate and $info.
run_one ()
{
  local kind=$1 cmd=$2 lost ooo errs

  start_server "$kind" "$cmd"
  ws_url_of
  measure "$kind" run_chat_load "$nclients" "$DURATION" "$WARMUP"
  rate=$(load_field deliveries_per_s)
  if [ -z "$rate" ]; then
    echo "$me: error: chat-load gave no figure against the $kind server (status $status)." >&2
    show_load_err
    exit 1
  fi
  lost=$(load_field lost)
  # Duplicates are frames out of sequence too: counted with them.
  ooo=$(($(load_field out_of_order) + $(load_field duplicates)))
  errs=$(($(load_field error_frames) + $(load_field errors)))
  lost_total[$kind]=$((${lost_total[$kind]:-0} + lost))
  ooo_total[$kind]=$((${ooo_total[$kind]:-0} + ooo))
  errors_total[$kind]=$((${errors_total[$kind]:-0} + errs))
  if [ "$status" -ne 0 ]; then
    warn "against the $kind server ($nclients clients): lost $lost, out of order $ooo, errors $errs"
    show_load_err
  fi
  info="lost $lost  out_of_order $ooo  sent $(load_field sent_measured)  server_cpu ${server_cpu}%  load_cpu $(load_field load_cpu)%"
}

round_ratios ()
{
  printf 'round %d/%d  clients %d  ratio_vs_ceiling %s  ratio_vs_python %s  ceiling_vs_python %s\n' \
    "$1" "$ROUNDS" "$nclients" \
    "$(quotient "${last[crosstalk]}" "${last[libsoup]}")" \
    "$(quotient "${last[crosstalk]}" "${last[python]}")" \
    "$(quotient "${last[libsoup]}" "${last[python]}")"
}

echo "chat broadcast: clients ${CLIENTS// /, }, ${WINDOW} messages in flight per client," \
     "${ROUNDS} rounds x ${DURATION} s (after ${WARMUP} s warm-up)"
echo "python:    $ref_cmd"
echo "libsoup:   $soup_cmd"
echo "crosstalk: $ours_cmd"

# -- the probes --

echo "frames (the first of each type client 0 received, in a probe):"
probe python "$ref_cmd"
probe libsoup "$soup_cmd"
probe crosstalk "$ours_cmd"

# -- the runs, per client count --

# (Not $n: run_rounds has a local n of its own, which run_one would see.)
declare -A med=()
for nclients in $CLIENTS; do
  echo "clients $nclients:"
  # The order rotates by one place per round: each server goes first,
  # second and last in turn.
  run_rounds deliveries_per_s python "$ref_cmd" libsoup "$soup_cmd" crosstalk "$ours_cmd"
  for k in python libsoup crosstalk; do
    med[$nclients,$k]=$(median_of "$k")
  done
done

for nclients in $CLIENTS; do
  py=${med[$nclients,python]} soup=${med[$nclients,libsoup]} ours=${med[$nclients,crosstalk]}
  p=n$nclients
  echo "${p}_python_deliveries_per_s $py"
  echo "${p}_libsoup_min_deliveries_per_s $soup"
  echo "${p}_crosstalk_deliveries_per_s $ours"
  echo "${p}_ratio_vs_ceiling $(quotient "$ours" "$soup")"
  echo "${p}_target_vs_ceiling $TARGET_VS_CEILING $(verdict "$ours" "$soup" "$TARGET_VS_CEILING")"
  echo "${p}_ratio_vs_python $(quotient "$ours" "$py")"
  echo "${p}_target_vs_python $TARGET_VS_PYTHON $(verdict "$ours" "$py" "$TARGET_VS_PYTHON")"
  echo "${p}_ceiling_vs_python $(quotient "$soup" "$py")"
done
echo "lost python ${lost_total[python]:-0} libsoup ${lost_total[libsoup]:-0} crosstalk ${lost_total[crosstalk]:-0}"
echo "out_of_order python ${ooo_total[python]:-0} libsoup ${ooo_total[libsoup]:-0} crosstalk ${ooo_total[crosstalk]:-0}"
echo "errors python ${errors_total[python]:-0} libsoup ${errors_total[libsoup]:-0} crosstalk ${errors_total[crosstalk]:-0}"
if [ $((${lost_total[crosstalk]:-0} + ${ooo_total[crosstalk]:-0} + ${errors_total[crosstalk]:-0})) -eq 0 ]; then
  echo "target_lost 0 met"
else
  echo "target_lost 0 NOT met"
fi
exit 0
