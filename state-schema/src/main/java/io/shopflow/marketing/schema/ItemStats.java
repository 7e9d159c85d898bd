package io.shopflow.marketing.schema;

/**
 * What the keyed-by-item operator reports about an item after a purchase of it (or when the
 * catalogue first lists it): the input of the popular-items snapshot.
 */
public class ItemStats {
  public String itemId;
  public String category;

  /** Purchase lines of the item so far. */
  public long purchases;

  /** When the item was first seen (catalogue or first event), for new-item exposure. */
  public long firstSeen;

  /** Event time of the report. */
  public long eventTime;

  /** The item's MF factor at the report, or null when unknown. */
  public double[] factor;

  public ItemStats() {}

  public ItemStats(
      String itemId,
      String category,
      long purchases,
      long firstSeen,
      long eventTime,
      double[] factor) {
    this.itemId = itemId;
    this.category = category;
    this.purchases = purchases;
    this.firstSeen = firstSeen;
    this.eventTime = eventTime;
    this.factor = factor;
  }
}
