package io.shopflow.marketing.schema.state;

/**
 * Scalar part of a user profile (RFM, price band inputs, lifecycle inputs). Affinities and recent
 * items are separate states so that an event rewrites only what it changes.
 */
public class ProfileCore {
  public long firstSeen;
  public long lastSeen;
  public long lastPurchaseTime;

  /** Orders (distinct purchase events), not lines. */
  public int orders;

  public double monetary;

  /** Sum and count of unit prices of items viewed, carted or bought: the price band's mean. */
  public double unitPriceSum;

  public int unitPriceCount;

  public int sessions;

  /** Entries currently in the item-affinity MapState (kept under the configured bound). */
  public int itemAffinityCount;

  /** Entries currently in the category-affinity MapState. */
  public int categoryAffinityCount;

  /** lastPurchaseTime for which a win-back was already sent: one win-back per lapse. */
  public long winBackSentFor;

  public ProfileCore() {}
}
