package io.shopflow.marketing.pipelines;

import static io.shopflow.marketing.pipelines.ShopTopics.behaviour;
import static io.shopflow.marketing.pipelines.ShopTopics.consentChange;
import static io.shopflow.marketing.pipelines.ShopTopics.item;
import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopflow.marketing.pipelines.demo.OutputReader;
import io.shopflow.marketing.pipelines.elasticsearch.Documents;
import io.shopflow.marketing.pipelines.elasticsearch.ElasticsearchNode;
import io.shopflow.marketing.pipelines.elasticsearch.ElasticsearchSettings;
import io.shopflow.marketing.pipelines.elasticsearch.EmbeddedElasticsearch;
import io.shopflow.marketing.pipelines.elasticsearch.Pseudonyms;
import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.ActionType;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Job + real Kafka broker + real Elasticsearch node: the actions in Kafka and in {@code
 * mkt-actions-*} match one to one, also when the node is stopped mid-stream (Kafka output keeps
 * flowing) and the job is then restored from a checkpoint taken while it was down; profiles are
 * pseudonymised and erased, trigger metrics counted once.
 */
@ExtendWith(ElasticsearchNode.class)
class ElasticsearchJobIntegrationTest extends KafkaJobTest {
  static final Instant T0 = Instant.parse("2026-03-04T12:00:00Z");
  static final int USERS = 10;

  @Test
  void actionsMatchKafkaOneToOneThroughANodeOutageAndARestoreAndProfilesArePseudonymous(
      @TempDir Path tmp) throws Exception {
    Path checkpoints = tmp.resolve("chk");
    JobSettings s = ShopTopics.settingsFor(kafka, checkpoints.toUri().toString(), "it-es");
    s.elasticsearch = ElasticsearchNode.settings();
    ElasticsearchSettings es = s.elasticsearch;
    Pseudonyms pseudonyms = new Pseudonyms(es.pseudonymKey);
    EmbeddedElasticsearch node = ElasticsearchNode.node();
    ElasticsearchClient client = ElasticsearchNode.client();
    try (ShopTopics in = new ShopTopics(kafka, s)) {
      in.createTopics();
      // Ten users cart one item each, a minute apart (reminders due at +30 .. +39 min); one of
      // shopper buys (a profile snapshot after the purchase).
      for (int i = 0; i < USERS; i++) {
        String u = "user-" + i;
        in.event(
            u,
            behaviour("e-" + i, "cart_add", u, at(i), "[" + item("sku-" + i, 1, 10.0) + "]", ""));
      }
      in.event(
          "buyer",
          behaviour("p-0", "purchase", "buyer", at(1), "[" + item("sku-x", 2, 5.0) + "]", ""));
      in.send(
          s.reviewsTopic,
          "buyer",
          ReviewsIntegrationTest.review(
              "r-1", "buyer", "sku-x", 5, "Love it, beautiful and comfortable", at(2)));
      in.event("clock", clock("c-1", 35)); // the first reminders fire

      JobClient first = MarketingJobIntegrationTest.start(s);
      in.awaitCaughtUp(() -> MarketingJobIntegrationTest.running(first));
      try (OutputReader out = MarketingJobIntegrationTest.reader(s)) {
        out.awaitThenDrain(
            r -> cartReminders(r) >= 5, Duration.ofSeconds(2), Duration.ofSeconds(60));
        awaitEs(client, ids -> ids.size() >= cartReminders(out), Duration.ofSeconds(60));
        assertThat(actionIdsInEs(client)).containsExactlyInAnyOrderElementsOf(ids(out.actions));
      }
      assertThat(profile(client, pseudonyms.of("buyer"))).isNotNull();

      // The node goes away mid-stream: every reminder still reaches Kafka (read_committed, so
      // checkpoints keep completing), while the documents wait in the sink's checkpointed state.
      node.stop();
      in.event("clock", clock("c-2", 45));
      in.awaitCaughtUp(() -> MarketingJobIntegrationTest.running(first));
      try (OutputReader out = MarketingJobIntegrationTest.reader(s)) {
        out.awaitThenDrain(
            r -> cartReminders(r) >= USERS, Duration.ofSeconds(2), Duration.ofSeconds(60));
        assertThat(cartReminders(out)).isEqualTo(USERS);
      }
      // More input after the last checkpoint, then the job dies with the node still down.
      in.event("clock", clock("c-3", 50));
      in.flush();
      Thread.sleep(300);
      first.cancel().get();
      RestoreFromCheckpointTest.waitUntilTerminal(first);

      // Node back, job restored from the checkpoint taken while it was down, input replayed.
      node.restart();
      Path latest = RestoreFromCheckpointTest.latestCheckpoint(checkpoints).orElseThrow();
      Configuration restore = MarketingJob.flinkConfiguration(s);
      restore.set(StateRecoveryOptions.SAVEPOINT_PATH, latest.toUri().toString());
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(restore);
      MarketingJob.build(env, s);
      JobClient second = env.executeAsync("it-es-restored");
      try {
        in.consent("user-2", consentChange("x-2", "user-2", "erasure", "email", at(100)));
        in.event("clock", clock("c-4", 180)); // closes the 12:00 metrics bucket
        in.awaitCaughtUp(() -> MarketingJobIntegrationTest.running(second));
        try (OutputReader out = MarketingJobIntegrationTest.reader(s)) {
          out.awaitThenDrain(
              r -> cartReminders(r) >= USERS, Duration.ofSeconds(3), Duration.ofSeconds(60));
          List<String> kafkaIds = ids(out.actions);
          assertThat(kafkaIds).as("Kafka: each action once").doesNotHaveDuplicates();
          awaitEs(client, ids -> ids.size() >= kafkaIds.size(), Duration.ofSeconds(90));
          assertThat(actionIdsInEs(client))
              .as("mkt-actions-* holds exactly the actions in Kafka")
              .containsExactlyInAnyOrderElementsOf(kafkaIds);
        }

        // Trigger metrics: the whole bucket once, though part of it was replayed.
        String metricsId =
            Documents.triggerMetricsId(
                ActionType.CART_ABANDONMENT, Instant.parse("2026-03-04T12:00:00Z").toEpochMilli());
        ObjectNode metrics = awaitDoc(client, Documents.TRIGGER_METRICS, metricsId);
        assertThat(metrics.get("fired").asLong()).isEqualTo(USERS);
        assertThat(metrics.get("suppressed").asLong()).isZero();

        // Profiles: pseudonymous ids and no raw user id anywhere; the erased one is gone.
        awaitEs(
            client,
            ids -> profile(client, pseudonyms.of("user-2")) == null,
            Duration.ofSeconds(60));
        ObjectNode buyer = profile(client, pseudonyms.of("buyer"));
        assertThat(buyer.get("frequency").asInt()).isEqualTo(1);
        assertThat(buyer.get("monetary").asDouble()).isEqualTo(10.0);
        assertThat(buyer.get("user").asText()).isEqualTo(pseudonyms.of("buyer"));
        assertThat(buyer.get("sentiment_tendency").asText()).isEqualTo("positive");
        assertThat(profile(client, pseudonyms.of("user-3"))).isNotNull();

        // Item sentiment: the review, scored by the lexicon fallback (no sidecar here).
        ObjectNode skuX = awaitDoc(client, Documents.ITEM_SENTIMENT, "sku-x");
        assertThat(skuX.get("review_count").asLong()).isEqualTo(1);
        assertThat(skuX.get("positive").asLong()).isEqualTo(1);
        assertThat(skuX.get("mean_rating").asDouble()).isEqualTo(5.0);
        for (String index : List.of("mkt-actions-*", Documents.PROFILES)) {
          for (Hit<ObjectNode> h : all(client, index)) {
            assertThat(h.source().toString()).as(index).doesNotContain("user-", "buyer");
            assertThat(h.id()).doesNotContain("user-", "buyer");
          }
        }
      } finally {
        second.cancel().get();
        // Until the job has stopped, a checkpoint may still be writing into the temp directory.
        RestoreFromCheckpointTest.waitUntilTerminal(second);
      }
    } finally {
      node.restart();
      client._transport().close();
    }
  }

  static String clock(String id, int minutes) {
    return behaviour(id, "view", "clock", at(minutes), "[{\"item_id\":\"x\"}]", "");
  }

  static Instant at(int minutes) {
    return T0.plus(Duration.ofMinutes(minutes));
  }

  static long cartReminders(OutputReader r) {
    return r.actions.stream().filter(a -> a.actionType.equals(ActionType.CART_ABANDONMENT)).count();
  }

  static List<String> ids(List<Action> actions) {
    return actions.stream().map(a -> a.actionId).collect(Collectors.toList());
  }

  static List<String> actionIdsInEs(ElasticsearchClient client) throws Exception {
    return all(client, "mkt-actions-*").stream().map(Hit::id).collect(Collectors.toList());
  }

  static List<Hit<ObjectNode>> all(ElasticsearchClient client, String index) throws Exception {
    client.indices().refresh(r -> r.index(index).allowNoIndices(true));
    return client
        .search(q -> q.index(index).allowNoIndices(true).size(1000), ObjectNode.class)
        .hits()
        .hits();
  }

  static ObjectNode profile(ElasticsearchClient client, String id) {
    try {
      client.indices().refresh(r -> r.index(Documents.PROFILES));
      return client.get(g -> g.index(Documents.PROFILES).id(id), ObjectNode.class).source();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static ObjectNode awaitDoc(ElasticsearchClient client, String index, String id) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      client.indices().refresh(r -> r.index(index));
      var got = client.get(g -> g.index(index).id(id), ObjectNode.class);
      if (got.found() || System.nanoTime() > end) {
        assertThat(got.found()).as(index + "/" + id).isTrue();
        return got.source();
      }
      Thread.sleep(200);
    }
  }

  /** Polls the action documents until {@code done} holds or {@code max} passes. */
  static void awaitEs(ElasticsearchClient client, Predicate<List<String>> done, Duration max)
      throws Exception {
    long end = System.nanoTime() + max.toNanos();
    while (!done.test(actionIdsInEs(client)) && System.nanoTime() < end) {
      Thread.sleep(200);
    }
  }
}
