package io.shopflow.marketing.udfs.recs;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.schema.state.UserRecState;
import java.util.List;
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
    String[] pop = {"candle", "tea"};
    long[] popCounts = {100, 50};
    List<UserRecs.Scored> withOwned = UserRecs.rank(s, 3, false, 7, pop, popCounts, id -> null, p);
    assertThat(withOwned).extracting(UserRecs.Scored::item).first().isEqualTo("tea");
    List<UserRecs.Scored> novel = UserRecs.rank(s, 3, true, 7, pop, popCounts, id -> null, p);
    assertThat(novel)
        .extracting(UserRecs.Scored::item)
        .doesNotContain("tea", "mug")
        .contains("biscuits", "candle");
  }

  @Test
  void coldStartUserGetsPopularItems() {
    List<UserRecs.Scored> r =
        UserRecs.rank(
            new UserRecState(),
            2,
            true,
            0,
            new String[] {"a", "b", "c"},
            new long[] {9, 5, 1},
            id -> null,
            p);
    assertThat(r).extracting(UserRecs.Scored::item).containsExactly("a", "b");
  }
}
