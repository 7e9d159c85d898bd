package io.shopflow.marketing.pipelines.bench;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * A deterministic synthetic shop for the benchmark: record {@code i} is a function of {@code i}
 * alone (any subtask can generate any index, replays give the same records). Users and items are
 * Zipf-distributed; the event mix follows the OTTO sample and Online Retail (views far above carts,
 * carts above purchases), with rare catalogue price changes (price drops) and consent changes.
 */
public final class SyntheticShop implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Simulated start of the event clock. */
  public static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

  // cumulative shares of the event mix
  static final double CATALOG = 0.0005;
  static final double CONSENT = 0.0008;
  static final double PURCHASE = 0.02;
  static final double CART_ADD = 0.08;
  static final double CART_REMOVE = 0.09;
  static final double WISHLIST = 0.10;
  static final double SEARCH = 0.12;

  public final int users;
  public final int items;

  /** Simulated event time between two consecutive records (of all generator subtasks). */
  public final long stepMs;

  /** Indices per generator subtask (the source splits the index range into contiguous parts). */
  public final long span;

  public final int subtasks;

  /**
   * Events per visit: a shopper's events come in bursts (in the OTTO sample the median gap between
   * a session's events is 40 s), so record {@code i} belongs to one of {@link #CONCURRENT_VISITS}
   * interleaved visits of this many events each, and the visit draws the user. 1 = every record
   * draws its user independently.
   */
  public final int visitEvents;

  /** Visits in progress at any time (records of one visit are this many indices apart). */
  public static final int CONCURRENT_VISITS = 200;

  private transient double[] userCdf;
  private transient double[] itemCdf;

  /** What one index turns into: the topic it would come from and its JSON. */
  public record Generated(String topic, byte[] json, long eventTime, String type) {}

  /**
   * @param count the generator's index count, split into {@code subtasks} contiguous ranges: every
   *     range starts at {@link #T0}, so that all subtasks move through event time together
   */
  public SyntheticShop(int users, int items, long stepMs, long count, int subtasks) {
    this(users, items, stepMs, count, subtasks, 1);
  }

  public SyntheticShop(
      int users, int items, long stepMs, long count, int subtasks, int visitEvents) {
    if (visitEvents < 1) {
      throw new IllegalArgumentException("visitEvents must be at least 1, got " + visitEvents);
    }
    this.visitEvents = visitEvents;
    this.users = users;
    this.items = items;
    this.stepMs = stepMs;
    this.subtasks = subtasks;
    this.span = Math.max(1, count / subtasks);
  }

  /** Simulated event time of record {@code i}. */
  public long timeOf(long i) {
    return T0 + (i % span) * stepMs * subtasks;
  }

  /** The user of record {@code i} (the same draw as {@link #record}). */
  public String user(long i) {
    init();
    SplittableRandom r = new SplittableRandom(i * 0x9E3779B97F4A7C15L + 7);
    r.nextDouble();
    return "u" + userRank(i, r.nextDouble());
  }

  /** The user's Zipf rank: drawn by the record ({@code draw}) or by its visit. */
  private int userRank(long i, double draw) {
    if (visitEvents == 1) {
      return sample(userCdf, draw);
    }
    long slot = i % CONCURRENT_VISITS;
    long visit = i / CONCURRENT_VISITS / visitEvents;
    SplittableRandom v =
        new SplittableRandom((visit * CONCURRENT_VISITS + slot) * 0xBF58476D1CE4E5B9L + 11);
    return sample(userCdf, v.nextDouble());
  }

  private void init() {
    if (userCdf == null) {
      userCdf = zipfCdf(users, 0.8);
      itemCdf = zipfCdf(items, 1.0);
    }
  }

  /** Record {@code i} on the simulated clock. */
  public Generated record(long i) {
    return record(i, timeOf(i));
  }

  /** Record {@code i} with the given event time (the latency run uses the wall clock). */
  public Generated record(long i, long eventTime) {
    init();
    SplittableRandom r = new SplittableRandom(i * 0x9E3779B97F4A7C15L + 7);
    double kind = r.nextDouble();
    String user = "u" + userRank(i, r.nextDouble());
    String item = "sku-" + sample(itemCdf, r.nextDouble());
    StringBuilder b = new StringBuilder(200);
    if (kind < CATALOG) {
      double base = 5 + (item.hashCode() & 0xff) / 4.0;
      double price = r.nextBoolean() ? base : base * 0.7;
      b.append("{\"event_id\":\"c-")
          .append(i)
          .append("\",\"item_id\":\"")
          .append(item)
          .append("\",\"event_time\":")
          .append(eventTime)
          .append(",\"title\":\"Item ")
          .append(item)
          .append("\",\"category_path\":[\"Shop\",\"cat-")
          .append(Math.floorMod(item.hashCode(), 200))
          .append("\"],\"price\":")
          .append(Math.round(price * 100) / 100.0)
          .append(",\"currency\":\"EUR\",\"stock\":10}");
      return new Generated("shop.catalog", bytes(b), eventTime, "catalog");
    }
    if (kind < CONSENT) {
      b.append("{\"event_id\":\"k-")
          .append(i)
          .append("\",\"user_id\":\"")
          .append(user)
          .append("\",\"event_time\":")
          .append(eventTime)
          .append(",\"change\":\"opt_in\",\"channels\":[\"email\",\"push\"]}");
      return new Generated("shop.consent", bytes(b), eventTime, "consent");
    }
    String type =
        kind < PURCHASE
            ? "purchase"
            : kind < CART_ADD
                ? "cart_add"
                : kind < CART_REMOVE
                    ? "cart_remove"
                    : kind < WISHLIST ? "wishlist" : kind < SEARCH ? "search" : "view";
    b.append("{\"event_id\":\"e-")
        .append(i)
        .append("\",\"event_type\":\"")
        .append(type)
        .append("\",\"user_id\":\"")
        .append(user)
        .append("\",\"event_time\":")
        .append(eventTime);
    if (type.equals("search")) {
      b.append(",\"query\":\"q").append(r.nextInt(1000)).append("\"}");
      return new Generated("shop.events", bytes(b), eventTime, type);
    }
    int lines = type.equals("purchase") ? 1 + r.nextInt(3) : 1;
    b.append(",\"items\":[");
    for (int l = 0; l < lines; l++) {
      String it = l == 0 ? item : "sku-" + sample(itemCdf, r.nextDouble());
      b.append(l == 0 ? "" : ",")
          .append("{\"item_id\":\"")
          .append(it)
          .append("\",\"quantity\":1,\"price\":")
          .append(5 + (it.hashCode() & 0xff) / 4.0)
          .append('}');
    }
    b.append(']');
    if (type.equals("purchase")) {
      b.append(",\"order_id\":\"o-").append(i).append('"');
    }
    b.append('}');
    return new Generated("shop.events", bytes(b), eventTime, type);
  }

  private static byte[] bytes(StringBuilder b) {
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Cumulative Zipf(s) probabilities over ranks 1..n. */
  static double[] zipfCdf(int n, double s) {
    double[] cdf = new double[n];
    double sum = 0;
    for (int k = 1; k <= n; k++) {
      sum += 1.0 / Math.pow(k, s);
      cdf[k - 1] = sum;
    }
    for (int k = 0; k < n; k++) {
      cdf[k] /= sum;
    }
    return cdf;
  }

  /** Rank (0-based) whose cumulative probability first reaches {@code u}. */
  static int sample(double[] cdf, double u) {
    int lo = 0;
    int hi = cdf.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cdf[mid] < u) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
