package io.shopflow.marketing.operators;

import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.ActionType;
import io.shopflow.marketing.udfs.Explanations;
import io.shopflow.marketing.udfs.inference.InferenceClient;
import io.shopflow.marketing.udfs.inference.RankerFeatures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Ranks the recommender's candidates of each action with the inference sidecar's {@code ranker}
 * model, for use with {@code AsyncDataStream.orderedWait} after the user operator. The user
 * operator sends an action with its picks in hybrid order and, in the action's transient fields,
 * more candidates than it sends ({@link Action#rankCandidates}, hybrid order) with their {@link
 * RankerFeatures} rows; this function scores them and keeps the model's best. For a {@code
 * recommendation} the picks are its {@link Action#items} and the explanation is rewritten from the
 * candidates' notes ("...; ranked by the ranker model"); for the picks attached to a cart,
 * cross-sell or win-back action they are its {@link Action#recommendedItems} and the explanation's
 * "also recommended" part names the new ones ("...; also recommended: a, b; ranked by the ranker
 * model"). The action's id never changes.
 *
 * <p>Batching (all candidates of a batch's actions in one tensor), retries, the circuit breaker and
 * timeouts are {@link BatchedSidecarFunction}'s, with {@link RankingSettings}. Without a sidecar
 * URL, with the breaker open, after the last retry, or when the async operator's timeout fires, the
 * action keeps the hybrid order, its explanation says why ("...; hybrid order (ranker unavailable:
 * REASON)") and {@link Action#inferenceFallback} is set (metric {@code rankingFallbacks}); actions
 * ranked by the model count in {@code rankingModelRanked}. Every other action passes through
 * unchanged. The transient fields are cleared on the way out.
 */
public class RecommendationRankingFunction
    extends BatchedSidecarFunction<Action, Action, RecommendationRankingFunction.Rows, float[]> {
  private static final long serialVersionUID = 1L;

  /** The explanation's suffix when the model ordered the items. */
  public static final String RANKED_BY_MODEL = "ranked by the ranker model";

  /** The explanation's suffix on fallback, before the reason. */
  public static final String HYBRID_ORDER = "hybrid order (ranker unavailable: ";

  /**
   * One request: every candidate's features, one row each, and where each action's rows start
   * ({@code from[i]} to {@code from[i + 1]}; fixed here: an action's own fields are cleared when it
   * is done).
   */
  record Rows(float[][] features, int[] from) {}

  public RecommendationRankingFunction(RankingSettings cfg) {
    super(cfg, "rankingFallbacks", "rankingModelRanked", "recommendation-ranking-batcher");
  }

  /** Whether the action carries candidates to rank. */
  static boolean toRank(Action a) {
    return a.rankCandidates != null
        && a.rankCandidates.length > 0
        && a.rankFeatures != null
        && a.rankFeatures.length == a.rankCandidates.length * RankerFeatures.SIZE;
  }

  /** Every action without candidates to rank passes through unchanged. */
  @Override
  protected Action withoutCall(Action a) {
    if (toRank(a)) {
      return null;
    }
    clearTransient(a);
    return a;
  }

  @Override
  protected Rows request(List<Action> batch) {
    int[] from = new int[batch.size() + 1];
    for (int i = 0; i < batch.size(); i++) {
      from[i + 1] = from[i] + batch.get(i).rankCandidates.length;
    }
    float[][] features = new float[from[batch.size()]][];
    int r = 0;
    for (int j = 0; j < batch.size(); j++) {
      float[] f = batch.get(j).rankFeatures;
      for (int i = 0; i < from[j + 1] - from[j]; i++) {
        features[r++] =
            Arrays.copyOfRange(f, i * RankerFeatures.SIZE, (i + 1) * RankerFeatures.SIZE);
      }
    }
    return new Rows(features, from);
  }

  @Override
  protected CompletableFuture<float[]> call(InferenceClient client, Rows request) {
    return client.rank(request.features);
  }

  @Override
  protected String mismatch(Rows request, float[] scores) {
    int expected = request.features.length;
    if (scores != null && scores.length == expected) {
      return null;
    }
    return "answer has "
        + (scores == null ? 0 : scores.length)
        + " scores for "
        + expected
        + " rows";
  }

  /**
   * The model's order: by score, ties in hybrid order; as many picks are sent as the hybrid sent.
   */
  @Override
  protected Action answered(Action a, Rows request, float[] allScores, int index) {
    float[] scores = Arrays.copyOfRange(allScores, request.from[index], request.from[index + 1]);
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    // Stable sort: equal scores keep the hybrid order. NaN sorts last.
    Arrays.sort(order, (x, y) -> Float.compare(finite(scores[y]), finite(scores[x])));
    boolean recommendation = ActionType.RECOMMENDATION.equals(a.actionType);
    String[] sent = recommendation ? a.items : a.recommendedItems;
    // A recommendation sends at least one item; attached picks never outnumber the hybrid's.
    int k = Math.min(recommendation ? Math.max(1, sent.length) : sent.length, order.length);
    if (k == 0) {
      clearTransient(a);
      return a;
    }
    String[] picks = new String[k];
    List<String> notes = new ArrayList<>(k);
    for (int i = 0; i < k; i++) {
      picks[i] = a.rankCandidates[order[i]];
      notes.add(
          a.rankNotes != null && order[i] < a.rankNotes.length ? a.rankNotes[order[i]] : picks[i]);
    }
    if (recommendation) {
      a.items = picks;
      String basis = a.rankBasis == null ? "recommended" : a.rankBasis;
      a.explanation = Explanations.recommendation(basis, notes);
    } else {
      // The hybrid's picks are the explanation's last part (the user operator adds them last).
      int cut = a.explanation.lastIndexOf(Explanations.ALSO_RECOMMENDED);
      String rest = cut < 0 ? a.explanation : a.explanation.substring(0, cut);
      a.recommendedItems = picks;
      a.explanation = rest + Explanations.alsoRecommended(picks);
    }
    a.explanation += "; " + RANKED_BY_MODEL;
    clearTransient(a);
    return a;
  }

  private static float finite(float v) {
    return Float.isNaN(v) ? Float.NEGATIVE_INFINITY : v;
  }

  /** The hybrid order stays (the user operator already put those items first). */
  @Override
  protected Action fallback(Action a, String reason) {
    a.explanation = a.explanation + "; " + HYBRID_ORDER + reason + ")";
    a.inferenceFallback = true;
    clearTransient(a);
    return a;
  }

  static void clearTransient(Action a) {
    a.rankCandidates = new String[0];
    a.rankFeatures = new float[0];
    a.rankNotes = new String[0];
    a.rankBasis = null;
  }
}
