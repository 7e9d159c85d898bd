package io.shopflow.marketing.udfs;

import io.shopflow.marketing.schema.state.ProfileCore;

/** Lifecycle stage of a shopper, from purchase recency (event time). */
public final class Lifecycle {
  public static final String NEW = "new";
  public static final String ACTIVE = "active";
  public static final String AT_RISK = "at_risk";
  public static final String LAPSED = "lapsed";

  private Lifecycle() {}

  /**
   * new: never bought, or one order within the active window; active: last order within {@code
   * activeWithinMs}; at risk: within {@code atRiskWithinMs}; lapsed beyond it.
   */
  public static String stage(ProfileCore p, long now, EngineConfig cfg) {
    if (p == null || p.orders == 0) {
      return NEW;
    }
    long since = now - p.lastPurchaseTime;
    if (since <= cfg.activeWithinMs) {
      return p.orders == 1 ? NEW : ACTIVE;
    }
    return since <= cfg.atRiskWithinMs ? AT_RISK : LAPSED;
  }

  /** Price band from the mean unit price the shopper engages with. */
  public static String priceBand(ProfileCore p, EngineConfig cfg) {
    if (p == null || p.unitPriceCount == 0) {
      return "unknown";
    }
    double mean = p.unitPriceSum / p.unitPriceCount;
    if (mean < cfg.budgetBelow) {
      return "budget";
    }
    return mean > cfg.premiumAbove ? "premium" : "mid";
  }
}
