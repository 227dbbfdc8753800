#!/usr/bin/env bash
# Installs what test/compat and bench/wire.bench.ts need beyond npm: kcat (Debian),
# the Apache Kafka broker/client/tools jars (Maven Central, into .cache/maven-jars),
# the Java compat client (javac), the franz-go compat client (go build) and @platformatic/kafka (npm).
# Idempotent: each step is skipped when its output is already current.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/kafka-env.sh"
cd "$BROOK_ROOT"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
step_start=0
step() { step_start=$(now_ms); echo "install-compat: $1" >&2; }
done_step() { echo "install-compat:   done in $(( $(now_ms) - step_start )) ms" >&2; }
total_start=$(now_ms)

# 1. kcat with librdkafka from Debian, and the zstd command (compression interop test).
step "kcat, zstd"
if command -v kcat > /dev/null && command -v zstd > /dev/null; then
  echo "install-compat:   present: $(kcat -V 2>&1 | grep -o 'Version.*librdkafka [0-9.]*' || true)" >&2
else
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq kcat zstd > /dev/null
fi
done_step

# 2. Kafka jars with all runtime dependencies, flat in one directory (a classpath of dir/*).
pom="$BROOK_ROOT/scripts/ci/kafka-pom.xml"
kafka_version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom")
pom_sum=$(sha256sum "$pom" | cut -d' ' -f1)
step "Apache Kafka $kafka_version jars -> $KAFKA_JARS"
if [[ -f "$KAFKA_JARS/pom.sha256" && "$(cat "$KAFKA_JARS/pom.sha256")" == "$pom_sum" ]]; then
  echo "install-compat:   present ($(find "$KAFKA_JARS" -name '*.jar' | wc -l) jars)" >&2
else
  # Resolve beside and swap in, so a broker running from the old jars keeps working.
  rm -rf "$KAFKA_JARS.new"
  mvn -B -q -f "$pom" dependency:copy-dependencies \
    -DoutputDirectory="$KAFKA_JARS.new" -DincludeScope=runtime
  echo "$kafka_version" > "$KAFKA_JARS.new/kafka-version"
  echo "$pom_sum" > "$KAFKA_JARS.new/pom.sha256"
  rm -rf "$KAFKA_JARS"
  mv "$KAFKA_JARS.new" "$KAFKA_JARS"
  echo "install-compat:   $(find "$KAFKA_JARS" -name '*.jar' | wc -l) jars" >&2
fi
done_step

# 3. The Java compat client and the Kafka Streams topology printer.
java_out="$BROOK_CACHE/compat/java"
step "Java compat client -> $java_out"
rm -rf "$java_out"
mkdir -p "$java_out"
javac -nowarn -d "$java_out" -cp "$KAFKA_JARS/*" "$BROOK_ROOT/test/compat/java/Main.java" "$BROOK_ROOT/test/compat/java/TopologyNames.java"
done_step

# 4. The franz-go compat client (modules from the Go proxy, pinned by the committed go.sum).
go_out="$BROOK_CACHE/compat/franz-go"
step "franz-go compat client -> $go_out"
(cd "$BROOK_ROOT/test/compat/go" && GOFLAGS=-mod=readonly go build -o "$go_out" .)
done_step

# 5. @platformatic/kafka in its own folder (npm registry, pinned by its lockfile), kept out of
# Brook's install: it declares Node >= 22.19 for a helper it also runs with on Node 20.
step "@platformatic/kafka -> test/compat/platformatic/node_modules"
npm ci --prefix "$BROOK_ROOT/test/compat/platformatic" --no-audit --no-fund --loglevel=error > /dev/null
done_step

echo "install-compat: all done in $(( $(now_ms) - total_start )) ms" >&2
