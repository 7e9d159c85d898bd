package io.shopflow.marketing.udfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.schema.ActionType;
import org.junit.jupiter.api.Test;

class ActionIdsTest {
  private static final long T = 1_795_600_800_000L;
  private static final String[] ITEMS = {"sku-b", "sku-a", "sku-c"};

  @Test
  void isDeterministic() {
    assertThat(ActionIds.of("u-1", ActionType.CART_ABANDONMENT, T, ITEMS))
        .isEqualTo(ActionIds.of("u-1", ActionType.CART_ABANDONMENT, T, ITEMS.clone()));
  }

  @Test
  void is32LowerCaseHexCharacters() {
    assertThat(ActionIds.of("u-1", ActionType.CART_ABANDONMENT, T, ITEMS))
        .hasSize(32)
        .matches("[0-9a-f]{32}");
    assertThat(ActionIds.of("", ActionType.WIN_BACK, 0, new String[0])).matches("[0-9a-f]{32}");
  }

  @Test
  void ignoresItemOrder() {
    assertThat(ActionIds.of("u-1", ActionType.CROSS_SELL, T, new String[] {"b", "a", "c"}))
        .isEqualTo(ActionIds.of("u-1", ActionType.CROSS_SELL, T, new String[] {"c", "b", "a"}));
  }

  @Test
  void doesNotReorderTheCallersArray() {
    String[] items = {"sku-b", "sku-a"};

    ActionIds.of("u-1", ActionType.CROSS_SELL, T, items);
    ActionIds.dedupKey(ActionType.CROSS_SELL, items);

    assertThat(items).containsExactly("sku-b", "sku-a");
  }

  @Test
  void differsByActionType() {
    assertThat(ActionIds.of("u-1", ActionType.CART_ABANDONMENT, T, ITEMS))
        .isNotEqualTo(ActionIds.of("u-1", ActionType.BROWSE_ABANDONMENT, T, ITEMS));
  }

  @Test
  void differsByUser() {
    assertThat(ActionIds.of("u-1", ActionType.CART_ABANDONMENT, T, ITEMS))
        .isNotEqualTo(ActionIds.of("u-2", ActionType.CART_ABANDONMENT, T, ITEMS));
  }

  @Test
  void differsByTriggerTime() {
    assertThat(ActionIds.of("u-1", ActionType.CART_ABANDONMENT, T, ITEMS))
        .isNotEqualTo(ActionIds.of("u-1", ActionType.CART_ABANDONMENT, T + 1, ITEMS));
  }

  @Test
  void differsByItems() {
    assertThat(ActionIds.of("u-1", ActionType.PRICE_DROP, T, new String[] {"a"}))
        .isNotEqualTo(ActionIds.of("u-1", ActionType.PRICE_DROP, T, new String[] {"b"}))
        .isNotEqualTo(ActionIds.of("u-1", ActionType.PRICE_DROP, T, new String[] {"a", "b"}))
        .isNotEqualTo(ActionIds.of("u-1", ActionType.PRICE_DROP, T, new String[0]));
  }

  @Test
  void fieldBoundariesAreNotAmbiguous() {
    // "u-1" + "2..." must not collide with "u-12" + "...": fields are separated.
    assertThat(ActionIds.of("u-1", "x", 23, new String[0]))
        .isNotEqualTo(ActionIds.of("u-12", "x", 3, new String[0]));
    assertThat(ActionIds.of("u", "ab", T, new String[0]))
        .isNotEqualTo(ActionIds.of("ua", "b", T, new String[0]));
  }

  @Test
  void dedupKeyIgnoresTime() {
    // The key has no time (or user) input at all: the same type and items give the same key.
    assertThat(ActionIds.dedupKey(ActionType.PRICE_DROP, new String[] {"sku-1"}))
        .isEqualTo(ActionIds.dedupKey(ActionType.PRICE_DROP, new String[] {"sku-1"}));
  }

  @Test
  void dedupKeyIgnoresItemOrder() {
    assertThat(ActionIds.dedupKey(ActionType.CROSS_SELL, new String[] {"a", "b"}))
        .isEqualTo(ActionIds.dedupKey(ActionType.CROSS_SELL, new String[] {"b", "a"}));
  }

  @Test
  void dedupKeyDiffersByTypeAndItems() {
    String key = ActionIds.dedupKey(ActionType.CROSS_SELL, new String[] {"a", "b"});

    assertThat(key)
        .isNotEqualTo(ActionIds.dedupKey(ActionType.PRICE_DROP, new String[] {"a", "b"}))
        .isNotEqualTo(ActionIds.dedupKey(ActionType.CROSS_SELL, new String[] {"a"}));
  }

  @Test
  void dedupKeyStartsWithTheActionType() {
    assertThat(ActionIds.dedupKey(ActionType.WIN_BACK, new String[0]))
        .matches("win_back:[0-9a-f]{16}");
  }

  @Test
  void actionsAtDifferentTimesShareTheDedupKeyButNotTheId() {
    String[] items = {"sku-1", "sku-2"};

    assertThat(ActionIds.of("u-1", ActionType.CART_ABANDONMENT, T, items))
        .isNotEqualTo(ActionIds.of("u-1", ActionType.CART_ABANDONMENT, T + 86_400_000L, items));
    assertThat(ActionIds.dedupKey(ActionType.CART_ABANDONMENT, items))
        .isEqualTo(
            ActionIds.dedupKey(ActionType.CART_ABANDONMENT, new String[] {"sku-2", "sku-1"}));
  }
}
