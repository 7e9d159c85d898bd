package io.shopflow.marketing.sidecars.oip;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Open Inference Protocol v2 (KServe v2 / Triton) REST API over the JDK's HTTP server.
 *
 * <ul>
 *   <li>{@code GET /v2/health/live}, {@code GET /v2/health/ready}, {@code GET /v2}
 *   <li>{@code GET /v2/models/{name}[/versions/{v}]} (metadata), {@code .../ready}
 *   <li>{@code POST /v2/models/{name}[/versions/{v}]/infer}
 *   <li>{@code GET /metrics} (Prometheus text)
 * </ul>
 *
 * Errors are answered as {@code {"error": "..."}}: 400 for a malformed request, 404 for an unknown
 * model or path, 405 for a wrong method, 413 for a body over the limit, 503 when the model's queue
 * is full (with {@code Retry-After}), 504 when the answer takes longer than the request timeout.
 */
public final class OipServer implements AutoCloseable {
  public static final String VERSION = "1";

  /** Server settings. */
  public record Options(
      String host,
      int port,
      int httpThreads,
      int queueCapacity,
      int maxBatchRows,
      long maxDelayMicros,
      int maxRequestRows,
      long maxBodyBytes,
      long timeoutMillis) {
    public static Options defaults() {
      return new Options("127.0.0.1", 8080, 4, 64, 4096, 0, 16384, 64L << 20, 30_000);
    }

    public Options withPort(int p) {
      return new Options(
          host,
          p,
          httpThreads,
          queueCapacity,
          maxBatchRows,
          maxDelayMicros,
          maxRequestRows,
          maxBodyBytes,
          timeoutMillis);
    }

    public Options withQueue(int capacity, int batchRows, long delayMicros) {
      return new Options(
          host,
          port,
          httpThreads,
          capacity,
          batchRows,
          delayMicros,
          maxRequestRows,
          maxBodyBytes,
          timeoutMillis);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFactory FACTORY = JSON.getFactory();

  static {
    // Without TCP_NODELAY the JDK server's separate header and body writes meet the client's
    // delayed ACK: about 40 ms per small answer. Read once, when the first server is created.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final Options options;
  private final Map<String, Batcher> models = new LinkedHashMap<>();
  private final Metrics metrics = new Metrics();
  private final HttpServer http;
  private final ExecutorService executor;

  public OipServer(Options options, List<InferenceModel> served) throws IOException {
    this.options = options;
    for (InferenceModel m : served) {
      models.put(
          m.name(),
          new Batcher(
              m,
              options.queueCapacity(),
              options.maxBatchRows(),
              options.maxDelayMicros(),
              metrics));
    }
    http = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 256);
    executor =
        Executors.newFixedThreadPool(
            options.httpThreads(),
            r -> {
              Thread t = new Thread(r, "oip-http");
              t.setDaemon(true);
              return t;
            });
    http.setExecutor(executor);
    http.createContext("/", this::handle);
    http.start();
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return http.getAddress().getPort();
  }

  public String baseUrl() {
    return "http://" + options.host() + ":" + port();
  }

  public Metrics metrics() {
    return metrics;
  }

  private void handle(HttpExchange ex) throws IOException {
    String model = "";
    int status = 500;
    long start = System.nanoTime();
    try (ex) {
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      String[] p = path.split("/");
      // p[0] is "" (leading slash)
      try {
        if (path.equals("/metrics")) {
          requireMethod(method, "GET");
          Map<String, Integer> depth = new HashMap<>();
          models.forEach((n, b) -> depth.put(n, b.depth()));
          status =
              send(
                  ex,
                  200,
                  "text/plain; version=0.0.4",
                  metrics.prometheus(depth).getBytes(StandardCharsets.UTF_8));
          return;
        }
        if (p.length < 2 || !p[1].equals("v2")) {
          throw new OipException(404, "no such path: " + path);
        }
        if (p.length == 2) {
          requireMethod(method, "GET");
          Map<String, Object> meta = new LinkedHashMap<>();
          meta.put("name", "shopflow-inference-sidecar");
          meta.put("version", VERSION);
          meta.put("extensions", List.of());
          status = sendJson(ex, 200, meta);
          return;
        }
        if (p[2].equals("health") && p.length == 4) {
          requireMethod(method, "GET");
          if (p[3].equals("live")) {
            status = sendJson(ex, 200, Map.of("live", true));
            return;
          }
          if (p[3].equals("ready")) {
            boolean ready = !models.isEmpty();
            status = sendJson(ex, ready ? 200 : 503, Map.of("ready", ready));
            return;
          }
        }
        if (p[2].equals("models") && p.length >= 4) {
          model = p[3];
          Batcher b = models.get(model);
          if (b == null) {
            String known = String.join(", ", models.keySet());
            model = "";
            throw new OipException(404, "unknown model '" + p[3] + "' (served: " + known + ")");
          }
          int rest = 4;
          if (p.length >= 6 && p[4].equals("versions")) {
            if (!p[5].equals(VERSION)) {
              throw new OipException(
                  404, "unknown version '" + p[5] + "' of model '" + model + "' (served: 1)");
            }
            rest = 6;
          }
          if (p.length == rest) {
            requireMethod(method, "GET");
            status = sendJson(ex, 200, metadata(b.model()));
            return;
          }
          if (p.length == rest + 1 && p[rest].equals("ready")) {
            requireMethod(method, "GET");
            status = sendJson(ex, 200, Map.of("name", model, "ready", true));
            return;
          }
          if (p.length == rest + 1 && p[rest].equals("infer")) {
            requireMethod(method, "POST");
            status = infer(ex, b);
            metrics.latency(model, System.nanoTime() - start);
            return;
          }
        }
        throw new OipException(404, "no such path: " + path);
      } catch (OipException e) {
        status = e.status();
        if (status == 503) {
          ex.getResponseHeaders().add("Retry-After", "1");
        }
        sendJson(ex, status, Map.of("error", e.getMessage()));
      } catch (RuntimeException e) {
        status = 500;
        sendJson(ex, 500, Map.of("error", "inference failed: " + e));
      }
    } finally {
      metrics.request(model, status);
    }
  }

  private static void requireMethod(String method, String expected) {
    if (!method.equals(expected)) {
      throw new OipException(405, method + " not allowed here (use " + expected + ")");
    }
  }

  static Map<String, Object> metadata(InferenceModel m) {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("name", m.name());
    meta.put("versions", List.of(VERSION));
    meta.put("platform", m.platform());
    meta.put("inputs", specs(m.inputs()));
    meta.put("outputs", specs(m.outputs()));
    return meta;
  }

  private static List<Map<String, Object>> specs(List<TensorSpec> specs) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (TensorSpec s : specs) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", s.name());
      m.put("datatype", s.datatype());
      m.put("shape", s.shape());
      out.add(m);
    }
    return out;
  }

  private int infer(HttpExchange ex, Batcher b) throws IOException {
    InferenceModel model = b.model();
    byte[] body = readBody(ex);
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw OipException.badRequest("request body is not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw OipException.badRequest("request body must be a JSON object with \"inputs\"");
    }
    JsonNode inputs = root.get("inputs");
    if (inputs == null || !inputs.isArray() || inputs.isEmpty()) {
      throw OipException.badRequest("\"inputs\" must be a non-empty array of tensors");
    }
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (JsonNode in : inputs) {
      Tensor t = parseTensor(in);
      if (tensors.put(t.name(), t) != null) {
        throw OipException.badRequest("input '" + t.name() + "' given twice");
      }
    }
    Set<String> wanted = requestedOutputs(root.get("outputs"), model);
    InferenceModel.Rows rows = model.decode(tensors);
    if (rows.count() > options.maxRequestRows()) {
      throw new OipException(
          413, rows.count() + " rows in one request; the limit is " + options.maxRequestRows());
    }
    CompletableFuture<List<Tensor>> f = b.submit(rows);
    if (f == null) {
      metrics.rejected(model.name());
      throw new OipException(503, "model '" + model.name() + "' is busy: request queue full");
    }
    List<Tensor> out;
    try {
      out = f.get(options.timeoutMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new OipException(504, "no answer within " + options.timeoutMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OipException(503, "interrupted");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof OipException o) {
        throw o;
      }
      throw new RuntimeException(e.getCause());
    }
    ByteArrayOutputStream buf = new ByteArrayOutputStream(256 + rows.count() * 16);
    try (JsonGenerator g = FACTORY.createGenerator(buf)) {
      g.writeStartObject();
      g.writeStringField("model_name", model.name());
      g.writeStringField("model_version", VERSION);
      JsonNode id = root.get("id");
      if (id != null && id.isTextual()) {
        g.writeStringField("id", id.asText());
      }
      g.writeArrayFieldStart("outputs");
      for (Tensor t : out) {
        if (wanted != null && !wanted.contains(t.name())) {
          continue;
        }
        g.writeStartObject();
        g.writeStringField("name", t.name());
        g.writeStringField("datatype", t.datatype());
        g.writeArrayFieldStart("shape");
        for (long d : t.shape()) {
          g.writeNumber(d);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("data");
        if (t.fp32() != null) {
          for (float v : t.fp32()) {
            g.writeNumber(v);
          }
        } else {
          for (String s : t.bytes()) {
            g.writeString(s);
          }
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return send(ex, 200, "application/json", buf.toByteArray());
  }

  private static Set<String> requestedOutputs(JsonNode outputs, InferenceModel model) {
    if (outputs == null || outputs.isNull()) {
      return null;
    }
    if (!outputs.isArray()) {
      throw OipException.badRequest("\"outputs\" must be an array of {\"name\": ...}");
    }
    Set<String> known = new LinkedHashSet<>();
    for (TensorSpec s : model.outputs()) {
      known.add(s.name());
    }
    Set<String> wanted = new LinkedHashSet<>();
    for (JsonNode o : outputs) {
      JsonNode n = o.get("name");
      if (n == null || !n.isTextual()) {
        throw OipException.badRequest("each requested output needs a \"name\"");
      }
      if (!known.contains(n.asText())) {
        throw OipException.badRequest(
            "unknown output '" + n.asText() + "' (model '" + model.name() + "' has " + known + ")");
      }
      wanted.add(n.asText());
    }
    return wanted;
  }

  /** Parses one request tensor, checking that its data matches its shape and datatype. */
  static Tensor parseTensor(JsonNode in) {
    if (!in.isObject()) {
      throw OipException.badRequest(
          "each input must be an object with name, shape, datatype, data");
    }
    JsonNode name = in.get("name");
    if (name == null || !name.isTextual() || name.asText().isEmpty()) {
      throw OipException.badRequest("an input has no \"name\"");
    }
    String n = name.asText();
    JsonNode dt = in.get("datatype");
    if (dt == null || !dt.isTextual()) {
      throw OipException.badRequest("input '" + n + "' has no \"datatype\"");
    }
    JsonNode shapeNode = in.get("shape");
    if (shapeNode == null || !shapeNode.isArray()) {
      throw OipException.badRequest("input '" + n + "' has no \"shape\" array");
    }
    long[] shape = new long[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = shapeNode.get(i);
      if (!d.isIntegralNumber() || d.asLong() < 0) {
        throw OipException.badRequest(
            "input '" + n + "': shape must hold non-negative integers, got " + shapeNode);
      }
      shape[i] = d.asLong();
    }
    JsonNode data = in.get("data");
    if (data == null || !data.isArray()) {
      throw OipException.badRequest("input '" + n + "' has no \"data\" array");
    }
    List<JsonNode> flat = new ArrayList<>();
    flatten(data, flat);
    long expected = 1;
    for (long d : shape) {
      expected *= d;
    }
    if (flat.size() != expected) {
      throw OipException.badRequest(
          "input '"
              + n
              + "': shape "
              + shapeNode
              + " needs "
              + expected
              + " elements, data has "
              + flat.size());
    }
    switch (dt.asText()) {
      case Tensor.FP32 -> {
        float[] v = new float[flat.size()];
        for (int i = 0; i < v.length; i++) {
          JsonNode x = flat.get(i);
          if (!x.isNumber()) {
            throw OipException.badRequest(
                "input '" + n + "': FP32 data must be numbers, element " + i + " is " + x);
          }
          v[i] = x.floatValue();
          if (!Float.isFinite(v[i])) {
            throw OipException.badRequest("input '" + n + "': element " + i + " is not finite");
          }
        }
        return Tensor.fp32(n, shape, v);
      }
      case Tensor.BYTES -> {
        String[] v = new String[flat.size()];
        for (int i = 0; i < v.length; i++) {
          JsonNode x = flat.get(i);
          if (!x.isTextual()) {
            throw OipException.badRequest(
                "input '" + n + "': BYTES data must be strings, element " + i + " is " + x);
          }
          v[i] = x.asText();
        }
        return Tensor.bytes(n, shape, v);
      }
      default ->
          throw OipException.badRequest(
              "input '" + n + "': datatype " + dt.asText() + " is not supported (FP32, BYTES)");
    }
  }

  private static void flatten(JsonNode node, List<JsonNode> out) {
    for (JsonNode x : node) {
      if (x.isArray()) {
        flatten(x, out);
      } else {
        out.add(x);
      }
    }
  }

  private byte[] readBody(HttpExchange ex) throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[1 << 16];
      long total = 0;
      int r;
      while ((r = in.read(buf)) > 0) {
        total += r;
        if (total > options.maxBodyBytes()) {
          throw new OipException(413, "request body over " + options.maxBodyBytes() + " bytes");
        }
        out.write(buf, 0, r);
      }
      return out.toByteArray();
    }
  }

  private static int sendJson(HttpExchange ex, int status, Object body) throws IOException {
    return send(ex, status, "application/json", JSON.writeValueAsBytes(body));
  }

  private static int send(HttpExchange ex, int status, String type, byte[] body)
      throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
    return status;
  }

  @Override
  public void close() {
    http.stop(0);
    executor.shutdownNow();
    for (Batcher b : models.values()) {
      b.close();
      try {
        b.model().close();
      } catch (Exception e) {
        // closing anyway
      }
    }
  }
}
