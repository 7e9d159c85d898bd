package io.shopflow.marketing.pipelines.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopflow.marketing.pipelines.JobSettings;
import io.shopflow.marketing.pipelines.MarketingJob;
import io.shopflow.marketing.pipelines.cli.KafkaOptions;
import io.shopflow.marketing.pipelines.kafka.CatchUp;
import io.shopflow.marketing.pipelines.kafka.EmbeddedKafkaBroker;
import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.udfs.EngineConfig;
import io.shopflow.marketing.udfs.OutputJson;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The embedded default: broker, job and replay on this machine; prints and returns the summary. */
public final class DemoRunner {
  /** What the demo command hands over. */
  public static final class Options {
    public Path data;
    public long maxEvents;
    public double speed;
    public Path summaryFile;
    public Path workDir;
    public long checkpointIntervalMs = 2000;
    public long catchUpTimeoutSeconds = 600;
    public boolean idlenessGiven;
    public KafkaOptions kafka;
    public EngineConfig engine = new EngineConfig();
    public boolean withElasticsearch;
    public long esLingerSeconds;
    public io.shopflow.marketing.pipelines.cli.ElasticsearchOptions elasticsearch;

    /** Recommendation ranking: the sidecar URL (null: the hybrid order) and its settings. */
    public io.shopflow.marketing.operators.RankingSettings ranking =
        new io.shopflow.marketing.operators.RankingSettings();

    /** Review sentiment: the sidecar URL (null: the lexicon fallback) and request timeout. */
    public io.shopflow.marketing.operators.SentimentSettings sentiment =
        new io.shopflow.marketing.operators.SentimentSettings();

    /**
     * Start the inference sidecar from {@link #sidecarJar} with the models under {@link
     * #sidecarModels} (when both exist) and use it; false when {@code --sidecar-url} or {@code
     * --no-sidecar} is given.
     */
    public boolean startSidecar;

    public Path sidecarJar = Path.of("sidecars/target/inference-sidecar.jar");
    public Path sidecarModels = Path.of("sidecars/target/models");
    public Duration sidecarReadyTimeout = Duration.ofSeconds(120);

    /** Why the fallbacks are used without looking for a sidecar ({@code --no-sidecar}), or null. */
    public String noSidecarReason;
  }

  private final Options o;
  private final PrintStream out = System.out;
  private EmbeddedKafkaBroker broker;
  private ElasticsearchDemo elasticsearch;
  private JobClient job;
  private volatile SidecarProcess sidecar;
  private String sidecarOrigin;
  private String rankerFallback;
  private String sentimentFallback;
  private long warmUpRankerRows;
  private long warmUpSentimentRows;
  private Path workDir;
  private boolean deleteWorkDir;
  private volatile boolean cleanedUp;
  private Duration idleness = Duration.ZERO;

  public DemoRunner(Options o) {
    this.o = o;
  }

  public int run() throws Exception {
    Thread hook = new Thread(this::cleanUp, "demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      ObjectNode summary = runDemo();
      if (o.summaryFile != null) {
        Files.writeString(
            o.summaryFile,
            new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(summary),
            StandardCharsets.UTF_8);
        out.println("Summary written to " + o.summaryFile);
      }
      return 0;
    } finally {
      cleanUp();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: nothing to remove
      }
    }
  }

  private ObjectNode runDemo() throws Exception {
    out.println("Reading shop data from " + o.data.toAbsolutePath().normalize());
    List<ReplayRecord> records = ShopDataReplay.load(o.data);
    if (o.maxEvents > 0 && records.size() > o.maxEvents) {
      records = records.subList(0, (int) o.maxEvents);
    }
    out.printf(
        "  %,d input records (events, catalogue upserts, %,d reviews)%n",
        records.size(), records.stream().filter(r -> r.kind() == ReplayRecord.Kind.REVIEW).count());

    deleteWorkDir = o.workDir == null;
    workDir = deleteWorkDir ? Files.createTempDirectory("marketing-demo-") : o.workDir;
    Files.createDirectories(workDir);
    setUpInference();
    out.println("  recommendation ranking: " + rankerPath());
    out.println("  review sentiment: " + sentimentPath());
    out.println("Starting Kafka broker (KRaft, 127.0.0.1) in " + workDir);
    broker = EmbeddedKafkaBroker.start(workDir.resolve("kafka"));

    JobSettings s = new JobSettings();
    if (o.kafka != null) {
      o.kafka.applyTo(s);
    }
    s.bootstrapServers = broker.bootstrapServers();
    s.checkpointDir = workDir.resolve("checkpoints").toUri().toString();
    s.checkpointInterval = Duration.ofMillis(o.checkpointIntervalMs);
    s.engine = o.engine;
    s.sentiment = o.sentiment;
    s.ranking = o.ranking;
    s.groupId = "marketing-engine-demo";
    // The replay writes nothing to shop.consent: its empty partitions must stop holding the
    // watermark back soon, but not so soon that a partition starved for a moment by backpressure
    // counts as idle (the watermark would jump and its records would arrive late).
    if (s.sourceIdleness.compareTo(Duration.ofSeconds(10)) > 0 && !o.idlenessGiven) {
      s.sourceIdleness = Duration.ofSeconds(10);
    }
    idleness = s.sourceIdleness;
    broker.createTopics(2, s.allTopics().toArray(new String[0]));
    elasticsearch = ElasticsearchDemo.start(o.withElasticsearch, o.elasticsearch, out);
    if (elasticsearch != null) {
      s.elasticsearch = elasticsearch.settings();
    }
    out.println("  Kafka at " + broker.bootstrapServers());

    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironment(
            s.parallelism,
            MarketingJob.forLocalCluster(MarketingJob.flinkConfiguration(s), s.parallelism));
    MarketingJob.build(env, s);
    job = env.executeAsync("marketing-engine-demo");
    out.println(
        "Flink mini-cluster job "
            + job.getJobID()
            + " running (RocksDB, checkpoints every "
            + o.checkpointIntervalMs
            + " ms to "
            + s.checkpointDir
            + ")");

    long started = System.nanoTime();
    replay(records, s);
    waitForCatchUp(s);
    double seconds = (System.nanoTime() - started) / 1e9;

    ObjectNode summary;
    try (OutputReader reader =
        new OutputReader(
            s.bootstrapServers, s.kafkaProperties, s.actionsTopic, s.sessionsTopic, s.dlqTopic)) {
      // Outputs of the last checkpoint become visible when it commits: read until quiet.
      // Timers fire once idle partitions stop holding the watermark: allow for that as well.
      long quietMs =
          Math.max(
              3 * o.checkpointIntervalMs + 1000, idleness.toMillis() + 2 * o.checkpointIntervalMs);
      reader.drain(Duration.ofMillis(quietMs), Duration.ofMinutes(2));
      summary = summarise(records.size(), seconds, reader);
    }
    if (elasticsearch != null) {
      elasticsearch.summarise(summary, out, o.esLingerSeconds);
    }
    return summary;
  }

  /**
   * Decides where ranking and sentiment come from: the sidecar the demo starts (its jar and at
   * least one trained model found), the one at {@code --sidecar-url}, or the fallbacks.
   */
  private void setUpInference() throws Exception {
    if (o.startSidecar) {
      SidecarProcess.Plan plan = SidecarProcess.plan(o.sidecarJar, o.sidecarModels);
      if (plan.start()) {
        Path log = workDir.resolve("sidecar.log");
        out.println(
            "Starting the inference sidecar ("
                + String.join(", ", plan.models())
                + " from "
                + o.sidecarModels
                + "; log "
                + log
                + ") ...");
        sidecar = SidecarProcess.launch(plan, log); // cleanUp stops it from here on
        sidecar.awaitReady(plan, o.sidecarReadyTimeout);
        plan.configure(sidecar.url(), o.ranking, o.sentiment);
        sidecarOrigin = "started by the demo";
        rankerFallback = plan.missing(SidecarProcess.RANKER);
        sentimentFallback = plan.missing(SidecarProcess.SENTIMENT);
        out.println(
            "  inference sidecar ready at " + sidecar.url() + " (pid " + sidecar.pid() + ")");
        String before = sidecar.metrics(); // the warm-up requests' rows are not the job's
        if (before != null) {
          warmUpRankerRows = metric(before, "sidecar_rows_total", SidecarProcess.RANKER);
          warmUpSentimentRows = metric(before, "sidecar_rows_total", SidecarProcess.SENTIMENT);
        }
      } else {
        o.ranking.sidecarUrl = null;
        o.sentiment.sidecarUrl = null;
        rankerFallback = plan.reason();
        sentimentFallback = plan.reason();
        out.println("No inference sidecar: " + plan.reason() + "; using the fallbacks.");
      }
    } else if (o.ranking.sidecarUrl == null && o.sentiment.sidecarUrl == null) {
      String why = o.noSidecarReason == null ? "no sidecar" : o.noSidecarReason;
      rankerFallback = why;
      sentimentFallback = why;
    } else {
      sidecarOrigin = "given by --sidecar-url";
      if (o.ranking.sidecarUrl == null) {
        rankerFallback = "no sidecar";
      }
      if (o.sentiment.sidecarUrl == null) {
        sentimentFallback = "no sidecar";
      }
    }
    if (rankerFallback == null && !o.ranking.enabled()) {
      rankerFallback = "--ranker-candidates 0";
    }
  }

  private String sidecarUrl() {
    return sidecar != null
        ? sidecar.url()
        : o.sentiment.sidecarUrl != null ? o.sentiment.sidecarUrl : o.ranking.sidecarUrl;
  }

  private String rankerPath() {
    return rankerFallback == null
        ? "inference sidecar at "
            + sidecarUrl()
            + " ("
            + sidecarOrigin
            + "), hybrid order as its fallback"
        : "hybrid order fallback (" + rankerFallback + ")";
  }

  private String sentimentPath() {
    return sentimentFallback == null
        ? "inference sidecar at "
            + sidecarUrl()
            + " ("
            + sidecarOrigin
            + "), lexicon as its fallback"
        : "lexicon fallback (" + sentimentFallback + ")";
  }

  private void replay(List<ReplayRecord> records, JobSettings s) throws Exception {
    Properties p = new Properties();
    p.putAll(s.kafkaProperties);
    p.put("bootstrap.servers", s.bootstrapServers);
    p.put("enable.idempotence", "true");
    p.put("acks", "all");
    p.put("linger.ms", "5");
    p.put("max.in.flight.requests.per.connection", "1");
    p.put("key.serializer", ByteArraySerializer.class.getName());
    p.put("value.serializer", ByteArraySerializer.class.getName());
    Progress progress = new Progress(records.size());
    java.util.concurrent.atomic.AtomicReference<Exception> sendFailure =
        new java.util.concurrent.atomic.AtomicReference<>();
    long wallStart = System.nanoTime();
    long eventStart = records.isEmpty() ? 0 : records.get(0).eventTime();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (int i = 0; i < records.size(); i++) {
        ReplayRecord r = records.get(i);
        if (o.speed > 0) {
          long dueNanos = (long) ((r.eventTime() - eventStart) * 1e6 / o.speed);
          long wait = dueNanos - (System.nanoTime() - wallStart);
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
        }
        String topic =
            switch (r.kind()) {
              case EVENT -> s.eventsTopic;
              case CATALOG -> s.catalogTopic;
              case CONSENT -> s.consentTopic;
              case REVIEW -> s.reviewsTopic;
            };
        producer.send(
            // Kafka timestamps stay "now", as a live shop's would; event time is in the payload.
            new ProducerRecord<>(
                topic,
                r.key().getBytes(StandardCharsets.UTF_8),
                r.json().getBytes(StandardCharsets.UTF_8)),
            (meta, error) -> {
              if (error != null) {
                sendFailure.compareAndSet(null, error);
              }
            });
        if (sendFailure.get() != null) {
          throw new IllegalStateException("replay failed to write a record", sendFailure.get());
        }
        progress.update(i + 1);
      }
      producer.flush();
    }
    if (sendFailure.get() != null) {
      throw new IllegalStateException("replay failed to write a record", sendFailure.get());
    }
    progress.done();
  }

  /** Waits until the job's committed offsets reach the end of every input partition. */
  private void waitForCatchUp(JobSettings s) throws Exception {
    out.println("Waiting for the job to catch up ...");
    Properties p = new Properties();
    p.putAll(s.kafkaProperties);
    p.put("bootstrap.servers", s.bootstrapServers);
    CatchUp.await(
        p,
        s.groupId,
        s.inputTopics(),
        Duration.ofSeconds(o.catchUpTimeoutSeconds),
        () -> {
          try {
            return !job.getJobStatus().get().isGloballyTerminalState();
          } catch (Exception e) {
            return false;
          }
        });
  }

  private ObjectNode summarise(int eventsRead, double seconds, OutputReader reader) {
    ObjectMapper m = new ObjectMapper();
    ObjectNode n = m.createObjectNode();
    n.put("events_read", eventsRead);
    n.put("dlq", reader.deadLetters.size());
    n.put("sessions", reader.sessions);
    ObjectNode byType = n.putObject("actions_by_type");
    reader.actionsByType().forEach(byType::put);
    n.put("actions", reader.actions.size());
    ArrayNode examples = n.putArray("examples");
    for (Action a : examples(reader.actions)) {
      examples.add(OutputJson.actionNode(a));
    }
    n.put("events_per_second", Math.round(eventsRead / Math.max(seconds, 1e-3)));
    n.put("elapsed_seconds", Math.round(seconds * 10) / 10.0);
    Map<String, Long> reasons = new java.util.TreeMap<>();
    for (OutputReader.DeadLetterView d : reader.deadLetters) {
      String r = d.reason() == null ? "?" : d.reason().replaceAll("\\d+(\\.\\d+)?", "N");
      reasons.merge(r, 1L, Long::sum);
    }
    ObjectNode dlqReasons = n.putObject("dlq_reasons");
    reasons.forEach(dlqReasons::put);
    Inference inference = inference(reader.actions);
    n.set("inference", inference.json(m));

    out.println();
    out.println("==== Marketing engine demo summary ====");
    out.printf("events read        %,d%n", eventsRead);
    out.printf("dead letters (DLQ) %,d%n", reader.deadLetters.size());
    reasons.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(3)
        .forEach(e -> out.printf("    %,6d  %s%n", e.getValue(), e.getKey()));
    out.printf("sessions closed    %,d%n", reader.sessions);
    out.printf("actions            %,d%n", reader.actions.size());
    reader.actionsByType().forEach((t, c) -> out.printf("    %-20s %,d%n", t, c));
    out.printf(
        "throughput         %,d events/s (%.1f s from first record to caught up)%n",
        Math.round(eventsRead / Math.max(seconds, 1e-3)), seconds);
    if (rankerFallback == null) {
      out.printf(
          "recommendations    %s%n    %,d ranked by the ranker model, %,d in hybrid order as a"
              + " fallback%n",
          rankerPath(), inference.rankedByModel, inference.rankerFallbacks);
      inference.rankerFallbackReasons.forEach(
          (why, count) -> out.printf("      %,d because: %s%n", count, why));
      out.printf(
          "    picks attached to %,d other actions ranked by the model, to %,d in hybrid order%n",
          inference.picksRankedByModel, inference.picksFallbacks);
    } else {
      out.printf(
          "recommendations    %s%n    %,d in hybrid order (not sent to a ranker)%n",
          rankerPath(),
          reader
              .actionsByType()
              .getOrDefault(io.shopflow.marketing.schema.ActionType.RECOMMENDATION, 0L));
    }
    out.printf(
        "review sentiment   %s%n    service_recovery scored by the sentiment model %,d, by the"
            + " lexicon fallback %,d%s%n",
        sentimentPath(),
        inference.recoveryByModel,
        inference.recoveryByLexicon,
        inference.sidecarReviews < 0 || sentimentFallback != null
            ? ""
            : String.format("; reviews scored by the sidecar %,d", inference.sidecarReviews));
    out.println("example actions:");
    for (Action a : examples(reader.actions)) {
      out.printf(
          "  - %s to %s via %s at %s: %s%n",
          a.actionType, a.userId, a.channel, OutputJson.iso(a.sendAt), a.explanation);
    }
    return n;
  }

  /** Which path ranking and sentiment took, and how often each was used. */
  private final class Inference {
    long rankedByModel;
    long rankerFallbacks;
    long picksRankedByModel;
    long picksFallbacks;
    final java.util.Map<String, Long> rankerFallbackReasons = new java.util.TreeMap<>();
    long recoveryByModel;
    long recoveryByLexicon;
    long sidecarReviews = -1;
    long sidecarRankerRows = -1;

    ObjectNode json(ObjectMapper m) {
      ObjectNode n = m.createObjectNode();
      ObjectNode sc = n.putObject("sidecar");
      sc.put("url", sidecarUrl());
      sc.put("started_by_demo", sidecar != null);
      sc.put("origin", sidecarOrigin);
      if (sidecar != null) {
        sc.put("pid", sidecar.pid());
        sc.put("log", sidecar.log().toString());
      }
      ObjectNode r = n.putObject("ranker");
      r.put("path", rankerFallback == null ? "sidecar" : "fallback");
      r.put("fallback_reason", rankerFallback);
      r.put("recommendations_ranked_by_model", rankedByModel);
      r.put("recommendations_in_hybrid_order_fallback", rankerFallbacks);
      r.put("attached_picks_ranked_by_model", picksRankedByModel);
      r.put("attached_picks_in_hybrid_order_fallback", picksFallbacks);
      ObjectNode reasons = r.putObject("fallback_reasons");
      rankerFallbackReasons.forEach(reasons::put);
      if (sidecarRankerRows >= 0) {
        r.put("sidecar_rows", sidecarRankerRows);
      }
      ObjectNode s = n.putObject("sentiment");
      s.put("path", sentimentFallback == null ? "sidecar" : "fallback");
      s.put("fallback_reason", sentimentFallback);
      s.put("service_recovery_by_model", recoveryByModel);
      s.put("service_recovery_by_lexicon", recoveryByLexicon);
      if (sidecarReviews >= 0) {
        s.put("sidecar_rows", sidecarReviews);
      }
      return n;
    }
  }

  private Inference inference(List<Action> actions) {
    Inference i = new Inference();
    for (Action a : actions) {
      String e = a.explanation == null ? "" : a.explanation;
      boolean recommendation =
          io.shopflow.marketing.schema.ActionType.RECOMMENDATION.equals(a.actionType);
      if (recommendation || a.recommendedItems.length > 0) {
        String hybrid = io.shopflow.marketing.operators.RecommendationRankingFunction.HYBRID_ORDER;
        if (e.endsWith(
            io.shopflow.marketing.operators.RecommendationRankingFunction.RANKED_BY_MODEL)) {
          if (recommendation) {
            i.rankedByModel++;
          } else {
            i.picksRankedByModel++;
          }
        } else if (e.contains(hybrid) && !recommendation) {
          i.picksFallbacks++;
        } else if (e.contains(hybrid)) {
          i.rankerFallbacks++;
          String why = e.substring(e.lastIndexOf(hybrid) + hybrid.length());
          i.rankerFallbackReasons.merge(why.replaceAll("\\)$", ""), 1L, Long::sum);
        }
      } else if (io.shopflow.marketing.schema.ActionType.SERVICE_RECOVERY.equals(a.actionType)) {
        if (e.contains("by the sentiment model")) {
          i.recoveryByModel++;
        } else if (e.contains("by the lexicon fallback")) {
          i.recoveryByLexicon++;
        }
      }
    }
    if (sidecar != null) {
      String metrics = sidecar.metrics();
      if (metrics != null) {
        i.sidecarReviews =
            metric(metrics, "sidecar_rows_total", SidecarProcess.SENTIMENT) - warmUpSentimentRows;
        i.sidecarRankerRows =
            metric(metrics, "sidecar_rows_total", SidecarProcess.RANKER) - warmUpRankerRows;
      }
    }
    return i;
  }

  /** A counter of the sidecar's Prometheus text for one model; 0 when absent. */
  static long metric(String metrics, String name, String model) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(
                "(?m)^"
                    + java.util.regex.Pattern.quote(name)
                    + "\\{[^}]*model=\""
                    + model
                    + "\"[^}]*\\} (\\S+)$")
            .matcher(metrics);
    return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
  }

  /** Up to five actions, one of each type first. */
  static List<Action> examples(List<Action> actions) {
    Set<Action> picked = new LinkedHashSet<>();
    Set<String> types = new java.util.HashSet<>();
    List<Action> sorted = new ArrayList<>(actions);
    sorted.sort(
        Comparator.comparingLong((Action a) -> a.triggerEventTime).thenComparing(a -> a.actionId));
    for (Action a : sorted) {
      if (picked.size() < 5 && types.add(a.actionType)) {
        picked.add(a);
      }
    }
    for (Action a : sorted) {
      if (picked.size() >= 5) {
        break;
      }
      picked.add(a);
    }
    return new ArrayList<>(picked);
  }

  private synchronized void cleanUp() {
    if (cleanedUp) {
      return;
    }
    cleanedUp = true;
    if (job != null) {
      try {
        job.cancel().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        // already finished or the mini-cluster is gone
      }
    }
    if (sidecar != null) {
      sidecar.close();
      out.println("Stopped the inference sidecar.");
    }
    if (elasticsearch != null) {
      elasticsearch.close();
    }
    if (broker != null) {
      broker.close();
    }
    if (deleteWorkDir && workDir != null) {
      try (Stream<Path> paths = Files.walk(workDir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(pth -> pth.toFile().delete());
      } catch (IOException e) {
        // best effort: it is a temporary folder
      }
    }
    out.println("Stopped the job and the broker.");
  }

  /** A progress bar on a terminal, a line per 10 % otherwise. */
  private final class Progress {
    private final int total;
    private final boolean terminal = System.console() != null;
    private int lastShown = -1;

    Progress(int total) {
      this.total = total;
    }

    void update(int done) {
      int pct = total == 0 ? 100 : (int) (100L * done / total);
      if (terminal) {
        if (pct != lastShown) {
          int bars = pct / 4;
          System.err.printf(
              "\rReplaying [%s%s] %3d%% %,d/%,d",
              "#".repeat(bars), " ".repeat(25 - bars), pct, done, total);
          lastShown = pct;
        }
      } else if (pct / 10 != lastShown / 10 || lastShown < 0) {
        out.printf("Replaying: %d%% (%,d/%,d)%n", pct, done, total);
        lastShown = pct;
      }
    }

    void done() {
      if (terminal) {
        System.err.println();
      }
    }
  }
}
