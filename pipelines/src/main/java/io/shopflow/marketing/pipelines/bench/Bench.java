package io.shopflow.marketing.pipelines.bench;

import io.shopflow.marketing.operators.RecommendationRankingFunction;
import io.shopflow.marketing.operators.RouteRecords;
import io.shopflow.marketing.operators.bench.OneSmallValueState;
import io.shopflow.marketing.pipelines.JobSettings;
import io.shopflow.marketing.pipelines.MarketingJob;
import io.shopflow.marketing.pipelines.demo.OutputReader;
import io.shopflow.marketing.pipelines.kafka.EmbeddedKafkaBroker;
import io.shopflow.marketing.pipelines.kafka.OutputSerializers;
import io.shopflow.marketing.pipelines.kafka.ShopRecordDeserializer;
import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.ActionType;
import io.shopflow.marketing.schema.DeadLetter;
import io.shopflow.marketing.schema.ParsedRecord;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * The streaming core against this machine's floor, in one process: a MiniCluster with RocksDB,
 * incremental exactly-once checkpoints and the job's configuration (no Kryo, object reuse).
 *
 * <ul>
 *   <li><b>floor</b>: generator -> keyBy(user) -> one ~100-byte ValueState read and written per
 *       event -> discard;
 *   <li><b>core</b>: the same generator emitting shop JSON, parsed as the Kafka deserializer does,
 *       through the job's stateful path ({@link MarketingJob#core}) -> discard;
 *   <li><b>latency</b>: core at a fixed rate with wall-clock event times; arrival-to-action time of
 *       the actions that fire on the event itself (price drops);
 *   <li><b>recovery</b>: core on a bounded input with exactly-once Kafka output to an embedded
 *       broker; one task fails mid-stream after a checkpoint; time until records flow again, and
 *       the committed actions compared with a run without the failure.
 * </ul>
 *
 * Rates are taken over a window after a warm-up (start-up excluded) and given per second of wall
 * time and per CPU-second of the whole JVM.
 */
public final class Bench {
  /** Options. */
  public static final class Options {
    public Duration warmup = Duration.ofSeconds(20);
    public Duration duration = Duration.ofSeconds(60);
    public int users = 1_000_000;
    public int items = 100_000;
    public int parallelism = 2;
    public long stepMs = 200;

    /** Flink configuration entries applied to every phase's job after its own settings. */
    public java.util.Map<String, String> flinkConf = java.util.Map.of();

    /** Events per shopper visit (see {@link SyntheticShop#visitEvents}); 1 = independent. */
    public int visitEvents = 10;

    /** The user and item operators' write-behind state cache per subtask (0 = off). */
    public int stateCacheKeys = new JobSettings().engine.stateCacheKeys;

    /** Of those, keys with unwritten changes at most. */
    public int stateCacheDirtyKeys = new JobSettings().engine.stateCacheDirtyKeys;

    /** Age after which a cached change is written back while records are processed. */
    public long stateCacheDirtyAgeMs = new JobSettings().engine.stateCacheDirtyAgeMs;

    /** How long before a checkpoint is due the keyed operators pre-flush RocksDB; 0 = never. */
    public long rocksDbPreFlushLeadMs = new JobSettings().engine.rocksDbPreFlushLeadMs;

    /** The cache's age bound from 100 ms before the pre-flush until the checkpoint. */
    public long stateCacheDrainAgeMs = new JobSettings().engine.stateCacheDrainAgeMs;

    /** Every phase's job writes Flink's state changelog (see {@link JobSettings#changelogDir}). */
    public boolean changelog;

    /** Rate of the latency run; 0 = half the core's measured maximum. */
    public double latencyRate;

    public Path workDir;

    /**
     * With a URL, the core's recommendations are ranked by that inference sidecar's {@code ranker}
     * (and reviews, which the synthetic shop has none of, would be scored by its {@code
     * sentiment}); null: no sidecar calls.
     */
    public String sidecarUrl;

    public Set<String> phases = new HashSet<>(List.of("floor", "core", "latency", "recovery"));
    public Consumer<String> log = System.out::println;
  }

  /** One throughput measurement; actions and dead letters counted in the same window. */
  public record Rate(
      long events, double wallSeconds, double cpuSeconds, long actions, long deadLetters) {
    public double perSecond() {
      return events / wallSeconds;
    }

    public double perCpuSecond() {
      return events / cpuSeconds;
    }
  }

  /** Everything measured. */
  public static final class Result {
    public Rate floor;
    public Rate core;
    public double latencyRate;
    public long latencySamples;
    public double p50LatencyMs = Double.NaN;
    public double p99LatencyMs = Double.NaN;

    /**
     * Price changes behind those actions: one change fans out to every user with the item in the
     * cart or wishlist, and its actions queue behind each other at the user operator, so the tail
     * of the per-action figure is the fan-out of popular items; the first action of each change
     * shows the pipeline's own latency.
     */
    public long priceChanges;

    public long maxFanOut;
    public double p50FirstActionMs = Double.NaN;
    public double p99FirstActionMs = Double.NaN;

    /**
     * Per write-behind operator, over the latency run (warm-up included): how many checkpoints, and
     * the median and longest time one held a task thread ({@code [count, p50, max]} in ms).
     */
    public Map<String, long[]> checkpointPausesMs = new java.util.TreeMap<>();

    /**
     * Per garbage collector, over the latency run's measured window: {@code [collections, p50, max,
     * total]} in ms (for G1, the young and mixed pauses under "G1 Young Generation").
     */
    public Map<String, long[]> gcPausesMs = new java.util.TreeMap<>();

    public double recoverySeconds = Double.NaN;
    public long recoveryEvents;
    public long actionsReference;
    public long actionsAfterFailure;
    public long actionsLost;
    public long actionsDuplicated;
    public long actionsUnexpected;
    public long recommendationsDiffering;
    public long controlDiffering;
    public String load;

    /** The sidecar the core called (null: none). */
    public String sidecarUrl;

    /** Whether every phase ran with Flink's state changelog ({@code --changelog}). */
    public boolean stateChangelog;

    /**
     * Recommendations of the core's window ranked by the sidecar's model, and left in hybrid order.
     */
    public long coreRankedByModel;

    public long coreRankingFallbacks;

    public int cores = Runtime.getRuntime().availableProcessors();

    /** The JVM, its collector and heap bounds: the latency tail depends on them. */
    public String jvm = jvmDescription();

    public double ratio() {
      return core == null || floor == null
          ? Double.NaN
          : core.perCpuSecond() / floor.perCpuSecond();
    }

    public Map<String, Object> toJson() {
      Map<String, Object> m = new java.util.LinkedHashMap<>();
      m.put("floor_eps", floor == null ? null : floor.perSecond());
      m.put("floor_eps_per_cpu", floor == null ? null : floor.perCpuSecond());
      m.put("core_eps", core == null ? null : core.perSecond());
      m.put("core_eps_per_cpu", core == null ? null : core.perCpuSecond());
      m.put("ratio", nanToNull(ratio()));
      m.put("latency_rate_eps", latencyRate);
      m.put("latency_samples", latencySamples);
      m.put("p50_latency_ms", nanToNull(p50LatencyMs));
      m.put("p99_latency_ms", nanToNull(p99LatencyMs));
      m.put("price_changes", priceChanges);
      m.put("max_fan_out", maxFanOut);
      m.put("p50_first_action_latency_ms", nanToNull(p50FirstActionMs));
      m.put("p99_first_action_latency_ms", nanToNull(p99FirstActionMs));
      Map<String, Object> pauses = new java.util.LinkedHashMap<>();
      checkpointPausesMs.forEach(
          (op, v) -> pauses.put(op, Map.of("checkpoints", v[0], "p50_ms", v[1], "max_ms", v[2])));
      m.put("checkpoint_pauses", pauses);
      Map<String, Object> gc = new java.util.LinkedHashMap<>();
      gcPausesMs.forEach(
          (name, v) ->
              gc.put(
                  name,
                  Map.of("collections", v[0], "p50_ms", v[1], "max_ms", v[2], "total_ms", v[3])));
      m.put("gc_pauses", gc);
      m.put("recovery_s", nanToNull(recoverySeconds));
      m.put("recovery_events", recoveryEvents);
      m.put("recovery_actions_reference", actionsReference);
      m.put("recovery_actions_after_failure", actionsAfterFailure);
      m.put("recovery_actions_lost", actionsLost);
      m.put("recovery_actions_duplicated", actionsDuplicated);
      m.put("recovery_actions_unexpected", actionsUnexpected);
      m.put("recovery_recommendations_differing", recommendationsDiffering);
      m.put("recovery_control_runs_differing", controlDiffering);
      m.put("sidecar_url", sidecarUrl);
      m.put("state_changelog", stateChangelog);
      m.put("core_ranked_by_model", coreRankedByModel);
      m.put("core_ranking_fallbacks", coreRankingFallbacks);
      m.put("cores", cores);
      m.put("jvm", jvm);
      m.put("load", load);
      return m;
    }

    private static Object nanToNull(double v) {
      return Double.isNaN(v) ? null : v;
    }
  }

  // Counters shared with the operators: the MiniCluster runs in this JVM.
  static final LongAdder GENERATED = new LongAdder();
  static final LongAdder ACTIONS = new LongAdder();
  static final LongAdder DEAD_LETTERS = new LongAdder();
  static final LongAdder RANKED = new LongAdder();
  static final LongAdder RANKING_FALLBACKS = new LongAdder();
  static final List<Long> LATENCIES = new ArrayList<>();
  // Per price change (item and event time): its first action's latency and its action count.
  static final Map<String, long[]> FAN_OUTS = new HashMap<>();
  // With -Dbench.latency.dump=FILE: each action's change time, latency and change, to line the
  // slow ones up with a GC log or a checkpoint's time.
  static final List<String> LATENCY_LINES = new ArrayList<>();
  static final boolean DUMP_LATENCIES = System.getProperty("bench.latency.dump") != null;
  static volatile boolean recordLatency;
  static final AtomicLong FAILED_AT = new AtomicLong();
  static final AtomicLong RESUMED_AT = new AtomicLong();
  static volatile boolean injectFailure;

  private final Options o;

  public Bench(Options o) {
    this.o = o;
  }

  public Result run() throws Exception {
    Result r = new Result();
    r.load = loadAverage();
    r.stateChangelog = o.changelog;
    if (o.phases.contains("floor")) {
      o.log.accept("floor: generator -> keyBy(user) -> one ~100-byte ValueState per event ...");
      r.floor = throughput(this::floorJob, RateLimiterStrategy.noOp());
      o.log.accept(describe(r.floor));
    }
    if (o.phases.contains("core")) {
      o.log.accept("core: generator -> parse -> the job's stateful path ...");
      r.sidecarUrl = o.sidecarUrl;
      long ranked0 = RANKED.sum();
      long fallbacks0 = RANKING_FALLBACKS.sum();
      r.core = throughput((env, rate) -> coreJob(env, null), RateLimiterStrategy.noOp());
      o.log.accept(describe(r.core));
      if (o.sidecarUrl != null) {
        // Counted over the whole run of the phase (warm-up and window).
        r.coreRankedByModel = RANKED.sum() - ranked0;
        r.coreRankingFallbacks = RANKING_FALLBACKS.sum() - fallbacks0;
        o.log.accept(
            String.format(
                "  sidecar %s: %,d recommendations ranked by the model, %,d in hybrid order"
                    + " (fallback)",
                o.sidecarUrl, r.coreRankedByModel, r.coreRankingFallbacks));
      }
    }
    if (o.phases.contains("latency")) {
      double max = r.core != null ? r.core.perSecond() : 2_000;
      r.latencyRate = o.latencyRate > 0 ? o.latencyRate : Math.max(100, Math.floor(max / 2));
      o.log.accept(String.format("latency: core at %,.0f events/s ...", r.latencyRate));
      latency(r);
      o.log.accept(
          String.format(
              "  price-drop actions measured %,d; p50 %.1f ms, p99 %.1f ms%n"
                  + "  from %,d price changes (up to %,d actions each); first action of each"
                  + " change: p50 %.1f ms, p99 %.1f ms",
              r.latencySamples,
              r.p50LatencyMs,
              r.p99LatencyMs,
              r.priceChanges,
              r.maxFanOut,
              r.p50FirstActionMs,
              r.p99FirstActionMs));
      r.checkpointPausesMs.forEach(
          (op, v) ->
              o.log.accept(
                  String.format(
                      "  checkpoints held %s: p50 %d ms, max %d ms (%d checkpoints of all"
                          + " subtasks, warm-up included)",
                      op, v[1], v[2], v[0])));
      r.gcPausesMs.forEach(
          (name, v) ->
              o.log.accept(
                  String.format(
                      "  garbage collections in the window, %s: %d, p50 %d ms, max %d ms, %,d ms"
                          + " in all",
                      name, v[0], v[1], v[2], v[3])));
    }
    if (o.phases.contains("recovery")) {
      o.log.accept("recovery: bounded input, exactly-once Kafka output, one task failure ...");
      recovery(r);
      o.log.accept(
          String.format(
              "  processing again %.2f s after the failure; actions %,d (reference %,d), lost %d,"
                  + " duplicated %d, unexpected %d, recommendations differing %d; two"
                  + " failure-free runs differ by %d actions",
              r.recoverySeconds,
              r.actionsAfterFailure,
              r.actionsReference,
              r.actionsLost,
              r.actionsDuplicated,
              r.actionsUnexpected,
              r.recommendationsDiffering,
              r.controlDiffering));
    }
    r.load = r.load + " -> " + loadAverage();
    return r;
  }

  static String describe(Rate rate) {
    return String.format(
        "  %,d events in %.1f s: %,.0f events/s, %,.0f events per CPU-second (%.1f CPU-s);"
            + " %,d actions, %,d dead letters",
        rate.events,
        rate.wallSeconds,
        rate.perSecond(),
        rate.perCpuSecond(),
        rate.cpuSeconds,
        rate.actions,
        rate.deadLetters);
  }

  // ------------------------------------------------------------------ jobs

  interface JobBuilder {
    void build(StreamExecutionEnvironment env, RateLimiterStrategy<?> rate) throws Exception;
  }

  /** The write-behind cache's and the pre-flush's options of this run. */
  private void stateOptionsInto(io.shopflow.marketing.udfs.EngineConfig engine) {
    engine.stateCacheKeys = o.stateCacheKeys;
    engine.stateCacheDirtyKeys = o.stateCacheDirtyKeys;
    engine.stateCacheDirtyAgeMs = o.stateCacheDirtyAgeMs;
    engine.rocksDbPreFlushLeadMs = o.rocksDbPreFlushLeadMs;
    engine.stateCacheDrainAgeMs = o.stateCacheDrainAgeMs;
  }

  private JobSettings settings(String name) throws Exception {
    JobSettings s = new JobSettings();
    s.parallelism = o.parallelism;
    s.checkpointInterval = Duration.ofSeconds(10);
    stateOptionsInto(s.engine);
    Path dir = Files.createDirectories(o.workDir.resolve(name));
    s.checkpointDir = dir.resolve("checkpoints").toUri().toString();
    if (o.changelog) {
      s.changelogDir = dir.resolve("changelog").toUri().toString();
    }
    return s;
  }

  private StreamExecutionEnvironment env(JobSettings s, Configuration extra) {
    Configuration conf = MarketingJob.flinkConfiguration(s);
    conf.addAll(extra);
    conf.addAll(Configuration.fromMap(o.flinkConf));
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironment(
            s.parallelism, MarketingJob.forLocalCluster(conf, s.parallelism));
    env.setParallelism(s.parallelism);
    return env;
  }

  /** Floor: one small ValueState read and written per event. */
  private void floorJob(StreamExecutionEnvironment env, RateLimiterStrategy<?> rate) {
    GeneratorFunction<Long, FloorEvent> gen =
        new FloorGenerator(
            new SyntheticShop(
                o.users, o.items, o.stepMs, Long.MAX_VALUE, o.parallelism, o.visitEvents));
    env.fromSource(
            new DataGeneratorSource<>(
                gen, Long.MAX_VALUE, rate, TypeInformation.of(FloorEvent.class)),
            WatermarkStrategy.noWatermarks(),
            "generator")
        .keyBy(e -> e.userId)
        .process(new OneSmallValueState<String, FloorEvent>())
        .sinkTo(new DiscardingSink<>());
  }

  /** The floor's records: the same Zipf user draws as the core's, without building JSON. */
  static final class FloorGenerator implements GeneratorFunction<Long, FloorEvent> {
    private final SyntheticShop shop;

    FloorGenerator(SyntheticShop shop) {
      this.shop = shop;
    }

    @Override
    public FloorEvent map(Long i) {
      GENERATED.increment();
      FloorEvent e = new FloorEvent();
      e.userId = shop.user(i);
      e.time = shop.timeOf(i);
      return e;
    }
  }

  /** The core's records: shop JSON parsed as the Kafka deserializer parses it. */
  static final class ShopGenerator implements GeneratorFunction<Long, ParsedRecord> {
    private final SyntheticShop shop;
    private final ShopRecordDeserializer parser;
    private final boolean wallClock;

    ShopGenerator(SyntheticShop shop, ShopRecordDeserializer parser, boolean wallClock) {
      this.shop = shop;
      this.parser = parser;
      this.wallClock = wallClock;
    }

    @Override
    public ParsedRecord map(Long i) {
      GENERATED.increment();
      SyntheticShop.Generated g =
          wallClock ? shop.record(i, System.currentTimeMillis()) : shop.record(i);
      return parser.parse(g.topic(), g.json());
    }
  }

  /** The floor's record. */
  public static class FloorEvent {
    public String userId;
    public long time;

    public FloorEvent() {}
  }

  /** The job's stateful path over generated shop records; {@code kafka} adds the real sink. */
  private void coreJob(StreamExecutionEnvironment env, JobSettings kafka) {
    coreJob(env, kafka, RateLimiterStrategy.noOp(), Long.MAX_VALUE, false, o.parallelism);
  }

  private void coreJob(
      StreamExecutionEnvironment env,
      JobSettings kafka,
      RateLimiterStrategy<?> rate,
      long count,
      boolean wallClock,
      int parallelism) {
    JobSettings s = kafka != null ? kafka : new JobSettings();
    s.parallelism = parallelism;
    stateOptionsInto(s.engine);
    if (o.sidecarUrl != null) {
      s.ranking.sidecarUrl = o.sidecarUrl;
      s.sentiment.sidecarUrl = o.sidecarUrl;
    }
    if (wallClock) {
      // The latency run measures the pipeline, not policy delays: no quiet hours.
      s.engine.quietStartHour = 0;
      s.engine.quietEndHour = 0;
    }
    ShopRecordDeserializer parser =
        new ShopRecordDeserializer(
            s.eventsTopic, s.catalogTopic, s.consentTopic, s.reviewsTopic, s.itemFactorTopic);
    GeneratorFunction<Long, ParsedRecord> gen =
        new ShopGenerator(
            new SyntheticShop(o.users, o.items, o.stepMs, count, parallelism, o.visitEvents),
            parser,
            wallClock);
    DataStream<ParsedRecord> records =
        env.fromSource(
                new DataGeneratorSource<>(gen, count, rate, TypeInformation.of(ParsedRecord.class)),
                WatermarkStrategy.<ParsedRecord>forBoundedOutOfOrderness(Duration.ofSeconds(1))
                    .withTimestampAssigner((r, ts) -> r.eventTime()),
                "generator")
            .uid("generator");
    if (kafka != null) {
      records = records.map(new FailOnceAfterCheckpoint(count / 2)).uid("failure-injection");
    }
    MarketingJob.Core core = MarketingJob.core(records, s);
    core.itemSignals()
        .getSideOutput(RouteRecords.DEAD_LETTERS)
        .map(new CountDeadLetters())
        .sinkTo(new DiscardingSink<>());
    DataStream<Action> actions = core.sent().map(new LatencyProbe()).uid("action-probe");
    if (kafka != null) {
      actions
          .sinkTo(MarketingJob.sink(s, "actions", OutputSerializers.actions(s.actionsTopic)))
          .uid("actions-sink");
    } else {
      actions.sinkTo(new DiscardingSink<>());
    }
  }

  /** Counts dead letters: a sanity check that the generated records are valid. */
  static final class CountDeadLetters extends RichMapFunction<DeadLetter, DeadLetter> {
    @Override
    public DeadLetter map(DeadLetter d) {
      DEAD_LETTERS.increment();
      return d;
    }
  }

  /**
   * Counts actions and records arrival-to-action time of price drops (fired by the catalogue event
   * itself).
   */
  static final class LatencyProbe extends RichMapFunction<Action, Action> {
    @Override
    public Action map(Action a) {
      ACTIONS.increment();
      if (ActionType.RECOMMENDATION.equals(a.actionType)) {
        if (a.inferenceFallback) {
          RANKING_FALLBACKS.increment();
        } else if (a.explanation != null
            && a.explanation.endsWith(RecommendationRankingFunction.RANKED_BY_MODEL)) {
          RANKED.increment();
        }
      }
      if (recordLatency && ActionType.PRICE_DROP.equals(a.actionType)) {
        long ms = System.currentTimeMillis() - a.triggerEventTime;
        synchronized (LATENCIES) {
          LATENCIES.add(ms);
          long[] f =
              FAN_OUTS.computeIfAbsent(a.items[0] + "@" + a.triggerEventTime, k -> new long[2]);
          f[0] = f[1] == 0 ? ms : Math.min(f[0], ms);
          f[1]++;
          if (DUMP_LATENCIES) {
            LATENCY_LINES.add(a.triggerEventTime + "," + ms + "," + a.items[0] + "," + a.userId);
          }
        }
      }
      return a;
    }
  }

  /** Throws once, after a checkpoint completed and half of the input passed; notes the times. */
  static final class FailOnceAfterCheckpoint extends RichMapFunction<ParsedRecord, ParsedRecord>
      implements CheckpointListener {
    private final long after;
    private transient long seen;
    private transient boolean checkpointed;

    FailOnceAfterCheckpoint(long after) {
      this.after = after;
    }

    @Override
    public ParsedRecord map(ParsedRecord r) {
      if (FAILED_AT.get() != 0 && getRuntimeContext().getTaskInfo().getAttemptNumber() > 0) {
        RESUMED_AT.compareAndSet(0, System.nanoTime()); // the first record after the restart
      }
      seen++;
      if (injectFailure
          && checkpointed
          && seen * getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks() >= after
          && FAILED_AT.compareAndSet(0, System.nanoTime())) {
        throw new IllegalStateException("injected failure (benchmark)");
      }
      return r;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      checkpointed = true;
    }
  }

  // ------------------------------------------------------------------ phases

  private Rate throughput(JobBuilder job, RateLimiterStrategy<?> rate) throws Exception {
    JobSettings s = settings("throughput-" + System.nanoTime());
    StreamExecutionEnvironment env = env(s, new Configuration());
    job.build(env, rate);
    GENERATED.reset();
    JobClient client = env.executeAsync("bench");
    try {
      awaitFirstRecords();
      Thread.sleep(o.warmup.toMillis());
      long n0 = GENERATED.sum();
      long a0 = ACTIONS.sum();
      long d0 = DEAD_LETTERS.sum();
      long c0 = cpuNanos();
      long t0 = System.nanoTime();
      Thread.sleep(o.duration.toMillis());
      long n1 = GENERATED.sum();
      long c1 = cpuNanos();
      long t1 = System.nanoTime();
      return new Rate(
          n1 - n0, (t1 - t0) / 1e9, (c1 - c0) / 1e9, ACTIONS.sum() - a0, DEAD_LETTERS.sum() - d0);
    } finally {
      client.cancel().get();
    }
  }

  private void awaitFirstRecords() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (GENERATED.sum() == 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the benchmark job produced nothing in 2 minutes");
      }
      Thread.sleep(50);
    }
  }

  private void latency(Result r) throws Exception {
    JobSettings s = settings("latency");
    Configuration pauses = new Configuration();
    pauses.setString(CheckpointPauses.FACTORY_KEY, CheckpointPauses.Factory.class.getName());
    CheckpointPauses.reset();
    StreamExecutionEnvironment env = env(s, pauses);
    coreJob(
        env,
        null,
        RateLimiterStrategy.perSecond(r.latencyRate),
        Long.MAX_VALUE,
        true,
        o.parallelism);
    GENERATED.reset();
    synchronized (LATENCIES) {
      LATENCIES.clear();
      FAN_OUTS.clear();
      LATENCY_LINES.clear();
    }
    JobClient client = env.executeAsync("bench-latency");
    try (GcPauses gc = new GcPauses()) {
      awaitFirstRecords();
      Thread.sleep(o.warmup.toMillis());
      gc.start();
      recordLatency = true;
      Thread.sleep(o.duration.toMillis());
      recordLatency = false;
      gc.stop();
      r.gcPausesMs = gc.summary();
    } finally {
      client.cancel().get();
    }
    long[] all;
    long[] first;
    synchronized (LATENCIES) {
      all = LATENCIES.stream().mapToLong(Long::longValue).toArray();
      first = FAN_OUTS.values().stream().mapToLong(f -> f[0]).sorted().toArray();
      r.priceChanges = FAN_OUTS.size();
      r.maxFanOut = FAN_OUTS.values().stream().mapToLong(f -> f[1]).max().orElse(0);
      if (DUMP_LATENCIES) {
        java.nio.file.Files.write(
            java.nio.file.Path.of(System.getProperty("bench.latency.dump")), LATENCY_LINES);
      }
    }
    if (first.length > 0) {
      r.p50FirstActionMs = percentile(first, 0.50);
      r.p99FirstActionMs = percentile(first, 0.99);
    }
    CheckpointPauses.sortedByOperator()
        .forEach(
            (op, v) -> {
              if (v.length > 0) {
                r.checkpointPausesMs.put(
                    op, new long[] {v.length, percentile(v, 0.50), v[v.length - 1]});
              }
            });
    Arrays.sort(all);
    r.latencySamples = all.length;
    if (all.length > 0) {
      r.p50LatencyMs = percentile(all, 0.50);
      r.p99LatencyMs = percentile(all, 0.99);
    }
  }

  /** The nearest-rank percentile of sorted values. */
  static long percentile(long[] sorted, double q) {
    return sorted[(int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  }

  private void recovery(Result r) throws Exception {
    // Long enough for a few checkpoints at 10 s: ~40 s of input at a quarter of the maximum.
    double rate = r.core != null ? Math.max(500, r.core.perSecond() / 4) : 2_000;
    long count = (long) (rate * 40);
    r.recoveryEvents = count;
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(o.workDir.resolve("kafka"))) {
      Map<String, Action> reference = runBounded(kafka, "reference", rate, count, false);
      // A second failure-free run: if two runs of one input can differ without any failure (input
      // channels that interleave differently, as item-less events did when they bypassed the
      // item operator), the comparison below cannot tell that from loss; this run shows it.
      Map<String, Action> control = runBounded(kafka, "control", rate, count, false);
      Comparison c =
          compare(
              reference, control, "control: in the reference only", "control: in the control only");
      r.controlDiffering = c.onlyInFirst() + c.onlyInSecond();
      FAILED_AT.set(0);
      RESUMED_AT.set(0);
      DUPLICATES.set(0);
      Map<String, Action> recovered = runBounded(kafka, "failure", rate, count, true);
      if (FAILED_AT.get() != 0 && RESUMED_AT.get() != 0) {
        r.recoverySeconds = (RESUMED_AT.get() - FAILED_AT.get()) / 1e9;
      }
      r.actionsReference = reference.size();
      r.actionsAfterFailure = recovered.size();
      r.actionsDuplicated = DUPLICATES.get();
      Comparison f =
          compare(
              reference,
              recovered,
              "lost (in the reference only)",
              "unexpected (after the failure only)");
      r.actionsLost = f.onlyInFirst();
      r.actionsUnexpected = f.onlyInSecond(); // actions the failure-free run did not have
      r.recommendationsDiffering = f.recommendationsDiffering();
      String traced = System.getProperty("bench.recovery.trace");
      if (traced != null) {
        trace(traced, reference, recovered);
      }
    }
  }

  /**
   * Actions other than recommendations that only one run has, and recommendations that differ (they
   * depend on when the broadcast snapshot arrives, so they are counted apart).
   */
  private record Comparison(long onlyInFirst, long onlyInSecond, long recommendationsDiffering) {}

  private Comparison compare(
      Map<String, Action> first, Map<String, Action> second, String onlyFirst, String onlySecond) {
    long[] only = new long[2];
    long recommendations = 0;
    for (int side = 0; side < 2; side++) {
      Map<String, Action> these = side == 0 ? first : second;
      Map<String, Action> others = side == 0 ? second : first;
      for (Map.Entry<String, Action> e : these.entrySet()) {
        if (others.containsKey(e.getKey())) {
          continue;
        }
        if (ActionType.RECOMMENDATION.equals(e.getValue().actionType)) {
          recommendations++;
        } else {
          only[side]++;
          describeDifference(side == 0 ? onlyFirst : onlySecond, e.getValue(), only[side]);
        }
      }
    }
    return new Comparison(only[0], only[1], recommendations);
  }

  private void trace(String user, Map<String, Action> reference, Map<String, Action> recovered) {
    for (var run : List.of(Map.entry("reference", reference), Map.entry("failure", recovered))) {
      run.getValue().values().stream()
          .filter(a -> user.equals(a.userId))
          .sorted(java.util.Comparator.comparingLong((Action a) -> a.triggerEventTime))
          .forEach(
              a ->
                  o.log.accept(
                      String.format(
                          "  trace %s: %d %s %s %s | %s",
                          run.getKey(),
                          a.triggerEventTime,
                          a.actionType,
                          a.actionId.substring(0, 8),
                          Arrays.toString(a.items),
                          a.explanation)));
    }
  }

  /** The first few actions that differ between the two runs, to tell a loss from a reordering. */
  private void describeDifference(String what, Action a, long nth) {
    if (nth <= 5) {
      o.log.accept(
          String.format(
              "  %s: %s %s for %s, items %s, trigger time %d, send at %d, channel %s",
              what,
              a.actionType,
              a.actionId,
              a.userId,
              Arrays.toString(a.items),
              a.triggerEventTime,
              a.sendAt,
              a.channel));
    }
  }

  static final AtomicLong DUPLICATES = new AtomicLong();

  private Map<String, Action> runBounded(
      EmbeddedKafkaBroker kafka, String name, double rate, long count, boolean fail)
      throws Exception {
    JobSettings s = settings("recovery-" + name);
    // Parallelism 1: with more, a keyed operator interleaves its input channels differently from
    // run to run (which co-purchases a cross-sell sees, which users an item's price drop reaches),
    // and the two runs could not be compared action by action.
    s.parallelism = 1;
    s.bootstrapServers = kafka.bootstrapServers();
    s.actionsTopic = "bench.actions." + name;
    s.sessionsTopic = "bench.sessions." + name;
    s.dlqTopic = "bench.dlq." + name;
    s.transactionalIdPrefix = "bench-" + name;
    // Recommendations from the broadcast snapshot depend on when it arrives, and they take
    // frequency-cap slots from other actions: switched off so that two runs can be compared one to
    // one (the co-buyer and repeat candidates stay).
    s.engine.recs.popularCandidates = 0;
    s.engine.recs.categoryCandidates = 0;
    s.engine.recs.mfCandidates = 0;
    s.engine.recs.newItemsSnapshot = 0;
    s.engine.recs.newItemWindowMs = -1;
    kafka.createTopics(1, s.actionsTopic, s.sessionsTopic, s.dlqTopic);
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
    StreamExecutionEnvironment env = env(s, conf);
    injectFailure = fail;
    coreJob(env, s, RateLimiterStrategy.perSecond(rate), count, false, 1);
    env.execute("bench-recovery-" + name);
    injectFailure = false;
    Map<String, Action> byId = new HashMap<>();
    try (OutputReader out =
        new OutputReader(
            s.bootstrapServers,
            new java.util.Properties(),
            s.actionsTopic,
            s.sessionsTopic,
            s.dlqTopic)) {
      out.drain(Duration.ofSeconds(3), Duration.ofSeconds(60));
      for (Action a : out.actions) {
        if (byId.put(a.actionId, a) != null && fail) {
          DUPLICATES.incrementAndGet();
        }
      }
    }
    return byId;
  }

  // ------------------------------------------------------------------ machine

  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * The JVM's version, collectors and heap bounds, e.g. "Java 17.0.15+6, G1 Young Generation + G1
   * Old Generation, heap 380 MB initial, 6,028 MB max". The young pauses set the latency tail, and
   * they depend on these: a TaskManager runs with a fixed heap (initial = max), a plain {@code java
   * -jar} with a small initial one that grows (docs/benchmarks.md).
   */
  public static String jvmDescription() {
    String collectors =
        ManagementFactory.getGarbageCollectorMXBeans().stream()
            .map(java.lang.management.GarbageCollectorMXBean::getName)
            .collect(java.util.stream.Collectors.joining(" + "));
    java.lang.management.MemoryUsage heap =
        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    return String.format(
        "Java %s, %s, heap %,d MB initial, %,d MB max",
        Runtime.version(), collectors, heap.getInit() >> 20, heap.getMax() >> 20);
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return "load " + f[0] + " " + f[1] + " " + f[2];
    } catch (Exception e) {
      return "load unknown";
    }
  }
}
