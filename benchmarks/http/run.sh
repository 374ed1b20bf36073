#!/usr/bin/env bash
# HTTP load on loopback: MCP tools/call of a tiny tool (a fresh isolate context per call) through
# ./atoll serve, driven by `./atoll loadtest` (closed model) at concurrency 1, 16 and 64, after a
# warm-up whose per-second series is the warm-up curve of the freshly started node. Every run is
# bounded in time (--duration) and calls (--max-calls). No wrk needed.
# Usage: benchmarks/http/run.sh [DURATION_S=15] [extra serve options...]
# Environment: WARMUP_S (default 90): seconds of tools/call load at c=16 before measuring. The node's
# JIT (C2 for GraalJS's Java code, jar-Graal for guest code) needs 70-90 s of calls before a call costs
# its steady-state CPU; a shorter warm-up measures the JIT, not the gateway (docs/benchmarks.md).
# OUT (default benchmarks/http/target/<UTC time>): where the JSON results and HTML reports go.
# Prints, per row, the loadtest summary (percentiles, throughput, outcomes, the gateway's CPU per call
# from its /metrics) and the load average.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
DURATION="${1:-15}"; shift || true
WARMUP="${WARMUP_S:-90}"
OUT="${OUT:-$ROOT/benchmarks/http/target/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$OUT"
export ATOLL_MCP_TOKEN="atoll_mcp_bench_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
export ATOLL_ADMIN_TOKEN="atoll_admin_bench_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
DATA="$(mktemp -d -t atoll-bench.XXXXXX)"
LOG="$DATA/serve.log"
./atoll serve --port 0 --admin-port 0 --data "$DATA" "$@" >"$LOG" 2>&1 &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do grep -q 'is running' "$LOG" && break; sleep 0.5; done
URL="$(sed -n 's/^  MCP endpoint : //p' "$LOG")"
ADMIN="$(sed -n 's/^  admin API    : //p' "$LOG")"
[ -n "$URL" ] && [ -n "$ADMIN" ] || { cat "$LOG" >&2; exit 1; }
TOOL="${ATOLL_BENCH_TOOL:-word_count}"
ARGS='{"text":"hello big world"}'
echo "run.sh: $URL (server pid $PID, $(nproc) cores), results in $OUT"
load() { # name concurrency seconds
  local name="$1" c="$2" s="$3"
  echo "=== $name: tools/call $TOOL c=$c for ${s}s, load: $(cut -d' ' -f1-3 /proc/loadavg)"
  ./atoll loadtest "$TOOL" --url "$URL" --args "$ARGS" -c "$c" -d "${s}s" --max-calls 10000000 --quiet \
    --metrics-url "$ADMIN/metrics" --out "$OUT/$name.json" --report "$OUT/$name.html" 2>/dev/null \
    | grep -E '^(calls|throughput|errors|latency|service|gateway CPU|outcome)' | sed 's/^/  /'
}
# The warm-up of a freshly started node: its throughput and p99 per second are the warm-up curve
# (the "timeline" in warmup.json, plotted in warmup.html).
load warmup 16 "$WARMUP"
for c in 1 16 64; do
  load "c$c" "$c" "$DURATION"
done
echo "run.sh: compare two runs with ./atoll loadtest --compare A.json B.json [--report both.html]"
