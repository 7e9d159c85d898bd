package io.shopflow.marketing.pipelines.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shopflow.marketing.pipelines.JobSettings;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The sidecar options of {@code run}: sentiment and recommendation ranking. */
class SidecarOptionsTest {
  static JobSettings parse(String... sidecarArgs) throws Exception {
    RunCommand run = new RunCommand();
    List<String> args = new ArrayList<>(List.of("--bootstrap-servers", "kafka-0:9092"));
    args.addAll(List.of(sidecarArgs));
    new CommandLine(run).parseArgs(args.toArray(new String[0]));
    return run.settings();
  }

  @Test
  void withoutAnUrlRecommendationsKeepTheHybridOrderAndReviewsTheLexicon() throws Exception {
    JobSettings s = parse();

    assertThat(s.ranking.enabled()).isFalse();
    assertThat(s.sentiment.sidecarUrl).isNull();
  }

  @Test
  void anUrlRanksRecommendationsWithTheRankerAndScoresReviews() throws Exception {
    JobSettings s =
        parse(
            "--sidecar-url", "http://127.0.0.1:8080",
            "--ranker-timeout", "300ms",
            "--ranker-candidates", "12");

    assertThat(s.ranking.enabled()).isTrue();
    assertThat(s.ranking.sidecarUrl).isEqualTo("http://127.0.0.1:8080");
    assertThat(s.ranking.requestTimeoutMs).isEqualTo(300);
    assertThat(s.ranking.candidates).isEqualTo(12);
    assertThat(s.sentiment.sidecarUrl).isEqualTo("http://127.0.0.1:8080");
    assertThat(s.sentiment.requestTimeoutMs).isEqualTo(2_000);
  }

  @Test
  void runWaitsOneSecondForTheRankerAndTwoForSentimentByDefault() throws Exception {
    JobSettings s = parse("--sidecar-url", "http://127.0.0.1:8080");

    assertThat(s.ranking.requestTimeoutMs).isEqualTo(1_000);
    assertThat(s.sentiment.requestTimeoutMs).isEqualTo(2_000);
  }

  @Test
  void theDemoWhoseSidecarSharesTheCoresWaitsLongerUnlessTold() {
    DemoCommand demo = new DemoCommand();
    new CommandLine(demo).parseArgs();
    assertThat(demo.options().ranking.requestTimeoutMs).isEqualTo(10_000);
    assertThat(demo.options().sentiment.requestTimeoutMs).isEqualTo(10_000);

    DemoCommand told = new DemoCommand();
    new CommandLine(told).parseArgs("--ranker-timeout", "2s", "--sidecar-timeout", "3s");
    assertThat(told.options().ranking.requestTimeoutMs).isEqualTo(2_000);
    assertThat(told.options().sentiment.requestTimeoutMs).isEqualTo(3_000);
  }

  @Test
  void zeroCandidatesTurnsTheRankerOffButKeepsTheSentimentModel() throws Exception {
    JobSettings s = parse("--sidecar-url", "http://127.0.0.1:8080", "--ranker-candidates", "0");

    assertThat(s.ranking.enabled()).isFalse();
    assertThat(s.sentiment.sidecarUrl).isEqualTo("http://127.0.0.1:8080");
  }

  @Test
  void aNegativeCandidateCountIsRefused() {
    assertThatThrownBy(() -> parse("--ranker-candidates", "-1"))
        .hasMessageContaining("--ranker-candidates");
  }
}
