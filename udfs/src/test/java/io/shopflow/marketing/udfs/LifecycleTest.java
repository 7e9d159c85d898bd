package io.shopflow.marketing.udfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.schema.state.ProfileCore;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class LifecycleTest {
  private static final long NOW = 1_795_600_800_000L;
  private static final long DAY = Duration.ofDays(1).toMillis();
  private final EngineConfig cfg = new EngineConfig();

  private static ProfileCore buyer(int orders, long lastPurchaseTime) {
    ProfileCore p = new ProfileCore();
    p.orders = orders;
    p.lastPurchaseTime = lastPurchaseTime;
    return p;
  }

  private static ProfileCore pricesSeen(double sum, int count) {
    ProfileCore p = new ProfileCore();
    p.unitPriceSum = sum;
    p.unitPriceCount = count;
    return p;
  }

  @Nested
  class Stage {
    @Test
    void noProfileIsNew() {
      assertThat(Lifecycle.stage(null, NOW, cfg)).isEqualTo(Lifecycle.NEW);
    }

    @Test
    void neverBoughtIsNew() {
      assertThat(Lifecycle.stage(buyer(0, 0), NOW, cfg)).isEqualTo(Lifecycle.NEW);
    }

    @Test
    void oneRecentOrderIsStillNew() {
      assertThat(Lifecycle.stage(buyer(1, NOW - DAY), NOW, cfg)).isEqualTo(Lifecycle.NEW);
    }

    @Test
    void repeatBuyerWithinActiveWindowIsActive() {
      assertThat(Lifecycle.stage(buyer(2, NOW - DAY), NOW, cfg)).isEqualTo(Lifecycle.ACTIVE);
    }

    @Test
    void activeUpToAndIncludingTheActiveThreshold() {
      assertThat(Lifecycle.stage(buyer(3, NOW - cfg.activeWithinMs), NOW, cfg))
          .isEqualTo(Lifecycle.ACTIVE);
      assertThat(Lifecycle.stage(buyer(3, NOW - cfg.activeWithinMs - 1), NOW, cfg))
          .isEqualTo(Lifecycle.AT_RISK);
    }

    @Test
    void atRiskUpToAndIncludingTheAtRiskThreshold() {
      assertThat(Lifecycle.stage(buyer(3, NOW - cfg.atRiskWithinMs), NOW, cfg))
          .isEqualTo(Lifecycle.AT_RISK);
      assertThat(Lifecycle.stage(buyer(3, NOW - cfg.atRiskWithinMs - 1), NOW, cfg))
          .isEqualTo(Lifecycle.LAPSED);
    }

    @Test
    void singleOrderBuyerAgesToAtRiskAndLapsed() {
      assertThat(Lifecycle.stage(buyer(1, NOW - 31 * DAY), NOW, cfg)).isEqualTo(Lifecycle.AT_RISK);
      assertThat(Lifecycle.stage(buyer(1, NOW - 91 * DAY), NOW, cfg)).isEqualTo(Lifecycle.LAPSED);
    }

    @Test
    void followsConfiguredThresholds() {
      EngineConfig c = new EngineConfig();
      c.activeWithinMs = 7 * DAY;
      c.atRiskWithinMs = 14 * DAY;

      assertThat(Lifecycle.stage(buyer(2, NOW - 7 * DAY), NOW, c)).isEqualTo(Lifecycle.ACTIVE);
      assertThat(Lifecycle.stage(buyer(2, NOW - 8 * DAY), NOW, c)).isEqualTo(Lifecycle.AT_RISK);
      assertThat(Lifecycle.stage(buyer(2, NOW - 15 * DAY), NOW, c)).isEqualTo(Lifecycle.LAPSED);
    }

    @Test
    void defaultThresholdsAreThirtyAndNinetyDays() {
      assertThat(Lifecycle.stage(buyer(2, NOW - 30 * DAY), NOW, cfg)).isEqualTo(Lifecycle.ACTIVE);
      assertThat(Lifecycle.stage(buyer(2, NOW - 90 * DAY), NOW, cfg)).isEqualTo(Lifecycle.AT_RISK);
      assertThat(Lifecycle.stage(buyer(2, NOW - 90 * DAY - 1), NOW, cfg))
          .isEqualTo(Lifecycle.LAPSED);
    }
  }

  @Nested
  class PriceBand {
    @Test
    void unknownWithoutPrices() {
      assertThat(Lifecycle.priceBand(null, cfg)).isEqualTo("unknown");
      assertThat(Lifecycle.priceBand(pricesSeen(0, 0), cfg)).isEqualTo("unknown");
    }

    @Test
    void budgetBelowTheBudgetBoundary() {
      assertThat(Lifecycle.priceBand(pricesSeen(1.99 * 4, 4), cfg)).isEqualTo("budget");
    }

    @Test
    void midFromTheBudgetBoundaryToThePremiumBoundaryInclusive() {
      assertThat(Lifecycle.priceBand(pricesSeen(2.0, 1), cfg)).isEqualTo("mid");
      assertThat(Lifecycle.priceBand(pricesSeen(6.0 * 3, 3), cfg)).isEqualTo("mid");
      assertThat(Lifecycle.priceBand(pricesSeen(10.0, 1), cfg)).isEqualTo("mid");
    }

    @Test
    void premiumAboveThePremiumBoundary() {
      assertThat(Lifecycle.priceBand(pricesSeen(10.01, 1), cfg)).isEqualTo("premium");
    }

    @Test
    void usesTheMeanUnitPrice() {
      // 1.0 and 25.0: mean 13.0, premium, though one price alone is budget.
      assertThat(Lifecycle.priceBand(pricesSeen(26.0, 2), cfg)).isEqualTo("premium");
    }

    @Test
    void followsConfiguredBoundaries() {
      EngineConfig c = new EngineConfig();
      c.budgetBelow = 50;
      c.premiumAbove = 200;

      assertThat(Lifecycle.priceBand(pricesSeen(49, 1), c)).isEqualTo("budget");
      assertThat(Lifecycle.priceBand(pricesSeen(120, 1), c)).isEqualTo("mid");
      assertThat(Lifecycle.priceBand(pricesSeen(201, 1), c)).isEqualTo("premium");
    }
  }
}
