package io.shopflow.marketing.pipelines;

import io.shopflow.marketing.pipelines.kafka.EmbeddedKafkaBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Base of the tests that need a real Kafka broker on 127.0.0.1 for the whole test class. */
abstract class KafkaBrokerTest {
  static EmbeddedKafkaBroker kafka;

  @BeforeAll
  static void startKafka() throws Exception {
    kafka = EmbeddedKafkaBroker.startInTempDir();
  }

  @AfterAll
  static void stopKafka() {
    kafka.close();
  }
}
