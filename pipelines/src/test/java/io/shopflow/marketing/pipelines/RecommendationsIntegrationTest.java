package io.shopflow.marketing.pipelines;

import static io.shopflow.marketing.pipelines.ShopTopics.behaviour;
import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.pipelines.demo.OutputReader;
import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.ActionType;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The online recommender end to end: co-buyer counts learned from other shoppers through the
 * feedback topic, and a shopper's recommendations changing after their own purchases.
 */
class RecommendationsIntegrationTest extends KafkaJobTest {
  static final Instant T0 = Instant.parse("2026-03-04T09:00:00Z");

  static Instant at(int minutes) {
    return T0.plus(Duration.ofMinutes(minutes));
  }

  static String buy(String user, String item, int minute) {
    return behaviour(
        user + "-" + item + "-" + minute,
        "purchase",
        user,
        at(minute),
        "[{\"item_id\":\"" + item + "\",\"price\":2.5}]",
        ",\"order_id\":\"" + user + "-" + minute + "\"");
  }

  @Test
  void recommendationsFollowCoBuyersAndChangeAfterTheShoppersOwnPurchases(@TempDir Path tmp)
      throws Exception {
    JobSettings s = ShopTopics.settingsFor(kafka, tmp.resolve("chk").toUri().toString(), "it-recs");
    try (ShopTopics in = new ShopTopics(kafka, s)) {
      in.createTopics();
      JobClient job = MarketingJobIntegrationTest.start(s);
      try {
        // Other shoppers: tea then cup, tea then biscuits, cup then saucer (separate orders).
        for (int i = 0; i < 3; i++) {
          in.event("b" + i, buy("b" + i, "tea", 0));
          in.event("d" + i, buy("d" + i, "cup", 0));
        }
        for (int i = 0; i < 2; i++) {
          in.event("c" + i, buy("c" + i, "tea", 0));
        }
        in.awaitFeedbackApplied(() -> MarketingJobIntegrationTest.running(job));
        for (int i = 0; i < 3; i++) {
          in.event("b" + i, buy("b" + i, "cup", 5));
          in.event("d" + i, buy("d" + i, "saucer", 5));
        }
        for (int i = 0; i < 2; i++) {
          in.event("c" + i, buy("c" + i, "biscuits", 5));
        }
        in.awaitFeedbackApplied(() -> MarketingJobIntegrationTest.running(job));

        // The shopper buys tea; their session closes at +150 min.
        in.event("shopper", buy("shopper", "tea", 120));
        // Read before the clock moves on: otherwise its partition may look idle and the purchase
        // would arrive two hours behind the watermark, i.e. late.
        in.awaitCaughtUp(() -> MarketingJobIntegrationTest.running(job));
        in.event(
            "clock", behaviour("clock-1", "view", "clock", at(240), "[{\"item_id\":\"z\"}]", ""));
        in.awaitFeedbackApplied(() -> MarketingJobIntegrationTest.running(job));
        // Later they buy a cup; that session closes at +390 min.
        in.event("shopper", buy("shopper", "cup", 360));
        in.awaitCaughtUp(() -> MarketingJobIntegrationTest.running(job));
        in.event(
            "clock", behaviour("clock-2", "view", "clock", at(480), "[{\"item_id\":\"z\"}]", ""));
        in.awaitCaughtUp(() -> MarketingJobIntegrationTest.running(job));

        try (OutputReader out = MarketingJobIntegrationTest.reader(s)) {
          out.awaitThenDrain(
              r ->
                  r.actions.stream()
                          .filter(a -> a.userId.equals("shopper"))
                          .filter(a -> a.actionType.equals(ActionType.RECOMMENDATION))
                          .count()
                      >= 2,
              Duration.ofSeconds(2),
              Duration.ofSeconds(60));
          List<Action> recs =
              out.actions.stream()
                  .filter(a -> a.userId.equals("shopper"))
                  .filter(a -> a.actionType.equals(ActionType.RECOMMENDATION))
                  .sorted((x, y) -> Long.compare(x.triggerEventTime, y.triggerEventTime))
                  .toList();
          assertThat(out.deadLetters).as("nothing late or refused").isEmpty();
          assertThat(recs).as("all actions: %s", out.actions).hasSize(2);
          assertThat(recs.get(0).triggerEventTime).isEqualTo(at(150).toEpochMilli());
          // Co-buyers of tea first; the popular-items snapshot may pad with other best sellers.
          assertThat(List.of(recs.get(0).items).subList(0, 2))
              .containsExactlyInAnyOrder("cup", "biscuits");
          assertThat(recs.get(0).items).doesNotContain("tea");
          assertThat(recs.get(0).explanation)
              .contains("cup (often bought with what you bought")
              .contains("biscuits (often bought with what you bought");
          assertThat(recs.get(1).triggerEventTime).isEqualTo(at(390).toEpochMilli());
          assertThat(recs.get(1).items).contains("saucer", "biscuits").doesNotContain("cup", "tea");
        }
      } finally {
        job.cancel().get();
        // Until the job has stopped, a checkpoint may still be writing into the temp directory.
        RestoreFromCheckpointTest.waitUntilTerminal(job);
      }
    }
  }
}
