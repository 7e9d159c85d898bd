package io.shopflow.marketing.udfs.recs;

import io.shopflow.marketing.schema.ItemStats;
import io.shopflow.marketing.schema.PopularItems;
import io.shopflow.marketing.schema.state.DecayedScore;
import io.shopflow.marketing.schema.state.TopPartners;
import io.shopflow.marketing.schema.state.UserRecState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The shipped hybrid recommender in one process: the same user-side functions ({@link UserRecs}),
 * MF maths ({@link Isgd}) and partner bookkeeping ({@link TopPartners}) as the streaming operators,
 * with plain maps where the job has keyed state. Used by {@code evaluate-recs}.
 */
public class HybridRecommender implements Recommender {
  private final RecParams p;
  private final Map<String, UserRecState> users = new HashMap<>();
  private final Map<String, Item> items = new HashMap<>();
  private final PopularTracker popular;
  private final Map<String, Map<String, DecayedScore>> categoryAffinity = new HashMap<>();
  private final long affinityHalfLifeMs =
      new io.shopflow.marketing.udfs.EngineConfig().affinityHalfLifeMs;
  private PopularItems snapshot;

  /** Item-side state, as the keyed-by-item operator keeps it. */
  static final class Item {
    final double[] factor;
    long purchases;
    long buyers;
    long firstSeen;
    String category;
    final Map<String, Integer> coCounts = new HashMap<>();
    final Map<String, Long> partnerBuyers = new HashMap<>();
    final TopPartners partners = new TopPartners();

    Item(String id, RecParams p) {
      factor = Isgd.init(id, p.factors, p.initScale);
    }
  }

  public HybridRecommender() {
    this(new RecParams());
  }

  public HybridRecommender(RecParams p) {
    this.p = p;
    this.popular = new PopularTracker(p);
  }

  @Override
  public String name() {
    return "model";
  }

  @Override
  public void observe(String user, String item, String eventType, String basketId, long time) {
    observe(user, item, null, eventType, basketId, time);
  }

  @Override
  public void observe(
      String user, String item, String category, String eventType, String basketId, long time) {
    UserRecState u = users.computeIfAbsent(user, x -> UserRecs.fresh(x, p));
    Item it =
        items.computeIfAbsent(
            item,
            x -> {
              Item fresh = new Item(x, p);
              fresh.firstSeen = time;
              return fresh;
            });
    if (category != null) {
      it.category = category;
      // The profile's category affinity, as the user operator keeps it.
      UserRecs.bump(
          categoryAffinity.computeIfAbsent(user, x -> new HashMap<>()),
          category,
          1.0,
          time,
          affinityHalfLifeMs);
    }
    double w =
        switch (eventType) {
          case "purchase" -> p.purchaseWeight;
          case "cart_add", "wishlist" -> p.cartWeight;
          default -> p.viewWeight;
        };
    Isgd.update(u.factor, it.factor, w, p);
    if (!"purchase".equals(eventType)) {
      // As the job does: browsing and carting add the item's co-buyers, weighted like the step.
      UserRecs.addCandidates(
          u, it.partners.ids, it.partners.counts, partnerBuyers(it), it.buyers, (float) w, time, p);
      return;
    }
    // The user learns the item's partners as they stand before this purchase counts.
    UserRecs.addCandidates(
        u, it.partners.ids, it.partners.counts, partnerBuyers(it), it.buyers, 1f, time, p);
    if (UserRecs.indexOf(u.ownedIds, item) < 0) {
      // A new buyer: one co-buyer more for the pairs with the user's recent distinct purchases
      // (what the job sends through its feedback topic, here applied at once).
      long buyersOfItem = it.buyers + 1;
      int n = Math.min(p.userCoWindow, u.ownedIds.length);
      for (int k = 0; k < n; k++) {
        String other = u.ownedIds[k];
        coBuy(it, other, u.ownedBuyers[k]);
        coBuy(items.get(other), item, buyersOfItem);
      }
      it.buyers = buyersOfItem;
    }
    UserRecs.recordOwned(u, item, time, it.buyers, p);
    it.purchases++;
    // What the item operator reports to the popular-items operator; the snapshot is refreshed on
    // the job's schedule, so the evaluation sees the same staleness.
    popular.update(
        new ItemStats(item, it.category, it.purchases, it.firstSeen, time, it.factor.clone()));
    if (popular.due()) {
      snapshot = popular.snapshot();
    }
  }

  private static long[] partnerBuyers(Item it) {
    long[] n = new long[it.partners.ids.length];
    for (int i = 0; i < n.length; i++) {
      n[i] = it.partnerBuyers.getOrDefault(it.partners.ids[i], 1L);
    }
    return n;
  }

  private void coBuy(Item it, String other, long otherBuyers) {
    int c = it.coCounts.merge(other, 1, Integer::sum);
    it.partners.offer(other, c, p.partnersPerItem);
    it.partnerBuyers.merge(other, otherBuyers, Math::max);
  }

  @Override
  public List<String> recommend(String user, int k, boolean excludeOwned, long now) {
    List<UserRecs.Scored> ranked = recommendScored(user, k, excludeOwned, now);
    List<String> out = new ArrayList<>(ranked.size());
    for (UserRecs.Scored s : ranked) {
      out.add(s.item());
    }
    return out;
  }

  /** As {@link #recommend}, with each item's score and its parts (repeat, co, mf, pop). */
  public List<UserRecs.Scored> recommendScored(String user, int k, boolean excludeOwned, long now) {
    UserRecState u = users.get(user);
    if (u == null) {
      u = UserRecs.fresh(user, p);
    }
    Map<String, DecayedScore> affinity = categoryAffinity.get(user);
    List<UserRecs.Scored> ranked =
        UserRecs.rank(
            u,
            u.factor,
            k,
            excludeOwned,
            now,
            snapshot,
            UserRecs.shares(affinity, now, affinityHalfLifeMs),
            p);
    return ranked;
  }
}
