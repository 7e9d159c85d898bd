package io.shopflow.marketing.pipelines.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.pipelines.eval.RecsEvaluation.ModelResult;
import io.shopflow.marketing.pipelines.eval.RecsEvaluation.ProtocolResult;
import io.shopflow.marketing.pipelines.eval.RecsEvaluation.Timing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The table, the reading and the markdown section rewrite. */
class RecsEvaluationReportTest {
  private static final String SECTION = RecsEvaluation.SECTION + "\n\nnew figures\n";

  private static ProtocolResult result() {
    Timing t = new Timing(10, 1_000_000_000L, 10, 0);
    return new ProtocolResult(
        "prequential",
        List.of("hr20_all"),
        List.of(
            new ModelResult("model", Map.of("hr20_all", 0.3), t),
            new ModelResult("popularity", Map.of("hr20_all", 0.1), t),
            new ModelResult("repeat_popularity", Map.of("hr20_all", 0.4), t)),
        Map.of());
  }

  @Test
  void tableMarksTheBestOfEachRow() {
    String table = RecsEvaluation.table(List.of(result()));
    assertThat(table)
        .contains("| protocol | metric | model | popularity | repeat_popularity |")
        .contains("| prequential | hr20_all | 0.3000 | 0.1000 | **0.4000** |");
    assertThat(RecsEvaluation.reading(List.of(result()), "model"))
        .containsExactly(
            "prequential `hr20_all`: model 0.3000 — beats popularity 0.1000;"
                + " below repeat_popularity 0.4000.");
    assertThat(RecsEvaluation.timingTable(List.of(result()))).contains("| model | 1.0 | 10 |");
  }

  @Test
  void createsTheDocumentWhenAbsent(@TempDir Path tmp) throws Exception {
    Path doc = tmp.resolve("docs/evaluation.md");
    RecsEvaluation.replaceSection(doc, RecsEvaluation.SECTION, SECTION);
    assertThat(Files.readString(doc)).isEqualTo("# Evaluation\n\n" + SECTION);
  }

  @Test
  void replacesOnlyItsOwnSection(@TempDir Path tmp) throws Exception {
    Path doc = tmp.resolve("evaluation.md");
    Files.writeString(
        doc,
        "# Evaluation\n\n## Sentiment\n\nkeep me\n\n"
            + RecsEvaluation.SECTION
            + "\n\nold figures\n\n### Reading\n\nold reading\n\n## Later\n\nkeep me too\n");
    RecsEvaluation.replaceSection(doc, RecsEvaluation.SECTION, SECTION);
    assertThat(Files.readString(doc))
        .isEqualTo(
            "# Evaluation\n\n## Sentiment\n\nkeep me\n\n"
                + SECTION
                + "\n## Later\n\nkeep me too\n");
  }

  @Test
  void appendsTheSectionToAnExistingDocument(@TempDir Path tmp) throws Exception {
    Path doc = tmp.resolve("evaluation.md");
    Files.writeString(doc, "# Evaluation\n\n## Sentiment\n\nkeep me\n");
    RecsEvaluation.replaceSection(doc, RecsEvaluation.SECTION, SECTION);
    assertThat(Files.readString(doc))
        .isEqualTo("# Evaluation\n\n## Sentiment\n\nkeep me\n\n" + SECTION);
  }
}
