package io.shopflow.marketing.operators;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.shopflow.marketing.schema.ReviewEvent;
import io.shopflow.marketing.schema.UserSignal;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The async sentiment step in Flink's async operator: it falls back to the lexicon when no sidecar
 * is configured, when the sidecar's port is dead, and stops calling a failing sidecar once the
 * circuit breaker opens.
 */
class ReviewSentimentFunctionTest {
  static ReviewEvent review(int i, String text) {
    ReviewEvent r = new ReviewEvent();
    r.reviewId = "rev-" + i;
    r.userId = "u" + i;
    r.itemId = "item";
    r.rating = 1;
    r.text = text;
    r.eventTime = 1_000L + i;
    return r;
  }

  static List<UserSignal> run(SentimentSettings cfg, int reviews) throws Exception {
    return run(cfg, reviews, false);
  }

  /** {@code oneByOne}: each review is sent only once the previous one has its answer. */
  static List<UserSignal> run(SentimentSettings cfg, int reviews, boolean oneByOne)
      throws Exception {
    try (var h =
        new OneInputStreamOperatorTestHarness<ReviewEvent, UserSignal>(
            new AsyncWaitOperatorFactory<>(
                new ReviewSentimentFunction(cfg),
                cfg.operatorTimeoutMs(),
                cfg.capacity,
                AsyncDataStream.OutputMode.UNORDERED),
            TypeInformation.of(ReviewEvent.class)
                .createSerializer(
                    new org.apache.flink.api.common.serialization.SerializerConfigImpl()))) {
      h.open();
      for (int i = 0; i < reviews; i++) {
        h.processElement(review(i, "Poor quality, ripped and disappointed"), 1_000L + i);
        while (oneByOne && h.extractOutputValues().size() <= i) {
          var mail = h.getTaskMailbox().tryTake(TaskMailbox.MIN_PRIORITY);
          if (mail.isPresent()) {
            mail.get().run();
          } else {
            Thread.sleep(1);
          }
        }
      }
      h.endInput();
      return h.extractOutputValues();
    }
  }

  @Test
  void withoutASidecarEveryReviewIsScoredByTheFallback() throws Exception {
    List<UserSignal> out = run(new SentimentSettings(), 3);

    assertThat(out).hasSize(3);
    assertThat(out)
        .allSatisfy(
            s -> {
              assertThat(s.kind).isEqualTo(UserSignal.REVIEW);
              assertThat(s.sentimentSource).isEqualTo(ReviewSentimentFunction.FALLBACK);
              assertThat(s.sentimentLabel).isEqualTo("negative");
              assertThat(s.negativeProbability).isGreaterThan(0.7);
              assertThat(s.itemId).isEqualTo("item");
            });
  }

  @Test
  void aDeadSidecarPortFallsBackInsteadOfFailing() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    SentimentSettings cfg = new SentimentSettings();
    cfg.sidecarUrl = "http://127.0.0.1:" + port;
    cfg.requestTimeoutMs = 500;

    List<UserSignal> out = run(cfg, 5);

    assertThat(out).hasSize(5);
    assertThat(out).extracting(s -> s.sentimentSource).containsOnly("fallback");
  }

  @Test
  void anOpenBreakerSkipsTheSidecarAfterKConsecutiveFailures() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        ex -> {
          requests.incrementAndGet();
          byte[] body = "{\"error\":\"overloaded\"}".getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(503, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    server.start();
    try {
      SentimentSettings cfg = new SentimentSettings();
      cfg.sidecarUrl = "http://127.0.0.1:" + server.getAddress().getPort();
      cfg.maxBatch = 1; // one request per review
      cfg.retries = 0;
      cfg.breakerFailures = 3;
      cfg.breakerCoolDownMs = TimeUnit.HOURS.toMillis(1);

      List<UserSignal> out = run(cfg, 10, true);

      assertThat(out).hasSize(10);
      assertThat(out).extracting(s -> s.sentimentSource).containsOnly("fallback");
      assertThat(requests.get()).as("requests before the breaker opened").isEqualTo(3);
    } finally {
      server.stop(0);
    }
  }
}
