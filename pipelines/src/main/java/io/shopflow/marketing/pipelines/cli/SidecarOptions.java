package io.shopflow.marketing.pipelines.cli;

import io.shopflow.marketing.pipelines.JobSettings;
import java.net.URI;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The inference sidecar that scores review sentiment; shared by {@code run} and {@code demo}. */
public class SidecarOptions {
  @Option(
      names = "--sidecar-url",
      description =
          "Base URL of the inference sidecar (Open Inference Protocol v2 REST, model sentiment),"
              + " e.g. http://127.0.0.1:8080. Without it, review sentiment comes from the built-in"
              + " lexicon fallback.")
  String sidecarUrl;

  @Option(
      names = "--sidecar-timeout",
      converter = DurationConverter.class,
      defaultValue = "2s",
      description =
          "HTTP timeout of one sentiment request (one retry; then the lexicon fallback). Default:"
              + " ${DEFAULT-VALUE}.")
  Duration sidecarTimeout;

  void applyTo(JobSettings s) {
    applyTo(s.sentiment);
  }

  void applyTo(io.shopflow.marketing.operators.SentimentSettings sentiment) {
    if (sidecarUrl != null && !sidecarUrl.isBlank()) {
      URI u = URI.create(sidecarUrl);
      if (u.getScheme() == null || !u.getScheme().startsWith("http") || u.getHost() == null) {
        throw new IllegalArgumentException(
            "--sidecar-url must be an http(s) URL like http://127.0.0.1:8080, got " + sidecarUrl);
      }
      sentiment.sidecarUrl = sidecarUrl;
    }
    sentiment.requestTimeoutMs = sidecarTimeout.toMillis();
  }
}
