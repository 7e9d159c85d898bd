package io.shopflow.marketing.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The few calls of Flink's REST API that a deployment uses: upload a jar, run it (optionally from a
 * savepoint), read a job's state, stop it with a savepoint.
 */
final class FlinkRest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final String base;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  FlinkRest(String base) {
    this.base = base;
  }

  JsonNode get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  JsonNode post(String path, Object body) throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
  }

  /** POST /jars/upload (multipart, field jarfile); returns the jar id for /jars/{id}/run. */
  String uploadJar(Path jar) throws IOException, InterruptedException {
    String boundary = "----marketing" + UUID.randomUUID();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName()
                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8));
    body.write(Files.readAllBytes(jar));
    body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    JsonNode r =
        send(
            HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    String file = r.path("filename").asText();
    if (!"success".equals(r.path("status").asText()) || file.isEmpty()) {
      throw new IOException("upload refused: " + r);
    }
    return Path.of(file).getFileName().toString();
  }

  /** POST /jars/{id}/run; returns the job id. */
  String run(String jarId, String entryClass, List<String> args, String savepointPath)
      throws IOException, InterruptedException {
    var body = new java.util.LinkedHashMap<String, Object>();
    body.put("entryClass", entryClass);
    body.put("programArgsList", args);
    if (savepointPath != null) {
      body.put("savepointPath", savepointPath);
      body.put("allowNonRestoredState", false);
    }
    JsonNode r = post("/jars/" + jarId + "/run", body);
    String job = r.path("jobid").asText();
    if (job.isEmpty()) {
      throw new IOException("run refused: " + r);
    }
    return job;
  }

  String jobState(String jobId) throws IOException, InterruptedException {
    return get("/jobs/" + jobId).path("state").asText();
  }

  /**
   * The job's state once it is {@code expected}, or the last one seen after {@code timeout}: the
   * REST endpoint serves a job's details from a cache refreshed every few seconds, so a state that
   * has just changed may not show at once.
   */
  String awaitJobState(String jobId, String expected, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String state = jobState(jobId);
    while (!expected.equals(state) && System.nanoTime() < deadline) {
      Thread.sleep(300);
      state = jobState(jobId);
    }
    return state;
  }

  /** Waits until every vertex of the job runs (its sources read). */
  void awaitRunning(String jobId, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode job = get("/jobs/" + jobId);
      String state = job.path("state").asText();
      if (List.of("FAILED", "CANCELED", "FINISHED").contains(state)) {
        throw new IllegalStateException(
            "job " + jobId + " is " + state + ": " + get("/jobs/" + jobId + "/exceptions"));
      }
      boolean allRunning = job.path("vertices").size() > 0;
      for (JsonNode v : job.path("vertices")) {
        allRunning &= "RUNNING".equals(v.path("status").asText());
      }
      if ("RUNNING".equals(state) && allRunning) {
        return;
      }
      Thread.sleep(300);
    }
    throw new IllegalStateException("job " + jobId + " not running after " + timeout);
  }

  /**
   * POST /jobs/{id}/stop (stop with a savepoint, without draining: timers stay pending in the
   * savepoint), then polls the operation; returns the savepoint's location.
   */
  String stopWithSavepoint(String jobId, String targetDirectory, Duration timeout)
      throws Exception {
    JsonNode trigger =
        post(
            "/jobs/" + jobId + "/stop", Map.of("targetDirectory", targetDirectory, "drain", false));
    String request = trigger.path("request-id").asText();
    if (request.isEmpty()) {
      throw new IOException("stop refused: " + trigger);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode status = get("/jobs/" + jobId + "/savepoints/" + request);
      if ("COMPLETED".equals(status.path("status").path("id").asText())) {
        JsonNode op = status.path("operation");
        if (op.has("failure-cause")) {
          throw new IllegalStateException("stop-with-savepoint failed: " + op);
        }
        return op.path("location").asText();
      }
      Thread.sleep(300);
    }
    throw new IllegalStateException("no savepoint of " + jobId + " after " + timeout);
  }

  /**
   * The sum over the subtasks of the job's vertex whose name contains {@code vertexName} of the
   * operator metric {@code metric} (GET /jobs/{id}/vertices/{vid}/metrics), or -1 while the REST
   * endpoint reports none.
   */
  long metricSum(String jobId, String vertexName, String metric)
      throws IOException, InterruptedException {
    for (JsonNode v : get("/jobs/" + jobId).path("vertices")) {
      if (!v.path("name").asText().contains(vertexName)) {
        continue;
      }
      String vertex = "/jobs/" + jobId + "/vertices/" + v.path("id").asText() + "/metrics";
      List<String> ids = new java.util.ArrayList<>();
      for (JsonNode m : get(vertex)) {
        if (m.path("id").asText().endsWith("." + metric)) {
          ids.add(m.path("id").asText());
        }
      }
      if (ids.isEmpty()) {
        return -1;
      }
      long sum = 0;
      String query = java.net.URLEncoder.encode(String.join(",", ids), StandardCharsets.UTF_8);
      for (JsonNode m : get(vertex + "?get=" + query)) {
        sum += (long) Double.parseDouble(m.path("value").asText("0"));
      }
      return sum;
    }
    throw new IllegalArgumentException(
        "job " + jobId + " has no vertex named *" + vertexName + "*");
  }

  void cancel(String jobId) throws IOException, InterruptedException {
    send(
        HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId))
            .method("PATCH", HttpRequest.BodyPublishers.noBody()));
  }

  private JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) {
      throw new IOException(
          r.request().method() + " " + r.uri() + ": " + r.statusCode() + " " + r.body());
    }
    return r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
  }
}
