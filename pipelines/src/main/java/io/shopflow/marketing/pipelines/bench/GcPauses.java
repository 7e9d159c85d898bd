package io.shopflow.marketing.pipelines.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The garbage collections of this JVM while recording, per collector: the latency phase prints them
 * beside the checkpoint pauses, because the young pauses set much of the action latency's tail
 * (docs/benchmarks.md). For G1 and Parallel a collection's duration is its pause; for concurrent
 * collectors (ZGC, Shenandoah) it is the length of a cycle, mostly not a pause.
 */
final class GcPauses implements NotificationListener, AutoCloseable {
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final Map<String, List<Long>> durations = new TreeMap<>();
  private volatile boolean recording;

  GcPauses() {
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(this, null, null);
        emitters.add(emitter);
      }
    }
  }

  void start() {
    synchronized (durations) {
      durations.clear();
    }
    recording = true;
  }

  void stop() {
    recording = false;
  }

  @Override
  public void handleNotification(Notification n, Object handback) {
    if (!recording
        || !GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
      return;
    }
    GarbageCollectionNotificationInfo info =
        GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
    synchronized (durations) {
      durations
          .computeIfAbsent(info.getGcName(), k -> new ArrayList<>())
          .add(info.getGcInfo().getDuration());
    }
  }

  /**
   * Per collector that ran while recording: {@code [collections, p50, max, total]} in milliseconds.
   */
  Map<String, long[]> summary() {
    Map<String, long[]> out = new TreeMap<>();
    synchronized (durations) {
      durations.forEach(
          (name, ms) -> {
            long[] sorted = ms.stream().mapToLong(Long::longValue).sorted().toArray();
            long total = 0;
            for (long v : sorted) {
              total += v;
            }
            out.put(
                name,
                new long[] {
                  sorted.length, Bench.percentile(sorted, 0.50), sorted[sorted.length - 1], total
                });
          });
    }
    return out;
  }

  @Override
  public void close() {
    for (NotificationEmitter emitter : emitters) {
      try {
        emitter.removeNotificationListener(this);
      } catch (javax.management.ListenerNotFoundException e) {
        // already gone
      }
    }
  }
}
