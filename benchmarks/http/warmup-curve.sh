#!/usr/bin/env bash
# The warm-up curve of a freshly started node: starts `./atoll serve` (fresh data dir), and from the
# moment it prints its banner drives tools/call of word_count (2026-07-28 stateless) at c=16 with wrk
# in consecutive 5 s windows until SECONDS after the process started. Prints one line per run:
#   VARIANT ready=<s from process start to banner> <s from start>:<calls/s of the window> ...
# ("!N" after a rate: N non-2xx answers in that window). A final call checks that the tool answered.
# wrk is a C load generator (one thread, one core at most; Debian package wrk, installed if missing).
# Usage: benchmarks/http/warmup-curve.sh SECONDS VARIANT...
#   VARIANT: default (this checkout's ./atoll), aot (ATOLL_AOT=1 ./atoll), nojit (ATOLL_JIT=0: guest
#   code interpreted, no JVMCI), opts:FLAGS (this checkout with ATOLL_JAVA_OPTS=FLAGS, e.g.
#   "opts:-Dpolyglot.engine.Mode=latency"), or a directory holding another checkout (its ./atoll,
#   built beforehand with ./atoll --help). Run variants alternately,
#   e.g. "60 default aot aot default", on a quiet machine: each run is bounded by SECONDS.
set -uo pipefail
# shellcheck source=wrk-call.sh
source "$(dirname "${BASH_SOURCE[0]}")/wrk-call.sh"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
S=${1:?usage: warmup-curve.sh SECONDS VARIANT...}; shift
for V in "$@"; do
  data=$(mktemp -d -t atoll-curve.XXXXXX); log=$data/serve.log
  wrk_call_script "$data/call.lua"
  dir=$ROOT; aot=0; jit=1; opts=${ATOLL_JAVA_OPTS:-}
  case $V in
    default) ;;
    aot) aot=1 ;;
    nojit) jit=0 ;;
    opts:*) opts="$opts ${V#opts:}" ;;
    *) dir=$V ;;
  esac
  t0=$(date +%s%N)
  (cd "$dir" && ATOLL_AOT=$aot ATOLL_JIT=$jit ATOLL_JAVA_OPTS="$opts" exec ./atoll serve --port 0 --admin-port 0 --data "$data" >"$log" 2>&1) &
  pid=$!
  until grep -q 'is running' "$log" || ! kill -0 $pid 2>/dev/null; do sleep 0.05; done
  url="$(sed -n 's/^  MCP endpoint : //p' "$log")"
  [ -n "$url" ] || { echo "$V: did not start"; cat "$log"; continue; }
  line="$V ready=$(( ($(date +%s%N) - t0) / 1000000 ))ms"
  while [ $(( ($(date +%s%N) - t0) / 1000000000 )) -lt "$S" ]; do
    at=$(( ($(date +%s%N) - t0) / 1000000000 ))
    r=$(wrk -t1 -c16 -d5s -s "$data/call.lua" "$url" 2>&1)
    rps=$(sed -n 's/^Requests\/sec: *//p' <<<"$r"); bad=$(sed -n 's/.*Non-2xx or 3xx responses: *//p' <<<"$r")
    line="$line $at:${rps%.*}${bad:+!$bad}"
  done
  curl -s "$url" -H "Authorization: Bearer $ATOLL_MCP_TOKEN" -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: 2026-07-28' \
    -H 'Mcp-Method: tools/call' -H 'Mcp-Name: word_count' -d "$BODY" | grep -q '"words":3' || line="$line CALL-FAILED"
  kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"
  echo "$line load=$(cut -d' ' -f1 /proc/loadavg)"
done
