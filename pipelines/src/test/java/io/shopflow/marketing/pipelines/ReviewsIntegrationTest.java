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
 * Reviews end to end on a MiniCluster and a real broker, with no inference sidecar configured: the
 * lexicon fallback scores them, a clearly negative review of a bought item becomes a {@code
 * service_recovery} action, and a malformed review goes to the DLQ with its reason.
 */
class ReviewsIntegrationTest extends KafkaJobTest {
  static final Instant T0 = Instant.parse("2026-05-04T09:00:00Z");

  static Instant at(int minutes) {
    return T0.plus(Duration.ofMinutes(minutes));
  }

  static String review(String id, String user, String item, int rating, String text, Instant t) {
    return "{\"review_id\":\""
        + id
        + "\",\"user_id\":\""
        + user
        + "\",\"item_id\":\""
        + item
        + "\",\"rating\":"
        + rating
        + ",\"text\":\""
        + text
        + "\",\"event_time\":\""
        + t
        + "\"}";
  }

  @Test
  void aNegativeReviewOfABoughtItemYieldsAServiceRecoveryScoredByTheFallback(@TempDir Path tmp)
      throws Exception {
    JobSettings s =
        ShopTopics.settingsFor(kafka, tmp.resolve("chk").toUri().toString(), "it-reviews");
    assertThat(s.sentiment.sidecarUrl).as("no sidecar configured").isNull();
    runScenario(s);
  }

  @Test
  void aDeadSidecarFallsBackWithoutStallingTheJob(@TempDir Path tmp) throws Exception {
    JobSettings s =
        ShopTopics.settingsFor(kafka, tmp.resolve("chk").toUri().toString(), "it-reviews-dead");
    // Topics of its own: the broker is shared with the other test of this class.
    s.eventsTopic += "-dead";
    s.catalogTopic += "-dead";
    s.consentTopic += "-dead";
    s.reviewsTopic += "-dead";
    s.actionsTopic += "-dead";
    s.sessionsTopic += "-dead";
    s.dlqTopic += "-dead";
    s.itemFactorTopic += "-dead";
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      port = free.getLocalPort();
    }
    // Nothing listens there: every request is refused, retried once, then the lexicon answers.
    s.sentiment.sidecarUrl = "http://127.0.0.1:" + port;
    runScenario(s);
  }

  /**
   * A purchase, then reviews: a complaint about the bought item, one about an item not bought, a
   * happy review by someone else, and two malformed ones.
   */
  static void runScenario(JobSettings s) throws Exception {
    try (ShopTopics in = new ShopTopics(kafka, s)) {
      in.createTopics();
      JobClient job = MarketingJobIntegrationTest.start(s);
      try {
        in.event(
            "ann",
            behaviour(
                "ann-buy",
                "purchase",
                "ann",
                at(0),
                "[{\"item_id\":\"dress\",\"price\":40.0}]",
                ",\"order_id\":\"o-1\""));
        in.awaitCaughtUp(() -> MarketingJobIntegrationTest.running(job));

        String complaint = "Poor quality, the seams ripped after one wash. Very disappointed.";
        in.send(s.reviewsTopic, "ann", review("r-1", "ann", "dress", 2, complaint, at(60)));
        // Not bought: no apology.
        in.send(s.reviewsTopic, "ann", review("r-2", "ann", "scarf", 1, complaint, at(61)));
        // Bought, but happy: no apology.
        in.send(
            s.reviewsTopic,
            "bob",
            review("r-3", "bob", "dress", 5, "Love it, beautiful and comfortable", at(62)));
        in.send(s.reviewsTopic, "ann", "{\"review_id\":\"r-4\",\"user_id\":\"ann\"}");
        in.send(
            s.reviewsTopic, "ann", review("r-5", "ann", "dress", 9, "Out of this world", at(63)));
        in.awaitCaughtUp(() -> MarketingJobIntegrationTest.running(job));

        try (OutputReader out = MarketingJobIntegrationTest.reader(s)) {
          out.awaitThenDrain(
              r ->
                  r.deadLetters.size() >= 2
                      && r.actions.stream()
                          .anyMatch(a -> a.actionType.equals(ActionType.SERVICE_RECOVERY)),
              Duration.ofSeconds(2),
              Duration.ofSeconds(60));
          List<Action> recoveries =
              out.actions.stream()
                  .filter(a -> a.actionType.equals(ActionType.SERVICE_RECOVERY))
                  .toList();
          assertThat(recoveries)
              .as("all actions: %s", out.actions)
              .singleElement()
              .satisfies(
                  a -> {
                    assertThat(a.userId).isEqualTo("ann");
                    assertThat(a.items).containsExactly("dress");
                    assertThat(a.triggerEventTime).isEqualTo(at(60).toEpochMilli());
                    assertThat(a.explanation)
                        .contains("2-star review of dress")
                        .contains("seams ripped")
                        .contains("lexicon fallback");
                  });
          assertThat(out.deadLetters)
              .extracting(OutputReader.DeadLetterView::reason)
              .containsExactlyInAnyOrder(
                  "item_id is missing", "rating must be an integer from 1 to 5, got 9");
          assertThat(out.deadLetters)
              .extracting(OutputReader.DeadLetterView::sourceTopic)
              .containsOnly(s.reviewsTopic);
        }
      } finally {
        job.cancel().get();
        RestoreFromCheckpointTest.waitUntilTerminal(job);
      }
    }
  }
}
