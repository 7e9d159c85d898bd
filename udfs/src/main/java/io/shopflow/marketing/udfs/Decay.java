package io.shopflow.marketing.udfs;

/** Exponential time decay of affinity scores, in event time. */
public final class Decay {
  private Decay() {}

  /** The score {@code score} set at {@code from}, as seen at {@code to}. Never grows backwards. */
  public static double decayed(double score, long from, long to, long halfLifeMs) {
    if (to <= from || halfLifeMs <= 0) {
      return score;
    }
    return score * Math.pow(0.5, (double) (to - from) / halfLifeMs);
  }
}
