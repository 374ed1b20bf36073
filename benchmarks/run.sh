#!/usr/bin/env bash
# Runs Atoll's JMH benchmarks: benchmarks/run.sh [JMH args...], e.g.
#   benchmarks/run.sh ColdStartBenchmark -f 1 -wi 3 -w 2s -i 5 -r 3s
# Builds the runtime and the benchmarks first if anything they depend on changed. GraalVM, the runtime
# and their dependencies go on the module path, the Graal compiler on the upgrade module path (never
# on the module or class path), JMH and the benchmark classes on the class path (the unnamed module
# reads every boot-layer module). JMH forks inherit the class path but not the module path, so the
# same JVM flags are handed to the forks with -jvmArgs; add your own fork flags with -jvmArgsAppend
# (a -jvmArgs of yours would replace these). The CallProfiler is always on (·guest.cpu etc.).
# Environment: JAVA_HOME (a JDK 25), ATOLL_JIT=0 (no JVMCI: the jit=true variants then fail on purpose),
# BENCH_JAVA_OPTS (extra flags for the host and the forks, e.g. "-Xmx4g").
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
T="$HERE/target"

is_jdk25() { [ -x "$1/bin/java" ] && "$1/bin/java" -version 2>&1 | head -1 | grep -q '"25[."]'; }
if [ -n "${JAVA_HOME:-}" ] && is_jdk25 "$JAVA_HOME"; then :
elif is_jdk25 /usr/lib/jvm/temurin-25-jdk-amd64; then JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
else echo "run.sh: no JDK 25: set JAVA_HOME to a JDK 25 (Temurin 25.0.3)" >&2; exit 2
fi
export JAVA_HOME

# Build (runtime + host-bindings + isolate-pool + gateway + benchmarks, from this tree) when missing or when a POM or main source is newer.
stamp="$T/.built"
if [ ! -f "$stamp" ] || [ -n "$(find "$ROOT/pom.xml" "$ROOT/runtime/pom.xml" "$HERE/pom.xml" \
      "$ROOT/isolate-pool/pom.xml" "$ROOT/host-bindings/pom.xml" "$ROOT/host-bindings/src/main" \
      "$ROOT/gateway/pom.xml" "$ROOT"/gateway/*/pom.xml "$ROOT"/gateway/*/src/main \
      "$ROOT/runtime/src/main" "$ROOT/isolate-pool/src/main" "$HERE/src/main" -newer "$stamp" -print -quit 2>/dev/null)" ]; then
  echo "run.sh: building (./mvnw -B -q -DskipTests -pl benchmarks -am package)..." >&2
  (cd "$ROOT" && ./mvnw -B -q -DskipTests -pl benchmarks -am package >&2) || { echo "run.sh: build failed" >&2; exit 2; }
  touch "$stamp"
fi

# One flags file for the host JVM and, through -jvmArgs @file, for every fork; named after its content
# so that concurrent runs with different settings never rewrite each other's file.
flags="$(
  echo "-XX:+UseG1GC"
  echo "-Xss4m"
  echo "-Xms2g"
  echo "-Xmx2g"
  echo "--sun-misc-unsafe-memory-access=allow"
  echo "--enable-native-access=org.graalvm.truffle,dev.atoll.runtime,ALL-UNNAMED"
  if [ "${ATOLL_JIT:-1}" != "0" ]; then
    echo "-XX:+UnlockExperimentalVMOptions"
    echo "-XX:+EnableJVMCI"
    echo "\"--upgrade-module-path=$T/jit/compiler.jar\""
  fi
  echo "\"--module-path=$T/lib\""
  echo "--add-modules=ALL-MODULE-PATH"
  echo "-Dpolyglot.engine.WarnInterpreterOnly=false"
  for o in ${BENCH_JAVA_OPTS:-}; do echo "$o"; done
)"
args="$T/jvm-$(printf '%s' "$flags" | cksum | cut -d' ' -f1).args"
printf '%s\n' "$flags" > "$args"

cp="$T/classes"
for j in "$T"/jmh/*.jar; do cp="$cp:$j"; done

if [ -n "${BENCH_MAIN:-}" ]; then
  # A plain main class instead of JMH (e.g. BENCH_MAIN=dev.atoll.benchmarks.WarmUpProbe), same JVM layout.
  exec "$JAVA_HOME/bin/java" "@$args" -cp "$cp" "$BENCH_MAIN" "$@"
fi
exec "$JAVA_HOME/bin/java" "@$args" -cp "$cp" org.openjdk.jmh.Main \
  -jvmArgs "@$args" -prof dev.atoll.benchmarks.CallProfiler "$@"
