#!/usr/bin/env bash
# Installs or starts what the test suite needs (idempotently), then runs every test of every module.
# Usage: scripts/test.sh [extra Maven arguments]
# Today the suite needs only a JDK 25 and Maven Central (the Maven Wrapper downloads Maven itself).
# Later modules add their services here (PostgreSQL, bubblewrap, dockerd, Node 22 for the MCP
# conformance suite), each installed only when missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

is_jdk25() { [ -x "$1/bin/java" ] && "$1/bin/java" -version 2>&1 | head -1 | grep -q '"25[."]'; }
if [ -z "${JAVA_HOME:-}" ] || ! is_jdk25 "$JAVA_HOME"; then
  JAVA_HOME=""
  for d in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25* /usr/lib/jvm/*25*; do
    if [ -d "$d" ] && is_jdk25 "$d"; then JAVA_HOME="$d"; break; fi
  done
  if [ -z "$JAVA_HOME" ]; then
    echo "test.sh: no JDK 25 found under /usr/lib/jvm; install Temurin 25 or set JAVA_HOME" >&2
    exit 2
  fi
fi
export JAVA_HOME
echo "test.sh: JDK $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"

# Whole reactor: compile everything (benchmarks included), run every module's tests.
./mvnw -B -ntp verify "$@"

# The README's first command, end to end through the launcher.
echo "test.sh: smoke test of ./atoll run"
out="$(./atoll run tools-examples/js/word_count.mjs --args '{"text": "hello big world"}')"
case "$out" in
  *'"outcome":"ok"'*'"words":3'*) echo "test.sh: ./atoll run ok: $out" ;;
  *) echo "test.sh: ./atoll run failed: $out" >&2; exit 1 ;;
esac
