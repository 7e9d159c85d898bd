package io.shopflow.marketing.pipelines.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopflow.marketing.pipelines.cli.MarketingJobCli;
import io.shopflow.marketing.udfs.recs.Purchases;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code evaluate-recs} end to end on the first 20,000 rows of the real file (2010-12-01..09). */
class EvaluateRecsSmokeTest {
  static Path realFile() {
    Path p =
        Path.of(System.getProperty("shared.data", "../../shared/data"))
            .resolve("uci-online-retail/online_retail.csv.gz");
    assertThat(p).as("the real data beside the checkout (see README, Data)").exists();
    return p;
  }

  @Test
  void evaluatesASampleOfTheRealData(@TempDir Path tmp) throws Exception {
    Path json = tmp.resolve("recs.json");
    Path doc = tmp.resolve("evaluation.md");
    int code =
        new CommandLine(new MarketingJobCli())
            .execute(
                "evaluate-recs",
                "--data",
                realFile().toString(),
                "--max-rows",
                "20000",
                "--split",
                "2010-12-06",
                "--json",
                json.toString(),
                "--doc",
                doc.toString());
    assertThat(code).isZero();

    JsonNode root = new ObjectMapper().readTree(json.toFile());
    assertThat(root.fieldNames()).toIterable().containsExactly("prequential", "temporal");
    for (String protocol : new String[] {"prequential", "temporal"}) {
      assertThat(root.get(protocol).fieldNames())
          .toIterable()
          .containsExactly("model", "popularity", "repeat_popularity", "item_knn");
      root.get(protocol).forEach(m -> m.forEach(v -> assertThat(v.asDouble()).isBetween(0.0, 1.0)));
    }
    JsonNode preq = root.get("prequential");
    assertThat(preq.get("popularity").get("hr20_all").asDouble()).isGreaterThan(0.01);
    // item-kNN has learnt something from co-purchases after its first rebuilds
    assertThat(preq.get("item_knn").get("hr20_last50").asDouble())
        .isGreaterThan(preq.get("popularity").get("hr20_last50").asDouble());
    assertThat(root.get("temporal").get("repeat_popularity").get("recall20_all").asDouble())
        .isGreaterThan(0);

    String text = Files.readString(doc);
    assertThat(text)
        .startsWith("# Evaluation\n")
        .contains(RecsEvaluation.SECTION)
        .contains("marketing-job.jar evaluate-recs --data ")
        .contains("--max-rows 20000")
        .contains("a sample, not the full file")
        .contains("| prequential | hr20_all |");
  }

  @Test
  void loadsTheSampleWithTheCleaningRules() throws Exception {
    Purchases.Loaded loaded = Purchases.load(realFile(), 20_000);
    assertThat(loaded.rowsRead()).isEqualTo(20_000);
    assertThat(loaded.purchases()).isNotEmpty();
    assertThat(loaded.purchases().get(0))
        .isEqualTo(
            new Purchases.Purchase(
                "uci-17850",
                "85123A",
                "536365",
                java.time.Instant.parse("2010-12-01T08:26:00Z").toEpochMilli(),
                "holder"));
    assertThat(loaded.purchases()).allMatch(p -> p.user().matches("uci-\\d+"));
  }
}
