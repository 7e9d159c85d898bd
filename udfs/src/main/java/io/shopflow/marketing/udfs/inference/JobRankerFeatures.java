package io.shopflow.marketing.udfs.inference;

import io.shopflow.marketing.schema.PopularItems;
import io.shopflow.marketing.schema.state.UserRecState;
import io.shopflow.marketing.udfs.recs.UserRecs;

/**
 * The ranker's feature row of a candidate as the streaming job can build it, from the user's
 * recommender state ({@link UserRecState}), the broadcast popular-items snapshot and the hybrid's
 * score parts, through {@link RankerFeatures#of} (the function training uses). Training reads exact
 * counts from the full purchase history; the job keeps bounded state, so some features are
 * approximations:
 *
 * <ul>
 *   <li>{@code user_purchases}, {@code user_distinct_items}: over the user's owned items the state
 *       keeps (the {@code maxOwned} most recent distinct items), exact below that bound;
 *   <li>{@code item_buyers}: for an item the user bought, its distinct buyers at the user's last
 *       purchase of it; otherwise the snapshot's purchase count (purchase lines, not distinct
 *       buyers); 0 for an item outside the snapshot;
 *   <li>{@code item_recent_purchases} (30 days): no per-item window is kept, so it is estimated
 *       from the snapshot as {@code purchases * min(1, 30 days / time since first seen)}; 0 outside
 *       the snapshot.
 * </ul>
 */
public final class JobRankerFeatures {
  private JobRankerFeatures() {}

  /** The row of {@code s} for the user whose state is {@code r}, at {@code now}. */
  public static float[] of(UserRecState r, UserRecs.Scored s, long now, PopularItems popular) {
    long purchases = 0;
    long lastPurchase = 0;
    for (int i = 0; i < r.ownedIds.length; i++) {
      purchases += r.ownedCounts[i];
      lastPurchase = Math.max(lastPurchase, r.ownedLast[i]);
    }
    int own = UserRecs.indexOf(r.ownedIds, s.item());
    int at = popular == null ? -1 : popular.indexOf(s.item());
    long buyers = 0;
    if (own >= 0 && own < r.ownedBuyers.length && r.ownedBuyers[own] > 0) {
      buyers = r.ownedBuyers[own];
    } else if (at >= 0) {
      buyers = popular.purchases[at];
    }
    long recent = 0;
    if (at >= 0) {
      double age = Math.max(24 * 3600 * 1000.0, popular.asOf - popular.firstSeen[at]);
      recent =
          Math.round(popular.purchases[at] * Math.min(1.0, RankerFeatures.RECENT_WINDOW_MS / age));
    }
    return RankerFeatures.of(
        new RankerFeatures.Input(
            purchases,
            r.ownedIds.length,
            r.ownedIds.length == 0 ? 0 : RankerFeatures.days(lastPurchase, now),
            buyers,
            recent,
            own >= 0 ? r.ownedCounts[own] : 0,
            own >= 0 ? RankerFeatures.days(r.ownedLast[own], now) : 0,
            s.repeat(),
            s.co(),
            s.mf(),
            s.pop(),
            s.score()));
  }
}
