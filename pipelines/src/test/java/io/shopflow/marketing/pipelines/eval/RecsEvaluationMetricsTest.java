package io.shopflow.marketing.pipelines.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Recall@k and NDCG@k on hand-computed examples. */
class RecsEvaluationMetricsTest {
  private static final double LOG2_3 = Math.log(3) / Math.log(2);
  private static final double LOG2_5 = Math.log(5) / Math.log(2);

  @Test
  void recallIsHitsOverAllRelevant() {
    List<String> ranked = List.of("a", "b", "c", "d");
    Set<String> relevant = Set.of("b", "d", "x");

    assertThat(RecsEvaluation.recall(ranked, relevant, 20)).isCloseTo(2 / 3.0, within(1e-12));
    assertThat(RecsEvaluation.recall(ranked, relevant, 2)).isCloseTo(1 / 3.0, within(1e-12));
    assertThat(RecsEvaluation.recall(ranked, Set.of(), 20)).isZero();
  }

  @Test
  void ndcgUsesBinaryGainsAndAnIdealOverMinRelevantK() {
    List<String> ranked = List.of("a", "b", "c", "d");
    Set<String> relevant = Set.of("b", "d", "x");

    // hits at ranks 2 and 4; ideal: 3 hits at ranks 1..3
    double dcg = 1 / LOG2_3 + 1 / LOG2_5;
    double ideal = 1 + 1 / LOG2_3 + 0.5;
    assertThat(RecsEvaluation.ndcg(ranked, relevant, 20)).isCloseTo(dcg / ideal, within(1e-12));
    assertThat(RecsEvaluation.ndcg(ranked, relevant, 20)).isCloseTo(0.498189, within(1e-6));
    // cut at k = 2: one hit at rank 2, ideal over min(3, 2) = 2 ranks
    assertThat(RecsEvaluation.ndcg(ranked, relevant, 2))
        .isCloseTo((1 / LOG2_3) / (1 + 1 / LOG2_3), within(1e-12));
    assertThat(RecsEvaluation.ndcg(List.of("b", "d", "x"), relevant, 20)).isEqualTo(1.0);
  }

  @Test
  void recallIsNotCappedAtKButNdcgIs() {
    List<String> ranked = new ArrayList<>();
    Set<String> relevant = new HashSet<>();
    for (int i = 0; i < 25; i++) {
      relevant.add("i" + i);
      if (i < 20) {
        ranked.add("i" + i);
      }
    }
    assertThat(RecsEvaluation.recall(ranked, relevant, 20)).isCloseTo(0.8, within(1e-12));
    assertThat(RecsEvaluation.ndcg(ranked, relevant, 20)).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void itemsPastKAndDuplicatesDoNotCount() {
    List<String> ranked = List.of("a", "a", "b");
    assertThat(RecsEvaluation.recall(ranked, Set.of("a", "b"), 2)).isCloseTo(0.5, within(1e-12));
    assertThat(RecsEvaluation.ndcg(ranked, Set.of("a", "b"), 2))
        .isCloseTo(1 / (1 + 1 / LOG2_3), within(1e-12));
  }
}
