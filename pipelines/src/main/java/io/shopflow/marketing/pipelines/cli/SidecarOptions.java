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
      description =
          "HTTP timeout of one sentiment request (one retry; then the lexicon fallback). Default:"
              + " 2s; 10s in demo, whose sidecar shares the machine's cores with Kafka and the"
              + " job.")
  Duration sidecarTimeout;

  @Option(
      names = "--ranker-timeout",
      converter = DurationConverter.class,
      description =
          "HTTP timeout of one ranker request (one retry; then the hybrid order). Default: 1s;"
              + " 10s in demo.")
  Duration rankerTimeout;

  /** The timeouts when the options are not given: a sidecar with its own CPU, as deployed. */
  private Duration defaultSidecarTimeout = Duration.ofSeconds(2);

  private Duration defaultRankerTimeout = Duration.ofSeconds(1);

  /**
   * Longer default timeouts for a sidecar on the same cores as Kafka and the job (the demo's): on
   * two cores the sentiment encoder's batches took seconds and the 1 s ranker timeout opened the
   * breaker at once, so every recommendation fell back.
   */
  void sharingTheMachine() {
    defaultSidecarTimeout = Duration.ofSeconds(10);
    defaultRankerTimeout = Duration.ofSeconds(10);
  }

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
    ranking.requestTimeoutMs =
        (rankerTimeout != null ? rankerTimeout : defaultRankerTimeout).toMillis();
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
    sentiment.requestTimeoutMs =
        (sidecarTimeout != null ? sidecarTimeout : defaultSidecarTimeout).toMillis();
  }
}
