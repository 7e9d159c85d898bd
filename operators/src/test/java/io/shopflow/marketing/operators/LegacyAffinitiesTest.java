package io.shopflow.marketing.operators;

import static io.shopflow.marketing.operators.Signals.T0;
import static io.shopflow.marketing.operators.Signals.hours;
import static io.shopflow.marketing.operators.Signals.sideOutput;
import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.operators.state.WriteBehindFunction;
import io.shopflow.marketing.operators.state.WriteBehindStates;
import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.PopularItems;
import io.shopflow.marketing.schema.ProfileSnapshot;
import io.shopflow.marketing.schema.UserSignal;
import io.shopflow.marketing.schema.state.DecayedScore;
import io.shopflow.marketing.schema.state.ProfileCore;
import io.shopflow.marketing.schema.state.UserScalars;
import io.shopflow.marketing.udfs.EngineConfig;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/** A snapshot of a build that kept a user's affinities in two map states. */
class LegacyAffinitiesTest {
  private static final EngineConfig CFG = new EngineConfig();
  private static final String USER = "u1";
  private static final int OLD_ITEMS = 60;

  static {
    CFG.emitProfileSnapshots = true;
  }

  @Test
  void theAffinitiesOfAnEarlierBuildAreMovedIntoTheUsersValueAndStillRankItsCategories()
      throws Exception {
    OperatorSubtaskState legacy =
        EarlierLayouts.snapshot(
            new EarlierLayout(), List.of(Signals.view(USER, "seed", T0 - hours(1)).get()));

    try (UserJourneyHarness h = new UserJourneyHarness(new UserJourneyFunction(CFG))) {
      h.setStateBackend(new EmbeddedRocksDBStateBackend());
      h.initializeState(legacy);
      h.open();

      assertThat(EarlierLayouts.keysOf(h, LegacyAffinities.CATEGORY)).isEmpty();
      assertThat(EarlierLayouts.keysOf(h, LegacyAffinities.ITEM)).isEmpty();
      UserScalars moved = scalarsInBackend(h, USER);
      // The rest of the user's value is kept.
      assertThat(moved.recentViewed).containsExactly("seed", "caf\u00e9-mug");
      assertThat(moved.profile.orders).isEqualTo(2);
      assertThat(moved.categoryAffinity.keys).containsExactly("books", "lamps");
      assertThat(moved.categoryAffinity.scores).containsExactly(0.5, 100.0);
      // In key order (RocksDB gave them in the order of their serialized bytes, length first).
      assertThat(moved.itemAffinity.keys).hasSize(OLD_ITEMS).isSorted();
      assertThat(moved.itemAffinity.scores[moved.itemAffinity.indexOf("old-7")]).isEqualTo(7.0);
      assertThat(moved.itemAffinity.updatedAt).containsOnly(T0 - hours(1));

      // A purchase in a new category ranks between the two moved ones.
      UserSignal purchase =
          Signals.purchase(USER, "new-item", T0).category("mugs").price(10.0).line(0, 1).get();
      h.processElement(purchase, purchase.eventTime);
      List<ProfileSnapshot> profiles = sideOutput(h, UserJourneyFunction.PROFILES);
      assertThat(profiles).hasSize(1);
      assertThat(profiles.get(0).topCategories).containsExactly("lamps", "mugs", "books");
    }
  }

  private static UserScalars scalarsInBackend(UserJourneyHarness h, String user) throws Exception {
    KeyedStateBackend<Object> backend = h.getOperator().getKeyedStateBackend();
    backend.setCurrentKey(user);
    ValueState<UserScalars> state =
        backend.getPartitionedState(
            VoidNamespace.INSTANCE,
            VoidNamespaceSerializer.INSTANCE,
            UserJourneyFunction.scalarsDescriptor(ItemCatalogFunction.ttl(CFG.profileTtlMs)));
    return state.value();
  }

  /**
   * Writes the user's value and the two affinity maps under the names, types and TTL of those
   * builds.
   */
  private static final class EarlierLayout
      extends KeyedBroadcastProcessFunction<String, UserSignal, PopularItems, Action>
      implements WriteBehindFunction {
    private transient MapState<String, DecayedScore> categories;
    private transient MapState<String, DecayedScore> items;
    private transient ValueState<UserScalars> scalars;

    @Override
    public WriteBehindStates bindWriteBehind(KeyContext keys) {
      return WriteBehindStates.forEngine(null, CFG); // write-through
    }

    @Override
    public void open(OpenContext ctx) {
      categories = getRuntimeContext().getMapState(map("category-affinity"));
      items = getRuntimeContext().getMapState(map("item-affinity"));
      ValueStateDescriptor<UserScalars> d =
          new ValueStateDescriptor<>(UserJourneyFunction.SCALARS, UserScalars.class);
      d.enableTimeToLive(ItemCatalogFunction.ttl(CFG.profileTtlMs));
      scalars = getRuntimeContext().getState(d);
    }

    private static MapStateDescriptor<String, DecayedScore> map(String name) {
      MapStateDescriptor<String, DecayedScore> d =
          new MapStateDescriptor<>(name, Types.STRING, TypeInformation.of(DecayedScore.class));
      d.enableTimeToLive(ItemCatalogFunction.ttl(CFG.profileTtlMs));
      return d;
    }

    @Override
    public void processElement(UserSignal s, ReadOnlyContext ctx, Collector<Action> out)
        throws Exception {
      UserScalars u = new UserScalars();
      u.recentViewed = new String[] {"seed", "caf\u00e9-mug"};
      u.profile = new ProfileCore();
      u.profile.orders = 2;
      scalars.update(u);
      categories.put("lamps", new DecayedScore(100.0, s.eventTime));
      categories.put("books", new DecayedScore(0.5, s.eventTime));
      for (int i = 0; i < OLD_ITEMS; i++) {
        items.put("old-" + i, new DecayedScore(i, s.eventTime));
      }
    }

    @Override
    public void processBroadcastElement(PopularItems value, Context ctx, Collector<Action> out) {}
  }
}
