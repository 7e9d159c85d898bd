package io.shopflow.marketing.benchmarks;

import io.shopflow.marketing.operators.UserJourneyFunction;
import io.shopflow.marketing.operators.state.WriteBehindBroadcastOperator;
import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.EventType;
import io.shopflow.marketing.schema.ItemStats;
import io.shopflow.marketing.schema.PopularItems;
import io.shopflow.marketing.schema.UserSignal;
import io.shopflow.marketing.udfs.EngineConfig;
import io.shopflow.marketing.udfs.recs.Isgd;
import io.shopflow.marketing.udfs.recs.PopularTracker;
import java.util.List;
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
 * The keyed-by-user operator's per-event update (session, profile, MF step, triggers, guardrails,
 * one coalesced timer) on RocksDB, driven through Flink's operator test harness, next to the floor
 * of the same run: a function that reads and writes one 100-byte {@code ValueState} per event.
 * Users come in visits of 10 events, 100 visits interleaved, drawn over {@code users} keys; event
 * time moves 1 s per event, so each user's sessions close and reopen as in a live shop. Every
 * {@code flushEvery} events the write-behind cache is written back, as a checkpoint does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class UserJourneyBench {
  @Param({"10000"})
  public int users;

  /** The write-behind cache's size (0 = every state access goes to RocksDB, as before it). */
  @Param({"0", "50000"})
  public int stateCacheKeys;

  /** Events between two write-backs of the whole cache, as a checkpoint does them. */
  @Param({"10000"})
  public int flushEvery;

  private WriteBehindBroadcastOperator<String, UserSignal, PopularItems, Action> operator;

  private KeyedBroadcastOperatorTestHarness<String, UserSignal, PopularItems, Action> journey;
  private KeyedOneInputStreamOperatorTestHarness<String, UserSignal, Long> floor;
  private UserSignal[] views;
  private UserSignal[] carts;
  private long time = 1_767_225_600_000L;
  private int next;
  private final EngineConfig cfg = new EngineConfig();

  @Setup(Level.Iteration)
  public void setUp() throws Exception {
    cfg.stateCacheKeys = stateCacheKeys;
    operator = UserOperatorRigs.userOperator(cfg);
    journey = UserOperatorRigs.onRocksDb(operator);
    PopularTracker tracker = new PopularTracker(cfg.recs);
    for (int i = 0; i < 2_000; i++) {
      String item = "sku-" + i;
      tracker.update(
          new ItemStats(
              item,
              "category-" + (i % 200),
              20_000 - 5L * i,
              0,
              time,
              Isgd.init(item, cfg.recs.factors, cfg.recs.initScale)));
    }
    journey.processBroadcastElement(tracker.snapshot(), time);

    floor = UserOperatorRigs.floor();

    views = new UserSignal[users];
    carts = new UserSignal[users];
    for (int u = 0; u < users; u++) {
      String item = "sku-" + (u * 7 % 2_000);
      views[u] = line("u" + u, EventType.VIEW, item);
      carts[u] = line("u" + u, EventType.CART_ADD, item);
    }
  }

  private UserSignal line(String user, String type, String item) {
    return UserOperatorRigs.line(
        cfg, user, type, item, "category-" + (item.hashCode() & 0xff), 9.99);
  }

  @TearDown(Level.Iteration)
  public void tearDown() throws Exception {
    journey.close();
    floor.close();
  }

  /**
   * The user of event {@code n}: 100 visits interleaved, 10 events each, as the shop's visitors
   * come in bursts (bench's synthetic shop does the same); the visit picks its user.
   */
  private int visitor(int n) {
    int slot = n % 100;
    int visit = n / 100 / 10;
    return Math.floorMod((visit * 100 + slot) * 0x9E3779B1, users);
  }

  /** One view (or, every tenth event, a cart add) through the user operator. */
  @Benchmark
  public int userJourneyEvent() throws Exception {
    int u = visitor(next++);
    time += 1_000;
    UserSignal s = next % 10 == 0 ? carts[u] : views[u];
    s.eventTime = time;
    journey.processElement(s, time);
    if (next % flushEvery == 0) {
      operator.writeBehindStates().flush();
    }
    int out = journey.getOutput().size();
    journey.getOutput().clear();
    drainSideOutputs();
    return out;
  }

  private void drainSideOutputs() {
    for (var tag :
        List.of(
            UserJourneyFunction.SESSIONS,
            UserJourneyFunction.SUPPRESSED,
            UserJourneyFunction.FACTOR_DELTAS)) {
      var q = journey.getSideOutput(tag);
      if (q != null) {
        q.clear();
      }
    }
  }

  /** Baseline: one 100-byte ValueState read and written for the same key sequence. */
  @Benchmark
  public int oneSmallValueState() throws Exception {
    int u = visitor(next++);
    time += 1_000;
    UserSignal s = views[u];
    s.eventTime = time;
    floor.processElement(s, time);
    return u;
  }
}
