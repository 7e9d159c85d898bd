package io.shopflow.marketing.pipelines.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SyntheticShopTest {
  private static String userInJson(SyntheticShop.Generated g) {
    String json = new String(g.json(), StandardCharsets.UTF_8);
    int at = json.indexOf("\"user_id\":\"");
    return at < 0 ? null : json.substring(at + 11, json.indexOf('"', at + 11));
  }

  @Test
  void aVisitsEventsShareOneUserAndInterleaveWithOtherVisits() {
    int k = SyntheticShop.CONCURRENT_VISITS;
    SyntheticShop shop = new SyntheticShop(1_000_000, 1_000, 200, 1_000_000, 1, 10);
    Set<String> oneVisit = new HashSet<>();
    for (int e = 0; e < 10; e++) {
      oneVisit.add(shop.user(5 + (long) e * k));
    }
    assertThat(oneVisit).hasSize(1);
    assertThat(shop.user(5 + 10L * k)).as("the slot's next visit").isNotEqualTo(shop.user(5));
    assertThat(shop.user(6)).as("another visit at the same time").isNotEqualTo(shop.user(5));
  }

  @Test
  void theRecordCarriesTheUserThatUserReportsForEveryVisitLength() {
    for (int visit : new int[] {1, 10}) {
      SyntheticShop shop = new SyntheticShop(1_000, 100, 200, 100_000, 2, visit);
      for (long i = 0; i < 2_000; i++) {
        String inJson = userInJson(shop.record(i));
        if (inJson != null) {
          assertThat(inJson).isEqualTo(shop.user(i));
        }
      }
    }
  }

  @Test
  void independentDrawsWhenAVisitIsOneEvent() {
    SyntheticShop shop = new SyntheticShop(1_000_000, 1_000, 200, 1_000_000, 1, 1);
    Set<String> users = new HashSet<>();
    for (int e = 0; e < 10; e++) {
      users.add(shop.user(5 + (long) e * SyntheticShop.CONCURRENT_VISITS));
    }
    assertThat(users).hasSizeGreaterThan(5);
  }
}
