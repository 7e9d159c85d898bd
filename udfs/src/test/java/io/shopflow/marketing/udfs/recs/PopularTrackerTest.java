package io.shopflow.marketing.udfs.recs;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.schema.ItemStats;
import io.shopflow.marketing.schema.PopularItems;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PopularTrackerTest {
  static final long HOUR = 3_600_000L;
  final RecParams p = new RecParams();

  @Test
  void snapshotHoldsTheTopItemsTheTopOfEachCategoryAndTheNewestItems() {
    p.popularSnapshotSize = 2;
    p.perCategorySnapshot = 1;
    p.newItemsSnapshot = 1;
    p.factors = 2;
    PopularTracker t = new PopularTracker(p);
    t.update(new ItemStats("a", "cups", 50, 0, 10, new double[] {1, 2}));
    t.update(new ItemStats("b", "cups", 40, 0, 10, null));
    t.update(new ItemStats("c", "cups", 30, 0, 10, null));
    t.update(new ItemStats("lamp", "lighting", 3, 0, 10, null));
    t.update(new ItemStats("new", "lighting", 0, 20, 20, null));

    PopularItems s = t.snapshot();

    assertThat(s.ids).containsExactly("a", "b", "lamp", "new");
    assertThat(s.categories).containsExactly("cups", "cups", "lighting", "lighting");
    assertThat(s.purchases).containsExactly(50, 40, 3, 0);
    assertThat(Arrays.copyOfRange(s.factors, 0, 2)).containsExactly(1, 2);
    assertThat(Arrays.copyOfRange(s.factors, 2, 4)).containsExactly(0, 0);
    assertThat(s.indexOf("lamp")).isEqualTo(2);
    assertThat(s.indexOf("c")).isEqualTo(-1);
    assertThat(s.asOf).isEqualTo(20);
  }

  @Test
  void laterReportsKeepTheFirstSeenTimeAndTheLastKnownFactor() {
    p.factors = 1;
    PopularTracker t = new PopularTracker(p);
    t.update(new ItemStats("a", "cups", 0, 5, 5, new double[] {0.5}));
    t.update(new ItemStats("a", null, 1, 9, 9, null));
    PopularItems s = t.snapshot();
    assertThat(s.firstSeen).containsExactly(5);
    assertThat(s.categories).containsExactly("cups");
    assertThat(s.factors).containsExactly(0.5);
  }

  @Test
  void aSnapshotIsDueAfterEnoughReportsOrEnoughEventTime() {
    p.snapshotEveryUpdates = 3;
    p.snapshotEveryMs = HOUR;
    PopularTracker t = new PopularTracker(p);
    assertThat(t.due()).isFalse();
    t.update(new ItemStats("a", "x", 1, 0, 0, null));
    assertThat(t.due()).isTrue(); // the first one
    t.snapshot();
    assertThat(t.due()).isFalse();
    t.update(new ItemStats("a", "x", 2, 0, 10, null));
    t.update(new ItemStats("b", "x", 1, 0, 20, null));
    assertThat(t.due()).isFalse();
    t.update(new ItemStats("c", "x", 1, 0, 30, null));
    assertThat(t.due()).isTrue(); // three reports
    t.snapshot();
    t.update(new ItemStats("a", "x", 3, 0, 30 + HOUR, null));
    assertThat(t.due()).isTrue(); // an hour of event time
  }

  @Test
  void trackedItemsStayBoundedDroppingTheLeastBoughtOldItems() {
    p.trackedItems = 100;
    p.newItemWindowMs = HOUR;
    PopularTracker t = new PopularTracker(p);
    long now = 10 * HOUR;
    for (int i = 0; i < 1_000; i++) {
      t.update(new ItemStats("old-" + i, "x", i, 0, now, null));
    }
    assertThat(t.size()).isLessThanOrEqualTo(125);
    PopularItems s = t.snapshot();
    assertThat(s.ids[0]).isEqualTo("old-999");
    assertThat(s.ids).doesNotContain("old-0", "old-500");
  }
}
