#!/usr/bin/env bash
# Steady rate side by side: per checkout DIR (in the order given; alternate them, e.g. A B B A), a fresh
# `./atoll serve` (fresh data dir), WARM_S of tools/call of word_count at c=16 with wrk (discarded),
# then DUR_S measured. Prints calls/s, the gateway's CPU per call (from /proc), p50/p99 and the audit
# log's records per commit (from /metrics). wrk is C, one thread (Debian package wrk, installed if
# missing), so the gateway has the rest of the machine. Build each checkout first (./atoll --help).
# Usage: benchmarks/http/steady-wrk.sh DIR...   Environment: WARM_S (150), DUR_S (30)
set -uo pipefail
# shellcheck source=wrk-call.sh
source "$(dirname "${BASH_SOURCE[0]}")/wrk-call.sh"
WARM=${WARM_S:-150}; DUR=${DUR_S:-30}
TICK=$(getconf CLK_TCK)
for dir in "$@"; do
  data=$(mktemp -d -t atoll-steady.XXXXXX); log=$data/serve.log
  wrk_call_script "$data/call.lua"
  (cd "$dir" && exec ./atoll serve --port 0 --admin-port 0 --data "$data" >"$log" 2>&1) &
  pid=$!
  until grep -q 'is running' "$log" || ! kill -0 $pid 2>/dev/null; do sleep 0.1; done
  url="$(sed -n 's/^  MCP endpoint : //p' "$log")"; admin="$(sed -n 's/^  admin API    : //p' "$log")"
  [ -n "$url" ] || { echo "$dir: did not start"; cat "$log"; continue; }
  wrk -t1 -c16 -d"${WARM}s" -s "$data/call.lua" "$url" >/dev/null 2>&1
  c0=$(awk '{print $14+$15}' /proc/$pid/stat)
  r=$(wrk -t1 -c16 -d"${DUR}s" --latency -s "$data/call.lua" "$url" 2>&1)
  c1=$(awk '{print $14+$15}' /proc/$pid/stat)
  rps=$(sed -n 's/^Requests\/sec: *//p' <<<"$r"); n=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' <<<"$r")
  p50=$(awk '$1=="50%"{print $2}' <<<"$r"); p99=$(awk '$1=="99%"{print $2}' <<<"$r")
  bad=$(sed -n 's/.*Non-2xx or 3xx responses: *//p' <<<"$r")
  rpc=$(curl -s -H "Authorization: Bearer $ATOLL_ADMIN_TOKEN" "$admin/metrics" \
    | awk '/^atoll_audit_commits_total /{c=$2} /^atoll_audit_calls_written /{w=$2} END {printf "%.1f", (c>0?w/c:0)}')
  echo "$(date -u +%H:%M:%S) $dir calls/s=$rps cpu/call=$(( (c1-c0) * 1000000 / TICK / (n>0?n:1) ))us p50=$p50 p99=$p99 records/commit=$rpc${bad:+ non2xx=$bad} load=$(cut -d' ' -f1 /proc/loadavg)"
  kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"
done
