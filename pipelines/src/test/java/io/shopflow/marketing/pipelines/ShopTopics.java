package io.shopflow.marketing.pipelines;

import io.shopflow.marketing.pipelines.kafka.CatchUp;
import io.shopflow.marketing.pipelines.kafka.EmbeddedKafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes test input to a real broker, the way a shop's producers would, and builds the JSON of that
 * input. The JSON builders are public for the deploy module's cluster test (this module's
 * test-jar).
 */
public final class ShopTopics implements AutoCloseable {
  final EmbeddedKafkaBroker broker;
  final JobSettings settings;
  private final KafkaProducer<String, String> producer;

  public ShopTopics(EmbeddedKafkaBroker broker, JobSettings settings) {
    this.broker = broker;
    this.settings = settings;
    Properties p = new Properties();
    p.put("bootstrap.servers", broker.bootstrapServers());
    p.put("enable.idempotence", "true");
    p.put("acks", "all");
    // One request in flight: a retry under load can never be reordered behind a later batch.
    p.put("max.in.flight.requests.per.connection", "1");
    p.put("key.serializer", StringSerializer.class.getName());
    p.put("value.serializer", StringSerializer.class.getName());
    producer = new KafkaProducer<>(p);
  }

  static JobSettings settingsFor(EmbeddedKafkaBroker broker, String checkpointDir, String group) {
    JobSettings s = new JobSettings();
    s.bootstrapServers = broker.bootstrapServers();
    s.groupId = group;
    s.transactionalIdPrefix = group;
    s.checkpointDir = checkpointDir;
    s.checkpointInterval = Duration.ofMillis(500);
    s.parallelism = 2;
    s.sourceIdleness = Duration.ofMillis(500);
    s.maxOutOfOrderness = Duration.ofSeconds(10);
    s.transactionTimeout = Duration.ofMinutes(5);
    return s;
  }

  public void createTopics() {
    broker.createTopics(2, settings.allTopics().toArray(new String[0]));
  }

  public void event(String user, String raw) {
    send(settings.eventsTopic, user, raw);
  }

  void catalog(String item, String raw) {
    send(settings.catalogTopic, item, raw);
  }

  void consent(String user, String raw) {
    send(settings.consentTopic, user, raw);
  }

  /** Sends and waits for the broker's ack: an input the test relies on is never lost silently. */
  void send(String topic, String key, String value) {
    try {
      producer
          .send(new ProducerRecord<>(topic, key, value))
          .get(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("could not write to " + topic + ": " + value, e);
    }
  }

  void flush() {
    producer.flush();
  }

  /** Flushes and waits until the job has checkpointed past everything written so far. */
  public void awaitCaughtUp(BooleanSupplier jobRunning) throws Exception {
    flush();
    Properties p = new Properties();
    p.put("bootstrap.servers", broker.bootstrapServers());
    CatchUp.await(p, settings.groupId, settings.inputTopics(), Duration.ofSeconds(90), jobRunning);
  }

  /**
   * Waits until the inputs are checkpointed and then until the recommender feedback they caused
   * (committed with that checkpoint) has been read and checkpointed as well.
   */
  void awaitFeedbackApplied(BooleanSupplier jobRunning) throws Exception {
    awaitCaughtUp(jobRunning);
    Properties p = new Properties();
    p.put("bootstrap.servers", broker.bootstrapServers());
    CatchUp.await(
        p,
        settings.groupId,
        java.util.List.of(settings.itemFactorTopic),
        Duration.ofSeconds(90),
        jobRunning);
  }

  /**
   * A behaviour event; {@code extra} is appended inside the object, e.g. {@code ,"order_id":"o"}.
   */
  public static String behaviour(
      String id, String type, String user, Instant t, String itemsJson, String extra) {
    return "{\"event_id\":\""
        + id
        + "\",\"event_type\":\""
        + type
        + "\",\"user_id\":\""
        + user
        + "\",\"event_time\":\""
        + t
        + "\",\"items\":"
        + itemsJson
        + extra
        + "}";
  }

  /** An items array of bare item references: {@code [{"item_id":"a"},{"item_id":"b"}]}. */
  public static String items(String... itemIds) {
    StringBuilder json = new StringBuilder("[");
    for (int i = 0; i < itemIds.length; i++) {
      json.append(i == 0 ? "" : ",").append("{\"item_id\":\"").append(itemIds[i]).append("\"}");
    }
    return json.append("]").toString();
  }

  static String item(String itemId, int qty, double price) {
    return "{\"item_id\":\"" + itemId + "\",\"quantity\":" + qty + ",\"price\":" + price + "}";
  }

  static String catalogItem(String item, String title, String path, double price, Instant t) {
    return "{\"item_id\":\""
        + item
        + "\",\"title\":\""
        + title
        + "\",\"category_path\":\""
        + path
        + "\",\"price\":"
        + price
        + ",\"currency\":\"GBP\",\"stock\":10,\"event_time\":\""
        + t
        + "\"}";
  }

  static String consentChange(String id, String user, String change, String channel, Instant t) {
    return "{\"event_id\":\""
        + id
        + "\",\"user_id\":\""
        + user
        + "\",\"change\":\""
        + change
        + "\",\"channels\":[\""
        + channel
        + "\"],\"event_time\":\""
        + t
        + "\"}";
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
