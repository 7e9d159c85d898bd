package io.shopflow.marketing.sidecars.job;

import static io.shopflow.marketing.pipelines.ShopTopics.items;
import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.operators.RecommendationRankingFunction;
import io.shopflow.marketing.pipelines.JobSettings;
import io.shopflow.marketing.pipelines.MarketingJob;
import io.shopflow.marketing.pipelines.ShopTopics;
import io.shopflow.marketing.pipelines.demo.OutputReader;
import io.shopflow.marketing.pipelines.kafka.CatchUp;
import io.shopflow.marketing.pipelines.kafka.EmbeddedKafkaBroker;
import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.ActionType;
import io.shopflow.marketing.sidecars.Djl;
import io.shopflow.marketing.sidecars.TestData;
import io.shopflow.marketing.sidecars.oip.OipServer;
import io.shopflow.marketing.sidecars.oip.RankerEndpoint;
import io.shopflow.marketing.sidecars.oip.SentimentEndpoint;
import io.shopflow.marketing.sidecars.ranker.RankerNet;
import io.shopflow.marketing.sidecars.ranker.RankerTrainer;
import io.shopflow.marketing.sidecars.sentiment.Reviews;
import io.shopflow.marketing.sidecars.sentiment.SentimentModel;
import io.shopflow.marketing.sidecars.sentiment.SentimentTrainer;
import io.shopflow.marketing.udfs.recs.Purchases;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job on a local MiniCluster against a real broker and the real sidecar server (ranker
 * and sentiment models trained on small samples of the data): recommendations are ranked by the
 * ranker model and reviews scored by the sentiment model; once the sidecar is shut down mid-stream
 * the job keeps sending actions, in hybrid order and scored by the lexicon, each marked as a
 * fallback, without stalling.
 */
class RankingWithSidecarJobTest {
  static final Instant T0 = Instant.parse("2026-03-04T09:00:00Z");

  @TempDir static Path models;
  static EmbeddedKafkaBroker kafka;

  @BeforeAll
  static void trainModelsAndStartTheBroker() throws Exception {
    Djl.configure();
    long cutoff = millis("2011-01-15");
    List<Purchases.Purchase> events =
        Purchases.load(TestData.dir().resolve("uci-online-retail/online_retail.csv.gz"), 150_000)
            .purchases();
    new RankerTrainer(
            new RankerTrainer.Settings(50, 16, 8, new RankerNet.Options(3, 128, 3e-3f, 0f, 42L)),
            System.out)
        .train(events, cutoff, millis("2011-02-15"), models);
    List<Reviews.Review> sample = new ArrayList<>(Reviews.load(TestData.dir()).subList(0, 400));
    SentimentTrainer trainer =
        new SentimentTrainer(
            new SentimentTrainer.Settings(
                42L, 128, 1, 4, 32, 5e-3f, new int[] {0}, new float[] {0f}, new double[] {3}),
            System.out);
    trainer.train(trainer.prepare(sample, models.resolve("cache")), models);
    kafka = EmbeddedKafkaBroker.startInTempDir();
  }

  @AfterAll
  static void stopTheBroker() {
    if (kafka != null) {
      kafka.close();
    }
  }

  static long millis(String day) {
    return LocalDate.parse(day).atStartOfDay(Purchases.ZONE).toInstant().toEpochMilli();
  }

  static Instant at(int minutes) {
    return T0.plus(Duration.ofMinutes(minutes));
  }

  static String purchase(String user, int minute, String... items) {
    StringBuilder lines = new StringBuilder("[");
    for (int i = 0; i < items.length; i++) {
      lines.append(i == 0 ? "" : ",").append("{\"item_id\":\"").append(items[i]);
      lines.append("\",\"price\":2.5}");
    }
    String id = user + "-" + minute;
    return ShopTopics.behaviour(
        id, "purchase", user, at(minute), lines + "]", ",\"order_id\":\"" + id + "\"");
  }

  static String view(String user, int minute) {
    return ShopTopics.behaviour(user + "-" + minute, "view", user, at(minute), items("z"), "");
  }

  static String cartAdd(String user, int minute, String item) {
    return ShopTopics.behaviour(
        user + "-" + minute,
        "cart_add",
        user,
        at(minute),
        "[{\"item_id\":\"" + item + "\",\"price\":2.5}]",
        "");
  }

  static String review(String user, String item, int minute) {
    return "{\"review_id\":\"r-"
        + user
        + "\",\"user_id\":\""
        + user
        + "\",\"item_id\":\""
        + item
        + "\",\"rating\":1,\"text\":\"Terrible. Cheap fabric, awful fit, it ripped after one"
        + " wash.\",\"event_time\":\""
        + at(minute)
        + "\"}";
  }

  /** The job, the way {@code run} starts it, with the sidecar at {@code url}. */
  static JobSettings settings(Path tmp, String url) {
    JobSettings s = new JobSettings();
    s.bootstrapServers = kafka.bootstrapServers();
    s.groupId = "it-ranking-sidecar";
    s.transactionalIdPrefix = s.groupId;
    s.checkpointDir = tmp.resolve("chk").toUri().toString();
    s.checkpointInterval = Duration.ofMillis(500);
    s.parallelism = 2;
    s.sourceIdleness = Duration.ofMillis(500);
    s.transactionTimeout = Duration.ofMinutes(5);
    s.engine.recs.snapshotEveryUpdates = 1; // the popular snapshot follows every purchase
    s.sentiment.sidecarUrl = url;
    s.sentiment.requestTimeoutMs = 30_000; // the first request warms the model up
    s.ranking.sidecarUrl = url;
    s.ranking.requestTimeoutMs = 10_000;
    return s;
  }

  static List<Action> of(OutputReader r, String userPrefix, String type) {
    return r.actions.stream()
        .filter(a -> a.userId.startsWith(userPrefix) && a.actionType.equals(type))
        .toList();
  }

  static double metric(String metrics, String name, String model) {
    Matcher m =
        Pattern.compile(
                "(?m)^" + Pattern.quote(name) + "\\{[^}]*model=\"" + model + "\"[^}]*\\} (\\S+)$")
            .matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  @Test
  void recommendationsAndAttachedPicksAreRankedByTheModelAndFallBackWhenTheSidecarDies(
      @TempDir Path tmp) throws Exception {
    OipServer server =
        new OipServer(
            OipServer.Options.defaults().withPort(0),
            List.of(
                new RankerEndpoint(RankerTrainer.load(models)),
                new SentimentEndpoint(SentimentModel.load(models))));
    boolean closed = false;
    JobSettings s = settings(tmp, server.baseUrl());
    kafka.createTopics(2, s.allTopics().toArray(new String[0]));
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    p.put("enable.idempotence", "true");
    p.put("acks", "all");
    p.put("key.serializer", StringSerializer.class.getName());
    p.put("value.serializer", StringSerializer.class.getName());
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(MarketingJob.flinkConfiguration(s));
    MarketingJob.build(env, s);
    JobClient job = env.executeAsync("it-ranking-sidecar");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p);
        OutputReader out =
            new OutputReader(
                s.bootstrapServers,
                s.kafkaProperties,
                s.actionsTopic,
                s.sessionsTopic,
                s.dlqTopic)) {
      Send send =
          (topic, key, value) ->
              producer.send(new ProducerRecord<>(topic, key, value)).get(60, TimeUnit.SECONDS);
      Runnable caughtUp =
          () -> {
            try {
              producer.flush();
              CatchUp.await(
                  p, s.groupId, s.inputTopics(), Duration.ofSeconds(90), () -> running(job));
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          };

      // Sidecar up: shoppers buy from a small catalogue; one complains about what they bought.
      for (int i = 0; i < 4; i++) {
        send.to(s.eventsTopic, "a" + i, purchase("a" + i, i, "i" + i, "i" + (i + 1), "i" + 7));
      }
      send.to(s.reviewsTopic, "a0", review("a0", "i0", 10));
      send.to(s.eventsTopic, "c0", cartAdd("c0", 20, "i3")); // left in the cart: a reminder
      caughtUp.run();
      send.to(s.eventsTopic, "clock", view("clock", 100)); // sessions close at +30 min
      caughtUp.run();
      Predicate<OutputReader> phaseA =
          r ->
              of(r, "a", ActionType.RECOMMENDATION).size() >= 4
                  && of(r, "a", ActionType.SERVICE_RECOVERY).size() >= 1
                  && of(r, "c", ActionType.CART_ABANDONMENT).size() >= 1;
      out.awaitThenDrain(phaseA, Duration.ofSeconds(1), Duration.ofSeconds(60));

      assertThat(of(out, "a", ActionType.RECOMMENDATION))
          .as("all actions: %s", out.actions)
          .hasSize(4)
          .allSatisfy(
              a -> {
                assertThat(a.inferenceFallback).as(a.explanation).isFalse();
                assertThat(a.explanation)
                    .endsWith("; " + RecommendationRankingFunction.RANKED_BY_MODEL);
                assertThat(a.items).hasSizeBetween(1, s.engine.recommendationSize);
              });
      assertThat(of(out, "a", ActionType.SERVICE_RECOVERY))
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.inferenceFallback).isFalse();
                assertThat(a.explanation).contains("by the sentiment model");
              });
      // The picks attached to the reminder went through the model too.
      assertThat(of(out, "c", ActionType.CART_ABANDONMENT))
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.items).containsExactly("i3");
                assertThat(a.recommendedItems).isNotEmpty().doesNotContain("i3");
                assertThat(a.inferenceFallback).as(a.explanation).isFalse();
                // The explanation names the picks sent, once, and nothing else after the item.
                assertThat(a.explanation)
                    .endsWith(
                        "; also recommended: "
                            + String.join(", ", a.recommendedItems)
                            + "; "
                            + RecommendationRankingFunction.RANKED_BY_MODEL);
                assertThat(a.explanation.split("also recommended", -1)).hasSize(2);
              });
      String metrics =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(server.baseUrl() + "/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(metric(metrics, "sidecar_rows_total", "ranker")).isGreaterThanOrEqualTo(4);
      assertThat(metric(metrics, "sidecar_rows_total", "sentiment")).isEqualTo(1);

      // The sidecar dies mid-stream: the job goes on with the fallbacks, without stalling.
      server.close();
      closed = true;
      long t0 = System.nanoTime();
      for (int i = 0; i < 4; i++) {
        send.to(s.eventsTopic, "b" + i, purchase("b" + i, 110 + i, "i" + i, "i" + (i + 2)));
      }
      send.to(s.reviewsTopic, "b0", review("b0", "i0", 120));
      send.to(s.eventsTopic, "d0", cartAdd("d0", 120, "i3"));
      caughtUp.run();
      send.to(s.eventsTopic, "clock", view("clock", 200));
      caughtUp.run();
      Predicate<OutputReader> phaseB =
          r ->
              of(r, "b", ActionType.RECOMMENDATION).size() >= 4
                  && of(r, "b", ActionType.SERVICE_RECOVERY).size() >= 1
                  && of(r, "d", ActionType.CART_ABANDONMENT).size() >= 1;
      out.awaitThenDrain(phaseB, Duration.ofSeconds(1), Duration.ofSeconds(60));
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
      for (String prefix : List.of("a", "b")) {
        for (Action a : of(out, prefix, ActionType.RECOMMENDATION)) {
          System.out.println("recommendation: " + a.userId + " " + a.explanation);
        }
      }
      System.out.println("actions after the sidecar died within " + seconds + " s");

      assertThat(of(out, "b", ActionType.RECOMMENDATION))
          .as("all actions: %s", out.actions)
          .hasSize(4)
          .allSatisfy(
              a -> {
                assertThat(a.inferenceFallback).isTrue();
                assertThat(a.explanation)
                    .contains("; " + RecommendationRankingFunction.HYBRID_ORDER);
                assertThat(a.items).hasSizeBetween(1, s.engine.recommendationSize);
              });
      assertThat(of(out, "b", ActionType.SERVICE_RECOVERY))
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.inferenceFallback).isTrue();
                assertThat(a.explanation).contains("by the lexicon fallback");
              });
      assertThat(of(out, "d", ActionType.CART_ABANDONMENT))
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.recommendedItems).isNotEmpty();
                assertThat(a.inferenceFallback).isTrue();
                assertThat(a.explanation)
                    .contains("; also recommended: ")
                    .contains("; " + RecommendationRankingFunction.HYBRID_ORDER);
              });
      assertThat(seconds).as("actions after the sidecar died, in seconds").isLessThan(60);
      assertThat(running(job)).isTrue();
    } finally {
      if (!closed) {
        server.close();
      }
      job.cancel().get();
      waitUntilTerminal(job);
    }
  }

  @FunctionalInterface
  interface Send {
    void to(String topic, String key, String value) throws Exception;
  }

  static boolean running(JobClient job) {
    try {
      return !job.getJobStatus().get().isGloballyTerminalState();
    } catch (Exception e) {
      return false;
    }
  }

  static void waitUntilTerminal(JobClient job) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (running(job) && System.nanoTime() < end) {
      Thread.sleep(100);
    }
  }
}
