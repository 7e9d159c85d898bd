package io.shopflow.marketing.operators;

import java.io.Serializable;

/** How {@link RecommendationRankingFunction} calls the inference sidecar's {@code ranker} model. */
public class RankingSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Base URL of an OIP v2 server (e.g. {@code http://127.0.0.1:8080}); null: hybrid order. */
  public String sidecarUrl;

  /**
   * Candidates each recommendation carries to the ranker (in hybrid order), of which the model's
   * best {@code recommendationSize} are sent; 0: no ranking, the hybrid order is final.
   */
  public int candidates = 15;

  /** HTTP timeout of one request. */
  public long requestTimeoutMs = 1_000;

  /** Actions per request at most. */
  public int maxBatch = 32;

  /** How long the first action of a batch waits for others before the request goes out. */
  public long lingerMs = 5;

  /** Retries of a failed request (then the hybrid order). */
  public int retries = 1;

  /** Pause before a retry. */
  public long retryBackoffMs = 50;

  /** Consecutive failed requests that open the circuit breaker. */
  public int breakerFailures = 5;

  /** How long an open breaker skips the sidecar. */
  public long breakerCoolDownMs = 30_000;

  /** Actions in flight per operator instance (the async operator's capacity). */
  public int capacity = 256;

  /** Whether the job ranks recommendations with the sidecar (a URL and candidates to rank). */
  public boolean enabled() {
    return sidecarUrl != null && !sidecarUrl.isBlank() && candidates > 0;
  }

  /**
   * The async operator's timeout: every attempt's HTTP timeout, the backoffs and the linger, plus a
   * second of slack. An action still unranked then keeps the hybrid order.
   */
  public long operatorTimeoutMs() {
    return (retries + 1) * (requestTimeoutMs + retryBackoffMs) + lingerMs + 1_000;
  }
}
