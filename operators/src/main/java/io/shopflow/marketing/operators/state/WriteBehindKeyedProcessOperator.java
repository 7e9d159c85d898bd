package io.shopflow.marketing.operators.state;

import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFutures;

/**
 * Flink's {@link KeyedProcessOperator} for a {@link WriteBehindFunction}: binds the key context and
 * writes the function's cached state to the backend when a checkpoint or savepoint is taken, so
 * every snapshot holds all changes made before its barrier.
 */
public class WriteBehindKeyedProcessOperator<K, IN, OUT> extends KeyedProcessOperator<K, IN, OUT> {
  private static final long serialVersionUID = 1L;

  private transient WriteBehindSupport writeBehind;

  public <F extends KeyedProcessFunction<K, IN, OUT> & WriteBehindFunction>
      WriteBehindKeyedProcessOperator(F function) {
    super(function);
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    writeBehind = new WriteBehindSupport();
    writeBehind.initialize(context);
  }

  @Override
  public void open() throws Exception {
    writeBehind.bind(userFunction, this, getMetricGroup());
    super.open();
    writeBehind.afterOpen(getKeyedStateBackend(), this, LOG);
  }

  /** The function's cache (after {@code open()}). */
  public WriteBehindStates writeBehindStates() {
    return writeBehind.cache();
  }

  /** Milliseconds of each checkpoint's synchronous part (after {@code open()}). */
  public Histogram checkpointPauses() {
    return writeBehind.checkpointPauses();
  }

  @Override
  public OperatorSnapshotFutures snapshotState(
      long checkpointId, long timestamp, CheckpointOptions options, CheckpointStreamFactory factory)
      throws Exception {
    return writeBehind.timeCheckpoint(
        () -> super.snapshotState(checkpointId, timestamp, options, factory));
  }

  // Runs before the keyed state backend takes its snapshot (checkpoints and savepoints alike).
  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    writeBehind.snapshot();
    super.snapshotState(context);
  }
}
