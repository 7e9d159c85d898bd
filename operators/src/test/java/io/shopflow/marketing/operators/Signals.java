package io.shopflow.marketing.operators;

import io.shopflow.marketing.schema.CatalogItem;
import io.shopflow.marketing.schema.ConsentChange;
import io.shopflow.marketing.schema.EventType;
import io.shopflow.marketing.schema.ItemSignal;
import io.shopflow.marketing.schema.UserSignal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;

/** Small builders for the operators' inputs, and time helpers, shared by the operator tests. */
final class Signals {
  /** Monday 2025-03-10 10:00 UTC: daytime, outside the default quiet hours (21:00-08:00). */
  static final long T0 = Instant.parse("2025-03-10T10:00:00Z").toEpochMilli();

  private Signals() {}

  static long minutes(long n) {
    return Duration.ofMinutes(n).toMillis();
  }

  static long hours(long n) {
    return Duration.ofHours(n).toMillis();
  }

  static long days(long n) {
    return Duration.ofDays(n).toMillis();
  }

  static long at(String iso) {
    return Instant.parse(iso).toEpochMilli();
  }

  // ------------------------------------------------------------------ user side

  /** A fluent builder for one line of a behaviour event, as the item operator hands it on. */
  static final class Line {
    final UserSignal s = new UserSignal();

    private Line(String type, String user, String item, long t) {
      s.kind = UserSignal.EVENT;
      s.eventType = type;
      s.userId = user;
      s.itemId = item;
      s.eventTime = t;
      s.eventId = type + "-" + user + "-" + t;
      s.quantity = item == null ? 0 : 1;
      s.category = "unknown";
      s.lineIndex = 0;
      s.lineCount = 1;
    }

    Line price(double p) {
      s.price = p;
      return this;
    }

    Line title(String title) {
      s.title = title;
      return this;
    }

    Line category(String category) {
      s.category = category;
      return this;
    }

    Line qty(int q) {
      s.quantity = q;
      return this;
    }

    /** Marks this as line {@code index} of an event with {@code count} lines. */
    Line line(int index, int count) {
      s.lineIndex = index;
      s.lineCount = count;
      return this;
    }

    Line coPurchased(String[] items, int... counts) {
      s.coPurchased = items;
      s.coPurchasedCounts = counts;
      return this;
    }

    /** What the item operator attaches for the recommender. */
    Line recs(double[] itemFactor, long itemBuyers, String[] partners, int... partnerCounts) {
      s.itemFactor = itemFactor;
      s.itemBuyers = itemBuyers;
      s.partners = partners;
      s.partnerCounts = partnerCounts;
      s.partnerBuyers = new long[partners.length];
      java.util.Arrays.fill(s.partnerBuyers, 10);
      return this;
    }

    UserSignal get() {
      return s;
    }
  }

  static Line view(String user, String item, long t) {
    return new Line(EventType.VIEW, user, item, t);
  }

  static Line cartAdd(String user, String item, long t) {
    return new Line(EventType.CART_ADD, user, item, t);
  }

  static Line cartRemove(String user, String item, long t) {
    return new Line(EventType.CART_REMOVE, user, item, t);
  }

  static Line wishlist(String user, String item, long t) {
    return new Line(EventType.WISHLIST, user, item, t);
  }

  static Line purchase(String user, String item, long t) {
    return new Line(EventType.PURCHASE, user, item, t);
  }

  /** A search without results: no item, one line. */
  static Line search(String user, long t) {
    Line l = new Line(EventType.SEARCH, user, null, t);
    l.s.query = "lantern";
    return l;
  }

  static UserSignal consent(String user, String change, long t, String... channels) {
    UserSignal s = new UserSignal();
    s.kind = UserSignal.CONSENT;
    s.userId = user;
    s.eventId = "consent-" + user + "-" + t;
    s.eventTime = t;
    s.consentChange = change;
    s.channels = channels;
    return s;
  }

  static UserSignal erasure(String user, long t) {
    return consent(user, ConsentChange.ERASURE, t);
  }

  static UserSignal priceDrop(String user, String item, long t, double oldPrice, double newPrice) {
    UserSignal s = new UserSignal();
    s.kind = UserSignal.PRICE_DROP;
    s.userId = user;
    s.eventId = "catalog-" + item + "-" + t;
    s.eventTime = t;
    s.itemId = item;
    s.title = "Item " + item;
    s.category = "unknown";
    s.currency = "EUR";
    s.oldPrice = oldPrice;
    s.newPrice = newPrice;
    s.price = newPrice;
    return s;
  }

  // ------------------------------------------------------------------ item side

  /** One line of a behaviour event keyed by item; {@code basket} only matters for purchases. */
  static ItemSignal itemLine(String type, String user, String item, long t, String... basket) {
    ItemSignal s = new ItemSignal();
    s.kind = ItemSignal.LINE;
    s.itemId = item;
    s.eventType = type;
    s.userId = user;
    s.eventTime = t;
    s.eventId = type + "-" + user + "-" + t;
    s.quantity = 1;
    s.lineIndex = 0;
    s.lineCount = 1;
    s.basket = basket;
    return s;
  }

  static ItemSignal catalog(String item, long t, Double price, String title, String... path) {
    CatalogItem c = new CatalogItem();
    c.eventId = "catalog-" + item + "-" + t;
    c.itemId = item;
    c.eventTime = t;
    c.price = price;
    c.currency = "EUR";
    c.title = title;
    c.categoryPath = path;
    ItemSignal s = new ItemSignal();
    s.kind = ItemSignal.CATALOG;
    s.itemId = item;
    s.eventId = c.eventId;
    s.eventTime = t;
    s.catalog = c;
    return s;
  }

  // ------------------------------------------------------------------ harness output

  /** Values on a side output; empty (not null) when nothing was emitted there. */
  static <X> List<X> sideOutput(AbstractStreamOperatorTestHarness<?> h, OutputTag<X> tag) {
    Collection<StreamRecord<X>> records = h.getSideOutput(tag);
    List<X> values = new ArrayList<>();
    if (records != null) {
      records.forEach(r -> values.add(r.getValue()));
    }
    return values;
  }
}
