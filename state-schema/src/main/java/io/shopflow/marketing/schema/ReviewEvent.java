package io.shopflow.marketing.schema;

/** A product review from {@code shop.reviews}: who reviewed which item, the stars and the text. */
public class ReviewEvent {
  /** The review's id (unique, set by the producer); also the event id downstream. */
  public String reviewId;

  public String userId;
  public String itemId;
  public long eventTime;

  /** Star rating 1..5. */
  public int rating;

  /** The review's title, or null. */
  public String title;

  /** The review's text; empty when the shopper left only stars. */
  public String text = "";

  public ReviewEvent() {}
}
