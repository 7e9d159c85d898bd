package io.shopflow.marketing.udfs.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
  final AtomicLong now = new AtomicLong(1_000);
  final CircuitBreaker breaker = new CircuitBreaker(3, 5_000, now::get);

  @Test
  void staysClosedBelowTheThresholdAndASuccessResetsTheCount() {
    breaker.onFailure();
    breaker.onFailure();
    breaker.onSuccess();
    breaker.onFailure();
    breaker.onFailure();

    assertThat(breaker.allow()).isTrue();
    assertThat(breaker.isOpen()).isFalse();
  }

  @Test
  void opensAfterKConsecutiveFailuresAndSkipsCallsForTheCoolDown() {
    for (int i = 0; i < 3; i++) {
      assertThat(breaker.allow()).isTrue();
      breaker.onFailure();
    }

    assertThat(breaker.isOpen()).isTrue();
    assertThat(breaker.allow()).isFalse();
    now.addAndGet(4_999);
    assertThat(breaker.allow()).isFalse();
  }

  @Test
  void afterTheCoolDownOneTrialGoesThroughAndItsOutcomeDecides() {
    for (int i = 0; i < 3; i++) {
      breaker.onFailure();
    }
    now.addAndGet(5_000);

    assertThat(breaker.allow()).as("the trial").isTrue();
    assertThat(breaker.allow()).as("a second call while the trial runs").isFalse();
    breaker.onFailure();
    assertThat(breaker.allow()).as("failed trial: open again").isFalse();

    now.addAndGet(5_000);
    assertThat(breaker.allow()).isTrue();
    breaker.onSuccess();
    assertThat(breaker.allow()).isTrue();
    assertThat(breaker.allow()).as("closed: every call goes through").isTrue();
    assertThat(breaker.isOpen()).isFalse();
  }
}
