#!/bin/bash
# bench/amqp.sh [BUILDDIR] — 64-byte persistent AMQP messages per second
# through one private RabbitMQ broker: published with publisher confirms
# (a window of unconfirmed messages) and consumed with manual acks and a
# prefetch, by our producer and consumer (`crosstalk-cli send amqp` and
# `crosstalk-cli serve amqp`), by a minimal C loop on rabbitmq-c
# (bench/amqp-min.c) and by python3-pika (bench/amqp-ref.py, the library of
# the classic teaching examples), all in the same run against the same
# broker; prints the rates and the ratios.
# A measurement, not a test: it exits 0 whether or not the targets are met,
# and 1 only when it cannot measure.
#
# BUILDDIR defaults to _build; the CLI is BUILDDIR/src/cli/crosstalk-cli.
# The broker is `crosstalk-cli broker --json --dir=TMP/broker` (its node,
# data and log in the script's temporary directory), started once for the
# whole run: it must print, once the broker takes connections (5–15 s), a
# stdout line that is a JSON object with "event":"ready" and
# "url":"amqp://guest:guest@127.0.0.1:PORT" (lines before it, such as a
# "starting" entry, are skipped); it runs until SIGTERM, which stops the
# broker and its epmd (it gets STOP_TIMEOUT seconds for that; an epmd that
# outlives it is stopped by the script, by its pid, with a warning).  Ours are
#   crosstalk-cli send amqp --url=URL --routing-key=QUEUE --persistent
#     --confirm --content-type= --window=WINDOW --count=N --quiet --wait=MS BODY
# (no content type, as the two references send none) which must publish N
# copies of BODY (64 bytes) to the default exchange
# with at most WINDOW unconfirmed and exit 0 once all N are confirmed, and
#   crosstalk-cli serve amqp --url=URL --queue=QUEUE --durable
#     --ack-mode=manual --prefetch=PREFETCH --count=N --quiet
# which must declare QUEUE (durable), consume with manual acks and exit 0
# once N deliveries are acked.  Nothing is read from their output; a
# non-zero exit is an error.  The reference runs with the Debian Python,
# /usr/bin/python3 (python3-pika): a python3 found first in PATH may be
# another one without it.  The C loop is compiled into bench/out/ at every
# run, with cc and -lrabbitmq (librabbitmq-dev).
#
# Environment:
#   ROUNDS=3          rounds; each runs the three implementations once
#   N=50000           messages published, then consumed, per run
#   WINDOW=100        unconfirmed messages a publisher may have
#   PREFETCH=100      basic.qos prefetch_count of the consumers
#   IMPLEMENTATIONS="c pika crosstalk"  which to measure (leaving out
#                     crosstalk measures the two references without the
#                     AMQP part of the CLI; the broker still comes from it)
#   STARTUP_TIMEOUT=90  seconds to wait for the broker's ready line
#   STOP_TIMEOUT=30   seconds the broker gets to stop after SIGTERM
#   RUN_TIMEOUT=300   seconds one publish or consume may take (timeout(1))
#   PYTHON=/usr/bin/python3  the reference's
#   CT_BROKER_CMD     shell command to run instead of `crosstalk-cli broker
#                     --json` (evaluated in the top source directory and
#                     exec'ed), announcing the broker the same way
#
# Method: every run gets a queue of its own (durable, not exclusive, not
# auto-delete, no arguments: every implementation declares it so), made
# empty with `amqp-min declare`.  Then the implementation's publisher puts
# N persistent (delivery_mode 2) messages of 64 bytes into it through the
# default exchange, after confirm.select, keeping at most WINDOW
# unconfirmed, and exits once all are confirmed; `amqp-min declare` checks
# the queue holds exactly N; then the implementation's consumer, with
# basic.qos prefetch_count PREFETCH, takes the N deliveries, acking each on
# its own, and exits; `amqp-min delete` removes the queue and checks that
# nothing was left in it.  Each publisher and consumer is timed by this
# script from its start to its exit (connection set-up included, the same
# way for all three); the rate is N over that time.  The C loop and pika
# print their own figures too, from just before connecting: the difference
# is process start-up (mostly the Python interpreter's).  Before the
# rounds, each implementation publishes and consumes PROBE_N (1,000)
# messages, not counted: the script stops if one of them cannot.  The order
# rotates by one place per round (c, pika, crosstalk; then pika, crosstalk,
# c; ...) so drift in the machine's load hits all alike, and the figures
# reported are medians over the rounds.  Per phase we also show the CPU the
# client used (its process and children) and the broker's (the broker
# command and its processes: RabbitMQ's Erlang VM uses both cores, so it
# can exceed 100%).  On a 2-core machine the broker and the client share
# the cores: publishing persistent messages with confirms is mostly the
# broker's work, so publish rates say more about the broker than about the
# client, and a client that is slower than the broker shows as client_cpu
# near 100%.
#
# Output: per run
#   round R/ROUNDS  KIND  publish_per_s P  consume_per_s C  ...CPU...
# then per round the ratios crosstalk/c, crosstalk/pika and c/pika for each
# phase, then the medians: c_, pika_, crosstalk_publish_per_s and
# _consume_per_s, publish_ratio_vs_c (crosstalk / c), publish_ratio_vs_pika,
# publish_c_vs_pika, "publish_target_vs_c 0.7 met|NOT met", and the same
# for consume.

set -u

me=amqp.sh
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh" || exit 1

use_builddir "${1:-_build}"

ROUNDS=${ROUNDS:-3}
N=${N:-50000}
WINDOW=${WINDOW:-100}
PREFETCH=${PREFETCH:-100}
IMPLEMENTATIONS=${IMPLEMENTATIONS:-c pika crosstalk}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-90}
STOP_TIMEOUT=${STOP_TIMEOUT:-30}
RUN_TIMEOUT=${RUN_TIMEOUT:-300}
PYTHON=${PYTHON:-/usr/bin/python3}
TARGET_PUBLISH_VS_C=0.7
TARGET_CONSUME_VS_C=0.7
PROBE_N=1000
# The message body: 64 bytes, the same for all (amqp-min.c and amqp-ref.py
# build this one).
BODY=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
# For start_server: the broker's "ready" line and its amqp:// URL.
listen_form=amqp
stop_timeout=$STOP_TIMEOUT

positive ROUNDS "$ROUNDS"
positive N "$N"
positive WINDOW "$WINDOW"
positive PREFETCH "$PREFETCH"
positive STOP_TIMEOUT "$STOP_TIMEOUT"
positive RUN_TIMEOUT "$RUN_TIMEOUT"
is_uint "$STARTUP_TIMEOUT" || die "STARTUP_TIMEOUT must be an integer (got '$STARTUP_TIMEOUT')"
[ "$N" -le 10000000 ] || die "N must be at most 10000000"
[ "$WINDOW" -le 65535 ] || die "WINDOW must be at most 65535"
[ "$PREFETCH" -le 65535 ] || die "PREFETCH must be at most 65535 (basic.qos takes 16 bits)"
[ "${#BODY}" -eq 64 ] || die "BODY must be 64 bytes"

kinds=()
for k in $IMPLEMENTATIONS; do
  case $k in
    c|pika|crosstalk) kinds+=("$k") ;;
    *) die "IMPLEMENTATIONS takes c, pika and crosstalk (got '$k')" ;;
  esac
done
[ ${#kinds[@]} -gt 0 ] || die "IMPLEMENTATIONS is empty"
has () { [[ " ${kinds[*]} " == *" $1 "* ]]; }

command -v timeout >/dev/null || die "no timeout(1) found"
if has pika; then
  [ -x "$PYTHON" ] || die "$PYTHON not found; the reference needs the Debian Python"
  if ! "$PYTHON" -c 'import pika' 2>/dev/null; then
    die "$PYTHON cannot import pika; on Debian: apt-get install python3-pika"
  fi
fi
need_file amqp-min.c amqp-ref.py

if { [ -z "${CT_BROKER_CMD:-}" ] || has crosstalk; } && [ ! -x "$cli" ]; then
  echo "$me: error: the CLI is not built: $cli does not exist (or is not executable)." >&2
  echo "$me: build it first (make build)." >&2
  exit 1
fi

need_cc
echo '#include <amqp.h>' | cc -E - >/dev/null 2>&1 \
  || die "the C compiler finds no <amqp.h>; on Debian: apt-get install librabbitmq-dev"
compile amqp-min -lrabbitmq

bench_setup

# The broker's node, data and log in $tmp: nothing shared with a broker the
# user runs (crosstalk-cli broker's default directory), nothing left after.
if [ -n "${CT_BROKER_CMD:-}" ]; then
  broker_cmd=$CT_BROKER_CMD
else
  broker_cmd="$(printf '%q' "$cli") broker --json --dir=$(printf '%q' "$tmp/broker")"
fi

queue=
broker_epmds=
# On any exit: the current queue deleted (while the broker is still
# there), then lib.sh's cleanup, which stops the broker; then the broker's
# epmd, if it outlived the broker (PEERS.md: it may), by its pid — only if
# that pid is still the same process (same start time).
amqp_cleanup ()
{
  local pid_start pid start i
  if [ -n "$queue" ] && [ -n "$server_pid" ]; then
    timeout 10 "$out/amqp-min" delete "$url" "$queue" >/dev/null 2>&1
  fi
  cleanup
  for pid_start in $broker_epmds; do
    pid=${pid_start%:*} start=${pid_start#*:}
    [ "$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f20)" = "$start" ] || continue
    warn "the broker's epmd (pid $pid) outlived it; stopping it"
    kill "$pid" 2>/dev/null
    i=0
    while is_running "$pid" && [ $i -lt 100 ]; do
      sleep 0.05
      i=$((i + 1))
    done
    is_running "$pid" && kill -KILL "$pid" 2>/dev/null
  done
}
trap amqp_cleanup EXIT

# process_tree PID — one line "PID STARTTIME TICKS COMM" for PID and for
# every process below it; TICKS is utime + stime + cutime + cstime in clock
# ticks (the CPU of exited children that were waited for is counted in
# their parent's).
process_tree ()
{
  # Through cat: a process that goes between the glob and the read is
  # skipped, where awk (mawk) would stop at the first file it cannot open.
  # shellcheck disable=SC2002
  cat /proc/[0-9]*/stat 2>/dev/null | awk -v root="$1" '
    {
      pid = $1
      line = $0
      comm = $0
      sub(/^.*\) /, "", line)
      sub(/^[^(]*\(/, "", comm)
      sub(/\) [^)]*$/, "", comm)
      split(line, f, " ")
      parent[pid] = f[2]
      info[pid] = pid " " f[20] " " (f[12] + f[13] + f[14] + f[15]) " " comm
    }
    END {
      if (!(root in parent)) exit
      inside[root] = 1
      do {
        added = 0
        for (p in parent)
          if (!(p in inside) && (parent[p] in inside)) { inside[p] = 1; added = 1 }
      } while (added)
      for (p in inside) print info[p]
    }'
}

# tree_ticks PID — the CPU of PID and every process below it, in clock ticks.
tree_ticks () { process_tree "$1" | awk '{ sum += $3 } END { print sum + 0 }'; }

# amqp_min ... — the C helper, bounded, its output in $tmp/helper.out;
# exits if it fails.
amqp_min ()
{
  run_load "$tmp/helper.out" "$tmp/helper.out" timeout 60 "$out/amqp-min" "$@"
  if [ "$status" -ne 0 ]; then
    echo "$me: error: amqp-min $1 failed (status $status):" >&2
    sed 's/^/  /' "$tmp/helper.out" | head -n 20 >&2
    exit 1
  fi
}

# ready_count QUEUE — declares QUEUE and sets $ready, the messages in it.
ready_count ()
{
  amqp_min declare "$url" "$1"
  ready=$(sed -n 's/^declared .* messages \([0-9][0-9]*\)$/\1/p' "$tmp/helper.out")
  [ -n "$ready" ] || die "amqp-min declare printed no count: $(head -c 200 "$tmp/helper.out")"
}

# client_cmd KIND PHASE QUEUE COUNT — sets the array $cmd: KIND's publisher
# or consumer of COUNT messages on QUEUE.
client_cmd ()
{
  local kind=$1 phase=$2 q=$3 count=$4
  case $kind:$phase in
    c:publish) cmd=("$out/amqp-min" publish "$url" "$q" "$count" "$WINDOW") ;;
    c:consume) cmd=("$out/amqp-min" consume "$url" "$q" "$count" "$PREFETCH") ;;
    pika:publish) cmd=("$PYTHON" "$here/amqp-ref.py" publish "$url" "$q" "$count" "$WINDOW") ;;
    pika:consume) cmd=("$PYTHON" "$here/amqp-ref.py" consume "$url" "$q" "$count" "$PREFETCH") ;;
    crosstalk:publish)
      cmd=("$cli" send amqp --url="$url" --routing-key="$q" --persistent --confirm --content-type=
           --window="$WINDOW" --count="$count" --quiet --wait=$((RUN_TIMEOUT * 1000)) "$BODY")
      ;;
    crosstalk:consume)
      cmd=("$cli" serve amqp --url="$url" --queue="$q" --durable --ack-mode=manual
           --prefetch="$PREFETCH" --count="$count" --quiet)
      ;;
  esac
}

# timed KIND PHASE QUEUE COUNT — runs KIND's PHASE, bounded by RUN_TIMEOUT,
# and times it from start to exit.  Sets $ns (nanoseconds), $own (the rate
# the client printed itself, or -), $client_cpu and $broker_cpu (percent).
# Exits if it fails.
timed ()
{
  local kind=$1 phase=$2 c0 c1 b0 b1 t0 t1
  local -a cmd
  client_cmd "$@"
  check_server broker "before the $kind $phase"
  b0=$(tree_ticks "$server_pid")
  # Not in $(...): a subshell's times would not count this shell's children.
  times >"$tmp/times0"
  t0=$(now_ns)
  run_load "$tmp/client.out" "$tmp/client.err" timeout "$RUN_TIMEOUT" "${cmd[@]}"
  t1=$(now_ns)
  times >"$tmp/times1"
  c0=$(awk 'NR == 2 { print $1 " " $2 }' "$tmp/times0")
  c1=$(awk 'NR == 2 { print $1 " " $2 }' "$tmp/times1")
  b1=$(tree_ticks "$server_pid")
  check_server broker "during the $kind $phase"
  if [ "$status" -ne 0 ]; then
    echo "$me: error: the $kind $phase of $4 messages failed (status $status$([ "$status" -eq 124 ] && echo ", timed out after $RUN_TIMEOUT s")):" >&2
    echo "  command: ${cmd[*]}" >&2
    cat "$tmp/client.out" "$tmp/client.err" | sed 's/^/  /' | head -n 20 >&2
    exit 1
  fi
  if [ -s "$tmp/client.err" ]; then
    warn "the $kind $phase said on stderr:"
    sed 's/^/  /' "$tmp/client.err" | head -n 10 >&2
  fi
  ns=$((t1 - t0))
  own=$(sed -n 's/^\(published\|consumed\) [0-9]* seconds [0-9.]* rate \([0-9][0-9]*\)$/\2/p' "$tmp/client.out")
  own=${own:--}
  # times' second line, e.g. "0m1.234s 0m0.056s": the user and system time
  # of this shell's children that have been waited for.
  client_cpu=$(awk -v a="$c0" -v b="$c1" -v ns="$ns" 'function s(t,  m) {
      m = t; sub(/m.*/, "", m); sub(/^[0-9]*m/, "", t); sub(/s$/, "", t); return m * 60 + t
    }
    BEGIN {
      split(a, x, " "); split(b, y, " ")
      printf "%.0f", 100 * (s(y[1]) + s(y[2]) - s(x[1]) - s(x[2])) / (ns / 1e9)
    }')
  broker_cpu=$(cpu_percent "$b0" "$b1" "$t0" "$t1")
}

# one_run KIND COUNT — a fresh queue, KIND publishes COUNT messages into it,
# the queue is checked, KIND consumes them, the queue is deleted.  Sets
# $pub_rate, $con_rate (messages/s) and $pub_info, $con_info.
runs=0
one_run ()
{
  local kind=$1 count=$2 left
  runs=$((runs + 1))
  queue=crosstalk-bench-$$-$runs-$kind

  ready_count "$queue"
  [ "$ready" -eq 0 ] || die "the fresh queue $queue already holds $ready messages"

  timed "$kind" publish "$queue" "$count"
  pub_rate=$(awk -v n="$count" -v ns="$ns" 'BEGIN { printf "%.0f", n / (ns / 1e9) }')
  pub_info="(own $own)  client_cpu ${client_cpu}%  broker_cpu ${broker_cpu}%"

  ready_count "$queue"
  if [ "$ready" -ne "$count" ]; then
    die "the $kind publisher exited 0, but the queue holds $ready messages, not $count"
  fi

  timed "$kind" consume "$queue" "$count"
  con_rate=$(awk -v n="$count" -v ns="$ns" 'BEGIN { printf "%.0f", n / (ns / 1e9) }')
  con_info="(own $own)  client_cpu ${client_cpu}%  broker_cpu ${broker_cpu}%"

  amqp_min delete "$url" "$queue"
  left=$(sed -n 's/^deleted .* messages \([0-9][0-9]*\)$/\1/p' "$tmp/helper.out")
  queue=
  if [ "${left:-0}" -ne 0 ]; then
    warn "the $kind consumer exited 0, but $left messages were left in the queue"
  fi
}

declare -A con_rates=() con_last=()

# run_one KIND CMD — for run_rounds: one run of KIND (CMD is unused: the
# commands are built per phase by client_cmd).  $rate is the publish rate;
# the consume rate is kept in con_rates and con_last and shown in $info.
run_one ()
{
  local kind=$1
  one_run "$kind" "$N"
  rate=$pub_rate
  con_last[$kind]=$con_rate
  con_rates[$kind]="${con_rates[$kind]:-} $con_rate"
  info="$pub_info  consume_per_s $con_rate  $con_info"
}

# ratio_of A B — A / B from the given table (name of an associative
# array), n/a when either was not measured.
ratio_of ()
{
  local -n table=$1
  if [ -n "${table[$2]:-}" ] && [ -n "${table[$3]:-}" ]; then
    quotient "${table[$2]}" "${table[$3]}"
  else
    echo n/a
  fi
}

round_ratios ()
{
  local phase t
  for phase in publish consume; do
    if [ $phase = publish ]; then t=last; else t=con_last; fi
    printf 'round %d/%d  %-7s  crosstalk/c %s  crosstalk/pika %s  c/pika %s\n' "$1" "$ROUNDS" "$phase" \
      "$(ratio_of "$t" crosstalk c)" "$(ratio_of "$t" crosstalk pika)" "$(ratio_of "$t" c pika)"
  done
}

echo "amqp: $N persistent 64-byte messages per run, published with confirms (window $WINDOW)," \
     "consumed with manual acks (prefetch $PREFETCH); ${ROUNDS} rounds; ${kinds[*]}"
echo "broker:    $broker_cmd"

start_server broker "$broker_cmd"
broker_epmds=$(process_tree "$server_pid" | awk '$4 == "epmd" { print $1 ":" $2 }')
echo "broker ready at $url"
has c && echo "c:         $out/amqp-min publish|consume URL QUEUE $N $WINDOW|$PREFETCH"
has pika && echo "pika:      $PYTHON $here/amqp-ref.py publish|consume URL QUEUE $N $WINDOW|$PREFETCH"
if has crosstalk; then
  client_cmd crosstalk publish QUEUE "$N"
  echo "crosstalk: ${cmd[*]}"
  client_cmd crosstalk consume QUEUE "$N"
  echo "           ${cmd[*]}"
fi

# -- the probes: each implementation once, not counted --

for k in "${kinds[@]}"; do
  one_run "$k" "$PROBE_N"
  printf 'probe  %-9s  %d messages  publish_per_s %s  consume_per_s %s\n' "$k" "$PROBE_N" "$pub_rate" "$con_rate"
done

# -- the runs --

args=()
for k in "${kinds[@]}"; do
  args+=("$k" "")
done
# The order rotates by one place per round: each goes first, second and
# last in turn.
run_rounds publish_per_s "${args[@]}"

declare -A pub_med=() con_med=()
for k in "${kinds[@]}"; do
  pub_med[$k]=$(median_of "$k")
  # Unquoted: a list of integers.
  # shellcheck disable=SC2086
  con_med[$k]=$(median ${con_rates[$k]})
done

for k in "${kinds[@]}"; do
  echo "${k}_publish_per_s ${pub_med[$k]}"
done
for k in "${kinds[@]}"; do
  echo "${k}_consume_per_s ${con_med[$k]}"
done
for phase in publish consume; do
  if [ $phase = publish ]; then t=pub_med target=$TARGET_PUBLISH_VS_C; else t=con_med target=$TARGET_CONSUME_VS_C; fi
  echo "${phase}_ratio_vs_c $(ratio_of "$t" crosstalk c)"
  echo "${phase}_ratio_vs_pika $(ratio_of "$t" crosstalk pika)"
  echo "${phase}_c_vs_pika $(ratio_of "$t" c pika)"
  if has crosstalk && has c; then
    declare -n m=$t
    echo "${phase}_target_vs_c $target $(verdict "${m[crosstalk]}" "${m[c]}" "$target")"
    unset -n m
  else
    echo "${phase}_target_vs_c $target not measured"
  fi
done
exit 0
