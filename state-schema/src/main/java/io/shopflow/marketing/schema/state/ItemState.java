package io.shopflow.marketing.schema.state;

/** What the keyed-by-item operator knows of an item: catalogue data and purchase count. */
public class ItemState {
  public String title;
  public String category;
  public Double price;
  public String currency;
  public Integer stock;

  /** Catalogue time of the last applied upsert. */
  public long updatedAt;

  /** Purchase lines of the item (popularity). */
  public long purchases;

  /** Event time the item was first seen, from the catalogue or an event (new-item exposure). */
  public long firstSeen;

  public ItemState() {}
}
