package io.shopflow.marketing.pipelines.cli;

import io.shopflow.marketing.pipelines.JobSettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Topics, checkpointing and parallelism, shared by {@code run} and {@code demo}. */
public class KafkaOptions {
  @Option(
      names = "--events-topic",
      defaultValue = "shop.events",
      description = "Behaviour events. Default: ${DEFAULT-VALUE}.")
  String eventsTopic;

  @Option(
      names = "--catalog-topic",
      defaultValue = "shop.catalog",
      description = "Catalogue upserts. Default: ${DEFAULT-VALUE}.")
  String catalogTopic;

  @Option(
      names = "--consent-topic",
      defaultValue = "shop.consent",
      description = "Consent changes. Default: ${DEFAULT-VALUE}.")
  String consentTopic;

  @Option(
      names = "--reviews-topic",
      defaultValue = "shop.reviews",
      description = "Product reviews (sentiment, service recovery). Default: ${DEFAULT-VALUE}.")
  String reviewsTopic;

  @Option(
      names = "--actions-topic",
      defaultValue = "marketing.actions",
      description = "Triggered actions (exactly once). Default: ${DEFAULT-VALUE}.")
  String actionsTopic;

  @Option(
      names = "--sessions-topic",
      defaultValue = "marketing.sessions",
      description = "Session summaries. Default: ${DEFAULT-VALUE}.")
  String sessionsTopic;

  @Option(
      names = "--dlq-topic",
      defaultValue = "marketing.dlq",
      description = "Refused input with the reason in headers. Default: ${DEFAULT-VALUE}.")
  String dlqTopic;

  @Option(
      names = "--item-factor-topic",
      defaultValue = "marketing.item-factor-updates",
      description =
          "Internal feedback topic of the online recommender (item-factor steps). Default:"
              + " ${DEFAULT-VALUE}.")
  String itemFactorTopic;

  @Option(
      names = "--parallelism",
      defaultValue = "2",
      description = "Parallelism of every operator. Default: ${DEFAULT-VALUE}.")
  int parallelism;

  @Option(
      names = "--max-out-of-orderness",
      converter = DurationConverter.class,
      defaultValue = "10s",
      description =
          "Bounded out-of-orderness of event time per partition. Default: ${DEFAULT-VALUE}.")
  Duration maxOutOfOrderness;

  @Option(
      names = "--max-watermark-drift",
      converter = DurationConverter.class,
      defaultValue = "5m",
      description =
          "Watermark alignment: a partition this far ahead in event time of the slowest pauses"
              + " (keeps backfills in event-time order). Default: ${DEFAULT-VALUE}.")
  Duration maxWatermarkDrift;

  @Option(
      names = "--idleness",
      converter = DurationConverter.class,
      defaultValue = "30s",
      description =
          "A partition silent this long no longer holds the watermark back. Default:"
              + " ${DEFAULT-VALUE}.")
  Duration idleness;

  @Option(
      names = "--kafka-property",
      paramLabel = "KEY=VALUE",
      description =
          "Extra Kafka client property for sources and sinks (repeatable), e.g."
              + " security.protocol=SASL_SSL, sasl.mechanism=SCRAM-SHA-512,"
              + " ssl.truststore.location=...")
  Map<String, String> kafkaProperties = new LinkedHashMap<>();

  @Option(
      names = "--kafka-properties-file",
      paramLabel = "FILE",
      description =
          "A .properties file of Kafka client properties (applied before --kafka-property).")
  Path kafkaPropertiesFile;

  /** Copies these options into {@code s}. */
  public void applyTo(JobSettings s) throws IOException {
    s.eventsTopic = eventsTopic;
    s.catalogTopic = catalogTopic;
    s.consentTopic = consentTopic;
    s.reviewsTopic = reviewsTopic;
    s.actionsTopic = actionsTopic;
    s.sessionsTopic = sessionsTopic;
    s.dlqTopic = dlqTopic;
    s.itemFactorTopic = itemFactorTopic;
    s.parallelism = parallelism;
    s.maxOutOfOrderness = maxOutOfOrderness;
    s.sourceIdleness = idleness;
    s.maxWatermarkDrift = maxWatermarkDrift;
    if (kafkaPropertiesFile != null) {
      try (Reader r = Files.newBufferedReader(kafkaPropertiesFile)) {
        s.kafkaProperties.load(r);
      }
    }
    s.kafkaProperties.putAll(kafkaProperties);
  }
}
