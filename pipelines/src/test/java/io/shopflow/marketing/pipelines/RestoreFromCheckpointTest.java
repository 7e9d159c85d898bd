package io.shopflow.marketing.pipelines;

import static io.shopflow.marketing.pipelines.ShopTopics.behaviour;
import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.pipelines.demo.OutputReader;
import io.shopflow.marketing.pipelines.kafka.EmbeddedKafkaBroker;
import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.ActionType;
import io.shopflow.marketing.udfs.ActionIds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the job mid-stream (cancel, no savepoint) while actions are in flight, restarts it from the
 * last retained checkpoint and checks that every action arrives exactly once: those committed
 * before the crash are not repeated, those in the aborted transaction are produced again, and
 * timers held in RocksDB state fire after the restore.
 */
class RestoreFromCheckpointTest extends KafkaJobTest {
  static final Instant T0 = Instant.parse("2026-03-03T12:00:00Z");
  static final int USERS = 10;

  @Test
  void restoreFromRetainedCheckpointLosesAndDuplicatesNoAction(@TempDir Path tmp) throws Exception {
    Path checkpoints = tmp.resolve("chk");
    JobSettings s = ShopTopics.settingsFor(kafka, checkpoints.toUri().toString(), "it-restore");
    killAndRestore(kafka, s, checkpoints, StreamExecutionEnvironment::getExecutionEnvironment);
  }

  /**
   * The scenario above on the clusters {@code environmentOf} gives for a configuration (the first
   * run's and the restored run's).
   */
  static void killAndRestore(
      EmbeddedKafkaBroker kafka,
      JobSettings s,
      Path checkpoints,
      Function<Configuration, StreamExecutionEnvironment> environmentOf)
      throws Exception {
    try (ShopTopics in = new ShopTopics(kafka, s)) {
      in.createTopics();

      // Ten users cart one item each, a minute apart: reminders are due at +30 .. +39 min.
      for (int i = 0; i < USERS; i++) {
        String u = "user-" + i;
        in.event(
            u,
            behaviour(
                "e-" + i,
                "cart_add",
                u,
                T0.plus(Duration.ofMinutes(i)),
                "[{\"item_id\":\"sku-" + i + "\"}]",
                ""));
      }
      // Event time reaches +35 min: the first five reminders fire.
      in.event(
          "clock", behaviour("clock-1", "view", "clock", minutes(35), "[{\"item_id\":\"x\"}]", ""));

      StreamExecutionEnvironment firstEnv = environmentOf.apply(MarketingJob.flinkConfiguration(s));
      MarketingJob.build(firstEnv, s);
      JobClient first = firstEnv.executeAsync("it-" + s.groupId);
      in.awaitCaughtUp(() -> MarketingJobIntegrationTest.running(first));
      try (OutputReader out = MarketingJobIntegrationTest.reader(s)) {
        out.awaitThenDrain(
            r -> r.actions.size() >= 5, Duration.ofSeconds(2), Duration.ofSeconds(30));
        assertThat(out.actions).hasSize(5);
      }
      // More reminders fire, then the job dies before (or while) the next checkpoint commits.
      in.event(
          "clock", behaviour("clock-2", "view", "clock", minutes(37), "[{\"item_id\":\"x\"}]", ""));
      in.flush();
      Thread.sleep(300);
      first.cancel().get();
      waitUntilTerminal(first);

      Path latest = latestCheckpoint(checkpoints).orElseThrow();
      Configuration restore = MarketingJob.flinkConfiguration(s);
      restore.set(StateRecoveryOptions.SAVEPOINT_PATH, latest.toUri().toString());
      StreamExecutionEnvironment env = environmentOf.apply(restore);
      MarketingJob.build(env, s);
      JobClient second = env.executeAsync("it-restore-2");
      try {
        in.event(
            "clock",
            behaviour("clock-3", "view", "clock", minutes(120), "[{\"item_id\":\"x\"}]", ""));
        in.awaitCaughtUp(() -> MarketingJobIntegrationTest.running(second));
        try (OutputReader out = MarketingJobIntegrationTest.reader(s)) {
          out.awaitThenDrain(
              r -> r.actions.size() >= USERS, Duration.ofSeconds(3), Duration.ofSeconds(60));
          List<String> expected =
              IntStream.range(0, USERS)
                  .mapToObj(
                      i ->
                          ActionIds.of(
                              "user-" + i,
                              ActionType.CART_ABANDONMENT,
                              T0.plus(Duration.ofMinutes(30 + i)).toEpochMilli(),
                              new String[] {"sku-" + i}))
                  .toList();
          assertThat(out.actions)
              .extracting(a -> a.actionId)
              .as("each reminder exactly once across the crash")
              .containsExactlyInAnyOrderElementsOf(expected);
          assertThat(out.actions).extracting((Action a) -> a.userId).doesNotHaveDuplicates();
        }
      } finally {
        second.cancel().get();
        waitUntilTerminal(second);
      }
    }
  }

  static Instant minutes(int m) {
    return T0.plus(Duration.ofMinutes(m));
  }

  static void waitUntilTerminal(JobClient job) throws Exception {
    for (int i = 0; i < 200 && MarketingJobIntegrationTest.running(job); i++) {
      Thread.sleep(100);
    }
  }

  /** The newest completed checkpoint: {@code <dir>/<job id>/chk-N} holding {@code _metadata}. */
  static Optional<Path> latestCheckpoint(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(p -> p.getFileName().toString().equals("_metadata"))
          .map(Path::getParent)
          .filter(p -> p.getFileName().toString().startsWith("chk-"))
          .max(
              Comparator.comparingInt(
                  p -> Integer.parseInt(p.getFileName().toString().substring(4))));
    }
  }
}
