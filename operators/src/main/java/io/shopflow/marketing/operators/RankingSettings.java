package io.shopflow.marketing.operators;

/** How {@link RecommendationRankingFunction} calls the inference sidecar's {@code ranker} model. */
public class RankingSettings extends SidecarCallSettings {
  private static final long serialVersionUID = 1L;

  /**
   * Candidates each recommendation carries to the ranker (in hybrid order), of which the model's
   * best {@code recommendationSize} are sent; 0: no ranking, the hybrid order is final.
   */
  public int candidates = 15;

  public RankingSettings() {
    super(1_000);
  }

  /** Whether the job ranks recommendations with the sidecar (a URL and candidates to rank). */
  public boolean enabled() {
    return hasSidecar() && candidates > 0;
  }
}
