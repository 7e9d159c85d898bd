package io.shopflow.marketing.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The recently viewed and bought lists: the newest first, each item once, bounded. */
class RecentItemsTest {
  @Test
  void theNewestItemGoesFirstOnceAndTheOldestFallsOffBeyondTheBound() {
    String[] r = UserJourneyFunction.pushRecent(null, "a", 3);
    r = UserJourneyFunction.pushRecent(r, "b", 3);
    r = UserJourneyFunction.pushRecent(r, "c", 3);
    assertThat(r).containsExactly("c", "b", "a");
    r = UserJourneyFunction.pushRecent(r, "a", 3);
    assertThat(r).containsExactly("a", "c", "b");
    r = UserJourneyFunction.pushRecent(r, "a", 3);
    assertThat(r).containsExactly("a", "c", "b");
    r = UserJourneyFunction.pushRecent(r, "d", 3);
    assertThat(r).containsExactly("d", "a", "c");
    assertThat(UserJourneyFunction.pushRecent(r, "e", 1)).containsExactly("e");
    assertThat(UserJourneyFunction.pushRecent(r, "d", 2)).containsExactly("d", "a");
    assertThat(UserJourneyFunction.pushRecent(new String[0], "x", 0)).containsExactly("x");
  }

  @Test
  void agreesWithAListThatMovesTheItemToTheFront() {
    Random random = new Random(11);
    for (int max : new int[] {1, 2, 5, 10}) {
      String[] r = null;
      List<String> model = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        String item = "sku-" + random.nextInt(max * 2 + 1);
        r = UserJourneyFunction.pushRecent(r, item, max);
        model.remove(item);
        model.add(0, item);
        while (model.size() > max) {
          model.remove(model.size() - 1);
        }
        assertThat(r).containsExactlyElementsOf(model);
      }
    }
  }
}
