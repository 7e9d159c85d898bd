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

  /** lastPurchaseTime for which a win-back was already sent: one win-back per lapse. */
  public long winBackSentFor;

  /** Reviews written; the weight behind {@link #reviewSentiment}. */
  public int reviews;

  /**
   * Review sentiment tendency in [-1, 1]: the mean of P(positive) - P(negative) over the user's
   * reviews, older reviews decayed with a 90-day half-life; 0 without reviews.
   */
  public double reviewSentiment;

  /** Decayed weight of the reviews in {@link #reviewSentiment}. */
  public double reviewSentimentWeight;

  /** Event time of the last review (the decay's reference), 0 without reviews. */
  public long lastReviewTime;

  public ProfileCore() {}
}
