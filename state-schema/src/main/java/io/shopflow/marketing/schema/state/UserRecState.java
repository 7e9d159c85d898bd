package io.shopflow.marketing.schema.state;

/**
 * What the recommender knows of one user: the MF factor, what they bought (repeat signal) and the
 * co-purchase candidates accumulated from the partners of what they bought. Bounded arrays so that
 * Flink's POJO serializer carries it without Kryo; sizes are capped by {@code RecParams}.
 */
public class UserRecState {
  public double[] factor;

  /** Bought items, most recent first, with purchase counts and last purchase time. */
  public String[] ownedIds = new String[0];

  public int[] ownedCounts = new int[0];
  public long[] ownedLast = new long[0];

  /** Distinct buyers of each owned item when the user last bought it (n_j for cosine weights). */
  public long[] ownedBuyers = new long[0];

  /** Candidate items from co-purchase partners, with decayed scores as of {@link #candAt}. */
  public String[] candIds = new String[0];

  public float[] candScores = new float[0];
  public long candAt;

  public UserRecState() {}
}
