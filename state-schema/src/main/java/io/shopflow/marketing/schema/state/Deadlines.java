package io.shopflow.marketing.schema.state;

/**
 * Every event-time deadline of one user, in one small state, so that the operator keeps a single
 * coalesced timer (the earliest deadline, rounded up) instead of one timer per trigger. 0 = none.
 */
public class Deadlines {
  public long sessionCloseAt;
  public long cartDueAt;

  /** Event time of the cart add that armed the reminder; older purchases do not cancel it. */
  public long cartArmedAt;

  public long crossSellDueAt;
  public long winBackDueAt;

  /** Earliest due time among deferred actions. */
  public long pendingDueAt;

  /** Earliest event time among reviews waiting for the watermark (see the user operator). */
  public long reviewsDueAt;

  /** The one registered timer, to delete it when the earliest deadline moves. */
  public long scheduledTimer;

  public Deadlines() {}

  public long earliest() {
    long m = Long.MAX_VALUE;
    for (long d :
        new long[] {
          sessionCloseAt, cartDueAt, crossSellDueAt, winBackDueAt, pendingDueAt, reviewsDueAt
        }) {
      if (d != 0 && d < m) {
        m = d;
      }
    }
    return m == Long.MAX_VALUE ? 0 : m;
  }
}
