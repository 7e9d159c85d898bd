package io.shopflow.marketing.operators.state;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PreFlushScheduleTest {
  @Test
  void schedulesOneLeadBeforeTheNextCheckpointOnceThePeriodIsKnown() {
    PreFlushSchedule s = new PreFlushSchedule(500, 0);
    assertThat(s.afterCheckpoint(1_000, false, 1_050)).as("period not known yet").isEqualTo(-1);
    // Barriers reach the operator after their trigger; the period is the triggers'.
    assertThat(s.afterCheckpoint(11_000, false, 11_080)).isEqualTo(11_080 + 10_000 - 500);
    assertThat(s.period()).isEqualTo(10_000);
    assertThat(s.afterCheckpoint(21_000, false, 21_030)).isEqualTo(21_030 + 10_000 - 500);
  }

  @Test
  void theConfiguredIntervalServesUntilTheTriggersShowTheRealPeriod() {
    PreFlushSchedule s = new PreFlushSchedule(500, 10_000);
    assertThat(s.afterCheckpoint(3_000, false, 3_000)).isEqualTo(12_500);
    // The cluster checkpoints every 20 s after all.
    assertThat(s.afterCheckpoint(23_000, false, 23_010)).isEqualTo(23_010 + 20_000 - 500);
  }

  @Test
  void savepointsNeitherScheduleAPreFlushNorChangeThePeriod() {
    PreFlushSchedule s = new PreFlushSchedule(500, 0);
    s.afterCheckpoint(0, false, 0);
    s.afterCheckpoint(10_000, false, 10_000);
    assertThat(s.afterCheckpoint(13_000, true, 13_000)).isEqualTo(-1);
    assertThat(s.period()).isEqualTo(10_000);
    assertThat(s.afterCheckpoint(20_000, false, 20_000)).isEqualTo(29_500);
  }

  @Test
  void aPeriodShorterThanTwoLeadsLeavesTheFlushToTheCheckpoint() {
    PreFlushSchedule s = new PreFlushSchedule(500, 0);
    s.afterCheckpoint(0, false, 0);
    assertThat(s.afterCheckpoint(900, false, 900)).isEqualTo(-1);
    assertThat(s.afterCheckpoint(1_900, false, 1_900)).isEqualTo(1_900 + 1_000 - 500);
  }

  @Test
  void aLeadOfZeroTurnsItOff() {
    PreFlushSchedule s = new PreFlushSchedule(0, 10_000);
    s.afterCheckpoint(0, false, 0);
    assertThat(s.afterCheckpoint(10_000, false, 10_000)).isEqualTo(-1);
  }
}
