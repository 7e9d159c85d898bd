package io.shopflow.marketing.sidecars.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.operators.ReviewSentimentFunction;
import io.shopflow.marketing.operators.SentimentSettings;
import io.shopflow.marketing.schema.ReviewEvent;
import io.shopflow.marketing.schema.UserSignal;
import io.shopflow.marketing.sidecars.Djl;
import io.shopflow.marketing.sidecars.TestData;
import io.shopflow.marketing.sidecars.oip.OipServer;
import io.shopflow.marketing.sidecars.oip.SentimentEndpoint;
import io.shopflow.marketing.sidecars.sentiment.Reviews;
import io.shopflow.marketing.sidecars.sentiment.SentimentModel;
import io.shopflow.marketing.sidecars.sentiment.SentimentTrainer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job's review-sentiment step ({@code ReviewSentimentFunction} in Flink's async operator)
 * against the real sidecar server with the real sentiment model, trained on a sample of the reviews
 * as in {@code SentimentModelTest}: reviews are scored by the model, in micro-batches.
 */
class ReviewSentimentWithSidecarTest {
  @TempDir static Path models;

  @BeforeAll
  static void trainOnSample() throws Exception {
    Djl.configure();
    List<Reviews.Review> sample = new ArrayList<>(Reviews.load(TestData.dir()).subList(0, 1000));
    SentimentTrainer trainer =
        new SentimentTrainer(
            new SentimentTrainer.Settings(
                42L, 128, 1, 4, 32, 5e-3f, new int[] {0}, new float[] {0f}, new double[] {3}),
            System.out);
    trainer.train(trainer.prepare(sample, models.resolve("cache")), models);
  }

  static ReviewEvent review(int i, int rating, String text) {
    ReviewEvent r = new ReviewEvent();
    r.reviewId = "rev-" + i;
    r.userId = "u" + i;
    r.itemId = "dress";
    r.rating = rating;
    r.text = text;
    r.eventTime = 1_000L + i;
    return r;
  }

  static double metric(String metrics, String name, String model) {
    Matcher m =
        Pattern.compile(
                "(?m)^" + Pattern.quote(name) + "\\{[^}]*model=\"" + model + "\"[^}]*\\} (\\S+)$")
            .matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  @Test
  void reviewsAreScoredByTheSidecarsModelInMicroBatches() throws Exception {
    try (OipServer server =
        new OipServer(
            OipServer.Options.defaults().withPort(0),
            List.of(new SentimentEndpoint(SentimentModel.load(models))))) {
      SentimentSettings cfg = new SentimentSettings();
      cfg.sidecarUrl = server.baseUrl();
      cfg.requestTimeoutMs = 60_000; // the first request warms the model up
      cfg.maxBatch = 8;
      cfg.lingerMs = 50;
      List<UserSignal> out;
      try (var h =
          new OneInputStreamOperatorTestHarness<ReviewEvent, UserSignal>(
              new AsyncWaitOperatorFactory<>(
                  new ReviewSentimentFunction(cfg),
                  cfg.operatorTimeoutMs(),
                  cfg.capacity,
                  AsyncDataStream.OutputMode.UNORDERED),
              TypeInformation.of(ReviewEvent.class).createSerializer(new SerializerConfigImpl()))) {
        h.open();
        for (int i = 0; i < 16; i++) {
          h.processElement(
              i % 2 == 0
                  ? review(i, 5, "Love it! Beautiful dress, fits perfectly, great quality")
                  : review(i, 1, "Terrible. Cheap fabric, awful fit, it ripped after one wash."),
              1_000L + i);
        }
        h.endInput();
        out = h.extractOutputValues();
      }

      assertThat(out).hasSize(16);
      assertThat(out).extracting(s -> s.sentimentSource).containsOnly("model");
      Map<Integer, Double> meanNegative =
          out.stream()
              .collect(
                  Collectors.groupingBy(
                      s -> s.rating, Collectors.averagingDouble(s -> s.negativeProbability)));
      assertThat(meanNegative.get(1)).isGreaterThan(meanNegative.get(5));
      String metrics =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(server.baseUrl() + "/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      double requests = metric(metrics, "sidecar_requests_total", "sentiment");
      assertThat(metric(metrics, "sidecar_rows_total", "sentiment")).isEqualTo(16);
      assertThat(requests).as("16 reviews in batches of up to 8").isBetween(2.0, 8.0);
    }
  }
}
