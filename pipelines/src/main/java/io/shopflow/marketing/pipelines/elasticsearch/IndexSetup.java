package io.shopflow.marketing.pipelines.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Applies the index templates shipped in {@code elasticsearch/templates/} when absent (an existing
 * template is left as it is: an operator may have tuned it) and creates the first index of every
 * single-index alias ({@code mkt-profiles} -> {@code mkt-profiles-000001}, write index).
 */
public final class IndexSetup {
  /** Template names = resource names = (for all but actions) alias names. */
  public static final List<String> TEMPLATES =
      List.of(
          "mkt-actions", Documents.PROFILES, Documents.ITEM_SENTIMENT, Documents.TRIGGER_METRICS);

  public static final List<String> ALIASES =
      List.of(Documents.PROFILES, Documents.ITEM_SENTIMENT, Documents.TRIGGER_METRICS);

  private IndexSetup() {}

  public static void apply(ElasticsearchClient client) throws IOException {
    for (String name : TEMPLATES) {
      if (!client.indices().existsIndexTemplate(e -> e.name(name)).value()) {
        try (InputStream body = template(name)) {
          client.indices().putIndexTemplate(t -> t.name(name).withJson(body));
        }
      }
    }
    for (String alias : ALIASES) {
      if (!client.indices().existsAlias(a -> a.name(alias)).value()) {
        try {
          client
              .indices()
              .create(c -> c.index(alias + "-000001").aliases(alias, a -> a.isWriteIndex(true)));
        } catch (ElasticsearchException e) {
          if (!"resource_already_exists_exception".equals(e.error().type())) {
            throw e; // another writer created it at the same time: fine
          }
        }
      }
    }
  }

  public static InputStream template(String name) throws IOException {
    InputStream in =
        IndexSetup.class.getResourceAsStream("/elasticsearch/templates/" + name + ".json");
    if (in == null) {
      throw new IOException("index template resource missing: " + name);
    }
    return in;
  }
}
