# shellcheck shell=bash
# The PostgreSQL part of the test setup, sourced by scripts/test.sh and scripts/test-postgres.sh.
#
#   atoll_pg_start   installs PostgreSQL 15 from apt when missing, creates (once) and starts a cluster
#                    of its own ("atoll_test": loopback only, on a free port, scram passwords) and a
#                    database for this run, and exports ATOLL_TEST_PG_URL for the store tests
#                    (TestStore: every test class makes its own schema in it).
#   atoll_pg_stop    drops this run's database (call it on exit; the cluster keeps running).
#
# Idempotent and safe to run concurrently: the set-up takes a lock (flock), each run gets its own
# database (atoll_run_<pid>_<random>), and databases of runs whose process is gone are dropped at
# the next start. Nothing is written into the checkout (it can be a clone under /tmp): the cluster
# lives where Debian's postgresql-common puts clusters (/etc/postgresql, /var/lib/postgresql).
# Needs root or sudo (apt, pg_createcluster, and psql as the postgres user). An ATOLL_TEST_PG_URL
# already set is used as it is and nothing is started or dropped.

ATOLL_PG_VERSION="${ATOLL_PG_VERSION:-15}"
ATOLL_PG_CLUSTER="atoll_test"
ATOLL_PG_ROLE="atoll_test"
ATOLL_PG_PASSWORD="atoll_test"
ATOLL_PG_LOCK="${ATOLL_PG_LOCK:-/tmp/atoll-pg-test.lock}"
ATOLL_PG_RUN_DB=""
ATOLL_PG_PORT=""

_atoll_pg_root() {  # runs a command as root (directly or with sudo)
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "postgres.sh: needs root or sudo to run: $*" >&2; return 1; fi
}

_atoll_pg_psql() {  # psql as the postgres superuser over the cluster's socket; extra args follow
  (cd / && _atoll_pg_root runuser -u postgres -- psql -X -q -At -v ON_ERROR_STOP=1 -p "$ATOLL_PG_PORT" -d postgres "$@")
}

_atoll_pg_free_port() {
  local p
  for p in $(shuf -i 20000-60000 -n 100); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  echo "postgres.sh: no free port found" >&2; return 1
}

_atoll_pg_status() { pg_lsclusters -h "$ATOLL_PG_VERSION" "$ATOLL_PG_CLUSTER" 2>/dev/null | awk '{print $4}'; }

_atoll_pg_setup() {  # under the lock: install, create, start; sets ATOLL_PG_PORT
  if [ ! -x "/usr/lib/postgresql/$ATOLL_PG_VERSION/bin/postgres" ] || ! command -v pg_createcluster >/dev/null; then
    echo "postgres.sh: installing PostgreSQL $ATOLL_PG_VERSION from apt"
    _atoll_pg_root apt-get update -qq
    # The package's own "main" cluster is not used (and not started by us).
    _atoll_pg_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-$ATOLL_PG_VERSION" >/dev/null
  fi
  if [ -z "$(_atoll_pg_status)" ]; then
    local port; port="$(_atoll_pg_free_port)"
    echo "postgres.sh: creating cluster $ATOLL_PG_VERSION/$ATOLL_PG_CLUSTER on 127.0.0.1:$port"
    _atoll_pg_root pg_createcluster "$ATOLL_PG_VERSION" "$ATOLL_PG_CLUSTER" --port "$port" \
      -- --auth-local=peer --auth-host=scram-sha-256 >/dev/null
    # Debian's postgresql.conf includes conf.d/ (pg_conftool would not quote an address).
    printf "listen_addresses = '127.0.0.1'\nmax_connections = 200\n" \
      | _atoll_pg_root tee "/etc/postgresql/$ATOLL_PG_VERSION/$ATOLL_PG_CLUSTER/conf.d/atoll-test.conf" >/dev/null
  fi
  ATOLL_PG_PORT="$(pg_lsclusters -h "$ATOLL_PG_VERSION" "$ATOLL_PG_CLUSTER" | awk '{print $3}')"
  if [ "$(_atoll_pg_status)" != online ]; then
    if (exec 3<>"/dev/tcp/127.0.0.1/$ATOLL_PG_PORT") 2>/dev/null; then  # another program took its port
      ATOLL_PG_PORT="$(_atoll_pg_free_port)"
      echo "postgres.sh: the cluster's port is taken; moving it to $ATOLL_PG_PORT"
      _atoll_pg_root pg_conftool -s "$ATOLL_PG_VERSION" "$ATOLL_PG_CLUSTER" set port "$ATOLL_PG_PORT"
    fi
    echo "postgres.sh: starting cluster $ATOLL_PG_VERSION/$ATOLL_PG_CLUSTER on 127.0.0.1:$ATOLL_PG_PORT"
    # 9>&-: the server must not inherit the lock's file descriptor (it would hold the lock forever).
    _atoll_pg_root pg_ctlcluster "$ATOLL_PG_VERSION" "$ATOLL_PG_CLUSTER" start 9>&-
  fi
  [ "$(_atoll_pg_status)" = online ] || { echo "postgres.sh: the cluster did not start:" >&2; \
    _atoll_pg_root tail -20 "/var/log/postgresql/postgresql-$ATOLL_PG_VERSION-$ATOLL_PG_CLUSTER.log" >&2; return 1; }
  _atoll_pg_psql -c "SELECT 1 FROM pg_roles WHERE rolname = '$ATOLL_PG_ROLE'" | grep -q 1 \
    || _atoll_pg_psql -c "CREATE ROLE $ATOLL_PG_ROLE LOGIN PASSWORD '$ATOLL_PG_PASSWORD'"
  # Databases of earlier runs whose process is gone (killed before atoll_pg_stop).
  local db pid
  for db in $(_atoll_pg_psql -c "SELECT datname FROM pg_database WHERE datname LIKE 'atoll\_run\_%'"); do
    pid="$(echo "$db" | cut -d_ -f3)"
    if ! kill -0 "$pid" 2>/dev/null; then _atoll_pg_psql -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"; fi
  done
}

atoll_pg_start() {
  if [ -n "${ATOLL_TEST_PG_URL:-}" ]; then
    echo "postgres.sh: using ATOLL_TEST_PG_URL as set"
    return 0
  fi
  command -v flock >/dev/null || { echo "postgres.sh: flock (util-linux) is missing" >&2; return 1; }
  (
    flock -w 600 9 || { echo "postgres.sh: another run held $ATOLL_PG_LOCK for 10 minutes" >&2; exit 1; }
    _atoll_pg_setup
  ) 9>>"$ATOLL_PG_LOCK" || return 1
  ATOLL_PG_PORT="$(pg_lsclusters -h "$ATOLL_PG_VERSION" "$ATOLL_PG_CLUSTER" | awk '{print $3}')"
  ATOLL_PG_RUN_DB="atoll_run_$$_$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
  _atoll_pg_psql -c "CREATE DATABASE $ATOLL_PG_RUN_DB OWNER $ATOLL_PG_ROLE" || return 1
  export ATOLL_TEST_PG_URL="jdbc:postgresql://127.0.0.1:$ATOLL_PG_PORT/$ATOLL_PG_RUN_DB?user=$ATOLL_PG_ROLE&password=$ATOLL_PG_PASSWORD"
  echo "postgres.sh: PostgreSQL $(_atoll_pg_psql -c 'SHOW server_version') at 127.0.0.1:$ATOLL_PG_PORT, database $ATOLL_PG_RUN_DB"
}

atoll_pg_stop() {
  if [ -n "$ATOLL_PG_RUN_DB" ]; then
    _atoll_pg_psql -c "DROP DATABASE IF EXISTS $ATOLL_PG_RUN_DB WITH (FORCE)" || true
    ATOLL_PG_RUN_DB=""
  fi
}
