package io.shopflow.marketing.schema.state;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SessionStateTest {
  @Test
  void countsViewsPerItemInItemOrder() {
    SessionState s = new SessionState();
    s.countView("b");
    s.countView("a");
    s.countView("b");
    s.countView("c");
    assertThat(s.viewedItems).containsExactly("a", "b", "c");
    assertThat(s.viewCounts).containsExactly(1, 2, 1);
  }

  @Test
  void anEngagedItemStaysEngagedWhateverIsViewedLater() {
    SessionState s = new SessionState();
    s.countView("a");
    s.markEngaged("a");
    s.markEngaged("z");
    s.countView("a");
    s.countView("z");
    assertThat(s.viewedItems).containsExactly("a", "z");
    assertThat(s.viewCounts).containsExactly(SessionState.ENGAGED, SessionState.ENGAGED);
  }

  @Test
  void tracksAtMostTheBoundOfDistinctItemsAndStillCountsTheTrackedOnes() {
    SessionState s = new SessionState();
    for (int i = 0; i < SessionState.MAX_VIEWED_ITEMS + 10; i++) {
      s.countView(String.format("item-%04d", i));
    }
    s.countView("item-0000");
    assertThat(s.viewedItems).hasSize(SessionState.MAX_VIEWED_ITEMS);
    assertThat(s.viewCounts[0]).isEqualTo(2);
  }
}
