package io.shopflow.marketing.pipelines.bench;

import io.shopflow.marketing.operators.state.WriteBehindStates;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A metric reporter of the bench's mini-cluster that keeps the write-behind operators' checkpoint
 * pause histograms ({@link WriteBehindStates#CHECKPOINT_PAUSE_METRIC}), so the latency phase can
 * print how long checkpoints held each operator's task threads.
 */
public final class CheckpointPauses implements MetricReporter {
  /** The configuration key naming this reporter's factory. */
  static final String FACTORY_KEY = "metrics.reporter.checkpoint-pauses.factory.class";

  private static final Map<String, List<Histogram>> BY_OPERATOR = new TreeMap<>();

  /** Found through {@code META-INF/services}, as Flink finds reporter factories. */
  public static final class Factory implements MetricReporterFactory {
    @Override
    public MetricReporter createMetricReporter(Properties properties) {
      return new CheckpointPauses();
    }
  }

  @Override
  public void open(MetricConfig config) {}

  @Override
  public void close() {}

  @Override
  public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
    if (WriteBehindStates.CHECKPOINT_PAUSE_METRIC.equals(name) && metric instanceof Histogram h) {
      String operator = group.getAllVariables().getOrDefault("<operator_name>", "?");
      synchronized (BY_OPERATOR) {
        BY_OPERATOR.computeIfAbsent(operator, k -> new ArrayList<>()).add(h);
      }
    }
  }

  @Override
  public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
    // Kept: the phase reads them after its job is cancelled.
  }

  static void reset() {
    synchronized (BY_OPERATOR) {
      BY_OPERATOR.clear();
    }
  }

  /** Per operator, every subtask's pauses in milliseconds, sorted. */
  static Map<String, long[]> sortedByOperator() {
    Map<String, long[]> out = new TreeMap<>();
    synchronized (BY_OPERATOR) {
      BY_OPERATOR.forEach(
          (operator, histograms) -> {
            long[] all =
                histograms.stream()
                    .flatMapToLong(h -> Arrays.stream(h.getStatistics().getValues()))
                    .sorted()
                    .toArray();
            out.put(operator, all);
          });
    }
    return out;
  }
}
