package io.shopflow.marketing.pipelines;

import io.shopflow.marketing.operators.ItemCatalogFunction;
import io.shopflow.marketing.operators.PopularItemsFunction;
import io.shopflow.marketing.operators.RecommendationRankingFunction;
import io.shopflow.marketing.operators.ReviewSentimentFunction;
import io.shopflow.marketing.operators.RouteRecords;
import io.shopflow.marketing.operators.UserJourneyFunction;
import io.shopflow.marketing.operators.state.RocksDbFlushOptions;
import io.shopflow.marketing.operators.state.WriteBehindBroadcastOperator;
import io.shopflow.marketing.operators.state.WriteBehindKeyedProcessOperator;
import io.shopflow.marketing.pipelines.elasticsearch.ElasticsearchOutput;
import io.shopflow.marketing.pipelines.elasticsearch.ItemSentiment;
import io.shopflow.marketing.pipelines.elasticsearch.ItemSentimentFunction;
import io.shopflow.marketing.pipelines.elasticsearch.KafkaFailedDocuments;
import io.shopflow.marketing.pipelines.kafka.OutputSerializers;
import io.shopflow.marketing.pipelines.kafka.ShopRecordDeserializer;
import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.DeadLetter;
import io.shopflow.marketing.schema.ItemSignal;
import io.shopflow.marketing.schema.ParsedRecord;
import io.shopflow.marketing.schema.PopularItems;
import io.shopflow.marketing.schema.SessionSummary;
import io.shopflow.marketing.schema.UserSignal;
import io.shopflow.marketing.schema.UserSignalTypeInfo;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.changelog.fs.FsStateChangelogOptions;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateChangelogOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.RecoveryClaimMode;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The marketing job: Kafka in, catalogue join keyed by item, sessions/profiles/triggers keyed by
 * user, actions out exactly once.
 *
 * <pre>
 * shop.events ┐                          ┌─ lines ─> keyBy(item) ItemCatalogFunction ─┐
 * shop.catalog├─> KafkaSource ─> RouteRecords ─ catalogue ─┤          (join, price drops) ├─> keyBy(user)
 * shop.consent┘    (parse)      (DLQ, late)  ─ consent, item-less events (pass through) ──┘  UserJourneyFunction
 * shop.reviews┘                              ─ reviews ─> async sentiment (sidecar / lexicon) ─┘
 *                                          item stats ─> PopularItemsFunction (p=1) ─ broadcast ─┘
 *                      actions ─> async ranker (sidecar / hybrid order) ─> marketing.actions (EXACTLY_ONCE)
 *                                                                        sessions ─> marketing.sessions
 *                                                         dead letters ─> marketing.dlq
 * </pre>
 */
public final class MarketingJob {
  private MarketingJob() {}

  /** Flink configuration: RocksDB with incremental checkpoints, exactly-once, no Kryo. */
  public static Configuration flinkConfiguration(JobSettings s) {
    Configuration conf = new Configuration();
    conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
    conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
    // Most reads on the hot path ask for state that does not exist yet (a new user's session,
    // an item's first buyer): bloom filters answer those without touching every level.
    conf.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
    // Shorter checkpoint pauses: one flush job for all states, flush threads for every instance
    // of a TaskManager, level 0 uncompressed, 16 MB memtables (RocksDbFlushOptions).
    conf.set(RocksDBOptions.OPTIONS_FACTORY, RocksDbFlushOptions.class.getName());
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, s.checkpointDir);
    conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, s.checkpointInterval);
    // Latency: events reach the user operator through two shuffles; a partly filled buffer
    // waits at most this long (Flink's default is 100 ms).
    conf.set(ExecutionOptions.BUFFER_TIMEOUT, s.bufferTimeout);
    conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
    conf.set(
        CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    // Every record and state type is a Flink POJO or basic type: fail fast if Kryo would be used.
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    // Safe: no function keeps a reference to a record after emitting it.
    conf.set(PipelineOptions.OBJECT_REUSE, true);
    if (s.changelogDir != null) {
      // Checkpoints without RocksDB's synchronous snapshot (see JobSettings.changelogDir).
      conf.set(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG, true);
      conf.set(StateChangelogOptions.STATE_CHANGE_LOG_STORAGE, "filesystem");
      conf.set(FsStateChangelogOptions.BASE_PATH, s.changelogDir);
      // A restored job must own the checkpoint it starts from: the changelog backend cannot take
      // the full first snapshot that NO_CLAIM (Flink's default) demands.
      conf.set(StateRecoveryOptions.RESTORE_MODE, RecoveryClaimMode.CLAIM);
    }
    return conf;
  }

  /**
   * Managed memory (RocksDB's block cache and write buffers) of one slot of a local mini-cluster:
   * about what a slot of the Helm chart's TaskManager gets (4096m, 2 slots, fraction 0.4: 686 MB).
   * Flink gives a mini-cluster 128 MB in all, which starves RocksDB: with it the core did 12-13k
   * events per CPU-second, with 640 MB per slot 16-19k (docs/benchmarks.md).
   */
  public static final MemorySize LOCAL_MANAGED_MEMORY_PER_SLOT = MemorySize.ofMebiBytes(640);

  /**
   * {@code conf} for a local mini-cluster of {@code slots} slots: the managed memory of a deployed
   * slot per slot, unless {@code conf} sets it. A cluster's TaskManagers have their own, so this is
   * for local runs only.
   */
  public static Configuration forLocalCluster(Configuration conf, int slots) {
    Configuration local = new Configuration(conf);
    if (!local.contains(TaskManagerOptions.MANAGED_MEMORY_SIZE)) {
      local.set(
          TaskManagerOptions.MANAGED_MEMORY_SIZE,
          LOCAL_MANAGED_MEMORY_PER_SLOT.multiply(Math.max(1, slots)));
    }
    return local;
  }

  /** Adds the whole job to {@code env}. */
  public static void build(StreamExecutionEnvironment env, JobSettings s) {
    env.setParallelism(s.parallelism);
    // Profile snapshots cost a pass over the category affinities: only when a sink wants them.
    s.engine.emitProfileSnapshots = s.elasticsearch != null;

    DataStream<ParsedRecord> shopRecords =
        env.fromSource(source(s, s.inputTopics()), watermarks(s), "shop-topics")
            .uid("shop-topics-source")
            .name("Kafka: shop.events, shop.catalog, shop.consent, shop.reviews");
    // The recommender's feedback loop: item-factor steps computed by the user operator. Marked
    // idle for good so that it never holds event time back.
    DataStream<ParsedRecord> factorSteps =
        env.fromSource(
                source(s, List.of(s.itemFactorTopic)),
                WatermarkStrategy.<ParsedRecord>forGenerator(ctx -> new AlwaysIdle<>())
                    .withTimestampAssigner((r, kafkaTs) -> r.eventTime()),
                "item-factor-feedback")
            .uid("item-factor-feedback-source")
            .name("Kafka: marketing.item-factor-updates (feedback)");
    DataStream<ParsedRecord> records = shopRecords.union(factorSteps);

    Core core = core(records, s);
    SingleOutputStreamOperator<ItemSignal> itemSignals = core.itemSignals();
    SingleOutputStreamOperator<Action> actions = core.actions();

    core.sent()
        .sinkTo(sink(s, "actions", OutputSerializers.actions(s.actionsTopic)))
        .uid("actions-sink")
        .name("Kafka: marketing.actions (exactly once)");

    DataStream<SessionSummary> sessions = actions.getSideOutput(UserJourneyFunction.SESSIONS);
    sessions
        .sinkTo(sink(s, "sessions", OutputSerializers.sessions(s.sessionsTopic)))
        .uid("sessions-sink")
        .name("Kafka: marketing.sessions");

    actions
        .getSideOutput(UserJourneyFunction.FACTOR_DELTAS)
        .sinkTo(sink(s, "item-factors", OutputSerializers.factorDeltas(s.itemFactorTopic)))
        .uid("item-factor-sink")
        .name("Kafka: marketing.item-factor-updates (feedback)");

    DataStream<DeadLetter> deadLetters = itemSignals.getSideOutput(RouteRecords.DEAD_LETTERS);
    deadLetters
        .sinkTo(sink(s, "dlq", OutputSerializers.deadLetters(s.dlqTopic)))
        .uid("dlq-sink")
        .name("Kafka: marketing.dlq");

    if (s.elasticsearch != null) {
      // A branch of its own beside the Kafka sinks; refused documents go to the DLQ topic.
      // Reviews' sentiment per item, one document per item, updated with each review.
      DataStream<ItemSentiment> itemSentiment =
          core.scoredReviews()
              .keyBy(r -> r.itemId)
              .process(new ItemSentimentFunction())
              .uid("item-sentiment")
              .name("Review sentiment per item (keyed by item)");
      ElasticsearchOutput.attach(
          core.sent(),
          actions,
          itemSentiment,
          s.elasticsearch,
          new KafkaFailedDocuments(s.bootstrapServers, s.kafkaProperties, s.dlqTopic),
          Duration.ofMillis(s.engine.allowedLatenessMs));
    }
  }

  /**
   * The stateful path's outputs: routed item signals (DLQ side output), reviews with their
   * sentiment, the user operator (actions as it emits them, and its side outputs) and the actions
   * to send: after the recommendation-ranking operator with a ranker, else the user operator's.
   */
  public record Core(
      SingleOutputStreamOperator<ItemSignal> itemSignals,
      DataStream<UserSignal> scoredReviews,
      SingleOutputStreamOperator<Action> actions,
      DataStream<Action> sent) {}

  /**
   * The stateful path shared by the job and {@code bench}: routing, the keyed-by-item operator, the
   * popular-items snapshot and the keyed-by-user operator.
   */
  public static Core core(DataStream<ParsedRecord> records, JobSettings s) {
    SingleOutputStreamOperator<ItemSignal> itemSignals =
        records
            .process(new RouteRecords(s.engine))
            .uid("route-records")
            .name("Validate, split lines, route late records to the DLQ");

    SingleOutputStreamOperator<UserSignal> enrichedLines =
        itemSignals
            .keyBy(sig -> sig.itemId)
            // Flink's keyed process operator plus a write-behind state cache (docs/benchmarks.md).
            // UserSignal's hand-written serializer on the shuffle to the user operator.
            .transform(
                "Catalogue join, co-purchases, price-drop fan-out (keyed by item)",
                UserSignalTypeInfo.INSTANCE,
                new WriteBehindKeyedProcessOperator<>(new ItemCatalogFunction(s.engine))
                    .preFlushBeforeCheckpoints(
                        s.engine.rocksDbPreFlushLeadMs, s.checkpointInterval.toMillis()))
            .uid("item-catalog");

    // One small report per purchase line and new item; a single instance folds them into a
    // bounded snapshot that every user-operator instance receives.
    DataStream<PopularItems> popularItems =
        enrichedLines
            .getSideOutput(ItemCatalogFunction.ITEM_STATS)
            .process(new PopularItemsFunction(s.engine.recs))
            .setParallelism(1)
            .setMaxParallelism(1)
            .uid("popular-items")
            .name("Popular, category best-selling and new items (snapshot)")
            .broadcast();

    // Sentiment of each review on async I/O: the sidecar's model in micro-batches, or the lexicon
    // fallback when it is not configured, down or slow; never fails, never holds the stream.
    DataStream<UserSignal> scoredReviews =
        AsyncDataStream.unorderedWait(
                itemSignals.getSideOutput(RouteRecords.REVIEWS),
                new ReviewSentimentFunction(s.sentiment),
                s.sentiment.operatorTimeoutMs(),
                TimeUnit.MILLISECONDS,
                s.sentiment.capacity)
            .returns(UserSignalTypeInfo.INSTANCE) // to union with the item operator's signals
            .uid("review-sentiment")
            .name("Review sentiment (async: inference sidecar, lexicon fallback)");

    // With a ranker, recommendations carry over-fetched candidates to the ranking operator.
    s.engine.rankerCandidates = s.ranking.enabled() ? s.ranking.candidates : 0;
    SingleOutputStreamOperator<Action> actions =
        enrichedLines
            .union(scoredReviews)
            .keyBy(sig -> sig.userId)
            .connect(popularItems)
            // Flink's keyed broadcast operator (the snapshot lands in broadcast state) plus a
            // write-behind state cache; transform() because process() cannot take an operator.
            .transform(
                "Sessions, profiles, triggers and guardrails (keyed by user)",
                TypeInformation.of(Action.class),
                new WriteBehindBroadcastOperator<>(
                        new UserJourneyFunction(s.engine), List.of(UserJourneyFunction.POPULAR))
                    .preFlushBeforeCheckpoints(
                        s.engine.rocksDbPreFlushLeadMs, s.checkpointInterval.toMillis()))
            .uid("user-journey");

    // Recommendations re-ranked by the sidecar's ranker on async I/O, in order (an action waits
    // for the ones before it, so each user's actions keep their order); the hybrid order stays
    // when the sidecar is down or slow. Without a ranker there is no such operator.
    DataStream<Action> sent = actions;
    if (s.ranking.enabled()) {
      sent =
          AsyncDataStream.orderedWait(
                  actions,
                  new RecommendationRankingFunction(s.ranking),
                  s.ranking.operatorTimeoutMs(),
                  TimeUnit.MILLISECONDS,
                  s.ranking.capacity)
              .uid("recommendation-ranking")
              .name("Recommendation ranking (async: inference sidecar, hybrid order fallback)");
    }
    return new Core(itemSignals, scoredReviews, actions, sent);
  }

  /** Watermarks for a stream that must never hold event time back: always idle. */
  static final class AlwaysIdle<T> implements WatermarkGenerator<T> {
    @Override
    public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {}

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
      output.markIdle();
    }
  }

  static KafkaSource<ParsedRecord> source(JobSettings s, List<String> topics) {
    OffsetResetStrategy reset =
        "latest".equalsIgnoreCase(s.startingOffsets)
            ? OffsetResetStrategy.LATEST
            : OffsetResetStrategy.EARLIEST;
    Properties props = new Properties();
    props.putAll(s.kafkaProperties);
    props.setProperty("isolation.level", "read_committed");
    props.putIfAbsent("commit.offsets.on.checkpoint", "true");
    props.putIfAbsent("partition.discovery.interval.ms", "60000");
    return KafkaSource.<ParsedRecord>builder()
        .setBootstrapServers(s.bootstrapServers)
        .setTopics(topics)
        .setGroupId(s.groupId)
        .setStartingOffsets(OffsetsInitializer.committedOffsets(reset))
        .setDeserializer(
            new ShopRecordDeserializer(
                s.eventsTopic, s.catalogTopic, s.consentTopic, s.reviewsTopic, s.itemFactorTopic))
        .setProperties(props)
        .build();
  }

  static WatermarkStrategy<ParsedRecord> watermarks(JobSettings s) {
    return WatermarkStrategy.<ParsedRecord>forBoundedOutOfOrderness(s.maxOutOfOrderness)
        .withTimestampAssigner((r, kafkaTs) -> r.eventTime())
        .withIdleness(s.sourceIdleness)
        // Splits that run ahead in event time (a backfill reads partitions at different rates) are
        // paused, so that joins and counts see events roughly in event-time order and no split
        // falls so far behind that its records turn late.
        .withWatermarkAlignment("shop-topics", s.maxWatermarkDrift, Duration.ofSeconds(1));
  }

  /** Every output is transactional: consumers reading read_committed see each record once. */
  public static <T> KafkaSink<T> sink(
      JobSettings s, String name, KafkaRecordSerializationSchema<T> serializer) {
    Properties props = new Properties();
    props.putAll(s.kafkaProperties);
    props.setProperty("transaction.timeout.ms", Long.toString(s.transactionTimeout.toMillis()));
    return KafkaSink.<T>builder()
        .setBootstrapServers(s.bootstrapServers)
        .setKafkaProducerConfig(props)
        .setRecordSerializer(serializer)
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(s.transactionalIdPrefix + "-" + name)
        .build();
  }
}
