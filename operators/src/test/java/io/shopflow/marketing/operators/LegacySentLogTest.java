package io.shopflow.marketing.operators;

import static io.shopflow.marketing.operators.Signals.T0;
import static io.shopflow.marketing.operators.Signals.hours;
import static io.shopflow.marketing.operators.Signals.sideOutput;
import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.operators.state.WriteBehindFunction;
import io.shopflow.marketing.operators.state.WriteBehindStates;
import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.ActionType;
import io.shopflow.marketing.schema.PopularItems;
import io.shopflow.marketing.schema.SuppressedAction;
import io.shopflow.marketing.schema.UserSignal;
import io.shopflow.marketing.schema.state.CartLine;
import io.shopflow.marketing.schema.state.ChannelCounter;
import io.shopflow.marketing.udfs.ActionIds;
import io.shopflow.marketing.udfs.EngineConfig;
import io.shopflow.marketing.udfs.QuietHours;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/** A snapshot of a build that kept the guardrails' sends in two maps. */
class LegacySentLogTest {
  private static final EngineConfig CFG = new EngineConfig();
  // Sent the same price drop an hour before the restore: a duplicate within the window.
  private static final String SENT_BEFORE = "u-sent-before";
  // Sent as many actions on the price drop's channel today as the daily cap allows.
  private static final String AT_CAP = "u-at-cap";
  // Nothing sent: the control, whose notice goes out.
  private static final String NOTHING_SENT = "u-nothing-sent";

  @Test
  void theSendsOfAnEarlierBuildStillSuppressDuplicatesAndCapTheDay() throws Exception {
    OperatorSubtaskState legacy = legacySnapshot();

    try (UserJourneyHarness h = new UserJourneyHarness(new UserJourneyFunction(CFG))) {
      h.setStateBackend(new EmbeddedRocksDBStateBackend());
      h.initializeState(legacy);
      h.open();

      assertThat(EarlierLayouts.keysOf(h, UserJourneyFunction.SENT))
          .containsExactlyInAnyOrder(SENT_BEFORE, AT_CAP);
      assertThat(EarlierLayouts.keysOf(h, LegacySentLog.PER_CHANNEL)).isEmpty();
      assertThat(EarlierLayouts.keysOf(h, LegacySentLog.RECENTLY_SENT)).isEmpty();

      for (String user : List.of(SENT_BEFORE, AT_CAP, NOTHING_SENT)) {
        h.processElement(Signals.priceDrop(user, item(user), T0, 20.0, 15.0), T0);
      }

      assertThat(h.extractOutputValues())
          .extracting(a -> a.userId + " " + a.actionType)
          .containsExactly(NOTHING_SENT + " " + ActionType.PRICE_DROP);
      Map<String, String> reasons =
          sideOutput(h, UserJourneyFunction.SUPPRESSED).stream()
              .collect(Collectors.toMap(x -> x.action.userId, x -> x.reason));
      assertThat(reasons)
          .containsExactlyInAnyOrderEntriesOf(
              Map.of(
                  SENT_BEFORE, SuppressedAction.DUPLICATE,
                  AT_CAP, SuppressedAction.FREQUENCY_CAP));
    }
  }

  private static String item(String user) {
    return "item-of-" + user;
  }

  private static OperatorSubtaskState legacySnapshot() throws Exception {
    return EarlierLayouts.snapshot(
        new EarlierLayout(),
        Stream.of(SENT_BEFORE, AT_CAP, NOTHING_SENT)
            .map(user -> Signals.cartAdd(user, item(user), T0 - hours(2)).get())
            .toList());
  }

  /** Writes the cart and the two guardrail maps under the names, types and TTLs of those builds. */
  private static final class EarlierLayout
      extends KeyedBroadcastProcessFunction<String, UserSignal, PopularItems, Action>
      implements WriteBehindFunction {
    private transient MapState<String, CartLine> cart;
    private transient MapState<String, ChannelCounter> perChannel;
    private transient MapState<String, Long> recentlySent;

    @Override
    public WriteBehindStates bindWriteBehind(KeyContext keys) {
      return WriteBehindStates.forEngine(null, CFG); // write-through
    }

    @Override
    public void open(OpenContext ctx) {
      cart =
          getRuntimeContext()
              .getMapState(
                  map(
                      "cart",
                      TypeInformation.of(CartLine.class),
                      ItemCatalogFunction.ttl(CFG.profileTtlMs)));
      perChannel =
          getRuntimeContext()
              .getMapState(
                  map(
                      "sent-per-channel",
                      TypeInformation.of(ChannelCounter.class),
                      ItemCatalogFunction.ttl(Duration.ofDays(2).toMillis())));
      recentlySent =
          getRuntimeContext()
              .getMapState(
                  map("recently-sent", Types.LONG, ItemCatalogFunction.ttl(CFG.dedupWindowMs)));
    }

    private static <V> MapStateDescriptor<String, V> map(
        String name, TypeInformation<V> type, StateTtlConfig ttl) {
      MapStateDescriptor<String, V> d = new MapStateDescriptor<>(name, Types.STRING, type);
      d.enableTimeToLive(ttl);
      return d;
    }

    @Override
    public void processElement(UserSignal s, ReadOnlyContext ctx, Collector<Action> out)
        throws Exception {
      cart.put(s.itemId, new CartLine(1, 20.0, "Lantern", s.eventTime));
      if (s.userId.equals(SENT_BEFORE)) {
        recentlySent.put(
            ActionIds.dedupKey(ActionType.PRICE_DROP, new String[] {s.itemId}), T0 - hours(1));
        perChannel.put(
            CFG.channelFor(ActionType.PRICE_DROP),
            new ChannelCounter(QuietHours.day(T0, CFG.zoneId()), 1));
      } else if (s.userId.equals(AT_CAP)) {
        perChannel.put(
            CFG.channelFor(ActionType.PRICE_DROP),
            new ChannelCounter(QuietHours.day(T0, CFG.zoneId()), CFG.frequencyCapPerChannelPerDay));
      }
    }

    @Override
    public void processBroadcastElement(PopularItems value, Context ctx, Collector<Action> out) {}
  }
}
