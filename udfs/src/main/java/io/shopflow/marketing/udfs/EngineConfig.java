package io.shopflow.marketing.udfs;

import io.shopflow.marketing.schema.ActionType;
import io.shopflow.marketing.schema.Channel;
import java.io.Serializable;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Every threshold of sessions, profiles, triggers and guardrails, with the defaults the engine
 * ships. Serializable so that operators carry it; built from the command line in {@code pipelines}.
 */
public class EngineConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  // --- sessions ---
  public long sessionGapMs = Duration.ofMinutes(30).toMillis();

  // --- profile ---
  /** Half-life of category and item affinities (event time). */
  public long affinityHalfLifeMs = Duration.ofDays(30).toMillis();

  /** Item affinities kept per user; the weakest are pruned beyond this. */
  public int maxItemAffinities = 50;

  /** Category affinities kept per user. */
  public int maxCategoryAffinities = 30;

  /** Recently viewed / bought items kept per user. */
  public int recentItems = 10;

  public double viewWeight = 1.0;
  public double cartWeight = 3.0;
  public double wishlistWeight = 2.0;
  public double purchaseWeight = 5.0;

  /** Lifecycle: active if last purchase within this. */
  public long activeWithinMs = Duration.ofDays(30).toMillis();

  /** Lifecycle: at risk if last purchase within this (and not active), lapsed beyond it. */
  public long atRiskWithinMs = Duration.ofDays(90).toMillis();

  /** Price band boundaries on the mean unit price the user engages with. */
  public double budgetBelow = 2.0;

  public double premiumAbove = 10.0;

  // --- triggers ---
  /** Cart abandonment: items in cart and no purchase within this after the last cart add. */
  public long cartAbandonAfterMs = Duration.ofMinutes(30).toMillis();

  /**
   * Service recovery: a review of a bought item counts as clearly negative when its negative-class
   * probability is at least this, or its rating is at most {@link #serviceRecoveryMaxRating}.
   */
  public double serviceRecoveryMinNegative = 0.7;

  public int serviceRecoveryMaxRating = 2;

  /** Half-life of a user's review-sentiment tendency (event time). */
  public long reviewSentimentHalfLifeMs = Duration.ofDays(90).toMillis();

  /** Browse abandonment: an item viewed at least this often in one session and never carted. */
  public int browseViewThreshold = 3;

  /** Win-back: no purchase for this long ... */
  public long winBackAfterMs = Duration.ofDays(60).toMillis();

  /** ... after at least this many orders (an "active buyer"). */
  public int winBackMinOrders = 2;

  /** Cross-sell goes out this long after a purchase. */
  public long crossSellDelayMs = Duration.ofHours(1).toMillis();

  public int crossSellMaxItems = 3;

  /** A co-purchased item is suggested only when bought together at least this often. */
  public int coPurchaseMinCount = 2;

  /** Co-purchase partners counted per item; the rarest are pruned beyond this. */
  public int maxCoPurchasePartners = 100;

  /** Orders with more lines than this are not counted as co-purchases (wholesale baskets). */
  public int maxBasketForCoPurchase = 50;

  /** Price drop: relative drop that counts (0.10 = 10 %). */
  public double priceDropMinFraction = 0.10;

  /** Price drop: a cart add or wishlist counts as interest this long. */
  public long interestWindowMs = Duration.ofDays(30).toMillis();

  /** Interested users remembered per item (most recent kept). */
  public int maxInterestedUsersPerItem = 1000;

  // --- guardrails ---
  /** Users without any consent record may be contacted (true) or not (false). */
  public boolean consentDefaultAllowed = true;

  public int frequencyCapPerChannelPerDay = 3;

  /** Quiet hours, local time in {@link #zone}; actions due inside are deferred to their end. */
  public int quietStartHour = 21;

  public int quietEndHour = 8;

  public Set<String> quietHoursChannels = Set.of(Channel.PUSH, Channel.SMS);

  /** An identical action (type and items) is not sent twice within this window. */
  public long dedupWindowMs = Duration.ofDays(7).toMillis();

  public String zone = "UTC";

  public Map<String, String> channelByAction = defaultChannels();

  // --- time ---
  /** Events this far behind the watermark go to the DLQ as late instead of being processed. */
  public long allowedLatenessMs = Duration.ofHours(1).toMillis();

  /**
   * Emit profile snapshots (session close, purchase, erasure) on the user operator's PROFILES side
   * output; set by the job when a sink consumes them (Elasticsearch), off otherwise.
   */
  public boolean emitProfileSnapshots = false;

  /** Timers are rounded up to this granularity so that near deadlines share one timer. */
  public long timerGranularityMs = Duration.ofMinutes(1).toMillis();

  // --- state retention (processing time, Flink state TTL) ---
  public long profileTtlMs = Duration.ofDays(400).toMillis();

  // --- state cache ---
  /**
   * Keys (users in the user operator, items in the item operator) whose state each subtask keeps on
   * the heap in front of RocksDB, written back before each checkpoint; 0 turns the cache off (every
   * access goes to RocksDB).
   */
  public int stateCacheKeys = 50_000;

  /**
   * Of those, keys with changes not yet written to RocksDB; beyond it the oldest change is written
   * back at once. Bounds what a checkpoint has to write, and so the pause it causes.
   */
  public int stateCacheDirtyKeys = 5_000;

  /**
   * A cached change older than this is written to RocksDB while records are processed, so that a
   * checkpoint only has the last moments' changes to write.
   */
  public long stateCacheDirtyAgeMs = 300;

  /**
   * On RocksDB, the keyed operators start a background flush of their memtables this long before
   * each checkpoint is due, so that the checkpoint's synchronous flush, which holds the task
   * thread, finds only what was written since; 0 leaves the whole flush to the checkpoint.
   */
  public long rocksDbPreFlushLeadMs = 500;

  /**
   * From 100 ms before that pre-flush until the checkpoint, a cached change older than this is
   * written back while records are processed (instead of {@link #stateCacheDirtyAgeMs}), so that
   * the checkpoint's synchronous part, which holds the task thread, has only the last moments'
   * changes to write; a negative value, or one at or above the dirty age, turns it off.
   */
  public long stateCacheDrainAgeMs = 20;

  /** A cached key untouched this long is dropped at the next checkpoint (well below any TTL). */
  public long stateCacheIdleMs = Duration.ofMinutes(10).toMillis();

  public long catalogTtlMs = Duration.ofDays(400).toMillis();

  /** The online recommender's parameters (MF, co-purchase, blend). */
  public io.shopflow.marketing.udfs.recs.RecParams recs =
      new io.shopflow.marketing.udfs.recs.RecParams();

  /** A session with at least this many views (or any purchase) ends with a recommendation. */
  public int recommendAfterViews = 2;

  public int recommendationSize = 5;

  /**
   * Candidates a recommendation action carries, in hybrid order with their ranker features, for the
   * ranking operator to re-rank with the sidecar's {@code ranker} model and trim to {@link
   * #recommendationSize}; 0 (the default, and always without a sidecar): the hybrid order is final
   * and the action carries no candidates.
   */
  public int rankerCandidates = 0;

  /** Recommender picks attached to cart-abandonment, cross-sell and win-back actions. */
  public int attachedRecommendations = 3;

  /**
   * Items the user bought come back as recommendations ("you buy it regularly") once this long has
   * passed since their last purchase; never sooner. A negative value never recommends owned items.
   */
  public long repeatAfterMs = java.time.Duration.ofDays(14).toMillis();

  public String campaignPrefix = "always-on";

  public String defaultVariant = "control";

  public EngineConfig() {}

  public ZoneId zoneId() {
    return ZoneId.of(zone);
  }

  public String channelFor(String actionType) {
    return channelByAction.getOrDefault(actionType, Channel.EMAIL);
  }

  private static Map<String, String> defaultChannels() {
    Map<String, String> m = new HashMap<>();
    m.put(ActionType.CART_ABANDONMENT, Channel.EMAIL);
    m.put(ActionType.BROWSE_ABANDONMENT, Channel.PUSH);
    m.put(ActionType.WIN_BACK, Channel.EMAIL);
    m.put(ActionType.CROSS_SELL, Channel.EMAIL);
    m.put(ActionType.PRICE_DROP, Channel.PUSH);
    m.put(ActionType.RECOMMENDATION, Channel.EMAIL);
    m.put(ActionType.SERVICE_RECOVERY, Channel.EMAIL);
    return m;
  }
}
