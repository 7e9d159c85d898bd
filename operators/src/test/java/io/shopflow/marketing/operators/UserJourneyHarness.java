package io.shopflow.marketing.operators;

import io.shopflow.marketing.operators.state.WriteBehindBroadcastOperator;
import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.PopularItems;
import io.shopflow.marketing.schema.UserSignal;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.state.rocksdb.RocksDBKeyedStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;

/**
 * The keyed-by-user operator as the job runs it (with its write-behind state cache) and its
 * broadcast input (popular-items snapshots). Watermarks go to both inputs, as in the job, where the
 * snapshot stream follows the item operator's watermark.
 */
final class UserJourneyHarness
    extends KeyedBroadcastOperatorTestHarness<String, UserSignal, PopularItems, Action> {

  UserJourneyHarness(UserJourneyFunction fn) throws Exception {
    super(
        new WriteBehindBroadcastOperator<>(fn, List.of(UserJourneyFunction.POPULAR)),
        s -> s.userId,
        Types.STRING,
        128,
        1,
        0);
  }

  @Override
  public void processWatermark(long t) throws Exception {
    processWatermark(new Watermark(t));
    processBroadcastWatermark(new Watermark(t));
  }

  /** Key-value state entries over all keys (heap or RocksDB), as the next checkpoint holds them. */
  int numKeyedStateEntries() throws Exception {
    if (getOperator() instanceof WriteBehindBroadcastOperator<?, ?, ?, ?> op) {
      op.writeBehindStates().flush();
    }
    KeyedStateBackend<Object> backend = getOperator().getKeyedStateBackend();
    if (backend instanceof HeapKeyedStateBackend<?> heap) {
      return heap.numKeyValueStateEntries();
    }
    if (backend instanceof RocksDBKeyedStateBackend<?> rocks) {
      return rocks.numKeyValueStateEntries();
    }
    throw new UnsupportedOperationException(backend.getClass().getName());
  }
}
