// The peer of bench/streams-peer.bench.ts: Apache Kafka's own consumer and Kafka Streams, run on
// the same broker and input as Brook's, in one JVM that stays up (and JIT-warm) between rounds.
// Usage: java -cp <kafka jars>:<this dir> StreamsPeer <bootstrap>
// Reads one command per line on stdin and answers one line on stdout:
//   raw <topic> <partitions> <records>                  -> "ms <elapsed>" (poll until every record came)
//   stateless <topic> <output> <records> <application.id> -> "ms <elapsed>" (RUNNING until the last record
//                                                          passed the filter + mapValues + to, commit.interval.ms 1000)
//   wordcount <topic> <output> <words> <application.id>  -> "ms <elapsed>" (RUNNING until the last word reached
//                                                          the count: flatMapValues, selectKey, repartition, count in
//                                                          RocksDB with the default record cache, to)
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

public final class StreamsPeer {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    System.out.println("ready");
    System.out.flush();
    for (String line; (line = in.readLine()) != null; ) {
      String[] c = line.trim().split(" ");
      long ms;
      if (c[0].equals("raw")) ms = raw(bootstrap, c[1], Integer.parseInt(c[2]), Long.parseLong(c[3]));
      else if (c[0].equals("stateless")) ms = stateless(bootstrap, c[1], c[2], Long.parseLong(c[3]), c[4]);
      else if (c[0].equals("wordcount")) ms = wordCount(bootstrap, c[1], c[2], Long.parseLong(c[3]), c[4]);
      else throw new IllegalArgumentException("unknown command: " + line);
      System.out.println("ms " + ms);
      System.out.flush();
    }
  }

  /** Reads every record of the topic from the beginning with the plain consumer (max.poll.records 1000, as Brook's streams poll). */
  static long raw(String bootstrap, String topic, int partitions, long records) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1000");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(256 << 10));
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int i = 0; i < partitions; i++) tps.add(new TopicPartition(topic, i));
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      long t0 = System.nanoTime();
      long seen = 0;
      long bytes = 0;
      while (seen < records) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          bytes += r.value() == null ? 0 : r.value().length;
          seen++;
        }
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      if (bytes == 0) throw new IllegalStateException("no bytes read");
      return ms;
    }
  }

  /** filter + mapValues + to, one stream thread, commits every second; timed from RUNNING until the last record went through. */
  static long stateless(String bootstrap, String input, String output, long records, String appId) throws Exception {
    AtomicLong seen = new AtomicLong();
    CountDownLatch done = new CountDownLatch(1);
    StreamsBuilder b = new StreamsBuilder();
    b.stream(input, Consumed.with(Serdes.String(), Serdes.String()))
        .filter((k, v) -> v.length() > 3)
        .mapValues(v -> v.toUpperCase())
        .peek((k, v) -> {
          if (seen.incrementAndGet() == records) done.countDown();
        })
        .to(output, Produced.with(Serdes.String(), Serdes.String()));
    return timed(b, bootstrap, appId, records, seen, done);
  }

  /** Word count as bench:streams builds it, the repartition explicit so a peek counts the words reaching the count. */
  static long wordCount(String bootstrap, String input, String output, long words, String appId) throws Exception {
    AtomicLong seen = new AtomicLong();
    CountDownLatch done = new CountDownLatch(1);
    StreamsBuilder b = new StreamsBuilder();
    b.stream(input, Consumed.with(Serdes.String(), Serdes.String()))
        .flatMapValues(line -> Arrays.asList(line.split(" ")))
        .selectKey((k, w) -> w)
        .repartition(Repartitioned.with(Serdes.String(), Serdes.String()).withName("words"))
        .peek((k, v) -> {
          if (seen.incrementAndGet() == words) done.countDown();
        })
        .groupByKey(Grouped.with(Serdes.String(), Serdes.String()))
        .count(Materialized.as("counts"))
        .toStream()
        .to(output, Produced.with(Serdes.String(), Serdes.Long()));
    return timed(b, bootstrap, appId, words, seen, done);
  }

  /** Runs the topology with one stream thread and commits every second; milliseconds from RUNNING until `done`. */
  static long timed(StreamsBuilder b, String bootstrap, String appId, long records, AtomicLong seen, CountDownLatch done) throws Exception {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "1000");
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
    p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("streams-peer").toString());
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    long[] t0 = {0};
    CountDownLatch running = new CountDownLatch(1);
    try (KafkaStreams streams = new KafkaStreams(b.build(), p)) {
      streams.setStateListener((now, before) -> {
        if (now == KafkaStreams.State.RUNNING && t0[0] == 0) {
          t0[0] = System.nanoTime();
          running.countDown();
        }
      });
      streams.start();
      if (!done.await(600, TimeUnit.SECONDS)) throw new IllegalStateException("only " + seen.get() + " of " + records + " records went through");
      long ms = (System.nanoTime() - t0[0]) / 1_000_000;
      streams.close(Duration.ofSeconds(30));
      return ms;
    }
  }
}
