package io.shopflow.marketing.udfs.recs;

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
  private final TopPartners popular = new TopPartners();
  private String currentBasket;
  private final List<String> basketSoFar = new ArrayList<>();

  /** Item-side state, as the keyed-by-item operator keeps it. */
  static final class Item {
    final double[] factor;
    long purchases;
    long buyers;
    final Map<String, Integer> coCounts = new HashMap<>();
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
  }

  @Override
  public String name() {
    return "model";
  }

  @Override
  public void observe(String user, String item, String eventType, String basketId, long time) {
    UserRecState u = users.computeIfAbsent(user, x -> UserRecs.fresh(x, p));
    Item it = items.computeIfAbsent(item, x -> new Item(x, p));
    double w =
        switch (eventType) {
          case "purchase" -> p.purchaseWeight;
          case "cart_add", "wishlist" -> p.cartWeight;
          default -> p.viewWeight;
        };
    Isgd.update(u.factor, it.factor, w, p);
    if (!"purchase".equals(eventType)) {
      return;
    }
    // The user learns the item's partners as they stand before this purchase counts.
    long[] partnerBuyers = new long[it.partners.ids.length];
    for (int i = 0; i < partnerBuyers.length; i++) {
      Item other = items.get(it.partners.ids[i]);
      partnerBuyers[i] = other == null ? 1 : Math.max(1, other.buyers);
    }
    UserRecs.addCandidates(
        u, it.partners.ids, it.partners.counts, partnerBuyers, it.buyers, 1f, time, p);
    boolean newForUser = UserRecs.indexOf(u.ownedIds, item) < 0;
    if (p.userCoOccurrence) {
      if (newForUser) {
        // Pairs with the user's recent distinct purchases: co(i,j) counts users, as item-kNN.
        int n = Math.min(p.userCoWindow, u.ownedIds.length);
        for (int k = 0; k < n; k++) {
          countPair(it, u.ownedIds[k]);
          countPair(items.get(u.ownedIds[k]), item);
        }
      }
    } else {
      if (basketId == null || !basketId.equals(currentBasket)) {
        currentBasket = basketId;
        basketSoFar.clear();
      }
      for (String other : basketSoFar) {
        if (!other.equals(item)) {
          countPair(it, other);
          countPair(items.get(other), item);
        }
      }
      basketSoFar.add(item);
    }
    if (newForUser) {
      it.buyers++;
    }
    UserRecs.recordOwned(u, item, time, p);
    it.purchases++;
    popular.offer(item, (int) Math.min(Integer.MAX_VALUE, it.purchases), 2 * p.popularCandidates);
  }

  private void countPair(Item it, String other) {
    int c = it.coCounts.merge(other, 1, Integer::sum);
    it.partners.offer(other, c, p.partnersPerItem);
  }

  @Override
  public List<String> recommend(String user, int k, boolean excludeOwned, long now) {
    UserRecState u = users.get(user);
    if (u == null) {
      u = UserRecs.fresh(user, p);
    }
    long[] popCounts = new long[popular.counts.length];
    for (int i = 0; i < popCounts.length; i++) {
      popCounts[i] = popular.counts[i];
    }
    List<UserRecs.Scored> ranked =
        UserRecs.rank(
            u,
            k,
            excludeOwned,
            now,
            popular.ids,
            popCounts,
            id -> {
              Item it = items.get(id);
              return it == null ? null : it.factor;
            },
            p);
    List<String> out = new ArrayList<>(ranked.size());
    for (UserRecs.Scored s : ranked) {
      out.add(s.item());
    }
    return out;
  }
}
