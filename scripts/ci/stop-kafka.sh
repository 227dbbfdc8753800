#!/usr/bin/env bash
# Stops the broker start-kafka.sh started (by its pid file) and removes its data.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/kafka-env.sh"

if [[ ! -f "$KAFKA_PID_FILE" ]]; then
  echo "stop-kafka: not running (no $KAFKA_PID_FILE)" >&2
  exit 0
fi
pid=$(cat "$KAFKA_PID_FILE")
if kill -0 "$pid" 2>/dev/null; then
  kill "$pid"
  # A controlled shutdown takes a few seconds; don't wait forever.
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "stop-kafka: pid $pid still alive after 20 s, killing" >&2
    kill -9 "$pid" 2>/dev/null || true
  fi
fi
rm -f "$KAFKA_PID_FILE"
rm -rf "$KAFKA_STATE_DIR"
echo "stop-kafka: stopped pid $pid" >&2
