package io.shopflow.marketing.pipelines.demo;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopflow.marketing.pipelines.cli.ElasticsearchOptions;
import io.shopflow.marketing.pipelines.elasticsearch.Documents;
import io.shopflow.marketing.pipelines.elasticsearch.ElasticsearchClients;
import io.shopflow.marketing.pipelines.elasticsearch.ElasticsearchSettings;
import io.shopflow.marketing.pipelines.elasticsearch.EmbeddedElasticsearch;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's Elasticsearch: its own node ({@code --with-elasticsearch}) or a cluster given with
 * {@code --es-url}; document counts per index for the summary.
 */
final class ElasticsearchDemo implements AutoCloseable {
  static final List<String> INDICES =
      List.of(
          Documents.ACTIONS_PREFIX + "*",
          Documents.PROFILES,
          Documents.TRIGGER_METRICS,
          Documents.ITEM_SENTIMENT);

  private final EmbeddedElasticsearch node;
  private final ElasticsearchSettings settings;

  private ElasticsearchDemo(EmbeddedElasticsearch node, ElasticsearchSettings settings) {
    this.node = node;
    this.settings = settings;
  }

  /** Null when the demo runs without Elasticsearch. */
  static ElasticsearchDemo start(boolean ownNode, ElasticsearchOptions options, PrintStream out)
      throws Exception {
    String url = options == null ? null : options.url();
    if (!ownNode && url == null) {
      return null;
    }
    String key = options == null ? null : options.pseudonymKey();
    if (key == null) {
      byte[] random = new byte[24];
      new SecureRandom().nextBytes(random);
      key = HexFormat.of().formatHex(random); // a fresh secret per demo run
    }
    EmbeddedElasticsearch node = null;
    if (ownNode) {
      out.println("Starting Elasticsearch " + EmbeddedElasticsearch.VERSION + " (127.0.0.1) ...");
      node = EmbeddedElasticsearch.start();
      url = node.url();
      out.println("  Elasticsearch at " + url);
    }
    ElasticsearchSettings s =
        options != null ? options.toSettings(url, key) : defaultSettings(url, key);
    return new ElasticsearchDemo(node, s);
  }

  private static ElasticsearchSettings defaultSettings(String url, String key) {
    ElasticsearchSettings s = new ElasticsearchSettings();
    s.url = url;
    s.pseudonymKey = key;
    s.validate();
    return s;
  }

  ElasticsearchSettings settings() {
    return settings;
  }

  /** Waits until the counts stop changing (the last checkpoint's documents), then reports them. */
  void summarise(ObjectNode summary, PrintStream out, long lingerSeconds) throws Exception {
    ElasticsearchClient client = ElasticsearchClients.create(settings);
    try {
      Map<String, Long> counts = counts(client);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline) {
        Thread.sleep(3000);
        Map<String, Long> now = counts(client);
        if (now.equals(counts)) {
          break;
        }
        counts = now;
      }
      ObjectNode es = summary.putObject("elasticsearch");
      es.put("url", settings.url);
      ObjectNode docs = es.putObject("documents");
      counts.forEach(docs::put);
      out.println("elasticsearch      " + settings.url + " (documents per index)");
      counts.forEach((index, n) -> out.printf("    %-20s %,d%n", index, n));
      String example =
          "curl '" + settings.url + "/mkt-actions/_search?q=action_type:win_back&size=1&pretty'";
      if (node != null && lingerSeconds > 0) {
        out.printf(
            "  the node stays up for %d s (Ctrl-C to stop earlier); query it, e.g. %s%n",
            lingerSeconds, example);
        Thread.sleep(lingerSeconds * 1000);
      } else if (node != null) {
        out.println(
            "  (the node stops with the demo; --es-linger SECONDS keeps it up to query it)");
      } else {
        out.println("  query it, e.g. " + example);
      }
    } finally {
      client._transport().close();
    }
  }

  private static Map<String, Long> counts(ElasticsearchClient client) throws Exception {
    Map<String, Long> counts = new LinkedHashMap<>();
    client.indices().refresh(r -> r.index(INDICES).allowNoIndices(true).ignoreUnavailable(true));
    for (String index : INDICES) {
      counts.put(
          index,
          client.count(c -> c.index(index).allowNoIndices(true).ignoreUnavailable(true)).count());
    }
    return counts;
  }

  @Override
  public void close() {
    if (node != null) {
      node.close();
      System.out.println("Stopped Elasticsearch.");
    }
  }
}
