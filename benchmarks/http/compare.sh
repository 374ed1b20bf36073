#!/usr/bin/env bash
# Side by side at c=16: MCP tools/call of word_count through `./atoll serve` of two checkouts, run
# alternately (A, B, A, B, ...), each a fresh server with a fresh data dir: WARM_S of load, then DUR_S
# measured with wrk. Prints calls/s, p50/p99 and the server's CPU per call (/proc/PID/stat). Every run
# is bounded in time. Build each checkout first (./atoll --help builds it).
# Usage: benchmarks/http/compare.sh DIR_A DIR_B   Environment: WARM_S (60), DUR_S (20), ROUNDS (2)
set -uo pipefail
[ $# -eq 2 ] || { echo "usage: compare.sh DIR_A DIR_B" >&2; exit 2; }
command -v wrk >/dev/null || { echo "compare.sh: wrk is missing (apt-get install wrk)" >&2; exit 2; }
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WARM=${WARM_S:-60}; DUR=${DUR_S:-20}; ROUNDS=${ROUNDS:-2}
export ATOLL_MCP_TOKEN="atoll_mcp_bench_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
TICK=$(getconf CLK_TCK)
one() { # dir
  local root=$1 data log pid url c0 c1 out n
  data=$(mktemp -d -t atoll-compare.XXXXXX); log=$data/serve.log
  (cd "$root" && exec ./atoll serve --port 0 --admin-port 0 --data "$data" >"$log" 2>&1) &
  pid=$!
  for _ in $(seq 1 240); do grep -q 'is running' "$log" && break; sleep 0.5; done
  url="$(sed -n 's/^  MCP endpoint : //p' "$log")"
  [ -n "$url" ] || { echo "$root: did not start"; cat "$log"; kill "$pid"; return; }
  wrk -t2 -c16 -d"${WARM}s" -s "$HERE/tools-call.lua" "$url" >/dev/null 2>&1
  echo "=== $root c=16 ${DUR}s load: $(cut -d' ' -f1-3 /proc/loadavg) $(date -u +%H:%M:%S)"
  c0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  out="$(wrk -t2 -c16 -d"${DUR}s" --latency -s "$HERE/tools-call.lua" "$url" 2>&1)"
  c1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  echo "$out" | grep -E 'Requests/sec|50%|99%|Non-2xx|unexpected' | head -5
  n=$(echo "$out" | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p')
  awk -v d=$(( c1 - c0 )) -v n="$n" -v hz="$TICK" 'BEGIN { printf "  server CPU: %.0f us/request\n", d / hz * 1e6 / n }'
  kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  rm -rf "$data"
}
for _ in $(seq 1 "$ROUNDS"); do
  one "$1"
  one "$2"
done
