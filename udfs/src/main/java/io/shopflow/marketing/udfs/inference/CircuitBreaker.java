package io.shopflow.marketing.udfs.inference;

import java.util.function.LongSupplier;

/**
 * A minimal circuit breaker for calls to the inference sidecar: after {@code threshold} consecutive
 * failures it opens and {@link #allow()} answers false for {@code coolDownMs}; then it lets one
 * trial call through (half open): a success closes it, a failure opens it for another cool-down.
 * Thread-safe.
 */
public final class CircuitBreaker {
  private final int threshold;
  private final long coolDownMs;
  private final LongSupplier clock;

  private int consecutiveFailures;
  private long openUntil;
  private boolean trialInFlight;

  public CircuitBreaker(int threshold, long coolDownMs, LongSupplier clock) {
    if (threshold < 1) {
      throw new IllegalArgumentException("threshold must be >= 1");
    }
    this.threshold = threshold;
    this.coolDownMs = coolDownMs;
    this.clock = clock;
  }

  /** Whether a call may go to the sidecar now. */
  public synchronized boolean allow() {
    if (consecutiveFailures < threshold) {
      return true;
    }
    if (clock.getAsLong() < openUntil || trialInFlight) {
      return false;
    }
    trialInFlight = true;
    return true;
  }

  public synchronized void onSuccess() {
    consecutiveFailures = 0;
    trialInFlight = false;
  }

  public synchronized void onFailure() {
    consecutiveFailures++;
    trialInFlight = false;
    if (consecutiveFailures >= threshold) {
      openUntil = clock.getAsLong() + coolDownMs;
    }
  }

  /** Whether calls are currently being skipped. */
  public synchronized boolean isOpen() {
    return consecutiveFailures >= threshold && clock.getAsLong() < openUntil;
  }
}
