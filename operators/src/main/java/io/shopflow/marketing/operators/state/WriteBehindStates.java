package io.shopflow.marketing.operators.state;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.util.function.ThrowingRunnable;

/**
 * A write-behind heap cache in front of a keyed function's {@code ValueState}s and {@code
 * MapState}s: reads and writes of recently active keys stay on the heap, and the changed entries
 * are written to the real (RocksDB) state only when a checkpoint is taken ({@link #flush()}, called
 * from the write-behind operator's {@code snapshotState}) or when a key is evicted.
 *
 * <p>Why: a RocksDB state access costs a JNI call, a key serialisation and a value
 * (de)serialisation; the user operator touches about twenty states per event. A shopper's events
 * come in bursts, so most of those accesses hit the same few thousand keys between two checkpoints.
 *
 * <p>Exactly-once is kept because everything changed up to a barrier is in the backend when the
 * checkpoint is taken; after a failure the cache starts empty and reads the restored state.
 *
 * <p>Semantics a caller must know:
 *
 * <ul>
 *   <li>Values are the cached objects themselves (as with Flink's heap backend): write back with
 *       {@code update}/{@code put} after changing one, as RocksDB requires anyway.
 *   <li>Map iteration is in key order, the same after a restore as before. Changing a map while
 *       iterating it is allowed (a removed entry is skipped, an added one is not seen).
 *   <li>State TTL applies in the backend; a cached key idle for longer than {@code idleEvictMs} is
 *       dropped at the next flush, so a cached value never outlives the TTL by more than that (keep
 *       {@code idleEvictMs} well below the shortest TTL).
 * </ul>
 *
 * <p>Without a {@link KeyContext} (a function run by Flink's stock operators) the wrappers are the
 * backend states themselves: write-through, as before.
 */
public final class WriteBehindStates {
  /**
   * Histogram metric of both write-behind operators: milliseconds each checkpoint's synchronous
   * part held the task thread (the cache's write-back, RocksDB's flush and file links), over the
   * last 100 checkpoints. Records wait behind it.
   */
  public static final String CHECKPOINT_PAUSE_METRIC = "checkpointPauseMs";

  /**
   * Counter metric of both write-behind operators: background flushes of RocksDB's memtables
   * started before a checkpoint was due (see {@code RocksDbPreFlush}).
   */
  public static final String PRE_FLUSH_METRIC = "rocksdbPreFlushes";

  private final KeyContext keys;
  private final int maxKeys;
  private final int maxDirtyKeys;
  private final long maxDirtyAgeMs;
  // The age bound before a checkpoint (see drainBeforeCheckpoint), and the one in force now.
  private long drainAgeMs = -1;
  private long ageBound;
  private final long idleEvictMs;
  private final LongSupplier clock;
  private final List<Slot> slots = new ArrayList<>();
  private final HashMap<Object, Entry> entries;
  // The cached keys for eviction (CLOCK, second chance) and the idle sweep: each entry sits at its
  // own position, with its last access time and whether it was used again since the hand passed
  // (set on access, cleared by the hand) at the same position of two primitive arrays. An access
  // writes only primitives. An access-ordered LinkedHashMap relinks old list nodes on every access
  // to another key: each relink dirties G1 cards, which is about 70 % of the cards the job dirties
  // and most of G1's refinement (docs/benchmarks.md).
  private Entry[] ring = new Entry[0];
  private long[] ringAccess = new long[0];
  private boolean[] ringUsed = new boolean[0];
  private int ringSize;
  private int hand;
  // Keys with unwritten changes, oldest change first.
  private final LinkedHashMap<Object, Entry> dirty = new LinkedHashMap<>();
  private Object lastKey;
  private Entry lastEntry;
  // The presence marker of each key with state, and whether every such key has one.
  private ValueState<Boolean> presence;
  private boolean presenceComplete;
  // Names of the states registered through this cache (the marker pass reads their keys).
  private final List<String> stateNames = new ArrayList<>();

  /**
   * @param keys the operator's key context, or {@code null} for write-through
   * @param maxKeys keys kept on the heap; beyond that one is evicted (a key not used again since
   *     the eviction hand last passed it) and its changes are written back
   * @param maxDirtyKeys keys with unwritten changes; beyond that the oldest change is written back
   *     at once, which bounds the work left for a checkpoint (and so the pause it causes)
   * @param maxDirtyAgeMs a change older than this is written back while records are processed (at
   *     most two keys per record), so a checkpoint only writes the last moments' changes
   * @param idleEvictMs a clean key not touched for this long is dropped at the next flush
   */
  public WriteBehindStates(
      KeyContext keys, int maxKeys, int maxDirtyKeys, long maxDirtyAgeMs, long idleEvictMs) {
    this(keys, maxKeys, maxDirtyKeys, maxDirtyAgeMs, idleEvictMs, System::currentTimeMillis);
  }

  WriteBehindStates(
      KeyContext keys,
      int maxKeys,
      int maxDirtyKeys,
      long maxDirtyAgeMs,
      long idleEvictMs,
      LongSupplier clock) {
    if (keys != null && (maxKeys < 1 || maxDirtyKeys < 1)) {
      throw new IllegalArgumentException(
          "maxKeys and maxDirtyKeys must be at least 1, got " + maxKeys + ", " + maxDirtyKeys);
    }
    this.keys = keys;
    this.maxKeys = maxKeys;
    this.maxDirtyKeys = maxDirtyKeys;
    this.maxDirtyAgeMs = maxDirtyAgeMs;
    this.ageBound = maxDirtyAgeMs;
    this.idleEvictMs = idleEvictMs;
    this.clock = clock;
    this.entries = new HashMap<>(Math.min(maxKeys, 1 << 16));
  }

  /**
   * The cache a keyed function of this engine uses: sized by {@code cfg}, write-through when no key
   * context was bound or the cache is turned off ({@code stateCacheKeys = 0}).
   */
  public static WriteBehindStates forEngine(
      KeyContext keys, io.shopflow.marketing.udfs.EngineConfig cfg) {
    return new WriteBehindStates(
            cfg.stateCacheKeys > 0 ? keys : null,
            cfg.stateCacheKeys,
            cfg.stateCacheDirtyKeys,
            cfg.stateCacheDirtyAgeMs,
            cfg.stateCacheIdleMs)
        .checkpointDrainAge(cfg.stateCacheDrainAgeMs);
  }

  /**
   * The age bound from {@link #drainBeforeCheckpoint} until the next {@link #flush}: shorter than
   * {@code maxDirtyAgeMs}, so that most changes are written back between records before the
   * checkpoint rather than in its synchronous part. A negative value (the default) turns it off.
   */
  public WriteBehindStates checkpointDrainAge(long ms) {
    this.drainAgeMs = ms;
    return this;
  }

  /**
   * A checkpoint is due soon: until the next {@link #flush}, changes older than the drain age are
   * written back while records are processed (at most two keys per record, as always). The pause of
   * a checkpoint's write-back is time the task thread waits for a core while every operator
   * snapshots at once (docs/benchmarks.md); spread over the records before it, the same writes
   * cause no pause of their own. No-op when the drain age is off.
   */
  void drainBeforeCheckpoint() {
    if (drainAgeMs >= 0 && drainAgeMs < maxDirtyAgeMs) {
      ageBound = drainAgeMs;
    }
  }

  /** Whether reads and writes are cached (a key context was given). */
  public boolean isCaching() {
    return keys != null;
  }

  /**
   * The keyed state {@code d} of {@code ctx}, seen through the cache (the backend state itself when
   * not caching).
   */
  public <T> ValueState<T> value(RuntimeContext ctx, ValueStateDescriptor<T> d) {
    ValueState<T> backend = ctx.getState(d);
    stateNames.add(d.getName());
    if (keys == null) {
      return backend;
    }
    CachedValue<T> v = new CachedValue<>(this, slots.size(), backend);
    slots.add(v);
    return v;
  }

  /**
   * The keyed map state {@code d} of {@code ctx}, seen through the cache (the backend state itself
   * when not caching). Keys must be {@link Comparable}: cached maps iterate in key order.
   */
  public <K extends Comparable<K>, V> MapState<K, V> map(
      RuntimeContext ctx, MapStateDescriptor<K, V> d) {
    return map(ctx, d, false);
  }

  /**
   * As {@link #map}, for a small map state: read whole at a key's first access (one RocksDB scan),
   * so that looking up map keys it does not hold costs nothing afterwards. For bounded maps whose
   * lookups mostly miss (affinities of items seen for the first time, a new user's maps), where
   * each miss would otherwise be a RocksDB read.
   */
  public <K extends Comparable<K>, V> MapState<K, V> smallMap(
      RuntimeContext ctx, MapStateDescriptor<K, V> d) {
    return map(ctx, d, true);
  }

  private <K extends Comparable<K>, V> MapState<K, V> map(
      RuntimeContext ctx, MapStateDescriptor<K, V> d, boolean whole) {
    MapState<K, V> backend = ctx.getMapState(d);
    stateNames.add(d.getName());
    if (keys == null) {
      return backend;
    }
    CachedMap<K, V> m = new CachedMap<>(this, slots.size(), backend, whole);
    slots.add(m);
    return m;
  }

  /**
   * {@code m.get(key)}, but when {@code m} is a {@link #smallMap} not yet read for the current key,
   * only {@code key} is read (a RocksDB point read) instead of the whole map (an iterator seek),
   * and the map is read whole later only if it is iterated. For the one lookup a cold key needs: a
   * price drop checks one cart line of up to a thousand users who are mostly not in the cache.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static <K, V> V getOne(MapState<K, V> m, K key) throws Exception {
    if (m instanceof CachedMap) {
      return (V) ((CachedMap) m).getOne((Comparable) key);
    }
    return m.get(key);
  }

  /**
   * Keeps a marker ({@code marker}, a {@code Boolean} value state without TTL) for every key this
   * cache writes state for, so that a key without one is known to have no state at all: its first
   * access costs one RocksDB read instead of one per state and map (most of a shop's visitors are
   * new). Missing markers are trusted only when every key with state has one, which the
   * write-behind operator knows from the state it restored ({@link WriteBehindSupport}); markers
   * are written either way. No-op when not caching.
   */
  public void trackPresence(ValueState<Boolean> marker) {
    if (keys == null) {
      return;
    }
    this.presence = marker;
  }

  /**
   * When the restored state has keys without a marker: writes one for every key with an entry in
   * any of the states registered through this cache (a one-off pass over the backend's keys, at
   * start-up, once the function has registered them), after which missing markers are trusted.
   * Returns the number of keys marked (0 when nothing was to do).
   */
  long completePresenceMarkers(org.apache.flink.runtime.state.KeyedStateBackend<Object> backend)
      throws Exception {
    if (presence == null || presenceComplete) {
      return 0;
    }
    if (stateNames.isEmpty()) {
      presenceComplete = true; // no state, so no key to mark
      return 0;
    }
    long[] marked = {0};
    restoringCurrentKey(
        () -> {
          try (java.util.stream.Stream<Object> withState =
              backend.getKeys(stateNames, org.apache.flink.runtime.state.VoidNamespace.INSTANCE)) {
            for (Object key : (Iterable<Object>) withState::iterator) {
              keys.setCurrentKey(key);
              presence.update(Boolean.TRUE);
              marked[0]++;
            }
          }
        });
    presenceComplete = true;
    return marked[0];
  }

  /**
   * Set by the write-behind operator from the state it restored (see {@link WriteBehindSupport}).
   */
  void presenceMarkersComplete(boolean complete) {
    this.presenceComplete = complete;
  }

  /**
   * After the caller cleared every state of the current key (an erasure): its presence marker is
   * deleted at the write-back too, unless state was written again by then. No-op when no marker is
   * kept.
   */
  public void forgetPresence() throws Exception {
    if (presence == null) {
      return;
    }
    Entry e = current();
    e.forget = true;
    e.markDirty();
  }

  /** Whether a key without a marker is taken as new (see {@link #trackPresence}). */
  boolean presenceComplete() {
    return presenceComplete;
  }

  /** Whether a marker is written for every key written back (see {@link #trackPresence}). */
  public boolean writesPresenceMarkers() {
    return presence != null;
  }

  /** Writes every changed entry to the backend and drops keys idle for too long. */
  public void flush() throws Exception {
    ageBound = maxDirtyAgeMs;
    if (keys == null || entries.isEmpty()) {
      return;
    }
    long now = clock.getAsLong();
    try {
      restoringCurrentKey(
          () -> {
            for (Entry entry : new ArrayList<>(dirty.values())) {
              keys.setCurrentKey(entry.key);
              writeBack(entry);
            }
          });
      dropIdle(now);
    } finally {
      lastKey = null;
      lastEntry = null;
    }
  }

  /**
   * Drops the clean keys idle for longer than {@code idleEvictMs}. The walk reads the access times'
   * array, not the entries: a walk over every cached entry (tens of thousands, a cache miss each)
   * took 20-70 ms at every checkpoint, in its synchronous part, with records waiting behind it.
   */
  private void dropIdle(long now) {
    // Downwards, so that the entry moved into a freed position has been looked at already.
    for (int i = ringSize - 1; i >= 0; i--) {
      if (now - ringAccess[i] > idleEvictMs) {
        Entry idle = ring[i];
        if (!idle.dirty) {
          entries.remove(idle.key);
          removeFromRing(i);
        }
      }
    }
  }

  /** Frees position {@code i}: the last entry moves into it, so the positions stay dense. */
  private void removeFromRing(int i) {
    int last = --ringSize;
    Entry moved = ring[last];
    ring[i] = moved;
    moved.position = i;
    ringAccess[i] = ringAccess[last];
    ringUsed[i] = ringUsed[last];
    ring[last] = null;
  }

  /** Places {@code e} at the end of the positions, growing the arrays up to {@code maxKeys}. */
  private void appendToRing(Entry e, long now) {
    if (ringSize == ring.length) {
      int grown = (int) Math.min(maxKeys, Math.max(16L, 2L * ring.length));
      ring = java.util.Arrays.copyOf(ring, grown);
      ringAccess = java.util.Arrays.copyOf(ringAccess, grown);
      ringUsed = java.util.Arrays.copyOf(ringUsed, grown);
    }
    place(e, ringSize++, now);
  }

  private void place(Entry e, int i, long now) {
    ring[i] = e;
    e.position = i;
    ringAccess[i] = now;
    // Not used again yet: a key seen once (a price drop's cold user) goes before the ones in use.
    ringUsed[i] = false;
  }

  /**
   * The position of the key to evict: the hand passes keys used again since it last passed them
   * (clearing the mark, their second chance) and stops at the first that was not.
   */
  private int victim() {
    while (true) {
      if (hand >= ringSize) {
        hand = 0;
      }
      if (!ringUsed[hand]) {
        return hand;
      }
      ringUsed[hand++] = false;
    }
  }

  /** Keys with unwritten changes now. */
  public int dirtySize() {
    return dirty.size();
  }

  /** Keys on the heap now. */
  public int size() {
    return entries.size();
  }

  /** For tests: every cached key sits at the position it records, and only there. */
  boolean positionsConsistent() {
    if (ringSize != entries.size() || ringSize > maxKeys) {
      return false;
    }
    for (int i = 0; i < ringSize; i++) {
      Entry e = ring[i];
      if (e == null || e.position != i || entries.get(e.key) != e) {
        return false;
      }
    }
    return true;
  }

  private void writeBack(Entry entry) throws Exception {
    for (int i = 0; i < entry.slots.length; i++) {
      if (entry.slots[i] != null) {
        slots.get(i).writeBack(entry.slots[i]);
      }
    }
    if (presence != null) {
      if (entry.forget && entry.knownEmpty()) {
        presence.clear();
        entry.marked = false;
        entry.fresh = true;
      } else if (!entry.marked) {
        presence.update(Boolean.TRUE); // also when unknown: a blind write, cheaper than a read
        entry.marked = true;
      }
      entry.presenceUnknown = false;
      entry.forget = false;
    }
    entry.dirty = false;
    dirty.remove(entry.key);
  }

  /** Writes back {@code entry} under its own key, wherever the operator's key is now. */
  private void writeBackEarly(Entry entry) throws Exception {
    if (keys.getCurrentKey() == entry.key) {
      writeBack(entry);
      return;
    }
    restoringCurrentKey(
        () -> {
          keys.setCurrentKey(entry.key);
          writeBack(entry);
        });
  }

  /** Runs {@code work}, which may switch the operator's current key, and switches it back. */
  private void restoringCurrentKey(ThrowingRunnable<Exception> work) throws Exception {
    Object current = keys.getCurrentKey();
    try {
      work.run();
    } finally {
      if (current != null) {
        keys.setCurrentKey(current);
      }
    }
  }

  /**
   * Tells the cache that the current key is expected to have state (a price drop reaches users who
   * put the item in their cart): if the key is not cached, its marker is not read up front; its
   * first state read settles whether it has state, and only a read that finds nothing reads the
   * marker. The default, reading the marker first, suits keys that are often new (one read instead
   * of two for a new key).
   */
  public void expectState() throws Exception {
    if (keys != null) {
      current(false);
    }
  }

  /** The current key's entry, loading nothing yet (slots load lazily). */
  Entry current() throws Exception {
    return current(true);
  }

  private Entry current(boolean readMarkerFirst) throws Exception {
    Object key = keys.getCurrentKey();
    if (key == null) {
      throw new IllegalStateException("keyed state accessed without a current key");
    }
    if (key == lastKey) {
      return lastEntry;
    }
    long now = clock.getAsLong();
    Entry e = entries.get(key);
    if (e == null) {
      e = new Entry(key, slots.size());
      if (presence != null && presenceComplete) {
        if (readMarkerFirst) {
          e.readMarker();
        } else {
          e.presenceUnknown = true; // see expectState
        }
      }
      entries.put(key, e);
      if (ringSize < maxKeys) {
        appendToRing(e, now);
      } else {
        evictFor(e, now);
      }
    } else {
      ringAccess[e.position] = now;
      ringUsed[e.position] = true;
    }
    lastKey = key;
    lastEntry = e;
    writeBackAged(now, e);
    return e;
  }

  /** Writes back up to two changes older than the age bound (never the current key's). */
  private void writeBackAged(long now, Entry current) throws Exception {
    for (int i = 0; i < 2 && !dirty.isEmpty(); i++) {
      Entry oldest = dirty.values().iterator().next();
      if (oldest == current || now - oldest.dirtySince <= ageBound) {
        return;
      }
      writeBackEarly(oldest);
    }
  }

  /** Evicts a key (see {@link #victim}) and gives its position to {@code e}. */
  private void evictFor(Entry e, long now) throws Exception {
    int i = victim();
    Entry evicted = ring[i];
    entries.remove(evicted.key);
    place(e, i, now);
    hand = i + 1;
    if (evicted.dirty) {
      writeBackEarly(evicted);
    }
  }

  /** One key's cached slots, one per registered state, created on first access. */
  final class Entry {
    final Object key;
    final Object[] slots;
    // Where the key sits in the eviction order's arrays.
    int position;
    boolean dirty;
    long dirtySince;
    // The backend held no state for the key when it was cached: nothing to read.
    boolean fresh;
    // The key's presence marker is in the backend.
    boolean marked;
    // Markers are trusted but this key's is not read yet: its first backend read decides.
    boolean presenceUnknown;
    // Every state was cleared: delete the marker if nothing was written since.
    boolean forget;

    Entry(Object key, int size) {
      this.key = key;
      this.slots = new Object[size];
    }

    /**
     * Called after each backend read of one of the key's states ({@code found}: it held data). The
     * first read settles whether the key has state at all: data found means it has (and so has a
     * marker); nothing found means its marker decides, and a key without one is new, so its other
     * states are not read.
     */
    void afterRead(boolean found) throws Exception {
      if (!presenceUnknown) {
        return;
      }
      presenceUnknown = false;
      if (found) {
        marked = true;
      } else {
        readMarker();
      }
    }

    /** Reads the key's marker: without one the key is new, and its slots know the backend empty. */
    void readMarker() throws Exception {
      marked = presence.value() != null;
      fresh = !marked;
      if (fresh) {
        for (Object slot : slots) {
          if (slot instanceof MapSlot<?, ?> m) {
            m.backendHoldsNothing();
          }
        }
      }
    }

    /** Whether every state of the key is known to be empty (each slot read or written). */
    boolean knownEmpty() {
      for (Object slot : slots) {
        if (slot == null) {
          if (!fresh) {
            return false; // never touched: the backend may hold it
          }
        } else if (slot instanceof ValueSlot<?> v) {
          if (v.value != null) {
            return false;
          }
        } else {
          MapSlot<?, ?> m = (MapSlot<?, ?>) slot;
          if (!m.complete || !m.inKeyOrder().isEmpty()) {
            return false;
          }
        }
      }
      return true;
    }

    /** Called after a slot changed: queues the key for write-back, within the dirty bound. */
    void markDirty() {
      if (dirty) {
        return;
      }
      dirty = true;
      dirtySince = ringAccess[position]; // when the key was last accessed
      WriteBehindStates.this.dirty.put(key, this);
      if (WriteBehindStates.this.dirty.size() > maxDirtyKeys) {
        Entry oldest = WriteBehindStates.this.dirty.values().iterator().next();
        try {
          writeBackEarly(oldest);
        } catch (RuntimeException ex) {
          throw ex;
        } catch (Exception ex) {
          throw new IllegalStateException("write-behind cache", ex);
        }
      }
    }
  }

  private interface Slot {
    void writeBack(Object cached) throws Exception;
  }

  // ------------------------------------------------------------------ value

  private static final class ValueSlot<T> {
    final Entry entry;
    T value;
    boolean dirty;

    ValueSlot(Entry entry) {
      this.entry = entry;
    }
  }

  private static final class CachedValue<T> implements ValueState<T>, Slot {
    private final WriteBehindStates owner;
    private final int index;
    private final ValueState<T> backend;

    CachedValue(WriteBehindStates owner, int index, ValueState<T> backend) {
      this.owner = owner;
      this.index = index;
      this.backend = backend;
    }

    @SuppressWarnings("unchecked")
    private ValueSlot<T> slot(boolean load) {
      try {
        Entry e = owner.current();
        ValueSlot<T> s = (ValueSlot<T>) e.slots[index];
        if (s == null) {
          s = new ValueSlot<>(e);
          e.slots[index] = s;
          if (load && !e.fresh) {
            s.value = backend.value();
            e.afterRead(s.value != null);
          }
        }
        return s;
      } catch (RuntimeException ex) {
        throw ex;
      } catch (Exception ex) {
        throw new IllegalStateException("write-behind cache", ex);
      }
    }

    @Override
    public T value() {
      return slot(true).value;
    }

    @Override
    public void update(T value) {
      ValueSlot<T> s = slot(false);
      s.value = value;
      markDirty(s);
    }

    @Override
    public void clear() {
      update(null);
    }

    private void markDirty(ValueSlot<T> s) {
      s.dirty = true;
      s.entry.markDirty();
    }

    @Override
    @SuppressWarnings("unchecked")
    public void writeBack(Object cached) throws Exception {
      ValueSlot<T> s = (ValueSlot<T>) cached;
      if (!s.dirty) {
        return;
      }
      if (s.value == null) {
        backend.clear();
      } else {
        backend.update(s.value);
      }
      s.dirty = false;
    }
  }

  // ------------------------------------------------------------------ map

  private static final byte STORED_UNKNOWN = 0;
  private static final byte STORED_YES = 1;
  private static final byte STORED_NO = 2;

  /** One map key of one state key: its current value and what the backend holds for it. */
  private static final class Cell<K, V> {
    final K key;
    // The value the function sees; null: absent or removed.
    V value;
    // Whether the backend holds the key: known after a read, a complete scan or a write-back.
    byte stored;
    // Queued in the slot's pending list.
    boolean dirty;

    Cell(K key, V value, byte stored) {
      this.key = key;
      this.value = value;
      this.stored = stored;
    }
  }

  /**
   * A map state of one key on the heap. One hash map of cells holds values, known absences and
   * pending changes together, so a lookup is one hash probe and a write-back walks only the changed
   * cells; key order is built only when the map is iterated.
   */
  private static final class MapSlot<K extends Comparable<K>, V> {
    final Entry entry;
    final HashMap<K, Cell<K, V>> cells = new HashMap<>();
    // Cells changed since the last write-back, in order of first change.
    ArrayList<Cell<K, V>> pending;
    // Cells with a value, in key order; null after a key was added or removed.
    ArrayList<Cell<K, V>> sorted;
    // Every backend entry has been read into cells.
    boolean complete;

    MapSlot(Entry entry) {
      this.entry = entry;
    }

    /**
     * The backend holds no entry of this map beyond the cells known to be stored: the others are
     * absent there, and known absences are dropped.
     */
    void backendHoldsNothing() {
      cells
          .values()
          .removeIf(
              c -> {
                if (c.stored == STORED_UNKNOWN) {
                  c.stored = STORED_NO;
                }
                return c.value == null && !c.dirty && c.stored == STORED_NO;
              });
      sorted = null;
      complete = true;
    }

    void changed(Cell<K, V> cell) {
      if (!cell.dirty) {
        cell.dirty = true;
        if (pending == null) {
          pending = new ArrayList<>();
        }
        pending.add(cell);
      }
      entry.markDirty();
    }

    void put(K key, V value) {
      Cell<K, V> cell = cells.get(key);
      if (cell == null) {
        cell = new Cell<>(key, null, complete ? STORED_NO : STORED_UNKNOWN);
        cells.put(key, cell);
      }
      if (cell.value == null) {
        sorted = null;
      }
      cell.value = value;
      changed(cell);
    }

    void remove(K key) {
      Cell<K, V> cell = cells.get(key);
      if (cell == null) {
        if (complete) {
          return; // known absent
        }
        cell = new Cell<>(key, null, STORED_UNKNOWN);
        cells.put(key, cell);
        changed(cell);
        return;
      }
      if (cell.value != null) {
        cell.value = null;
        sorted = null;
        changed(cell);
      }
    }

    /** The cells with a value, in key order. */
    List<Cell<K, V>> inKeyOrder() {
      if (sorted == null) {
        ArrayList<Cell<K, V>> live = new ArrayList<>(cells.size());
        for (Cell<K, V> c : cells.values()) {
          if (c.value != null) {
            live.add(c);
          }
        }
        live.sort((a, b) -> a.key.compareTo(b.key));
        sorted = live;
      }
      return sorted;
    }
  }

  private static final class CachedMap<K extends Comparable<K>, V> implements MapState<K, V>, Slot {
    private final WriteBehindStates owner;
    private final int index;
    private final MapState<K, V> backend;
    // Read whole at first access instead of key by key.
    private final boolean whole;

    CachedMap(WriteBehindStates owner, int index, MapState<K, V> backend, boolean whole) {
      this.owner = owner;
      this.index = index;
      this.backend = backend;
      this.whole = whole;
    }

    private MapSlot<K, V> slot() throws Exception {
      return slot(whole);
    }

    @SuppressWarnings("unchecked")
    private MapSlot<K, V> slot(boolean readWhole) throws Exception {
      Entry e = owner.current();
      MapSlot<K, V> s = (MapSlot<K, V>) e.slots[index];
      if (s == null) {
        s = new MapSlot<>(e);
        e.slots[index] = s;
        if (e.fresh) {
          s.complete = true; // a new key: the backend holds nothing
        } else if (readWhole) {
          load(s);
        }
      }
      return s;
    }

    /** {@link #get}, reading only {@code key} if the map was not read yet (see getOne). */
    V getOne(K key) throws Exception {
      slot(false);
      return get(key);
    }

    /** The slot with every backend entry loaded (for iteration and clear). */
    private MapSlot<K, V> complete() throws Exception {
      MapSlot<K, V> s = slot();
      if (!s.complete) {
        load(s);
      }
      return s;
    }

    /** Reads every backend entry into {@code s}; local values and removals win. */
    private void load(MapSlot<K, V> s) throws Exception {
      boolean found = false;
      for (Map.Entry<K, V> e : backend.entries()) {
        found = true;
        Cell<K, V> cell = s.cells.get(e.getKey());
        if (cell == null) {
          s.cells.put(e.getKey(), new Cell<>(e.getKey(), e.getValue(), STORED_YES));
        } else {
          cell.stored = STORED_YES; // the local value (or removal) wins
        }
      }
      s.backendHoldsNothing(); // besides what the scan saw
      s.entry.afterRead(found);
    }

    @Override
    public V get(K key) throws Exception {
      MapSlot<K, V> s = slot();
      Cell<K, V> cell = s.cells.get(key);
      if (cell != null || s.complete) {
        return cell == null ? null : cell.value;
      }
      V v = backend.get(key);
      s.cells.put(key, new Cell<>(key, v, v == null ? STORED_NO : STORED_YES));
      if (v != null) {
        s.sorted = null;
      }
      s.entry.afterRead(v != null);
      return v;
    }

    @Override
    public void put(K key, V value) throws Exception {
      if (value == null) {
        remove(key);
        return;
      }
      slot().put(key, value);
    }

    @Override
    public void putAll(Map<K, V> map) throws Exception {
      for (Map.Entry<K, V> e : map.entrySet()) {
        put(e.getKey(), e.getValue());
      }
    }

    @Override
    public void remove(K key) throws Exception {
      slot().remove(key);
    }

    @Override
    public boolean contains(K key) throws Exception {
      return get(key) != null;
    }

    @Override
    public Iterable<Map.Entry<K, V>> entries() throws Exception {
      MapSlot<K, V> s = complete();
      return () -> new CellIterator<>(s);
    }

    @Override
    public Iterable<K> keys() throws Exception {
      return projected(Map.Entry::getKey);
    }

    @Override
    public Iterable<V> values() throws Exception {
      return projected(Map.Entry::getValue);
    }

    /** The entries seen through {@code part}; removal through the iterator is recorded. */
    private <T> Iterable<T> projected(java.util.function.Function<Map.Entry<K, V>, T> part)
        throws Exception {
      MapSlot<K, V> s = complete();
      return () -> {
        Iterator<Map.Entry<K, V>> it = new CellIterator<>(s);
        return new Iterator<>() {
          @Override
          public boolean hasNext() {
            return it.hasNext();
          }

          @Override
          public T next() {
            return part.apply(it.next());
          }

          @Override
          public void remove() {
            it.remove();
          }
        };
      };
    }

    @Override
    public Iterator<Map.Entry<K, V>> iterator() throws Exception {
      return entries().iterator();
    }

    @Override
    public boolean isEmpty() throws Exception {
      return complete().inKeyOrder().isEmpty();
    }

    @Override
    public void clear() {
      try {
        MapSlot<K, V> s = complete();
        for (Cell<K, V> c : s.inKeyOrder()) {
          c.value = null;
          s.changed(c);
        }
        s.sorted = null;
      } catch (RuntimeException ex) {
        throw ex;
      } catch (Exception ex) {
        throw new IllegalStateException("write-behind cache", ex);
      }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void writeBack(Object cached) throws Exception {
      MapSlot<K, V> s = (MapSlot<K, V>) cached;
      if (s.pending == null) {
        return;
      }
      for (Cell<K, V> c : s.pending) {
        c.dirty = false;
        if (c.value != null) {
          backend.put(c.key, c.value);
          c.stored = STORED_YES;
        } else {
          if (c.stored != STORED_NO) {
            backend.remove(c.key);
            c.stored = STORED_NO;
          }
          if (s.complete) {
            s.cells.remove(c.key); // a complete map needs no marker of an absence
          }
        }
      }
      // A large list is let go rather than kept for the next few changes.
      if (s.pending.size() > 64) {
        s.pending = null;
      } else {
        s.pending.clear();
      }
    }
  }

  /**
   * Iterates a cached map in key order over a snapshot of its cells: changes made while iterating
   * do not break it (a cell removed meanwhile is skipped); removals and {@code setValue} through it
   * are recorded for the write-back.
   */
  private static final class CellIterator<K extends Comparable<K>, V>
      implements Iterator<Map.Entry<K, V>> {
    private final MapSlot<K, V> slot;
    private final List<Cell<K, V>> cells;
    private int next;
    private Cell<K, V> last;

    CellIterator(MapSlot<K, V> slot) {
      this.slot = slot;
      this.cells = slot.inKeyOrder();
    }

    @Override
    public boolean hasNext() {
      while (next < cells.size() && cells.get(next).value == null) {
        next++;
      }
      return next < cells.size();
    }

    @Override
    public Map.Entry<K, V> next() {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException();
      }
      Cell<K, V> c = cells.get(next++);
      last = c;
      V seen = c.value;
      return new Map.Entry<>() {
        @Override
        public K getKey() {
          return c.key;
        }

        @Override
        public V getValue() {
          return c.value == null ? seen : c.value;
        }

        @Override
        public V setValue(V value) {
          if (value == null) {
            throw new NullPointerException("map state values cannot be null");
          }
          V old = c.value;
          if (old == null) {
            slot.sorted = null; // removed meanwhile: it is back
          }
          c.value = value;
          slot.changed(c);
          return old;
        }
      };
    }

    @Override
    public void remove() {
      if (last == null || last.value == null) {
        throw new IllegalStateException("next() not called, or the entry was removed already");
      }
      slot.remove(last.key);
      last = null;
    }
  }
}
