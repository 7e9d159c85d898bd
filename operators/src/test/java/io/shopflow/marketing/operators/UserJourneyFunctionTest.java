package io.shopflow.marketing.operators;

import static io.shopflow.marketing.operators.Signals.T0;
import static io.shopflow.marketing.operators.Signals.at;
import static io.shopflow.marketing.operators.Signals.cartAdd;
import static io.shopflow.marketing.operators.Signals.cartRemove;
import static io.shopflow.marketing.operators.Signals.consent;
import static io.shopflow.marketing.operators.Signals.days;
import static io.shopflow.marketing.operators.Signals.erasure;
import static io.shopflow.marketing.operators.Signals.hours;
import static io.shopflow.marketing.operators.Signals.minutes;
import static io.shopflow.marketing.operators.Signals.priceDrop;
import static io.shopflow.marketing.operators.Signals.purchase;
import static io.shopflow.marketing.operators.Signals.search;
import static io.shopflow.marketing.operators.Signals.sideOutput;
import static io.shopflow.marketing.operators.Signals.view;
import static io.shopflow.marketing.operators.Signals.wishlist;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.shopflow.marketing.operators.Signals.Line;
import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.ActionType;
import io.shopflow.marketing.schema.Channel;
import io.shopflow.marketing.schema.ConsentChange;
import io.shopflow.marketing.schema.SessionSummary;
import io.shopflow.marketing.schema.SuppressedAction;
import io.shopflow.marketing.schema.UserSignal;
import io.shopflow.marketing.udfs.EngineConfig;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBKeyedStateBackend;
import org.apache.flink.util.function.ThrowingRunnable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class UserJourneyFunctionTest {
  private static final String U1 = "u1";
  private static final String U2 = "u2";

  private final List<UserJourneyHarness> opened = new ArrayList<>();
  private UserJourneyHarness h;

  @AfterEach
  void closeHarnesses() throws Exception {
    for (var harness : opened) {
      harness.close();
    }
  }

  private UserJourneyHarness open(EngineConfig cfg, boolean rocksDb) throws Exception {
    return open(cfg, rocksDb, null);
  }

  private UserJourneyHarness open(
      EngineConfig cfg,
      boolean rocksDb,
      org.apache.flink.runtime.checkpoint.OperatorSubtaskState restore)
      throws Exception {
    var harness = new UserJourneyHarness(new UserJourneyFunction(cfg));
    if (rocksDb) {
      harness.setStateBackend(new EmbeddedRocksDBStateBackend());
    }
    if (restore != null) {
      harness.initializeState(restore);
    }
    harness.open();
    opened.add(harness);
    h = harness;
    return harness;
  }

  private void openHeap() throws Exception {
    open(new EngineConfig(), false);
  }

  private void send(Line line) throws Exception {
    send(line.get());
  }

  private void send(UserSignal s) throws Exception {
    h.processElement(s, s.eventTime);
  }

  private void advanceTo(long watermark) throws Exception {
    h.processWatermark(watermark);
  }

  private List<Action> actions() {
    return h.extractOutputValues();
  }

  private List<Action> actions(String type) {
    return actions().stream().filter(a -> a.actionType.equals(type)).toList();
  }

  private List<SessionSummary> sessions() {
    return sideOutput(h, UserJourneyFunction.SESSIONS);
  }

  private List<SuppressedAction> suppressed() {
    return sideOutput(h, UserJourneyFunction.SUPPRESSED);
  }

  // ================================================================== cart abandonment

  @Nested
  class CartAbandonment {
    @Test
    void emitsCartReminderAfterThirtyMinutesWithoutPurchase() throws Exception {
      openHeap();
      send(cartAdd(U1, "A", T0).price(12.5).title("Lantern"));
      send(cartAdd(U1, "B", T0 + minutes(5)).price(2.0).qty(2).title("Bulb"));

      advanceTo(T0 + minutes(35) - 1);
      assertThat(actions(ActionType.CART_ABANDONMENT)).isEmpty();

      advanceTo(T0 + minutes(35));
      List<Action> reminders = actions(ActionType.CART_ABANDONMENT);
      assertThat(reminders).hasSize(1);
      Action a = reminders.get(0);
      assertThat(a.userId).isEqualTo(U1);
      assertThat(a.channel).isEqualTo(Channel.EMAIL);
      assertThat(a.items).containsExactly("A", "B");
      assertThat(a.triggerEventTime).isEqualTo(T0 + minutes(35));
      assertThat(a.sendAt).isEqualTo(a.triggerEventTime);
      assertThat(a.explanation)
          .contains("2 item(s)", "'Lantern' (A) x1", "'Bulb' (B) x2", "total 16.50", "30 min");
    }

    @Test
    void purchaseAfterTheCartAddCancelsTheReminder() throws Exception {
      openHeap();
      send(cartAdd(U1, "A", T0));
      send(purchase(U1, "A", T0 + minutes(10)).price(12.5));

      advanceTo(T0 + hours(3));
      assertThat(actions(ActionType.CART_ABANDONMENT)).isEmpty();
      assertThat(suppressed()).isEmpty();
    }

    @Test
    void purchaseOfAnotherItemAfterTheCartAddAlsoCancelsTheReminder() throws Exception {
      openHeap();
      send(cartAdd(U1, "A", T0));
      send(purchase(U1, "X", T0 + minutes(10)));

      advanceTo(T0 + hours(3));
      assertThat(actions(ActionType.CART_ABANDONMENT)).isEmpty();
    }

    @Test
    void removingTheOnlyItemCancelsTheReminder() throws Exception {
      openHeap();
      send(cartAdd(U1, "A", T0));
      send(cartRemove(U1, "A", T0 + minutes(2)));

      advanceTo(T0 + hours(3));
      assertThat(actions()).isEmpty();
      assertThat(sessions()).singleElement().extracting(s -> s.cartLeftOpen).isEqualTo(false);
    }

    @Test
    void removingOneOfTwoItemsKeepsTheReminderForTheOther() throws Exception {
      openHeap();
      send(cartAdd(U1, "A", T0));
      send(cartAdd(U1, "B", T0 + minutes(1)));
      send(cartRemove(U1, "A", T0 + minutes(2)));

      advanceTo(T0 + hours(3));
      assertThat(actions(ActionType.CART_ABANDONMENT))
          .singleElement()
          .satisfies(a -> assertThat(a.items).containsExactly("B"));
    }

    @Test
    void olderPurchaseArrivingAfterTheCartAddDoesNotCancelTheReminder() throws Exception {
      openHeap();
      send(cartAdd(U1, "A", T0));
      // An order placed ten minutes before the cart add, delivered late.
      send(purchase(U1, "X", T0 - minutes(10)));

      advanceTo(T0 + minutes(30));
      assertThat(actions(ActionType.CART_ABANDONMENT))
          .singleElement()
          .satisfies(a -> assertThat(a.items).containsExactly("A"));
    }

    @Test
    void olderPurchaseOfTheSameItemArrivingLateDoesNotEmptyTheNewerCart() throws Exception {
      openHeap();
      // Bought A at 09:50, put A in the cart again at 10:00; the order event arrives last.
      send(cartAdd(U1, "A", T0).title("Lantern"));
      send(purchase(U1, "A", T0 - minutes(10)));

      advanceTo(T0 + minutes(30));
      assertThat(actions(ActionType.CART_ABANDONMENT))
          .singleElement()
          .satisfies(a -> assertThat(a.items).containsExactly("A"));
    }
  }

  // ================================================================== browse abandonment

  @Nested
  class BrowseAbandonment {
    @Test
    void emitsBrowseNudgeWhenTheSessionClosesForAnItemViewedThreeTimes() throws Exception {
      openHeap();
      send(view(U1, "A", T0));
      send(view(U1, "B", T0 + minutes(1)));
      send(view(U1, "A", T0 + minutes(2)));
      send(view(U1, "A", T0 + minutes(3)));

      advanceTo(T0 + minutes(33) - 1);
      assertThat(actions()).isEmpty();
      assertThat(sessions()).isEmpty();

      advanceTo(T0 + minutes(33));
      List<Action> nudges = actions(ActionType.BROWSE_ABANDONMENT);
      assertThat(nudges).hasSize(1);
      Action a = nudges.get(0);
      assertThat(a.items).containsExactly("A");
      assertThat(a.channel).isEqualTo(Channel.PUSH);
      assertThat(a.triggerEventTime).isEqualTo(T0 + minutes(33));
      assertThat(a.explanation).contains("A viewed 3 times").doesNotContain("B viewed");
      assertThat(sessions()).hasSize(1);
    }

    @Test
    void noBrowseNudgeBelowTheViewThreshold() throws Exception {
      openHeap();
      send(view(U1, "A", T0));
      send(view(U1, "A", T0 + minutes(1)));

      advanceTo(T0 + hours(2));
      assertThat(actions()).isEmpty();
      assertThat(sessions()).hasSize(1);
    }

    @Test
    void noBrowseNudgeForAnItemThatWasCarted() throws Exception {
      openHeap();
      send(view(U1, "A", T0));
      send(view(U1, "A", T0 + minutes(1)));
      send(view(U1, "A", T0 + minutes(2)));
      send(cartAdd(U1, "A", T0 + minutes(3)));
      send(view(U1, "A", T0 + minutes(4)));

      advanceTo(T0 + hours(2));
      assertThat(actions(ActionType.BROWSE_ABANDONMENT)).isEmpty();
      assertThat(actions(ActionType.CART_ABANDONMENT)).hasSize(1);
    }
  }

  // ================================================================== sessions

  @Nested
  class Sessions {
    @Test
    void emitsSessionSummaryCountingEachMultiLineEventOnce() throws Exception {
      openHeap();
      send(view(U1, "A", T0).price(10));
      send(cartAdd(U1, "A", T0 + minutes(1)).line(0, 2));
      send(cartAdd(U1, "B", T0 + minutes(1)).line(1, 2));
      send(search(U1, T0 + minutes(2)));
      // Lines of one order may arrive in any order (they come from different item keys).
      send(purchase(U1, "B", T0 + minutes(3)).price(5).qty(2).line(1, 2));
      send(purchase(U1, "A", T0 + minutes(3)).price(10).line(0, 2));

      advanceTo(T0 + minutes(33));
      assertThat(sessions()).hasSize(1);
      SessionSummary s = sessions().get(0);
      assertThat(s.userId).isEqualTo(U1);
      assertThat(s.startTime).isEqualTo(T0);
      assertThat(s.endTime).isEqualTo(T0 + minutes(3));
      assertThat(s.events).isEqualTo(4);
      assertThat(s.views).isEqualTo(1);
      assertThat(s.cartAdds).isEqualTo(1);
      assertThat(s.searches).isEqualTo(1);
      assertThat(s.purchases).isEqualTo(1);
      assertThat(s.cartRemoves).isZero();
      assertThat(s.revenue).isEqualTo(20.0);
      assertThat(s.cartLeftOpen).isFalse();
    }

    @Test
    void sessionStaysOpenWhileEventsComeWithinTheGap() throws Exception {
      openHeap();
      send(view(U1, "A", T0));
      send(view(U1, "B", T0 + minutes(25)));
      send(view(U1, "C", T0 + minutes(50)));

      advanceTo(T0 + minutes(79));
      assertThat(sessions()).isEmpty();
      advanceTo(T0 + minutes(80));
      assertThat(sessions()).singleElement().extracting(s -> s.events).isEqualTo(3);
    }

    @Test
    void startsANewSessionAfterTheInactivityGap() throws Exception {
      openHeap();
      send(view(U1, "A", T0));
      send(view(U1, "B", T0 + minutes(10)));
      // 50 minutes later, before any watermark closed the first session.
      send(view(U1, "C", T0 + minutes(60)));

      assertThat(sessions()).hasSize(1);
      SessionSummary first = sessions().get(0);
      assertThat(first.startTime).isEqualTo(T0);
      assertThat(first.endTime).isEqualTo(T0 + minutes(10));
      assertThat(first.events).isEqualTo(2);

      advanceTo(T0 + minutes(90));
      assertThat(sessions()).hasSize(2);
      SessionSummary second = sessions().get(1);
      assertThat(second.startTime).isEqualTo(T0 + minutes(60));
      assertThat(second.events).isEqualTo(1);
      assertThat(second.sessionId).isNotEqualTo(first.sessionId);
    }

    @Test
    void sessionLeftWithItemsInTheCartIsMarkedOpen() throws Exception {
      openHeap();
      send(cartAdd(U1, "A", T0));
      advanceTo(T0 + minutes(30));
      assertThat(sessions()).singleElement().extracting(s -> s.cartLeftOpen).isEqualTo(true);
    }
  }

  // ================================================================== win-back

  @Nested
  class WinBack {
    @Test
    void emitsWinBackOnceSixtyDaysAfterTheLastOfTwoOrders() throws Exception {
      openHeap();
      send(purchase(U1, "A", T0).price(12).category("Lanterns"));
      send(purchase(U1, "B", T0 + days(1)).price(8).category("Lanterns"));

      long due = T0 + days(1) + days(60);
      advanceTo(due - 1);
      assertThat(actions(ActionType.WIN_BACK)).isEmpty();

      advanceTo(due);
      assertThat(actions(ActionType.WIN_BACK)).hasSize(1);
      Action a = actions(ActionType.WIN_BACK).get(0);
      assertThat(a.channel).isEqualTo(Channel.EMAIL);
      assertThat(a.triggerEventTime).isEqualTo(due);
      assertThat(a.items).containsExactly("B", "A");
      assertThat(a.explanation).contains("2 orders", "20.00 spent", "60 days", "Lanterns");

      advanceTo(due + days(365));
      assertThat(actions(ActionType.WIN_BACK)).hasSize(1);
      assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void noWinBackAfterASingleOrder() throws Exception {
      openHeap();
      send(purchase(U1, "A", T0));
      advanceTo(T0 + days(400));
      assertThat(actions(ActionType.WIN_BACK)).isEmpty();
    }

    @Test
    void purchaseBeforeTheDeadlineMovesTheWinBack() throws Exception {
      openHeap();
      send(purchase(U1, "A", T0));
      send(purchase(U1, "B", T0 + days(1)));
      advanceTo(T0 + days(50));
      send(purchase(U1, "C", T0 + days(50)));

      advanceTo(T0 + days(110) - 1);
      assertThat(actions(ActionType.WIN_BACK)).isEmpty();

      advanceTo(T0 + days(110));
      assertThat(actions(ActionType.WIN_BACK))
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.triggerEventTime).isEqualTo(T0 + days(110));
                assertThat(a.explanation).contains("3 orders");
              });
    }
  }

  // ================================================================== cross-sell

  @Nested
  class CrossSell {
    @Test
    void emitsCrossSellAfterTheDelayWithCoPurchasedItemsTheUserDoesNotOwn() throws Exception {
      openHeap();
      send(purchase(U1, "D", T0 - days(1)));
      advanceTo(T0 - days(1) + hours(2));
      assertThat(actions()).isEmpty(); // nothing to suggest for D

      send(
          purchase(U1, "A", T0)
              .coPurchased(new String[] {"B", "C", "D", "A"}, 2, 5, 3, 4)
              .title("Lantern"));

      advanceTo(T0 + hours(1) - 1);
      assertThat(actions(ActionType.CROSS_SELL)).isEmpty();

      advanceTo(T0 + hours(1));
      List<Action> crossSells = actions(ActionType.CROSS_SELL);
      assertThat(crossSells).hasSize(1);
      Action a = crossSells.get(0);
      assertThat(a.items).containsExactly("C", "B");
      assertThat(a.channel).isEqualTo(Channel.EMAIL);
      assertThat(a.triggerEventTime).isEqualTo(T0 + hours(1));
      assertThat(a.explanation)
          .contains("bought A", "C (bought together 5 times)", "B (bought together 2 times)")
          .doesNotContain("D (bought");
    }

    @Test
    void noCrossSellForItemsAlreadyInTheCart() throws Exception {
      openHeap();
      send(cartAdd(U1, "B", T0 - minutes(5)));
      send(purchase(U1, "A", T0).coPurchased(new String[] {"B"}, 4));

      advanceTo(T0 + hours(2));
      assertThat(actions(ActionType.CROSS_SELL)).isEmpty();
    }
  }

  // ================================================================== price drop

  @Nested
  class PriceDrop {
    @Test
    void priceDropOfAnItemInTheCartFiresPriceDrop() throws Exception {
      openHeap();
      send(cartAdd(U1, "A", T0));
      send(priceDrop(U1, "A", T0 + minutes(5), 20.0, 15.0));

      List<Action> drops = actions(ActionType.PRICE_DROP);
      assertThat(drops).hasSize(1);
      Action a = drops.get(0);
      assertThat(a.items).containsExactly("A");
      assertThat(a.channel).isEqualTo(Channel.PUSH);
      assertThat(a.triggerEventTime).isEqualTo(T0 + minutes(5));
      assertThat(a.explanation).contains("20.00", "15.00 EUR", "-25%", "in the cart");
    }

    @Test
    void priceDropSentAtOnceLeavesTheCartReminderOnItsTimer() throws Exception {
      openHeap();
      send(cartAdd(U1, "A", T0));
      long timers = h.numEventTimeTimers();
      send(priceDrop(U1, "A", T0 + minutes(5), 20.0, 15.0));

      assertThat(actions(ActionType.PRICE_DROP)).hasSize(1);
      assertThat(h.numEventTimeTimers()).isEqualTo(timers).isEqualTo(1);
      advanceTo(T0 + hours(1));
      assertThat(actions(ActionType.CART_ABANDONMENT)).hasSize(1);
      assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void priceDropOfAWishlistedItemFiresPriceDrop() throws Exception {
      openHeap();
      send(wishlist(U1, "W", T0));
      send(priceDrop(U1, "W", T0 + minutes(5), 20.0, 10.0));

      assertThat(actions(ActionType.PRICE_DROP))
          .singleElement()
          .satisfies(a -> assertThat(a.explanation).contains("in the wishlist"));
    }

    @Test
    void priceDropOfAnItemNotInTheCartDoesNothing() throws Exception {
      openHeap();
      send(cartAdd(U1, "A", T0));
      send(priceDrop(U1, "B", T0 + minutes(5), 20.0, 15.0));
      assertThat(actions()).isEmpty();
      assertThat(suppressed()).isEmpty();
    }

    @Test
    void olderPurchaseArrivingLateKeepsTheNewerWishlistLine() throws Exception {
      openHeap();
      send(wishlist(U1, "W", T0));
      send(purchase(U1, "W", T0 - minutes(10)));
      send(priceDrop(U1, "W", T0 + minutes(5), 20.0, 10.0));
      assertThat(actions(ActionType.PRICE_DROP)).hasSize(1);
    }

    @Test
    void priceDropAfterTheItemWasBoughtDoesNothing() throws Exception {
      openHeap();
      send(cartAdd(U1, "A", T0));
      send(purchase(U1, "A", T0 + minutes(2)));
      send(priceDrop(U1, "A", T0 + minutes(5), 20.0, 15.0));
      assertThat(actions(ActionType.PRICE_DROP)).isEmpty();
    }
  }

  // ================================================================== guardrails

  @Nested
  class Guardrails {
    @Test
    void optedOutChannelSuppressesTheActionForConsent() throws Exception {
      openHeap();
      send(consent(U1, ConsentChange.OPT_OUT, T0 - hours(1), Channel.EMAIL));
      send(cartAdd(U1, "A", T0));

      advanceTo(T0 + hours(1));
      assertThat(actions()).isEmpty();
      assertThat(suppressed())
          .extracting(s -> s.reason, s -> s.action.actionType, s -> s.action.channel)
          .containsExactly(
              tuple(SuppressedAction.CONSENT, ActionType.CART_ABANDONMENT, Channel.EMAIL));
    }

    @Test
    void optOutOfOneChannelLeavesTheOthersAllowed() throws Exception {
      openHeap();
      send(consent(U1, ConsentChange.OPT_OUT, T0 - hours(1), Channel.EMAIL));
      send(cartAdd(U1, "A", T0));
      send(priceDrop(U1, "A", T0 + minutes(1), 20, 10));
      assertThat(actions(ActionType.PRICE_DROP)).hasSize(1);
    }

    @Test
    void optInAfterOptOutAllowsTheChannelAgain() throws Exception {
      openHeap();
      send(consent(U1, ConsentChange.OPT_OUT, T0 - hours(2), Channel.EMAIL));
      send(consent(U1, ConsentChange.OPT_IN, T0 - hours(1), Channel.EMAIL));
      send(cartAdd(U1, "A", T0));
      advanceTo(T0 + hours(1));
      assertThat(actions(ActionType.CART_ABANDONMENT)).hasSize(1);
      assertThat(suppressed()).isEmpty();
    }

    @Test
    void secondActionOnTheSameChannelAndDayIsSuppressedByTheFrequencyCap() throws Exception {
      EngineConfig cfg = new EngineConfig();
      cfg.frequencyCapPerChannelPerDay = 1;
      open(cfg, false);
      send(cartAdd(U1, "A", T0));
      send(cartAdd(U1, "B", T0 + minutes(1)));
      send(priceDrop(U1, "A", T0 + minutes(5), 20, 15));
      send(priceDrop(U1, "B", T0 + minutes(6), 20, 15));

      assertThat(actions(ActionType.PRICE_DROP))
          .singleElement()
          .satisfies(a -> assertThat(a.items).containsExactly("A"));
      assertThat(suppressed())
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.reason).isEqualTo(SuppressedAction.FREQUENCY_CAP);
                assertThat(s.action.items).containsExactly("B");
              });

      // The cap counts per calendar day: the next day the channel is free again.
      send(priceDrop(U1, "B", T0 + days(1), 15, 12));
      assertThat(actions(ActionType.PRICE_DROP)).hasSize(2);
    }

    @Test
    void frequencyCapCountsPerChannel() throws Exception {
      EngineConfig cfg = new EngineConfig();
      cfg.frequencyCapPerChannelPerDay = 1;
      open(cfg, false);
      send(cartAdd(U1, "A", T0));
      send(priceDrop(U1, "A", T0 + minutes(5), 20, 15)); // push
      advanceTo(T0 + hours(1)); // cart reminder: email
      assertThat(actions())
          .extracting(a -> a.actionType)
          .containsExactly(ActionType.PRICE_DROP, ActionType.CART_ABANDONMENT);
      assertThat(suppressed()).isEmpty();
    }

    @Test
    void identicalActionWithinTheWindowIsSuppressedAsDuplicate() throws Exception {
      openHeap();
      send(cartAdd(U1, "A", T0));
      send(priceDrop(U1, "A", T0 + minutes(5), 20, 15));
      send(priceDrop(U1, "A", T0 + hours(1), 15, 12));

      assertThat(actions(ActionType.PRICE_DROP)).hasSize(1);
      assertThat(suppressed())
          .extracting(s -> s.reason, s -> s.action.actionType, s -> s.action.triggerEventTime)
          .containsExactly(tuple(SuppressedAction.DUPLICATE, ActionType.PRICE_DROP, T0 + hours(1)));

      // Outside the seven-day window it may go out again.
      send(priceDrop(U1, "A", T0 + days(8), 12, 10));
      assertThat(actions(ActionType.PRICE_DROP)).hasSize(2);
    }

    @Test
    void pushActionDuringQuietHoursIsDeferredToTheirEnd() throws Exception {
      openHeap();
      long lateEvening = at("2025-03-10T23:00:00Z");
      long nextMorning = at("2025-03-11T08:00:00Z");
      send(cartAdd(U1, "A", lateEvening - minutes(10)));
      send(priceDrop(U1, "A", lateEvening, 20, 15));
      assertThat(actions(ActionType.PRICE_DROP)).isEmpty();
      assertThat(suppressed()).isEmpty();

      advanceTo(nextMorning - 1);
      assertThat(actions(ActionType.PRICE_DROP)).isEmpty();
      // email is not subject to quiet hours: the cart reminder went out at 23:20
      assertThat(actions(ActionType.CART_ABANDONMENT)).hasSize(1);

      advanceTo(nextMorning);
      List<Action> drops = actions(ActionType.PRICE_DROP);
      assertThat(drops).hasSize(1);
      assertThat(drops.get(0).triggerEventTime).isEqualTo(lateEvening);
      assertThat(drops.get(0).sendAt).isEqualTo(nextMorning);
      assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void deadlinesPassedByTheUsersNextEventFireInTimeOrderAsTheWatermarkWouldFireThem()
        throws Exception {
      // Night session: its browse notice (push) falls in quiet hours and waits until 08:00.
      // Morning session on the same item: its notice at 08:20 duplicates the deferred one.
      long night = at("2025-03-10T20:40:00Z");
      long morning = at("2025-03-11T07:30:00Z");
      long quietEnd = at("2025-03-11T08:00:00Z");
      long nextVisit = at("2025-03-11T09:00:00Z");

      openHeap();
      browseTwiceThenVisitAgain(night, morning, nextVisit, () -> advanceTo(nextVisit - 1));
      List<String> byWatermark = sentAndSuppressed();
      assertThat(actions(ActionType.BROWSE_ABANDONMENT))
          .extracting(a -> a.triggerEventTime, a -> a.sendAt)
          .containsExactly(tuple(night + minutes(32), quietEnd));
      assertThat(suppressed())
          .extracting(s -> s.reason, s -> s.action.triggerEventTime)
          .containsExactly(tuple(SuppressedAction.DUPLICATE, morning + minutes(50)));

      // The watermark stays behind: the user's next visit passes both deadlines at once.
      openHeap();
      browseTwiceThenVisitAgain(night, morning, nextVisit, () -> {});
      assertThat(sentAndSuppressed()).isEqualTo(byWatermark);
    }

    private void browseTwiceThenVisitAgain(
        long night, long morning, long nextVisit, ThrowingRunnable<Exception> beforeNextVisit)
        throws Exception {
      for (long t : new long[] {night, night + minutes(1), night + minutes(2)}) {
        send(view(U1, "A", t));
      }
      for (long t : new long[] {morning, morning + minutes(10), morning + minutes(20)}) {
        send(view(U1, "A", t));
      }
      beforeNextVisit.run();
      send(view(U1, "B", nextVisit));
    }

    /** Each sent action's id and send time, then each suppressed one's id and reason. */
    private List<String> sentAndSuppressed() {
      List<String> out = new ArrayList<>();
      actions().forEach(a -> out.add("sent " + a.actionId + " at " + a.sendAt));
      suppressed().forEach(s -> out.add(s.reason + " " + s.action.actionId));
      return out;
    }

    @Test
    void erasureRequestClearsAllStateAndTimers() throws Exception {
      openHeap();
      long evening = at("2025-03-10T22:40:00Z");
      send(consent(U1, ConsentChange.OPT_OUT, evening - hours(1), Channel.SMS));
      send(view(U1, "A", evening).category("Lanterns"));
      send(wishlist(U1, "W", evening + minutes(1)));
      send(purchase(U1, "P", evening + minutes(2)));
      send(cartAdd(U1, "A", at("2025-03-10T22:50:00Z")));
      send(priceDrop(U1, "A", at("2025-03-10T23:00:00Z"), 20, 15)); // deferred
      send(view(U2, "A", T0));
      int u2Entries = entriesOfU2Only();
      assertThat(h.numKeyedStateEntries()).isGreaterThan(u2Entries);
      assertThat(h.numEventTimeTimers()).isEqualTo(2);

      send(erasure(U1, at("2025-03-10T23:05:00Z")));

      assertThat(h.numKeyedStateEntries()).isEqualTo(u2Entries);
      assertThat(h.numEventTimeTimers()).isEqualTo(1); // u2's session only
      advanceTo(T0 + days(400));
      assertThat(actions()).isEmpty();
      assertThat(sessions()).extracting(s -> s.userId).containsExactly(U2);
    }

    /** State entries a user with one view has: what must remain when only u1 is erased. */
    private int entriesOfU2Only() throws Exception {
      var probe = new UserJourneyHarness(new UserJourneyFunction(new EngineConfig()));
      opened.add(probe);
      probe.open();
      probe.processElement(view(U2, "A", T0).get(), T0);
      return probe.numKeyedStateEntries();
    }
  }

  // ================================================================== determinism

  @Test
  void actionIdsAreDeterministicAcrossFreshHarnesses() throws Exception {
    List<String> first = scenarioActionIds();
    List<String> second = scenarioActionIds();

    assertThat(first).hasSize(4).doesNotHaveDuplicates().allMatch(id -> id.matches("[0-9a-f]{32}"));
    assertThat(second).isEqualTo(first);
  }

  private List<String> scenarioActionIds() throws Exception {
    openHeap();
    send(view(U1, "A", T0));
    send(view(U1, "A", T0 + minutes(1)));
    send(view(U1, "A", T0 + minutes(2)));
    send(cartAdd(U1, "B", T0 + minutes(3)));
    send(priceDrop(U1, "B", T0 + minutes(4), 20, 15));
    send(priceDrop(U1, "B", T0 + minutes(5), 15, 12)); // duplicate: suppressed, still has an id
    advanceTo(T0 + hours(2));
    List<String> ids = new ArrayList<>();
    actions().forEach(a -> ids.add(a.actionId));
    suppressed().forEach(s -> ids.add(s.action.actionId));
    return ids;
  }

  // ================================================================== state and timer cleanup

  @Nested
  class Cleanup {
    @Test
    void aUserWrittenWithTheStateCacheOffIsReadBackAfterARestoreWithItOn() throws Exception {
      // No presence markers are written with the cache off; the restored job must still see
      // every user's state (the operator marks the restored keys before the first record).
      EngineConfig off = new EngineConfig();
      off.stateCacheKeys = 0;
      open(off, true);
      send(cartAdd(U1, "A", T0));
      var snapshot = h.snapshot(1L, 1L);

      open(new EngineConfig(), true, snapshot);
      send(priceDrop(U1, "A", T0 + minutes(5), 20.0, 15.0));
      send(priceDrop(U2, "A", T0 + minutes(5), 20.0, 15.0)); // never seen: nothing to say

      assertThat(actions(ActionType.PRICE_DROP)).extracting(a -> a.userId).containsExactly(U1);
    }

    @Test
    void keepsAtMostOneTimerPerUserAndNoneOnceAllDeadlinesPassed() throws Exception {
      open(new EngineConfig(), true);
      for (int i = 0; i < 5; i++) {
        send(view(U1, "A", T0 + minutes(i)));
      }
      send(cartAdd(U1, "A", T0 + minutes(5)));
      assertThat(h.numEventTimeTimers()).isEqualTo(1);

      send(purchase(U2, "B", T0 + minutes(6)));
      send(purchase(U2, "C", T0 + minutes(7)));
      assertThat(h.numEventTimeTimers()).isEqualTo(2);

      // u1: session closed and the cart reminder fired at 10:35; cart stays, nothing is due.
      advanceTo(T0 + minutes(35));
      assertThat(actions(ActionType.CART_ABANDONMENT)).hasSize(1);
      assertThat(h.numEventTimeTimers()).isEqualTo(1);

      // u2: session closed at 10:37, cross-sell (none to suggest) and win-back still pending.
      advanceTo(T0 + minutes(37));
      assertThat(sessions()).hasSize(2);
      assertThat(h.numEventTimeTimers()).isEqualTo(1);
      advanceTo(T0 + hours(2));
      assertThat(h.numEventTimeTimers()).isEqualTo(1); // win-back

      advanceTo(T0 + days(61));
      assertThat(actions(ActionType.WIN_BACK)).hasSize(1);
      assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void laterDeadlinesKeepTheEarlierTimerWhichReRegistersWhenItFindsNothingDue() throws Exception {
      UserJourneyFunction fn = new UserJourneyFunction(new EngineConfig());
      h = new UserJourneyHarness(fn);
      h.setStateBackend(new EmbeddedRocksDBStateBackend());
      h.open();
      opened.add(h);
      send(view(U1, "A", T0));
      send(view(U1, "B", T0 + minutes(5)));
      send(view(U1, "C", T0 + minutes(10))); // the session now closes at 10:40
      h.getOperator().setCurrentKey(U1);
      assertThat(fn.scheduledTimer()).isEqualTo(T0 + minutes(30)); // the first event's, not moved
      assertThat(h.numEventTimeTimers()).isEqualTo(1);

      advanceTo(T0 + minutes(30)); // fires, finds the session still open
      assertThat(sessions()).isEmpty();
      h.getOperator().setCurrentKey(U1);
      assertThat(fn.scheduledTimer()).isEqualTo(T0 + minutes(40));
      assertThat(h.numEventTimeTimers()).isEqualTo(1);

      advanceTo(T0 + minutes(40));
      assertThat(sessions()).singleElement().satisfies(s -> assertThat(s.views).isEqualTo(3));
      assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void anEarlierDeadlineMovesTheTimerForward() throws Exception {
      EngineConfig cfg = new EngineConfig();
      cfg.cartAbandonAfterMs = minutes(10);
      UserJourneyFunction fn = new UserJourneyFunction(cfg);
      h = new UserJourneyHarness(fn);
      h.open();
      opened.add(h);
      send(view(U1, "A", T0)); // the session closes at 10:30, then 10:31
      send(cartAdd(U1, "A", T0 + minutes(1))); // reminder due at 10:11
      h.getOperator().setCurrentKey(U1);
      assertThat(fn.scheduledTimer()).isEqualTo(T0 + minutes(11));
      assertThat(h.numEventTimeTimers()).isEqualTo(1);

      advanceTo(T0 + minutes(11));
      assertThat(actions(ActionType.CART_ABANDONMENT)).hasSize(1);
    }

    @Test
    void sessionOnlyUserLeavesNoTimerAfterTheSessionCloses() throws Exception {
      open(new EngineConfig(), false);
      send(view(U1, "A", T0));
      assertThat(h.numEventTimeTimers()).isEqualTo(1);
      advanceTo(T0 + minutes(30));
      assertThat(sessions()).hasSize(1);
      assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void erasureLeavesNoStateAndNoTimerOnRocksDb() throws Exception {
      open(new EngineConfig(), true);
      long evening = at("2025-03-10T22:40:00Z");
      send(consent(U1, ConsentChange.OPT_OUT, evening - hours(1), Channel.SMS));
      send(view(U1, "A", evening).category("Lanterns").price(10));
      send(wishlist(U1, "W", evening + minutes(1)));
      send(purchase(U1, "P", evening + minutes(2)).coPurchased(new String[] {"Q"}, 3));
      send(cartAdd(U1, "A", at("2025-03-10T22:50:00Z")));
      send(priceDrop(U1, "A", at("2025-03-10T23:00:00Z"), 20, 15)); // deferred to 08:00
      assertThat(rocksDbEntries()).isPositive();
      assertThat(h.numEventTimeTimers()).isEqualTo(1);

      send(erasure(U1, at("2025-03-10T23:05:00Z")));

      assertThat(rocksDbEntries()).isZero();
      assertThat(h.numEventTimeTimers()).isZero();
      advanceTo(T0 + days(400));
      assertThat(actions()).isEmpty();
      assertThat(sessions()).isEmpty();
    }

    private int rocksDbEntries() throws Exception {
      assertThat(h.getOperator().getKeyedStateBackend())
          .isInstanceOf(RocksDBKeyedStateBackend.class);
      return h.numKeyedStateEntries(); // after the write-behind flush, as a checkpoint sees it
    }
  }
}
