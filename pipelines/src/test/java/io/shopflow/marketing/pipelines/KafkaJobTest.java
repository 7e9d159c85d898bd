package io.shopflow.marketing.pipelines;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Base of the job-level tests: a MiniCluster (1 TaskManager, 2 slots) and a real Kafka broker on
 * 127.0.0.1, both for the whole test class.
 */
abstract class KafkaJobTest extends KafkaBrokerTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());
}
