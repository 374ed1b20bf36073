#!/usr/bin/env bash
# Runs only the PostgreSQL variants of the store tests (every *PostgresTest: registry, tokens, audit
# chain, call recording, the registry's PostgreSQL sessions, and AuditPostgresTest's kill -9 and
# database outage under a real gateway). scripts/test.sh runs them as part of the whole suite; this
# is the quick way to rerun them. PostgreSQL 15 is installed and started as scripts/postgres.sh
# describes (a cluster of its own on a free loopback port, a database per run, dropped on exit).
# Usage: scripts/test-postgres.sh [extra Maven arguments]   (as root, or a user allowed to sudo)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"

# shellcheck source=scripts/postgres.sh
. "$ROOT/scripts/postgres.sh"
atoll_pg_start
trap 'atoll_pg_stop' EXIT

./mvnw -B -ntp verify -Dtest='*PostgresTest' -Dsurefire.failIfNoSpecifiedTests=false "$@"
