// Prints Kafka's error table from the Kafka client jar: code, name, and whether the
// error's exception is a RetriableException, tab-separated, one error a line. Its output
// is test/fixtures/kafka/errors-<version>.tsv, which pins core/protocol/kafka-errors.ts.
//
//   javac -d /tmp/dump -cp "$KAFKA_JARS/*" scripts/kafka-errors/DumpErrors.java
//   java -cp "/tmp/dump:$KAFKA_JARS/*" DumpErrors > test/fixtures/kafka/errors-$(cat "$KAFKA_JARS/kafka-version").tsv
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.protocol.Errors;

public final class DumpErrors {
  public static void main(String[] args) {
    StringBuilder out = new StringBuilder();
    for (Errors e : Errors.values()) {
      out.append(e.code()).append('\t').append(e.name()).append('\t').append(e.exception() instanceof RetriableException).append('\n');
    }
    System.out.print(out);
  }
}
