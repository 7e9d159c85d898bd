package io.shopflow.marketing.schema;

/**
 * Feedback for one item: an MF step for its factor and/or co-buyer counts, computed by the
 * keyed-by-user operator (which owns the user factor) and fed back to the keyed-by-item operator
 * (which owns the item factor) through the {@code marketing.item-factor-updates} topic. Deltas add
 * up, so concurrent steps from many users are all applied; their staleness is bounded by the
 * checkpoint interval.
 */
public class ItemFactorDelta {
  public String itemId;
  public String userId;
  public String eventId;
  public long eventTime;

  /** MF step to add to the item's factor; null when the message only counts co-buyers. */
  public double[] delta;

  /** Items the same user bought recently: one more co-buyer for each pair (item, coItem). */
  public String[] coItems = new String[0];

  /** Distinct buyers of each co-item as the user operator last saw them. */
  public long[] coItemBuyers = new long[0];

  /** The user buys this item for the first time: one more distinct buyer. */
  public boolean newBuyer;

  public ItemFactorDelta() {}
}
