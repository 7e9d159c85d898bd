package io.shopflow.marketing.operators.state;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.state.ValueState;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ValueFieldTest {
  /** A composite of two fields. */
  static final class Pair {
    String left;
    Integer right;
  }

  /** One key's value state on the heap: records the writes and clears. */
  static final class OneValue implements ValueState<Pair> {
    Pair stored;
    int updates;
    int clears;

    @Override
    public Pair value() {
      return stored;
    }

    @Override
    public void update(Pair value) {
      stored = value;
      updates++;
    }

    @Override
    public void clear() {
      stored = null;
      clears++;
    }
  }

  private OneValue composite;
  private ValueState<String> left;
  private ValueState<Integer> right;

  @BeforeEach
  void fields() {
    composite = new OneValue();
    left =
        new ValueField<>(
            composite, Pair::new, p -> p.left, (p, v) -> p.left = v, ValueFieldTest::empty);
    right =
        new ValueField<>(
            composite, Pair::new, p -> p.right, (p, v) -> p.right = v, ValueFieldTest::empty);
  }

  private static boolean empty(Pair p) {
    return p.left == null && p.right == null;
  }

  @Test
  void eachFieldReadsBackWhatWasWrittenToItAndLeavesTheOtherAlone() throws Exception {
    assertThat(left.value()).isNull();
    left.update("a");
    right.update(7);
    assertThat(left.value()).isEqualTo("a");
    assertThat(right.value()).isEqualTo(7);
    assertThat(composite.stored.left).isEqualTo("a");
    assertThat(composite.updates).isEqualTo(2);
  }

  @Test
  void clearingTheLastSetFieldClearsTheCompositeSoTheKeyHoldsNothing() throws Exception {
    left.update("a");
    right.update(7);
    left.clear();
    assertThat(composite.stored).isNotNull();
    assertThat(composite.clears).isZero();

    right.clear();
    assertThat(composite.stored).isNull();
    assertThat(composite.clears).isEqualTo(1);
  }

  @Test
  void clearingAFieldOfAKeyWithoutStateWritesNothing() throws Exception {
    left.clear();
    right.update(null);
    assertThat(composite.updates).isZero();
    assertThat(composite.clears).isZero();
  }
}
