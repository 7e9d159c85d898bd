package io.shopflow.marketing.udfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.schema.state.CartLine;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExplanationsTest {
  private static final long ARMED = Instant.parse("2026-11-25T10:02:30Z").toEpochMilli();

  @Test
  void cartAbandonmentNamesItemsQuantitiesTotalAndWait() {
    Map<String, CartLine> lines = new LinkedHashMap<>();
    lines.put("sku-lantern-01", new CartLine(2, 24.5, "Solar garden lantern", ARMED));
    lines.put("sku-candle-12", new CartLine(3, 4.25, null, ARMED));

    String text = Explanations.cartAbandonment(lines, ARMED, Duration.ofMinutes(30).toMillis());

    assertThat(text)
        .startsWith("2 item(s) left in the cart")
        .contains("'Solar garden lantern' (sku-lantern-01) x2")
        .contains("sku-candle-12 x3")
        .contains("total 61.75")
        .contains("30 min")
        .contains("2026-11-25T10:02:30Z");
    // Items are listed in item id order, whatever the map order.
    assertThat(text.indexOf("sku-candle-12")).isLessThan(text.indexOf("sku-lantern-01"));
  }

  @Test
  void cartAbandonmentOmitsTotalWhenAPriceIsUnknown() {
    Map<String, CartLine> lines = new LinkedHashMap<>();
    lines.put("sku-1", new CartLine(1, 10.0, "  ", ARMED));
    lines.put("sku-2", new CartLine(1, null, null, ARMED));

    String text = Explanations.cartAbandonment(lines, ARMED, Duration.ofHours(2).toMillis());

    assertThat(text).doesNotContain("total").contains("sku-1 x1").contains("2 h");
  }

  @Test
  void browseAbandonmentNamesItemsViewCountsAndThreshold() {
    String text =
        Explanations.browseAbandonment(
            List.of(Map.entry("sku-rug-40", 4), Map.entry("sku-rug-41", 3)), 3);

    assertThat(text)
        .contains("sku-rug-40 viewed 4 times")
        .contains("sku-rug-41 viewed 3 times")
        .contains("threshold 3")
        .contains("without being added to the cart");
  }

  @Test
  void crossSellNamesBoughtItemsPartnersCountsAndDelay() {
    String text =
        Explanations.crossSell(
            List.of("sku-lantern-01"),
            List.of(Map.entry("sku-candle-12", 5), Map.entry("sku-matches-02", 2)),
            Duration.ofHours(1).toMillis());

    assertThat(text)
        .contains("bought sku-lantern-01 1 h ago")
        .contains("sku-candle-12 (bought together 5 times)")
        .contains("sku-matches-02 (bought together 2 times)");
  }

  @Test
  void winBackGivesOrdersSpendBandCategoryAndDates() {
    long last = Instant.parse("2026-09-01T12:00:00Z").toEpochMilli();

    String text =
        Explanations.winBack(
            4, 123.456, last, Duration.ofDays(60).toMillis(), "lapsed", "mid", "Lighting");

    assertThat(text)
        .contains("4 orders")
        .contains("123.46 spent")
        .contains("mid price band")
        .contains("favourite category Lighting")
        .contains("60 days")
        .contains("2026-09-01T12:00:00Z")
        .contains("lifecycle now lapsed");
  }

  @Test
  void winBackWithoutCategoryLeavesItOut() {
    String text =
        Explanations.winBack(2, 10, 0, Duration.ofDays(60).toMillis(), "at_risk", "budget", null);

    assertThat(text).doesNotContain("favourite category").doesNotContain("null");
  }

  @Test
  void priceDropGivesOldAndNewPriceCurrencyAndPercentage() {
    String text =
        Explanations.priceDrop("Solar garden lantern", "sku-lantern-01", 24.5, 19.6, "GBP", "cart");

    assertThat(text)
        .contains("'Solar garden lantern' (sku-lantern-01)")
        .contains("from 24.50 to 19.60 GBP")
        .contains("(-20%)")
        .contains("in the cart");
  }

  @Test
  void priceDropWithoutTitleOrCurrencyUsesTheItemId() {
    String text = Explanations.priceDrop(null, "sku-1", 10, 8.5, null, "wishlist");

    assertThat(text)
        .startsWith("price of sku-1 dropped from 10.00 to 8.50 (-15%)")
        .doesNotContain("null");
  }

  @Test
  void numbersUseADotWhateverTheDefaultLocale() {
    java.util.Locale before = java.util.Locale.getDefault();
    try {
      java.util.Locale.setDefault(java.util.Locale.GERMANY);

      assertThat(Explanations.priceDrop(null, "sku-1", 10, 8.5, null, "cart")).contains("8.50");
    } finally {
      java.util.Locale.setDefault(before);
    }
  }

  @Test
  void durationsUseTheLargestWholeUnit() {
    assertThat(Explanations.duration(Duration.ofDays(7).toMillis())).isEqualTo("7 days");
    assertThat(Explanations.duration(Duration.ofHours(36).toMillis())).isEqualTo("36 h");
    assertThat(Explanations.duration(Duration.ofMinutes(90).toMillis())).isEqualTo("90 min");
  }

  @Test
  void twoDecimalsWritesWhatStringFormatWrites() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(7);
    List<Double> values =
        new java.util.ArrayList<>(
            List.of(0.0, -0.0, 1.115, 1.005, 0.125, -0.004, -0.005, 2.675, 1e9, -123.456, 0.995));
    for (int i = 0; i < 20_000; i++) {
      values.add((r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(-3, 4)));
      values.add(r.nextInt(-100_000, 100_000) / 1000.0 + 0.005);
    }
    for (double v : values) {
      assertThat(Explanations.twoDecimals(v))
          .as("%s", v)
          .isEqualTo(String.format(java.util.Locale.ROOT, "%.2f", v));
    }
  }
}
