package io.shopflow.marketing.sidecars.oip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopflow.marketing.sidecars.Djl;
import io.shopflow.marketing.sidecars.ranker.RankerNet;
import io.shopflow.marketing.udfs.inference.InferenceClient;
import io.shopflow.marketing.udfs.inference.RankerFeatures;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The OIP v2 protocol over real HTTP, with the real ranker network on DJL's PyTorch engine. */
class OipServerTest {
  static final int F = RankerFeatures.SIZE;
  static final ObjectMapper JSON = new ObjectMapper();
  static RankerNet reference;
  static OipServer server;
  static HttpClient http;

  @BeforeAll
  static void start() throws Exception {
    Djl.configure();
    float[] mean = new float[F];
    float[] std = new float[F];
    Arrays.fill(std, 1f);
    reference = RankerNet.create(mean, std, 16, 8, 3);
    RankerNet served = RankerNet.create(mean, std, 16, 8, 3); // same seed: same weights
    server =
        new OipServer(
            OipServer.Options.defaults().withPort(0), List.of(new RankerEndpoint(served)));
    http = HttpClient.newHttpClient();
  }

  @AfterAll
  static void stop() {
    server.close();
    reference.close();
  }

  static HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static float[] row(int seed) {
    float[] r = new float[F];
    for (int k = 0; k < F; k++) {
      r[k] = (float) Math.sin(seed * 31 + k);
    }
    return r;
  }

  static String featuresRequest(float[][] rows) throws Exception {
    List<Float> flat = new ArrayList<>();
    for (float[] r : rows) {
      for (float v : r) {
        flat.add(v);
      }
    }
    return JSON.writeValueAsString(
        Map.of(
            "id",
            "req-1",
            "inputs",
            List.of(
                Map.of(
                    "name",
                    "features",
                    "datatype",
                    "FP32",
                    "shape",
                    List.of(rows.length, F),
                    "data",
                    flat))));
  }

  @Test
  void answersLivenessReadinessAndServerMetadata() throws Exception {
    assertThat(get("/v2/health/live").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = get("/v2/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(ready.body()).get("ready").asBoolean()).isTrue();
    assertThat(JSON.readTree(get("/v2").body()).get("name").asText()).isNotEmpty();
  }

  @Test
  void describesTheRankerTensorContract() throws Exception {
    HttpResponse<String> r = get("/v2/models/ranker");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode m = JSON.readTree(r.body());
    assertThat(m.get("name").asText()).isEqualTo("ranker");
    assertThat(m.get("inputs").get(0).get("name").asText()).isEqualTo("features");
    assertThat(m.get("inputs").get(0).get("datatype").asText()).isEqualTo("FP32");
    assertThat(m.get("inputs").get(0).get("shape").toString()).isEqualTo("[-1," + F + "]");
    assertThat(m.get("outputs").get(0).get("name").asText()).isEqualTo("score");
    assertThat(get("/v2/models/ranker/versions/1").statusCode()).isEqualTo(200);
    assertThat(get("/v2/models/ranker/ready").statusCode()).isEqualTo(200);
  }

  @Test
  void scoresABatchOfCandidatesAsInProcessDjlDoes() throws Exception {
    float[][] rows = new float[50][];
    float[] flat = new float[50 * F];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = row(i);
      System.arraycopy(rows[i], 0, flat, i * F, F);
    }
    HttpResponse<String> r = post("/v2/models/ranker/infer", featuresRequest(rows));
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("model_name").asText()).isEqualTo("ranker");
    assertThat(body.get("id").asText()).isEqualTo("req-1");
    JsonNode out = body.get("outputs").get(0);
    assertThat(out.get("name").asText()).isEqualTo("score");
    assertThat(out.get("datatype").asText()).isEqualTo("FP32");
    assertThat(out.get("shape").toString()).isEqualTo("[50]");
    float[] expected = reference.predict(flat, 50);
    for (int i = 0; i < 50; i++) {
      assertThat(out.get("data").get(i).floatValue()).isCloseTo(expected[i], within(1e-5f));
    }
    // Not all equal: the rows differ, and so do the scores.
    assertThat(Arrays.stream(new int[] {0, 1, 2}).mapToDouble(i -> expected[i]).distinct().count())
        .isGreaterThan(1);
  }

  @Test
  void acceptsNestedDataInRowMajorOrder() throws Exception {
    float[] a = row(1);
    float[] b = row(2);
    String body =
        JSON.writeValueAsString(
            Map.of(
                "inputs",
                List.of(
                    Map.of(
                        "name",
                        "features",
                        "datatype",
                        "FP32",
                        "shape",
                        List.of(2, F),
                        "data",
                        List.of(a, b)))));
    HttpResponse<String> r = post("/v2/models/ranker/infer", body);
    assertThat(r.statusCode()).isEqualTo(200);
    float[] flat = new float[2 * F];
    System.arraycopy(a, 0, flat, 0, F);
    System.arraycopy(b, 0, flat, F, F);
    float[] expected = reference.predict(flat, 2);
    JsonNode data = JSON.readTree(r.body()).get("outputs").get(0).get("data");
    assertThat(data.get(1).floatValue()).isCloseTo(expected[1], within(1e-5f));
  }

  @Test
  void concurrentRequestsAreBatchedAndEachGetsItsOwnScores() throws Exception {
    InferenceClient client = new InferenceClient(server.baseUrl(), Duration.ofSeconds(30));
    long batchesBefore = server.metrics().batches("ranker");
    long rowsBefore = server.metrics().rows("ranker");
    List<CompletableFuture<float[]>> futures = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      futures.add(client.rank(new float[][] {row(100 + i), row(200 + i)}));
    }
    for (int i = 0; i < 40; i++) {
      float[] flat = new float[2 * F];
      System.arraycopy(row(100 + i), 0, flat, 0, F);
      System.arraycopy(row(200 + i), 0, flat, F, F);
      // Batched with other requests: the same scores up to float rounding of a larger matmul.
      assertThat(futures.get(i).get(30, TimeUnit.SECONDS))
          .containsExactly(reference.predict(flat, 2), within(1e-5f));
    }
    assertThat(server.metrics().rows("ranker") - rowsBefore).isEqualTo(80);
    assertThat(server.metrics().batches("ranker") - batchesBefore).isBetween(1L, 40L);
  }

  @Test
  void rejectsRequestWithMissingInputsWith400() throws Exception {
    HttpResponse<String> r = post("/v2/models/ranker/infer", "{\"id\": \"x\"}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).get("error").asText()).contains("inputs");
  }

  @Test
  void rejectsInvalidJsonWith400() throws Exception {
    HttpResponse<String> r = post("/v2/models/ranker/infer", "{\"inputs\": [");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).get("error").asText()).contains("JSON");
  }

  @Test
  void rejectsDataThatDoesNotMatchTheShapeWith400() throws Exception {
    String body =
        "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[2,"
            + F
            + "],\"data\":[1,2,3]}]}";
    HttpResponse<String> r = post("/v2/models/ranker/infer", body);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).get("error").asText()).contains("needs " + 2 * F);
  }

  @Test
  void rejectsWrongFeatureCountWith400() throws Exception {
    String body =
        "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[1,2,3]}]}";
    HttpResponse<String> r = post("/v2/models/ranker/infer", body);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).get("error").asText()).contains("[n, " + F + "]");
  }

  @Test
  void rejectsWrongDatatypeAndNonNumbersWith400() throws Exception {
    String bytes =
        "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"a\"]}]}";
    assertThat(post("/v2/models/ranker/infer", bytes).statusCode()).isEqualTo(400);
    String strings =
        "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[1,1],\"data\":[\"a\"]}]}";
    HttpResponse<String> r = post("/v2/models/ranker/infer", strings);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).get("error").asText()).contains("numbers");
    String int64 =
        "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"INT64\",\"shape\":[1],\"data\":[1]}]}";
    assertThat(post("/v2/models/ranker/infer", int64).statusCode()).isEqualTo(400);
  }

  @Test
  void rejectsUnknownInputNameAndUnknownRequestedOutputWith400() throws Exception {
    String wrongName =
        "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}]}";
    HttpResponse<String> r = post("/v2/models/ranker/infer", wrongName);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).get("error").asText()).contains("features");
    float[][] rows = {row(1)};
    String req = featuresRequest(rows);
    String withOutputs = req.substring(0, req.length() - 1) + ",\"outputs\":[{\"name\":\"nope\"}]}";
    assertThat(post("/v2/models/ranker/infer", withOutputs).statusCode()).isEqualTo(400);
  }

  @Test
  void answersUnknownModelWith404AndWrongMethodWith405() throws Exception {
    HttpResponse<String> r = post("/v2/models/nope/infer", featuresRequest(new float[][] {row(1)}));
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(r.body()).get("error").asText()).contains("nope").contains("ranker");
    assertThat(get("/v2/models/nope").statusCode()).isEqualTo(404);
    assertThat(get("/v2/models/ranker/versions/7").statusCode()).isEqualTo(404);
    assertThat(get("/v2/models/ranker/infer").statusCode()).isEqualTo(405);
    assertThat(get("/v3/anything").statusCode()).isEqualTo(404);
  }

  @Test
  void clientReportsServerErrorsWithTheirStatus() {
    InferenceClient client = new InferenceClient(server.baseUrl(), Duration.ofSeconds(30));
    CompletableFuture<?> f = client.sentiment(new String[] {"lovely"});
    org.assertj.core.api.Assertions.assertThatThrownBy(f::join)
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOf(InferenceClient.InferenceException.class)
        .hasMessageContaining("404");
  }

  @Test
  void exposesPrometheusMetrics() throws Exception {
    post("/v2/models/ranker/infer", featuresRequest(new float[][] {row(5)}));
    HttpResponse<String> r = get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("sidecar_requests_total{model=\"ranker\",code=\"200\"}")
        .contains("sidecar_batch_rows_bucket{model=\"ranker\",le=\"1\"}")
        .contains("sidecar_request_latency_seconds{model=\"ranker\",quantile=\"0.99\"}")
        .contains("sidecar_rows_total{model=\"ranker\"}");
  }

  /** A model whose worker waits for a latch: shows the bounded queue refusing work. */
  static final class GatedModel implements InferenceModel {
    final CountDownLatch gate = new CountDownLatch(1);

    @Override
    public String name() {
      return "gated";
    }

    @Override
    public String platform() {
      return "test";
    }

    @Override
    public List<TensorSpec> inputs() {
      return List.of(new TensorSpec("x", Tensor.FP32, new long[] {-1}));
    }

    @Override
    public List<TensorSpec> outputs() {
      return List.of(new TensorSpec("y", Tensor.FP32, new long[] {-1}));
    }

    @Override
    public Rows decode(Map<String, Tensor> in) {
      return new Rows(in.get("x").fp32(), (int) in.get("x").shape()[0]);
    }

    @Override
    public List<List<Tensor>> infer(List<Rows> batch) {
      try {
        gate.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      List<List<Tensor>> out = new ArrayList<>();
      for (Rows r : batch) {
        out.add(List.of(Tensor.fp32("y", new long[] {r.count()}, (float[]) r.payload())));
      }
      return out;
    }
  }

  @Test
  void answers503WhenTheQueueIsFull() throws Exception {
    GatedModel gated = new GatedModel();
    OipServer.Options o = OipServer.Options.defaults().withPort(0).withQueue(2, 1, 0);
    try (OipServer small = new OipServer(o, List.of(gated))) {
      String body =
          "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}]}";
      List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        pending.add(
            http.sendAsync(
                HttpRequest.newBuilder(URI.create(small.baseUrl() + "/v2/models/gated/infer"))
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      // One request in the worker, two queued: the others are refused at once.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      long refused = 0;
      while (System.nanoTime() < deadline && refused == 0) {
        refused = pending.stream().filter(f -> f.isDone() && f.join().statusCode() == 503).count();
        Thread.sleep(20);
      }
      assertThat(refused).isGreaterThan(0);
      HttpResponse<String> anyRefused =
          pending.stream()
              .filter(f -> f.isDone())
              .map(CompletableFuture::join)
              .filter(r -> r.statusCode() == 503)
              .findFirst()
              .orElseThrow();
      assertThat(anyRefused.headers().firstValue("Retry-After")).isPresent();
      gated.gate.countDown();
      long ok = 0;
      for (CompletableFuture<HttpResponse<String>> f : pending) {
        int s = f.get(30, TimeUnit.SECONDS).statusCode();
        assertThat(s).isIn(200, 503);
        ok += s == 200 ? 1 : 0;
      }
      assertThat(ok).isGreaterThanOrEqualTo(1);
    }
  }
}
