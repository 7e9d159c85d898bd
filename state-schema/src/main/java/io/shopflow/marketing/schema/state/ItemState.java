package io.shopflow.marketing.schema.state;

/** What the keyed-by-item operator knows of an item from the catalogue. */
public class ItemState {
  public String title;
  public String category;
  public Double price;
  public String currency;
  public Integer stock;
  public long updatedAt;

  public ItemState() {}
}
