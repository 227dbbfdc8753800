#!/usr/bin/env bash
# Starts PostgreSQL 15 (wal_level=logical) and MariaDB 10.11 (binary log in ROW format) for
# the connector tests, each as its own OS user (postgres, mysql) with fresh data in a temp
# dir, on 127.0.0.1. Needs root and install-databases.sh. Prints the variables the tests read:
#   BROOK_PG_URL=postgres://...   BROOK_MYSQL_URL=mysql://...
# (one per line, for `export`). Stop with stop-databases.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/db-env.sh"
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
wait_port() { # host port pid log name
  local deadline=$(( $(date +%s) + 60 ))
  until port_open "$1" "$2"; do
    if ! kill -0 "$3" 2>/dev/null || (( $(date +%s) > deadline )); then
      echo "start-databases: $5 did not start; log:" >&2
      tail -40 "$4" >&2
      exit 1
    fi
    sleep 0.2
  done
}

# ---- PostgreSQL ----
if [[ -f "$PG_STATE_DIR/data/postmaster.pid" ]] && kill -0 "$(head -1 "$PG_STATE_DIR/data/postmaster.pid")" 2>/dev/null; then
  echo "start-databases: PostgreSQL already running in $PG_STATE_DIR" >&2
else
  if port_open "$PG_HOST" "$PG_PORT"; then echo "start-databases: $PG_HOST:$PG_PORT is taken" >&2; exit 1; fi
  rm -rf "$PG_STATE_DIR"
  mkdir -p "$PG_STATE_DIR"
  chown postgres: "$PG_STATE_DIR"
  pwfile="$PG_STATE_DIR/pw"
  echo "$DB_PASSWORD" > "$pwfile"
  chown postgres: "$pwfile"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_STATE_DIR/data" -U "$DB_USER" --pwfile="$pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 > "$PG_STATE_DIR/initdb.log" 2>&1 \
    || { cat "$PG_STATE_DIR/initdb.log" >&2; exit 1; }
  rm -f "$pwfile"
  cat >> "$PG_STATE_DIR/data/postgresql.conf" <<CONF
listen_addresses = '$PG_HOST'
port = $PG_PORT
unix_socket_directories = '$PG_STATE_DIR'
wal_level = logical
max_replication_slots = 20
max_wal_senders = 20
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 128MB
CONF
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_STATE_DIR/data" -l "$PG_STATE_DIR/postgres.log" -w -t 60 start > /dev/null \
    || { tail -40 "$PG_STATE_DIR/postgres.log" >&2; exit 1; }
  runuser -u postgres -- "$PG_BIN/psql" -h "$PG_STATE_DIR" -p "$PG_PORT" -U "$DB_USER" -d postgres -v ON_ERROR_STOP=1 -q <<SQL
CREATE DATABASE $DB_NAME;
CREATE ROLE $DB_PLAIN_USER LOGIN PASSWORD '$DB_PASSWORD';
GRANT ALL ON DATABASE $DB_NAME TO $DB_PLAIN_USER;
SQL
  runuser -u postgres -- "$PG_BIN/psql" -h "$PG_STATE_DIR" -p "$PG_PORT" -U "$DB_USER" -d "$DB_NAME" -v ON_ERROR_STOP=1 -q \
    -c "GRANT ALL ON SCHEMA public TO $DB_PLAIN_USER"
  echo "start-databases: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on $PG_HOST:$PG_PORT, data $PG_STATE_DIR" >&2
fi

# ---- MariaDB ----
mariadbd=$(command -v mariadbd || echo /usr/sbin/mariadbd)
if [[ -f "$MARIADB_STATE_DIR/mariadb.pid" ]] && kill -0 "$(cat "$MARIADB_STATE_DIR/mariadb.pid")" 2>/dev/null; then
  echo "start-databases: MariaDB already running in $MARIADB_STATE_DIR" >&2
else
  if port_open "$MARIADB_HOST" "$MARIADB_PORT"; then echo "start-databases: $MARIADB_HOST:$MARIADB_PORT is taken" >&2; exit 1; fi
  rm -rf "$MARIADB_STATE_DIR"
  mkdir -p "$MARIADB_STATE_DIR/data" "$MARIADB_STATE_DIR/binlog"
  chown -R mysql: "$MARIADB_STATE_DIR"
  mariadb-install-db --user=mysql --datadir="$MARIADB_STATE_DIR/data" --auth-root-authentication-method=socket \
    --skip-test-db > "$MARIADB_STATE_DIR/install.log" 2>&1 || { cat "$MARIADB_STATE_DIR/install.log" >&2; exit 1; }
  sock="$MARIADB_STATE_DIR/mariadb.sock"
  nohup runuser -u mysql -- "$mariadbd" --no-defaults --datadir="$MARIADB_STATE_DIR/data" \
    --bind-address="$MARIADB_HOST" --port="$MARIADB_PORT" --socket="$sock" --pid-file="$MARIADB_STATE_DIR/mariadb.pid" \
    --log-error="$MARIADB_STATE_DIR/mariadb.log" --server-id=1 --log-bin="$MARIADB_STATE_DIR/binlog/mariadb-bin" \
    --binlog-format=ROW --binlog-row-image=FULL --binlog-annotate-row-events=OFF --max-connections=200 \
    --innodb-flush-log-at-trx-commit=2 --sync-binlog=0 --innodb-buffer-pool-size=128M --skip-name-resolve \
    > "$MARIADB_STATE_DIR/stdout.log" 2>&1 < /dev/null &
  pid=$!
  wait_port "$MARIADB_HOST" "$MARIADB_PORT" "$pid" "$MARIADB_STATE_DIR/mariadb.log" MariaDB
  mariadb --no-defaults --socket="$sock" -u root <<SQL
CREATE DATABASE $DB_NAME;
CREATE USER '$DB_USER'@'%' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'%' WITH GRANT OPTION;
CREATE USER '$DB_PLAIN_USER'@'%' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL PRIVILEGES ON $DB_NAME.* TO '$DB_PLAIN_USER'@'%';
FLUSH PRIVILEGES;
SQL
  echo "start-databases: MariaDB $("$mariadbd" --version | awk '{print $3}') on $MARIADB_HOST:$MARIADB_PORT, data $MARIADB_STATE_DIR" >&2
fi

echo "BROOK_PG_URL=postgres://$DB_USER:$DB_PASSWORD@$PG_HOST:$PG_PORT/$DB_NAME"
echo "BROOK_MYSQL_URL=mysql://$DB_USER:$DB_PASSWORD@$MARIADB_HOST:$MARIADB_PORT/$DB_NAME"
echo "BROOK_PGBENCH=$PG_BIN/pgbench"
