package io.shopflow.marketing.sidecars.sentiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScoresTest {
  @Test
  void aucCountsTiesAsHalf() {
    assertThat(Scores.rocAuc(new int[] {0, 0, 1, 1}, new float[] {0.1f, 0.4f, 0.35f, 0.8f}))
        .isCloseTo(0.75, within(1e-9));
    assertThat(Scores.rocAuc(new int[] {0, 1}, new float[] {0.5f, 0.5f})).isEqualTo(0.5);
    assertThat(Scores.rocAuc(new int[] {0, 1}, new float[] {0.2f, 0.9f})).isEqualTo(1.0);
  }

  @Test
  void macroF1AveragesPerClassF1() {
    int[] y = {0, 0, 1, 1, 1, 1};
    int[] p = {0, 1, 1, 1, 1, 1};
    // class 0: tp 1, fn 1 -> F1 2/3; class 1: tp 4, fp 1 -> 8/9
    assertThat(Scores.macroF1(y, p, 2)).isCloseTo((2 / 3.0 + 8 / 9.0) / 2, within(1e-9));
    assertThat(Scores.accuracy(y, p)).isCloseTo(5 / 6.0, within(1e-9));
  }

  @Test
  void tfidfRowsAreL2NormalisedOverUnigramsAndBigrams() {
    TfIdf t = TfIdf.fit(List.of("great dress", "great fit", "bad fit"), 1);
    TfIdf.Row r = t.transform("Great dress, great!");
    double norm = 0;
    for (float v : r.val()) {
      norm += v * v;
    }
    assertThat(norm).isCloseTo(1, within(1e-6));
    // great, dress, "great dress", "dress great"(unknown) -> 3 known columns
    assertThat(r.idx()).hasSize(3);
    assertThat(TfIdf.tokens("A dress, it's OK")).containsExactly("dress", "it", "ok");
  }

  @Test
  void logisticRegressionSeparatesWords() {
    TfIdf t = TfIdf.fit(List.of("good", "bad", "good good", "bad bad", "so good", "so bad"), 1);
    TfIdf.Row[] x =
        t.transform(List.of("good", "bad", "good good", "bad bad", "so good", "so bad"));
    LogReg lr = LogReg.train(x, new int[] {1, 0, 1, 0, 1, 0}, t.size(), 2, 10, 100);
    assertThat(lr.predict(t.transform("good"))[1]).isGreaterThan(0.8f);
    assertThat(lr.predict(t.transform("bad"))[1]).isLessThan(0.2f);
  }

  @Test
  void readsQuotedMultiLineCsvFieldsAndDropsEmptyText() throws Exception {
    String csv =
        ",Clothing ID,Age,Title,Review Text,Rating,Recommended IND,Positive Feedback Count\n"
            + "0,1,30,Nice,\"Fits, and \"\"soft\"\"\nsecond line\",5,1,0\n"
            + "1,2,40,,,3,1,0\n"
            + "5,3,50,Bad,,1,0,0\n";
    List<Reviews.Review> r = Reviews.parse(new StringReader(csv));
    assertThat(r).hasSize(2);
    assertThat(r.get(0).text()).isEqualTo("Nice Fits, and \"soft\"\nsecond line");
    assertThat(r.get(0).test()).isTrue();
    assertThat(r.get(1).text()).isEqualTo("Bad");
    assertThat(r.get(1).threeClass()).isZero();
  }

  @Test
  void lineBreaksInTitleAndTextBecomeLf() throws Exception {
    String csv =
        ",Clothing ID,Age,Title,Review Text,Rating,Recommended IND,Positive Feedback Count\n"
            + "0,1,30,\"Two\r\nlines\",\"crlf\r\nlf\nlone cr\rend\",4,1,0\r\n";
    List<Reviews.Review> r = Reviews.parse(new StringReader(csv));
    assertThat(r)
        .extracting(Reviews.Review::text)
        .containsExactly("Two\nlines crlf\nlf\nlone cr\nend");
  }
}
