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
    WriteBehindFunction f = (WriteBehindFunction) userFunction;
    f.bindKeyContext(this);
    f.bindPresenceMarkersComplete(presence.complete());
    super.open();
  }

  // Runs before the keyed state backend takes its snapshot (checkpoints and savepoints alike).
  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    WriteBehindFunction f = (WriteBehindFunction) userFunction;
    f.flushWriteBehind();
    presence.snapshot(f.writesPresenceMarkers());
    super.snapshotState(context);
  }
}
