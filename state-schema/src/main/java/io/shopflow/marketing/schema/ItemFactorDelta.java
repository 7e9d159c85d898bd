package io.shopflow.marketing.schema;

/**
 * One MF step for an item's factor, computed by the keyed-by-user operator (which owns the user
 * factor) and fed back to the keyed-by-item operator (which owns the item factor) through the
 * {@code marketing.item-factor-updates} topic. Deltas add up, so concurrent steps from many users
 * are all applied; their staleness is bounded by the checkpoint interval.
 */
public class ItemFactorDelta {
  public String itemId;
  public String userId;
  public String eventId;
  public long eventTime;
  public double[] delta;

  public ItemFactorDelta() {}
}
