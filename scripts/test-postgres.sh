#!/usr/bin/env bash
# Runs the registry and audit tests against PostgreSQL instead of the embedded H2 database: the same
# test classes, the same SQL. Installs PostgreSQL (Debian package) if missing, starts the local
# cluster, creates role/database "atoll" (password "atoll"), runs the tests with ATOLL_TEST_PG_URL
# (each test class makes its own schema) and drops the test schemas afterwards.
# Usage: scripts/test-postgres.sh [extra Maven arguments]   (as root, or a user allowed to sudo -u postgres)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"

if ! command -v pg_lsclusters >/dev/null; then
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
fi
cluster="$(pg_lsclusters -h | head -1)"
ver="$(echo "$cluster" | awk '{print $1}')"; name="$(echo "$cluster" | awk '{print $2}')"; port="$(echo "$cluster" | awk '{print $3}')"
pg_ctlcluster "$ver" "$name" start 2>/dev/null || true
psql_admin() { su postgres -c "psql -p $port -v ON_ERROR_STOP=1 -Atq $*"; }
psql_admin "-c \"SELECT 1 FROM pg_roles WHERE rolname='atoll'\"" | grep -q 1 \
  || psql_admin "-c \"CREATE ROLE atoll LOGIN PASSWORD 'atoll'\""
psql_admin "-c \"SELECT 1 FROM pg_database WHERE datname='atoll'\"" | grep -q 1 \
  || psql_admin "-c 'CREATE DATABASE atoll OWNER atoll'"

export ATOLL_TEST_PG_URL="jdbc:postgresql://127.0.0.1:$port/atoll?user=atoll&password=atoll"
status=0
./mvnw -B -ntp -pl gateway -am verify -Dtest='RegistryTest,TokenTest,AuditChainTest,CallRecordingTest' \
  -Dsurefire.failIfNoSpecifiedTests=false "$@" || status=$?

psql_admin "-d atoll -c \"SELECT 'DROP SCHEMA ' || schema_name || ' CASCADE;' FROM information_schema.schemata WHERE schema_name LIKE 'atoll_test_%'\"" > /tmp/atoll-drop-test-schemas.sql
su postgres -c "PGOPTIONS='-c client_min_messages=warning' psql -p $port -q -d atoll -f /tmp/atoll-drop-test-schemas.sql" >/dev/null
exit $status
