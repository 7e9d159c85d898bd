package io.shopflow.marketing.schema;

/** A catalogue upsert from {@code shop.catalog}, keyed by item id. */
public class CatalogItem {
  public String eventId;
  public String itemId;
  public String title;

  /** From the root down, e.g. ["Home", "Lighting", "Lanterns"]. */
  public String[] categoryPath = new String[0];

  public Double price;
  public String currency;

  /** Units in stock; null when unknown. */
  public Integer stock;

  public long eventTime;

  public CatalogItem() {}

  /** The most specific category, or "unknown". */
  public String leafCategory() {
    return categoryPath == null || categoryPath.length == 0
        ? "unknown"
        : categoryPath[categoryPath.length - 1];
  }
}
