package io.shopflow.marketing.sidecars.sentiment;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.sidecars.Djl;
import io.shopflow.marketing.sidecars.TestData;
import io.shopflow.marketing.sidecars.oip.OipServer;
import io.shopflow.marketing.sidecars.oip.SentimentEndpoint;
import io.shopflow.marketing.udfs.inference.InferenceClient;
import io.shopflow.marketing.udfs.inference.SentimentResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trains the real model (MiniLM on ONNX Runtime, heads on PyTorch) on a sample of the reviews: the
 * first 1,000 rows of the file (about 800 training and 200 test rows).
 */
class SentimentModelTest {
  static final int SAMPLE = 1000;
  @TempDir static Path models;
  static SentimentTrainer trainer;
  static SentimentTrainer.Prepared prepared;
  static Map<String, Map<String, Map<String, Double>>> figures;

  @BeforeAll
  static void trainOnSample() throws Exception {
    Djl.configure();
    List<Reviews.Review> all = Reviews.load(TestData.dir());
    List<Reviews.Review> sample = new ArrayList<>(all.subList(0, SAMPLE));
    trainer =
        new SentimentTrainer(
            new SentimentTrainer.Settings(
                42L, 128, 1, 4, 32, 5e-3f, new int[] {0}, new float[] {0f}, new double[] {3}),
            System.out);
    prepared = trainer.prepare(sample, models.resolve("cache"));
    trainer.train(prepared, models);
    figures = trainer.evaluate(prepared, models);
  }

  @Test
  void trainsBothHeadsAndWritesTheModelFiles() {
    Path d = SentimentModel.dir(models);
    assertThat(SentimentModel.exists(models)).isTrue();
    assertThat(d.resolve("binary.params")).isRegularFile();
    assertThat(d.resolve("three_class.params")).isRegularFile();
    assertThat(d.resolve("tfidf.tsv")).isRegularFile();
  }

  @Test
  void beatsTheMajorityClassOnTheSampleTestRows() {
    Map<String, Double> binary = figures.get("binary").get("model");
    // Always answering "positive" gives a macro-F1 below 0.5 and an AUC of 0.5.
    assertThat(binary.get("macro_f1")).isGreaterThan(0.6);
    assertThat(binary.get("roc_auc")).isGreaterThan(0.8);
    Map<String, Double> three = figures.get("three_class").get("model");
    assertThat(three.get("macro_f1")).isGreaterThan(0.34);
    assertThat(figures.get("binary").get("baseline"))
        .containsKeys("accuracy", "macro_f1", "roc_auc");
  }

  @Test
  void reloadedHeadGivesIdenticalPredictions() throws Exception {
    SentimentTrainer.Task t = SentimentTrainer.binaryTask(prepared.reviews());
    Path file = SentimentModel.dir(models).resolve("binary.params");
    try (SentimentHead a = SentimentHead.load(file);
        SentimentHead b = SentimentHead.load(file)) {
      float[][] pa = SentimentTrainer.predict(a, prepared, t.test());
      float[][] pb = SentimentTrainer.predict(b, prepared, t.test());
      assertThat(pa).isDeepEqualTo(pb);
    }
    // And the bytes on disk are those a second save writes.
    try (SentimentHead a = SentimentHead.load(file)) {
      Path again = models.resolve("again.params");
      a.save(again);
      assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(file));
    }
  }

  @Test
  void sameSeedTrainsTheSameHead() {
    SentimentTrainer.Task t = SentimentTrainer.binaryTask(prepared.reviews());
    List<Integer> rows = t.train().subList(0, 200);
    TfIdf.Row[] x = new TfIdf.Row[rows.size()];
    float[][] e = new float[rows.size()][];
    int[] y = new int[rows.size()];
    for (int k = 0; k < x.length; k++) {
      x[k] = prepared.rows()[rows.get(k)];
      e[k] = prepared.emb()[rows.get(k)];
      y[k] = prepared.reviews().get(rows.get(k)).binary();
    }
    LogReg lr = LogReg.train(x, y, prepared.tfidf().size(), 2, 3, 50);
    float[][] logits = new float[x.length][];
    for (int k = 0; k < x.length; k++) {
      logits[k] = lr.logits(x[k]);
    }
    SentimentHead.Options o = new SentimentHead.Options(2, 16, 1e-2f, 0f, 9L);
    try (SentimentHead a = SentimentHead.create(lr, prepared.tfidf().size(), 2, 8, 9L);
        SentimentHead b = SentimentHead.create(lr, prepared.tfidf().size(), 2, 8, 9L)) {
      a.fit(logits, e, y, o, epoch -> true);
      b.fit(logits, e, y, o, epoch -> true);
      assertThat(a.predict(x, e)).isDeepEqualTo(b.predict(x, e));
      // Served from TF-IDF rows, the frozen regression gives the logits it was trained on.
      float[][] fromRows = a.predict(x, e);
      float[][] fromLogits = a.predict(logits, e);
      for (int k = 0; k < x.length; k++) {
        assertThat(fromRows[k][1])
            .isCloseTo(fromLogits[k][1], org.assertj.core.data.Offset.offset(1e-4f));
      }
    }
  }

  @Test
  void servesSentimentOverOipThroughTheJavaClient() throws Exception {
    try (OipServer server =
        new OipServer(
            OipServer.Options.defaults().withPort(0),
            List.of(new SentimentEndpoint(SentimentModel.load(models))))) {
      InferenceClient client = new InferenceClient(server.baseUrl(), Duration.ofSeconds(60));
      SentimentResult[] r =
          client
              .sentiment(
                  new String[] {
                    "Love it! Beautiful dress, fits perfectly, great quality, I get compliments",
                    "Terrible. Cheap fabric, awful fit, it ripped after one wash. Returned it.",
                    "Nice colour"
                  })
              .join();
      assertThat(r).hasSize(3);
      assertThat(r[0].positive()).isGreaterThan(r[1].positive());
      assertThat(r[0].probabilities()[2]).isGreaterThan(r[1].probabilities()[2]);
      assertThat(r[0].label()).isEqualTo("positive");
      for (SentimentResult x : r) {
        assertThat(x.label()).isIn("negative", "neutral", "positive");
        assertThat(x.probabilities()[0] + x.probabilities()[1] + x.probabilities()[2])
            .isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-4f));
      }
    }
  }
}
