package io.shopflow.marketing.pipelines.cli;

import io.shopflow.marketing.pipelines.JobSettings;
import java.net.URI;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The inference sidecar that scores review sentiment and ranks recommendations; shared by {@code
 * run} and {@code demo}.
 */
public class SidecarOptions {
  @Option(
      names = "--sidecar-url",
      description =
          "Base URL of the inference sidecar (Open Inference Protocol v2 REST, models sentiment"
              + " and ranker), e.g. http://127.0.0.1:8080. Without it, review sentiment comes from"
              + " the built-in lexicon fallback and recommendations keep the hybrid order.")
  String sidecarUrl;

  @Option(
      names = "--sidecar-timeout",
      converter = DurationConverter.class,
      defaultValue = "2s",
      description =
          "HTTP timeout of one sentiment request (one retry; then the lexicon fallback). Default:"
              + " ${DEFAULT-VALUE}.")
  Duration sidecarTimeout;

  @Option(
      names = "--ranker-timeout",
      converter = DurationConverter.class,
      defaultValue = "1s",
      description =
          "HTTP timeout of one ranker request (one retry; then the hybrid order). Default:"
              + " ${DEFAULT-VALUE}.")
  Duration rankerTimeout;

  @Option(
      names = "--ranker-candidates",
      defaultValue = "15",
      description =
          "Candidates (in hybrid order) each recommendation, and each action's attached picks,"
              + " send to the sidecar's ranker, of which the model's best (recommendation size 5,"
              + " or 3 picks) are sent; 0: no ranking through the sidecar. Default:"
              + " ${DEFAULT-VALUE}.")
  int rankerCandidates;

  void applyTo(JobSettings s) {
    applyTo(s.sentiment);
    applyTo(s.ranking);
  }

  void applyTo(io.shopflow.marketing.operators.RankingSettings ranking) {
    if (rankerCandidates < 0) {
      throw new IllegalArgumentException(
          "--ranker-candidates must be >= 0, got " + rankerCandidates);
    }
    ranking.sidecarUrl = checked(sidecarUrl);
    ranking.requestTimeoutMs = rankerTimeout.toMillis();
    ranking.candidates = rankerCandidates;
  }

  private static String checked(String sidecarUrl) {
    if (sidecarUrl == null || sidecarUrl.isBlank()) {
      return null;
    }
    URI u = URI.create(sidecarUrl);
    if (u.getScheme() == null || !u.getScheme().startsWith("http") || u.getHost() == null) {
      throw new IllegalArgumentException(
          "--sidecar-url must be an http(s) URL like http://127.0.0.1:8080, got " + sidecarUrl);
    }
    return sidecarUrl;
  }

  void applyTo(io.shopflow.marketing.operators.SentimentSettings sentiment) {
    if (sidecarUrl != null && !sidecarUrl.isBlank()) {
      sentiment.sidecarUrl = checked(sidecarUrl);
    }
    sentiment.requestTimeoutMs = sidecarTimeout.toMillis();
  }
}
