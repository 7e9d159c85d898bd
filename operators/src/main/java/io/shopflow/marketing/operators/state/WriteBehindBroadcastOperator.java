package io.shopflow.marketing.operators.state;

import java.util.List;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFutures;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;

/**
 * Flink's keyed broadcast operator for a {@link WriteBehindFunction}: binds the key context and
 * writes the function's cached keyed state to the backend when a checkpoint or savepoint is taken,
 * before the keyed state backend snapshots.
 */
public class WriteBehindBroadcastOperator<K, IN1, IN2, OUT>
    extends CoBroadcastWithKeyedOperator<K, IN1, IN2, OUT> {
  private static final long serialVersionUID = 1L;

  private transient WriteBehindSupport writeBehind;
  private long preFlushLeadMs;
  private long checkpointIntervalMs;

  public <F extends KeyedBroadcastProcessFunction<K, IN1, IN2, OUT> & WriteBehindFunction>
      WriteBehindBroadcastOperator(F function, List<MapStateDescriptor<?, ?>> broadcastStates) {
    super(function, broadcastStates);
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    writeBehind = new WriteBehindSupport();
    writeBehind.preFlushLead(preFlushLeadMs, checkpointIntervalMs);
    writeBehind.initialize(context);
  }

  @Override
  public void open() throws Exception {
    writeBehind.bind(userFunction, this, getMetricGroup());
    super.open();
    writeBehind.afterOpen(getKeyedStateBackend(), this, getProcessingTimeService(), LOG);
  }

  @Override
  public void close() throws Exception {
    if (writeBehind != null) {
      writeBehind.close();
    }
    super.close();
  }

  /**
   * On RocksDB, start a background flush of the memtables {@code leadMs} before each checkpoint is
   * due, so that the checkpoint's synchronous flush finds less to write ({@link RocksDbPreFlush});
   * 0 (the default) leaves it to the checkpoint. {@code checkpointIntervalMs}, the job's interval,
   * times the first pre-flush; later ones follow the checkpoints as they come.
   */
  public WriteBehindBroadcastOperator<K, IN1, IN2, OUT> preFlushBeforeCheckpoints(
      long leadMs, long checkpointIntervalMs) {
    this.preFlushLeadMs = leadMs;
    this.checkpointIntervalMs = checkpointIntervalMs;
    return this;
  }

  /** The function's cache (after {@code open()}). */
  public WriteBehindStates writeBehindStates() {
    return writeBehind.cache();
  }

  @Override
  public OperatorSnapshotFutures snapshotState(
      long checkpointId, long timestamp, CheckpointOptions options, CheckpointStreamFactory factory)
      throws Exception {
    return writeBehind.timeCheckpoint(
        () -> super.snapshotState(checkpointId, timestamp, options, factory),
        timestamp,
        options.getCheckpointType().isSavepoint());
  }

  // Runs before the keyed state backend takes its snapshot (checkpoints and savepoints alike).
  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    writeBehind.snapshot();
    super.snapshotState(context);
  }
}
