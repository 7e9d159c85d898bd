package io.shopflow.marketing.udfs;

import static io.shopflow.marketing.udfs.Resources.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopflow.marketing.schema.ItemFactorDelta;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The feedback topic's MF steps: the writer gives the bytes the former tree-built writer gave, a
 * written step reads back whole, and the streaming parser gives the tree parser's step or refusal
 * for every generated record.
 */
class StreamingFactorDeltaParserTest {
  private static final JsonFactory FACTORY = new JsonFactory();
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static ItemFactorDelta step(Random r) {
    ItemFactorDelta d = new ItemFactorDelta();
    d.itemId = "sku-" + r.nextInt(1000);
    d.userId = r.nextInt(10) == 0 ? null : "u" + r.nextInt(1000);
    d.eventId = r.nextInt(10) == 0 ? null : "e-" + r.nextInt(100_000);
    d.eventTime = 1_764_000_000_000L + r.nextInt(1_000_000_000);
    if (r.nextInt(5) != 0) {
      d.delta = new double[32];
      for (int i = 0; i < d.delta.length; i++) {
        d.delta[i] = r.nextGaussian() * Math.pow(10, -r.nextInt(8));
      }
    }
    d.newBuyer = r.nextBoolean();
    int co = r.nextInt(3) == 0 ? r.nextInt(6) : 0;
    d.coItems = new String[co];
    d.coItemBuyers = new long[r.nextInt(4) == 0 ? Math.max(0, co - 1) : co];
    for (int i = 0; i < co; i++) {
      d.coItems[i] = "sku-" + r.nextInt(1000);
    }
    for (int i = 0; i < d.coItemBuyers.length; i++) {
      d.coItemBuyers[i] = 1 + r.nextInt(500);
    }
    return d;
  }

  /** The writer as it was: a tree, then its bytes. */
  private static byte[] formerWriter(ItemFactorDelta d) throws Exception {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("item_id", d.itemId);
    n.put("user_id", d.userId);
    n.put("event_id", d.eventId);
    n.put("event_time", d.eventTime);
    if (d.delta != null) {
      ArrayNode a = n.putArray("delta");
      for (double f : d.delta) {
        a.add((float) f);
      }
    }
    if (d.newBuyer) {
      n.put("new_buyer", true);
    }
    if (d.coItems.length > 0) {
      ArrayNode co = n.putArray("co_items");
      ArrayNode cb = n.putArray("co_item_buyers");
      for (int i = 0; i < d.coItems.length; i++) {
        co.add(d.coItems[i]);
        cb.add(i < d.coItemBuyers.length ? d.coItemBuyers[i] : 1);
      }
    }
    return MAPPER.writeValueAsBytes(n);
  }

  @Test
  void writerGivesTheBytesOfTheFormerTreeAndTheStepReadsBackWhole() throws Exception {
    Random r = new Random(5);
    for (int n = 0; n < 2_000; n++) {
      ItemFactorDelta d = step(r);
      byte[] bytes = OutputJson.factorDelta(d);
      assertThat(new String(bytes)).isEqualTo(new String(formerWriter(d)));

      ItemFactorDelta back = StreamingParser.factorDelta(FACTORY, bytes);
      assertThat(back).as(new String(bytes)).isNotNull();
      assertThat(describe(back)).isEqualTo(outcome(bytes));
      assertThat(back.itemId).isEqualTo(d.itemId);
      assertThat(back.eventTime).isEqualTo(d.eventTime);
      assertThat(back.coItems).containsExactly(d.coItems);
      if (d.delta == null) {
        assertThat(back.delta).isNull();
      } else {
        for (int i = 0; i < d.delta.length; i++) {
          // written as the nearest float, read as the double of that float's shortest decimal
          assertThat((float) back.delta[i]).isEqualTo((float) d.delta[i]);
        }
      }
    }
  }

  @Test
  void factorsAreReadExactlyAsDoubleParseDoubleReadsThem() throws Exception {
    Random r = new Random(9);
    for (int n = 0; n < 5_000; n++) {
      String[] texts = new String[8];
      for (int i = 0; i < texts.length; i++) {
        texts[i] =
            switch (r.nextInt(4)) {
              case 0 -> Double.toString(r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20));
              case 1 -> Float.toString((float) r.nextGaussian() * 1e-3f);
              case 2 -> // more digits than a double holds, with an exponent
                  (r.nextBoolean() ? "-" : "")
                      + r.nextInt(10)
                      + "."
                      + Long.toString(Math.abs(r.nextLong()))
                      + Long.toString(Math.abs(r.nextLong()))
                      + "e"
                      + (r.nextInt(600) - 300);
              default -> r.nextInt(1000) + "." + r.nextInt(1000) + "E-" + r.nextInt(10);
            };
      }
      byte[] bytes =
          utf8(
              "{\"item_id\":\"sku-1\",\"event_time\":1,\"delta\":["
                  + String.join(",", texts)
                  + "]}");
      ItemFactorDelta fast = EventParser.parseFactorDelta(bytes);
      ItemFactorDelta tree = EventParser.parseFactorDeltaTree(bytes);
      for (int i = 0; i < texts.length; i++) {
        assertThat(fast.delta[i]).as(texts[i]).isEqualTo(Double.parseDouble(texts[i]));
        assertThat(tree.delta[i]).as(texts[i]).isEqualTo(Double.parseDouble(texts[i]));
      }
    }
  }

  @Test
  void stepsArePrintedWithTheDigitsOfFloatToString() {
    Random r = new Random(13);
    for (int n = 0; n < 20_000; n++) {
      ItemFactorDelta d = new ItemFactorDelta();
      d.itemId = "sku-1";
      d.delta = new double[16];
      for (int i = 0; i < d.delta.length; i++) {
        d.delta[i] =
            r.nextInt(8) == 0
                ? Float.intBitsToFloat(r.nextInt()) // any float, subnormals and NaN included
                : r.nextGaussian() * Math.pow(10, r.nextInt(12) - 9);
      }
      String json = new String(OutputJson.factorDelta(d));
      StringBuilder expected = new StringBuilder();
      for (double f : d.delta) {
        float v = (float) f;
        expected
            .append(expected.length() == 0 ? "" : ",")
            .append(Float.isFinite(v) ? Float.toString(v) : "\"" + v + "\"");
      }
      assertThat(json).contains("\"delta\":[" + expected + "]");
    }
  }

  @Test
  void givesTheTreeParsersStepOrRefusalForGeneratedRecords() throws Exception {
    Random r = new Random(20261127);
    int fast = 0;
    int accepted = 0;
    int records = 20_000;
    for (int n = 0; n < records; n++) {
      byte[] bytes = utf8(mutate(r, new String(OutputJson.factorDelta(step(r)))));
      String tree = outcome(bytes);
      ItemFactorDelta fastStep = StreamingParser.factorDelta(FACTORY, bytes);
      if (fastStep != null) {
        fast++;
        assertThat(describe(fastStep)).as(new String(bytes)).isEqualTo(tree);
      }
      if (!tree.startsWith("refused")) {
        accepted++;
      }
      assertThat(outcome(EventParser::parseFactorDelta, bytes))
          .as(new String(bytes))
          .isEqualTo(tree);
    }
    assertThat(accepted).isBetween(records / 5, records * 9 / 10);
    assertThat(fast).isGreaterThan(accepted * 3 / 4);
  }

  interface Parse {
    ItemFactorDelta apply(byte[] bytes) throws InvalidRecordException;
  }

  /** The step, the refusal's reason, or the exception a parser let out. */
  private static String outcome(Parse parse, byte[] bytes) {
    try {
      return describe(parse.apply(bytes));
    } catch (InvalidRecordException ex) {
      return "refused: " + ex.getMessage();
    } catch (RuntimeException ex) {
      return "threw " + ex.getClass().getSimpleName();
    }
  }

  private static String outcome(byte[] bytes) {
    return outcome(EventParser::parseFactorDeltaTree, bytes);
  }

  private static String describe(ItemFactorDelta d) {
    return d.itemId
        + "|"
        + d.userId
        + "|"
        + d.eventId
        + "|"
        + d.eventTime
        + "|"
        + Arrays.toString(d.delta)
        + "|"
        + d.newBuyer
        + "|"
        + Arrays.toString(d.coItems)
        + "|"
        + Arrays.toString(d.coItemBuyers);
  }

  /** Replaces, removes, repeats or adds members of a written step, or breaks its syntax. */
  private static String mutate(Random r, String json) {
    List<String> members = new ArrayList<>(splitMembers(json.substring(1, json.length() - 1)));
    int changes = r.nextInt(3) == 0 ? 1 + r.nextInt(2) : 0;
    for (int c = 0; c < changes; c++) {
      int at = r.nextInt(members.size());
      String name = members.get(at).substring(0, members.get(at).indexOf(':'));
      String[] fields = {
        "\"item_id\"",
        "\"user_id\"",
        "\"event_id\"",
        "\"event_time\"",
        "\"delta\"",
        "\"new_buyer\"",
        "\"co_items\"",
        "\"co_item_buyers\"",
        "\"other\""
      };
      String field = r.nextBoolean() ? name : fields[r.nextInt(fields.length)];
      String value =
          pick(
              r,
              "null",
              "\"x\"",
              "\"\"",
              "12",
              "-3",
              "1.5",
              "true",
              "false",
              "[]",
              "[1,2.5,-0.0]",
              "[\"a\",\"b\"]",
              "[1,\"a\"]",
              "[99999999999999999999]",
              "{\"k\":[1]}",
              "\"2026-11-25T10:00:00Z\"",
              "[7,8]",
              "\"" + "x".repeat(129) + "\"");
      switch (r.nextInt(3)) {
        case 0 -> members.set(at, field + ":" + value);
        case 1 -> members.remove(at);
        default -> members.add(field + ":" + value);
      }
      if (members.isEmpty()) {
        break;
      }
    }
    Collections.shuffle(members, r);
    String out = "{" + String.join(",", members) + "}";
    return switch (r.nextInt(40)) {
      case 0 -> out.substring(0, r.nextInt(out.length()));
      case 1 -> out + "[]";
      case 2 -> "[" + out + "]";
      default -> out;
    };
  }

  /** Top-level members of an object's body (the writer's output has no braces inside strings). */
  private static List<String> splitMembers(String body) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c == '[' || c == '{') {
        depth++;
      } else if (c == ']' || c == '}') {
        depth--;
      } else if (c == ',' && depth == 0) {
        out.add(body.substring(start, i));
        start = i + 1;
      }
    }
    out.add(body.substring(start));
    return out;
  }

  private static String pick(Random r, String... options) {
    return options[r.nextInt(options.length)];
  }
}
