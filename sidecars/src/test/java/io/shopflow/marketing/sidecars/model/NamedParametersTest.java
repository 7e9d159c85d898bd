package io.shopflow.marketing.sidecars.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.shopflow.marketing.sidecars.Djl;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NamedParametersTest {
  static final float[] W = {1f, -2f, 3.5f, 0f, 1e-7f, -4f};
  static final float[] B = {0.25f, -0.5f};

  @TempDir Path dir;

  @BeforeAll
  static void configure() {
    Djl.configure();
  }

  static NamedParameters sample() {
    NamedParameters p = new NamedParameters();
    p.add("l1.w", W, new Shape(3, 2));
    p.add("l1.b", B, new Shape(2));
    return p;
  }

  @Test
  void savedParametersLoadBackIdentical() throws Exception {
    Path file = dir.resolve("a.params");
    try (NamedParameters p = sample()) {
      p.save(file);
    }
    try (NamedParameters q = NamedParameters.load(file)) {
      assertThat(q.names()).containsExactly("l1.w", "l1.b");
      assertThat(q.get("l1.w").getShape()).isEqualTo(new Shape(3, 2));
      assertThat(q.get("l1.w").toFloatArray()).containsExactly(W);
      assertThat(q.get("l1.b").getShape()).isEqualTo(new Shape(2));
      assertThat(q.get("l1.b").toFloatArray()).containsExactly(B);
      Path again = dir.resolve("b.params");
      q.save(again);
      assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(file));
    }
  }

  @Test
  void savesTheNamedNdListEncodingThatEarlierModelsUse() throws Exception {
    // RankerNet and SentimentHead wrote their files this way before they shared this class.
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    try (NDManager m = Engine.getEngine("PyTorch").newBaseManager()) {
      NDArray w = m.create(W, new Shape(3, 2));
      w.setName("l1.w");
      NDArray b = m.create(B, new Shape(2));
      b.setName("l1.b");
      new NDList(w, b).encode(expected);
    }
    Path file = dir.resolve("a.params");
    try (NamedParameters p = sample()) {
      p.save(file);
    }
    assertThat(Files.readAllBytes(file)).isEqualTo(expected.toByteArray());
  }

  @Test
  void unknownOrDuplicateNameIsAnError() {
    try (NamedParameters p = sample()) {
      assertThat(p.contains("l1.b")).isTrue();
      assertThat(p.contains("l2.w")).isFalse();
      assertThatThrownBy(() -> p.get("l2.w"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("l2.w");
      assertThatThrownBy(() -> p.add("l1.b", B, new Shape(2)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("l1.b");
      assertThat(p.names()).containsExactly("l1.w", "l1.b");
    }
  }

  @Test
  void gaussianDrawsFollowTheSeedAndScale() {
    float[] a = NamedParameters.gaussian(new Random(7), 10_000, 0.5);
    assertThat(a).hasSize(10_000);
    assertThat(NamedParameters.gaussian(new Random(7), 10_000, 0.5)).containsExactly(a);
    Random r = new Random(7);
    assertThat(a[0]).isEqualTo((float) (r.nextGaussian() * 0.5));
    double sq = 0;
    for (float v : a) {
      sq += v * v;
    }
    assertThat(Math.sqrt(sq / a.length)).isBetween(0.48, 0.52);
  }
}
