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

  @Test
  void decimalsWritesWhatStringFormatWritesAtAnyScale() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(13);
    for (int i = 0; i < 20_000; i++) {
      double v = (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(-3, 6));
      if (i % 3 == 0) {
        v = r.nextInt(-10_000, 10_000) + 0.5; // ties at scale 0
      }
      int scale = r.nextInt(0, 4);
      assertThat(Explanations.decimals(v, scale))
          .as("%s at %d", v, scale)
          .isEqualTo(String.format(java.util.Locale.ROOT, "%." + scale + "f", v));
    }
  }

  @Test
  void textsBuiltWithoutTheFormatterMatchTheirFormatTemplates() {
    // the texts are built by concatenation on the hot path; these are the templates they follow
    java.util.SplittableRandom r = new java.util.SplittableRandom(17);
    for (int i = 0; i < 2_000; i++) {
      double oldPrice = r.nextInt(100, 100_000) / 100.0;
      double newPrice = Math.max(0.01, oldPrice - r.nextInt(1, 5_000) / 100.0);
      String currency = r.nextBoolean() ? "GBP" : null;
      String title = r.nextBoolean() ? "Lamp " + i : null;
      assertThat(Explanations.priceDrop(title, "sku-" + i, oldPrice, newPrice, currency, "cart"))
          .isEqualTo(
              String.format(
                  java.util.Locale.ROOT,
                  "price of %s dropped from %.2f to %.2f%s (-%.0f%%) while it is in the %s",
                  Explanations.name(title, "sku-" + i),
                  oldPrice,
                  newPrice,
                  currency == null ? "" : " " + currency,
                  100 * (oldPrice - newPrice) / oldPrice,
                  "cart"));
      double spent = r.nextInt(0, 10_000_000) / 100.0 + r.nextDouble() / 1000;
      String category = r.nextBoolean() ? "kitchen" : null;
      assertThat(
              Explanations.winBack(
                  i,
                  spent,
                  1_293_000_000_000L,
                  Duration.ofDays(60).toMillis(),
                  "lapsed",
                  "high",
                  category))
          .isEqualTo(
              String.format(
                  java.util.Locale.ROOT,
                  "active buyer (%d orders, %.2f spent, %s price band%s) has not bought for %s"
                      + " since %s; lifecycle now %s",
                  i,
                  spent,
                  "high",
                  category == null ? "" : ", favourite category " + category,
                  "60 days",
                  OutputJson.iso(1_293_000_000_000L),
                  "lapsed"));
      Map<String, CartLine> lines = new LinkedHashMap<>();
      lines.put("sku-" + i, new CartLine(1 + i % 3, oldPrice, title, ARMED));
      lines.put("sku-x", new CartLine(2, r.nextBoolean() ? newPrice : null, null, ARMED));
      boolean priced = lines.get("sku-x").price != null;
      String names =
          lines.entrySet().stream()
              .sorted(Map.Entry.comparingByKey())
              .map(
                  e ->
                      Explanations.name(e.getValue().title, e.getKey())
                          + " x"
                          + e.getValue().quantity)
              .collect(java.util.stream.Collectors.joining(", "));
      assertThat(Explanations.cartAbandonment(lines, ARMED, Duration.ofMinutes(30).toMillis()))
          .isEqualTo(
              String.format(
                  java.util.Locale.ROOT,
                  "%d item(s) left in the cart (%s%s) with no purchase within %s of the last cart"
                      + " add at %s",
                  2,
                  names,
                  priced
                      ? String.format(
                          java.util.Locale.ROOT,
                          "; total %.2f",
                          oldPrice * (1 + i % 3) + newPrice * 2)
                      : "",
                  "30 min",
                  OutputJson.iso(ARMED)));
      double p = r.nextDouble();
      String text = r.nextBoolean() ? "  too   small " + i : null;
      assertThat(Explanations.serviceRecovery("sku-" + i, 1 + i % 5, text, "negative", p, "model"))
          .isEqualTo(
              String.format(
                  java.util.Locale.ROOT,
                  "we are sorry: your %d-star review of %s, which you bought, %s; sentiment %s"
                      + " (p_negative %.2f, by the %s)",
                  1 + i % 5,
                  "sku-" + i,
                  text == null ? "left no text" : "said \"too small " + i + "\"",
                  "negative",
                  p,
                  "sentiment model"));
    }
  }
}
