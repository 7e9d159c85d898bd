package io.shopflow.marketing.schema;

import java.util.Arrays;

/** A behaviour event from {@code shop.events}, keyed by user id. */
public class ShopEvent {
  public String eventId;

  /** One of {@link EventType}. */
  public String eventType;

  public String userId;

  /** Epoch milliseconds (UTC) when the shopper did it. */
  public long eventTime;

  /** Items concerned; empty for a search without results. */
  public LineItem[] items = new LineItem[0];

  public String currency;

  /** The shop's own session id, if it has one; sessions are still cut by inactivity. */
  public String sessionHint;

  /** Search text for {@code search} events. */
  public String query;

  /** Order id for purchases (lines of one order are one basket). */
  public String orderId;

  public ShopEvent() {}

  @Override
  public String toString() {
    return eventType
        + "{"
        + eventId
        + " user="
        + userId
        + " t="
        + eventTime
        + " items="
        + Arrays.toString(items)
        + "}";
  }
}
