package io.shopflow.marketing.operators;

import io.shopflow.marketing.udfs.inference.CircuitBreaker;
import io.shopflow.marketing.udfs.inference.InferenceClient;
import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * How an async operator calls one model of the inference sidecar: micro-batches, timeouts, retries,
 * the circuit breaker and the async operator's capacity. {@link RankingSettings} and {@link
 * SentimentSettings} add what is particular to their model.
 */
public abstract class SidecarCallSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Base URL of an OIP v2 server (e.g. {@code http://127.0.0.1:8080}); null: the fallback. */
  public String sidecarUrl;

  /** HTTP timeout of one request. */
  public long requestTimeoutMs;

  /** Records per request at most. */
  public int maxBatch = 32;

  /** How long the first record of a batch waits for others before the request goes out. */
  public long lingerMs = 5;

  /** Retries of a failed request (then the fallback). */
  public int retries = 1;

  /** Pause before a retry. */
  public long retryBackoffMs = 50;

  /** Consecutive requests that failed after their retries and open the circuit breaker. */
  public int breakerFailures = 5;

  /** How long an open breaker skips the sidecar. */
  public long breakerCoolDownMs = 30_000;

  /** Records in flight per operator instance (the async operator's capacity). */
  public int capacity = 256;

  protected SidecarCallSettings(long requestTimeoutMs) {
    this.requestTimeoutMs = requestTimeoutMs;
  }

  /** Whether a sidecar URL is set. */
  public boolean hasSidecar() {
    return sidecarUrl != null && !sidecarUrl.isBlank();
  }

  /**
   * The async operator's timeout: every attempt's HTTP timeout, the backoffs and the linger, plus a
   * second of slack. A record still unanswered then gets the fallback.
   */
  public long operatorTimeoutMs() {
    return (retries + 1) * (requestTimeoutMs + retryBackoffMs) + lingerMs + 1_000;
  }

  /** The client of the sidecar at {@link #sidecarUrl}. */
  InferenceClient newClient() {
    return new InferenceClient(sidecarUrl, Duration.ofMillis(requestTimeoutMs));
  }

  /** A circuit breaker with these settings' threshold and cool-down, on the wall clock. */
  CircuitBreaker newBreaker() {
    return new CircuitBreaker(breakerFailures, breakerCoolDownMs, System::currentTimeMillis);
  }

  /** The daemon thread that sends batches after their linger and schedules retries. */
  static ScheduledExecutorService newBatcher(String threadName) {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, threadName);
          t.setDaemon(true);
          return t;
        });
  }
}
