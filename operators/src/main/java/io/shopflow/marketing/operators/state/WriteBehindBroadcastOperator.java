package io.shopflow.marketing.operators.state;

import java.util.List;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;

/**
 * Flink's keyed broadcast operator for a {@link WriteBehindFunction}: binds the key context and
 * writes the function's cached keyed state to the backend when a checkpoint or savepoint is taken,
 * before the keyed state backend snapshots.
 */
public class WriteBehindBroadcastOperator<K, IN1, IN2, OUT>
    extends CoBroadcastWithKeyedOperator<K, IN1, IN2, OUT> {
  private static final long serialVersionUID = 1L;

  public <F extends KeyedBroadcastProcessFunction<K, IN1, IN2, OUT> & WriteBehindFunction>
      WriteBehindBroadcastOperator(F function, List<MapStateDescriptor<?, ?>> broadcastStates) {
    super(function, broadcastStates);
  }

  @Override
  public void open() throws Exception {
    ((WriteBehindFunction) userFunction).bindKeyContext(this);
    super.open();
  }

  // Runs before the keyed state backend takes its snapshot (checkpoints and savepoints alike).
  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    ((WriteBehindFunction) userFunction).flushWriteBehind();
    super.snapshotState(context);
  }
}
