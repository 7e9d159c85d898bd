package io.shopflow.marketing.operators.state;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.state.rocksdb.RocksDBKeyedStateBackend;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a flush of every memtable of one operator's RocksDB instance on RocksDB's background
 * threads, without waiting for it.
 *
 * <p>The synchronous part of Flink's incremental RocksDB snapshot flushes every column family's
 * memtable while the task thread waits, and that flush was most of the pause a checkpoint put on
 * the user operator (docs/benchmarks.md). Started shortly before the next checkpoint is due, the
 * flush runs off the task thread and the checkpoint finds only what was written since. The result
 * is the same state on disk; only the moment the memtable is written changes.
 *
 * <p>Flink keeps the RocksDB handle to its backend (a protected field), so it is read by
 * reflection; where that fails, or the backend is not RocksDB (heap state, the state changelog),
 * there is nothing to pre-flush and checkpoints flush as before.
 */
final class RocksDbPreFlush implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RocksDbPreFlush.class);

  private final RocksDB db;
  private final Map<String, RocksDBKeyedStateBackend.RocksDbKvStateInfo> states;
  private final FlushOptions options;

  private RocksDbPreFlush(
      RocksDB db, Map<String, RocksDBKeyedStateBackend.RocksDbKvStateInfo> states) {
    this.db = db;
    this.states = states;
    // Never wait: neither for the flush nor for a write stall to clear (the task thread must not).
    this.options = new FlushOptions().setWaitForFlush(false).setAllowWriteStall(true);
  }

  /** The pre-flush of {@code backend}'s instance, or null when it is not a RocksDB backend. */
  static RocksDbPreFlush of(KeyedStateBackend<?> backend) {
    if (!(backend instanceof RocksDBKeyedStateBackend<?> rocks)) {
      return null;
    }
    try {
      Field db = RocksDBKeyedStateBackend.class.getDeclaredField("db");
      db.setAccessible(true);
      Method states = RocksDBKeyedStateBackend.class.getDeclaredMethod("getKvStateInformation");
      states.setAccessible(true);
      @SuppressWarnings("unchecked")
      Map<String, RocksDBKeyedStateBackend.RocksDbKvStateInfo> live =
          (Map<String, RocksDBKeyedStateBackend.RocksDbKvStateInfo>) states.invoke(rocks);
      return new RocksDbPreFlush((RocksDB) db.get(rocks), live);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.info("No RocksDB pre-flush before checkpoints: {}", e.toString());
      return null;
    }
  }

  /**
   * Starts the flush of every state's memtable and returns as soon as it is scheduled; true if it
   * was. Not while an earlier flush is still writing (a memtable filled up just before): with the
   * memtables RocksDB keeps per state by default (two), a further one would stop the writes of the
   * task thread until that flush is done, and that flush is already emptying the memtables.
   */
  boolean start() throws RocksDBException {
    List<ColumnFamilyHandle> handles = new ArrayList<>(states.size());
    for (RocksDBKeyedStateBackend.RocksDbKvStateInfo s : states.values()) {
      if (db.getLongProperty(s.columnFamilyHandle, "rocksdb.num-immutable-mem-table") > 0) {
        return false;
      }
      handles.add(s.columnFamilyHandle);
    }
    if (handles.isEmpty()) {
      return false;
    }
    db.flush(options, handles);
    return true;
  }

  /** The instance (for tests). */
  RocksDB db() {
    return db;
  }

  /** Entries in the active memtables of all states. */
  long activeMemtableEntries() throws RocksDBException {
    long entries = 0;
    for (RocksDBKeyedStateBackend.RocksDbKvStateInfo s : states.values()) {
      entries += db.getLongProperty(s.columnFamilyHandle, "rocksdb.num-entries-active-mem-table");
    }
    return entries;
  }

  @Override
  public void close() {
    options.close();
  }
}
