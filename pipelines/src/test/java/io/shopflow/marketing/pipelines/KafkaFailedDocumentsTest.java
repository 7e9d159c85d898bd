package io.shopflow.marketing.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.pipelines.demo.OutputReader;
import io.shopflow.marketing.pipelines.elasticsearch.EsOperation;
import io.shopflow.marketing.pipelines.elasticsearch.KafkaFailedDocuments;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Documents Elasticsearch refuses reach the DLQ topic with the reason in the usual headers. */
class KafkaFailedDocumentsTest extends KafkaJobTest {
  @Test
  void aRefusedDocumentLandsInTheDlqWithItsReasonAndIndex() throws Exception {
    JobSettings s = ShopTopics.settingsFor(kafka, "file:///unused", "it-es-dlq");
    s.actionsTopic = "es-dlq-test.actions";
    s.sessionsTopic = "es-dlq-test.sessions";
    s.dlqTopic = "es-dlq-test.dlq";
    kafka.createTopics(1, s.actionsTopic, s.sessionsTopic, s.dlqTopic);

    KafkaFailedDocuments dlq =
        new KafkaFailedDocuments(s.bootstrapServers, new Properties(), s.dlqTopic);
    dlq.open();
    try {
      dlq.report(
          EsOperation.index("mkt-actions-2011.02", "a1", "{\"item_count\":\"many\"}"),
          400,
          "document_parsing_exception: failed to parse field [item_count]");
    } finally {
      dlq.close();
    }

    try (OutputReader out = MarketingJobIntegrationTest.reader(s)) {
      out.awaitThenDrain(
          r -> !r.deadLetters.isEmpty(), Duration.ofMillis(500), Duration.ofSeconds(30));
      assertThat(out.deadLetters).hasSize(1);
      OutputReader.DeadLetterView d = out.deadLetters.get(0);
      assertThat(d.reason())
          .isEqualTo(
              "elasticsearch 400: document_parsing_exception: failed to parse field [item_count]");
      assertThat(d.sourceTopic()).isEqualTo("elasticsearch:mkt-actions-2011.02");
      assertThat(d.value()).isEqualTo("{\"item_count\":\"many\"}");
    }
  }
}
