package io.shopflow.marketing.operators;

import io.shopflow.marketing.operators.state.ValueField;
import io.shopflow.marketing.operators.state.WriteBehindFunction;
import io.shopflow.marketing.operators.state.WriteBehindStates;
import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.ActionType;
import io.shopflow.marketing.schema.ConsentChange;
import io.shopflow.marketing.schema.EventType;
import io.shopflow.marketing.schema.ItemFactorDelta;
import io.shopflow.marketing.schema.PopularItems;
import io.shopflow.marketing.schema.ProfileSnapshot;
import io.shopflow.marketing.schema.SessionSummary;
import io.shopflow.marketing.schema.SuppressedAction;
import io.shopflow.marketing.schema.UserSignal;
import io.shopflow.marketing.schema.state.CartLine;
import io.shopflow.marketing.schema.state.Deadlines;
import io.shopflow.marketing.schema.state.DecayedScores;
import io.shopflow.marketing.schema.state.PendingAction;
import io.shopflow.marketing.schema.state.ProfileCore;
import io.shopflow.marketing.schema.state.SentLog;
import io.shopflow.marketing.schema.state.SessionState;
import io.shopflow.marketing.schema.state.UserRecState;
import io.shopflow.marketing.schema.state.UserScalars;
import io.shopflow.marketing.udfs.ActionIds;
import io.shopflow.marketing.udfs.Affinities;
import io.shopflow.marketing.udfs.EngineConfig;
import io.shopflow.marketing.udfs.Explanations;
import io.shopflow.marketing.udfs.Lifecycle;
import io.shopflow.marketing.udfs.QuietHours;
import io.shopflow.marketing.udfs.inference.JobRankerFeatures;
import io.shopflow.marketing.udfs.inference.RankerFeatures;
import io.shopflow.marketing.udfs.recs.Isgd;
import io.shopflow.marketing.udfs.recs.RecParams;
import io.shopflow.marketing.udfs.recs.UserRecs;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by user. Keeps the open session, the profile (affinities, RFM, price band, lifecycle,
 * recent items), cart and wishlist, and fires the triggers through the guardrails (consent,
 * de-duplication, quiet hours, frequency cap). All deadlines share one coalesced event-time timer.
 */
public class UserJourneyFunction
    extends KeyedBroadcastProcessFunction<String, UserSignal, PopularItems, Action>
    implements WriteBehindFunction {
  private static final long serialVersionUID = 1L;

  public static final OutputTag<SessionSummary> SESSIONS =
      new OutputTag<>("sessions", TypeInformation.of(SessionSummary.class));
  public static final OutputTag<SuppressedAction> SUPPRESSED =
      new OutputTag<>("suppressed", TypeInformation.of(SuppressedAction.class));
  public static final OutputTag<ItemFactorDelta> FACTOR_DELTAS =
      new OutputTag<>("item-factor-deltas", TypeInformation.of(ItemFactorDelta.class));

  /**
   * Broadcast state: the latest popular-items snapshot (popularity, category best sellers, new
   * items, their MF factors), under {@link #LATEST}.
   */
  public static final MapStateDescriptor<String, PopularItems> POPULAR =
      new MapStateDescriptor<>(
          "popular-items", Types.STRING, TypeInformation.of(PopularItems.class));

  static final String LATEST = "latest";

  /** The state holding the user's single-valued states (a {@link UserScalars}). */
  public static final String SCALARS = "user-scalars";

  /** The guardrails' record of what was sent to the user (a {@link SentLog}). */
  public static final String SENT = "sent-log";

  /** Profile snapshots at session close and after a purchase; an erasure as an erased one. */
  public static final OutputTag<ProfileSnapshot> PROFILES =
      new OutputTag<>("profiles", TypeInformation.of(ProfileSnapshot.class));

  private final EngineConfig cfg;
  private transient ZoneId zone;
  private transient StateTtlConfig profileTtl;
  private transient ValueStateDescriptor<UserScalars> scalarsDescriptor;
  private transient ValueStateDescriptor<SentLog> sentDescriptor;

  // --- state: session ---
  private transient ValueState<SessionState> session;
  // --- state: profile ---
  private transient ValueState<ProfileCore> profile;
  private transient ValueState<UserScalars> scalars;
  private transient ValueState<DecayedScores> categoryAffinity;
  private transient ValueState<DecayedScores> itemAffinity;
  private transient ValueState<String[]> recentViewed;
  private transient ValueState<String[]> recentBought;
  // --- state: triggers ---
  private transient MapState<String, CartLine> cart;
  private transient MapState<String, CartLine> wishlist;
  private transient MapState<String, Integer> crossSellCandidates;
  private transient ValueState<Deadlines> deadlines;
  // --- state: recommender ---
  private transient ValueState<double[]> mfFactor;
  private transient ValueState<UserRecState> recs;
  // --- state: guardrails ---
  private transient MapState<String, Boolean> consent;
  private transient ValueState<SentLog> sent;
  private transient MapState<String, PendingAction> deferred;
  private transient MapState<String, UserSignal> pendingReviews;

  private transient Counter actionsSent;
  private transient Counter actionsSuppressed;

  // Every state above sits behind this heap cache when the write-behind operator runs us.
  private transient WriteBehindStates states;

  public UserJourneyFunction(EngineConfig cfg) {
    this.cfg = cfg;
  }

  @Override
  public void open(OpenContext openContext) {
    zone = cfg.zoneId();
    if (states == null) {
      states = WriteBehindStates.forEngine(null, cfg); // a stock operator: write-through
    }
    // No TTL: the marker must outlive every state of the user (consent has no TTL either).
    states.trackPresence(
        getRuntimeContext().getState(new ValueStateDescriptor<>("present", Types.BOOLEAN)));
    profileTtl = ItemCatalogFunction.ttl(cfg.profileTtlMs);
    // The sent log holds the de-duplication window's sends and the day's counts.
    StateTtlConfig sentTtl =
        ItemCatalogFunction.ttl(Math.max(cfg.dedupWindowMs, Duration.ofDays(2).toMillis()));

    // The single-valued states share one value (see UserScalars); the maps stay separate.
    scalarsDescriptor = scalarsDescriptor(profileTtl);
    scalars = states.value(getRuntimeContext(), scalarsDescriptor);
    session = field(scalars, u -> u.session, (u, v) -> u.session = v);
    profile = field(scalars, u -> u.profile, (u, v) -> u.profile = v);
    recentViewed = field(scalars, u -> u.recentViewed, (u, v) -> u.recentViewed = v);
    recentBought = field(scalars, u -> u.recentBought, (u, v) -> u.recentBought = v);
    deadlines = field(scalars, u -> u.deadlines, (u, v) -> u.deadlines = v);
    mfFactor = field(scalars, u -> u.mfFactor, (u, v) -> u.mfFactor = v);
    recs = field(scalars, u -> u.recs, (u, v) -> u.recs = v);
    categoryAffinity = field(scalars, u -> u.categoryAffinity, (u, v) -> u.categoryAffinity = v);
    itemAffinity = field(scalars, u -> u.itemAffinity, (u, v) -> u.itemAffinity = v);
    cart = map("cart", TypeInformation.of(CartLine.class), profileTtl);
    wishlist = map("wishlist", TypeInformation.of(CartLine.class), profileTtl);
    crossSellCandidates = map("cross-sell-candidates", Types.INT, profileTtl);
    consent = pointMap("consent", Types.BOOLEAN, null);
    sentDescriptor = new ValueStateDescriptor<>(SENT, SentLog.class);
    sentDescriptor.enableTimeToLive(sentTtl);
    sent = states.value(getRuntimeContext(), sentDescriptor);
    deferred = map("deferred", TypeInformation.of(PendingAction.class), profileTtl);
    pendingReviews = map("pending-reviews", TypeInformation.of(UserSignal.class), profileTtl);

    actionsSent = getRuntimeContext().getMetricGroup().counter("actionsSent");
    actionsSuppressed = getRuntimeContext().getMetricGroup().counter("actionsSuppressed");
  }

  /** The user's one value (a Flink POJO) with the profile TTL. */
  static ValueStateDescriptor<UserScalars> scalarsDescriptor(StateTtlConfig profileTtl) {
    ValueStateDescriptor<UserScalars> d = new ValueStateDescriptor<>(SCALARS, UserScalars.class);
    d.enableTimeToLive(profileTtl);
    return d;
  }

  private static <T> ValueState<T> field(
      ValueState<UserScalars> scalars,
      java.util.function.Function<UserScalars, T> get,
      java.util.function.BiConsumer<UserScalars, T> set) {
    return new ValueField<>(scalars, UserScalars::new, get, set, UserScalars::holdsNothing);
  }

  private <V> MapState<String, V> map(String name, TypeInformation<V> type, StateTtlConfig ttl) {
    // These maps are small and bounded, iterated, or looked up under several keys a visit, most of
    // which they lack (an item seen for the first time): read whole once instead of one RocksDB
    // read per miss.
    return states.smallMap(getRuntimeContext(), descriptor(name, type, ttl));
  }

  /**
   * A map only ever read by key (consent): one lookup per action, mostly of a key it lacks, which a
   * point read answers from RocksDB's bloom filter while reading the map whole costs an iterator
   * seek. It matters for a price drop, which reaches up to a thousand cold users at once.
   */
  private <V> MapState<String, V> pointMap(
      String name, TypeInformation<V> type, StateTtlConfig ttl) {
    return states.map(getRuntimeContext(), descriptor(name, type, ttl));
  }

  private static <V> MapStateDescriptor<String, V> descriptor(
      String name, TypeInformation<V> type, StateTtlConfig ttl) {
    MapStateDescriptor<String, V> d = new MapStateDescriptor<>(name, Types.STRING, type);
    if (ttl != null) {
      d.enableTimeToLive(ttl);
    }
    return d;
  }

  @Override
  public WriteBehindStates bindWriteBehind(KeyContext keys) {
    states = WriteBehindStates.forEngine(keys, cfg);
    return states;
  }

  /**
   * A snapshot of a build that kept the single-valued states apart, the guardrails' sends in two
   * maps or the affinities in maps: see {@link LegacyUserScalars}, {@link LegacySentLog} and {@link
   * LegacyAffinities}.
   */
  @Override
  public long migrateRestoredState(KeyedStateBackend<Object> backend, KeyContext keys)
      throws Exception {
    // The backend's own state under the cache's (the cache holds no key yet).
    ValueState<UserScalars> scalarsInBackend = getRuntimeContext().getState(scalarsDescriptor);
    return LegacyUserScalars.migrate(
            getRuntimeContext(), backend, keys, profileTtl, scalarsInBackend)
        + LegacySentLog.migrate(
            getRuntimeContext(), backend, keys, cfg, getRuntimeContext().getState(sentDescriptor))
        + LegacyAffinities.migrate(
            getRuntimeContext(), backend, keys, profileTtl, scalarsInBackend);
  }

  // ------------------------------------------------------------------ inputs

  @Override
  public void processBroadcastElement(PopularItems snapshot, Context ctx, Collector<Action> out)
      throws Exception {
    PopularItems current = ctx.getBroadcastState(POPULAR).get(LATEST);
    if (current == null || snapshot.asOf >= current.asOf) {
      ctx.getBroadcastState(POPULAR).put(LATEST, snapshot);
    }
  }

  @Override
  public void processElement(UserSignal s, ReadOnlyContext ctx, Collector<Action> out)
      throws Exception {
    switch (s.kind) {
      case UserSignal.CONSENT -> onConsent(s, ctx);
      case UserSignal.PRICE_DROP -> onPriceDrop(s, ctx, out);
      case UserSignal.REVIEW -> onReview(s, ctx, out);
      default -> onEvent(s, ctx, out);
    }
  }

  private void onConsent(UserSignal s, ReadOnlyContext ctx) throws Exception {
    if (ConsentChange.ERASURE.equals(s.consentChange)) {
      Deadlines d = deadlines.value();
      if (d != null && d.scheduledTimer != 0) {
        ctx.timerService().deleteEventTimeTimer(d.scheduledTimer);
      }
      clearAllState();
      if (cfg.emitProfileSnapshots) {
        ctx.output(PROFILES, ProfileSnapshot.erasure(s.userId, s.eventTime));
      }
      return;
    }
    boolean allowed = ConsentChange.OPT_IN.equals(s.consentChange);
    for (String ch : s.channels) {
      consent.put(ch, allowed);
    }
  }

  private void clearAllState() throws Exception {
    session.clear();
    profile.clear();
    categoryAffinity.clear();
    itemAffinity.clear();
    recentViewed.clear();
    recentBought.clear();
    cart.clear();
    wishlist.clear();
    crossSellCandidates.clear();
    deadlines.clear();
    mfFactor.clear();
    recs.clear();
    consent.clear();
    sent.clear();
    deferred.clear();
    pendingReviews.clear();
    states.forgetPresence();
  }

  private void onPriceDrop(UserSignal s, ReadOnlyContext ctx, Collector<Action> out)
      throws Exception {
    states.expectState(); // the user carted or wishlisted the item: no presence-marker read
    // A point read of the one line instead of reading the cart and wishlist whole: most of these
    // users are not in the cache, and a price drop needs nothing else of either map.
    CartLine inCart = WriteBehindStates.getOne(cart, s.itemId);
    CartLine inWishlist = inCart == null ? WriteBehindStates.getOne(wishlist, s.itemId) : null;
    if (inCart == null && inWishlist == null) {
      return; // bought or removed since: no longer interested
    }
    String where = inCart != null ? "cart" : "wishlist";
    Action a =
        newAction(
            s.userId,
            ActionType.PRICE_DROP,
            s.eventTime,
            new String[] {s.itemId},
            Explanations.priceDrop(s.title, s.itemId, s.oldPrice, s.newPrice, s.currency, where));
    if (inQuietHours(a, s.eventTime)) {
      Deadlines d = deadlinesOrNew();
      deliver(a, s.eventTime, d, out, ctx);
      reschedule(d, ctx);
    } else {
      // Sent or suppressed at once: nothing falls due later, so the user's deadlines and timer
      // stay as they are, unread (a price drop reaches up to a thousand cold users at once).
      deliver(a, s.eventTime, null, out, ctx);
    }
  }

  /**
   * A scored review waits until the watermark passes its event time: it is read from its own topic
   * and scored on its own path, so in a backfill it can overtake the purchase it is about. Then
   * {@link #applyReview} handles it.
   */
  private void onReview(UserSignal s, ReadOnlyContext ctx, Collector<Action> out) throws Exception {
    Deadlines d = deadlinesOrNew();
    if (s.eventTime <= ctx.timerService().currentWatermark()) {
      // The watermark passed every deadline up to the review, but a timer rounded up to the
      // minute may not have fired yet: fire them first, as for a review that waited.
      fireDue(s.eventTime, d, out, ctx);
      applyReview(s, d, out, ctx);
    } else {
      pendingReviews.put(s.eventId, s);
      if (d.reviewsDueAt == 0 || s.eventTime < d.reviewsDueAt) {
        d.reviewsDueAt = s.eventTime;
      }
    }
    reschedule(d, ctx);
  }

  /** Applies the waiting reviews up to {@code upTo}, oldest first. */
  private void releaseReviews(long upTo, Deadlines d, Collector<Action> out, ReadOnlyContext ctx)
      throws Exception {
    List<UserSignal> due = new ArrayList<>();
    long next = 0;
    for (Map.Entry<String, UserSignal> e : pendingReviews.entries()) {
      long t = e.getValue().eventTime;
      if (t <= upTo) {
        due.add(e.getValue());
      } else if (next == 0 || t < next) {
        next = t;
      }
    }
    due.sort(Comparator.<UserSignal>comparingLong(r -> r.eventTime).thenComparing(r -> r.eventId));
    d.reviewsDueAt = next;
    for (UserSignal r : due) {
      pendingReviews.remove(r.eventId);
      applyReview(r, d, out, ctx);
    }
  }

  /**
   * A scored review: updates the user's sentiment tendency (a decayed mean in the profile) and, for
   * a clearly negative review of an item the user bought, sends a service-recovery apology through
   * the guardrails.
   */
  private void applyReview(UserSignal s, Deadlines d, Collector<Action> out, ReadOnlyContext ctx)
      throws Exception {
    long t = s.eventTime;
    ProfileCore p = profile.value();
    if (p == null) {
      p = new ProfileCore();
      p.firstSeen = t;
    }
    p.firstSeen = Math.min(p.firstSeen, t);
    p.lastSeen = Math.max(p.lastSeen, t);
    double half = cfg.reviewSentimentHalfLifeMs;
    double oldWeight = p.reviewSentimentWeight;
    double newWeight = 1;
    if (t >= p.lastReviewTime) {
      oldWeight *= Math.pow(0.5, (t - p.lastReviewTime) / half);
      p.lastReviewTime = t;
    } else {
      newWeight = Math.pow(0.5, (p.lastReviewTime - t) / half);
    }
    p.reviewSentiment =
        (p.reviewSentiment * oldWeight + s.sentimentScore * newWeight) / (oldWeight + newWeight);
    p.reviewSentimentWeight = oldWeight + newWeight;
    p.reviews++;
    profile.update(p);
    if (cfg.emitProfileSnapshots) {
      emitProfile(p, "review", t, ctx);
    }

    boolean clearlyNegative =
        ("negative".equals(s.sentimentLabel)
                && s.negativeProbability >= cfg.serviceRecoveryMinNegative)
            || s.rating <= cfg.serviceRecoveryMaxRating;
    if (!clearlyNegative || !bought(s.itemId)) {
      return;
    }
    Action a =
        newAction(
            s.userId,
            ActionType.SERVICE_RECOVERY,
            t,
            new String[] {s.itemId},
            Explanations.serviceRecovery(
                s.itemId,
                s.rating,
                s.reviewText,
                s.sentimentLabel,
                s.negativeProbability,
                s.sentimentSource));
    a.inferenceFallback = ReviewSentimentFunction.FALLBACK.equals(s.sentimentSource);
    deliver(a, t, d, out, ctx);
  }

  /** Whether the user bought the item: the recent purchases or the recommender's owned items. */
  private boolean bought(String itemId) throws Exception {
    String[] recent = recentBought.value();
    if (recent != null) {
      for (String i : recent) {
        if (itemId.equals(i)) {
          return true;
        }
      }
    }
    UserRecState r = recs.value();
    if (r != null) {
      for (String i : r.ownedIds) {
        if (itemId.equals(i)) {
          return true;
        }
      }
    }
    return false;
  }

  private void onEvent(UserSignal s, ReadOnlyContext ctx, Collector<Action> out) throws Exception {
    long t = s.eventTime;
    Deadlines d = deadlinesOrNew();
    // The user's own event at t proves their deadlines before t have passed, even when the
    // global watermark lags (a backfill, an idle partition): fire them first, as live would have.
    fireDue(t - 1, d, out, ctx);
    ProfileCore p = profile.value();
    if (p == null) {
      p = new ProfileCore();
      p.firstSeen = t;
    }
    trackSession(s, d, p);

    p.firstSeen = Math.min(p.firstSeen, t);
    p.lastSeen = Math.max(p.lastSeen, t);
    if (s.price != null && s.itemId != null && !EventType.SEARCH.equals(s.eventType)) {
      p.unitPriceSum += s.price;
      p.unitPriceCount++;
    }
    String item = s.itemId;
    switch (s.eventType) {
      case EventType.VIEW -> {
        recentViewed.update(pushRecent(recentViewed.value(), item));
        addAffinity(s, cfg.viewWeight);
      }
      case EventType.CART_ADD -> {
        CartLine prev = cart.get(item);
        int qty = (prev == null ? 0 : prev.quantity) + Math.max(1, s.quantity);
        cart.put(item, new CartLine(qty, s.price, s.title, t));
        if (t >= d.cartArmedAt) {
          d.cartArmedAt = t;
          d.cartDueAt = t + cfg.cartAbandonAfterMs;
        }
        addAffinity(s, cfg.cartWeight);
      }
      case EventType.CART_REMOVE -> {
        cart.remove(item);
        if (cart.isEmpty()) {
          d.cartDueAt = 0;
        }
      }
      case EventType.WISHLIST -> {
        wishlist.put(item, new CartLine(Math.max(1, s.quantity), s.price, s.title, t));
        addAffinity(s, cfg.wishlistWeight);
      }
      case EventType.PURCHASE -> onPurchaseLine(s, d, p);
      default -> {
        // search: counts for the session, no affinity (results are not interest)
      }
    }
    learn(s, ctx);
    profile.update(p);
    if (cfg.emitProfileSnapshots
        && EventType.PURCHASE.equals(s.eventType)
        && s.lineIndex == s.lineCount - 1) {
      emitProfile(p, s.eventType, t, ctx);
    }
    reschedule(d, ctx);
  }

  /**
   * One ISGD step on (user, item): the user factor is updated here, the item's step goes back to
   * the keyed-by-item operator as a delta; purchases also feed the repeat and co-purchase signals.
   */
  private void learn(UserSignal s, ReadOnlyContext ctx) throws Exception {
    if (s.itemId == null || s.itemFactor == null || EventType.CART_REMOVE.equals(s.eventType)) {
      return;
    }
    RecParams rp = cfg.recs;
    double weight =
        switch (s.eventType) {
          case EventType.PURCHASE -> rp.purchaseWeight;
          case EventType.CART_ADD, EventType.WISHLIST -> rp.cartWeight;
          case EventType.VIEW -> rp.viewWeight;
          default -> 0;
        };
    ItemFactorDelta feedback = feedback(s, s.itemId);
    if (weight > 0) {
      double[] user = mfFactor.value();
      if (user == null) {
        user = Isgd.init(s.userId, rp.factors, rp.initScale);
      }
      feedback.delta = new double[s.itemFactor.length];
      Isgd.step(user, s.itemFactor, weight, rp, feedback.delta);
      mfFactor.update(user);
    }
    if (!EventType.PURCHASE.equals(s.eventType) && weight > 0 && s.partners.length > 0) {
      // Browsing and carting: candidates from the item's co-buyers, weighted like the MF step,
      // so that shoppers who have not bought yet get recommendations too.
      UserRecState r = recs.value();
      if (r == null) {
        r = new UserRecState();
      }
      UserRecs.addCandidates(
          r,
          s.partners,
          s.partnerCounts,
          s.partnerBuyers,
          s.itemBuyers,
          (float) weight,
          s.eventTime,
          rp);
      recs.update(r);
    }
    if (EventType.PURCHASE.equals(s.eventType)) {
      UserRecState r = recs.value();
      if (r == null) {
        r = new UserRecState(); // the factor lives in its own small state
      }
      UserRecs.addCandidates(
          r, s.partners, s.partnerCounts, s.partnerBuyers, s.itemBuyers, 1f, s.eventTime, rp);
      long buyersOfItem = s.itemBuyers;
      if (UserRecs.indexOf(r.ownedIds, s.itemId) < 0) {
        // First purchase of the item by this user: pair it with their recent distinct purchases,
        // on both sides, through the feedback topic.
        buyersOfItem++;
        int n = Math.min(rp.userCoWindow, r.ownedIds.length);
        feedback.newBuyer = true;
        feedback.coItems = java.util.Arrays.copyOf(r.ownedIds, n);
        feedback.coItemBuyers = java.util.Arrays.copyOf(r.ownedBuyers, n);
        for (int k = 0; k < n; k++) {
          ItemFactorDelta other = feedback(s, r.ownedIds[k]);
          other.coItems = new String[] {s.itemId};
          other.coItemBuyers = new long[] {buyersOfItem};
          ctx.output(FACTOR_DELTAS, other);
        }
      }
      UserRecs.recordOwned(r, s.itemId, s.eventTime, buyersOfItem, rp);
      recs.update(r);
    }
    if (feedback.delta != null || feedback.newBuyer) {
      ctx.output(FACTOR_DELTAS, feedback);
    }
  }

  private static ItemFactorDelta feedback(UserSignal s, String itemId) {
    ItemFactorDelta d = new ItemFactorDelta();
    d.itemId = itemId;
    d.userId = s.userId;
    d.eventId = s.eventId;
    d.eventTime = s.eventTime;
    return d;
  }

  private void onPurchaseLine(UserSignal s, Deadlines d, ProfileCore p) throws Exception {
    long t = s.eventTime;
    String item = s.itemId;
    // An older purchase arriving late must not remove a newer cart or wishlist line.
    CartLine inCart = cart.get(item);
    if (inCart != null && inCart.addedAt <= t) {
      cart.remove(item);
    }
    CartLine inWishlist = wishlist.get(item);
    if (inWishlist != null && inWishlist.addedAt <= t) {
      wishlist.remove(item);
    }
    if (t >= d.cartArmedAt) {
      d.cartDueAt = 0; // checked out: the reminder for this cart is void
    }
    if (s.isFirstLine()) {
      p.orders++;
    }
    if (t > p.lastPurchaseTime) {
      p.lastPurchaseTime = t;
    }
    if (s.price != null) {
      p.monetary += s.price * Math.max(1, s.quantity);
    }
    recentBought.update(pushRecent(recentBought.value(), item));
    addAffinity(s, cfg.purchaseWeight);

    for (int i = 0; i < s.coPurchased.length; i++) {
      Integer prev = crossSellCandidates.get(s.coPurchased[i]);
      int score = s.coPurchasedCounts.length > i ? s.coPurchasedCounts[i] : 1;
      crossSellCandidates.put(s.coPurchased[i], Math.max(score, prev == null ? 0 : prev));
    }
    crossSellCandidates.put("@" + item, 0); // remembers what was bought, to explain and exclude
    if (d.crossSellDueAt == 0) {
      d.crossSellDueAt = t + cfg.crossSellDelayMs;
    }
    d.winBackDueAt =
        p.orders >= cfg.winBackMinOrders && p.winBackSentFor != p.lastPurchaseTime
            ? p.lastPurchaseTime + cfg.winBackAfterMs
            : 0;
  }

  private void trackSession(UserSignal s, Deadlines d, ProfileCore p) throws Exception {
    long t = s.eventTime;
    // A session whose gap passed before t was already closed by fireDue(t - 1) in onEvent.
    SessionState ss = session.value();
    if (ss == null) {
      ss = new SessionState();
      ss.sessionId = s.userId + "/" + t;
      ss.startTime = t;
      ss.lastEventTime = t;
      p.sessions++;
    }
    ss.startTime = Math.min(ss.startTime, t);
    ss.lastEventTime = Math.max(ss.lastEventTime, t);
    if (s.isFirstLine()) {
      ss.events++;
      switch (s.eventType) {
        case EventType.VIEW -> ss.views++;
        case EventType.CART_ADD -> ss.cartAdds++;
        case EventType.CART_REMOVE -> ss.cartRemoves++;
        case EventType.PURCHASE -> ss.purchases++;
        case EventType.SEARCH -> ss.searches++;
        default -> {}
      }
    }
    if (EventType.PURCHASE.equals(s.eventType) && s.price != null) {
      ss.revenue += s.price * Math.max(1, s.quantity);
    }
    // Per line: the item's views this session, or carted/bought (no browse nudge for it then).
    switch (s.eventType) {
      case EventType.VIEW -> ss.countView(s.itemId);
      case EventType.CART_ADD, EventType.PURCHASE -> ss.markEngaged(s.itemId);
      default -> {}
    }
    session.update(ss);
    d.sessionCloseAt = ss.lastEventTime + cfg.sessionGapMs;
  }

  private void addAffinity(UserSignal s, double weight) throws Exception {
    if (s.category == null && s.itemId == null) {
      return;
    }
    // Both in one read and one write of the user's value: through the two fields, each would read
    // the whole value and each write would read and write it again (with the cache off, RocksDB
    // calls each).
    UserScalars u = scalars.value();
    if (u == null) {
      u = new UserScalars();
    }
    if (s.category != null) {
      u.categoryAffinity =
          bump(u.categoryAffinity, s.category, weight, s.eventTime, cfg.maxCategoryAffinities);
    }
    if (s.itemId != null) {
      u.itemAffinity = bump(u.itemAffinity, s.itemId, weight, s.eventTime, cfg.maxItemAffinities);
    }
    scalars.update(u);
  }

  /**
   * Adds weight to a decayed score; beyond a fifth over {@code bound} keys, keeps the {@code bound}
   * strongest (pruning in steps, not at every new key). Returns the scores ({@code scores} or new).
   */
  private DecayedScores bump(DecayedScores scores, String key, double w, long t, int bound) {
    if (scores == null) {
      scores = new DecayedScores();
    }
    if (Affinities.bump(scores, key, w, t, cfg.affinityHalfLifeMs)
        && scores.size() > bound * 6 / 5) {
      Affinities.prune(scores, bound, t, cfg.affinityHalfLifeMs);
    }
    return scores;
  }

  private String[] pushRecent(String[] recent, String item) {
    return pushRecent(recent, item, cfg.recentItems);
  }

  /** {@code item} first, then the others of {@code recent} in order, at most {@code max} of all. */
  static String[] pushRecent(String[] recent, String item, int max) {
    int cap = Math.max(1, max);
    if (recent == null) {
      return new String[] {item};
    }
    if (recent.length > 0 && recent.length <= cap && recent[0].equals(item)) {
      return recent; // viewed again: nothing moves (ids are unique in the list)
    }
    String[] out = new String[Math.min(cap, recent.length + 1)];
    out[0] = item;
    int n = 1;
    for (int i = 0; i < recent.length && n < out.length; i++) {
      if (!recent[i].equals(item)) {
        out[n++] = recent[i];
      }
    }
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

  // ------------------------------------------------------------------ timers

  @Override
  public void onTimer(long ts, OnTimerContext ctx, Collector<Action> out) throws Exception {
    Deadlines d = deadlines.value();
    if (d == null) {
      return;
    }
    d.scheduledTimer = 0;
    fireDue(ts, d, out, ctx);
    reschedule(d, ctx);
  }

  /**
   * Fires every deadline at or before {@code upTo} in time order (equal times in the order below),
   * as a timer per deadline would. The order matters to the guardrails: a notice deferred to the
   * end of quiet hours must reach the de-duplication log before a later session's notice on the
   * same items. Firing by kind instead made the outcome depend on whether the watermark or the
   * user's next event passed the two deadlines first.
   */
  private void fireDue(long upTo, Deadlines d, Collector<Action> out, ReadOnlyContext ctx)
      throws Exception {
    long next;
    // Each branch moves its deadline past next (to 0 or later), so the loop ends.
    while ((next = d.earliest()) != 0 && next <= upTo) {
      if (d.sessionCloseAt == next) {
        SessionState ss = session.value();
        if (ss != null) {
          fireBrowseAbandonment(ss, d, out, ctx);
          fireRecommendation(ss, d, out, ctx);
          closeSession(ss, ctx);
        }
        d.sessionCloseAt = 0;
      } else if (d.cartDueAt == next) {
        fireCartAbandonment(next, d, out, ctx);
        d.cartDueAt = 0;
      } else if (d.crossSellDueAt == next) {
        fireCrossSell(next, d, out, ctx);
        d.crossSellDueAt = 0;
      } else if (d.winBackDueAt == next) {
        fireWinBack(next, d, out, ctx);
        d.winBackDueAt = 0;
      } else if (d.pendingDueAt == next) {
        releaseDeferred(next, d, out, ctx);
      } else {
        releaseReviews(next, d, out, ctx);
      }
    }
  }

  private void closeSession(SessionState ss, ReadOnlyContext ctx) throws Exception {
    SessionSummary sum = new SessionSummary();
    sum.sessionId = ss.sessionId;
    sum.userId = ctx.getCurrentKey();
    sum.startTime = ss.startTime;
    sum.endTime = ss.lastEventTime;
    sum.events = ss.events;
    sum.views = ss.views;
    sum.cartAdds = ss.cartAdds;
    sum.cartRemoves = ss.cartRemoves;
    sum.purchases = ss.purchases;
    sum.searches = ss.searches;
    sum.revenue = ss.revenue;
    sum.cartLeftOpen = !cart.isEmpty();
    ctx.output(SESSIONS, sum);
    ProfileCore p = cfg.emitProfileSnapshots ? profile.value() : null;
    if (p != null) {
      emitProfile(p, null, ss.lastEventTime, ctx);
    }
    session.clear();
  }

  private void emitProfile(ProfileCore p, String lastEventType, long asOf, ReadOnlyContext ctx)
      throws Exception {
    ctx.output(
        PROFILES,
        ProfileSnapshots.of(
            ctx.getCurrentKey(), p, categoryAffinity.value(), lastEventType, asOf, cfg));
  }

  private void fireBrowseAbandonment(
      SessionState ss, Deadlines d, Collector<Action> out, ReadOnlyContext ctx) throws Exception {
    List<Map.Entry<String, Integer>> viewed = new ArrayList<>();
    for (int i = 0; i < ss.viewedItems.length; i++) {
      if (ss.viewCounts[i] >= cfg.browseViewThreshold) {
        viewed.add(Map.entry(ss.viewedItems[i], ss.viewCounts[i]));
      }
    }
    if (viewed.isEmpty()) {
      return;
    }
    viewed.sort(
        Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue)
            .reversed()
            .thenComparing(Map.Entry::getKey));
    List<Map.Entry<String, Integer>> top = viewed.subList(0, Math.min(3, viewed.size()));
    String[] items = top.stream().map(Map.Entry::getKey).toArray(String[]::new);
    long at = ss.lastEventTime + cfg.sessionGapMs;
    Action a =
        newAction(
            ctx.getCurrentKey(),
            ActionType.BROWSE_ABANDONMENT,
            at,
            items,
            Explanations.browseAbandonment(top, cfg.browseViewThreshold));
    deliver(a, at, d, out, ctx);
  }

  /**
   * After an engaged session (a purchase, or enough views), recommends items the user has not
   * bought: co-purchase partners of what they bought, ranked by the hybrid score.
   */
  private void fireRecommendation(
      SessionState ss, Deadlines d, Collector<Action> out, ReadOnlyContext ctx) throws Exception {
    if (ss.purchases == 0 && ss.views < cfg.recommendAfterViews) {
      return;
    }
    UserRecState r = recs.value();
    if (r == null) {
      r = new UserRecState(); // no purchases or co-buyers yet: popular and category picks
    }
    long at = ss.lastEventTime + cfg.sessionGapMs;
    // Items of this session (viewed, carted, bought) are not news: the browse and cart nudges
    // cover them.
    java.util.Set<String> seen = new java.util.HashSet<>(Arrays.asList(ss.viewedItems));
    // With the ranker on, over-fetch: the ranking operator re-ranks the candidates with the
    // sidecar's model and keeps the first recommendationSize (or keeps these, in this order).
    int fetch = Math.max(cfg.recommendationSize, cfg.rankerCandidates);
    List<UserRecs.Scored> candidates = rankForUser(r, fetch, at, seen, ctx);
    if (candidates.isEmpty()) {
      return;
    }
    List<UserRecs.Scored> top =
        candidates.subList(0, Math.min(cfg.recommendationSize, candidates.size()));
    // The id and the de-duplication key are of the hybrid's top items, whatever the ranker does.
    String[] items = top.stream().map(UserRecs.Scored::item).toArray(String[]::new);
    Action a =
        newAction(
            ctx.getCurrentKey(),
            ActionType.RECOMMENDATION,
            at,
            items,
            Explanations.recommendation(top, r.ownedIds));
    if (cfg.rankerCandidates > 0) {
      attachRankerCandidates(a, r, candidates, at, ctx);
    }
    deliver(a, at, d, out, ctx);
  }

  /**
   * The candidates, their explanation notes and their ranker feature rows, for the ranking operator
   * (see {@code RecommendationRankingFunction}); never written out.
   */
  private static void attachRankerCandidates(
      Action a, UserRecState r, List<UserRecs.Scored> candidates, long at, ReadOnlyContext ctx)
      throws Exception {
    PopularItems popular = ctx.getBroadcastState(POPULAR).get(LATEST);
    int n = candidates.size();
    int f = RankerFeatures.SIZE;
    a.rankCandidates = new String[n];
    a.rankNotes = new String[n];
    a.rankFeatures = new float[n * f];
    for (int i = 0; i < n; i++) {
      UserRecs.Scored c = candidates.get(i);
      a.rankCandidates[i] = c.item();
      a.rankNotes[i] = Explanations.recommendationNote(c);
      System.arraycopy(JobRankerFeatures.of(r, c, at, popular), 0, a.rankFeatures, i * f, f);
    }
    a.rankBasis = Explanations.recommendationBasis(r.ownedIds);
  }

  private void fireCartAbandonment(long at, Deadlines d, Collector<Action> out, ReadOnlyContext ctx)
      throws Exception {
    Map<String, CartLine> lines = new LinkedHashMap<>();
    for (Map.Entry<String, CartLine> e : cart.entries()) {
      lines.put(e.getKey(), e.getValue());
    }
    if (lines.isEmpty()) {
      return;
    }
    String[] items = lines.keySet().stream().sorted().toArray(String[]::new);
    Action a =
        newAction(
            ctx.getCurrentKey(),
            ActionType.CART_ABANDONMENT,
            at,
            items,
            Explanations.cartAbandonment(lines, d.cartArmedAt, cfg.cartAbandonAfterMs));
    attachRecommendations(a, at, ctx);
    deliver(a, at, d, out, ctx);
  }

  private void fireCrossSell(long at, Deadlines d, Collector<Action> out, ReadOnlyContext ctx)
      throws Exception {
    List<String> bought = new ArrayList<>();
    List<Map.Entry<String, Integer>> candidates = new ArrayList<>();
    for (Map.Entry<String, Integer> e : crossSellCandidates.entries()) {
      if (e.getKey().startsWith("@")) {
        bought.add(e.getKey().substring(1));
      } else {
        candidates.add(Map.entry(e.getKey(), e.getValue()));
      }
    }
    crossSellCandidates.clear();
    String[] recent = recentBought.value();
    List<String> owned = new ArrayList<>(bought);
    if (recent != null) {
      owned.addAll(List.of(recent));
    }
    candidates.removeIf(c -> owned.contains(c.getKey()) || isInCart(c.getKey()));
    if (candidates.isEmpty()) {
      return;
    }
    candidates.sort(
        Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue)
            .reversed()
            .thenComparing(Map.Entry::getKey));
    List<Map.Entry<String, Integer>> top =
        candidates.subList(0, Math.min(cfg.crossSellMaxItems, candidates.size()));
    String[] items = top.stream().map(Map.Entry::getKey).toArray(String[]::new);
    bought.sort(null);
    Action a =
        newAction(
            ctx.getCurrentKey(),
            ActionType.CROSS_SELL,
            at,
            items,
            Explanations.crossSell(bought, top, cfg.crossSellDelayMs));
    attachRecommendations(a, at, ctx);
    deliver(a, at, d, out, ctx);
  }

  /**
   * Attaches the recommender's top picks that are not the action's own items (nor owned) and
   * mentions them in the explanation. With a ranker, over-fetched candidates go along for the
   * ranking operator, which re-orders the picks the way it re-orders a recommendation's items.
   */
  private void attachRecommendations(Action a, long now, ReadOnlyContext ctx) throws Exception {
    if (cfg.attachedRecommendations <= 0) {
      return;
    }
    UserRecState r = recs.value();
    if (r == null) {
      r = new UserRecState();
    }
    java.util.Set<String> own = new java.util.HashSet<>(List.of(a.items));
    int fetch = Math.max(cfg.attachedRecommendations, cfg.rankerCandidates);
    List<UserRecs.Scored> candidates = rankForUser(r, fetch, now, own, ctx);
    a.recommendedItems =
        candidates.subList(0, Math.min(cfg.attachedRecommendations, candidates.size())).stream()
            .map(UserRecs.Scored::item)
            .toArray(String[]::new);
    a.explanation += Explanations.alsoRecommended(a.recommendedItems);
    if (cfg.rankerCandidates > 0 && !candidates.isEmpty()) {
      attachRankerCandidates(a, r, candidates, now, ctx);
    }
  }

  /**
   * The job's ranking: items the user has not bought, by the hybrid score over their co-buyer
   * candidates and the broadcast popular-items snapshot (popularity, category best sellers, new
   * items, MF scores against the user's factor), with content similarity from the profile's
   * category affinities.
   */
  private List<UserRecs.Scored> rankForUser(
      UserRecState r, int k, long now, java.util.Set<String> exclude, ReadOnlyContext ctx)
      throws Exception {
    PopularItems popular = ctx.getBroadcastState(POPULAR).get(LATEST);
    boolean repeats = cfg.repeatAfterMs >= 0;
    // Left out: the caller's items and, when repeats are on, items bought recently (regular
    // purchases come back after repeatAfterMs).
    java.util.Set<String> leftOut = new java.util.HashSet<>(exclude);
    if (repeats) {
      for (int i = 0; i < r.ownedIds.length; i++) {
        if (now - r.ownedLast[i] < cfg.repeatAfterMs) {
          leftOut.add(r.ownedIds[i]);
        }
      }
    }
    return UserRecs.rank(
        r,
        mfFactor.value(),
        k,
        !repeats,
        now,
        popular,
        UserRecs.shares(categoryAffinity.value(), now, cfg.affinityHalfLifeMs),
        cfg.recs,
        leftOut);
  }

  private boolean isInCart(String item) {
    try {
      return cart.contains(item);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private void fireWinBack(long at, Deadlines d, Collector<Action> out, ReadOnlyContext ctx)
      throws Exception {
    ProfileCore p = profile.value();
    if (p == null
        || p.orders < cfg.winBackMinOrders
        || at < p.lastPurchaseTime + cfg.winBackAfterMs) {
      return; // bought again since the deadline was set
    }
    String[] recent = recentBought.value();
    String[] items =
        recent == null
            ? new String[0]
            : java.util.Arrays.copyOf(recent, Math.min(3, recent.length));
    Action a =
        newAction(
            ctx.getCurrentKey(),
            ActionType.WIN_BACK,
            at,
            items,
            Explanations.winBack(
                p.orders,
                p.monetary,
                p.lastPurchaseTime,
                cfg.winBackAfterMs,
                Lifecycle.stage(p, at, cfg),
                Lifecycle.priceBand(p, cfg),
                topCategory(at)));
    p.winBackSentFor = p.lastPurchaseTime;
    profile.update(p);
    attachRecommendations(a, at, ctx);
    deliver(a, at, d, out, ctx);
  }

  private String topCategory(long now) throws Exception {
    List<String> top =
        Affinities.strongest(categoryAffinity.value(), now, cfg.affinityHalfLifeMs, 1);
    return top.isEmpty() ? null : top.get(0);
  }

  private void releaseDeferred(long ts, Deadlines d, Collector<Action> out, ReadOnlyContext ctx)
      throws Exception {
    List<PendingAction> due = new ArrayList<>();
    for (PendingAction pa : deferred.values()) {
      if (pa.dueAt <= ts) {
        due.add(pa);
      }
    }
    due.sort(
        Comparator.comparingLong((PendingAction pa) -> pa.dueAt)
            .thenComparing(pa -> pa.action.actionId));
    for (PendingAction pa : due) {
      deferred.remove(pa.action.actionId);
    }
    d.pendingDueAt = 0;
    for (PendingAction pa : due) {
      deliver(pa.action, pa.dueAt, d, out, ctx);
    }
    for (PendingAction pa : deferred.values()) {
      if (d.pendingDueAt == 0 || pa.dueAt < d.pendingDueAt) {
        d.pendingDueAt = pa.dueAt;
      }
    }
  }

  // ------------------------------------------------------------------ guardrails

  private Action newAction(String user, String type, long at, String[] items, String why) {
    Action a = new Action();
    a.userId = user;
    a.actionType = type;
    a.channel = cfg.channelFor(type);
    a.items = items;
    a.explanation = why;
    a.campaign = cfg.campaignPrefix + "-" + type;
    a.variant = cfg.defaultVariant;
    a.triggerEventTime = at;
    a.sendAt = at;
    a.actionId = ActionIds.of(user, type, at, items);
    return a;
  }

  /** Whether the action's channel is quiet at {@code now}: it would be deferred, not sent. */
  private boolean inQuietHours(Action a, long now) {
    return cfg.quietHoursChannels.contains(a.channel)
        && QuietHours.isQuiet(now, zone, cfg.quietStartHour, cfg.quietEndHour);
  }

  /**
   * Consent, then de-duplication, then quiet hours (defer), then the frequency cap; an action that
   * passes all four is emitted. Deferred actions pass through here again when they come due. {@code
   * d} may be null when the action is not {@link #inQuietHours} (it is only needed to defer).
   */
  private void deliver(Action a, long now, Deadlines d, Collector<Action> out, ReadOnlyContext ctx)
      throws Exception {
    Boolean allowed = consent.get(a.channel);
    if (!(allowed == null ? cfg.consentDefaultAllowed : allowed)) {
      suppress(a, SuppressedAction.CONSENT, ctx);
      return;
    }
    String dedupKey = ActionIds.dedupKey(a.actionType, a.items);
    SentLog log = sent.value();
    Long lastSent = log == null ? null : log.lastSent(dedupKey);
    if (lastSent != null && now - lastSent < cfg.dedupWindowMs) {
      suppress(a, SuppressedAction.DUPLICATE, ctx);
      return;
    }
    if (inQuietHours(a, now)) {
      long due = QuietHours.nextAllowed(now, zone, cfg.quietStartHour, cfg.quietEndHour);
      deferred.put(a.actionId, new PendingAction(a, due));
      if (d.pendingDueAt == 0 || due < d.pendingDueAt) {
        d.pendingDueAt = due;
      }
      return;
    }
    long day = QuietHours.day(now, zone);
    if (log != null && log.sentOn(a.channel, day) >= cfg.frequencyCapPerChannelPerDay) {
      suppress(a, SuppressedAction.FREQUENCY_CAP, ctx);
      return;
    }
    if (log == null) {
      log = new SentLog();
    }
    log.record(a.channel, day, dedupKey, now, cfg.dedupWindowMs);
    sent.update(log);
    a.sendAt = now;
    a.processingTime = System.currentTimeMillis();
    actionsSent.inc();
    out.collect(a);
  }

  private void suppress(Action a, String reason, ReadOnlyContext ctx) {
    RecommendationRankingFunction.clearTransient(a); // no ranker sees a suppressed action
    actionsSuppressed.inc();
    ctx.output(SUPPRESSED, new SuppressedAction(a, reason));
  }

  // ------------------------------------------------------------------ timer bookkeeping

  private Deadlines deadlinesOrNew() throws Exception {
    Deadlines d = deadlines.value();
    return d == null ? new Deadlines() : d;
  }

  /** One timer per user: at the earliest deadline, rounded up so near deadlines share it. */
  private void reschedule(Deadlines d, ReadOnlyContext ctx) throws Exception {
    long earliest = d.earliest();
    long wanted = earliest == 0 ? 0 : roundUp(earliest);
    // A deadline pushed later (each event of a session moves its close) keeps the earlier timer:
    // when that fires with nothing due, onTimer registers the later one. Moving the timer on every
    // event cost a delete and an insert in RocksDB's timer queue, a tenth of this operator's time.
    boolean earlierTimerStands = wanted > d.scheduledTimer && d.scheduledTimer != 0;
    if (wanted != d.scheduledTimer && !earlierTimerStands) {
      if (d.scheduledTimer != 0) {
        ctx.timerService().deleteEventTimeTimer(d.scheduledTimer);
      }
      if (wanted != 0) {
        ctx.timerService().registerEventTimeTimer(wanted);
      }
      d.scheduledTimer = wanted;
    }
    if (earliest == 0
        && session.value() == null
        && cart.isEmpty()
        && deferred.isEmpty()
        && pendingReviews.isEmpty()) {
      deadlines.clear();
    } else {
      deadlines.update(d);
    }
  }

  /** The timer registered for the current key, 0 for none (tests). */
  long scheduledTimer() throws Exception {
    Deadlines d = deadlines.value();
    return d == null ? 0 : d.scheduledTimer;
  }

  private long roundUp(long t) {
    long g = cfg.timerGranularityMs;
    return g <= 1 ? t : ((t + g - 1) / g) * g;
  }
}
