# Shared settings for the Apache Kafka reference broker and the jars install-compat.sh
# resolves. Sourced by the scripts here; override any of these from the environment.
BROOK_ROOT="${BROOK_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
BROOK_CACHE="${BROOK_CACHE:-$BROOK_ROOT/.cache}"
KAFKA_JARS="${KAFKA_JARS:-$BROOK_CACHE/maven-jars}"
KAFKA_HOST="${KAFKA_HOST:-127.0.0.1}"
KAFKA_PORT="${KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
KAFKA_STATE_DIR="${KAFKA_STATE_DIR:-${TMPDIR:-/tmp}/brook-kafka-$KAFKA_PORT}"
KAFKA_PID_FILE="${KAFKA_PID_FILE:-$KAFKA_STATE_DIR/kafka.pid}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
KAFKA_LOG4J="${KAFKA_LOG4J:-$BROOK_ROOT/scripts/ci/log4j2.xml}"
