#!/usr/bin/env bash
# HTTP load on loopback: MCP tools/call of a tiny tool (a fresh isolate context per call) through
# ./atoll serve, with wrk at concurrency 1, 16 and 64, plus MCP ping at c=1 and c=16 as the baseline
# of the HTTP stack. Every run is bounded in time (-d).
# Usage: benchmarks/http/run.sh [DURATION_S=15] [extra serve options...]
# Environment: WARMUP_S (default 90): seconds of tools/call load at c=16 before measuring. The node's
# JIT (C2 for GraalJS's Java code, jar-Graal for guest code) needs 70-90 s of calls before a call costs
# its steady-state CPU; a shorter warm-up measures the JIT, not the gateway (docs/benchmarks.md).
# Needs wrk (apt-get install wrk). Prints, per row, wrk's summary, the server's CPU time per request
# (from /proc/PID/stat: user + system of the whole JVM) and the load average.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
command -v wrk >/dev/null || { echo "run.sh: wrk is missing (apt-get install wrk)" >&2; exit 2; }
DURATION="${1:-15}"; shift || true
WARMUP="${WARMUP_S:-90}"
export ATOLL_MCP_TOKEN="atoll_mcp_bench_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
DATA="$(mktemp -d -t atoll-bench.XXXXXX)"
LOG="$DATA/serve.log"
./atoll serve --port 0 --admin-port 0 --data "$DATA" "$@" >"$LOG" 2>&1 &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do grep -q 'is running' "$LOG" && break; sleep 0.5; done
URL="$(sed -n 's/^  MCP endpoint : //p' "$LOG")"
[ -n "$URL" ] || { cat "$LOG" >&2; exit 1; }
HERE="$ROOT/benchmarks/http"
TICK="$(getconf CLK_TCK)"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
echo "run.sh: $URL (server pid $PID, $(nproc) cores)"
echo "run.sh: warm-up ${WARMUP} s of tools/call at c=16"
wrk -t2 -c16 -d"${WARMUP}s" -s "$HERE/tools-call.lua" "$URL" | grep -E 'Requests/sec' | sed 's/^/  warm-up /'
row() { # script concurrency
  local script="$1" c="$2" t out c0 c1 n
  t=$(( c < 2 ? 1 : 2 ))
  echo "=== $(basename "$script" .lua) c=$c (wrk -t$t -c$c -d${DURATION}s --latency) load: $(cut -d' ' -f1-3 /proc/loadavg)"
  c0=$(cpu_ticks)
  out="$(wrk -t$t -c$c -d"${DURATION}s" --latency -s "$script" "$URL")"
  c1=$(cpu_ticks)
  echo "$out" | grep -E 'Latency|50%|90%|99%|requests in|Requests/sec|Non-2xx|Socket errors|unexpected'
  n=$(echo "$out" | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p')
  awk -v d=$(( c1 - c0 )) -v n="$n" -v hz="$TICK" -v s="$DURATION" \
    'BEGIN { printf "  server CPU: %.0f us/request, %.0f %% of one core\n", d / hz * 1e6 / n, d / hz / s * 100 }'
}
row "$HERE/ping.lua" 1
row "$HERE/ping.lua" 16
for c in 1 16 64; do
  row "$HERE/tools-call.lua" "$c"
done
