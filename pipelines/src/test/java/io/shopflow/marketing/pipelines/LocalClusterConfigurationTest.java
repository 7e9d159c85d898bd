package io.shopflow.marketing.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.operators.state.RocksDbFlushOptions;
import java.util.ArrayList;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.StateBackendLoader;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.junit.jupiter.api.Test;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.RocksDB;

class LocalClusterConfigurationTest {

  @Test
  void givesEachLocalSlotTheManagedMemoryOfADeployedSlot() {
    Configuration local =
        MarketingJob.forLocalCluster(MarketingJob.flinkConfiguration(new JobSettings()), 3);

    assertThat(local.get(TaskManagerOptions.MANAGED_MEMORY_SIZE))
        .isEqualTo(MemorySize.ofMebiBytes(3 * 640));
    assertThat(local.get(TaskManagerOptions.MANAGED_MEMORY_SIZE))
        .isGreaterThan(MemorySize.ofMebiBytes(128)); // what Flink gives a mini-cluster in all
  }

  @Test
  void keepsAManagedMemorySizeTheUserSet() {
    Configuration conf = MarketingJob.flinkConfiguration(new JobSettings());
    conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("300mb"));

    Configuration local = MarketingJob.forLocalCluster(conf, 2);

    assertThat(local.get(TaskManagerOptions.MANAGED_MEMORY_SIZE))
        .isEqualTo(MemorySize.parse("300mb"));
    assertThat(conf.get(TaskManagerOptions.MANAGED_MEMORY_SIZE))
        .as("the caller's configuration is left as it was")
        .isEqualTo(MemorySize.parse("300mb"));
  }

  @Test
  void leavesTheJobsOwnConfigurationWithoutTaskManagerMemory() {
    // Submitted to a cluster, the TaskManagers' own memory settings apply.
    assertThat(
            MarketingJob.flinkConfiguration(new JobSettings())
                .contains(TaskManagerOptions.MANAGED_MEMORY_SIZE))
        .isFalse();
  }

  @Test
  void theStateBackendOfTheJobsConfigurationShortensCheckpointPauses() throws Exception {
    Configuration cluster = new Configuration();
    cluster.set(RocksDbFlushOptions.FLUSH_THREADS, 6); // as a TaskManager of three slots would
    cluster.set(RocksDBConfigurableOptions.WRITE_BUFFER_SIZE, MemorySize.ofMebiBytes(48));

    StateBackend backend =
        StateBackendLoader.fromApplicationOrConfigOrDefault(
            null,
            MarketingJob.flinkConfiguration(new JobSettings()),
            cluster,
            getClass().getClassLoader(),
            null);

    assertThat(backend).isInstanceOf(EmbeddedRocksDBStateBackend.class);
    assertThat(((EmbeddedRocksDBStateBackend) backend).getRocksDBOptions())
        .isInstanceOfSatisfying(
            RocksDbFlushOptions.class,
            o -> {
              assertThat(o.flushThreads()).isEqualTo(6);
              RocksDB.loadLibrary();
              // Flink applies the cluster's memtable size before the factory, which keeps it.
              try (ColumnFamilyOptions cf =
                  new ColumnFamilyOptions().setWriteBufferSize(48L << 20)) {
                assertThat(o.createColumnOptions(cf, new ArrayList<>()).writeBufferSize())
                    .isEqualTo(48L << 20);
              }
            });
  }
}
