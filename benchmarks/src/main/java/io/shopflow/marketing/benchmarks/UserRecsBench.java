package io.shopflow.marketing.benchmarks;

import io.shopflow.marketing.schema.ItemStats;
import io.shopflow.marketing.schema.PopularItems;
import io.shopflow.marketing.schema.state.UserRecState;
import io.shopflow.marketing.udfs.recs.Isgd;
import io.shopflow.marketing.udfs.recs.PopularTracker;
import io.shopflow.marketing.udfs.recs.RecParams;
import io.shopflow.marketing.udfs.recs.UserRecs;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The user-side functions on the bounded worst case: a {@link UserRecState} full to {@code
 * maxOwned} (300) owned items and {@code maxCandidates} (300) candidates, all distinct, against a
 * bare {@link Isgd#dot} of two 32-dim factors measured in the same run.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class UserRecsBench {
  private static final long DAY = 24L * 3600 * 1000;

  final RecParams p = new RecParams();
  UserRecState state;

  // the candidates as they stand before each addCandidates (it replaces the arrays, never
  // writes into them, so restoring the references restores the state)
  String[] candIds;
  float[] candScores;
  long candAt;

  // one bought item's partners: half already candidates, half new, so the merge overflows
  // maxCandidates and takes the sort-and-truncate path
  String[] partners;
  int[] coCounts;
  long[] partnerCounts;
  long itemBuyers;
  long time;

  // the popular-items snapshot at its bound (2,000 items with factors) and the user's categories
  PopularItems snapshot;
  Map<String, Float> categoryShare;
  Map<String, double[]> factors;

  double[] a;
  double[] b;

  private static String id(int prefix, int i) {
    return prefix + String.format("%04d", i);
  }

  @Setup(Level.Trial)
  public void setUp() {
    Random rnd = new Random(42);
    long t0 = 1_293_000_000_000L; // Dec 2010, as in UCI
    state = UserRecs.fresh("uci-17850", p);
    factors = new HashMap<>();
    int owned = p.maxOwned;
    state.ownedIds = new String[owned];
    state.ownedCounts = new int[owned];
    state.ownedLast = new long[owned];
    for (int i = 0; i < owned; i++) {
      state.ownedIds[i] = id(1, i);
      state.ownedCounts[i] = 1 + rnd.nextInt(5);
      state.ownedLast[i] = t0 - i * DAY / 4;
    }
    int cands = p.maxCandidates;
    candIds = new String[cands];
    candScores = new float[cands];
    for (int i = 0; i < cands; i++) {
      candIds[i] = id(2, i);
      candScores[i] = rnd.nextFloat();
    }
    candAt = t0;
    state.candIds = candIds;
    state.candScores = candScores;
    state.candAt = candAt;

    int n = p.partnersPerItem;
    partners = new String[n];
    coCounts = new int[n];
    partnerCounts = new long[n];
    for (int i = 0; i < n; i++) {
      partners[i] = i % 2 == 0 ? id(2, rnd.nextInt(cands)) : id(3, i);
      coCounts[i] = 1 + rnd.nextInt(20);
      partnerCounts[i] = 20 + rnd.nextInt(500);
    }
    itemBuyers = 200;
    time = t0 + DAY;

    PopularTracker tracker = new PopularTracker(p);
    for (int i = 0; i < p.snapshotLimit; i++) {
      String item = id(4, i);
      tracker.update(
          new ItemStats(
              item,
              "category-" + (i % 200),
              20_000 - 5L * i,
              t0,
              t0,
              Isgd.init(item, p.factors, p.initScale)));
    }
    snapshot = tracker.snapshot();
    categoryShare = Map.of("category-3", 0.5f, "category-17", 0.3f, "category-150", 0.2f);
    for (String[] ids : new String[][] {state.ownedIds, candIds}) {
      for (String x : ids) {
        factors.put(x, Isgd.init(x, p.factors, p.initScale));
      }
    }
    a = Isgd.init("uci-17850", p.factors, p.initScale);
    b = Isgd.init("85123A", p.factors, p.initScale);
  }

  /** One bought item's 50 partners merged into 300 candidates (decay, merge, sort, cut to 300). */
  @Benchmark
  public String[] addCandidates() {
    state.candIds = candIds;
    state.candScores = candScores;
    state.candAt = candAt;
    UserRecs.addCandidates(state, partners, coCounts, partnerCounts, itemBuyers, 1f, time, p);
    return state.candIds;
  }

  /**
   * Top 20 over owned + candidates + popular, category and MF candidates from a 2,000-item snapshot
   * (MF scored over all of it), as {@code HybridRecommender.recommend} asks.
   */
  @Benchmark
  public List<UserRecs.Scored> rank() {
    return UserRecs.rank(state, a, 20, false, time, snapshot, categoryShare, p);
  }

  /** As the keyed-by-user operator asks at the end of a session: top 5, owned excluded. */
  @Benchmark
  public List<UserRecs.Scored> rankAsOperator() {
    return UserRecs.rank(state, a, 5, true, time, snapshot, categoryShare, p);
  }

  final double[] scores = new double[2_000];

  /** The MF score of every snapshot item in one pass per dimension, as {@code rank} takes it. */
  @Benchmark
  public double[] scoreSnapshot() {
    snapshot.dotAll(a, scores);
    return scores;
  }

  /** The same scores as one dot product per item. */
  @Benchmark
  public double[] scoreSnapshotItemByItem() {
    for (int i = 0; i < snapshot.size(); i++) {
      scores[i] = snapshot.dot(a, i);
    }
    return scores;
  }

  /** Baseline: one 32-dim dot product through the same BLAS. */
  @Benchmark
  public double dot() {
    return Isgd.dot(a, b);
  }
}
