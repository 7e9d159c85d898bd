package io.shopflow.marketing.udfs.recs;

import io.shopflow.marketing.schema.PopularItems;
import io.shopflow.marketing.schema.state.DecayedScore;
import io.shopflow.marketing.schema.state.DecayedScores;
import io.shopflow.marketing.schema.state.UserRecState;
import io.shopflow.marketing.udfs.Affinities;
import io.shopflow.marketing.udfs.Decay;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

  /**
   * Scored candidate with the parts of its score and its strongest signal in words, for
   * explanations.
   */
  public record Scored(
      String item,
      float score,
      float repeat,
      float co,
      float mf,
      float pop,
      float content,
      String reason) {}

  /**
   * Ranks the candidates by {@code (1 - alpha) * cf + alpha * content}, {@code cf = wRepeat*repeat
   * + wCo*co + wMf*mf + wPop*pop}. Candidates: the user's owned items (unless excluded), their
   * co-buyer candidates and, from the popular-items snapshot, the top items overall, the top items
   * of the user's favourite categories, new items in those categories and the best items by MF
   * score. MF, popularity and content are known for the snapshot's items.
   *
   * @param userFactor the user's MF factor, or null
   * @param popular the latest popular-items snapshot, or null before the first one
   * @param categoryShare the user's decayed category affinities as shares of their total (0..1)
   */
  public static List<Scored> rank(
      UserRecState s,
      double[] userFactor,
      int k,
      boolean excludeOwned,
      long now,
      PopularItems popular,
      Map<String, Float> categoryShare,
      RecParams p) {
    return rank(s, userFactor, k, excludeOwned, now, popular, categoryShare, p, Set.of());
  }

  /**
   * As above, with {@code leaveOut} items never returned (candidates are found as without them, so
   * the result is the full ranking with those items removed).
   */
  public static List<Scored> rank(
      UserRecState s,
      double[] userFactor,
      int k,
      boolean excludeOwned,
      long now,
      PopularItems popular,
      Map<String, Float> categoryShare,
      RecParams p,
      Set<String> leaveOut) {
    int n = popular == null ? 0 : popular.size();
    // Candidates in the snapshot are kept by position in reusable arrays (no map, no second
    // lookup, the MF score of the scan reused); the others (owned and co-buyer items outside the
    // snapshot) in a small map.
    RankScratch w = RANK_SCRATCH.get().begin(n);
    Map<String, float[]> outside = new HashMap<>();
    Set<String> owned = excludeOwned ? new HashSet<>(Arrays.asList(s.ownedIds)) : Set.of();
    if (!excludeOwned) {
      for (int i = 0; i < s.ownedIds.length; i++) {
        float rec = decay(s.ownedLast[i], now, p.halfLifeMs);
        float v = log1pOfCount(s.ownedCounts[i]) + 0.5f * rec;
        w.signal(s.ownedIds[i], REPEAT, v, popular, outside);
      }
    }
    float candDecay = decay(s.candAt, now, p.candidateHalfLifeMs);
    for (int i = 0; i < s.candIds.length; i++) {
      if (excludeOwned && owned.contains(s.candIds[i])) {
        continue;
      }
      w.signal(s.candIds[i], CO, s.candScores[i] * candDecay, popular, outside);
    }
    boolean mfScanned = false;
    if (n > 0) {
      java.util.function.IntPredicate allowed =
          i -> !(excludeOwned && owned.contains(popular.ids[i]));
      for (int i = 0; i < n && i < p.popularCandidates; i++) {
        if (allowed.test(i)) {
          w.add(i);
        }
      }
      // Cold start by category: the most bought and the newest items of the user's favourite
      // categories (the snapshot is ordered by purchases).
      List<String> favourites = topKeys(categoryShare, p.topCategories);
      for (String c : favourites) {
        int taken = 0;
        for (int i : popular.inCategory(c)) {
          if (taken >= p.categoryCandidates) {
            break;
          }
          if (allowed.test(i)) {
            w.add(i);
            w.byCategory[i] = w.epoch;
            taken++;
          }
        }
      }
      // New items of the favourite categories: first seen within the window of the snapshot (a
      // superset of those new at now, which is never before the snapshot's time in the job),
      // checked against now. Walks whichever is shorter, the new items or the favourite
      // categories' items (when most of the snapshot is new, as in a young shop or the bench).
      int[] newest = popular.firstSeenWithin(p.newItemWindowMs);
      int inFavourites = 0;
      for (String c : favourites) {
        inFavourites += popular.inCategory(c).length;
      }
      if (inFavourites < newest.length) {
        for (String c : favourites) {
          for (int i : popular.inCategory(c)) {
            if (popular.asOf - popular.firstSeen[i] <= p.newItemWindowMs
                && now - popular.firstSeen[i] <= p.newItemWindowMs
                && allowed.test(i)) {
              w.add(i);
              w.byCategory[i] = w.epoch;
            }
          }
        }
      } else {
        for (int i : newest) {
          if (now - popular.firstSeen[i] <= p.newItemWindowMs
              && popular.categories[i] != null // List.of().contains(null) throws
              && favourites.contains(popular.categories[i])
              && allowed.test(i)) {
            w.add(i);
            w.byCategory[i] = w.epoch;
          }
        }
      }
      if (userFactor != null && p.mfCandidates > 0) {
        popular.dotAll(userFactor, w.mf);
        // A bounded min-heap of the best MF scores; the score first: most items cannot enter it,
        // and for them the (dearer) owned-item lookup is skipped.
        w.heapSize = 0;
        for (int i = 0; i < n; i++) {
          double score = w.mf[i];
          if (w.heapSize == p.mfCandidates && score <= w.heapScore[0] || !allowed.test(i)) {
            continue;
          }
          w.heapOffer(score, i, p.mfCandidates);
        }
        mfScanned = true;
        for (int j = 0; j < w.heapSize; j++) {
          w.add(w.heapItem[j]);
        }
      }
    }
    double maxPop = n == 0 ? 1 : Math.log1p(Math.max(1, popular.purchases[0]));
    Comparator<Scored> order =
        (a, b) ->
            a.score() != b.score()
                ? Float.compare(b.score(), a.score())
                : a.item().compareTo(b.item());
    TopK top = new TopK(k, order);
    for (int j = 0; j < w.count; j++) {
      int at = w.members[j];
      String item = popular.ids[at];
      if (!leaveOut.isEmpty() && leaveOut.contains(item)) {
        continue;
      }
      float mf = (float) (mfScanned ? w.mf[at] : popular.dot(userFactor, at));
      float pop = (float) (Math.log1p(popular.purchases[at]) / maxPop);
      String category = popular.categories[at];
      float content = category == null ? 0 : categoryShare.getOrDefault(category, 0f);
      top.offer(item, w.repeat[at], w.co[at], mf, pop, content, p);
    }
    for (Map.Entry<String, float[]> e : outside.entrySet()) {
      if (!leaveOut.isEmpty() && leaveOut.contains(e.getKey())) {
        continue;
      }
      float[] v = e.getValue();
      top.offer(e.getKey(), v[0], v[1], 0, 0, 0, p);
    }
    // Explanations only for what is returned.
    List<Scored> named = new ArrayList<>(k);
    for (Scored x : top.sorted()) {
      int at = n == 0 ? -1 : popular.indexOf(x.item());
      String category = at >= 0 ? popular.categories[at] : null;
      boolean isNew = at >= 0 && now - popular.firstSeen[at] <= p.newItemWindowMs;
      float[] v = {x.repeat(), x.co(), x.mf(), x.pop(), x.content()};
      boolean byCategory = at >= 0 && w.byCategory[at] == w.epoch;
      named.add(
          new Scored(
              x.item(),
              x.score(),
              x.repeat(),
              x.co(),
              x.mf(),
              x.pop(),
              x.content(),
              reason(v, p, category, isNew, byCategory)));
    }
    return named;
  }

  private static final int REPEAT = 0;
  private static final int CO = 1;

  private static final ThreadLocal<RankScratch> RANK_SCRATCH =
      ThreadLocal.withInitial(RankScratch::new);

  /**
   * Per-thread arrays over the snapshot's positions, reused across calls: an entry belongs to the
   * current call when its stamp equals the call's epoch, so nothing is cleared between calls.
   */
  private static final class RankScratch {
    int epoch;
    int[] member = new int[0];
    int[] byCategory = new int[0];
    int[] members = new int[0];
    int count;
    float[] repeat = new float[0];
    float[] co = new float[0];
    double[] mf = new double[0];
    // the MF candidates' min-heap (score, position), sifted as java.util.PriorityQueue does
    double[] heapScore = new double[0];
    int[] heapItem = new int[0];
    int heapSize;

    RankScratch begin(int n) {
      if (member.length < n) {
        member = new int[n];
        byCategory = new int[n];
        members = new int[n];
        repeat = new float[n];
        co = new float[n];
        mf = new double[n];
        epoch = 0;
      }
      if (++epoch == Integer.MAX_VALUE) {
        Arrays.fill(member, 0);
        Arrays.fill(byCategory, 0);
        epoch = 1;
      }
      count = 0;
      return this;
    }

    /**
     * Sets a repeat or co-buyer signal of {@code item}: by position when the snapshot holds it,
     * else in {@code outside} (index {@code which} of its two signals).
     */
    void signal(
        String item, int which, float v, PopularItems popular, Map<String, float[]> outside) {
      int at = popular == null || popular.size() == 0 ? -1 : popular.indexOf(item);
      if (at >= 0) {
        add(at);
        (which == REPEAT ? repeat : co)[at] = v;
      } else {
        outside.computeIfAbsent(item, x -> new float[2])[which] = v;
      }
    }

    /**
     * Adds {@code (score, at)} to the heap of at most {@code bound} entries, first removing its
     * lowest when full.
     */
    void heapOffer(double score, int at, int bound) {
      if (heapScore.length < bound) {
        heapScore = Arrays.copyOf(heapScore, bound);
        heapItem = Arrays.copyOf(heapItem, bound);
      }
      if (heapSize == bound) {
        // poll: the last entry sifts down from the root
        int last = --heapSize;
        siftDown(heapScore[last], heapItem[last]);
      }
      int k = heapSize++;
      while (k > 0) {
        int parent = (k - 1) >>> 1;
        if (Double.compare(score, heapScore[parent]) >= 0) {
          break;
        }
        heapScore[k] = heapScore[parent];
        heapItem[k] = heapItem[parent];
        k = parent;
      }
      heapScore[k] = score;
      heapItem[k] = at;
    }

    private void siftDown(double score, int at) {
      int size = heapSize;
      int k = 0;
      int half = size >>> 1;
      while (k < half) {
        int child = (k << 1) + 1;
        int right = child + 1;
        if (right < size && Double.compare(heapScore[child], heapScore[right]) > 0) {
          child = right;
        }
        if (Double.compare(score, heapScore[child]) <= 0) {
          break;
        }
        heapScore[k] = heapScore[child];
        heapItem[k] = heapItem[child];
        k = child;
      }
      if (size > 0) {
        heapScore[k] = score;
        heapItem[k] = at;
      }
    }

    /** Makes position {@code at} a candidate of this call (its signals start at zero). */
    void add(int at) {
      if (member[at] != epoch) {
        member[at] = epoch;
        repeat[at] = 0;
        co[at] = 0;
        members[count++] = at;
      }
    }
  }

  /**
   * The best {@code k} candidates in {@code order}: a bounded heap, and a {@link Scored} built only
   * for a candidate that enters it.
   */
  private static final class TopK {
    private final int k;
    private final Comparator<Scored> order;
    private final java.util.PriorityQueue<Scored> worstFirst;

    TopK(int k, Comparator<Scored> order) {
      this.k = k;
      this.order = order;
      this.worstFirst = new java.util.PriorityQueue<>(Math.max(1, k + 1), order.reversed());
    }

    void offer(
        String item, float repeat, float co, float mf, float pop, float content, RecParams p) {
      if (k <= 0) {
        return;
      }
      float cf = p.wRepeat * repeat + p.wCo * co + p.wMf * mf + p.wPop * pop;
      float score = (1 - p.alpha) * cf + p.alpha * content;
      if (worstFirst.size() >= k) {
        Scored worst = worstFirst.peek();
        boolean better =
            score != worst.score() ? score > worst.score() : item.compareTo(worst.item()) < 0;
        if (!better) {
          return;
        }
        worstFirst.poll();
      }
      worstFirst.add(new Scored(item, score, repeat, co, mf, pop, content, null));
    }

    List<Scored> sorted() {
      List<Scored> top = new ArrayList<>(worstFirst);
      top.sort(order);
      return top;
    }
  }

  /** The strongest weighted signal of a candidate, in words. */
  static String reason(float[] v, RecParams p, String category, boolean isNew, boolean byCategory) {
    float cf = 1 - p.alpha;
    float[] w = {
      cf * p.wRepeat * v[0],
      cf * p.wCo * v[1],
      cf * p.wMf * v[2],
      cf * p.wPop * v[3],
      p.alpha * v[4]
    };
    int best = 0;
    for (int i = 1; i < w.length; i++) {
      if (w[i] > w[best]) {
        best = i;
      }
    }
    if (w[best] <= 0) {
      return "popular now";
    }
    return switch (best) {
      case 0 -> "you buy it regularly";
      case 1 -> "often bought with what you bought or viewed";
      case 2 -> "shoppers with similar taste bought it";
      case 3 -> byCategory && category != null ? "popular in " + category : "popular now";
      default -> isNew ? "new in " + category : "matches your interest in " + category;
    };
  }

  /** Adds {@code w} to a decayed score in {@code m} at time {@code t}. */
  public static void bump(
      Map<String, DecayedScore> m, String key, double w, long t, long halfLifeMs) {
    DecayedScore cur = m.get(key);
    if (cur == null) {
      m.put(key, new DecayedScore(w, t));
      return;
    }
    m.put(
        key,
        new DecayedScore(
            Affinities.added(cur.score, cur.updatedAt, w, t, halfLifeMs),
            Math.max(cur.updatedAt, t)));
  }

  /**
   * Scores {@code values} (of {@code keys}) as shares of their sum, summed in the given order; none
   * when the sum is not positive.
   */
  private static Map<String, Float> sharesOf(String[] keys, double[] values) {
    double total = 0;
    for (double v : values) {
      total += v;
    }
    if (total <= 0) {
      return Map.of();
    }
    Map<String, Float> out = new HashMap<>();
    for (int i = 0; i < values.length; i++) {
      out.put(keys[i], (float) ((float) values[i] / total));
    }
    return out;
  }

  // Math.log1p is StrictMath's native code: a JNI-like call per owned item of every ranking.
  private static final float[] LOG1P_OF_SMALL_COUNTS = new float[256];

  static {
    for (int i = 0; i < LOG1P_OF_SMALL_COUNTS.length; i++) {
      LOG1P_OF_SMALL_COUNTS[i] = (float) Math.log1p(i);
    }
  }

  /** {@code (float) Math.log1p(count)}, from a table for the usual small counts. */
  static float log1pOfCount(int count) {
    return count >= 0 && count < LOG1P_OF_SMALL_COUNTS.length
        ? LOG1P_OF_SMALL_COUNTS[count]
        : (float) Math.log1p(count);
  }

  /**
   * A user's decayed affinities as of {@code now}, as shares of their sum (content similarity,
   * 0..1); none for null.
   */
  public static Map<String, Float> shares(DecayedScores scores, long now, long halfLifeMs) {
    return scores == null
        ? Map.of()
        : sharesOf(scores.keys, Affinities.decayed(scores, now, halfLifeMs));
  }

  /** As above over a map (summed in its iteration order). */
  public static Map<String, Float> shares(
      Map<String, DecayedScore> scores, long now, long halfLifeMs) {
    if (scores == null) {
      return Map.of();
    }
    String[] keys = new String[scores.size()];
    double[] values = new double[keys.length];
    int i = 0;
    for (Map.Entry<String, DecayedScore> e : scores.entrySet()) {
      keys[i] = e.getKey();
      values[i++] = Decay.decayed(e.getValue().score, e.getValue().updatedAt, now, halfLifeMs);
    }
    return sharesOf(keys, values);
  }

  /** The {@code k} keys with the highest values, best first (ties by key). */
  static List<String> topKeys(Map<String, Float> m, int k) {
    if (m == null || m.isEmpty() || k <= 0) {
      return List.of();
    }
    List<Map.Entry<String, Float>> all = new ArrayList<>(m.entrySet());
    all.sort(
        Comparator.<Map.Entry<String, Float>>comparingDouble(e -> -e.getValue())
            .thenComparing(Map.Entry::getKey));
    List<String> out = new ArrayList<>(Math.min(k, all.size()));
    for (int i = 0; i < all.size() && i < k; i++) {
      out.add(all.get(i).getKey());
    }
    return out;
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
