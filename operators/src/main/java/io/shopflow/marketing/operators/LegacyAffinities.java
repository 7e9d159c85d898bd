package io.shopflow.marketing.operators;

import io.shopflow.marketing.schema.state.DecayedScore;
import io.shopflow.marketing.schema.state.DecayedScores;
import io.shopflow.marketing.schema.state.UserScalars;
import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * Earlier builds kept a user's affinities in two maps ({@code category-affinity}, {@code
 * item-affinity}: one RocksDB entry per category or item); now they are fields of the user's {@link
 * UserScalars}. After a restore from such a snapshot the user operator moves every user's entries
 * into it, once, before it processes a record, and clears the maps (their names stay reserved). A
 * snapshot in the current layout has no keys under the old names: nothing is registered.
 */
final class LegacyAffinities {
  private LegacyAffinities() {}

  static final String CATEGORY = "category-affinity";
  static final String ITEM = "item-affinity";

  /**
   * Moves every user's old entries into {@code target} (written straight to the backend). Returns
   * the number of users moved.
   */
  static long migrate(
      RuntimeContext ctx,
      KeyedStateBackend<Object> backend,
      KeyContext keys,
      StateTtlConfig profileTtl,
      ValueState<UserScalars> target)
      throws Exception {
    if (!LegacyUserScalars.anyHasKeys(backend, CATEGORY, ITEM)) {
      return 0;
    }
    MapState<String, DecayedScore> categories = register(ctx, CATEGORY, profileTtl);
    MapState<String, DecayedScore> items = register(ctx, ITEM, profileTtl);
    return LegacyUserScalars.moveEveryKey(
        backend,
        keys,
        target,
        UserScalars::new,
        u -> {
          u.categoryAffinity = moveInto(categories, u.categoryAffinity);
          u.itemAffinity = moveInto(items, u.itemAffinity);
        },
        CATEGORY,
        ITEM);
  }

  /** Registered as those builds did: profile TTL, string keys, POJO values. */
  private static MapState<String, DecayedScore> register(
      RuntimeContext ctx, String name, StateTtlConfig ttl) {
    MapStateDescriptor<String, DecayedScore> d =
        new MapStateDescriptor<>(name, Types.STRING, TypeInformation.of(DecayedScore.class));
    d.enableTimeToLive(ttl);
    return ctx.getMapState(d);
  }

  /**
   * Adds the current key's old entries to {@code into} (kept where it already has the key) and
   * clears them; null when there is nothing either side.
   */
  private static DecayedScores moveInto(MapState<String, DecayedScore> old, DecayedScores into)
      throws Exception {
    for (Map.Entry<String, DecayedScore> e : old.entries()) {
      if (into == null) {
        into = new DecayedScores();
      }
      // RocksDB iterates in the order of the serialized keys (length first): insert each in place.
      int i = into.indexOf(e.getKey());
      if (i < 0) {
        into.insert(-i - 1, e.getKey(), e.getValue().score, e.getValue().updatedAt);
      }
    }
    old.clear();
    return into;
  }
}
