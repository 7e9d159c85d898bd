package io.shopflow.marketing.operators;

import static io.shopflow.marketing.operators.Signals.T0;
import static io.shopflow.marketing.operators.Signals.days;
import static io.shopflow.marketing.operators.Signals.itemLine;
import static io.shopflow.marketing.operators.Signals.minutes;
import static io.shopflow.marketing.operators.Signals.purchase;
import static io.shopflow.marketing.operators.Signals.sideOutput;
import static io.shopflow.marketing.operators.Signals.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.operators.state.WriteBehindKeyedProcessOperator;
import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.ActionType;
import io.shopflow.marketing.schema.EventType;
import io.shopflow.marketing.schema.ItemFactorDelta;
import io.shopflow.marketing.schema.ItemSignal;
import io.shopflow.marketing.schema.ItemStats;
import io.shopflow.marketing.schema.UserSignal;
import io.shopflow.marketing.udfs.EngineConfig;
import io.shopflow.marketing.udfs.inference.RankerFeatures;
import io.shopflow.marketing.udfs.recs.Isgd;
import io.shopflow.marketing.udfs.recs.PopularTracker;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The recommender's path through both keyed operators: factors, partners, recommendations. */
class RecommenderOperatorsTest {
  final EngineConfig cfg = new EngineConfig();

  UserJourneyHarness userHarness() throws Exception {
    var h = new UserJourneyHarness(new UserJourneyFunction(cfg));
    h.open();
    return h;
  }

  KeyedOneInputStreamOperatorTestHarness<String, ItemSignal, UserSignal> itemHarness()
      throws Exception {
    var h =
        new KeyedOneInputStreamOperatorTestHarness<String, ItemSignal, UserSignal>(
            new WriteBehindKeyedProcessOperator<>(new ItemCatalogFunction(cfg)),
            s -> s.itemId,
            Types.STRING);
    h.open();
    return h;
  }

  @Test
  void everyInteractionStepsTheUserFactorAndFeedsTheItemStepBack() throws Exception {
    try (var h = userHarness()) {
      double[] q = Isgd.init("sku-1", cfg.recs.factors, cfg.recs.initScale);
      h.processElement(view("u1", "sku-1", T0).recs(q, 0, new String[0]).get(), T0);

      List<ItemFactorDelta> deltas = sideOutput(h, UserJourneyFunction.FACTOR_DELTAS);
      assertThat(deltas).hasSize(1);
      ItemFactorDelta d = deltas.get(0);
      assertThat(d.itemId).isEqualTo("sku-1");
      assertThat(d.delta).hasSize(cfg.recs.factors);
      // Applying the step to the item moves the pair's score towards 1.
      double[] u0 = Isgd.init("u1", cfg.recs.factors, cfg.recs.initScale);
      double[] stepped = q.clone();
      for (int i = 0; i < q.length; i++) {
        stepped[i] += d.delta[i];
      }
      assertThat(Isgd.dot(u0, stepped)).isGreaterThan(Isgd.dot(u0, q));
    }
  }

  @Test
  void itemOperatorAppliesFeedbackAndHandsOnFactorBuyersAndCoBuyerPartners() throws Exception {
    try (var h = itemHarness()) {
      for (int i = 0; i < 2; i++) {
        ItemSignal step = new ItemSignal();
        step.kind = ItemSignal.FACTOR_DELTA;
        step.itemId = "tea";
        step.eventTime = T0 + i;
        step.factorDelta = new double[cfg.recs.factors];
        step.factorDelta[0] = 0.25;
        step.newBuyer = true;
        step.coItems = new String[] {"cup"};
        step.coItemBuyers = new long[] {3 + i};
        h.processElement(step, T0 + i);
      }
      h.processElement(itemLine(EventType.PURCHASE, "u3", "tea", T0 + 3, "tea"), T0 + 3);

      List<UserSignal> lines = h.extractOutputValues();
      assertThat(lines).hasSize(1);
      UserSignal line = lines.get(0);
      double[] init = Isgd.init("tea", cfg.recs.factors, cfg.recs.initScale);
      assertThat(line.itemFactor[0])
          .isCloseTo(init[0] + 0.5, org.assertj.core.data.Offset.offset(1e-9));
      assertThat(line.itemFactor[1]).isEqualTo(init[1]);
      assertThat(line.itemBuyers).isEqualTo(2);
      assertThat(line.partners).containsExactly("cup");
      assertThat(line.partnerCounts).containsExactly(2);
      assertThat(line.partnerBuyers).containsExactly(4L);
    }
  }

  @Test
  void firstPurchaseOfAnItemCountsCoBuyersWithRecentPurchasesOnBothSides() throws Exception {
    try (var h = userHarness()) {
      double[] q = Isgd.init("x", cfg.recs.factors, cfg.recs.initScale);
      h.processElement(purchase("u1", "tea", T0).recs(q, 4, new String[0]).get(), T0);
      h.processElement(purchase("u1", "cup", T0 + 1).recs(q, 7, new String[0]).get(), T0 + 1);
      h.processElement(purchase("u1", "cup", T0 + 2).recs(q, 8, new String[0]).get(), T0 + 2);

      List<ItemFactorDelta> fb = sideOutput(h, UserJourneyFunction.FACTOR_DELTAS);
      // tea: step + new buyer; cup: co-buyer note to tea, step + new buyer with tea; cup again.
      assertThat(fb).extracting(d -> d.itemId).containsExactly("tea", "tea", "cup", "cup");
      assertThat(fb.get(0).newBuyer).isTrue();
      assertThat(fb.get(1).delta).isNull();
      assertThat(fb.get(1).coItems).containsExactly("cup");
      assertThat(fb.get(1).coItemBuyers).containsExactly(8L);
      assertThat(fb.get(2).newBuyer).isTrue();
      assertThat(fb.get(2).coItems).containsExactly("tea");
      assertThat(fb.get(2).coItemBuyers).containsExactly(5L);
      assertThat(fb.get(3).newBuyer).isFalse();
      assertThat(fb.get(3).coItems).isEmpty();
    }
  }

  @Test
  void engagedSessionEndsWithRecommendationOfPartnersNotYetBought() throws Exception {
    try (var h = userHarness()) {
      double[] q = Isgd.init("tea", cfg.recs.factors, cfg.recs.initScale);
      h.processElement(
          purchase("u1", "tea", T0)
              .recs(q, 10, new String[] {"cup", "biscuits", "tea-pot"}, 6, 4, 1)
              .get(),
          T0);
      h.processElement(
          purchase("u1", "cup", T0 + 1).recs(q, 5, new String[] {"tea"}, 6).get(), T0 + 1);
      h.processWatermark(T0 + minutes(31) + cfg.timerGranularityMs);

      List<Action> recs =
          h.extractOutputValues().stream()
              .filter(a -> a.actionType.equals(ActionType.RECOMMENDATION))
              .toList();
      assertThat(recs).hasSize(1);
      Action a = recs.get(0);
      assertThat(a.items).containsExactly("biscuits", "tea-pot");
      assertThat(a.explanation).contains("often bought with what you bought").contains("tea");
      assertThat(a.triggerEventTime).isEqualTo(T0 + 1 + minutes(30));
      // Without the ranker (the default) the hybrid order is final: no candidates carried.
      assertThat(a.rankCandidates).isEmpty();
      assertThat(a.rankFeatures).isEmpty();
    }
  }

  @Test
  void withTheRankerOnARecommendationCarriesOverFetchedCandidatesWithTheirFeatureRows()
      throws Exception {
    cfg.recommendationSize = 2;
    cfg.rankerCandidates = 6;
    try (var h = userHarness()) {
      broadcastPopular(
          h,
          new ItemStats("mug", "kitchen", 500, 0, T0 - days(90), null),
          new ItemStats("tea-pot", "kitchen", 60, 0, T0 - days(10), null));
      double[] q = Isgd.init("tea", cfg.recs.factors, cfg.recs.initScale);
      h.processElement(
          purchase("u1", "tea", T0)
              .recs(q, 10, new String[] {"cup", "biscuits", "tea-pot", "spoon"}, 6, 4, 2, 1)
              .get(),
          T0);
      h.processWatermark(T0 + minutes(31) + cfg.timerGranularityMs);

      Action a =
          h.extractOutputValues().stream()
              .filter(x -> x.actionType.equals(ActionType.RECOMMENDATION))
              .findFirst()
              .orElseThrow();
      // The hybrid's first two are the items (and the id); all candidates follow, hybrid order.
      assertThat(a.rankCandidates.length).isGreaterThan(2).isLessThanOrEqualTo(6);
      assertThat(a.rankCandidates).startsWith(a.items);
      assertThat(a.items).hasSize(2);
      assertThat(a.rankCandidates).contains("mug", "tea-pot").doesNotContain("tea");
      assertThat(a.rankFeatures).hasSize(a.rankCandidates.length * RankerFeatures.SIZE);
      assertThat(a.rankNotes).hasSize(a.rankCandidates.length);
      assertThat(a.rankNotes[0]).startsWith(a.items[0] + " (");
      assertThat(a.rankBasis).isEqualTo("after an engaged session, based on your purchases of tea");
      // The row of a candidate: the user bought 1 line of 1 item; "mug" is in the snapshot.
      int mug = java.util.Arrays.asList(a.rankCandidates).indexOf("mug");
      float[] row =
          java.util.Arrays.copyOfRange(
              a.rankFeatures, mug * RankerFeatures.SIZE, (mug + 1) * RankerFeatures.SIZE);
      assertThat(row[0]).isEqualTo((float) Math.log1p(1)); // user_purchases
      assertThat(row[1]).isEqualTo((float) Math.log1p(1)); // user_distinct_items
      assertThat(row[3]).isEqualTo((float) Math.log1p(500)); // item_buyers (snapshot purchases)
      assertThat(row[5]).isZero(); // owned
      assertThat(row[11]).isEqualTo(1f); // popularity: the snapshot's best seller
      assertThat(a.explanation).doesNotContain("ranked by");
    }
  }

  @Test
  void sessionWithOneViewAndNoPurchaseGetsNoRecommendation() throws Exception {
    try (var h = userHarness()) {
      double[] q = Isgd.init("tea", cfg.recs.factors, cfg.recs.initScale);
      h.processElement(purchase("u1", "tea", T0).recs(q, 10, new String[] {"cup"}, 6).get(), T0);
      h.processWatermark(T0 + minutes(31) + cfg.timerGranularityMs);
      h.processElement(view("u1", "tea", T0 + minutes(120)).recs(q, 11, new String[0]).get(), T0);
      h.processWatermark(T0 + minutes(200));

      assertThat(h.extractOutputValues())
          .filteredOn(a -> a.actionType.equals(ActionType.RECOMMENDATION))
          .hasSize(1); // only after the purchase session
      assertThat(h.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void cartReminderCarriesRecommendationsOtherThanTheCartAndOwnedItems() throws Exception {
    try (var h = userHarness()) {
      Action reminder =
          cartReminderAfterBuyingTea(h, new String[] {"cup", "spoon", "tea"}, 6, 4, 1);

      assertThat(reminder.items).containsExactly("spoon");
      assertThat(reminder.recommendedItems).containsExactly("cup");
      assertThat(reminder.explanation).endsWith("also recommended: cup");
    }
  }

  @Test
  void withTheRankerOnACartRemindersPicksCarryOverFetchedCandidatesForTheRankingOperator()
      throws Exception {
    cfg.attachedRecommendations = 1;
    cfg.rankerCandidates = 6;
    try (var h = userHarness()) {
      broadcastPopular(h, new ItemStats("mug", "kitchen", 500, 0, T0 - days(90), null));

      Action reminder =
          cartReminderAfterBuyingTea(
              h, new String[] {"cup", "spoon", "tea", "biscuits"}, 6, 4, 1, 1);

      // The hybrid's best pick is sent (and stays if the ranker fails); the ranking operator gets
      // every candidate, hybrid order, with its feature row. The cart item is no candidate.
      assertThat(reminder.items).containsExactly("spoon");
      assertThat(reminder.recommendedItems).containsExactly("cup");
      assertThat(reminder.explanation).endsWith("; also recommended: cup");
      assertThat(reminder.rankCandidates)
          .startsWith("cup")
          .contains("biscuits", "mug")
          .doesNotContain("spoon", "tea");
      assertThat(reminder.rankCandidates.length).isLessThanOrEqualTo(6);
      assertThat(reminder.rankFeatures)
          .hasSize(reminder.rankCandidates.length * RankerFeatures.SIZE);
      assertThat(reminder.rankNotes).hasSize(reminder.rankCandidates.length);
    }
  }

  /**
   * The popular-items snapshot of {@code items} as of a day before T0, broadcast to the user side.
   */
  private void broadcastPopular(UserJourneyHarness h, ItemStats... items) throws Exception {
    PopularTracker tracker = new PopularTracker(cfg.recs);
    for (ItemStats i : items) {
      tracker.update(i);
    }
    h.processBroadcastElement(tracker.snapshot(), T0 - days(1));
  }

  /**
   * u1 buys tea (whose co-buyers bought {@code partners}, with {@code counts}), then leaves a spoon
   * in the cart: the reminder half an hour later.
   */
  private Action cartReminderAfterBuyingTea(UserJourneyHarness h, String[] partners, int... counts)
      throws Exception {
    double[] q = Isgd.init("tea", cfg.recs.factors, cfg.recs.initScale);
    h.processElement(purchase("u1", "tea", T0).recs(q, 10, partners, counts).get(), T0);
    h.processElement(
        Signals.cartAdd("u1", "spoon", T0 + minutes(5)).recs(q, 3, new String[0]).get(),
        T0 + minutes(5));
    h.processWatermark(T0 + minutes(36) + cfg.timerGranularityMs);
    return h.extractOutputValues().stream()
        .filter(a -> a.actionType.equals(ActionType.CART_ABANDONMENT))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void shopperWhoOnlyBrowsedGetsRecommendationsFromWhatBuyersOfThoseItemsAlsoBought()
      throws Exception {
    try (var h = userHarness()) {
      double[] q = Isgd.init("lamp", cfg.recs.factors, cfg.recs.initScale);
      h.processElement(
          view("new", "lamp", T0).recs(q, 12, new String[] {"bulb", "shade"}, 7, 3).get(), T0);
      h.processElement(
          view("new", "lamp", T0 + minutes(1)).recs(q, 12, new String[] {"bulb"}, 7).get(),
          T0 + minutes(1));
      h.processWatermark(T0 + minutes(32) + cfg.timerGranularityMs);

      Action rec =
          h.extractOutputValues().stream()
              .filter(a -> a.actionType.equals(ActionType.RECOMMENDATION))
              .findFirst()
              .orElseThrow();
      assertThat(rec.items).containsExactly("bulb", "shade");
      assertThat(rec.explanation).contains("your activity");
    }
  }

  @Test
  void newShopperWhoBrowsedACategoryIsRecommendedItsBestSellersFromTheBroadcastSnapshot()
      throws Exception {
    try (var h = userHarness()) {
      broadcastPopular(
          h,
          new ItemStats("mug", "kitchen", 500, 0, T0 - days(90), null),
          new ItemStats("lantern", "lighting", 60, 0, T0 - days(90), null),
          new ItemStats("candle", "lighting", 40, 0, T0 - days(90), null));

      double[] q = Isgd.init("lamp", cfg.recs.factors, cfg.recs.initScale);
      // No co-buyers for these items yet: only the snapshot can fill the recommendation.
      h.processElement(
          view("new", "lamp", T0).category("lighting").recs(q, 0, new String[0]).get(), T0);
      h.processElement(
          view("new", "shade", T0 + minutes(1))
              .category("lighting")
              .recs(q, 0, new String[0])
              .get(),
          T0 + minutes(1));
      h.processWatermark(T0 + minutes(32) + cfg.timerGranularityMs);

      Action rec =
          h.extractOutputValues().stream()
              .filter(a -> a.actionType.equals(ActionType.RECOMMENDATION))
              .findFirst()
              .orElseThrow();
      assertThat(rec.items).startsWith("lantern", "candle").contains("mug");
      assertThat(rec.explanation).contains("lantern (matches your interest in lighting");
    }
  }

  @Test
  void withoutASnapshotAShopperWithNoSignalsGetsNoRecommendation() throws Exception {
    try (var h = userHarness()) {
      double[] q = Isgd.init("lamp", cfg.recs.factors, cfg.recs.initScale);
      h.processElement(
          view("new", "lamp", T0).category("lighting").recs(q, 0, new String[0]).get(), T0);
      h.processElement(
          view("new", "lamp", T0 + minutes(1)).category("lighting").recs(q, 0, new String[0]).get(),
          T0 + minutes(1));
      h.processWatermark(T0 + minutes(32) + cfg.timerGranularityMs);

      assertThat(h.extractOutputValues())
          .noneMatch(a -> a.actionType.equals(ActionType.RECOMMENDATION));
      assertThat(h.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void aRegularPurchaseComesBackAsARecommendationOnlyTwoWeeksAfterItWasBought() throws Exception {
    try (var h = userHarness()) {
      double[] q = Isgd.init("tea", cfg.recs.factors, cfg.recs.initScale);
      for (int i = 0; i < 3; i++) {
        long t = T0 + days(3 * i);
        h.processElement(purchase("u1", "tea", t).recs(q, 10, new String[] {"cup"}, 6).get(), t);
      }
      long later = T0 + days(6) + days(20);
      h.processElement(view("u1", "lamp", later).recs(q, 0, new String[0]).get(), later);
      h.processElement(
          view("u1", "shade", later + minutes(1)).recs(q, 0, new String[0]).get(),
          later + minutes(1));
      h.processWatermark(later + minutes(40));

      List<Action> recs =
          h.extractOutputValues().stream()
              .filter(a -> a.actionType.equals(ActionType.RECOMMENDATION))
              .toList();
      // After each purchase: cup, never the tea just bought (the 2nd and 3rd are the same
      // recommendation within the de-duplication window, so they are suppressed).
      assertThat(recs).hasSize(2);
      assertThat(recs.get(0).items).containsExactly("cup");
      assertThat(sideOutput(h, UserJourneyFunction.SUPPRESSED))
          .extracting(x -> x.action.actionType + ":" + String.join(",", x.action.items))
          .containsExactly("recommendation:cup", "recommendation:cup");
      Action weeksLater = recs.get(1);
      assertThat(weeksLater.items).startsWith("tea");
      assertThat(weeksLater.explanation).contains("tea (you buy it regularly");
    }
  }
}
