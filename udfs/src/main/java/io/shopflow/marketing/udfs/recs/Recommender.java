package io.shopflow.marketing.udfs.recs;

import java.util.List;

/**
 * An online (test-then-train) recommender over string ids. The shipped hybrid model and the
 * evaluation baselines implement it, so that {@code evaluate-recs} compares them on equal terms.
 */
public interface Recommender {
  /** Learns from one interaction. {@code basketId} groups lines of one order (may be null). */
  void observe(String user, String item, String eventType, String basketId, long time);

  /** As above, with the item's category (may be null); models that use content override it. */
  default void observe(
      String user, String item, String category, String eventType, String basketId, long time) {
    observe(user, item, eventType, basketId, time);
  }

  /**
   * The user's top {@code k} items among the items observed so far, best first.
   *
   * @param excludeOwned leave out items the user already bought
   */
  List<String> recommend(String user, int k, boolean excludeOwned, long now);

  /** Name in reports: {@code model}, {@code popularity}, {@code repeat_popularity}, ... */
  String name();
}
