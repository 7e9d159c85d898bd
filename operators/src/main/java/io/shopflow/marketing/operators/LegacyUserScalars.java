package io.shopflow.marketing.operators;

import io.shopflow.marketing.schema.state.Deadlines;
import io.shopflow.marketing.schema.state.ProfileCore;
import io.shopflow.marketing.schema.state.SessionState;
import io.shopflow.marketing.schema.state.UserRecState;
import io.shopflow.marketing.schema.state.UserScalars;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.util.function.ThrowingConsumer;
import org.apache.flink.util.function.ThrowingRunnable;

/**
 * Earlier builds kept each single-valued state of a user under its own name ({@code session},
 * {@code profile}, ...) and the session's per-item view counts in a map ({@code session-views});
 * now they share one {@link UserScalars} value, the view counts inside its session. After a restore
 * from such a snapshot the user operator moves every user's values into the shared one, once,
 * before it processes a record, and clears the old states (their names stay reserved). A restore
 * from a snapshot in the current layout finds no keys under the old names and does nothing.
 */
final class LegacyUserScalars {
  private LegacyUserScalars() {}

  private record Legacy<T>(
      String name, Class<T> type, Function<UserScalars, T> get, BiConsumer<UserScalars, T> set) {
    ValueState<T> register(RuntimeContext ctx, StateTtlConfig ttl) {
      ValueStateDescriptor<T> d = new ValueStateDescriptor<>(name, type);
      d.enableTimeToLive(ttl);
      return ctx.getState(d);
    }

    /** Moves the current key's old value into {@code u} (unless it already has one). */
    void moveInto(ValueState<T> old, UserScalars u) throws Exception {
      T v = old.value();
      if (v != null && get.apply(u) == null) {
        set.accept(u, v);
      }
      old.clear();
    }
  }

  /** The old states, by the names and types those builds registered (all with the profile TTL). */
  static final List<Legacy<?>> STATES =
      List.of(
          new Legacy<>("session", SessionState.class, u -> u.session, (u, v) -> u.session = v),
          new Legacy<>("profile", ProfileCore.class, u -> u.profile, (u, v) -> u.profile = v),
          new Legacy<>(
              "recent-viewed", String[].class, u -> u.recentViewed, (u, v) -> u.recentViewed = v),
          new Legacy<>(
              "recent-bought", String[].class, u -> u.recentBought, (u, v) -> u.recentBought = v),
          new Legacy<>("deadlines", Deadlines.class, u -> u.deadlines, (u, v) -> u.deadlines = v),
          new Legacy<>("mf-factor", double[].class, u -> u.mfFactor, (u, v) -> u.mfFactor = v),
          new Legacy<>("recommender", UserRecState.class, u -> u.recs, (u, v) -> u.recs = v));

  /** The session's per-item view counts of those builds (-1: carted or bought). */
  static final String SESSION_VIEWS = "session-views";

  /**
   * Moves every user's old single-valued states into {@code target} (written straight to the
   * backend). Returns the number of users moved.
   */
  static long migrate(
      RuntimeContext ctx,
      KeyedStateBackend<Object> backend,
      KeyContext keys,
      StateTtlConfig ttl,
      ValueState<UserScalars> target)
      throws Exception {
    if (!anyHasKeys(backend, STATES.stream().map(Legacy::name).toArray(String[]::new))
        && !hasKeys(backend, SESSION_VIEWS)) {
      return 0; // current layout (or no state): register nothing
    }
    List<ValueState<?>> old = new ArrayList<>();
    for (Legacy<?> l : STATES) {
      old.add(l.register(ctx, ttl));
    }
    MapStateDescriptor<String, Integer> viewsDescriptor =
        new MapStateDescriptor<>(SESSION_VIEWS, Types.STRING, Types.INT);
    viewsDescriptor.enableTimeToLive(ttl);
    MapState<String, Integer> views = ctx.getMapState(viewsDescriptor);
    long moved =
        moveEveryKey(
            backend,
            keys,
            target,
            UserScalars::new,
            u -> {
              for (int i = 0; i < STATES.size(); i++) {
                moveInto(STATES.get(i), old.get(i), u);
              }
              moveViews(views, u.session);
            },
            STATES.stream().map(Legacy::name).toArray(String[]::new));
    // View counts without a session (none should be left): nothing to attach them to.
    forEachKey(backend, keys, SESSION_VIEWS, views::clear);
    return moved;
  }

  /**
   * Runs {@code move} with each key holding {@code state} in the backend as the current key (a move
   * may clear that state while the keys are iterated). Returns the number of keys.
   */
  static long forEachKey(
      KeyedStateBackend<Object> backend,
      KeyContext keys,
      String state,
      ThrowingRunnable<Exception> move)
      throws Exception {
    long n = 0;
    try (Stream<Object> withState = backend.getKeys(state, VoidNamespace.INSTANCE)) {
      for (Object key : (Iterable<Object>) withState::iterator) {
        keys.setCurrentKey(key);
        move.run();
        n++;
      }
    }
    return n;
  }

  /**
   * Moves the current key's old view counts into {@code session} (in key order) and clears them.
   */
  private static void moveViews(MapState<String, Integer> views, SessionState session)
      throws Exception {
    if (session != null) {
      for (Map.Entry<String, Integer> e : views.entries()) {
        if (e.getValue() == SessionState.ENGAGED) {
          session.markEngaged(e.getKey());
        } else {
          for (int i = 0; i < e.getValue(); i++) {
            session.countView(e.getKey());
          }
        }
      }
    }
    views.clear();
  }

  @SuppressWarnings("unchecked")
  private static <T> void moveInto(Legacy<T> l, ValueState<?> old, UserScalars u) throws Exception {
    l.moveInto((ValueState<T>) old, u);
  }

  /** Whether the backend holds {@code state} for any key (registered or only restored). */
  static boolean hasKeys(KeyedStateBackend<Object> backend, String state) {
    try (Stream<Object> keys = backend.getKeys(state, VoidNamespace.INSTANCE)) {
      return keys.findAny().isPresent();
    }
  }

  /** Whether the backend holds any of {@code states} for any key. */
  static boolean anyHasKeys(KeyedStateBackend<Object> backend, String... states) {
    for (String state : states) {
      if (hasKeys(backend, state)) {
        return true;
      }
    }
    return false;
  }

  /**
   * For every key holding any of {@code states} (one pass per state): reads {@code target} (or
   * {@code empty} when the key has none), lets {@code move} move the key's old values into it and
   * clear them, and writes it back. A key found in an earlier pass has nothing left under the later
   * names. Returns the number of keys moved.
   */
  static <T> long moveEveryKey(
      KeyedStateBackend<Object> backend,
      KeyContext keys,
      ValueState<T> target,
      Supplier<T> empty,
      ThrowingConsumer<T, Exception> move,
      String... states)
      throws Exception {
    long moved = 0;
    for (String state : states) {
      moved +=
          forEachKey(
              backend,
              keys,
              state,
              () -> {
                T value = target.value();
                if (value == null) {
                  value = empty.get();
                }
                move.accept(value);
                target.update(value);
              });
    }
    return moved;
  }
}
