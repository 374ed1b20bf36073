#!/usr/bin/env bash
# HTTP load on loopback: MCP tools/call of a tiny tool (a fresh isolate context per call) through
# ./atoll serve, with wrk at concurrency 1, 16 and 64. Every run is bounded in time (-d).
# Usage: benchmarks/http/run.sh [DURATION_S=15] [extra serve options...]
# Needs wrk (apt-get install wrk). Prints wrk's summary for each concurrency.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
command -v wrk >/dev/null || { echo "run.sh: wrk is missing (apt-get install wrk)" >&2; exit 2; }
DURATION="${1:-15}"; shift || true
export ATOLL_MCP_TOKEN="atoll_mcp_bench_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
DATA="$(mktemp -d -t atoll-bench.XXXXXX)"
LOG="$DATA/serve.log"
./atoll serve --port 0 --admin-port 0 --data "$DATA" "$@" >"$LOG" 2>&1 &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do grep -q 'is running' "$LOG" && break; sleep 0.5; done
URL="$(sed -n 's/^  MCP endpoint : //p' "$LOG")"
[ -n "$URL" ] || { cat "$LOG" >&2; exit 1; }
echo "run.sh: $URL ($(head -1 "$LOG" | cut -c1-100))"
echo "run.sh: warm-up 20 s at c=16"
wrk -t2 -c16 -d20s -s benchmarks/http/tools-call.lua "$URL" >/dev/null
for c in 1 16 64; do
  t=$(( c < 2 ? 1 : 2 ))
  echo "=== c=$c (wrk -t$t -c$c -d${DURATION}s --latency)"
  wrk -t$t -c$c -d"${DURATION}s" --latency -s benchmarks/http/tools-call.lua "$URL" \
    | grep -E 'Latency|50%|90%|99%|Requests/sec|Non-2xx|Socket errors|unexpected'
done
