package io.shopflow.marketing.operators;

import io.shopflow.marketing.operators.state.WriteBehindFunction;
import io.shopflow.marketing.operators.state.WriteBehindStates;
import io.shopflow.marketing.schema.CatalogItem;
import io.shopflow.marketing.schema.EventType;
import io.shopflow.marketing.schema.ItemSignal;
import io.shopflow.marketing.schema.ItemStats;
import io.shopflow.marketing.schema.UserSignal;
import io.shopflow.marketing.schema.state.ItemState;
import io.shopflow.marketing.schema.state.TopPartners;
import io.shopflow.marketing.udfs.EngineConfig;
import io.shopflow.marketing.udfs.recs.Isgd;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by item. Keeps the catalogue entry, who is interested in the item (carted or wishlisted
 * it), and what it is bought together with; joins every event line with the catalogue and fans a
 * catalogue price drop out to the interested users.
 */
public class ItemCatalogFunction extends KeyedProcessFunction<String, ItemSignal, UserSignal>
    implements WriteBehindFunction {
  /** Purchase counts, categories and factors of items, for the popular-items snapshot. */
  public static final OutputTag<ItemStats> ITEM_STATS =
      new OutputTag<>("item-stats", TypeInformation.of(ItemStats.class));

  private static final long serialVersionUID = 1L;

  private final EngineConfig cfg;

  /** Catalogue attributes: title, category, price, stock. */
  private transient ValueState<ItemState> item;

  /** User id -> event time of the cart add / wishlist that made them interested. */
  private transient MapState<String, Long> interestedUsers;

  private transient ValueState<Integer> interestedCount;

  /** Other item id -> times bought in the same order as this one. */
  private transient MapState<String, Integer> coPurchases;

  private transient ValueState<Integer> coPurchaseCount;

  /** The best partners, maintained on every count change; what purchase lines are given. */
  private transient ValueState<TopPartners> topPartners;

  /** The item's MF factor, moved by deltas fed back from the keyed-by-user operator. */
  private transient ValueState<double[]> factor;

  /** Distinct buyers of the item (n_i of the recommender's cosine weights). */
  private transient ValueState<Long> buyers;

  /** Other item id -> users who bought both recently (fed back from the user operator). */
  private transient MapState<String, Integer> coBuyers;

  private transient ValueState<Integer> coBuyerCount;

  /** The best co-buyer partners, handed to purchase lines for the recommender. */
  private transient ValueState<TopPartners> topCoBuyers;

  /** Distinct buyers of each partner as last reported (n_j). */
  private transient MapState<String, Long> partnerBuyers;

  // Every state above sits behind this heap cache when the write-behind operator runs us.
  private transient WriteBehindStates states;

  public ItemCatalogFunction(EngineConfig cfg) {
    this.cfg = cfg;
  }

  @Override
  public WriteBehindStates bindWriteBehind(KeyContext keys) {
    states = WriteBehindStates.forEngine(keys, cfg);
    return states;
  }

  @Override
  public void open(OpenContext openContext) {
    if (states == null) {
      states = WriteBehindStates.forEngine(null, cfg); // a stock operator: write-through
    }
    StateTtlConfig catalogTtl = ttl(cfg.catalogTtlMs);
    StateTtlConfig interestTtl = ttl(cfg.interestWindowMs);

    ValueStateDescriptor<ItemState> itemDesc = new ValueStateDescriptor<>("item", ItemState.class);
    itemDesc.enableTimeToLive(catalogTtl);
    MapStateDescriptor<String, Long> interestDesc =
        new MapStateDescriptor<>("interested-users", Types.STRING, Types.LONG);
    interestDesc.enableTimeToLive(interestTtl);
    ValueStateDescriptor<Integer> interestCountDesc =
        new ValueStateDescriptor<>("interested-count", Types.INT);
    interestCountDesc.enableTimeToLive(interestTtl);
    MapStateDescriptor<String, Integer> coDesc =
        new MapStateDescriptor<>("co-purchases", Types.STRING, Types.INT);
    coDesc.enableTimeToLive(catalogTtl);
    ValueStateDescriptor<Integer> coCountDesc =
        new ValueStateDescriptor<>("co-purchase-count", Types.INT);
    coCountDesc.enableTimeToLive(catalogTtl);

    item = states.value(getRuntimeContext(), itemDesc);
    interestedUsers = states.map(getRuntimeContext(), interestDesc);
    interestedCount = states.value(getRuntimeContext(), interestCountDesc);
    coPurchases = states.map(getRuntimeContext(), coDesc);
    coPurchaseCount = states.value(getRuntimeContext(), coCountDesc);
    ValueStateDescriptor<TopPartners> topDesc =
        new ValueStateDescriptor<>("top-partners", TopPartners.class);
    topDesc.enableTimeToLive(catalogTtl);
    topPartners = states.value(getRuntimeContext(), topDesc);
    ValueStateDescriptor<double[]> factorDesc =
        new ValueStateDescriptor<>("mf-factor", double[].class);
    factorDesc.enableTimeToLive(catalogTtl);
    factor = states.value(getRuntimeContext(), factorDesc);
    ValueStateDescriptor<Long> buyersDesc = new ValueStateDescriptor<>("buyers", Types.LONG);
    buyersDesc.enableTimeToLive(catalogTtl);
    buyers = states.value(getRuntimeContext(), buyersDesc);
    MapStateDescriptor<String, Integer> coBuyersDesc =
        new MapStateDescriptor<>("co-buyers", Types.STRING, Types.INT);
    coBuyersDesc.enableTimeToLive(catalogTtl);
    coBuyers = states.map(getRuntimeContext(), coBuyersDesc);
    ValueStateDescriptor<Integer> coBuyerCountDesc =
        new ValueStateDescriptor<>("co-buyer-count", Types.INT);
    coBuyerCountDesc.enableTimeToLive(catalogTtl);
    coBuyerCount = states.value(getRuntimeContext(), coBuyerCountDesc);
    ValueStateDescriptor<TopPartners> topCoDesc =
        new ValueStateDescriptor<>("top-co-buyers", TopPartners.class);
    topCoDesc.enableTimeToLive(catalogTtl);
    topCoBuyers = states.value(getRuntimeContext(), topCoDesc);
    MapStateDescriptor<String, Long> partnerBuyersDesc =
        new MapStateDescriptor<>("partner-buyers", Types.STRING, Types.LONG);
    partnerBuyersDesc.enableTimeToLive(catalogTtl);
    partnerBuyers = states.map(getRuntimeContext(), partnerBuyersDesc);
  }

  static StateTtlConfig ttl(long ms) {
    return StateTtlConfig.newBuilder(Duration.ofMillis(ms))
        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
        .build();
  }

  @Override
  public void processElement(ItemSignal s, Context ctx, Collector<UserSignal> out)
      throws Exception {
    if (s.kind == ItemSignal.TO_USER) {
      out.collect(s.toUser); // passing through, keyed by its user; no state is touched
    } else if (s.kind == ItemSignal.CATALOG) {
      onCatalog(s.catalog, ctx, out);
    } else if (s.kind == ItemSignal.FACTOR_DELTA) {
      onFeedback(s);
    } else {
      onLine(s, ctx, out);
    }
  }

  private void onCatalog(CatalogItem c, Context ctx, Collector<UserSignal> out) throws Exception {
    ItemState st = item.value();
    boolean isNew = st == null;
    if (st == null) {
      st = new ItemState();
      st.firstSeen = c.eventTime;
    } else if (c.eventTime < st.updatedAt) {
      return; // an older upsert arriving late must not undo a newer one
    }
    Double oldPrice = st.price;
    if (c.title != null) {
      st.title = c.title;
    }
    if (c.categoryPath != null && c.categoryPath.length > 0) {
      st.category = c.leafCategory();
    }
    if (c.price != null) {
      st.price = c.price;
    }
    if (c.currency != null) {
      st.currency = c.currency;
    }
    if (c.stock != null) {
      st.stock = c.stock;
    }
    st.updatedAt = c.eventTime;
    item.update(st);
    if (isNew) {
      reportStats(
          c.itemId,
          st,
          c.eventTime,
          currentFactor(c.itemId),
          ctx); // a new item: exposure before anyone buys it
    }

    boolean inStock = st.stock == null || st.stock > 0;
    if (oldPrice != null
        && c.price != null
        && inStock
        && c.price <= oldPrice * (1 - cfg.priceDropMinFraction)) {
      fanOutPriceDrop(c, st, oldPrice, out);
    }
  }

  private void fanOutPriceDrop(
      CatalogItem c, ItemState st, double oldPrice, Collector<UserSignal> out) throws Exception {
    for (Map.Entry<String, Long> e : interestedUsers.entries()) {
      if (c.eventTime - e.getValue() > cfg.interestWindowMs) {
        continue;
      }
      UserSignal u = new UserSignal();
      u.kind = UserSignal.PRICE_DROP;
      u.userId = e.getKey();
      u.eventId = c.eventId;
      u.eventTime = c.eventTime;
      u.itemId = c.itemId;
      u.title = st.title;
      u.category = st.category == null ? "unknown" : st.category;
      u.currency = st.currency;
      u.oldPrice = oldPrice;
      u.newPrice = c.price;
      u.price = c.price;
      out.collect(u);
    }
  }

  private void onLine(ItemSignal s, Context ctx, Collector<UserSignal> out) throws Exception {
    ItemState st = item.value();
    UserSignal u = new UserSignal();
    u.kind = UserSignal.EVENT;
    u.userId = s.userId;
    u.eventId = s.eventId;
    u.eventTime = s.eventTime;
    u.eventType = s.eventType;
    u.itemId = s.itemId;
    u.quantity = s.quantity;
    u.price = s.price != null ? s.price : st != null ? st.price : null;
    u.currency = s.currency != null ? s.currency : st != null ? st.currency : null;
    u.title = st != null ? st.title : null;
    u.category = st != null && st.category != null ? st.category : "unknown";
    u.sessionHint = s.sessionHint;
    u.lineIndex = s.lineIndex;
    u.lineCount = s.lineCount;
    u.itemFactor = currentFactor(s.itemId);
    Long n = buyers.value();
    u.itemBuyers = n == null ? 0 : n;

    switch (s.eventType) {
      case EventType.CART_ADD, EventType.WISHLIST -> {
        rememberInterest(s.userId, s.eventTime);
        attachCoBuyers(u);
      }
      case EventType.CART_REMOVE -> forgetInterest(s.userId, s.eventTime);
      case EventType.PURCHASE -> {
        st = countPurchase(st, s.eventTime);
        reportStats(s.itemId, st, s.eventTime, u.itemFactor, ctx);
        forgetInterest(s.userId, s.eventTime);
        attachCoPurchased(u, s.basket);
        countCoPurchases(s.itemId, s.basket);
        attachCoBuyers(u);
      }
      // Viewers who have not bought yet learn from what buyers of the item also bought.
      case EventType.VIEW -> attachCoBuyers(u);
      default -> {}
    }
    out.collect(u);
  }

  private ItemState countPurchase(ItemState st, long t) throws Exception {
    if (st == null) {
      st = new ItemState(); // bought before the catalogue listed it
      st.firstSeen = t;
    }
    st.purchases++;
    st.firstSeen = Math.min(st.firstSeen, t);
    item.update(st);
    return st;
  }

  /** Tells the popular-items operator about the item's purchases, category and factor. */
  private void reportStats(String itemId, ItemState st, long t, double[] factor, Context ctx) {
    ctx.output(
        ITEM_STATS, new ItemStats(itemId, st.category, st.purchases, st.firstSeen, t, factor));
  }

  private void rememberInterest(String userId, long t) throws Exception {
    Long prev = interestedUsers.get(userId);
    if (prev != null && prev >= t) {
      return;
    }
    interestedUsers.put(userId, t);
    if (prev == null) {
      int n = valueOr(interestedCount.value()) + 1;
      if (n > cfg.maxInterestedUsersPerItem) {
        // Drops the oldest tenth so that pruning is amortised.
        n = pruneSmallest(interestedUsers, cfg.maxInterestedUsersPerItem * 9 / 10, null);
      }
      interestedCount.update(n);
    }
  }

  private void forgetInterest(String userId, long t) throws Exception {
    Long since = interestedUsers.get(userId);
    if (since != null && since <= t) { // an older remove or purchase arriving late keeps it
      interestedUsers.remove(userId);
      interestedCount.update(Math.max(0, valueOr(interestedCount.value()) - 1));
    }
  }

  /** Top partners by count, excluding the basket itself, as seen before this order counts. */
  private void attachCoPurchased(UserSignal u, String[] basket) throws Exception {
    TopPartners top = topPartners.value();
    if (top == null) {
      return;
    }
    Set<String> inBasket = new HashSet<>(Arrays.asList(basket));
    List<String> ids = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    for (int i = 0; i < top.ids.length && ids.size() < cfg.crossSellMaxItems; i++) {
      if (top.counts[i] >= cfg.coPurchaseMinCount && !inBasket.contains(top.ids[i])) {
        ids.add(top.ids[i]);
        counts.add(top.counts[i]);
      }
    }
    u.coPurchased = ids.toArray(new String[0]);
    u.coPurchasedCounts = counts.stream().mapToInt(Integer::intValue).toArray();
  }

  private void countCoPurchases(String self, String[] basket) throws Exception {
    if (basket.length < 2) {
      return;
    }
    int size = valueOr(coPurchaseCount.value());
    TopPartners top = topPartners.value();
    if (top == null) {
      top = new TopPartners();
    }
    Set<String> counted = new HashSet<>();
    for (String other : basket) {
      if (other.equals(self) || !counted.add(other)) {
        continue;
      }
      if (countPair(coPurchases, top, other, topCapacity())) {
        size++;
      }
    }
    topPartners.update(top);
    if (size > cfg.maxCoPurchasePartners * 3 / 2) {
      size = pruneSmallest(coPurchases, cfg.maxCoPurchasePartners, null);
    }
    coPurchaseCount.update(size);
  }

  /** Room for the basket's own items, which are skipped when suggesting. */
  private int topCapacity() {
    return cfg.crossSellMaxItems * 3;
  }

  /** Applies the user operator's feedback: the MF step and the co-buyer counts. */
  private void onFeedback(ItemSignal s) throws Exception {
    if (s.factorDelta != null) {
      double[] f = currentFactor(s.itemId);
      for (int i = 0; i < f.length && i < s.factorDelta.length; i++) {
        f[i] += s.factorDelta[i];
      }
      factor.update(f);
    }
    if (s.newBuyer) {
      Long n = buyers.value();
      buyers.update(n == null ? 1 : n + 1);
    }
    if (s.coItems.length == 0) {
      return;
    }
    TopPartners top = topCoBuyers.value();
    if (top == null) {
      top = new TopPartners();
    }
    int size = valueOr(coBuyerCount.value());
    for (int i = 0; i < s.coItems.length; i++) {
      String other = s.coItems[i];
      if (countPair(coBuyers, top, other, cfg.recs.partnersPerItem)) {
        size++;
      }
      Long known = partnerBuyers.get(other);
      long reported = i < s.coItemBuyers.length ? s.coItemBuyers[i] : 1;
      if (known == null || reported > known) {
        partnerBuyers.put(other, reported);
      }
    }
    if (size > cfg.maxCoPurchasePartners * 3 / 2) {
      size = pruneSmallest(coBuyers, cfg.maxCoPurchasePartners, partnerBuyers);
    }
    coBuyerCount.update(size);
    topCoBuyers.update(top);
  }

  /** Hands the recommender the item's best co-buyer partners with their buyer counts. */
  private void attachCoBuyers(UserSignal u) throws Exception {
    TopPartners top = topCoBuyers.value();
    if (top == null) {
      return;
    }
    u.partners = top.ids;
    u.partnerCounts = top.counts;
    u.partnerBuyers = new long[top.ids.length];
    for (int i = 0; i < top.ids.length; i++) {
      Long n = partnerBuyers.get(top.ids[i]);
      u.partnerBuyers[i] = n == null ? 1 : n;
    }
  }

  /** One more pair (this item, other): counted and offered to the top list; true if new. */
  private static boolean countPair(
      MapState<String, Integer> counts, TopPartners top, String other, int capacity)
      throws Exception {
    Integer c = counts.get(other);
    int now = c == null ? 1 : c + 1;
    counts.put(other, now);
    top.offer(other, now, capacity);
    return c == null;
  }

  /**
   * Keeps the {@code keep} entries with the largest values (most recent interest, most frequent
   * partners), also dropping the removed keys from {@code alsoDrop} if given; returns the new size.
   */
  private static <V extends Comparable<V>> int pruneSmallest(
      MapState<String, V> m, int keep, MapState<String, ?> alsoDrop) throws Exception {
    List<Map.Entry<String, V>> all = new ArrayList<>();
    for (Map.Entry<String, V> e : m.entries()) {
      all.add(Map.entry(e.getKey(), e.getValue()));
    }
    all.sort(Map.Entry.comparingByValue());
    int drop = all.size() - keep;
    for (int i = 0; i < drop; i++) {
      m.remove(all.get(i).getKey());
      if (alsoDrop != null) {
        alsoDrop.remove(all.get(i).getKey());
      }
    }
    return all.size() - Math.max(drop, 0);
  }

  private double[] currentFactor(String itemId) throws Exception {
    double[] f = factor.value();
    return f != null ? f : Isgd.init(itemId, cfg.recs.factors, cfg.recs.initScale);
  }

  private static int valueOr(Integer v) {
    return v == null ? 0 : v;
  }
}
