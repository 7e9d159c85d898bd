package io.shopflow.marketing.schema;

/**
 * What the Kafka source hands on: exactly one of the fields is set. Parsing in the source (not
 * after it) lets the watermark generator run per partition on real event times.
 */
public class ParsedRecord {
  public ShopEvent event;
  public CatalogItem catalog;
  public ConsentChange consent;
  public ReviewEvent review;
  public ItemFactorDelta factorDelta;
  public DeadLetter deadLetter;

  // Where it came from, so that a record refused later (e.g. as late) still reaches the DLQ whole.
  public String topic;
  public int partition;
  public long offset;
  public long kafkaTimestamp;
  public byte[] key;
  public byte[] value;

  public ParsedRecord() {}

  /** Sets where the record came from; returns this. */
  public ParsedRecord from(
      String topic, int partition, long offset, long kafkaTimestamp, byte[] key, byte[] value) {
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.kafkaTimestamp = kafkaTimestamp;
    this.key = key;
    this.value = value;
    if (deadLetter != null) {
      deadLetter.topic = topic;
      deadLetter.partition = partition;
      deadLetter.offset = offset;
      deadLetter.kafkaTimestamp = kafkaTimestamp;
      deadLetter.key = key;
      deadLetter.value = value;
      // A dead letter already carries the bytes; the record need not carry them twice.
      this.key = null;
      this.value = null;
    }
    return this;
  }

  /** This record as a dead letter with the given reason. */
  public DeadLetter toDeadLetter(String reason) {
    return new DeadLetter(topic, partition, offset, kafkaTimestamp, key, value, reason);
  }

  public static ParsedRecord of(ShopEvent e) {
    ParsedRecord r = new ParsedRecord();
    r.event = e;
    return r;
  }

  public static ParsedRecord of(CatalogItem c) {
    ParsedRecord r = new ParsedRecord();
    r.catalog = c;
    return r;
  }

  public static ParsedRecord of(ConsentChange c) {
    ParsedRecord r = new ParsedRecord();
    r.consent = c;
    return r;
  }

  public static ParsedRecord of(ReviewEvent rv) {
    ParsedRecord r = new ParsedRecord();
    r.review = rv;
    return r;
  }

  public static ParsedRecord of(ItemFactorDelta d) {
    ParsedRecord r = new ParsedRecord();
    r.factorDelta = d;
    return r;
  }

  public static ParsedRecord of(DeadLetter d) {
    ParsedRecord r = new ParsedRecord();
    r.deadLetter = d;
    return r;
  }

  /** Event time, or Long.MIN_VALUE for dead letters so that they never move the watermark. */
  public long eventTime() {
    if (event != null) {
      return event.eventTime;
    }
    if (catalog != null) {
      return catalog.eventTime;
    }
    if (consent != null) {
      return consent.eventTime;
    }
    if (review != null) {
      return review.eventTime;
    }
    if (factorDelta != null) {
      return factorDelta.eventTime;
    }
    return Long.MIN_VALUE;
  }
}
