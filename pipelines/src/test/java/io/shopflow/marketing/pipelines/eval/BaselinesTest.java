package io.shopflow.marketing.pipelines.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.udfs.recs.Recommender;
import org.junit.jupiter.api.Test;

/** Each baseline on a tiny hand-made purchase sequence. */
class BaselinesTest {
  private static void buy(Recommender r, String user, String... items) {
    for (String item : items) {
      r.observe(user, item, "purchase", null, 0L);
    }
  }

  @Test
  void popularityRanksByCountThenItemId() {
    Recommender r = Baselines.popularity();
    buy(r, "u1", "b", "c");
    buy(r, "u2", "c", "a");
    buy(r, "u3", "a", "a", "z", "y");

    // a: 3, c: 2, then b, y, z with 1 each (by id)
    assertThat(r.recommend("nobody", 10, false, 0)).containsExactly("a", "c", "b", "y", "z");
    assertThat(r.recommend("u1", 2, false, 0)).containsExactly("a", "c");
    assertThat(r.recommend("u1", 10, true, 0)).containsExactly("a", "y", "z");
    assertThat(r.name()).isEqualTo("popularity");

    buy(r, "u4", "z", "z", "z");
    assertThat(r.recommend("u4", 3, false, 0)).containsExactly("z", "a", "c");
  }

  @Test
  void popularityIgnoresNonPurchases() {
    Recommender r = Baselines.popularity();
    buy(r, "u1", "a");
    r.observe("u1", "b", "view", null, 0L);
    r.observe("u1", "b", "view", null, 0L);

    assertThat(r.recommend("u2", 5, false, 0)).containsExactly("a");
  }

  @Test
  void repeatPutsTheUsersOwnItemsFirstByCountThenRecency() {
    Recommender r = Baselines.repeatPopularity();
    buy(r, "others", "p", "p", "p", "q", "q");
    buy(r, "u1", "x", "y", "y", "z");

    // y twice; x and z once each, z more recent; then popularity p, q (y already listed)
    assertThat(r.recommend("u1", 10, false, 0)).containsExactly("y", "z", "x", "p", "q");
    assertThat(r.recommend("u1", 2, false, 0)).containsExactly("y", "z");
    // excludeOwned: popularity without the user's items
    assertThat(r.recommend("u1", 10, true, 0)).containsExactly("p", "q");
    assertThat(r.recommend("stranger", 2, false, 0)).containsExactly("p", "q");
    assertThat(r.name()).isEqualTo("repeat_popularity");
  }

  /** a and b are bought together; c is more popular, but by people who do not buy a. */
  private static void coBought(Recommender r) {
    buy(r, "u1", "a", "b");
    buy(r, "u2", "a", "b");
    buy(r, "u3", "a", "c");
    buy(r, "u6", "c");
    buy(r, "u7", "c");
    buy(r, "u8", "c", "d");
    buy(r, "u5", "a");
  }

  @Test
  void itemKnnSuggestsTheCoBoughtItem() {
    Recommender pop = Baselines.popularity();
    coBought(pop);
    assertThat(pop.recommend("u5", 2, true, 0)).containsExactly("c", "b");

    // sim(a,b) = 2 / sqrt(4 * 2) > sim(a,c) = 1 / sqrt(4 * 4); d has no link to a: padding
    Recommender knn = Baselines.itemKnn(50, 0);
    coBought(knn);
    assertThat(knn.recommend("u5", 3, true, 0)).containsExactly("b", "c", "d");
    assertThat(knn.recommend("u5", 2, false, 0)).containsExactly("b", "c");
    assertThat(knn.name()).isEqualTo("item_knn");
  }

  @Test
  void itemKnnSumsSimilaritiesOverTheHistory() {
    Recommender knn = Baselines.itemKnn(50, 0);
    coBought(knn);
    buy(knn, "u11", "c", "d");
    buy(knn, "u9", "a", "d");
    // n_a = 5, n_b = 2, n_c = 5, n_d = 3: sim(a,b) = 2/sqrt(10) = 0.632 beats sim(c,d) = 2/sqrt(15)
    // = 0.516 alone, but c also gets sim(a,c) = 1/5: 0.716 for u9, who has a and d
    assertThat(knn.recommend("u9", 2, true, 0)).containsExactly("c", "b");
  }

  @Test
  void itemKnnWithPeriodicRebuildsIsPopularityUntilTheFirstRebuild() {
    Recommender knn = Baselines.itemKnn(50, 12);
    coBought(knn); // 11 events: no rebuild yet
    assertThat(knn.recommend("u5", 2, true, 0)).containsExactly("c", "b");

    buy(knn, "u10", "e"); // 12th event: rebuild from the exact counts so far
    assertThat(knn.recommend("u5", 2, true, 0)).containsExactly("b", "c");
    // e has no neighbours: popularity without e (a 4, c 4, b 2)
    assertThat(knn.recommend("u10", 3, true, 0)).containsExactly("a", "c", "b");

    // a new item in the history adds its (already built) neighbours to the user's scores
    buy(knn, "u10", "a");
    assertThat(knn.recommend("u10", 3, true, 0)).containsExactly("b", "c", "d");
  }

  @Test
  void itemKnnKeepsOnlyTheTopNeighbours() {
    Recommender knn = Baselines.itemKnn(1, 0);
    coBought(knn);
    buy(knn, "u11", "c", "d");
    buy(knn, "u9", "a", "d");
    // as above, but a keeps only b and d keeps only c: b 0.632 > c 0.516
    assertThat(knn.recommend("u9", 2, true, 0)).containsExactly("b", "c");
  }
}
