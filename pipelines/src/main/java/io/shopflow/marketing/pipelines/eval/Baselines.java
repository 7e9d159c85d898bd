package io.shopflow.marketing.pipelines.eval;

import io.shopflow.marketing.udfs.recs.Recommender;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The three reference recommenders of {@code evaluate-recs}. Ids are interned to ints and all state
 * lives in primitive arrays, so that a full prequential pass over UCI Online Retail takes seconds.
 * Only {@code purchase} events are learned from; {@code now} is ignored.
 *
 * <ul>
 *   <li>{@link #popularity()}: global purchase counts so far, ties by item id.
 *   <li>{@link #repeatPopularity()}: the user's own past items by the user's purchase count, then
 *       most recent first, padded with popularity. With {@code excludeOwned} it is popularity minus
 *       the user's items.
 *   <li>{@link #itemKnn(int, long)}: cosine item-item kNN on the binary user-item matrix, sim(i,j)
 *       = co(i,j) / sqrt(n_i n_j), score(u,i) = sum of sim(i,j) over the user's distinct items j,
 *       using each item's top neighbours only; padded with popularity.
 * </ul>
 */
public final class Baselines {
  private Baselines() {}

  /** Global popularity. */
  public static Recommender popularity() {
    return new Popularity();
  }

  /** The user's own items first (count, then recency), then popularity. */
  public static Recommender repeatPopularity() {
    return new RepeatPopularity();
  }

  /**
   * Item-kNN keeping {@code neighbours} neighbours per item. {@code rebuildEvery} &gt; 0: the
   * neighbour lists are rebuilt from the exact co-occurrence counts after every that many observed
   * events (and stay empty before the first rebuild). 0: they are rebuilt lazily at the first
   * {@code recommend} after new observations (a one-off build at a train/test split).
   */
  public static Recommender itemKnn(int neighbours, long rebuildEvery) {
    return new ItemKnn(neighbours, rebuildEvery);
  }

  // ---------------------------------------------------------------------------------------------

  /** String ids to dense ints, in order of first appearance. */
  static final class Ids {
    private final Map<String, Integer> index = new HashMap<>();
    final List<String> names = new ArrayList<>();

    int intern(String id) {
      Integer i = index.get(id);
      if (i == null) {
        i = names.size();
        index.put(id, i);
        names.add(id);
      }
      return i;
    }

    int find(String id) {
      Integer i = index.get(id);
      return i == null ? -1 : i;
    }

    int size() {
      return names.size();
    }
  }

  /** Items sorted by purchase count (desc), then item id (asc), maintained incrementally. */
  static final class PopularityRanking {
    private final Ids items;
    private int[] order = new int[256];
    private int[] pos = new int[256];
    private int[] count = new int[256];
    private int size;

    PopularityRanking(Ids items) {
      this.items = items;
    }

    /** One more purchase of {@code item} (a new item enters with count 1). */
    void increment(int item) {
      if (item >= size) {
        if (item != size) {
          throw new IllegalStateException("items must be added in interning order");
        }
        if (size == order.length) {
          order = Arrays.copyOf(order, size * 2);
          pos = Arrays.copyOf(pos, size * 2);
          count = Arrays.copyOf(count, size * 2);
        }
        order[size] = item;
        pos[item] = size;
        count[item] = 0;
        size++;
      }
      int p = pos[item];
      int c = ++count[item];
      String name = items.names.get(item);
      // first position q in [0, p) whose item now ranks after `item` (predicate is monotone)
      int lo = 0;
      int hi = p;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        int x = order[mid];
        boolean after = count[x] < c || (count[x] == c && items.names.get(x).compareTo(name) > 0);
        if (after) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      if (lo < p) {
        System.arraycopy(order, lo, order, lo + 1, p - lo);
        for (int i = lo + 1; i <= p; i++) {
          pos[order[i]] = i;
        }
        order[lo] = item;
        pos[item] = lo;
      }
    }

    int count(int item) {
      return item < size ? count[item] : 0;
    }

    /** Appends the most popular items to {@code out} until it has {@code k}, skipping both sets. */
    void fill(List<String> out, int k, BitSet skip, BitSet alsoSkip) {
      for (int i = 0; i < size && out.size() < k; i++) {
        int item = order[i];
        if ((skip != null && skip.get(item)) || (alsoSkip != null && alsoSkip.get(item))) {
          continue;
        }
        out.add(items.names.get(item));
      }
    }
  }

  /** The {@code k} best (id, score) pairs offered, best first; ties keep the earlier offer. */
  static final class TopK {
    private final int k;
    private final int[] ids;
    private final double[] scores;
    private int size;

    TopK(int k) {
      this.k = k;
      this.ids = new int[Math.max(k, 1)];
      this.scores = new double[Math.max(k, 1)];
    }

    void clear() {
      size = 0;
    }

    void offer(int id, double score) {
      if (k == 0 || (size == k && score <= scores[k - 1])) {
        return;
      }
      int i = size < k ? size++ : k - 1;
      while (i > 0 && scores[i - 1] < score) {
        scores[i] = scores[i - 1];
        ids[i] = ids[i - 1];
        i--;
      }
      scores[i] = score;
      ids[i] = id;
    }

    int size() {
      return size;
    }

    int id(int rank) {
      return ids[rank];
    }
  }

  /** What every baseline keeps about a user. */
  static class UserState {
    final BitSet owned = new BitSet();
    int[] history = new int[8]; // distinct items, in order of first purchase
    int n;

    void add(int item) {
      if (n == history.length) {
        history = Arrays.copyOf(history, n * 2);
      }
      history[n++] = item;
      owned.set(item);
    }
  }

  /** Shared bookkeeping: ids, popularity, per-user distinct histories. */
  abstract static class Base<U extends UserState> implements Recommender {
    final Ids items = new Ids();
    final Ids userIds = new Ids();
    final List<U> users = new ArrayList<>();
    final PopularityRanking popularity = new PopularityRanking(items);
    long observed;

    abstract U newUser();

    /** After the shared state was updated; {@code novel}: first purchase of item by user. */
    void onObserve(U user, int item, boolean novel) {}

    @Override
    public final void observe(
        String user, String item, String eventType, String basketId, long time) {
      if (eventType != null && !"purchase".equals(eventType)) {
        return;
      }
      int i = items.intern(item);
      int u = userIds.intern(user);
      if (u == users.size()) {
        users.add(newUser());
      }
      popularity.increment(i);
      U state = users.get(u);
      boolean novel = !state.owned.get(i);
      observed++;
      onObserve(state, i, novel);
      if (novel) {
        state.add(i);
      }
    }

    U user(String user) {
      int u = userIds.find(user);
      return u < 0 ? null : users.get(u);
    }

    List<String> popular(int k, UserState user, boolean excludeOwned) {
      List<String> out = new ArrayList<>(k);
      popularity.fill(out, k, excludeOwned && user != null ? user.owned : null, null);
      return out;
    }
  }

  // ---------------------------------------------------------------------------------------------

  static final class Popularity extends Base<UserState> {
    @Override
    UserState newUser() {
      return new UserState();
    }

    @Override
    public List<String> recommend(String user, int k, boolean excludeOwned, long now) {
      return popular(k, user(user), excludeOwned);
    }

    @Override
    public String name() {
      return "popularity";
    }
  }

  static final class RepeatPopularity extends Base<RepeatPopularity.RepeatUser> {
    static final class RepeatUser extends UserState {
      final Map<Integer, Integer> slot = new HashMap<>(); // item -> index in history
      int[] counts = new int[8];
      long[] last = new long[8];
    }

    @Override
    RepeatUser newUser() {
      return new RepeatUser();
    }

    @Override
    void onObserve(RepeatUser u, int item, boolean novel) {
      int s;
      if (novel) {
        s = u.n; // add() appends it right after this hook
        if (s == u.counts.length) {
          u.counts = Arrays.copyOf(u.counts, s * 2);
          u.last = Arrays.copyOf(u.last, s * 2);
        }
        u.slot.put(item, s);
      } else {
        s = u.slot.get(item);
      }
      u.counts[s]++;
      u.last[s] = observed; // a sequence number: later purchase = more recent
    }

    @Override
    public List<String> recommend(String user, int k, boolean excludeOwned, long now) {
      RepeatUser u = user(user);
      if (u == null || excludeOwned) {
        return popular(k, u, excludeOwned);
      }
      TopK top = new TopK(k);
      for (int s = 0; s < u.n; s++) {
        top.offer(u.history[s], (double) u.counts[s] * (1L << 32) + u.last[s]);
      }
      List<String> out = new ArrayList<>(k);
      BitSet listed = new BitSet();
      for (int r = 0; r < top.size(); r++) {
        out.add(items.names.get(top.id(r)));
        listed.set(top.id(r));
      }
      popularity.fill(out, k, listed, null);
      return out;
    }

    @Override
    public String name() {
      return "repeat_popularity";
    }
  }

  static final class ItemKnn extends Base<ItemKnn.KnnUser> {
    static final class KnnUser extends UserState {
      float[] scores; // valid while version == ItemKnn.version
      int version = -1;
    }

    private final int neighbours;
    private final long rebuildEvery;

    /** co[i][j] for j &lt; i: users who bought both i and j. */
    private final List<int[]> co = new ArrayList<>();

    private int[] buyers = new int[256]; // n_i: distinct users per item
    private int[][] nbrItems = new int[0][];
    private float[][] nbrSims = new float[0][];
    private int built; // items covered by the neighbour lists
    private int version;
    private long sinceRebuild;
    private boolean dirty;
    private int rebuilds;

    ItemKnn(int neighbours, long rebuildEvery) {
      this.neighbours = neighbours;
      this.rebuildEvery = rebuildEvery;
    }

    @Override
    KnnUser newUser() {
      return new KnnUser();
    }

    @Override
    void onObserve(KnnUser u, int item, boolean novel) {
      while (co.size() < items.size()) {
        co.add(new int[co.size()]);
      }
      if (novel) {
        if (item >= buyers.length) {
          buyers = Arrays.copyOf(buyers, Math.max(buyers.length * 2, item + 1));
        }
        buyers[item]++;
        int[] row = co.get(item);
        for (int h = 0; h < u.n; h++) {
          int j = u.history[h];
          if (j < item) {
            row[j]++;
          } else {
            co.get(j)[item]++;
          }
        }
        if (u.version == version && u.scores != null) {
          addNeighbours(u.scores, item);
        }
      }
      dirty = true;
      if (rebuildEvery > 0 && ++sinceRebuild >= rebuildEvery) {
        rebuild();
      }
    }

    private void addNeighbours(float[] scores, int item) {
      if (item < built) {
        int[] ni = nbrItems[item];
        float[] ns = nbrSims[item];
        for (int x = 0; x < ni.length; x++) {
          scores[ni[x]] += ns[x];
        }
      }
    }

    /** Recomputes every item's top neighbours from the exact counts so far. */
    void rebuild() {
      int n = items.size();
      int kk = neighbours;
      float[] hs = new float[n * kk];
      int[] hi = new int[n * kk];
      int[] hn = new int[n];
      for (int i = 1; i < n; i++) {
        int[] row = co.get(i);
        for (int j = 0; j < i; j++) {
          int c = row[j];
          if (c > 0) {
            float s = (float) (c / Math.sqrt((double) buyers[i] * buyers[j]));
            offer(hs, hi, hn, kk, i, j, s);
            offer(hs, hi, hn, kk, j, i, s);
          }
        }
      }
      nbrItems = new int[n][];
      nbrSims = new float[n][];
      for (int i = 0; i < n; i++) {
        nbrItems[i] = Arrays.copyOfRange(hi, i * kk, i * kk + hn[i]);
        nbrSims[i] = Arrays.copyOfRange(hs, i * kk, i * kk + hn[i]);
      }
      built = n;
      version++;
      rebuilds++;
      sinceRebuild = 0;
      dirty = false;
    }

    /** Min-heap of size kk per item, stored in slices of the flat arrays. */
    private static void offer(float[] hs, int[] hi, int[] hn, int kk, int item, int nbr, float s) {
      int base = item * kk;
      int size = hn[item];
      if (size < kk) {
        int c = size;
        hn[item] = size + 1;
        while (c > 0) {
          int p = (c - 1) >>> 1;
          if (hs[base + p] <= s) {
            break;
          }
          hs[base + c] = hs[base + p];
          hi[base + c] = hi[base + p];
          c = p;
        }
        hs[base + c] = s;
        hi[base + c] = nbr;
        return;
      }
      if (s <= hs[base]) {
        return;
      }
      int c = 0;
      while (true) {
        int l = 2 * c + 1;
        if (l >= kk) {
          break;
        }
        int r = l + 1;
        int m = r < kk && hs[base + r] < hs[base + l] ? r : l;
        if (hs[base + m] >= s) {
          break;
        }
        hs[base + c] = hs[base + m];
        hi[base + c] = hi[base + m];
        c = m;
      }
      hs[base + c] = s;
      hi[base + c] = nbr;
    }

    int rebuilds() {
      return rebuilds;
    }

    @Override
    public List<String> recommend(String user, int k, boolean excludeOwned, long now) {
      if (rebuildEvery <= 0 && dirty) {
        rebuild();
      }
      KnnUser u = user(user);
      if (u == null) {
        return popular(k, null, excludeOwned);
      }
      if (u.version != version) {
        if (u.scores == null || u.scores.length < built) {
          u.scores = new float[built];
        } else {
          Arrays.fill(u.scores, 0f);
        }
        for (int h = 0; h < u.n; h++) {
          addNeighbours(u.scores, u.history[h]);
        }
        u.version = version;
      }
      TopK top = new TopK(k);
      float[] s = u.scores;
      for (int i = 0; i < built; i++) {
        if (s[i] > 0f && !(excludeOwned && u.owned.get(i))) {
          top.offer(i, s[i]);
        }
      }
      List<String> out = new ArrayList<>(k);
      BitSet listed = new BitSet();
      for (int r = 0; r < top.size(); r++) {
        out.add(items.names.get(top.id(r)));
        listed.set(top.id(r));
      }
      popularity.fill(out, k, listed, excludeOwned ? u.owned : null);
      return out;
    }

    @Override
    public String name() {
      return "item_knn";
    }
  }
}
