package io.shopflow.marketing.benchmarks;

import io.shopflow.marketing.udfs.recs.HybridRecommender;
import io.shopflow.marketing.udfs.recs.Isgd;
import io.shopflow.marketing.udfs.recs.Purchases.Purchase;
import io.shopflow.marketing.udfs.recs.RecParams;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The in-process hybrid recommender ({@link HybridRecommender}, default {@link RecParams}) warmed
 * on the first {@code warm} clean purchases of UCI Online Retail: one purchase update, one top-20
 * request, and the bare ISGD step as the baseline measured in the same run.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class RecommenderBench {

  /** Clean purchases used to warm the model; the rest of the file is held out. */
  @Param("200000")
  public int warm;

  private static List<Purchase> data;

  static synchronized List<Purchase> purchases() throws IOException {
    if (data == null) {
      data = UciPurchases.load(UciPurchases.defaultFile(), 0);
    }
    return data;
  }

  static HybridRecommender warmed(List<Purchase> ps, int n) {
    HybridRecommender r = new HybridRecommender(new RecParams());
    for (int i = 0; i < n; i++) {
      Purchase q = ps.get(i);
      r.observe(q.user(), q.item(), "purchase", q.basket(), q.time());
    }
    return r;
  }

  private List<Purchase> all;

  @Setup(Level.Trial)
  public void load() throws IOException {
    all = purchases();
    if (warm <= 0 || warm >= all.size()) {
      throw new IllegalArgumentException(
          "warm must be in (0, " + all.size() + "): the rest is held out");
    }
  }

  /**
   * The model for {@code observe}: rebuilt before every iteration, so that each iteration replays
   * the held-out purchases from the same starting state (setup time is not measured).
   */
  @State(Scope.Benchmark)
  public static class Live {
    HybridRecommender model;
    Purchase[] heldOut;
    int next;
    int wraps;

    @Setup(Level.Iteration)
    public void rebuild(RecommenderBench b) {
      model = warmed(b.all, b.warm);
      heldOut = b.all.subList(b.warm, b.all.size()).toArray(new Purchase[0]);
      next = 0;
      wraps = 0;
    }

    @TearDown(Level.Iteration)
    public void report() {
      if (wraps > 0) {
        System.out.printf(
            "(observe: held-out purchases replayed %d times; repeats are cheaper)%n", wraps);
      }
    }
  }

  /** The warmed model for {@code recommendTop20}, plus its known users in a fixed random order. */
  @State(Scope.Benchmark)
  public static class Warmed {
    HybridRecommender model;
    String[] users;
    long now;
    int next;

    @Setup(Level.Trial)
    public void build(RecommenderBench b) {
      model = warmed(b.all, b.warm);
      LinkedHashSet<String> known = new LinkedHashSet<>();
      for (int i = 0; i < b.warm; i++) {
        known.add(b.all.get(i).user());
      }
      List<String> shuffled = new ArrayList<>(known);
      Collections.shuffle(shuffled, new Random(42));
      users = shuffled.toArray(new String[0]);
      now = b.all.get(b.warm).time();
    }
  }

  /** Two 32-dimensional factors, as the model keeps them. */
  @State(Scope.Thread)
  public static class Factors {
    final RecParams p = new RecParams();
    double[] user;
    double[] item;

    @Setup(Level.Trial)
    public void init() {
      user = Isgd.init("uci-17850", p.factors, p.initScale);
      item = Isgd.init("85123A", p.factors, p.initScale);
    }
  }

  /** One purchase: ISGD step, candidates from the item's partners, co-occurrence counts. */
  @Benchmark
  public HybridRecommender observe(Live s) {
    Purchase q = s.heldOut[s.next];
    if (++s.next == s.heldOut.length) {
      s.next = 0;
      s.wraps++;
    }
    s.model.observe(q.user(), q.item(), "purchase", q.basket(), q.time());
    return s.model;
  }

  /** Top 20 (owned items included, as the prequential evaluation asks) for a known user. */
  @Benchmark
  public List<String> recommendTop20(Warmed s) {
    String user = s.users[s.next];
    if (++s.next == s.users.length) {
      s.next = 0;
    }
    return s.model.recommend(user, 20, false, s.now);
  }

  /** Baseline: the bare MF step on two 32-dim factors. */
  @Benchmark
  public double isgdStepOnly(Factors f) {
    return Isgd.update(f.user, f.item, f.p.purchaseWeight, f.p);
  }
}
