package io.shopflow.marketing.schema;

/** The behaviour event types accepted on {@code shop.events}, with their wire names. */
public final class EventType {
  public static final String VIEW = "view";
  public static final String CART_ADD = "cart_add";
  public static final String CART_REMOVE = "cart_remove";
  public static final String PURCHASE = "purchase";
  public static final String SEARCH = "search";
  public static final String WISHLIST = "wishlist";

  public static final java.util.Set<String> ALL =
      java.util.Set.of(VIEW, CART_ADD, CART_REMOVE, PURCHASE, SEARCH, WISHLIST);

  private EventType() {}
}
