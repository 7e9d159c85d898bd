package io.shopflow.marketing.benchmarks;

import io.shopflow.marketing.operators.UserJourneyFunction;
import io.shopflow.marketing.operators.state.WriteBehindBroadcastOperator;
import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.EventType;
import io.shopflow.marketing.schema.PopularItems;
import io.shopflow.marketing.schema.UserSignal;
import io.shopflow.marketing.udfs.EngineConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A price drop's fan-out at the user operator, the work behind the latency phase's tail: one
 * price-drop notice per call, each to another user who has the item in the cart. Users come in
 * strict rotation over more keys than the write-behind cache holds, so every notice finds its user
 * cold: it reads the cart, deadlines and guardrail state from RocksDB, emits the action and leaves
 * the sent counters to be written back. Each round over all users is 8 days after the previous one,
 * past the de-duplication window and the daily cap, so every notice becomes an action. The baseline
 * of the same run is one 100-byte {@code ValueState} read and written per call for the same keys.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PriceDropFanOutBench {
  @Param({"20000"})
  public int users;

  @Param({"5000"})
  public int stateCacheKeys;

  /** Notices between two write-backs of the whole cache, as a checkpoint does them. */
  @Param({"10000"})
  public int flushEvery;

  private WriteBehindBroadcastOperator<String, UserSignal, PopularItems, Action> operator;
  private KeyedBroadcastOperatorTestHarness<String, UserSignal, PopularItems, Action> journey;
  private KeyedOneInputStreamOperatorTestHarness<String, UserSignal, Long> floor;
  private UserSignal[] notices;
  // Noon UTC, outside quiet hours, 2026-01-01.
  private long time = 1_767_268_800_000L;
  private int next;
  private long notified;
  private long actions;
  private final EngineConfig cfg = new EngineConfig();

  @Setup(Level.Iteration)
  public void setUp() throws Exception {
    cfg.stateCacheKeys = stateCacheKeys;
    operator = UserOperatorRigs.userOperator(cfg);
    journey = UserOperatorRigs.onRocksDb(operator);
    floor = UserOperatorRigs.floor();

    notices = new UserSignal[users];
    for (int u = 0; u < users; u++) {
      String user = "u" + u;
      journey.processElement(cartAdd(user, "sku-1", time - Duration.ofHours(1).toMillis()), time);
      notices[u] = priceDrop(user, "sku-1");
    }
    operator.writeBehindStates().flush();
    journey.getOutput().clear();
    next = 0;
    notified = 0;
    actions = 0;
  }

  private UserSignal cartAdd(String user, String item, long at) {
    UserSignal s = UserOperatorRigs.line(cfg, user, EventType.CART_ADD, item, "category-1", 20.0);
    s.eventTime = at;
    return s;
  }

  private static UserSignal priceDrop(String user, String item) {
    UserSignal s = new UserSignal();
    s.kind = UserSignal.PRICE_DROP;
    s.userId = user;
    s.itemId = item;
    s.title = "Linen shirt";
    s.category = "category-1";
    s.oldPrice = 20.0;
    s.newPrice = 15.0;
    s.currency = "EUR";
    return s;
  }

  @TearDown(Level.Iteration)
  public void tearDown() throws Exception {
    if (notified > 0 && actions != notified) {
      throw new IllegalStateException(
          actions + " actions from " + notified + " notices: the benchmark is broken");
    }
    journey.close();
    floor.close();
  }

  /** One notice to the next user in the rotation; a new round starts 8 days later. */
  @Benchmark
  public int priceDropToAColdUser() throws Exception {
    int u = next++ % users;
    if (u == 0) {
      time += Duration.ofDays(8).toMillis();
    }
    UserSignal s = notices[u];
    s.eventTime = time;
    journey.processElement(s, time);
    notified++;
    if (next % flushEvery == 0) {
      operator.writeBehindStates().flush();
    }
    int out = journey.getOutput().size();
    actions += out;
    journey.getOutput().clear();
    var suppressed = journey.getSideOutput(UserJourneyFunction.SUPPRESSED);
    if (suppressed != null) {
      suppressed.clear();
    }
    return out;
  }

  /** Baseline: one 100-byte ValueState read and written for the same key sequence. */
  @Benchmark
  public int oneSmallValueState() throws Exception {
    int u = next++ % users;
    UserSignal s = notices[u];
    s.eventTime = time;
    floor.processElement(s, time);
    return u;
  }
}
