package io.shopflow.marketing.pipelines;

import static io.shopflow.marketing.pipelines.ShopTopics.behaviour;
import static io.shopflow.marketing.pipelines.ShopTopics.catalogItem;
import static io.shopflow.marketing.pipelines.ShopTopics.consentChange;
import static io.shopflow.marketing.pipelines.ShopTopics.item;
import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.pipelines.demo.OutputReader;
import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.ActionType;
import io.shopflow.marketing.schema.Channel;
import io.shopflow.marketing.udfs.ActionIds;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job on a MiniCluster (RocksDB, checkpoints, parallelism 2) against a real Kafka broker:
 * scripted shop events in, the exact expected actions out, read as a downstream consumer must read
 * them ({@code read_committed}).
 */
class MarketingJobIntegrationTest extends KafkaJobTest {
  /** Monday noon UTC: outside quiet hours. */
  static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");

  static Instant at(int minutes) {
    return T0.plus(Duration.ofMinutes(minutes));
  }

  @Test
  void scriptedJourneysProduceExactlyTheExpectedActionsAndBadInputLandsInTheDlq(@TempDir Path tmp)
      throws Exception {
    JobSettings s =
        ShopTopics.settingsFor(kafka, tmp.resolve("chk").toUri().toString(), "it-journeys");
    // Session-end recommendations here would come from the popular-items snapshot and depend on
    // when it reaches the user operator; RecommendationsIntegrationTest covers them.
    s.engine.recommendationSize = 0;
    try (ShopTopics in = new ShopTopics(kafka, s)) {
      in.createTopics();
      JobClient job = start(s);
      try {
        // Catalogue and consent first.
        in.catalog("sku-1", catalogItem("sku-1", "Red Lantern", "Home > Lighting", 10.0, at(-60)));
        in.catalog("sku-2", catalogItem("sku-2", "Blue Mug", "Home > Kitchen", 4.0, at(-60)));
        in.consent("user-b", consentChange("c-1", "user-b", "opt_out", "email", at(-60)));
        // user-a carts and leaves: cart abandonment 30 min later.
        in.event(
            "user-a",
            behaviour("e-a1", "cart_add", "user-a", at(0), "[" + item("sku-1", 2, 10.0) + "]", ""));
        // user-b does the same but opted out of email: nothing.
        in.event(
            "user-b",
            behaviour("e-b1", "cart_add", "user-b", at(0), "[" + item("sku-1", 1, 10.0) + "]", ""));
        // user-c carts and buys within 30 min: nothing.
        in.event(
            "user-c",
            behaviour("e-c1", "cart_add", "user-c", at(0), "[{\"item_id\":\"sku-2\"}]", ""));
        in.event(
            "user-c",
            behaviour(
                "e-c2",
                "purchase",
                "user-c",
                at(10),
                "[{\"item_id\":\"sku-2\"}]",
                ",\"order_id\":\"o-1\""));
        // user-d views the mug three times and never carts it: browse abandonment at session end.
        for (int i = 0; i < 3; i++) {
          in.event(
              "user-d",
              behaviour("e-d" + i, "view", "user-d", at(i), "[{\"item_id\":\"sku-2\"}]", ""));
        }
        // user-e wishlists the mug; its price drops 25 % at +20 min.
        in.event(
            "user-e",
            behaviour("e-e1", "wishlist", "user-e", at(0), "[{\"item_id\":\"sku-2\"}]", ""));
        // Malformed input on every topic.
        in.event("bad-1", "this is not json");
        in.event("bad-2", "{\"event_type\":\"view\",\"user_id\":\"x\",\"event_time\":1}");
        in.event(
            "bad-3",
            behaviour(
                "e-x", "purchase", "x", at(0), "[{\"item_id\":\"sku-1\",\"quantity\":-2}]", ""));
        in.catalog("bad-4", "{\"item_id\":\"sku-9\",\"price\":1.0}");
        in.consent(
            "bad-5",
            "{\"event_id\":\"c-9\",\"user_id\":\"x\",\"change\":\"maybe\",\"event_time\":1}");
        in.awaitCaughtUp(() -> running(job));

        // Interest is recorded: now the price drops, and a later event moves event time on.
        in.catalog("sku-2", catalogItem("sku-2", "Blue Mug", "Home > Kitchen", 3.0, at(20)));
        // Read before event time jumps ahead: else its partition may look idle and it turns late.
        in.awaitCaughtUp(() -> running(job));
        in.event(
            "user-z",
            behaviour("e-z1", "view", "user-z", at(180), "[{\"item_id\":\"sku-9\"}]", ""));
        in.awaitCaughtUp(() -> running(job));
        // Two hours behind the watermark (same partition as user-z's event): late, to the DLQ.
        in.event(
            "user-z", behaviour("e-z0", "view", "user-z", at(60), "[{\"item_id\":\"sku-9\"}]", ""));
        in.awaitCaughtUp(() -> running(job));

        try (OutputReader out = reader(s)) {
          out.awaitThenDrain(
              r -> r.actions.size() >= 3 && r.deadLetters.size() >= 6 && r.sessions >= 5,
              Duration.ofSeconds(3),
              Duration.ofSeconds(60));

          assertThat(out.actions)
              .extracting(
                  a -> a.actionType + " " + a.userId + " " + List.of(a.items) + " " + a.channel)
              .containsExactlyInAnyOrder(
                  "cart_abandonment user-a [sku-1] email",
                  "browse_abandonment user-d [sku-2] push",
                  "price_drop user-e [sku-2] push");
          assertThat(out.actions)
              .extracting(a -> a.actionId)
              .containsExactlyInAnyOrder(
                  ActionIds.of(
                      "user-a",
                      ActionType.CART_ABANDONMENT,
                      at(30).toEpochMilli(),
                      new String[] {"sku-1"}),
                  ActionIds.of(
                      "user-d",
                      ActionType.BROWSE_ABANDONMENT,
                      at(32).toEpochMilli(),
                      new String[] {"sku-2"}),
                  ActionIds.of(
                      "user-e",
                      ActionType.PRICE_DROP,
                      at(20).toEpochMilli(),
                      new String[] {"sku-2"}));
          Action cart = byType(out.actions, ActionType.CART_ABANDONMENT);
          assertThat(cart.explanation).contains("Red Lantern").contains("x2").contains("30 min");
          assertThat(cart.channel).isEqualTo(Channel.EMAIL);
          assertThat(byType(out.actions, ActionType.PRICE_DROP).explanation)
              .contains("4.00")
              .contains("3.00")
              .contains("wishlist");

          assertThat(out.deadLetters)
              .extracting(OutputReader.DeadLetterView::reason)
              .hasSize(6)
              .anySatisfy(r -> assertThat(r).startsWith("not valid JSON"))
              .anySatisfy(r -> assertThat(r).isEqualTo("event_id is missing"))
              .anySatisfy(r -> assertThat(r).contains("quantity must be an integer >= 1"))
              .anySatisfy(r -> assertThat(r).isEqualTo("event_time is missing"))
              .anySatisfy(r -> assertThat(r).startsWith("change 'maybe'"))
              .anySatisfy(r -> assertThat(r).startsWith("late: event time 2026-03-02T13:00:00Z"));
          assertThat(out.deadLetters)
              .extracting(OutputReader.DeadLetterView::value)
              .contains("this is not json");
          assertThat(out.deadLetters)
              .extracting(OutputReader.DeadLetterView::sourceTopic)
              .containsOnly(s.eventsTopic, s.catalogTopic, s.consentTopic);

          // Every user but user-z (whose session is still open) had one session, now closed.
          assertThat(out.sessions).isEqualTo(5);
        }
      } finally {
        job.cancel().get();
        // Until the job has stopped, a checkpoint may still be writing into the temp directory.
        RestoreFromCheckpointTest.waitUntilTerminal(job);
      }
    }
  }

  static Action byType(List<Action> actions, String type) {
    List<Action> l =
        actions.stream().filter(a -> a.actionType.equals(type)).collect(Collectors.toList());
    assertThat(l).hasSize(1);
    return l.get(0);
  }

  static JobClient start(JobSettings s) throws Exception {
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(MarketingJob.flinkConfiguration(s));
    MarketingJob.build(env, s);
    return env.executeAsync("it-" + s.groupId);
  }

  static boolean running(JobClient job) {
    try {
      return !job.getJobStatus().get().isGloballyTerminalState();
    } catch (Exception e) {
      return false;
    }
  }

  static OutputReader reader(JobSettings s) {
    return new OutputReader(
        s.bootstrapServers, s.kafkaProperties, s.actionsTopic, s.sessionsTopic, s.dlqTopic);
  }
}
