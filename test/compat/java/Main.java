// Compat client for Brook: the Apache Kafka Java client with its default settings
// (idempotent producer, classic consumer group protocol). Driven by
// test/compat/*.test.ts and built by scripts/ci/install-compat.sh with plain javac.
//
//   create-topic --bootstrap B --topic T --partitions N
//   produce      --bootstrap B --topic T --count N [--start S] [--prefix P] [--compression C] [--value-size V]
//   consume      --bootstrap B --topic T --group G --count N --out FILE [--timeout-ms MS]
//   member       --bootstrap B --topic T --group G   (stays in the group until stdin closes)
//   txn-produce  --bootstrap B --topic T --count N --txn-id ID --txn-size S --abort-every K [--prefix P]
//                (transactions of S records; every K-th transaction, counting from 1, is aborted)
//   txn-copy     --bootstrap B --input I --output O --group G --txn-id ID --count N [--timeout-ms MS]
//                (consume-transform-produce: read_committed input, value "c|<value>" to the output,
//                 input offsets committed with sendOffsetsToTransaction, one transaction per poll)
// consume takes --isolation read_committed to read committed transactions only.
//
// Records are key "k<i>", value "<prefix>:<i>:" padded to --value-size. Summaries are one
// JSON line on stdout; consumed records go to --out (consume) or stdout (member) as
// tab-separated lines.
import java.io.BufferedWriter;
import java.io.FileWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public final class Main {
  private static final PrintStream OUT = new PrintStream(System.out, false, StandardCharsets.UTF_8);

  public static void main(String[] argv) throws Exception {
    if (argv.length == 0) usage("no command");
    Map<String, String> a = parseArgs(argv);
    switch (argv[0]) {
      case "create-topic" -> createTopic(a);
      case "produce" -> produce(a);
      case "consume" -> consume(a);
      case "member" -> member(a);
      case "txn-produce" -> txnProduce(a);
      case "txn-copy" -> txnCopy(a);
      default -> usage("unknown command " + argv[0]);
    }
    OUT.flush();
    // Client threads must not keep the JVM alive after close.
    System.exit(0);
  }

  private static void usage(String why) {
    System.err.println("compat: " + why + "; commands: create-topic, produce, consume, member");
    System.exit(2);
  }

  private static Map<String, String> parseArgs(String[] argv) {
    Map<String, String> a = new HashMap<>();
    for (int i = 1; i < argv.length; i += 2) {
      if (!argv[i].startsWith("--") || i + 1 >= argv.length) usage("bad argument " + argv[i]);
      a.put(argv[i].substring(2), argv[i + 1]);
    }
    return a;
  }

  private static String need(Map<String, String> a, String key) {
    String v = a.get(key);
    if (v == null) usage("missing --" + key);
    return v;
  }

  private static void createTopic(Map<String, String> a) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, need(a, "bootstrap"));
    String topic = need(a, "topic");
    int partitions = Integer.parseInt(need(a, "partitions"));
    boolean existed = false;
    try (Admin admin = Admin.create(p)) {
      try {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
      } catch (java.util.concurrent.ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) throw e;
        existed = true;
      }
      // Kafka may not know a just-created topic on the next request yet: retry briefly.
      int seen = -1;
      for (int attempt = 0; seen < 0; attempt++) {
        try {
          seen = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
        } catch (java.util.concurrent.ExecutionException e) {
          if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) || attempt >= 50) throw e;
          Thread.sleep(100);
        }
      }
      OUT.println("{\"topic\":\"" + topic + "\",\"partitions\":" + seen + ",\"existed\":" + existed + "}");
    }
  }

  static String value(String prefix, long i, int size) {
    StringBuilder sb = new StringBuilder(size).append(prefix).append(':').append(i).append(':');
    while (sb.length() < size) sb.append((char) ('a' + (sb.length() + i) % 26));
    return sb.toString();
  }

  private static void produce(Map<String, String> a) throws Exception {
    String topic = need(a, "topic");
    long count = Long.parseLong(need(a, "count"));
    long start = Long.parseLong(a.getOrDefault("start", "0"));
    String prefix = a.getOrDefault("prefix", "r");
    int valueSize = Integer.parseInt(a.getOrDefault("value-size", "100"));
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, need(a, "bootstrap"));
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, a.getOrDefault("compression", "none"));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    AtomicLong acked = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>();
    Map<Integer, long[]> byPartition = new TreeMap<>(); // partition -> {count, maxOffset}
    long t0 = System.nanoTime();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      for (long i = start; i < start + count; i++) {
        producer.send(new ProducerRecord<>(topic, "k" + i, value(prefix, i, valueSize)), (md, err) -> {
          if (err != null) {
            failed.incrementAndGet();
            firstError.compareAndSet(null, err.toString());
            return;
          }
          acked.incrementAndGet();
          synchronized (byPartition) {
            long[] s = byPartition.computeIfAbsent(md.partition(), k -> new long[] {0, -1});
            s[0]++;
            s[1] = Math.max(s[1], md.offset());
          }
        });
      }
      producer.flush();
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    StringBuilder sb = new StringBuilder("{\"acked\":").append(acked.get()).append(",\"failed\":").append(failed.get());
    sb.append(",\"ms\":").append(ms).append(",\"partitions\":{");
    String sep = "";
    for (Map.Entry<Integer, long[]> e : byPartition.entrySet()) {
      sb.append(sep).append('"').append(e.getKey()).append("\":{\"count\":").append(e.getValue()[0])
          .append(",\"lastOffset\":").append(e.getValue()[1]).append('}');
      sep = ",";
    }
    sb.append('}');
    if (firstError.get() != null) sb.append(",\"error\":").append(jsonString(firstError.get()));
    OUT.println(sb.append('}'));
    if (failed.get() > 0) System.exit(1);
  }

  private static KafkaConsumer<String, String> consumer(Map<String, String> a) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, need(a, "bootstrap"));
    p.put(ConsumerConfig.GROUP_ID_CONFIG, need(a, "group"));
    // The one non-default: a new group reads the topic from the start, not the end.
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    if (a.containsKey("isolation")) p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, a.get("isolation"));
    return new KafkaConsumer<>(p);
  }

  private static KafkaProducer<String, String> transactionalProducer(Map<String, String> a) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, need(a, "bootstrap"));
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, need(a, "txn-id"));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    return new KafkaProducer<>(p);
  }

  private static void txnProduce(Map<String, String> a) throws Exception {
    String topic = need(a, "topic");
    long count = Long.parseLong(need(a, "count"));
    long size = Long.parseLong(need(a, "txn-size"));
    long abortEvery = Long.parseLong(need(a, "abort-every"));
    String prefix = a.getOrDefault("prefix", "t");
    long committed = 0;
    long aborted = 0;
    try (KafkaProducer<String, String> producer = transactionalProducer(a)) {
      producer.initTransactions();
      long txn = 0;
      for (long i = 0; i < count; ) {
        txn++;
        producer.beginTransaction();
        long n = 0;
        for (; n < size && i < count; n++, i++) producer.send(new ProducerRecord<>(topic, "k" + i, value(prefix, i, 100)));
        if (abortEvery > 0 && txn % abortEvery == 0) {
          producer.abortTransaction();
          aborted += n;
        } else {
          producer.commitTransaction();
          committed += n;
        }
      }
    }
    OUT.println("{\"committed\":" + committed + ",\"aborted\":" + aborted + "}");
  }

  private static void txnCopy(Map<String, String> a) throws Exception {
    String input = need(a, "input");
    String output = need(a, "output");
    long count = Long.parseLong(need(a, "count"));
    long timeoutMs = Long.parseLong(a.getOrDefault("timeout-ms", "60000"));
    long copied = 0;
    long transactions = 0;
    try (KafkaConsumer<String, String> c = consumerNoAutoCommit(a);
        KafkaProducer<String, String> producer = transactionalProducer(a)) {
      producer.initTransactions();
      c.subscribe(List.of(input));
      long deadline = System.currentTimeMillis() + timeoutMs;
      while (copied < count && System.currentTimeMillis() < deadline) {
        ConsumerRecords<String, String> records = c.poll(Duration.ofMillis(200));
        if (records.isEmpty()) continue;
        producer.beginTransaction();
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (ConsumerRecord<String, String> r : records) {
          producer.send(new ProducerRecord<>(output, r.key(), "c|" + r.value()));
          next.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
        }
        producer.sendOffsetsToTransaction(next, c.groupMetadata());
        producer.commitTransaction();
        copied += records.count();
        transactions++;
      }
    }
    OUT.println("{\"copied\":" + copied + ",\"transactions\":" + transactions + "}");
    if (copied < count) System.exit(1);
  }

  private static KafkaConsumer<String, String> consumerNoAutoCommit(Map<String, String> a) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, need(a, "bootstrap"));
    p.put(ConsumerConfig.GROUP_ID_CONFIG, need(a, "group"));
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    return new KafkaConsumer<>(p);
  }

  private static void consume(Map<String, String> a) throws Exception {
    String topic = need(a, "topic");
    long count = Long.parseLong(need(a, "count"));
    long timeoutMs = Long.parseLong(a.getOrDefault("timeout-ms", "60000"));
    Map<Integer, long[]> byPartition = new TreeMap<>(); // partition -> {count, first, last}
    long received = 0;
    long t0 = System.nanoTime();
    Map<TopicPartition, OffsetAndMetadata> committed;
    try (KafkaConsumer<String, String> c = consumer(a);
        BufferedWriter w = new BufferedWriter(new FileWriter(need(a, "out"), StandardCharsets.UTF_8), 1 << 16)) {
      c.subscribe(List.of(topic));
      long deadline = System.currentTimeMillis() + timeoutMs;
      while (received < count && System.currentTimeMillis() < deadline) {
        ConsumerRecords<String, String> records = c.poll(Duration.ofMillis(200));
        for (ConsumerRecord<String, String> r : records) {
          writeRecord(w, r);
          long[] s = byPartition.computeIfAbsent(r.partition(), k -> new long[] {0, r.offset(), -1});
          s[0]++;
          s[2] = r.offset();
          received++;
        }
        if (!records.isEmpty()) c.commitSync();
      }
      w.flush();
      committed = c.committed(new java.util.HashSet<>(c.assignment()));
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    StringBuilder sb = new StringBuilder("{\"received\":").append(received).append(",\"ms\":").append(ms);
    sb.append(",\"partitions\":{");
    String sep = "";
    for (Map.Entry<Integer, long[]> e : byPartition.entrySet()) {
      long[] s = e.getValue();
      sb.append(sep).append('"').append(e.getKey()).append("\":{\"count\":").append(s[0])
          .append(",\"first\":").append(s[1]).append(",\"last\":").append(s[2]).append('}');
      sep = ",";
    }
    sb.append("},\"committed\":{");
    Map<Integer, Long> committedByPartition = new TreeMap<>();
    committed.forEach((tp, om) -> committedByPartition.put(tp.partition(), om == null ? -1L : om.offset()));
    sep = "";
    for (Map.Entry<Integer, Long> e : committedByPartition.entrySet()) {
      sb.append(sep).append('"').append(e.getKey()).append("\":").append(e.getValue());
      sep = ",";
    }
    OUT.println(sb.append("}}"));
    if (received < count) {
      System.err.println("compat: timed out with " + received + " of " + count + " records");
      OUT.flush();
      System.exit(1);
    }
  }

  private static void writeRecord(java.io.Writer w, ConsumerRecord<String, String> r) throws IOException {
    w.write(Integer.toString(r.partition()));
    w.write('\t');
    w.write(Long.toString(r.offset()));
    w.write('\t');
    w.write(r.key() == null ? "" : r.key());
    w.write('\t');
    w.write(r.value() == null ? "" : r.value());
    w.write('\n');
  }

  // Joins the group and reports "A\t<partitions>" after each assignment and "R\t<record>" per
  // record, committing after each poll; on stdin EOF it commits, leaves and prints "X".
  private static void member(Map<String, String> a) throws Exception {
    String topic = need(a, "topic");
    KafkaConsumer<String, String> c = consumer(a);
    Thread stdinWatch = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // Only EOF matters.
        }
      } catch (IOException ignored) {
        // Treat as EOF.
      }
      c.wakeup();
    });
    stdinWatch.setDaemon(true);
    stdinWatch.start();
    java.io.Writer w = new java.io.OutputStreamWriter(OUT, StandardCharsets.UTF_8);
    c.subscribe(List.of(topic), new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        try {
          w.flush();
        } catch (IOException ignored) {
          // stdout gone: nothing to report to.
        }
      }

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        TreeSet<Integer> all = new TreeSet<>();
        for (TopicPartition tp : c.assignment()) all.add(tp.partition());
        StringBuilder sb = new StringBuilder("A\t");
        String sep = "";
        for (int p : all) {
          sb.append(sep).append(p);
          sep = ",";
        }
        try {
          w.write(sb.append('\n').toString());
          w.flush();
        } catch (IOException ignored) {
          // stdout gone.
        }
      }
    });
    try {
      while (true) {
        ConsumerRecords<String, String> records = c.poll(Duration.ofMillis(200));
        for (ConsumerRecord<String, String> r : records) {
          w.write("R\t");
          writeRecord(w, r);
        }
        w.flush();
        if (!records.isEmpty()) c.commitSync();
      }
    } catch (WakeupException stop) {
      // stdin closed: leave.
    }
    try {
      c.commitSync();
    } finally {
      c.close();
    }
    w.write("X\n");
    w.flush();
  }

  private static String jsonString(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      if (ch == '"' || ch == '\\') sb.append('\\').append(ch);
      else if (ch < 0x20) sb.append(String.format("\\u%04x", (int) ch));
      else sb.append(ch);
    }
    return sb.append('"').toString();
  }

  private Main() {}
}
