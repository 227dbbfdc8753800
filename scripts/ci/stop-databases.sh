#!/usr/bin/env bash
# Stops the PostgreSQL and MariaDB instances start-databases.sh started and removes their data.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/db-env.sh"
if [[ -f "$PG_STATE_DIR/data/postmaster.pid" ]]; then
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_STATE_DIR/data" -m fast -w -t 30 stop > /dev/null 2>&1 \
    || kill -9 "$(head -1 "$PG_STATE_DIR/data/postmaster.pid")" 2>/dev/null
  echo "stop-databases: stopped PostgreSQL" >&2
fi
rm -rf "$PG_STATE_DIR"
if [[ -f "$MARIADB_STATE_DIR/mariadb.pid" ]]; then
  pid=$(cat "$MARIADB_STATE_DIR/mariadb.pid")
  kill "$pid" 2>/dev/null
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null
  echo "stop-databases: stopped MariaDB" >&2
fi
rm -rf "$MARIADB_STATE_DIR"
exit 0
