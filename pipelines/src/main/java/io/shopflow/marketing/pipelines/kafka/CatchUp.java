package io.shopflow.marketing.pipelines.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Waits until a consumer group's committed offsets reach the current end of topics. The job commits
 * its source offsets when a checkpoint completes, so "caught up" here means: every record written
 * so far is covered by a completed checkpoint, and its outputs are committed.
 */
public final class CatchUp {
  private CatchUp() {}

  /**
   * @param stillRunning checked on every poll; a job that stopped fails the wait at once
   */
  public static void await(
      Properties clientProps,
      String groupId,
      Collection<String> topics,
      Duration timeout,
      BooleanSupplier stillRunning)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = Admin.create(clientProps)) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (var d : admin.describeTopics(topics).allTopicNames().get().values()) {
        d.partitions()
            .forEach(
                pi ->
                    latest.put(new TopicPartition(d.name(), pi.partition()), OffsetSpec.latest()));
      }
      Map<TopicPartition, Long> ends = lastRecordEnds(clientProps, latest.keySet());
      while (true) {
        if (!stillRunning.getAsBoolean()) {
          throw new IllegalStateException("the job stopped before it caught up");
        }
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
        boolean caughtUp =
            ends.entrySet().stream()
                .allMatch(
                    e -> {
                      if (e.getValue() == 0) {
                        return true;
                      }
                      OffsetAndMetadata c = committed.get(e.getKey());
                      return c != null && c.offset() >= e.getValue();
                    });
        if (caughtUp) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "group "
                  + groupId
                  + " did not catch up within "
                  + timeout
                  + ": "
                  + committed
                  + " vs ends "
                  + ends);
        }
        Thread.sleep(200);
      }
    }
  }

  /**
   * One past the last committed data record of each partition. On a transactional topic the log
   * ends with commit markers, which a consumer never reports as consumed; the end offset alone
   * would never be reached.
   */
  static Map<TopicPartition, Long> lastRecordEnds(
      Properties clientProps, Collection<TopicPartition> partitions) {
    Properties p = new Properties();
    p.putAll(clientProps);
    p.put("isolation.level", "read_committed");
    p.put("enable.auto.commit", "false");
    p.put("key.deserializer", ByteArrayDeserializer.class.getName());
    p.put("value.deserializer", ByteArrayDeserializer.class.getName());
    Map<TopicPartition, Long> out = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> parts = new ArrayList<>(partitions);
      c.assign(parts);
      Map<TopicPartition, Long> stable = c.endOffsets(parts);
      for (TopicPartition tp : parts) {
        long end = stable.get(tp);
        out.put(tp, 0L);
        if (end == 0) {
          continue;
        }
        // Markers are at most one per transaction: look back far enough to find a data record.
        c.seek(tp, Math.max(0, end - 1000));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (c.position(tp) < end && System.nanoTime() < deadline) {
          for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200)).records(tp)) {
            out.put(tp, r.offset() + 1);
          }
        }
      }
      c.unsubscribe();
    }
    return out;
  }
}
