package io.shopflow.marketing.pipelines.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shopflow.marketing.operators.RankingSettings;
import io.shopflow.marketing.operators.SentimentSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the demo decides about its sidecar from the jar and the models on disk. */
class SidecarProcessTest {
  @TempDir Path tmp;

  Path jar() throws Exception {
    return Files.writeString(tmp.resolve("inference-sidecar.jar"), "not really a jar");
  }

  Path models(boolean ranker, boolean sentiment) throws Exception {
    Path m = Files.createDirectories(tmp.resolve("models"));
    if (ranker) {
      Files.createDirectories(m.resolve("ranker"));
      Files.writeString(m.resolve("ranker/ranker.params"), "x");
    }
    if (sentiment) {
      Files.createDirectories(m.resolve("sentiment"));
      for (String f : new String[] {"model.json", "binary.params", "three_class.params"}) {
        Files.writeString(m.resolve("sentiment").resolve(f), "x");
      }
      Files.writeString(m.resolve("sentiment/tfidf.tsv"), "x");
    }
    return m;
  }

  @Test
  void withoutTheJarTheDemoUsesTheFallbacksAndSaysHowToBuildAndTrain() throws Exception {
    SidecarProcess.Plan plan = SidecarProcess.plan(tmp.resolve("missing.jar"), models(true, true));

    assertThat(plan.start()).isFalse();
    assertThat(plan.reason())
        .contains("no sidecar jar at " + tmp.resolve("missing.jar"))
        .contains(SidecarProcess.BUILD_COMMAND)
        .contains("train-ranker")
        .contains("train-sentiment");
  }

  @Test
  void withoutATrainedModelTheDemoUsesTheFallbacksAndSaysHowToTrainThem() throws Exception {
    Path m = models(false, false);
    Files.createDirectories(m.resolve("sentiment"));
    Files.writeString(m.resolve("sentiment/model.json"), "{}"); // an interrupted training

    SidecarProcess.Plan plan = SidecarProcess.plan(jar(), m);

    assertThat(plan.start()).isFalse();
    assertThat(plan.reason())
        .contains("no trained model under " + m)
        .contains("java -jar sidecars/target/inference-sidecar.jar train-ranker")
        .contains("java -jar sidecars/target/inference-sidecar.jar train-sentiment");
  }

  @Test
  void withOnlySentimentTrainedTheRankerKeepsTheHybridOrder() throws Exception {
    SidecarProcess.Plan plan = SidecarProcess.plan(jar(), models(false, true));
    RankingSettings ranking = new RankingSettings();
    SentimentSettings sentiment = new SentimentSettings();

    plan.configure("http://127.0.0.1:9", ranking, sentiment);

    assertThat(plan.start()).isTrue();
    assertThat(plan.models()).containsExactly("sentiment");
    assertThat(sentiment.sidecarUrl).isEqualTo("http://127.0.0.1:9");
    assertThat(ranking.sidecarUrl).isNull();
    assertThat(ranking.enabled()).isFalse();
    assertThat(plan.missing("ranker")).contains("no trained ranker model").contains("train-ranker");
    assertThat(plan.missing("sentiment")).isNull();
    assertThat(SidecarProcess.command(plan, 1234))
        .containsSubsequence("--model", "sentiment")
        .doesNotContain("ranker");
  }

  @Test
  void withOnlyTheRankerTrainedReviewsKeepTheLexicon() throws Exception {
    SidecarProcess.Plan plan = SidecarProcess.plan(jar(), models(true, false));
    RankingSettings ranking = new RankingSettings();
    SentimentSettings sentiment = new SentimentSettings();

    plan.configure("http://127.0.0.1:9", ranking, sentiment);

    assertThat(plan.models()).containsExactly("ranker");
    assertThat(ranking.sidecarUrl).isEqualTo("http://127.0.0.1:9");
    assertThat(ranking.enabled()).isTrue();
    assertThat(sentiment.sidecarUrl).isNull();
    assertThat(plan.missing("sentiment")).contains("train-sentiment");
  }

  @Test
  void theSidecarRunsOnThisJvmsJavaOnLoopbackWithTheModelFolder() throws Exception {
    Path m = models(true, true);
    SidecarProcess.Plan plan = SidecarProcess.plan(jar(), m);

    assertThat(plan.models()).containsExactly("ranker", "sentiment");
    assertThat(SidecarProcess.command(plan, 1234))
        .startsWith(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar")
        .containsSubsequence(
            "serve", "--host", "127.0.0.1", "--port", "1234", "--models", m.toString());
  }

  @Test
  void aSidecarThatDiesBeforeItIsReadyFailsTheStartWithItsLog() throws Exception {
    SidecarProcess.Plan plan = SidecarProcess.plan(jar(), models(true, false));
    Path log = tmp.resolve("work/sidecar.log");

    assertThatThrownBy(() -> SidecarProcess.start(plan, log, Duration.ofSeconds(30)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ended with exit code")
        .hasMessageContaining(log.toString())
        // what the JVM said about the bad jar, from the log
        .hasMessageContaining("jar");
  }
}
