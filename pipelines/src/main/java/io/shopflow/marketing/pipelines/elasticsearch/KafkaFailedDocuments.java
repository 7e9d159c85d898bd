package io.shopflow.marketing.pipelines.elasticsearch;

import io.shopflow.marketing.pipelines.kafka.OutputSerializers;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Refused documents to the DLQ topic: key = document id, value = the document, headers as for
 * refused input ({@code dlq.reason} = "elasticsearch STATUS: type: reason", {@code dlq.topic} =
 * "elasticsearch:INDEX"). Written with an idempotent, non-transactional producer (at least once):
 * they are visible at once, also to read_committed consumers.
 */
public final class KafkaFailedDocuments implements FailedDocuments {
  private static final long serialVersionUID = 1L;

  private final Properties props;
  private final String topic;
  private transient KafkaProducer<byte[], byte[]> producer;

  public KafkaFailedDocuments(String bootstrapServers, Properties kafkaProperties, String topic) {
    this.props = new Properties();
    props.putAll(kafkaProperties);
    props.put("bootstrap.servers", bootstrapServers);
    props.put("enable.idempotence", "true");
    props.put("acks", "all");
    props.put("key.serializer", ByteArraySerializer.class.getName());
    props.put("value.serializer", ByteArraySerializer.class.getName());
    this.topic = topic;
  }

  @Override
  public void open() {
    producer = new KafkaProducer<>(props);
  }

  @Override
  public void report(EsOperation op, int status, String reason) throws Exception {
    ProducerRecord<byte[], byte[]> r =
        new ProducerRecord<>(
            topic,
            op.id.getBytes(StandardCharsets.UTF_8),
            op.json == null ? null : op.json.getBytes(StandardCharsets.UTF_8));
    r.headers()
        .add(
            OutputSerializers.DLQ_REASON,
            ("elasticsearch " + status + ": " + reason).getBytes(StandardCharsets.UTF_8));
    r.headers()
        .add(
            OutputSerializers.DLQ_TOPIC,
            ("elasticsearch:" + op.index).getBytes(StandardCharsets.UTF_8));
    producer.send(r).get(60, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    if (producer != null) {
      producer.close();
    }
  }
}
