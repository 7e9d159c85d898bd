package io.shopflow.marketing.udfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.schema.ActionType;
import io.shopflow.marketing.schema.Channel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class EngineConfigTest {
  @Test
  void shipsTheDocumentedDefaults() {
    EngineConfig c = new EngineConfig();

    assertThat(c.sessionGapMs).isEqualTo(Duration.ofMinutes(30).toMillis());
    assertThat(c.cartAbandonAfterMs).isEqualTo(Duration.ofMinutes(30).toMillis());
    assertThat(c.activeWithinMs).isEqualTo(Duration.ofDays(30).toMillis());
    assertThat(c.atRiskWithinMs).isEqualTo(Duration.ofDays(90).toMillis());
    assertThat(c.activeWithinMs).isLessThan(c.atRiskWithinMs);
    assertThat(c.budgetBelow).isLessThan(c.premiumAbove);
    assertThat(c.quietStartHour).isEqualTo(21);
    assertThat(c.quietEndHour).isEqualTo(8);
    assertThat(c.quietHoursChannels).containsExactlyInAnyOrder(Channel.PUSH, Channel.SMS);
    assertThat(c.zone).isEqualTo("UTC");
  }

  @Test
  void everyActionTypeHasAKnownChannel() {
    EngineConfig c = new EngineConfig();

    assertThat(c.channelByAction.keySet()).containsExactlyInAnyOrderElementsOf(ActionType.ALL);
    for (String type : ActionType.ALL) {
      assertThat(Channel.ALL).as("channel of %s", type).contains(c.channelFor(type));
    }
    assertThat(c.channelFor(ActionType.CART_ABANDONMENT)).isEqualTo(Channel.EMAIL);
    assertThat(c.channelFor(ActionType.PRICE_DROP)).isEqualTo(Channel.PUSH);
  }

  @Test
  void unknownActionTypeFallsBackToEmail() {
    assertThat(new EngineConfig().channelFor("birthday")).isEqualTo(Channel.EMAIL);
  }

  @Test
  void zoneIdIsTheConfiguredZone() {
    EngineConfig c = new EngineConfig();
    c.zone = "Europe/London";

    assertThat(c.zoneId()).isEqualTo(ZoneId.of("Europe/London"));
    assertThat(new EngineConfig().zoneId()).isEqualTo(ZoneId.of("UTC"));
  }

  @Test
  void instancesDoNotShareTheChannelMap() {
    EngineConfig a = new EngineConfig();
    EngineConfig b = new EngineConfig();

    a.channelByAction.put(ActionType.WIN_BACK, Channel.SMS);

    assertThat(b.channelFor(ActionType.WIN_BACK)).isEqualTo(Channel.EMAIL);
  }

  @Test
  void survivesJavaSerialization() throws IOException, ClassNotFoundException {
    EngineConfig c = new EngineConfig();
    c.zone = "Europe/London";
    c.frequencyCapPerChannelPerDay = 5;
    c.channelByAction.put(ActionType.WIN_BACK, Channel.SMS);

    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(buffer)) {
      out.writeObject(c);
    }
    EngineConfig copy;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(buffer.toByteArray()))) {
      copy = (EngineConfig) in.readObject();
    }

    assertThat(copy).usingRecursiveComparison().isEqualTo(c);
    assertThat(copy.channelFor(ActionType.WIN_BACK)).isEqualTo(Channel.SMS);
    assertThat(copy.zoneId()).isEqualTo(ZoneId.of("Europe/London"));
  }
}
