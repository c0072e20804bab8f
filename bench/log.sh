#!/bin/bash
# bench/log.sh [BUILDDIR] — the message log at scale (issue 8): appends per
# second and memory per message of CtMessageLog from C, against a reference
# measured in the same run, then the real window under a UDP flood: frame
# times and how long a UI action takes to answer.
# A measurement, not a test: it exits 0 whether or not the targets are met,
# and 1 only when it cannot measure.
#
# Prints, after per-round and per-second detail lines:
#   appends_per_s N          target >= 1,000,000
#   appends_ratio_vs_ref R   ours / the reference's appends per second
#   bytes_per_message N      target <= 150
#   frame_p95_ms N           target <= 33
#   action_latency_ms N      target <= 100
# and one "target ... met|NOT met" line per target.
#
# BUILDDIR defaults to _build and must hold a built tree (make build, or
# meson compile): BUILDDIR/bench/log-append, BUILDDIR/bench/log-action,
# BUILDDIR/src/app/crosstalk and BUILDDIR/data/gschemas.compiled.
# bench/udp-flood.c is compiled into bench/out/ with cc at every run.
# Needs Xvfb and dbus-daemon (apt-get install xvfb dbus).
#
# Environment:
#   ROUNDS=3        rounds of phase 1; each runs ours and the reference once
#   COUNT=1000000   messages per append run (all held at the end)
#   RUNS=5          timed append runs per process (the best one counts)
#   SIZE=64         payload bytes, in both phases
#   RATE=100000     datagrams per second sent to the window's UDP server
#   DURATION=10     seconds of flood
#   WARMUP=1        seconds of flood before the measured window
#   ECHO=1          the UDP server echoes every datagram (its default); 0: off
#   PREFILL=1000000 entries put in the server's log before the flood (the
#                   log's cap: the steady state of a long session); 0: none,
#                   to measure a log filling up instead
#   ACTIONS=20      UI actions timed during the flood (and 10 before it)
#   IDLE=2          seconds of frames measured before the flood (reference)
#   GSK_RENDERER=cairo  as the tests use under Xvfb (GL there is llvmpipe)
#   STARTUP_TIMEOUT=20  seconds to wait for the window's UDP server
#
# Phase 1, appends and memory (BUILDDIR/bench/log-append, bench/log-append.c):
# a fresh process per measurement appends COUNT messages with a SIZE-byte
# payload and a peer, as the servers do (ct_message_log_append with
# CtMessageFields: direction in, peer "127.0.0.1:50012", the time taken by
# the log, the payload copied), iterating the main context every 1,024
# appends so that the log's per-frame flush runs as under the main loop, and
# flushing at the end; RUNS timed runs, each into a new log, the best one
# counts.  The reference, in its own fresh process with the same loop,
# copies the same payloads into GBytes kept in a GPtrArray (no time, no peer,
# no list model): the least that keeping a copy of each message costs.
# ROUNDS rounds alternate which goes first; the summary takes the medians,
# and appends_ratio_vs_ref is ours / the reference's.  bytes_per_message is
# measured in the log's first run, in its fresh process: resident memory
# (/proc/self/statm) with all COUNT messages held minus before the log was
# created, minus the payload bytes (COUNT x SIZE), over COUNT (median of the
# rounds); it includes everything holding a message costs: records, ring,
# allocator overhead.  The reference's figure is shown beside it.
#
# Phase 2, the window under a flood: a private X server (Xvfb, 1400x900x24)
# and a private session bus (dbus-daemon), both started here and stopped by
# pid (xvfb-run and dbus-run-session would put processes between us and the
# app), then the real app, BUILDDIR/src/app/crosstalk --page=udp, with
# GSETTINGS_BACKEND=memory and its frame probe (src/app/ct-frame-probe.c)
# armed: CT_FRAME_PROBE makes it record every frame of the window, with a
# tick callback that keeps the frame clock cycling every frame (so a missing
# frame means the main loop did not get to it, never that nothing changed),
# and CT_FRAME_PROBE_UDP_SERVER=0 makes it start the UDP page's server the
# way Ctrl+Shift+S does (win.toggle-server) on 127.0.0.1, any free port,
# echo as ECHO says, and CT_FRAME_PROBE_PREFILL=PREFILL makes it append
# PREFILL entries to the server's log (as the server logs a datagram, SIZE
# bytes each) and flush it before it says the server runs.  Then, after a
# second for the window to settle:
#   - IDLE seconds of frames with nothing going on, and 10 UI actions timed:
#     the reference figures of the same run (idle_*);
#   - bench/udp-flood.c sends RATE SIZE-byte datagrams per second to the
#     server for DURATION seconds, paced every millisecond whatever comes
#     back; it counts the echoes, which say how many datagrams the app got to
#     (the kernel drops what does not fit in a slow reader's buffer).  With
#     echo on (the default) each datagram is two log entries, in and out, and
#     a send: the window's log takes up to 2 x RATE entries a second and
#     would reach its 1,000,000-entry cap within seconds anyway: with the
#     default PREFILL it is full from the start, so every flush also drops
#     the oldest entries, as in any session longer than that (with
#     PREFILL=0 the figures mix a filling log and a full one, in a
#     proportion that depends on DURATION: the per-second lines show which);
#   - the measured window is from WARMUP s after the flood began to its end.
#     frame_p95_ms is the 95th percentile (nearest rank) of the intervals
#     between consecutive frames that ended in the window (the window's
#     edges count as frames, so a stall at either end is not lost);
#   - during the window BUILDDIR/bench/log-action calls, ACTIONS times,
#     spread evenly, org.gtk.Actions.Activate("focus-composer") on the
#     window's exported actions (/io/github/crosstalk/Crosstalk/window/1):
#     a real UI action, run on the app's main thread, answered once it has
#     run.  action_latency_ms is the 95th percentile (nearest rank) of those
#     round trips (with 20 calls, the second slowest).
# Then SIGTERM, on which the app quits as app.quit does, and the probe
# writes its records.  Detail
# lines: per second of flood, frames, frames painted, the frame p95, and the
# log entries the server took (app_entries_per_s); main-loop lag (how late a
# G_PRIORITY_DEFAULT 100 ms timeout ran) over the window; the flood's own
# figures (sent_per_s, echoes_per_s).
#
# Nothing is pinned; the machine has 2 cores, the app gets about one and
# the flood, Xvfb and this script share the other.

set -u

me=log.sh
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh" || exit 1

use_builddir "${1:-_build}"

ROUNDS=${ROUNDS:-3}
COUNT=${COUNT:-1000000}
RUNS=${RUNS:-5}
SIZE=${SIZE:-64}
RATE=${RATE:-100000}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-1}
ECHO=${ECHO:-1}
PREFILL=${PREFILL:-1000000}
ACTIONS=${ACTIONS:-20}
IDLE=${IDLE:-2}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-20}
export GSK_RENDERER=${GSK_RENDERER:-cairo}

TARGET_APPENDS=1000000
TARGET_BYTES=150
TARGET_FRAME_MS=33
TARGET_ACTION_MS=100

APP_ID=io.github.crosstalk.Crosstalk
APP_PATH=/io/github/crosstalk/Crosstalk
WINDOW_PATH=$APP_PATH/window/1
ACTION=focus-composer

positive ROUNDS "$ROUNDS"
positive COUNT "$COUNT"
positive RUNS "$RUNS"
positive SIZE "$SIZE"
positive RATE "$RATE"
positive DURATION "$DURATION"
positive ACTIONS "$ACTIONS"
is_uint "$WARMUP" || die "WARMUP must be a whole number of seconds (got '$WARMUP')"
is_uint "$PREFILL" || die "PREFILL must be an integer (got '$PREFILL')"
is_uint "$IDLE" || die "IDLE must be a whole number of seconds (got '$IDLE')"
is_uint "$STARTUP_TIMEOUT" || die "STARTUP_TIMEOUT must be an integer (got '$STARTUP_TIMEOUT')"
[ "$WARMUP" -lt "$DURATION" ] || die "WARMUP must be shorter than DURATION"
case $ECHO in 0|1) ;; *) die "ECHO must be 0 or 1 (got '$ECHO')" ;; esac
if [ "$SIZE" -lt 8 ] || [ "$SIZE" -gt 2048 ]; then die "SIZE must be 8 to 2048 (got '$SIZE')"; fi

log_append=$builddir/bench/log-append
log_action=$builddir/bench/log-action
app=$builddir/src/app/crosstalk
for f in "$log_append" "$log_action" "$app"; do
  [ -x "$f" ] || die "$f is not built (make build, or meson compile -C $builddir)"
done
[ -r "$builddir/data/gschemas.compiled" ] || die "$builddir/data/gschemas.compiled is missing (build first)"
command -v Xvfb >/dev/null || die "no Xvfb found; on Debian: apt-get install xvfb"
command -v dbus-daemon >/dev/null || die "no dbus-daemon found; on Debian: apt-get install dbus"
command -v timeout >/dev/null || die "no timeout(1) found"

need_cc
compile udp-flood

bench_setup

# ---- helpers -------------------------------------------------------------

xvfb_pid=
bus_pid=

# Phase 2 starts these three besides what lib.sh knows of: the app is
# $server_pid (SIGTERM makes it quit as app.quit does), Xvfb and the bus.
log_cleanup ()
{
  stop_server
  if [ -n "$bus_pid" ]; then
    kill "$bus_pid" 2>/dev/null
    wait "$bus_pid" 2>/dev/null
  fi
  if [ -n "$xvfb_pid" ]; then
    kill "$xvfb_pid" 2>/dev/null
    wait "$xvfb_pid" 2>/dev/null
  fi
  cleanup
}
trap log_cleanup EXIT

# field NAME FILE — the value after "NAME " on its line in FILE.
field () { sed -n "s/^$1 \\([^ ]*\\).*/\\1/p" "$2" | tail -n 1; }

# at_least A B / at_most A B — met or NOT met.
at_least () { awk -v a="$1" -v b="$2" 'BEGIN { print (a != "" && a >= b) ? "met" : "NOT met" }'; }
at_most () { awk -v a="$1" -v b="$2" 'BEGIN { print (a != "" && a <= b) ? "met" : "NOT met" }'; }

# p95 — nearest-rank 95th percentile of the numbers on stdin, one decimal
# (empty when there are none).
p95 ()
{
  sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) exit
    r = int(0.95 * NR); if (r < 0.95 * NR) r++; if (r < 1) r = 1
    printf "%.1f\n", v[r] }'
}

# wait_for_file FILE SECONDS — true once FILE is not empty; false if it is
# still empty after SECONDS or if the app died.
wait_for_file ()
{
  local i=0
  while [ ! -s "$1" ]; do
    [ $i -ge $(($2 * 20)) ] && return 1
    [ -n "$server_pid" ] && ! is_running "$server_pid" && return 1
    sleep 0.05
    i=$((i + 1))
  done
  return 0
}

# ---- phase 1: appends and memory -------------------------------------------

echo "appends: $COUNT messages of $SIZE bytes per run, best of $RUNS runs per process, $ROUNDS rounds"
echo "crosstalk: ct_message_log_append into a CtMessageLog;  reference: GBytes into a GPtrArray"

declare -a ours_rates=() ref_rates=() ours_bytes=() ref_bytes=()
for ((r = 1; r <= ROUNDS; r++)); do
  if [ $((r % 2)) -eq 1 ]; then order="log ref"; else order="ref log"; fi
  for kind in $order; do
    run_load "$tmp/append.out" "$tmp/append.err" \
      timeout 300 "$log_append" "$kind" "$COUNT" "$RUNS" "$SIZE"
    rate=$(field appends_per_s "$tmp/append.out")
    bytes=$(field bytes_per_message "$tmp/append.out")
    if [ "$status" -ne 0 ] || [ -z "$rate" ] || [ -z "$bytes" ]; then
      echo "$me: error: log-append $kind failed (status $status):" >&2
      sed 's/^/  /' "$tmp/append.err" "$tmp/append.out" | head -n 20 >&2
      exit 1
    fi
    sed 's/^/  /' "$tmp/append.err" >&2
    if [ "$kind" = log ]; then
      name=crosstalk
      ours_rates+=("$rate")
      ours_bytes+=("$(printf '%.0f' "$bytes")")
    else
      name=reference
      ref_rates+=("$rate")
      ref_bytes+=("$(printf '%.0f' "$bytes")")
    fi
    printf 'round %d/%d  %-9s  appends_per_s %s  bytes_per_message %s\n' "$r" "$ROUNDS" "$name" "$rate" "$bytes"
  done
done

ours_rate=$(median "${ours_rates[@]}")
ref_rate=$(median "${ref_rates[@]}")
ours_bpm=$(median "${ours_bytes[@]}")
ref_bpm=$(median "${ref_bytes[@]}")
echo "reference_appends_per_s $ref_rate"
echo "reference_bytes_per_message $ref_bpm"

# ---- phase 2: the window under a flood -------------------------------------

echo "window: UDP page, server on 127.0.0.1 (echo $ECHO), $RATE datagrams/s of $SIZE bytes for $DURATION s," \
     "measured after ${WARMUP} s; $ACTIONS x win.$ACTION over D-Bus; GSK_RENDERER=$GSK_RENDERER"

# A private X server; it writes its display number to fd 3 when ready
Xvfb -displayfd 3 -screen 0 1400x900x24 -nolisten tcp 3>"$tmp/display" >"$tmp/xvfb.err" 2>&1 </dev/null &
xvfb_pid=$!
# A private session bus; it writes its address to fd 3
dbus-daemon --session --nofork --nopidfile --print-address=3 3>"$tmp/bus" >"$tmp/bus.err" 2>&1 </dev/null &
bus_pid=$!
if ! wait_for_file "$tmp/display" 10 || ! wait_for_file "$tmp/bus" 10; then
  sed 's/^/  /' "$tmp/xvfb.err" "$tmp/bus.err" | head -n 20 >&2
  die "Xvfb or dbus-daemon did not start"
fi
DISPLAY=:$(head -n 1 "$tmp/display")
DBUS_SESSION_BUS_ADDRESS=$(head -n 1 "$tmp/bus")
export DISPLAY DBUS_SESSION_BUS_ADDRESS
unset WAYLAND_DISPLAY

probe=$tmp/probe
# The probe quits the app by itself if nobody does
probe_seconds=$((STARTUP_TIMEOUT + IDLE + DURATION + 60))
(
  export GSETTINGS_SCHEMA_DIR=$builddir/data GSETTINGS_BACKEND=memory
  export GTK_A11Y=none NO_AT_BRIDGE=1 GDK_BACKEND=x11
  export CT_FRAME_PROBE=$probe CT_FRAME_PROBE_UDP_SERVER=0 CT_FRAME_PROBE_UDP_ECHO=$ECHO
  export CT_FRAME_PROBE_SECONDS=$probe_seconds
  export CT_FRAME_PROBE_PREFILL=$PREFILL CT_FRAME_PROBE_PREFILL_SIZE=$SIZE
  exec "$app" --page=udp
) >"$tmp/app.out" 2>"$tmp/app.err" </dev/null &
server_pid=$!

if ! wait_for_file "$probe.ready" "$STARTUP_TIMEOUT"; then
  sed 's/^/  app stderr: /' "$tmp/app.err" | tail -n 20 >&2
  die "the app did not start its UDP server within $STARTUP_TIMEOUT s (no $probe.ready)"
fi
ready=$(head -n 1 "$probe.ready")
case $ready in
  "ready 127."*:[1-9]*) ;;
  *) sed 's/^/  app stderr: /' "$tmp/app.err" | tail -n 20 >&2
     die "the app's UDP server did not start: $ready" ;;
esac
address=${ready#ready }
host=${address%:*}
port=${address##*:}
echo "server: $address, $PREFILL entries in its log"
sleep 1

# The reference: frames and actions with nothing going on
run_load "$tmp/idle-action.out" "$tmp/idle-action.err" \
  "$log_action" "$APP_ID" "$WINDOW_PATH" "$ACTION" 10 $((IDLE * 100)) 10000
[ "$status" -eq 0 ] || { sed 's/^/  /' "$tmp/idle-action.err" "$tmp/idle-action.out" | head >&2;
                         die "the app did not answer win.$ACTION over D-Bus"; }
# The idle window: between the first and the last idle call (monotonic µs)
idle_from=$(sed -n 's/^call 1 start_us \([0-9]*\).*/\1/p' "$tmp/idle-action.out")
idle_to=$(sed -n 's/^call [0-9]* start_us \([0-9]*\).*/\1/p' "$tmp/idle-action.out" | tail -n 1)

# The flood, and the actions spread over the measured window
start_load "$tmp/flood.out" "$tmp/flood.err" \
  "$out/udp-flood" "$host" "$port" "$RATE" "$DURATION" "$SIZE"
flood_pid=$load_pid
sleep "$WARMUP"
interval_ms=$(((DURATION - WARMUP) * 1000 / ACTIONS))
"$log_action" "$APP_ID" "$WINDOW_PATH" "$ACTION" "$ACTIONS" "$interval_ms" 10000 \
  >"$tmp/action.out" 2>"$tmp/action.err" </dev/null &
action_pid=$!
load_pid=$flood_pid
wait_load
flood_status=$status
load_pid=$action_pid
wait_load
action_status=$status
check_server app "during the flood"

# Quit (SIGTERM: the app quits as app.quit does), and the probe writes
# its records on the way out
stop_server
grep -q '^end$' "$probe" 2>/dev/null || die "the probe wrote no records ($probe)"

if [ "$flood_status" -ne 0 ]; then
  warn "udp-flood could not keep to its schedule: $(field send_errors "$tmp/flood.out") datagrams not sent"
  sed 's/^/  /' "$tmp/flood.err" | head -n 5 >&2
fi
if [ "$action_status" -ne 0 ]; then
  warn "some UI actions were not answered:"
  grep ' error ' "$tmp/action.out" | head -n 5 >&2
fi

flood_start=$(field start_us "$tmp/flood.out")
flood_end=$(field end_us "$tmp/flood.out")
if [ -z "$flood_start" ] || [ -z "$flood_end" ]; then die "udp-flood gave no times"; fi
from=$((flood_start + WARMUP * 1000000))
to=$flood_end

# frame_intervals FROM TO — the intervals (ms) between consecutive frame
# ends in [FROM, TO], the edges counting as frames.
frame_intervals ()
{
  awk -v from="$1" -v to="$2" '
    $1 == "frame" && $3 >= from && $3 <= to { t[++n] = $3 }
    END {
      prev = from
      for (i = 1; i <= n; i++) { printf "%.3f\n", (t[i] - prev) / 1000; prev = t[i] }
      printf "%.3f\n", (to - prev) / 1000
    }' "$probe"
}

idle_frame=$(frame_intervals "$idle_from" "$idle_to" | p95)
frame_p95=$(frame_intervals "$from" "$to" | p95)
idle_action=$(field latency_p95_ms "$tmp/idle-action.out")
action_p95=$(field latency_p95_ms "$tmp/action.out")
action_max=$(field latency_max_ms "$tmp/action.out")
lag=$(awk -v from="$from" -v to="$to" '$1 == "lag" && $3 >= from && $3 <= to { printf "%.3f\n", ($3 - $2) / 1000 }' "$probe" | p95)
lag_max=$(awk -v from="$from" -v to="$to" 'BEGIN { m = 0 } $1 == "lag" && $3 >= from && $3 <= to { d = ($3 - $2) / 1000; if (d > m) m = d } END { printf "%.1f\n", m }' "$probe")

# Per second of flood: frames, painted, p95 of the intervals, entries logged
for ((s = 0; s < DURATION; s++)); do
  a=$((flood_start + s * 1000000))
  b=$((a + 1000000))
  [ "$b" -gt "$flood_end" ] && b=$flood_end
  line=$(awk -v from="$a" -v to="$b" '
    $1 == "frame" && $3 <= from { before = $5 }
    $1 == "frame" && $3 > from && $3 <= to { n++; p += $4; last = $5; if (first == "") first = before }
    END { if (first == "") first = last; printf "frames %d  painted %d  app_entries %d  log_entries %d", n, p, last - first, last }' "$probe")
  sp95=$(frame_intervals "$a" "$b" | p95)
  printf 'second %2d  %s  frame_p95_ms %s\n' "$((s + 1))" "$line" "$sp95"
done

sent=$(sed -n 's/^sent [0-9]* sent_per_s \([0-9]*\)$/\1/p' "$tmp/flood.out")
echoes=$(sed -n 's/^echoes [0-9]* echoes_per_s \([0-9]*\)$/\1/p' "$tmp/flood.out")
echo "flood sent_per_s ${sent:-?}  echoes_per_s ${echoes:-?}  (echo $ECHO)"
echo "idle_frame_p95_ms ${idle_frame:-?}"
echo "idle_action_latency_ms ${idle_action:-?}"
echo "action_latency_max_ms ${action_max:-?}"
echo "main_loop_lag_p95_ms ${lag:-?}  max ${lag_max:-?}"

[ -n "$frame_p95" ] || die "no frame figures"
[ -n "$action_p95" ] || die "no UI action was answered during the flood"

# ---- summary ---------------------------------------------------------------

echo "appends_per_s $ours_rate"
echo "appends_ratio_vs_ref $(quotient "$ours_rate" "$ref_rate")"
echo "bytes_per_message $ours_bpm"
echo "frame_p95_ms $frame_p95"
echo "action_latency_ms $action_p95"
echo "target appends_per_s >= $TARGET_APPENDS $(at_least "$ours_rate" "$TARGET_APPENDS")"
echo "target bytes_per_message <= $TARGET_BYTES $(at_most "$ours_bpm" "$TARGET_BYTES")"
echo "target frame_p95_ms <= $TARGET_FRAME_MS $(at_most "$frame_p95" "$TARGET_FRAME_MS")"
echo "target action_latency_ms <= $TARGET_ACTION_MS $(at_most "$action_p95" "$TARGET_ACTION_MS")"
