#!/bin/bash
# bench/jsonrpc.sh [BUILDDIR] — JSON-RPC calls per second (`subtract`, over
# HTTP POST) through `crosstalk-cli serve jsonrpc`, against the classic
# teaching server, Werkzeug + the json-rpc library (bench/jsonrpc-ref.py),
# and against the libsoup ceiling (bench/jsonrpc-soup-min.c: a bare libsoup 3
# SoupServer answering every POST with a fixed response, no JSON, no log —
# the best any SoupServer-based server can do here), all measured in the
# same run with wrk (bench/jsonrpc.lua); prints the ratios.
# A measurement, not a test: it exits 0 whether or not the target is met,
# and 1 only when it cannot measure.
#
# BUILDDIR defaults to _build; the server is BUILDDIR/src/cli/crosstalk-cli,
# started as `crosstalk-cli serve jsonrpc --port=0 --quiet --json`.  Its
# first stdout line must be the JSON "listening" event carrying
# "url":"http://127.0.0.1:PORT/rpc" (or at least "address":"127.0.0.1:PORT",
# then the path /rpc is assumed), flushed at once; nothing else is read from
# it.  The two others announce themselves the same way.  The reference runs
# with the Debian Python, /usr/bin/python3 (python3-werkzeug,
# python3-jsonrpc): a python3 found first in PATH may be another one without
# those packages.  The libsoup ceiling is compiled into bench/out/ at every
# run, with cc and pkg-config's flags for libsoup-3.0 (libsoup-3.0-dev).
#
# Environment:
#   ROUNDS=3          rounds; each runs the three servers once
#   DURATION=3        whole seconds measured per run (wrk -d)
#   WARMUP=1          whole seconds of load before each measured run, on the
#                     same server, not counted (0: none)
#   CONNECTIONS=8     wrk connections (-c);  THREADS=1  wrk threads (-t)
#   STARTUP_TIMEOUT=10  seconds to wait for a server's first line
#   WRK=wrk           the wrk to run;  PYTHON=/usr/bin/python3  the reference's
#   CT_SERVER_CMD     shell command to run instead of the CLI (evaluated in
#                     the top source directory), announcing itself the same
#                     way — to try this script without the CLI, e.g.
#                     CT_SERVER_CMD='/usr/bin/python3 bench/jsonrpc-ref.py 0'
#
# Method: all servers bind 127.0.0.1; each run gets a fresh one, driven by
# `wrk -t1 -c8 -dDURATION -s bench/jsonrpc.lua URL`: 8 connections, each
# sending the next call as soon as the previous answer is in, kept alive as
# long as the server allows (Werkzeug's development server closes every
# connection after one response, so against it wrk reconnects for each
# call; ours and the libsoup ceiling keep them open).  One wrk thread
# because the machine has 2 cores: the server gets one and the load
# generator the other (a second wrk thread would compete with the server
# for its core).  Nothing is pinned; this script sleeps meanwhile.  Every
# response is checked (status 200 and "result":19 in the body) and only
# good ones count; errors are reported.  The order of the three rotates by
# one place per round (python, libsoup, crosstalk; then libsoup, crosstalk,
# python; then crosstalk, python, libsoup; ...) so drift in the machine's
# load hits all alike, and the figures reported are medians over the
# rounds.  Per run we also show the CPU the server used (from /proc) and
# wrk's own (from os.clock() in the Lua script): a server near 100% while
# wrk has room to spare is the bottleneck, as it should be.
#
# Summary: python_calls_per_s, crosstalk_calls_per_s, ratio (crosstalk /
# python) and "target 10 met|NOT met", as before the ceiling was added;
# then libsoup_min_calls_per_s, ceiling_ratio (libsoup-min / python: the
# best ratio any SoupServer-based server could score here) and
# crosstalk_vs_ceiling (crosstalk / libsoup-min).

set -u

me=jsonrpc.sh
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh" || exit 1

use_builddir "${1:-_build}"

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-3}
WARMUP=${WARMUP:-1}
CONNECTIONS=${CONNECTIONS:-8}
THREADS=${THREADS:-1}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-10}
WRK=${WRK:-wrk}
PYTHON=${PYTHON:-/usr/bin/python3}
TARGET=10
WRK_ALLOWANCE=20   # seconds a wrk run may take beyond its -d before it is stopped
# For start_server: the URL the server announces, or its address and /rpc.
listen_form=url
url_path=/rpc
url_path_from_line=yes
# For run_one_wrk: the Lua script, its summary line's tag, a good response.
wrk_lua=$here/jsonrpc.lua
wrk_lua_tag=jsonrpc_lua
wrk_good='200 with "result":19'

positive ROUNDS "$ROUNDS"
check_wrk_settings
is_uint "$STARTUP_TIMEOUT" || die "STARTUP_TIMEOUT must be an integer (got '$STARTUP_TIMEOUT')"

need_wrk
[ -x "$PYTHON" ] || die "$PYTHON not found; the reference needs the Debian Python"
if ! "$PYTHON" -c 'import werkzeug, jsonrpc' 2>/dev/null; then
  die "$PYTHON cannot import werkzeug and jsonrpc; on Debian: apt-get install python3-werkzeug python3-jsonrpc"
fi
need_file jsonrpc.lua jsonrpc-ref.py jsonrpc-soup-min.c

ref_cmd="$(printf '%q' "$PYTHON") $(printf '%q' "$here/jsonrpc-ref.py") 0"
ours_command serve jsonrpc --port=0 --quiet --json

need_cc
compile_soup jsonrpc-soup-min
soup_cmd="$(printf '%q' "$out/jsonrpc-soup-min") 0"

bench_setup

run_one () { run_one_wrk "$@"; }

round_ratios ()
{
  printf 'round %d/%d  ratio %s  ceiling_ratio %s  crosstalk_vs_ceiling %s\n' "$1" "$ROUNDS" \
    "$(quotient "${last[crosstalk]}" "${last[python]}")" \
    "$(quotient "${last[libsoup]}" "${last[python]}")" \
    "$(quotient "${last[crosstalk]}" "${last[libsoup]}")"
}

echo "jsonrpc subtract: wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION}s (after ${WARMUP} s warm-up)," \
     "${ROUNDS} rounds"
echo "python:    $ref_cmd"
echo "libsoup:   $soup_cmd"
echo "crosstalk: $ours_cmd"

# The order rotates by one place per round: each server goes first, second
# and last in turn.
run_rounds calls_per_s python "$ref_cmd" libsoup "$soup_cmd" crosstalk "$ours_cmd"

ref_median=$(median_of python)
soup_median=$(median_of libsoup)
ours_median=$(median_of crosstalk)
[ "$ref_median" -gt 0 ] || die "the Python server answered no call correctly; cannot compute a ratio"

echo "python_calls_per_s $ref_median"
echo "crosstalk_calls_per_s $ours_median"
echo "ratio $(quotient "$ours_median" "$ref_median")"
echo "target $TARGET $(verdict "$ours_median" "$ref_median" "$TARGET")"
echo "libsoup_min_calls_per_s $soup_median"
echo "ceiling_ratio $(quotient "$soup_median" "$ref_median")"
echo "crosstalk_vs_ceiling $(quotient "$ours_median" "$soup_median")"
exit 0
