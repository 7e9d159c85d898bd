package io.shopflow.marketing.udfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.shopflow.marketing.schema.state.DecayedScores;
import org.junit.jupiter.api.Test;

class AffinitiesTest {
  private static final long DAY = 86_400_000L;

  @Test
  void weightIsAddedAtTheLaterOfTheTwoTimesWithTheOlderOneDecayed() {
    DecayedScores s = new DecayedScores();
    assertThat(Affinities.bump(s, "mugs", 2, 0, DAY)).isTrue();
    assertThat(Affinities.bump(s, "mugs", 2, DAY, DAY)).isFalse();
    assertThat(s.scores[0]).isCloseTo(3.0, within(1e-12)); // 2 halved + 2
    assertThat(s.updatedAt[0]).isEqualTo(DAY);

    // A late event adds its weight decayed to the score's time, which stays.
    Affinities.bump(s, "mugs", 4, 0, DAY);
    assertThat(s.scores[0]).isCloseTo(5.0, within(1e-12));
    assertThat(s.updatedAt[0]).isEqualTo(DAY);
  }

  @Test
  void keysStayInKeyOrderWithTheirScores() {
    DecayedScores s = new DecayedScores();
    for (String k : new String[] {"m", "c", "x", "a", "c", "q"}) {
      Affinities.bump(s, k, k.charAt(0), 0, DAY);
    }
    assertThat(s.keys).containsExactly("a", "c", "m", "q", "x");
    assertThat(s.scores).containsExactly('a', 2.0 * 'c', 'm', 'q', 'x');
  }

  @Test
  void pruneKeepsTheStrongestAsOfNowAndOfEqualScoresTheGreaterKeys() {
    DecayedScores s = new DecayedScores();
    Affinities.bump(s, "old-strong", 8, 0, DAY); // 8 at day 0: 1 at day 3
    Affinities.bump(s, "new-weak", 2, 3 * DAY, DAY);
    Affinities.bump(s, "b-tie", 1, 3 * DAY, DAY);
    Affinities.bump(s, "a-tie", 1, 3 * DAY, DAY);
    Affinities.bump(s, "c-tie", 1, 3 * DAY, DAY);

    Affinities.prune(s, 3, 3 * DAY, DAY);

    // Scores as of day 3: new-weak 2, then four at 1 (old-strong among them): the two smallest
    // keys of those go.
    assertThat(s.keys).containsExactly("c-tie", "new-weak", "old-strong");
    assertThat(s.scores).containsExactly(1.0, 2.0, 8.0);
    assertThat(s.updatedAt).containsExactly(3 * DAY, 3 * DAY, 0L);
  }

  @Test
  void theStrongestAreRankedAsOfNowWithEqualScoresInKeyOrder() {
    DecayedScores s = new DecayedScores();
    Affinities.bump(s, "old-strong", 8, 0, DAY); // 1 at day 3
    Affinities.bump(s, "new-weak", 2, 3 * DAY, DAY);
    Affinities.bump(s, "b-tie", 1, 3 * DAY, DAY);
    Affinities.bump(s, "a-tie", 1, 3 * DAY, DAY);

    assertThat(Affinities.strongest(s, 3 * DAY, DAY, 3))
        .containsExactly("new-weak", "a-tie", "b-tie");
    assertThat(Affinities.strongest(s, 0, DAY, 1)).containsExactly("old-strong");
    assertThat(Affinities.strongest(null, 0, DAY, 3)).isEmpty();
  }

  @Test
  void pruneWithinTheBoundChangesNothing() {
    DecayedScores s = new DecayedScores();
    Affinities.bump(s, "a", 1, 0, DAY);
    Affinities.bump(s, "b", 2, 0, DAY);
    Affinities.prune(s, 2, DAY, DAY);
    assertThat(s.keys).containsExactly("a", "b");
  }
}
