package io.shopflow.marketing.udfs.recs;

import java.io.Serializable;

/** Hyper-parameters of the hybrid online recommender; the defaults are the evaluated ones. */
public class RecParams implements Serializable {
  private static final long serialVersionUID = 1L;

  // --- incremental MF (ISGD on implicit feedback) ---
  public int factors = 32;
  public double learningRate = 0.05;
  public double regularisation = 0.01;
  public double initScale = 0.1;
  public double purchaseWeight = 1.0;
  public double cartWeight = 0.5;
  public double viewWeight = 0.2;

  // --- co-purchase ---
  /** Partners kept per item (best counts). */
  public int partnersPerItem = 50;

  /**
   * Co-buyers: a user's first purchase of an item pairs it with this many of their most recent
   * distinct purchases (co(i,j) then counts users, as in item-kNN, but recency-limited).
   */
  public int userCoWindow = 10;

  /** Normalise partner scores by sqrt(n_i * n_j) (cosine) instead of n_i (confidence). */
  public boolean cosine = true;

  /** Shrinkage of the confidence co(i,j) / (n_i + shrink). */
  public float confidenceShrink = 5f;

  // --- user state bounds ---
  public int maxOwned = 300;
  public int maxCandidates = 300;

  /** Half-life of the recency bonus of repeat purchases. */
  public long halfLifeMs = 30L * 24 * 3600 * 1000;

  /** Half-life of accumulated co-purchase candidate scores. */
  public long candidateHalfLifeMs = 365L * 24 * 3600 * 1000;

  // --- blend: score = repeat*wRepeat + co*wCo + mf*wMf + pop*wPop ---
  public float wRepeat = 8.0f;
  public float wCo = 1.0f;
  public float wMf = 0.05f;
  public float wPop = 0.1f;

  /** Popular items always considered as candidates (cold start, padding). */
  public int popularCandidates = 100;

  // --- content/CF hybrid: score = (1 - alpha) * cf + alpha * content ---
  /**
   * Weight of content similarity (the user's decayed affinity share for the item's category, 0..1)
   * against the CF blend above.
   */
  public float alpha = 0.1f;

  /** Candidates from the popular items of each of the user's top categories. */
  public int categoryCandidates = 10;

  /** User's top categories that feed category candidates (cold start). */
  public int topCategories = 3;

  /** Candidates by MF score {@code p_u . q_i} among the snapshot's items. */
  public int mfCandidates = 20;

  // --- popular-items snapshot (broadcast to the user operator) ---
  /** Items whose latest report the popular-items operator keeps. */
  public int trackedItems = 20_000;

  /** Top items overall in a snapshot. */
  public int popularSnapshotSize = 500;

  /** Top items per category in a snapshot (cold start by category). */
  public int perCategorySnapshot = 10;

  /** Newest items in a snapshot (exposure for items nobody has bought together yet). */
  public int newItemsSnapshot = 50;

  /** Items first seen within this window count as new. */
  public long newItemWindowMs = 30L * 24 * 3600 * 1000;

  /** Hard bound on a snapshot's items (top overall + per category; new items on top). */
  public int snapshotLimit = 2_000;

  /** A snapshot after this many item reports ... */
  public long snapshotEveryUpdates = 1_000;

  /** ... or when event time has moved this far since the last one. */
  public long snapshotEveryMs = 3600L * 1000;

  public RecParams() {}
}
