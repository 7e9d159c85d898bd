package io.shopflow.marketing.schema.state;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SentLogTest {
  private static final long DAY = 86_400_000L;
  private static final long WINDOW = 7 * DAY;

  @Test
  void countsSendsPerChannelForTheirDayOnly() {
    SentLog log = new SentLog();
    log.record("email", 100, "k1", 100 * DAY, WINDOW);
    log.record("email", 100, "k2", 100 * DAY, WINDOW);
    log.record("push", 100, "k3", 100 * DAY, WINDOW);
    assertThat(log.sentOn("email", 100)).isEqualTo(2);
    assertThat(log.sentOn("push", 100)).isEqualTo(1);
    assertThat(log.sentOn("sms", 100)).isZero();

    log.record("email", 101, "k4", 101 * DAY, WINDOW);
    assertThat(log.sentOn("email", 101)).isEqualTo(1); // a new day starts from zero
    assertThat(log.sentOn("email", 100)).isZero();
    assertThat(log.channels).containsExactly("email", "push");
  }

  @Test
  void remembersTheLastSendPerKeyAndForgetsSendsOutsideTheWindow() {
    SentLog log = new SentLog();
    log.record("email", 0, "old", 0, WINDOW);
    log.record("email", 1, "again", DAY, WINDOW);
    log.record("email", 2, "again", 2 * DAY, WINDOW);
    assertThat(log.lastSent("again")).isEqualTo(2 * DAY);
    assertThat(log.lastSent("old")).isZero();
    assertThat(log.dedupKeys).containsExactly("old", "again");

    log.record("email", 7, "new", WINDOW, WINDOW); // "old" is a full window before it
    assertThat(log.lastSent("old")).isNull();
    assertThat(log.dedupKeys).containsExactly("again", "new");
    assertThat(log.sentAt).containsExactly(2 * DAY, WINDOW);
  }

  @Test
  void keepsASendFromLaterEventTimeThanTheOneRecorded() {
    SentLog log = new SentLog();
    log.record("email", 9, "late", 9 * DAY, WINDOW);
    log.record("email", 1, "early", DAY, WINDOW); // out of order: "late" is in the future
    assertThat(log.lastSent("late")).isEqualTo(9 * DAY);
  }
}
