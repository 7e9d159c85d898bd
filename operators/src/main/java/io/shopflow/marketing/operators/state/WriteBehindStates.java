package io.shopflow.marketing.operators.state;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * A write-behind heap cache in front of a keyed function's {@code ValueState}s and {@code
 * MapState}s: reads and writes of recently active keys stay on the heap, and the changed entries
 * are written to the real (RocksDB) state only when a checkpoint is taken ({@link #flush()}, called
 * from {@link WriteBehindFunction#flushWriteBehind()}) or when a key is evicted.
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
 *   <li>Map iteration is in key order (a {@code TreeMap}), the same after a restore as before.
 *   <li>State TTL applies in the backend; a cached key idle for longer than {@code idleEvictMs} is
 *       dropped at the next flush, so a cached value never outlives the TTL by more than that (keep
 *       {@code idleEvictMs} well below the shortest TTL).
 * </ul>
 *
 * <p>Without a {@link KeyContext} (a function run by Flink's stock operators) the wrappers are the
 * backend states themselves: write-through, as before.
 */
public final class WriteBehindStates {
  private final KeyContext keys;
  private final int maxKeys;
  private final int maxDirtyKeys;
  private final long maxDirtyAgeMs;
  private final long idleEvictMs;
  private final LongSupplier clock;
  private final List<Slot> slots = new ArrayList<>();
  // Access-ordered: the eldest entry is the least recently used key.
  private final LinkedHashMap<Object, Entry> entries;
  // Keys with unwritten changes, oldest change first.
  private final LinkedHashMap<Object, Entry> dirty = new LinkedHashMap<>();
  private Object lastKey;
  private Entry lastEntry;

  /**
   * @param keys the operator's key context, or {@code null} for write-through
   * @param maxKeys keys kept on the heap; the least recently used one is written back beyond that
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
    this.idleEvictMs = idleEvictMs;
    this.clock = clock;
    this.entries = new LinkedHashMap<>(Math.min(maxKeys, 1 << 16), 0.75f, true);
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
        cfg.stateCacheIdleMs);
  }

  /** Whether reads and writes are cached (a key context was given). */
  public boolean isCaching() {
    return keys != null;
  }

  /** A cached view of {@code backend} (the backend itself when not caching). */
  public <T> ValueState<T> value(ValueState<T> backend) {
    if (keys == null) {
      return backend;
    }
    CachedValue<T> v = new CachedValue<>(this, slots.size(), backend);
    slots.add(v);
    return v;
  }

  /**
   * A cached view of {@code backend} (the backend itself when not caching). Keys must be {@link
   * Comparable}: cached maps iterate in key order.
   */
  public <K extends Comparable<K>, V> MapState<K, V> map(MapState<K, V> backend) {
    if (keys == null) {
      return backend;
    }
    CachedMap<K, V> m = new CachedMap<>(this, slots.size(), backend);
    slots.add(m);
    return m;
  }

  /** Writes every changed entry to the backend and drops keys idle for too long. */
  public void flush() throws Exception {
    if (keys == null || entries.isEmpty()) {
      return;
    }
    Object current = keys.getCurrentKey();
    long now = clock.getAsLong();
    try {
      for (Entry entry : new ArrayList<>(dirty.values())) {
        keys.setCurrentKey(entry.key);
        writeBack(entry);
      }
      entries.values().removeIf(entry -> now - entry.lastAccess > idleEvictMs);
    } finally {
      lastKey = null;
      lastEntry = null;
      if (current != null) {
        keys.setCurrentKey(current);
      }
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

  private void writeBack(Entry entry) throws Exception {
    for (int i = 0; i < entry.slots.length; i++) {
      if (entry.slots[i] != null) {
        slots.get(i).writeBack(entry.slots[i]);
      }
    }
    entry.dirty = false;
    dirty.remove(entry.key);
  }

  /** Writes back {@code entry} under its own key, wherever the operator's key is now. */
  private void writeBackEarly(Entry entry) throws Exception {
    Object current = keys.getCurrentKey();
    if (current == entry.key) {
      writeBack(entry);
      return;
    }
    keys.setCurrentKey(entry.key);
    try {
      writeBack(entry);
    } finally {
      if (current != null) {
        keys.setCurrentKey(current);
      }
    }
  }

  /** The current key's entry, loading nothing yet (slots load lazily). */
  Entry current() throws Exception {
    Object key = keys.getCurrentKey();
    if (key == null) {
      throw new IllegalStateException("keyed state accessed without a current key");
    }
    if (key == lastKey) {
      return lastEntry;
    }
    Entry e = entries.get(key);
    if (e == null) {
      e = new Entry(key, slots.size());
      entries.put(key, e);
      if (entries.size() > maxKeys) {
        evictEldest(key);
      }
    }
    long now = clock.getAsLong();
    e.lastAccess = now;
    lastKey = key;
    lastEntry = e;
    writeBackAged(now, e);
    return e;
  }

  /** Writes back up to two changes older than the age bound (never the current key's). */
  private void writeBackAged(long now, Entry current) throws Exception {
    for (int i = 0; i < 2 && !dirty.isEmpty(); i++) {
      Entry oldest = dirty.values().iterator().next();
      if (oldest == current || now - oldest.dirtySince <= maxDirtyAgeMs) {
        return;
      }
      writeBackEarly(oldest);
    }
  }

  private void evictEldest(Object current) throws Exception {
    Iterator<Map.Entry<Object, Entry>> it = entries.entrySet().iterator();
    Entry eldest = it.next().getValue();
    it.remove();
    if (eldest.dirty) {
      writeBackEarly(eldest);
    }
  }

  /** One key's cached slots, one per registered state, created on first access. */
  final class Entry {
    final Object key;
    final Object[] slots;
    boolean dirty;
    long lastAccess;
    long dirtySince;

    Entry(Object key, int size) {
      this.key = key;
      this.slots = new Object[size];
    }

    /** Called after a slot changed: queues the key for write-back, within the dirty bound. */
    void markDirty() {
      if (dirty) {
        return;
      }
      dirty = true;
      dirtySince = lastAccess;
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
          if (load) {
            s.value = backend.value();
          }
          e.slots[index] = s;
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

  private static final class MapSlot<K, V> {
    final Entry entry;
    // The map as the function sees it: what was read from the backend plus pending changes.
    final TreeMap<K, V> local = new TreeMap<>();
    // Keys read from the backend and found absent, so that a repeated miss stays on the heap.
    final Set<K> absent = new HashSet<>();
    // Keys the backend holds (all of them once complete): clear() deletes these one by one
    // instead of scanning RocksDB again.
    final Set<K> stored = new HashSet<>();
    final Set<K> changed = new HashSet<>();
    final Set<K> removed = new HashSet<>();
    // Every backend entry has been read into local.
    boolean complete;

    MapSlot(Entry entry) {
      this.entry = entry;
    }

    void removeKey(K key) {
      local.remove(key);
      changed.remove(key);
      if (!complete) {
        absent.add(key);
        removed.add(key);
      } else if (stored.contains(key)) {
        removed.add(key);
      }
      entry.markDirty();
    }
  }

  private static final class CachedMap<K extends Comparable<K>, V> implements MapState<K, V>, Slot {
    private final WriteBehindStates owner;
    private final int index;
    private final MapState<K, V> backend;

    CachedMap(WriteBehindStates owner, int index, MapState<K, V> backend) {
      this.owner = owner;
      this.index = index;
      this.backend = backend;
    }

    @SuppressWarnings("unchecked")
    private MapSlot<K, V> slot() throws Exception {
      Entry e = owner.current();
      MapSlot<K, V> s = (MapSlot<K, V>) e.slots[index];
      if (s == null) {
        s = new MapSlot<>(e);
        e.slots[index] = s;
      }
      return s;
    }

    /** The slot with every backend entry loaded (for iteration and clear). */
    private MapSlot<K, V> complete() throws Exception {
      MapSlot<K, V> s = slot();
      if (!s.complete) {
        for (Map.Entry<K, V> e : backend.entries()) {
          K k = e.getKey();
          s.stored.add(k);
          if (!s.local.containsKey(k) && !s.removed.contains(k)) {
            s.local.put(k, e.getValue());
          }
        }
        s.complete = true;
        s.absent.clear();
      }
      return s;
    }

    @Override
    public V get(K key) throws Exception {
      MapSlot<K, V> s = slot();
      V v = s.local.get(key);
      if (v != null || s.complete || s.absent.contains(key) || s.removed.contains(key)) {
        return v;
      }
      v = backend.get(key);
      if (v == null) {
        s.absent.add(key);
      } else {
        s.local.put(key, v);
        s.stored.add(key);
      }
      return v;
    }

    @Override
    public void put(K key, V value) throws Exception {
      if (value == null) {
        remove(key);
        return;
      }
      MapSlot<K, V> s = slot();
      s.local.put(key, value);
      s.absent.remove(key);
      s.removed.remove(key);
      s.changed.add(key);
      s.entry.markDirty();
    }

    @Override
    public void putAll(Map<K, V> map) throws Exception {
      for (Map.Entry<K, V> e : map.entrySet()) {
        put(e.getKey(), e.getValue());
      }
    }

    @Override
    public void remove(K key) throws Exception {
      slot().removeKey(key);
    }

    @Override
    public boolean contains(K key) throws Exception {
      return get(key) != null;
    }

    @Override
    public Iterable<Map.Entry<K, V>> entries() throws Exception {
      MapSlot<K, V> s = complete();
      return () -> new TrackingIterator<>(s, s.local.entrySet().iterator());
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
        Iterator<Map.Entry<K, V>> it = new TrackingIterator<>(s, s.local.entrySet().iterator());
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
      return complete().local.isEmpty();
    }

    @Override
    public void clear() {
      try {
        MapSlot<K, V> s = complete();
        s.local.clear();
        s.changed.clear();
        s.removed.addAll(s.stored);
        s.entry.markDirty();
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
      for (K k : s.removed) {
        backend.remove(k);
        s.stored.remove(k);
      }
      for (K k : s.changed) {
        backend.put(k, s.local.get(k));
        s.stored.add(k);
      }
      s.removed.clear();
      s.changed.clear();
    }
  }

  /** Iterates a cached map; removals and {@code setValue} are recorded for the write-back. */
  private static final class TrackingIterator<K extends Comparable<K>, V>
      implements Iterator<Map.Entry<K, V>> {
    private final MapSlot<K, V> slot;
    private final Iterator<Map.Entry<K, V>> it;
    private Map.Entry<K, V> last;

    TrackingIterator(MapSlot<K, V> slot, Iterator<Map.Entry<K, V>> it) {
      this.slot = slot;
      this.it = it;
    }

    @Override
    public boolean hasNext() {
      return it.hasNext();
    }

    @Override
    public Map.Entry<K, V> next() {
      Map.Entry<K, V> e = it.next();
      last = e;
      return new Map.Entry<>() {
        @Override
        public K getKey() {
          return e.getKey();
        }

        @Override
        public V getValue() {
          return e.getValue();
        }

        @Override
        public V setValue(V value) {
          V old = e.setValue(value);
          slot.changed.add(e.getKey());
          slot.entry.markDirty();
          return old;
        }
      };
    }

    @Override
    public void remove() {
      K k = last.getKey();
      it.remove(); // removes from local; removeKey records the deletion
      slot.removeKey(k);
    }
  }
}
