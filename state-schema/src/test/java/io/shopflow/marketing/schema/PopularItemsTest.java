package io.shopflow.marketing.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PopularItemsTest {
  @Test
  void scoringAllItemsAtOnceGivesEachItemsDotProductBitForBit() {
    SplittableRandom r = new SplittableRandom(11);
    PopularItems pop = snapshot(r, 257, 32);
    double[] user = new double[32];
    for (int d = 0; d < user.length; d++) {
      user[d] = r.nextDouble(-1, 1);
    }
    double[] out = new double[300];
    for (int round = 0; round < 2; round++) { // the second round reuses the transposed factors
      pop.dotAll(user, out);
      for (int i = 0; i < pop.size(); i++) {
        assertThat(Double.doubleToRawLongBits(out[i]))
            .as("item %d", i)
            .isEqualTo(Double.doubleToRawLongBits(pop.dot(user, i)));
      }
      user[0] += 0.5;
    }
  }

  @Test
  void aFactorOfAnotherLengthScoresEveryItemZero() {
    PopularItems pop = snapshot(new SplittableRandom(5), 10, 4);
    double[] out = new double[10];
    java.util.Arrays.fill(out, 7);
    pop.dotAll(new double[] {1, 2, 3}, out);
    assertThat(out).containsOnly(0.0);
    pop.dotAll(null, out);
    assertThat(out).containsOnly(0.0);
  }

  private static PopularItems snapshot(SplittableRandom r, int n, int dims) {
    PopularItems pop = new PopularItems();
    pop.dims = dims;
    pop.ids = new String[n];
    pop.factors = new double[n * dims];
    for (int i = 0; i < n; i++) {
      pop.ids[i] = "item-" + i;
    }
    for (int i = 0; i < pop.factors.length; i++) {
      pop.factors[i] = r.nextDouble(-1, 1);
    }
    return pop;
  }
}
