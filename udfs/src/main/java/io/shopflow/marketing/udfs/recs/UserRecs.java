package io.shopflow.marketing.udfs.recs;

import io.shopflow.marketing.schema.state.UserRecState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The user side of the hybrid recommender, as pure functions over {@link UserRecState}: the same
 * code runs in the keyed-by-user Flink operator and in {@code evaluate-recs}.
 */
public final class UserRecs {
  private UserRecs() {}

  public static UserRecState fresh(String user, RecParams p) {
    UserRecState s = new UserRecState();
    s.factor = Isgd.init(user, p.factors, p.initScale);
    return s;
  }

  /** Remembers a purchase: most recent first, bounded by {@code maxOwned}. */
  public static void recordOwned(UserRecState s, String item, long time, RecParams p) {
    recordOwned(s, item, time, 0, p);
  }

  /** As above, remembering the item's distinct buyers at this purchase. */
  public static void recordOwned(UserRecState s, String item, long time, long buyers, RecParams p) {
    int at = indexOf(s.ownedIds, item);
    int count = at >= 0 ? s.ownedCounts[at] + 1 : 1;
    int n = s.ownedIds.length;
    int size = at >= 0 ? n : Math.min(n + 1, p.maxOwned);
    String[] ids = new String[size];
    int[] counts = new int[size];
    long[] last = new long[size];
    long[] buyersOf = new long[size];
    ids[0] = item;
    counts[0] = count;
    last[0] = time;
    buyersOf[0] = buyers;
    int w = 1;
    for (int r = 0; r < n && w < size; r++) {
      if (r != at) {
        ids[w] = s.ownedIds[r];
        counts[w] = s.ownedCounts[r];
        last[w] = s.ownedLast[r];
        buyersOf[w] = r < s.ownedBuyers.length ? s.ownedBuyers[r] : 0;
        w++;
      }
    }
    s.ownedIds = ids;
    s.ownedCounts = counts;
    s.ownedLast = last;
    s.ownedBuyers = buyersOf;
  }

  /**
   * Adds the partners of a bought item to the user's candidates, weighted by the confidence co(i,j)
   * / (n_i + shrink); older candidate scores decay with the half-life.
   */
  public static void addCandidates(
      UserRecState s,
      String[] partners,
      int[] coCounts,
      long itemCount,
      float weight,
      long time,
      RecParams p) {
    addCandidates(s, partners, coCounts, null, itemCount, weight, time, p);
  }

  /**
   * As above; with {@code partnerCounts} (purchases of each partner, n_j) and {@code p.cosine} the
   * weight is the cosine co(i,j) / sqrt(n_i * n_j).
   */
  public static void addCandidates(
      UserRecState s,
      String[] partners,
      int[] coCounts,
      long[] partnerCounts,
      long itemCount,
      float weight,
      long time,
      RecParams p) {
    if (partners.length == 0) {
      return;
    }
    float decay = decay(s.candAt, time, p.candidateHalfLifeMs);
    Map<String, Float> m = new HashMap<>(s.candIds.length + partners.length);
    for (int i = 0; i < s.candIds.length; i++) {
      m.put(s.candIds[i], s.candScores[i] * decay);
    }
    float denom = itemCount + p.confidenceShrink;
    for (int i = 0; i < partners.length; i++) {
      float w =
          p.cosine && partnerCounts != null
              ? (float)
                  (coCounts[i]
                      / Math.sqrt((double) Math.max(1, itemCount) * Math.max(1, partnerCounts[i])))
              : coCounts[i] / denom;
      m.merge(partners[i], weight * w, Float::sum);
    }
    List<Map.Entry<String, Float>> all = new ArrayList<>(m.entrySet());
    if (all.size() > p.maxCandidates) {
      all.sort((a, b) -> Float.compare(b.getValue(), a.getValue()));
      all = all.subList(0, p.maxCandidates);
    }
    s.candIds = new String[all.size()];
    s.candScores = new float[all.size()];
    for (int i = 0; i < all.size(); i++) {
      s.candIds[i] = all.get(i).getKey();
      s.candScores[i] = all.get(i).getValue();
    }
    s.candAt = Math.max(s.candAt, time);
  }

  /** Scored candidate with the parts of its score, for explanations. */
  public record Scored(String item, float score, float repeat, float co, float mf, float pop) {}

  /**
   * Ranks the union of owned items (unless excluded), co-purchase candidates and popular items by
   * {@code wRepeat*repeat + wCo*co + wMf*mf + wPop*pop}.
   *
   * @param popularIds popular items, best first; {@code popularCounts} their purchase counts
   * @param itemFactor factor of an item, or null when unknown
   */
  public static List<Scored> rank(
      UserRecState s,
      int k,
      boolean excludeOwned,
      long now,
      String[] popularIds,
      long[] popularCounts,
      Function<String, double[]> itemFactor,
      RecParams p) {
    Set<String> owned = new HashSet<>(Arrays.asList(s.ownedIds));
    Map<String, float[]> parts = new HashMap<>();
    if (!excludeOwned) {
      for (int i = 0; i < s.ownedIds.length; i++) {
        float rec = decay(s.ownedLast[i], now, p.halfLifeMs);
        parts.computeIfAbsent(s.ownedIds[i], x -> new float[4])[0] =
            (float) Math.log1p(s.ownedCounts[i]) + 0.5f * rec;
      }
    }
    float candDecay = decay(s.candAt, now, p.candidateHalfLifeMs);
    for (int i = 0; i < s.candIds.length; i++) {
      if (excludeOwned && owned.contains(s.candIds[i])) {
        continue;
      }
      parts.computeIfAbsent(s.candIds[i], x -> new float[4])[1] = s.candScores[i] * candDecay;
    }
    double maxPop = popularCounts.length == 0 ? 1 : Math.log1p(popularCounts[0]);
    Map<String, Float> popScore = new HashMap<>();
    for (int i = 0; i < popularIds.length; i++) {
      popScore.put(popularIds[i], (float) (Math.log1p(popularCounts[i]) / maxPop));
      if (i < p.popularCandidates && !(excludeOwned && owned.contains(popularIds[i]))) {
        parts.computeIfAbsent(popularIds[i], x -> new float[4]);
      }
    }
    List<Scored> out = new ArrayList<>(parts.size());
    for (Map.Entry<String, float[]> e : parts.entrySet()) {
      float[] v = e.getValue();
      double[] q = p.wMf == 0 ? null : itemFactor.apply(e.getKey());
      v[2] = q == null || s.factor == null ? 0 : (float) Isgd.dot(s.factor, q);
      v[3] = popScore.getOrDefault(e.getKey(), 0f);
      float score = p.wRepeat * v[0] + p.wCo * v[1] + p.wMf * v[2] + p.wPop * v[3];
      out.add(new Scored(e.getKey(), score, v[0], v[1], v[2], v[3]));
    }
    out.sort(
        (a, b) ->
            a.score() != b.score()
                ? Float.compare(b.score(), a.score())
                : a.item().compareTo(b.item()));
    return out.size() > k ? new ArrayList<>(out.subList(0, k)) : out;
  }

  static float decay(long from, long to, long halfLifeMs) {
    if (to <= from || from == 0) {
      return 1f;
    }
    return (float) Math.pow(0.5, (double) (to - from) / halfLifeMs);
  }

  public static int indexOf(String[] a, String x) {
    for (int i = 0; i < a.length; i++) {
      if (a[i].equals(x)) {
        return i;
      }
    }
    return -1;
  }
}
