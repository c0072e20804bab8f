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

me=rest.sh
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh" || exit 1

use_builddir "${1:-_build}"

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
# For start_server: ITEM_PATH on the server's root, from its URL or address.
listen_form=url
url_path=$ITEM_PATH
url_path_from_line=no
# For run_one_wrk: the Lua script, its summary line's tag, a good response.
wrk_lua=$here/rest.lua
wrk_lua_tag=rest_lua
wrk_good='200 with "id":1'

positive ROUNDS "$ROUNDS"
check_wrk_settings
is_uint "$STARTUP_TIMEOUT" || die "STARTUP_TIMEOUT must be an integer (got '$STARTUP_TIMEOUT')"

need_wrk
command -v curl >/dev/null || die "curl not found; on Debian: apt-get install curl"
[ -x "$PYTHON" ] || die "$PYTHON not found; the reference needs the Debian Python"
if ! "$PYTHON" -c 'import flask, flask_restful, werkzeug' 2>/dev/null; then
  die "$PYTHON cannot import flask and flask_restful; on Debian: apt-get install python3-flask-restful"
fi
need_file rest.lua rest-ref.py rest-soup-min.c

ref_cmd="$(printf '%q' "$PYTHON") $(printf '%q' "$here/rest-ref.py") 0"
ours_command serve rest --port=0 --quiet --json

need_cc
compile_soup rest-soup-min

bench_setup

# probe KIND CMD PREFIX — starts a server, GETs $url once with curl, stops
# it.  Writes PREFIX.body and PREFIX.headers; sets $probe_code (the HTTP
# status), $probe_header_bytes, $probe_type (Content-Type), $probe_etag
# and $probe_server (the ETag and Server headers' values, empty if none).
probe ()
{
  local kind=$1 cmd=$2 prefix=$3 status

  start_server "$kind" "$cmd"
  # No proxy: the request must go to the loopback server itself.
  run_load "$prefix.curl" "$prefix.curl-err" \
    curl -sS --noproxy '*' --max-time "$CURL_TIMEOUT" -o "$prefix.body" -D "$prefix.headers" \
         -w '%{http_code} %{size_header}\n' "$url"
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

run_one () { run_one_wrk "$@"; }

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

round_ratios ()
{
  printf 'round %d/%d  ratio_vs_flask %s  ratio_vs_ceiling %s  ceiling_vs_flask %s\n' "$1" "$ROUNDS" \
    "$(quotient "${last[crosstalk]}" "${last[flask]}")" \
    "$(quotient "${last[crosstalk]}" "${last[libsoup]}")" \
    "$(quotient "${last[libsoup]}" "${last[flask]}")"
}

# The order rotates by one place per round: each server goes first, second
# and last in turn.
run_rounds requests_per_s flask "$ref_cmd" libsoup "$soup_cmd" crosstalk "$ours_cmd"

ref_median=$(median_of flask)
soup_median=$(median_of libsoup)
ours_median=$(median_of crosstalk)
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
