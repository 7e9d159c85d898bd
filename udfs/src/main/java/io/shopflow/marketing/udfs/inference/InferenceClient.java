package io.shopflow.marketing.udfs.inference;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * An asynchronous Open Inference Protocol v2 (REST) client for the inference sidecar, or for any
 * server (Triton, KServe, Seldon MLServer) that serves models with the same tensor contract:
 *
 * <ul>
 *   <li>{@code ranker}: input {@code features} FP32 [n, {@link RankerFeatures#SIZE}], output {@code
 *       score} FP32 [n]
 *   <li>{@code sentiment}: input {@code text} BYTES [n], outputs {@code label} BYTES [n], {@code
 *       probabilities} FP32 [n, 3], {@code positive} FP32 [n]
 * </ul>
 *
 * A non-200 answer completes the future exceptionally with {@link InferenceException} carrying the
 * status and the server's message. Thread-safe; one instance can be shared.
 */
public final class InferenceClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFactory FACTORY = JSON.getFactory();

  private final HttpClient http;
  private final URI base;
  private final Duration timeout;

  /** A refused or failed request. */
  public static final class InferenceException extends RuntimeException {
    private final int status;

    public InferenceException(int status, String message) {
      super("HTTP " + status + ": " + message);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  /** {@code baseUrl} like {@code http://127.0.0.1:8080}. */
  public InferenceClient(String baseUrl, Duration timeout) {
    this(HttpClient.newBuilder().connectTimeout(timeout).build(), baseUrl, timeout);
  }

  public InferenceClient(HttpClient http, String baseUrl, Duration timeout) {
    this.http = http;
    this.base = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
    this.timeout = timeout;
  }

  /** Scores of the candidates, one feature row each (rows from {@link RankerFeatures#of}). */
  public CompletableFuture<float[]> rank(float[][] features) {
    int n = features.length;
    int f = n == 0 ? RankerFeatures.SIZE : features[0].length;
    byte[] body =
        write(
            g -> {
              g.writeStringField("name", "features");
              g.writeStringField("datatype", "FP32");
              g.writeArrayFieldStart("shape");
              g.writeNumber(n);
              g.writeNumber(f);
              g.writeEndArray();
              g.writeArrayFieldStart("data");
              for (float[] row : features) {
                if (row.length != f) {
                  throw new IllegalArgumentException("rows of different lengths");
                }
                for (float v : row) {
                  g.writeNumber(v);
                }
              }
              g.writeEndArray();
            });
    return post("ranker", body)
        .thenApply(
            root -> {
              JsonNode data = output(root, "score").get("data");
              float[] out = new float[data.size()];
              for (int i = 0; i < out.length; i++) {
                out[i] = data.get(i).floatValue();
              }
              return out;
            });
  }

  /** Sentiment of each text. */
  public CompletableFuture<SentimentResult[]> sentiment(String[] texts) {
    byte[] body =
        write(
            g -> {
              g.writeStringField("name", "text");
              g.writeStringField("datatype", "BYTES");
              g.writeArrayFieldStart("shape");
              g.writeNumber(texts.length);
              g.writeEndArray();
              g.writeArrayFieldStart("data");
              for (String t : texts) {
                g.writeString(t);
              }
              g.writeEndArray();
            });
    return post("sentiment", body)
        .thenApply(
            root -> {
              JsonNode labels = output(root, "label").get("data");
              JsonNode probs = output(root, "probabilities");
              JsonNode positive = output(root, "positive").get("data");
              int classes = probs.get("shape").get(1).asInt();
              JsonNode pd = probs.get("data");
              SentimentResult[] out = new SentimentResult[labels.size()];
              for (int i = 0; i < out.length; i++) {
                float[] p = new float[classes];
                for (int k = 0; k < classes; k++) {
                  p[k] = pd.get(i * classes + k).floatValue();
                }
                out[i] =
                    new SentimentResult(labels.get(i).asText(), p, positive.get(i).floatValue());
              }
              return out;
            });
  }

  /** Whether {@code GET /v2/health/ready} answers 200. */
  public CompletableFuture<Boolean> ready() {
    HttpRequest req =
        HttpRequest.newBuilder(base.resolve("v2/health/ready")).timeout(timeout).GET().build();
    return http.sendAsync(req, HttpResponse.BodyHandlers.discarding())
        .thenApply(r -> r.statusCode() == 200);
  }

  private static JsonNode output(JsonNode root, String name) {
    for (JsonNode o : root.path("outputs")) {
      if (name.equals(o.path("name").asText())) {
        return o;
      }
    }
    throw new InferenceException(200, "answer has no output '" + name + "': " + root);
  }

  @FunctionalInterface
  private interface TensorWriter {
    void write(JsonGenerator g) throws IOException;
  }

  private static byte[] write(TensorWriter tensor) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (JsonGenerator g = FACTORY.createGenerator(buf)) {
      g.writeStartObject();
      g.writeArrayFieldStart("inputs");
      g.writeStartObject();
      tensor.write(g);
      g.writeEndObject();
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buf.toByteArray();
  }

  private CompletableFuture<JsonNode> post(String model, byte[] body) {
    HttpRequest req =
        HttpRequest.newBuilder(base.resolve("v2/models/" + model + "/infer"))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    return http.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(
            r -> {
              JsonNode root;
              try {
                root = JSON.readTree(r.body());
              } catch (IOException e) {
                throw new InferenceException(r.statusCode(), "answer is not JSON");
              }
              if (r.statusCode() != 200) {
                throw new InferenceException(r.statusCode(), root.path("error").asText(""));
              }
              return root;
            });
  }
}
