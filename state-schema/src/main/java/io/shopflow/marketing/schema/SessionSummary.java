package io.shopflow.marketing.schema;

/** Emitted when a session closes (inactivity gap passed in event time). */
public class SessionSummary {
  public String sessionId;
  public String userId;
  public long startTime;
  public long endTime;
  public int events;
  public int views;
  public int cartAdds;
  public int cartRemoves;
  public int purchases;
  public int searches;
  public double revenue;

  /** Whether the session ended with items left in the cart. */
  public boolean cartLeftOpen;

  public SessionSummary() {}
}
