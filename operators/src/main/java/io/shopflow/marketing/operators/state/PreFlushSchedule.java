package io.shopflow.marketing.operators.state;

/**
 * When to start a {@link RocksDbPreFlush}: one lead before the next checkpoint is due. The
 * checkpoints' period is read from the trigger times of the last two (Flink triggers them at a
 * fixed rate), so the operator needs no copy of the job's checkpoint settings; savepoints, which
 * come at any moment, are left out.
 */
final class PreFlushSchedule {
  private final long leadMs;
  private long lastTrigger = -1;
  private long period;

  /**
   * {@code leadMs <= 0} turns the pre-flush off; {@code intervalMs} is the configured checkpoint
   * interval (0 when not known).
   */
  PreFlushSchedule(long leadMs, long intervalMs) {
    this.leadMs = leadMs;
    this.period = intervalMs > 0 ? intervalMs : -1;
  }

  /**
   * After the synchronous part of a checkpoint triggered at {@code triggerTime}, at processing time
   * {@code now}: when to start the next pre-flush, or -1 for none (off, a savepoint, the period not
   * known or too short for the lead to leave anything to the background).
   */
  long afterCheckpoint(long triggerTime, boolean savepoint, long now) {
    if (leadMs <= 0 || savepoint) {
      return -1;
    }
    if (lastTrigger >= 0 && triggerTime > lastTrigger) {
      period = triggerTime - lastTrigger;
    }
    lastTrigger = triggerTime;
    if (period < 2 * leadMs) {
      return -1;
    }
    return now + period - leadMs;
  }

  /** The checkpoints' period as last seen, or -1. */
  long period() {
    return period;
  }
}
