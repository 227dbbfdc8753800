#!/usr/bin/env bash
# Starts a single-node KRaft Apache Kafka (broker + controller in one JVM) from the jars
# install-compat.sh resolved, on 127.0.0.1:19092, in the background. Fresh data each start.
# Prints BROOK_KAFKA_BOOTSTRAP=host:port when the port answers. Stop with stop-kafka.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/kafka-env.sh"

t0=$(date +%s%N)
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

if [[ ! -f "$KAFKA_JARS/kafka-version" ]]; then
  echo "start-kafka: no Kafka jars in $KAFKA_JARS; run scripts/ci/install-compat.sh first" >&2
  exit 1
fi
if [[ -f "$KAFKA_PID_FILE" ]] && kill -0 "$(cat "$KAFKA_PID_FILE")" 2>/dev/null; then
  echo "start-kafka: already running (pid $(cat "$KAFKA_PID_FILE"))" >&2
  echo "BROOK_KAFKA_BOOTSTRAP=$KAFKA_HOST:$KAFKA_PORT"
  exit 0
fi
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
  echo "start-kafka: $KAFKA_HOST:$KAFKA_PORT is taken by another process" >&2
  exit 1
fi

rm -rf "$KAFKA_STATE_DIR"
mkdir -p "$KAFKA_STATE_DIR/data"
props="$KAFKA_STATE_DIR/server.properties"
cat > "$props" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_STATE_DIR/data
num.partitions=1
num.network.threads=2
num.io.threads=2
background.threads=2
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=3
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
PROPS

java_cmd=(java -cp "$KAFKA_JARS/*" -Dlog4j2.configurationFile="$KAFKA_LOG4J" -Djava.awt.headless=true)
# A Kafka cluster id is 16 random bytes in URL-safe base64. One that starts with '-' reads as
# an option to the storage tool's argument parser (1 run in 64 failed that way), so draw again.
cluster_id=-
while [[ $cluster_id == -* ]]; do
  cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
done
"${java_cmd[@]}" -Xmx128m -XX:TieredStopAtLevel=1 kafka.tools.StorageTool format \
  --cluster-id="$cluster_id" --config "$props" > "$KAFKA_STATE_DIR/format.log" 2>&1 || {
  cat "$KAFKA_STATE_DIR/format.log" >&2
  exit 1
}
echo "start-kafka: formatted $KAFKA_STATE_DIR/data in $(ms_since "$t0") ms" >&2

# shellcheck disable=SC2086 # KAFKA_HEAP_OPTS is a list of flags
nohup "${java_cmd[@]}" $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
  -Dbrook.log.level=WARN kafka.Kafka "$props" > "$KAFKA_STATE_DIR/kafka.log" 2>&1 < /dev/null &
echo $! > "$KAFKA_PID_FILE"
pid=$!

deadline=$(( $(date +%s) + ${KAFKA_START_TIMEOUT_S:-90} ))
until port_open "$KAFKA_HOST" "$KAFKA_PORT"; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "start-kafka: Kafka exited during startup; log:" >&2
    tail -50 "$KAFKA_STATE_DIR/kafka.log" >&2
    rm -f "$KAFKA_PID_FILE"
    exit 1
  fi
  if (( $(date +%s) > deadline )); then
    echo "start-kafka: port $KAFKA_PORT not answering after ${KAFKA_START_TIMEOUT_S:-90}s; log:" >&2
    tail -50 "$KAFKA_STATE_DIR/kafka.log" >&2
    kill "$pid" 2>/dev/null || true
    rm -f "$KAFKA_PID_FILE"
    exit 1
  fi
  sleep 0.2
done
echo "start-kafka: Apache Kafka $(cat "$KAFKA_JARS/kafka-version") up on $KAFKA_HOST:$KAFKA_PORT (pid $pid) in $(ms_since "$t0") ms; log $KAFKA_STATE_DIR/kafka.log" >&2
echo "BROOK_KAFKA_BOOTSTRAP=$KAFKA_HOST:$KAFKA_PORT"
