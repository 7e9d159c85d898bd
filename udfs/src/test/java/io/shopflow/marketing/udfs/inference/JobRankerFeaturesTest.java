package io.shopflow.marketing.udfs.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.schema.PopularItems;
import io.shopflow.marketing.schema.state.UserRecState;
import io.shopflow.marketing.udfs.recs.UserRecs;
import org.junit.jupiter.api.Test;

/** The ranker's feature row as the job builds it from its bounded state and the snapshot. */
class JobRankerFeaturesTest {
  static final long DAY = 24 * 3600 * 1000L;
  static final long NOW = 1_000 * DAY;

  static UserRecState bought() {
    UserRecState r = new UserRecState();
    r.ownedIds = new String[] {"tea", "cup"};
    r.ownedCounts = new int[] {3, 1};
    r.ownedLast = new long[] {NOW - 2 * DAY, NOW - 10 * DAY};
    r.ownedBuyers = new long[] {40, 7};
    return r;
  }

  static PopularItems snapshot() {
    PopularItems p = new PopularItems();
    p.asOf = NOW;
    p.ids = new String[] {"mug", "tea"};
    p.categories = new String[] {"kitchen", "drinks"};
    p.purchases = new long[] {120, 90};
    p.firstSeen = new long[] {NOW - 60 * DAY, NOW - 10 * DAY};
    return p;
  }

  static UserRecs.Scored scored(String item) {
    return new UserRecs.Scored(item, 0.9f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, "popular now");
  }

  @Test
  void anOwnedItemCarriesTheUsersCountsAndItsBuyersAtTheLastPurchase() {
    float[] f = JobRankerFeatures.of(bought(), scored("tea"), NOW, snapshot());

    assertThat(f).hasSize(RankerFeatures.SIZE);
    assertThat(f[0]).isEqualTo((float) Math.log1p(4)); // user_purchases: 3 + 1 lines
    assertThat(f[1]).isEqualTo((float) Math.log1p(2)); // user_distinct_items
    assertThat(f[2]).isEqualTo((float) Math.log1p(2)); // days since the last purchase
    assertThat(f[3]).isEqualTo((float) Math.log1p(40)); // item_buyers from the user's state
    assertThat(f[4]).isEqualTo((float) Math.log1p(90)); // new item (10 days): all its purchases
    assertThat(f[5]).isEqualTo(1f);
    assertThat(f[6]).isEqualTo((float) Math.log1p(3));
    assertThat(f[7]).isEqualTo((float) Math.log1p(2));
    assertThat(f).endsWith(0.1f, 0.2f, 0.3f, 0.4f, 0.9f);
  }

  @Test
  void aSnapshotItemNotOwnedEstimatesItsRecentPurchasesFromItsAge() {
    float[] f = JobRankerFeatures.of(bought(), scored("mug"), NOW, snapshot());

    assertThat(f[3]).isEqualTo((float) Math.log1p(120)); // snapshot purchases stand in for buyers
    assertThat(f[4]).isEqualTo((float) Math.log1p(60)); // 120 purchases in 60 days -> 60 in 30
    assertThat(f[5]).isZero();
    assertThat(f[6]).isZero();
    assertThat(f[7]).isZero();
  }

  @Test
  void anItemOutsideTheSnapshotAndANewUserGiveZeros() {
    float[] f = JobRankerFeatures.of(new UserRecState(), scored("lamp"), NOW, null);

    for (int i = 0; i < 8; i++) {
      assertThat(f[i]).as(RankerFeatures.NAMES[i]).isZero();
    }
    assertThat(f[12]).isEqualTo(0.9f);
  }
}
