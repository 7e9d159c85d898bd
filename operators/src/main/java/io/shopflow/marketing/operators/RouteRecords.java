package io.shopflow.marketing.operators;

import io.shopflow.marketing.schema.DeadLetter;
import io.shopflow.marketing.schema.EventType;
import io.shopflow.marketing.schema.ItemSignal;
import io.shopflow.marketing.schema.LineItem;
import io.shopflow.marketing.schema.ParsedRecord;
import io.shopflow.marketing.schema.ReviewEvent;
import io.shopflow.marketing.schema.ShopEvent;
import io.shopflow.marketing.schema.UserSignal;
import io.shopflow.marketing.udfs.EngineConfig;
import io.shopflow.marketing.udfs.OutputJson;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * First step after the source: dead letters and too-late records go to the DLQ; behaviour events
 * are split into one line per item for the keyed-by-item catalogue join; catalogue upserts go to
 * the item side; consent changes and item-less events pass through the item operator untouched
 * (keyed by their user), so that all of a user's signals reach the user operator on one channel in
 * source order; reviews go to the sentiment step ({@link #REVIEWS}).
 */
public class RouteRecords extends ProcessFunction<ParsedRecord, ItemSignal> {
  private static final long serialVersionUID = 1L;

  /** Reviews, on their way to sentiment scoring (async) and then the item and user sides. */
  public static final OutputTag<ReviewEvent> REVIEWS =
      new OutputTag<>("reviews", TypeInformation.of(ReviewEvent.class));

  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

  private final long allowedLatenessMs;
  private final int maxBasketForCoPurchase;

  public RouteRecords(EngineConfig cfg) {
    this.allowedLatenessMs = cfg.allowedLatenessMs;
    this.maxBasketForCoPurchase = cfg.maxBasketForCoPurchase;
  }

  @Override
  public void processElement(ParsedRecord r, Context ctx, Collector<ItemSignal> out) {
    if (r.deadLetter != null) {
      ctx.output(DEAD_LETTERS, r.deadLetter);
      return;
    }
    if (r.factorDelta != null) {
      // Internal feedback: never late, never a dead letter.
      ItemSignal s = new ItemSignal();
      s.kind = ItemSignal.FACTOR_DELTA;
      s.itemId = r.factorDelta.itemId;
      s.eventId = r.factorDelta.eventId;
      s.eventTime = r.factorDelta.eventTime;
      s.factorDelta = r.factorDelta.delta;
      s.coItems = r.factorDelta.coItems;
      s.coItemBuyers = r.factorDelta.coItemBuyers;
      s.newBuyer = r.factorDelta.newBuyer;
      out.collect(s);
      return;
    }
    long watermark = ctx.timerService().currentWatermark();
    long t = r.eventTime();
    if (watermark != Long.MIN_VALUE && t < watermark - allowedLatenessMs) {
      // Later than the allowed lateness: its timers would fire at once and its session is closed.
      // Kept whole in the DLQ so that it can be replayed into a batch correction.
      ctx.output(
          DEAD_LETTERS,
          r.toDeadLetter(
              "late: event time "
                  + OutputJson.iso(t)
                  + " is more than "
                  + allowedLatenessMs / 1000
                  + " s behind the watermark "
                  + OutputJson.iso(watermark)));
      return;
    }
    if (r.event != null) {
      routeEvent(r.event, ctx, out);
    } else if (r.catalog != null) {
      ItemSignal s = new ItemSignal();
      s.kind = ItemSignal.CATALOG;
      s.itemId = r.catalog.itemId;
      s.eventId = r.catalog.eventId;
      s.eventTime = r.catalog.eventTime;
      s.catalog = r.catalog;
      out.collect(s);
    } else if (r.review != null) {
      ctx.output(REVIEWS, r.review);
    } else if (r.consent != null) {
      UserSignal s = new UserSignal();
      s.kind = UserSignal.CONSENT;
      s.userId = r.consent.userId;
      s.eventId = r.consent.eventId;
      s.eventTime = r.consent.eventTime;
      s.consentChange = r.consent.change;
      s.channels = r.consent.channels;
      out.collect(toUser(s));
    }
  }

  /** A user signal on its way through the item operator, which passes it on untouched. */
  static ItemSignal toUser(UserSignal u) {
    ItemSignal s = new ItemSignal();
    s.kind = ItemSignal.TO_USER;
    // Only picks the item operator's subtask: a pass-through never touches the keyed state, so
    // sharing a key with an item of the same id is harmless.
    s.itemId = u.userId;
    s.toUser = u;
    return s;
  }

  private void routeEvent(ShopEvent e, Context ctx, Collector<ItemSignal> out) {
    if (e.items.length == 0) {
      UserSignal s = new UserSignal();
      s.kind = UserSignal.EVENT;
      s.userId = e.userId;
      s.eventId = e.eventId;
      s.eventTime = e.eventTime;
      s.eventType = e.eventType;
      s.currency = e.currency;
      s.sessionHint = e.sessionHint;
      s.query = e.query;
      s.lineIndex = 0;
      s.lineCount = 1;
      out.collect(toUser(s));
      return;
    }
    String[] basket = new String[0];
    // Wholesale-sized orders say little about what goes together and cost O(n^2) counts.
    if (EventType.PURCHASE.equals(e.eventType) && e.items.length <= maxBasketForCoPurchase) {
      basket = new String[e.items.length];
      for (int i = 0; i < basket.length; i++) {
        basket[i] = e.items[i].itemId;
      }
    }
    for (int i = 0; i < e.items.length; i++) {
      LineItem li = e.items[i];
      ItemSignal s = new ItemSignal();
      s.kind = ItemSignal.LINE;
      s.itemId = li.itemId;
      s.eventId = e.eventId;
      s.eventType = e.eventType;
      s.userId = e.userId;
      s.eventTime = e.eventTime;
      s.quantity = li.quantity;
      s.price = li.price;
      s.currency = e.currency;
      s.sessionHint = e.sessionHint;
      s.orderId = e.orderId;
      s.lineIndex = i;
      s.lineCount = e.items.length;
      s.basket = basket;
      out.collect(s);
    }
  }
}
