package io.shopflow.marketing.schema;

/** An input that could not be used, kept whole with where it came from and why it was refused. */
public class DeadLetter {
  public String topic;
  public int partition;
  public long offset;
  public long kafkaTimestamp;
  public byte[] key;

  /** The original bytes, untouched. */
  public byte[] value;

  public String reason;

  public DeadLetter() {}

  public DeadLetter(
      String topic,
      int partition,
      long offset,
      long kafkaTimestamp,
      byte[] key,
      byte[] value,
      String reason) {
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.kafkaTimestamp = kafkaTimestamp;
    this.key = key;
    this.value = value;
    this.reason = reason;
  }
}
