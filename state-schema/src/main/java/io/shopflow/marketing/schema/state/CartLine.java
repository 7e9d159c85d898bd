package io.shopflow.marketing.schema.state;

/** One item in a user's cart (or wishlist). */
public class CartLine {
  public int quantity;
  public Double price;
  public String title;
  public long addedAt;

  public CartLine() {}

  public CartLine(int quantity, Double price, String title, long addedAt) {
    this.quantity = quantity;
    this.price = price;
    this.title = title;
    this.addedAt = addedAt;
  }
}
