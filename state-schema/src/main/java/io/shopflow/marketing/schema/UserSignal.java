package io.shopflow.marketing.schema;

/**
 * Input of the keyed-by-user operator: an enriched event line, a price drop fanned out from the
 * catalogue, a consent change, or a review with its sentiment. Flat, so that Flink's POJO
 * serializer carries it.
 */
public class UserSignal {
  public static final int EVENT = 0;
  public static final int PRICE_DROP = 1;
  public static final int CONSENT = 2;
  public static final int REVIEW = 3;

  public int kind;
  public String userId;
  public long eventTime;
  public String eventId;

  // --- EVENT fields (one line of a behaviour event, joined with the catalogue) ---
  public String eventType;

  /** Null for an event without items (a search with no results). */
  public String itemId;

  public int quantity;

  /** Unit price: the event's own, else the catalogue's; null when neither knows it. */
  public Double price;

  public String currency;
  public String title;

  /** Leaf category from the catalogue, or "unknown". */
  public String category;

  public String sessionHint;
  public String query;
  public int lineIndex;
  public int lineCount = 1;

  /** For purchase lines: items most often bought together with this one, best first. */
  public String[] coPurchased = new String[0];

  /** How often each {@link #coPurchased} item was bought together with this one. */
  public int[] coPurchasedCounts = new int[0];

  // --- recommender fields (EVENT lines), from the keyed-by-item operator ---
  /** The item's MF factor as the item operator holds it now (null: not known yet). */
  public double[] itemFactor;

  /** For purchase lines: the item's best co-purchase partners and their counts. */
  public String[] partners = new String[0];

  public int[] partnerCounts = new int[0];

  /** Distinct buyers of each partner as last reported to the item (n_j). */
  public long[] partnerBuyers = new long[0];

  /** Distinct buyers of the item (n_i). */
  public long itemBuyers;

  // --- PRICE_DROP fields (itemId, title, category too) ---
  public double oldPrice;
  public double newPrice;

  // --- CONSENT fields ---
  public String consentChange;
  public String[] channels = new String[0];

  // --- REVIEW fields (itemId, eventId = the review id) ---
  public int rating;

  /** The review's text (may be empty). */
  public String reviewText;

  /** negative, neutral or positive. */
  public String sentimentLabel;

  /** Probability of the negative class. */
  public double negativeProbability;

  /** Signed sentiment in [-1, 1]: P(positive) - P(negative). */
  public double sentimentScore;

  /** Which path scored it: "model" (the inference sidecar) or "fallback" (the lexicon). */
  public String sentimentSource;

  public UserSignal() {}

  public boolean isFirstLine() {
    return lineIndex == 0;
  }
}
