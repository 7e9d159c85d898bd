package io.shopflow.marketing.schema;

/** Types of marketing action the engine emits, with their wire names. */
public final class ActionType {
  public static final String CART_ABANDONMENT = "cart_abandonment";
  public static final String BROWSE_ABANDONMENT = "browse_abandonment";
  public static final String WIN_BACK = "win_back";
  public static final String CROSS_SELL = "cross_sell";
  public static final String PRICE_DROP = "price_drop";
  public static final String RECOMMENDATION = "recommendation";

  /** An apology after a clearly negative review of an item the shopper bought. */
  public static final String SERVICE_RECOVERY = "service_recovery";

  public static final java.util.List<String> ALL =
      java.util.List.of(
          CART_ABANDONMENT,
          BROWSE_ABANDONMENT,
          WIN_BACK,
          CROSS_SELL,
          PRICE_DROP,
          RECOMMENDATION,
          SERVICE_RECOVERY);

  private ActionType() {}
}
