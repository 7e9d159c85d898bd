package io.shopflow.marketing.schema;

/**
 * A compact copy of a user's profile, emitted when it changes meaningfully (a session closes, a
 * purchase) or is erased; the Elasticsearch profile document is built from it (pseudonymised).
 */
public class ProfileSnapshot {
  public String userId;

  /** Event time the snapshot describes (epoch ms). */
  public long asOf;

  /** An erasure request: every other field is empty and the profile document is deleted. */
  public boolean erased;

  public long firstSeen;
  public long lastSeen;
  public long lastPurchaseTime;
  public int orders;
  public double monetary;
  public int sessions;

  /** Lifecycle stage as of {@link #asOf} (new, active, at_risk, lapsed). */
  public String lifecycle;

  /** budget, mid, premium or unknown. */
  public String priceBand;

  /** Strongest leaf categories (decayed affinity), best first. */
  public String[] topCategories = new String[0];

  /** Type of the shopper's last event (view, cart_add, purchase, ...), or null. */
  public String lastEventType;

  /** Review-sentiment tendency in [-1, 1] (decayed mean of P(pos) - P(neg)); null: no reviews. */
  public Double reviewSentiment;

  public ProfileSnapshot() {}

  public static ProfileSnapshot erasure(String userId, long at) {
    ProfileSnapshot p = new ProfileSnapshot();
    p.userId = userId;
    p.asOf = at;
    p.erased = true;
    return p;
  }
}
