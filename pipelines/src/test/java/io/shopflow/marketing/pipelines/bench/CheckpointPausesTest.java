package io.shopflow.marketing.pipelines.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.operators.state.WriteBehindStates;
import java.util.Map;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CheckpointPausesTest {

  @AfterEach
  void reset() {
    CheckpointPauses.reset();
  }

  @Test
  void mergesTheSubtasksPausesOfEachOperatorAndIgnoresOtherMetrics() {
    CheckpointPauses reporter = new CheckpointPauses();
    reporter.notifyOfAddedMetric(
        pauses(30, 10), WriteBehindStates.CHECKPOINT_PAUSE_METRIC, op("u"));
    reporter.notifyOfAddedMetric(pauses(20), WriteBehindStates.CHECKPOINT_PAUSE_METRIC, op("u"));
    reporter.notifyOfAddedMetric(pauses(7), WriteBehindStates.CHECKPOINT_PAUSE_METRIC, op("i"));
    reporter.notifyOfAddedMetric(pauses(99), "someOtherHistogram", op("u"));
    reporter.notifyOfAddedMetric(
        new SimpleCounter(), WriteBehindStates.CHECKPOINT_PAUSE_METRIC, op("u"));

    Map<String, long[]> byOperator = CheckpointPauses.sortedByOperator();

    assertThat(byOperator).containsOnlyKeys("u", "i");
    assertThat(byOperator.get("u")).containsExactly(10, 20, 30);
    assertThat(byOperator.get("i")).containsExactly(7);
  }

  private static Histogram pauses(long... ms) {
    Histogram h = new DescriptiveStatisticsHistogram(100);
    for (long m : ms) {
      h.update(m);
    }
    return h;
  }

  private static MetricGroup op(String name) {
    return new UnregisteredMetricsGroup() {
      @Override
      public Map<String, String> getAllVariables() {
        return Map.of("<operator_name>", name);
      }
    };
  }
}
