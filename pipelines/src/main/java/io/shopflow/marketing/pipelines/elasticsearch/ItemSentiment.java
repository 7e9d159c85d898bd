package io.shopflow.marketing.pipelines.elasticsearch;

/**
 * Aggregate of an item's reviews (whole history up to {@link #updatedAt}), as the sentiment path
 * will produce it; one {@code mkt-item-sentiment} document per item.
 */
public class ItemSentiment {
  public String itemId;

  /** Event time of the newest review counted (epoch ms). */
  public long updatedAt;

  public long reviewCount;

  /** Mean star rating, or null when reviews carry no rating. */
  public Double meanRating;

  public long positive;
  public long neutral;
  public long negative;

  /** Recent themes of negative reviews (e.g. "delivery", "sizing"), most frequent first. */
  public String[] negativeThemes = new String[0];

  public ItemSentiment() {}
}
