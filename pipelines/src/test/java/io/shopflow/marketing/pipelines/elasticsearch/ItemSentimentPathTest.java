package io.shopflow.marketing.pipelines.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Item-sentiment aggregates through the Flink sink into {@code mkt-item-sentiment}. */
@ExtendWith(ElasticsearchNode.class)
class ItemSentimentPathTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  static ItemSentiment agg(String item, long reviews, double mean, long pos, long neu, long neg) {
    ItemSentiment s = new ItemSentiment();
    s.itemId = item;
    s.updatedAt = 1_770_000_000_000L + reviews;
    s.reviewCount = reviews;
    s.meanRating = mean;
    s.positive = pos;
    s.neutral = neu;
    s.negative = neg;
    s.negativeThemes = neg > 0 ? new String[] {"delivery", "sizing"} : new String[0];
    return s;
  }

  @Test
  void aggregatesBecomeOneDocumentPerItemAndANewerAggregateReplacesTheOlder() throws Exception {
    ElasticsearchSettings s = ElasticsearchNode.settings();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    List<ItemSentiment> aggregates =
        List.of(
            agg("sku-1", 4, 4.5, 3, 1, 0),
            agg("sku-2", 10, 2.1, 2, 2, 6),
            agg("sku-3", 1, 5.0, 1, 0, 0),
            agg("sku-2", 12, 2.0, 2, 2, 8)); // later aggregate of sku-2
    ElasticsearchOutput.sink(
        ElasticsearchOutput.itemSentiment(env.fromData(aggregates), s),
        s,
        (op, status, reason) -> {
          throw new AssertionError("refused " + op + ": " + reason);
        });
    env.execute("item-sentiment-path"); // bounded: the sink flushes everything at the end

    ElasticsearchClient client = ElasticsearchNode.client();
    try {
      client.indices().refresh(r -> r.index(Documents.ITEM_SENTIMENT));
      // Other tests on the same node may hold other items: count this test's items only.
      List<FieldValue> mine =
          List.of(FieldValue.of("sku-1"), FieldValue.of("sku-2"), FieldValue.of("sku-3"));
      long count =
          client
              .count(
                  c ->
                      c.index(Documents.ITEM_SENTIMENT)
                          .query(q -> q.terms(t -> t.field("item_id").terms(v -> v.value(mine)))))
              .count();
      assertThat(count).isEqualTo(3);
      ObjectNode sku2 =
          client.get(g -> g.index(Documents.ITEM_SENTIMENT).id("sku-2"), ObjectNode.class).source();
      assertThat(sku2.get("review_count").asLong()).isEqualTo(12);
      assertThat(sku2.get("negative_share").asDouble()).isEqualTo(8.0 / 12);
      assertThat(sku2.get("negative_themes").toString()).isEqualTo("[\"delivery\",\"sizing\"]");
    } finally {
      client._transport().close();
    }
  }
}
