package io.shopflow.marketing.schema;

import java.util.HashMap;
import java.util.Map;

/**
 * A bounded snapshot of the shop's popular and new items, broadcast to every instance of the
 * keyed-by-user operator: popularity, category popularity (cold start), new-item exposure and the
 * MF factors of these items for MF candidates. Parallel arrays, best first by purchases.
 */
public class PopularItems {
  /** Event time of the newest report included. */
  public long asOf;

  public String[] ids = new String[0];
  public String[] categories = new String[0];
  public long[] purchases = new long[0];
  public long[] firstSeen = new long[0];

  /** Factor of item {@code i} at {@code [i * dims, (i + 1) * dims)}; all zeros when unknown. */
  public double[] factors = new double[0];

  public int dims;

  private transient Map<String, Integer> index;

  public PopularItems() {}

  public int size() {
    return ids.length;
  }

  /** Position of {@code id}, or -1. */
  public int indexOf(String id) {
    if (index == null) {
      Map<String, Integer> m = new HashMap<>(ids.length * 2);
      for (int i = 0; i < ids.length; i++) {
        m.put(ids[i], i);
      }
      index = m;
    }
    Integer at = index.get(id);
    return at == null ? -1 : at;
  }

  /** {@code p . q_i} over the stored factor of item {@code i} (0 without a factor). */
  public double dot(double[] p, int i) {
    if (p == null || dims == 0 || p.length != dims) {
      return 0;
    }
    double s = 0;
    int off = i * dims;
    for (int d = 0; d < dims; d++) {
      s += p[d] * factors[off + d];
    }
    return s;
  }
}
