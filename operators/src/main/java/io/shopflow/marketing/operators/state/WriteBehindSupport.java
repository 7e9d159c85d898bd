package io.shopflow.marketing.operators.state;

import java.util.List;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;
import org.apache.flink.util.function.SupplierWithException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both write-behind operators do around Flink's own operator: bind the function's cache, write
 * it back before the keyed backend snapshots, and carry whether every key with state has a presence
 * marker (see {@link WriteBehindStates#trackPresence}) from checkpoint to checkpoint in operator
 * state. A job started without state has complete markers; after a restore from a snapshot that did
 * not write them (the cache off, an earlier version) the missing ones are written at start-up
 * ({@link WriteBehindStates#completePresenceMarkers}). On RocksDB it also starts a background flush
 * of the memtables one lead before each checkpoint is due ({@link RocksDbPreFlush}); from shortly
 * before that, the cache writes its changes back sooner ({@link
 * WriteBehindStates#drainBeforeCheckpoint}), so that the checkpoint finds few of them.
 */
final class WriteBehindSupport {
  private static final Logger LOG = LoggerFactory.getLogger(WriteBehindSupport.class);

  private static final int CHECKPOINT_PAUSE_WINDOW = 100;

  /**
   * The cache starts draining (see {@link WriteBehindStates#drainBeforeCheckpoint}) this long
   * before the pre-flush: what it writes back then goes into the memtable the pre-flush hands to
   * the background, not into the one the checkpoint flushes on the task thread.
   */
  static final long DRAIN_BEFORE_PRE_FLUSH_MS = 100;

  private static final ListStateDescriptor<Boolean> MARKERS_COMPLETE =
      new ListStateDescriptor<>("write-behind-presence-markers-complete", Types.BOOLEAN);

  private ListState<Boolean> markersComplete;
  private boolean restoredComplete;
  private boolean restored;
  private WriteBehindStates cache;
  private WriteBehindFunction function;
  private Histogram checkpointPauses;
  private long preFlushLeadMs;
  private long checkpointIntervalMs;
  private PreFlushSchedule preFlushSchedule;
  private RocksDbPreFlush preFlush;
  private ProcessingTimeService timers;
  private ScheduledFuture<?> pendingPreFlush;
  private ScheduledFuture<?> pendingDrain;
  private Counter preFlushes;
  private boolean preFlushFailed;

  /**
   * Before {@code open()}: how long before a checkpoint is due to pre-flush RocksDB (0 = never),
   * and the job's checkpoint interval (0 when not known).
   */
  void preFlushLead(long leadMs, long intervalMs) {
    preFlushLeadMs = leadMs;
    checkpointIntervalMs = intervalMs;
  }

  /** From the operator's {@code initializeState}. */
  void initialize(StateInitializationContext ctx) throws Exception {
    // Union: after rescaling every subtask sees every subtask's word, and all must agree.
    markersComplete = ctx.getOperatorStateStore().getUnionListState(MARKERS_COMPLETE);
    restored = ctx.isRestored();
    if (!restored) {
      restoredComplete = true;
      return;
    }
    boolean any = false;
    boolean all = true;
    for (Boolean b : markersComplete.get()) {
      any = true;
      all &= Boolean.TRUE.equals(b);
    }
    restoredComplete = any && all;
  }

  /** From the operator's {@code open()}, before the function's. */
  void bind(Object function, KeyContext keys, MetricGroup metrics) {
    checkpointPauses =
        metrics.histogram(
            WriteBehindStates.CHECKPOINT_PAUSE_METRIC,
            new DescriptiveStatisticsHistogram(CHECKPOINT_PAUSE_WINDOW));
    preFlushes = metrics.counter(WriteBehindStates.PRE_FLUSH_METRIC);
    this.function = (WriteBehindFunction) function;
    cache = this.function.bindWriteBehind(keys);
    cache.presenceMarkersComplete(restoredComplete);
  }

  /**
   * From the operator's {@code open()}, after the function's (its states are registered): after a
   * restore, the function's migration of an earlier layout, then the missing presence markers.
   */
  void afterOpen(
      KeyedStateBackend<Object> backend, KeyContext keys, ProcessingTimeService timers, Logger log)
      throws Exception {
    this.timers = timers;
    preFlushSchedule = new PreFlushSchedule(preFlushLeadMs, checkpointIntervalMs);
    preFlush = preFlushLeadMs > 0 ? RocksDbPreFlush.of(backend) : null;
    if (restored) {
      long migrated = function.migrateRestoredState(backend, keys);
      if (migrated > 0) {
        log.info("Moved the state of {} restored keys to the current layout", migrated);
      }
    }
    long marked = cache.completePresenceMarkers(backend);
    if (marked > 0) {
      log.info("Wrote the write-behind presence marker for {} restored keys", marked);
    }
  }

  /** From the operator's {@code snapshotState}, before the keyed backend snapshots. */
  void snapshot() throws Exception {
    if (!LOG.isDebugEnabled()) {
      cache.flush();
    } else {
      // Part of the checkpoint's synchronous phase: records wait behind it. Wall time above CPU
      // time is time the thread waited for a core.
      java.lang.management.ThreadMXBean threads =
          java.lang.management.ManagementFactory.getThreadMXBean();
      long start = System.nanoTime();
      long startCpu = threads.getCurrentThreadCpuTime();
      int dirtyKeys = cache.dirtySize();
      int cachedKeys = cache.size();
      cache.flush();
      LOG.debug(
          "Write-behind flush: {} dirty of {} cached keys written in {} us ({} us of CPU)",
          dirtyKeys,
          cachedKeys,
          (System.nanoTime() - start) / 1000,
          (threads.getCurrentThreadCpuTime() - startCpu) / 1000);
    }
    markersComplete.update(List.of(cache.presenceComplete() && cache.writesPresenceMarkers()));
  }

  /**
   * From the operator's outer {@code snapshotState}: runs the checkpoint's whole synchronous part
   * (this cache's write-back and the state backend's snapshot) and records how long it took.
   */
  <T> T timeCheckpoint(
      SupplierWithException<T, Exception> synchronousPart, long triggerTime, boolean savepoint)
      throws Exception {
    long start = System.nanoTime();
    try {
      return synchronousPart.get();
    } finally {
      checkpointPauses.update((System.nanoTime() - start) / 1_000_000);
      schedulePreFlush(triggerTime, savepoint);
    }
  }

  private void schedulePreFlush(long triggerTime, boolean savepoint) {
    if (preFlushLeadMs <= 0) {
      return;
    }
    long at =
        preFlushSchedule.afterCheckpoint(triggerTime, savepoint, timers.getCurrentProcessingTime());
    if (at < 0) {
      return;
    }
    // A checkpoint that came before these were due (a shorter period) already flushed.
    cancelPending();
    pendingDrain = timers.registerTimer(at - DRAIN_BEFORE_PRE_FLUSH_MS, time -> startDrain());
    if (preFlush != null) { // heap state, the changelog: only the drain
      pendingPreFlush = timers.registerTimer(at, time -> startPreFlush());
    }
  }

  // On the task thread, between records.
  private void startDrain() {
    pendingDrain = null;
    cache.drainBeforeCheckpoint();
  }

  // On the task thread, between records.
  private void startPreFlush() {
    pendingPreFlush = null;
    if (preFlush == null) {
      return; // closed since
    }
    try {
      if (preFlush.start()) {
        preFlushes.inc();
      }
    } catch (Exception e) {
      // Only the checkpoint's pause depends on it: the checkpoint flushes what is left.
      if (!preFlushFailed) {
        LOG.warn("RocksDB pre-flush failed; checkpoints flush on their own", e);
        preFlushFailed = true;
      }
    }
  }

  /** From the operator's {@code close()}. */
  void close() {
    cancelPending();
    if (preFlush != null) {
      preFlush.close();
      preFlush = null;
    }
  }

  private void cancelPending() {
    if (pendingPreFlush != null) {
      pendingPreFlush.cancel(false);
      pendingPreFlush = null;
    }
    if (pendingDrain != null) {
      pendingDrain.cancel(false);
      pendingDrain = null;
    }
  }

  /** The RocksDB pre-flush of this operator, or null (off, not RocksDB, before open). */
  RocksDbPreFlush preFlush() {
    return preFlush;
  }

  long preFlushesStarted() {
    return preFlushes.getCount();
  }

  Histogram checkpointPauses() {
    return checkpointPauses;
  }

  WriteBehindStates cache() {
    return cache;
  }
}
