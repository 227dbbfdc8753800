// Prints Kafka Streams' own TopologyDescription for a fixed list of DSL topologies, so the
// topology-names compat test can hold Brook's node, internal-topic and store names to Kafka's.
// Usage: java -cp <kafka jars>:<this dir> TopologyNames
// Each topology is printed as "=== <id>" followed by Topology#describe(). The same ids are built
// with Brook's DSL in test/compat/topology-names.test.ts.
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Printed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.SlidingWindows;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TableJoined;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

public final class TopologyNames {
  private static final Consumed<String, String> S = Consumed.with(Serdes.String(), Serdes.String());
  private static final Produced<String, String> OUT = Produced.with(Serdes.String(), Serdes.String());

  public static void main(String[] argv) {
    Map<String, Supplier<Topology>> all = new LinkedHashMap<>();
    all.put("word-count", () -> {
      StreamsBuilder b = new StreamsBuilder();
      b.stream("text", S)
          .flatMapValues(v -> Arrays.asList(v.split(" ")))
          .groupBy((k, w) -> w, Grouped.with(Serdes.String(), Serdes.String()))
          .count(Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as("counts"))
          .toStream()
          .to("word-counts", Produced.with(Serdes.String(), Serdes.Long()));
      return b.build();
    });
    all.put("unnamed-count", () -> {
      StreamsBuilder b = new StreamsBuilder();
      b.stream("text", S).groupBy((k, v) -> v).count().toStream().mapValues(v -> v.toString()).to("out", OUT);
      return b.build();
    });
    all.put("inner-join-after-select-key", () -> {
      StreamsBuilder b = new StreamsBuilder();
      KStream<String, String> l = b.stream("l", S);
      KStream<String, String> r = b.stream("r", S);
      l.selectKey((k, v) -> v).join(r, (a, c) -> a + c, JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(10))).to("o", OUT);
      return b.build();
    });
    all.put("left-join-named", () -> {
      StreamsBuilder b = new StreamsBuilder();
      KStream<String, String> l = b.stream("l", S);
      KStream<String, String> r = b.stream("r", S);
      l.selectKey((k, v) -> v)
          .leftJoin(r.selectKey((k, v) -> v), (a, c) -> a + c, JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)),
              StreamJoined.with(Serdes.String(), Serdes.String(), Serdes.String()).withName("j").withStoreName("s"))
          .to("o", OUT);
      return b.build();
    });
    all.put("outer-join", () -> {
      StreamsBuilder b = new StreamsBuilder();
      KStream<String, String> l = b.stream("l", S);
      KStream<String, String> r = b.stream("r", S);
      l.outerJoin(r, (a, c) -> a + c, JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(10))).to("o", OUT);
      return b.build();
    });
    all.put("stream-table-left-join", () -> {
      StreamsBuilder b = new StreamsBuilder();
      KTable<String, String> t = b.table("t", S);
      b.stream("s", S).selectKey((k, v) -> v)
          .leftJoin(t, (a, c) -> a + c, Joined.with(Serdes.String(), Serdes.String(), Serdes.String()))
          .to("o", OUT);
      return b.build();
    });
    all.put("global-table-join", () -> {
      StreamsBuilder b = new StreamsBuilder();
      GlobalKTable<String, String> g = b.globalTable("g", S);
      b.stream("s", S).join(g, (k, v) -> v, (a, c) -> a + c).to("o", OUT);
      return b.build();
    });
    all.put("table-table-join", () -> {
      StreamsBuilder b = new StreamsBuilder();
      KTable<String, String> l = b.table("l", S);
      KTable<String, String> r = b.table("r", S);
      l.join(r, (a, c) -> a + c).toStream().to("o", OUT);
      return b.build();
    });
    all.put("foreign-key-join", () -> {
      StreamsBuilder b = new StreamsBuilder();
      KTable<String, String> orders = b.table("orders", S);
      KTable<String, String> customers = b.table("customers", S);
      orders.join(customers, v -> v, (o, c) -> o + c).toStream().to("o", OUT);
      return b.build();
    });
    all.put("to-table-after-select-key", () -> {
      StreamsBuilder b = new StreamsBuilder();
      b.stream("s", S).selectKey((k, v) -> v).toTable().toStream().to("o", OUT);
      return b.build();
    });
    all.put("windowed-count-suppressed", () -> {
      StreamsBuilder b = new StreamsBuilder();
      b.stream("s", S).groupByKey()
          .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(100), Duration.ofMillis(10)))
          .count()
          .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
          .toStream().map((k, v) -> KeyValue.pair(k.key(), v.toString())).to("o", OUT);
      return b.build();
    });
    all.put("session-reduce", () -> {
      StreamsBuilder b = new StreamsBuilder();
      b.stream("s", S).groupByKey()
          .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(Duration.ofMillis(50)))
          .reduce((a, c) -> a + c)
          .toStream().map((k, v) -> KeyValue.pair(k.key(), v)).to("o", OUT);
      return b.build();
    });
    all.put("repartition-unnamed", () -> {
      StreamsBuilder b = new StreamsBuilder();
      b.stream("s", S).repartition().filter((k, v) -> v != null).to("o", OUT);
      return b.build();
    });
    all.put("repartition-named", () -> {
      StreamsBuilder b = new StreamsBuilder();
      b.stream("s", S).repartition(Repartitioned.<String, String>as("rp").withNumberOfPartitions(2)).to("o", OUT);
      return b.build();
    });
    all.put("table-group-by-aggregate", () -> {
      StreamsBuilder b = new StreamsBuilder();
      b.table("t", S)
          .groupBy((k, v) -> KeyValue.pair(v, k), Grouped.with(Serdes.String(), Serdes.String()))
          .count()
          .toStream().mapValues(v -> v.toString()).to("o", OUT);
      return b.build();
    });
    all.put("named-operators", () -> {
      StreamsBuilder b = new StreamsBuilder();
      b.stream("s", Consumed.with(Serdes.String(), Serdes.String()).withName("src"))
          .filter((k, v) -> v != null, Named.as("f"))
          .mapValues(v -> v + "!", Named.as("m"))
          .peek((k, v) -> { })
          .to("o", Produced.with(Serdes.String(), Serdes.String()).withName("out"));
      return b.build();
    });
    all.put("time-windowed-reduce", () -> {
      StreamsBuilder b = new StreamsBuilder();
      b.stream("s", S).groupByKey()
          .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMillis(100)))
          .reduce((a, c) -> a + c)
          .toStream().map((k, v) -> KeyValue.pair(k.key(), v)).to("o", OUT);
      return b.build();
    });
    all.put("reduce-then-aggregate", () -> {
      StreamsBuilder b = new StreamsBuilder();
      KStream<String, String> s = b.stream("s", S);
      s.groupByKey().reduce((a, c) -> a + c).toStream().to("o1", OUT);
      s.groupByKey().aggregate(() -> "", (k, v, agg) -> agg + v).toStream().to("o2", OUT);
      return b.build();
    });
    all.put("split-merge", () -> {
      StreamsBuilder b = new StreamsBuilder();
      Map<String, KStream<String, String>> branches = b.stream("s", S)
          .split(Named.as("sp-"))
          .branch((k, v) -> v.startsWith("a"), Branched.as("a"))
          .defaultBranch();
      branches.get("sp-a").merge(branches.get("sp-0")).to("o", OUT);
      return b.build();
    });
    all.put("table-filter-materialized", () -> {
      StreamsBuilder b = new StreamsBuilder();
      b.table("t", S)
          .filter((k, v) -> v != null, Materialized.<String, String, KeyValueStore<Bytes, byte[]>>as("kept"))
          .mapValues(v -> v + "!")
          .toStream().to("o", OUT);
      return b.build();
    });
    all.put("table-left-and-outer-joins", () -> {
      StreamsBuilder b = new StreamsBuilder();
      KTable<String, String> l = b.table("l", Consumed.with(Serdes.String(), Serdes.String()).withName("lt"));
      KTable<String, String> r = b.table("r", S);
      l.leftJoin(r, (a, c) -> a + c).toStream().to("o1", OUT);
      l.outerJoin(r, (a, c) -> a + c).toStream().to("o2", OUT);
      return b.build();
    });
    all.put("foreign-key-left-join-named-materialized", () -> {
      StreamsBuilder b = new StreamsBuilder();
      KTable<String, String> orders = b.table("orders", S);
      KTable<String, String> customers = b.table("customers", S);
      orders.leftJoin(customers, v -> v, (o, c) -> o + c, TableJoined.as("fk"),
          Materialized.<String, String, KeyValueStore<Bytes, byte[]>>as("joined")).toStream().to("o", OUT);
      return b.build();
    });
    all.put("sliding-count", () -> {
      StreamsBuilder b = new StreamsBuilder();
      b.stream("s", S).groupByKey()
          .windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(100)))
          .count()
          .toStream().map((k, v) -> KeyValue.pair(k.key(), v.toString())).to("o", OUT);
      return b.build();
    });
    all.put("process-then-group", () -> {
      StreamsBuilder b = new StreamsBuilder();
      b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("seen"), Serdes.String(), Serdes.String()));
      b.stream("s", S)
          .process(() -> new ContextualProcessor<String, String, String, String>() {
            @Override public void process(Record<String, String> r) { context().forward(r); }
          }, "seen")
          .flatMap((k, v) -> Arrays.asList(KeyValue.pair(v, k)))
          .groupByKey(Grouped.with("g", Serdes.String(), Serdes.String()))
          .reduce((a, c) -> a + c, Materialized.<String, String, KeyValueStore<Bytes, byte[]>>as("reduced"))
          .toStream().to("o", OUT);
      return b.build();
    });
    all.put("table-group-by-reduce-named", () -> {
      StreamsBuilder b = new StreamsBuilder();
      b.table("t", S)
          .groupBy((k, v) -> KeyValue.pair(v, k), Grouped.with("by-value", Serdes.String(), Serdes.String()))
          .reduce((a, c) -> a + c, (a, c) -> a)
          .suppress(Suppressed.untilTimeLimit(Duration.ofMillis(50), Suppressed.BufferConfig.maxRecords(10)).withName("limit"))
          .toStream().to("o", OUT);
      return b.build();
    });
    all.put("cogroup", () -> {
      StreamsBuilder b = new StreamsBuilder();
      KGroupedStream<String, String> x = b.stream("a", S).groupByKey();
      KGroupedStream<String, String> y = b.stream("b", S).groupByKey();
      x.cogroup((String k, String v, Long agg) -> agg + 1).cogroup(y, (String k, String v, Long agg) -> agg + 10)
          .aggregate(() -> 0L, Materialized.with(Serdes.String(), Serdes.Long()))
          .toStream().to("o", Produced.with(Serdes.String(), Serdes.Long()));
      return b.build();
    });
    all.put("cogroup-one-repartition", () -> {
      StreamsBuilder b = new StreamsBuilder();
      KGroupedStream<String, String> x = b.stream("a", S).groupBy((k, v) -> v);
      KGroupedStream<String, String> y = b.stream("b", S).groupByKey();
      x.cogroup((String k, String v, Long agg) -> agg + 1).cogroup(y, (String k, String v, Long agg) -> agg + 10)
          .aggregate(() -> 0L, Materialized.with(Serdes.String(), Serdes.Long()))
          .toStream().to("o", Produced.with(Serdes.String(), Serdes.Long()));
      return b.build();
    });
    all.put("cogroup-named", () -> {
      StreamsBuilder b = new StreamsBuilder();
      KGroupedStream<String, String> x = b.stream("a", S).groupBy((k, v) -> v, Grouped.as("ga"));
      KGroupedStream<String, String> y = b.stream("b", S).groupByKey();
      x.cogroup((String k, String v, Long agg) -> agg + 1).cogroup(y, (String k, String v, Long agg) -> agg + 10)
          .aggregate(() -> 0L, Named.as("cg"), Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as("cg-store").withValueSerde(Serdes.Long()))
          .toStream().to("o", Produced.with(Serdes.String(), Serdes.Long()));
      return b.build();
    });
    all.put("cogroup-time-windows", () -> {
      StreamsBuilder b = new StreamsBuilder();
      KGroupedStream<String, String> x = b.stream("a", S).groupByKey();
      KGroupedStream<String, String> y = b.stream("b", S).groupByKey();
      x.cogroup((String k, String v, Long agg) -> agg + 1).cogroup(y, (String k, String v, Long agg) -> agg + 10)
          .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)))
          .aggregate(() -> 0L, Materialized.with(Serdes.String(), Serdes.Long()))
          .toStream().to("o");
      return b.build();
    });
    all.put("cogroup-session-windows", () -> {
      StreamsBuilder b = new StreamsBuilder();
      KGroupedStream<String, String> x = b.stream("a", S).groupByKey();
      KGroupedStream<String, String> y = b.stream("b", S).groupByKey();
      x.cogroup((String k, String v, Long agg) -> agg + 1).cogroup(y, (String k, String v, Long agg) -> agg + 10)
          .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(Duration.ofMillis(10)))
          .aggregate(() -> 0L, (k, l, r) -> l + r, Named.as("sess"), Materialized.with(Serdes.String(), Serdes.Long()))
          .toStream().to("o");
      return b.build();
    });
    all.put("print", () -> {
      StreamsBuilder b = new StreamsBuilder();
      KStream<String, String> s = b.stream("a", S);
      s.print(Printed.<String, String>toSysOut());
      s.mapValues(v -> v + "!").print(Printed.<String, String>toSysOut().withLabel("x").withName("shown"));
      s.to("o", OUT);
      return b.build();
    });
    for (Map.Entry<String, Supplier<Topology>> e : all.entrySet()) {
      System.out.println("=== " + e.getKey());
      System.out.println(e.getValue().get().describe());
    }
  }
}
