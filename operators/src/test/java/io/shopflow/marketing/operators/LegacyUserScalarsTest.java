package io.shopflow.marketing.operators;

import static io.shopflow.marketing.operators.Signals.T0;
import static io.shopflow.marketing.operators.Signals.minutes;
import static io.shopflow.marketing.operators.Signals.sideOutput;
import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.operators.state.WriteBehindFunction;
import io.shopflow.marketing.operators.state.WriteBehindStates;
import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.ActionType;
import io.shopflow.marketing.schema.PopularItems;
import io.shopflow.marketing.schema.SessionSummary;
import io.shopflow.marketing.schema.UserSignal;
import io.shopflow.marketing.schema.state.CartLine;
import io.shopflow.marketing.schema.state.Deadlines;
import io.shopflow.marketing.schema.state.ProfileCore;
import io.shopflow.marketing.schema.state.SessionState;
import io.shopflow.marketing.udfs.EngineConfig;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/** A snapshot of a build that kept each single-valued state of a user under its own name. */
class LegacyUserScalarsTest {
  private static final String U1 = "u1";
  private static final long REMINDER_DUE = T0 + minutes(30);

  @Test
  void aUsersSeparateStatesFromAnEarlierBuildAreMovedIntoOneValueAndStillFireTheirReminder()
      throws Exception {
    OperatorSubtaskState legacy = legacySnapshotOfAUserWhoCartedALantern();

    try (UserJourneyHarness h =
        new UserJourneyHarness(new UserJourneyFunction(new EngineConfig()))) {
      h.setStateBackend(new EmbeddedRocksDBStateBackend());
      h.initializeState(legacy);
      h.open();

      assertThat(EarlierLayouts.keysOf(h, UserJourneyFunction.SCALARS)).containsExactly(U1);
      for (String old : List.of("session", "profile", "deadlines", "session-views")) {
        assertThat(EarlierLayouts.keysOf(h, old)).as(old).isEmpty();
      }

      // The restored timer fires; the reminder reads the moved deadlines and the cart.
      h.processWatermark(REMINDER_DUE + minutes(5));
      List<Action> reminders =
          h.extractOutputValues().stream()
              .filter(a -> a.actionType.equals(ActionType.CART_ABANDONMENT))
              .toList();
      assertThat(reminders).extracting(a -> a.userId).containsExactly(U1);
      assertThat(reminders.get(0).items).containsExactly("A");
      // The moved session closes with the counts the earlier build kept, and its moved view
      // counts nudge the item viewed three times (the carted one is engaged).
      List<SessionSummary> sessions = sideOutput(h, UserJourneyFunction.SESSIONS);
      assertThat(sessions).extracting(s -> s.sessionId).containsExactly(U1 + "/" + T0);
      assertThat(sessions.get(0).cartAdds).isEqualTo(1);
      List<Action> nudges = new ArrayList<>(h.extractOutputValues());
      sideOutput(h, UserJourneyFunction.SUPPRESSED).forEach(x -> nudges.add(x.action));
      assertThat(nudges)
          .filteredOn(a -> a.actionType.equals(ActionType.BROWSE_ABANDONMENT))
          .extracting(a -> List.of(a.items))
          .containsExactly(List.of("B"));
    }
  }

  @Test
  void aSnapshotInTheCurrentLayoutIsRestoredAsItIs() throws Exception {
    OperatorSubtaskState current;
    try (UserJourneyHarness h =
        new UserJourneyHarness(new UserJourneyFunction(new EngineConfig()))) {
      h.setStateBackend(new EmbeddedRocksDBStateBackend());
      h.open();
      h.processElement(Signals.cartAdd(U1, "A", T0).price(20.0).title("Lantern").get(), T0);
      current = h.snapshot(1L, 1L);
    }
    try (UserJourneyHarness h =
        new UserJourneyHarness(new UserJourneyFunction(new EngineConfig()))) {
      h.setStateBackend(new EmbeddedRocksDBStateBackend());
      h.initializeState(current);
      h.open();
      assertThat(EarlierLayouts.keysOf(h, "session")).isEmpty();
      h.processWatermark(REMINDER_DUE + minutes(5));
      assertThat(h.extractOutputValues())
          .extracting(a -> a.actionType)
          .contains(ActionType.CART_ABANDONMENT);
    }
  }

  /**
   * What an earlier build held for a user who put a lantern in the cart at T0, having viewed item B
   * three times and C once in the same session.
   */
  private static OperatorSubtaskState legacySnapshotOfAUserWhoCartedALantern() throws Exception {
    return EarlierLayouts.snapshot(
        new EarlierLayout(), List.of(Signals.cartAdd(U1, "A", T0).get()));
  }

  /** Writes the separate states under the names, types and TTL the earlier builds used. */
  private static final class EarlierLayout
      extends KeyedBroadcastProcessFunction<String, UserSignal, PopularItems, Action>
      implements WriteBehindFunction {
    private transient ValueState<SessionState> session;
    private transient ValueState<ProfileCore> profile;
    private transient ValueState<Deadlines> deadlines;
    private transient org.apache.flink.api.common.state.MapState<String, CartLine> cart;
    private transient org.apache.flink.api.common.state.MapState<String, Integer> sessionViews;

    @Override
    public WriteBehindStates bindWriteBehind(KeyContext keys) {
      return WriteBehindStates.forEngine(null, new EngineConfig()); // write-through
    }

    @Override
    public void open(OpenContext ctx) {
      StateTtlConfig ttl = ItemCatalogFunction.ttl(new EngineConfig().profileTtlMs);
      session = getRuntimeContext().getState(value("session", SessionState.class, ttl));
      profile = getRuntimeContext().getState(value("profile", ProfileCore.class, ttl));
      deadlines = getRuntimeContext().getState(value("deadlines", Deadlines.class, ttl));
      MapStateDescriptor<String, CartLine> c =
          new MapStateDescriptor<>("cart", Types.STRING, TypeInformation.of(CartLine.class));
      c.enableTimeToLive(ttl);
      cart = getRuntimeContext().getMapState(c);
      MapStateDescriptor<String, Integer> v =
          new MapStateDescriptor<>("session-views", Types.STRING, Types.INT);
      v.enableTimeToLive(ttl);
      sessionViews = getRuntimeContext().getMapState(v);
    }

    private static <T> ValueStateDescriptor<T> value(
        String name, Class<T> type, StateTtlConfig ttl) {
      ValueStateDescriptor<T> d = new ValueStateDescriptor<>(name, type);
      d.enableTimeToLive(ttl);
      return d;
    }

    @Override
    public void processElement(UserSignal s, ReadOnlyContext ctx, Collector<Action> out)
        throws Exception {
      SessionState ss = new SessionState();
      ss.sessionId = s.userId + "/" + s.eventTime;
      ss.startTime = s.eventTime;
      ss.lastEventTime = s.eventTime;
      ss.events = 1;
      ss.cartAdds = 1;
      session.update(ss);
      ProfileCore p = new ProfileCore();
      p.firstSeen = s.eventTime;
      p.lastSeen = s.eventTime;
      p.sessions = 1;
      profile.update(p);
      cart.put(s.itemId, new CartLine(1, 20.0, "Lantern", s.eventTime));
      sessionViews.put(s.itemId, -1); // carted
      sessionViews.put("B", 3);
      sessionViews.put("C", 1);
      Deadlines d = new Deadlines();
      d.sessionCloseAt = REMINDER_DUE;
      d.cartDueAt = REMINDER_DUE;
      d.cartArmedAt = s.eventTime;
      d.scheduledTimer = REMINDER_DUE;
      deadlines.update(d);
      ctx.timerService().registerEventTimeTimer(REMINDER_DUE);
    }

    @Override
    public void processBroadcastElement(PopularItems value, Context ctx, Collector<Action> out) {}
  }
}
