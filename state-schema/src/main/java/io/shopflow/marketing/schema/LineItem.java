package io.shopflow.marketing.schema;

/** One item of a behaviour event: the item, how many, and at what unit price (if known). */
public class LineItem {
  public String itemId;
  public int quantity = 1;

  /** Unit price in the event's currency; null when the source did not say. */
  public Double price;

  public LineItem() {}

  public LineItem(String itemId, int quantity, Double price) {
    this.itemId = itemId;
    this.quantity = quantity;
    this.price = price;
  }

  @Override
  public String toString() {
    return itemId + "x" + quantity + "@" + price;
  }
}
