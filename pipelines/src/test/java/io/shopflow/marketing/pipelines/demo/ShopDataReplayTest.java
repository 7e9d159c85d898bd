package io.shopflow.marketing.pipelines.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.schema.ReviewEvent;
import io.shopflow.marketing.schema.ShopEvent;
import io.shopflow.marketing.udfs.EventParser;
import io.shopflow.marketing.udfs.InvalidRecordException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShopDataReplayTest {
  @Test
  void realDataBecomesValidEventsInEventTimeOrder() throws Exception {
    List<ReplayRecord> all = ShopDataReplay.load(DemoCommandTest.sharedData());

    assertThat(all).isSortedAccordingTo((a, b) -> Long.compare(a.eventTime(), b.eventTime()));
    long purchases = all.stream().filter(r -> r.json().contains("\"purchase\"")).count();
    assertThat(purchases).as("one purchase per invoice, OTTO orders").isGreaterThan(20_000);
    // Every record but the cancellation invoices parses; cancellations fail on quantity.
    int refused = 0;
    for (ReplayRecord r : all.subList(0, 20_000)) {
      byte[] v = r.json().getBytes(StandardCharsets.UTF_8);
      try {
        switch (r.kind()) {
          case EVENT -> EventParser.parseShopEvent(v);
          case CATALOG -> EventParser.parseCatalogItem(v);
          case CONSENT -> EventParser.parseConsentChange(v);
          case REVIEW -> EventParser.parseReview(v);
        }
      } catch (InvalidRecordException e) {
        assertThat(r.json()).contains("\"order_id\":\"C");
        refused++;
      }
    }
    assertThat(refused).isPositive();
  }

  @Test
  void clothingReviewsAreLaidOntoItemsOfUciPurchasesThreeDaysLater() throws Exception {
    List<ReplayRecord> all = ShopDataReplay.load(DemoCommandTest.sharedData());
    List<ReplayRecord> reviews =
        all.stream().filter(r -> r.kind() == ReplayRecord.Kind.REVIEW).toList();

    assertThat(reviews).hasSizeGreaterThan(10_000);
    java.util.Set<String> ids = new java.util.HashSet<>();
    long negative = 0;
    for (ReplayRecord r : reviews.subList(0, 500)) {
      ReviewEvent rv = EventParser.parseReview(r.json().getBytes(StandardCharsets.UTF_8));
      assertThat(ids.add(rv.reviewId)).as("unique review ids").isTrue();
      assertThat(rv.userId).startsWith("uci-").isEqualTo(r.key());
      negative += rv.rating <= 2 ? 1 : 0;
      long bought = rv.eventTime - ShopDataReplay.REVIEW_AFTER_MS;
      assertThat(all)
          .as("the purchase %s reviews", rv.reviewId)
          .anyMatch(
              p ->
                  p.kind() == ReplayRecord.Kind.EVENT
                      && p.key().equals(rv.userId)
                      && p.eventTime() == bought
                      && p.json().contains("\"item_id\":\"" + rv.itemId + "\""));
    }
    assertThat(negative).as("1- and 2-star reviews among the first 500").isPositive();
  }

  @Test
  void ottoSessionsLandOnTheUciClockAsViewsCartsAndPurchases() throws Exception {
    List<ReplayRecord> otto =
        ShopDataReplay.ottoSessions(
            DemoCommandTest.sharedData()
                .resolve("otto-recsys-sample/otto_train_20_sessions.jsonl"));
    assertThat(otto).isNotEmpty();
    assertThat(otto.stream().mapToLong(ReplayRecord::eventTime).min().orElseThrow())
        .isEqualTo(ShopDataReplay.OTTO_START.toEpochMilli());
    ShopEvent first =
        EventParser.parseShopEvent(otto.get(0).json().getBytes(StandardCharsets.UTF_8));
    assertThat(first.userId).startsWith("otto-");
    assertThat(otto)
        .extracting(
            r -> EventParser.parseShopEvent(r.json().getBytes(StandardCharsets.UTF_8)).eventType)
        .contains("view", "cart_add", "purchase");
  }

  @Test
  void categoryIsTheDescriptionsLastWord() {
    assertThat(ShopDataReplay.category("WHITE METAL LANTERN")).isEqualTo("lantern");
    assertThat(ShopDataReplay.category("SET 2 TEA TOWELS I LOVE LONDON ")).isEqualTo("london");
    assertThat(ShopDataReplay.category("?")).isEqualTo("misc");
  }
}
