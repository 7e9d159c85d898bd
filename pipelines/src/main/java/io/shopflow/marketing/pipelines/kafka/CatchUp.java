package io.shopflow.marketing.pipelines.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

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
      Map<TopicPartition, Long> ends = new HashMap<>();
      admin.listOffsets(latest).all().get().forEach((tp, r) -> ends.put(tp, r.offset()));
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
}
