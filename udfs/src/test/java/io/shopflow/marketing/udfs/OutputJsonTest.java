package io.shopflow.marketing.udfs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.ActionType;
import io.shopflow.marketing.schema.Channel;
import io.shopflow.marketing.schema.SessionSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class OutputJsonTest {
  private static final long TRIGGER = Instant.parse("2026-11-25T10:02:30Z").toEpochMilli();
  private static final long SEND_AT = Instant.parse("2026-11-25T10:32:30Z").toEpochMilli();
  private static final long PROCESSED = Instant.parse("2026-11-25T10:32:31.418Z").toEpochMilli();

  /** ISO-8601 in UTC as the schemas' utcTime: date, time, optional fraction, then Z. */
  private static final Pattern UTC_TIME =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z");

  private static List<String> names(JsonNode node) {
    List<String> out = new ArrayList<>();
    node.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static Action action() {
    Action a = new Action();
    a.items = new String[] {"sku-lantern-01", "sku-candle-12"};
    a.actionId = ActionIds.of("u-1001", ActionType.CART_ABANDONMENT, TRIGGER, a.items);
    a.userId = "u-1001";
    a.actionType = ActionType.CART_ABANDONMENT;
    a.channel = Channel.EMAIL;
    a.explanation = "2 item(s) left in the cart";
    a.campaign = "always-on-cart_abandonment";
    a.variant = "control";
    a.triggerEventTime = TRIGGER;
    a.sendAt = SEND_AT;
    a.processingTime = PROCESSED;
    return a;
  }

  private static SessionSummary session() {
    SessionSummary s = new SessionSummary();
    s.sessionId = "u-1001-1795600800000";
    s.userId = "u-1001";
    s.startTime = Instant.parse("2026-11-25T10:00:00Z").toEpochMilli();
    s.endTime = Instant.parse("2026-11-25T10:04:00Z").toEpochMilli();
    s.events = 3;
    s.views = 1;
    s.cartAdds = 1;
    s.cartRemoves = 1;
    s.purchases = 0;
    s.searches = 0;
    s.revenue = 0.0;
    s.cartLeftOpen = true;
    return s;
  }

  @Nested
  class Actions {
    private final JsonNode schema = Resources.json("schemas/action.schema.json");
    private final JsonNode json = Resources.tree(OutputJson.action(action()));

    @Test
    void hasExactlyTheFieldsOfTheActionSchema() {
      assertThat(names(json))
          .containsExactlyInAnyOrderElementsOf(texts(schema.path("required")))
          .containsExactlyInAnyOrderElementsOf(names(schema.path("properties")));
    }

    @Test
    void writesEveryFieldWithItsValue() {
      assertThat(json.path("action_id").asText()).isEqualTo(action().actionId);
      assertThat(json.path("user_id").asText()).isEqualTo("u-1001");
      assertThat(json.path("action_type").asText()).isEqualTo("cart_abandonment");
      assertThat(json.path("channel").asText()).isEqualTo("email");
      assertThat(texts(json.path("items"))).containsExactly("sku-lantern-01", "sku-candle-12");
      assertThat(json.path("explanation").asText()).isEqualTo("2 item(s) left in the cart");
      assertThat(json.path("campaign").asText()).isEqualTo("always-on-cart_abandonment");
      assertThat(json.path("variant").asText()).isEqualTo("control");
    }

    @Test
    void writesTimesAsIsoUtc() {
      assertThat(json.path("trigger_event_time").asText()).isEqualTo("2026-11-25T10:02:30Z");
      assertThat(json.path("send_at").asText()).isEqualTo("2026-11-25T10:32:30Z");
      assertThat(json.path("processing_time").asText()).isEqualTo("2026-11-25T10:32:31.418Z");
      for (String field : List.of("trigger_event_time", "send_at", "processing_time")) {
        assertThat(json.path(field).isTextual()).as(field).isTrue();
        assertThat(json.path(field).asText()).as(field).matches(UTC_TIME).endsWith("Z");
      }
    }

    @Test
    void actionIdMatchesTheSchemaPattern() {
      String pattern = schema.path("properties").path("action_id").path("pattern").asText();

      assertThat(pattern).isNotEmpty();
      assertThat(Pattern.compile(pattern).matcher(json.path("action_id").asText()).find()).isTrue();
    }

    @Test
    void actionTypesAndChannelsAreTheSchemaEnums() {
      JsonNode properties = schema.path("properties");

      assertThat(texts(properties.path("action_type").path("enum")))
          .containsExactlyInAnyOrderElementsOf(ActionType.ALL);
      assertThat(texts(properties.path("channel").path("enum")))
          .containsExactlyInAnyOrderElementsOf(Channel.ALL);
    }

    @Test
    void writesEmptyItemsAsAnEmptyArray() {
      Action a = action();
      a.items = new String[0];

      JsonNode n = Resources.tree(OutputJson.action(a));

      assertThat(n.path("items").isArray()).isTrue();
      assertThat(n.path("items")).isEmpty();
    }

    @Test
    void parseActionRoundTripsEveryField() {
      Action original = action();

      Action parsed = OutputJson.parseAction(OutputJson.action(original));

      assertThat(parsed).usingRecursiveComparison().isEqualTo(original);
    }

    @Test
    void theRankerCandidatesCarriedBetweenOperatorsAreNeverWritten() {
      Action a = action();
      a.rankCandidates = new String[] {"sku-a", "sku-b"};
      a.rankFeatures = new float[26];
      a.rankNotes = new String[] {"sku-a (popular now, score 0.10)", "sku-b (popular now, 0.05)"};
      a.rankBasis = "after an engaged session, based on your activity";

      JsonNode n = Resources.tree(OutputJson.action(a));

      assertThat(n).isEqualTo(json);
      assertThat(n.toString()).doesNotContain("sku-a").doesNotContain("rank");
    }

    @Test
    void actionNodeAndActionBytesAgree() {
      assertThat(OutputJson.actionNode(action())).isEqualTo(json);
    }
  }

  @Nested
  class Sessions {
    private final JsonNode schema = Resources.json("schemas/session-summary.schema.json");
    private final JsonNode json = Resources.tree(OutputJson.session(session()));

    @Test
    void hasExactlyTheFieldsOfTheSessionSchema() {
      assertThat(names(json))
          .containsExactlyInAnyOrderElementsOf(texts(schema.path("required")))
          .containsExactlyInAnyOrderElementsOf(names(schema.path("properties")));
    }

    @Test
    void matchesTheValidSessionSample() {
      assertThat(json)
          .isEqualTo(Resources.json("samples/valid/session-summary-cart-left-open.json"));
    }

    @Test
    void writesCountsAsIntegersAndFlagAsBoolean() {
      for (String field :
          List.of("events", "views", "cart_adds", "cart_removes", "purchases", "searches")) {
        assertThat(json.path(field).isIntegralNumber()).as(field).isTrue();
      }
      assertThat(json.path("events").asInt()).isEqualTo(3);
      assertThat(json.path("cart_left_open").isBoolean()).isTrue();
      assertThat(json.path("cart_left_open").asBoolean()).isTrue();
      assertThat(json.path("revenue").isNumber()).isTrue();
    }

    @Test
    void writesTimesAsIsoUtc() {
      assertThat(json.path("start_time").asText()).isEqualTo("2026-11-25T10:00:00Z");
      assertThat(json.path("end_time").asText()).isEqualTo("2026-11-25T10:04:00Z");
      assertThat(json.path("start_time").asText()).matches(UTC_TIME);
      assertThat(json.path("end_time").asText()).matches(UTC_TIME);
    }

    @Test
    void roundsRevenueToCents() {
      SessionSummary s = session();
      s.purchases = 1;
      s.revenue = 3 * 4.25 + 24.5 + 0.1 + 0.2; // 37.55000000000001 in doubles

      JsonNode n = Resources.tree(OutputJson.session(s));

      assertThat(n.path("revenue").asDouble()).isEqualTo(37.55);
    }
  }

  @Nested
  class Iso {
    @Test
    void formatsWholeSecondsWithoutFraction() {
      assertThat(OutputJson.iso(TRIGGER)).isEqualTo("2026-11-25T10:02:30Z");
    }

    @Test
    void keepsMilliseconds() {
      assertThat(OutputJson.iso(PROCESSED)).isEqualTo("2026-11-25T10:32:31.418Z");
    }

    @Test
    void formatsTheEpoch() {
      assertThat(OutputJson.iso(0)).isEqualTo("1970-01-01T00:00:00Z");
    }

    @Test
    void isReadBackToTheSameMillis() {
      long t = 1_795_629_600_123L;

      assertThat(Instant.parse(OutputJson.iso(t)).toEpochMilli()).isEqualTo(t);
    }
  }
}
