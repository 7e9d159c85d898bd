package io.shopflow.marketing.schema.state;

/** A score that decays exponentially in event time; stored with the time it was last updated. */
public class DecayedScore {
  public double score;
  public long updatedAt;

  public DecayedScore() {}

  public DecayedScore(double score, long updatedAt) {
    this.score = score;
    this.updatedAt = updatedAt;
  }
}
