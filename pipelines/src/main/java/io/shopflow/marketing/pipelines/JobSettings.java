package io.shopflow.marketing.pipelines;

import io.shopflow.marketing.udfs.EngineConfig;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * Where the job reads and writes, and how it checkpoints; trigger thresholds live in {@link
 * #engine}.
 */
public class JobSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  public String bootstrapServers = "127.0.0.1:9092";
  public String eventsTopic = "shop.events";
  public String catalogTopic = "shop.catalog";
  public String consentTopic = "shop.consent";
  public String reviewsTopic = "shop.reviews";
  public String actionsTopic = "marketing.actions";
  public String sessionsTopic = "marketing.sessions";
  public String dlqTopic = "marketing.dlq";

  /** Internal feedback loop of the recommender: item-factor steps from the user operator. */
  public String itemFactorTopic = "marketing.item-factor-updates";

  public String groupId = "marketing-engine";

  /** "earliest" or "latest": where to start when the group has no committed offsets. */
  public String startingOffsets = "earliest";

  /** Extra Kafka client properties (security.protocol, sasl.*, ssl.*), for sources and sinks. */
  public Properties kafkaProperties = new Properties();

  public String transactionalIdPrefix = "marketing-engine";

  /**
   * Producer transaction timeout. Must exceed the checkpoint interval plus the longest expected
   * recovery, and must not exceed the broker's transaction.max.timeout.ms (15 min by default).
   */
  public Duration transactionTimeout = Duration.ofMinutes(10);

  public Duration checkpointInterval = Duration.ofSeconds(10);

  /**
   * Network buffer timeout: a record waits at most this long in a partly filled buffer. Flink's
   * default of 100 ms adds up to 100 ms per shuffle at low load.
   */
  public Duration bufferTimeout = Duration.ofMillis(5);

  public String checkpointDir = "file:///tmp/marketing-engine/checkpoints";

  /**
   * Where Flink's state changelog is written (file://, s3://, ...), or null for none. With it, a
   * checkpoint uploads the state changes logged since the last one instead of snapshotting RocksDB,
   * whose synchronous part (a flush of every column family) pauses the task threads; RocksDB is
   * snapshotted in the background every few minutes ("materialization"). Costs throughput.
   */
  public String changelogDir;

  public int parallelism = 2;

  /** Bounded out-of-orderness of event time per Kafka partition. */
  public Duration maxOutOfOrderness = Duration.ofSeconds(10);

  /** Watermark alignment: a split this far ahead of the slowest is paused. */
  public Duration maxWatermarkDrift = Duration.ofMinutes(5);

  /** A partition without records for this long stops holding the watermark back. */
  public Duration sourceIdleness = Duration.ofSeconds(30);

  public EngineConfig engine = new EngineConfig();

  /** Review sentiment: the inference sidecar (URL null: the lexicon fallback only). */
  public io.shopflow.marketing.operators.SentimentSettings sentiment =
      new io.shopflow.marketing.operators.SentimentSettings();

  /** Recommendation ranking: the sidecar's ranker (URL null: the hybrid order, no operator). */
  public io.shopflow.marketing.operators.RankingSettings ranking =
      new io.shopflow.marketing.operators.RankingSettings();

  /** The Elasticsearch sink; null: the job writes to Kafka only. */
  public io.shopflow.marketing.pipelines.elasticsearch.ElasticsearchSettings elasticsearch;

  public List<String> inputTopics() {
    return List.of(eventsTopic, catalogTopic, consentTopic, reviewsTopic);
  }

  /** Every topic the job reads or writes. */
  public List<String> allTopics() {
    return List.of(
        eventsTopic,
        catalogTopic,
        consentTopic,
        reviewsTopic,
        actionsTopic,
        sessionsTopic,
        dlqTopic,
        itemFactorTopic);
  }
}
