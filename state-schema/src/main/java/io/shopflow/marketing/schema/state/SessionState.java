package io.shopflow.marketing.schema.state;

import java.util.Arrays;

/**
 * The open session of one user, with the items viewed in it. The per-item view counts sit here
 * rather than in a map state of their own: they live and die with the session, so the session's
 * write-back carries them (one RocksDB entry, not one per item) and its close drops them with it.
 */
public class SessionState {
  /** At most this many distinct items are tracked per session; later ones are not counted. */
  public static final int MAX_VIEWED_ITEMS = 500;

  /** A {@link #viewCounts} entry of an item that was carted or bought: no browse nudge for it. */
  public static final int ENGAGED = -1;

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

  /** Items viewed, carted or bought this session, sorted; parallel to {@link #viewCounts}. */
  public String[] viewedItems = new String[0];

  /** Views of each item this session, or {@link #ENGAGED}. */
  public int[] viewCounts = new int[0];

  public SessionState() {}

  /** Counts a view of {@code item}, unless it is engaged already. */
  public void countView(String item) {
    int i = Arrays.binarySearch(viewedItems, item);
    if (i >= 0) {
      if (viewCounts[i] != ENGAGED) {
        viewCounts[i]++;
      }
    } else {
      insert(-i - 1, item, 1);
    }
  }

  /** Marks {@code item} carted or bought this session. */
  public void markEngaged(String item) {
    int i = Arrays.binarySearch(viewedItems, item);
    if (i >= 0) {
      viewCounts[i] = ENGAGED;
    } else {
      insert(-i - 1, item, ENGAGED);
    }
  }

  private void insert(int at, String item, int count) {
    int n = viewedItems.length;
    if (n >= MAX_VIEWED_ITEMS) {
      return;
    }
    String[] items = new String[n + 1];
    int[] counts = new int[n + 1];
    System.arraycopy(viewedItems, 0, items, 0, at);
    System.arraycopy(viewCounts, 0, counts, 0, at);
    items[at] = item;
    counts[at] = count;
    System.arraycopy(viewedItems, at, items, at + 1, n - at);
    System.arraycopy(viewCounts, at, counts, at + 1, n - at);
    viewedItems = items;
    viewCounts = counts;
  }
}
