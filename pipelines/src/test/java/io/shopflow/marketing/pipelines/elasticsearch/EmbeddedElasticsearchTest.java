package io.shopflow.marketing.pipelines.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ElasticsearchNode.class)
class EmbeddedElasticsearchTest {
  @Test
  void nodeAnswersOnLoopbackAndTemplatesApplyOnceAndCreateTheAliases() throws Exception {
    assertThat(ElasticsearchNode.node().url()).startsWith("http://127.0.0.1:");
    ElasticsearchClient client = ElasticsearchNode.client();
    try {
      assertThat(client.cluster().health().status().jsonValue()).isIn("green", "yellow");
      IndexSetup.apply(client);
      IndexSetup.apply(client); // idempotent
      for (String t : IndexSetup.TEMPLATES) {
        assertThat(client.indices().existsIndexTemplate(e -> e.name(t)).value()).as(t).isTrue();
      }
      for (String a : IndexSetup.ALIASES) {
        assertThat(client.indices().getAlias(g -> g.name(a)).result()).containsKey(a + "-000001");
      }
    } finally {
      client._transport().close();
    }
  }
}
