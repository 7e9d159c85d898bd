package io.shopflow.marketing.udfs;

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

  public static byte[] factorDelta(ItemFactorDelta d) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("item_id", d.itemId);
    n.put("user_id", d.userId);
    n.put("event_id", d.eventId);
    n.put("event_time", d.eventTime);
    if (d.delta != null) {
      ArrayNode a = n.putArray("delta");
      for (double f : d.delta) {
        a.add((float) f); // a step needs no more than float precision; halves the record size
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
    return bytes(n);
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
