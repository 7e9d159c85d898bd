package io.shopflow.marketing.benchmarks;

import io.shopflow.marketing.operators.UserJourneyFunction;
import io.shopflow.marketing.operators.bench.OneSmallValueState;
import io.shopflow.marketing.operators.state.WriteBehindBroadcastOperator;
import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.PopularItems;
import io.shopflow.marketing.schema.UserSignal;
import io.shopflow.marketing.udfs.EngineConfig;
import io.shopflow.marketing.udfs.recs.Isgd;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * The user operator and the one-state baseline on RocksDB, as the user-operator benchmarks run
 * them.
 */
final class UserOperatorRigs {
  private UserOperatorRigs() {}

  /** The job's user operator (write-behind cache included) with {@code cfg}. */
  static WriteBehindBroadcastOperator<String, UserSignal, PopularItems, Action> userOperator(
      EngineConfig cfg) {
    return new WriteBehindBroadcastOperator<>(
        new UserJourneyFunction(cfg), List.of(UserJourneyFunction.POPULAR));
  }

  /**
   * RocksDB with the job's own options (bloom filters: most reads of a cold key find nothing in
   * some level), so that reads cost here what they cost in the job.
   */
  static EmbeddedRocksDBStateBackend rocksDbAsTheJobConfiguresIt() {
    Configuration conf = new Configuration();
    conf.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
    return new EmbeddedRocksDBStateBackend()
        .configure(conf, UserOperatorRigs.class.getClassLoader());
  }

  /** An opened harness over {@code operator}, keyed by user, on RocksDB. */
  static KeyedBroadcastOperatorTestHarness<String, UserSignal, PopularItems, Action> onRocksDb(
      WriteBehindBroadcastOperator<String, UserSignal, PopularItems, Action> operator)
      throws Exception {
    var h =
        new KeyedBroadcastOperatorTestHarness<>(operator, s -> s.userId, Types.STRING, 128, 1, 0);
    h.setStateBackend(rocksDbAsTheJobConfiguresIt());
    h.open();
    return h;
  }

  /** The baseline: one 100-byte {@code ValueState} read and written per record, on RocksDB. */
  static KeyedOneInputStreamOperatorTestHarness<String, UserSignal, Long> floor() throws Exception {
    var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new OneSmallValueState<String, UserSignal>()),
            s -> s.userId,
            Types.STRING);
    h.setStateBackend(rocksDbAsTheJobConfiguresIt());
    h.open();
    return h;
  }

  /** A one-line shop event of {@code type} for {@code item}, as the item operator forwards it. */
  static UserSignal line(
      EngineConfig cfg, String user, String type, String item, String category, double price) {
    UserSignal s = new UserSignal();
    s.kind = UserSignal.EVENT;
    s.eventType = type;
    s.userId = user;
    s.itemId = item;
    s.eventId = type + "-" + user;
    s.quantity = 1;
    s.price = price;
    s.category = category;
    s.lineIndex = 0;
    s.lineCount = 1;
    s.itemFactor = Isgd.init(item, cfg.recs.factors, cfg.recs.initScale);
    s.partners = new String[0];
    s.partnerCounts = new int[0];
    s.partnerBuyers = new long[0];
    return s;
  }
}
