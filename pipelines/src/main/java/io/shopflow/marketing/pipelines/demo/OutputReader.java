package io.shopflow.marketing.pipelines.demo;

import io.shopflow.marketing.pipelines.kafka.OutputSerializers;
import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.udfs.OutputJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the job's outputs the way a downstream consumer must: {@code read_committed}, so that only
 * actions of completed checkpoints are seen, each exactly once. Incremental: call {@link #poll}
 * repeatedly.
 */
public final class OutputReader implements AutoCloseable {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String actionsTopic;
  private final String sessionsTopic;
  private final String dlqTopic;

  public final List<Action> actions = new ArrayList<>();
  public long sessions;
  public final List<DeadLetterView> deadLetters = new ArrayList<>();

  /** A DLQ record: original value and the reason header. */
  public record DeadLetterView(String reason, String sourceTopic, String value) {}

  public OutputReader(
      String bootstrapServers,
      Properties extra,
      String actionsTopic,
      String sessionsTopic,
      String dlqTopic) {
    this.actionsTopic = actionsTopic;
    this.sessionsTopic = sessionsTopic;
    this.dlqTopic = dlqTopic;
    Properties p = new Properties();
    p.putAll(extra);
    p.put("bootstrap.servers", bootstrapServers);
    p.put("group.id", "marketing-output-reader-" + UUID.randomUUID());
    p.put("isolation.level", "read_committed");
    p.put("auto.offset.reset", "earliest");
    p.put("enable.auto.commit", "false");
    p.put("key.deserializer", ByteArrayDeserializer.class.getName());
    p.put("value.deserializer", ByteArrayDeserializer.class.getName());
    consumer = new KafkaConsumer<>(p);
    List<TopicPartition> parts = new ArrayList<>();
    for (String t : List.of(actionsTopic, sessionsTopic, dlqTopic)) {
      consumer.partitionsFor(t).forEach(pi -> parts.add(new TopicPartition(t, pi.partition())));
    }
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
  }

  /** Reads what is committed now; returns how many records were new. */
  public int poll(Duration wait) {
    int n = 0;
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(wait)) {
      n++;
      if (r.topic().equals(actionsTopic)) {
        actions.add(OutputJson.parseAction(r.value()));
      } else if (r.topic().equals(sessionsTopic)) {
        sessions++;
      } else if (r.topic().equals(dlqTopic)) {
        deadLetters.add(
            new DeadLetterView(
                header(r, OutputSerializers.DLQ_REASON),
                header(r, OutputSerializers.DLQ_TOPIC),
                r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8)));
      }
    }
    return n;
  }

  /** Polls until nothing new arrives for {@code quiet}, or {@code max} passes. */
  public void drain(Duration quiet, Duration max) {
    long end = System.nanoTime() + max.toNanos();
    long lastNew = System.nanoTime();
    while (System.nanoTime() < end && System.nanoTime() - lastNew < quiet.toNanos()) {
      if (poll(Duration.ofMillis(200)) > 0) {
        lastNew = System.nanoTime();
      }
    }
  }

  /**
   * Polls until {@code done} holds (or {@code max} passes), then keeps reading for {@code quiet} so
   * that anything unexpected arriving just after is seen too.
   */
  public void awaitThenDrain(
      java.util.function.Predicate<OutputReader> done, Duration quiet, Duration max) {
    long end = System.nanoTime() + max.toNanos();
    while (!done.test(this) && System.nanoTime() < end) {
      poll(Duration.ofMillis(200));
    }
    drain(quiet, max);
  }

  public Map<String, Long> actionsByType() {
    Map<String, Long> m = new TreeMap<>();
    for (Action a : actions) {
      m.merge(a.actionType, 1L, Long::sum);
    }
    return m;
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
    Header h = r.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
