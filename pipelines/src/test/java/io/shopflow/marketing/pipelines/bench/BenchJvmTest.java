package io.shopflow.marketing.pipelines.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class BenchJvmTest {

  @Test
  void describesTheJvmItsCollectorsAndItsHeapBoundsInMegabytes() {
    String d = Bench.jvmDescription();

    assertThat(d).startsWith("Java " + Runtime.version() + ", ");
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      assertThat(d).contains(gc.getName());
    }
    long maxMb = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax() >> 20;
    assertThat(d).endsWith(String.format(", %,d MB max", maxMb));
    assertThat(new Bench.Result().toJson()).containsEntry("jvm", d);
  }
}
