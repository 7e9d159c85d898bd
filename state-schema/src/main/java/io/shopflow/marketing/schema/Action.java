package io.shopflow.marketing.schema;

import java.util.Arrays;

/** A triggered marketing action, as written to {@code marketing.actions}. */
public class Action {
  /** Deterministic: the same trigger on the same input always gives the same id. */
  public String actionId;

  public String userId;

  /** One of {@link ActionType}. */
  public String actionType;

  /** One of {@link Channel}. */
  public String channel;

  public String[] items = new String[0];

  /** The recommender's picks attached to the action (best first); empty when none. */
  public String[] recommendedItems = new String[0];

  /** Which signals triggered it, for a human reader. */
  public String explanation;

  /** Campaign and variant for experiments; the trigger's defaults until campaigns exist. */
  public String campaign;

  public String variant;

  /** Event time of the signal that triggered it (epoch ms). */
  public long triggerEventTime;

  /** Event time at which it is sent: later than the trigger when quiet hours deferred it. */
  public long sendAt;

  /** Wall-clock time the operator emitted it (epoch ms); not part of the id. */
  public long processingTime;

  /**
   * An inference step behind this action used its fallback (the lexicon instead of the sentiment
   * model, or the hybrid order because the ranker was unavailable): counted as a fallback in the
   * trigger metrics. Not part of the action id.
   */
  public boolean inferenceFallback;

  // --- Between the user operator and the recommendation-ranking operator only: never written to
  // Kafka or Elasticsearch (the output formats list their fields), empty once ranked. ---

  /**
   * Candidates for the ranker model, in the hybrid recommender's order (over-fetched: more than the
   * picks sent, {@link #items} of a recommendation or {@link #recommendedItems} of another action);
   * empty when the action is not to be ranked.
   */
  public String[] rankCandidates = new String[0];

  /**
   * The ranker's feature rows of {@link #rankCandidates}, row-major ({@code RankerFeatures.SIZE}
   * values per candidate).
   */
  public float[] rankFeatures = new float[0];

  /** Each candidate's part of the explanation (item, reason, hybrid score). */
  public String[] rankNotes = new String[0];

  /** The explanation's opening (what the recommendation is based on). */
  public String rankBasis;

  public Action() {}

  @Override
  public String toString() {
    return actionType
        + "{"
        + actionId
        + " user="
        + userId
        + " "
        + channel
        + " items="
        + Arrays.toString(items)
        + " t="
        + triggerEventTime
        + "}";
  }
}
