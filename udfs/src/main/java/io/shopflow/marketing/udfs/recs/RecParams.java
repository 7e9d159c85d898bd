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

  public RecParams() {}
}
