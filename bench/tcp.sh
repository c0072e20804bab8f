#!/bin/bash
# bench/tcp.sh [BUILDDIR] — echoed 64-byte lines per second over TCP through
# `crosstalk-cli serve tcp`, against a minimal epoll echo loop
# (bench/tcp-echo-min.c), measured in the same run; prints the ratio.  Then,
# for our server only: its memory (VmRSS) sampled over a long run under
# load, and 1,000 idle connections held, with the memory each one costs.
# A measurement, not a test: it exits 0 whether or not the target is met,
# and 1 only when it cannot measure.
#
# BUILDDIR defaults to _build; the server is BUILDDIR/src/cli/crosstalk-cli,
# started as
#   crosstalk-cli serve tcp --port=0 --framing=line --mode=echo --quiet --json
# Its first stdout line must be the JSON "listening" event carrying
# "address":"127.0.0.1:PORT", flushed at once; nothing else is read from it.
# The reference announces itself the same way.
#
# Environment:
#   ROUNDS=3          throughput rounds; each runs the reference and ours once
#   DURATION=3        seconds measured per throughput run (after a 0.5 s warm-up)
#   CONNECTIONS=8     connections;  WINDOW=16  lines in flight on each;
#   SIZE=64           bytes per line, the '\n' included (at least 25)
#   DURATION_MEMORY=30  seconds of load in the memory phase (0 skips it)
#   SAMPLE_INTERVAL=3   seconds between VmRSS samples in that phase
#   IDLE_CONNECTIONS=1000  idle connections to hold (0 skips that phase)
#   STARTUP_TIMEOUT=10  seconds to wait for a server's first line
#   CT_SERVER_CMD     shell command to run instead of the CLI (evaluated in
#                     the top source directory), announcing itself the same
#                     way — to try this script without the CLI, e.g.
#                     CT_SERVER_CMD='bench/out/tcp-echo-min 0'
#
# Method: both servers bind 127.0.0.1 and are driven by the same load
# generator (bench/tcp-load.c: CONNECTIONS connections with WINDOW lines in
# flight on each; every echoed line is checked, in order, and only those
# count).  Each run gets a fresh server.  Nothing is pinned: on the 2-core
# machine the server and the load generator each get a core naturally and
# this script sleeps meanwhile.  Runs alternate (reference first in odd
# rounds, ours first in even ones) so drift in the machine's load hits both
# alike, and the figures reported are medians over the rounds.  Per run we
# also show the CPU the server used (from /proc) and the load generator's
# own: a server near 100% while the load generator has room to spare is the
# bottleneck, as it should be.
#
# Memory: a fresh server under the same load for DURATION_MEMORY seconds,
# its VmRSS (from /proc/PID/status) read at the start and every
# SAMPLE_INTERVAL seconds.  The server's message log keeps a bounded number
# of entries and then drops the oldest, so RSS climbs until the log is full
# and should be flat after that: the samples are printed to show it.
#
# Idle connections: a fresh server, its VmRSS and open descriptors read
# while it has no connection, then again while tcp-load holds
# IDLE_CONNECTIONS connections that it has checked are still open a second
# after opening them (a non-blocking read gets EAGAIN, not EOF or a reset).
# The server runs with its default connection limit.

set -u

me=tcp.sh
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh" || exit 1

use_builddir "${1:-_build}"

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-3}
CONNECTIONS=${CONNECTIONS:-8}
WINDOW=${WINDOW:-16}
SIZE=${SIZE:-64}
DURATION_MEMORY=${DURATION_MEMORY:-30}
SAMPLE_INTERVAL=${SAMPLE_INTERVAL:-3}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-1000}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-10}
TARGET=0.30
CONNECT_ALLOWANCE=40   # tcp-load may take 30 s to connect; plus a margin
IDLE_HOLD=120          # tcp-load --idle lets go by itself after this long
listen_form=address    # for start_server

positive ROUNDS "$ROUNDS"
positive CONNECTIONS "$CONNECTIONS"
positive WINDOW "$WINDOW"
if ! is_uint "$SIZE" || [ "$SIZE" -lt 25 ]; then
  die "SIZE must be an integer of at least 25 (got '$SIZE')"
fi
is_uint "$IDLE_CONNECTIONS" || die "IDLE_CONNECTIONS must be an integer (got '$IDLE_CONNECTIONS')"
is_uint "$STARTUP_TIMEOUT" || die "STARTUP_TIMEOUT must be an integer (got '$STARTUP_TIMEOUT')"
is_seconds "$DURATION" || die "DURATION must be a number of seconds (got '$DURATION')"
is_seconds "$DURATION_MEMORY" || die "DURATION_MEMORY must be a number of seconds (got '$DURATION_MEMORY')"
if ! is_seconds "$SAMPLE_INTERVAL" || ! awk -v s="$SAMPLE_INTERVAL" 'BEGIN { exit !(s >= 0.5) }'; then
  die "SAMPLE_INTERVAL must be a number of seconds, at least 0.5 (got '$SAMPLE_INTERVAL')"
fi
awk -v d="$DURATION" 'BEGIN { exit !(d >= 0.1) }' || die "DURATION must be at least 0.1 s"

ref_cmd="$(printf '%q' "$out/tcp-echo-min") 0"
ours_command serve tcp --port=0 --framing=line --mode=echo --quiet --json

need_cc
command -v timeout >/dev/null || die "no timeout(1) found"
compile tcp-echo-min
compile tcp-load

# Room for the idle connections, in the load generator and in the servers
# (both inherit it); tcp-load would raise its own limit anyway.
nofile_needed=$((IDLE_CONNECTIONS + CONNECTIONS + 64))
nofile=$(ulimit -Sn)
if [ "$nofile" != unlimited ] && [ "$nofile" -lt "$nofile_needed" ]; then
  hard=$(ulimit -Hn)
  if [ "$hard" != unlimited ] && [ "$hard" -lt "$nofile_needed" ]; then
    warn "the hard limit on open files is $hard; $nofile_needed wanted"
    ulimit -Sn "$hard" 2>/dev/null
  else
    ulimit -Sn "$nofile_needed" 2>/dev/null \
      || warn "cannot raise the open-file limit to $nofile_needed"
  fi
fi

bench_setup

# Resident memory of a process in KiB (empty if unknown).
rss_kib ()
{
  sed -n 's/^VmRSS:[[:space:]]*\([0-9][0-9]*\) kB$/\1/p' "/proc/$1/status" 2>/dev/null
}

# Open file descriptors of a process (empty if unknown).
fd_count ()
{
  [ -d "/proc/$1/fd" ] || return 0
  find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l
}

# load_cmd SECONDS — the tcp-load command line against $host:$port, as words
# in $load_argv: tcp-load stops itself (alarm) and timeout is a second guard.
load_cmd ()
{
  load_argv=(timeout "$(awk -v d="$1" -v c="$CONNECT_ALLOWANCE" 'BEGIN { print d + c }')"
             "$out/tcp-load" "$host" "$port" "$1" "$CONNECTIONS" "$WINDOW" "$SIZE")
}

# read_tcp_rate KIND STATUS — read_rate for tcp-load: sets $rate and $load_cpu.
read_tcp_rate ()
{
  read_rate tcp-load messages_per_s "$1" "$2" "tcp-load against the $1 server reported errors:"
}

# run_one KIND CMD — a fresh server driven by tcp-load for DURATION seconds.
# Sets $rate and $info.
run_one ()
{
  start_server "$1" "$2"
  load_cmd "$DURATION"
  measure "$1" run_load "$tmp/load.out" "$tmp/load.err" "${load_argv[@]}"
  read_tcp_rate "$1" "$status"
  info="server_cpu ${server_cpu}%  load_cpu ${load_cpu:-?}%"
}

round_ratios ()
{
  printf 'round %d/%d  ratio %s\n' "$1" "$ROUNDS" "$(quotient "${last[crosstalk]}" "${last[reference]}")"
}

echo "tcp echo: ${CONNECTIONS} connections x ${WINDOW} lines in flight, ${SIZE}-byte lines," \
     "${ROUNDS} rounds x ${DURATION} s"
echo "reference: $ref_cmd"
echo "crosstalk: $ours_cmd"

# ---- throughput --------------------------------------------------------

run_rounds messages_per_s reference "$ref_cmd" crosstalk "$ours_cmd"

ref_median=$(median_of reference)
ours_median=$(median_of crosstalk)
[ "$ref_median" -gt 0 ] || die "the reference echoed nothing; cannot compute a ratio"

echo "reference_messages_per_s $ref_median"
echo "crosstalk_messages_per_s $ours_median"
echo "ratio $(quotient "$ours_median" "$ref_median")"
echo "target $TARGET $(verdict "$ours_median" "$ref_median" "$TARGET")"

# ---- memory under load -------------------------------------------------

if awk -v d="$DURATION_MEMORY" 'BEGIN { exit !(d > 0) }'; then
  echo "memory: crosstalk under the same load for ${DURATION_MEMORY} s, VmRSS every ${SAMPLE_INTERVAL} s"
  start_server crosstalk "$ours_cmd"
  ticks0=$(cpu_ticks "$server_pid")
  t0=$(now_ns)
  load_cmd "$DURATION_MEMORY"
  start_load "$tmp/load.out" "$tmp/load.err" "${load_argv[@]}"

  # Samples at 0, SAMPLE_INTERVAL, 2 x SAMPLE_INTERVAL, ... and at the end
  # of the measured time, while the load is still running (it runs 0.5 s
  # longer, for its warm-up).  A bounded number of them.
  n_samples=$(awk -v d="$DURATION_MEMORY" -v s="$SAMPLE_INTERVAL" \
              'BEGIN { n = int(d / s); if (n * s < d) n++; print n }')
  samples=()
  k=0
  while [ $k -le "$n_samples" ]; do
    at=$(awk -v k="$k" -v s="$SAMPLE_INTERVAL" -v d="$DURATION_MEMORY" \
         'BEGIN { t = k * s; if (t > d) t = d; printf "%.1f", t }')
    sleep_until_ns "$(awk -v t0="$t0" -v at="$at" 'BEGIN { printf "%.0f", t0 + at * 1e9 }')"
    check_server crosstalk "under load, ${at} s into the memory phase"
    if ! is_running "$load_pid"; then
      warn "tcp-load stopped early, ${at} s into the memory phase"
      break
    fi
    rss=$(rss_kib "$server_pid")
    [ -n "$rss" ] || die "cannot read VmRSS from /proc/$server_pid/status"
    samples+=("$rss")
    printf 'memory  t=%5ss  rss_kib %s\n' "$at" "$rss"
    k=$((k + 1))
  done

  wait_load
  t1=$(now_ns)
  ticks1=$(cpu_ticks "$server_pid")
  check_server crosstalk "at the end of the memory phase"
  mem_cpu=$(cpu_percent "$ticks0" "$ticks1" "$t0" "$t1")
  stop_server
  read_tcp_rate crosstalk "$status"
  [ ${#samples[@]} -gt 0 ] || die "no VmRSS sample was taken under load"

  printf '%s\n' "${samples[@]}" | awk -v rate="$rate" -v d="$DURATION_MEMORY" -v cpu="$mem_cpu" '
    { v[NR] = $1; if (NR == 1 || $1 > max) max = $1 }
    END {
      mid = v[int((NR + 1) / 2)]
      printf "memory_rss_kib first %d last %d max %d\n", v[1], v[NR], max
      # (parentheses: a bare ">" in a printf argument list is a redirection)
      printf "memory_rss_growth_second_half_kib %d (%.1f%%)\n", v[NR] - mid,
             (mid > 0 ? 100 * (v[NR] - mid) / mid : 0)
      printf "memory_load messages_per_s %s (about %.0f lines echoed), server_cpu %s%%\n",
             rate, rate * d, cpu
    }'
fi

# ---- idle connections --------------------------------------------------

if [ "$IDLE_CONNECTIONS" -gt 0 ]; then
  echo "idle: ${IDLE_CONNECTIONS} connections held open on crosstalk"
  start_server crosstalk "$ours_cmd"
  sleep 0.5 # let it settle after startup
  check_server crosstalk "before the idle connections"
  rss_before=$(rss_kib "$server_pid")
  fds_before=$(fd_count "$server_pid")
  [ -n "$rss_before" ] || die "cannot read VmRSS from /proc/$server_pid/status"

  start_load "$tmp/load.out" "$tmp/load.err" timeout "$((IDLE_HOLD + CONNECT_ALLOWANCE))" \
    "$out/tcp-load" --idle "$IDLE_CONNECTIONS" "$host" "$port" "$IDLE_HOLD"

  # tcp-load prints its line once it has connected (within 30 s) and checked
  # the connections a second later.
  i=0
  line=
  while [ $i -lt $((CONNECT_ALLOWANCE * 20)) ]; do
    line=$(sed -n 's/^idle_held //p' "$tmp/load.out")
    [ -n "$line" ] && break
    is_running "$load_pid" || break
    sleep 0.05
    i=$((i + 1))
  done
  check_server crosstalk "while the idle connections were opened"
  if [ -z "$line" ]; then
    echo "tcp.sh: error: tcp-load --idle did not report the connections it holds." >&2
    sed 's/^/  /' "$tmp/load.err" | head -n 20 >&2
    exit 1
  fi
  rss_held=$(rss_kib "$server_pid")
  fds_held=$(fd_count "$server_pid")
  stop_load
  check_server crosstalk "while holding the idle connections"
  stop_server

  # line: H requested N opened O eof E reset R failed F
  held=${line%% *}
  printf '%s\n' "$line" | awk '{
    printf "idle_connections_held %s/%s  (opened %s, closed by the server %s, reset %s, connect failed %s)\n",
           $1, $3, $5, $7, $9, $11
  }'
  if [ -s "$tmp/load.err" ]; then
    sed 's/^/  /' "$tmp/load.err" | head -n 5
  fi
  if [ -s "$tmp/server.err" ]; then
    sed 's/^/  server stderr: /' "$tmp/server.err" | head -n 5
  fi
  echo "idle_server_fds before ${fds_before:-?} held ${fds_held:-?}"
  echo "idle_rss_kib before $rss_before held $rss_held"
  awk -v a="$rss_before" -v b="$rss_held" -v n="$held" 'BEGIN {
    if (n > 0) printf "memory_per_connection_bytes %.0f (%.2f KiB, over %d connections)\n",
                      (b - a) * 1024 / n, (b - a) / n, n
    else print "memory_per_connection_bytes n/a (no connection held)"
  }'
fi
exit 0
