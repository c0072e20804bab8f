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

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
out=$here/out

builddir=${1:-_build}
case $builddir in
  /*) ;;
  *) builddir=$PWD/$builddir ;;
esac
cli=$builddir/src/cli/crosstalk-cli

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

die ()
{
  echo "tcp.sh: error: $*" >&2
  exit 1
}

is_uint () { case $1 in ''|*[!0-9]*) return 1 ;; *) return 0 ;; esac; }

is_seconds ()
{
  case $1 in ''|*[!0-9.]*|*.*.*|.) return 1 ;; *) return 0 ;; esac
}

positive ()
{
  if ! is_uint "$2" || [ "$2" -lt 1 ]; then
    die "$1 must be a positive integer (got '$2')"
  fi
}

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
if [ -n "${CT_SERVER_CMD:-}" ]; then
  ours_cmd=$CT_SERVER_CMD
else
  if [ ! -x "$cli" ]; then
    echo "tcp.sh: error: the CLI is not built: $cli does not exist (or is not executable)." >&2
    echo "tcp.sh: build it first (make build), or set CT_SERVER_CMD to try this script." >&2
    exit 1
  fi
  ours_cmd="$(printf '%q' "$cli") serve tcp --port=0 --framing=line --mode=echo --quiet --json"
fi

command -v cc >/dev/null || die "no C compiler (cc) found"
command -v timeout >/dev/null || die "no timeout(1) found"
mkdir -p "$out" || die "cannot create $out"
cc -O2 -Wall -o "$out/tcp-echo-min" "$here/tcp-echo-min.c" || die "cannot compile tcp-echo-min.c"
cc -O2 -Wall -o "$out/tcp-load" "$here/tcp-load.c" || die "cannot compile tcp-load.c"

# Room for the idle connections, in the load generator and in the servers
# (both inherit it); tcp-load would raise its own limit anyway.
nofile_needed=$((IDLE_CONNECTIONS + CONNECTIONS + 64))
nofile=$(ulimit -Sn)
if [ "$nofile" != unlimited ] && [ "$nofile" -lt "$nofile_needed" ]; then
  hard=$(ulimit -Hn)
  if [ "$hard" != unlimited ] && [ "$hard" -lt "$nofile_needed" ]; then
    echo "tcp.sh: warning: the hard limit on open files is $hard; $nofile_needed wanted" >&2
    ulimit -Sn "$hard" 2>/dev/null
  else
    ulimit -Sn "$nofile_needed" 2>/dev/null \
      || echo "tcp.sh: warning: cannot raise the open-file limit to $nofile_needed" >&2
  fi
fi

cd "$top" || die "cannot enter $top"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/crosstalk-bench.XXXXXX") || die "mktemp failed"
server_pid=
load_pid=
sleep_pid=

# True while $1 is alive (a zombie, exited but not yet waited for, is not).
is_running ()
{
  local state
  if [ -r "/proc/$1/stat" ]; then
    state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
    [ -n "$state" ] && [ "$state" != Z ]
  else
    kill -0 "$1" 2>/dev/null
  fi
}

# Stops the server we started, by its pid: SIGTERM, then SIGKILL after 5 s.
stop_server ()
{
  local i=0
  [ -n "$server_pid" ] || return 0
  kill "$server_pid" 2>/dev/null
  while is_running "$server_pid" && [ $i -lt 100 ]; do
    sleep 0.05
    i=$((i + 1))
  done
  if is_running "$server_pid"; then
    echo "tcp.sh: warning: server (pid $server_pid) ignored SIGTERM for 5 s; killing it" >&2
    kill -KILL "$server_pid" 2>/dev/null
  fi
  wait "$server_pid" 2>/dev/null
  server_pid=
}

# Stops the load generator we started (timeout(1), which passes SIGTERM on).
stop_load ()
{
  [ -n "$load_pid" ] || return 0
  kill "$load_pid" 2>/dev/null
  wait "$load_pid" 2>/dev/null
  load_pid=
}

cleanup ()
{
  if [ -n "$sleep_pid" ]; then
    kill "$sleep_pid" 2>/dev/null
    wait "$sleep_pid" 2>/dev/null
  fi
  stop_load
  stop_server
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# utime + stime of a process, in clock ticks (empty if unknown).
cpu_ticks ()
{
  [ -r "/proc/$1/stat" ] || return 0
  sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'
}

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

now_ns () { date +%s%N; }

# Sleeps until the date +%s%N value $1, if it is in the future.  In the
# background and waited for, so that an interrupt is handled at once.
sleep_until_ns ()
{
  local s
  s=$(awk -v t="$1" -v n="$(now_ns)" 'BEGIN { if (t > n) printf "%.3f", (t - n) / 1e9; else print 0 }')
  [ "$s" = 0 ] && return 0
  sleep "$s" &
  sleep_pid=$!
  wait "$sleep_pid"
  sleep_pid=
}

clk_tck=$(getconf CLK_TCK 2>/dev/null || echo 100)

# cpu_percent TICKS0 TICKS1 T0 T1 — the CPU share between two cpu_ticks
# readings taken at the now_ns readings T0 and T1.
cpu_percent ()
{
  if [ -n "$1" ] && [ -n "$2" ]; then
    awk -v a="$1" -v b="$2" -v t0="$3" -v t1="$4" -v hz="$clk_tck" \
      'BEGIN { printf "%.0f", 100 * (b - a) / hz / ((t1 - t0) / 1e9) }'
  else
    printf '?'
  fi
}

show_server_err ()
{
  sed 's/^/  stderr: /' "$tmp/server.err" | tail -n 20 >&2
}

# start_server KIND CMD — starts CMD in the background and reads the address
# from its first stdout line.  Sets $server_pid, $host and $port.
start_server ()
{
  local kind=$1 cmd=$2
  local line='' i=0 limit status

  : >"$tmp/server.out"
  : >"$tmp/server.err"
  # exec, so that $! is the server itself and we can stop it by its pid.
  ( eval "exec $cmd" ) >"$tmp/server.out" 2>"$tmp/server.err" </dev/null &
  server_pid=$!

  limit=$((STARTUP_TIMEOUT * 20))
  while :; do
    if [ "$(wc -l <"$tmp/server.out")" -ge 1 ]; then
      line=$(head -n 1 "$tmp/server.out")
      break
    fi
    if ! is_running "$server_pid"; then
      wait "$server_pid" 2>/dev/null
      status=$?
      server_pid=
      echo "tcp.sh: error: $kind server exited (status $status) before printing its first line." >&2
      echo "tcp.sh: command: $cmd" >&2
      show_server_err
      exit 1
    fi
    if [ $i -ge $limit ]; then
      echo "tcp.sh: error: $kind server printed no first line within ${STARTUP_TIMEOUT} s" \
           "(is stdout flushed after the listening line?)." >&2
      echo "tcp.sh: command: $cmd" >&2
      show_server_err
      exit 1
    fi
    sleep 0.05
    i=$((i + 1))
  done

  # {...,"event":"listening","address":"127.0.0.1:PORT"}
  host=$(printf '%s\n' "$line" \
         | sed -n 's/.*"address" *: *"\([0-9][0-9.]*\):\([0-9][0-9]*\)".*/\1/p')
  port=$(printf '%s\n' "$line" \
         | sed -n 's/.*"address" *: *"\([0-9][0-9.]*\):\([0-9][0-9]*\)".*/\2/p')
  [ "$host" = 0.0.0.0 ] && host=127.0.0.1
  if [ -z "$port" ] || [ "$port" = 0 ]; then
    echo "tcp.sh: error: cannot read the port from the $kind server's first line:" >&2
    echo "  $line" >&2
    echo "tcp.sh: expected e.g. {...,\"event\":\"listening\",\"address\":\"127.0.0.1:40123\"}" >&2
    exit 1
  fi
}

# Exits (status 1) if the server we started has died.
check_server ()
{
  local status
  is_running "$server_pid" && return 0
  wait "$server_pid" 2>/dev/null
  status=$?
  server_pid=
  echo "tcp.sh: error: $1 server died $2 (status $status)." >&2
  show_server_err
  exit 1
}

# Reads the load generator's figure from $tmp/load.out into $rate; exits if
# there is none, warns if the load generator reported errors.
read_rate ()
{
  local kind=$1 status=$2
  rate=$(sed -n 's/^messages_per_s \([0-9][0-9]*\)$/\1/p' "$tmp/load.out")
  if [ -z "$rate" ]; then
    echo "tcp.sh: error: tcp-load gave no figure against the $kind server (status $status)." >&2
    sed 's/^/  /' "$tmp/load.err" | head -n 20 >&2
    exit 1
  fi
  if [ "$status" -ne 0 ]; then
    echo "tcp.sh: warning: tcp-load against the $kind server reported errors:" >&2
    sed 's/^/  /' "$tmp/load.err" | head -n 20 >&2
  fi
}

# run_one KIND CMD — a fresh server driven by tcp-load for DURATION seconds.
# Sets $rate and $info.
run_one ()
{
  local kind=$1 cmd=$2
  local ticks0 ticks1 t0 t1 load_cpu status

  start_server "$kind" "$cmd"
  ticks0=$(cpu_ticks "$server_pid")
  t0=$(now_ns)
  # In the background and waited for, so that an interrupt is handled at
  # once; tcp-load stops itself (alarm) and timeout is a second guard.
  timeout "$(awk -v d="$DURATION" -v c="$CONNECT_ALLOWANCE" 'BEGIN { print d + c }')" \
    "$out/tcp-load" "$host" "$port" "$DURATION" "$CONNECTIONS" "$WINDOW" "$SIZE" \
    >"$tmp/load.out" 2>"$tmp/load.err" </dev/null &
  load_pid=$!
  wait "$load_pid"
  status=$?
  load_pid=
  t1=$(now_ns)
  ticks1=$(cpu_ticks "$server_pid")

  check_server "$kind" "during the run"
  stop_server
  read_rate "$kind" "$status"

  load_cpu=$(sed -n 's/.* load_cpu \([0-9][0-9]*\)%.*/\1/p' "$tmp/load.err")
  info="server_cpu $(cpu_percent "$ticks0" "$ticks1" "$t0" "$t1")%  load_cpu ${load_cpu:-?}%"
}

median ()
{
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
    END {
      if (NR % 2) print v[(NR + 1) / 2]
      else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2
    }'
}

echo "tcp echo: ${CONNECTIONS} connections x ${WINDOW} lines in flight, ${SIZE}-byte lines," \
     "${ROUNDS} rounds x ${DURATION} s"
echo "reference: $ref_cmd"
echo "crosstalk: $ours_cmd"

# ---- throughput --------------------------------------------------------

ref_rates=()
ours_rates=()
r=1
while [ $r -le "$ROUNDS" ]; do
  if [ $((r % 2)) -eq 1 ]; then order="reference crosstalk"; else order="crosstalk reference"; fi
  for kind in $order; do
    if [ "$kind" = reference ]; then
      run_one reference "$ref_cmd"
      ref_rate=$rate
      ref_rates+=("$rate")
    else
      run_one crosstalk "$ours_cmd"
      ours_rate=$rate
      ours_rates+=("$rate")
    fi
    printf 'round %d/%d  %-9s  messages_per_s %s  %s\n' "$r" "$ROUNDS" "$kind" "$rate" "$info"
  done
  printf 'round %d/%d  ratio %s\n' "$r" "$ROUNDS" \
    "$(awk -v a="$ours_rate" -v b="$ref_rate" \
       'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')"
  r=$((r + 1))
done

ref_median=$(median "${ref_rates[@]}")
ours_median=$(median "${ours_rates[@]}")
[ "$ref_median" -gt 0 ] || die "the reference echoed nothing; cannot compute a ratio"

echo "reference_messages_per_s $ref_median"
echo "crosstalk_messages_per_s $ours_median"
awk -v a="$ours_median" -v b="$ref_median" -v t="$TARGET" 'BEGIN {
  printf "ratio %.2f\n", a / b
  printf "target %s %s\n", t, (a / b >= t ? "met" : "NOT met")
}'

# ---- memory under load -------------------------------------------------

if awk -v d="$DURATION_MEMORY" 'BEGIN { exit !(d > 0) }'; then
  echo "memory: crosstalk under the same load for ${DURATION_MEMORY} s, VmRSS every ${SAMPLE_INTERVAL} s"
  start_server crosstalk "$ours_cmd"
  ticks0=$(cpu_ticks "$server_pid")
  t0=$(now_ns)
  timeout "$(awk -v d="$DURATION_MEMORY" -v c="$CONNECT_ALLOWANCE" 'BEGIN { print d + c }')" \
    "$out/tcp-load" "$host" "$port" "$DURATION_MEMORY" "$CONNECTIONS" "$WINDOW" "$SIZE" \
    >"$tmp/load.out" 2>"$tmp/load.err" </dev/null &
  load_pid=$!

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
      echo "tcp.sh: warning: tcp-load stopped early, ${at} s into the memory phase" >&2
      break
    fi
    rss=$(rss_kib "$server_pid")
    [ -n "$rss" ] || die "cannot read VmRSS from /proc/$server_pid/status"
    samples+=("$rss")
    printf 'memory  t=%5ss  rss_kib %s\n' "$at" "$rss"
    k=$((k + 1))
  done

  wait "$load_pid"
  status=$?
  load_pid=
  t1=$(now_ns)
  ticks1=$(cpu_ticks "$server_pid")
  check_server crosstalk "at the end of the memory phase"
  mem_cpu=$(cpu_percent "$ticks0" "$ticks1" "$t0" "$t1")
  stop_server
  read_rate crosstalk "$status"
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

  timeout "$((IDLE_HOLD + CONNECT_ALLOWANCE))" \
    "$out/tcp-load" --idle "$IDLE_CONNECTIONS" "$host" "$port" "$IDLE_HOLD" \
    >"$tmp/load.out" 2>"$tmp/load.err" </dev/null &
  load_pid=$!

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
