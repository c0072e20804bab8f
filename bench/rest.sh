#!/bin/bash
# bench/rest.sh [BUILDDIR] — REST GETs per second (GET /api/tasks/1, one
# task as JSON) through `crosstalk-cli serve rest`, against the classic
# teaching server, Flask + Flask-RESTful (bench/rest-ref.py), and against
# the libsoup ceiling (bench/rest-soup-min.c: a bare libsoup 3 SoupServer
# answering that GET with the very bytes our server returns, with our ETag
# and Server headers, no store, no JSON, no log — the best any
# SoupServer-based server can do here), all measured in the same run with wrk
# (bench/rest.lua); prints the ratios.
# A measurement, not a test: it exits 0 whether or not the targets are met,
# and 1 only when it cannot measure.
#
# BUILDDIR defaults to _build; the server is BUILDDIR/src/cli/crosstalk-cli,
# started as `crosstalk-cli serve rest --port=0 --quiet --json`.  Its first
# stdout line must be the JSON "listening" event carrying
# "url":"http://127.0.0.1:PORT/" (or at least "address":"127.0.0.1:PORT"),
# flushed at once; nothing else is read from it.  The path /api/tasks/1 is
# appended to the server's root.  The two others announce themselves the
# same way.  The reference runs with the Debian Python, /usr/bin/python3
# (python3-flask, python3-flask-restful): a python3 found first in PATH may
# be another one without those packages.  The libsoup ceiling is compiled
# into bench/out/ at every run, with cc and pkg-config's flags for
# libsoup-3.0 (libsoup-3.0-dev).
#
# Before measuring, each server is started once and asked for the task with
# curl: ours must answer 200 with a JSON body; that body (with its ETag and
# Server header) is what the libsoup ceiling then serves, and it checks it
# sends the same bytes; the reference's body must be JSON with the same keys
# (a warning says so if not, or if its values differ; Flask-RESTful's
# default formatting — spaces after , and :, a final newline — is shown as
# a note, not a warning).
#
# Environment:
#   ROUNDS=3          rounds; each runs the three servers once
#   DURATION=10       whole seconds measured per run (wrk -d)
#   WARMUP=1          whole seconds of load before each measured run, on the
#                     same server, not counted (0: none)
#   CONNECTIONS=32    wrk connections (-c);  THREADS=1  wrk threads (-t)
#   STARTUP_TIMEOUT=10  seconds to wait for a server's first line
#   WRK=wrk           the wrk to run;  PYTHON=/usr/bin/python3  the reference's
#   CT_SERVER_CMD     shell command to run instead of the CLI (evaluated in
#                     the top source directory), announcing itself the same
#                     way — to try this script without the CLI, e.g.
#                     CT_SERVER_CMD='/usr/bin/python3 bench/rest-ref.py 0'
#
# Method: all servers bind 127.0.0.1; each run gets a fresh one, driven by
# `wrk -t1 -c32 -dDURATION -s bench/rest.lua URL`: 32 connections, each
# sending the next GET as soon as the previous answer is in, kept alive as
# long as the server allows (Werkzeug's development server closes every
# connection after one response, so against it wrk reconnects for each
# request; ours and the libsoup ceiling keep them open).  One wrk thread
# because the machine has 2 cores: the server gets one and the load
# generator the other.  Nothing is pinned; this script sleeps meanwhile.
# Every response is checked (status 200 and "id":1 in the body) and only
# good ones count; errors are reported.  The order of the three rotates by
# one place per round (flask, libsoup, crosstalk; then libsoup, crosstalk,
# flask; then crosstalk, flask, libsoup; ...) so drift in the machine's
# load hits all alike, and the figures reported are medians over the
# rounds.  Per run we also show the CPU the server used (from /proc) and
# wrk's own (from os.clock() in the Lua script).
#
# Summary: flask_requests_per_s, libsoup_min_requests_per_s,
# crosstalk_requests_per_s, ratio_vs_flask (crosstalk / flask),
# "target_vs_flask 15 met|NOT met", ratio_vs_ceiling (crosstalk /
# libsoup-min), "target_vs_ceiling 0.8 met|NOT met"; then ceiling_vs_flask
# (libsoup-min / flask: the best ratio_vs_flask any SoupServer-based server
# could score here; below 15 the first target is out of reach).

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
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-1}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-10}
WRK=${WRK:-wrk}
PYTHON=${PYTHON:-/usr/bin/python3}
TARGET_VS_FLASK=15
TARGET_VS_CEILING=0.8
ITEM_PATH=/api/tasks/1
WRK_ALLOWANCE=20   # seconds a wrk run may take beyond its -d before it is stopped
CURL_TIMEOUT=5     # seconds a probe with curl may take

die ()
{
  echo "rest.sh: error: $*" >&2
  exit 1
}

warn () { echo "rest.sh: warning: $*" >&2; }

is_uint () { case $1 in ''|*[!0-9]*) return 1 ;; *) return 0 ;; esac; }

if ! is_uint "$ROUNDS" || [ "$ROUNDS" -lt 1 ]; then
  die "ROUNDS must be a positive integer (got '$ROUNDS')"
fi
if ! is_uint "$DURATION" || [ "$DURATION" -lt 1 ]; then
  die "DURATION must be a positive whole number of seconds (got '$DURATION'; wrk takes no fractions)"
fi
is_uint "$WARMUP" || die "WARMUP must be a whole number of seconds (got '$WARMUP')"
if ! is_uint "$THREADS" || [ "$THREADS" -lt 1 ]; then
  die "THREADS must be a positive integer (got '$THREADS')"
fi
if ! is_uint "$CONNECTIONS" || [ "$CONNECTIONS" -lt "$THREADS" ]; then
  die "CONNECTIONS must be an integer, at least THREADS (got '$CONNECTIONS')"
fi
is_uint "$STARTUP_TIMEOUT" || die "STARTUP_TIMEOUT must be an integer (got '$STARTUP_TIMEOUT')"

command -v "$WRK" >/dev/null || die "wrk not found ('$WRK'); on Debian: apt-get install wrk"
command -v timeout >/dev/null || die "no timeout(1) found"
command -v curl >/dev/null || die "curl not found; on Debian: apt-get install curl"
[ -x "$PYTHON" ] || die "$PYTHON not found; the reference needs the Debian Python"
if ! "$PYTHON" -c 'import flask, flask_restful, werkzeug' 2>/dev/null; then
  die "$PYTHON cannot import flask and flask_restful; on Debian: apt-get install python3-flask-restful"
fi
[ -r "$here/rest.lua" ] || die "$here/rest.lua is missing"
[ -r "$here/rest-ref.py" ] || die "$here/rest-ref.py is missing"
[ -r "$here/rest-soup-min.c" ] || die "$here/rest-soup-min.c is missing"

ref_cmd="$(printf '%q' "$PYTHON") $(printf '%q' "$here/rest-ref.py") 0"
if [ -n "${CT_SERVER_CMD:-}" ]; then
  ours_cmd=$CT_SERVER_CMD
else
  if [ ! -x "$cli" ]; then
    echo "rest.sh: error: the CLI is not built: $cli does not exist (or is not executable)." >&2
    echo "rest.sh: build it first (make build), or set CT_SERVER_CMD to try this script." >&2
    exit 1
  fi
  ours_cmd="$(printf '%q' "$cli") serve rest --port=0 --quiet --json"
fi

command -v cc >/dev/null || die "no C compiler (cc) found"
command -v pkg-config >/dev/null || die "no pkg-config found; on Debian: apt-get install pkg-config"
soup_flags=$(pkg-config --cflags --libs libsoup-3.0 2>/dev/null) \
  || die "pkg-config finds no libsoup-3.0; on Debian: apt-get install libsoup-3.0-dev"
mkdir -p "$out" || die "cannot create $out"
# $soup_flags unquoted: it is a list of compiler arguments.
# shellcheck disable=SC2086
cc -O2 -Wall -o "$out/rest-soup-min" "$here/rest-soup-min.c" $soup_flags \
  || die "cannot compile rest-soup-min.c"

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
    warn "server (pid $server_pid) ignored SIGTERM for 5 s; killing it"
    kill -KILL "$server_pid" 2>/dev/null
  fi
  wait "$server_pid" 2>/dev/null
  server_pid=
}

# Stops the wrk or curl we started (wrk under timeout(1), which passes
# SIGTERM on).
stop_load ()
{
  [ -n "$load_pid" ] || return 0
  kill "$load_pid" 2>/dev/null
  wait "$load_pid" 2>/dev/null
  load_pid=
}

cleanup ()
{
  stop_load
  stop_server
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# utime + stime of a process, all its threads, in clock ticks (empty if unknown).
cpu_ticks ()
{
  [ -r "/proc/$1/stat" ] || return 0
  sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'
}

now_ns () { date +%s%N; }

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

# start_server KIND CMD — starts CMD in the background and reads its URL
# from its first stdout line.  Sets $server_pid and $url (the server's root
# with ITEM_PATH appended).
start_server ()
{
  local kind=$1 cmd=$2
  local line='' i=0 limit status address host root=''

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
      echo "rest.sh: error: $kind server exited (status $status) before printing its first line." >&2
      echo "rest.sh: command: $cmd" >&2
      show_server_err
      exit 1
    fi
    if [ $i -ge $limit ]; then
      echo "rest.sh: error: $kind server printed no first line within ${STARTUP_TIMEOUT} s" \
           "(is stdout flushed after the listening line?)." >&2
      echo "rest.sh: command: $cmd" >&2
      show_server_err
      exit 1
    fi
    sleep 0.05
    i=$((i + 1))
  done

  # {...,"event":"listening","url":"http://127.0.0.1:PORT/","address":"127.0.0.1:PORT"}
  # Only the scheme and host:port of the URL are kept.
  root=$(printf '%s\n' "$line" | sed -n 's/.*"url" *: *"\(http:\/\/[^"/]*\)[^"]*".*/\1/p')
  if [ -z "$root" ]; then
    address=$(printf '%s\n' "$line" \
              | sed -n 's/.*"address" *: *"\([0-9][0-9.]*:[0-9][0-9]*\)".*/\1/p')
    [ -n "$address" ] && root="http://$address"
  fi
  root=${root/:\/\/0.0.0.0:/://127.0.0.1:}
  # Loopback only: the load goes nowhere else.
  host=${root#http://}
  case $host in
    127.*:[1-9]*|localhost:[1-9]*|\[::1\]:[1-9]*) ;;
    *)
      echo "rest.sh: error: cannot read a loopback URL from the $kind server's first line:" >&2
      echo "  $line" >&2
      echo "rest.sh: expected e.g. {...,\"event\":\"listening\",\"url\":\"http://127.0.0.1:40123/\"}" >&2
      exit 1
      ;;
  esac
  url=$root$ITEM_PATH
}

# Exits (status 1) if the server we started has died.
check_server ()
{
  local status
  is_running "$server_pid" && return 0
  wait "$server_pid" 2>/dev/null
  status=$?
  server_pid=
  echo "rest.sh: error: $1 server died $2 (status $status)." >&2
  show_server_err
  exit 1
}

# probe KIND CMD PREFIX — starts a server, GETs $url once with curl, stops
# it.  Writes PREFIX.body and PREFIX.headers; sets $probe_code (the HTTP
# status), $probe_header_bytes, $probe_type (Content-Type), $probe_etag
# and $probe_server (the ETag and Server headers' values, empty if none).
probe ()
{
  local kind=$1 cmd=$2 prefix=$3 status

  start_server "$kind" "$cmd"
  # No proxy: the request must go to the loopback server itself.
  curl -sS --noproxy '*' --max-time "$CURL_TIMEOUT" -o "$prefix.body" -D "$prefix.headers" \
       -w '%{http_code} %{size_header}\n' "$url" >"$prefix.curl" 2>"$prefix.curl-err" </dev/null &
  load_pid=$!
  wait "$load_pid"
  status=$?
  load_pid=
  check_server "$kind" "answering the first GET"
  stop_server
  if [ "$status" -ne 0 ]; then
    echo "rest.sh: error: curl failed (status $status) on the $kind server's $url:" >&2
    sed 's/^/  /' "$prefix.curl-err" >&2
    exit 1
  fi
  read -r probe_code probe_header_bytes <"$prefix.curl"
  probe_type=$(tr -d '\r' <"$prefix.headers" | sed -n 's/^[Cc][Oo][Nn][Tt][Ee][Nn][Tt]-[Tt][Yy][Pp][Ee]: *//p' | tail -n 1)
  probe_etag=$(tr -d '\r' <"$prefix.headers" | sed -n 's/^[Ee][Tt][Aa][Gg]: *//p' | tail -n 1)
  probe_server=$(tr -d '\r' <"$prefix.headers" | sed -n 's/^[Ss][Ee][Rr][Vv][Ee][Rr]: *//p' | tail -n 1)
}

# run_wrk SECONDS OUTFILE — wrk against $url; sets $status.  In the
# background and waited for, so that an interrupt is handled at once; wrk
# stops itself after SECONDS and timeout(1) is a second guard.
run_wrk ()
{
  timeout "$(($1 + WRK_ALLOWANCE))" \
    "$WRK" -t"$THREADS" -c"$CONNECTIONS" -d"$1"s -s "$here/rest.lua" "$url" \
    >"$2" 2>&1 </dev/null &
  load_pid=$!
  wait "$load_pid"
  status=$?
  load_pid=
}

# field NAME — the number after NAME on the rest_lua line that the Lua
# script wrote at the end of wrk's output (empty if none).
field ()
{
  awk -v k="$1" '$1 == "rest_lua" && $2 == "requests" {
    for (i = 2; i < NF; i += 2) if ($i == k) { print $(i + 1); exit }
  }' "$tmp/wrk.out"
}

# run_one KIND CMD — a fresh server, warmed up, then measured with wrk for
# DURATION seconds.  Sets $rate (good responses per second) and $info.
run_one ()
{
  local kind=$1 cmd=$2
  local ticks0 ticks1 t0 t1 rps requests good bad errors load_cpu_s duration_us load_cpu

  start_server "$kind" "$cmd"
  if [ "$WARMUP" -gt 0 ]; then
    run_wrk "$WARMUP" "$tmp/warmup.out"
    check_server "$kind" "during the warm-up"
    if [ "$status" -ne 0 ]; then
      echo "rest.sh: error: wrk failed (status $status) warming up the $kind server:" >&2
      sed 's/^/  /' "$tmp/warmup.out" | head -n 20 >&2
      exit 1
    fi
  fi

  ticks0=$(cpu_ticks "$server_pid")
  t0=$(now_ns)
  run_wrk "$DURATION" "$tmp/wrk.out"
  t1=$(now_ns)
  ticks1=$(cpu_ticks "$server_pid")

  check_server "$kind" "during the run"
  stop_server

  rps=$(sed -n 's/^Requests\/sec: *\([0-9][0-9.]*\).*/\1/p' "$tmp/wrk.out")
  requests=$(field requests)
  if [ "$status" -ne 0 ] || [ -z "$rps" ] || [ -z "$requests" ]; then
    echo "rest.sh: error: wrk gave no figure against the $kind server (status $status):" >&2
    sed 's/^/  /' "$tmp/wrk.out" | head -n 20 >&2
    exit 1
  fi
  good=$(field good)
  bad=$(field bad)
  errors="connect $(field connect_errors), read $(field read_errors), write $(field write_errors)"
  errors="$errors, timeout $(field timeouts), non-2xx/3xx $(field non_2xx_3xx)"
  if [ "${bad:-0}" -ne 0 ] || [ "$errors" != "connect 0, read 0, write 0, timeout 0, non-2xx/3xx 0" ]; then
    warn "against the $kind server: $requests responses, ${bad:-?} bad" \
         "(not 200 with \"id\":1); socket errors: $errors"
    sed -n 's/^rest_lua first_bad /  first bad response: /p' "$tmp/wrk.out" >&2
  fi
  # wrk's Requests/sec, counting good responses only.
  rate=$(awk -v r="$rps" -v n="$requests" -v g="${good:-0}" \
         'BEGIN { printf "%.0f", (n > 0 ? r * g / n : 0) }')

  load_cpu_s=$(field load_cpu_s)
  duration_us=$(field duration_us)
  load_cpu=$(awk -v c="$load_cpu_s" -v d="$duration_us" \
             'BEGIN { if (c != "" && d > 0) printf "%.0f", 100 * c / (d / 1e6); else print "?" }')
  info="server_cpu $(cpu_percent "$ticks0" "$ticks1" "$t0" "$t1")%  load_cpu ${load_cpu}%"
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

# compare_json OURS THEIRS — one word: identical (same bytes), same-value
# (same JSON value, other formatting), same-keys (same top-level keys, some
# values differ), different (other keys, or not a JSON object), or
# not-json (THEIRS does not parse).
compare_json ()
{
  "$PYTHON" - "$1" "$2" <<'EOF'
import json, sys
a_bytes = open(sys.argv[1], "rb").read()
b_bytes = open(sys.argv[2], "rb").read()
if a_bytes == b_bytes:
    print("identical"); sys.exit(0)
try:
    a = json.loads(a_bytes)
    b = json.loads(b_bytes)
except ValueError:
    print("not-json"); sys.exit(0)
if not isinstance(a, dict) or not isinstance(b, dict) or list(a) != list(b):
    print("different")
elif a == b:
    print("same-value")
else:
    print("same-keys")
EOF
}

echo "rest GET $ITEM_PATH: wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION}s (after ${WARMUP} s warm-up)," \
     "${ROUNDS} rounds"

# -- the probes: what each server sends, and the bytes the ceiling serves --

probe crosstalk "$ours_cmd" "$tmp/ours"
if [ "$probe_code" != 200 ]; then
  echo "rest.sh: error: the crosstalk server answered GET $ITEM_PATH with status $probe_code, not 200:" >&2
  head -c 300 "$tmp/ours.body" | sed 's/^/  /' >&2
  echo >&2
  exit 1
fi
if ! "$PYTHON" -c 'import json, sys; d = json.load(open(sys.argv[1], "rb")); sys.exit(0 if isinstance(d, dict) and d.get("id") == 1 else 1)' \
     "$tmp/ours.body" 2>/dev/null; then
  echo "rest.sh: error: the crosstalk server's body for $ITEM_PATH is not a JSON object with \"id\":1:" >&2
  head -c 300 "$tmp/ours.body" | sed 's/^/  /' >&2
  echo >&2
  exit 1
fi
case $probe_type in
  application/json*) ;;
  *) warn "the crosstalk server's Content-Type is '$probe_type', not application/json" ;;
esac
ours_bytes=$(wc -c <"$tmp/ours.body")
ours_header_bytes=$probe_header_bytes
cp "$tmp/ours.body" "$tmp/ceiling.body" || die "cannot copy the body"
# The ceiling sends our ETag and Server headers too, so that its responses
# have the same size as ours.
soup_etag=$probe_etag
if [ -z "$soup_etag" ]; then
  # Made the way our store makes them: 16 hex digits of the body's SHA-1.
  warn "the crosstalk server sent no ETag; the libsoup ceiling sends one all the same"
  soup_etag="\"$(sha1sum <"$tmp/ceiling.body" | cut -c1-16)\""
fi
soup_cmd="$(printf '%q' "$out/rest-soup-min") 0 $(printf '%q' "$tmp/ceiling.body") $(printf '%q' "$soup_etag")"
if [ -n "$probe_server" ]; then
  soup_cmd="$soup_cmd $(printf '%q' "$probe_server")"
fi

probe libsoup "$soup_cmd" "$tmp/soup"
[ "$probe_code" = 200 ] || die "the libsoup ceiling answered GET $ITEM_PATH with status $probe_code"
cmp -s "$tmp/ours.body" "$tmp/soup.body" || die "the libsoup ceiling does not send our server's bytes"
soup_header_bytes=$probe_header_bytes

probe flask "$ref_cmd" "$tmp/ref"
[ "$probe_code" = 200 ] || die "the Flask-RESTful reference answered GET $ITEM_PATH with status $probe_code"
ref_bytes=$(wc -c <"$tmp/ref.body")
ref_header_bytes=$probe_header_bytes
same=$(compare_json "$tmp/ours.body" "$tmp/ref.body")
case $same in
  identical)  body_note="identical bytes" ;;
  same-value) body_note="same JSON value, other formatting (Flask-RESTful's default json.dumps: spaces, final newline)" ;;
  same-keys)
    body_note="same keys, some values differ"
    warn "the Flask-RESTful reference's task differs from ours (same keys, other values):"
    printf '  crosstalk: %s\n  flask:     %s\n' "$(head -c 300 "$tmp/ours.body")" "$(head -c 300 "$tmp/ref.body")" >&2
    ;;
  *)
    body_note="NOT the same keys: not a fair comparison"
    warn "the Flask-RESTful reference's body does not have the same keys as ours ($same):"
    printf '  crosstalk: %s\n  flask:     %s\n' "$(head -c 300 "$tmp/ours.body")" "$(head -c 300 "$tmp/ref.body")" >&2
    ;;
esac

echo "flask:     $ref_cmd"
echo "libsoup:   $soup_cmd"
echo "crosstalk: $ours_cmd"
echo "response bytes (headers + body): crosstalk ${ours_header_bytes} + ${ours_bytes}," \
     "libsoup ${soup_header_bytes} + ${ours_bytes}, flask ${ref_header_bytes} + ${ref_bytes}"
echo "bodies: flask vs crosstalk: $body_note"

# -- the runs --

kinds=(flask libsoup crosstalk)
ref_rates=()
soup_rates=()
ours_rates=()
r=1
while [ $r -le "$ROUNDS" ]; do
  # Rotated by one place per round: each server goes first, second and last
  # in turn.
  for ((k = 0; k < ${#kinds[@]}; k++)); do
    kind=${kinds[$(((r - 1 + k) % ${#kinds[@]}))]}
    case $kind in
      flask)
        run_one flask "$ref_cmd"
        ref_rate=$rate
        ref_rates+=("$rate")
        ;;
      libsoup)
        run_one libsoup "$soup_cmd"
        soup_rate=$rate
        soup_rates+=("$rate")
        ;;
      crosstalk)
        run_one crosstalk "$ours_cmd"
        ours_rate=$rate
        ours_rates+=("$rate")
        ;;
    esac
    printf 'round %d/%d  %-9s  requests_per_s %s  %s\n' "$r" "$ROUNDS" "$kind" "$rate" "$info"
  done
  printf 'round %d/%d  ratio_vs_flask %s  ratio_vs_ceiling %s  ceiling_vs_flask %s\n' "$r" "$ROUNDS" \
    "$(quotient "$ours_rate" "$ref_rate")" "$(quotient "$ours_rate" "$soup_rate")" \
    "$(quotient "$soup_rate" "$ref_rate")"
  r=$((r + 1))
done

ref_median=$(median "${ref_rates[@]}")
soup_median=$(median "${soup_rates[@]}")
ours_median=$(median "${ours_rates[@]}")
[ "$ref_median" -gt 0 ] || die "the Flask-RESTful server answered no request correctly; cannot compute a ratio"
[ "$soup_median" -gt 0 ] || die "the libsoup ceiling answered no request correctly; cannot compute a ratio"

echo "flask_requests_per_s $ref_median"
echo "libsoup_min_requests_per_s $soup_median"
echo "crosstalk_requests_per_s $ours_median"
echo "ratio_vs_flask $(quotient "$ours_median" "$ref_median")"
echo "target_vs_flask $TARGET_VS_FLASK $(verdict "$ours_median" "$ref_median" "$TARGET_VS_FLASK")"
echo "ratio_vs_ceiling $(quotient "$ours_median" "$soup_median")"
echo "target_vs_ceiling $TARGET_VS_CEILING $(verdict "$ours_median" "$soup_median" "$TARGET_VS_CEILING")"
echo "ceiling_vs_flask $(quotient "$soup_median" "$ref_median")"
exit 0
