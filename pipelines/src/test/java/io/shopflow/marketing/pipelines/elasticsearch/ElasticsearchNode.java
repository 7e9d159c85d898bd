package io.shopflow.marketing.pipelines.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import java.io.IOException;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension: one real Elasticsearch node per test JVM (started by the first class that uses
 * it, stopped when the JVM's tests end). Fails the class with the node's output when it cannot
 * start.
 */
public final class ElasticsearchNode implements BeforeAllCallback {
  private static EmbeddedElasticsearch node;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    node(context);
  }

  static synchronized EmbeddedElasticsearch node(ExtensionContext context) throws IOException {
    if (node == null) {
      EmbeddedElasticsearch started = EmbeddedElasticsearch.start();
      node = started;
      context
          .getRoot()
          .getStore(ExtensionContext.Namespace.GLOBAL)
          .put(
              "shopflow-elasticsearch-node",
              (AutoCloseable)
                  () -> {
                    synchronized (ElasticsearchNode.class) {
                      started.close();
                      node = null;
                    }
                  });
    }
    return node;
  }

  /** The running node (after beforeAll). */
  public static synchronized EmbeddedElasticsearch node() {
    if (node == null) {
      throw new IllegalStateException("register ElasticsearchNode with @ExtendWith first");
    }
    return node;
  }

  /** Settings for the node, plain HTTP, short backoff for tests. */
  public static ElasticsearchSettings settings() {
    ElasticsearchSettings s = new ElasticsearchSettings();
    s.url = node().url();
    s.pseudonymKey = "test-pseudonym-key-0123456789";
    s.flushInterval = java.time.Duration.ofMillis(200);
    s.initialBackoff = java.time.Duration.ofMillis(100);
    s.maxBackoff = java.time.Duration.ofSeconds(1);
    return s;
  }

  public static ElasticsearchClient client() throws IOException {
    return ElasticsearchClients.create(settings());
  }
}
