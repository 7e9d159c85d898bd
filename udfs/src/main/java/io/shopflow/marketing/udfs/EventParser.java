package io.shopflow.marketing.udfs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopflow.marketing.schema.CatalogItem;
import io.shopflow.marketing.schema.Channel;
import io.shopflow.marketing.schema.ConsentChange;
import io.shopflow.marketing.schema.EventType;
import io.shopflow.marketing.schema.ItemFactorDelta;
import io.shopflow.marketing.schema.LineItem;
import io.shopflow.marketing.schema.ReviewEvent;
import io.shopflow.marketing.schema.ShopEvent;
import java.io.IOException;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Parses and validates the three input formats. Hand-written rather than schema-driven so that the
 * hot path allocates little and every refusal carries a precise reason; the schemas in {@code
 * state-schema} and this parser are kept in agreement by a test over shared samples.
 */
public final class EventParser {
  // The fast double parser is exact (correctly rounded, as Double.parseDouble) and reads the 32
  // factors of each fed-back MF step in about two thirds of the time.
  private static final ObjectMapper MAPPER =
      new ObjectMapper(
              JsonFactory.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final int MAX_ID_LENGTH = 128;
  private static final int MAX_REVIEW_TITLE = 1000;
  private static final int MAX_REVIEW_TEXT = 10000;

  private EventParser() {}

  public static ShopEvent parseShopEvent(byte[] bytes) throws InvalidRecordException {
    ShopEvent fast = StreamingParser.shopEvent(MAPPER.getFactory(), bytes);
    return fast != null ? fast : parseShopEventTree(bytes);
  }

  /**
   * The reference parse: a tree first, then each field checked with its own reason. {@link
   * #parseShopEvent} hands it every record its fast path is not certain of.
   */
  public static ShopEvent parseShopEventTree(byte[] bytes) throws InvalidRecordException {
    JsonNode root = readObject(bytes);
    ShopEvent e = new ShopEvent();
    e.eventId = requiredId(root, "event_id");
    e.eventType = requiredText(root, "event_type");
    if (!EventType.ALL.contains(e.eventType)) {
      throw new InvalidRecordException(
          "event_type '"
              + e.eventType
              + "' is not one of "
              + new java.util.TreeSet<>(EventType.ALL));
    }
    e.userId = requiredId(root, "user_id");
    e.eventTime = eventTime(root);
    e.items = items(root);
    e.currency = currency(root);
    e.sessionHint = optionalText(root, "session_hint");
    e.query = optionalText(root, "query");
    e.orderId = optionalText(root, "order_id");
    String missing = missingContent(e);
    if (missing != null) {
      throw new InvalidRecordException(missing);
    }
    return e;
  }

  /**
   * Why an event names nothing to act on (a search needs a query or items, any other event an
   * item), or null when it does. Shared by both parse paths.
   */
  static String missingContent(ShopEvent e) {
    if (EventType.SEARCH.equals(e.eventType)) {
      return (e.query == null || e.query.isBlank()) && e.items.length == 0
          ? "a search needs a non-empty query or items"
          : null;
    }
    return e.items.length == 0 ? "a " + e.eventType + " event needs at least one item" : null;
  }

  public static CatalogItem parseCatalogItem(byte[] bytes) throws InvalidRecordException {
    JsonNode root = readObject(bytes);
    CatalogItem c = new CatalogItem();
    c.itemId = requiredId(root, "item_id");
    c.eventTime = eventTime(root);
    c.eventId = optionalText(root, "event_id");
    if (c.eventId == null) {
      c.eventId = c.itemId + "@" + c.eventTime;
    }
    c.title = optionalText(root, "title");
    c.categoryPath = categoryPath(root.get("category_path"));
    c.price = nonNegativeNumber(root.get("price"), "price");
    c.currency = currency(root);
    JsonNode stock = root.get("stock");
    if (stock != null && !stock.isNull()) {
      if (!stock.isIntegralNumber() || stock.asLong() < 0 || !stock.canConvertToInt()) {
        throw new InvalidRecordException("stock must be an integer >= 0, got " + stock);
      }
      c.stock = stock.asInt();
    }
    return c;
  }

  public static ConsentChange parseConsentChange(byte[] bytes) throws InvalidRecordException {
    JsonNode root = readObject(bytes);
    ConsentChange c = new ConsentChange();
    c.eventId = requiredId(root, "event_id");
    c.userId = requiredId(root, "user_id");
    c.eventTime = eventTime(root);
    c.change = requiredText(root, "change");
    boolean erasure = ConsentChange.ERASURE.equals(c.change);
    if (!erasure
        && !ConsentChange.OPT_IN.equals(c.change)
        && !ConsentChange.OPT_OUT.equals(c.change)) {
      throw new InvalidRecordException(
          "change '" + c.change + "' is not one of [erasure, opt_in, opt_out]");
    }
    if (erasure) {
      c.channels = new String[0];
      return c;
    }
    JsonNode channels = root.get("channels");
    if (channels == null || !channels.isArray() || channels.isEmpty()) {
      throw new InvalidRecordException(c.change + " needs a non-empty channels array");
    }
    Set<String> seen = new HashSet<>();
    List<String> out = new ArrayList<>();
    for (JsonNode ch : channels) {
      if (!ch.isTextual() || !Channel.ALL.contains(ch.asText())) {
        throw new InvalidRecordException("channel " + ch + " is not one of " + Channel.ALL);
      }
      if (!seen.add(ch.asText())) {
        throw new InvalidRecordException("channel '" + ch.asText() + "' is listed twice");
      }
      out.add(ch.asText());
    }
    c.channels = out.toArray(new String[0]);
    return c;
  }

  /** A review from {@code shop.reviews}; see {@code review.schema.json}. */
  public static ReviewEvent parseReview(byte[] bytes) throws InvalidRecordException {
    JsonNode root = readObject(bytes);
    ReviewEvent r = new ReviewEvent();
    r.reviewId = requiredId(root, "review_id");
    r.userId = requiredId(root, "user_id");
    r.itemId = requiredId(root, "item_id");
    r.eventTime = eventTime(root);
    JsonNode rating = root.get("rating");
    if (rating == null || rating.isNull()) {
      throw new InvalidRecordException("rating is missing");
    }
    if (!rating.isIntegralNumber() || rating.asLong() < 1 || rating.asLong() > 5) {
      throw new InvalidRecordException("rating must be an integer from 1 to 5, got " + rating);
    }
    r.rating = rating.asInt();
    r.title = optionalText(root, "title");
    if (r.title != null && r.title.codePointCount(0, r.title.length()) > MAX_REVIEW_TITLE) {
      throw new InvalidRecordException("title is longer than " + MAX_REVIEW_TITLE + " characters");
    }
    String text = optionalText(root, "text");
    if (text != null && text.codePointCount(0, text.length()) > MAX_REVIEW_TEXT) {
      throw new InvalidRecordException("text is longer than " + MAX_REVIEW_TEXT + " characters");
    }
    r.text = text == null ? "" : text;
    return r;
  }

  /**
   * A fed-back MF step (internal topic): {"item_id", "user_id", "event_id", "event_time", "delta"}.
   */
  public static ItemFactorDelta parseFactorDelta(byte[] bytes) throws InvalidRecordException {
    ItemFactorDelta fast = StreamingParser.factorDelta(MAPPER.getFactory(), bytes);
    return fast != null ? fast : parseFactorDeltaTree(bytes);
  }

  /** The reference parse of a factor delta, for every record the fast path is not certain of. */
  public static ItemFactorDelta parseFactorDeltaTree(byte[] bytes) throws InvalidRecordException {
    JsonNode root = readObject(bytes);
    ItemFactorDelta d = new ItemFactorDelta();
    d.itemId = requiredId(root, "item_id");
    d.userId = optionalText(root, "user_id");
    d.eventId = optionalText(root, "event_id");
    d.eventTime = eventTime(root);
    JsonNode delta = root.get("delta");
    if (delta != null && !delta.isNull()) {
      if (!delta.isArray() || delta.isEmpty()) {
        throw new InvalidRecordException("delta must be a non-empty array of numbers");
      }
      d.delta = new double[delta.size()];
      for (int i = 0; i < d.delta.length; i++) {
        if (!delta.get(i).isNumber()) {
          throw new InvalidRecordException("delta[" + i + "] is not a number");
        }
        d.delta[i] = delta.get(i).asDouble();
      }
    }
    d.newBuyer = root.path("new_buyer").asBoolean(false);
    JsonNode co = root.get("co_items");
    JsonNode cb = root.get("co_item_buyers");
    if (co != null && co.isArray()) {
      d.coItems = new String[co.size()];
      d.coItemBuyers = new long[co.size()];
      for (int i = 0; i < co.size(); i++) {
        d.coItems[i] = co.get(i).asText();
        d.coItemBuyers[i] = cb != null && cb.size() > i ? cb.get(i).asLong(1) : 1;
      }
    }
    return d;
  }

  /** Epoch millis from an integer or an ISO-8601 date-time with offset. */
  public static long parseEventTime(JsonNode node) throws InvalidRecordException {
    if (node == null || node.isNull()) {
      throw new InvalidRecordException("event_time is missing");
    }
    if (node.isIntegralNumber()) {
      if (!node.canConvertToLong() || node.asLong() < 0) {
        throw new InvalidRecordException("event_time must be epoch milliseconds >= 0, got " + node);
      }
      return node.asLong();
    }
    if (node.isTextual()) {
      try {
        return IsoTimes.epochMillis(node.asText());
      } catch (DateTimeParseException ex) {
        throw new InvalidRecordException(
            "event_time '" + node.asText() + "' is not an ISO-8601 date-time with offset");
      } catch (ArithmeticException ex) {
        throw new InvalidRecordException(
            "event_time '" + node.asText() + "' is beyond the range of epoch milliseconds");
      }
    }
    throw new InvalidRecordException(
        "event_time must be epoch milliseconds or an ISO-8601 string, got " + node.getNodeType());
  }

  private static JsonNode readObject(byte[] bytes) throws InvalidRecordException {
    if (bytes == null || bytes.length == 0) {
      throw new InvalidRecordException("empty record value");
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(bytes);
    } catch (JsonProcessingException ex) {
      throw new InvalidRecordException("not valid JSON: " + ex.getOriginalMessage());
    } catch (IOException ex) {
      throw new InvalidRecordException("not readable JSON: " + ex.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new InvalidRecordException("expected a JSON object");
    }
    return root;
  }

  private static long eventTime(JsonNode root) throws InvalidRecordException {
    return parseEventTime(root.get("event_time"));
  }

  private static String requiredText(JsonNode root, String field) throws InvalidRecordException {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      throw new InvalidRecordException(field + " is missing");
    }
    if (!n.isTextual()) {
      throw new InvalidRecordException(field + " must be a string, got " + n.getNodeType());
    }
    return n.asText();
  }

  private static String requiredId(JsonNode root, String field) throws InvalidRecordException {
    String s = requiredText(root, field);
    checkId(s, field);
    return s;
  }

  private static void checkId(String s, String field) throws InvalidRecordException {
    if (s.isEmpty()) {
      throw new InvalidRecordException(field + " is empty");
    }
    if (isTooLong(s)) {
      throw new InvalidRecordException(field + " is longer than " + MAX_ID_LENGTH + " characters");
    }
  }

  static boolean isValidId(String s) {
    return !s.isEmpty() && !isTooLong(s);
  }

  private static boolean isTooLong(String id) {
    // Characters as the schemas' maxLength counts them: code points, not UTF-16 units.
    return id.length() > MAX_ID_LENGTH && id.codePointCount(0, id.length()) > MAX_ID_LENGTH;
  }

  /** Three capital letters A-Z, as ISO 4217 and the schemas' pattern {@code ^[A-Z]{3}$} ask. */
  static boolean isCurrencyCode(String c) {
    return c.length() == 3
        && isCapital(c.charAt(0))
        && isCapital(c.charAt(1))
        && isCapital(c.charAt(2));
  }

  private static boolean isCapital(char ch) {
    return ch >= 'A' && ch <= 'Z';
  }

  private static String optionalText(JsonNode root, String field) throws InvalidRecordException {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw new InvalidRecordException(field + " must be a string, got " + n.getNodeType());
    }
    return n.asText();
  }

  private static String currency(JsonNode root) throws InvalidRecordException {
    String c = optionalText(root, "currency");
    if (c != null && !isCurrencyCode(c)) {
      throw new InvalidRecordException("currency '" + c + "' is not a 3-letter ISO 4217 code");
    }
    return c;
  }

  private static Double nonNegativeNumber(JsonNode n, String field) throws InvalidRecordException {
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isNumber()) {
      throw new InvalidRecordException(field + " must be a number, got " + n.getNodeType());
    }
    double v = n.asDouble();
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new InvalidRecordException(field + " must be >= 0, got " + n);
    }
    return v;
  }

  private static LineItem[] items(JsonNode root) throws InvalidRecordException {
    JsonNode items = root.get("items");
    if (items == null || items.isNull()) {
      return new LineItem[0];
    }
    if (!items.isArray()) {
      throw new InvalidRecordException("items must be an array");
    }
    LineItem[] out = new LineItem[items.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode it = items.get(i);
      if (!it.isObject()) {
        throw new InvalidRecordException("items[" + i + "] must be an object");
      }
      LineItem li = new LineItem();
      JsonNode id = it.get("item_id");
      if (id == null || !id.isTextual()) {
        throw new InvalidRecordException("items[" + i + "].item_id is missing or not a string");
      }
      li.itemId = id.asText();
      checkId(li.itemId, "items[" + i + "].item_id");
      JsonNode q = it.get("quantity");
      if (q != null && !q.isNull()) {
        if (!q.isIntegralNumber() || !q.canConvertToInt() || q.asInt() < 1) {
          throw new InvalidRecordException(
              "items[" + i + "].quantity must be an integer >= 1, got " + q);
        }
        li.quantity = q.asInt();
      }
      li.price = nonNegativeNumber(it.get("price"), "items[" + i + "].price");
      out[i] = li;
    }
    return out;
  }

  private static String[] categoryPath(JsonNode n) throws InvalidRecordException {
    if (n == null || n.isNull()) {
      return new String[0];
    }
    List<String> levels = new ArrayList<>();
    if (n.isTextual()) {
      for (String level : n.asText().split(">")) {
        if (!level.isBlank()) {
          levels.add(level.trim());
        }
      }
    } else if (n.isArray()) {
      Iterator<JsonNode> it = n.elements();
      while (it.hasNext()) {
        JsonNode level = it.next();
        if (!level.isTextual() || level.asText().isEmpty()) {
          throw new InvalidRecordException("category_path levels must be non-empty strings");
        }
        levels.add(level.asText());
      }
    } else {
      throw new InvalidRecordException("category_path must be an array of strings or a string");
    }
    return levels.toArray(new String[0]);
  }
}
