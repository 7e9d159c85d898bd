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
  void topKIsTheHeadOfTheFullSort() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(3);
    java.util.Comparator<int[]> order =
        (a, b) -> a[0] != b[0] ? Integer.compare(b[0], a[0]) : Integer.compare(a[1], b[1]);
    for (int round = 0; round < 200; round++) {
      List<int[]> all = new java.util.ArrayList<>();
      int n = r.nextInt(0, 60);
      for (int i = 0; i < n; i++) {
        all.add(new int[] {r.nextInt(0, 10), i}); // many ties on the score, broken by id
      }
      int k = r.nextInt(0, 12);
      List<int[]> sorted = new java.util.ArrayList<>(all);
      sorted.sort(order);
      List<int[]> expected = sorted.subList(0, Math.min(k, n));
      assertThat(UserRecs.topK(all, k, order)).containsExactlyElementsOf(expected);
    }
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
