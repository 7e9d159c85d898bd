package io.shopflow.marketing.sidecars.ranker;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.sidecars.Djl;
import io.shopflow.marketing.sidecars.TestData;
import io.shopflow.marketing.udfs.inference.RankerFeatures;
import io.shopflow.marketing.udfs.recs.Purchases;
import io.shopflow.marketing.udfs.recs.Purchases.Purchase;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ranker on the first 150,000 rows of UCI Online Retail (December 2010 to March 2011). */
class RankerTest {
  static List<Purchase> events;
  static final long TRAIN_CUTOFF = millis("2011-01-15");
  static final long SPLIT = millis("2011-02-15");
  static final RankerTrainer.Settings SETTINGS =
      new RankerTrainer.Settings(50, 16, 8, new RankerNet.Options(3, 128, 3e-3f, 0f, 42L));

  @TempDir static Path models;

  static long millis(String day) {
    return LocalDate.parse(day).atStartOfDay(Purchases.ZONE).toInstant().toEpochMilli();
  }

  @BeforeAll
  static void load() throws Exception {
    Djl.configure();
    events =
        Purchases.load(TestData.dir().resolve("uci-online-retail/online_retail.csv.gz"), 150_000)
            .purchases();
  }

  @Test
  void buildsLabelledRowsFromTheHybridsCandidates() {
    RankerTrainer.Rows r =
        new RankerTrainer(SETTINGS, System.out).rows(events, TRAIN_CUTOFF, SPLIT);
    assertThat(r.n()).isGreaterThan(1000);
    assertThat(r.x()).hasSize(r.n() * RankerFeatures.SIZE);
    assertThat(r.positives()).isGreaterThan(0).isLessThan(r.n());
    for (float y : r.y()) {
      assertThat(y).isIn(0f, 1f);
    }
  }

  @Test
  void ownedCandidatesCarryTheirRepeatCount() {
    RankerData d = new RankerData(events, SPLIT);
    String user = events.get(0).user();
    var cands = d.candidates(user, 50, false);
    var owned =
        cands.stream().filter(c -> d.owned(user).contains(c.item())).findFirst().orElseThrow();
    float[] f = d.features(user, owned);
    assertThat(f[5]).isEqualTo(1f); // owned
    assertThat(f[6]).isGreaterThan(0f); // log(1 + repeat count)
    var fresh = d.candidates(user, 50, true).get(0);
    assertThat(d.features(user, fresh)[5]).isZero();
  }

  @Test
  void rerankingByTheHybridScoreReproducesTheHybridOrder() {
    RankerTrainer t = new RankerTrainer(SETTINGS, System.out);
    RankerTrainer.Evaluation ev =
        t.evaluate(
            events,
            SPLIT,
            x -> {
              int n = x.length / RankerFeatures.SIZE;
              float[] s = new float[n];
              for (int i = 0; i < n; i++) {
                s[i] = x[i * RankerFeatures.SIZE + RankerFeatures.SIZE - 1]; // hybrid_score
              }
              return s;
            });
    for (Map<String, Double> m : ev.metrics().values()) {
      assertThat(m.get("reranked")).isEqualTo(m.get("hybrid"));
    }
    assertThat(ev.metrics().get("recall20_all").get("hybrid")).isGreaterThan(0.05);
    assertThat(ev.counts().get("test_users")).isGreaterThan(100);
  }

  @Test
  void trainsSavesAndEvaluatesTheNetwork() throws Exception {
    RankerTrainer t = new RankerTrainer(SETTINGS, System.out);
    t.train(events, TRAIN_CUTOFF, SPLIT, models);
    assertThat(RankerTrainer.file(models)).isRegularFile();
    try (RankerNet a = RankerTrainer.load(models);
        RankerNet b = RankerTrainer.load(models)) {
      RankerTrainer.Evaluation ev =
          t.evaluate(events, SPLIT, x -> a.predict(x, x.length / RankerFeatures.SIZE));
      for (Map<String, Double> m : ev.metrics().values()) {
        assertThat(m.get("reranked")).isBetween(0.0, 1.0);
      }
      // A learnt ranker keeps most of the hybrid's hits on this small sample.
      assertThat(ev.metrics().get("recall20_all").get("reranked"))
          .isGreaterThan(0.5 * ev.metrics().get("recall20_all").get("hybrid"));
      float[] x = new float[3 * RankerFeatures.SIZE];
      for (int i = 0; i < x.length; i++) {
        x[i] = (i % 7) / 3f;
      }
      assertThat(a.predict(x, 3)).containsExactly(b.predict(x, 3));
    }
  }

  @Test
  void featureVectorFollowsTheNamedOrder() {
    float[] f =
        RankerFeatures.of(new RankerFeatures.Input(9, 3, 0, 99, 4, 0, 12, 0, 0.5, -0.1, 0.25, 0.7));
    assertThat(f).hasSize(RankerFeatures.NAMES.length);
    assertThat(f[0]).isCloseTo((float) Math.log(10), org.assertj.core.data.Offset.offset(1e-6f));
    assertThat(f[3]).isCloseTo((float) Math.log(100), org.assertj.core.data.Offset.offset(1e-6f));
    assertThat(f[4]).isCloseTo((float) Math.log(5), org.assertj.core.data.Offset.offset(1e-6f));
    assertThat(f[5]).isZero();
    assertThat(f[7]).isZero(); // never bought: the item age is ignored
    assertThat(f[9]).isEqualTo(0.5f);
    assertThat(f[12]).isEqualTo(0.7f);
  }
}
