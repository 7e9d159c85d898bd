package io.shopflow.marketing.pipelines.cli;

import io.shopflow.marketing.pipelines.elasticsearch.ElasticsearchSettings;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The Elasticsearch sink, shared by {@code run} and {@code demo}: without {@code --es-url} the job
 * writes to Kafka only. Secrets can come from the environment instead of the command line.
 */
public class ElasticsearchOptions {
  @Option(
      names = "--es-url",
      paramLabel = "URL[,URL...]",
      description =
          "Elasticsearch node(s), e.g. https://es-0:9200; enables the sink (actions, profiles,"
              + " trigger metrics). Default: none (no Elasticsearch output).")
  String url;

  @Option(
      names = "--es-api-key",
      defaultValue = "${env:MKT_ES_API_KEY}",
      description = "API key (the \"encoded\" value). Default: $MKT_ES_API_KEY.")
  String apiKey;

  @Option(
      names = "--es-username",
      defaultValue = "${env:MKT_ES_USERNAME}",
      description = "Basic authentication user. Default: $MKT_ES_USERNAME.")
  String username;

  @Option(
      names = "--es-password",
      defaultValue = "${env:MKT_ES_PASSWORD}",
      description = "Basic authentication password. Default: $MKT_ES_PASSWORD.")
  String password;

  @Option(
      names = "--es-ca-cert",
      paramLabel = "PEM",
      description =
          "CA certificate(s) of the cluster's HTTPS certificate, PEM (default: the JVM's trust"
              + " store).")
  Path caCert;

  @Option(
      names = "--pseudonym-key",
      defaultValue = "${env:MKT_PSEUDONYM_KEY}",
      description =
          "Secret of the keyed hash (HMAC-SHA256) that replaces user ids before they reach"
              + " Elasticsearch; at least 16 characters. Default: $MKT_PSEUDONYM_KEY.")
  String pseudonymKey;

  @Option(
      names = "--es-bulk-actions",
      defaultValue = "1000",
      description = "Operations per bulk request at most. Default: ${DEFAULT-VALUE}.")
  int bulkActions;

  @Option(
      names = "--es-bulk-bytes",
      defaultValue = "5242880",
      description = "Bytes per bulk request at most (about). Default: ${DEFAULT-VALUE}.")
  long bulkBytes;

  @Option(
      names = "--es-flush-interval",
      converter = DurationConverter.class,
      defaultValue = "1s",
      description = "Waiting documents are sent at least this often. Default: ${DEFAULT-VALUE}.")
  Duration flushInterval;

  @Option(
      names = "--es-max-buffered",
      defaultValue = "100000",
      description =
          "Documents a writer holds while Elasticsearch is slow or down before it slows the job"
              + " down. Default: ${DEFAULT-VALUE}.")
  int maxBuffered;

  @Option(
      names = "--es-max-backoff",
      converter = DurationConverter.class,
      defaultValue = "30s",
      description = "Longest wait between retries. Default: ${DEFAULT-VALUE}.")
  Duration maxBackoff;

  @Option(
      names = "--es-metrics-bucket",
      converter = DurationConverter.class,
      defaultValue = "1h",
      description = "Event-time bucket of the trigger metrics. Default: ${DEFAULT-VALUE}.")
  Duration metricsBucket;

  /** The sink's settings, validated; null when no URL was given. */
  public ElasticsearchSettings toSettings() {
    return url == null ? null : toSettings(url, pseudonymKey);
  }

  /** The settings for a given URL (the demo's own node) and key. */
  public ElasticsearchSettings toSettings(String url, String pseudonymKey) {
    ElasticsearchSettings s = new ElasticsearchSettings();
    s.url = url;
    s.apiKey = blankToNull(apiKey);
    s.username = blankToNull(username);
    s.password = blankToNull(password);
    s.caCertPath = caCert == null ? null : caCert.toString();
    s.pseudonymKey = blankToNull(pseudonymKey);
    s.maxBatchActions = bulkActions;
    s.maxBatchBytes = bulkBytes;
    s.flushInterval = flushInterval;
    s.maxBufferedDocuments = maxBuffered;
    s.maxBackoff = maxBackoff;
    s.metricsBucket = metricsBucket;
    s.validate();
    return s;
  }

  public String url() {
    return url;
  }

  public String pseudonymKey() {
    return blankToNull(pseudonymKey);
  }

  private static String blankToNull(String v) {
    return v == null || v.isBlank() ? null : v;
  }
}
