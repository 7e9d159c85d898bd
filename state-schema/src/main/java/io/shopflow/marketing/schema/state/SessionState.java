package io.shopflow.marketing.schema.state;

/** The open session of one user. Small on purpose: per-item view counts live in a MapState. */
public class SessionState {
  public String sessionId;
  public long startTime;
  public long lastEventTime;
  public int events;
  public int views;
  public int cartAdds;
  public int cartRemoves;
  public int purchases;
  public int searches;
  public double revenue;

  public SessionState() {}
}
