package io.shopflow.marketing.operators;

import java.io.Serializable;

/** How {@link ReviewSentimentFunction} calls the inference sidecar's {@code sentiment} model. */
public class SentimentSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Base URL of an OIP v2 server (e.g. {@code http://127.0.0.1:8080}); null: lexicon only. */
  public String sidecarUrl;

  /** HTTP timeout of one request. */
  public long requestTimeoutMs = 2_000;

  /** Reviews per request at most. */
  public int maxBatch = 32;

  /** How long the first review of a batch waits for others before the request goes out. */
  public long lingerMs = 5;

  /** Retries of a failed request (then the lexicon fallback). */
  public int retries = 1;

  /** Pause before a retry. */
  public long retryBackoffMs = 50;

  /** Consecutive failed requests that open the circuit breaker. */
  public int breakerFailures = 5;

  /** How long an open breaker skips the sidecar. */
  public long breakerCoolDownMs = 30_000;

  /** Reviews in flight per operator instance (the async operator's capacity). */
  public int capacity = 256;

  /**
   * The async operator's timeout: every attempt's HTTP timeout, the backoffs and the linger, plus a
   * second of slack. A review still unanswered then is scored by the fallback.
   */
  public long operatorTimeoutMs() {
    return (retries + 1) * (requestTimeoutMs + retryBackoffMs) + lingerMs + 1_000;
  }
}
