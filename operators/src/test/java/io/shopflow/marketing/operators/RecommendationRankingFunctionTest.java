package io.shopflow.marketing.operators;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.ActionType;
import io.shopflow.marketing.udfs.inference.RankerFeatures;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The async recommendation-ranking step in Flink's async operator (ordered): the model's order is
 * applied and trimmed to the action's size; on a dead sidecar, a 5xx, a slow answer or an open
 * breaker the action keeps the hybrid order, says why and is marked as a fallback; other actions
 * pass through unchanged and in order; the candidates never leave the operator.
 */
class RecommendationRankingFunctionTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  /** A sidecar status that answers 503 to every other request (1st, 3rd, ...) and 200 else. */
  private static final int EVERY_OTHER_503 = -1;

  /**
   * A ranker stub whose score of a row is the row's first feature; or fails with {@code status}.
   */
  private String sidecar(int status, long delayMs) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/v2/models/ranker/infer",
        ex -> {
          int nth = requests.incrementAndGet();
          try {
            Thread.sleep(delayMs);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          if (status == EVERY_OTHER_503 && nth % 2 == 1) {
            reply(ex, 503, "{\"error\":\"overloaded\"}");
            return;
          }
          if (status != 200 && status != EVERY_OTHER_503) {
            reply(ex, status, "{\"error\":\"overloaded\"}");
            return;
          }
          JsonNode in = JSON.readTree(ex.getRequestBody()).path("inputs").get(0);
          int n = in.path("shape").get(0).asInt();
          int f = in.path("shape").get(1).asInt();
          StringBuilder scores = new StringBuilder();
          for (int i = 0; i < n; i++) {
            scores.append(i == 0 ? "" : ",").append(in.path("data").get(i * f).floatValue());
          }
          reply(
              ex,
              200,
              "{\"model_name\":\"ranker\",\"outputs\":[{\"name\":\"score\",\"datatype\":\"FP32\","
                  + "\"shape\":["
                  + n
                  + "],\"data\":["
                  + scores
                  + "]}]}");
        });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
    ex.close();
  }

  /**
   * A recommendation of 2 items out of candidates c0..c4 in hybrid order, whose model scores (the
   * stub's) are {@code modelScores}.
   */
  static Action recommendation(String user, float... modelScores) {
    Action a = new Action();
    a.actionId = "id-" + user;
    a.userId = user;
    a.actionType = ActionType.RECOMMENDATION;
    a.channel = "email";
    a.items = new String[] {"c0", "c1"};
    a.explanation =
        "after an engaged session, based on your activity: c0 (popular now, score 0.50),"
            + " c1 (popular now, score 0.40)";
    int n = modelScores.length;
    a.rankCandidates = new String[n];
    a.rankNotes = new String[n];
    a.rankFeatures = new float[n * RankerFeatures.SIZE];
    for (int i = 0; i < n; i++) {
      a.rankCandidates[i] = "c" + i;
      a.rankNotes[i] = "c" + i + " (popular now, score 0." + (5 - i) + "0)";
      a.rankFeatures[i * RankerFeatures.SIZE] = modelScores[i];
    }
    a.rankBasis = "after an engaged session, based on your activity";
    return a;
  }

  static Action cartAbandonment(String user) {
    Action a = new Action();
    a.actionId = "cart-" + user;
    a.userId = user;
    a.actionType = ActionType.CART_ABANDONMENT;
    a.channel = "email";
    a.items = new String[] {"x"};
    a.explanation = "1 item(s) left in the cart";
    return a;
  }

  /** A cart reminder for item x whose hybrid picks are c0, c1 out of candidates c0..cn. */
  static Action cartAbandonmentWithPicks(String user, float... modelScores) {
    Action a = recommendation(user, modelScores);
    a.actionId = "cart-" + user;
    a.actionType = ActionType.CART_ABANDONMENT;
    a.items = new String[] {"x"};
    a.recommendedItems = new String[] {"c0", "c1"};
    a.explanation = "1 item(s) left in the cart; also recommended: c0, c1";
    return a;
  }

  static RankingSettings settings(String url) {
    RankingSettings cfg = new RankingSettings();
    cfg.sidecarUrl = url;
    cfg.requestTimeoutMs = 500;
    return cfg;
  }

  static List<Action> run(RankingSettings cfg, List<Action> in) throws Exception {
    return run(cfg, cfg.operatorTimeoutMs(), in, false);
  }

  /** {@code oneByOne}: each action is sent only once the previous one has its answer. */
  static List<Action> run(
      RankingSettings cfg, long operatorTimeoutMs, List<Action> in, boolean oneByOne)
      throws Exception {
    try (var h =
        new OneInputStreamOperatorTestHarness<Action, Action>(
            new AsyncWaitOperatorFactory<>(
                new RecommendationRankingFunction(cfg),
                operatorTimeoutMs,
                cfg.capacity,
                AsyncDataStream.OutputMode.ORDERED),
            TypeInformation.of(Action.class).createSerializer(new SerializerConfigImpl()))) {
      h.open();
      for (int i = 0; i < in.size(); i++) {
        h.processElement(in.get(i), 1_000L + i);
        while (oneByOne && h.extractOutputValues().size() <= i) {
          var mail = h.getTaskMailbox().tryTake(TaskMailbox.MIN_PRIORITY);
          if (mail.isPresent()) {
            mail.get().run();
          } else {
            Thread.sleep(1);
          }
        }
      }
      if (operatorTimeoutMs < cfg.operatorTimeoutMs()) {
        // The harness's processing time only moves when told: past the operator's timeout.
        h.setProcessingTime(h.getProcessingTime() + operatorTimeoutMs + 1);
      }
      h.endInput();
      return h.extractOutputValues();
    }
  }

  private static void assertNoCandidatesLeft(List<Action> out) {
    assertThat(out)
        .allSatisfy(
            a -> {
              assertThat(a.rankCandidates).isEmpty();
              assertThat(a.rankFeatures).isEmpty();
              assertThat(a.rankNotes).isEmpty();
              assertThat(a.rankBasis).isNull();
            });
  }

  @Test
  void theModelsBestCandidatesAreSentInItsOrder() throws Exception {
    RankingSettings cfg = settings(sidecar(200, 0));

    List<Action> out = run(cfg, List.of(recommendation("u1", 0.1f, 0.2f, 0.9f, 0.05f, 0.7f)));

    assertThat(out).hasSize(1);
    Action a = out.get(0);
    assertThat(a.items).containsExactly("c2", "c4");
    assertThat(a.inferenceFallback).isFalse();
    assertThat(a.explanation)
        .isEqualTo(
            "after an engaged session, based on your activity: c2 (popular now, score 0.30),"
                + " c4 (popular now, score 0.10); ranked by the ranker model");
    assertNoCandidatesLeft(out);
  }

  @Test
  void actionsOfOneBatchShareARequestAndOtherActionsPassThroughInOrder() throws Exception {
    RankingSettings cfg = settings(sidecar(200, 0));
    cfg.lingerMs = 50;

    List<Action> out =
        run(
            cfg,
            List.of(
                recommendation("u1", 0.1f, 0.2f, 0.9f),
                cartAbandonment("u2"),
                recommendation("u3", 0.9f, 0.8f, 0.1f)));

    assertThat(out).extracting(a -> a.userId).containsExactly("u1", "u2", "u3");
    assertThat(out.get(0).items).containsExactly("c2", "c1");
    assertThat(out.get(1).explanation).isEqualTo("1 item(s) left in the cart");
    assertThat(out.get(1).inferenceFallback).isFalse();
    assertThat(out.get(2).items).containsExactly("c0", "c1");
    assertThat(out.get(2).explanation).endsWith("; ranked by the ranker model");
    assertThat(requests.get()).as("one request for both recommendations").isEqualTo(1);
    assertNoCandidatesLeft(out);
  }

  /** The address of a port nobody listens on (it was free a moment ago). */
  static String deadSidecar() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return "http://127.0.0.1:" + s.getLocalPort();
    }
  }

  @Test
  void picksAttachedToACartReminderAreReRankedWhileItsItemsAndIdStay() throws Exception {
    RankingSettings cfg = settings(sidecar(200, 0));

    List<Action> out = run(cfg, List.of(cartAbandonmentWithPicks("u1", 0.1f, 0.2f, 0.9f, 0.7f)));

    Action a = out.get(0);
    assertThat(a.actionId).isEqualTo("cart-u1");
    assertThat(a.items).containsExactly("x");
    assertThat(a.recommendedItems).containsExactly("c2", "c3");
    assertThat(a.inferenceFallback).isFalse();
    assertThat(a.explanation)
        .isEqualTo(
            "1 item(s) left in the cart; also recommended: c2, c3; ranked by the ranker model");
    assertNoCandidatesLeft(out);
  }

  @Test
  void anActionWithoutPicksGetsNoneFromTheRanker() throws Exception {
    Action noPicks = cartAbandonmentWithPicks("u1", 0.1f, 0.9f);
    noPicks.recommendedItems = new String[0];
    noPicks.explanation = "1 item(s) left in the cart";

    Action a = run(settings(sidecar(200, 0)), List.of(noPicks)).get(0);

    assertThat(a.recommendedItems).isEmpty();
    assertThat(a.explanation).isEqualTo("1 item(s) left in the cart");
    assertNoCandidatesLeft(List.of(a));
  }

  @Test
  void aDeadSidecarKeepsTheHybridPicksOfACartReminderAndSaysWhy() throws Exception {
    List<Action> out =
        run(settings(deadSidecar()), List.of(cartAbandonmentWithPicks("u1", 0.1f, 0.2f, 0.9f)));

    Action a = out.get(0);
    assertThat(a.items).containsExactly("x");
    assertThat(a.recommendedItems).containsExactly("c0", "c1");
    assertThat(a.inferenceFallback).isTrue();
    assertThat(a.explanation)
        .isEqualTo(
            "1 item(s) left in the cart; also recommended: c0, c1; hybrid order (ranker"
                + " unavailable: connection refused)");
    assertNoCandidatesLeft(out);
  }

  @Test
  void aDeadSidecarKeepsTheHybridOrderAndSaysWhy() throws Exception {
    RankingSettings cfg = settings(deadSidecar());

    List<Action> out = run(cfg, List.of(recommendation("u1", 0.1f, 0.2f, 0.9f)));

    Action a = out.get(0);
    assertThat(a.items).containsExactly("c0", "c1");
    assertThat(a.inferenceFallback).isTrue();
    assertThat(a.explanation)
        .startsWith("after an engaged session, based on your activity: c0 (popular now")
        .endsWith("; hybrid order (ranker unavailable: connection refused)");
    assertNoCandidatesLeft(out);
  }

  @Test
  void aServerErrorIsRetriedOnceThenKeepsTheHybridOrder() throws Exception {
    RankingSettings cfg = settings(sidecar(503, 0));

    List<Action> out = run(cfg, List.of(recommendation("u1", 0.1f, 0.2f, 0.9f)));

    Action a = out.get(0);
    assertThat(a.items).containsExactly("c0", "c1");
    assertThat(a.inferenceFallback).isTrue();
    assertThat(a.explanation).endsWith("; hybrid order (ranker unavailable: HTTP 503: overloaded)");
    assertThat(requests.get()).as("the request and its retry").isEqualTo(2);
  }

  @Test
  void aSlowSidecarTimesOutAndKeepsTheHybridOrder() throws Exception {
    RankingSettings cfg = settings(sidecar(200, 3_000));
    cfg.requestTimeoutMs = 200;
    cfg.retries = 0;

    long t0 = System.nanoTime();
    List<Action> out = run(cfg, List.of(recommendation("u1", 0.1f, 0.2f, 0.9f)));

    assertThat(out.get(0).items).containsExactly("c0", "c1");
    assertThat(out.get(0).inferenceFallback).isTrue();
    assertThat(out.get(0).explanation)
        .endsWith("; hybrid order (ranker unavailable: request timed out)");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(2_500);
  }

  @Test
  void theAsyncOperatorsTimeoutKeepsTheHybridOrder() throws Exception {
    RankingSettings cfg = settings(sidecar(200, 3_000));
    cfg.requestTimeoutMs = 5_000;

    List<Action> out = run(cfg, 300, List.of(recommendation("u1", 0.1f, 0.2f, 0.9f)), false);

    assertThat(out).hasSize(1);
    assertThat(out.get(0).items).containsExactly("c0", "c1");
    assertThat(out.get(0).inferenceFallback).isTrue();
    assertThat(out.get(0).explanation).endsWith("; hybrid order (ranker unavailable: timeout)");
    assertNoCandidatesLeft(out);
  }

  /** One action per request, a breaker that stays open for an hour once it opens. */
  private RankingSettings breakerSettings(int sidecarStatus, int retries, int breakerFailures)
      throws IOException {
    RankingSettings cfg = settings(sidecar(sidecarStatus, 0));
    cfg.maxBatch = 1;
    cfg.retries = retries;
    cfg.breakerFailures = breakerFailures;
    cfg.breakerCoolDownMs = TimeUnit.HOURS.toMillis(1);
    return cfg;
  }

  /** Recommendations for users u0..u(n-1). */
  private static List<Action> recommendations(int n) {
    List<Action> in = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      in.add(recommendation("u" + i, 0.1f, 0.2f, 0.9f));
    }
    return in;
  }

  @Test
  void aFailureThatTheRetryGetsPastDoesNotCountTowardsTheBreaker() throws Exception {
    RankingSettings cfg = breakerSettings(EVERY_OTHER_503, 1, 1);

    List<Action> out = run(cfg, cfg.operatorTimeoutMs(), recommendations(6), true);

    assertThat(out).hasSize(6);
    assertThat(out).allSatisfy(a -> assertThat(a.inferenceFallback).isFalse());
    assertThat(requests.get()).as("each action: a 503, then its retry").isEqualTo(12);
  }

  @Test
  void anOpenBreakerSkipsTheSidecarAfterKConsecutiveFailures() throws Exception {
    RankingSettings cfg = breakerSettings(500, 0, 3);

    List<Action> out = run(cfg, cfg.operatorTimeoutMs(), recommendations(8), true);

    assertThat(out).hasSize(8);
    assertThat(out).allSatisfy(a -> assertThat(a.inferenceFallback).isTrue());
    assertThat(requests.get()).as("requests before the breaker opened").isEqualTo(3);
    assertThat(out.get(2).explanation).endsWith("(ranker unavailable: HTTP 500: overloaded)");
    assertThat(out.get(7).explanation)
        .endsWith("(ranker unavailable: circuit breaker open after HTTP 500: overloaded)");
  }
}
