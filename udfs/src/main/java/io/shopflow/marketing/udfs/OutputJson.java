package io.shopflow.marketing.udfs;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.ItemFactorDelta;
import io.shopflow.marketing.schema.SessionSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** JSON wire format of the outputs (snake_case, ISO-8601 UTC times). */
public final class OutputJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private OutputJson() {}

  public static ObjectNode actionNode(Action a) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("action_id", a.actionId);
    n.put("user_id", a.userId);
    n.put("action_type", a.actionType);
    n.put("channel", a.channel);
    ArrayNode items = n.putArray("items");
    for (String i : a.items) {
      items.add(i);
    }
    n.put("explanation", a.explanation);
    n.put("campaign", a.campaign);
    n.put("variant", a.variant);
    n.put("trigger_event_time", iso(a.triggerEventTime));
    n.put("send_at", iso(a.sendAt));
    n.put("processing_time", iso(a.processingTime));
    ArrayNode recs = n.putArray("recommended_items");
    for (String i : a.recommendedItems) {
      recs.add(i);
    }
    n.put("inference_fallback", a.inferenceFallback);
    return n;
  }

  public static byte[] action(Action a) {
    return bytes(actionNode(a));
  }

  public static Action parseAction(byte[] json) {
    try {
      JsonNode n = MAPPER.readTree(json);
      Action a = new Action();
      a.actionId = n.path("action_id").asText();
      a.userId = n.path("user_id").asText();
      a.actionType = n.path("action_type").asText();
      a.channel = n.path("channel").asText();
      List<String> items = new ArrayList<>();
      n.path("items").forEach(i -> items.add(i.asText()));
      a.items = items.toArray(new String[0]);
      a.explanation = n.path("explanation").asText();
      a.campaign = n.path("campaign").asText();
      a.variant = n.path("variant").asText();
      a.triggerEventTime = Instant.parse(n.path("trigger_event_time").asText()).toEpochMilli();
      a.sendAt = Instant.parse(n.path("send_at").asText()).toEpochMilli();
      a.processingTime = Instant.parse(n.path("processing_time").asText()).toEpochMilli();
      List<String> recs = new ArrayList<>();
      n.path("recommended_items").forEach(i -> recs.add(i.asText()));
      a.recommendedItems = recs.toArray(new String[0]);
      a.inferenceFallback = n.path("inference_fallback").asBoolean(false);
      return a;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static byte[] session(SessionSummary s) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("session_id", s.sessionId);
    n.put("user_id", s.userId);
    n.put("start_time", iso(s.startTime));
    n.put("end_time", iso(s.endTime));
    n.put("events", s.events);
    n.put("views", s.views);
    n.put("cart_adds", s.cartAdds);
    n.put("cart_removes", s.cartRemoves);
    n.put("purchases", s.purchases);
    n.put("searches", s.searches);
    n.put("revenue", Math.round(s.revenue * 100) / 100.0);
    n.put("cart_left_open", s.cartLeftOpen);
    return bytes(n);
  }

  /**
   * One MF step per interaction goes out on the feedback topic and comes back in: written straight
   * to the generator (the same bytes a tree would give, without building one).
   */
  public static byte[] factorDelta(ItemFactorDelta d) {
    ByteArrayBuilder out = new ByteArrayBuilder(512);
    // Not Jackson's fast float writer: for large steps it prints fewer digits than Float.toString
    // (1.7960019E9 for 1.79600192E9), which read back as a double is no longer the float sent.
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("item_id", d.itemId);
      g.writeStringField("user_id", d.userId);
      g.writeStringField("event_id", d.eventId);
      g.writeNumberField("event_time", d.eventTime);
      if (d.delta != null) {
        g.writeArrayFieldStart("delta");
        for (double f : d.delta) {
          g.writeNumber((float) f); // a step needs no more than float precision; halves the record
        }
        g.writeEndArray();
      }
      if (d.newBuyer) {
        g.writeBooleanField("new_buyer", true);
      }
      if (d.coItems.length > 0) {
        g.writeArrayFieldStart("co_items");
        for (String item : d.coItems) {
          g.writeString(item);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("co_item_buyers");
        for (int i = 0; i < d.coItems.length; i++) {
          g.writeNumber(i < d.coItemBuyers.length ? d.coItemBuyers[i] : 1);
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  public static String iso(long epochMillis) {
    return Instant.ofEpochMilli(epochMillis).toString();
  }

  private static byte[] bytes(JsonNode n) {
    try {
      return MAPPER.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
