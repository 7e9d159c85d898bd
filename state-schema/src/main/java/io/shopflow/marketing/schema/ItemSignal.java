package io.shopflow.marketing.schema;

/**
 * Input of the keyed-by-item operator: one line of a behaviour event (an event with three items
 * becomes three lines), a catalogue upsert, an MF step, or a user signal passing through (item-less
 * events and consent changes, keyed by their user). A flat POJO so that Flink's POJO serializer,
 * not Kryo, carries it.
 */
public class ItemSignal {
  public static final int LINE = 0;
  public static final int CATALOG = 1;

  /** An MF gradient step for the item, fed back from the keyed-by-user operator. */
  public static final int FACTOR_DELTA = 2;

  /**
   * A user signal without an item (a search, a consent change), keyed by its user id: the item
   * operator passes it on untouched, so that every signal of a user reaches the user operator
   * through the same channel, in the order the source read them (see architecture, timers).
   */
  public static final int TO_USER = 3;

  public int kind;
  public String itemId;

  // --- LINE fields ---
  public String eventId;
  public String eventType;
  public String userId;
  public long eventTime;
  public int quantity;
  public Double price;
  public String currency;
  public String sessionHint;
  public String orderId;
  public int lineIndex;
  public int lineCount;

  /** For purchases: every item of the basket, so that co-purchase counts can be kept per item. */
  public String[] basket = new String[0];

  // --- FACTOR_DELTA fields (see ItemFactorDelta) ---
  public double[] factorDelta;
  public String[] coItems = new String[0];
  public long[] coItemBuyers = new long[0];
  public boolean newBuyer;

  // --- CATALOG field ---
  public CatalogItem catalog;

  // --- TO_USER field ---
  public UserSignal toUser;

  public ItemSignal() {}
}
