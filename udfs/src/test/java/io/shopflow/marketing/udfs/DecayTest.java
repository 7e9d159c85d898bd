package io.shopflow.marketing.udfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DecayTest {
  private static final long HALF_LIFE = Duration.ofDays(30).toMillis();
  private static final long T0 = 1_795_600_800_000L;

  @Test
  void oneHalfLifeHalvesTheScore() {
    assertThat(Decay.decayed(8.0, T0, T0 + HALF_LIFE, HALF_LIFE)).isCloseTo(4.0, within(1e-12));
  }

  @Test
  void twoHalfLivesQuarterTheScore() {
    assertThat(Decay.decayed(8.0, T0, T0 + 2 * HALF_LIFE, HALF_LIFE)).isCloseTo(2.0, within(1e-12));
  }

  @Test
  void decaysContinuouslyBetweenHalfLives() {
    double half = Decay.decayed(1.0, T0, T0 + HALF_LIFE / 2, HALF_LIFE);

    assertThat(half).isCloseTo(Math.sqrt(0.5), within(1e-12));
  }

  @Test
  void noTimePassedKeepsTheScore() {
    assertThat(Decay.decayed(3.5, T0, T0, HALF_LIFE)).isEqualTo(3.5);
  }

  @Test
  void doesNotGrowBackwardsInTime() {
    assertThat(Decay.decayed(3.5, T0, T0 - HALF_LIFE, HALF_LIFE)).isEqualTo(3.5);
    assertThat(Decay.decayed(3.5, T0, 0, HALF_LIFE)).isEqualTo(3.5);
  }

  @Test
  void decayingInStepsEqualsDecayingAtOnce() {
    double stepwise =
        Decay.decayed(
            Decay.decayed(10.0, T0, T0 + 7_000_000L, HALF_LIFE),
            T0 + 7_000_000L,
            T0 + 90_000_000_000L,
            HALF_LIFE);

    assertThat(stepwise)
        .isCloseTo(Decay.decayed(10.0, T0, T0 + 90_000_000_000L, HALF_LIFE), within(1e-9));
  }

  @Test
  void isMonotoneInElapsedTime() {
    double previous = 1.0;
    for (long dt = 0; dt <= 10 * HALF_LIFE; dt += HALF_LIFE / 4) {
      double now = Decay.decayed(1.0, T0, T0 + dt, HALF_LIFE);
      assertThat(now).isLessThanOrEqualTo(previous).isPositive();
      previous = now;
    }
  }

  @Test
  void nonPositiveHalfLifeDisablesDecay() {
    assertThat(Decay.decayed(2.0, T0, T0 + HALF_LIFE, 0)).isEqualTo(2.0);
    assertThat(Decay.decayed(2.0, T0, T0 + HALF_LIFE, -1)).isEqualTo(2.0);
  }

  @Test
  void zeroStaysZero() {
    assertThat(Decay.decayed(0.0, T0, T0 + HALF_LIFE, HALF_LIFE)).isZero();
  }
}
