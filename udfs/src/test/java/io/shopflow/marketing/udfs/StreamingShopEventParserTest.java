package io.shopflow.marketing.udfs;

import static io.shopflow.marketing.udfs.Resources.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import io.shopflow.marketing.schema.LineItem;
import io.shopflow.marketing.schema.ShopEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The streaming fast path must give what the tree parser gives: the same event, or (by handing the
 * record over) the same refusal. Records are generated around valid events with every field in the
 * right, a wrong or an edge-case shape, then some are cut, padded or given duplicate fields.
 */
class StreamingShopEventParserTest {
  private static final JsonFactory FACTORY = new JsonFactory();
  private static final String[] TYPES = {
    "view", "cart_add", "cart_remove", "purchase", "search", "wishlist", "view", "view"
  };

  @Test
  void fastPathAnswersForPlainEventsOfEveryShape() {
    String[] plain = {
      "{\"event_id\":\"e-1\",\"event_type\":\"view\",\"user_id\":\"u-1\",\"event_time\":1764064800000,"
          + "\"items\":[{\"item_id\":\"sku-1\"}]}",
      "{\"event_type\":\"purchase\",\"event_id\":\"e-2\",\"user_id\":\"u-1\","
          + "\"event_time\":\"2026-11-25T10:00:00+01:00\",\"order_id\":\"o-9\",\"currency\":\"EUR\","
          + "\"items\":[{\"item_id\":\"a\",\"quantity\":2,\"price\":3.5},{\"item_id\":\"b\",\"price\":4}]}",
      "{\"event_id\":\"e-3\",\"event_type\":\"search\",\"user_id\":\"u-2\",\"event_time\":0,"
          + "\"query\":\"red dress\",\"session_hint\":null,\"items\":null,\"future\":{\"x\":[1,2]}}",
    };
    for (String json : plain) {
      assertThat(StreamingParser.shopEvent(FACTORY, utf8(json))).as(json).isNotNull();
    }
  }

  @Test
  void givesTheTreeParsersEventOrRefusalForGeneratedRecords() {
    Random random = new Random(20261126);
    int fast = 0;
    int accepted = 0;
    int records = 20_000;
    for (int n = 0; n < records; n++) {
      byte[] bytes = utf8(mutate(random, record(random)));
      String tree = outcome(() -> EventParser.parseShopEventTree(bytes));
      ShopEvent fastEvent = StreamingParser.shopEvent(FACTORY, bytes);
      if (fastEvent != null) {
        fast++;
        assertThat(describe(fastEvent)).as(new String(bytes)).isEqualTo(tree);
      }
      if (!tree.startsWith("refused")) {
        accepted++;
      }
      assertThat(outcome(() -> EventParser.parseShopEvent(bytes)))
          .as(new String(bytes))
          .isEqualTo(tree);
    }
    // The generator must exercise both paths, or the comparison proves nothing.
    assertThat(accepted).isBetween(records / 5, records * 4 / 5);
    assertThat(fast).isGreaterThan(accepted * 3 / 4);
  }

  interface Parse {
    ShopEvent apply() throws InvalidRecordException;
  }

  private static String outcome(Parse parse) {
    try {
      return describe(parse.apply());
    } catch (InvalidRecordException ex) {
      return "refused: " + ex.getMessage();
    }
  }

  private static String describe(ShopEvent e) {
    StringBuilder s =
        new StringBuilder()
            .append(e.eventId)
            .append('|')
            .append(e.eventType)
            .append('|')
            .append(e.userId)
            .append('|')
            .append(e.eventTime)
            .append('|')
            .append(e.currency)
            .append('|')
            .append(e.sessionHint)
            .append('|')
            .append(e.query)
            .append('|')
            .append(e.orderId);
    for (LineItem li : e.items) {
      s.append('|').append(li.itemId).append('x').append(li.quantity).append('@').append(li.price);
    }
    return s.toString();
  }

  /** A record as a list of "name": value members, so that mutations can reorder or repeat them. */
  private static List<String> record(Random r) {
    List<String> members = new ArrayList<>();
    maybe(r, members, "event_id", id(r));
    maybe(r, members, "event_type", usually(r, quoted(pick(r, TYPES)), "\"View\"", "3", "null"));
    maybe(r, members, "user_id", id(r));
    maybe(r, members, "event_time", eventTime(r));
    maybe(r, members, "items", items(r));
    maybe(
        r,
        members,
        "currency",
        usually(r, pick(r, "\"EUR\"", "\"GBP\"", "null"), "\"eur\"", "\"EURO\"", "1"));
    maybe(r, members, "session_hint", usually(r, pick(r, "\"s-1\"", "null"), "true"));
    maybe(
        r, members, "query", usually(r, pick(r, "\"shoes\"", "\"  \"", "\"\"", "null"), "[\"a\"]"));
    maybe(r, members, "order_id", usually(r, pick(r, "\"o-1\"", "null"), "17"));
    if (r.nextInt(4) == 0) {
      members.add(
          quoted("extra_" + r.nextInt(3))
              + ":"
              + pick(r, "1", "{\"a\":[1,{\"b\":null}]}", "\"x\"", "[]"));
    }
    Collections.shuffle(members, r);
    return members;
  }

  private static void maybe(Random r, List<String> members, String name, String value) {
    // Required fields are mostly present; leaving one out is one of the refusals to compare.
    if (r.nextInt(40) != 0) {
      members.add(quoted(name) + ":" + value);
    }
  }

  private static String id(Random r) {
    return switch (r.nextInt(80)) {
      case 0 -> "\"\"";
      case 1 -> quoted("x".repeat(128));
      case 2 -> quoted("x".repeat(129));
      case 3 -> quoted("\uD83D\uDE00".repeat(100)); // 200 UTF-16 units, 100 characters
      case 4 -> quoted("\uD83D\uDE00".repeat(129));
      case 5 -> "null";
      case 6 -> "42";
      case 7 -> quoted("id-\\u00e9\\n" + r.nextInt(100));
      default -> quoted("id-" + r.nextInt(1000));
    };
  }

  private static String eventTime(Random r) {
    return switch (r.nextInt(60)) {
      case 0 -> "-1";
      case 1 -> "1.5e12";
      case 2 -> "99999999999999999999";
      case 3 -> "\"2026-11-25T10:00:00\"";
      case 4 -> "\"yesterday\"";
      case 5 -> "null";
      case 6 -> "true";
      case 7 -> "\"2026-11-25T10:00:00.250-05:30\"";
      case 8 -> "2147483648";
      default -> Long.toString(1_764_000_000_000L + r.nextInt(1_000_000_000));
    };
  }

  private static String items(Random r) {
    switch (r.nextInt(30)) {
      case 0:
        return "null";
      case 1:
        return "[]";
      case 2:
        return "{\"item_id\":\"a\"}";
      case 3:
        return "[\"a\"]";
      default:
        int n = 1 + (r.nextInt(3) == 0 ? r.nextInt(4) : 0);
        List<String> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          items.add(item(r));
        }
        return "[" + String.join(",", items) + "]";
    }
  }

  private static String item(Random r) {
    List<String> members = new ArrayList<>();
    if (r.nextInt(15) != 0) {
      members.add("\"item_id\":" + (r.nextInt(15) == 0 ? id(r) : quoted("sku-" + r.nextInt(50))));
    }
    if (r.nextBoolean()) {
      members.add(
          "\"quantity\":"
              + usually(
                  r,
                  pick(r, "1", "3", "null", "2147483647"),
                  "0",
                  "-2",
                  "2.0",
                  "\"2\"",
                  "4294967296"));
    }
    if (r.nextBoolean()) {
      members.add(
          "\"price\":"
              + pick(
                  r,
                  "12.5",
                  "0",
                  "7",
                  "-0.01",
                  "1e400",
                  "\"9.99\"",
                  "null",
                  "123456789012345678901234",
                  "-0.0",
                  "1E2",
                  "0.1"));
    }
    if (r.nextInt(6) == 0) {
      members.add("\"colour\":[\"red\",{\"x\":1}]");
    }
    if (r.nextInt(20) == 0 && !members.isEmpty()) {
      members.add(members.get(0)); // a duplicate member inside an item
    }
    Collections.shuffle(members, r);
    return "{" + String.join(",", members) + "}";
  }

  private static String mutate(Random r, List<String> members) {
    if (r.nextInt(10) == 0 && !members.isEmpty()) {
      // A duplicate: the tree keeps the last value, which may differ from the first.
      String name = members.get(r.nextInt(members.size())).split(":", 2)[0];
      members.add(name + ":" + pick(r, "\"again\"", "null", "5", "[{\"item_id\":\"z\"}]"));
    }
    String json = "{" + String.join(",", members) + "}";
    return switch (r.nextInt(60)) {
      case 0 -> json.substring(0, r.nextInt(json.length()));
      case 1 -> json + " {}";
      case 2 -> json + " \n ";
      case 3 -> "[" + json + "]";
      case 4 -> json.replaceFirst(",", ",,");
      case 5 -> "  " + json;
      default -> json;
    };
  }

  private static String quoted(String s) {
    return "\"" + s + "\"";
  }

  /** Mostly the valid value, so that whole records are often valid; otherwise a wrong one. */
  private static String usually(Random r, String valid, String... wrong) {
    return r.nextInt(16) != 0 ? valid : pick(r, wrong);
  }

  private static String pick(Random r, String... options) {
    return options[r.nextInt(options.length)];
  }
}
