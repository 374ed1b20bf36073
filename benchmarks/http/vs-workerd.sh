#!/usr/bin/env bash
# Atoll against workerd (Cloudflare's Workers runtime), side by side in one run with one load generator
# (wrk, C, one thread) and one tool (tools-examples/js/word_count.mjs), on 127.0.0.1:
#   atoll        this checkout's `./atoll serve` (default config: a fresh isolate context per call,
#                schema checks, DLP, audit), WARM_S of c=16 first, then each concurrency for DUR_S;
#   workerd-warm one workerd module worker (workerd/worker.mjs) whose isolate serves every request:
#                token check, JSON-RPC parse, the tool, the JSON-RPC answer; WD_WARM_S of c=16 first;
#   workerd-fresh the same two modules in a new Dynamic Worker (worker loader, a unique id) per request,
#                c=16 only, for FRESH_S: workerd keeps every Dynamic Worker it loaded, and its V8 heap runs
#                out after about a thousand of them (10 s at c=16 here), which ends the process.
# Per row: calls/s, p50/p99/p99.9 (wrk's histogram), the server's CPU per call (from /proc) and
# non-2xx answers; then Atoll's rate as a ratio of each workerd row at the same concurrency.
# workerd comes from npm (package workerd, pinned by WORKERD_VERSION) into benchmarks/http/target.
# Usage: benchmarks/http/vs-workerd.sh [ROUNDS]
# Environment: WARM_S (150), WD_WARM_S (10), DUR_S (20), CONCURRENCY ("1 16 64"), FRESH (1: run
# workerd-fresh), FRESH_S (5), WORKERD_VERSION (1.20261123.1). Every load loop is bounded by its duration.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=wrk-call.sh
source "$HERE/wrk-call.sh"
ROUNDS=${1:-1}
WARM=${WARM_S:-150}; WD_WARM=${WD_WARM_S:-10}; DUR=${DUR_S:-20}; CONC=${CONCURRENCY:-1 16 64}
VERSION=${WORKERD_VERSION:-1.20261123.1}
TICK=$(getconf CLK_TCK)

WD_DIR="$HERE/target/workerd-$VERSION"
WORKERD="$WD_DIR/node_modules/@cloudflare/workerd-linux-64/bin/workerd"
[ -x "$WORKERD" ] || WORKERD="$WD_DIR/node_modules/.bin/workerd"
if [ ! -x "$WORKERD" ]; then
  echo "vs-workerd: installing workerd $VERSION from npm into $WD_DIR" >&2
  mkdir -p "$WD_DIR"
  npm install --prefix "$WD_DIR" --no-audit --no-fund --loglevel=error "workerd@$VERSION" >&2 \
    || { echo "vs-workerd: npm could not install workerd@$VERSION" >&2; exit 2; }
  WORKERD="$WD_DIR/node_modules/@cloudflare/workerd-linux-64/bin/workerd"
  [ -x "$WORKERD" ] || WORKERD="$WD_DIR/node_modules/.bin/workerd"
fi

work=$(mktemp -d -t atoll-vs-workerd.XXXXXX)
keep=0
trap 'kill $(jobs -p) 2>/dev/null; [ "$keep" = 1 ] || rm -rf "$work"' EXIT
wrk_call_script "$work/call.lua"
cat >> "$work/call.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("PCT %.3f %.3f %.3f\n", latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency:percentile(99.9) / 1000))
end
LUA
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
cpu_of() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo gone; }

# measure NAME URL PID C [SECONDS]: one row, SECONDS (default DUR) of wrk at concurrency C
measure() {
  local c0 c1 r rps n p50 p99 p999 bad
  c0=$(cpu_of "$3")
  r=$(wrk -t1 -c"$4" -d"${5:-$DUR}s" -s "$work/call.lua" "$2" 2>&1)
  c1=$(cpu_of "$3")
  if [ "$c1" = gone ]; then
    echo "$1 c=$4: the server exited during the run (its log is kept in $work)"; keep=1; return
  fi
  rps=$(sed -n 's/^Requests\/sec: *//p' <<<"$r"); n=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' <<<"$r")
  read -r p50 p99 p999 < <(sed -n 's/^PCT //p' <<<"$r"); bad=$(sed -n 's/.*Non-2xx or 3xx responses: *//p' <<<"$r")
  printf '%-13s c=%-3s calls/s=%-7s p50=%sms p99=%sms p99.9=%sms cpu/call=%sus%s load=%s\n' "$1" "$4" "${rps%.*}" \
    "$p50" "$p99" "$p999" "$(( (c1 - c0) * 1000000 / TICK / (n > 0 ? n : 1) ))" "${bad:+ non2xx=$bad}" \
    "$(cut -d' ' -f1 /proc/loadavg)"
  echo "$1 $4 ${rps%.*}" >> "$work/rates"
}

for round in $(seq 1 "$ROUNDS"); do
  echo "# round $round, $(date -u +%H:%M:%S) UTC, $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')"
  # Atoll
  data="$work/atoll-$round"; mkdir -p "$data"; log=$data/serve.log
  (cd "$ROOT" && exec ./atoll serve --port 0 --admin-port 0 --data "$data" >"$log" 2>&1) &
  pid=$!
  for _ in $(seq 1200); do grep -q 'is running' "$log" || ! kill -0 $pid 2>/dev/null && break; sleep 0.1; done
  url="$(sed -n 's/^  MCP endpoint : //p' "$log")"
  [ -n "$url" ] || { echo "atoll did not start:"; cat "$log"; exit 1; }
  wrk -t1 -c16 -d"${WARM}s" -s "$work/call.lua" "$url" >/dev/null 2>&1
  for c in $CONC; do measure atoll "$url" $pid "$c"; done
  kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null
  # workerd
  warm=$(free_port); fresh=$(free_port)
  (cd "$HERE/workerd" && exec "$WORKERD" serve --experimental config.capnp \
    --socket-addr "warm=127.0.0.1:$warm" --socket-addr "fresh=127.0.0.1:$fresh" >"$work/workerd.log" 2>&1) &
  pid=$!
  for _ in $(seq 600); do [ "$(grep -c '^Listening' "$work/workerd.log")" = 2 ] || ! kill -0 $pid 2>/dev/null && break; sleep 0.1; done
  [ "$(grep -c '^Listening' "$work/workerd.log")" = 2 ] || { echo "workerd did not start:"; cat "$work/workerd.log"; exit 1; }
  wrk -t1 -c16 -d"${WD_WARM}s" -s "$work/call.lua" "http://127.0.0.1:$warm/" >/dev/null 2>&1
  for c in $CONC; do measure workerd-warm "http://127.0.0.1:$warm/" $pid "$c"; done
  [ "${FRESH:-1}" = 1 ] && measure workerd-fresh "http://127.0.0.1:$fresh/" $pid 16 "${FRESH_S:-5}"
  kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null
  for c in $CONC; do
    awk -v c="$c" '$2 == c { r[$1] = $3 } END {
      line = "ratio c=" c ":";
      if (r["workerd-warm"] > 0) line = line sprintf(" atoll/workerd-warm=%.2f", r["atoll"] / r["workerd-warm"]);
      if (r["workerd-fresh"] > 0) line = line sprintf(" atoll/workerd-fresh=%.1f", r["atoll"] / r["workerd-fresh"]);
      print line }' "$work/rates"
  done
  rm -f "$work/rates"
done
