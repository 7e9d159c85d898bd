package io.shopflow.marketing.operators.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.apache.flink.util.function.FunctionWithException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The write-behind cache on real RocksDB state, through Flink's keyed operator harness: commands
 * are "key:op:arg" strings; the function answers with what it read.
 */
class WriteBehindStatesTest {
  static final ValueStateDescriptor<Long> COUNT = new ValueStateDescriptor<>("count", Types.LONG);

  /** The cache's clock in these tests (wall-clock milliseconds otherwise). */
  static final java.util.concurrent.atomic.AtomicLong CLOCK =
      new java.util.concurrent.atomic.AtomicLong();

  static final ValueStateDescriptor<Boolean> PRESENT =
      new ValueStateDescriptor<>("present", Types.BOOLEAN);

  /** Reads of the presence markers, through the cache. */
  static final java.util.concurrent.atomic.AtomicLong MARKER_READS =
      new java.util.concurrent.atomic.AtomicLong();

  static final MapStateDescriptor<String, Integer> TAGS =
      new MapStateDescriptor<>("tags", Types.STRING, Types.INT);

  static final MapStateDescriptor<String, Integer> LABELS =
      new MapStateDescriptor<>("labels", Types.STRING, Types.INT);

  /**
   * count: increments a counter; tag:X puts X; untag:X removes X; drop: clears the tags; label:X
   * puts X into a small map (read whole), label-get:X and label-one:X look X up with get and
   * getOne.
   */
  static final class Counter extends KeyedProcessFunction<String, String, String>
      implements WriteBehindFunction {
    final int maxKeys;
    final int maxDirty;
    final boolean presence;
    long drainAgeMs = -1;
    transient WriteBehindStates states;
    transient ValueState<Long> count;
    transient MapState<String, Integer> tags;
    transient MapState<String, Integer> labels;

    Counter(int maxKeys, int maxDirty, boolean presence) {
      this.maxKeys = maxKeys;
      this.maxDirty = maxDirty;
      this.presence = presence;
    }

    @Override
    public WriteBehindStates bindWriteBehind(KeyContext keys) {
      states =
          new WriteBehindStates(keys, maxKeys, maxDirty, 60_000, 600_000, CLOCK::get)
              .checkpointDrainAge(drainAgeMs);
      return states;
    }

    @Override
    public void open(OpenContext ctx) {
      count = states.value(getRuntimeContext(), COUNT);
      tags = states.map(getRuntimeContext(), TAGS);
      labels = states.smallMap(getRuntimeContext(), LABELS);
      if (presence) {
        ValueState<Boolean> marker = getRuntimeContext().getState(PRESENT);
        states.trackPresence(
            new ValueState<>() {
              @Override
              public Boolean value() throws java.io.IOException {
                MARKER_READS.incrementAndGet();
                return marker.value();
              }

              @Override
              public void update(Boolean v) throws java.io.IOException {
                marker.update(v);
              }

              @Override
              public void clear() {
                marker.clear();
              }
            });
      }
    }

    @Override
    public void processElement(String cmd, Context ctx, Collector<String> out) throws Exception {
      String[] p = cmd.split(":");
      switch (p[1]) {
        case "count" -> {
          Long c = count.value();
          count.update(c == null ? 1 : c + 1);
          out.collect(p[0] + "=" + count.value());
        }
        case "tag" -> tags.put(p[2], tags.contains(p[2]) ? tags.get(p[2]) + 1 : 1);
        case "untag" -> tags.remove(p[2]);
        case "untag-iter" -> {
          Iterator<Map.Entry<String, Integer>> it = tags.iterator();
          while (it.hasNext()) {
            if (it.next().getKey().startsWith(p[2])) {
              it.remove();
            }
          }
        }
        case "drop" -> tags.clear();
        case "label" -> labels.put(p[2], 1);
        case "label-get" -> out.collect(p[0] + "." + p[2] + "=" + labels.get(p[2]));
        case "label-one" ->
            out.collect(p[0] + "." + p[2] + "=" + WriteBehindStates.getOne(labels, p[2]));
        case "labels" -> {
          List<String> seen = new ArrayList<>();
          for (Map.Entry<String, Integer> e : labels.entries()) {
            seen.add(e.getKey());
          }
          out.collect(p[0] + "=" + seen);
        }
        case "expect" -> states.expectState();
        case "tags" -> {
          List<String> seen = new ArrayList<>();
          for (Map.Entry<String, Integer> e : tags.entries()) {
            seen.add(e.getKey() + e.getValue());
          }
          out.collect(p[0] + "=" + seen);
        }
        default -> throw new IllegalArgumentException(cmd);
      }
    }
  }

  private KeyedOneInputStreamOperatorTestHarness<String, String, String> h;
  private Counter fn;

  private void open(int maxKeys, OperatorSubtaskState restore) throws Exception {
    open(maxKeys, 1_000, restore);
  }

  private void open(int maxKeys, int maxDirty, OperatorSubtaskState restore) throws Exception {
    open(maxKeys, maxDirty, false, restore);
  }

  private void open(int maxKeys, int maxDirty, boolean presence, OperatorSubtaskState restore)
      throws Exception {
    fn = new Counter(maxKeys, maxDirty, presence);
    h = RocksDbHarness.open(fn, c -> c.split(":")[0], restore);
  }

  @AfterEach
  void close() throws Exception {
    if (h != null) {
      h.close();
    }
  }

  private void send(String... cmds) throws Exception {
    for (String c : cmds) {
      h.processElement(c, 0L);
    }
  }

  private List<String> output() {
    List<String> out = new ArrayList<>();
    h.extractOutputValues().forEach(out::add);
    h.getOutput().clear();
    return out;
  }

  /** The counter as RocksDB holds it, bypassing the cache. */
  private Long backendCount(String key) throws Exception {
    return backendValue(key, COUNT);
  }

  /** A value state as RocksDB holds it, bypassing the cache. */
  private <T> T backendValue(String key, ValueStateDescriptor<T> state) throws Exception {
    return inBackend(key, state, ValueState::value);
  }

  /** {@code action} on the state of {@code key} as RocksDB holds it, bypassing the cache. */
  private <S extends State, R> R inBackend(
      String key, StateDescriptor<S, ?> state, FunctionWithException<S, R, Exception> action)
      throws Exception {
    KeyedStateBackend<Object> backend = h.getOperator().getKeyedStateBackend();
    Object current = backend.getCurrentKey();
    backend.setCurrentKey(key);
    try {
      return action.apply(
          backend.getPartitionedState(
              VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, state));
    } finally {
      if (current != null) {
        backend.setCurrentKey(current);
      }
    }
  }

  @Test
  void writesReachRocksDbOnlyWhenACheckpointIsTaken() throws Exception {
    open(100, null);
    send("a:count", "a:count", "b:count");
    assertThat(output()).containsExactly("a=1", "a=2", "b=1");
    assertThat(backendCount("a")).as("still on the heap").isNull();

    h.snapshot(1L, 1L);

    assertThat(backendCount("a")).isEqualTo(2L);
    assertThat(backendCount("b")).isEqualTo(1L);
  }

  @Test
  void everyCheckpointRecordsHowLongItHeldTheTaskThread() throws Exception {
    open(100, null);
    Histogram pauses =
        ((WriteBehindKeyedProcessOperator<?, ?, ?>) h.getOperator()).checkpointPauses();
    assertThat(pauses.getCount()).isZero();

    send("a:count", "b:count");
    h.snapshot(1L, 1L);
    send("a:count");
    h.snapshot(2L, 2L);

    assertThat(pauses.getCount()).isEqualTo(2);
    assertThat(pauses.getStatistics().getMin()).isNotNegative();
  }

  @Test
  void aRestoreFromCheckpointContinuesFromTheStateAtTheBarrier() throws Exception {
    open(100, null);
    send("a:count", "a:count", "a:tag:x", "a:tag:y", "a:tag:y");
    OperatorSubtaskState snapshot = h.snapshot(1L, 1L);
    // Changes after the barrier die with the failed task.
    send("a:count", "a:untag:x");
    h.close();

    open(100, snapshot);
    send("a:count", "a:tags");
    assertThat(output()).containsExactly("a=3", "a=[x1, y2]");
  }

  @Test
  void evictsAKeyNotUsedAgainBeforeOneInUseAndWritesItsChangesBack() throws Exception {
    open(2, null);
    send("a:count", "b:count", "a:count", "c:count"); // a used again, b not
    assertThat(backendCount("b")).as("written back on eviction").isEqualTo(1L);
    assertThat(backendCount("a")).as("still cached").isNull();
    assertThat(fn.states.size()).isEqualTo(2);

    send("b:count"); // read back from RocksDB
    assertThat(output()).containsExactly("a=1", "b=1", "a=2", "c=1", "b=2");
  }

  @Test
  void aKeySeenOnceIsEvictedBeforeKeysInUseWhereTheLeastRecentlyUsedWouldGo() throws Exception {
    open(3, null);
    // a and b are in use; then keys seen once each, as a price drop's cold users.
    send("a:count", "b:count", "a:count", "b:count", "c:count", "d:count");
    assertThat(backendCount("c")).as("c evicted for d").isEqualTo(1L);
    assertThat(backendCount("a")).as("a stays cached, the least recently used").isNull();
    assertThat(backendCount("b")).as("b stays cached").isNull();

    // The hand cleared a's and b's marks on its way to c: only a key used again keeps its place.
    send("a:count", "e:count");
    assertThat(backendCount("b")).as("b evicted for e").isEqualTo(2L);
    assertThat(backendCount("a")).as("a used again").isNull();
    assertThat(fn.states.size()).isEqualTo(3);

    send("b:count", "c:count"); // read back from RocksDB
    assertThat(output()).endsWith("b=3", "c=2");
  }

  @Test
  void beyondTheDirtyBoundTheOldestChangeIsWrittenBackAtOnce() throws Exception {
    open(100, 2, null);
    send("a:count", "b:count", "a:count"); // a, b dirty
    assertThat(backendCount("a")).isNull();
    send("c:count"); // a is the oldest change: written back, c stays on the heap
    assertThat(backendCount("a")).isEqualTo(2L);
    assertThat(backendCount("b")).isNull();
    assertThat(fn.states.dirtySize()).isEqualTo(2);
    assertThat(fn.states.size()).as("all still cached").isEqualTo(3);

    send("a:count"); // dirty again, now b is the oldest
    assertThat(backendCount("b")).isEqualTo(1L);
    OperatorSubtaskState snapshot = h.snapshot(1L, 1L);
    h.close();
    open(100, 2, snapshot);
    send("a:count", "b:count", "c:count");
    assertThat(output()).containsExactly("a=4", "b=2", "c=2");
  }

  @Test
  void aKeyChangedAgainAfterItsWriteBackDoesNotHoldBackOlderChanges() throws Exception {
    open(100, 1_000, null);
    CLOCK.set(0);
    send("a:count");
    CLOCK.set(61_000);
    send("b:count"); // a's change is 61 s old: written back
    assertThat(backendCount("a")).isEqualTo(1L);
    CLOCK.set(100_000);
    send("a:count"); // a changed again: its change is now younger than b's
    CLOCK.set(125_000);
    send("c:count"); // b's change is 64 s old, a's 25 s
    assertThat(backendCount("b")).as("the oldest change, behind a's earlier one").isEqualTo(1L);
    assertThat(backendCount("a")).as("25 s old: kept").isEqualTo(1L);
    assertThat(fn.states.dirtySize()).isEqualTo(2); // a and c
  }

  @Test
  void changesOlderThanTheAgeBoundAreWrittenBackWhileRecordsAreProcessed() throws Exception {
    open(100, 1_000, null);
    CLOCK.set(0);
    send("a:count", "b:count");
    CLOCK.set(30_000);
    send("c:count");
    assertThat(backendCount("a")).as("30 s old: kept").isNull();
    CLOCK.set(61_000);
    send("c:count"); // a and b changed 61 s ago: written back; c is the current key
    assertThat(backendCount("a")).isEqualTo(1L);
    assertThat(backendCount("b")).isEqualTo(1L);
    assertThat(backendCount("c")).isNull();
    assertThat(fn.states.dirtySize()).isEqualTo(1);
  }

  @Test
  void beforeACheckpointChangesOlderThanTheDrainAgeAreWrittenBackUntilTheCheckpoint()
      throws Exception {
    fn = new Counter(100, 1_000, false);
    fn.drainAgeMs = 1_000;
    h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new WriteBehindKeyedProcessOperator<>(fn).preFlushBeforeCheckpoints(500, 10_000),
            c -> c.split(":")[0],
            Types.STRING);
    h.setStateBackend(new org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend());
    h.open();
    h.setProcessingTime(0);
    CLOCK.set(0);
    send("a:count");
    h.snapshot(1L, 0L); // next due at 10 s: pre-flush at 9.5 s, the drain 100 ms before it
    CLOCK.set(1_000);
    send("b:count");
    CLOCK.set(5_000);
    send("c:count");
    assertThat(backendCount("b")).as("4 s old, under the 60 s bound").isNull();

    h.setProcessingTime(9_399);
    send("d:count");
    assertThat(backendCount("b")).as("not yet in the lead").isNull();

    h.setProcessingTime(9_400);
    CLOCK.set(5_500);
    send("e:count"); // b is 4.5 s old, c and d 500 ms: only b is past the drain age
    assertThat(backendCount("b")).isEqualTo(1L);
    assertThat(backendCount("c")).isNull();
    CLOCK.set(6_600);
    send("f:count");
    assertThat(backendCount("c")).isEqualTo(1L);
    assertThat(backendCount("d")).isEqualTo(1L);
    assertThat(backendCount("e")).as("1.1 s old, but only two write-backs per record").isNull();

    h.snapshot(2L, 10_000L); // writes back the rest; the 60 s bound is back
    assertThat(fn.states.dirtySize()).isZero();
    CLOCK.set(7_000);
    send("g:count");
    CLOCK.set(12_000);
    send("h:count");
    assertThat(backendCount("g")).as("5 s old, under the 60 s bound again").isNull();
  }

  @Test
  void getOneReadsOneKeyOfASmallMapWhereGetReadsItWhole() throws Exception {
    open(100, null);
    send("a:label:x", "a:label:y", "b:label:x", "b:label:y");
    OperatorSubtaskState snapshot = h.snapshot(1L, 1L);
    h.close();
    open(100, snapshot);

    send("a:label-one:x", "b:label-get:x");
    // Behind the cache's back: what the cache read before this is all it can still show.
    for (String key : List.of("a", "b")) {
      inBackend(
          key,
          LABELS,
          m -> {
            m.remove("y");
            return null;
          });
    }
    send("a:labels", "b:labels");

    assertThat(output())
        .containsExactly(
            "a.x=1",
            "b.x=1",
            "a=[x]", // getOne read x alone; iterating read the map afterwards
            "b=[x, y]"); // get read the whole map, y included, at once
  }

  @Test
  void mapRemovalsAndClearsSurviveTheWriteBackAndIterateInKeyOrder() throws Exception {
    open(100, null);
    send("a:tag:z", "a:tag:m", "a:tag:b", "a:tag:bb");
    h.snapshot(1L, 1L);
    send("a:untag:m", "a:untag-iter:b", "a:tag:c");
    OperatorSubtaskState snapshot = h.snapshot(2L, 2L);
    h.close();

    open(100, snapshot);
    send("a:tags", "a:drop", "a:tag:q");
    assertThat(output()).containsExactly("a=[c1, z1]");
    OperatorSubtaskState second = h.snapshot(3L, 3L);
    h.close();

    open(100, second);
    send("a:tags");
    assertThat(output()).containsExactly("a=[q1]");
  }

  @Test
  void clearingAMapNotYetReadFromRocksDbDeletesEveryStoredEntry() throws Exception {
    open(100, null);
    send("a:tag:x", "a:tag:y", "b:tag:x");
    OperatorSubtaskState first = h.snapshot(1L, 1L);
    h.close();

    open(100, first);
    send("a:drop", "a:tag:q"); // a's map is cleared before anything of it was read
    OperatorSubtaskState second = h.snapshot(2L, 2L);
    h.close();

    open(100, second);
    send("a:tags", "b:tags");
    assertThat(output()).containsExactly("a=[q1]", "b=[x1]");
  }

  @Test
  void aRestoreFromStateWithoutMarkersWritesTheMissingOnesAndKeepsEveryState() throws Exception {
    // Written by a function without markers (as by an earlier build, or with the cache off).
    open(100, 1_000, false, null);
    send("a:count", "a:count", "a:tag:x", "b:tag:y");
    OperatorSubtaskState withoutMarkers = h.snapshot(1L, 1L);
    h.close();
    h = null;

    // Markers now: the operator writes them for every key with state before any record.
    open(100, 1_000, true, withoutMarkers);
    assertThat(fn.states.presenceComplete()).isTrue();
    assertThat(backendValue("a", PRESENT)).isTrue();
    assertThat(backendValue("b", PRESENT)).isTrue();
    assertThat(backendValue("c", PRESENT)).isNull();
    send("a:count", "a:tags", "b:tags", "c:count");
    assertThat(output()).containsExactly("a=3", "a=[x1]", "b=[y1]", "c=1");
    OperatorSubtaskState withMarkers = h.snapshot(2L, 2L);
    h.close();
    h = null;

    // A restore of that lineage trusts the markers and keeps every state.
    open(100, 1_000, true, withMarkers);
    assertThat(fn.states.presenceComplete()).isTrue();
    send("a:count", "b:tags", "c:count", "d:count");
    assertThat(output()).containsExactly("a=4", "b=[y1]", "c=2", "d=1");
  }

  @Test
  void withCompleteMarkersNewKeysStartEmptyAndKnownKeysAreReadBack() throws Exception {
    // A job started without state: every key it writes gets a marker.
    open(2, 1_000, true, null);
    assertThat(fn.states.presenceComplete()).isTrue();
    send("a:count", "a:tag:x", "b:count", "c:count", "d:count"); // a and b are evicted
    send("a:count", "a:tags", "b:count");
    assertThat(output()).containsExactly("a=1", "b=1", "c=1", "d=1", "a=2", "a=[x1]", "b=2");
    assertThat(backendValue("a", PRESENT)).isTrue();
    assertThat(backendValue("z", PRESENT)).isNull();
    OperatorSubtaskState snapshot = h.snapshot(1L, 1L);
    h.close();

    open(2, 1_000, true, snapshot);
    assertThat(fn.states.presenceComplete()).isTrue();
    send("a:count", "a:tags", "d:count", "e:count", "e:tags");
    assertThat(output()).containsExactly("a=3", "a=[x1]", "d=2", "e=1", "e=[]");
  }

  @Test
  void aKeyExpectedToHaveStateHasItsMarkerReadOnlyWhenItsFirstReadFindsNothing() throws Exception {
    open(100, 1_000, true, null);
    send("a:count", "a:count", "b:tag:x", "c:count");
    OperatorSubtaskState snapshot = h.snapshot(1L, 1L);
    h.close();
    output();

    open(100, 1_000, true, snapshot); // the cache starts empty, the markers are trusted
    MARKER_READS.set(0);
    send("c:count"); // not expected to have state: the marker first, as for a new key
    assertThat(MARKER_READS.get()).isEqualTo(1);
    send("a:expect", "a:count"); // its counter is found: the key has state, no marker read
    assertThat(MARKER_READS.get()).isEqualTo(1);
    send("b:expect", "b:count"); // no counter, but b has tags: the marker says so
    send("b:tags");
    assertThat(MARKER_READS.get()).isEqualTo(2);
    send("n:expect", "n:count", "n:tags"); // expected wrongly: a marker read, nothing more read
    assertThat(MARKER_READS.get()).isEqualTo(3);
    assertThat(output()).containsExactly("c=2", "a=3", "b=1", "b=[x1]", "n=1", "n=[]");
  }

  @Test
  void evictionsIdleDropsAndRestoresInAnyOrderKeepEveryCount() throws Exception {
    java.util.Random random = new java.util.Random(42);
    Map<String, Long> expected = new java.util.HashMap<>();
    open(5, 3, null);
    CLOCK.set(0);
    for (int step = 0; step < 3_000; step++) {
      String key = "k" + random.nextInt(random.nextBoolean() ? 4 : 25); // a few hot, many cold
      long count = expected.merge(key, 1L, Long::sum);
      send(key + ":count");
      assertThat(output()).containsExactly(key + "=" + count);
      assertThat(fn.states.positionsConsistent()).as("step %d", step).isTrue();
      assertThat(fn.states.dirtySize()).isBetween(1, 3);
      CLOCK.addAndGet(random.nextInt(40_000));
      if (step % 97 == 96) {
        if (random.nextBoolean()) {
          CLOCK.addAndGet(random.nextInt(1_000_000)); // some or all keys idle for over 600 s
        }
        OperatorSubtaskState snapshot = h.snapshot(step, step);
        assertThat(fn.states.positionsConsistent()).isTrue();
        assertThat(fn.states.dirtySize()).isZero();
        if (random.nextInt(3) == 0) {
          h.close();
          open(5, 3, snapshot);
        }
      }
    }
  }

  @Test
  void aCheckpointDropsKeysIdleForTenMinutesAndKeepsTheOthersWhateverTheirFirstAccess()
      throws Exception {
    open(100, null);
    CLOCK.set(0);
    send("a:count", "b:count", "c:count", "d:count");
    CLOCK.set(500_000);
    send("b:count"); // b was cached before c and d, but is in use again
    CLOCK.set(650_000);
    send("e:count");
    h.snapshot(1L, 1L); // a, c and d idle for over 600 s
    assertThat(fn.states.size()).isEqualTo(2);

    assertThat(fn.states.positionsConsistent()).isTrue();

    CLOCK.set(1_150_000);
    h.snapshot(2L, 2L); // b is idle now, e (500 s) is not
    assertThat(fn.states.size()).isEqualTo(1);
    assertThat(fn.states.positionsConsistent()).isTrue();

    // Dropped keys were written back first: their state reads back from RocksDB.
    send("a:count", "b:count", "e:count");
    assertThat(output()).endsWith("a=2", "b=3", "e=2");
  }

  @Test
  void withoutAKeyContextStatesAreWriteThrough() throws Exception {
    WriteBehindStates passThrough = new WriteBehindStates(null, 0, 0, 0, 0);
    assertThat(passThrough.isCaching()).isFalse();

    open(100, null);
    assertThat(fn.states.isCaching()).isTrue();
  }
}
