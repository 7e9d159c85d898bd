package io.shopflow.marketing.pipelines.elasticsearch;

/**
 * The outcomes of one trigger type in one closed event-time bucket: a whole aggregate, so that the
 * document (id = type and bucket start) is overwritten, never incremented, on a replay.
 */
public class TriggerMetrics {
  public String actionType;
  public long bucketStart;
  public long bucketEnd;

  /** Actions sent. */
  public long fired;

  public long suppressedConsent;
  public long suppressedFrequencyCap;
  public long suppressedDuplicate;

  /** Sent actions that quiet hours had held back (send time after the trigger time). */
  public long deferredQuietHours;

  /** Sent actions carrying recommended items. */
  public long withRecommendations;

  /**
   * Actions whose inference step used its fallback ({@code inference_fallback}): recommendations
   * left in hybrid order because the ranker was unavailable, service recoveries judged by the
   * lexicon instead of the sentiment model.
   */
  public long fallbacks;

  public TriggerMetrics() {}

  public long suppressed() {
    return suppressedConsent + suppressedFrequencyCap + suppressedDuplicate;
  }
}
