package io.shopflow.marketing.operators;

import io.shopflow.marketing.operators.state.WriteBehindBroadcastOperator;
import io.shopflow.marketing.operators.state.WriteBehindFunction;
import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.PopularItems;
import io.shopflow.marketing.schema.UserSignal;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;

/** Snapshots in the state layout of earlier builds, for the restore-migration tests. */
final class EarlierLayouts {
  private EarlierLayouts() {}

  /**
   * The RocksDB snapshot a user operator of an earlier layout ({@code earlier}, registering the old
   * state names) leaves after processing {@code signals}, each at its event time.
   */
  static <
          F extends
              KeyedBroadcastProcessFunction<String, UserSignal, PopularItems, Action>
                  & WriteBehindFunction>
      OperatorSubtaskState snapshot(F earlier, List<UserSignal> signals) throws Exception {
    try (var h =
        new KeyedBroadcastOperatorTestHarness<String, UserSignal, PopularItems, Action>(
            new WriteBehindBroadcastOperator<>(earlier, List.of(UserJourneyFunction.POPULAR)),
            s -> s.userId,
            Types.STRING,
            128,
            1,
            0)) {
      h.setStateBackend(new EmbeddedRocksDBStateBackend());
      h.open();
      for (UserSignal s : signals) {
        h.processElement(s, s.eventTime);
      }
      return h.snapshot(1L, 1L);
    }
  }

  /** The keys with an entry in {@code state} of the harness's user operator. */
  static List<Object> keysOf(UserJourneyHarness h, String state) {
    try (Stream<Object> keys =
        h.getOperator().getKeyedStateBackend().getKeys(state, VoidNamespace.INSTANCE)) {
      return keys.toList();
    }
  }
}
