package io.shopflow.marketing.pipelines.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class GcPausesTest {

  @Test
  void recordsTheCollectionsBetweenStartAndStopPerCollector() throws Exception {
    try (GcPauses gc = new GcPauses()) {
      gc.start();
      System.gc();
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (gc.summary().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20); // notifications arrive on a JMX thread
      }
      gc.stop();
      Map<String, long[]> summary = gc.summary();

      assertThat(summary).isNotEmpty();
      long collections = 0;
      for (long[] v : summary.values()) {
        assertThat(v[0]).isPositive();
        assertThat(v[1]).isBetween(0L, v[2]);
        assertThat(v[3]).isGreaterThanOrEqualTo(v[2]);
        collections += v[0];
      }
      // System.gc() is one collection, or a young one and a full one (Parallel GC, as in tests).
      assertThat(collections).isBetween(1L, 2L);

      System.gc(); // after stop: not recorded
      Thread.sleep(200);
      assertThat(gc.summary().values().stream().mapToLong(v -> v[0]).sum()).isEqualTo(collections);
    }
  }

  @Test
  void theJsonGivesEachCollectorsCountMedianLongestAndTotal() {
    Bench.Result r = new Bench.Result();
    r.gcPausesMs.put("G1 Young Generation", new long[] {41, 45, 77, 1_900});

    assertThat(r.toJson())
        .extractingByKey("gc_pauses")
        .isEqualTo(
            Map.of(
                "G1 Young Generation",
                Map.of("collections", 41L, "p50_ms", 45L, "max_ms", 77L, "total_ms", 1_900L)));
  }
}
