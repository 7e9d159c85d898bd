package io.shopflow.marketing.operators;

import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.ActionType;
import io.shopflow.marketing.udfs.Explanations;
import io.shopflow.marketing.udfs.inference.CircuitBreaker;
import io.shopflow.marketing.udfs.inference.InferenceClient;
import io.shopflow.marketing.udfs.inference.RankerFeatures;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Ranks each recommendation action's candidates with the inference sidecar's {@code ranker} model,
 * for use with {@code AsyncDataStream.orderedWait} after the user operator. The user operator sends
 * a {@code recommendation} with its items in hybrid order and, in the action's transient fields,
 * more candidates than it sends ({@link Action#rankCandidates}, hybrid order) with their {@link
 * RankerFeatures} rows; this function scores them, keeps the model's best {@code items.length} and
 * rewrites the explanation ("...; ranked by the ranker model").
 *
 * <p>Actions are collected for up to {@link RankingSettings#lingerMs} or {@link
 * RankingSettings#maxBatch} per request (all their candidates in one tensor), a failed request is
 * retried {@link RankingSettings#retries} times, and after {@link RankingSettings#breakerFailures}
 * consecutive requests that failed after their retries a circuit breaker skips the sidecar for a
 * cool-down. Never fails and never waits on a dead sidecar: with the breaker open, after the last
 * retry, or when the async operator's timeout fires, the action keeps the hybrid order, its
 * explanation says why ("...; hybrid order (ranker unavailable: REASON)") and {@link
 * Action#inferenceFallback} is set (metric {@code rankingFallbacks}); actions ranked by the model
 * count in {@code rankingModelRanked}. Every other action passes through unchanged. The transient
 * fields are cleared on the way out.
 */
public class RecommendationRankingFunction extends RichAsyncFunction<Action, Action> {
  private static final long serialVersionUID = 1L;

  /** The explanation's suffix when the model ordered the items. */
  public static final String RANKED_BY_MODEL = "ranked by the ranker model";

  /** The explanation's suffix on fallback, before the reason. */
  public static final String HYBRID_ORDER = "hybrid order (ranker unavailable: ";

  private static final int MAX_REASON = 120;

  private final RankingSettings cfg;

  // The latest failed request's reason, named when the open breaker turns actions away.
  private transient volatile String lastFailure;
  private transient InferenceClient client;
  private transient CircuitBreaker breaker;
  private transient ScheduledExecutorService scheduler;
  private transient List<Pending> batch;
  private transient Map<Action, Pending> inFlight;
  private transient Counter fallbacks;
  private transient Counter modelRanked;

  /** One action waiting for its ranking; completed once, by whichever path comes first. */
  private static final class Pending {
    final Action action;
    final ResultFuture<Action> future;
    final AtomicBoolean done = new AtomicBoolean();

    /** Candidates to score (fixed here: the action's own fields are cleared when it is done). */
    final int rows;

    Pending(Action action, ResultFuture<Action> future) {
      this.action = action;
      this.future = future;
      this.rows = action.rankCandidates.length;
    }
  }

  public RecommendationRankingFunction(RankingSettings cfg) {
    this.cfg = cfg;
  }

  @Override
  public void open(OpenContext openContext) {
    batch = new ArrayList<>();
    inFlight = Collections.synchronizedMap(new IdentityHashMap<>());
    fallbacks = getRuntimeContext().getMetricGroup().counter("rankingFallbacks");
    modelRanked = getRuntimeContext().getMetricGroup().counter("rankingModelRanked");
    if (cfg.hasSidecar()) {
      client = cfg.newClient();
      breaker = cfg.newBreaker();
      scheduler = SidecarCallSettings.newBatcher("recommendation-ranking-batcher");
    }
  }

  @Override
  public void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }

  /** Whether the action carries candidates to rank. */
  static boolean toRank(Action a) {
    return ActionType.RECOMMENDATION.equals(a.actionType)
        && a.rankCandidates != null
        && a.rankCandidates.length > 0
        && a.rankFeatures != null
        && a.rankFeatures.length == a.rankCandidates.length * RankerFeatures.SIZE;
  }

  @Override
  public void asyncInvoke(Action a, ResultFuture<Action> future) {
    if (!toRank(a)) {
      clearTransient(a);
      future.complete(Collections.singletonList(a));
      return;
    }
    Pending p = new Pending(a, future);
    if (client == null) {
      fallBack(p, "no sidecar configured");
      return;
    }
    inFlight.put(a, p);
    List<Pending> full = null;
    synchronized (this) {
      batch.add(p);
      if (batch.size() >= cfg.maxBatch) {
        full = batch;
        batch = new ArrayList<>();
      } else if (batch.size() == 1) {
        scheduler.schedule(this::flushLingering, cfg.lingerMs, TimeUnit.MILLISECONDS);
      }
    }
    if (full != null) {
      send(full, 0);
    }
  }

  @Override
  public void timeout(Action a, ResultFuture<Action> future) {
    // The sidecar is too slow: never fail the job, never hold the stream; the hybrid order stays.
    Pending p = inFlight.get(a);
    if (p != null) {
      fallBack(p, "timeout");
    }
  }

  private void flushLingering() {
    List<Pending> ready;
    synchronized (this) {
      if (batch.isEmpty()) {
        return;
      }
      ready = batch;
      batch = new ArrayList<>();
    }
    send(ready, 0);
  }

  private void send(List<Pending> ps, int attempt) {
    ps = ps.stream().filter(p -> !p.done.get()).toList();
    if (ps.isEmpty()) {
      return;
    }
    if (!breaker.allow()) {
      String last = lastFailure;
      fallBackAll(ps, "circuit breaker open" + (last == null ? "" : " after " + last));
      return;
    }
    List<Pending> sent = ps;
    int rows = 0;
    for (Pending p : sent) {
      rows += p.rows;
    }
    float[][] features = new float[rows][];
    int r = 0;
    for (Pending p : sent) {
      float[] f = p.action.rankFeatures;
      for (int i = 0; i < p.rows; i++) {
        features[r++] =
            Arrays.copyOfRange(f, i * RankerFeatures.SIZE, (i + 1) * RankerFeatures.SIZE);
      }
    }
    int expected = rows;
    try {
      client
          .rank(features)
          .whenComplete(
              (scores, err) -> {
                if (err == null && scores != null && scores.length == expected) {
                  breaker.onSuccess();
                  int at = 0;
                  for (Pending p : sent) {
                    int n = p.rows;
                    rank(p, Arrays.copyOfRange(scores, at, at + n));
                    at += n;
                  }
                  return;
                }
                String reason =
                    err != null
                        ? reason(err)
                        : "answer has "
                            + (scores == null ? 0 : scores.length)
                            + " scores for "
                            + expected
                            + " rows";
                lastFailure = reason;
                if (attempt < cfg.retries && !scheduler.isShutdown()) {
                  try {
                    scheduler.schedule(
                        () -> send(sent, attempt + 1), cfg.retryBackoffMs, TimeUnit.MILLISECONDS);
                    return;
                  } catch (RuntimeException rejected) {
                    // shutting down: fall back below
                  }
                }
                // Only a request that failed after its retries counts against the sidecar: a
                // hiccup that a retry got past must not turn the next requests away.
                breaker.onFailure();
                fallBackAll(sent, reason);
              });
    } catch (RuntimeException e) {
      breaker.onFailure();
      lastFailure = reason(e);
      fallBackAll(sent, lastFailure);
    }
  }

  /** The model's order: by score, ties in hybrid order; the first {@code items.length} are sent. */
  private void rank(Pending p, float[] scores) {
    if (!p.done.compareAndSet(false, true)) {
      return;
    }
    inFlight.remove(p.action);
    Action a = p.action;
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    // Stable sort: equal scores keep the hybrid order. NaN sorts last.
    Arrays.sort(order, (x, y) -> Float.compare(finite(scores[y]), finite(scores[x])));
    int k = Math.min(Math.max(1, a.items.length), order.length);
    String[] items = new String[k];
    List<String> notes = new ArrayList<>(k);
    for (int i = 0; i < k; i++) {
      items[i] = a.rankCandidates[order[i]];
      notes.add(
          a.rankNotes != null && order[i] < a.rankNotes.length ? a.rankNotes[order[i]] : items[i]);
    }
    a.items = items;
    String basis = a.rankBasis == null ? "recommended" : a.rankBasis;
    a.explanation = Explanations.recommendation(basis, notes) + "; " + RANKED_BY_MODEL;
    clearTransient(a);
    modelRanked.inc();
    p.future.complete(Collections.singletonList(a));
  }

  private static float finite(float v) {
    return Float.isNaN(v) ? Float.NEGATIVE_INFINITY : v;
  }

  private void fallBackAll(List<Pending> ps, String reason) {
    for (Pending p : ps) {
      fallBack(p, reason);
    }
  }

  /** The hybrid order stays (the user operator already put those items first). */
  private void fallBack(Pending p, String reason) {
    if (!p.done.compareAndSet(false, true)) {
      return;
    }
    if (inFlight != null) {
      inFlight.remove(p.action);
    }
    Action a = p.action;
    a.explanation = a.explanation + "; " + HYBRID_ORDER + reason + ")";
    a.inferenceFallback = true;
    clearTransient(a);
    fallbacks.inc();
    p.future.complete(Collections.singletonList(a));
  }

  static void clearTransient(Action a) {
    a.rankCandidates = new String[0];
    a.rankFeatures = new float[0];
    a.rankNotes = new String[0];
    a.rankBasis = null;
  }

  /** A short reason for the explanation: the HTTP status, a refused connection, a timeout. */
  static String reason(Throwable err) {
    Throwable e = err;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    String why;
    if (e instanceof InferenceClient.InferenceException ie) {
      why = ie.getMessage();
    } else if (e instanceof HttpTimeoutException) {
      why = "request timed out";
    } else if (e instanceof ConnectException) {
      why = "connection refused";
    } else if (e instanceof java.io.IOException && e.getCause() instanceof ConnectException) {
      why = "connection refused";
    } else {
      String m = e.getMessage();
      why = e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }
    why = why.replaceAll("\\s+", " ").strip();
    return why.length() > MAX_REASON ? why.substring(0, MAX_REASON - 3) + "..." : why;
  }
}
