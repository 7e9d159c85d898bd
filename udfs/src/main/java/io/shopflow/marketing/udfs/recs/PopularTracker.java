package io.shopflow.marketing.udfs.recs;

import io.shopflow.marketing.schema.ItemStats;
import io.shopflow.marketing.schema.PopularItems;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps the latest report of the most bought (and the newest) items and turns them into a bounded
 * {@link PopularItems} snapshot: the top items overall, the top items of each category, and the
 * newest items. Runs in the single popular-items operator of the job and inside the in-process
 * recommender of {@code evaluate-recs}.
 */
public final class PopularTracker {
  private static final Comparator<ItemStats> BY_PURCHASES =
      Comparator.<ItemStats>comparingLong(s -> s.purchases).reversed().thenComparing(s -> s.itemId);

  private final RecParams p;
  private final Map<String, ItemStats> items = new HashMap<>();
  private long updatesSinceSnapshot;
  private long lastSnapshotAt = Long.MIN_VALUE;
  private long latest = Long.MIN_VALUE;

  public PopularTracker(RecParams p) {
    this.p = p;
  }

  /** Records a report; the newest report of an item wins. */
  public void update(ItemStats s) {
    ItemStats prev = items.get(s.itemId);
    if (prev != null) {
      s.firstSeen = Math.min(prev.firstSeen, s.firstSeen);
      if (s.factor == null) {
        s.factor = prev.factor;
      }
      if (s.category == null) {
        s.category = prev.category;
      }
      s.purchases = Math.max(prev.purchases, s.purchases);
    }
    items.put(s.itemId, s);
    latest = Math.max(latest, s.eventTime);
    updatesSinceSnapshot++;
    if (items.size() > p.trackedItems * 5 / 4) {
      prune();
    }
  }

  /**
   * True when a new snapshot is due: after {@code snapshotEveryUpdates} reports, or when event time
   * has moved {@code snapshotEveryMs} past the last snapshot and something changed.
   */
  public boolean due() {
    if (updatesSinceSnapshot == 0) {
      return false;
    }
    return updatesSinceSnapshot >= p.snapshotEveryUpdates
        || lastSnapshotAt == Long.MIN_VALUE
        || latest - lastSnapshotAt >= p.snapshotEveryMs;
  }

  /** Builds the snapshot and resets the due counters. */
  public PopularItems snapshot() {
    List<ItemStats> all = new ArrayList<>(items.values());
    all.sort(BY_PURCHASES);
    Set<ItemStats> picked = new LinkedHashSet<>();
    for (int i = 0; i < all.size() && picked.size() < p.popularSnapshotSize; i++) {
      picked.add(all.get(i));
    }
    Map<String, Integer> perCategory = new HashMap<>();
    for (ItemStats s : all) {
      if (picked.size() >= p.snapshotLimit) {
        break;
      }
      if (s.category != null
          && s.purchases > 0
          && perCategory.merge(s.category, 1, Integer::sum) <= p.perCategorySnapshot) {
        picked.add(s);
      }
    }
    List<ItemStats> newest = new ArrayList<>(all);
    newest.sort(Comparator.<ItemStats>comparingLong(s -> s.firstSeen).reversed());
    for (int i = 0; i < newest.size() && i < p.newItemsSnapshot; i++) {
      if (latest - newest.get(i).firstSeen <= p.newItemWindowMs) {
        picked.add(newest.get(i));
      }
    }
    List<ItemStats> ordered = new ArrayList<>(picked);
    ordered.sort(BY_PURCHASES);
    PopularItems out = new PopularItems();
    int n = ordered.size();
    out.asOf = latest;
    out.dims = p.factors;
    out.ids = new String[n];
    out.categories = new String[n];
    out.purchases = new long[n];
    out.firstSeen = new long[n];
    out.factors = new double[n * p.factors];
    for (int i = 0; i < n; i++) {
      ItemStats s = ordered.get(i);
      out.ids[i] = s.itemId;
      out.categories[i] = s.category;
      out.purchases[i] = s.purchases;
      out.firstSeen[i] = s.firstSeen;
      if (s.factor != null && s.factor.length == p.factors) {
        System.arraycopy(s.factor, 0, out.factors, i * p.factors, p.factors);
      }
    }
    updatesSinceSnapshot = 0;
    lastSnapshotAt = latest;
    return out;
  }

  /** The tracked reports, for checkpointing. */
  public Iterable<ItemStats> tracked() {
    return items.values();
  }

  public int size() {
    return items.size();
  }

  /** Drops the least bought items down to the bound; items first seen recently are kept. */
  private void prune() {
    List<ItemStats> all = new ArrayList<>(items.values());
    all.sort(BY_PURCHASES);
    int keep = p.trackedItems;
    for (int i = keep; i < all.size(); i++) {
      ItemStats s = all.get(i);
      if (latest - s.firstSeen > p.newItemWindowMs) {
        items.remove(s.itemId);
      }
    }
    // Still over the bound (a flood of new items): drop the least bought regardless of age.
    for (int i = all.size() - 1; i >= keep && items.size() > keep; i--) {
      items.remove(all.get(i).itemId);
    }
  }
}
