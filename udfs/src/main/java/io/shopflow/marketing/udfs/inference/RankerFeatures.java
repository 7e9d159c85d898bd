package io.shopflow.marketing.udfs.inference;

/**
 * The feature vector of the sidecar's {@code ranker} model for one (user, candidate item) pair,
 * built from values the streaming job keeps: the same function builds the training rows ({@code
 * train-ranker}) and the rows the job sends, so both agree on order and scaling. The model
 * standardises the features itself; callers pass them as this function returns them.
 *
 * <p>Counts are {@code log(1 + x)}; ages in days are {@code log(1 + days)}; an item the user never
 * bought has {@code owned = 0}, {@code repeat_count = 0} and {@code days_since_item_purchase = 0}.
 */
public final class RankerFeatures {
  /** Feature names, in vector order (the {@code features} tensor's second dimension). */
  public static final String[] NAMES = {
    "user_purchases",
    "user_distinct_items",
    "days_since_user_purchase",
    "item_buyers",
    "item_recent_purchases",
    "owned",
    "repeat_count",
    "days_since_item_purchase",
    "repeat_score",
    "co_score",
    "mf_score",
    "popularity",
    "hybrid_score"
  };

  public static final int SIZE = NAMES.length;

  private static final double DAY_MS = 24 * 3600 * 1000.0;

  /**
   * The raw values for one pair.
   *
   * @param userPurchases purchase lines of the user so far
   * @param userDistinctItems distinct items the user bought
   * @param daysSinceUserPurchase days since the user's last purchase (0 without any)
   * @param itemBuyers distinct buyers of the candidate item
   * @param itemRecentPurchases purchase lines of the candidate in the last 30 days
   * @param repeatCount times the user bought the candidate (0 = never)
   * @param daysSinceItemPurchase days since the user last bought the candidate (ignored when {@code
   *     repeatCount == 0})
   * @param repeatScore the hybrid's repeat signal ({@code log(1 + count) + 0.5 * recency})
   * @param coScore the hybrid's co-buyer signal
   * @param mfScore the MF score {@code p_u . q_i}
   * @param popularity {@code log(1 + purchases) / log(1 + max purchases)}, 0 when unknown
   * @param hybridScore the hybrid recommender's blended score
   */
  public record Input(
      long userPurchases,
      long userDistinctItems,
      double daysSinceUserPurchase,
      long itemBuyers,
      long itemRecentPurchases,
      long repeatCount,
      double daysSinceItemPurchase,
      double repeatScore,
      double coScore,
      double mfScore,
      double popularity,
      double hybridScore) {}

  private RankerFeatures() {}

  /** The window of {@code item_recent_purchases}. */
  public static final long RECENT_WINDOW_MS = 30L * 24 * 3600 * 1000;

  /** Days between two epoch-millisecond instants (0 when {@code from} is not before {@code to}). */
  public static double days(long fromMillis, long toMillis) {
    return Math.max(0, (toMillis - fromMillis) / DAY_MS);
  }

  /** The feature vector of one pair ({@link #SIZE} values, in {@link #NAMES} order). */
  public static float[] of(Input in) {
    float[] f = new float[SIZE];
    boolean owned = in.repeatCount() > 0;
    f[0] = log1p(in.userPurchases());
    f[1] = log1p(in.userDistinctItems());
    f[2] = log1p(in.daysSinceUserPurchase());
    f[3] = log1p(in.itemBuyers());
    f[4] = log1p(in.itemRecentPurchases());
    f[5] = owned ? 1 : 0;
    f[6] = log1p(in.repeatCount());
    f[7] = owned ? log1p(in.daysSinceItemPurchase()) : 0;
    f[8] = finite(in.repeatScore());
    f[9] = finite(in.coScore());
    f[10] = finite(in.mfScore());
    f[11] = finite(in.popularity());
    f[12] = finite(in.hybridScore());
    return f;
  }

  private static float log1p(double x) {
    return (float) Math.log1p(Math.max(0, finite(x)));
  }

  private static float finite(double x) {
    return Double.isFinite(x) ? (float) x : 0f;
  }
}
