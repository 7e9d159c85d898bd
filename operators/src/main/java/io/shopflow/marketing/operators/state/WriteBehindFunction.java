package io.shopflow.marketing.operators.state;

import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * A keyed function whose state sits behind a {@link WriteBehindStates} cache. The write-behind
 * operators ({@link WriteBehindKeyedProcessOperator}, {@link WriteBehindBroadcastOperator}) bind
 * their key context before {@code open()} and flush when a checkpoint is taken; under Flink's stock
 * operators nothing is bound and the function's state is write-through.
 */
public interface WriteBehindFunction {
  /** Called by the operator before the function's {@code open()}. */
  void bindKeyContext(KeyContext keys);

  /** Writes every cached change to the keyed state backend. */
  void flushWriteBehind() throws Exception;

  /**
   * Called by the operator before the function's {@code open()}: whether every key with state in
   * the backend carries a presence marker, so that a key without one is new (see {@link
   * WriteBehindStates#trackPresence}).
   */
  default void bindPresenceMarkersComplete(boolean complete) {}

  /** Whether the function writes a presence marker for every key it writes state for. */
  default boolean writesPresenceMarkers() {
    return false;
  }
}
