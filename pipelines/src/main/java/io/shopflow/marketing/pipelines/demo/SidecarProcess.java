package io.shopflow.marketing.pipelines.demo;

import io.shopflow.marketing.operators.RankingSettings;
import io.shopflow.marketing.operators.SentimentSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The inference sidecar as a child process of the demo: {@code java -jar inference-sidecar.jar
 * serve} on a free port of 127.0.0.1 with the models found, its output in a log file, stopped with
 * the demo. Knows the sidecar only by its jar, its model folders and its HTTP API (no dependency on
 * the sidecars module).
 */
public final class SidecarProcess implements AutoCloseable {
  /** Model names the sidecar serves, as folders under its model directory. */
  public static final String RANKER = "ranker";

  public static final String SENTIMENT = "sentiment";

  /** The commands that build the jar and train the models, for messages. */
  public static final String BUILD_COMMAND = "mvn -B -q -pl sidecars -am package -DskipTests";

  public static final String TRAIN_COMMANDS =
      "java -jar sidecars/target/inference-sidecar.jar train-ranker"
          + " / java -jar sidecars/target/inference-sidecar.jar train-sentiment";

  /**
   * What the demo does about the sidecar: start it with {@code models}, or not ({@code reason} says
   * why and what makes the missing parts).
   */
  public record Plan(Path jar, Path modelDir, List<String> models, String reason) {
    public boolean start() {
      return reason == null;
    }

    public boolean serves(String model) {
      return models.contains(model);
    }

    /**
     * Points ranking and sentiment at {@code url} for the models served; a model not served keeps
     * its fallback (no URL: the hybrid order, the lexicon).
     */
    public void configure(String url, RankingSettings ranking, SentimentSettings sentiment) {
      ranking.sidecarUrl = serves(RANKER) ? url : null;
      sentiment.sidecarUrl = serves(SENTIMENT) ? url : null;
    }

    /** Why a model uses its fallback although the sidecar runs, or null when it is served. */
    public String missing(String model) {
      if (serves(model)) {
        return null;
      }
      return "no trained "
          + model
          + " model under "
          + modelDir
          + " (train it once: java -jar "
          + jar
          + " train-"
          + model
          + ")";
    }
  }

  /** Decides from what is on disk; starts nothing. */
  public static Plan plan(Path jar, Path modelDir) {
    if (!Files.isRegularFile(jar)) {
      return new Plan(
          jar,
          modelDir,
          List.of(),
          "no sidecar jar at "
              + jar
              + " (build it: "
              + BUILD_COMMAND
              + "; then train the models once: "
              + TRAIN_COMMANDS
              + ")");
    }
    List<String> models = trainedModels(modelDir);
    if (models.isEmpty()) {
      return new Plan(
          jar,
          modelDir,
          List.of(),
          "no trained model under " + modelDir + " (train them once: " + TRAIN_COMMANDS + ")");
    }
    return new Plan(jar, modelDir, models, null);
  }

  /**
   * The models {@code serve} would load: their files as the sidecar's trainers write them (ranker:
   * {@code ranker/ranker.params}; sentiment: {@code sentiment/model.json}, the two heads and the
   * TF-IDF vocabulary).
   */
  static List<String> trainedModels(Path modelDir) {
    List<String> models = new ArrayList<>();
    if (Files.isRegularFile(modelDir.resolve(RANKER).resolve("ranker.params"))) {
      models.add(RANKER);
    }
    Path s = modelDir.resolve(SENTIMENT);
    if (Files.isRegularFile(s.resolve("model.json"))
        && Files.isRegularFile(s.resolve("binary.params"))
        && Files.isRegularFile(s.resolve("three_class.params"))
        && Files.isRegularFile(s.resolve("tfidf.tsv"))) {
      models.add(SENTIMENT);
    }
    return models;
  }

  private final Process process;
  private final String url;
  private final Path log;

  private SidecarProcess(Process process, String url, Path log) {
    this.process = process;
    this.url = url;
    this.log = log;
  }

  public String url() {
    return url;
  }

  public Path log() {
    return log;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The same {@code java} as this JVM's. */
  static String javaBinary() {
    Path p = Path.of(System.getProperty("java.home"), "bin", "java");
    if (Files.isExecutable(p)) {
      return p.toString();
    }
    return ProcessHandle.current().info().command().orElse("java");
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** The command line that serves the plan's models on {@code port}. */
  static List<String> command(Plan plan, int port) {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBinary());
    cmd.add("-jar");
    cmd.add(plan.jar().toString());
    cmd.add("serve");
    cmd.add("--host");
    cmd.add("127.0.0.1");
    cmd.add("--port");
    cmd.add(Integer.toString(port));
    cmd.add("--models");
    cmd.add(plan.modelDir().toString());
    for (String m : plan.models()) {
      cmd.add("--model");
      cmd.add(m);
    }
    return cmd;
  }

  /**
   * Starts the sidecar and waits until {@code GET /v2/health/ready} answers 200; fails with the
   * log's tail when the process ends first or {@code readyTimeout} passes (the process is stopped
   * then).
   */
  public static SidecarProcess start(Plan plan, Path log, Duration readyTimeout)
      throws IOException, InterruptedException {
    SidecarProcess sidecar = launch(plan, log);
    try {
      sidecar.awaitReady(plan, readyTimeout);
      return sidecar;
    } catch (IOException | InterruptedException | RuntimeException e) {
      sidecar.close();
      throw e;
    }
  }

  /**
   * Starts the process and returns at once (so that a caller's shutdown handling can stop it while
   * it loads); {@link #awaitReady} then waits for it.
   */
  public static SidecarProcess launch(Plan plan, Path log) throws IOException {
    if (!plan.start()) {
      throw new IllegalArgumentException(plan.reason());
    }
    Files.createDirectories(log.toAbsolutePath().getParent());
    int port = freePort();
    ProcessBuilder pb = new ProcessBuilder(command(plan, port));
    // The jar runs offline: never look up a download address (see docs/sidecars.md).
    pb.environment().put("DJL_OFFLINE", "true");
    pb.environment().putIfAbsent("SIDECAR_NUM_THREADS", "1");
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
    return new SidecarProcess(pb.start(), "http://127.0.0.1:" + port, log);
  }

  private static java.io.File nullDevice() {
    return new java.io.File(
        System.getProperty("os.name", "").startsWith("Windows") ? "NUL" : "/dev/null");
  }

  /**
   * Waits until {@code GET /v2/health/ready} answers 200, then warms the plan's models up; fails
   * with the log's tail when the process ends first or {@code timeout} passes (the caller stops
   * it).
   */
  public void awaitReady(Plan plan, Duration timeout) throws IOException, InterruptedException {
    awaitReady(timeout);
    warmUp(plan);
  }

  private void awaitReady(Duration timeout) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest ready =
        HttpRequest.newBuilder(URI.create(url + "/v2/health/ready"))
            .timeout(Duration.ofSeconds(5))
            .GET()
            .build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the inference sidecar ended with exit code "
                + process.exitValue()
                + " before it was ready; the end of "
                + log
                + ":\n"
                + tail(log, 20));
      }
      try {
        HttpResponse<Void> r = http.send(ready, HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the inference sidecar was not ready at "
                + url
                + " within "
                + timeout.toSeconds()
                + " s; the end of "
                + log
                + ":\n"
                + tail(log, 20));
      }
      Thread.sleep(250);
    }
  }

  /**
   * One small request per model, so that the job's first requests (with their short timeouts) do
   * not pay for loading the encoder and the first model call; best effort.
   */
  private void warmUp(Plan plan) {
    HttpClient http = HttpClient.newHttpClient();
    for (String model : plan.models()) {
      String body =
          SENTIMENT.equals(model)
              ? "{\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[1],"
                  + "\"data\":[\"warm-up\"]}]}"
              : "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[1,13],"
                  + "\"data\":[0,0,0,0,0,0,0,0,0,0,0,0,0]}]}";
      try {
        http.send(
            HttpRequest.newBuilder(URI.create(url + "/v2/models/" + model + "/infer"))
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.discarding());
      } catch (IOException e) {
        // the job's own requests will find out
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The last {@code lines} lines of a file, or a note when it cannot be read. */
  static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | java.io.UncheckedIOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  /** The sidecar's Prometheus text, or null when it does not answer. */
  public String metrics() {
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(url + "/metrics"))
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Stops the process: SIGTERM (its shutdown hook closes the server), then, after 10 s, kill. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
