package io.shopflow.marketing.operators.state;

import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

/**
 * Flink's {@link KeyedProcessOperator} for a {@link WriteBehindFunction}: binds the key context and
 * writes the function's cached state to the backend when a checkpoint or savepoint is taken, so
 * every snapshot holds all changes made before its barrier.
 */
public class WriteBehindKeyedProcessOperator<K, IN, OUT> extends KeyedProcessOperator<K, IN, OUT> {
  private static final long serialVersionUID = 1L;

  private transient PresenceLineage presence;
  private transient WriteBehindStates cache;

  public <F extends KeyedProcessFunction<K, IN, OUT> & WriteBehindFunction>
      WriteBehindKeyedProcessOperator(F function) {
    super(function);
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    presence = new PresenceLineage();
    presence.initialize(context);
  }

  @Override
  public void open() throws Exception {
    cache = ((WriteBehindFunction) userFunction).bindWriteBehind(this);
    cache.presenceMarkersComplete(presence.complete());
    super.open(); // the function registers its states here
    long marked = cache.completePresenceMarkers(getKeyedStateBackend());
    if (marked > 0) {
      LOG.info("Wrote the write-behind presence marker for {} restored keys", marked);
    }
  }

  /** The function's cache (after {@code open()}). */
  public WriteBehindStates writeBehindStates() {
    return cache;
  }

  // Runs before the keyed state backend takes its snapshot (checkpoints and savepoints alike).
  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    cache.flush();
    presence.snapshot(cache.presenceComplete() && cache.writesPresenceMarkers());
    super.snapshotState(context);
  }
}
