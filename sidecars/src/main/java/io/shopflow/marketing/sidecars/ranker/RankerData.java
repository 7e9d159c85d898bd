package io.shopflow.marketing.sidecars.ranker;

import io.shopflow.marketing.udfs.inference.RankerFeatures;
import io.shopflow.marketing.udfs.recs.HybridRecommender;
import io.shopflow.marketing.udfs.recs.Purchases.Purchase;
import io.shopflow.marketing.udfs.recs.UserRecs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state at a cut-off instant, as the streaming job would hold it: the hybrid recommender fed
 * with every purchase before the cut-off, plus the per-user and per-item counts the ranker's
 * features need. Candidates are the hybrid's top items; {@link #features} builds a candidate's row
 * with {@link RankerFeatures}.
 */
public final class RankerData {
  /** One user's purchase history before the cut-off. */
  static final class UserStats {
    long purchases;
    long last;
    final Map<String, long[]> items = new HashMap<>(); // item -> {count, last time}
  }

  private final HybridRecommender hybrid = new HybridRecommender();
  private final Map<String, UserStats> users = new HashMap<>();
  private final Map<String, Set<String>> buyers = new HashMap<>();
  private final Map<String, Integer> recent = new HashMap<>();
  private long cutoff = Long.MIN_VALUE;

  /** Observes every purchase strictly before {@code cutoff}, in order. */
  public RankerData(List<Purchase> events, long cutoff) {
    advance(events, cutoff);
  }

  /**
   * Moves the cut-off forward: observes, in order, the purchases in [previous cut-off, {@code
   * cutoff}).
   */
  public void advance(List<Purchase> events, long newCutoff) {
    if (newCutoff < cutoff) {
      throw new IllegalArgumentException("the cut-off only moves forward");
    }
    long from = cutoff;
    cutoff = newCutoff;
    for (Purchase p : events) {
      if (p.time() >= cutoff || p.time() < from) {
        continue;
      }
      hybrid.observe(p.user(), p.item(), p.category(), "purchase", p.basket(), p.time());
      UserStats u = users.computeIfAbsent(p.user(), x -> new UserStats());
      u.purchases++;
      u.last = Math.max(u.last, p.time());
      long[] c = u.items.computeIfAbsent(p.item(), x -> new long[2]);
      c[0]++;
      c[1] = Math.max(c[1], p.time());
      buyers.computeIfAbsent(p.item(), x -> new HashSet<>()).add(p.user());
    }
    recent.clear();
    for (Purchase p : events) {
      if (p.time() < cutoff && p.time() >= cutoff - RankerFeatures.RECENT_WINDOW_MS) {
        recent.merge(p.item(), 1, Integer::sum);
      }
    }
  }

  public long cutoff() {
    return cutoff;
  }

  /** Distinct items each user bought in {@code [from, to)}. */
  public static Map<String, Set<String>> boughtBetween(List<Purchase> events, long from, long to) {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    for (Purchase p : events) {
      if (p.time() >= from && p.time() < to) {
        out.computeIfAbsent(p.user(), x -> new LinkedHashSet<>()).add(p.item());
      }
    }
    return out;
  }

  /** Items the user bought before the cut-off. */
  public Set<String> owned(String user) {
    UserStats u = users.get(user);
    return u == null ? Set.of() : u.items.keySet();
  }

  /** The hybrid's top {@code k}, best first, with the parts of each score. */
  public List<UserRecs.Scored> candidates(String user, int k, boolean excludeOwned) {
    return hybrid.recommendScored(user, k, excludeOwned, cutoff);
  }

  /** The union of the top {@code k} with and without owned items (training candidates). */
  public List<UserRecs.Scored> trainingCandidates(String user, int k) {
    Map<String, UserRecs.Scored> all = new LinkedHashMap<>();
    for (UserRecs.Scored s : candidates(user, k, false)) {
      all.put(s.item(), s);
    }
    for (UserRecs.Scored s : candidates(user, k, true)) {
      all.putIfAbsent(s.item(), s);
    }
    return new ArrayList<>(all.values());
  }

  /** The ranker's feature row of one candidate. */
  public float[] features(String user, UserRecs.Scored s) {
    UserStats u = users.get(user);
    long[] c = u == null ? null : u.items.get(s.item());
    Set<String> b = buyers.get(s.item());
    return RankerFeatures.of(
        new RankerFeatures.Input(
            u == null ? 0 : u.purchases,
            u == null ? 0 : u.items.size(),
            u == null ? 0 : RankerFeatures.days(u.last, cutoff),
            b == null ? 0 : b.size(),
            recent.getOrDefault(s.item(), 0),
            c == null ? 0 : c[0],
            c == null ? 0 : RankerFeatures.days(c[1], cutoff),
            s.repeat(),
            s.co(),
            s.mf(),
            s.pop(),
            s.score()));
  }
}
