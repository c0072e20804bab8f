# shellcheck shell=bash
# bench/lib.sh — the helpers the benchmark scripts (udp.sh, tcp.sh,
# jsonrpc.sh, rest.sh, chat.sh, amqp.sh) share.  Sourced, not run:
#
#   set -u
#   me=udp.sh                                  # starts every message
#   here=$(cd "$(dirname "$0")" && pwd)        # this directory
#   . "$here/lib.sh" || exit 1
#
# When sourced it sets top (the source tree), out (bench/out, where the C
# helpers are compiled), clk_tck, and server_pid, load_pid and sleep_pid
# (empty: nothing started yet).  Nothing is started and no trap is set until
# the script calls bench_setup.
#
# Variables the script sets before calling the functions that read them:
#   me, here          before sourcing (above)
#   ROUNDS            run_rounds
#   STARTUP_TIMEOUT   start_server: seconds to wait for a server's first line
#   listen_form       start_server: how a server's first line says where it
#                     listens — "address" (raw sockets: sets $host, $port)
#                     or "url" (HTTP: sets $url) or "amqp" (a broker's
#                     "ready" line with an amqp:// URL: sets $url)
#   url_path          with listen_form=url: the path requested, appended to
#                     the server's root (http://HOST:PORT)
#   url_path_from_line  with listen_form=url: "yes" to keep the path of the
#                     announced "url" instead, url_path being then only for a
#                     line with an address and no url
#   stop_timeout      stop_server: seconds a server gets to exit after
#                     SIGTERM before it is killed (default 5)
#   DURATION WARMUP THREADS CONNECTIONS WRK WRK_ALLOWANCE
#   wrk_lua wrk_lua_tag wrk_good   the wrk helpers: the Lua script, the tag
#                     of the line it prints at the end, and what a good
#                     response is (for the warning about bad ones)
# and $tmp, set by bench_setup.  The functions the script defines for
# run_rounds: run_one KIND CMD (sets $rate and $info) and round_ratios R
# (prints the ratios of round R, from ${last[KIND]}).
#
# Provides:
#   die MSG, warn MSG          "$me: error: MSG" (then exit 1), "$me: warning: MSG"
#   is_uint, is_seconds, positive NAME VALUE, need_file NAME...
#   use_builddir DIR           sets $builddir and $cli (DIR/src/cli/crosstalk-cli)
#   ours_command ARG...        sets $ours_cmd: $CT_SERVER_CMD, or the CLI with ARGs
#   need_cc, compile NAME [ARG...], compile_soup NAME   the C helpers, into $out
#   bench_setup                enters $top, makes $tmp, sets the traps (cleanup)
#   is_running PID, stop_server, stop_load, cleanup
#   start_load OUT ERR CMD..., wait_load, run_load OUT ERR CMD...
#   sleep_until_ns NS
#   cpu_ticks PID, now_ns, cpu_percent T0 T1 NS0 NS1
#   start_server KIND CMD, check_server KIND WHEN, show_server_err
#   measure KIND CMD...        CMD (the load) against the server, then stops it
#   read_rate LOADER METRIC KIND STATUS WARNING   a load generator's "METRIC N"
#   run_rounds METRIC KIND CMD [KIND CMD...], median_of KIND
#   median N..., quotient A B, verdict A B TARGET
#   check_wrk_settings, need_wrk, run_wrk SECONDS OUT, wrk_field NAME,
#   run_one_wrk KIND CMD
#
# Every process is started by us and stopped by its pid; every wait is
# bounded; servers must listen on the loopback, and the load goes nowhere
# else.

# The variables read here are the script's, and those set here are for the
# script: shellcheck cannot see either side from this file.
# shellcheck disable=SC2034,SC2154
if [ -z "${me:-}" ] || [ -z "${here:-}" ]; then
  echo "bench/lib.sh: set me and here before sourcing it" >&2
  exit 1
fi

top=$(dirname "$here")
out=$here/out
server_pid=
load_pid=
sleep_pid=
clk_tck=$(getconf CLK_TCK 2>/dev/null || echo 100)

# ---- messages and checks -----------------------------------------------

die ()
{
  echo "$me: error: $*" >&2
  exit 1
}

warn () { echo "$me: warning: $*" >&2; }

is_uint () { case $1 in ''|*[!0-9]*) return 1 ;; *) return 0 ;; esac; }

is_seconds ()
{
  case $1 in ''|*[!0-9.]*|*.*.*|.) return 1 ;; *) return 0 ;; esac
}

# positive NAME VALUE — exits unless VALUE is a positive integer.
positive ()
{
  if ! is_uint "$2" || [ "$2" -lt 1 ]; then
    die "$1 must be a positive integer (got '$2')"
  fi
}

# need_file NAME... — exits unless each NAME is readable in $here.
need_file ()
{
  local f
  for f in "$@"; do
    [ -r "$here/$f" ] || die "$here/$f is missing"
  done
}

# ---- what to run -------------------------------------------------------

# use_builddir DIR — the build directory (relative to the current one, or
# absolute); sets $builddir and $cli.
use_builddir ()
{
  builddir=$1
  case $builddir in
    /*) ;;
    *) builddir=$PWD/$builddir ;;
  esac
  cli=$builddir/src/cli/crosstalk-cli
}

# ours_command ARG... — sets $ours_cmd: $CT_SERVER_CMD if set, else the CLI
# with ARGs; exits if the CLI is not built.
ours_command ()
{
  if [ -n "${CT_SERVER_CMD:-}" ]; then
    ours_cmd=$CT_SERVER_CMD
    return 0
  fi
  if [ ! -x "$cli" ]; then
    echo "$me: error: the CLI is not built: $cli does not exist (or is not executable)." >&2
    echo "$me: build it first (make build), or set CT_SERVER_CMD to try this script." >&2
    exit 1
  fi
  ours_cmd=$(printf '%q' "$cli")$(printf ' %q' "$@")
}

# need_cc — exits unless there is a C compiler and $out can be made.
need_cc ()
{
  command -v cc >/dev/null || die "no C compiler (cc) found"
  mkdir -p "$out" || die "cannot create $out"
}

# compile NAME [ARG...] — $here/NAME.c into $out/NAME, ARGs (libraries)
# after the source.
compile ()
{
  cc -O2 -Wall -o "$out/$1" "$here/$1.c" "${@:2}" || die "cannot compile $1.c"
}

# compile_soup NAME — compile, with pkg-config's flags for libsoup-3.0.
compile_soup ()
{
  local flags
  command -v pkg-config >/dev/null || die "no pkg-config found; on Debian: apt-get install pkg-config"
  flags=$(pkg-config --cflags --libs libsoup-3.0 2>/dev/null) \
    || die "pkg-config finds no libsoup-3.0; on Debian: apt-get install libsoup-3.0-dev"
  # $flags unquoted: it is a list of compiler arguments.
  # shellcheck disable=SC2086
  compile "$1" $flags
}

# ---- processes ---------------------------------------------------------

# bench_setup — enters $top, makes $tmp and sets the traps: on exit,
# whatever we started is stopped and $tmp removed.
bench_setup ()
{
  cd "$top" || die "cannot enter $top"
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/crosstalk-bench.XXXXXX") || die "mktemp failed"
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

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

# Stops the server we started, by its pid: SIGTERM, then SIGKILL after
# $stop_timeout seconds (default 5).
stop_server ()
{
  local i=0 grace=${stop_timeout:-5}
  [ -n "$server_pid" ] || return 0
  kill "$server_pid" 2>/dev/null
  while is_running "$server_pid" && [ $i -lt $((grace * 20)) ]; do
    sleep 0.05
    i=$((i + 1))
  done
  if is_running "$server_pid"; then
    warn "server (pid $server_pid) ignored SIGTERM for $grace s; killing it"
    kill -KILL "$server_pid" 2>/dev/null
  fi
  wait "$server_pid" 2>/dev/null
  server_pid=
}

# start_load OUT ERR CMD... — starts the load (or probe) CMD in the
# background, stdout to OUT, stderr to ERR (to OUT as well when ERR is OUT);
# $load_pid is its pid.  CMD should bound itself (timeout(1), which passes
# SIGTERM on, or an option of its own).
start_load ()
{
  local o=$1 e=$2
  shift 2
  if [ "$e" = "$o" ]; then
    "$@" >"$o" 2>&1 </dev/null &
  else
    "$@" >"$o" 2>"$e" </dev/null &
  fi
  load_pid=$!
}

# wait_load — waits for the load started by start_load; sets $status.
# (Waited for in the background rather than run in the foreground, so
# that an interrupt is handled at once.)
wait_load ()
{
  wait "$load_pid"
  status=$?
  load_pid=
}

# run_load OUT ERR CMD... — start_load, then wait_load.
run_load ()
{
  start_load "$@"
  wait_load
}

# Stops the load we started, by its pid.
stop_load ()
{
  [ -n "$load_pid" ] || return 0
  kill "$load_pid" 2>/dev/null
  wait "$load_pid" 2>/dev/null
  load_pid=
}

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

# ---- measuring ---------------------------------------------------------

# utime + stime of a process, all its threads, in clock ticks (empty if unknown).
cpu_ticks ()
{
  [ -r "/proc/$1/stat" ] || return 0
  sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'
}

now_ns () { date +%s%N; }

# cpu_percent TICKS0 TICKS1 T0 T1 — the CPU share between two cpu_ticks
# readings taken at the now_ns readings T0 and T1 (? if unknown).
cpu_percent ()
{
  if [ -n "$1" ] && [ -n "$2" ]; then
    awk -v a="$1" -v b="$2" -v t0="$3" -v t1="$4" -v hz="$clk_tck" \
      'BEGIN { printf "%.0f", 100 * (b - a) / hz / ((t1 - t0) / 1e9) }'
  else
    printf '?'
  fi
}

median ()
{
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
    END {
      if (NR % 2) print v[(NR + 1) / 2]
      else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2
    }'
}

# quotient A B — A / B to two decimals, or n/a when B is 0.
quotient ()
{
  awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}

# verdict A B TARGET — "met" when A / B >= TARGET (unrounded), else "NOT met".
verdict ()
{
  awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { print ((b > 0 && a / b >= t) ? "met" : "NOT met") }'
}

# ---- servers -----------------------------------------------------------

show_server_err ()
{
  # A broker says why it failed in its log entries, on stdout
  [ "${listen_form:-}" = amqp ] && sed 's/^/  stdout: /' "$tmp/server.out" | tail -n 10 >&2
  sed 's/^/  stderr: /' "$tmp/server.err" | tail -n 20 >&2
}

# start_server KIND CMD — starts CMD in the background (in $top, through
# exec, so that $server_pid is the server itself) and reads where it
# listens from its first stdout line, as listen_form says:
#   address  {...,"event":"listening","address":"127.0.0.1:PORT"}, or a
#            plain "listening 127.0.0.1:PORT"; sets $host and $port.
#   url      {...,"event":"listening","url":"http://127.0.0.1:PORT/...",
#            "address":"127.0.0.1:PORT"} (the address alone will do); sets
#            $url: the server's root and url_path (or the url's own path,
#            with url_path_from_line=yes).
#   amqp     {...,"event":"ready","url":"amqp://USER:PASS@127.0.0.1:PORT"}
#            (a broker); sets $url to that URL.  The first line with
#            "event":"ready" is read, not the first line: a broker may say
#            first that it is starting.
# 0.0.0.0 is taken as 127.0.0.1; any other host off the loopback is refused.
# Exits if the server exits first, prints nothing within STARTUP_TIMEOUT
# seconds, or says nothing we can read.
start_server ()
{
  local kind=$1 cmd=$2
  local line='' i=0 limit status n what='first line'

  : >"$tmp/server.out"
  : >"$tmp/server.err"
  ( eval "exec $cmd" ) >"$tmp/server.out" 2>"$tmp/server.err" </dev/null &
  server_pid=$!

  [ "$listen_form" = amqp ] && what='ready line'
  limit=$((STARTUP_TIMEOUT * 20))
  while :; do
    n=$(wc -l <"$tmp/server.out")
    if [ "$listen_form" = amqp ]; then
      # Complete lines only (n of them)
      line=$(head -n "$n" "$tmp/server.out" | grep -m 1 '"event" *: *"ready"')
      [ -n "$line" ] && break
    elif [ "$n" -ge 1 ]; then
      line=$(head -n 1 "$tmp/server.out")
      break
    fi
    if ! is_running "$server_pid"; then
      wait "$server_pid" 2>/dev/null
      status=$?
      server_pid=
      echo "$me: error: $kind server exited (status $status) before printing its $what." >&2
      echo "$me: command: $cmd" >&2
      show_server_err
      exit 1
    fi
    if [ $i -ge $limit ]; then
      echo "$me: error: $kind server printed no $what within ${STARTUP_TIMEOUT} s" \
           "(is stdout flushed after the listening line?)." >&2
      echo "$me: command: $cmd" >&2
      show_server_err
      exit 1
    fi
    sleep 0.05
    i=$((i + 1))
  done

  case $listen_form in
    address) read_address "$kind" "$line" ;;
    url) read_url "$kind" "$line" ;;
    amqp) read_amqp_url "$kind" "$line" ;;
    *) die "listen_form must be address, url or amqp (got '$listen_form')" ;;
  esac
}

# read_address KIND LINE — start_server's address form.
read_address ()
{
  local re='.*"address" *: *"\([0-9][0-9.]*\):\([0-9][0-9]*\)".*'
  host=$(printf '%s\n' "$2" | sed -n "s/$re/\\1/p")
  port=$(printf '%s\n' "$2" | sed -n "s/$re/\\2/p")
  if [ -z "$port" ]; then
    re='^listening \([0-9][0-9.]*\):\([0-9][0-9]*\)$'
    host=$(printf '%s\n' "$2" | sed -n "s/$re/\\1/p")
    port=$(printf '%s\n' "$2" | sed -n "s/$re/\\2/p")
  fi
  [ "$host" = 0.0.0.0 ] && host=127.0.0.1
  if [ -z "$port" ] || [ "$port" = 0 ]; then
    echo "$me: error: cannot read the port from the $1 server's first line:" >&2
    echo "  $2" >&2
    echo "$me: expected e.g. {...,\"event\":\"listening\",\"address\":\"127.0.0.1:40123\"}" >&2
    exit 1
  fi
  # Loopback only: the load goes nowhere else.
  case $host in
    127.*) ;;
    *) die "the $1 server listens on $host, not on the loopback: $2" ;;
  esac
}

# read_url KIND LINE — start_server's url form.
read_url ()
{
  local full address hostport path='' root='' from_url='' example=/
  full=$(printf '%s\n' "$2" | sed -n 's/.*"url" *: *"\(http:\/\/[^"]*\)".*/\1/p')
  if [ -n "$full" ]; then
    hostport=${full#http://}
    hostport=${hostport%%/*}
    root=http://$hostport
    path=${full#"$root"}
    from_url=yes
  else
    address=$(printf '%s\n' "$2" \
              | sed -n 's/.*"address" *: *"\([0-9][0-9.]*:[0-9][0-9]*\)".*/\1/p')
    [ -n "$address" ] && root="http://$address"
  fi
  root=${root/:\/\/0.0.0.0:/://127.0.0.1:}
  [ "${url_path_from_line:-}" = yes ] && example=$url_path
  # Loopback only: the load goes nowhere else.
  case ${root#http://} in
    127.*:[1-9]*|localhost:[1-9]*|\[::1\]:[1-9]*) ;;
    *)
      echo "$me: error: cannot read a loopback URL from the $1 server's first line:" >&2
      echo "  $2" >&2
      echo "$me: expected e.g. {...,\"event\":\"listening\",\"url\":\"http://127.0.0.1:40123$example\"}" >&2
      exit 1
      ;;
  esac
  if [ -n "$from_url" ] && [ "${url_path_from_line:-}" = yes ]; then
    url=$root$path
  else
    url=$root$url_path
  fi
}

# read_amqp_url KIND LINE — start_server's amqp form.
read_amqp_url ()
{
  url=$(printf '%s\n' "$2" | sed -n 's/.*"url" *: *"\(amqp:\/\/[^"]*\)".*/\1/p')
  # Loopback only: the load goes nowhere else.
  case $url in
    amqp://*@127.*:[1-9]*|amqp://127.*:[1-9]*) ;;
    *)
      echo "$me: error: cannot read a loopback AMQP URL from the $1's ready line:" >&2
      echo "  $2" >&2
      echo "$me: expected e.g. {...,\"event\":\"ready\",\"url\":\"amqp://guest:guest@127.0.0.1:40123\"}" >&2
      exit 1
      ;;
  esac
}

# check_server KIND WHEN — exits (status 1) if the server we started has died.
check_server ()
{
  local status
  is_running "$server_pid" && return 0
  wait "$server_pid" 2>/dev/null
  status=$?
  server_pid=
  echo "$me: error: $1 server died $2 (status $status)." >&2
  show_server_err
  exit 1
}

# measure KIND CMD... — runs CMD (the load, which must set $status: run_load
# or run_wrk) against the server we started, KIND, then checks that the
# server lived through it and stops it.  Sets $server_cpu, the CPU the
# server used meanwhile, in percent (? if unknown).
measure ()
{
  local kind=$1 ticks0 ticks1 t0 t1
  shift
  ticks0=$(cpu_ticks "$server_pid")
  t0=$(now_ns)
  "$@"
  t1=$(now_ns)
  ticks1=$(cpu_ticks "$server_pid")
  check_server "$kind" "during the run"
  stop_server
  server_cpu=$(cpu_percent "$ticks0" "$ticks1" "$t0" "$t1")
}

# read_rate LOADER METRIC KIND STATUS WARNING — reads the line "METRIC N"
# that the load generator LOADER wrote to $tmp/load.out into $rate, and
# its "load_cpu N%" from $tmp/load.err into $load_cpu (empty if none).
# Exits if there is no figure; warns (WARNING, then LOADER's stderr) if
# LOADER exited with a non-zero STATUS.
read_rate ()
{
  local loader=$1 metric=$2 kind=$3 status=$4
  rate=$(sed -n "s/^$metric \\([0-9][0-9]*\\)\$/\\1/p" "$tmp/load.out")
  if [ -z "$rate" ]; then
    echo "$me: error: $loader gave no figure against the $kind server (status $status)." >&2
    sed 's/^/  /' "$tmp/load.err" | head -n 20 >&2
    exit 1
  fi
  if [ "$status" -ne 0 ]; then
    warn "$5"
    sed 's/^/  /' "$tmp/load.err" | head -n 20 >&2
  fi
  load_cpu=$(sed -n 's/.* load_cpu \([0-9][0-9]*\)%.*/\1/p' "$tmp/load.err")
}

# ---- rounds ------------------------------------------------------------

# run_rounds METRIC KIND CMD [KIND CMD...] — ROUNDS rounds; each runs every
# KIND once, with the script's run_one KIND CMD, in an order rotated by one
# place per round (with two kinds: the first one first in odd rounds, the
# other first in even ones), so that drift in the machine's load hits all
# alike.  Prints
#   round R/ROUNDS  KIND  METRIC RATE  INFO
# after each run and calls the script's round_ratios R after each round.
# Sets last[KIND] (the rate of the current round) and rates[KIND] (all of
# them), for median_of.
run_rounds ()
{
  local metric=$1 r k i n kind
  local -a kinds=() cmds=()
  shift
  while [ $# -ge 2 ]; do
    kinds+=("$1")
    cmds+=("$2")
    shift 2
  done
  n=${#kinds[@]}
  declare -gA last=() rates=()
  for ((r = 1; r <= ROUNDS; r++)); do
    for ((k = 0; k < n; k++)); do
      i=$(((r - 1 + k) % n))
      kind=${kinds[i]}
      run_one "$kind" "${cmds[i]}"
      last[$kind]=$rate
      rates[$kind]="${rates[$kind]:-} $rate"
      printf 'round %d/%d  %-9s  %s %s  %s\n' "$r" "$ROUNDS" "$kind" "$metric" "$rate" "$info"
    done
    round_ratios "$r"
  done
}

# median_of KIND — the median of the rates run_rounds collected for KIND.
median_of ()
{
  # Unquoted: a list of integers.
  # shellcheck disable=SC2086
  median ${rates[$1]}
}

# ---- wrk ---------------------------------------------------------------

# check_wrk_settings — exits unless DURATION, WARMUP, THREADS and
# CONNECTIONS suit wrk.
check_wrk_settings ()
{
  if ! is_uint "$DURATION" || [ "$DURATION" -lt 1 ]; then
    die "DURATION must be a positive whole number of seconds (got '$DURATION'; wrk takes no fractions)"
  fi
  is_uint "$WARMUP" || die "WARMUP must be a whole number of seconds (got '$WARMUP')"
  positive THREADS "$THREADS"
  if ! is_uint "$CONNECTIONS" || [ "$CONNECTIONS" -lt "$THREADS" ]; then
    die "CONNECTIONS must be an integer, at least THREADS (got '$CONNECTIONS')"
  fi
}

# need_wrk — exits unless wrk and timeout(1) are there.
need_wrk ()
{
  command -v "$WRK" >/dev/null || die "wrk not found ('$WRK'); on Debian: apt-get install wrk"
  command -v timeout >/dev/null || die "no timeout(1) found"
}

# run_wrk SECONDS OUTFILE — wrk with $wrk_lua against $url, its output
# (stdout and stderr) in OUTFILE; sets $status.  wrk stops itself after
# SECONDS and timeout(1) is a second guard.
run_wrk ()
{
  run_load "$2" "$2" timeout "$(($1 + WRK_ALLOWANCE))" \
    "$WRK" -t"$THREADS" -c"$CONNECTIONS" -d"$1"s -s "$wrk_lua" "$url"
}

# wrk_field NAME — the number after NAME on the line tagged $wrk_lua_tag
# that the Lua script wrote at the end of wrk's output (empty if none).
wrk_field ()
{
  awk -v t="$wrk_lua_tag" -v k="$1" '$1 == t && $2 == "requests" {
    for (i = 2; i < NF; i += 2) if ($i == k) { print $(i + 1); exit }
  }' "$tmp/wrk.out"
}

# run_one_wrk KIND CMD — a fresh server, warmed up, then measured with wrk
# for DURATION seconds.  Sets $rate (good responses per second) and $info.
run_one_wrk ()
{
  local kind=$1 cmd=$2
  local rps requests good bad errors load_cpu_s duration_us load_cpu

  start_server "$kind" "$cmd"
  if [ "$WARMUP" -gt 0 ]; then
    run_wrk "$WARMUP" "$tmp/warmup.out"
    check_server "$kind" "during the warm-up"
    if [ "$status" -ne 0 ]; then
      echo "$me: error: wrk failed (status $status) warming up the $kind server:" >&2
      sed 's/^/  /' "$tmp/warmup.out" | head -n 20 >&2
      exit 1
    fi
  fi

  measure "$kind" run_wrk "$DURATION" "$tmp/wrk.out"

  rps=$(sed -n 's/^Requests\/sec: *\([0-9][0-9.]*\).*/\1/p' "$tmp/wrk.out")
  requests=$(wrk_field requests)
  if [ "$status" -ne 0 ] || [ -z "$rps" ] || [ -z "$requests" ]; then
    echo "$me: error: wrk gave no figure against the $kind server (status $status):" >&2
    sed 's/^/  /' "$tmp/wrk.out" | head -n 20 >&2
    exit 1
  fi
  good=$(wrk_field good)
  bad=$(wrk_field bad)
  errors="connect $(wrk_field connect_errors), read $(wrk_field read_errors), write $(wrk_field write_errors)"
  errors="$errors, timeout $(wrk_field timeouts), non-2xx/3xx $(wrk_field non_2xx_3xx)"
  if [ "${bad:-0}" -ne 0 ] || [ "$errors" != "connect 0, read 0, write 0, timeout 0, non-2xx/3xx 0" ]; then
    warn "against the $kind server: $requests responses, ${bad:-?} bad" \
         "(not $wrk_good); socket errors: $errors"
    sed -n "s/^$wrk_lua_tag first_bad /  first bad response: /p" "$tmp/wrk.out" >&2
  fi
  # wrk's Requests/sec, counting good responses only.
  rate=$(awk -v r="$rps" -v n="$requests" -v g="${good:-0}" \
         'BEGIN { printf "%.0f", (n > 0 ? r * g / n : 0) }')

  load_cpu_s=$(wrk_field load_cpu_s)
  duration_us=$(wrk_field duration_us)
  load_cpu=$(awk -v c="$load_cpu_s" -v d="$duration_us" \
             'BEGIN { if (c != "" && d > 0) printf "%.0f", 100 * c / (d / 1e6); else print "?" }')
  info="server_cpu ${server_cpu}%  load_cpu ${load_cpu}%"
}
