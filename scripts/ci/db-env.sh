# Shared settings for the PostgreSQL and MariaDB instances the connector tests use.
# Sourced by start-databases.sh and stop-databases.sh; override any of these from the environment.
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-15432}"
PG_STATE_DIR="${PG_STATE_DIR:-${TMPDIR:-/tmp}/brook-postgres-$PG_PORT}"
MARIADB_HOST="${MARIADB_HOST:-127.0.0.1}"
MARIADB_PORT="${MARIADB_PORT:-13306}"
MARIADB_STATE_DIR="${MARIADB_STATE_DIR:-${TMPDIR:-/tmp}/brook-mariadb-$MARIADB_PORT}"
# The test role: superuser with replication (PostgreSQL) / all privileges (MariaDB).
DB_USER="${DB_USER:-brook}"
DB_PASSWORD="${DB_PASSWORD:-brook}"
DB_NAME="${DB_NAME:-brook}"
# A role without replication rights, for the missing-permission tests.
DB_PLAIN_USER="${DB_PLAIN_USER:-brook_plain}"
