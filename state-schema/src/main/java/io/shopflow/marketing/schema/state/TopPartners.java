package io.shopflow.marketing.schema.state;

/**
 * The most frequent co-purchase partners of an item, best first, kept beside the full count map so
 * that enriching a purchase line reads one small value instead of scanning the map.
 */
public class TopPartners {
  public String[] ids = new String[0];
  public int[] counts = new int[0];

  public TopPartners() {}

  /** Records that {@code id} now has {@code count}; keeps at most {@code capacity}, best first. */
  public void offer(String id, int count, int capacity) {
    int n = ids.length;
    int at = -1;
    for (int i = 0; i < n; i++) {
      if (ids[i].equals(id)) {
        at = i;
        break;
      }
    }
    if (at < 0) {
      if (n >= capacity && count <= counts[n - 1]) {
        return;
      }
      int size = Math.min(n + 1, capacity);
      String[] ni = new String[size];
      int[] nc = new int[size];
      System.arraycopy(ids, 0, ni, 0, Math.min(n, size));
      System.arraycopy(counts, 0, nc, 0, Math.min(n, size));
      at = size - 1;
      ni[at] = id;
      nc[at] = count;
      ids = ni;
      counts = nc;
    } else {
      counts[at] = count;
    }
    // Bubble up: counts only grow, so one pass towards the front restores the order.
    while (at > 0
        && (counts[at] > counts[at - 1]
            || (counts[at] == counts[at - 1] && ids[at].compareTo(ids[at - 1]) < 0))) {
      String ti = ids[at];
      ids[at] = ids[at - 1];
      ids[at - 1] = ti;
      int tc = counts[at];
      counts[at] = counts[at - 1];
      counts[at - 1] = tc;
      at--;
    }
  }
}
