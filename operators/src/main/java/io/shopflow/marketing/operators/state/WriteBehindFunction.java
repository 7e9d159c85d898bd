package io.shopflow.marketing.operators.state;

import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * A keyed function whose state sits behind a {@link WriteBehindStates} cache. The write-behind
 * operators ({@link WriteBehindKeyedProcessOperator}, {@link WriteBehindBroadcastOperator}) have
 * the function create its cache on their key context before {@code open()}, write it back when a
 * checkpoint is taken and tell it whether presence markers can be trusted; under Flink's stock
 * operators nothing is bound and the function's state is write-through.
 */
public interface WriteBehindFunction {
  /**
   * Called by the operator before the function's {@code open()}: the function creates the cache its
   * states go through on {@code keys}, keeps it, and returns it to the operator.
   */
  WriteBehindStates bindWriteBehind(KeyContext keys);
}
