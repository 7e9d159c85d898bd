package io.shopflow.marketing.pipelines.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopflow.marketing.pipelines.cli.MarketingJobCli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The README's first command, on a sample of the real data: broker, job, replay, summary. */
class DemoCommandTest {
  static Path sharedData() {
    Path p = Path.of(System.getProperty("shared.data", "../../shared/data"));
    assertThat(p.resolve("uci-online-retail/online_retail.csv.gz"))
        .as("the real data sets beside the checkout (see README, Data)")
        .exists();
    return p;
  }

  @Test
  void demoReplaysRealDataThroughTheJobAndWritesTheSummary(@TempDir Path tmp) throws Exception {
    Path summary = tmp.resolve("summary.json");
    int code =
        new CommandLine(new MarketingJobCli())
            .execute(
                "demo",
                "--data",
                sharedData().toString(),
                "--max-events",
                "8000",
                "--work-dir",
                tmp.resolve("work").toString(),
                "--summary",
                summary.toString(),
                "--sidecar-jar",
                tmp.resolve("no-such-sidecar.jar").toString());

    assertThat(code).isZero();
    JsonNode s = new ObjectMapper().readTree(Files.readString(summary));
    assertThat(s.path("events_read").asLong()).isEqualTo(8000);
    // The first days of UCI hold cancellation invoices: negative quantities, refused with reason.
    assertThat(s.path("dlq").asLong()).isPositive();
    assertThat(s.path("dlq_reasons").fieldNames())
        .toIterable()
        .allSatisfy(r -> assertThat(r).contains("quantity must be an integer"));
    assertThat(s.path("sessions").asLong()).isPositive();
    assertThat(s.path("actions_by_type").path("cross_sell").asLong()).isPositive();
    assertThat(s.path("examples")).isNotEmpty().hasSizeLessThanOrEqualTo(5);
    for (JsonNode example : s.path("examples")) {
      assertThat(example.path("action_id").asText()).matches("[0-9a-f]{32}");
      assertThat(example.path("explanation").asText()).isNotBlank();
    }
    assertThat(s.path("events_per_second").asLong()).isPositive();
    // No sidecar jar: the demo says so and runs with the fallbacks.
    JsonNode inference = s.path("inference");
    assertThat(inference.path("sidecar").path("started_by_demo").asBoolean()).isFalse();
    for (String model : new String[] {"ranker", "sentiment"}) {
      assertThat(inference.path(model).path("path").asText()).isEqualTo("fallback");
      assertThat(inference.path(model).path("fallback_reason").asText())
          .startsWith("no sidecar jar at ")
          .contains("train-ranker");
    }
    assertThat(inference.path("sentiment").path("service_recovery_by_model").asLong()).isZero();
  }
}
