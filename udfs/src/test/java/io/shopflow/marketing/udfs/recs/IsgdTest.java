package io.shopflow.marketing.udfs.recs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IsgdTest {
  final RecParams p = new RecParams();

  @Test
  void initialFactorsAreDeterministicPerIdAndSmall() {
    double[] a = Isgd.init("sku-1", 32, 0.1);
    assertThat(Isgd.init("sku-1", 32, 0.1)).containsExactly(a);
    assertThat(Isgd.init("sku-2", 32, 0.1)).isNotEqualTo(a);
    for (double x : a) {
      assertThat(Math.abs(x)).isLessThanOrEqualTo(0.1);
    }
  }

  @Test
  void aStepWithoutAllocationGivesTheUpdatesResultsBitForBit() {
    java.util.Random random = new java.util.Random(7);
    for (int run = 0; run < 200; run++) {
      double[] user = Isgd.init("u" + run, 32, 0.1 + random.nextDouble());
      double[] item = Isgd.init("i" + run, 32, 0.1 + random.nextDouble());
      double weight = random.nextDouble() * 3;
      double[] updatedUser = user.clone();
      double[] updatedItem = item.clone();
      double err = Isgd.update(updatedUser, updatedItem, weight, p);

      double[] steppedUser = user.clone();
      double[] itemBefore = item.clone();
      double[] delta = new double[item.length];
      assertThat(Isgd.step(steppedUser, item, weight, p, delta)).isEqualTo(err);

      assertThat(steppedUser).containsExactly(updatedUser);
      assertThat(item).as("left as it was").containsExactly(itemBefore);
      for (int i = 0; i < item.length; i++) {
        assertThat(delta[i]).isEqualTo(updatedItem[i] - item[i]);
      }
    }
  }

  @Test
  void repeatedStepsDriveTheSquaredLossOfAPositiveTowardsZero() {
    double[] u = Isgd.init("u", 16, 0.1);
    double[] v = Isgd.init("i", 16, 0.1);
    double first = Math.pow(Isgd.update(u, v, 1, p), 2);
    double last = first;
    for (int i = 0; i < 200; i++) {
      last = Math.pow(Isgd.update(u, v, 1, p), 2);
    }
    assertThat(last).isLessThan(first / 10);
    assertThat(Isgd.dot(u, v)).isGreaterThan(0.5);
  }

  @Test
  void lossOfATinyKnownProblemDecreasesOverEpochs() {
    // Two groups of users each buying their own two items: after training, in-group scores win.
    String[][] buys = {
      {"a1", "x1"},
      {"a1", "x2"},
      {"a2", "x1"},
      {"a2", "x2"},
      {"b1", "y1"},
      {"b1", "y2"},
      {"b2", "y1"},
      {"b2", "y2"}
    };
    java.util.Map<String, double[]> f = new java.util.HashMap<>();
    double epochLoss0 = 0;
    double epochLoss = 0;
    for (int epoch = 0; epoch < 60; epoch++) {
      epochLoss = 0;
      for (String[] b : buys) {
        double[] u = f.computeIfAbsent(b[0], id -> Isgd.init(id, 8, 0.1));
        double[] v = f.computeIfAbsent(b[1], id -> Isgd.init(id, 8, 0.1));
        epochLoss += Math.pow(Isgd.update(u, v, 1, p), 2);
      }
      if (epoch == 0) {
        epochLoss0 = epochLoss;
      }
    }
    assertThat(epochLoss).isLessThan(epochLoss0 / 5);
    assertThat(Isgd.dot(f.get("a1"), f.get("x1")))
        .isGreaterThan(Isgd.dot(f.get("a1"), f.get("y1")));
  }

  @Test
  void heavierWeightMovesFurther() {
    double[] u1 = Isgd.init("u", 8, 0.1);
    double[] v1 = Isgd.init("i", 8, 0.1);
    double[] u2 = u1.clone();
    double[] v2 = v1.clone();
    Isgd.update(u1, v1, 0.2, p);
    Isgd.update(u2, v2, 1.0, p);
    assertThat(Isgd.dot(u2, v2)).isGreaterThan(Isgd.dot(u1, v1));
  }
}
