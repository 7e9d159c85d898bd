package io.shopflow.marketing.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.schema.ItemStats;
import io.shopflow.marketing.schema.PopularItems;
import io.shopflow.marketing.udfs.recs.RecParams;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class PopularItemsFunctionTest {
  final RecParams p = new RecParams();

  OneInputStreamOperatorTestHarness<ItemStats, PopularItems> harness() throws Exception {
    return new OneInputStreamOperatorTestHarness<>(
        new ProcessOperator<>(new PopularItemsFunction(p)));
  }

  static ItemStats stats(String item, long purchases, long t) {
    return new ItemStats(item, "cups", purchases, 0, t, null);
  }

  @Test
  void emitsASnapshotOnTheFirstReportThenEveryThousandReports() throws Exception {
    try (var h = harness()) {
      h.open();
      h.processElement(stats("a", 1, 10), 10);
      assertThat(h.extractOutputValues()).hasSize(1);
      for (int i = 0; i < 999; i++) {
        h.processElement(stats("b", i + 1, 11), 11);
      }
      assertThat(h.extractOutputValues()).hasSize(1);
      h.processElement(stats("c", 5000, 12), 12);

      List<PopularItems> out = h.extractOutputValues();
      assertThat(out).hasSize(2);
      assertThat(out.get(1).ids).containsExactly("c", "b", "a");
      assertThat(out.get(1).purchases).containsExactly(5000, 999, 1);
    }
  }

  @Test
  void trackedItemsSurviveARestoreFromACheckpoint() throws Exception {
    OperatorSubtaskState checkpoint;
    try (var h = harness()) {
      h.open();
      h.processElement(stats("a", 7, 10), 10);
      h.processElement(stats("b", 3, 11), 11);
      checkpoint = h.snapshot(1, 12);
    }
    try (var h = harness()) {
      h.initializeState(checkpoint);
      h.open();
      h.processElement(stats("c", 5, 13), 13);

      List<PopularItems> out = h.extractOutputValues();
      assertThat(out).hasSize(1);
      assertThat(out.get(0).ids).containsExactly("a", "c", "b");
    }
  }
}
