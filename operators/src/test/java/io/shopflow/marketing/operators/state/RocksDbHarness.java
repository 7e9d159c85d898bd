package io.shopflow.marketing.operators.state;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/** The cache tests' harness: a write-behind operator on real RocksDB, optionally restored. */
final class RocksDbHarness {
  private RocksDbHarness() {}

  static <F extends KeyedProcessFunction<String, String, String> & WriteBehindFunction>
      KeyedOneInputStreamOperatorTestHarness<String, String, String> open(
          F function, KeySelector<String, String> key, OperatorSubtaskState restore)
          throws Exception {
    KeyedOneInputStreamOperatorTestHarness<String, String, String> h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new WriteBehindKeyedProcessOperator<>(function), key, Types.STRING);
    h.setStateBackend(new EmbeddedRocksDBStateBackend());
    if (restore != null) {
      h.initializeState(restore);
    }
    h.open();
    return h;
  }
}
