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
WINDOW=${WINDOW:-32}
SIZE=${SIZE:-64}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-10}
TARGET=0.50

die ()
{
  echo "udp.sh: error: $*" >&2
  exit 1
}

is_uint () { case $1 in ''|*[!0-9]*) return 1 ;; *) return 0 ;; esac; }

if ! is_uint "$ROUNDS" || [ "$ROUNDS" -lt 1 ]; then
  die "ROUNDS must be a positive integer (got '$ROUNDS')"
fi
if ! is_uint "$WINDOW" || [ "$WINDOW" -lt 1 ]; then
  die "WINDOW must be a positive integer (got '$WINDOW')"
fi
is_uint "$SIZE" || die "SIZE must be an integer (got '$SIZE')"
is_uint "$STARTUP_TIMEOUT" || die "STARTUP_TIMEOUT must be an integer (got '$STARTUP_TIMEOUT')"
case $DURATION in
  ''|*[!0-9.]*|*.*.*|.) die "DURATION must be a number of seconds (got '$DURATION')" ;;
esac

ref_cmd="$(printf '%q' "$out/udp-echo-min") 0"
if [ -n "${CT_SERVER_CMD:-}" ]; then
  ours_cmd=$CT_SERVER_CMD
else
  if [ ! -x "$cli" ]; then
    echo "udp.sh: error: the CLI is not built: $cli does not exist (or is not executable)." >&2
    echo "udp.sh: build it first (make build), or set CT_SERVER_CMD to try this script." >&2
    exit 1
  fi
  ours_cmd="$(printf '%q' "$cli") serve udp --port=0 --quiet --json"
fi

command -v cc >/dev/null || die "no C compiler (cc) found"
mkdir -p "$out" || die "cannot create $out"
cc -O2 -Wall -o "$out/udp-echo-min" "$here/udp-echo-min.c" || die "cannot compile udp-echo-min.c"
cc -O2 -Wall -o "$out/udp-load" "$here/udp-load.c" || die "cannot compile udp-load.c"

cd "$top" || die "cannot enter $top"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/crosstalk-bench.XXXXXX") || die "mktemp failed"
server_pid=
load_pid=

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
    echo "udp.sh: warning: server (pid $server_pid) ignored SIGTERM for 5 s; killing it" >&2
    kill -KILL "$server_pid" 2>/dev/null
  fi
  wait "$server_pid" 2>/dev/null
  server_pid=
}

cleanup ()
{
  if [ -n "$load_pid" ]; then
    kill "$load_pid" 2>/dev/null
    wait "$load_pid" 2>/dev/null
  fi
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

now_ns () { date +%s%N; }

clk_tck=$(getconf CLK_TCK 2>/dev/null || echo 100)

# run_one KIND CMD — starts CMD in the background, reads its port from its
# first stdout line, drives it with udp-load, stops it.  Sets $rate and $info.
run_one ()
{
  local kind=$1 cmd=$2
  local line='' port='' host='' i=0 limit ticks0 ticks1 t0 t1 server_cpu load_cpu status

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
      echo "udp.sh: error: $kind server exited (status $status) before printing its first line." >&2
      echo "udp.sh: command: $cmd" >&2
      sed 's/^/  stderr: /' "$tmp/server.err" | head -n 20 >&2
      exit 1
    fi
    if [ $i -ge $limit ]; then
      echo "udp.sh: error: $kind server printed no first line within ${STARTUP_TIMEOUT} s" \
           "(is stdout flushed after the listening line?)." >&2
      echo "udp.sh: command: $cmd" >&2
      sed 's/^/  stderr: /' "$tmp/server.err" | head -n 20 >&2
      exit 1
    fi
    sleep 0.05
    i=$((i + 1))
  done

  if [ "$kind" = reference ]; then
    host=127.0.0.1
    port=$(printf '%s\n' "$line" | sed -n 's/^listening 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p')
  else
    # {"time":"...",...,"event":"listening","address":"127.0.0.1:PORT"}
    host=$(printf '%s\n' "$line" \
           | sed -n 's/.*"address" *: *"\([0-9][0-9.]*\):\([0-9][0-9]*\)".*/\1/p')
    port=$(printf '%s\n' "$line" \
           | sed -n 's/.*"address" *: *"\([0-9][0-9.]*\):\([0-9][0-9]*\)".*/\2/p')
    [ "$host" = 0.0.0.0 ] && host=127.0.0.1
  fi
  if [ -z "$port" ] || [ "$port" = 0 ]; then
    echo "udp.sh: error: cannot read the port from the $kind server's first line:" >&2
    echo "  $line" >&2
    echo "udp.sh: expected e.g. {...,\"event\":\"listening\",\"address\":\"127.0.0.1:40123\"}" >&2
    exit 1
  fi

  ticks0=$(cpu_ticks "$server_pid")
  t0=$(now_ns)
  # In the background and waited for, so that an interrupt is handled at
  # once; udp-load stops itself (alarm) and timeout is a second guard.
  timeout "$(awk -v d="$DURATION" 'BEGIN { print d + 10 }')" \
    "$out/udp-load" "$host" "$port" "$DURATION" "$WINDOW" "$SIZE" \
    >"$tmp/load.out" 2>"$tmp/load.err" </dev/null &
  load_pid=$!
  wait "$load_pid"
  status=$?
  load_pid=
  t1=$(now_ns)
  ticks1=$(cpu_ticks "$server_pid")

  if ! is_running "$server_pid"; then
    wait "$server_pid" 2>/dev/null
    echo "udp.sh: error: $kind server died during the run (status $?)." >&2
    sed 's/^/  stderr: /' "$tmp/server.err" | tail -n 20 >&2
    server_pid=
    exit 1
  fi
  stop_server

  rate=$(sed -n 's/^datagrams_per_s \([0-9][0-9]*\)$/\1/p' "$tmp/load.out")
  if [ -z "$rate" ]; then
    echo "udp.sh: error: udp-load gave no figure against the $kind server (status $status)." >&2
    sed 's/^/  /' "$tmp/load.err" >&2
    exit 1
  fi
  if [ "$status" -ne 0 ]; then
    echo "udp.sh: warning: no valid echo from the $kind server:" >&2
    sed 's/^/  /' "$tmp/load.err" >&2
  fi

  server_cpu='?'
  if [ -n "$ticks0" ] && [ -n "$ticks1" ]; then
    server_cpu=$(awk -v a="$ticks0" -v b="$ticks1" -v t0="$t0" -v t1="$t1" -v hz="$clk_tck" \
                 'BEGIN { printf "%.0f", 100 * (b - a) / hz / ((t1 - t0) / 1e9) }')
  fi
  load_cpu=$(sed -n 's/.* load_cpu \([0-9][0-9]*\)%.*/\1/p' "$tmp/load.err")
  info="server_cpu ${server_cpu}%  load_cpu ${load_cpu:-?}%"
}

median ()
{
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
    END {
      if (NR % 2) print v[(NR + 1) / 2]
      else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2
    }'
}

echo "udp echo: ${SIZE}-byte datagrams, window ${WINDOW}, ${ROUNDS} rounds x ${DURATION} s"
echo "reference: $ref_cmd"
echo "crosstalk: $ours_cmd"

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
    printf 'round %d/%d  %-9s  datagrams_per_s %s  %s\n' "$r" "$ROUNDS" "$kind" "$rate" "$info"
  done
  printf 'round %d/%d  ratio %s\n' "$r" "$ROUNDS" \
    "$(awk -v a="$ours_rate" -v b="$ref_rate" \
       'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')"
  r=$((r + 1))
done

ref_median=$(median "${ref_rates[@]}")
ours_median=$(median "${ours_rates[@]}")
[ "$ref_median" -gt 0 ] || die "the reference echoed nothing; cannot compute a ratio"

echo "reference_datagrams_per_s $ref_median"
echo "crosstalk_datagrams_per_s $ours_median"
awk -v a="$ours_median" -v b="$ref_median" -v t="$TARGET" 'BEGIN {
  printf "ratio %.2f\n", a / b
  printf "target %s %s\n", t, (a / b >= t ? "met" : "NOT met")
}'
