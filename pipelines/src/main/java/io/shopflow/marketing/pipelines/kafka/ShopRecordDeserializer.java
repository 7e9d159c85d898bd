package io.shopflow.marketing.pipelines.kafka;

import io.shopflow.marketing.schema.ParsedRecord;
import io.shopflow.marketing.udfs.EventParser;
import io.shopflow.marketing.udfs.InvalidRecordException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Parses records of the four input topics (and the recommender's feedback topic); never throws. A
 * record that cannot be used becomes a dead letter with its original bytes and the reason, so bad
 * input never fails the job.
 */
public class ShopRecordDeserializer implements KafkaRecordDeserializationSchema<ParsedRecord> {
  private static final long serialVersionUID = 1L;

  private final String eventsTopic;
  private final String catalogTopic;
  private final String consentTopic;
  private final String reviewsTopic;
  private final String itemFactorTopic;

  public ShopRecordDeserializer(
      String eventsTopic,
      String catalogTopic,
      String consentTopic,
      String reviewsTopic,
      String itemFactorTopic) {
    this.eventsTopic = eventsTopic;
    this.catalogTopic = catalogTopic;
    this.consentTopic = consentTopic;
    this.reviewsTopic = reviewsTopic;
    this.itemFactorTopic = itemFactorTopic;
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> rec, Collector<ParsedRecord> out) {
    out.collect(
        parse(rec.topic(), rec.value())
            .from(
                rec.topic(),
                rec.partition(),
                rec.offset(),
                rec.timestamp(),
                rec.key(),
                rec.value()));
  }

  /** Parses one value of the given topic into a record, or a dead letter saying why not. */
  public ParsedRecord parse(String topic, byte[] value) {
    try {
      if (topic.equals(eventsTopic)) {
        return ParsedRecord.of(EventParser.parseShopEvent(value));
      } else if (topic.equals(catalogTopic)) {
        return ParsedRecord.of(EventParser.parseCatalogItem(value));
      } else if (topic.equals(consentTopic)) {
        return ParsedRecord.of(EventParser.parseConsentChange(value));
      } else if (topic.equals(reviewsTopic)) {
        return ParsedRecord.of(EventParser.parseReview(value));
      } else if (topic.equals(itemFactorTopic)) {
        return ParsedRecord.of(EventParser.parseFactorDelta(value));
      }
      return dead("unexpected topic " + topic);
    } catch (InvalidRecordException e) {
      return dead(e.getMessage());
    } catch (RuntimeException e) {
      return dead("parser failure: " + e);
    }
  }

  private static ParsedRecord dead(String reason) {
    ParsedRecord r = new ParsedRecord();
    r.deadLetter = new io.shopflow.marketing.schema.DeadLetter();
    r.deadLetter.reason = reason;
    return r;
  }

  @Override
  public TypeInformation<ParsedRecord> getProducedType() {
    return TypeInformation.of(ParsedRecord.class);
  }
}
