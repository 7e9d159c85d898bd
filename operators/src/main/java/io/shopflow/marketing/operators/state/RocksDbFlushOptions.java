package io.shopflow.marketing.operators.state;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.state.rocksdb.ConfigurableRocksDBOptionsFactory;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptionsFactory;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;

/**
 * RocksDB options that shorten the pause a checkpoint puts on the task threads.
 *
 * <p>The synchronous part of Flink's incremental RocksDB snapshot flushes the memtable of every
 * column family (one per state) while the task thread waits. Read from RocksDB's own log at 12,000
 * events/s (docs/benchmarks.md), that pause was about 210 ms for the user operator and 190 ms for
 * the item operator, at 25,000 events/s about 320 and 300 ms; with these options about 70 ms for
 * both at 25,000. What set it, and what is changed here:
 *
 * <ul>
 *   <li>Each column family was flushed by its own job, each one scheduled, run and committed before
 *       the next: with atomic flush one job flushes them all.
 *   <li>RocksDB's flush threads are one pool per process, and Flink's settings give it one thread,
 *       so the instances of one TaskManager, which all snapshot at the same barrier, flushed one
 *       after another. {@link #FLUSH_THREADS} lets them flush side by side.
 *   <li>Compressing the flushed files (Snappy) was most of a flush's CPU. Level 0 is written
 *       uncompressed; the levels below keep the configured compression, so the data at rest is
 *       compressed once the next compaction has moved it down.
 *   <li>Memtables of 16 MB instead of RocksDB's 64 MB (unless {@code
 *       state.backend.rocksdb.writebuffer.size} is set): the user values fill one several times
 *       between checkpoints at full load, and a full memtable is flushed in the background, so a
 *       checkpoint flushes only the rest.
 * </ul>
 *
 * The price: a checkpoint uploads its level-0 files uncompressed (about 1.9 times the bytes of
 * those files for the user operator's values).
 */
public final class RocksDbFlushOptions implements ConfigurableRocksDBOptionsFactory {
  private static final long serialVersionUID = 1L;

  public static final ConfigOption<Integer> FLUSH_THREADS =
      ConfigOptions.key("marketing.rocksdb.flush-threads")
          .intType()
          .defaultValue(4)
          .withDescription(
              "RocksDB flush threads of a TaskManager process: at least the RocksDB instances that"
                  + " snapshot together (two keyed operators per slot), so that none waits for"
                  + " another's flush at a checkpoint.");

  /** The memtable size unless {@code state.backend.rocksdb.writebuffer.size} is set. */
  public static final MemorySize WRITE_BUFFER_SIZE = MemorySize.ofMebiBytes(16);

  private int flushThreads = FLUSH_THREADS.defaultValue();
  private boolean writeBufferSizeConfigured;

  @Override
  public RocksDBOptionsFactory configure(ReadableConfig config) {
    flushThreads = config.get(FLUSH_THREADS);
    writeBufferSizeConfigured =
        config.getOptional(RocksDBConfigurableOptions.WRITE_BUFFER_SIZE).isPresent();
    return this;
  }

  public int flushThreads() {
    return flushThreads;
  }

  @Override
  public DBOptions createDBOptions(DBOptions current, Collection<AutoCloseable> handlesToClose) {
    current.setAtomicFlush(true);
    if (current.maxBackgroundCompactions() < 0) {
      // Once the flushes are set, RocksDB stops deriving both limits from max_background_jobs and
      // takes both as given: keep the compactions it would have derived.
      int jobs = current.maxBackgroundJobs();
      current.setMaxBackgroundCompactions(Math.max(1, jobs - Math.max(1, jobs / 4)));
    }
    // The pool is per process and grows to the largest of its instances' limits.
    return current.setMaxBackgroundFlushes(Math.max(flushThreads, current.maxBackgroundFlushes()));
  }

  @Override
  public ColumnFamilyOptions createColumnOptions(
      ColumnFamilyOptions current, Collection<AutoCloseable> handlesToClose) {
    List<CompressionType> levels = new ArrayList<>(current.compressionPerLevel());
    if (levels.isEmpty()) {
      for (int level = 0; level < current.numLevels(); level++) {
        levels.add(current.compressionType());
      }
    }
    levels.set(0, CompressionType.NO_COMPRESSION);
    current.setCompressionPerLevel(levels);
    return writeBufferSizeConfigured
        ? current
        : current.setWriteBufferSize(WRITE_BUFFER_SIZE.getBytes());
  }
}
