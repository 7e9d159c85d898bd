package io.shopflow.marketing.udfs.recs;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.schema.ItemStats;
import io.shopflow.marketing.schema.PopularItems;
import io.shopflow.marketing.schema.state.DecayedScore;
import io.shopflow.marketing.schema.state.UserRecState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UserRecsTest {
  final RecParams p = new RecParams();
  static final long DAY = 86_400_000L;

  @Test
  void ownedItemsAreMostRecentFirstWithCountsAndBounded() {
    p.maxOwned = 3;
    UserRecState s = new UserRecState();
    UserRecs.recordOwned(s, "a", 1, p);
    UserRecs.recordOwned(s, "b", 2, p);
    UserRecs.recordOwned(s, "a", 3, p);
    assertThat(s.ownedIds).containsExactly("a", "b");
    assertThat(s.ownedCounts).containsExactly(2, 1);
    UserRecs.recordOwned(s, "c", 4, p);
    UserRecs.recordOwned(s, "d", 5, p);
    assertThat(s.ownedIds).containsExactly("d", "c", "a");
  }

  @Test
  void candidatesAccumulateConfidenceDecayAndStayBounded() {
    p.maxCandidates = 2;
    p.confidenceShrink = 0;
    UserRecState s = new UserRecState();
    UserRecs.addCandidates(s, new String[] {"x", "y", "z"}, new int[] {8, 4, 2}, 10, 1f, DAY, p);
    assertThat(s.candIds).containsExactlyInAnyOrder("x", "y");
    assertThat(s.candScores[java.util.Arrays.asList(s.candIds).indexOf("x")]).isEqualTo(0.8f);
    // One half-life later the old scores count half.
    UserRecs.addCandidates(
        s, new String[] {"y"}, new int[] {10}, 10, 1f, DAY + p.candidateHalfLifeMs, p);
    int y = java.util.Arrays.asList(s.candIds).indexOf("y");
    assertThat(s.candScores[y]).isCloseTo(0.2f + 1.0f, org.assertj.core.data.Offset.offset(1e-5f));
  }

  @Test
  void rankPutsRegularPurchasesFirstAndExcludesOwnedWhenAsked() {
    UserRecState s = new UserRecState();
    for (int i = 0; i < 5; i++) {
      UserRecs.recordOwned(s, "tea", i, p);
    }
    UserRecs.recordOwned(s, "mug", 6, p);
    UserRecs.addCandidates(s, new String[] {"biscuits"}, new int[] {3}, 5, 1f, 6, p);
    PopularItems pop = snapshot(stats("candle", "home", 100, 0), stats("tea", "food", 50, 0));
    List<UserRecs.Scored> withOwned = UserRecs.rank(s, null, 3, false, 7, pop, Map.of(), p);
    assertThat(withOwned).extracting(UserRecs.Scored::item).first().isEqualTo("tea");
    assertThat(withOwned.get(0).reason()).isEqualTo("you buy it regularly");
    List<UserRecs.Scored> novel = UserRecs.rank(s, null, 3, true, 7, pop, Map.of(), p);
    assertThat(novel)
        .extracting(UserRecs.Scored::item)
        .doesNotContain("tea", "mug")
        .contains("biscuits", "candle");
  }

  @Test
  void coldStartUserGetsPopularItems() {
    PopularItems pop =
        snapshot(stats("a", "x", 9, 0), stats("b", "x", 5, 0), stats("c", "x", 1, 0));
    List<UserRecs.Scored> r = UserRecs.rank(new UserRecState(), null, 2, true, 0, pop, Map.of(), p);
    assertThat(r).extracting(UserRecs.Scored::item).containsExactly("a", "b");
    assertThat(r.get(0).reason()).isEqualTo("popular now");
  }

  @Test
  void rankWithoutAnySnapshotUsesOnlyTheUsersOwnSignals() {
    UserRecState s = new UserRecState();
    UserRecs.addCandidates(s, new String[] {"biscuits"}, new int[] {3}, 5, 1f, 6, p);
    assertThat(UserRecs.rank(s, null, 5, true, 7, null, Map.of(), p))
        .extracting(UserRecs.Scored::item)
        .containsExactly("biscuits");
  }

  @Test
  void userWithCategoryInterestGetsThatCategorysBestSellersAheadOfGlobalOnes() {
    p.popularCandidates = 1; // only "mug" comes in as a global candidate
    PopularItems pop =
        snapshot(
            stats("mug", "kitchen", 100, 0),
            stats("cup", "kitchen", 90, 0),
            stats("lantern", "lighting", 40, 0),
            stats("candle", "lighting", 30, 0));
    List<UserRecs.Scored> r =
        UserRecs.rank(new UserRecState(), null, 3, true, 100 * DAY, pop, Map.of("lighting", 1f), p);
    assertThat(r).extracting(UserRecs.Scored::item).containsExactly("lantern", "candle", "mug");
    assertThat(r.get(0).content()).isEqualTo(1f);
    assertThat(r.get(0).reason()).isEqualTo("matches your interest in lighting");
  }

  @Test
  void newItemInAFavouriteCategoryIsExposedAlthoughNobodyBoughtIt() {
    p.popularCandidates = 1;
    p.categoryCandidates = 0;
    long now = 100 * DAY;
    PopularItems pop =
        snapshot(
            stats("mug", "kitchen", 100, 0),
            stats("old-lamp", "lighting", 0, 0),
            stats("new-lamp", "lighting", 0, now - DAY));
    List<UserRecs.Scored> r =
        UserRecs.rank(new UserRecState(), null, 3, true, now, pop, Map.of("lighting", 1f), p);
    assertThat(r).extracting(UserRecs.Scored::item).contains("new-lamp").doesNotContain("old-lamp");
    assertThat(
            r.stream().filter(x -> x.item().equals("new-lamp")).findFirst().orElseThrow().reason())
        .isEqualTo("new in lighting");
  }

  @Test
  void mfCandidatesAreTheSnapshotItemsClosestToTheUserFactor() {
    p.popularCandidates = 0;
    p.factors = 2;
    p.wMf = 1;
    p.alpha = 0;
    PopularItems pop =
        snapshot(
            stats("a", "x", 9, 0, 1, 0), stats("b", "x", 5, 0, 0, 1), stats("c", "x", 1, 0, -1, 0));
    p.mfCandidates = 1;
    List<UserRecs.Scored> r =
        UserRecs.rank(new UserRecState(), new double[] {0, 2}, 5, true, 0, pop, Map.of(), p);
    assertThat(r).extracting(UserRecs.Scored::item).containsExactly("b");
    assertThat(r.get(0).mf()).isEqualTo(2f);
    assertThat(r.get(0).reason()).isEqualTo("shoppers with similar taste bought it");
  }

  @Test
  void theTableOfSmallCountsGivesWhatLog1pGives() {
    for (int count = -3; count < 2_000; count++) {
      assertThat(Float.valueOf(UserRecs.log1pOfCount(count)))
          .isEqualTo(Float.valueOf((float) Math.log1p(count)));
    }
  }

  @Test
  void categorySharesOfAUsersAffinitiesAreThoseOfTheSameScoresInAMap() {
    Map<String, DecayedScore> m = new java.util.HashMap<>();
    io.shopflow.marketing.schema.state.DecayedScores a =
        new io.shopflow.marketing.schema.state.DecayedScores();
    String[] categories = {"mugs", "candles", "lamps", "mugs", "books", "candles"};
    for (int i = 0; i < categories.length; i++) {
      UserRecs.bump(m, categories[i], i + 1, i * DAY / 3, DAY);
      io.shopflow.marketing.udfs.Affinities.bump(a, categories[i], i + 1, i * DAY / 3, DAY);
    }
    assertThat(UserRecs.shares(a, 2 * DAY, DAY)).isEqualTo(UserRecs.shares(m, 2 * DAY, DAY));
    assertThat(UserRecs.shares((io.shopflow.marketing.schema.state.DecayedScores) null, 0, DAY))
        .isEmpty();
  }

  @Test
  void categorySharesAreDecayedScoresOverTheirTotal() {
    Map<String, DecayedScore> m = new java.util.HashMap<>();
    UserRecs.bump(m, "a", 1, 0, DAY);
    UserRecs.bump(m, "b", 1, DAY, DAY); // a has halved by then
    Map<String, Float> shares = UserRecs.shares(m, DAY, DAY);
    assertThat(shares.get("a")).isCloseTo(1f / 3, org.assertj.core.data.Offset.offset(1e-6f));
    assertThat(shares.get("b")).isCloseTo(2f / 3, org.assertj.core.data.Offset.offset(1e-6f));
  }

  ItemStats stats(String id, String category, long purchases, long firstSeen, double... factor) {
    return new ItemStats(
        id, category, purchases, firstSeen, firstSeen, factor.length == 0 ? null : factor);
  }

  PopularItems snapshot(ItemStats... stats) {
    PopularTracker t = new PopularTracker(p);
    for (ItemStats s : stats) {
      t.update(s);
    }
    return t.snapshot();
  }

  @Test
  void rankEqualsScoringEveryCandidateAndSortingThemAll() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(3);
    int compared = 0;
    for (int round = 0; round < 300; round++) {
      PopularItems pop = randomSnapshot(r, r.nextInt(0, 120));
      UserRecState s = new UserRecState();
      int owned = r.nextInt(0, 15);
      for (int i = 0; i < owned; i++) {
        UserRecs.recordOwned(s, "i" + r.nextInt(0, 200), r.nextLong(0, 100 * DAY), p);
      }
      int cands = r.nextInt(0, 30);
      String[] ids = new String[cands];
      int[] counts = new int[cands];
      for (int i = 0; i < cands; i++) {
        ids[i] = "i" + r.nextInt(0, 200);
        counts[i] = r.nextInt(1, 9);
      }
      UserRecs.addCandidates(
          s,
          java.util.Arrays.stream(ids).distinct().toArray(String[]::new),
          counts,
          10,
          1f,
          DAY,
          p);
      double[] factor = r.nextInt(4) == 0 ? null : gaussian(r, pop.dims);
      Map<String, Float> share = new java.util.HashMap<>();
      for (int c = 0; c < 6; c++) {
        if (r.nextBoolean()) {
          share.put("c" + c, (float) r.nextDouble());
        }
      }
      java.util.Set<String> leaveOut = new java.util.HashSet<>();
      for (int i = r.nextInt(0, 4); i > 0; i--) {
        leaveOut.add("i" + r.nextInt(0, 200));
      }
      int k = r.nextInt(0, 25);
      boolean excludeOwned = r.nextBoolean();
      long now = 100 * DAY + r.nextLong(0, 10 * DAY);
      List<UserRecs.Scored> fast =
          UserRecs.rank(s, factor, k, excludeOwned, now, pop, share, p, leaveOut);
      List<UserRecs.Scored> all =
          scoreAllAndSort(s, factor, excludeOwned, now, pop, share, leaveOut);
      assertThat(fast)
          .as("round %d", round)
          .containsExactlyElementsOf(all.subList(0, Math.min(k, all.size())));
      compared += fast.size();
    }
    assertThat(compared).isGreaterThan(2_000);
  }

  private static double[] gaussian(java.util.SplittableRandom r, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextDouble(-1, 1);
    }
    return v;
  }

  /** A snapshot of {@code n} of the items i0..i199, best first, with categories and factors. */
  private static PopularItems randomSnapshot(java.util.SplittableRandom r, int n) {
    PopularItems pop = new PopularItems();
    pop.dims = 4;
    pop.asOf = 100 * DAY;
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 200; i++) {
      ids.add("i" + i);
    }
    java.util.Collections.shuffle(ids, new java.util.Random(r.nextLong()));
    pop.ids = ids.subList(0, n).toArray(String[]::new);
    pop.categories = new String[n];
    pop.purchases = new long[n];
    pop.firstSeen = new long[n];
    pop.factors = new double[n * pop.dims];
    long purchases = 10_000;
    for (int i = 0; i < n; i++) {
      pop.categories[i] = r.nextInt(8) == 0 ? null : "c" + r.nextInt(0, 6);
      purchases -= r.nextInt(0, 50);
      pop.purchases[i] = Math.max(1, purchases);
      pop.firstSeen[i] = pop.asOf - r.nextLong(0, 60 * DAY);
      System.arraycopy(gaussian(r, pop.dims), 0, pop.factors, i * pop.dims, pop.dims);
    }
    return pop;
  }

  /**
   * The ranking written the plain way, as the specification of {@code rank}: every candidate
   * scored, a full sort (MF candidates by sorting every allowed item's score; the random factors
   * make ties impossible).
   */
  private List<UserRecs.Scored> scoreAllAndSort(
      UserRecState s,
      double[] uf,
      boolean excludeOwned,
      long now,
      PopularItems pop,
      Map<String, Float> share,
      java.util.Set<String> leaveOut) {
    java.util.Set<String> owned = new java.util.HashSet<>(List.of(s.ownedIds));
    Map<String, float[]> parts = new java.util.HashMap<>();
    if (!excludeOwned) {
      for (int i = 0; i < s.ownedIds.length; i++) {
        parts.computeIfAbsent(s.ownedIds[i], x -> new float[5])[0] =
            (float) Math.log1p(s.ownedCounts[i])
                + 0.5f * UserRecs.decay(s.ownedLast[i], now, p.halfLifeMs);
      }
    }
    float candDecay = UserRecs.decay(s.candAt, now, p.candidateHalfLifeMs);
    for (int i = 0; i < s.candIds.length; i++) {
      if (!(excludeOwned && owned.contains(s.candIds[i]))) {
        parts.computeIfAbsent(s.candIds[i], x -> new float[5])[1] = s.candScores[i] * candDecay;
      }
    }
    java.util.Set<String> byCategory = new java.util.HashSet<>();
    int n = pop.size();
    java.util.function.IntPredicate allowed = i -> !(excludeOwned && owned.contains(pop.ids[i]));
    List<String> favourites = UserRecs.topKeys(share, p.topCategories);
    for (int i = 0; i < n && i < p.popularCandidates; i++) {
      if (allowed.test(i)) {
        parts.computeIfAbsent(pop.ids[i], x -> new float[5]);
      }
    }
    for (String c : favourites) {
      int taken = 0;
      for (int i = 0; i < n && taken < p.categoryCandidates; i++) {
        if (c.equals(pop.categories[i]) && allowed.test(i)) {
          parts.computeIfAbsent(pop.ids[i], x -> new float[5]);
          byCategory.add(pop.ids[i]);
          taken++;
        }
      }
    }
    for (int i = 0; i < n; i++) {
      if (now - pop.firstSeen[i] <= p.newItemWindowMs
          && pop.categories[i] != null
          && favourites.contains(pop.categories[i])
          && allowed.test(i)) {
        parts.computeIfAbsent(pop.ids[i], x -> new float[5]);
        byCategory.add(pop.ids[i]);
      }
    }
    if (uf != null && p.mfCandidates > 0) {
      java.util.stream.IntStream.range(0, n)
          .filter(allowed)
          .boxed()
          .sorted(java.util.Comparator.comparingDouble((Integer i) -> -pop.dot(uf, i)))
          .limit(p.mfCandidates)
          .forEach(i -> parts.computeIfAbsent(pop.ids[i], x -> new float[5]));
    }
    double maxPop = n == 0 ? 1 : Math.log1p(Math.max(1, pop.purchases[0]));
    List<UserRecs.Scored> out = new java.util.ArrayList<>();
    parts.forEach(
        (item, v) -> {
          if (leaveOut.contains(item)) {
            return;
          }
          int at = pop.indexOf(item);
          String category = null;
          if (at >= 0) {
            v[2] = (float) pop.dot(uf, at);
            v[3] = (float) (Math.log1p(pop.purchases[at]) / maxPop);
            category = pop.categories[at];
            v[4] = category == null ? 0 : share.getOrDefault(category, 0f);
          }
          float cf = p.wRepeat * v[0] + p.wCo * v[1] + p.wMf * v[2] + p.wPop * v[3];
          float score = (1 - p.alpha) * cf + p.alpha * v[4];
          boolean isNew = at >= 0 && now - pop.firstSeen[at] <= p.newItemWindowMs;
          out.add(
              new UserRecs.Scored(
                  item,
                  score,
                  v[0],
                  v[1],
                  v[2],
                  v[3],
                  v[4],
                  UserRecs.reason(v, p, category, isNew, byCategory.contains(item))));
        });
    out.sort(
        (a, b) ->
            a.score() != b.score()
                ? Float.compare(b.score(), a.score())
                : a.item().compareTo(b.item()));
    return out;
  }

  @Test
  void leavingItemsOutIsTheFullRankingWithoutThem() {
    UserRecState s = new UserRecState();
    UserRecs.recordOwned(s, "tea", 1, p);
    UserRecs.addCandidates(s, new String[] {"biscuits", "jam"}, new int[] {3, 2}, 5, 1f, 6, p);
    PopularItems pop =
        snapshot(
            stats("candle", "home", 100, 0),
            stats("mug", "home", 80, 0),
            stats("lamp", "home", 60, 0),
            stats("tea", "food", 50, 0));
    List<String> full =
        UserRecs.rank(s, null, 10, false, 7, pop, Map.of("home", 1f), p).stream()
            .map(UserRecs.Scored::item)
            .toList();
    java.util.Set<String> out = java.util.Set.of("candle", "jam");
    List<String> left =
        UserRecs.rank(s, null, 3, false, 7, pop, Map.of("home", 1f), p, out).stream()
            .map(UserRecs.Scored::item)
            .toList();
    assertThat(left)
        .containsExactlyElementsOf(full.stream().filter(x -> !out.contains(x)).limit(3).toList());
  }
}
