package io.shopflow.marketing.udfs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.shopflow.marketing.schema.EventType;
import io.shopflow.marketing.schema.ItemFactorDelta;
import io.shopflow.marketing.schema.LineItem;
import io.shopflow.marketing.schema.ShopEvent;
import java.io.IOException;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * The fast path of {@link EventParser#parseShopEvent} and {@link EventParser#parseFactorDelta}, the
 * two records of every interaction: reads them straight from Jackson's tokens instead of building a
 * tree first, which was most of the parse's cost. It only answers for input it accepts without
 * doubt; anything else (an error, a duplicate field, a number outside {@code long}) returns null so
 * that the tree parser decides and words the refusal. So the two give the same record or the same
 * error for every input, which {@code StreamingShopEventParserTest} and {@code
 * StreamingFactorDeltaParserTest} check over generated and mutated records.
 */
final class StreamingParser {
  // Each parse keeps a bit per field seen (see members), so that a duplicate goes to the tree.
  // fields of a behaviour event
  private static final int EVENT_ID = 1;
  private static final int EVENT_TYPE = 1 << 1;
  private static final int USER_ID = 1 << 2;
  private static final int EVENT_TIME = 1 << 3;
  private static final int ITEMS = 1 << 4;
  private static final int CURRENCY = 1 << 5;
  private static final int SESSION_HINT = 1 << 6;
  private static final int QUERY = 1 << 7;
  private static final int ORDER_ID = 1 << 8;
  private static final int REQUIRED = EVENT_ID | EVENT_TYPE | USER_ID | EVENT_TIME;

  // fields of a factor delta
  private static final int ITEM = 1;
  private static final int USER = 1 << 1;
  private static final int EVENT = 1 << 2;
  private static final int TIME = 1 << 3;
  private static final int DELTA = 1 << 4;
  private static final int NEW_BUYER = 1 << 5;
  private static final int CO_ITEMS = 1 << 6;
  private static final int CO_ITEM_BUYERS = 1 << 7;

  // fields of a line item
  private static final int ITEM_ID = 1;
  private static final int QUANTITY = 1 << 1;
  private static final int PRICE = 1 << 2;

  /** Thrown inside to hand the record to the tree parser; never escapes. */
  private static final class NotCertain extends Exception {
    private static final NotCertain INSTANCE = new NotCertain();

    private NotCertain() {
      super(null, null, false, false);
    }
  }

  private StreamingParser() {}

  /** The event, or null when the tree parser must decide (it may still accept the record). */
  static ShopEvent shopEvent(JsonFactory factory, byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      return null;
    }
    try (JsonParser p = factory.createParser(bytes)) {
      ShopEvent e = readShopEvent(p);
      // FAIL_ON_TRAILING_TOKENS, as the tree parser reads.
      return p.nextToken() == null && valid(e) ? e : null;
    } catch (NotCertain | IOException | RuntimeException notCertain) {
      return null;
    }
  }

  /** The MF step, or null when the tree parser must decide. */
  static ItemFactorDelta factorDelta(JsonFactory factory, byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      return null;
    }
    try (JsonParser p = factory.createParser(bytes)) {
      ItemFactorDelta d = readFactorDelta(p);
      return p.nextToken() == null && EventParser.isValidId(d.itemId) ? d : null;
    } catch (NotCertain | IOException | RuntimeException notCertain) {
      return null;
    }
  }

  private static ItemFactorDelta readFactorDelta(JsonParser p) throws IOException, NotCertain {
    ItemFactorDelta d = new ItemFactorDelta();
    int seen =
        members(
            p,
            p.nextToken(),
            (name, value) ->
                switch (name) {
                  case "item_id" -> {
                    d.itemId = requiredText(p, value);
                    yield ITEM;
                  }
                  case "user_id" -> {
                    d.userId = optionalText(p, value);
                    yield USER;
                  }
                  case "event_id" -> {
                    d.eventId = optionalText(p, value);
                    yield EVENT;
                  }
                  case "event_time" -> {
                    d.eventTime = eventTime(p, value);
                    yield TIME;
                  }
                  case "delta" -> {
                    d.delta = value == JsonToken.VALUE_NULL ? null : delta(p, value);
                    yield DELTA;
                  }
                  case "new_buyer" -> {
                    if (value != JsonToken.VALUE_TRUE
                        && value != JsonToken.VALUE_FALSE
                        && value != JsonToken.VALUE_NULL) {
                      throw NotCertain.INSTANCE; // the tree reads other types its own way
                    }
                    d.newBuyer = value == JsonToken.VALUE_TRUE;
                    yield NEW_BUYER;
                  }
                  case "co_items" -> {
                    d.coItems = value == JsonToken.VALUE_NULL ? null : texts(p, value);
                    yield CO_ITEMS;
                  }
                  case "co_item_buyers" -> {
                    d.coItemBuyers = value == JsonToken.VALUE_NULL ? null : longs(p, value);
                    yield CO_ITEM_BUYERS;
                  }
                  default -> UNKNOWN;
                });
    if ((seen & (ITEM | TIME)) != (ITEM | TIME)) {
      throw NotCertain.INSTANCE;
    }
    long[] buyers = d.coItemBuyers;
    if ((seen & CO_ITEMS) != 0 && d.coItems != null) {
      // A buyer count the message lacks counts as one, as the tree parser reads it.
      d.coItemBuyers = new long[d.coItems.length];
      for (int i = 0; i < d.coItems.length; i++) {
        d.coItemBuyers[i] = buyers != null && i < buyers.length ? buyers[i] : 1;
      }
    } else {
      d.coItems = new String[0]; // the tree ignores buyer counts without items
      d.coItemBuyers = new long[0];
    }
    return d;
  }

  private static double[] delta(JsonParser p, JsonToken value) throws IOException, NotCertain {
    if (value != JsonToken.START_ARRAY) {
      throw NotCertain.INSTANCE;
    }
    double[] out = new double[32];
    int n = 0;
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t != JsonToken.VALUE_NUMBER_FLOAT
          && (t != JsonToken.VALUE_NUMBER_INT
              || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER)) {
        throw NotCertain.INSTANCE;
      }
      if (n == out.length) {
        out = Arrays.copyOf(out, n * 2);
      }
      out[n++] = p.getDoubleValue();
    }
    if (n == 0) {
      throw NotCertain.INSTANCE;
    }
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

  private static String[] texts(JsonParser p, JsonToken value) throws IOException, NotCertain {
    if (value != JsonToken.START_ARRAY) {
      throw NotCertain.INSTANCE;
    }
    ArrayList<String> out = new ArrayList<>();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      out.add(requiredText(p, t));
    }
    return out.toArray(new String[0]);
  }

  private static long[] longs(JsonParser p, JsonToken value) throws IOException, NotCertain {
    if (value != JsonToken.START_ARRAY) {
      throw NotCertain.INSTANCE;
    }
    long[] out = new long[8];
    int n = 0;
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      JsonParser.NumberType type = t == JsonToken.VALUE_NUMBER_INT ? p.getNumberType() : null;
      if (type != JsonParser.NumberType.INT && type != JsonParser.NumberType.LONG) {
        throw NotCertain.INSTANCE;
      }
      if (n == out.length) {
        out = Arrays.copyOf(out, n * 2);
      }
      out[n++] = p.getLongValue();
    }
    return Arrays.copyOf(out, n);
  }

  private static ShopEvent readShopEvent(JsonParser p) throws IOException, NotCertain {
    ShopEvent e = new ShopEvent();
    int seen =
        members(
            p,
            p.nextToken(),
            (name, value) ->
                switch (name) {
                  case "event_id" -> {
                    e.eventId = requiredText(p, value);
                    yield EVENT_ID;
                  }
                  case "event_type" -> {
                    e.eventType = requiredText(p, value);
                    yield EVENT_TYPE;
                  }
                  case "user_id" -> {
                    e.userId = requiredText(p, value);
                    yield USER_ID;
                  }
                  case "event_time" -> {
                    e.eventTime = eventTime(p, value);
                    yield EVENT_TIME;
                  }
                  case "items" -> {
                    e.items = items(p, value);
                    yield ITEMS;
                  }
                  case "currency" -> {
                    e.currency = optionalText(p, value);
                    yield CURRENCY;
                  }
                  case "session_hint" -> {
                    e.sessionHint = optionalText(p, value);
                    yield SESSION_HINT;
                  }
                  case "query" -> {
                    e.query = optionalText(p, value);
                    yield QUERY;
                  }
                  case "order_id" -> {
                    e.orderId = optionalText(p, value);
                    yield ORDER_ID;
                  }
                  default -> UNKNOWN;
                });
    if ((seen & REQUIRED) != REQUIRED) {
      throw NotCertain.INSTANCE;
    }
    return e;
  }

  /** Reads one member's value into the record and says which field it was. */
  private interface Member {
    /**
     * @return the field's bit, or {@link #UNKNOWN} for a member the record does not have
     */
    int read(String name, JsonToken value) throws IOException, NotCertain;
  }

  private static final int UNKNOWN = 0;

  /**
   * Walks the members of the object that {@code start} opens and returns the bits of the fields
   * read. Members the record does not have are skipped, as the tree parser ignores them; a field
   * seen twice goes to the tree parser, which keeps the last.
   */
  private static int members(JsonParser p, JsonToken start, Member member)
      throws IOException, NotCertain {
    if (start != JsonToken.START_OBJECT) {
      throw NotCertain.INSTANCE;
    }
    int seen = 0;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      int field = member.read(name, p.nextToken());
      if (field == UNKNOWN) {
        p.skipChildren();
      } else if ((seen & field) != 0) {
        throw NotCertain.INSTANCE;
      } else {
        seen |= field;
      }
    }
    if (t != JsonToken.END_OBJECT) {
      throw NotCertain.INSTANCE;
    }
    return seen;
  }

  /** The checks of the tree parser that do not depend on JSON types. */
  private static boolean valid(ShopEvent e) {
    if (!EventParser.isValidId(e.eventId)
        || !EventParser.isValidId(e.userId)
        || !EventType.ALL.contains(e.eventType)
        || (e.currency != null && !EventParser.isCurrencyCode(e.currency))) {
      return false;
    }
    for (LineItem li : e.items) {
      if (!EventParser.isValidId(li.itemId)) {
        return false;
      }
    }
    return EventParser.missingContent(e) == null;
  }

  private static String requiredText(JsonParser p, JsonToken value) throws IOException, NotCertain {
    if (value != JsonToken.VALUE_STRING) {
      throw NotCertain.INSTANCE;
    }
    return p.getText();
  }

  private static String optionalText(JsonParser p, JsonToken value) throws IOException, NotCertain {
    return value == JsonToken.VALUE_NULL ? null : requiredText(p, value);
  }

  private static long eventTime(JsonParser p, JsonToken value) throws IOException, NotCertain {
    if (value == JsonToken.VALUE_NUMBER_INT) {
      JsonParser.NumberType type = p.getNumberType();
      if (type != JsonParser.NumberType.INT && type != JsonParser.NumberType.LONG) {
        throw NotCertain.INSTANCE;
      }
      long millis = p.getLongValue();
      if (millis < 0) {
        throw NotCertain.INSTANCE;
      }
      return millis;
    }
    if (value == JsonToken.VALUE_STRING) {
      try {
        return IsoTimes.epochMillis(p.getText());
      } catch (DateTimeException | ArithmeticException ex) {
        throw NotCertain.INSTANCE;
      }
    }
    throw NotCertain.INSTANCE;
  }

  private static LineItem[] items(JsonParser p, JsonToken value) throws IOException, NotCertain {
    if (value == JsonToken.VALUE_NULL) {
      return new LineItem[0];
    }
    if (value != JsonToken.START_ARRAY) {
      throw NotCertain.INSTANCE;
    }
    JsonToken t = p.nextToken();
    if (t == JsonToken.END_ARRAY) {
      return new LineItem[0];
    }
    // Most events name one item: no list for those.
    LineItem first = item(p, t);
    t = p.nextToken();
    if (t == JsonToken.END_ARRAY) {
      return new LineItem[] {first};
    }
    ArrayList<LineItem> items = new ArrayList<>();
    items.add(first);
    for (; t != JsonToken.END_ARRAY; t = p.nextToken()) {
      items.add(item(p, t));
    }
    return items.toArray(new LineItem[0]);
  }

  private static LineItem item(JsonParser p, JsonToken start) throws IOException, NotCertain {
    LineItem li = new LineItem();
    int seen =
        members(
            p,
            start,
            (name, value) ->
                switch (name) {
                  case "item_id" -> {
                    li.itemId = requiredText(p, value);
                    yield ITEM_ID;
                  }
                  case "quantity" -> {
                    if (value != JsonToken.VALUE_NULL) {
                      if (value != JsonToken.VALUE_NUMBER_INT
                          || p.getNumberType() != JsonParser.NumberType.INT
                          || p.getIntValue() < 1) {
                        throw NotCertain.INSTANCE;
                      }
                      li.quantity = p.getIntValue();
                    }
                    yield QUANTITY;
                  }
                  case "price" -> {
                    li.price = price(p, value);
                    yield PRICE;
                  }
                  default -> UNKNOWN;
                });
    if ((seen & ITEM_ID) == 0) {
      throw NotCertain.INSTANCE;
    }
    return li;
  }

  private static Double price(JsonParser p, JsonToken value) throws IOException, NotCertain {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value == JsonToken.VALUE_NUMBER_FLOAT
        || (value == JsonToken.VALUE_NUMBER_INT
            && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER)) {
      double v = p.getDoubleValue();
      if (v >= 0 && !Double.isInfinite(v)) {
        return v;
      }
    }
    throw NotCertain.INSTANCE;
  }
}
