package io.shopflow.marketing.schema.state;

/** Actions sent on one channel on one (event-time) day: the frequency cap's counter. */
public class ChannelCounter {
  /** Epoch day in the configured zone. */
  public long day;

  public int count;

  public ChannelCounter() {}

  public ChannelCounter(long day, int count) {
    this.day = day;
    this.count = count;
  }
}
