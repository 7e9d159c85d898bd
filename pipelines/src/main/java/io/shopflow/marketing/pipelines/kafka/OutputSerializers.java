package io.shopflow.marketing.pipelines.kafka;

import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.DeadLetter;
import io.shopflow.marketing.schema.ItemFactorDelta;
import io.shopflow.marketing.schema.SessionSummary;
import io.shopflow.marketing.udfs.OutputJson;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Kafka record serializers of the three outputs. */
public final class OutputSerializers {
  public static final String DLQ_REASON = "dlq.reason";
  public static final String DLQ_TOPIC = "dlq.topic";
  public static final String DLQ_PARTITION = "dlq.partition";
  public static final String DLQ_OFFSET = "dlq.offset";
  public static final String DLQ_TIMESTAMP = "dlq.timestamp";

  private OutputSerializers() {}

  /**
   * Actions as JSON, keyed by user id so that one user's actions stay in order. The Kafka timestamp
   * is the producer's clock, not event time: a replay of old history must not fall to time-based
   * retention.
   */
  public static KafkaRecordSerializationSchema<Action> actions(String topic) {
    return (a, ctx, ts) ->
        new ProducerRecord<>(
            topic, a.userId.getBytes(StandardCharsets.UTF_8), OutputJson.action(a));
  }

  public static KafkaRecordSerializationSchema<SessionSummary> sessions(String topic) {
    return (s, ctx, ts) ->
        new ProducerRecord<>(
            topic,
            null,
            s.endTime,
            s.userId.getBytes(StandardCharsets.UTF_8),
            OutputJson.session(s));
  }

  /** Item-factor steps, keyed by item so that one item's steps stay in order. */
  public static KafkaRecordSerializationSchema<ItemFactorDelta> factorDeltas(String topic) {
    return (d, ctx, ts) ->
        new ProducerRecord<>(
            topic, d.itemId.getBytes(StandardCharsets.UTF_8), OutputJson.factorDelta(d));
  }

  /**
   * Dead letters keep the original key and value bytes untouched; where they came from and why they
   * were refused travel in headers (the Kafka Connect DLQ convention), so a fixed record can be
   * re-published as it is.
   */
  public static KafkaRecordSerializationSchema<DeadLetter> deadLetters(String topic) {
    return (d, ctx, ts) -> {
      ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, d.key, d.value);
      r.headers().add(DLQ_REASON, utf8(d.reason));
      r.headers().add(DLQ_TOPIC, utf8(d.topic));
      r.headers().add(DLQ_PARTITION, utf8(Integer.toString(d.partition)));
      r.headers().add(DLQ_OFFSET, utf8(Long.toString(d.offset)));
      r.headers().add(DLQ_TIMESTAMP, utf8(Long.toString(d.kafkaTimestamp)));
      return r;
    };
  }

  private static byte[] utf8(String s) {
    return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
  }
}
