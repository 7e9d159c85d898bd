package io.shopflow.marketing.operators;

import static io.shopflow.marketing.operators.Signals.T0;
import static io.shopflow.marketing.operators.Signals.erasure;
import static io.shopflow.marketing.operators.Signals.hours;
import static io.shopflow.marketing.operators.Signals.minutes;
import static io.shopflow.marketing.operators.Signals.purchase;
import static io.shopflow.marketing.operators.Signals.sideOutput;
import static io.shopflow.marketing.operators.Signals.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.schema.ProfileSnapshot;
import io.shopflow.marketing.schema.UserSignal;
import io.shopflow.marketing.udfs.EngineConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The user operator's PROFILES side output: when snapshots are emitted and what they hold. */
class ProfileSnapshotsTest {
  static UserJourneyHarness open(boolean emit) throws Exception {
    EngineConfig cfg = new EngineConfig();
    cfg.emitProfileSnapshots = emit;
    var h = new UserJourneyHarness(new UserJourneyFunction(cfg));
    h.open();
    return h;
  }

  static void send(UserJourneyHarness h, UserSignal s) throws Exception {
    h.processElement(s, s.eventTime);
  }

  @Test
  void aPurchaseASessionCloseAndAnErasureEachEmitASnapshot() throws Exception {
    try (var h = open(true)) {
      send(h, view("u1", "i1", T0).category("mugs").price(4.0).get());
      send(
          h,
          purchase("u1", "i2", T0 + minutes(5))
              .category("candles")
              .price(10.0)
              .qty(2)
              .line(0, 2)
              .get());
      assertThat(sideOutput(h, UserJourneyFunction.PROFILES))
          .as("not before the last line")
          .isEmpty();
      send(
          h, purchase("u1", "i3", T0 + minutes(5)).category("candles").price(1.0).line(1, 2).get());

      List<ProfileSnapshot> afterPurchase = sideOutput(h, UserJourneyFunction.PROFILES);
      assertThat(afterPurchase).hasSize(1);
      ProfileSnapshot p = afterPurchase.get(0);
      assertThat(p.userId).isEqualTo("u1");
      assertThat(p.orders).isEqualTo(1);
      assertThat(p.monetary).isEqualTo(21.0);
      assertThat(p.lastEventType).isEqualTo("purchase");
      assertThat(p.topCategories).containsExactly("candles", "mugs");
      assertThat(p.asOf).isEqualTo(T0 + minutes(5));

      h.processWatermark(T0 + hours(2)); // the session closes
      List<ProfileSnapshot> all = sideOutput(h, UserJourneyFunction.PROFILES);
      assertThat(all).hasSize(2);
      assertThat(all.get(1).sessions).isEqualTo(1);
      assertThat(all.get(1).erased).isFalse();

      send(h, erasure("u1", T0 + hours(3)));
      all = sideOutput(h, UserJourneyFunction.PROFILES);
      assertThat(all).hasSize(3);
      assertThat(all.get(2).erased).isTrue();
      assertThat(all.get(2).userId).isEqualTo("u1");
    }
  }

  @Test
  void theAffinitiesAreTheSameWithTheStateCacheOff() throws Exception {
    assertThat(topCategoriesOfAShopper(0)).isEqualTo(topCategoriesOfAShopper(50_000));
    assertThat(topCategoriesOfAShopper(0))
        .containsExactly(List.of("candles"), List.of("candles", "mugs", "lamps"));
  }

  /** The profile snapshots' top categories after two purchases among views of three categories. */
  private static List<List<String>> topCategoriesOfAShopper(int stateCacheKeys) throws Exception {
    EngineConfig cfg = new EngineConfig();
    cfg.emitProfileSnapshots = true;
    cfg.stateCacheKeys = stateCacheKeys;
    try (var h = new UserJourneyHarness(new UserJourneyFunction(cfg))) {
      h.setStateBackend(new org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend());
      h.open();
      send(h, purchase("u1", "c1", T0).category("candles").price(3.0).get());
      for (int i = 0; i < 4; i++) {
        send(h, view("u1", "m" + i, T0 + minutes(1 + i)).category("mugs").get());
      }
      send(h, view("u1", "l1", T0 + minutes(6)).category("lamps").get());
      send(h, purchase("u1", "c2", T0 + minutes(7)).category("candles").price(3.0).get());
      return sideOutput(h, UserJourneyFunction.PROFILES).stream()
          .map(p -> List.of(p.topCategories))
          .toList();
    }
  }

  @Test
  void withoutAConsumerNoSnapshotIsEmitted() throws Exception {
    try (var h = open(false)) {
      send(h, purchase("u1", "i2", T0).price(10.0).get());
      h.processWatermark(T0 + hours(2));
      send(h, erasure("u1", T0 + hours(3)));
      assertThat(sideOutput(h, UserJourneyFunction.PROFILES)).isEmpty();
    }
  }
}
