package io.shopflow.marketing.operators.state;

import org.apache.flink.runtime.state.KeyedStateBackend;
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

  /**
   * Called by the operator after a restore, after the function's {@code open()} and before any
   * record: rewrites state restored in an earlier layout, straight to {@code backend} (switching
   * {@code keys} as needed). Returns the number of keys rewritten. Nothing to do by default.
   */
  default long migrateRestoredState(KeyedStateBackend<Object> backend, KeyContext keys)
      throws Exception {
    return 0;
  }
}
