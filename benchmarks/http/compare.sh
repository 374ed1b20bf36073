#!/usr/bin/env bash
# Side by side at c=16: MCP tools/call of word_count through `./atoll serve` of two checkouts, run
# alternately (A, B, A, B, ...), each a fresh server with a fresh data dir: WARM_S of load, then DUR_S
# measured, both with this checkout's `./atoll loadtest` (closed model, c=16) so the load generator is
# the same for both. Prints each run's summary (calls/s, percentiles, the server's CPU per call from its
# /metrics) and writes OUT/{a,b}-N.json; compare two of them with `./atoll loadtest --compare`. Every
# run is bounded in time and calls. Build each checkout first (./atoll --help builds it).
# Usage: benchmarks/http/compare.sh DIR_A DIR_B
# Environment: WARM_S (60), DUR_S (20), ROUNDS (2), OUT (benchmarks/http/target/compare-<UTC time>)
set -uo pipefail
[ $# -eq 2 ] || { echo "usage: compare.sh DIR_A DIR_B" >&2; exit 2; }
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
WARM=${WARM_S:-60}; DUR=${DUR_S:-20}; ROUNDS=${ROUNDS:-2}
OUT="${OUT:-$ROOT/benchmarks/http/target/compare-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$OUT"
export ATOLL_MCP_TOKEN="atoll_mcp_bench_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
export ATOLL_ADMIN_TOKEN="atoll_admin_bench_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
ARGS='{"text":"hello big world"}'
load() { # url admin seconds [out]
  "$ROOT/atoll" loadtest word_count --url "$1" --args "$ARGS" -c 16 -d "${3}s" --max-calls 10000000 --quiet \
    --metrics-url "$2/metrics" ${4:+--out "$4"} 2>/dev/null
}
one() { # dir label round
  local root=$1 data log pid url admin
  data=$(mktemp -d -t atoll-compare.XXXXXX); log=$data/serve.log
  (cd "$root" && exec ./atoll serve --port 0 --admin-port 0 --data "$data" >"$log" 2>&1) &
  pid=$!
  for _ in $(seq 1 240); do grep -q 'is running' "$log" && break; sleep 0.5; done
  url="$(sed -n 's/^  MCP endpoint : //p' "$log")"
  admin="$(sed -n 's/^  admin API    : //p' "$log")"
  [ -n "$url" ] && [ -n "$admin" ] || { echo "$root: did not start"; cat "$log"; kill "$pid"; return; }
  load "$url" "$admin" "$WARM" >/dev/null
  echo "=== $2 ($root) round $3, c=16 ${DUR}s, load: $(cut -d' ' -f1-3 /proc/loadavg) $(date -u +%H:%M:%S)"
  load "$url" "$admin" "$DUR" "$OUT/$2-$3.json" | grep -E '^(calls|throughput|errors|latency|gateway CPU)' | sed 's/^/  /'
  kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  rm -rf "$data"
}
for r in $(seq 1 "$ROUNDS"); do
  one "$1" a "$r"
  one "$2" b "$r"
done
echo "compare.sh: results in $OUT; e.g. ./atoll loadtest --compare $OUT/a-1.json $OUT/b-1.json"
