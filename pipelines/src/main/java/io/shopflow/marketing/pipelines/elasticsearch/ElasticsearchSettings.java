package io.shopflow.marketing.pipelines.elasticsearch;

import java.io.Serializable;
import java.time.Duration;

/**
 * Where and how the Elasticsearch sink writes. Plain HTTP for a local node; for a secured cluster
 * an {@code https://} URL with an API key or a user name and password, and the CA certificate (PEM)
 * that signed the cluster's HTTP certificate when it is not in the JVM's trust store.
 */
public class ElasticsearchSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  /** One or more node URLs, comma separated, e.g. {@code https://es-0:9200,https://es-1:9200}. */
  public String url;

  /** Base64 API key ({@code id:key} encoded, as Elasticsearch returns it in "encoded"). */
  public String apiKey;

  public String username;
  public String password;

  /** Path of a PEM file with the CA certificate(s) to trust; null: the JVM's trust store. */
  public String caCertPath;

  /** Secret of the keyed hash that pseudonymises user ids before anything reaches Elasticsearch. */
  public String pseudonymKey;

  /** A bulk request carries at most this many operations ... */
  public int maxBatchActions = 1000;

  /** ... or about this many bytes ... */
  public long maxBatchBytes = 5L * 1024 * 1024;

  /** ... and is sent at least this often while documents are waiting. */
  public Duration flushInterval = Duration.ofSeconds(1);

  /** Documents one writer holds before it slows the job down (backpressure). */
  public int maxBufferedDocuments = 100_000;

  /** Backoff between retries of 429/5xx and unreachable-cluster failures: doubles up to max. */
  public Duration initialBackoff = Duration.ofMillis(200);

  public Duration maxBackoff = Duration.ofSeconds(30);

  /** Width of the trigger-metrics time buckets. */
  public Duration metricsBucket = Duration.ofHours(1);

  /** Apply the shipped index templates and create the aliases at start-up when absent. */
  public boolean applyTemplates = true;

  /** Throws IllegalArgumentException when the settings cannot work. */
  public void validate() {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("an Elasticsearch URL is required");
    }
    for (String u : url.split(",")) {
      String t = u.trim();
      if (!t.startsWith("http://") && !t.startsWith("https://")) {
        throw new IllegalArgumentException(
            "Elasticsearch URL must start with http:// or https://: " + t);
      }
    }
    if (apiKey != null && username != null) {
      throw new IllegalArgumentException("give either an API key or a user name, not both");
    }
    if (username != null && password == null) {
      throw new IllegalArgumentException("a user name needs a password");
    }
    if (pseudonymKey == null || pseudonymKey.length() < 16) {
      throw new IllegalArgumentException(
          "a pseudonym key of at least 16 characters is required (--pseudonym-key or"
              + " MKT_PSEUDONYM_KEY)");
    }
    if (maxBatchActions < 1 || maxBatchBytes < 1024 || maxBufferedDocuments < maxBatchActions) {
      throw new IllegalArgumentException(
          "bulk sizing: need max actions >= 1, max bytes >= 1 KiB, buffer >= max actions");
    }
  }

  @Override
  public String toString() {
    // never the secrets
    return "ElasticsearchSettings{url="
        + url
        + (apiKey != null ? ", api key" : "")
        + (username != null ? ", user " + username : "")
        + (caCertPath != null ? ", ca " + caCertPath : "")
        + "}";
  }
}
